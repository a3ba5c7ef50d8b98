use std::time::Duration;

use hearth_xp_engine::{LevelSettingsStore, RoleMode, SettingsChange, XP_COOLDOWN};

use super::*;

use crate::file_fixture::{FileFixture, fixture};

hearth_xp_engine::xp_store_suite!(fixture);

const GUILD: GuildId = GuildId::new(7);
const ALICE: UserId = UserId::new(11);

fn grant(secs: i64) -> GrantRequest {
    GrantRequest {
        guild: GUILD,
        user: ALICE,
        at: Timestamp::from_unix_secs(secs),
        amount: 20,
        cooldown: XP_COOLDOWN,
    }
}

/// The query plans of `sql` (its parameters `?1`, `?2`, `?3` replaced by literals), one line
/// per statement.
async fn plans(store: &SqliteStore, sql: Vec<String>) -> Vec<String> {
    store
        .call("explaining", move |c| {
            let mut plans = Vec::new();
            for sql in sql {
                let sql = sql
                    .replace("?1", "7")
                    .replace("?2", "10")
                    .replace("?3", "20")
                    .replace("?4", "30");
                let mut stmt = c
                    .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .map_err(sql_error("x"))?;
                let rows: Vec<String> = stmt
                    .query_map([], |r| r.get::<_, String>(3))
                    .and_then(Iterator::collect)
                    .map_err(sql_error("x"))?;
                plans.push(rows.join("; "));
            }
            Ok(plans)
        })
        .await
        .unwrap()
}

/// Whether a query plan reads `member_xp` only through ranges of `member_xp_by_rank` (or
/// one row by its key), never scanning the table or sorting it.
fn served_by_rank_index(plan: &str) -> bool {
    plan.contains("USING COVERING INDEX member_xp_by_rank")
        && !plan.contains("SCAN member_xp")
        && !plan.contains("TEMP B-TREE")
}

/// Leaderboard pages, ranks and the ranked-member count are served by indexes: the rows by
/// `(guild_id, xp DESC, user_id)`, the bucket sums by `xp_rank_buckets`' key; no scan of a
/// guild, no sort. Without the index the same check fails.
#[tokio::test]
async fn leaderboard_and_rank_use_the_rank_index() {
    let FileFixture { store, dir: _dir } = fixture().await;
    let queries = vec![
        LEADERBOARD_SQL.to_owned(),
        RANK_SQL.to_owned(),
        PAGE_START_SQL.to_owned(),
        RANKED_MEMBERS_SQL.to_owned(),
    ];
    let with = plans(&store, queries.clone()).await;
    assert!(served_by_rank_index(&with[0]), "{}", with[0]);
    assert!(served_by_rank_index(&with[1]), "{}", with[1]);
    // The rank's two counts each search a range of the index (more XP in the member's
    // bucket; equal XP and a lower id), the buckets above are a range of their key.
    assert_eq!(
        with[1]
            .matches("SEARCH member_xp USING COVERING INDEX member_xp_by_rank")
            .count(),
        2,
        "{}",
        with[1]
    );
    for plan in &with[1..] {
        assert!(
            plan.contains("SEARCH b USING PRIMARY KEY (guild_id=? AND bucket>?)")
                || plan.contains("SEARCH xp_rank_buckets USING PRIMARY KEY (guild_id=?)"),
            "{plan}"
        );
        assert!(!plan.contains("SCAN xp_rank_buckets"), "{plan}");
    }
    store
        .call("dropping the index", |c| {
            c.execute_batch("DROP INDEX member_xp_by_rank")
                .map_err(sql_error("x"))
        })
        .await
        .unwrap();
    let without = plans(&store, queries).await;
    assert!(!served_by_rank_index(&without[0]), "{}", without[0]);
    assert!(!served_by_rank_index(&without[1]), "{}", without[1]);
}

