//! `XpStore`, `LevelSettingsStore` and `BoostStore` of hearth-xp-engine on SQLite: the
//! `leveling` migration domain.
//!
//! - `member_xp` holds one row per member and guild. Its index `(guild_id, xp DESC, user_id)`
//!   serves leaderboard pages and ranks, so no query loads a guild into memory; `(user_id,
//!   xp)` serves the global leaderboard's per-user sums and data-deletion requests.
//! - SQLite counts an index range by stepping through it, so a count or an `OFFSET` over a
//!   guild of a million members costs tens of milliseconds. `xp_rank_buckets` holds how many
//!   ranked members each guild has per XP *bucket* (see `bucket`: every XP value below
//!   `EXACT_BUCKETS_BELOW`, then ranges of 256), kept by triggers on `member_xp` in the
//!   transaction of every write. A rank is the members of the buckets above (a sum over
//!   one row per bucket in use) plus a count inside the member's own bucket; a page starts in
//!   the bucket where the running sum reaches its offset and skips inside that bucket only;
//!   the ranked count is the sum of the guild's buckets. The cost is the bucket's population
//!   (ties included), not the guild's size.
//! - A grant is one conditional upsert whose `WHERE last_grant_at <= ?` is the cooldown rule
//!   (`RETURNING` the row as written and, from `prev_xp`/`prev_grant_at`, as it was), inside an
//!   `IMMEDIATE` transaction shared with the grants around it ([`crate::batch`]); the day's
//!   activity counts of those grants are added up and written once per guild and day before
//!   the commit. The write lock is held throughout, so two `SqliteStore`s — or two
//!   processes — on one file never both grant within one cooldown.
//! - Settings are columns written field by field (`CASE WHEN ?set THEN new ELSE old END` in
//!   one upsert); level roles are rows of their own, so changes of different levels never
//!   overwrite each other.

mod settings;

use std::future::Future;

