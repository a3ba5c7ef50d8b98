//! The conformance suite and seed-compatibility checks against a real server, found at run
//! time in `MONGODB_URI` (see `moderation/server.rs`, whose `TestDatabase` this reuses).

use hearth_xp_engine::{LevelRoles, XP_COOLDOWN};
use mongodb::bson::{DateTime, doc};

use super::*;
use crate::moderation::server::TestDatabase;

hearth_xp_engine::xp_store_suite!([] optional TestDatabase::create);

const GUILD: GuildId = GuildId::new(111_111_111_111_111_111);
const USER: UserId = UserId::new(222_222_222_222_222_222);

/// `USER`'s grant of 20 XP for a message at `secs`, in `GUILD`.
fn request(secs: i64) -> GrantRequest {
    GrantRequest {
        guild: GUILD,
        user: USER,
        at: Timestamp::from_unix_secs(secs),
        amount: 20,
        cooldown: XP_COOLDOWN,
    }
}

/// `GUILD` and `USER` as the earlier bot stored them: Int64.
fn legacy_ids() -> (i64, i64) {
    (
        i64::try_from(GUILD.get()).unwrap(),
        i64::try_from(USER.get()).unwrap(),
    )
}

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
            amount: 2_000,
            ..request(1_700_000_000)
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

/// How many records `user` has in `guild`, in any id form.
async fn records(store: &MongoStore, guild: GuildId, user: UserId) -> u64 {
    store
        .levels()
        .count_documents(member_filter(guild, user))
        .await
        .unwrap()
}

/// Records the earlier bot wrote with numeric ids (Int64, Int32, Double) are seen by the
/// member read, the leaderboard, the rank and the global leaderboard; a grant or an admin change
/// adds to them (no second, string-id record) and leaves them in Hearth's string form.
#[tokio::test]
async fn integer_id_records_are_seen_and_written_without_a_second_record() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = hearth_xp_engine::testkit::Fixture::store(&db);
    let other_guild = GuildId::new(333_333_333_333_333_333);
    let (guild, user) = legacy_ids();
    store
        .levels()
        .insert_many([
            doc! { "user_id": user, "guild_id": guild, "xp": 500_i32, "level": 3_i32,
            "total_messages": 30_i32, "last_xp_time": 1_700_000_000_i64 },
            doc! { "user_id": 7_i32, "guild_id": guild, "xp": 300.0, "level": 2.0,
            "total_messages": 12.0,
            "last_xp_time": DateTime::from_millis(1_700_000_000_000) },
            doc! { "user_id": "8", "guild_id": GUILD.to_string(), "xp": 400_i64, "level": 2_i64,
            "total_messages": 15_i64 },
            doc! { "user_id": user, "guild_id": 333_333_333_333_333_333_i64, "xp": 50_i64 },
        ])
        .await
        .unwrap();
    let member = store.member(GUILD, USER).await.unwrap().unwrap();
    assert_eq!((member.xp, member.messages), (500, 30));
    let board = store.leaderboard(GUILD, 0, 10).await.unwrap();
    assert_eq!(
        board
            .iter()
            .map(|r| (r.user.get(), r.xp))
            .collect::<Vec<_>>(),
        [(USER.get(), 500), (8, 400), (7, 300)]
    );
    assert_eq!(store.ranked_members(GUILD).await.unwrap(), 3);
    assert_eq!(store.rank(GUILD, USER).await.unwrap().unwrap().rank, 1);
    assert_eq!(
        store
            .rank(GUILD, UserId::new(7))
            .await
            .unwrap()
            .unwrap()
            .rank,
        3
    );
    let global = store.global_leaderboard(0, 10).await.unwrap();
    assert_eq!(
        global
            .iter()
            .map(|r| (r.user.get(), r.xp))
            .collect::<Vec<_>>(),
        [(USER.get(), 550), (8, 400), (7, 300)],
        "one row per user across id forms and guilds"
    );

    // Within the cooldown of the seconds-stored time: nothing, and no second record.
    assert!(!store.grant(request(1_700_000_030)).await.unwrap().granted);
    assert_eq!(records(store, GUILD, USER).await, 1);
    let granted = store.grant(request(1_700_000_061)).await.unwrap();
    assert!(granted.granted);
    assert_eq!((granted.before.xp, granted.after.xp), (500, 520));
    assert_eq!(records(store, GUILD, USER).await, 1);
    let raw = store
        .levels()
        .find_one(member_filter(GUILD, USER))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(raw.get_str("user_id"), Ok("222222222222222222"));
    assert_eq!(raw.get_str("guild_id"), Ok("111111111111111111"));

    // An admin change adds to the Int32-id member's XP.
    let seven = UserId::new(7);
    let adjusted = store.adjust(GUILD, seven, XpChange::Add(50)).await.unwrap();
    assert_eq!((adjusted.before.xp, adjusted.after.xp), (300, 350));
    assert_eq!(records(store, GUILD, seven).await, 1);
    assert_eq!(
        store.leaderboard(GUILD, 0, 10).await.unwrap()[2].xp,
        350,
        "the leaderboard shows the one record"
    );
    assert_eq!(store.delete_user_data(USER).await.unwrap(), 2);
    assert_eq!(records(store, other_guild, USER).await, 0);
    hearth_xp_engine::testkit::Fixture::teardown(db).await;
}

