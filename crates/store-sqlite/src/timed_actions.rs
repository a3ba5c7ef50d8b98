//! `TimedActionStore` on SQLite: the `timed_actions` table, its own migration domain.
//!
//! Timed actions get a domain of their own rather than a moderation migration because they
//! serve more than moderation (tickets' auto-close will schedule here too).
//!
//! Each row carries `ready_at`, the time a claim can take it: its due time, or its lease's end
//! while leased. Claims and [`next_due`](TimedActionStore::next_due) walk the index on
//! `(ready_at, id)`, so their cost does not grow with the number of actions not yet due.

use std::{collections::HashMap, future::Future, sync::LazyLock};

use hearth_core::{
    GuildId, StoreError, StoreErrorKind, Timestamp,
    timed::{
        ActionId, ActionKey, ActionKind, ClaimRequest, Claimed, LeaseOwner, NewTimedAction,
        TimedAction, TimedActionStore,
    },
};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use crate::{
    SqliteStore,
    connection::{id_from_sql, id_to_sql, sql_error},
    migrations::Domain,
};

/// The timed-action table, migration by migration (see [`crate::migrations`]).
pub(crate) const SCHEMA: Domain = Domain {
    name: "timed_actions",
    migrations: &[
        // 1: one row per pending action; (guild, kind, subject) is its key. AUTOINCREMENT so
        // an id is never handed out again (a re-scheduled action must not match a worker
        // still holding the old id).
        "
    CREATE TABLE timed_actions (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id     INTEGER NOT NULL,
        kind         TEXT    NOT NULL,
        subject_id   INTEGER NOT NULL,
        action       TEXT    NOT NULL,
        case_number  INTEGER,
        due_at       INTEGER NOT NULL,
        attempts     INTEGER NOT NULL,
        scheduled_at INTEGER NOT NULL,
        leased_by    TEXT,
        lease_until  INTEGER,
        ready_at     INTEGER NOT NULL,
        UNIQUE (guild_id, kind, subject_id)
    ) STRICT;
    -- Serves every claim and next_due, in claim order.
    CREATE INDEX timed_actions_by_ready ON timed_actions (ready_at, id);
    ",
    ],
};

const COLUMNS: &str = "id, guild_id, action, case_number, due_at, attempts, scheduled_at";

/// `kind IN ('unban', …)`: the kinds this build knows (our own constants, no user input).
static KNOWN_KINDS: LazyLock<String> = LazyLock::new(|| {
    let names: Vec<String> = ActionKind::NAMES.iter().map(|n| format!("'{n}'")).collect();
    format!("kind IN ({})", names.join(", "))
});

/// A `timed_actions` row as SQLite holds it.
struct ActionRow {
    id: i64,
    guild_id: i64,
    action: String,
    case_number: Option<i64>,
    due_at: i64,
    attempts: i64,
    scheduled_at: i64,
}

impl ActionRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            guild_id: row.get(1)?,
            action: row.get(2)?,
            case_number: row.get(3)?,
            due_at: row.get(4)?,
            attempts: row.get(5)?,
            scheduled_at: row.get(6)?,
        })
    }

    /// Turns the row into a domain value, refusing what no Hearth could have written.
    fn cook(self) -> Result<TimedAction, StoreError> {
        let corrupt =
            |what: String| StoreError::new(StoreErrorKind::Corrupt, "reading a timed action", what);
        Ok(TimedAction {
            id: ActionId(u64::try_from(self.id).map_err(|_| corrupt("bad id".into()))?),
            guild: GuildId::new_checked(id_from_sql(self.guild_id))
                .ok_or_else(|| corrupt("bad guild id".into()))?,
            kind: serde_json::from_str(&self.action)
                .map_err(|e| corrupt(format!("bad action: {e}")))?,
            due_at: Timestamp::from_unix_millis(self.due_at),
            attempts: u32::try_from(self.attempts).map_err(|_| corrupt("bad attempts".into()))?,
            case: self
                .case_number
                .map(u64::try_from)
                .transpose()
                .map_err(|_| corrupt("bad case number".into()))?,
            scheduled_at: Timestamp::from_unix_millis(self.scheduled_at),
        })
    }
}

fn key_params(key: ActionKey) -> (i64, &'static str, i64) {
    (
        id_to_sql(key.guild().get()),
        key.name(),
        id_to_sql(key.subject()),
    )
}

fn case_to_sql(case: Option<u64>) -> Result<Option<i64>, StoreError> {
    case.map(i64::try_from)
        .transpose()
        .map_err(|_| StoreError::bare(StoreErrorKind::Other, "storing a case number above 2^63"))
}

fn id_param(id: ActionId) -> Option<i64> {
    i64::try_from(id.0).ok()
}

