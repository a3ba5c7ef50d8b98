//! The moderation stores: the seed's `warnings` collection, per-guild case counters and
//! `moderation_settings`.
//!
//! Every filter, update, pipeline and index is a small pure function returning a `Document`
//! (tested below without a server); the trait methods only send them and read the answers.
//!
//! Warnings are one document per (guild, member), exactly as the earlier bot wrote them, so a
//! member's list comes back in one read of one document. The listing order (newest first, then
//! the higher case) is applied in Rust after that read: the array is a single member's warnings
//! (tens at most), and sorting array elements on the server needs an aggregation with
//! `$sortArray` (MongoDB 5.2+), which would buy nothing.

use hearth_core::{ChannelId, GuildId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_moderation::{
    CaseNumber, EscalationPolicy, ModerationSettings, ModerationSettingsStore, NewWarning, Warning,
    WarningStore, sort_newest_first,
};
use mongodb::{
    Collection, Database, IndexModel,
    bson::{self, Bson, DateTime, Document, doc},
    options::{IndexOptions, ReturnDocument},
};

use crate::{
    MongoStore,
    read::{self, ReadError},
    store::{driver_error, is_duplicate_key},
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

// ---------------------------------------------------------------------------------------------
// Filters, updates, pipelines and indexes.

/// The `_id` of a guild's case counter. Warnings take case numbers from it, and so will the
/// other mod-log cases (kicks, bans, timeouts), so a guild's cases share one sequence.
fn case_counter_id(guild: GuildId) -> String {
    format!("cases:{guild}")
}

/// Selects a guild's case counter.
fn case_counter_filter(guild: GuildId) -> Document {
    doc! { "_id": case_counter_id(guild) }
}

/// Takes the next case number: sent with upsert and `ReturnDocument::After`, so the first call
/// for a guild creates the counter at 1.
fn next_case_update(guild: GuildId) -> Document {
    doc! {
        "$inc": { "seq": 1_i64 },
        "$setOnInsert": { "guild_id": guild.to_string() },
    }
}

/// Raises a guild's case counter to at least `max_case` (never lowers it).
fn raise_case_counter_update(guild: GuildId, max_case: i64) -> Document {
    doc! {
        "$max": { "seq": max_case },
        "$setOnInsert": { "guild_id": guild.to_string() },
    }
}

/// Selects one member's warnings document in one guild.
fn member_filter(guild: GuildId, user: UserId) -> Document {
    doc! { "guild_id": guild.to_string(), "user_id": user.to_string() }
}

/// Selects a member's document only if it holds the warning `case`. MongoDB compares numbers
/// by value, so this also matches ids the earlier bot stored as Int32 or Double.
fn member_case_filter(guild: GuildId, user: UserId, case: i64) -> Document {
    doc! {
        "guild_id": guild.to_string(),
        "user_id": user.to_string(),
        "warnings.id": case,
    }
}

/// Selects every warnings document of a member, in every guild.
fn user_filter(user: UserId) -> Document {
    doc! { "user_id": user.to_string() }
}

/// Selects a guild's settings document.
fn guild_filter(guild: GuildId) -> Document {
    doc! { "guild_id": guild.to_string() }
}

/// Appends a warning to its member's document (sent with upsert, which creates the document
/// with `guild_id` and `user_id` from [`member_filter`]).
fn add_warning_update(warning: &Warning) -> Result<Document, StoreError> {
    Ok(doc! {
        "$push": { "warnings": warning_entry(warning)? },
        "$inc": { "total_warnings": 1_i32 },
    })
}

/// Removes the warning `case` from a document selected by [`member_case_filter`]; the count
/// goes down only because that filter guarantees the warning was there.
fn remove_warning_update(case: i64) -> Document {
    doc! {
        "$pull": { "warnings": { "id": case } },
        "$inc": { "total_warnings": -1_i32 },
    }
}

/// The indexes of the `warnings` collection: one document per (guild, member), found by both;
/// and every document of a member, for data-deletion requests.
fn warnings_indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "user_id": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build(),
        IndexModel::builder().keys(doc! { "user_id": 1 }).build(),
    ]
}

