//! The wire format of `timed_actions`: every filter, update, sort and index a small pure
//! function returning BSON (tested without a server in `wire/tests.rs`), and the reader of a
//! stored document.

use hearth_core::timed::{ActionId, ActionKey, ActionKind, LeaseOwner, TimedAction};
use hearth_core::{GuildId, StoreError, StoreErrorKind, Timestamp};
use mongodb::{
    IndexModel,
    bson::{self, Bson, DateTime, Document, doc, oid::ObjectId},
    options::IndexOptions,
};

use crate::read::{self, ReadError};

/// The `_id` of the ids counter in `counters`.
pub(super) const COUNTER_ID: &str = "timed_actions";

/// The `_id` of an action's document: its key, `<guild>:<name>:<subject>`, so one guild holds
/// one pending action per key by construction.
pub(super) fn key_id(key: ActionKey) -> String {
    format!("{}:{key}", key.guild())
}

fn date(at: Timestamp) -> DateTime {
    DateTime::from_millis(at.unix_millis())
}

/// An action's id as stored (Int64); ids from our counter always fit.
pub(super) fn id_to_bson(id: ActionId) -> Option<i64> {
    i64::try_from(id.0).ok()
}

/// Selects the ids counter.
pub(super) fn counter_filter() -> Document {
    doc! { "_id": COUNTER_ID }
}

/// Creates the ids counter at 0 if it does not exist (sent with upsert).
pub(super) fn create_counter_update() -> Document {
    doc! { "$setOnInsert": { "seq": 0_i64 } }
}

/// Takes the next id (sent without upsert, `ReturnDocument::After`).
pub(super) fn next_id_update() -> Document {
    doc! { "$inc": { "seq": 1_i64 } }
}

/// The whole document of a newly scheduled action: not leased, no attempts, claimable at its
/// due time.
pub(super) fn action_document(action: &TimedAction) -> Result<Document, StoreError> {
    let kind = bson::to_bson(&action.kind)
        .map_err(|e| StoreError::new(StoreErrorKind::Other, "encoding a timed action", e))?;
    let case =
        action.case.map(i64::try_from).transpose().map_err(|_| {
            StoreError::bare(StoreErrorKind::Other, "storing a case number above 2^63")
        })?;
    let id = id_to_bson(action.id)
        .ok_or_else(|| StoreError::bare(StoreErrorKind::Other, "storing an id above 2^63"))?;
    Ok(doc! {
        "_id": key_id(action.key()),
        "id": id,
        "guild_id": action.guild.to_string(),
        "action": kind,
        "case_id": case,
        "due_at": date(action.due_at),
        "attempts": i64::from(action.attempts),
        "scheduled_at": date(action.scheduled_at),
        "leased_by": Bson::Null,
        "lease_until": Bson::Null,
        "ready_at": date(action.due_at),
    })
}

/// Selects the action with this key.
pub(super) fn key_filter(key: ActionKey) -> Document {
    doc! { "_id": key_id(key) }
}

/// Only the kinds this release knows.
fn known_kinds() -> Document {
    doc! { "$in": ActionKind::NAMES }
}

/// Selects the actions claimable at `now` (sorted by [`claim_sort`]).
pub(super) fn claimable_filter(now: Timestamp) -> Document {
    doc! { "ready_at": { "$lte": date(now) }, "action.kind": known_kinds() }
}

/// Selects every pending action of a known kind (for `next_due`, sorted by [`claim_sort`]).
pub(super) fn known_filter() -> Document {
    doc! { "action.kind": known_kinds() }
}

/// Claim order: when claimable, then id.
pub(super) fn claim_sort() -> Document {
    doc! { "ready_at": 1, "id": 1 }
}

/// Selects the candidates a claim chose that are still claimable at `now`: one another claim
/// took in the meantime has `ready_at` at its lease's end and no longer matches.
pub(super) fn still_claimable_filter(ids: &[i64], now: Timestamp) -> Document {
    doc! { "id": { "$in": ids }, "ready_at": { "$lte": date(now) } }
}

/// Leases what [`still_claimable_filter`] matches to `owner` until `until`, marking it with the
/// claim's own `token` so the claim can tell what it won.
pub(super) fn lease_update(owner: &LeaseOwner, until: Timestamp, token: ObjectId) -> Document {
    doc! {
        "$set": {
            "leased_by": owner.as_str(),
            "lease_until": date(until),
            "ready_at": date(until),
            "lease_token": token,
        },
        "$inc": { "attempts": 1_i64 },
    }
}

/// Selects what the claim marked with `token` (among its candidates, so the `id` index
/// serves it).
pub(super) fn won_filter(ids: &[i64], token: ObjectId) -> Document {
    doc! { "id": { "$in": ids }, "lease_token": token }
}

/// Selects the action `id` if `owner` holds its lease.
pub(super) fn held_filter(id: i64, owner: &LeaseOwner) -> Document {
    doc! { "id": id, "leased_by": owner.as_str() }
}

/// Releases a leased action to be claimed again at `at`.
pub(super) fn retry_update(at: Timestamp) -> Document {
    doc! {
        "$set": {
            "due_at": date(at),
            "ready_at": date(at),
            "leased_by": Bson::Null,
            "lease_until": Bson::Null,
        },
        "$unset": { "lease_token": "" },
    }
}

/// The indexes of `timed_actions`: the id (completing and retrying, and a claim's second and
/// third steps), and the claim order (every claim and `next_due`). The key needs none: it is
/// the `_id`.
pub(super) fn indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "id": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build(),
        IndexModel::builder().keys(claim_sort()).build(),
    ]
}

/// Reads a stored action.
pub(super) fn read_action(doc: &Document) -> Result<TimedAction, ReadError> {
    let time = |key: &str| -> Result<Timestamp, ReadError> {
        let value = read::field(doc, key).ok_or_else(|| ReadError::new(key, "missing"))?;
        read::timestamp(key, value)
    };
    let kind = read::field(doc, "action").ok_or_else(|| ReadError::new("action", "missing"))?;
    let kind: ActionKind = bson::from_bson(read::whole_doubles_as_integers(kind.clone()))
        .map_err(|e| ReadError::new("action", e.to_string()))?;
    let attempts = read::required_u64(doc, "attempts")?;
    Ok(TimedAction {
        id: ActionId(read::required_u64(doc, "id")?),
        guild: read::required_id::<GuildId>(doc, "guild_id")?,
        kind,
        due_at: time("due_at")?,
        attempts: u32::try_from(attempts)
            .map_err(|_| ReadError::new("attempts", format!("{attempts} is too large")))?,
        case: match read::field(doc, "case_id") {
            None => None,
            Some(_) => Some(read::required_u64(doc, "case_id")?),
        },
        scheduled_at: time("scheduled_at")?,
    })
}

#[cfg(test)]
mod tests;