/// The earlier bot's `level_roles` with a numeric `guild_id` and role ids read; a settings
/// change writes into that document (converted to a string id), not a second one.
#[tokio::test]
async fn level_roles_with_an_integer_guild_id_read_and_change() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = hearth_xp_engine::testkit::Fixture::store(&db);
    let (guild, _) = legacy_ids();
    store
        .level_roles()
        .insert_one(doc! { "guild_id": guild, "level_roles": { "5": 77_i32, "10": 88.0 } })
        .await
        .unwrap();
    let roles = |pairs: &[(u32, u64)]| {
        LevelRoles::new(
            pairs
                .iter()
                .map(|(level, role)| (*level, hearth_core::RoleId::new(*role))),
        )
    };
    let settings = store.level_settings(GUILD).await.unwrap().unwrap();
    assert_eq!(settings.level_roles, roles(&[(5, 77), (10, 88)]));
    let mut change = SettingsChange::default();
    change.level_role = Some((20, Some(hearth_core::RoleId::new(99))));
    let after = store.update_level_settings(GUILD, &change).await.unwrap();
    assert_eq!(after.level_roles, roles(&[(5, 77), (10, 88), (20, 99)]));
    assert_eq!(
        store.level_roles().count_documents(doc! {}).await.unwrap(),
        1
    );
    let stored = store
        .level_roles()
        .find_one(doc! {})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.get_str("guild_id"), Ok("111111111111111111"));
    hearth_xp_engine::testkit::Fixture::teardown(db).await;
}

/// Two records the earlier bot left for one member (one with numeric ids, one with string
/// ids): a grant succeeds into one of them and makes no third.
#[tokio::test]
async fn a_member_with_a_numeric_and_a_string_record_is_granted_once() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = hearth_xp_engine::testkit::Fixture::store(&db);
    let (guild, user) = legacy_ids();
    store
        .levels()
        .insert_many([
            doc! { "user_id": user, "guild_id": guild, "xp": 100_i64 },
            doc! { "user_id": USER.to_string(), "guild_id": GUILD.to_string(), "xp": 100_i64 },
        ])
        .await
        .unwrap();
    let granted = store.grant(request(1_700_000_000)).await.unwrap();
    assert!(granted.granted);
    assert_eq!(granted.after.xp, 120);
    assert_eq!(records(store, GUILD, USER).await, 2);
    let mut total = 0;
    for filter in [
        doc! { "user_id": user },
        doc! { "user_id": USER.to_string() },
    ] {
        let record = store.levels().find_one(filter).await.unwrap().unwrap();
        total += record.get_i64("xp").unwrap();
    }
    assert_eq!(total, 220, "one of the two got the grant");
    hearth_xp_engine::testkit::Fixture::teardown(db).await;
}
