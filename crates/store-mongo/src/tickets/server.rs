//! The ticket suite and seed-compatibility checks against the server in `MONGODB_URI` (see
//! `moderation::server` for how tests find it and what happens without one).

use hearth_core::testkit::Fixture;
use hearth_tickets::TicketStatus;
use mongodb::bson::DateTime;

use super::*;
use crate::moderation::server::TestDatabase;

hearth_tickets::ticket_store_suite!([] optional TestDatabase::create);

const GUILD: GuildId = GuildId::new(111_111_111_111_111_111);
const ALICE: UserId = UserId::new(222_222_222_222_222_222);

/// Two tickets as the earlier bot wrote them: numbers, ids and times in every form it used,
/// and some fields nobody can read.
fn seed_documents() -> [Document; 2] {
    [
        doc! {
            "ticket_id": 7_i32, "guild_id": 111_111_111_111_111_111_i64,
            "user_id": ALICE.to_string(), "channel_id": 333_333_333_333_333_333_i64,
            "category": "billing", "status": "Closed", "claimed_by": 444_444_444_444_444_444_i64,
            "created_at": "2024-01-15T10:30:00", "closed_at": 1_705_400_000.5_f64, "rating": 4.0_f64,
        },
        doc! {
            "ticket_id": "ticket-0012", "guild_id": GUILD.to_string(), "user_id": ALICE.to_string(),
            "channel_id": "not a channel", "category": "support", "status": "open",
            "claimed_by": null, "created_at": DateTime::from_millis(1_705_500_000_000),
            "closed_at": null, "rating": "five",
        },
    ]
}

async fn plant_seed(store: &MongoStore) {
    store
        .collection(TICKETS)
        .insert_many(seed_documents())
        .await
        .unwrap();
}

#[tokio::test]
async fn the_earlier_bots_tickets_read_with_unreadable_fields_left_out() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store();
    plant_seed(store).await;
    let closed = store.ticket(GUILD, TicketNumber(7)).await.unwrap().unwrap();
    assert_eq!(closed.status, TicketStatus::Closed);
    assert_eq!(
        closed.channel,
        Some(ChannelId::new(333_333_333_333_333_333))
    );
    assert_eq!(
        closed.claimed_by,
        Some(UserId::new(444_444_444_444_444_444))
    );
    assert_eq!(closed.created_at, Timestamp::from_unix_secs(1_705_314_600));
    assert_eq!(
        closed.closed_at,
        Some(Timestamp::from_unix_millis(1_705_400_000_500))
    );
    assert_eq!(closed.rating.map(|r| r.score.get()), Some(4));
    assert_eq!(closed.revision, 0);
    // The string number "ticket-0012" is ticket 12, by number as in the list.
    let open = store
        .ticket(GUILD, TicketNumber(12))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (open.number, open.status),
        (TicketNumber(12), TicketStatus::Open)
    );
    // Numbers that only end like it are other tickets.
    for other in [2, 112, 0] {
        assert_eq!(
            store.ticket(GUILD, TicketNumber(other)).await.unwrap(),
            None
        );
    }
    let active = store.active_tickets(GUILD).await.unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].number, TicketNumber(12));
    assert_eq!((active[0].channel, active[0].rating.clone()), (None, None));
    assert_eq!(
        store
            .ticket_in_channel(GUILD, ChannelId::new(333_333_333_333_333_333))
            .await
            .unwrap()
            .map(|t| t.number),
        Some(TicketNumber(7))
    );
    db.teardown().await;
}

#[tokio::test]
async fn statistics_count_the_earlier_bots_tickets_whatever_form_their_time_has() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store();
    plant_seed(store).await;
    // #7 was opened "2024-01-15T10:30:00" (text), #12 on 2024-01-17 (a date); one more whose
    // time is seconds, on 2024-01-20.
    store
        .collection(TICKETS)
        .insert_one(doc! {
            "ticket_id": 20_i64, "guild_id": GUILD.to_string(), "user_id": "5",
            "category": "support", "status": "closed", "created_at": 1_705_708_800_i64,
        })
        .await
        .unwrap();
    let numbers = |since: i64| async move {
        let mut numbers: Vec<u64> = store
            .tickets_since(GUILD, Timestamp::from_unix_secs(since))
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.number.0)
            .collect();
        numbers.sort_unstable();
        numbers
    };
    // 2024-01-01, 2024-01-15T12:00, 2024-01-18, 2024-02-01.
    assert_eq!(numbers(1_704_067_200).await, [7, 12, 20]);
    assert_eq!(numbers(1_705_320_000).await, [12, 20]);
    assert_eq!(numbers(1_705_536_000).await, [20]);
    assert_eq!(numbers(1_706_745_600).await, Vec::<u64>::new());
    db.teardown().await;
}

