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
                    .replace("?3", "20");
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

/// Leaderboard pages, ranks and the ranked-member count are served by the index
/// `(guild_id, xp DESC, user_id)`: no scan of the table, no sort in a temporary b-tree.
#[tokio::test]
async fn leaderboard_and_rank_use_the_rank_index() {
    let FileFixture { store, dir: _dir } = fixture().await;
    let plans = plans(
        &store,
        vec![
            LEADERBOARD_SQL.to_owned(),
            RANKED_MEMBERS_SQL.to_owned(),
            RANK_SQL.to_owned(),
        ],
    )
    .await;
    for plan in &plans {
        assert!(plan.contains("member_xp_by_rank"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        assert!(!plan.contains("SCAN member_xp"), "{plan}");
    }
    // The rank's two counts each search a range of the index.
    assert_eq!(
        plans[2]
            .matches("SEARCH member_xp USING COVERING INDEX member_xp_by_rank")
            .count(),
        2,
        "{}",
        plans[2]
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
