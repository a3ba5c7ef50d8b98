//! The service's behaviours, over the memory store.

use std::time::Duration;

use hearth_core::{ChannelId, GuildId, MessageId, RoleId, Timestamp, UserId};

use super::*;
use crate::{
    Activity, Announce, AnnounceTo, Announcement, Author, BOOSTS_MAX, Boost, BoostId, BoostScope,
    Day, Error, LEVEL_ROLES_MAX, LevelSettings, MemoryStore, Multiplier, NewBoost, RoleMode,
    SettingsChange, Skip, Template, XpChange, XpRate, XpStore, total_xp_for,
};

const GUILD: GuildId = GuildId::new(100);
const ALICE: UserId = UserId::new(1);
const CHANNEL: ChannelId = ChannelId::new(7);
/// A draw that makes the base XP exactly 20.
const TWENTY: u64 = 5;

fn message_at(secs: i64) -> MessageId {
    let millis =
        Timestamp::from_unix_secs(secs).unix_millis() - Timestamp::DISCORD_EPOCH.unix_millis();
    MessageId::new(u64::try_from(millis).unwrap() << 22)
}

/// Seconds after 2023-11-14T22:13:20Z.
fn secs(offset: i64) -> i64 {
    1_700_000_000 + offset
}

fn message<'a>(
    offset: i64,
    settings: &'a LevelSettings,
    roles: &'a [RoleId],
    boosts: &'a [Boost],
) -> MessageRequest<'a> {
    MessageRequest {
        guild: GUILD,
        channel: CHANNEL,
        message: message_at(secs(offset)),
        author: ALICE,
        author_kind: Author::Member,
        author_roles: roles,
        draw: TWENTY,
        settings,
        boosts,
    }
}

#[tokio::test]
async fn a_member_chats_and_levels_up_with_mee6_numbers() {
    let leveling = Leveling::new(MemoryStore::new());
    let settings = LevelSettings::default();
    for minute in 0..4 {
        let xp = leveling
            .on_message(message(minute * 60, &settings, &[], &[]))
            .await
            .unwrap();
        assert_eq!((xp.granted, xp.leveled_up_to), (20, None));
    }
    let fifth = leveling
        .on_message(message(240, &settings, &[], &[]))
        .await
        .unwrap();
    assert_eq!(
        fifth,
        MessageXp {
            granted: 20,
            skipped: None,
            new_total: Some(100),
            leveled_up_to: Some(1),
            roles_to_add: vec![],
            roles_to_remove: vec![],
            announcement: Some(Announcement {
                to: AnnounceTo::Channel(CHANNEL),
                text: "GG <@1>, you just advanced to level 1!".into(),
            }),
        }
    );
    let rank = leveling.rank(GUILD, ALICE).await.unwrap();
    assert_eq!(rank.progress.level, 1);
    assert_eq!(rank.progress.to_next_level(), 155);
    assert_eq!((rank.rank, rank.ranked), (Some(1), 1));
}

#[tokio::test]
async fn a_duplicated_message_and_one_within_the_cooldown_earn_nothing() {
    let leveling = Leveling::new(MemoryStore::new());
    let settings = LevelSettings::default();
    leveling
        .on_message(message(0, &settings, &[], &[]))
        .await
        .unwrap();
    for offset in [0, 59] {
        let again = leveling
            .on_message(message(offset, &settings, &[], &[]))
            .await
            .unwrap();
        assert_eq!(again, MessageXp::skipped(Skip::Cooldown, Some(20)));
    }
}

#[tokio::test]
async fn bots_webhooks_and_excluded_places_earn_nothing_without_the_store() {
    let leveling = Leveling::new(MemoryStore::new());
    let settings = SettingsChange::no_xp_channels(vec![CHANNEL])
        .unwrap()
        .apply(LevelSettings::default());
    let defaults = LevelSettings::default();
    let mut bot = message(0, &defaults, &[], &[]);
    bot.author_kind = Author::Bot;
    let cases = [
        (bot, Skip::Bot),
        (message(0, &settings, &[], &[]), Skip::NoXpChannel),
    ];
    for (request, skip) in cases {
        let xp = leveling.on_message(request).await.unwrap();
        assert_eq!(xp, MessageXp::skipped(skip, None));
    }
    let tiny = SettingsChange::rate(XpRate::new(Multiplier::from_percent(1)).unwrap())
        .apply(LevelSettings::default());
    let xp = leveling
        .on_message(message(0, &tiny, &[], &[]))
        .await
        .unwrap();
    assert_eq!(xp.skipped, Some(Skip::RateOff));
    assert_eq!(leveling.store().member(GUILD, ALICE).await.unwrap(), None);
}