use hearth_core::{GuildId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_xp_engine::{
    Activity, Adjusted, Day, GrantOutcome, GrantRequest, MemberXp, Ranked, XP_MAX, XpChange,
    XpStore,
};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::{
    SqliteStore,
    batch::{BatchJob, Increment},
    connection::{id_from_sql, id_to_sql, sql_error},
    migrations::Domain,
};

/// The leveling tables, migration by migration (see [`crate::migrations`]).
pub(crate) const SCHEMA: Domain = Domain {
    name: "leveling",
    migrations: &[
        // 1: members' XP, daily activity, global opt-outs, settings, level roles, boosts.
        "
    CREATE TABLE member_xp (
        guild_id      INTEGER NOT NULL,
        user_id       INTEGER NOT NULL,
        xp            INTEGER NOT NULL,
        messages      INTEGER NOT NULL,
        last_grant_at INTEGER,
        PRIMARY KEY (guild_id, user_id)
    ) STRICT, WITHOUT ROWID;
    -- Serves leaderboard pages, ranks and ranked-member counts.
    CREATE INDEX member_xp_by_rank ON member_xp (guild_id, xp DESC, user_id ASC);
    -- Serves the global leaderboard's sums per user and data-deletion requests.
    CREATE INDEX member_xp_by_user ON member_xp (user_id, xp);

    CREATE TABLE xp_activity (
        guild_id       INTEGER NOT NULL,
        day            INTEGER NOT NULL,
        messages       INTEGER NOT NULL,
        active_members INTEGER NOT NULL,
        PRIMARY KEY (guild_id, day)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE xp_global_opt_outs (
        user_id INTEGER PRIMARY KEY
    ) STRICT;

    CREATE TABLE level_settings (
        guild_id           INTEGER PRIMARY KEY,
        rate               INTEGER NOT NULL,
        announce           TEXT    NOT NULL,
        template           TEXT    NOT NULL,
        no_xp_channels     TEXT    NOT NULL,
        no_xp_roles        TEXT    NOT NULL,
        role_mode          TEXT    NOT NULL,
        global_leaderboard INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE level_roles (
        guild_id INTEGER NOT NULL,
        level    INTEGER NOT NULL,
        role_id  INTEGER NOT NULL,
        PRIMARY KEY (guild_id, level)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE xp_boosts (
        guild_id   INTEGER NOT NULL,
        id         INTEGER NOT NULL,
        multiplier INTEGER NOT NULL,
        starts_at  INTEGER NOT NULL,
        ends_at    INTEGER NOT NULL,
        scope      TEXT    NOT NULL,
        PRIMARY KEY (guild_id, id)
    ) STRICT, WITHOUT ROWID;
    -- Serves the list of boosts not yet ended.
    CREATE INDEX xp_boosts_by_end ON xp_boosts (guild_id, ends_at);
    ",
        // 2: what a grant replaced, so its upsert returns the member before and after.
        "
    ALTER TABLE member_xp ADD COLUMN prev_xp INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE member_xp ADD COLUMN prev_grant_at INTEGER;
    ",
        // 3: ranked members per XP bucket, kept by triggers (see the module docs). The bucket
        // expression is `bucket()`'s; a test holds the two equal.
        "
    CREATE TABLE xp_rank_buckets (
        guild_id INTEGER NOT NULL,
        bucket   INTEGER NOT NULL,
        members  INTEGER NOT NULL,
        PRIMARY KEY (guild_id, bucket)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO xp_rank_buckets (guild_id, bucket, members)
        SELECT guild_id, CASE WHEN xp < 4096 THEN xp ELSE 4080 + (xp >> 8) END AS b, count(*)
        FROM member_xp WHERE xp > 0 GROUP BY guild_id, b;
    CREATE TRIGGER member_xp_ranked_insert AFTER INSERT ON member_xp WHEN new.xp > 0 BEGIN
        INSERT INTO xp_rank_buckets (guild_id, bucket, members)
        VALUES (new.guild_id, CASE WHEN new.xp < 4096 THEN new.xp ELSE 4080 + (new.xp >> 8) END, 1)
        ON CONFLICT (guild_id, bucket) DO UPDATE SET members = members + 1;
    END;
    CREATE TRIGGER member_xp_ranked_delete AFTER DELETE ON member_xp WHEN old.xp > 0 BEGIN
        UPDATE xp_rank_buckets SET members = members - 1
        WHERE guild_id = old.guild_id
          AND bucket = CASE WHEN old.xp < 4096 THEN old.xp ELSE 4080 + (old.xp >> 8) END;
    END;
    -- Only when the member changes bucket (or joins or leaves the board): most grants to
    -- members past 4,096 XP stay in theirs and write nothing here.
    CREATE TRIGGER member_xp_ranked_update AFTER UPDATE OF xp ON member_xp
    WHEN (CASE WHEN old.xp <= 0 THEN NULL WHEN old.xp < 4096 THEN old.xp ELSE 4080 + (old.xp >> 8) END)
      IS NOT (CASE WHEN new.xp <= 0 THEN NULL WHEN new.xp < 4096 THEN new.xp ELSE 4080 + (new.xp >> 8) END)
    BEGIN
        UPDATE xp_rank_buckets SET members = members - 1
        WHERE old.xp > 0 AND guild_id = old.guild_id
          AND bucket = CASE WHEN old.xp < 4096 THEN old.xp ELSE 4080 + (old.xp >> 8) END;
        INSERT INTO xp_rank_buckets (guild_id, bucket, members)
        SELECT new.guild_id, CASE WHEN new.xp < 4096 THEN new.xp ELSE 4080 + (new.xp >> 8) END, 1
        WHERE new.xp > 0
        ON CONFLICT (guild_id, bucket) DO UPDATE SET members = members + 1;
    END;
    ",
    ],
};

/// XP values below this each have a bucket of their own in `xp_rank_buckets`: most members
/// of a large guild sit there, and ties are counted inside one XP value anyway.
pub(crate) const EXACT_BUCKETS_BELOW: u64 = 4096;

/// From [`EXACT_BUCKETS_BELOW`] on, a bucket holds `2^BUCKET_SHIFT` XP values.
const BUCKET_SHIFT: u32 = 8;

/// The `xp_rank_buckets` bucket of an XP value: the value itself below
/// [`EXACT_BUCKETS_BELOW`], then one bucket per 256 values, in XP order (migration 2 writes
/// the same expression in SQL; the queries compute it there, the tests hold the two equal).
#[cfg(test)]
pub(crate) fn bucket(xp: u64) -> i64 {
    let b = if xp < EXACT_BUCKETS_BELOW {
        xp
    } else {
        EXACT_BUCKETS_BELOW - (EXACT_BUCKETS_BELOW >> BUCKET_SHIFT) + (xp >> BUCKET_SHIFT)
    };
    i64::try_from(b).unwrap_or(i64::MAX)
}

/// The highest XP value in bucket `b`.
fn bucket_top(b: i64) -> i64 {
    #[allow(clippy::cast_possible_wrap)] // 4096
    const EXACT: i64 = EXACT_BUCKETS_BELOW as i64;
    if b < EXACT {
        b
    } else {
        ((b - (EXACT - (EXACT >> BUCKET_SHIFT))) << BUCKET_SHIFT) | ((1 << BUCKET_SHIFT) - 1)
    }
}

/// [`XP_MAX`] as SQLite holds it (about 1.7·10¹², far inside `i64`).
#[allow(clippy::cast_possible_wrap)]
const XP_MAX_SQL: i64 = XP_MAX as i64;

/// Where a page starts: the highest bucket whose running sum of members (highest bucket
/// first) passes the page's offset `?2`, and how many members the buckets above it hold.
const PAGE_START_SQL: &str = "SELECT bucket, above FROM (
         SELECT bucket, members,
                sum(members) OVER (ORDER BY bucket DESC ROWS UNBOUNDED PRECEDING) - members AS above
         FROM xp_rank_buckets WHERE guild_id = ?1)
     WHERE above + members > ?2 ORDER BY bucket DESC LIMIT 1";

/// A page of a guild's leaderboard from the top of its first bucket (`?2`, the bucket's
/// highest XP), skipping `?4` rows inside that bucket, walking `member_xp_by_rank`.
const LEADERBOARD_SQL: &str = "SELECT user_id, xp FROM member_xp
     WHERE guild_id = ?1 AND xp > 0 AND xp <= ?2
     ORDER BY xp DESC, user_id ASC LIMIT ?3 OFFSET ?4";

/// A member's XP and the number of members ahead of them, in one statement (one snapshot):
/// the members of the buckets above theirs, those of their bucket with more XP (a range of
/// `member_xp_by_rank` inside the bucket), and those with equal XP and a lower id.
const RANK_SQL: &str = "SELECT m.xp,
         (SELECT coalesce(sum(b.members), 0) FROM xp_rank_buckets AS b
          WHERE b.guild_id = ?1
            AND b.bucket > CASE WHEN m.xp < 4096 THEN m.xp ELSE 4080 + (m.xp >> 8) END)
       + (SELECT count(*) FROM member_xp WHERE guild_id = ?1 AND xp > m.xp
            AND xp <= CASE WHEN m.xp < 4096 THEN m.xp ELSE m.xp | 255 END)
       + (SELECT count(*) FROM member_xp WHERE guild_id = ?1 AND xp = m.xp AND user_id < ?2)
     FROM member_xp AS m WHERE m.guild_id = ?1 AND m.user_id = ?2 AND m.xp > 0";

/// How many members are on a guild's leaderboard: the sum of its buckets.
const RANKED_MEMBERS_SQL: &str =
    "SELECT coalesce(sum(members), 0) FROM xp_rank_buckets WHERE guild_id = ?1";

/// Each user's XP summed over the guilds that contribute (no settings, or the flag on), users
/// who opted out left out. Sums cannot overflow: a Discord user is in at most a few hundred
/// guilds, and each holds at most [`XP_MAX`].
const GLOBAL_SUMS_SQL: &str = "SELECT m.user_id AS user_id, sum(m.xp) AS total
     FROM member_xp AS m
     LEFT JOIN level_settings AS s ON s.guild_id = m.guild_id
     WHERE m.xp > 0
       AND (s.global_leaderboard IS NULL OR s.global_leaderboard <> 0)
       AND m.user_id NOT IN (SELECT user_id FROM xp_global_opt_outs)
     GROUP BY m.user_id";

const MEMBER_COLUMNS: &str = "xp, messages, last_grant_at";

/// A `member_xp` row's values as SQLite holds them.
struct MemberRow {
    xp: i64,
    messages: i64,
    last_grant_at: Option<i64>,
}

impl MemberRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            xp: row.get(0)?,
            messages: row.get(1)?,
            last_grant_at: row.get(2)?,
        })
    }

    /// Turns the row into a domain value, refusing what no Hearth could have written.
    fn cook(self, guild: GuildId, user: UserId) -> Result<MemberXp, StoreError> {
        let corrupt = |what: &str| {
            StoreError::new(
                StoreErrorKind::Corrupt,
                "reading a member's XP",
                format!("bad {what}"),
            )
        };
        Ok(MemberXp {
            guild,
            user,
            xp: u64::try_from(self.xp)
                .ok()
                .filter(|xp| *xp <= XP_MAX)
                .ok_or_else(|| corrupt("xp"))?,
            messages: u64::try_from(self.messages).map_err(|_| corrupt("message count"))?,
            last_grant_at: self.last_grant_at.map(Timestamp::from_unix_millis),
        })
    }
}

