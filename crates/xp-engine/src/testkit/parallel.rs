//! Behaviours under real parallelism: tasks spawned on the multi-threaded runtime, writing
//! through two handles on the same data (as two bot processes would).

use futures_util::future::join_all;
use hearth_core::{ChannelId, RoleId, UserId};

use super::{ALICE, GUILD, Spawn, at, grant, message_at};
use crate::{
    Author, Day, LevelSettings, LevelSettingsStore, Leveling, MessageRequest, MessageXp,
    SettingsChange, Skip, XpChange, XpStore,
};

/// How many writes the parallel behaviours make at once.
const AT_ONCE: u64 = 12;

const CHANNEL: ChannelId = ChannelId::new(500);

/// Picks the first handle for even `i`, the second for odd.
fn pick<S: Clone>(i: u64, first: &S, second: &S) -> S {
    if i.is_multiple_of(2) {
        first.clone()
    } else {
        second.clone()
    }
}

/// Makes both handles' answered grants visible to each other ([`XpStore::flush`]).
async fn flush_both<S: XpStore>(first: &S, second: &S) {
    first.flush().await.expect("flushed");
    second.flush().await.expect("flushed");
}

/// One message delivered twelve times at once (a duplicated `MESSAGE_CREATE`, received by two
/// processes), each delivery drawing a different random number: exactly one grants, the other
/// eleven are skipped for the cooldown, and the member holds that one grant.
pub async fn concurrent_replays_of_one_message_through_two_handles_grant_once<
    S: XpStore + Clone + 'static,
>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let message = message_at(at(0), 1);
    let tasks = (0..AT_ONCE).map(|i| {
        let store = pick(i, &first, &second);
        spawn.spawn(async move {
            let settings = LevelSettings::default();
            Leveling::new(store)
                .on_message(MessageRequest {
                    guild: GUILD,
                    channel: CHANNEL,
                    message,
                    author: ALICE,
                    author_kind: Author::Member,
                    author_roles: &[],
                    draw: i,
                    settings: &settings,
                    boosts: &[],
                })
                .await
                .expect("the grant is answered")
        })
    });
    let outcomes: Vec<MessageXp> = join_all(tasks).await;
    let winners: Vec<&MessageXp> = outcomes.iter().filter(|o| o.granted > 0).collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    let amount = winners[0].granted;
    assert!((15..=25).contains(&amount));
    assert_eq!(winners[0].new_total, Some(amount));
    for loser in outcomes.iter().filter(|o| o.granted == 0) {
        assert_eq!(loser.skipped, Some(Skip::Cooldown), "{loser:?}");
    }
    flush_both(&first, &second).await;
    let member = second.member(GUILD, ALICE).await.unwrap().unwrap();
    assert_eq!((member.xp, member.messages), (amount, 1));
    let today = first
        .activity(GUILD, Day::of(at(0)), Day::of(at(0)))
        .await
        .unwrap();
    assert_eq!((today[0].messages, today[0].active_members), (1, 1));
}

/// Twelve different messages from one member within one cooldown (a burst, 1 s apart),
/// granted at once through two handles in whatever order they land: exactly one is stored.
pub async fn concurrent_messages_within_one_cooldown_grant_once<S: XpStore + Clone + 'static>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let tasks = (0..AT_ONCE).map(|i| {
        let store = pick(i, &first, &second);
        let secs = i64::try_from(i).expect("small");
        spawn.spawn(async move {
            store
                .grant(grant(GUILD, ALICE, secs, 20))
                .await
                .expect("the grant is answered")
        })
    });
    let outcomes = join_all(tasks).await;
    assert_eq!(
        outcomes.iter().filter(|o| o.granted).count(),
        1,
        "{outcomes:?}"
    );
    flush_both(&first, &second).await;
    let member = first.member(GUILD, ALICE).await.unwrap().unwrap();
    assert_eq!((member.xp, member.messages), (20, 1));
}

/// Twelve members each earn once at the same moment, through two handles: every grant is
/// stored and the day's activity counts twelve messages and twelve members (no lost update
/// of the shared counter).
pub async fn concurrent_grants_for_different_members_all_count<S: XpStore + Clone + 'static>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let tasks = (0..AT_ONCE).map(|i| {
        let store = pick(i, &first, &second);
        spawn.spawn(async move {
            store
                .grant(grant(GUILD, UserId::new(100 + i), 0, 20))
                .await
                .expect("the grant is answered")
        })
    });
    let outcomes = join_all(tasks).await;
    assert!(outcomes.iter().all(|o| o.granted), "{outcomes:?}");
    flush_both(&first, &second).await;
    assert_eq!(first.ranked_members(GUILD).await.unwrap(), AT_ONCE);
    let day = Day::of(at(0));
    let counted = second.activity(GUILD, day, day).await.unwrap();
    assert_eq!(
        (counted[0].messages, counted[0].active_members),
        (AT_ONCE, AT_ONCE)
    );
}

/// Twelve admin changes of one member at once through two handles, each adding 10 XP: all
/// apply (no read-then-write loses one), and each saw a different total before it.
pub async fn concurrent_admin_changes_to_one_member_all_apply<S: XpStore + Clone + 'static>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let tasks = (0..AT_ONCE).map(|i| {
        let store = pick(i, &first, &second);
        spawn.spawn(async move {
            store
                .adjust(GUILD, ALICE, XpChange::Add(10))
                .await
                .expect("the change is stored")
        })
    });
    let adjusted = join_all(tasks).await;
    let mut befores: Vec<u64> = adjusted.iter().map(|a| a.before.xp).collect();
    befores.sort_unstable();
    assert_eq!(befores, (0..AT_ONCE).map(|i| i * 10).collect::<Vec<_>>());
    let member = second.member(GUILD, ALICE).await.unwrap().unwrap();
    assert_eq!(member.xp, AT_ONCE * 10);
}

/// Twelve admins set the roles of twelve different levels at once through two handles, on a
/// guild with no settings yet, while others change the role mode: every level keeps its role
/// and the mode sticks (no change is lost to a read-modify-write of the whole settings).
pub async fn concurrent_changes_of_different_level_roles_all_stick<
    S: LevelSettingsStore + Clone + 'static,
>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let tasks = (0..AT_ONCE).map(|i| {
        let store = pick(i, &first, &second);
        let level = u32::try_from(i + 1).expect("small");
        spawn.spawn(async move {
            let role = SettingsChange::level_role(level, Some(RoleId::new(1_000 + i)));
            store
                .update_level_settings(GUILD, &role)
                .await
                .expect("the change is stored");
            if i.is_multiple_of(4) {
                store
                    .update_level_settings(
                        GUILD,
                        &SettingsChange::role_mode(crate::RoleMode::Replace),
                    )
                    .await
                    .expect("the change is stored");
            }
        })
    });
    join_all(tasks).await;
    let stored = first
        .level_settings(GUILD)
        .await
        .unwrap()
        .expect("settings exist");
    let expected: Vec<(u32, RoleId)> = (0..AT_ONCE)
        .map(|i| (u32::try_from(i + 1).expect("small"), RoleId::new(1_000 + i)))
        .collect();
    assert_eq!(stored.level_roles.iter().collect::<Vec<_>>(), expected);
    assert_eq!(stored.role_mode, crate::RoleMode::Replace);
}
