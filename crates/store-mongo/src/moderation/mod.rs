//! The moderation stores: the seed's `warnings` collection, per-guild case counters and
//! `moderation_settings`.
//!
//! Every filter, update, pipeline and index is a small pure function returning a `Document`
//! (in `wire`, tested there without a server); the trait methods only send them and read the
//! answers.
//!
//! Warnings are one document per (guild, member), exactly as the earlier bot wrote them, so a
//! member's list comes back in one read of one document. The listing order (newest first, then
//! the higher case) is applied in Rust after that read: the array is a single member's warnings
//! (tens at most), and sorting array elements on the server needs an aggregation with
//! `$sortArray` (MongoDB 5.2+), which would buy nothing.

use hearth_core::{GuildId, StoreError, StoreErrorKind, UserId};
use hearth_moderation::{
    AddedWarning, CaseNumber, ModerationSettings, ModerationSettingsStore, NewWarning, RequestId,
    SettingsChange, Warning, WarningList, WarningStore, sort_newest_first,
};
use mongodb::{
    Collection, Database,
    bson::{Bson, Document},
    options::{ReadPreference, ReturnDocument, SelectionCriteria},
};

use crate::{
    MongoStore, read,
    store::{convert_numeric_ids, driver_error, is_duplicate_key, is_type_mismatch},
};

/// The seed's collection: one document per (guild, member) holding that member's warnings.
pub(crate) const WARNINGS: &str = "warnings";
/// Sequence counters, one document per (purpose, guild): `{_id: "cases:<guild>", guild_id, seq}`.
pub(crate) const COUNTERS: &str = "counters";
/// One document per guild: `{guild_id, mod_log_channel_id, escalation}`.
pub(crate) const SETTINGS: &str = "moderation_settings";

/// How often an upsert that lost a race to a concurrent insert of the same key (duplicate-key
/// error) is tried again. Servers since 4.2 retry such upserts themselves; this covers older
/// ones and sharded clusters.
const UPSERT_RETRIES: u32 = 3;

/// Runs an upsert, trying again when a concurrent upsert inserted the same key first.
macro_rules! retrying_upsert {
    ($operation:expr) => {{
        let mut retries = 0;
        loop {
            match $operation.await {
                Err(err) if is_duplicate_key(&err) && retries < UPSERT_RETRIES => retries += 1,
                outcome => break outcome,
            }
        }
    }};
}

pub(crate) mod cases;
pub(crate) mod lockdowns;
mod wire;

use self::wire::{
    add_warning_update, added_through, case_counter_filter, corrupt, count_entries,
    create_case_counter_update, element_at_filter, entry_has_id, guild_filter,
    legacy_cases_pipeline, member_case_filter, member_filter, member_ids,
    member_with_bad_total_filter, member_without_request_filter, next_case_update,
    raise_case_counter_update, read_entry, read_settings, read_warnings, remove_element_update,
    request_filter, set_total_update, settings_indexes, settings_update, user_filter,
    warnings_indexes,
};

/// How often removing a warning is tried again when its document changed between the read
/// that found the element and the write that removes it (see `remove_warning`).
const REMOVE_RETRIES: u32 = 8;

// ---------------------------------------------------------------------------------------------
// Start-up and the trait implementations.

/// Creates the moderation indexes and raises case counters above warnings the earlier bot
/// numbered itself. Idempotent.
pub(crate) async fn prepare(db: &Database) -> Result<(), StoreError> {
    let context = "creating the moderation indexes";
    db.collection::<Document>(WARNINGS)
        .create_indexes(warnings_indexes())
        .await
        .map_err(driver_error(context))?;
    db.collection::<Document>(SETTINGS)
        .create_indexes(settings_indexes())
        .await
        .map_err(driver_error(context))?;
    cases::prepare(db).await?;
    lockdowns::prepare(db).await?;
    adopt_legacy_case_numbers(db).await
}

