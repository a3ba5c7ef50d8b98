//! Prints hit rates, store queries and latencies of the cache under a Zipf workload.
//!
//! `cargo bench -p hearth-cache`. Uses `REDIS_URL` when set, else starts a private
//! `redis-server` on a free port (and kills it to time reads with Redis down).

#![allow(missing_docs, clippy::cast_precision_loss)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

use hearth_cache::{Cache, CacheConfig, CacheStats, Namespace, NamespaceStats};
use hearth_core::GuildId;
use rand::{Rng, SeedableRng, rngs::StdRng};
use support::{CountingStore, RedisServer, Settings};

const GUILDS: usize = 10_000;
const ZIPF_EXPONENT: f64 = 1.0;
const WRITE_SHARE: f64 = 0.001;
const WARM_UP_OPS: usize = 200_000;
const MEASURED_OPS: usize = 1_000_000;
const LATENCY_SAMPLES: usize = 20_000;

const SETTINGS: Namespace<GuildId, Settings> = Namespace::new("guild_settings", 1);
/// Entries that never stay in tier 1, so every read asks Redis.
const REDIS_ONLY: Namespace<GuildId, Settings> =
    Namespace::new("redis_only", 1).with_ttl(Duration::ZERO);

/// Samples ranks 1..=n with probability proportional to 1/rank^s.
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Self {
        let mut total = 0.0;
        let mut cdf: Vec<f64> = (1..=n)
            .map(|k| {
                total += 1.0 / (k as f64).powf(s);
                total
            })
            .collect();
        for c in &mut cdf {
            *c /= total;
        }
        Self { cdf }
    }

    fn sample(&self, rng: &mut impl Rng) -> u64 {
        let u: f64 = rng.random();
        (self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1) + 1) as u64
    }
}

#[derive(Clone, Copy)]
enum Op {
    Read(u64),
    Write(u64),
}

fn workload(ops: usize, seed: u64) -> Vec<Op> {
    let zipf = Zipf::new(GUILDS, ZIPF_EXPONENT);
    let mut rng = StdRng::seed_from_u64(seed);
    (0..ops)
        .map(|_| {
            let guild = zipf.sample(&mut rng);
            if rng.random::<f64>() < WRITE_SHARE {
                Op::Write(guild)
            } else {
                Op::Read(guild)
            }
        })
        .collect()
}

struct RunResult {
    name: &'static str,
    reads: u64,
    queries: u64,
    stats: Option<NamespaceStats>,
}

/// Runs `ops` over one or more caches (reads and writes take turns across them, like
/// processes behind one Redis); `None` reads the store directly.
async fn run(caches: &[Cache], store: &CountingStore, ops: &[Op]) -> u64 {
    let mut reads = 0;
    for (i, op) in ops.iter().enumerate() {
        let cache = (!caches.is_empty()).then(|| &caches[i % caches.len().max(1)]);
        match *op {
            Op::Read(guild) => {
                reads += 1;
                let value = match cache {
                    Some(cache) => cache
                        .get_or_load(&SETTINGS.key(GuildId::new(guild)), || store.load(guild))
                        .await
                        .map(|v| v.prefix.len()),
                    None => store.load(guild).await.map(|v| v.prefix.len()),
                };
                black_box(value.expect("the bench store never fails"));
            }
            Op::Write(guild) => {
                let prefix = format!("p{i}");
                store.put(guild, &prefix);
                if let Some(cache) = cache {
                    cache
                        .set(&SETTINGS.key(GuildId::new(guild)), Settings { prefix })
                        .await
                        .expect("settings serialise");
                }
            }
        }
    }
    reads
}

fn namespace_total(caches: &[Cache]) -> NamespaceStats {
    let mut total = CacheStats::default();
    for cache in caches {
        let stats = cache.stats();
        if let Some(ns) = stats.namespaces.get("guild_settings") {
            total.namespaces.insert(
                "guild_settings",
                add(total.namespaces.get("guild_settings").copied(), *ns),
            );
        }
    }
    total.total()
}