/// The index of `moderation_settings`: one document per guild.
fn settings_indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "guild_id": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build(),
    ]
}

/// Finds the guilds whose stored warnings carry ids above their case counter (or that have no
/// counter yet): warnings the earlier bot numbered itself. Yields `{_id: <guild_id>, max_case}`.
///
/// Runs on MongoDB 4.0 and later (`$convert`, `$lookup` with local/foreign fields).
fn legacy_cases_pipeline() -> Vec<Document> {
    vec![
        doc! { "$unwind": "$warnings" },
        doc! { "$group": {
            "_id": "$guild_id",
            "max_case": { "$max": { "$convert": {
                "input": "$warnings.id", "to": "long", "onError": 0_i64, "onNull": 0_i64,
            } } },
        } },
        doc! { "$addFields": {
            "counter_id": { "$concat": ["cases:", { "$toString": "$_id" }] },
        } },
        doc! { "$lookup": {
            "from": COUNTERS, "localField": "counter_id", "foreignField": "_id", "as": "counter",
        } },
        doc! { "$match": { "$expr": { "$gt": [
            "$max_case",
            { "$ifNull": [{ "$arrayElemAt": ["$counter.seq", 0] }, 0_i64] },
        ] } } },
        doc! { "$project": { "max_case": 1 } },
    ]
}

// ---------------------------------------------------------------------------------------------
// Documents.

/// A warning as an element of the `warnings` array, in the seed's shape.
fn warning_entry(warning: &Warning) -> Result<Document, StoreError> {
    Ok(doc! {
        "id": case_to_bson(warning.case)?,
        "reason": &warning.reason,
        "moderator_id": warning.moderator.to_string(),
        "timestamp": DateTime::from_millis(warning.created_at.unix_millis()),
    })
}

/// A case number as stored (Int64). Numbers from our counter always fit.
fn case_to_bson(case: CaseNumber) -> Result<i64, StoreError> {
    i64::try_from(case.0)
        .map_err(|_| StoreError::bare(StoreErrorKind::Other, "storing a case number above 2^63"))
}

/// A guild's settings document.
fn settings_document(
    guild: GuildId,
    settings: &ModerationSettings,
) -> Result<Document, StoreError> {
    let escalation = bson::to_bson(&settings.escalation)
        .map_err(|e| StoreError::new(StoreErrorKind::Other, "encoding an escalation policy", e))?;
    Ok(doc! {
        "guild_id": guild.to_string(),
        "mod_log_channel_id": settings.mod_log_channel.map(|c| c.to_string()),
        "escalation": escalation,
    })
}

/// Reads a member's warnings document (any order).
///
/// Missing `warnings` reads as none; `total_warnings` is not read at all (the array is the
/// truth; the count is kept up to date only for other readers of the collection). Each element
/// is read by [`read_entry`].
fn read_warnings(doc: &Document) -> Result<Vec<Warning>, ReadError> {
    let guild: GuildId = read::required_id(doc, "guild_id")?;
    let user: UserId = read::required_id(doc, "user_id")?;
    let Some(value) = read::field(doc, "warnings") else {
        return Ok(Vec::new());
    };
    let Bson::Array(entries) = value else {
        return Err(ReadError::new("warnings", "expected an array"));
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            read_entry(guild, user, entry).map_err(|e| e.within(&format!("warnings.{i}")))
        })
        .collect()
}

/// Reads one element of the `warnings` array.
///
/// `id` and `moderator_id` are required (a warning without them cannot be named or
/// attributed); a missing or `null` `reason` reads as an empty string, and a missing
/// `timestamp` as the Unix epoch (so it lists last and never counts towards an escalation
/// window).
fn read_entry(guild: GuildId, user: UserId, entry: &Bson) -> Result<Warning, ReadError> {
    let Bson::Document(entry) = entry else {
        return Err(ReadError::new("", "expected a document"));
    };
    Ok(Warning {
        case: CaseNumber(read::required_u64(entry, "id")?),
        guild,
        user,
        moderator: read::required_id(entry, "moderator_id")?,
        reason: read::optional_string(entry, "reason")?.unwrap_or_default(),
        created_at: match read::field(entry, "timestamp") {
            Some(value) => read::timestamp("timestamp", value)?,
            None => Timestamp::UNIX_EPOCH,
        },
    })
}

