//! Behaviours of a [`LockdownStore`].

use hearth_core::{ChannelId, Timestamp};

use super::{GUILD, OTHER_GUILD, Spawn};
use crate::{Lockdown, LockdownStore, Overwrite};

fn lockdown(channel: u64, previous: Option<Overwrite>) -> Lockdown {
    Lockdown {
        guild: GUILD,
        channel: ChannelId::new(channel),
        previous,
        locked_at: Timestamp::from_unix_secs(1_700_000_000),
    }
}

/// A lockdown is stored with its previous overwrite (all 64 bits, or none), kept by a second
/// `lock`, and handed back once by `unlock`.
pub async fn a_lockdown_keeps_the_first_previous_overwrite_until_unlocked(
    store: &impl LockdownStore,
) {
    let custom = Overwrite {
        allow: 1 << 10 | 1 << 63,
        deny: u64::MAX >> 1,
    };
    let first = lockdown(u64::MAX, Some(custom));
    assert!(store.lock(first).await.unwrap());
    let locked_state = Overwrite {
        allow: 0,
        deny: 1 << 11,
    };
    assert!(
        !store
            .lock(lockdown(u64::MAX, Some(locked_state)))
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .lockdown(GUILD, ChannelId::new(u64::MAX))
            .await
            .unwrap(),
        Some(first)
    );
    assert_eq!(
        store
            .lockdown(OTHER_GUILD, ChannelId::new(u64::MAX))
            .await
            .unwrap(),
        None
    );
    assert!(store.lock(lockdown(7, None)).await.unwrap());
    assert_eq!(
        store.unlock(GUILD, ChannelId::new(u64::MAX)).await.unwrap(),
        Some(first)
    );
    assert_eq!(
        store.unlock(GUILD, ChannelId::new(u64::MAX)).await.unwrap(),
        None
    );
    assert_eq!(
        store.unlock(GUILD, ChannelId::new(7)).await.unwrap(),
        Some(lockdown(7, None))
    );
    // Unlocked, the channel can be locked again with a new previous state.
    assert!(store.lock(lockdown(7, Some(custom))).await.unwrap());
}

/// Twelve concurrent unlocks through two handles: exactly one gets the lockdown.
pub async fn concurrent_unlocks_hand_the_lockdown_to_one<S>(first: S, second: S, spawn: &impl Spawn)
where
    S: LockdownStore + Clone + 'static,
{
    assert!(first.lock(lockdown(9, None)).await.unwrap());
    let tasks = (0..12).map(|i| {
        let store = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        spawn.spawn(async move { store.unlock(GUILD, ChannelId::new(9)).await.unwrap() })
    });
    let got = futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .filter(Option::is_some)
        .count();
    assert_eq!(got, 1);
}