/// The earlier bot numbered warnings itself, so a guild switching to Hearth has ids its case
/// counter has never seen. Raising each counter to the highest stored id keeps new case numbers
/// from colliding with old ones (`remove_warning` pulls by id). Once counters are ahead, the
/// pipeline returns nothing and this costs one aggregation over `warnings`.
async fn adopt_legacy_case_numbers(db: &Database) -> Result<(), StoreError> {
    let context = "adopting the case numbers of existing warnings";
    let counters = db.collection::<Document>(COUNTERS);
    let mut cursor = db
        .collection::<Document>(WARNINGS)
        .aggregate(legacy_cases_pipeline())
        .await
        .map_err(driver_error(context))?;
    while cursor.advance().await.map_err(driver_error(context))? {
        let row = cursor
            .deserialize_current()
            .map_err(driver_error(context))?;
        // A document whose guild id is unreadable has no counter to raise; reading it later
        // reports it as corrupt.
        let Ok(guild) = read::required_id::<GuildId>(&row, "_id") else {
            continue;
        };
        let Some(Ok(max_case)) =
            read::field(&row, "max_case").map(|v| read::integer("max_case", v))
        else {
            continue;
        };
        retrying_upsert!(
            counters
                .update_one(
                    case_counter_filter(guild),
                    raise_case_counter_update(guild, max_case)
                )
                .upsert(true)
        )
        .map_err(driver_error(context))?;
    }
    Ok(())
}

impl MongoStore {
    /// Stores the member's document ids as strings when the earlier bot wrote them as numbers
    /// (see [`convert_numeric_ids`]), before a warning is added: the add's upsert (by string
    /// ids) then finds the member's document instead of creating a second one.
    async fn convert_numeric_ids(&self, guild: GuildId, user: UserId) -> Result<(), StoreError> {
        convert_numeric_ids(
            &self.warnings_collection(),
            &member_ids(guild, user),
            "converting a member's numeric ids",
        )
        .await
    }

    /// Sets a member's `total_warnings` from the array's length when it is not a number.
    async fn repair_total(&self, guild: GuildId, user: UserId) -> Result<(), StoreError> {
        let context = "repairing a warning count";
        let Some(doc) = self
            .warnings_collection()
            .find_one(member_filter(guild, user))
            .await
            .map_err(driver_error(context))?
        else {
            return Ok(());
        };
        let count = i32::try_from(count_entries(&doc)).unwrap_or(i32::MAX);
        self.warnings_collection()
            .update_one(
                member_with_bad_total_filter(guild, user),
                set_total_update(count),
            )
            .await
            .map_err(driver_error(context))?;
        Ok(())
    }

    fn warnings_collection(&self) -> Collection<Document> {
        self.database().collection(WARNINGS)
    }

    fn settings_collection(&self) -> Collection<Document> {
        self.database().collection(SETTINGS)
    }

    /// Takes the guild's next case number from its counter, atomically.
    ///
    /// The counter is created (at 0, idempotently) before its first use rather than by the
    /// increment's own upsert: `SecantusDB` sometimes answers a `find_one_and_update` whose
    /// upsert raced others creating the same document with no document although the
    /// increment was applied, and a case number would be taken without anyone knowing which.
    /// On an existing document that never happens, and on mongod both orders are correct; the
    /// cost is one more round trip on a guild's first case only.
    async fn next_case(&self, guild: GuildId) -> Result<CaseNumber, StoreError> {
        let context = "taking the next case number";
        let counters = self.database().collection::<Document>(COUNTERS);
        for _ in 0..=UPSERT_RETRIES {
            let counter = counters
                .find_one_and_update(case_counter_filter(guild), next_case_update())
                .return_document(ReturnDocument::After)
                .await
                .map_err(driver_error(context))?;
            if let Some(counter) = counter {
                return read::required_u64(&counter, "seq")
                    .map(CaseNumber)
                    .map_err(corrupt(context));
            }
            retrying_upsert!(
                counters
                    .update_one(
                        case_counter_filter(guild),
                        create_case_counter_update(guild)
                    )
                    .upsert(true)
            )
            .map_err(driver_error(context))?;
        }
        Err(StoreError::new(
            StoreErrorKind::Other,
            context,
            "the case counter was created but could not be incremented",
        ))
    }

