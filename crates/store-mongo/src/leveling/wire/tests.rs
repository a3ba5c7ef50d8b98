//! The leveling collections' BSON, checked without a server.

use hearth_xp_engine::{XP_COOLDOWN, XpRate};

use super::*;

const GUILD: GuildId = GuildId::new(111_111_111_111_111_111);
const USER: UserId = UserId::new(222_222_222_222_222_222);

fn request(at_secs: i64, amount: u64) -> GrantRequest {
    GrantRequest {
        guild: GUILD,
        user: USER,
        at: Timestamp::from_unix_secs(at_secs),
        amount,
        cooldown: XP_COOLDOWN,
    }
}

/// The guild's and the user's ids in every form the earlier bot stored them.
fn any_form() -> (Bson, Bson) {
    (
        crate::store::id_forms(GUILD.get()),
        crate::store::id_forms(USER.get()),
    )
}

#[test]
fn the_grant_is_due_at_the_cooldown_in_every_stored_time_form() {
    let (guild, user) = any_form();
    assert_eq!(
        due_member_filter(&request(1_000, 20), false),
        doc! {
            "guild_id": guild,
            "user_id": user,
            "$or": [
                { "last_xp_time": null },
                { "last_xp_time": { "$lte": DateTime::from_millis(940_000) } },
                { "last_xp_time": { "$lte": 940.0 } },
                { "last_xp_time": { "$gt": 1e11, "$lte": 940_000.0 } },
                { "last_xp_time": { "$type": "string" } },
            ],
        }
    );
    // A zero cooldown still refuses the same time (a replay): strictly before.
    let mut zero = request(1_000, 20);
    zero.cooldown = Duration::ZERO;
    let filter = due_member_filter(&zero, false);
    let clauses = filter.get_array("$or").unwrap();
    assert_eq!(
        clauses[1],
        Bson::Document(doc! { "last_xp_time": { "$lte": DateTime::from_millis(999_999) } })
    );
    // Beside a numeric-id twin, the grant goes to the string-id record.
    let strings = due_member_filter(&request(1_000, 20), true);
    assert_eq!(strings.get_str("guild_id"), Ok("111111111111111111"));
    assert_eq!(strings.get_str("user_id"), Ok("222222222222222222"));
}

#[test]
fn grants_increment_and_cut_the_amount_to_the_cap() {
    assert_eq!(
        grant_update(&request(1_000, 20)),
        doc! {
            "$inc": { "xp": 20_i64, "total_messages": 1_i64 },
            "$set": {
                "last_xp_time": DateTime::from_millis(1_000_000),
                "guild_id": "111111111111111111",
                "user_id": "222222222222222222",
            },
        }
    );
    let huge = grant_update(&request(1_000, u64::MAX));
    assert_eq!(
        huge.get_document("$inc").unwrap().get_i64("xp").unwrap(),
        XP_MAX_I64
    );
    assert_eq!(
        level_fix_update(u64::MAX),
        doc! { "$set": { "xp": XP_MAX_I64, "level": 10_000_i64 } }
    );
}

#[test]
fn member_documents_keep_the_seed_shape_with_level_from_xp() {
    let member = MemberXp {
        xp: 4_675,
        messages: 3,
        last_grant_at: Some(Timestamp::from_unix_secs(5)),
        ..MemberXp::new(GUILD, USER)
    };
    assert_eq!(
        member_document(&member),
        doc! {
            "user_id": "222222222222222222", "guild_id": "111111111111111111",
            "xp": 4_675_i64, "level": 10_i64, "total_messages": 3_i64,
            "last_xp_time": DateTime::from_millis(5_000),
        }
    );
    let read = read_member(GUILD, USER, &member_document(&member));
    assert_eq!(read.member, member);
}

#[test]
fn one_unreadable_field_never_hides_the_record() {
    let doc = doc! { "xp": "lots", "level": 2_i32, "total_messages": 7.0, "last_xp_time": true };
    let read = read_member(GUILD, USER, &doc).member;
    assert_eq!(
        (read.xp, read.messages, read.last_grant_at),
        (total_xp_for(2), 7, None)
    );
    let doc = doc! { "xp": -5, "last_xp_time": "2024-01-15T10:30:00" };
    let read = read_member(GUILD, USER, &doc).member;
    assert_eq!(read.xp, 0);
    assert_eq!(
        read.last_grant_at,
        Some(Timestamp::from_unix_millis(1_705_314_600_000))
    );
}

#[test]
fn rank_counts_the_members_above() {
    let (guild, _) = any_form();
    // Numbers sort before strings: a string-id member also has every numeric id of equal XP
    // above them; a numeric-id member only the smaller numbers.
    assert_eq!(
        above_filter(GUILD, USER, 300, false),
        doc! {
            "guild_id": guild.clone(),
            "$or": [
                { "xp": { "$gt": 300_i64 } },
                { "xp": 300_i64, "user_id": { "$lt": "222222222222222222" } },
                { "xp": 300_i64, "user_id": { "$type": "number" } },
            ],
        }
    );
    assert_eq!(
        above_filter(GUILD, USER, 300, true),
        doc! {
            "guild_id": guild,
            "$or": [
                { "xp": { "$gt": 300_i64 } },
                { "xp": 300_i64, "user_id": { "$lt": 222_222_222_222_222_222_i64 } },
            ],
        }
    );
    assert_eq!(leaderboard_sort(), doc! { "xp": -1, "user_id": 1 });
    let keys: Vec<Document> = user_levels_indexes()
        .iter()
        .map(|i| i.keys.clone())
        .collect();
    assert_eq!(keys[1], doc! { "guild_id": 1, "xp": -1, "user_id": 1 });
}

#[test]
fn settings_changes_set_only_their_fields() {
    let update = settings_update(&SettingsChange::level_role(5, Some(RoleId::new(50))));
    assert_eq!(
        update.get_document("$set").unwrap(),
        &doc! { "level_roles.5": "50" }
    );
    assert!(
        !update
            .get_document("$setOnInsert")
            .unwrap()
            .contains_key("level_roles")
    );
    let update = settings_update(&SettingsChange::level_role(5, None));
    assert_eq!(
        update.get_document("$unset").unwrap(),
        &doc! { "level_roles.5": "" }
    );
    let rate = XpRate::new(Multiplier::from_percent(250)).unwrap();
    let update = settings_update(&SettingsChange::rate(rate));
    assert_eq!(
        update.get_document("$set").unwrap(),
        &doc! { "xp_rate": 250_i64 }
    );
}

#[test]
fn seed_level_roles_read_and_settings_round_trip() {
    let seed = doc! { "guild_id": "1", "level_roles": { "5": "77", "10": 88_i64 } };
    let settings = read_settings(&seed).unwrap();
    assert_eq!(settings.level_roles.get(10), Some(RoleId::new(88)));
    assert_eq!(settings.rate, LevelSettings::default().rate);
    let bad = doc! { "level_roles": { "five": "77" } };
    assert_eq!(
        read_settings(&bad).unwrap_err().to_string(),
        "field `level_roles.five`: not a level"
    );
}