/// A count as SQLite returns it.
fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// A user id from a row, checked.
fn user_from_sql(value: i64, context: &'static str) -> Result<UserId, StoreError> {
    UserId::new_checked(id_from_sql(value))
        .ok_or_else(|| StoreError::new(StoreErrorKind::Corrupt, context, "bad user id"))
}

/// The member's row, checked; `None` when there is none.
fn member_row(
    conn: &Connection,
    guild: GuildId,
    user: UserId,
    context: &'static str,
) -> Result<Option<MemberXp>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {MEMBER_COLUMNS} FROM member_xp WHERE guild_id = ?1 AND user_id = ?2"
    ))
    .and_then(|mut s| {
        s.query_row(
            params![id_to_sql(guild.get()), id_to_sql(user.get())],
            MemberRow::read,
        )
        .optional()
    })
    .map_err(sql_error(context))?
    .map(|row| row.cook(guild, user))
    .transpose()
}

/// The member's row, or a zero record when there is none.
fn member_or_zero(
    conn: &Connection,
    guild: GuildId,
    user: UserId,
    context: &'static str,
) -> Result<MemberXp, StoreError> {
    Ok(member_row(conn, guild, user, context)?.unwrap_or_else(|| MemberXp::new(guild, user)))
}

/// A member's values as SQL parameters: `(xp, messages, last_grant_at)`.
fn member_params(member: &MemberXp) -> (i64, i64, Option<i64>) {
    (
        i64::try_from(member.xp.min(XP_MAX)).unwrap_or(XP_MAX_SQL),
        i64::try_from(member.messages).unwrap_or(i64::MAX),
        member.last_grant_at.map(Timestamp::unix_millis),
    )
}