impl TimedActionStore for SqliteStore {
    /// One `INSERT OR REPLACE`: a row with the same key is deleted and the new one gets the
    /// next id, in one statement.
    fn schedule(
        &self,
        action: NewTimedAction,
    ) -> impl Future<Output = Result<TimedAction, StoreError>> + Send {
        const CONTEXT: &str = "scheduling a timed action";
        let kind = serde_json::to_string(&action.kind);
        self.call(CONTEXT, move |conn| {
            let kind = kind.map_err(|e| StoreError::new(StoreErrorKind::Other, CONTEXT, e))?;
            let case = case_to_sql(action.case)?;
            let (guild, name, subject) = key_params(ActionKey::new(action.guild, &action.kind));
            let id: i64 = conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO timed_actions (guild_id, kind, subject_id, action,
                         case_number, due_at, attempts, scheduled_at, leased_by, lease_until,
                         ready_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, NULL, NULL, ?6)
                     RETURNING id",
                )
                .and_then(|mut s| {
                    s.query_row(
                        params![
                            guild,
                            name,
                            subject,
                            kind,
                            case,
                            action.due_at.unix_millis(),
                            action.scheduled_at.unix_millis()
                        ],
                        |r| r.get(0),
                    )
                })
                .map_err(sql_error(CONTEXT))?;
            let id = u64::try_from(id)
                .map_err(|_| StoreError::bare(StoreErrorKind::Corrupt, CONTEXT))?;
            Ok(TimedAction::new(ActionId(id), action))
        })
    }

    fn pending(
        &self,
        key: ActionKey,
    ) -> impl Future<Output = Result<Option<TimedAction>, StoreError>> + Send {
        const CONTEXT: &str = "reading a timed action";
        self.call(CONTEXT, move |conn| {
            let (guild, name, subject) = key_params(key);
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM timed_actions
                 WHERE guild_id = ?1 AND kind = ?2 AND subject_id = ?3"
            ))
            .and_then(|mut s| {
                s.query_row(params![guild, name, subject], ActionRow::read)
                    .optional()
            })
            .map_err(sql_error(CONTEXT))?
            .map(ActionRow::cook)
            .transpose()
        })
    }

    fn cancel(&self, key: ActionKey) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "cancelling a timed action";
        self.call(CONTEXT, move |conn| {
            let (guild, name, subject) = key_params(key);
            conn.prepare_cached(
                "DELETE FROM timed_actions WHERE guild_id = ?1 AND kind = ?2 AND subject_id = ?3",
            )
            .and_then(|mut s| s.execute(params![guild, name, subject]))
            .map(|n| n > 0)
            .map_err(sql_error(CONTEXT))
        })
    }

    /// One `IMMEDIATE` transaction, so another process's claim waits for it: the ids to take,
    /// in claim order, then one `UPDATE … WHERE id IN (the same SELECT) RETURNING`.
    fn claim_due(
        &self,
        claim: ClaimRequest,
    ) -> impl Future<Output = Result<Vec<Claimed>, StoreError>> + Send {
        const CONTEXT: &str = "claiming due timed actions";
        self.call(CONTEXT, move |conn| {
            if claim.limit == 0 {
                return Ok(Vec::new());
            }
            let now = claim.now.unix_millis();
            let lease_until = claim.lease_until();
            let due = format!(
                "SELECT id FROM timed_actions WHERE ready_at <= ?1 AND {}
                 ORDER BY ready_at, id LIMIT ?2",
                *KNOWN_KINDS
            );
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let order: HashMap<i64, usize> = tx
                .prepare_cached(&due)
                .and_then(|mut s| {
                    s.query_map(params![now, claim.limit], |r| r.get::<_, i64>(0))?
                        .enumerate()
                        .map(|(i, id)| id.map(|id| (id, i)))
                        .collect()
                })
                .map_err(sql_error(CONTEXT))?;
            if order.is_empty() {
                return Ok(Vec::new());
            }
            let rows: Vec<ActionRow> = tx
                .prepare_cached(&format!(
                    "UPDATE timed_actions
                     SET leased_by = ?3, lease_until = ?4, ready_at = ?4, attempts = attempts + 1
                     WHERE id IN ({due})
                     RETURNING {COLUMNS}"
                ))
                .and_then(|mut s| {
                    s.query_map(
                        params![
                            now,
                            claim.limit,
                            claim.owner.as_str(),
                            lease_until.unix_millis()
                        ],
                        ActionRow::read,
                    )?
                    .collect()
                })
                .map_err(sql_error(CONTEXT))?;
            let mut claimed = rows
                .into_iter()
                .map(|row| Ok((order.get(&row.id).copied(), row.cook()?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            claimed.sort_by_key(|(position, _)| *position);
            Ok(claimed
                .into_iter()
                .map(|(_, action)| Claimed {
                    action,
                    lease_until,
                })
                .collect())
        })
    }

    fn complete(
        &self,
        id: ActionId,
        owner: &LeaseOwner,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "completing a timed action";
        let owner = owner.as_str().to_owned();
        self.call(CONTEXT, move |conn| {
            let Some(id) = id_param(id) else {
                return Ok(false);
            };
            conn.prepare_cached("DELETE FROM timed_actions WHERE id = ?1 AND leased_by = ?2")
                .and_then(|mut s| s.execute(params![id, owner]))
                .map(|n| n > 0)
                .map_err(sql_error(CONTEXT))
        })
    }

    fn retry_later(
        &self,
        id: ActionId,
        owner: &LeaseOwner,
        at: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "releasing a timed action for a retry";
        let owner = owner.as_str().to_owned();
        self.call(CONTEXT, move |conn| {
            let Some(id) = id_param(id) else {
                return Ok(false);
            };
            conn.prepare_cached(
                "UPDATE timed_actions
                 SET due_at = ?3, ready_at = ?3, leased_by = NULL, lease_until = NULL
                 WHERE id = ?1 AND leased_by = ?2",
            )
            .and_then(|mut s| s.execute(params![id, owner, at.unix_millis()]))
            .map(|n| n > 0)
            .map_err(sql_error(CONTEXT))
        })
    }

    fn next_due(&self) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send {
        const CONTEXT: &str = "reading the next due timed action";
        self.call(CONTEXT, move |conn| {
            conn.prepare_cached(&format!(
                "SELECT ready_at FROM timed_actions WHERE {} ORDER BY ready_at, id LIMIT 1",
                *KNOWN_KINDS
            ))
            .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)).optional())
            .map(|t| t.map(Timestamp::from_unix_millis))
            .map_err(sql_error(CONTEXT))
        })
    }
}

#[cfg(test)]
mod tests;