    /// The warning the guild holds for `request`, with its member's history as of its insert,
    /// read from the primary (a secondary might not have it yet).
    async fn find_request(
        &self,
        guild: GuildId,
        request: RequestId,
    ) -> Result<Option<AddedWarning>, StoreError> {
        let context = "looking for a replayed request";
        let doc = self
            .warnings_collection()
            .find_one(request_filter(guild, request))
            .selection_criteria(SelectionCriteria::ReadPreference(ReadPreference::Primary))
            .await
            .map_err(driver_error(context))?;
        doc.map(|doc| added_through(&doc, request, true))
            .transpose()
            .map(Option::flatten)
            .map_err(corrupt(context))
    }
}

impl WarningStore for MongoStore {
    /// 1. Looks for the request (a replay returns before taking a case number);
    /// 2. takes the case number from the guild's counter;
    /// 3. one `find_one_and_update` on the member's document, unless it already holds the
    ///    request: `$push` the warning and `$inc` the count, upsert, return the document
    ///    after — the history as of this insert, from the write's own result.
    ///
    /// If step 3 fails, the case number stays unused (a gap: numbers are never reused). When
    /// the request raced its original past step 1 (a retry and its original in flight at
    /// once), step 3 finds it and returns the original as a replay; that replay's case number
    /// is the gap.
    async fn add_warning(&self, warning: NewWarning) -> Result<AddedWarning, StoreError> {
        let context = "adding a warning";
        let (guild, user, request) = (warning.guild, warning.user, warning.request);
        if let Some(replay) = self.find_request(guild, request).await? {
            return Ok(replay);
        }
        self.convert_numeric_ids(guild, user).await?;
        let case = self.next_case(guild).await?;
        let update = add_warning_update(&warning.with_case(case), request)?;
        let mut retries = 0;
        loop {
            let result = self
                .warnings_collection()
                .find_one_and_update(
                    member_without_request_filter(guild, user, request),
                    update.clone(),
                )
                .upsert(true)
                .return_document(ReturnDocument::After)
                .await;
            let doc = match result {
                Ok(Some(doc)) => doc,
                // A concurrent upsert created the member's document first, or the document
                // already holds the request (a replay that raced its original): either way
                // nothing was written. Which one, only the document can say.
                Err(err) if is_duplicate_key(&err) => {
                    if let Some(original) = self.find_request(guild, request).await? {
                        return Ok(original);
                    }
                    if retries == UPSERT_RETRIES {
                        return Err(driver_error(context)(err));
                    }
                    retries += 1;
                    continue;
                }
                // The earlier bot left a `total_warnings` that is not a number ("3", or
                // garbage): `$inc` refuses it. The array is the truth, so the count is set
                // from it and the warning tried again.
                Err(err) if is_type_mismatch(&err) && retries < UPSERT_RETRIES => {
                    self.repair_total(guild, user).await?;
                    retries += 1;
                    continue;
                }
                Err(err) => return Err(driver_error(context)(err)),
                // mongod always returns the document after an upsert. `SecantusDB` sometimes
                // does not when concurrent upserts create the member's document, though the
                // push was applied (crate README): the request key finds it.
                Ok(None) => {
                    let found = self.find_request(guild, request).await?;
                    return found
                        .map(|mut added| {
                            added.replayed = added.warning.case != case;
                            added
                        })
                        .ok_or_else(|| {
                            StoreError::new(
                                StoreErrorKind::Other,
                                context,
                                "the server acknowledged the warning but it is not stored",
                            )
                        });
                }
            };
            return added_through(&doc, request, false)
                .map_err(corrupt(context))?
                .ok_or_else(|| {
                    StoreError::new(
                        StoreErrorKind::Other,
                        context,
                        "the document returned after the push lacks the warning",
                    )
                });
        }
    }

    async fn warnings(&self, guild: GuildId, user: UserId) -> Result<WarningList, StoreError> {
        let context = "listing warnings";
        let Some(doc) = self
            .warnings_collection()
            .find_one(member_filter(guild, user))
            .await
            .map_err(driver_error(context))?
        else {
            return Ok(WarningList::default());
        };
        let mut list = read_warnings(&doc, guild, user).map_err(corrupt(context))?;
        sort_newest_first(&mut list.warnings);
        Ok(list)
    }

