//! `WarningStore` and `ModerationSettingsStore` on SQLite.

use std::future::Future;

use hearth_core::{ChannelId, GuildId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_moderation::{
    CaseNumber, EscalationPolicy, ModerationSettings, ModerationSettingsStore, NewWarning, Warning,
    WarningStore,
};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use crate::{
    SqliteStore,
    connection::{id_from_sql, id_to_sql, sql_error},
};

const WARNING_COLUMNS: &str = "guild_id, case_number, user_id, moderator_id, reason, created_at";

/// A `warnings` row as SQLite holds it.
struct WarningRow {
    guild_id: i64,
    case_number: i64,
    user_id: i64,
    moderator_id: i64,
    reason: String,
    created_at: i64,
}

impl WarningRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            guild_id: row.get(0)?,
            case_number: row.get(1)?,
            user_id: row.get(2)?,
            moderator_id: row.get(3)?,
            reason: row.get(4)?,
            created_at: row.get(5)?,
        })
    }

    /// Turns the row into a domain value, refusing what no Hearth could have written.
    fn cook(self) -> Result<Warning, StoreError> {
        let corrupt = |what: &str| {
            StoreError::new(
                StoreErrorKind::Corrupt,
                "reading a warning",
                format!("bad {what}"),
            )
        };
        Ok(Warning {
            case: CaseNumber(u64::try_from(self.case_number).map_err(|_| corrupt("case number"))?),
            guild: GuildId::new_checked(id_from_sql(self.guild_id))
                .ok_or_else(|| corrupt("guild id"))?,
            user: UserId::new_checked(id_from_sql(self.user_id))
                .ok_or_else(|| corrupt("user id"))?,
            moderator: UserId::new_checked(id_from_sql(self.moderator_id))
                .ok_or_else(|| corrupt("moderator id"))?,
            reason: self.reason,
            created_at: Timestamp::from_unix_millis(self.created_at),
        })
    }
}

fn query_warnings(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Warning>, StoreError> {
    let mut stmt = conn
        .prepare_cached(sql)
        .map_err(sql_error("listing warnings"))?;
    let rows = stmt
        .query_map(params, WarningRow::read)
        .map_err(sql_error("listing warnings"))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(sql_error("listing warnings"))?;
    rows.into_iter().map(WarningRow::cook).collect()
}

impl WarningStore for SqliteStore {
    fn add_warning(
        &self,
        warning: NewWarning,
    ) -> impl Future<Output = Result<Warning, StoreError>> + Send {
        const CONTEXT: &str = "adding a warning";
        self.call(CONTEXT, move |conn| {
            // IMMEDIATE takes the write lock up front, so another process cannot slip a case
            // number in between reading and writing the counter.
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let guild = id_to_sql(warning.guild.get());
            let case: i64 = tx
                .prepare_cached(
                    "INSERT INTO case_counters (guild_id, last_case) VALUES (?1, 1)
                     ON CONFLICT (guild_id) DO UPDATE SET last_case = last_case + 1
                     RETURNING last_case",
                )
                .and_then(|mut s| s.query_row(params![guild], |r| r.get(0)))
                .map_err(sql_error(CONTEXT))?;
            tx.prepare_cached(&format!(
                "INSERT INTO warnings ({WARNING_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    guild,
                    case,
                    id_to_sql(warning.user.get()),
                    id_to_sql(warning.moderator.get()),
                    warning.reason.as_str(),
                    warning.created_at.unix_millis(),
                ])
            })
            .map_err(sql_error(CONTEXT))?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            let case = u64::try_from(case)
                .map_err(|_| StoreError::bare(StoreErrorKind::Corrupt, "numbering a warning"))?;
            Ok(warning.with_case(CaseNumber(case)))
        })
    }

    fn warnings(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<Vec<Warning>, StoreError>> + Send {
        self.call("listing warnings", move |conn| {
            query_warnings(
                conn,
                &format!(
                    "SELECT {WARNING_COLUMNS} FROM warnings WHERE guild_id = ?1 AND user_id = ?2
                     ORDER BY created_at DESC, case_number DESC"
                ),
                params![id_to_sql(guild.get()), id_to_sql(user.get())],
            )
        })
    }

    fn remove_warning(
        &self,
        guild: GuildId,
        user: UserId,
        case: CaseNumber,
    ) -> impl Future<Output = Result<Option<Warning>, StoreError>> + Send {
        const CONTEXT: &str = "removing a warning";
        self.call(CONTEXT, move |conn| {
            let Ok(case) = i64::try_from(case.0) else {
                return Ok(None);
            };
            let row = conn
                .prepare_cached(&format!(
                    "DELETE FROM warnings WHERE guild_id = ?1 AND user_id = ?2 AND case_number = ?3
                     RETURNING {WARNING_COLUMNS}"
                ))
                .and_then(|mut s| {
                    s.query_row(
                        params![id_to_sql(guild.get()), id_to_sql(user.get()), case],
                        WarningRow::read,
                    )
                    .optional()
                })
                .map_err(sql_error(CONTEXT))?;
            row.map(WarningRow::cook).transpose()
        })
    }

    fn clear_warnings(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        const CONTEXT: &str = "clearing warnings";
        self.call(CONTEXT, move |conn| {
            let removed = conn
                .prepare_cached("DELETE FROM warnings WHERE guild_id = ?1 AND user_id = ?2")
                .and_then(|mut s| s.execute(params![id_to_sql(guild.get()), id_to_sql(user.get())]))
                .map_err(sql_error(CONTEXT))?;
            Ok(removed as u64)
        })
    }

    fn delete_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        const CONTEXT: &str = "deleting a user's warnings";
        self.call(CONTEXT, move |conn| {
            let removed = conn
                .prepare_cached("DELETE FROM warnings WHERE user_id = ?1")
                .and_then(|mut s| s.execute(params![id_to_sql(user.get())]))
                .map_err(sql_error(CONTEXT))?;
            Ok(removed as u64)
        })
    }
}