/// The bucket expression the migration's triggers use is [`bucket`], at every edge.
#[tokio::test]
async fn buckets_in_sql_are_the_buckets_in_rust() {
    let FileFixture { store, dir: _dir } = fixture().await;
    let values: Vec<u64> = vec![
        1, 15, 4_095, 4_096, 4_097, 4_351, 4_352, 4_607, 65_535, 65_536, 1_899_250, XP_MAX,
    ];
    let in_sql = values.clone();
    let buckets: Vec<i64> = store
        .call("bucketing", move |c| {
            in_sql
                .iter()
                .map(|xp| {
                    c.query_row(
                        "SELECT CASE WHEN ?1 < 4096 THEN ?1 ELSE 4080 + (?1 >> 8) END",
                        params![i64::try_from(*xp).unwrap()],
                        |r| r.get(0),
                    )
                    .map_err(sql_error("x"))
                })
                .collect()
        })
        .await
        .unwrap();
    let expected: Vec<i64> = values.iter().map(|xp| bucket(*xp)).collect();
    assert_eq!(buckets, expected);
    // Buckets follow XP order, and each value lies at or below its bucket's top.
    for pair in values.windows(2) {
        assert!(bucket(pair[0]) <= bucket(pair[1]));
    }
    for xp in values {
        let top = u64::try_from(bucket_top(bucket(xp))).unwrap();
        assert!(xp <= top && bucket(top) == bucket(xp), "{xp} {top}");
        assert_ne!(bucket(top + 1), bucket(xp));
    }
}

/// Every rank, every page and the ranked count agree with a plain count over `member_xp`
/// while XP moves across buckets: grants, admin changes up and down to 0, a member's data
/// deleted, a guild reset.
#[tokio::test]
async fn ranks_and_pages_agree_with_plain_counts_as_xp_moves_between_buckets() {
    let FileFixture { store, dir: _dir } = fixture().await;
    let user = |n: u64| UserId::new(100 + n);
    let other = GuildId::new(8);
    // Ties, exact buckets, ranged buckets and the edge between them.
    let xp = [
        20, 20, 20, 25, 4_095, 4_096, 4_100, 4_351, 4_352, 90_000, 90_000, 0,
    ];
    for (n, xp) in (0..).zip(xp) {
        store
            .adjust(GUILD, user(n), XpChange::Set(xp))
            .await
            .unwrap();
        store
            .adjust(other, user(n), XpChange::Set(xp + 1))
            .await
            .unwrap();
    }
    let check = async |when: &str| {
        let expected: Vec<(u64, u64)> = store
            .call("reading plainly", |c| {
                let mut s = c
                    .prepare(
                        "SELECT user_id, xp FROM member_xp WHERE guild_id = 7 AND xp > 0
                         ORDER BY xp DESC, user_id",
                    )
                    .map_err(sql_error("x"))?;
                s.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                    .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
                    .map(|rows| {
                        rows.into_iter()
                            .map(|(u, xp)| (u64::try_from(u).unwrap(), count(xp)))
                            .collect()
                    })
                    .map_err(sql_error("x"))
            })
            .await
            .unwrap();
        let ranked = expected.len() as u64;
        assert_eq!(store.ranked_members(GUILD).await.unwrap(), ranked, "{when}");
        for (position, (u, xp)) in (1..).zip(&expected) {
            let found = store.rank(GUILD, UserId::new(*u)).await.unwrap();
            assert_eq!(
                found,
                Some(Ranked {
                    rank: position,
                    user: UserId::new(*u),
                    xp: *xp
                }),
                "{when}"
            );
        }
        for offset in 0..=ranked {
            for limit in [1, 3, 10] {
                let page: Vec<(u64, u64, u64)> = store
                    .leaderboard(GUILD, offset, limit)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|r| (r.rank, r.user.get(), r.xp))
                    .collect();
                let plain: Vec<(u64, u64, u64)> = expected
                    .iter()
                    .skip(usize::try_from(offset).unwrap())
                    .take(usize::try_from(limit).unwrap())
                    .zip(offset + 1..)
                    .map(|((u, xp), rank)| (rank, *u, *xp))
                    .collect();
                assert_eq!(page, plain, "{when}: offset {offset}, limit {limit}");
            }
        }
    };
    check("set").await;
    // Grants move members up inside a bucket and into the next.
    for n in [0, 4, 7, 11] {
        let mut request = grant(1_000);
        request.user = user(n);
        assert!(store.grant(request).await.unwrap().granted);
    }
    check("granted").await;
    store
        .adjust(GUILD, user(9), XpChange::Remove(89_990))
        .await
        .unwrap();
    store
        .adjust(GUILD, user(5), XpChange::Set(0))
        .await
        .unwrap();
    store
        .adjust(GUILD, user(1), XpChange::Add(70_000))
        .await
        .unwrap();
    check("adjusted").await;
    store.delete_user_data(user(3)).await.unwrap();
    check("deleted").await;
    store.reset_guild(GUILD).await.unwrap();
    check("reset").await;
    assert_eq!(
        store.ranked_members(other).await.unwrap(),
        11,
        "the other guild kept its board"
    );
}

