//! The schema: each domain's ordered migrations, versioned per domain.
//!
//! Every domain module (moderation, timed actions, leveling and tickets today; roles later)
//! declares its own [`Domain`] with its migrations, and [`DOMAINS`] lists them. The table
//! `schema_migrations(domain, version)` records each applied migration, so features developed
//! in parallel each append to their own list and never fight over one version number.
//!
//! At open, every migration a domain lacks runs in one `IMMEDIATE` transaction with its
//! bookkeeping, so a crash leaves the old or the new schema and two processes opening the file
//! at once apply each migration once. Migrations are only ever appended; an applied one never
//! changes. A domain the file knows but this build does not (a feature turned off) is left
//! alone; a domain at a version newer than this build knows is refused rather than damaged.
//!
//! `PRAGMA user_version` holds the layout: 1 was the single global list of the first release
//! (its one migration is moderation's first, and is adopted as such), [`LAYOUT`] is this one. A
//! release from before this layout refuses a file at [`LAYOUT`] instead of misreading it.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

/// One domain's schema: its name in `schema_migrations` and its migrations in order;
/// migration `i` brings the domain to version `i + 1`.
#[derive(Debug)]
pub(crate) struct Domain {
    /// The key in `schema_migrations`, e.g. `moderation`; never renamed.
    pub(crate) name: &'static str,
    /// SQL scripts, oldest first; only ever appended to.
    pub(crate) migrations: &'static [&'static str],
}

/// Every domain this build stores, each behind its cargo feature.
pub(crate) const DOMAINS: &[&Domain] = &[
    #[cfg(feature = "moderation")]
    &crate::moderation::SCHEMA,
    #[cfg(feature = "moderation")]
    &crate::timed_actions::SCHEMA,
    #[cfg(feature = "xp-engine")]
    &crate::leveling::SCHEMA,
    #[cfg(feature = "tickets")]
    &crate::tickets::SCHEMA,
    #[cfg(feature = "roles")]
    &crate::roles::SCHEMA,
    #[cfg(feature = "automod")]
    &crate::automod::SCHEMA,
];

/// The layout version in `PRAGMA user_version`: per-domain migrations.
pub(crate) const LAYOUT: i64 = 2;

/// The first release's layout: one global list, whose only migration created moderation's
/// tables.
const LEGACY_LAYOUT: i64 = 1;

/// Why the schema could not be brought up to date.
#[derive(Debug)]
pub(crate) enum MigrationError {
    /// The file's layout is newer than this build knows.
    LayoutTooNew { found: i64 },
    /// A domain was migrated by a newer Hearth; running against it could lose data.
    DomainTooNew {
        domain: &'static str,
        found: i64,
        known: i64,
    },
    /// SQLite refused.
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrationError {
    fn from(err: rusqlite::Error) -> Self {
        Self::Sqlite(err)
    }
}

impl std::fmt::Display for MigrationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::LayoutTooNew { found } => write!(
                f,
                "the database has schema layout {found}, newer than this Hearth knows \
                 ({LAYOUT}); upgrade Hearth or restore a backup"
            ),
            Self::DomainTooNew {
                domain,
                found,
                known,
            } => write!(
                f,
                "the database has {domain} schema version {found}, newer than this Hearth \
                 knows ({known}); upgrade Hearth or restore a backup"
            ),
            Self::Sqlite(err) => err.fmt(f),
        }
    }
}