/// Rows of `(user_id, xp)` in leaderboard order, ranked from `offset + 1`.
fn ranked_rows(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    offset: u64,
    context: &'static str,
) -> Result<Vec<Ranked>, StoreError> {
    let rows: Vec<(i64, i64)> = conn
        .prepare_cached(sql)
        .and_then(|mut s| {
            s.query_map(params, |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(sql_error(context))?;
    rows.into_iter()
        .zip(offset.saturating_add(1)..)
        .map(|((user, xp), rank)| {
            Ok(Ranked {
                rank,
                user: user_from_sql(user, context)?,
                xp: count(xp),
            })
        })
        .collect()
}

/// An offset as SQLite takes it (an offset past `i64::MAX` is past any end anyway).
fn offset_param(offset: u64) -> i64 {
    i64::try_from(offset).unwrap_or(i64::MAX)
}

/// The grant, under the write lock of the caller's `IMMEDIATE` transaction.
const GRANT_CONTEXT: &str = "granting XP";

/// One grant waiting for its batch's commit.
struct GrantJob {
    request: GrantRequest,
    result: Option<Result<GrantOutcome, StoreError>>,
    reply: tokio::sync::oneshot::Sender<Result<GrantOutcome, StoreError>>,
}

impl BatchJob for GrantJob {
    fn run(&mut self, conn: &Connection, staged: &mut Vec<Increment>) -> bool {
        let result = grant_in(conn, &self.request, staged);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, failed: Option<&StoreError>) {
        let result = match (failed, self.result) {
            (None, Some(result)) => result,
            (Some(err), _) => Err(StoreError::new(err.kind(), GRANT_CONTEXT, err.to_string())),
            (None, None) => Err(StoreError::bare(StoreErrorKind::Other, GRANT_CONTEXT)),
        };
        let _ = self.reply.send(result);
    }
}

/// Adds a guild's messages and active members of a day (`?1`, `?2`; by `?3`, `?4`).
const ACTIVITY_SQL: &str = "INSERT INTO xp_activity (guild_id, day, messages, active_members)
     VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (guild_id, day) DO UPDATE
     SET messages = messages + excluded.messages,
         active_members = active_members + excluded.active_members";

/// The grant, and the day's activity it adds, staged for the transaction's end.
fn grant_in(
    conn: &Connection,
    request: &GrantRequest,
    staged: &mut Vec<Increment>,
) -> Result<GrantOutcome, StoreError> {
    const CONTEXT: &str = "granting XP";
    let at = request.at.unix_millis();
    // `is_due`: never granted, or `at > last` and `at ≥ last + cooldown`, that is
    // `last ≤ at − max(cooldown, 1 ms)`.
    let cooldown = i64::try_from(request.cooldown.as_millis())
        .unwrap_or(i64::MAX)
        .max(1);
    let latest_due = at.saturating_sub(cooldown);
    let amount = i64::try_from(request.amount.min(XP_MAX)).unwrap_or(XP_MAX_SQL);
    // `SET` reads the row as it was: `prev_*` keep the values the grant replaces, so
    // `RETURNING` gives the member before and after in the one statement.
    let written = conn
        .prepare_cached(&format!(
            "INSERT INTO member_xp (guild_id, user_id, xp, messages, last_grant_at)
             VALUES (?1, ?2, ?3, 1, ?4)
             ON CONFLICT (guild_id, user_id) DO UPDATE
             SET prev_xp = xp,
                 prev_grant_at = last_grant_at,
                 xp = min(xp + excluded.xp, {XP_MAX_SQL}),
                 messages = CASE WHEN messages < {max} THEN messages + 1 ELSE messages END,
                 last_grant_at = excluded.last_grant_at
             WHERE last_grant_at IS NULL OR last_grant_at <= ?5
             RETURNING {MEMBER_COLUMNS}, prev_xp, prev_grant_at",
            max = i64::MAX
        ))
        .and_then(|mut s| {
            s.query_row(
                params![
                    id_to_sql(request.guild.get()),
                    id_to_sql(request.user.get()),
                    amount,
                    at,
                    latest_due
                ],
                |r| Ok((MemberRow::read(r)?, r.get::<_, i64>(3)?, r.get(4)?)),
            )
            .optional()
        })
        .map_err(sql_error(CONTEXT))?;
    let Some((row, prev_xp, prev_grant_at)) = written else {
        // Within the cooldown: nothing written; the member as they are.
        let before = member_or_zero(conn, request.guild, request.user, CONTEXT)?;
        return Ok(GrantOutcome {
            granted: false,
            before,
            after: before,
        });
    };
    let after = row.cook(request.guild, request.user)?;
    // A new row's `prev_*` are the defaults, 0 and NULL: the zero record.
    let before = MemberRow {
        xp: prev_xp,
        messages: i64::try_from(after.messages.saturating_sub(1)).unwrap_or(i64::MAX),
        last_grant_at: prev_grant_at,
    }
    .cook(request.guild, request.user)?;
    let outcome = GrantOutcome {
        granted: true,
        before,
        after,
    };
    debug_assert_eq!(request.apply(before), Some(after), "the reference rule");
    let day = Day::of(request.at);
    let counted = Activity::empty(day).count(&outcome);
    staged.push(Increment {
        sql: ACTIVITY_SQL,
        key: [id_to_sql(request.guild.get()), day.0],
        by: [
            i64::try_from(counted.messages).unwrap_or(i64::MAX),
            i64::try_from(counted.active_members).unwrap_or(i64::MAX),
        ],
    });
    Ok(outcome)
}

impl XpStore for SqliteStore {
    /// The conditional upsert (its `WHERE` is the cooldown) and the day's activity, in a
    /// transaction shared with the grants around it. See the module docs.
    fn grant(
        &self,
        request: GrantRequest,
    ) -> impl Future<Output = Result<GrantOutcome, StoreError>> + Send {
        // Grants share transactions with the grants that follow them (group commit, see
        // `batch`): the conditional upsert is the same, and the answer comes when it ran.
        let (reply, answer) = tokio::sync::oneshot::channel();
        let queued = self.batch(
            GRANT_CONTEXT,
            Box::new(GrantJob {
                request,
                result: None,
                reply,
            }),
        );
        async move {
            queued?;
            answer
                .await
                .map_err(|_| StoreError::bare(StoreErrorKind::Unavailable, GRANT_CONTEXT))?
        }
    }

    /// Any job but a grant commits the open transaction before it runs: an empty one is
    /// enough.
    fn flush(&self) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.call("committing XP grants", |_| Ok(()))
    }

    fn adjust(
        &self,
        guild: GuildId,
        user: UserId,
        change: XpChange,
    ) -> impl Future<Output = Result<Adjusted, StoreError>> + Send {
        const CONTEXT: &str = "changing a member's XP";
        self.call(CONTEXT, move |conn| {
            // The write lock is held from the read on, so no other change slips in between.
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let before = member_or_zero(&tx, guild, user, CONTEXT)?;
            let after = change.apply(before);
            let (xp, messages, last) = member_params(&after);
            tx.prepare_cached(
                "INSERT INTO member_xp (guild_id, user_id, xp, messages, last_grant_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (guild_id, user_id) DO UPDATE
                 SET xp = excluded.xp, messages = excluded.messages",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id_to_sql(guild.get()),
                    id_to_sql(user.get()),
                    xp,
                    messages,
                    last
                ])
            })
            .map_err(sql_error(CONTEXT))?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            Ok(Adjusted { before, after })
        })
    }

    fn member(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<Option<MemberXp>, StoreError>> + Send {
        const CONTEXT: &str = "reading a member's XP";
        self.call(CONTEXT, move |conn| member_row(conn, guild, user, CONTEXT))
    }

    fn reset_guild(&self, guild: GuildId) -> impl Future<Output = Result<u64, StoreError>> + Send {
        const CONTEXT: &str = "resetting a guild's XP";
        self.call(CONTEXT, move |conn| {
            let guild = id_to_sql(guild.get());
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let ranked = tx
                .prepare_cached(
                    "UPDATE member_xp SET xp = 0, messages = 0 WHERE guild_id = ?1 AND xp > 0",
                )
                .and_then(|mut s| s.execute(params![guild]))
                .map_err(sql_error(CONTEXT))?;
            // Members at 0 XP who still count messages (after a removal) are reset too.
            tx.prepare_cached(
                "UPDATE member_xp SET messages = 0 WHERE guild_id = ?1 AND messages <> 0",
            )
            .and_then(|mut s| s.execute(params![guild]))
            .map_err(sql_error(CONTEXT))?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            Ok(ranked as u64)
        })
    }

    fn leaderboard(
        &self,
        guild: GuildId,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Ranked>, StoreError>> + Send {
        const CONTEXT: &str = "reading a leaderboard";
        self.call(CONTEXT, move |conn| {
            // One read transaction: the buckets and the rows are of one snapshot.
            let tx = conn.transaction().map_err(sql_error(CONTEXT))?;
            let guild = id_to_sql(guild.get());
            let start: Option<(i64, i64)> = tx
                .prepare_cached(PAGE_START_SQL)
                .and_then(|mut s| {
                    s.query_row(params![guild, offset_param(offset)], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()
                })
                .map_err(sql_error(CONTEXT))?;
            let Some((first, above)) = start else {
                return Ok(Vec::new());
            };
            let inside = offset.saturating_sub(count(above));
            ranked_rows(
                &tx,
                LEADERBOARD_SQL,
                params![guild, bucket_top(first), limit, offset_param(inside)],
                offset,
                CONTEXT,
            )
        })
    }

    fn ranked_members(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        const CONTEXT: &str = "counting ranked members";
        self.call(CONTEXT, move |conn| {
            conn.prepare_cached(RANKED_MEMBERS_SQL)
                .and_then(|mut s| s.query_row(params![id_to_sql(guild.get())], |r| r.get(0)))
                .map(count)
                .map_err(sql_error(CONTEXT))
        })
    }

    fn rank(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<Option<Ranked>, StoreError>> + Send {
        const CONTEXT: &str = "reading a member's rank";
        self.call(CONTEXT, move |conn| {
            let found: Option<(i64, i64)> = conn
                .prepare_cached(RANK_SQL)
                .and_then(|mut s| {
                    s.query_row(
                        params![id_to_sql(guild.get()), id_to_sql(user.get())],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                })
                .map_err(sql_error(CONTEXT))?;
            Ok(found.map(|(xp, ahead)| Ranked {
                rank: count(ahead) + 1,
                user,
                xp: count(xp),
            }))
        })
    }

    fn global_leaderboard(
        &self,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Ranked>, StoreError>> + Send {
        const CONTEXT: &str = "reading the global leaderboard";
        self.call(CONTEXT, move |conn| {
            ranked_rows(
                conn,
                &format!("{GLOBAL_SUMS_SQL} ORDER BY total DESC, user_id ASC LIMIT ?1 OFFSET ?2"),
                params![limit, offset_param(offset)],
                offset,
                CONTEXT,
            )
        })
    }

    fn global_ranked_users(&self) -> impl Future<Output = Result<u64, StoreError>> + Send {
        const CONTEXT: &str = "counting the global leaderboard";
        self.call(CONTEXT, move |conn| {
            conn.prepare_cached(&format!("SELECT count(*) FROM ({GLOBAL_SUMS_SQL})"))
                .and_then(|mut s| s.query_row([], |r| r.get(0)))
                .map(count)
                .map_err(sql_error(CONTEXT))
        })
    }

    fn set_global_opt_out(
        &self,
        user: UserId,
        opt_out: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        const CONTEXT: &str = "saving a global leaderboard opt-out";
        self.call(CONTEXT, move |conn| {
            let sql = if opt_out {
                "INSERT OR IGNORE INTO xp_global_opt_outs (user_id) VALUES (?1)"
            } else {
                "DELETE FROM xp_global_opt_outs WHERE user_id = ?1"
            };
            conn.prepare_cached(sql)
                .and_then(|mut s| s.execute(params![id_to_sql(user.get())]))
                .map(drop)
                .map_err(sql_error(CONTEXT))
        })
    }

    fn global_opt_out(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        const CONTEXT: &str = "reading a global leaderboard opt-out";
        self.call(CONTEXT, move |conn| {
            conn.prepare_cached("SELECT 1 FROM xp_global_opt_outs WHERE user_id = ?1")
                .and_then(|mut s| {
                    s.query_row(params![id_to_sql(user.get())], |_| Ok(()))
                        .optional()
                })
                .map(|found| found.is_some())
                .map_err(sql_error(CONTEXT))
        })
    }

    fn activity(
        &self,
        guild: GuildId,
        from: Day,
        to: Day,
    ) -> impl Future<Output = Result<Vec<Activity>, StoreError>> + Send {
        const CONTEXT: &str = "reading activity";
        self.call(CONTEXT, move |conn| {
            conn.prepare_cached(
                "SELECT day, messages, active_members FROM xp_activity
                 WHERE guild_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day",
            )
            .and_then(|mut s| {
                s.query_map(params![id_to_sql(guild.get()), from.0, to.0], |r| {
                    Ok(Activity {
                        day: Day(r.get(0)?),
                        messages: count(r.get(1)?),
                        active_members: count(r.get(2)?),
                    })
                })?
                .collect()
            })
            .map_err(sql_error(CONTEXT))
        })
    }

    fn delete_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        const CONTEXT: &str = "deleting a user's XP";
        self.call(CONTEXT, move |conn| {
            let user = id_to_sql(user.get());
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(CONTEXT))?;
            let removed = tx
                .prepare_cached("DELETE FROM member_xp WHERE user_id = ?1")
                .and_then(|mut s| s.execute(params![user]))
                .map_err(sql_error(CONTEXT))?;
            tx.prepare_cached("DELETE FROM xp_global_opt_outs WHERE user_id = ?1")
                .and_then(|mut s| s.execute(params![user]))
                .map_err(sql_error(CONTEXT))?;
            tx.commit().map_err(sql_error(CONTEXT))?;
            Ok(removed as u64)
        })
    }
}

#[cfg(test)]
mod tests;
