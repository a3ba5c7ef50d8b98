//! `AutomodStore` of hearth-automod on MongoDB: `automod_settings`, `automod_hits` and
//! `automod_counters`.
//!
//! - Settings: one document per guild, `{_id: "<guild>", version, settings}`. The first save
//!   is an insert (a duplicate key means another save came first); later saves are one
//!   `find_one_and_update` filtered on the expected version: a compare-and-set.
//! - Hits: `{_id, guild_id, user_id, at, seq, record}` where `_id` is
//!   `"<guild>:<message>:<rule>"` for a hit on a message (so a replay is a duplicate key and
//!   changes nothing) and an `ObjectId` otherwise. `seq` is the recording order, taken from the
//!   guild's counter in `automod_counters` with one `$inc`. After an insert, hits older than
//!   the newest [`RECENT_HITS_KEPT`] are deleted; a race between two trims only ever deletes
//!   older hits, so the newest are always kept.

use hearth_automod::{AutomodSettings, AutomodStore, HitRecord, RECENT_HITS_KEPT, Versioned};
use hearth_core::{GuildId, StoreError, StoreErrorKind, UserId};
use mongodb::{
    Collection, Database, IndexModel,
    bson::{self, Bson, Document, doc, oid::ObjectId},
    options::ReturnDocument,
};

use crate::{
    MongoStore, read,
    store::{all, driver_error, is_duplicate_key},
};

/// One document per guild with saved settings.
const SETTINGS: &str = "automod_settings";
/// One document per recorded hit.
const HITS: &str = "automod_hits";
/// One document per guild: the last hit sequence number.
const COUNTERS: &str = "automod_counters";

/// Creates the indexes. Idempotent.
pub(crate) async fn prepare(db: &Database) -> Result<(), StoreError> {
    db.collection::<Document>(HITS)
        .create_indexes([
            IndexModel::builder()
                .keys(doc! { "guild_id": 1, "at": -1, "seq": -1 })
                .build(),
            IndexModel::builder().keys(doc! { "user_id": 1 }).build(),
        ])
        .await
        .map(drop)
        .map_err(driver_error("creating the automod indexes"))
}

fn corrupt(context: &'static str) -> impl Fn(bson::de::Error) -> StoreError {
    move |err| StoreError::new(StoreErrorKind::Corrupt, context, err)
}

fn encode<T: serde::Serialize>(value: &T, context: &'static str) -> Result<Bson, StoreError> {
    bson::to_bson(value).map_err(|e| StoreError::new(StoreErrorKind::Other, context, e))
}

/// A version as stored (an integer of any width, or a whole double).
fn version(doc: &Document, context: &'static str) -> Result<u64, StoreError> {
    match doc.get("version") {
        Some(Bson::Int64(v)) => u64::try_from(*v).ok(),
        Some(Bson::Int32(v)) => u64::try_from(*v).ok(),
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(Bson::Double(v)) if v.fract() == 0.0 && *v >= 0.0 => Some(*v as u64),
        _ => None,
    }
    .ok_or_else(|| StoreError::bare(StoreErrorKind::Corrupt, context))
}

fn read_settings(doc: &Document, context: &'static str) -> Result<Versioned, StoreError> {
    let settings = read::field(doc, "settings").cloned().unwrap_or_default();
    Ok(Versioned {
        settings: bson::from_bson(read::whole_doubles_as_integers(settings))
            .map_err(corrupt(context))?,
        version: version(doc, context)?,
    })
}

impl MongoStore {
    fn automod(&self, name: &str) -> Collection<Document> {
        self.database().collection(name)
    }

    /// The next hit sequence number of `guild`.
    async fn next_hit_seq(&self, guild: GuildId) -> Result<i64, StoreError> {
        let context = "numbering an automod hit";
        // Two first upserts of one counter can race; the loser's duplicate key is tried again.
        let mut retries = 0;
        let counter = loop {
            match self
                .automod(COUNTERS)
                .find_one_and_update(
                    doc! { "_id": guild.to_string() },
                    doc! { "$inc": { "seq": 1_i64 } },
                )
                .upsert(true)
                .return_document(ReturnDocument::After)
                .await
            {
                Err(err) if is_duplicate_key(&err) && retries < 3 => retries += 1,
                outcome => break outcome,
            }
        }
        .map_err(driver_error(context))?
        .ok_or_else(|| StoreError::bare(StoreErrorKind::Other, context))?;
        match counter.get("seq") {
            Some(Bson::Int64(v)) => Ok(*v),
            Some(Bson::Int32(v)) => Ok(i64::from(*v)),
            _ => Err(StoreError::bare(StoreErrorKind::Corrupt, context)),
        }
    }
}

