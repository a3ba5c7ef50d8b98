//! Where tickets, settings, panels and transcript records live: the traits every backend
//! implements.
//!
//! Methods return `impl Future + Send` so services stay `Send` whatever the backend. Every
//! method is required; the semantics are those of [`MemoryStore`](crate::MemoryStore), and the
//! `testkit` suite checks a backend against them.

use std::{future::Future, sync::Arc};

use hearth_core::{ChannelId, GuildId, MessageId, StoreError, Timestamp, UserId};

use crate::{
    LimitHit, MemberLimits, NewTicket, Panel, Ticket, TicketNumber, TicketSettings,
    TranscriptRecord,
};

/// Stores tickets and hands out their numbers.
pub trait TicketStore: Send + Sync {
    /// Opens a ticket under the guild's next number if the opener is within `limits` at
    /// `new.created_at` ([`MemberLimits::check`] over their active tickets and the tickets
    /// they opened in the window), in one atomic step: of concurrent opens by one member at
    /// the limit — in this process or another — exactly one succeeds. Numbers are per guild,
    /// from 1, never handed out twice (a refused open takes none; an abandoned one may leave a
    /// gap).
    fn open_ticket(
        &self,
        new: NewTicket,
        limits: MemberLimits,
    ) -> impl Future<Output = Result<Result<Ticket, LimitHit>, StoreError>> + Send;

    /// Removes a ticket that never became usable (its channel could not be made), so it counts
    /// towards no limit; returns whether there was one.
    fn abandon_ticket(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The ticket with this number; `None` when there is none.
    fn ticket(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send;

    /// The ticket whose channel this is (the latest, if the earlier bot left several).
    fn ticket_in_channel(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send;

    /// Writes `ticket`'s changeable fields (everything but guild, number, opener, category,
    /// reason, answers and creation time) if the stored ticket is still at
    /// `ticket.revision`, and returns it at the next revision, in one atomic step. `None` when
    /// the ticket changed since (or is gone): nothing was written, and the caller decides
    /// again on a fresh read.
    fn update_ticket(
        &self,
        ticket: &Ticket,
    ) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send;

    /// The guild's active (not closed) tickets, by number.
    fn active_tickets(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send;

    /// The guild's tickets opened at or after `since`, by number (for statistics).
    fn tickets_since(
        &self,
        guild: GuildId,
        since: Timestamp,
    ) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send;

    /// Stores the record of a transcript.
    fn record_transcript(
        &self,
        record: TranscriptRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A ticket's transcript records, oldest first (a reopened ticket has several).
    fn transcripts(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> impl Future<Output = Result<Vec<TranscriptRecord>, StoreError>> + Send;

    /// Removes every ticket `user` opened, in every guild, with their transcript records (a
    /// data-deletion request); returns how many tickets. Tickets they handled as staff stay.
    fn delete_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// Stores each guild's ticket settings and panels.
pub trait TicketSettingsStore: Send + Sync {
    /// The guild's settings, or `None` when it never saved any.
    fn ticket_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<TicketSettings>, StoreError>> + Send;

    /// Replaces the guild's settings.
    fn save_ticket_settings(
        &self,
        guild: GuildId,
        settings: &TicketSettings,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores a panel, replacing one on the same message.
    fn save_panel(&self, panel: &Panel) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The guild's panels, by message id.
    fn panels(&self, guild: GuildId)
    -> impl Future<Output = Result<Vec<Panel>, StoreError>> + Send;

    /// Removes the panel on `message`; returns whether there was one.
    fn delete_panel(
        &self,
        guild: GuildId,
        message: MessageId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

macro_rules! forward_impls {
    ($($ptr:ty),+) => {$(
        impl<S: TicketStore + ?Sized> TicketStore for $ptr {
            fn open_ticket(&self, new: NewTicket, limits: MemberLimits) -> impl Future<Output = Result<Result<Ticket, LimitHit>, StoreError>> + Send {
                (**self).open_ticket(new, limits)
            }
            fn abandon_ticket(&self, guild: GuildId, number: TicketNumber) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).abandon_ticket(guild, number)
            }
            fn ticket(&self, guild: GuildId, number: TicketNumber) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send {
                (**self).ticket(guild, number)
            }
            fn ticket_in_channel(&self, guild: GuildId, channel: ChannelId) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send {
                (**self).ticket_in_channel(guild, channel)
            }
            fn update_ticket(&self, ticket: &Ticket) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send {
                (**self).update_ticket(ticket)
            }
            fn active_tickets(&self, guild: GuildId) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send {
                (**self).active_tickets(guild)
            }
            fn tickets_since(&self, guild: GuildId, since: Timestamp) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send {
                (**self).tickets_since(guild, since)
            }
            fn record_transcript(&self, record: TranscriptRecord) -> impl Future<Output = Result<(), StoreError>> + Send {
                (**self).record_transcript(record)
            }
            fn transcripts(&self, guild: GuildId, number: TicketNumber) -> impl Future<Output = Result<Vec<TranscriptRecord>, StoreError>> + Send {
                (**self).transcripts(guild, number)
            }
            fn delete_user_data(&self, user: UserId) -> impl Future<Output = Result<u64, StoreError>> + Send {
                (**self).delete_user_data(user)
            }
        }

        impl<S: TicketSettingsStore + ?Sized> TicketSettingsStore for $ptr {
            fn ticket_settings(&self, guild: GuildId) -> impl Future<Output = Result<Option<TicketSettings>, StoreError>> + Send {
                (**self).ticket_settings(guild)
            }
            fn save_ticket_settings(&self, guild: GuildId, settings: &TicketSettings) -> impl Future<Output = Result<(), StoreError>> + Send {
                (**self).save_ticket_settings(guild, settings)
            }
            fn save_panel(&self, panel: &Panel) -> impl Future<Output = Result<(), StoreError>> + Send {
                (**self).save_panel(panel)
            }
            fn panels(&self, guild: GuildId) -> impl Future<Output = Result<Vec<Panel>, StoreError>> + Send {
                (**self).panels(guild)
            }
            fn delete_panel(&self, guild: GuildId, message: MessageId) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).delete_panel(guild, message)
            }
        }
    )+};
}

forward_impls!(&S, Arc<S>);
