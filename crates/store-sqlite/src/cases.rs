//! `CaseStore` on SQLite: the `cases` table of the moderation domain (migration 3).

use std::{future::Future, time::Duration};

use hearth_core::{ChannelId, GuildId, MessageId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_moderation::{Case, CaseAction, CaseNumber, CaseStore, NewCase};
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::{
    SqliteStore,
    connection::{id_from_sql, id_to_sql, sql_error},
};

const COLUMNS: &str = "case_number, guild_id, action, user_id, channel_id, moderator_id, reason,
    duration_ms, created_at, expires_at, log_channel_id, log_message_id";

/// A `cases` row as SQLite holds it.
struct CaseRow {
    number: i64,
    guild: i64,
    action: String,
    user: Option<i64>,
    channel: Option<i64>,
    moderator: i64,
    reason: String,
    duration_ms: Option<i64>,
    created_at: i64,
    expires_at: Option<i64>,
    log_channel: Option<i64>,
    log_message: Option<i64>,
}

fn corrupt(what: &'static str) -> StoreError {
    StoreError::bare(StoreErrorKind::Corrupt, what)
}

impl CaseRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            number: row.get(0)?,
            guild: row.get(1)?,
            action: row.get(2)?,
            user: row.get(3)?,
            channel: row.get(4)?,
            moderator: row.get(5)?,
            reason: row.get(6)?,
            duration_ms: row.get(7)?,
            created_at: row.get(8)?,
            expires_at: row.get(9)?,
            log_channel: row.get(10)?,
            log_message: row.get(11)?,
        })
    }

    /// The domain value, checking every id and the action's name.
    fn cook(self) -> Result<Case, StoreError> {
        let id = id_from_sql;
        let user = self
            .user
            .map(|v| UserId::new_checked(id(v)).ok_or_else(|| corrupt("a case's user id")))
            .transpose()?;
        let channel = self
            .channel
            .map(|v| ChannelId::new_checked(id(v)).ok_or_else(|| corrupt("a case's channel id")))
            .transpose()?;
        let log_message = match (self.log_channel, self.log_message) {
            (Some(c), Some(m)) => Some((
                ChannelId::new_checked(id(c)).ok_or_else(|| corrupt("a case's log channel"))?,
                MessageId::new_checked(id(m)).ok_or_else(|| corrupt("a case's log message"))?,
            )),
            _ => None,
        };
        Ok(Case {
            number: CaseNumber(u64::try_from(self.number).map_err(|_| corrupt("case number"))?),
            guild: GuildId::new_checked(id(self.guild))
                .ok_or_else(|| corrupt("a case's guild id"))?,
            action: CaseAction::from_name(&self.action)
                .ok_or_else(|| corrupt("a case's action"))?,
            user,
            channel,
            moderator: UserId::new_checked(id(self.moderator))
                .ok_or_else(|| corrupt("a case's moderator id"))?,
            reason: self.reason,
            duration: self
                .duration_ms
                .map(|ms| u64::try_from(ms).map(Duration::from_millis))
                .transpose()
                .map_err(|_| corrupt("a case's duration"))?,
            created_at: Timestamp::from_unix_millis(self.created_at),
            expires_at: self.expires_at.map(Timestamp::from_unix_millis),
            log_message,
        })
    }
}

fn find(tx: &Transaction<'_>, guild: i64, number: i64) -> rusqlite::Result<Option<CaseRow>> {
    tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM cases WHERE guild_id = ?1 AND case_number = ?2"
    ))?
    .query_row(params![guild, number], CaseRow::read)
    .optional()
}