impl AutomodStore for MongoStore {
    async fn automod_settings(&self, guild: GuildId) -> Result<Option<Versioned>, StoreError> {
        let context = "reading automod settings";
        self.automod(SETTINGS)
            .find_one(doc! { "_id": guild.to_string() })
            .await
            .map_err(driver_error(context))?
            .map(|doc| read_settings(&doc, context))
            .transpose()
    }

    async fn save_automod_settings(
        &self,
        guild: GuildId,
        settings: &AutomodSettings,
        expected: Option<u64>,
    ) -> Result<Option<Versioned>, StoreError> {
        let context = "saving automod settings";
        let encoded = encode(settings, context)?;
        let saved = |version| {
            Some(Versioned {
                settings: settings.clone(),
                version,
            })
        };
        let Some(expected) = expected else {
            let document = doc! { "_id": guild.to_string(), "version": 1_i64, "settings": encoded };
            return match self.automod(SETTINGS).insert_one(document).await {
                Ok(_) => Ok(saved(1)),
                Err(err) if is_duplicate_key(&err) => Ok(None),
                Err(err) => Err(driver_error(context)(err)),
            };
        };
        let expected = i64::try_from(expected).unwrap_or(i64::MAX);
        let updated = self
            .automod(SETTINGS)
            .find_one_and_update(
                doc! { "_id": guild.to_string(), "version": expected },
                doc! { "$set": { "settings": encoded }, "$inc": { "version": 1_i64 } },
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(driver_error(context))?;
        match updated {
            Some(doc) => Ok(saved(version(&doc, context)?)),
            None => Ok(None),
        }
    }

    async fn record_hit(&self, hit: &HitRecord) -> Result<bool, StoreError> {
        let context = "recording an automod hit";
        let id = match hit.message {
            Some(message) => Bson::String(format!("{}:{message}:{}", hit.guild, hit.rule.name())),
            None => Bson::ObjectId(ObjectId::new()),
        };
        let record = encode(hit, context)?;
        let seq = self.next_hit_seq(hit.guild).await?;
        let document = doc! {
            "_id": id, "guild_id": hit.guild.to_string(), "user_id": hit.user.to_string(),
            "at": hit.at.unix_millis(), "seq": seq, "record": record,
        };
        match self.automod(HITS).insert_one(document).await {
            Ok(_) => {}
            Err(err) if is_duplicate_key(&err) => return Ok(false),
            Err(err) => return Err(driver_error(context)(err)),
        }
        // Everything recorded before the newest RECENT_HITS_KEPT goes.
        let kept = i64::try_from(RECENT_HITS_KEPT).unwrap_or(i64::MAX);
        let oldest_kept = self
            .automod(HITS)
            .find_one(doc! { "guild_id": hit.guild.to_string() })
            .sort(doc! { "seq": -1 })
            .skip(u64::try_from(kept - 1).unwrap_or(0))
            .await
            .map_err(driver_error(context))?;
        if let Some(Bson::Int64(floor)) = oldest_kept.as_ref().and_then(|d| d.get("seq")) {
            self.automod(HITS)
                .delete_many(doc! { "guild_id": hit.guild.to_string(), "seq": { "$lt": floor } })
                .await
                .map_err(driver_error(context))?;
        }
        Ok(true)
    }

    async fn recent_hits(
        &self,
        guild: GuildId,
        limit: usize,
    ) -> Result<Vec<HitRecord>, StoreError> {
        let context = "listing automod hits";
        let limit = i64::try_from(limit.min(RECENT_HITS_KEPT)).unwrap_or(0);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let cursor = self
            .automod(HITS)
            .find(doc! { "guild_id": guild.to_string() })
            .sort(doc! { "at": -1, "seq": -1 })
            .limit(limit)
            .await
            .map_err(driver_error(context))?;
        all(cursor, context)
            .await?
            .into_iter()
            .map(|d| {
                let record = d.get("record").cloned().unwrap_or_default();
                bson::from_bson(read::whole_doubles_as_integers(record)).map_err(corrupt(context))
            })
            .collect()
    }

    async fn delete_automod_user_data(&self, user: UserId) -> Result<u64, StoreError> {
        self.automod(HITS)
            .delete_many(doc! { "user_id": user.to_string() })
            .await
            .map(|r| r.deleted_count)
            .map_err(driver_error("deleting a member's automod hits"))
    }
}

#[cfg(all(test, feature = "moderation"))]
mod server {
    use crate::moderation::server::TestDatabase;

    hearth_automod::automod_store_suite!([] optional TestDatabase::create);
}
