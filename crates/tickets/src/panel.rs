//! Panels (the message with a button per category) and the record of each transcript posted.

use hearth_core::{ChannelId, GuildId, MessageId, Timestamp};

use crate::TicketNumber;

/// A panel message: its buttons open tickets of `categories`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panel {
    /// The guild.
    pub guild: GuildId,
    /// Where it was posted.
    pub channel: ChannelId,
    /// The message; a panel is keyed by it.
    pub message: MessageId,
    /// The category keys of its buttons, in order.
    pub categories: Vec<String>,
}

/// Where a ticket's transcript went: the files live in Discord, the record says where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptRecord {
    /// The guild.
    pub guild: GuildId,
    /// The ticket.
    pub ticket: TicketNumber,
    /// When it was made.
    pub created_at: Timestamp,
    /// How many messages it holds (before any cut).
    pub messages: u64,
    /// How many were left out to fit Discord's attachment limit.
    pub omitted: u64,
    /// The log-channel message holding the files, when posted.
    pub log_message: Option<(ChannelId, MessageId)>,
}