/// How many warnings a document holds, whatever they look like.
fn count_entries(doc: &Document) -> u64 {
    match read::field(doc, "warnings") {
        Some(Bson::Array(entries)) => entries.len() as u64,
        _ => 0,
    }
}

/// Reads a guild's settings document; a missing `mod_log_channel_id` is no channel and a
/// missing `escalation` the default policy, as for a guild that never saved settings.
fn read_settings(doc: &Document) -> Result<ModerationSettings, ReadError> {
    let escalation = match read::field(doc, "escalation") {
        Some(value) => {
            bson::from_bson::<EscalationPolicy>(read::whole_doubles_as_integers(value.clone()))
                .map_err(|e| ReadError::new("escalation", e.to_string()))?
        }
        None => EscalationPolicy::default(),
    };
    Ok(ModerationSettings {
        mod_log_channel: read::optional_id::<ChannelId>(doc, "mod_log_channel_id")?,
        escalation,
    })
}

fn corrupt(context: &'static str) -> impl Fn(ReadError) -> StoreError {
    move |err| StoreError::new(StoreErrorKind::Corrupt, context, err)
}

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
    fn warnings_collection(&self) -> Collection<Document> {
        self.database().collection(WARNINGS)
    }

    fn settings_collection(&self) -> Collection<Document> {
        self.database().collection(SETTINGS)
    }

    /// Takes the guild's next case number from its counter, atomically.
    async fn next_case(&self, guild: GuildId) -> Result<CaseNumber, StoreError> {
        let context = "taking the next case number";
        let counter = retrying_upsert!(
            self.database()
                .collection::<Document>(COUNTERS)
                .find_one_and_update(case_counter_filter(guild), next_case_update(guild))
                .upsert(true)
                .return_document(ReturnDocument::After)
        )
        .map_err(driver_error(context))?
        .ok_or_else(|| StoreError::bare(StoreErrorKind::Other, context))?;
        read::required_u64(&counter, "seq")
            .map(CaseNumber)
            .map_err(corrupt(context))
    }
}

impl WarningStore for MongoStore {
    /// Takes the case number first, then appends the warning; if the second step fails, that
    /// number stays unused (case numbers are never reused, so a gap is the only effect).
    async fn add_warning(&self, warning: NewWarning) -> Result<Warning, StoreError> {
        let case = self.next_case(warning.guild).await?;
        let stored = warning.with_case(case);
        let update = add_warning_update(&stored)?;
        retrying_upsert!(
            self.warnings_collection()
                .update_one(member_filter(stored.guild, stored.user), update.clone())
                .upsert(true)
        )
        .map_err(driver_error("adding a warning"))?;
        Ok(stored)
    }

