//! The wire format of the ticket collections: filters, updates, indexes and documents as small
//! pure functions (tested in `wire/tests.rs` without a server), and the lenient reader that
//! turns stored tickets — the earlier bot's included — into domain values.

use hearth_core::{ChannelId, GuildId, MessageId, Timestamp, UserId};
use hearth_tickets::{
    Answer, CloseRequest, Panel, Rating, RatingScore, Ticket, TicketNumber, TicketStatus,
    TranscriptRecord,
};
use mongodb::{
    IndexModel,
    bson::{Bson, DateTime, Document, Regex, doc, oid::ObjectId},
};

use crate::read::{self, ReadError};
pub(super) use crate::store::id_forms;

// ---------------------------------------------------------------------------------------------
// Filters and updates.

/// A ticket number as stored: Hearth writes an Int64; the earlier bot may have written it as a
/// string, of digits or ending in them (`"42"`, `"ticket-0042"`: what [`read_number`] reads as
/// 42). MongoDB compares Int32, Int64 and Double by value; the string forms are one anchored
/// pattern, matched inside the guild's part of the `guild_id, ticket_id` index. The first write
/// stores the number as an Int64.
fn number_forms(number: TicketNumber) -> Bson {
    let n = stored_number(number);
    let text = Bson::RegularExpression(Regex {
        pattern: format!("^(.*\\D)?0*{}$", number.0),
        options: String::new(),
    });
    Bson::Document(doc! { "$in": [n, text] })
}

/// A ticket number as Hearth writes it: an Int64.
fn stored_number(number: TicketNumber) -> i64 {
    i64::try_from(number.0).unwrap_or(i64::MAX)
}

/// Selects one ticket of a guild.
pub(super) fn ticket_filter(guild: GuildId, number: TicketNumber) -> Document {
    doc! { "guild_id": id_forms(guild.get()), "ticket_id": number_forms(number) }
}

/// Selects a ticket only at `revision` (a document the earlier bot wrote has no revision,
/// which counts as 0).
pub(super) fn revision_filter(guild: GuildId, number: TicketNumber, revision: u64) -> Document {
    let mut filter = ticket_filter(guild, number);
    let revision = i64::try_from(revision).unwrap_or(i64::MAX);
    if revision == 0 {
        filter.insert(
            "$or",
            vec![
                doc! { "revision": 0_i64 },
                doc! { "revision": { "$exists": false } },
            ],
        );
    } else {
        filter.insert("revision", revision);
    }
    filter
}

/// Selects the tickets in a channel.
pub(super) fn channel_filter(guild: GuildId, channel: ChannelId) -> Document {
    doc! { "guild_id": id_forms(guild.get()), "channel_id": id_forms(channel.get()) }
}

/// Selects a guild's tickets that are not closed (the reader decides for odd statuses).
pub(super) fn active_filter(guild: GuildId) -> Document {
    doc! {
        "guild_id": id_forms(guild.get()),
        "status": { "$nin": ["closed", "Closed", "CLOSED"] },
    }
}

/// Selects a guild's tickets opened at or after `since`, and those whose `created_at` the
/// earlier bot wrote as text or seconds (or left out), which the caller keeps or drops once
/// read ([`read_ticket`] reads their time). Each branch can be served by the
/// `guild_id, created_at` index (not measured on mongod here).
pub(super) fn since_filter(guild: GuildId, since: Timestamp) -> Document {
    doc! {
        "guild_id": id_forms(guild.get()),
        "$or": [
            { "created_at": { "$gte": DateTime::from_millis(since.unix_millis()) } },
            { "created_at": { "$type": ["string", "number"] } },
            { "created_at": null },
        ],
    }
}

/// Selects every ticket a user opened in one guild (`Some`) or all (`None`).
pub(super) fn opener_filter(guild: Option<GuildId>, user: UserId) -> Document {
    let mut filter = doc! { "user_id": id_forms(user.get()) };
    if let Some(guild) = guild {
        filter.insert("guild_id", id_forms(guild.get()));
    }
    filter
}

