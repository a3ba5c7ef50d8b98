//! `AutomodStore` of hearth-automod on SQLite: the `automod` migration domain.
//!
//! - Settings are one JSON document per guild with a version; a save is one
//!   `INSERT … ON CONFLICT DO NOTHING RETURNING` (first save) or
//!   `UPDATE … WHERE version = ? RETURNING` (later saves): a compare-and-set in one statement.
//! - Hits are rows holding the whole record as JSON, numbered in recording order. A unique
//!   index on (guild, message, rule) makes a replayed hit change nothing; the insert and the
//!   trimming to [`RECENT_HITS_KEPT`] run in one `IMMEDIATE` transaction.

use std::future::Future;

use hearth_automod::{AutomodSettings, AutomodStore, HitRecord, RECENT_HITS_KEPT, Versioned};
use hearth_core::{GuildId, StoreError, StoreErrorKind, UserId};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::{
    SqliteStore,
    connection::{id_to_sql, sql_error},
    migrations::Domain,
};

/// The automod tables, migration by migration (see [`crate::migrations`]).
pub(crate) const SCHEMA: Domain = Domain {
    name: "automod",
    migrations: &[
        // 1: settings per guild, recent hits.
        "
    CREATE TABLE automod_settings (
        guild_id INTEGER PRIMARY KEY,
        version  INTEGER NOT NULL,
        settings TEXT    NOT NULL
    ) STRICT;

    CREATE TABLE automod_hits (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id   INTEGER NOT NULL,
        user_id    INTEGER NOT NULL,
        message_id INTEGER,
        rule       TEXT    NOT NULL,
        at         INTEGER NOT NULL,
        record     TEXT    NOT NULL
    ) STRICT;

    CREATE UNIQUE INDEX automod_hits_once
        ON automod_hits (guild_id, message_id, rule) WHERE message_id IS NOT NULL;
    CREATE INDEX automod_hits_by_guild ON automod_hits (guild_id, at, id);
    CREATE INDEX automod_hits_by_user ON automod_hits (user_id);
    ",
    ],
};

fn json<T: serde::Serialize>(value: &T, context: &'static str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::new(StoreErrorKind::Other, context, e))
}

fn parse<T: serde::de::DeserializeOwned>(
    text: &str,
    context: &'static str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::new(StoreErrorKind::Corrupt, context, e))
}

fn version(value: i64, context: &'static str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::bare(StoreErrorKind::Corrupt, context))
}

impl AutomodStore for SqliteStore {
    fn automod_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<Versioned>, StoreError>> + Send {
        const CONTEXT: &str = "reading automod settings";
        self.call(CONTEXT, move |conn| {
            let row: Option<(i64, String)> = conn
                .prepare_cached(
                    "SELECT version, settings FROM automod_settings WHERE guild_id = ?1",
                )
                .and_then(|mut s| {
                    s.query_row(params![id_to_sql(guild.get())], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()
                })
                .map_err(sql_error(CONTEXT))?;
            row.map(|(v, settings)| {
                Ok(Versioned {
                    settings: parse(&settings, CONTEXT)?,
                    version: version(v, CONTEXT)?,
                })
            })
            .transpose()
        })
    }

    fn save_automod_settings(
        &self,
        guild: GuildId,
        settings: &AutomodSettings,
        expected: Option<u64>,
    ) -> impl Future<Output = Result<Option<Versioned>, StoreError>> + Send {
        const CONTEXT: &str = "saving automod settings";
        let text = json(settings, CONTEXT);
        let settings = settings.clone();
        self.call(CONTEXT, move |conn| {
            let text = text?;
            let guild = id_to_sql(guild.get());
            let saved: Option<i64> = match expected {
                None => conn
                    .prepare_cached(
                        "INSERT INTO automod_settings (guild_id, version, settings)
                         VALUES (?1, 1, ?2) ON CONFLICT (guild_id) DO NOTHING RETURNING version",
                    )
                    .and_then(|mut s| s.query_row(params![guild, text], |r| r.get(0)).optional()),
                Some(expected) => {
                    let expected = i64::try_from(expected).unwrap_or(i64::MAX);
                    conn.prepare_cached(
                        "UPDATE automod_settings SET settings = ?2, version = version + 1
                         WHERE guild_id = ?1 AND version = ?3 RETURNING version",
                    )
                    .and_then(|mut s| {
                        s.query_row(params![guild, text, expected], |r| r.get(0))
                            .optional()
                    })
                }
            }
            .map_err(sql_error(CONTEXT))?;
            saved
                .map(|v| {
                    Ok(Versioned {
                        settings,
                        version: version(v, CONTEXT)?,
                    })
                })
                .transpose()
        })
    }

    fn record_hit(&self, hit: &HitRecord) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "recording an automod hit";
        let record = json(hit, CONTEXT);
        let rule = json(&hit.rule, CONTEXT);
        let (guild, user) = (id_to_sql(hit.guild.get()), id_to_sql(hit.user.get()));
        let message = hit.message.map(|m| id_to_sql(m.get()));
        let at = hit.at.unix_millis();
        self.call(CONTEXT, move |conn| {
            let (record, rule) = (record?, rule?);
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO automod_hits (guild_id, user_id, message_id, rule, at, record)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                )
                .and_then(|mut s| s.execute(params![guild, user, message, rule, at, record]))
                .map_err(sql_error(CONTEXT))?;
            if inserted == 1 {
                let kept = i64::try_from(RECENT_HITS_KEPT).unwrap_or(i64::MAX);
                tx.prepare_cached(
                    "DELETE FROM automod_hits WHERE guild_id = ?1 AND id <= (
                         SELECT id FROM automod_hits WHERE guild_id = ?1
                         ORDER BY id DESC LIMIT 1 OFFSET ?2)",
                )
                .and_then(|mut s| s.execute(params![guild, kept]))
                .map_err(sql_error(CONTEXT))?;
            }
            tx.commit().map_err(sql_error(CONTEXT))?;
            Ok(inserted == 1)
        })
    }

    fn recent_hits(
        &self,
        guild: GuildId,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<HitRecord>, StoreError>> + Send {
        const CONTEXT: &str = "listing automod hits";
        let limit = i64::try_from(limit.min(RECENT_HITS_KEPT)).unwrap_or(0);
        self.call(CONTEXT, move |conn| {
            let rows: Vec<String> = conn
                .prepare_cached(
                    "SELECT record FROM automod_hits WHERE guild_id = ?1
                     ORDER BY at DESC, id DESC LIMIT ?2",
                )
                .and_then(|mut s| {
                    s.query_map(params![id_to_sql(guild.get()), limit], |r| r.get(0))?
                        .collect()
                })
                .map_err(sql_error(CONTEXT))?;
            rows.iter().map(|r| parse(r, CONTEXT)).collect()
        })
    }

    fn delete_automod_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        const CONTEXT: &str = "deleting a member's automod hits";
        self.call(CONTEXT, move |conn| {
            let removed = conn
                .prepare_cached("DELETE FROM automod_hits WHERE user_id = ?1")
                .and_then(|mut s| s.execute(params![id_to_sql(user.get())]))
                .map_err(sql_error(CONTEXT))?;
            Ok(removed as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::file_fixture::fixture;

    hearth_automod::automod_store_suite!(fixture);
}