/// Applies every migration of `domains` the database lacks; safe to call any number of times
/// and from several processes at once. Returns how many migrations ran.
pub(crate) fn apply(conn: &mut Connection, domains: &[&Domain]) -> Result<usize, MigrationError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let layout: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if layout > LAYOUT {
        return Err(MigrationError::LayoutTooNew { found: layout });
    }
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             domain  TEXT    NOT NULL,
             version INTEGER NOT NULL,
             PRIMARY KEY (domain, version)
         ) STRICT;",
    )?;
    if layout == LEGACY_LAYOUT {
        // The first release's migration 1 is moderation's migration 1, byte for byte.
        record(&tx, "moderation", 1)?;
        tracing::info!("adopted the first release's schema as moderation version 1");
    }
    let mut ran = 0;
    for domain in domains {
        let found = version(&tx, domain.name)?;
        let known = i64::try_from(domain.migrations.len()).expect("fewer than 2^63 migrations");
        if found > known {
            return Err(MigrationError::DomainTooNew {
                domain: domain.name,
                found,
                known,
            });
        }
        let start = usize::try_from(found).unwrap_or(0);
        for (i, sql) in domain.migrations.iter().enumerate().skip(start) {
            tx.execute_batch(sql)?;
            let version = i64::try_from(i + 1).expect("fewer than 2^63 migrations");
            record(&tx, domain.name, version)?;
            tracing::info!(domain = domain.name, version, "applied SQLite migration");
            ran += 1;
        }
    }
    if layout != LAYOUT {
        // PRAGMA takes no bound parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {LAYOUT}"))?;
    }
    tx.commit()?;
    Ok(ran)
}

/// The highest version of `domain` the database has, 0 when none.
pub(crate) fn version(tx: &Connection, domain: &str) -> rusqlite::Result<i64> {
    tx.query_row(
        "SELECT max(version) FROM schema_migrations WHERE domain = ?1",
        params![domain],
        |row| row.get::<_, Option<i64>>(0),
    )
    .optional()
    .map(|v| v.flatten().unwrap_or(0))
}

fn record(tx: &Transaction<'_>, domain: &str, version: i64) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO schema_migrations (domain, version) VALUES (?1, ?2)",
        params![domain, version],
    )
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    const LEVELS_V1: Domain = Domain {
        name: "leveling",
        migrations: &["CREATE TABLE levels (id INTEGER PRIMARY KEY) STRICT;"],
    };
    const TICKETS_V1: Domain = Domain {
        name: "tickets",
        migrations: &["CREATE TABLE tickets (id INTEGER PRIMARY KEY) STRICT;"],
    };
    const TICKETS_V2: Domain = Domain {
        name: "tickets",
        migrations: &[
            "CREATE TABLE tickets (id INTEGER PRIMARY KEY) STRICT;",
            "ALTER TABLE tickets ADD COLUMN rating INTEGER;",
        ],
    };

    #[test]
    fn domains_migrate_independently_and_a_second_run_does_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(apply(&mut conn, &[&LEVELS_V1]).unwrap(), 1);
        // A feature added later migrates on its own; the first domain is untouched.
        assert_eq!(apply(&mut conn, &[&LEVELS_V1, &TICKETS_V1]).unwrap(), 1);
        assert_eq!(apply(&mut conn, &[&LEVELS_V1, &TICKETS_V2]).unwrap(), 1);
        assert_eq!(apply(&mut conn, &[&LEVELS_V1, &TICKETS_V2]).unwrap(), 0);
        assert_eq!(version(&conn, "leveling").unwrap(), 1);
        assert_eq!(version(&conn, "tickets").unwrap(), 2);
        assert_eq!(tables(&conn), ["levels", "schema_migrations", "tickets"]);
        let layout: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(layout, LAYOUT);
        // A build without the tickets feature leaves its tables and versions alone.
        assert_eq!(apply(&mut conn, &[&LEVELS_V1]).unwrap(), 0);
        assert_eq!(version(&conn, "tickets").unwrap(), 2);
    }

    #[test]
    fn a_domain_newer_than_this_build_is_refused_and_nothing_changes() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn, &[&LEVELS_V1, &TICKETS_V2]).unwrap();
        let err = apply(&mut conn, &[&LEVELS_V1, &TICKETS_V1]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the database has tickets schema version 2, newer than this Hearth knows (1); \
             upgrade Hearth or restore a backup"
        );
    }

    #[test]
    fn a_newer_layout_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 3).unwrap();
        let err = apply(&mut conn, &[&LEVELS_V1]).unwrap_err();
        assert!(matches!(err, MigrationError::LayoutTooNew { found: 3 }));
        assert!(tables(&conn).is_empty());
    }
}
