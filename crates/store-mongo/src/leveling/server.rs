//! The conformance suite and seed-compatibility checks against a real server, found at run
//! time in `MONGODB_URI` (see `moderation/server.rs`, whose `TestDatabase` this reuses).

use hearth_xp_engine::{LevelRoles, XP_COOLDOWN};
use mongodb::bson::{DateTime, doc};

use super::*;
use crate::moderation::server::TestDatabase;

hearth_xp_engine::xp_store_suite!([] optional TestDatabase::create);

const GUILD: GuildId = GuildId::new(111_111_111_111_111_111);
const USER: UserId = UserId::new(222_222_222_222_222_222);

/// Records the earlier bot wrote read, rank and earn: Int32, Double and seconds included.
#[tokio::test]
async fn seed_records_read_rank_and_earn() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = hearth_xp_engine::testkit::Fixture::store(&db);
    store
        .levels()
        .insert_many([
            doc! { "user_id": USER.to_string(), "guild_id": GUILD.to_string(), "xp": 150_i32,
            "level": 1_i32, "total_messages": 8.0, "last_xp_time": 1_700_000_000.5 },
            doc! { "user_id": "5", "guild_id": GUILD.to_string(), "xp": 400.0, "level": 2,
            "total_messages": 20, "last_xp_time": DateTime::from_millis(1_600_000_000_000) },
            doc! { "user_id": "6", "guild_id": GUILD.to_string(), "xp": "garbage", "level": 3_i32,
            "total_messages": 1, "last_xp_time": "not a time" },
        ])
        .await
        .unwrap();
    store
        .level_roles()
        .insert_one(
            doc! { "guild_id": GUILD.to_string(), "level_roles": { "5": "77", "10": 88_i64 } },
        )
        .await
        .unwrap();
    let member = store.member(GUILD, USER).await.unwrap().unwrap();
    assert_eq!((member.xp, member.messages), (150, 8));
    assert_eq!(
        member.last_grant_at,
        Some(Timestamp::from_unix_millis(1_700_000_000_500))
    );
    // The unreadable XP falls back to the stored level's total; the record still shows.
    let six = store.member(GUILD, UserId::new(6)).await.unwrap().unwrap();
    assert_eq!(six.xp, hearth_xp_engine::total_xp_for(3));
    assert_eq!(store.rank(GUILD, USER).await.unwrap().unwrap().rank, 2);
    // Within the cooldown of the seconds-stored time: nothing; after it: granted.
    let request = |secs| GrantRequest {
        guild: GUILD,
        user: USER,
        at: Timestamp::from_unix_secs(secs),
        amount: 20,
        cooldown: XP_COOLDOWN,
    };
    assert!(!store.grant(request(1_700_000_030)).await.unwrap().granted);
    let after = store.grant(request(1_700_000_061)).await.unwrap();
    assert!(after.granted);
    assert_eq!((after.after.xp, after.after.messages), (170, 9));
    let raw = store
        .levels()
        .find_one(member_filter(GUILD, USER))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        raw.get_i64("level")
            .ok()
            .or(raw.get_i32("level").ok().map(i64::from)),
        Some(1)
    );
    let settings = store.level_settings(GUILD).await.unwrap().unwrap();
    assert_eq!(
        settings.level_roles,
        LevelRoles::new([
            (5, hearth_core::RoleId::new(77)),
            (10, hearth_core::RoleId::new(88))
        ])
    );
    hearth_xp_engine::testkit::Fixture::teardown(db).await;
}

/// `level` is written from XP, so the earlier bot reads the right level after a rollback.
#[tokio::test]
async fn level_is_written_from_xp() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = hearth_xp_engine::testkit::Fixture::store(&db);
    store
        .adjust(GUILD, USER, XpChange::Set(4_675))
        .await
        .unwrap();
    let raw = store
        .levels()
        .find_one(member_filter(GUILD, USER))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(raw.get_i64("level").unwrap(), 10);
    store
        .grant(GrantRequest {
            guild: GUILD,
            user: USER,
            at: Timestamp::from_unix_secs(1_700_000_000),
            amount: 2_000,
            cooldown: XP_COOLDOWN,
        })
        .await
        .unwrap();
    let raw = store
        .levels()
        .find_one(member_filter(GUILD, USER))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(raw.get_i64("xp").unwrap(), 6_675);
    assert_eq!(i64::from(level_for(6_675)), raw.get_i64("level").unwrap());
    let names = store.levels().list_index_names().await.unwrap();
    assert!(
        names.iter().any(|n| n == "guild_id_1_xp_-1_user_id_1"),
        "{names:?}"
    );
    hearth_xp_engine::testkit::Fixture::teardown(db).await;
}

/// Equal XP is ordered by numeric id although ids are stored as strings: `9` before `10`,
/// a 17-digit id before an 18-digit one — on the page, in ranks and globally.
#[tokio::test]
async fn ties_order_ids_numerically_not_as_text() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = hearth_xp_engine::testkit::Fixture::store(&db);
    let ids = [100_000_000_000_000_000, 10, 99_999_999_999_999_999, 9];
    for id in ids {
        store
            .adjust(GUILD, UserId::new(id), XpChange::Set(100))
            .await
            .unwrap();
    }
    let expected = [9, 10, 99_999_999_999_999_999, 100_000_000_000_000_000];
    let page = store.leaderboard(GUILD, 0, 10).await.unwrap();
    assert_eq!(
        page.iter().map(|r| r.user.get()).collect::<Vec<_>>(),
        expected
    );
    let global = store.global_leaderboard(0, 10).await.unwrap();
    assert_eq!(
        global.iter().map(|r| r.user.get()).collect::<Vec<_>>(),
        expected
    );
    for (rank, id) in (1..).zip(expected) {
        let found = store.rank(GUILD, UserId::new(id)).await.unwrap().unwrap();
        assert_eq!(found.rank, rank, "{id}");
    }
    hearth_xp_engine::testkit::Fixture::teardown(db).await;
}
