//! `TimedActionStore` on MongoDB: the `timed_actions` collection.
//!
//! One document per pending action, its `_id` the action's key (`<guild>:<kind>:<subject>`), so
//! a guild holds one pending action per key by construction and re-scheduling is one
//! `replace_one` (upsert). Ids come from the `counters` document `{_id: "timed_actions"}`.
//! Each document carries `ready_at`, when a claim can take it: its due time, or its lease's
//! end while leased; claims and `next_due` walk the `{ready_at: 1, id: 1}` index.
//!
//! Queries per call: `schedule` 2 (the id, the replace), `pending`, `cancel`, `complete`,
//! `retry_later` and `next_due` 1 each, `claim_due` 1 when nothing is due and 3 otherwise,
//! however many it claims (see [`MongoStore::claim_due`]).

use std::collections::HashMap;

use hearth_core::{
    StoreError, StoreErrorKind, Timestamp,
    timed::{
        ActionId, ActionKey, ClaimRequest, Claimed, LeaseOwner, NewTimedAction, TimedAction,
        TimedActionStore,
    },
};
use mongodb::{
    Collection, Database,
    bson::{Document, doc, oid::ObjectId},
    options::{ReadPreference, ReturnDocument, SelectionCriteria},
};

use crate::{
    MongoStore, read,
    read::ReadError,
    store::{driver_error, is_duplicate_key},
};

mod wire;

use self::wire::{
    action_document, claim_sort, claimable_filter, counter_filter, create_counter_update,
    held_filter, id_to_bson, indexes, key_filter, known_filter, lease_update, next_id_update,
    read_action, retry_update, still_claimable_filter, won_filter,
};

/// The collection.
pub(crate) const TIMED_ACTIONS: &str = "timed_actions";

/// How often an upsert that lost a race to a concurrent insert of the same `_id` is tried
/// again (servers since 4.2 retry these themselves).
const UPSERT_RETRIES: u32 = 3;

fn corrupt(context: &'static str) -> impl Fn(ReadError) -> StoreError {
    move |err| StoreError::new(StoreErrorKind::Corrupt, context, err)
}

fn primary() -> SelectionCriteria {
    SelectionCriteria::ReadPreference(ReadPreference::Primary)
}

/// Creates the indexes and the ids counter. Idempotent.
pub(crate) async fn prepare(db: &Database) -> Result<(), StoreError> {
    let context = "creating the timed-action indexes";
    db.collection::<Document>(TIMED_ACTIONS)
        .create_indexes(indexes())
        .await
        .map_err(driver_error(context))?;
    create_counter(db).await
}

/// Creates the ids counter at 0 unless it exists, before any use: an increment that upserts
/// can, on `SecantusDB`, be applied without its caller learning the number (crate README).
async fn create_counter(db: &Database) -> Result<(), StoreError> {
    let counters = db.collection::<Document>(crate::moderation::COUNTERS);
    let mut retries = 0;
    loop {
        match counters
            .update_one(counter_filter(), create_counter_update())
            .upsert(true)
            .await
        {
            Err(err) if is_duplicate_key(&err) && retries < UPSERT_RETRIES => retries += 1,
            outcome => {
                return outcome
                    .map(drop)
                    .map_err(driver_error("creating the timed-action id counter"));
            }
        }
    }
}

impl MongoStore {
    fn timed_collection(&self) -> Collection<Document> {
        self.database().collection(TIMED_ACTIONS)
    }

    /// Takes the next action id from the counter (created again if someone dropped it).
    async fn next_action_id(&self) -> Result<ActionId, StoreError> {
        let context = "taking a timed-action id";
        let counters = self
            .database()
            .collection::<Document>(crate::moderation::COUNTERS);
        for _ in 0..=UPSERT_RETRIES {
            let counter = counters
                .find_one_and_update(counter_filter(), next_id_update())
                .return_document(ReturnDocument::After)
                .await
                .map_err(driver_error(context))?;
            if let Some(counter) = counter {
                return read::required_u64(&counter, "seq")
                    .map(ActionId)
                    .map_err(corrupt(context));
            }
            create_counter(self.database()).await?;
        }
        Err(StoreError::bare(StoreErrorKind::Other, context))
    }
}

impl TimedActionStore for MongoStore {
    /// Takes an id, then one `replace_one({_id: key}, document, upsert)`: the whole document
    /// is replaced, lease and attempts included.
    async fn schedule(&self, action: NewTimedAction) -> Result<TimedAction, StoreError> {
        let context = "scheduling a timed action";
        let stored = TimedAction::new(self.next_action_id().await?, action);
        let document = action_document(&stored)?;
        let filter = key_filter(stored.key());
        let mut retries = 0;
        loop {
            match self
                .timed_collection()
                .replace_one(filter.clone(), document.clone())
                .upsert(true)
                .await
            {
                Err(err) if is_duplicate_key(&err) && retries < UPSERT_RETRIES => retries += 1,
                outcome => {
                    outcome.map_err(driver_error(context))?;
                    return Ok(stored);
                }
            }
        }
    }

