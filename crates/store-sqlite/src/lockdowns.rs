//! `LockdownStore` on SQLite: the `lockdowns` table of the moderation domain (migration 4).

use std::future::Future;

use hearth_core::{ChannelId, GuildId, StoreError, StoreErrorKind, Timestamp};
use hearth_moderation::{Lockdown, LockdownStore, Overwrite};
use rusqlite::{OptionalExtension, Row, params};

use crate::{
    SqliteStore,
    connection::{id_from_sql, id_to_sql, sql_error},
};

const COLUMNS: &str = "guild_id, channel_id, previous_allow, previous_deny, locked_at";

fn read(row: &Row<'_>) -> rusqlite::Result<(i64, i64, Option<i64>, Option<i64>, i64)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

fn cook(row: (i64, i64, Option<i64>, Option<i64>, i64)) -> Result<Lockdown, StoreError> {
    let corrupt = |what| StoreError::bare(StoreErrorKind::Corrupt, what);
    let (guild, channel, allow, deny, locked_at) = row;
    Ok(Lockdown {
        guild: GuildId::new_checked(id_from_sql(guild))
            .ok_or_else(|| corrupt("a lockdown's guild"))?,
        channel: ChannelId::new_checked(id_from_sql(channel))
            .ok_or_else(|| corrupt("a lockdown's channel"))?,
        // Permission bits are stored as the i64 of the same bits, like ids.
        previous: match (allow, deny) {
            (Some(allow), Some(deny)) => Some(Overwrite {
                allow: id_from_sql(allow),
                deny: id_from_sql(deny),
            }),
            _ => None,
        },
        locked_at: Timestamp::from_unix_millis(locked_at),
    })
}

impl LockdownStore for SqliteStore {
    fn lock(&self, lockdown: Lockdown) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "locking a channel";
        self.call(CONTEXT, move |conn| {
            // The primary key keeps the first lockdown; a second insert changes nothing.
            let inserted = conn
                .prepare_cached(&format!(
                    "INSERT INTO lockdowns ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (guild_id, channel_id) DO NOTHING"
                ))
                .and_then(|mut s| {
                    s.execute(params![
                        id_to_sql(lockdown.guild.get()),
                        id_to_sql(lockdown.channel.get()),
                        lockdown.previous.map(|o| id_to_sql(o.allow)),
                        lockdown.previous.map(|o| id_to_sql(o.deny)),
                        lockdown.locked_at.unix_millis(),
                    ])
                })
                .map_err(sql_error(CONTEXT))?;
            Ok(inserted == 1)
        })
    }

    fn unlock(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> impl Future<Output = Result<Option<Lockdown>, StoreError>> + Send {
        const CONTEXT: &str = "unlocking a channel";
        self.call(CONTEXT, move |conn| {
            conn.prepare_cached(&format!(
                "DELETE FROM lockdowns WHERE guild_id = ?1 AND channel_id = ?2 RETURNING {COLUMNS}"
            ))
            .and_then(|mut s| {
                s.query_row(
                    params![id_to_sql(guild.get()), id_to_sql(channel.get())],
                    read,
                )
                .optional()
            })
            .map_err(sql_error(CONTEXT))?
            .map(cook)
            .transpose()
        })
    }

    fn lockdown(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> impl Future<Output = Result<Option<Lockdown>, StoreError>> + Send {
        const CONTEXT: &str = "reading a lockdown";
        self.call(CONTEXT, move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM lockdowns WHERE guild_id = ?1 AND channel_id = ?2"
            ))
            .and_then(|mut s| {
                s.query_row(
                    params![id_to_sql(guild.get()), id_to_sql(channel.get())],
                    read,
                )
                .optional()
            })
            .map_err(sql_error(CONTEXT))?
            .map(cook)
            .transpose()
        })
    }
}