#[tokio::test]
async fn numbers_continue_above_the_earlier_bots_and_its_open_tickets_count() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store();
    plant_seed(store).await;
    let new = |user: UserId| NewTicket {
        guild: GUILD,
        opener: user,
        category: "support".into(),
        reason: None,
        answers: Vec::new(),
        created_at: Timestamp::from_unix_secs(1_705_600_000),
    };
    let limits = MemberLimits::default(); // one open ticket
    // Alice's seed ticket #12 is open: she is at the limit.
    assert_eq!(
        store.open_ticket(new(ALICE), limits).await.unwrap(),
        Err(LimitHit::TooManyOpen { max: 1 })
    );
    let bobs = store
        .open_ticket(new(UserId::new(5)), limits)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bobs.number, TicketNumber(13));
    // Closing the seed ticket (no revision field yet) frees her slot.
    let seed_open = store.active_tickets(GUILD).await.unwrap()[0].clone();
    let mut closed = seed_open
        .close(None, None, Timestamp::from_unix_secs(1_705_600_001))
        .unwrap();
    // The seed's string number is matched by number, and written back as one.
    let written = store.update_ticket(&closed).await.unwrap().unwrap();
    assert_eq!(
        (written.revision, written.status),
        (1, TicketStatus::Closed)
    );
    let raw = store
        .collection(TICKETS)
        .find_one(doc! { "ticket_id": 12_i64 })
        .await
        .unwrap()
        .expect("the ticket, its number now an integer");
    assert_eq!(raw.get_str("status").ok(), Some("closed"));
    assert_eq!(
        store
            .open_ticket(new(ALICE), limits)
            .await
            .unwrap()
            .unwrap()
            .number,
        TicketNumber(14),
        "her slot is free again"
    );
    closed = store.ticket(GUILD, TicketNumber(7)).await.unwrap().unwrap();
    let reopened = closed
        .reopen(Timestamp::from_unix_secs(1_705_600_002))
        .unwrap();
    let written = store.update_ticket(&reopened).await.unwrap().unwrap();
    assert_eq!((written.revision, written.status), (1, TicketStatus::Open));
    db.teardown().await;
}

#[tokio::test]
async fn slots_left_by_a_crash_are_freed_when_the_member_hits_the_limit() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store();
    let at = Timestamp::from_unix_secs(1_705_600_000);
    let new = NewTicket {
        guild: GUILD,
        opener: ALICE,
        category: "support".into(),
        reason: None,
        answers: Vec::new(),
        created_at: at,
    };
    let limits = MemberLimits {
        max_open: 2,
        ..MemberLimits::default()
    };
    let first = store
        .open_ticket(new.clone(), limits)
        .await
        .unwrap()
        .unwrap();
    // A crash took a slot without inserting its ticket, two minutes ago, and another left a
    // closed ticket's slot taken.
    let phantom = ObjectId::new();
    let closed = first.close(None, None, at).unwrap();
    store
        .collection(TICKETS)
        .update_one(doc! { "ticket_id": 1_i64 }, update_document(&closed))
        .await
        .unwrap();
    store
        .collection(MEMBERS)
        .update_one(
            doc! { "_id": member_id(GUILD, ALICE) },
            take_slot_update(
                &Bson::ObjectId(phantom),
                Timestamp::from_unix_secs(1_705_599_880),
            ),
        )
        .await
        .unwrap();
    let second = store.open_ticket(new.clone(), limits).await.unwrap();
    assert_eq!(second.map(|t| t.number), Ok(TicketNumber(2)));
    // A slot taken just now by an open under way is left alone: two open slots, the limit.
    let under_way = ObjectId::new();
    store
        .collection(MEMBERS)
        .update_one(
            doc! { "_id": member_id(GUILD, ALICE) },
            take_slot_update(&Bson::ObjectId(under_way), at),
        )
        .await
        .unwrap();
    assert_eq!(
        store.open_ticket(new, limits).await.unwrap(),
        Err(LimitHit::TooManyOpen { max: 2 })
    );
    db.teardown().await;
}

#[tokio::test]
async fn indexes_exist_and_preparing_twice_is_harmless() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store();
    store.prepare().await.unwrap();
    let names = store.collection(TICKETS).list_index_names().await.unwrap();
    for name in [
        "guild_id_1_ticket_id_1",
        "guild_id_1_channel_id_1",
        "user_id_1",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    db.teardown().await;
}