impl ModerationSettingsStore for SqliteStore {
    fn moderation_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<ModerationSettings>, StoreError>> + Send {
        const CONTEXT: &str = "reading moderation settings";
        self.call(CONTEXT, move |conn| {
            let row: Option<(Option<i64>, String)> = conn
                .prepare_cached(
                    "SELECT mod_log_channel_id, escalation FROM moderation_settings
                     WHERE guild_id = ?1",
                )
                .and_then(|mut s| {
                    s.query_row(params![id_to_sql(guild.get())], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()
                })
                .map_err(sql_error(CONTEXT))?;
            let Some((channel, escalation)) = row else {
                return Ok(None);
            };
            let mod_log_channel = match channel {
                None => None,
                Some(id) => Some(ChannelId::new_checked(id_from_sql(id)).ok_or_else(|| {
                    StoreError::bare(StoreErrorKind::Corrupt, "reading the mod-log channel")
                })?),
            };
            let escalation: EscalationPolicy = serde_json::from_str(&escalation)
                .map_err(|e| StoreError::new(StoreErrorKind::Corrupt, CONTEXT, e))?;
            Ok(Some(ModerationSettings {
                mod_log_channel,
                escalation,
            }))
        })
    }

    fn set_moderation_settings(
        &self,
        guild: GuildId,
        settings: &ModerationSettings,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        const CONTEXT: &str = "saving moderation settings";
        let channel = settings.mod_log_channel.map(|c| id_to_sql(c.get()));
        let escalation = serde_json::to_string(&settings.escalation);
        self.call(CONTEXT, move |conn| {
            let escalation =
                escalation.map_err(|e| StoreError::new(StoreErrorKind::Other, CONTEXT, e))?;
            conn.prepare_cached(
                "INSERT INTO moderation_settings (guild_id, mod_log_channel_id, escalation)
                 VALUES (?1, ?2, ?3)
                 ON CONFLICT (guild_id) DO UPDATE
                 SET mod_log_channel_id = excluded.mod_log_channel_id,
                     escalation = excluded.escalation",
            )
            .and_then(|mut s| s.execute(params![id_to_sql(guild.get()), channel, escalation]))
            .map_err(sql_error(CONTEXT))?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use hearth_moderation::Reason;

    use super::*;

    async fn fixture() -> (SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("hearth.db"))
            .await
            .unwrap();
        (store, dir)
    }

    hearth_moderation::moderation_store_suite!(fixture);

    #[tokio::test]
    async fn warnings_survive_reopening_the_file() {
        let (store, dir) = fixture().await;
        let warning = NewWarning {
            guild: GuildId::new(1),
            user: UserId::new(2),
            moderator: UserId::new(3),
            reason: Reason::parse("kept").unwrap(),
            created_at: Timestamp::from_unix_secs(1),
        };
        let stored = store.add_warning(warning.clone()).await.unwrap();
        drop(store);
        let reopened = SqliteStore::open(dir.path().join("hearth.db"))
            .await
            .unwrap();
        assert_eq!(
            reopened
                .warnings(GuildId::new(1), UserId::new(2))
                .await
                .unwrap(),
            [stored]
        );
        // The counter survived too.
        assert_eq!(
            reopened.add_warning(warning).await.unwrap().case,
            CaseNumber(2)
        );
    }

    #[tokio::test]
    async fn an_unreadable_row_is_reported_as_corrupt() {
        let (store, _dir) = fixture().await;
        store
            .call("planting a bad row", |c| {
                c.execute(
                    "INSERT INTO warnings VALUES (1, 1, 1, 0, 'moderator id 0', 0)",
                    [],
                )
                .map_err(sql_error("x"))
            })
            .await
            .unwrap();
        let err = store
            .warnings(GuildId::new(1), UserId::new(1))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Corrupt);
        store
            .call("planting a bad policy", |c| {
                c.execute(
                    "INSERT INTO moderation_settings VALUES (1, NULL, '[{\"warnings\":0}]')",
                    [],
                )
                .map_err(sql_error("x"))
            })
            .await
            .unwrap();
        let err = store
            .moderation_settings(GuildId::new(1))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    }
}