#[tokio::test]
async fn a_boost_doubles_xp_only_inside_its_window() {
    let leveling = Leveling::new(MemoryStore::new());
    let settings = LevelSettings::default();
    let boost = leveling
        .start_boost(
            NewBoost {
                id: BoostId(9),
                guild: GUILD,
                multiplier: Multiplier::from_percent(200),
                starts_at: Timestamp::from_unix_secs(secs(60)),
                duration: Duration::from_secs(120),
                scope: BoostScope::Guild,
            },
            Timestamp::from_unix_secs(secs(0)),
        )
        .await
        .unwrap();
    let boosts = [boost];
    let mut granted = Vec::new();
    for minute in 0..4 {
        let xp = leveling
            .on_message(message(minute * 60, &settings, &[], &boosts))
            .await
            .unwrap();
        granted.push(xp.granted);
    }
    assert_eq!(granted, [20, 40, 40, 20]);
}

#[tokio::test]
async fn a_level_role_is_given_at_5_and_replaced_at_10_in_replace_mode() {
    let leveling = Leveling::new(MemoryStore::new());
    let (five, ten) = (RoleId::new(55), RoleId::new(1010));
    leveling.set_level_role(GUILD, 5, five).await.unwrap();
    leveling.set_level_role(GUILD, 10, ten).await.unwrap();
    let settings = leveling
        .update_settings(GUILD, &SettingsChange::role_mode(RoleMode::Replace))
        .await
        .unwrap();
    let set = |xp| XpChangeRequest {
        guild: GUILD,
        user: ALICE,
        change: XpChange::Set(xp),
        member_roles: &[],
        settings: &settings,
    };
    leveling.change_xp(set(total_xp_for(5) - 10)).await.unwrap();
    let at_five = leveling
        .on_message(message(0, &settings, &[], &[]))
        .await
        .unwrap();
    assert_eq!(at_five.leveled_up_to, Some(5));
    assert_eq!(
        (at_five.roles_to_add, at_five.roles_to_remove),
        (vec![five], vec![])
    );
    let held = [five];
    leveling
        .change_xp(set(total_xp_for(10) - 10))
        .await
        .unwrap();
    let at_ten = leveling
        .on_message(message(60, &settings, &held, &[]))
        .await
        .unwrap();
    assert_eq!(at_ten.leveled_up_to, Some(10));
    assert_eq!(
        (at_ten.roles_to_add, at_ten.roles_to_remove),
        (vec![ten], vec![five])
    );
}

#[tokio::test]
async fn moving_xp_down_takes_away_roles_no_longer_earned() {
    let leveling = Leveling::new(MemoryStore::new());
    let (five, ten) = (RoleId::new(55), RoleId::new(1010));
    leveling.set_level_role(GUILD, 5, five).await.unwrap();
    let settings = leveling.set_level_role(GUILD, 10, ten).await.unwrap();
    leveling
        .change_xp(XpChangeRequest {
            guild: GUILD,
            user: ALICE,
            change: XpChange::set_level(12).unwrap(),
            member_roles: &[],
            settings: &settings,
        })
        .await
        .unwrap();
    let changed = leveling
        .change_xp(XpChangeRequest {
            guild: GUILD,
            user: ALICE,
            change: XpChange::remove(total_xp_for(12).try_into().unwrap()).unwrap(),
            member_roles: &[five, ten],
            settings: &settings,
        })
        .await
        .unwrap();
    assert_eq!(
        changed,
        XpChanged {
            before: total_xp_for(12),
            after: 0,
            level_before: 12,
            level_after: 0,
            roles_to_add: vec![],
            roles_to_remove: vec![five, ten],
        }
    );
}

