//! `WarningStore` and `ModerationSettingsStore` on SQLite.

use std::future::Future;

use hearth_core::{ChannelId, GuildId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_moderation::{
    AddedWarning, CaseNumber, ModerationSettings, ModerationSettingsStore, NewWarning,
    SettingsChange, Warning, WarningList, WarningStore,
};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use crate::{
    SqliteStore,
    connection::{id_from_sql, id_to_sql, sql_error},
    migrations::Domain,
};

/// The moderation tables, migration by migration (see [`crate::migrations`]).
pub(crate) const SCHEMA: Domain = Domain {
    name: "moderation",
    migrations: &[
        // 1: warnings, per-guild case counters, settings. The first release applied exactly
        // this as its global migration 1; never edit it.
        "
    CREATE TABLE case_counters (
        guild_id  INTEGER PRIMARY KEY,
        last_case INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE warnings (
        guild_id     INTEGER NOT NULL,
        case_number  INTEGER NOT NULL,
        user_id      INTEGER NOT NULL,
        moderator_id INTEGER NOT NULL,
        reason       TEXT    NOT NULL,
        created_at   INTEGER NOT NULL,
        PRIMARY KEY (guild_id, case_number)
    ) STRICT;
    -- Serves /warnings (newest first) and the escalation count on every /warn.
    CREATE INDEX warnings_by_member ON warnings (guild_id, user_id, created_at DESC, case_number DESC);
    -- Serves data-deletion requests.
    CREATE INDEX warnings_by_user ON warnings (user_id);

    CREATE TABLE moderation_settings (
        guild_id           INTEGER PRIMARY KEY,
        mod_log_channel_id INTEGER,
        escalation         TEXT NOT NULL
    ) STRICT;
    ",
        // 2: the request (interaction id) each warning was given in, unique per guild: the
        // idempotency key. Warnings from before have none.
        "
    ALTER TABLE warnings ADD COLUMN request_id INTEGER;
    CREATE UNIQUE INDEX warnings_by_request ON warnings (guild_id, request_id)
        WHERE request_id IS NOT NULL;
    ",
        // 3: cases, one per moderation action (the facts of MongoDB's `mod_logs`), numbered
        // from case_counters like warnings; the request is the idempotency key.
        "
    CREATE TABLE cases (
        guild_id       INTEGER NOT NULL,
        case_number    INTEGER NOT NULL,
        request_id     INTEGER NOT NULL,
        action         TEXT    NOT NULL,
        user_id        INTEGER,
        channel_id     INTEGER,
        moderator_id   INTEGER NOT NULL,
        reason         TEXT    NOT NULL,
        duration_ms    INTEGER,
        created_at     INTEGER NOT NULL,
        expires_at     INTEGER,
        log_channel_id INTEGER,
        log_message_id INTEGER,
        PRIMARY KEY (guild_id, case_number)
    ) STRICT;
    CREATE UNIQUE INDEX cases_by_request ON cases (guild_id, request_id);
    ",
        // 4: locked channels and their @everyone overwrite before the lockdown (the bits as
        // the i64 of the same bits; both NULL when there was none).
        "
    CREATE TABLE lockdowns (
        guild_id       INTEGER NOT NULL,
        channel_id     INTEGER NOT NULL,
        previous_allow INTEGER,
        previous_deny  INTEGER,
        locked_at      INTEGER NOT NULL,
        PRIMARY KEY (guild_id, channel_id)
    ) STRICT;
    ",
    ],
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

/// A member's warnings up to and including case `through`, newest first: case numbers are
/// taken in the transaction that inserts, so within a guild they follow insertion order, and
/// this is the member's history as the insert of `through` left it (less removed warnings).
fn history_through(
    conn: &rusqlite::Connection,
    guild: i64,
    user: i64,
    through: i64,
) -> Result<Vec<Warning>, StoreError> {
    query_warnings(
        conn,
        &format!(
            "SELECT {WARNING_COLUMNS} FROM warnings
             WHERE guild_id = ?1 AND user_id = ?2 AND case_number <= ?3
             ORDER BY created_at DESC, case_number DESC"
        ),
        params![guild, user, through],
    )
}

/// The history through `case`, and the warning with that case number in it.
fn added(
    conn: &rusqlite::Connection,
    guild: i64,
    user: i64,
    case: i64,
    replayed: bool,
) -> Result<AddedWarning, StoreError> {
    let history = history_through(conn, guild, user, case)?;
    let warning = history
        .iter()
        .find(|w| i64::try_from(w.case.0) == Ok(case))
        .cloned()
        .ok_or_else(|| StoreError::bare(StoreErrorKind::Other, "reading back a warning"))?;
    Ok(AddedWarning {
        warning,
        history,
        replayed,
    })
}

impl WarningStore for SqliteStore {
    fn add_warning(
        &self,
        warning: NewWarning,
    ) -> impl Future<Output = Result<AddedWarning, StoreError>> + Send {
        const CONTEXT: &str = "adding a warning";
        self.call(CONTEXT, move |conn| {
            // IMMEDIATE takes the write lock up front, so no other connection — in this
            // process or another — can write between the replay check, the case number, the
            // insert and the history read back.
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let guild = id_to_sql(warning.guild.get());
            let request = id_to_sql(warning.request.0);
            let original: Option<(i64, i64)> = tx
                .prepare_cached(
                    "SELECT user_id, case_number FROM warnings
                     WHERE guild_id = ?1 AND request_id = ?2",
                )
                .and_then(|mut s| {
                    s.query_row(params![guild, request], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()
                })
                .map_err(sql_error(CONTEXT))?;
            if let Some((user, case)) = original {
                // A replay: the transaction ends unwritten, no case number taken.
                return added(&tx, guild, user, case, true);
            }
            let case: i64 = tx
                .prepare_cached(
                    "INSERT INTO case_counters (guild_id, last_case) VALUES (?1, 1)
                     ON CONFLICT (guild_id) DO UPDATE SET last_case = last_case + 1
                     RETURNING last_case",
                )
                .and_then(|mut s| s.query_row(params![guild], |r| r.get(0)))
                .map_err(sql_error(CONTEXT))?;
            let user = id_to_sql(warning.user.get());
            tx.prepare_cached(&format!(
                "INSERT INTO warnings ({WARNING_COLUMNS}, request_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    guild,
                    case,
                    user,
                    id_to_sql(warning.moderator.get()),
                    warning.reason.as_str(),
                    warning.created_at.unix_millis(),
                    request,
                ])
            })
            .map_err(sql_error(CONTEXT))?;
            let added = added(&tx, guild, user, case, false)?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            Ok(added)
        })
    }

    fn warnings(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<WarningList, StoreError>> + Send {
        // SQLite holds only what Hearth wrote: every row reads, none is ever unreadable.
        self.call("listing warnings", move |conn| {
            query_warnings(
                conn,
                &format!(
                    "SELECT {WARNING_COLUMNS} FROM warnings WHERE guild_id = ?1 AND user_id = ?2
                     ORDER BY created_at DESC, case_number DESC"
                ),
                params![id_to_sql(guild.get()), id_to_sql(user.get())],
            )
            .map(|warnings| WarningList {
                warnings,
                unreadable: 0,
            })
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
            row.map(|(channel, escalation)| settings_from_row(channel, &escalation))
                .transpose()
        })
    }

    fn update_moderation_settings(
        &self,
        guild: GuildId,
        change: &SettingsChange,
    ) -> impl Future<Output = Result<ModerationSettings, StoreError>> + Send {
        const CONTEXT: &str = "saving moderation settings";
        // A guild's first change starts from the defaults; a column the change doesn't name
        // keeps its stored value (one statement, so concurrent changes of different fields
        // both stick).
        let start = change.apply(ModerationSettings::default());
        let channel = start.mod_log_channel.map(|c| id_to_sql(c.get()));
        let escalation = serde_json::to_string(&start.escalation);
        let (set_channel, set_escalation) = (
            change.mod_log_channel.is_some(),
            change.escalation.is_some(),
        );
        self.call(CONTEXT, move |conn| {
            let escalation =
                escalation.map_err(|e| StoreError::new(StoreErrorKind::Other, CONTEXT, e))?;
            let (channel, escalation): (Option<i64>, String) = conn
                .prepare_cached(
                    "INSERT INTO moderation_settings (guild_id, mod_log_channel_id, escalation)
                     VALUES (?1, ?2, ?3)
                     ON CONFLICT (guild_id) DO UPDATE
                     SET mod_log_channel_id = CASE WHEN ?4 THEN excluded.mod_log_channel_id
                                              ELSE mod_log_channel_id END,
                         escalation = CASE WHEN ?5 THEN excluded.escalation ELSE escalation END
                     RETURNING mod_log_channel_id, escalation",
                )
                .and_then(|mut s| {
                    s.query_row(
                        params![
                            id_to_sql(guild.get()),
                            channel,
                            escalation,
                            set_channel,
                            set_escalation
                        ],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                })
                .map_err(sql_error(CONTEXT))?;
            settings_from_row(channel, &escalation)
        })
    }
}

/// Settings from their row, checked.
fn settings_from_row(
    channel: Option<i64>,
    escalation: &str,
) -> Result<ModerationSettings, StoreError> {
    const CONTEXT: &str = "reading moderation settings";
    let mut settings = ModerationSettings::default();
    settings.mod_log_channel = match channel {
        None => None,
        Some(id) => Some(ChannelId::new_checked(id_from_sql(id)).ok_or_else(|| {
            StoreError::bare(StoreErrorKind::Corrupt, "reading the mod-log channel")
        })?),
    };
    settings.escalation = serde_json::from_str(escalation)
        .map_err(|e| StoreError::new(StoreErrorKind::Corrupt, CONTEXT, e))?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use hearth_moderation::{EscalationPolicy, Reason, RequestId, testkit};

    use super::*;

    use crate::file_fixture::{FileFixture, fixture};

    hearth_moderation::moderation_store_suite!(fixture);

    fn new_warning(guild: u64, user: u64, request: u64) -> NewWarning {
        NewWarning {
            guild: GuildId::new(guild),
            user: UserId::new(user),
            moderator: UserId::new(3),
            reason: Reason::parse("kept").unwrap(),
            created_at: Timestamp::from_unix_secs(1),
            request: RequestId(request),
        }
    }

    #[tokio::test]
    async fn warnings_survive_reopening_the_file() {
        let FileFixture { store, dir } = fixture().await;
        let stored = store
            .add_warning(new_warning(1, 2, 10))
            .await
            .unwrap()
            .warning;
        drop(store);
        let reopened = SqliteStore::open(dir.path().join("hearth.db"))
            .await
            .unwrap();
        assert_eq!(
            reopened
                .warnings(GuildId::new(1), UserId::new(2))
                .await
                .unwrap()
                .warnings,
            std::slice::from_ref(&stored)
        );
        // The counter survived, and so did the request key.
        let next = reopened.add_warning(new_warning(1, 2, 11)).await.unwrap();
        assert_eq!(next.warning.case, CaseNumber(2));
        let replay = reopened.add_warning(new_warning(1, 2, 10)).await.unwrap();
        assert!(replay.replayed);
        assert_eq!(replay.warning, stored);
    }

    /// Two stores on one file, each with its own connection and thread, as two bot processes:
    /// concurrent warnings through both escalate each step exactly once, and a request racing
    /// its retries through both is stored once. (The suite runs the same behaviours through
    /// its fixture; this spells the setup out.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_handles_on_one_file_escalate_once_and_store_a_request_once() {
        struct TokioSpawn;
        impl testkit::Spawn for TokioSpawn {
            async fn spawn<T: Send + 'static>(
                &self,
                task: impl Future<Output = T> + Send + 'static,
            ) -> T {
                tokio::spawn(task).await.unwrap()
            }
        }
        for behaviour in 0..2 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("shared.db");
            let first = SqliteStore::open(&path).await.unwrap();
            let second = SqliteStore::open(&path).await.unwrap();
            if behaviour == 0 {
                testkit::concurrent_warnings_escalate_exactly_once(first, second, &TokioSpawn)
                    .await;
            } else {
                testkit::concurrent_replays_of_one_request_store_it_once(
                    first,
                    second,
                    &TokioSpawn,
                )
                .await;
            }
        }
    }

    /// The file in `tests/fixtures/release-0.1.db` was written by the release before
    /// per-domain migrations; opening a copy upgrades it in place with every warning, counter
    /// and setting intact, and opening it again changes nothing.
    #[tokio::test]
    async fn migrations_upgrade_a_release_0_1_database_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hearth.db");
        std::fs::copy(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/release-0.1.db"),
            &path,
        )
        .unwrap();
        let guild = GuildId::new(111_111_111_111_111_111);
        let big = UserId::new(u64::MAX - 5);
        let store = SqliteStore::open(&path).await.unwrap();
        let reasons = |list: Vec<Warning>| -> Vec<(u64, String)> {
            list.into_iter().map(|w| (w.case.0, w.reason)).collect()
        };
        assert_eq!(
            reasons(store.warnings(guild, big).await.unwrap().warnings),
            [(2, "caps — Ωж😀".to_owned()), (1, "spam".to_owned())]
        );
        assert_eq!(
            reasons(
                store
                    .warnings(guild, UserId::new(12))
                    .await
                    .unwrap()
                    .warnings
            ),
            [(3, "links".to_owned())]
        );
        assert_eq!(
            reasons(
                store
                    .warnings(GuildId::new(222), big)
                    .await
                    .unwrap()
                    .warnings
            ),
            [(1, "elsewhere".to_owned())]
        );
        let settings = store.moderation_settings(guild).await.unwrap().unwrap();
        assert_eq!(settings.mod_log_channel, Some(ChannelId::new(444)));
        assert_eq!(settings.escalation.steps().len(), 3);
        assert_eq!(
            store.moderation_settings(GuildId::new(222)).await.unwrap(),
            Some({
                let mut none = ModerationSettings::default();
                none.escalation = EscalationPolicy::none();
                none
            })
        );
        let schema = |store: SqliteStore| async move {
            store
                .call("reading the schema", |c| {
                    let mut stmt = c
                        .prepare(
                            "SELECT domain || ' ' || version FROM schema_migrations
                             UNION ALL SELECT sql FROM sqlite_master WHERE sql IS NOT NULL
                             UNION ALL SELECT 'layout ' || user_version FROM pragma_user_version",
                        )
                        .map_err(sql_error("x"))?;
                    stmt.query_map([], |r| r.get::<_, String>(0))
                        .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                        .map_err(sql_error("x"))
                })
                .await
                .unwrap()
        };
        let upgraded = schema(store.clone()).await;
        for row in ["moderation 1", "moderation 2", "layout 2"] {
            assert!(upgraded.iter().any(|r| r == row), "{row} in {upgraded:?}");
        }
        // The counter kept the removed case 4: the next case is 5; the new key works.
        let next = store
            .add_warning(new_warning(guild.get(), 12, 77))
            .await
            .unwrap();
        assert_eq!((next.warning.case, next.history.len()), (CaseNumber(5), 2));
        drop(store);
        let again = SqliteStore::open(&path).await.unwrap();
        assert_eq!(schema(again.clone()).await, upgraded);
        assert!(
            again
                .add_warning(new_warning(guild.get(), 12, 77))
                .await
                .unwrap()
                .replayed
        );
    }

    #[tokio::test]
    async fn an_unreadable_row_is_reported_as_corrupt() {
        let FileFixture { store, dir: _dir } = fixture().await;
        store
            .call("planting a bad row", |c| {
                c.execute(
                    "INSERT INTO warnings VALUES (1, 1, 1, 0, 'moderator id 0', 0, NULL)",
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
