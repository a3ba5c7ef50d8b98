//! `LockdownStore` on the `lockdowns` collection: one document per locked channel,
//! `{guild_id, channel_id, previous_allow, previous_deny, locked_at}` (permission bits as decimal
//! strings, as Discord writes them; both absent when the channel had no `@everyone`
//! overwrite), unique on `{guild_id, channel_id}`.

use hearth_core::{ChannelId, GuildId, StoreError};
use hearth_moderation::{Lockdown, LockdownStore, Overwrite};
use mongodb::{
    Collection, Database, IndexModel,
    bson::{Bson, DateTime, Document, doc},
    options::IndexOptions,
};

use super::wire::corrupt;
use crate::{
    MongoStore,
    read::{self, ReadError},
    store::driver_error,
};

/// The collection.
pub(crate) const LOCKDOWNS: &str = "lockdowns";

/// Creates the unique index. Idempotent.
pub(crate) async fn prepare(db: &Database) -> Result<(), StoreError> {
    db.collection::<Document>(LOCKDOWNS)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "guild_id": 1, "channel_id": 1 })
                .options(IndexOptions::builder().unique(true).build())
                .build(),
        )
        .await
        .map_err(driver_error("creating the lockdowns index"))?;
    Ok(())
}

fn key(guild: GuildId, channel: ChannelId) -> Document {
    doc! { "guild_id": guild.to_string(), "channel_id": channel.to_string() }
}

fn bits(doc: &Document, field: &str) -> Result<Option<u64>, ReadError> {
    match read::optional_string(doc, field)? {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| ReadError::new(field, format!("`{text}` is not a permission set"))),
    }
}

fn read_lockdown(doc: &Document) -> Result<Lockdown, ReadError> {
    Ok(Lockdown {
        guild: read::required_id(doc, "guild_id")?,
        channel: read::required_id(doc, "channel_id")?,
        previous: match (bits(doc, "previous_allow")?, bits(doc, "previous_deny")?) {
            (Some(allow), Some(deny)) => Some(Overwrite { allow, deny }),
            _ => None,
        },
        locked_at: match read::field(doc, "locked_at") {
            Some(value) => read::timestamp("locked_at", value)?,
            None => return Err(ReadError::new("locked_at", "missing")),
        },
    })
}

impl MongoStore {
    fn lockdowns(&self) -> Collection<Document> {
        self.database().collection(LOCKDOWNS)
    }
}

impl LockdownStore for MongoStore {
    async fn lock(&self, lockdown: Lockdown) -> Result<bool, StoreError> {
        let previous = |f: fn(Overwrite) -> u64| {
            lockdown
                .previous
                .map_or(Bson::Null, |o| Bson::String(f(o).to_string()))
        };
        // One upsert that only inserts: an existing lockdown is left exactly as it was.
        let result = self
            .lockdowns()
            .update_one(
                key(lockdown.guild, lockdown.channel),
                doc! { "$setOnInsert": {
                    "previous_allow": previous(|o| o.allow),
                    "previous_deny": previous(|o| o.deny),
                    "locked_at": DateTime::from_millis(lockdown.locked_at.unix_millis()),
                } },
            )
            .upsert(true)
            .await;
        match result {
            Ok(result) => Ok(result.upserted_id.is_some()),
            // Two locks raced to insert: the other one won.
            Err(err) if crate::store::is_duplicate_key(&err) => Ok(false),
            Err(err) => Err(driver_error("locking a channel")(err)),
        }
    }

    async fn unlock(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Result<Option<Lockdown>, StoreError> {
        let context = "unlocking a channel";
        self.lockdowns()
            .find_one_and_delete(key(guild, channel))
            .await
            .map_err(driver_error(context))?
            .map(|doc| read_lockdown(&doc).map_err(corrupt(context)))
            .transpose()
    }

    async fn lockdown(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Result<Option<Lockdown>, StoreError> {
        let context = "reading a lockdown";
        self.lockdowns()
            .find_one(key(guild, channel))
            .await
            .map_err(driver_error(context))?
            .map(|doc| read_lockdown(&doc).map_err(corrupt(context)))
            .transpose()
    }
}