impl CaseStore for SqliteStore {
    fn record_case(&self, new: NewCase) -> impl Future<Output = Result<Case, StoreError>> + Send {
        const CONTEXT: &str = "recording a case";
        self.call(CONTEXT, move |conn| {
            // IMMEDIATE: the replay check, the number and the insert under one write lock.
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let guild = id_to_sql(new.guild.get());
            let given = new
                .number
                .map(|n| i64::try_from(n.0).map_err(|_| corrupt("case number")))
                .transpose()?;
            let original: Option<CaseRow> = tx
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM cases
                     WHERE guild_id = ?1 AND (request_id = ?2 OR case_number = ?3)"
                ))
                .and_then(|mut s| {
                    s.query_row(
                        params![guild, id_to_sql(new.request.0), given],
                        CaseRow::read,
                    )
                    .optional()
                })
                .map_err(sql_error(CONTEXT))?;
            if let Some(row) = original {
                return row.cook();
            }
            let number: i64 = match given {
                Some(number) => number,
                None => tx
                    .prepare_cached(
                        "INSERT INTO case_counters (guild_id, last_case) VALUES (?1, 1)
                         ON CONFLICT (guild_id) DO UPDATE SET last_case = last_case + 1
                         RETURNING last_case",
                    )
                    .and_then(|mut s| s.query_row(params![guild], |r| r.get(0)))
                    .map_err(sql_error(CONTEXT))?,
            };
            let duration = new
                .duration
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            tx.prepare_cached(
                "INSERT INTO cases (guild_id, case_number, request_id, action, user_id,
                     channel_id, moderator_id, reason, duration_ms, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    guild,
                    number,
                    id_to_sql(new.request.0),
                    new.action.name(),
                    new.user.map(|u| id_to_sql(u.get())),
                    new.channel.map(|c| id_to_sql(c.get())),
                    id_to_sql(new.moderator.get()),
                    new.reason,
                    duration,
                    new.created_at.unix_millis(),
                    new.expires_at.map(Timestamp::unix_millis),
                ])
            })
            .map_err(sql_error(CONTEXT))?;
            let row = find(&tx, guild, number)
                .map_err(sql_error(CONTEXT))?
                .ok_or_else(|| corrupt("a case just written"))?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            row.cook()
        })
    }

    fn case(
        &self,
        guild: GuildId,
        number: CaseNumber,
    ) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send {
        const CONTEXT: &str = "reading a case";
        self.call(CONTEXT, move |conn| {
            let Ok(number) = i64::try_from(number.0) else {
                return Ok(None);
            };
            let tx = conn.transaction().map_err(sql_error(CONTEXT))?;
            find(&tx, id_to_sql(guild.get()), number)
                .map_err(sql_error(CONTEXT))?
                .map(CaseRow::cook)
                .transpose()
        })
    }

    fn set_case_reason(
        &self,
        guild: GuildId,
        number: CaseNumber,
        reason: &str,
    ) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send {
        const CONTEXT: &str = "editing a case's reason";
        let reason = reason.to_owned();
        self.call(CONTEXT, move |conn| {
            let Ok(number) = i64::try_from(number.0) else {
                return Ok(None);
            };
            conn.prepare_cached(&format!(
                "UPDATE cases SET reason = ?3 WHERE guild_id = ?1 AND case_number = ?2
                 RETURNING {COLUMNS}"
            ))
            .and_then(|mut s| {
                s.query_row(
                    params![id_to_sql(guild.get()), number, reason],
                    CaseRow::read,
                )
                .optional()
            })
            .map_err(sql_error(CONTEXT))?
            .map(CaseRow::cook)
            .transpose()
        })
    }

    fn set_case_log_message(
        &self,
        guild: GuildId,
        number: CaseNumber,
        at: (ChannelId, MessageId),
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "remembering a case's mod-log message";
        self.call(CONTEXT, move |conn| {
            let Ok(number) = i64::try_from(number.0) else {
                return Ok(false);
            };
            let changed = conn
                .prepare_cached(
                    "UPDATE cases SET log_channel_id = ?3, log_message_id = ?4
                     WHERE guild_id = ?1 AND case_number = ?2",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        id_to_sql(guild.get()),
                        number,
                        id_to_sql(at.0.get()),
                        id_to_sql(at.1.get())
                    ])
                })
                .map_err(sql_error(CONTEXT))?;
            Ok(changed > 0)
        })
    }
}
