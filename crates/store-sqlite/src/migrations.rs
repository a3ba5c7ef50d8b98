//! The schema, as a list of versioned migrations.
//!
//! The version lives in SQLite's `PRAGMA user_version`. At open, every migration above the
//! stored version runs in one transaction with the version bump, so a crash leaves either the
//! old or the new schema. Migrations are only ever appended; an applied one never changes.

use rusqlite::{Connection, TransactionBehavior};

/// Every migration, in order; migration `i` brings the schema to version `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: moderation warnings, per-guild case counters, moderation settings.
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
];

/// The schema version this build writes.
pub(crate) fn latest() -> i64 {
    i64::try_from(MIGRATIONS.len()).expect("fewer than 2^63 migrations")
}

/// Why the schema could not be brought up to date.
#[derive(Debug)]
pub(crate) enum MigrationError {
    /// The file was written by a newer Hearth; running against it could lose data.
    TooNew { found: i64 },
    /// SQLite refused.
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrationError {
    fn from(err: rusqlite::Error) -> Self {
        Self::Sqlite(err)
    }
}

/// Applies every migration the database lacks; safe to call any number of times.
pub(crate) fn apply(conn: &mut Connection) -> Result<i64, MigrationError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > latest() {
        return Err(MigrationError::TooNew { found });
    }
    let start = usize::try_from(found).unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.execute_batch(sql)?;
        tracing::info!(version = i + 1, "applied SQLite migration");
    }
    // PRAGMA takes no bound parameters; the value is our own integer.
    tx.execute_batch(&format!("PRAGMA user_version = {}", latest()))?;
    tx.commit()?;
    Ok(latest())
}
