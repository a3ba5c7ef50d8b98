//! Fixtures for this crate's unit tests.

use hearth_core::{ChannelId, GuildId, Timestamp, UserId};

use crate::{Category, Ticket, TicketNumber, TicketStatus};

/// The opener of [`ticket`].
pub(crate) const OPENER: UserId = UserId::new(10);

/// An open ticket #1 by [`OPENER`] in category `support`, opened at 100 s, in channel 800.
pub(crate) fn ticket() -> Ticket {
    let at = Timestamp::from_unix_secs(100);
    Ticket {
        guild: GuildId::new(1),
        number: TicketNumber(1),
        opener: OPENER,
        category: "support".into(),
        channel: Some(ChannelId::new(800)),
        status: TicketStatus::Open,
        claimed_by: None,
        reason: Some("help".into()),
        answers: Vec::new(),
        created_at: at,
        last_activity_at: at,
        first_response_at: None,
        first_responder: None,
        inactivity_warned_at: None,
        close_requested_by: None,
        closed_at: None,
        closed_by: None,
        close_reason: None,
        rating: None,
        revision: 0,
    }
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