    async fn remove_warning(
        &self,
        guild: GuildId,
        user: UserId,
        case: CaseNumber,
    ) -> Result<Option<Warning>, StoreError> {
        let context = "removing a warning";
        let Ok(id) = i64::try_from(case.0) else {
            return Ok(None);
        };
        for _ in 0..=REMOVE_RETRIES {
            let Some(doc) = self
                .warnings_collection()
                .find_one(member_case_filter(guild, user, id))
                .selection_criteria(SelectionCriteria::ReadPreference(ReadPreference::Primary))
                .await
                .map_err(driver_error(context))?
            else {
                return Ok(None);
            };
            // The first readable element with that id: legacy documents can hold several
            // elements sharing an id (or an unreadable one), and exactly one is removed.
            let Some(Bson::Array(entries)) = read::field(&doc, "warnings") else {
                return Ok(None);
            };
            let Some((index, entry, warning)) =
                entries.iter().enumerate().find_map(|(index, entry)| {
                    let warning = read_entry(guild, user, entry).ok()?;
                    entry_has_id(entry, id).then_some((index, entry, warning))
                })
            else {
                return Ok(None);
            };
            let id_field = doc.get("_id").cloned().unwrap_or(Bson::Null);
            // Compare and remove in one atomic update: only while that position still holds
            // exactly that element. A concurrent push leaves it in place; a concurrent removal
            // before it moves it, the update matches nothing and the document is read again.
            let result = self
                .warnings_collection()
                .update_one(
                    element_at_filter(&id_field, index, entry),
                    remove_element_update(index),
                )
                .await
                .map_err(driver_error(context))?;
            if result.matched_count == 1 {
                return Ok(Some(warning));
            }
        }
        Err(StoreError::new(
            StoreErrorKind::Unavailable,
            context,
            "the member's warnings kept changing; try again",
        ))
    }

    async fn clear_warnings(&self, guild: GuildId, user: UserId) -> Result<u64, StoreError> {
        let removed = self
            .warnings_collection()
            .find_one_and_delete(member_filter(guild, user))
            .await
            .map_err(driver_error("clearing warnings"))?;
        Ok(removed.as_ref().map_or(0, count_entries))
    }

    /// Deletes the member's documents one at a time with `find_one_and_delete`, so the count is
    /// exactly what was deleted even while warnings are being added.
    async fn delete_user_data(&self, user: UserId) -> Result<u64, StoreError> {
        let collection = self.warnings_collection();
        let mut removed = 0;
        while let Some(doc) = collection
            .find_one_and_delete(user_filter(user))
            .await
            .map_err(driver_error("deleting a user's warnings"))?
        {
            removed += count_entries(&doc);
        }
        Ok(removed)
    }
}

impl ModerationSettingsStore for MongoStore {
    async fn moderation_settings(
        &self,
        guild: GuildId,
    ) -> Result<Option<ModerationSettings>, StoreError> {
        let context = "reading moderation settings";
        self.settings_collection()
            .find_one(guild_filter(guild))
            .await
            .map_err(driver_error(context))?
            .map(|doc| read_settings(&doc).map_err(corrupt(context)))
            .transpose()
    }

    async fn update_moderation_settings(
        &self,
        guild: GuildId,
        change: &SettingsChange,
    ) -> Result<ModerationSettings, StoreError> {
        let context = "saving moderation settings";
        let update = settings_update(change)?;
        let after = retrying_upsert!(
            self.settings_collection()
                .find_one_and_update(guild_filter(guild), update.clone())
                .upsert(true)
                .return_document(ReturnDocument::After)
        )
        .map_err(driver_error(context))?;
        let after = match after {
            Some(doc) => doc,
            // The update was applied but the reply came without the document (SecantusDB
            // does this under concurrent upserts, see the README); read it back.
            None => self
                .settings_collection()
                .find_one(guild_filter(guild))
                .await
                .map_err(driver_error(context))?
                .ok_or_else(|| StoreError::bare(StoreErrorKind::Unavailable, context))?,
        };
        read_settings(&after).map_err(corrupt(context))
    }
}

#[cfg(test)]
pub(crate) mod server;