/// XP, cooldowns, activity, opt-outs, settings and boosts survive closing and reopening the
/// file, and the reopened store refuses a replay of the last grant.
#[tokio::test]
async fn leveling_data_survives_reopening_the_file() {
    let FileFixture { store, dir } = fixture().await;
    let first = store.grant(grant(100)).await.unwrap();
    assert!(first.granted);
    store.set_global_opt_out(ALICE, true).await.unwrap();
    let settings = store
        .update_level_settings(GUILD, &SettingsChange::role_mode(RoleMode::Replace))
        .await
        .unwrap();
    drop(store);
    let reopened = SqliteStore::open(dir.path().join("hearth.db"))
        .await
        .unwrap();
    assert_eq!(
        reopened.member(GUILD, ALICE).await.unwrap(),
        Some(first.after)
    );
    assert!(!reopened.grant(grant(100)).await.unwrap().granted);
    assert!(reopened.global_opt_out(ALICE).await.unwrap());
    assert_eq!(
        reopened.level_settings(GUILD).await.unwrap(),
        Some(settings)
    );
    let day = Day::of(Timestamp::from_unix_secs(100));
    assert_eq!(reopened.activity(GUILD, day, day).await.unwrap().len(), 1);
}

/// Ids above 2⁶³ (stored bit for bit as negative integers) round-trip.
#[tokio::test]
async fn the_largest_ids_round_trip() {
    let FileFixture { store, dir: _dir } = fixture().await;
    let (guild, user) = (GuildId::new(u64::MAX), UserId::new(u64::MAX - 1));
    let mut request = grant(0);
    (request.guild, request.user) = (guild, user);
    let outcome = store.grant(request).await.unwrap();
    assert_eq!(
        store.member(guild, user).await.unwrap(),
        Some(outcome.after)
    );
    assert_eq!(
        store.rank(guild, user).await.unwrap().map(|r| r.user),
        Some(user)
    );
    assert_eq!(store.global_leaderboard(0, 10).await.unwrap()[0].user, user);
}

/// A zero cooldown still refuses a replay (the same time) and grants a millisecond later;
/// a cooldown too long to add to the time grants nothing.
#[tokio::test]
async fn cooldown_edges_follow_the_reference_rule() {
    let FileFixture { store, dir: _dir } = fixture().await;
    store.grant(grant(0)).await.unwrap();
    let mut zero = grant(0);
    zero.cooldown = Duration::ZERO;
    assert!(!store.grant(zero).await.unwrap().granted);
    zero.at = Timestamp::from_unix_millis(1);
    assert!(store.grant(zero).await.unwrap().granted);
    let mut endless = grant(1_000_000);
    endless.cooldown = Duration::MAX;
    assert!(!store.grant(endless).await.unwrap().granted);
}

/// A row no Hearth could have written is a `Corrupt` error, not a wrong number.
#[tokio::test]
async fn an_unreadable_row_is_reported_as_corrupt() {
    let FileFixture { store, dir: _dir } = fixture().await;
    store
        .call("planting bad rows", |c| {
            c.execute_batch(
                "INSERT INTO member_xp (guild_id, user_id, xp, messages, last_grant_at)
                 VALUES (7, 11, -5, 0, NULL);
                 INSERT INTO level_settings VALUES (7, 100000, '{\"kind\":\"off\"}', 'x',
                     '[]', '[]', '\"stack\"', 1);",
            )
            .map_err(sql_error("x"))
        })
        .await
        .unwrap();
    let err = store.member(GUILD, ALICE).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    let err = store.grant(grant(0)).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    let err = store.level_settings(GUILD).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
}