#[tokio::test]
async fn announcements_follow_the_template_and_target() {
    let leveling = Leveling::new(MemoryStore::new());
    let dm = SettingsChange::announce(Announce::Dm).apply(LevelSettings::default());
    let settings = SettingsChange::template(
        Template::parse("@everyone {user} is now level {level}, rank {rank}").unwrap(),
    )
    .apply(dm);
    leveling
        .store()
        .adjust(GUILD, UserId::new(2), XpChange::Set(1_000))
        .await
        .unwrap();
    leveling
        .store()
        .adjust(GUILD, ALICE, XpChange::Set(90))
        .await
        .unwrap();
    let xp = leveling
        .on_message(message(0, &settings, &[], &[]))
        .await
        .unwrap();
    assert_eq!(
        xp.announcement,
        Some(Announcement {
            to: AnnounceTo::Dm(ALICE),
            text: "@\u{200B}everyone <@1> is now level 1, rank #2".into(),
        })
    );
    let off = SettingsChange::announce(Announce::Off).apply(LevelSettings::default());
    leveling
        .store()
        .adjust(GUILD, ALICE, XpChange::Set(250))
        .await
        .unwrap();
    let quiet = leveling
        .on_message(message(60, &off, &[], &[]))
        .await
        .unwrap();
    assert_eq!((quiet.leveled_up_to, quiet.announcement), (Some(2), None));
}

#[tokio::test]
async fn leaderboard_pages_and_a_page_past_the_end_is_refused() {
    let leveling = Leveling::new(MemoryStore::new());
    let empty = leveling.leaderboard(GUILD, 1).await.unwrap();
    assert_eq!((empty.pages, empty.ranked, empty.rows.len()), (1, 0, 0));
    for user in 1..=25 {
        leveling
            .store()
            .adjust(GUILD, UserId::new(user), XpChange::Set(user * 10))
            .await
            .unwrap();
    }
    let third = leveling.leaderboard(GUILD, 3).await.unwrap();
    assert_eq!((third.page, third.pages, third.ranked), (3, 3, 25));
    assert_eq!(
        third
            .rows
            .iter()
            .map(|r| (r.rank, r.user.get()))
            .collect::<Vec<_>>(),
        (21..=25).zip((1..=5).rev()).collect::<Vec<_>>()
    );
    for page in [0, -1, 4] {
        let err = leveling.leaderboard(GUILD, page).await.unwrap_err();
        assert!(
            matches!(err, Error::PageOutOfRange { pages: 3, .. }),
            "{err:?}"
        );
    }
    assert_eq!(
        leveling
            .leaderboard(GUILD, 4)
            .await
            .unwrap_err()
            .to_string(),
        "the leaderboard has pages 1 to 3, not 4"
    );
}

#[tokio::test]
async fn the_global_leaderboard_merges_guilds_and_respects_opt_outs() {
    let leveling = Leveling::new(MemoryStore::new());
    let other = GuildId::new(200);
    for (guild, user, xp) in [
        (GUILD, 1, 100),
        (other, 1, 100),
        (GUILD, 2, 150),
        (other, 3, 120),
    ] {
        leveling
            .store()
            .adjust(guild, UserId::new(user), XpChange::Set(xp))
            .await
            .unwrap();
    }
    let merged = leveling.global_leaderboard(1).await.unwrap();
    assert_eq!(
        merged
            .rows
            .iter()
            .map(|r| (r.user.get(), r.xp))
            .collect::<Vec<_>>(),
        [(1, 200), (2, 150), (3, 120)]
    );
    leveling
        .set_global_opt_out(UserId::new(2), true)
        .await
        .unwrap();
    leveling
        .update_settings(other, &SettingsChange::global_leaderboard(false))
        .await
        .unwrap();
    let filtered = leveling.global_leaderboard(1).await.unwrap();
    assert_eq!(
        filtered
            .rows
            .iter()
            .map(|r| (r.rank, r.user.get(), r.xp))
            .collect::<Vec<_>>(),
        [(1, 1, 100)]
    );
    assert!(leveling.global_leaderboard(2).await.is_err());
}

