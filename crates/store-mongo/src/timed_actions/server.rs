//! The timed-action suite and checks against the server in `MONGODB_URI` (see
//! `moderation::server` for how tests find it and what happens without one).

use hearth_core::{GuildId, UserId};
use hearth_core::{testkit::Fixture, timed::ActionKind};

use super::*;
use crate::moderation::server::TestDatabase;

hearth_core::timed_action_store_suite!([] optional TestDatabase::create);

fn claim_all() -> ClaimRequest {
    ClaimRequest {
        now: Timestamp::from_unix_secs(1_000),
        lease: hearth_core::timed::DEFAULT_LEASE,
        owner: LeaseOwner::new("test"),
        limit: 100,
    }
}

#[tokio::test]
async fn indexes_exist_and_preparing_twice_is_harmless() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store();
    store.prepare().await.unwrap();
    let names = store.timed_collection().list_index_names().await.unwrap();
    for name in ["_id_", "id_1", "ready_at_1_id_1"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    db.teardown().await;
}

/// An action of a kind a newer Hearth scheduled is neither claimed nor reported as due; the
/// others run.
#[tokio::test]
async fn actions_of_unknown_kinds_are_left_alone() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store();
    store
        .timed_collection()
        .insert_one(doc! {
            "_id": "5:archive_thread:9", "id": 1_000_000_i64, "guild_id": "5",
            "action": { "kind": "archive_thread", "channel_id": "9" },
            "due_at": mongodb::bson::DateTime::from_millis(0), "attempts": 0_i64,
            "scheduled_at": mongodb::bson::DateTime::from_millis(0),
            "ready_at": mongodb::bson::DateTime::from_millis(0),
        })
        .await
        .unwrap();
    assert_eq!(store.next_due().await.unwrap(), None);
    let known = store
        .schedule(NewTimedAction {
            guild: GuildId::new(5),
            kind: ActionKind::Unban {
                user: UserId::new(1),
            },
            due_at: Timestamp::from_unix_secs(10),
            case: None,
            scheduled_at: Timestamp::from_unix_secs(0),
        })
        .await
        .unwrap();
    let claimed = store.claim_due(claim_all()).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].action.id, known.id);
    db.teardown().await;
}
