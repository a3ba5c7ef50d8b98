//! Both tiers against a real `redis-server` (see `support` for how one is found or started).

mod support;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use hearth_cache::{Cache, CacheConfig, Namespace, Reach};
use hearth_core::GuildId;
use support::{
    CountingStore, Settings, StoreDown, eventually, private_redis, redis, unique_prefix,
};

const SETTINGS: Namespace<GuildId, Settings> = Namespace::new("guild_settings", 1)
    .with_ttl(Duration::from_secs(600))
    .with_redis_ttl(Duration::from_secs(600));

/// Generous bounds for a loaded 2-core machine; the benchmark prints the real figures.
const READ_BOUND: Duration = Duration::from_millis(500);
const SETTLE: Duration = Duration::from_secs(10);

async fn cache_at(url: &str, prefix: &str) -> Cache {
    let cache = Cache::connect(
        CacheConfig::default()
            .with_redis_url(url)
            .with_key_prefix(prefix),
    )
    .await
    .expect("a valid URL");
    assert!(cache.has_redis());
    cache
}

async fn read(
    cache: &Cache,
    store: &CountingStore,
    guild: u64,
) -> Result<Arc<Settings>, StoreDown> {
    read_in(cache, store, SETTINGS, guild).await
}

async fn read_in(
    cache: &Cache,
    store: &CountingStore,
    ns: Namespace<GuildId, Settings>,
    guild: u64,
) -> Result<Arc<Settings>, StoreDown> {
    cache
        .get_or_load(&ns.key(GuildId::new(guild)), || store.load(guild))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_fills_redis_for_other_processes() {
    let Some(redis) = redis("a_load_fills_redis_for_other_processes") else {
        return;
    };
    let prefix = unique_prefix("fill");
    let (a, b) = (
        cache_at(redis.url(), &prefix).await,
        cache_at(redis.url(), &prefix).await,
    );
    let store = CountingStore::default();
    store.put(1, "?");

    assert_eq!(read(&a, &store, 1).await.unwrap().prefix, "?");
    assert_eq!(read(&b, &store, 1).await.unwrap().prefix, "?");
    assert_eq!(read(&b, &store, 1).await.unwrap().prefix, "?");
    assert_eq!(
        store.queries(),
        1,
        "the second process read Redis, not the store"
    );

    let (sa, sb) = (a.stats(), b.stats());
    let (na, nb) = (
        sa.namespaces["guild_settings"],
        sb.namespaces["guild_settings"],
    );
    assert_eq!((na.loads, na.redis_misses, na.redis_hits), (1, 1, 0));
    assert_eq!((nb.loads, nb.redis_hits, nb.tier1_hits), (0, 1, 1));
    assert!(sa.redis_up && sb.redis_up);
    assert_eq!(sa.redis_errors + sb.redis_errors, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalidation_reaches_the_other_process() {
    let Some(redis) = redis("invalidation_reaches_the_other_process") else {
        return;
    };
    let prefix = unique_prefix("invalidate");
    let (a, b) = (
        cache_at(redis.url(), &prefix).await,
        cache_at(redis.url(), &prefix).await,
    );
    let store = CountingStore::default();
    store.put(1, "old");
    read(&a, &store, 1).await.unwrap();
    read(&b, &store, 1).await.unwrap();

    store.put(1, "new");
    assert_eq!(
        a.invalidate(&SETTINGS.key(GuildId::new(1))).await,
        Reach::Everywhere
    );
    assert_eq!(read(&a, &store, 1).await.unwrap().prefix, "new");
    assert!(
        eventually(SETTLE, async || read(&b, &store, 1).await.unwrap().prefix
            == "new")
        .await,
        "the other process kept the old value"
    );
    assert_eq!(b.stats().remote_invalidations, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_stale_read_after_set_in_either_process() {
    let Some(redis) = redis("no_stale_read_after_set_in_either_process") else {
        return;
    };
    let prefix = unique_prefix("set");
    let (a, b) = (
        cache_at(redis.url(), &prefix).await,
        cache_at(redis.url(), &prefix).await,
    );
    let store = CountingStore::default();
    let key = SETTINGS.key(GuildId::new(1));
    for round in 0..20 {
        let old = format!("v{round}");
        let new = format!("v{}", round + 1);
        store.put(1, &old);
        // Both processes hold the old value in tier 1.
        a.set(
            &key,
            Settings {
                prefix: old.clone(),
            },
        )
        .await
        .unwrap();
        assert!(
            eventually(SETTLE, async || read(&b, &store, 1).await.unwrap().prefix
                == old)
            .await
        );

        store.put(1, &new);
        assert_eq!(
            a.set(
                &key,
                Settings {
                    prefix: new.clone()
                }
            )
            .await
            .unwrap(),
            Reach::Everywhere
        );
        // The writer never reads the old value again.
        assert_eq!(read(&a, &store, 1).await.unwrap().prefix, new);
        // The other process switches once the message arrives, and never goes back.
        assert!(
            eventually(SETTLE, async || read(&b, &store, 1).await.unwrap().prefix
                == new)
            .await
        );
        for _ in 0..5 {
            assert_eq!(read(&b, &store, 1).await.unwrap().prefix, new);
            assert_eq!(read(&a, &store, 1).await.unwrap().prefix, new);
        }
        // A third process that starts now reads the new value from Redis.
        let c = cache_at(redis.url(), &prefix).await;
        assert_eq!(read(&c, &store, 1).await.unwrap().prefix, new);
        assert_eq!(c.stats().namespaces["guild_settings"].redis_hits, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_entries_expire_after_the_namespace_redis_ttl() {
    const SHORT: Namespace<GuildId, Settings> = Namespace::new("short", 1)
        .with_ttl(Duration::from_millis(1))
        .with_redis_ttl(Duration::from_millis(1_500));
    let Some(redis) = redis("redis_entries_expire_after_the_namespace_redis_ttl") else {
        return;
    };
    let cache = cache_at(redis.url(), &unique_prefix("ttl")).await;
    let store = CountingStore::default();
    read_in(&cache, &store, SHORT, 1).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    read_in(&cache, &store, SHORT, 1).await.unwrap();
    assert_eq!(store.queries(), 1, "tier 1 expired, Redis still had it");
    tokio::time::sleep(Duration::from_secs(2)).await;
    read_in(&cache, &store, SHORT, 1).await.unwrap();
    assert_eq!(store.queries(), 2, "Redis expired it too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_layout_never_reads_old_entries() {
    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    struct SettingsV2 {
        prefixes: Vec<String>,
    }
    // A careless deploy that changes the layout but not the version.
    const CARELESS: Namespace<GuildId, SettingsV2> = Namespace::new("guild_settings", 1);
    const BUMPED: Namespace<GuildId, SettingsV2> = Namespace::new("guild_settings", 2);

    let Some(redis) = redis("a_changed_layout_never_reads_old_entries") else {
        return;
    };
    let prefix = unique_prefix("layout");
    let (old, new) = (
        cache_at(redis.url(), &prefix).await,
        cache_at(redis.url(), &prefix).await,
    );
    let store = CountingStore::default();
    read(&old, &store, 1).await.unwrap();

    let load_v2 = || async {
        Ok::<_, StoreDown>(SettingsV2 {
            prefixes: vec!["v2".into()],
        })
    };
    let bumped = new
        .get_or_load(&BUMPED.key(GuildId::new(1)), load_v2)
        .await
        .unwrap();
    assert_eq!(bumped.prefixes, ["v2"]);
    assert_eq!(new.stats().namespaces["guild_settings"].redis_hits, 0);

    let careless = new
        .get_or_load(&CARELESS.key(GuildId::new(1)), load_v2)
        .await
        .unwrap();
    assert_eq!(
        careless.prefixes,
        ["v2"],
        "an unreadable Redis entry is a miss"
    );
    assert_eq!(new.stats().decode_errors, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_survive_redis_dying_and_use_it_again_when_it_returns() {
    // Tier 1 keeps entries 200 ms, so later reads of a warm key must ask Redis again.
    const BRIEF: Namespace<GuildId, Settings> = Namespace::new("brief", 1)
        .with_ttl(Duration::from_millis(200))
        .with_redis_ttl(Duration::from_secs(600));
    let Some(mut server) =
        private_redis("reads_survive_redis_dying_and_use_it_again_when_it_returns")
    else {
        return;
    };
    let cache = cache_at(&server.url(), "hearth:cache:").await;
    let store = CountingStore::default();
    read(&cache, &store, 1).await.unwrap();
    read_in(&cache, &store, BRIEF, 1).await.unwrap();

    server.kill();
    let queries = store.queries();
    for guild in 1..=50 {
        let started = Instant::now();
        let settings = read(&cache, &store, guild).await.unwrap();
        assert_eq!(settings.prefix, "!");
        let took = started.elapsed();
        assert!(took < READ_BOUND, "a read took {took:?} with Redis down");
    }
    assert_eq!(
        store.queries() - queries,
        49,
        "guild 1 still came from tier 1"
    );
    let stats = cache.stats();
    assert!(!stats.redis_up);
    assert_eq!(stats.redis_outages, 1, "one outage, logged once");

    server.restart();
    // Back by itself: a key loaded now lands in Redis, and once tier 1 forgets it, Redis answers.
    let back = eventually(SETTLE, async || {
        let _ = read_in(&cache, &store, BRIEF, 2).await;
        tokio::time::sleep(Duration::from_millis(250)).await;
        let before = cache.stats().namespaces["brief"].redis_hits;
        let _ = read_in(&cache, &store, BRIEF, 2).await;
        cache.stats().namespaces["brief"].redis_hits > before
    })
    .await;
    assert!(back, "Redis was not used again after it came back");
    let stats = cache.stats();
    assert!(stats.redis_up);
    assert_eq!(stats.redis_outages, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_at_start_does_not_stop_reads() {
    let Some(mut server) = private_redis("redis_down_at_start_does_not_stop_reads") else {
        return;
    };
    server.kill();
    let started = Instant::now();
    let cache = cache_at(&server.url(), "hearth:cache:").await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "connect waited {:?}",
        started.elapsed()
    );
    let store = CountingStore::default();
    for guild in 1..=20 {
        let started = Instant::now();
        read(&cache, &store, guild).await.unwrap();
        assert!(started.elapsed() < READ_BOUND);
    }
    assert_eq!(cache.stats().redis_outages, 1);

    server.restart();
    assert!(
        eventually(SETTLE, async || cache.stats().redis_up).await,
        "the cache never connected"
    );
    // Connected: what it loads now is shared through Redis.
    let other = cache_at(&server.url(), "hearth:cache:").await;
    read(&cache, &store, 100).await.unwrap();
    let queries = store.queries();
    read(&other, &store, 100).await.unwrap();
    assert_eq!(store.queries(), queries);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_that_missed_invalidations_forgets_its_entries_on_reconnect() {
    let Some(mut server) =
        private_redis("a_process_that_missed_invalidations_forgets_its_entries_on_reconnect")
    else {
        return;
    };
    let (a, b) = (
        cache_at(&server.url(), "hearth:cache:").await,
        cache_at(&server.url(), "hearth:cache:").await,
    );
    let store = CountingStore::default();
    store.put(1, "old");
    read(&a, &store, 1).await.unwrap();
    read(&b, &store, 1).await.unwrap();

    // The update happens while Redis is down: B's message is lost.
    server.kill();
    store.put(1, "new");
    let reach = b
        .set(
            &SETTINGS.key(GuildId::new(1)),
            Settings {
                prefix: "new".into(),
            },
        )
        .await;
    assert_eq!(reach.unwrap(), Reach::ThisProcessRedisDown);
    // B goes away before Redis returns, so nobody replays its invalidation.
    drop(b);
    server.restart();

    // A's tier-1 TTL is 10 minutes, yet A forgets the old value once it is back on Redis.
    assert!(
        eventually(SETTLE, async || read(&a, &store, 1).await.unwrap().prefix
            == "new")
        .await,
        "A kept serving the value it should have been told about"
    );
    assert!(
        a.stats().local_clears >= 2,
        "cleared at first connection and at reconnection"
    );
}

#[tokio::test]
async fn a_url_that_is_not_redis_is_refused() {
    let err = Cache::connect(CacheConfig::default().with_redis_url("http://127.0.0.1:1"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "REDIS_URL must be redis://HOST[:PORT][/DB] or rediss://… (the scheme is neither redis:// nor rediss://)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalidation_that_missed_redis_is_replayed_when_redis_is_reachable_again() {
    let Some(server) = private_redis(
        "an_invalidation_that_missed_redis_is_replayed_when_redis_is_reachable_again",
    ) else {
        return;
    };
    let prefix = unique_prefix("replay");
    // B reaches Redis through a proxy that the test cuts: a partition of B alone, while Redis
    // keeps its data and A stays connected.
    let proxy = support::CutProxy::start(server.port()).await;
    let (a, b) = (
        cache_at(&server.url(), &prefix).await,
        cache_at(&proxy.url(), &prefix).await,
    );
    let store = CountingStore::default();
    store.put(1, "old");
    read(&a, &store, 1).await.unwrap();
    read(&b, &store, 1).await.unwrap();

    proxy.cut();
    store.put(1, "new");
    let reach = b
        .set(
            &SETTINGS.key(GuildId::new(1)),
            Settings {
                prefix: "new".into(),
            },
        )
        .await;
    assert_eq!(reach.unwrap(), Reach::ThisProcessRedisDown);
    assert_eq!(
        read(&a, &store, 1).await.unwrap().prefix,
        "old",
        "A cannot know yet"
    );
    proxy.restore();

    // Once B is back on Redis it deletes the key and announces it: A drops "old" although it
    // never lost its connection and its tier-1 TTL is 10 minutes.
    assert!(
        eventually(SETTLE, async || read(&a, &store, 1).await.unwrap().prefix
            == "new")
        .await,
        "A kept the old value"
    );
    assert_eq!(read(&b, &store, 1).await.unwrap().prefix, "new");
}