/// Writes a ticket's changeable fields and counts the revision up; the number is written as an
/// Int64, which converts a number the earlier bot wrote as a string.
pub(super) fn update_document(t: &Ticket) -> Document {
    doc! {
        "$set": {
            "ticket_id": stored_number(t.number),
            "channel_id": opt_id(t.channel.map(ChannelId::get)),
            "status": t.status.as_str(),
            "claimed_by": opt_id(t.claimed_by.map(UserId::get)),
            "last_activity_at": date(t.last_activity_at),
            "first_response_at": opt_date(t.first_response_at),
            "first_responder": opt_id(t.first_responder.map(UserId::get)),
            "inactivity_warned_at": opt_date(t.inactivity_warned_at),
            "close_requested_by": opt_id(t.close_request.as_ref().map(|r| r.by.get())),
            "close_request_reason": t.close_request.as_ref().and_then(|r| r.reason.clone()),
            "close_request_due": opt_date(t.close_request.as_ref().and_then(|r| r.closes_at)),
            "closed_at": opt_date(t.closed_at),
            "closed_by": opt_id(t.closed_by.map(UserId::get)),
            "close_reason": t.close_reason.clone(),
            "rating": t.rating.as_ref().map(|r| i32::from(r.score.get())),
            "rating_comment": t.rating.as_ref().and_then(|r| r.comment.clone()),
        },
        "$inc": { "revision": 1_i64 },
    }
}

/// A new ticket's document, in the seed's shape plus Hearth's fields; `_id` is its slot in
/// the member's limits document.
pub(super) fn ticket_document(slot: ObjectId, t: &Ticket) -> Document {
    let mut document = doc! {
        "_id": slot,
        "ticket_id": stored_number(t.number),
        "guild_id": t.guild.to_string(),
        "user_id": t.opener.to_string(),
        "category": t.category.clone(),
        "reason": t.reason.clone(),
        "answers": t.answers.iter().map(|a| doc! { "question": &a.question, "answer": &a.answer }).collect::<Vec<_>>(),
        "created_at": date(t.created_at),
        "revision": 0_i64,
    };
    if let Some(Bson::Document(set)) = update_document(t).remove("$set") {
        document.extend(set);
    }
    document.insert("revision", 0_i64);
    document
}

/// The `_id` of a member's limits document.
pub(super) fn member_id(guild: GuildId, user: UserId) -> String {
    format!("{guild}:{user}")
}

/// Creates a member's limits document with the slots of their tickets as found (sent with
/// upsert; changes nothing when it exists).
pub(super) fn create_member_update(
    guild: GuildId,
    user: UserId,
    open: Vec<Bson>,
    opened: Vec<(Bson, Timestamp)>,
) -> Document {
    let opened: Vec<Document> = opened
        .into_iter()
        .map(|(slot, at)| doc! { "slot": slot, "at": date(at) })
        .collect();
    doc! { "$setOnInsert": {
        "guild_id": guild.to_string(), "user_id": user.to_string(), "open": open, "opened": opened,
    } }
}

/// Drops openings that left the window.
pub(super) fn prune_update(window_start: Timestamp) -> Document {
    doc! { "$pull": { "opened": { "at": { "$lte": date(window_start) } } } }
}

/// Selects a member's limits document only while it has fewer than `max_open` open slots and
/// fewer than `max_per_window` openings: the atomic guard of every open.
pub(super) fn room_filter(id: &str, max_open: u32, max_per_window: u32) -> Document {
    doc! {
        "_id": id,
        format!("open.{}", max_open.saturating_sub(1)): { "$exists": false },
        format!("opened.{}", max_per_window.saturating_sub(1)): { "$exists": false },
    }
}

/// Takes a slot.
pub(super) fn take_slot_update(slot: &Bson, at: Timestamp) -> Document {
    doc! { "$push": { "open": slot.clone(), "opened": { "slot": slot.clone(), "at": date(at) } } }
}

/// Frees a slot when its ticket closes (idempotent).
pub(super) fn free_slot_update(slot: &Bson) -> Document {
    doc! { "$pull": { "open": slot.clone() } }
}

/// Takes a slot again when its ticket reopens (idempotent).
pub(super) fn retake_slot_update(slot: &Bson) -> Document {
    doc! { "$addToSet": { "open": slot.clone() } }
}