/// Grants queued together share a transaction (group commit) yet each keeps its cooldown:
/// of many copies of one message, one earns; every other member's grant stands.
#[tokio::test]
async fn grants_committed_together_still_grant_once_per_cooldown() {
    let FileFixture { store, dir: _dir } = fixture().await;
    let mut requests = Vec::new();
    for n in 1..=300_u64 {
        requests.push(grant(0));
        let mut other = grant(0);
        other.user = UserId::new(1_000 + n);
        requests.push(other);
    }
    // `grant` queues when called: all 600 wait in the queue together before any is awaited.
    let queued: Vec<_> = requests.into_iter().map(|r| store.grant(r)).collect();
    let mut outcomes = Vec::new();
    for grant in queued {
        outcomes.push(grant.await.unwrap());
    }
    let alice = outcomes.iter().step_by(2).filter(|o| o.granted).count();
    let others = outcomes
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|o| o.granted)
        .count();
    assert_eq!((alice, others), (1, 300));
    assert_eq!(store.member(GUILD, ALICE).await.unwrap().unwrap().xp, 20);
    assert_eq!(store.ranked_members(GUILD).await.unwrap(), 301);
}

/// A grant that fails inside a shared transaction undoes its own statements only.
#[tokio::test]
async fn a_failing_grant_does_not_sink_the_others_of_its_batch() {
    let FileFixture { store, dir: _dir } = fixture().await;
    store
        .call("planting a bad row", |c| {
            c.execute_batch(
                "INSERT INTO member_xp (guild_id, user_id, xp, messages, last_grant_at)
                 VALUES (7, 11, -5, 0, NULL);",
            )
            .map_err(sql_error("x"))
        })
        .await
        .unwrap();
    let mut bob = grant(0);
    bob.user = UserId::new(12);
    let (alice, bob) = tokio::join!(store.grant(grant(0)), store.grant(bob));
    assert_eq!(alice.unwrap_err().kind(), StoreErrorKind::Corrupt);
    assert!(bob.unwrap().granted);
    assert_eq!(
        store
            .member(GUILD, UserId::new(12))
            .await
            .unwrap()
            .unwrap()
            .xp,
        20
    );
    let day = hearth_xp_engine::Day::of(Timestamp::from_unix_secs(0));
    let activity = store.activity(GUILD, day, day).await.unwrap();
    assert_eq!(activity[0].messages, 1, "only bob's message counted");
}

/// Grants are answered before their transaction commits; dropping the last handle (the bot
/// shutting down) commits them: a new handle on the file finds every one.
#[tokio::test]
async fn dropping_the_store_commits_the_grants_it_answered() {
    let FileFixture { store, dir } = fixture().await;
    for n in 0..50 {
        let mut request = grant(0);
        request.user = UserId::new(100 + n);
        assert!(store.grant(request).await.unwrap().granted);
    }
    drop(store);
    let reopened = SqliteStore::open(dir.path().join("hearth.db"))
        .await
        .unwrap();
    assert_eq!(reopened.ranked_members(GUILD).await.unwrap(), 50);
}

/// A steady stream of grants never leaves the queue idle, yet the open transaction commits
/// within `OPEN_MAX` (the crash loss window), not only when `BATCH_MAX` writes piled up:
/// another handle sees grants while the stream still runs, long before the batch could fill.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_stream_of_grants_still_commits_within_the_loss_window() {
    use hearth_core::testkit::Fixture as _;
    use std::sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    };

    let fixture = fixture().await;
    let other = fixture.second_handle().await;
    let (writer, stop, sent) = (
        fixture.store.clone(),
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let stream = tokio::spawn({
        let (stop, sent) = (Arc::clone(&stop), Arc::clone(&sent));
        async move {
            while !stop.load(Ordering::SeqCst) {
                let mut request = grant(0);
                request.user = UserId::new(1_000 + sent.load(Ordering::SeqCst));
                assert!(writer.grant(request).await.unwrap().granted);
                sent.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let started = std::time::Instant::now();
    let seen = loop {
        let seen = other.ranked_members(GUILD).await.unwrap();
        if seen > 0 {
            break seen;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nothing committed"
        );
        tokio::task::yield_now().await;
    };
    let sent_when_seen = sent.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    stream.await.unwrap();
    assert!(
        seen < crate::BATCH_MAX as u64 && seen <= sent_when_seen,
        "{seen} seen of {sent_when_seen} answered"
    );
    fixture.store.flush().await.unwrap();
    assert_eq!(
        other.ranked_members(GUILD).await.unwrap(),
        sent.load(Ordering::SeqCst)
    );
}
