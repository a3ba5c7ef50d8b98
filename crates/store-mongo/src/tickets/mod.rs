//! The ticket stores: the seed's `tickets` collection, plus `ticket_members` (each member's
//! open slots and recent openings: the limits' atomic guard), `ticket_counters`,
//! `ticket_settings`, `ticket_panels` and `ticket_transcripts`.
//!
//! Tickets keep the seed's shape `{ticket_id, guild_id, user_id, channel_id, category, status,
//! claimed_by, created_at, closed_at, rating}` with Hearth's fields beside them; documents the
//! earlier bot wrote still read (see [`wire::read_ticket`]).
//!
//! **Opening** needs two documents to agree, and this store uses no multi-document
//! transaction (a standalone server or `SecantusDB` has none). The member's document in
//! `ticket_members` is the guard: one `find_one_and_update` pushes a slot (the new ticket's
//! `_id`) only if the member has fewer than `max_open` open slots and fewer than
//! `max_per_window` openings in the window — conditions on array positions (`open.N-1` must not
//! exist), so of concurrent opens exactly one passes the last free slot. Then the guild's counter
//! gives the number and the ticket is inserted. A closing update frees the slot (`$pull`), a
//! reopening takes it again (`$addToSet`); both are idempotent. A member's first open builds
//! their document from the tickets the earlier bot left.
//!
//! **Every change** is one `find_one_and_update` whose filter holds the revision the caller
//! decided on (`$inc` counts it up), so a stale decision writes nothing.
//!
//! What is not atomic, and how it heals: a crash between taking a slot and inserting the
//! ticket leaves a slot with no ticket, and a crash between a close and freeing the slot leaves
//! a closed ticket's slot taken. When such a member is refused for the open limit, the store
//! frees the slots whose ticket is closed or was never inserted (taken over a minute before)
//! and tries again. Numbers taken by a failed insert are skipped, never reused.

mod wire;