/// Forgets a slot entirely (an abandoned ticket).
pub(super) fn forget_slot_update(slot: &Bson) -> Document {
    doc! { "$pull": { "open": slot.clone(), "opened": { "slot": slot.clone() } } }
}

/// The `_id` of a guild's ticket counter.
pub(super) fn counter_id(guild: GuildId) -> String {
    format!("tickets:{guild}")
}

/// Creates a guild's counter at `start` unless it exists (sent with upsert).
pub(super) fn create_counter_update(guild: GuildId, start: u64) -> Document {
    doc! { "$setOnInsert": {
        "guild_id": guild.to_string(), "seq": i64::try_from(start).unwrap_or(i64::MAX),
    } }
}

/// Takes the next number (sent without upsert, to a counter made first).
pub(super) fn next_number_update() -> Document {
    doc! { "$inc": { "seq": 1_i64 } }
}

/// The tickets collection's indexes: lookups by number and channel, the active list, the
/// statistics range, data deletion.
pub(super) fn ticket_indexes() -> Vec<IndexModel> {
    [
        doc! { "guild_id": 1, "ticket_id": 1 },
        doc! { "guild_id": 1, "channel_id": 1 },
        doc! { "guild_id": 1, "status": 1 },
        doc! { "guild_id": 1, "created_at": 1 },
        doc! { "user_id": 1 },
    ]
    .into_iter()
    .map(|keys| IndexModel::builder().keys(keys).build())
    .collect()
}

/// The transcript records' index.
pub(super) fn transcript_indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "ticket_id": 1, "created_at": 1 })
            .build(),
    ]
}

/// The panels' index.
pub(super) fn panel_indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "message_id": 1 })
            .build(),
    ]
}

/// A panel's document, keyed by guild and message.
pub(super) fn panel_document(p: &Panel) -> Document {
    doc! {
        "_id": format!("{}:{}", p.guild, p.message),
        "guild_id": p.guild.to_string(),
        "channel_id": p.channel.to_string(),
        "message_id": p.message.to_string(),
        "categories": p.categories.clone(),
    }
}

/// A transcript record's document.
pub(super) fn transcript_document(r: &TranscriptRecord) -> Document {
    doc! {
        "guild_id": r.guild.to_string(),
        "ticket_id": stored_number(r.ticket),
        "created_at": date(r.created_at),
        "messages": i64::try_from(r.messages).unwrap_or(i64::MAX),
        "omitted": i64::try_from(r.omitted).unwrap_or(i64::MAX),
        "log_channel_id": opt_id(r.log_message.map(|(c, _)| c.get())),
        "log_message_id": opt_id(r.log_message.map(|(_, m)| m.get())),
    }
}

fn date(t: Timestamp) -> DateTime {
    DateTime::from_millis(t.unix_millis())
}

fn opt_date(t: Option<Timestamp>) -> Bson {
    t.map_or(Bson::Null, |t| Bson::DateTime(date(t)))
}

fn opt_id(id: Option<u64>) -> Bson {
    id.map_or(Bson::Null, |id| Bson::String(id.to_string()))
}

// ---------------------------------------------------------------------------------------------
// Readers.

/// A ticket number from the seed's `ticket_id`: an integer, a string of digits, or a string
/// ending in digits (`ticket-0042`); 0 when it holds no number.
pub(super) fn read_number(doc: &Document) -> TicketNumber {
    let number = match read::field(doc, "ticket_id") {
        Some(Bson::String(s)) => {
            let digits: String = s
                .trim()
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            digits.parse().ok()
        }
        Some(value) => read::integer("ticket_id", value)
            .ok()
            .and_then(|n| u64::try_from(n).ok()),
        None => None,
    };
    TicketNumber(number.unwrap_or(0))
}

/// A time, or `None` when missing or unreadable.
fn lenient_time(doc: &Document, key: &str) -> Option<Timestamp> {
    read::field(doc, key).and_then(|v| read::timestamp(key, v).ok())
}

/// An id, or `None` when missing or unreadable.
fn lenient_id<T: std::str::FromStr>(doc: &Document, key: &str) -> Option<T>
where
    T::Err: std::fmt::Display,
{
    read::optional_id(doc, key).ok().flatten()
}

