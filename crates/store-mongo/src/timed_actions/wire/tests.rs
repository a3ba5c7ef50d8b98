//! The BSON of `timed_actions`, checked without a server.

use hearth_core::{RoleId, UserId};

use hearth_core::timed::NewTimedAction;

use super::*;

const GUILD: GuildId = GuildId::new(111_111_111_111_111_111);

fn action() -> TimedAction {
    TimedAction::new(
        ActionId(42),
        NewTimedAction {
            guild: GUILD,
            kind: ActionKind::Unmute {
                user: UserId::new(222_222_222_222_222_222),
                role: Some(RoleId::new(333)),
            },
            due_at: Timestamp::from_unix_millis(1_705_314_600_000),
            case: Some(7),
            scheduled_at: Timestamp::from_unix_millis(1_705_314_000_000),
        },
    )
}

#[test]
fn an_action_is_one_document_keyed_by_guild_kind_and_subject() {
    let doc = action_document(&action()).unwrap();
    assert_eq!(
        doc,
        doc! {
            "_id": "111111111111111111:unmute:222222222222222222",
            "id": 42_i64,
            "guild_id": "111111111111111111",
            "action": { "kind": "unmute", "user_id": "222222222222222222", "role_id": "333" },
            "case_id": 7_i64,
            "due_at": DateTime::from_millis(1_705_314_600_000),
            "attempts": 0_i64,
            "scheduled_at": DateTime::from_millis(1_705_314_000_000),
            "leased_by": Bson::Null,
            "lease_until": Bson::Null,
            "ready_at": DateTime::from_millis(1_705_314_600_000),
        }
    );
    assert_eq!(read_action(&doc).unwrap(), action());
}

#[test]
fn a_document_reads_leniently_and_refuses_what_no_hearth_wrote() {
    let mut doc = action_document(&action()).unwrap();
    doc.insert("attempts", 3_i32);
    doc.insert("case_id", Bson::Null);
    doc.insert("id", 42.0_f64);
    let read = read_action(&doc).unwrap();
    assert_eq!((read.attempts, read.case, read.id), (3, None, ActionId(42)));
    doc.insert("action", doc! { "kind": "unban" });
    let err = read_action(&doc).unwrap_err();
    assert!(err.to_string().starts_with("field `action`"), "{err}");
}

#[test]
fn claims_filter_on_known_kinds_and_readiness_and_lease_with_a_token() {
    let now = Timestamp::from_unix_millis(1_000);
    assert_eq!(
        claimable_filter(now),
        doc! {
            "ready_at": { "$lte": DateTime::from_millis(1_000) },
            "action.kind": { "$in": ["unban", "unmute", "unlock", "close_ticket", "close_requested"] },
        }
    );
    assert_eq!(claim_sort(), doc! { "ready_at": 1, "id": 1 });
    assert_eq!(
        still_claimable_filter(&[1, 2], now),
        doc! { "id": { "$in": [1_i64, 2_i64] }, "ready_at": { "$lte": DateTime::from_millis(1_000) } }
    );
    let token = ObjectId::new();
    let until = Timestamp::from_unix_millis(61_000);
    assert_eq!(
        lease_update(&LeaseOwner::new("a"), until, token),
        doc! {
            "$set": {
                "leased_by": "a",
                "lease_until": DateTime::from_millis(61_000),
                "ready_at": DateTime::from_millis(61_000),
                "lease_token": token,
            },
            "$inc": { "attempts": 1_i64 },
        }
    );
    assert_eq!(
        won_filter(&[1], token),
        doc! { "id": { "$in": [1_i64] }, "lease_token": token }
    );
}

#[test]
fn completing_and_retrying_need_the_owners_lease() {
    let owner = LeaseOwner::new("host:1");
    assert_eq!(
        held_filter(5, &owner),
        doc! { "id": 5_i64, "leased_by": "host:1" }
    );
    assert_eq!(
        retry_update(Timestamp::from_unix_millis(9)),
        doc! {
            "$set": {
                "due_at": DateTime::from_millis(9),
                "ready_at": DateTime::from_millis(9),
                "leased_by": Bson::Null,
                "lease_until": Bson::Null,
            },
            "$unset": { "lease_token": "" },
        }
    );
}

#[test]
fn indexes_serve_ids_and_the_claim_order() {
    let docs: Vec<Document> = indexes()
        .iter()
        .map(|m| bson::to_document(m).unwrap())
        .collect();
    assert_eq!(
        docs,
        [
            doc! { "key": { "id": 1 }, "unique": true },
            doc! { "key": { "ready_at": 1, "id": 1 } },
        ]
    );
}