use hearth_core::{ChannelId, GuildId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_tickets::{
    LimitHit, MemberLimits, NewTicket, Ticket, TicketNumber, TicketStore, TranscriptRecord,
};
use mongodb::{
    Collection, Database,
    bson::{Bson, Document, doc, oid::ObjectId},
    options::ReturnDocument,
};

use self::wire::{
    active_filter, channel_filter, counter_id, create_counter_update, create_member_update,
    forget_slot_update, free_slot_update, id_forms, member_id, next_number_update, opener_filter,
    panel_indexes, prune_update, read_number, read_ticket, read_transcript, retake_slot_update,
    revision_filter, room_filter, since_filter, take_slot_update, ticket_document, ticket_filter,
    ticket_indexes, transcript_document, transcript_indexes, update_document,
};
use crate::{
    MongoStore, read,
    read::ReadError,
    store::{all, driver_error, is_duplicate_key},
};

/// The seed's collection.
pub(crate) const TICKETS: &str = "tickets";
/// One document per (guild, member): `{_id: "<guild>:<user>", open: [slot], opened: [{slot, at}]}`.
pub(crate) const MEMBERS: &str = "ticket_members";
/// One counter per guild: `{_id: "tickets:<guild>", seq}`.
pub(crate) const COUNTERS: &str = "ticket_counters";
/// One document per guild: `{_id: "<guild>", settings: {…}}`.
pub(crate) const SETTINGS: &str = "ticket_settings";
/// One document per panel message.
pub(crate) const PANELS: &str = "ticket_panels";
/// One record per transcript posted.
pub(crate) const TRANSCRIPTS: &str = "ticket_transcripts";

/// How often an upsert that lost a race to a concurrent insert of the same `_id` is tried
/// again, and how often an open re-checks a guard that changed under it.
const RETRIES: u32 = 3;

/// How long a slot with no ticket is taken for an open under way rather than one that crashed.
const SLOT_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// The openings a member's limits document lists: each slot and when it was taken.
fn openings(guard: &Document) -> Vec<(Bson, Timestamp)> {
    guard
        .get_array("opened")
        .map(|list| {
            list.iter()
                .filter_map(Bson::as_document)
                .filter_map(|o| {
                    let at = o.get("at").and_then(|at| read::timestamp("at", at).ok())?;
                    Some((o.get("slot").cloned().unwrap_or(Bson::Null), at))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn corrupt(context: &'static str) -> impl Fn(ReadError) -> StoreError {
    move |err| StoreError::new(StoreErrorKind::Corrupt, context, err)
}

/// Runs an upsert, trying again when a concurrent upsert inserted the same key first.
macro_rules! retrying_upsert {
    ($operation:expr) => {{
        let mut retries = 0;
        loop {
            match $operation.await {
                Err(err) if is_duplicate_key(&err) && retries < RETRIES => retries += 1,
                outcome => break outcome,
            }
        }
    }};
}

/// Creates the indexes. Idempotent.
pub(crate) async fn prepare(db: &Database) -> Result<(), StoreError> {
    let context = "creating the ticket indexes";
    for (name, indexes) in [
        (TICKETS, ticket_indexes()),
        (TRANSCRIPTS, transcript_indexes()),
        (PANELS, panel_indexes()),
    ] {
        db.collection::<Document>(name)
            .create_indexes(indexes)
            .await
            .map_err(driver_error(context))?;
    }
    Ok(())
}

/// Reads the tickets in `docs`, leaving out documents that name no guild or opener (nobody's
/// ticket), in number order.
fn readable(docs: &[Document]) -> Vec<Ticket> {
    let mut tickets: Vec<Ticket> = docs.iter().filter_map(|d| read_ticket(d).ok()).collect();
    tickets.sort_by_key(|t| (t.number, t.created_at));
    tickets
}

impl MongoStore {
    fn collection(&self, name: &str) -> Collection<Document> {
        self.database().collection(name)
    }

    /// Makes the member's limits document from their existing tickets, unless it exists.
    async fn ensure_member(
        &self,
        guild: GuildId,
        user: UserId,
        window_start: Timestamp,
    ) -> Result<String, StoreError> {
        let context = "preparing a member's ticket limits";
        let id = member_id(guild, user);
        let members = self.collection(MEMBERS);
        if members
            .find_one(doc! { "_id": &id })
            .await
            .map_err(driver_error(context))?
            .is_some()
        {
            return Ok(id);
        }
        let cursor = self
            .collection(TICKETS)
            .find(opener_filter(Some(guild), user))
            .await
            .map_err(driver_error(context))?;
        let (mut open, mut opened) = (Vec::new(), Vec::new());
        for doc in all(cursor, context).await? {
            let (Some(slot), Ok(ticket)) = (doc.get("_id").cloned(), read_ticket(&doc)) else {
                continue;
            };
            if ticket.is_active() {
                open.push(slot.clone());
            }
            if ticket.created_at > window_start {
                opened.push((slot, ticket.created_at));
            }
        }
        let update = create_member_update(guild, user, open, opened);
        retrying_upsert!(
            members
                .update_one(doc! { "_id": &id }, update.clone())
                .upsert(true)
        )
        .map_err(driver_error(context))?;
        Ok(id)
    }

    /// Takes the guild's next ticket number; the counter starts above every number the
    /// earlier bot's tickets hold.
    async fn next_number(&self, guild: GuildId) -> Result<TicketNumber, StoreError> {
        let context = "taking a ticket number";
        let counters = self.collection(COUNTERS);
        let id = counter_id(guild);
        for _ in 0..=RETRIES {
            let counter = counters
                .find_one_and_update(doc! { "_id": &id }, next_number_update())
                .return_document(ReturnDocument::After)
                .await
                .map_err(driver_error(context))?;
            if let Some(counter) = counter {
                return read::required_u64(&counter, "seq")
                    .map(TicketNumber)
                    .map_err(corrupt(context));
            }
            // Created first and incremented after, never by an upserting increment: on
            // SecantusDB such an upsert can apply without telling its caller the number.
            let cursor = self
                .collection(TICKETS)
                .find(doc! { "guild_id": id_forms(guild.get()) })
                .projection(doc! { "ticket_id": 1 })
                .await
                .map_err(driver_error(context))?;
            let start = all(cursor, context)
                .await?
                .iter()
                .map(|d| read_number(d).0)
                .max()
                .unwrap_or(0);
            retrying_upsert!(
                counters
                    .update_one(doc! { "_id": &id }, create_counter_update(guild, start))
                    .upsert(true)
            )
            .map_err(driver_error(context))?;
        }
        Err(StoreError::bare(StoreErrorKind::Other, context))
    }

    /// Frees the open slots of `guard` whose ticket is closed, or was never inserted and was
    /// taken more than [`SLOT_GRACE`] before `now` (a crash between taking the slot and the
    /// insert); returns whether it freed any. A slot taken within the grace may belong to an
    /// open still under way, so it is left alone.
    async fn free_stale_slots(
        &self,
        id: &str,
        guard: &Document,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let context = "freeing stale ticket slots";
        let open = guard.get_array("open").cloned().unwrap_or_default();
        let cursor = self
            .collection(TICKETS)
            .find(doc! { "_id": { "$in": open.clone() } })
            .await
            .map_err(driver_error(context))?;
        let found = all(cursor, context).await?;
        let taken_at = openings(guard);
        let recent = now.saturating_sub(SLOT_GRACE);
        let stale: Vec<Bson> = open
            .into_iter()
            .filter(|slot| {
                match found.iter().find(|d| d.get("_id") == Some(slot)) {
                    Some(doc) => read_ticket(doc).is_ok_and(|t| !t.is_active()),
                    // Not in `opened` any more: taken before the window, long ago.
                    None => taken_at
                        .iter()
                        .find(|(s, _)| s == slot)
                        .is_none_or(|(_, at)| *at <= recent),
                }
            })
            .collect();
        if stale.is_empty() {
            return Ok(false);
        }
        self.collection(MEMBERS)
            .update_one(
                doc! { "_id": id },
                doc! { "$pull": { "open": { "$in": stale } } },
            )
            .await
            .map_err(driver_error(context))?;
        Ok(true)
    }

    async fn find_tickets(
        &self,
        filter: Document,
        context: &'static str,
    ) -> Result<Vec<Ticket>, StoreError> {
        let cursor = self
            .collection(TICKETS)
            .find(filter)
            .await
            .map_err(driver_error(context))?;
        Ok(readable(&all(cursor, context).await?))
    }
}

impl TicketStore for MongoStore {
    async fn open_ticket(
        &self,
        new: NewTicket,
        limits: MemberLimits,
    ) -> Result<Result<Ticket, LimitHit>, StoreError> {
        let context = "opening a ticket";
        let start = limits.window_start(new.created_at);
        let id = self.ensure_member(new.guild, new.opener, start).await?;
        let members = self.collection(MEMBERS);
        members
            .update_one(doc! { "_id": &id }, prune_update(start))
            .await
            .map_err(driver_error(context))?;
        let slot = ObjectId::new();
        let mut taken = false;
        for _ in 0..=RETRIES {
            taken = members
                .find_one_and_update(
                    room_filter(&id, limits.max_open, limits.max_per_window),
                    take_slot_update(&Bson::ObjectId(slot), new.created_at),
                )
                .await
                .map_err(driver_error(context))?
                .is_some();
            if taken {
                break;
            }
            let guard = members
                .find_one(doc! { "_id": &id })
                .await
                .map_err(driver_error(context))?
                .unwrap_or_default();
            let open = guard.get_array("open").map_or(0, Vec::len);
            let openings = openings(&guard);
            if open >= limits.max_open as usize
                && self.free_stale_slots(&id, &guard, new.created_at).await?
            {
                continue;
            }
            let opened: Vec<Timestamp> = openings.iter().map(|(_, at)| *at).collect();
            if let Err(hit) = limits.check(
                u32::try_from(open).unwrap_or(u32::MAX),
                &opened,
                new.created_at,
            ) {
                return Ok(Err(hit));
            }
            // A slot freed between the two reads: try again.
        }
        if !taken {
            return Err(StoreError::bare(StoreErrorKind::Other, context));
        }
        let forget = || async {
            let _ = members
                .update_one(
                    doc! { "_id": &id },
                    forget_slot_update(&Bson::ObjectId(slot)),
                )
                .await;
        };
        let number = match self.next_number(new.guild).await {
            Ok(number) => number,
            Err(err) => {
                forget().await;
                return Err(err);
            }
        };
        let ticket = Ticket::from_new(new, number);
        if let Err(err) = self
            .collection(TICKETS)
            .insert_one(ticket_document(slot, &ticket))
            .await
        {
            forget().await;
            return Err(driver_error(context)(err));
        }
        Ok(Ok(ticket))
    }

    async fn abandon_ticket(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> Result<bool, StoreError> {
        let context = "abandoning a ticket";
        let Some(doc) = self
            .collection(TICKETS)
            .find_one_and_delete(ticket_filter(guild, number))
            .await
            .map_err(driver_error(context))?
        else {
            return Ok(false);
        };
        if let (Some(slot), Ok(ticket)) = (doc.get("_id"), read_ticket(&doc)) {
            self.collection(MEMBERS)
                .update_one(
                    doc! { "_id": member_id(guild, ticket.opener) },
                    forget_slot_update(slot),
                )
                .await
                .map_err(driver_error(context))?;
        }
        Ok(true)
    }

    async fn ticket(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> Result<Option<Ticket>, StoreError> {
        let context = "reading a ticket";
        self.collection(TICKETS)
            .find_one(ticket_filter(guild, number))
            .await
            .map_err(driver_error(context))?
            .map(|d| read_ticket(&d).map_err(corrupt(context)))
            .transpose()
    }

    async fn ticket_in_channel(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Result<Option<Ticket>, StoreError> {
        let tickets = self
            .find_tickets(channel_filter(guild, channel), "finding a channel's ticket")
            .await?;
        Ok(tickets.into_iter().last())
    }

    async fn update_ticket(&self, ticket: &Ticket) -> Result<Option<Ticket>, StoreError> {
        let context = "updating a ticket";
        let Some(before) = self
            .collection(TICKETS)
            .find_one_and_update(
                revision_filter(ticket.guild, ticket.number, ticket.revision),
                update_document(ticket),
            )
            .return_document(ReturnDocument::Before)
            .await
            .map_err(driver_error(context))?
        else {
            return Ok(None);
        };
        let old = read_ticket(&before).map_err(corrupt(context))?;
        let written = Ticket {
            guild: old.guild,
            number: old.number,
            opener: old.opener,
            category: old.category.clone(),
            reason: old.reason.clone(),
            answers: old.answers.clone(),
            created_at: old.created_at,
            revision: old.revision + 1,
            ..ticket.clone()
        };
        if let Some(slot) = before
            .get("_id")
            .filter(|_| old.is_active() != written.is_active())
        {
            let update = if written.is_active() {
                retake_slot_update(slot)
            } else {
                free_slot_update(slot)
            };
            self.collection(MEMBERS)
                .update_one(doc! { "_id": member_id(old.guild, old.opener) }, update)
                .await
                .map_err(driver_error(context))?;
        }
        Ok(Some(written))
    }

    async fn active_tickets(&self, guild: GuildId) -> Result<Vec<Ticket>, StoreError> {
        let mut tickets = self
            .find_tickets(active_filter(guild), "listing active tickets")
            .await?;
        tickets.retain(Ticket::is_active);
        Ok(tickets)
    }

    async fn tickets_since(
        &self,
        guild: GuildId,
        since: Timestamp,
    ) -> Result<Vec<Ticket>, StoreError> {
        let mut tickets = self
            .find_tickets(since_filter(guild, since), "listing tickets")
            .await?;
        // The earlier bot's times that are not dates were read above; keep those in range.
        tickets.retain(|t| t.created_at >= since);
        Ok(tickets)
    }

    async fn record_transcript(&self, record: TranscriptRecord) -> Result<(), StoreError> {
        self.collection(TRANSCRIPTS)
            .insert_one(transcript_document(&record))
            .await
            .map(drop)
            .map_err(driver_error("recording a transcript"))
    }

    async fn transcripts(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> Result<Vec<TranscriptRecord>, StoreError> {
        let context = "listing transcripts";
        let cursor = self
            .collection(TRANSCRIPTS)
            .find(ticket_filter(guild, number))
            .sort(doc! { "created_at": 1, "_id": 1 })
            .await
            .map_err(driver_error(context))?;
        all(cursor, context)
            .await?
            .iter()
            .map(|d| read_transcript(d).map_err(corrupt(context)))
            .collect()
    }

    async fn delete_user_data(&self, user: UserId) -> Result<u64, StoreError> {
        let context = "deleting a user's tickets";
        let cursor = self
            .collection(TICKETS)
            .find(opener_filter(None, user))
            .projection(doc! { "guild_id": 1, "ticket_id": 1 })
            .await
            .map_err(driver_error(context))?;
        let keys: Vec<Document> = all(cursor, context)
            .await?
            .iter()
            .filter_map(|d| {
                let guild: GuildId = read::required_id(d, "guild_id").ok()?;
                Some(ticket_filter(guild, read_number(d)))
            })
            .collect();
        if !keys.is_empty() {
            self.collection(TRANSCRIPTS)
                .delete_many(doc! { "$or": keys })
                .await
                .map_err(driver_error(context))?;
        }
        self.collection(MEMBERS)
            .delete_many(doc! { "user_id": id_forms(user.get()) })
            .await
            .map_err(driver_error(context))?;
        self.collection(TICKETS)
            .delete_many(opener_filter(None, user))
            .await
            .map(|r| r.deleted_count)
            .map_err(driver_error(context))
    }
}

mod settings;

// The server tests reuse moderation's `TestDatabase`.
#[cfg(all(test, feature = "moderation"))]
mod server;
