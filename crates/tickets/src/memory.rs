//! The in-memory store: the reference semantics every backend must match.

use std::{
    collections::{BTreeMap, HashMap},
    future::{Future, ready},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use hearth_core::{ChannelId, GuildId, MessageId, StoreError, Timestamp, UserId};

use crate::{
    LimitHit, MemberLimits, NewTicket, Panel, Ticket, TicketNumber, TicketSettings,
    TicketSettingsStore, TicketStore, TranscriptRecord,
};

/// Tickets, settings and panels in memory; cheap to clone (clones share the data).
///
/// - Numbers are per guild from 1; the counter never goes back.
/// - `open_ticket` checks the limits and inserts under one lock, so it is atomic.
/// - `update_ticket` compares the revision and writes under one lock.
/// - Not found is `None` (or `false`, or 0), never an error.
///
/// The data is lost when the process ends; use it for tests and trials. A `std` mutex guards
/// it and is never held across an `.await`.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    tickets: BTreeMap<(GuildId, TicketNumber), Ticket>,
    last_number: HashMap<GuildId, u64>,
    transcripts: Vec<TranscriptRecord>,
    settings: HashMap<GuildId, TicketSettings>,
    panels: BTreeMap<(GuildId, MessageId), Panel>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    fn guild(&self, guild: GuildId) -> impl Iterator<Item = &Ticket> {
        self.tickets.values().filter(move |t| t.guild == guild)
    }
}

impl TicketStore for MemoryStore {
    fn open_ticket(
        &self,
        new: NewTicket,
        limits: MemberLimits,
    ) -> impl Future<Output = Result<Result<Ticket, LimitHit>, StoreError>> + Send {
        let mut inner = self.lock();
        let mine: Vec<&Ticket> = inner
            .guild(new.guild)
            .filter(|t| t.opener == new.opener)
            .collect();
        let open = mine.iter().filter(|t| t.is_active()).count();
        let opened: Vec<Timestamp> = mine.iter().map(|t| t.created_at).collect();
        if let Err(hit) = limits.check(
            u32::try_from(open).unwrap_or(u32::MAX),
            &opened,
            new.created_at,
        ) {
            return ready(Ok(Err(hit)));
        }
        let last = inner.last_number.entry(new.guild).or_insert(0);
        *last += 1;
        let ticket = Ticket::from_new(new, TicketNumber(*last));
        inner
            .tickets
            .insert((ticket.guild, ticket.number), ticket.clone());
        ready(Ok(Ok(ticket)))
    }

    fn abandon_ticket(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        ready(Ok(self.lock().tickets.remove(&(guild, number)).is_some()))
    }

    fn ticket(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send {
        ready(Ok(self.lock().tickets.get(&(guild, number)).cloned()))
    }

    fn ticket_in_channel(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send {
        let inner = self.lock();
        let found = inner
            .guild(guild)
            .filter(|t| t.channel == Some(channel))
            .last()
            .cloned();
        ready(Ok(found))
    }

    fn update_ticket(
        &self,
        ticket: &Ticket,
    ) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send {
        let mut inner = self.lock();
        let updated = inner
            .tickets
            .get_mut(&(ticket.guild, ticket.number))
            .filter(|stored| stored.revision == ticket.revision)
            .map(|stored| {
                *stored = Ticket {
                    guild: stored.guild,
                    number: stored.number,
                    opener: stored.opener,
                    category: stored.category.clone(),
                    reason: stored.reason.clone(),
                    answers: stored.answers.clone(),
                    created_at: stored.created_at,
                    revision: stored.revision + 1,
                    ..ticket.clone()
                };
                stored.clone()
            });
        ready(Ok(updated))
    }

    fn active_tickets(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send {
        let inner = self.lock();
        ready(Ok(inner
            .guild(guild)
            .filter(|t| t.is_active())
            .cloned()
            .collect()))
    }

    fn tickets_since(
        &self,
        guild: GuildId,
        since: Timestamp,
    ) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send {
        let inner = self.lock();
        ready(Ok(inner
            .guild(guild)
            .filter(|t| t.created_at >= since)
            .cloned()
            .collect()))
    }

    fn record_transcript(
        &self,
        record: TranscriptRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.lock().transcripts.push(record);
        ready(Ok(()))
    }

    fn transcripts(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> impl Future<Output = Result<Vec<TranscriptRecord>, StoreError>> + Send {
        let inner = self.lock();
        let mut found: Vec<TranscriptRecord> = inner
            .transcripts
            .iter()
            .filter(|r| r.guild == guild && r.ticket == number)
            .cloned()
            .collect();
        found.sort_by_key(|r| r.created_at);
        ready(Ok(found))
    }

    fn delete_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        let mut inner = self.lock();
        let gone: Vec<(GuildId, TicketNumber)> = inner
            .tickets
            .iter()
            .filter(|(_, t)| t.opener == user)
            .map(|(k, _)| *k)
            .collect();
        for key in &gone {
            inner.tickets.remove(key);
        }
        inner
            .transcripts
            .retain(|r| !gone.contains(&(r.guild, r.ticket)));
        ready(Ok(gone.len() as u64))
    }
}

impl TicketSettingsStore for MemoryStore {
    fn ticket_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<TicketSettings>, StoreError>> + Send {
        ready(Ok(self.lock().settings.get(&guild).cloned()))
    }

    fn save_ticket_settings(
        &self,
        guild: GuildId,
        settings: &TicketSettings,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.lock().settings.insert(guild, settings.clone());
        ready(Ok(()))
    }

    fn save_panel(&self, panel: &Panel) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.lock()
            .panels
            .insert((panel.guild, panel.message), panel.clone());
        ready(Ok(()))
    }

    fn panels(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Vec<Panel>, StoreError>> + Send {
        let inner = self.lock();
        ready(Ok(inner
            .panels
            .values()
            .filter(|p| p.guild == guild)
            .cloned()
            .collect()))
    }

    fn delete_panel(
        &self,
        guild: GuildId,
        message: MessageId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        ready(Ok(self.lock().panels.remove(&(guild, message)).is_some()))
    }
}

#[cfg(test)]
mod conformance {
    crate::ticket_store_suite!(|| async { (crate::MemoryStore::new(), ()) });
}