fn add(a: Option<NamespaceStats>, b: NamespaceStats) -> NamespaceStats {
    let mut stats = CacheStats::default();
    if let Some(a) = a {
        stats.namespaces.insert("a", a);
    }
    stats.namespaces.insert("b", b);
    stats.total()
}

fn diff(after: NamespaceStats, before: NamespaceStats) -> NamespaceStats {
    let mut d = NamespaceStats::default();
    d.tier1_hits = after.tier1_hits - before.tier1_hits;
    d.tier1_misses = after.tier1_misses - before.tier1_misses;
    d.coalesced = after.coalesced - before.coalesced;
    d.redis_hits = after.redis_hits - before.redis_hits;
    d.redis_misses = after.redis_misses - before.redis_misses;
    d.loads = after.loads - before.loads;
    d.load_errors = after.load_errors - before.load_errors;
    d.invalidations = after.invalidations - before.invalidations;
    d
}

async fn measured_run(name: &'static str, caches: &[Cache]) -> RunResult {
    let store = CountingStore::default();
    run(caches, &store, &workload(WARM_UP_OPS, 1)).await;
    let (queries_before, stats_before) = (store.queries(), namespace_total(caches));
    let reads = run(caches, &store, &workload(MEASURED_OPS, 2)).await;
    let stats = (!caches.is_empty()).then(|| diff(namespace_total(caches), stats_before));
    RunResult {
        name,
        reads,
        queries: store.queries() - queries_before,
        stats,
    }
}

struct Latency {
    name: &'static str,
    nanos: Vec<u64>,
}

impl Latency {
    /// The latency below which `per_mille` of the samples fall, in µs.
    fn percentile(&self, per_mille: usize) -> f64 {
        let mut sorted = self.nanos.clone();
        sorted.sort_unstable();
        sorted[(sorted.len() - 1) * per_mille / 1_000] as f64 / 1_000.0
    }
}

async fn time_reads(
    name: &'static str,
    cache: &Cache,
    store: &CountingStore,
    ns: Namespace<GuildId, Settings>,
    guilds: impl Iterator<Item = u64>,
) -> Latency {
    let mut nanos = Vec::with_capacity(LATENCY_SAMPLES);
    for guild in guilds {
        let key = ns.key(GuildId::new(guild));
        let started = Instant::now();
        let value = cache.get_or_load(&key, || store.load(guild)).await;
        nanos.push(u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX));
        black_box(value.expect("the bench store never fails"));
    }
    Latency { name, nanos }
}