#[tokio::test]
async fn activity_fills_every_day_and_checks_its_range() {
    let leveling = Leveling::new(MemoryStore::new());
    let settings = LevelSettings::default();
    leveling
        .on_message(message(0, &settings, &[], &[]))
        .await
        .unwrap();
    let today = Day::of(Timestamp::from_unix_secs(secs(0)));
    let chart = leveling.activity(GUILD, Day(today.0 + 1), 3).await.unwrap();
    assert_eq!(
        chart,
        [
            Activity::empty(Day(today.0 - 1)),
            Activity {
                day: today,
                messages: 1,
                active_members: 1
            },
            Activity::empty(Day(today.0 + 1)),
        ]
    );
    assert_eq!(
        leveling
            .activity(GUILD, today, ACTIVITY_DAYS_MAX)
            .await
            .unwrap()
            .len(),
        90
    );
    for days in [0, ACTIVITY_DAYS_MAX + 1] {
        assert!(matches!(
            leveling.activity(GUILD, today, days).await,
            Err(Error::ActivityDaysOutOfRange { max: 90, given }) if given == days
        ));
    }
}

#[tokio::test]
async fn boosts_are_limited_idempotent_and_stoppable() {
    let leveling = Leveling::new(MemoryStore::new());
    let now = Timestamp::from_unix_secs(secs(0));
    let new = |id, percent| NewBoost {
        id: BoostId(id),
        guild: GUILD,
        multiplier: Multiplier::from_percent(percent),
        starts_at: now,
        duration: Duration::from_secs(3_600),
        scope: BoostScope::Guild,
    };
    for percent in [0, 100_000] {
        assert!(matches!(
            leveling.start_boost(new(1, percent), now).await,
            Err(Error::BoostOutOfRange { .. })
        ));
    }
    for id in 0..BOOSTS_MAX as u64 {
        leveling.start_boost(new(id, 200), now).await.unwrap();
    }
    assert!(matches!(
        leveling.start_boost(new(99, 200), now).await,
        Err(Error::TooManyBoosts { max: 25 })
    ));
    // A retry of a stored boost is not a 26th.
    let retried = leveling.start_boost(new(3, 300), now).await.unwrap();
    assert_eq!(retried.multiplier.percent(), 200);
    assert_eq!(
        leveling.stop_boost(GUILD, BoostId(3)).await.unwrap().id,
        BoostId(3)
    );
    assert!(matches!(
        leveling.stop_boost(GUILD, BoostId(3)).await,
        Err(Error::BoostNotFound { id: BoostId(3) })
    ));
    // Once every boost has ended, there is room again.
    let later = now.saturating_add(Duration::from_secs(3_600));
    assert!(leveling.boosts(GUILD, later).await.unwrap().is_empty());
    let mut fresh = new(100, 200);
    fresh.starts_at = later;
    assert!(leveling.start_boost(fresh, later).await.is_ok());
}

#[tokio::test]
async fn level_roles_check_levels_and_unknown_removals() {
    let leveling = Leveling::new(MemoryStore::new());
    let role = RoleId::new(5);
    for level in [0, -1, i64::from(crate::LEVEL_MAX) + 1] {
        assert!(matches!(
            leveling.set_level_role(GUILD, level, role).await,
            Err(Error::LevelOutOfRange { min: 1, .. })
        ));
    }
    for level in 1..=i64::try_from(LEVEL_ROLES_MAX).unwrap() {
        leveling.set_level_role(GUILD, level, role).await.unwrap();
    }
    assert!(matches!(
        leveling.set_level_role(GUILD, 51, role).await,
        Err(Error::TooManyLevelRoles { max: 50 })
    ));
    // Replacing the role of a level that has one is not an addition.
    leveling
        .set_level_role(GUILD, 50, RoleId::new(6))
        .await
        .unwrap();
    let (removed, settings) = leveling.remove_level_role(GUILD, 50).await.unwrap();
    assert_eq!(removed, RoleId::new(6));
    assert_eq!(settings.level_roles.len(), 49);
    assert!(matches!(
        leveling.remove_level_role(GUILD, 50).await,
        Err(Error::LevelRoleNotFound { level: 50 })
    ));
}