fn lenient_string(doc: &Document, key: &str) -> Option<String> {
    read::optional_string(doc, key).ok().flatten()
}

/// Reads a stored ticket. Only the guild and the opener are required — a document without
/// them is nobody's ticket; every other field that cannot be read falls back (no channel, no
/// claimer, no rating; an unknown status is `closed` when the document has a close time and
/// `open` otherwise; a missing creation time comes from the `_id`'s `ObjectId`, else the epoch),
/// so one bad field never hides a ticket.
pub(super) fn read_ticket(doc: &Document) -> Result<Ticket, ReadError> {
    let guild: GuildId = read::required_id(doc, "guild_id")?;
    let opener: UserId = read::required_id(doc, "user_id")?;
    let closed_at = lenient_time(doc, "closed_at");
    let status = lenient_string(doc, "status")
        .and_then(|s| TicketStatus::parse(&s))
        .unwrap_or(if closed_at.is_some() {
            TicketStatus::Closed
        } else {
            TicketStatus::Open
        });
    let created_at = lenient_time(doc, "created_at")
        .or_else(|| match doc.get("_id") {
            Some(Bson::ObjectId(oid)) => Some(Timestamp::from_unix_millis(
                oid.timestamp().timestamp_millis(),
            )),
            _ => None,
        })
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let rating = read::field(doc, "rating")
        .and_then(|v| read::integer("rating", v).ok())
        .and_then(|n| u8::try_from(n).ok())
        .and_then(|n| RatingScore::new(n).ok())
        .map(|score| Rating {
            score,
            comment: lenient_string(doc, "rating_comment"),
        });
    let answers = match read::field(doc, "answers") {
        Some(Bson::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Bson::Document(a) => Some(Answer {
                    question: lenient_string(a, "question")?,
                    answer: lenient_string(a, "answer")?,
                }),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let revision = read::field(doc, "revision")
        .and_then(|v| read::integer("revision", v).ok())
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0);
    Ok(Ticket {
        guild,
        number: read_number(doc),
        opener,
        category: lenient_string(doc, "category").unwrap_or_else(|| "general".to_owned()),
        channel: lenient_id(doc, "channel_id"),
        status,
        claimed_by: lenient_id(doc, "claimed_by"),
        reason: lenient_string(doc, "reason"),
        answers,
        created_at,
        last_activity_at: lenient_time(doc, "last_activity_at").unwrap_or(created_at),
        first_response_at: lenient_time(doc, "first_response_at"),
        first_responder: lenient_id(doc, "first_responder"),
        inactivity_warned_at: lenient_time(doc, "inactivity_warned_at"),
        close_request: lenient_id(doc, "close_requested_by").map(|by| CloseRequest {
            by,
            reason: lenient_string(doc, "close_request_reason"),
            closes_at: lenient_time(doc, "close_request_due"),
        }),
        closed_at,
        closed_by: lenient_id(doc, "closed_by"),
        close_reason: lenient_string(doc, "close_reason"),
        rating,
        revision,
    })
}

/// Reads a panel.
pub(super) fn read_panel(doc: &Document) -> Result<Panel, ReadError> {
    let categories = match read::field(doc, "categories") {
        Some(Bson::Array(items)) => items
            .iter()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    Ok(Panel {
        guild: read::required_id(doc, "guild_id")?,
        channel: read::required_id(doc, "channel_id")?,
        message: read::required_id(doc, "message_id")?,
        categories,
    })
}

/// Reads a transcript record.
pub(super) fn read_transcript(doc: &Document) -> Result<TranscriptRecord, ReadError> {
    let channel: Option<ChannelId> = read::optional_id(doc, "log_channel_id")?;
    let message: Option<MessageId> = read::optional_id(doc, "log_message_id")?;
    Ok(TranscriptRecord {
        guild: read::required_id(doc, "guild_id")?,
        ticket: read_number(doc),
        created_at: read::timestamp(
            "created_at",
            read::field(doc, "created_at")
                .ok_or_else(|| ReadError::new("created_at", "missing"))?,
        )?,
        messages: read::required_u64(doc, "messages")?,
        omitted: read::required_u64(doc, "omitted")?,
        log_message: channel.zip(message),
    })
}

#[cfg(test)]
mod tests;
