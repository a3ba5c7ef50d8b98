use hearth_core::UserId;

use super::*;

use crate::file_fixture::{FileFixture, fixture};

hearth_core::timed_action_store_suite!(fixture);

const GUILD: GuildId = GuildId::new(5);

fn unban(user: u64, due_secs: i64) -> NewTimedAction {
    NewTimedAction {
        guild: GUILD,
        kind: ActionKind::Unban {
            user: UserId::new(user),
        },
        due_at: Timestamp::from_unix_secs(due_secs),
        case: None,
        scheduled_at: Timestamp::from_unix_secs(0),
    }
}

fn claim_all(now_secs: i64) -> ClaimRequest {
    ClaimRequest {
        now: Timestamp::from_unix_secs(now_secs),
        lease: hearth_core::timed::DEFAULT_LEASE,
        owner: LeaseOwner::new("test"),
        limit: 100,
    }
}

async fn plant(store: &SqliteStore, sql: &'static str) {
    store
        .call("planting a row", move |c| {
            c.execute(sql, []).map_err(sql_error("x"))
        })
        .await
        .unwrap();
}

/// Actions due while the bot was down are claimed when it starts again; a re-scheduled
/// action's id is never handed out again, even after the newest row was deleted.
#[tokio::test]
async fn actions_survive_reopening_the_file_and_ids_are_never_reused() {
    let FileFixture { store, dir } = fixture().await;
    let first = store.schedule(unban(1, 10)).await.unwrap();
    let second = store.schedule(unban(1, 20)).await.unwrap();
    assert!(store.cancel(second.key()).await.unwrap());
    drop(store);
    let reopened = SqliteStore::open(dir.path().join("hearth.db"))
        .await
        .unwrap();
    let third = reopened.schedule(unban(2, 30)).await.unwrap();
    assert!(third.id > second.id && second.id > first.id, "{third:?}");
    let claimed = reopened.claim_due(claim_all(1_000)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].action.id, third.id);
}

/// An action of a kind a newer Hearth scheduled is neither claimed nor reported as due: it
/// waits for a process that knows it, and the others keep running.
#[tokio::test]
async fn actions_of_unknown_kinds_are_left_alone() {
    let FileFixture { store, dir: _dir } = fixture().await;
    plant(
        &store,
        "INSERT INTO timed_actions (guild_id, kind, subject_id, action, due_at, attempts,
             scheduled_at, ready_at)
         VALUES (5, 'archive_thread', 9, '{\"kind\":\"archive_thread\",\"channel_id\":\"9\"}',
             0, 0, 0, 0)",
    )
    .await;
    assert_eq!(store.next_due().await.unwrap(), None);
    let known = store.schedule(unban(1, 10)).await.unwrap();
    assert_eq!(
        store.next_due().await.unwrap(),
        Some(Timestamp::from_unix_secs(10))
    );
    let claimed = store.claim_due(claim_all(1_000)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].action.id, known.id);
}

#[tokio::test]
async fn an_unreadable_row_is_reported_as_corrupt() {
    let FileFixture { store, dir: _dir } = fixture().await;
    plant(
        &store,
        "INSERT INTO timed_actions (guild_id, kind, subject_id, action, due_at, attempts,
             scheduled_at, ready_at)
         VALUES (5, 'unban', 1, '{\"kind\":\"unban\"}', 0, 0, 0, 0)",
    )
    .await;
    let key = ActionKey::new(
        GUILD,
        &ActionKind::Unban {
            user: UserId::new(1),
        },
    );
    assert_eq!(
        store.pending(key).await.unwrap_err().kind(),
        StoreErrorKind::Corrupt
    );
    let err = store.claim_due(claim_all(1_000)).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    // The failed claim rolled back: the row is still unleased.
    let leased: Option<String> = store
        .call("reading the lease", |c| {
            c.query_row("SELECT leased_by FROM timed_actions", [], |r| r.get(0))
                .map_err(sql_error("x"))
        })
        .await
        .unwrap();
    assert_eq!(leased, None);
}

/// A claim is served by the `(ready_at, id)` index, not a scan of every pending action.
#[tokio::test]
async fn claims_and_next_due_use_the_ready_index() {
    let FileFixture { store, dir: _dir } = fixture().await;
    let plans: Vec<String> = store
        .call("explaining", |c| {
            let mut plans = Vec::new();
            for sql in [
                format!(
                    "EXPLAIN QUERY PLAN SELECT id FROM timed_actions WHERE ready_at <= 1 AND {}
                     ORDER BY ready_at, id LIMIT 3",
                    *KNOWN_KINDS
                ),
                format!(
                    "EXPLAIN QUERY PLAN SELECT ready_at FROM timed_actions WHERE {}
                     ORDER BY ready_at, id LIMIT 1",
                    *KNOWN_KINDS
                ),
            ] {
                let mut stmt = c.prepare(&sql).map_err(sql_error("x"))?;
                let rows: Vec<String> = stmt
                    .query_map([], |r| r.get::<_, String>(3))
                    .and_then(Iterator::collect)
                    .map_err(sql_error("x"))?;
                plans.push(rows.join("; "));
            }
            Ok(plans)
        })
        .await
        .unwrap();
    for plan in plans {
        assert!(plan.contains("timed_actions_by_ready"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