fn print_runs(runs: &[RunResult]) {
    let uncached = runs[0].queries as f64 / runs[0].reads as f64 * 1_000.0;
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>22} {:>10}",
        "run", "hit rate", "tier 1", "Redis", "store queries/1k reads", "reduction"
    );
    for r in runs {
        let per_k = r.queries as f64 / r.reads as f64 * 1_000.0;
        let pct = |x: f64| format!("{:.3} %", x * 100.0);
        let (hit, t1, redis) = match r.stats {
            Some(s) => (
                pct(s.hit_rate()),
                pct(s.tier1_hit_rate()),
                if s.redis_hits + s.redis_misses == 0 {
                    "-".to_owned()
                } else {
                    pct(s.redis_hit_rate())
                },
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        let reduction = if r.stats.is_some() {
            format!("{:.3} %", (1.0 - per_k / uncached) * 100.0)
        } else {
            "-".to_owned()
        };
        println!(
            "{:<34} {hit:>9} {t1:>9} {redis:>9} {per_k:>22.2} {reduction:>10}",
            r.name
        );
    }
}

fn print_latencies(latencies: &[Latency]) {
    println!(
        "\n{:<44} {:>10} {:>10} {:>10} {:>8}",
        "latency of one read", "p50 µs", "p99 µs", "max µs", "samples"
    );
    for l in latencies {
        println!(
            "{:<44} {:>10.2} {:>10.2} {:>10.2} {:>8}",
            l.name,
            l.percentile(500),
            l.percentile(990),
            l.percentile(1_000),
            l.nanos.len()
        );
    }
}

fn main() {
    // One thread drives the reads and fred's connection task alike: a Redis round trip costs
    // no cross-thread wake-up, so the figures show the cache and Redis, not the scheduler.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(bench());
}

async fn bench() {
    println!(
        "hearth-cache benchmark: {GUILDS} guilds, Zipf s = {ZIPF_EXPONENT}, {} % writes (cache.set), \
         {MEASURED_OPS} operations measured after {WARM_UP_OPS} of warm-up; the store is in memory\n",
        WRITE_SHARE * 100.0
    );

    let (url, server) = if let Some(url) = std::env::var("REDIS_URL").ok().filter(|u| !u.is_empty())
    {
        (Some(url), None)
    } else {
        match RedisServer::start() {
            Ok(server) => (Some(server.url()), Some(server)),
            Err(why) => {
                println!("(no Redis: {why}; the Redis rows are left out)\n");
                (None, None)
            }
        }
    };

    let mut runs = vec![
        measured_run("uncached", &[]).await,
        measured_run(
            "tier 1 only (1 process)",
            &[Cache::local(&CacheConfig::default())],
        )
        .await,
    ];

    let local = Cache::local(&CacheConfig::default());
    let store = CountingStore::default();
    let zipf = Zipf::new(GUILDS, ZIPF_EXPONENT);
    let mut rng = StdRng::seed_from_u64(3);
    for guild in 1..=GUILDS as u64 {
        let _ = local
            .get_or_load(&SETTINGS.key(GuildId::new(guild)), || store.load(guild))
            .await;
    }
    let warm: Vec<u64> = (0..LATENCY_SAMPLES)
        .map(|_| zipf.sample(&mut rng))
        .collect();
    let mut latencies =
        vec![time_reads("tier-1 hit", &local, &store, SETTINGS, warm.iter().copied()).await];

    if let Some(url) = url {
        let prefix = format!("bench:{}:", std::process::id());
        let config = CacheConfig::default()
            .with_redis_url(url)
            .with_key_prefix(prefix);
        let pair = [connect(&config).await, connect(&config).await];
        runs.push(measured_run("tier 1 + Redis (2 processes)", &pair).await);
        latencies.extend(redis_latencies(&connect(&config).await, &store, server).await);
    }

    print_runs(&runs);
    print_latencies(&latencies);
}

async fn connect(config: &CacheConfig) -> Cache {
    Cache::connect(config.clone())
        .await
        .expect("a valid REDIS_URL")
}

/// Redis hits, misses, and (with a private server) misses once Redis is killed.
async fn redis_latencies(
    cache: &Cache,
    store: &CountingStore,
    server: Option<RedisServer>,
) -> Vec<Latency> {
    let samples = LATENCY_SAMPLES as u64;
    // Fill Redis, then read back: tier 1 never keeps REDIS_ONLY entries.
    let _ = time_reads("", cache, store, REDIS_ONLY, 1..=samples).await;
    let mut latencies = vec![
        time_reads(
            "Redis hit (loopback)",
            cache,
            store,
            REDIS_ONLY,
            1..=samples,
        )
        .await,
        time_reads(
            "miss (Redis GET + store + Redis SET)",
            cache,
            store,
            REDIS_ONLY,
            1_000_000..1_000_000 + samples,
        )
        .await,
    ];
    if let Some(mut server) = server {
        server.kill();
        latencies.push(
            time_reads(
                "miss with Redis killed (store only)",
                cache,
                store,
                REDIS_ONLY,
                2_000_000..2_000_000 + samples,
            )
            .await,
        );
        let stats = cache.stats();
        println!(
            "(Redis killed: {} outage logged, {} Redis errors over {samples} reads)\n",
            stats.redis_outages, stats.redis_errors
        );
    } else {
        println!("(REDIS_URL is shared: the Redis-killed row is left out)\n");
    }
    latencies
}
