//! The in-process tier alone: read-through, TTLs, coalescing, bounds, errors, statistics.

mod support;

use std::{sync::Arc, time::Duration};

use hearth_cache::{Cache, CacheConfig, Capacity, Namespace, Reach};
use hearth_core::GuildId;
use support::{CountingStore, Settings, StoreDown};

const SETTINGS: Namespace<GuildId, Settings> =
    Namespace::new("guild_settings", 1).with_ttl(Duration::from_secs(60));

fn cache() -> Cache {
    Cache::local(&CacheConfig::default())
}

async fn read(
    cache: &Cache,
    store: &CountingStore,
    guild: u64,
) -> Result<Arc<Settings>, StoreDown> {
    cache
        .get_or_load(&SETTINGS.key(GuildId::new(guild)), || store.load(guild))
        .await
}

#[tokio::test]
async fn second_read_is_served_without_the_store() {
    let (cache, store) = (cache(), CountingStore::default());
    store.put(1, "?");
    assert_eq!(read(&cache, &store, 1).await.unwrap().prefix, "?");
    assert_eq!(read(&cache, &store, 1).await.unwrap().prefix, "?");
    assert_eq!(store.queries(), 1);
    read(&cache, &store, 2).await.unwrap();
    assert_eq!(store.queries(), 2);

    let stats = cache.stats().namespaces["guild_settings"];
    assert_eq!(
        (
            stats.tier1_hits,
            stats.tier1_misses,
            stats.loads,
            stats.redis_hits
        ),
        (1, 2, 2, 0)
    );
}

#[tokio::test(start_paused = true)]
async fn entries_expire_after_their_namespace_ttl() {
    let (cache, store) = (cache(), CountingStore::default());
    read(&cache, &store, 1).await.unwrap();
    // SETTINGS.ttl() is 60 s.
    tokio::time::advance(Duration::from_millis(59_999)).await;
    read(&cache, &store, 1).await.unwrap();
    assert_eq!(
        store.queries(),
        1,
        "still fresh one millisecond before the TTL"
    );
    tokio::time::advance(Duration::from_millis(1)).await;
    read(&cache, &store, 1).await.unwrap();
    assert_eq!(store.queries(), 2, "expired at the TTL");
}

#[tokio::test(start_paused = true)]
async fn namespaces_keep_their_own_ttl() {
    const SHORT: Namespace<GuildId, Settings> =
        Namespace::new("short", 1).with_ttl(Duration::from_secs(1));
    let (cache, store) = (cache(), CountingStore::default());
    let short = SHORT.key(GuildId::new(1));
    cache.get_or_load(&short, || store.load(1)).await.unwrap();
    read(&cache, &store, 1).await.unwrap();
    tokio::time::advance(Duration::from_secs(2)).await;
    cache.get_or_load(&short, || store.load(1)).await.unwrap();
    read(&cache, &store, 1).await.unwrap();
    assert_eq!(store.queries(), 3, "only the short namespace expired");
}