    async fn pending(&self, key: ActionKey) -> Result<Option<TimedAction>, StoreError> {
        let context = "reading a timed action";
        self.timed_collection()
            .find_one(key_filter(key))
            .await
            .map_err(driver_error(context))?
            .map(|doc| read_action(&doc).map_err(corrupt(context)))
            .transpose()
    }

    async fn cancel(&self, key: ActionKey) -> Result<bool, StoreError> {
        self.timed_collection()
            .delete_one(key_filter(key))
            .await
            .map(|r| r.deleted_count > 0)
            .map_err(driver_error("cancelling a timed action"))
    }

    /// Three queries, however many actions it claims, correct with any number of processes:
    ///
    /// 1. `find` the first `limit` claimable ids in claim order (`{ready_at, id}` index); none
    ///    ends the claim here;
    /// 2. one `update_many` leasing those that are *still* claimable, each stamped with this
    ///    claim's own token (a fresh `ObjectId`). Every document is updated atomically and the
    ///    filter is checked again as it is written, so a document another claim leased in
    ///    between (its `ready_at` now that lease's end) is skipped;
    /// 3. `find` the candidates carrying the token: what this claim won, returned in the
    ///    order of step 1.
    ///
    /// Reads go to the primary. A claim that lost every candidate to another returns empty
    /// even if more are due; the next poll takes them.
    async fn claim_due(&self, claim: ClaimRequest) -> Result<Vec<Claimed>, StoreError> {
        let context = "claiming due timed actions";
        if claim.limit == 0 {
            return Ok(Vec::new());
        }
        let collection = self.timed_collection();
        let mut cursor = collection
            .find(claimable_filter(claim.now))
            .sort(claim_sort())
            .limit(i64::from(claim.limit))
            .projection(doc! { "id": 1, "_id": 0 })
            .selection_criteria(primary())
            .await
            .map_err(driver_error(context))?;
        let mut candidates = Vec::new();
        while cursor.advance().await.map_err(driver_error(context))? {
            let row = cursor
                .deserialize_current()
                .map_err(driver_error(context))?;
            let id = read::required_u64(&row, "id").map_err(corrupt(context))?;
            candidates.push(i64::try_from(id).map_err(|_| {
                StoreError::bare(StoreErrorKind::Corrupt, "reading a timed action's id")
            })?);
        }
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let token = ObjectId::new();
        let lease_until = claim.lease_until();
        collection
            .update_many(
                still_claimable_filter(&candidates, claim.now),
                lease_update(&claim.owner, lease_until, token),
            )
            .await
            .map_err(driver_error(context))?;
        let order: HashMap<i64, usize> = candidates
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect();
        let mut won = Vec::new();
        let mut cursor = collection
            .find(won_filter(&candidates, token))
            .selection_criteria(primary())
            .await
            .map_err(driver_error(context))?;
        while cursor.advance().await.map_err(driver_error(context))? {
            let doc = cursor
                .deserialize_current()
                .map_err(driver_error(context))?;
            let action = read_action(&doc).map_err(corrupt(context))?;
            let position = id_to_bson(action.id).and_then(|id| order.get(&id).copied());
            won.push((position, action));
        }
        won.sort_by_key(|(position, _)| *position);
        Ok(won
            .into_iter()
            .map(|(_, action)| Claimed {
                action,
                lease_until,
            })
            .collect())
    }

    async fn complete(&self, id: ActionId, owner: &LeaseOwner) -> Result<bool, StoreError> {
        let Some(id) = id_to_bson(id) else {
            return Ok(false);
        };
        self.timed_collection()
            .delete_one(held_filter(id, owner))
            .await
            .map(|r| r.deleted_count > 0)
            .map_err(driver_error("completing a timed action"))
    }

    async fn retry_later(
        &self,
        id: ActionId,
        owner: &LeaseOwner,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let Some(id) = id_to_bson(id) else {
            return Ok(false);
        };
        self.timed_collection()
            .update_one(held_filter(id, owner), retry_update(at))
            .await
            .map(|r| r.matched_count > 0)
            .map_err(driver_error("releasing a timed action for a retry"))
    }

    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        let context = "reading the next due timed action";
        let Some(doc) = self
            .timed_collection()
            .find_one(known_filter())
            .sort(claim_sort())
            .projection(doc! { "ready_at": 1, "_id": 0 })
            .await
            .map_err(driver_error(context))?
        else {
            return Ok(None);
        };
        let value = read::field(&doc, "ready_at")
            .ok_or_else(|| ReadError::new("ready_at", "missing"))
            .and_then(|v| read::timestamp("ready_at", v))
            .map_err(corrupt(context))?;
        Ok(Some(value))
    }
}

#[cfg(test)]
mod server;