    async fn warnings(&self, guild: GuildId, user: UserId) -> Result<Vec<Warning>, StoreError> {
        let context = "listing warnings";
        let Some(doc) = self
            .warnings_collection()
            .find_one(member_filter(guild, user))
            .await
            .map_err(driver_error(context))?
        else {
            return Ok(Vec::new());
        };
        let mut list = read_warnings(&doc).map_err(corrupt(context))?;
        sort_newest_first(&mut list);
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
        let Some(before) = self
            .warnings_collection()
            .find_one_and_update(
                member_case_filter(guild, user, id),
                remove_warning_update(id),
            )
            .return_document(ReturnDocument::Before)
            .await
            .map_err(driver_error(context))?
        else {
            return Ok(None);
        };
        // Read only the removed element: another unreadable element must not turn a removal
        // that happened into an error.
        let Some(Bson::Array(entries)) = read::field(&before, "warnings") else {
            return Ok(None);
        };
        let removed = entries.iter().find(|entry| {
            matches!(entry, Bson::Document(e)
                if read::field(e, "id").and_then(|v| read::integer("id", v).ok()) == Some(id))
        });
        removed
            .map(|entry| read_entry(guild, user, entry).map_err(corrupt(context)))
            .transpose()
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

    async fn set_moderation_settings(
        &self,
        guild: GuildId,
        settings: &ModerationSettings,
    ) -> Result<(), StoreError> {
        let replacement = settings_document(guild, settings)?;
        retrying_upsert!(
            self.settings_collection()
                .replace_one(guild_filter(guild), replacement.clone())
                .upsert(true)
        )
        .map_err(driver_error("saving moderation settings"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hearth_moderation::{EscalationStep, Punishment, Reason};
    use mongodb::bson::oid::ObjectId;

    use super::*;

    const GUILD: GuildId = GuildId::new(111_111_111_111_111_111);
    const USER: UserId = UserId::new(222_222_222_222_222_222);
    const MODERATOR: UserId = UserId::new(333_333_333_333_333_333);
    /// 2024-01-15T10:30:00Z.
    const AT_MILLIS: i64 = 1_705_314_600_000;

    fn warning(case: u64, reason: &str, millis: i64) -> Warning {
        NewWarning {
            guild: GUILD,
            user: USER,
            moderator: MODERATOR,
            reason: Reason::parse(reason).unwrap(),
            created_at: Timestamp::from_unix_millis(millis),
        }
        .with_case(CaseNumber(case))
    }

    fn index_document(model: &IndexModel) -> Document {
        bson::to_document(model).unwrap()
    }

    #[test]
    fn case_counter_is_one_document_per_guild() {
        assert_eq!(
            case_counter_filter(GUILD),
            doc! { "_id": "cases:111111111111111111" }
        );
        assert_eq!(
            next_case_update(GUILD),
            doc! {
                "$inc": { "seq": 1_i64 },
                "$setOnInsert": { "guild_id": "111111111111111111" },
            }
        );
        assert_eq!(
            raise_case_counter_update(GUILD, 41),
            doc! {
                "$max": { "seq": 41_i64 },
                "$setOnInsert": { "guild_id": "111111111111111111" },
            }
        );
    }

    #[test]
    fn member_filters_use_string_ids() {
        assert_eq!(
            member_filter(GUILD, USER),
            doc! { "guild_id": "111111111111111111", "user_id": "222222222222222222" }
        );
        assert_eq!(
            member_case_filter(GUILD, USER, 7),
            doc! {
                "guild_id": "111111111111111111",
                "user_id": "222222222222222222",
                "warnings.id": 7_i64,
            }
        );
        assert_eq!(user_filter(USER), doc! { "user_id": "222222222222222222" });
        assert_eq!(
            guild_filter(GUILD),
            doc! { "guild_id": "111111111111111111" }
        );
    }

    #[test]
    fn warning_entry_has_the_seed_shape() {
        let entry = warning_entry(&warning(3, "spamming", AT_MILLIS)).unwrap();
        assert_eq!(
            entry,
            doc! {
                "id": 3_i64,
                "reason": "spamming",
                "moderator_id": "333333333333333333",
                "timestamp": DateTime::from_millis(AT_MILLIS),
            }
        );
        let too_big = warning(u64::MAX, "x", 0);
        assert!(warning_entry(&too_big).is_err());
    }

    #[test]
    fn adding_pushes_the_entry_and_counts_it() {
        let w = warning(3, "spamming", AT_MILLIS);
        assert_eq!(
            add_warning_update(&w).unwrap(),
            doc! {
                "$push": { "warnings": warning_entry(&w).unwrap() },
                "$inc": { "total_warnings": 1_i32 },
            }
        );
    }

    #[test]
    fn removing_pulls_by_id_and_uncounts_it() {
        assert_eq!(
            remove_warning_update(7),
            doc! {
                "$pull": { "warnings": { "id": 7_i64 } },
                "$inc": { "total_warnings": -1_i32 },
            }
        );
    }

    #[test]
    fn indexes_are_unique_per_member_and_guild_plus_one_per_user() {
        let warnings: Vec<Document> = warnings_indexes().iter().map(index_document).collect();
        assert_eq!(
            warnings,
            [
                doc! { "key": { "guild_id": 1, "user_id": 1 }, "unique": true },
                doc! { "key": { "user_id": 1 } },
            ]
        );
        let settings: Vec<Document> = settings_indexes().iter().map(index_document).collect();
        assert_eq!(
            settings,
            [doc! { "key": { "guild_id": 1 }, "unique": true }]
        );
    }

    #[test]
    fn legacy_case_pipeline_finds_ids_above_the_counter() {
        let pipeline = legacy_cases_pipeline();
        assert_eq!(pipeline.len(), 6);
        assert_eq!(pipeline[0], doc! { "$unwind": "$warnings" });
        assert_eq!(
            pipeline[1],
            doc! { "$group": {
                "_id": "$guild_id",
                "max_case": { "$max": { "$convert": {
                    "input": "$warnings.id", "to": "long", "onError": 0_i64, "onNull": 0_i64,
                } } },
            } }
        );
        assert_eq!(
            pipeline[2],
            doc! { "$addFields": { "counter_id": { "$concat": ["cases:", { "$toString": "$_id" }] } } }
        );
        assert_eq!(
            pipeline[3],
            doc! { "$lookup": {
                "from": "counters", "localField": "counter_id", "foreignField": "_id", "as": "counter",
            } }
        );
        assert_eq!(
            pipeline[4],
            doc! { "$match": { "$expr": { "$gt": [
                "$max_case",
                { "$ifNull": [{ "$arrayElemAt": ["$counter.seq", 0] }, 0_i64] },
            ] } } }
        );
        assert_eq!(pipeline[5], doc! { "$project": { "max_case": 1 } });
        // The counter id built on the server must equal the one the store uses.
        assert_eq!(case_counter_id(GUILD), format!("cases:{}", GUILD.get()));
    }

    /// The member's document as the upsert of `add_warning` leaves it after two warnings.
    fn stored_document(warnings: &[Warning]) -> Document {
        let entries: Vec<Document> = warnings.iter().map(|w| warning_entry(w).unwrap()).collect();
        doc! {
            "_id": ObjectId::new(),
            "guild_id": GUILD.to_string(),
            "user_id": USER.to_string(),
            "warnings": entries,
            "total_warnings": i32::try_from(warnings.len()).unwrap(),
        }
    }

    #[test]
    fn written_warnings_read_back_equal() {
        let list = [
            warning(1, "first", AT_MILLIS),
            warning(2, "Ωж😀 second", AT_MILLIS + 1),
        ];
        assert_eq!(read_warnings(&stored_document(&list)).unwrap(), list);
        assert_eq!(count_entries(&stored_document(&list)), 2);
    }

    #[test]
    fn seed_documents_with_int32_ids_double_counts_and_iso_times_read() {
        // As pymongo wrote them: Python ints as Int32, a float count, datetimes as BSON dates or
        // isoformat() strings, seconds from time.time().
        let doc = doc! {
            "_id": ObjectId::new(),
            "user_id": "222222222222222222",
            "guild_id": "111111111111111111",
            "warnings": [
                { "id": 1_i32, "reason": "spam", "moderator_id": "333333333333333333",
                  "timestamp": DateTime::from_millis(AT_MILLIS) },
                { "id": 2.0, "reason": "caps", "moderator_id": "333333333333333333",
                  "timestamp": "2024-01-15T10:30:00.500000" },
                { "id": 3_i64, "reason": "links", "moderator_id": 333_333_333_333_333_333_i64,
                  "timestamp": 1_705_314_601.0 },
            ],
            "total_warnings": 3.0,
        };
        let mut expected = vec![
            warning(1, "spam", AT_MILLIS),
            warning(2, "caps", AT_MILLIS + 500),
            warning(3, "links", AT_MILLIS + 1_000),
        ];
        assert_eq!(read_warnings(&doc).unwrap(), expected);
        // And the store's order on top of it.
        let mut listed = read_warnings(&doc).unwrap();
        sort_newest_first(&mut listed);
        expected.reverse();
        assert_eq!(listed, expected);
    }

    #[test]
    fn missing_optional_fields_get_documented_defaults() {
        let doc = doc! {
            "user_id": "222222222222222222",
            "guild_id": "111111111111111111",
            "warnings": [
                { "id": 4, "moderator_id": "333333333333333333" },
                { "id": 5, "moderator_id": "333333333333333333", "reason": null,
                  "timestamp": null },
            ],
            // total_warnings missing: it is never read.
        };
        let read = read_warnings(&doc).unwrap();
        assert_eq!(read.len(), 2);
        assert!(read.iter().all(|w| w.reason.is_empty()));
        assert!(read.iter().all(|w| w.created_at == Timestamp::UNIX_EPOCH));
        let no_array = doc! { "user_id": "222222222222222222", "guild_id": "111111111111111111" };
        assert_eq!(read_warnings(&no_array).unwrap(), []);
        assert_eq!(count_entries(&no_array), 0);
    }

    #[test]
    fn unreadable_warning_documents_name_the_field() {
        let base = || {
            doc! {
                "user_id": "222222222222222222",
                "guild_id": "111111111111111111",
                "warnings": [
                    { "id": 1, "moderator_id": "333333333333333333", "reason": "ok" },
                ],
            }
        };
        let problem = |edit: &dyn Fn(&mut Document)| {
            let mut doc = base();
            edit(&mut doc);
            read_warnings(&doc).unwrap_err().to_string()
        };
        assert!(read_warnings(&base()).is_ok());
        assert_eq!(
            problem(&|d| {
                d.remove("guild_id");
            }),
            "field `guild_id`: missing"
        );
        assert_eq!(
            problem(&|d| {
                d.insert("warnings", "none");
            }),
            "field `warnings`: expected an array"
        );
        assert_eq!(
            problem(&|d| {
                d.insert("warnings", vec![Bson::Int32(1)]);
            }),
            "field `warnings.0`: expected a document"
        );
        assert_eq!(
            problem(&|d| {
                d.insert("warnings", vec![doc! { "id": 1, "reason": "r" }]);
            }),
            "field `warnings.0.moderator_id`: missing"
        );
        assert_eq!(
            problem(&|d| {
                d.insert("warnings", vec![doc! { "id": 1.5, "moderator_id": "3" }]);
            }),
            "field `warnings.0.id`: expected a whole number, found Double"
        );
        assert_eq!(
            problem(&|d| {
                d.insert(
                    "warnings",
                    vec![doc! { "id": 1, "moderator_id": "3", "reason": 5 }],
                );
            }),
            "field `warnings.0.reason`: expected a string, found Int32"
        );
        assert_eq!(
            problem(&|d| {
                d.insert(
                    "warnings",
                    vec![doc! { "id": 1, "moderator_id": "3", "timestamp": "soon" }],
                );
            }),
            "field `warnings.0.timestamp`: `soon` is not an ISO-8601 date and time"
        );
        let err = corrupt("listing warnings")(ReadError::new("x", "y"));
        assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    }

    fn full_settings() -> ModerationSettings {
        ModerationSettings {
            mod_log_channel: Some(ChannelId::new(444_444_444_444_444_444)),
            escalation: EscalationPolicy::new(vec![
                EscalationStep {
                    warnings: 3,
                    within: None,
                    action: Punishment::Timeout {
                        duration: Duration::from_secs(3_600),
                    },
                },
                EscalationStep {
                    warnings: 5,
                    within: Some(Duration::from_secs(604_800)),
                    action: Punishment::Kick,
                },
                EscalationStep {
                    warnings: 7,
                    within: None,
                    action: Punishment::Ban { duration: None },
                },
            ])
            .unwrap(),
        }
    }

    #[test]
    fn settings_document_has_string_ids_and_the_policy_steps() {
        assert_eq!(
            settings_document(GUILD, &full_settings()).unwrap(),
            doc! {
                "guild_id": "111111111111111111",
                "mod_log_channel_id": "444444444444444444",
                "escalation": [
                    { "warnings": 3_i64, "within_secs": null,
                      "action": { "kind": "timeout", "duration_secs": 3_600_i64 } },
                    { "warnings": 5_i64, "within_secs": 604_800_i64,
                      "action": { "kind": "kick" } },
                    { "warnings": 7_i64, "within_secs": null,
                      "action": { "kind": "ban", "duration_secs": null } },
                ],
            }
        );
        let none = ModerationSettings {
            mod_log_channel: None,
            escalation: EscalationPolicy::none(),
        };
        assert_eq!(
            settings_document(GUILD, &none).unwrap(),
            doc! {
                "guild_id": "111111111111111111",
                "mod_log_channel_id": null,
                "escalation": [],
            }
        );
    }

    #[test]
    fn settings_read_back_equal_and_fill_in_defaults() {
        for settings in [full_settings(), ModerationSettings::default()] {
            let doc = settings_document(GUILD, &settings).unwrap();
            assert_eq!(read_settings(&doc).unwrap(), settings);
        }
        // Numbers as Int32 or whole Doubles, as a hand edit in a shell might leave them.
        let edited = doc! {
            "guild_id": "111111111111111111",
            "escalation": [
                { "warnings": 3_i32, "action": { "kind": "timeout", "duration_secs": 60_i32 } },
                { "warnings": 5.0, "within_secs": 86_400.0, "action": { "kind": "kick" } },
            ],
        };
        let read = read_settings(&edited).unwrap();
        assert_eq!(read.mod_log_channel, None);
        let steps = read.escalation.steps();
        assert_eq!(
            (steps[0].warnings, steps[0].action),
            (
                3,
                Punishment::Timeout {
                    duration: Duration::from_secs(60)
                }
            )
        );
        assert_eq!(
            (steps[1].warnings, steps[1].within),
            (5, Some(Duration::from_secs(86_400)))
        );
        assert_eq!(
            read_settings(&doc! { "guild_id": "1" }).unwrap(),
            ModerationSettings::default()
        );
    }

    #[test]
    fn invalid_settings_are_corrupt_not_silently_fixed() {
        let zero_threshold = doc! {
            "guild_id": "1",
            "escalation": [{ "warnings": 0, "action": { "kind": "kick" } }],
        };
        let err = read_settings(&zero_threshold).unwrap_err().to_string();
        assert!(err.starts_with("field `escalation`: "), "{err}");
        let bad_channel = doc! { "guild_id": "1", "mod_log_channel_id": "general" };
        assert!(read_settings(&bad_channel).is_err());
    }
}

/// The conformance suite and seed-compatibility checks against a real server: they run when
/// `MONGODB_URI` is set at build time (see `build.rs`) and show as ignored otherwise.
#[cfg(test)]
mod server {
    use hearth_moderation::testkit::Fixture;
    use mongodb::bson::oid::ObjectId;

    use super::*;

    /// A store on a database of its own, `hearth_test_<unique>`, dropped after the test.
    #[derive(Debug)]
    struct TestDatabase(MongoStore);

    impl TestDatabase {
        async fn create() -> Self {
            let uri = std::env::var("MONGODB_URI")
                .expect("MONGODB_URI must be set to run the MongoDB tests");
            let name = format!("hearth_test_{}", ObjectId::new().to_hex());
            let store = MongoStore::connect(&uri, Some(&name))
                .await
                .unwrap_or_else(|e| panic!("connecting to MONGODB_URI: {e}: {e:?}"));
            Self(store)
        }
    }

    impl Fixture for TestDatabase {
        type Store = MongoStore;

        fn store(&self) -> &MongoStore {
            &self.0
        }

        async fn teardown(self) {
            self.0
                .database()
                .drop()
                .await
                .expect("dropping the test database");
        }
    }

    // Without a server the suite's tests are generated ignored, so a run shows them as
    // ignored, never as passed; build.rs sets `mongodb_server` when MONGODB_URI is set.
    hearth_moderation::moderation_store_suite!(
        [#[cfg_attr(not(mongodb_server), ignore = "set MONGODB_URI to run against MongoDB")]]
        TestDatabase::create
    );

    const GUILD: GuildId = GuildId::new(111_111_111_111_111_111);
    const USER: UserId = UserId::new(222_222_222_222_222_222);

    /// A member's document as the earlier bot left it: ids 1 and 2 numbered by that bot.
    fn seed_document() -> Document {
        doc! {
            "user_id": USER.to_string(),
            "guild_id": GUILD.to_string(),
            "warnings": [
                { "id": 1_i32, "reason": "spam", "moderator_id": "333333333333333333",
                  "timestamp": "2024-01-15T10:30:00" },
                { "id": 2_i32, "reason": "caps", "moderator_id": "333333333333333333",
                  "timestamp": DateTime::from_millis(1_705_400_000_000) },
            ],
            "total_warnings": 2_i32,
        }
    }

    #[tokio::test]
    #[cfg_attr(not(mongodb_server), ignore = "set MONGODB_URI to run against MongoDB")]
    async fn seed_documents_are_listed_removed_and_numbered_after() {
        let db = TestDatabase::create().await;
        let raw = db.0.warnings_collection();
        raw.insert_one(seed_document()).await.unwrap();
        // Connecting again (as a restart does) adopts the seed's ids into the case counter.
        db.0.prepare().await.unwrap();

        let listed = db.0.warnings(GUILD, USER).await.unwrap();
        assert_eq!(listed.iter().map(|w| w.case.0).collect::<Vec<_>>(), [2, 1]);

        let new = NewWarning {
            guild: GUILD,
            user: USER,
            moderator: USER,
            reason: hearth_moderation::Reason::parse("links").unwrap(),
            created_at: Timestamp::from_unix_secs(1_705_500_000),
        };
        assert_eq!(db.0.add_warning(new).await.unwrap().case, CaseNumber(3));

        let removed =
            db.0.remove_warning(GUILD, USER, CaseNumber(1))
                .await
                .unwrap();
        assert_eq!(removed.unwrap().reason, "spam");
        let doc = raw
            .find_one(member_filter(GUILD, USER))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(doc.get("total_warnings"), Some(&Bson::Int32(2)));
        assert_eq!(count_entries(&doc), 2);
        db.teardown().await;
    }

    #[tokio::test]
    #[cfg_attr(not(mongodb_server), ignore = "set MONGODB_URI to run against MongoDB")]
    async fn preparing_twice_is_harmless_and_indexes_exist() {
        let db = TestDatabase::create().await;
        db.0.prepare().await.unwrap();
        let names = db.0.warnings_collection().list_index_names().await.unwrap();
        for name in ["_id_", "guild_id_1_user_id_1", "user_id_1"] {
            assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
        }
        let names = db.0.settings_collection().list_index_names().await.unwrap();
        assert!(names.iter().any(|n| n == "guild_id_1"), "{names:?}");
        db.teardown().await;
    }

    #[tokio::test]
    #[cfg_attr(not(mongodb_server), ignore = "set MONGODB_URI to run against MongoDB")]
    async fn unreadable_documents_are_reported_as_corrupt() {
        let db = TestDatabase::create().await;
        db.0.warnings_collection()
            .insert_one(doc! {
                "user_id": USER.to_string(), "guild_id": GUILD.to_string(),
                "warnings": [{ "id": 1, "reason": "no moderator" }],
            })
            .await
            .unwrap();
        let err = db.0.warnings(GUILD, USER).await.unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Corrupt);
        db.teardown().await;
    }
}