#[tokio::test]
async fn loader_errors_are_returned_and_not_cached() {
    let (cache, store) = (cache(), CountingStore::default());
    store.set_failing(true);
    assert_eq!(read(&cache, &store, 1).await, Err(StoreDown));
    store.set_failing(false);
    assert_eq!(read(&cache, &store, 1).await.unwrap().prefix, "!");
    assert_eq!(store.queries(), 2);
    let stats = cache.stats().namespaces["guild_settings"];
    assert_eq!((stats.loads, stats.load_errors), (2, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_of_one_key_load_once() {
    let (cache, store) = (cache(), CountingStore::default());
    store.set_delay(Duration::from_millis(100));
    let reads = (0..50).map(|_| {
        let (cache, store) = (cache.clone(), store.clone());
        tokio::spawn(async move { read(&cache, &store, 7).await.unwrap() })
    });
    for read in reads.collect::<Vec<_>>() {
        assert_eq!(read.await.unwrap().prefix, "!");
    }
    assert_eq!(store.queries(), 1);
    let stats = cache.stats().namespaces["guild_settings"];
    assert_eq!(stats.tier1_hits + stats.coalesced, 49);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiters_of_a_failed_load_get_their_own_answer() {
    let (cache, store) = (cache(), CountingStore::default());
    store.set_delay(Duration::from_millis(100));
    store.set_failing(true);
    let reads = (0..5).map(|_| {
        let (cache, store) = (cache.clone(), store.clone());
        tokio::spawn(async move { read(&cache, &store, 7).await })
    });
    for read in reads.collect::<Vec<_>>() {
        assert_eq!(read.await.unwrap(), Err(StoreDown));
    }
    assert_eq!(
        store.queries(),
        5,
        "a failure is not shared as a cached answer"
    );
}

#[tokio::test]
async fn set_and_invalidate_replace_the_cached_value() {
    let (cache, store) = (cache(), CountingStore::default());
    let key = SETTINGS.key(GuildId::new(1));
    read(&cache, &store, 1).await.unwrap();

    store.put(1, "$");
    let reach = cache
        .set(&key, Settings { prefix: "$".into() })
        .await
        .unwrap();
    assert_eq!(reach, Reach::ThisProcess);
    assert_eq!(read(&cache, &store, 1).await.unwrap().prefix, "$");
    assert_eq!(store.queries(), 1, "set fills the cache");

    store.put(1, "%");
    assert_eq!(cache.invalidate(&key).await, Reach::ThisProcess);
    assert_eq!(read(&cache, &store, 1).await.unwrap().prefix, "%");
    assert_eq!(store.queries(), 2, "invalidate makes the next read load");
    assert_eq!(cache.stats().namespaces["guild_settings"].invalidations, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_racing_with_an_update_does_not_cache_the_old_value() {
    let (cache, store) = (cache(), CountingStore::default());
    store.put(1, "old");
    store.set_delay(Duration::from_millis(200));
    let slow_read = {
        let (cache, store) = (cache.clone(), store.clone());
        tokio::spawn(async move { read(&cache, &store, 1).await.unwrap() })
    };
    // The load has read (or will read) "old"; the update lands while it is under way.
    tokio::time::sleep(Duration::from_millis(50)).await;
    store.put(1, "new");
    cache.invalidate(&SETTINGS.key(GuildId::new(1))).await;
    slow_read.await.unwrap();
    store.set_delay(Duration::ZERO);
    assert_eq!(read(&cache, &store, 1).await.unwrap().prefix, "new");
}

#[tokio::test]
async fn the_tier_is_bounded_by_entries() {
    let cache = Cache::local(&CacheConfig::default().with_capacity(Capacity::Entries(100)));
    let store = CountingStore::default();
    for guild in 1..=1_000 {
        read(&cache, &store, guild).await.unwrap();
    }
    let held = cache.stats().tier1_entries;
    assert!((90..=100).contains(&held), "{held} entries held");
}

#[tokio::test]
async fn the_tier_is_bounded_by_bytes() {
    // Each entry weighs ~ key (≈20) + value (≈14) + ENTRY_OVERHEAD_BYTES (96) = ~130 bytes.
    let cache = Cache::local(&CacheConfig::default().with_capacity(Capacity::Bytes(13_000)));
    let store = CountingStore::default();
    for guild in 1..=1_000 {
        read(&cache, &store, guild).await.unwrap();
    }
    let held = cache.stats().tier1_entries;
    assert!((50..=100).contains(&held), "{held} entries held");
}

#[tokio::test]
async fn a_namespace_version_bump_does_not_read_old_entries() {
    const V2: Namespace<GuildId, Settings> = Namespace::new("guild_settings", 2);
    let (cache, store) = (cache(), CountingStore::default());
    read(&cache, &store, 1).await.unwrap();
    cache
        .get_or_load(&V2.key(GuildId::new(1)), || store.load(1))
        .await
        .unwrap();
    assert_eq!(store.queries(), 2);
}
