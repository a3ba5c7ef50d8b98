//! Fixtures for this crate's unit tests.

use hearth_core::{ChannelId, GuildId, Timestamp, UserId};

use crate::{Category, NewTicket, Ticket, TicketNumber};

/// The opener of [`ticket`].
pub(crate) const OPENER: UserId = UserId::new(10);

/// An open ticket #1 by [`OPENER`] in category `support`, opened at 100 s, in channel 800.
pub(crate) fn ticket() -> Ticket {
    let new = NewTicket {
        guild: GuildId::new(1),
        opener: OPENER,
        category: "support".into(),
        reason: Some("help".into()),
        answers: Vec::new(),
        created_at: Timestamp::from_unix_secs(100),
    };
    let mut ticket = Ticket::from_new(new, TicketNumber(1));
    ticket.channel = Some(ChannelId::new(800));
    ticket
}

/// A category `key` under Discord category 900, with no roles or questions.
pub(crate) fn category(key: &str) -> Category {
    Category {
        key: key.into(),
        label: "Support".into(),
        parent: ChannelId::new(900),
        overflow: Vec::new(),
        support_roles: Vec::new(),
        questions: Vec::new(),
        others_reply_when_claimed: false,
    }
}
