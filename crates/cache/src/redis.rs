//! Tier 2: Redis through fred, its health, and invalidation over pub/sub.

use std::{
    fmt::Display,
    hash::{BuildHasher, RandomState},
    sync::{
        Arc,
        atomic::{AtomicU8, AtomicU64, Ordering::SeqCst},
    },
    time::Duration,
};

use fred::{
    clients::{Client, SubscriberClient, WithOptions},
    prelude::{
        Builder, ClientLike, Config, EventInterface, Expiration, KeysInterface, Options,
        PubsubInterface, ReconnectPolicy, SetOptions, Value,
    },
    types::config::UnresponsiveConfig,
};
use tokio::{sync::broadcast::error::RecvError, task::AbortHandle, time::Instant};
use tracing::{debug, info, warn};

use crate::{
    Error,
    config::{
        CacheConfig, INVALIDATION_CHANNEL_SUFFIX, MAX_PENDING_INVALIDATIONS, MESSAGE_QUEUE_LEN,
        RECONNECT_MAX_DELAY, RECONNECT_MIN_DELAY, UNRESPONSIVE_AFTER,
    },
    local::Local,
    stats::Stats,
};

const UNKNOWN: u8 = 0;
const UP: u8 = 1;
const DOWN: u8 = 2;

/// Whether Redis is worth asking, and the one log line per outage.
#[derive(Debug)]
pub(crate) struct Health {
    state: AtomicU8,
    /// Milliseconds after `start` when a read may try Redis again while it is down.
    next_try_ms: AtomicU64,
    start: Instant,
    retry_interval: Duration,
    stats: Arc<Stats>,
    /// Woken when Redis comes back, to replay pending invalidations.
    back: tokio::sync::Notify,
}

impl Health {
    fn new(retry_interval: Duration, stats: Arc<Stats>) -> Self {
        Self {
            state: AtomicU8::new(UNKNOWN),
            next_try_ms: AtomicU64::new(0),
            start: Instant::now(),
            retry_interval,
            stats,
            back: tokio::sync::Notify::new(),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether a read should ask Redis: always while it is up; while it is down, one read per
    /// retry interval (the one that wins the race to move the next try).
    pub(crate) fn should_try(&self) -> bool {
        if self.state.load(SeqCst) != DOWN {
            return true;
        }
        let now = self.now_ms();
        let next = self.next_try_ms.load(SeqCst);
        now >= next
            && self
                .next_try_ms
                .compare_exchange(next, now + self.retry_ms(), SeqCst, SeqCst)
                .is_ok()
    }

    fn retry_ms(&self) -> u64 {
        u64::try_from(self.retry_interval.as_millis()).unwrap_or(u64::MAX)
    }

    pub(crate) fn is_up(&self) -> bool {
        self.state.load(SeqCst) == UP
    }

    /// Records a failure; the first one of an outage is logged.
    pub(crate) fn failed(&self, doing: &str, error: &dyn Display) {
        self.stats.redis_errors.fetch_add(1, SeqCst);
        self.next_try_ms
            .store(self.now_ms() + self.retry_ms(), SeqCst);
        if self.state.swap(DOWN, SeqCst) == DOWN {
            debug!(error = %error, "Redis still unavailable ({doing})");
        } else {
            self.stats.redis_outages.fetch_add(1, SeqCst);
            warn!(
                error = %error,
                "Redis is unavailable ({doing}); serving from memory and the database until it is back"
            );
        }
    }

    /// Records a success; the first one after an outage is logged.
    pub(crate) fn succeeded(&self) {
        if self.state.load(SeqCst) != UP && self.state.swap(UP, SeqCst) == DOWN {
            info!("Redis is reachable again; the shared cache tier is back in use");
            self.back.notify_one();
        }
    }
}

/// The Redis tier of one cache.
#[derive(Debug)]
pub(crate) struct RedisTier {
    /// Commands that fail at once while the connection is down and time out quickly.
    fast: WithOptions<Client>,
    pub(crate) health: Arc<Health>,
    prefix: String,
    channel: String,
    /// Marks this cache's own messages, which it ignores.
    origin: String,
    clients: (Client, SubscriberClient),
    tasks: Vec<AbortHandle>,
    pending: Arc<Pending>,
}

/// Invalidations that did not reach Redis, replayed (as DEL + PUBLISH) on reconnection.
#[derive(Debug, Default)]
struct Pending {
    keys: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Pending {
    fn add(&self, key: &str) {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if keys.len() < MAX_PENDING_INVALIDATIONS {
            keys.insert(key.to_owned());
        } else if !keys.contains(key) {
            warn!(
                key,
                "too many invalidations waiting for Redis; this one is bounded by the TTLs only"
            );
        }
    }

    fn take(&self) -> Vec<String> {
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .drain()
            .collect()
    }
}

/// What a replay of pending invalidations needs.
struct Replay {
    fast: WithOptions<Client>,
    local: Arc<Local>,
    wait: Duration,
    pending: Arc<Pending>,
    prefix: String,
    channel: String,
    origin: String,
}

impl Replay {
    /// Waits (bounded) until the client takes commands: fred announces a reconnection just
    /// before the connection is ready, and a fail-fast command in between would fail.
    async fn wait_connected(&self) {
        let deadline = Instant::now() + self.wait;
        while !self.fast.is_connected() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn run(&self) {
        if self.pending.keys.lock().is_ok_and(|k| k.is_empty()) {
            return;
        }
        self.wait_connected().await;
        let keys = self.pending.take();
        info!(
            count = keys.len(),
            "replaying invalidations that could not reach Redis"
        );
        for key in keys {
            let deleted = self
                .fast
                .del::<Value, _>(format!("{}{key}", self.prefix))
                .await;
            let published = self
                .fast
                .publish::<Value, _, _>(&self.channel, format!("{} {key}", self.origin))
                .await;
            if deleted.is_err() || published.is_err() {
                self.pending.add(&key);
            } else {
                // A read here may have refilled tier 1 from Redis before the DEL (our own
                // message is ignored), so drop the key locally too.
                self.local.invalidate(&key);
            }
        }
    }
}

impl Drop for RedisTier {
    fn drop(&mut self) {
        // The connection tasks and listeners belong to this cache alone.
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl RedisTier {
    /// Starts the clients and waits up to `config.connect_timeout` for them; a Redis that is
    /// down is not an error (the clients keep reconnecting in the background).
    pub(crate) async fn start(
        url: &str,
        config: &CacheConfig,
        local: Arc<Local>,
        stats: Arc<Stats>,
    ) -> Result<Self, Error> {
        let fred_config = fred_config(url)?;
        let client = builder(fred_config.clone(), config, config.command_timeout).build();
        // SUBSCRIBE is rare and not on the read path: it may take as long as a connection.
        let subscriber =
            builder(fred_config, config, config.connect_timeout).build_subscriber_client();
        let (client, subscriber) = match (client, subscriber) {
            (Ok(c), Ok(s)) => (c, s),
            (Err(e), _) | (_, Err(e)) => {
                return Err(Error::InvalidRedisUrl {
                    reason: e.to_string(),
                });
            }
        };

        let health = Arc::new(Health::new(config.retry_interval, Arc::clone(&stats)));
        let origin = format!("{:016x}", RandomState::new().hash_one(std::process::id()));
        let channel = format!("{}{INVALIDATION_CHANNEL_SUFFIX}", config.key_prefix);
        let (subscribed_tx, mut subscribed_rx) = tokio::sync::watch::channel(false);

        let fast = client.with_options(&Options {
            fail_fast: true,
            timeout: Some(config.command_timeout),
            max_attempts: Some(1),
            ..Options::default()
        });
        let pending = Arc::new(Pending::default());
        let replay = Replay {
            fast: fast.clone(),
            local: Arc::clone(&local),
            wait: config.connect_timeout,
            pending: Arc::clone(&pending),
            prefix: config.key_prefix.clone(),
            channel: channel.clone(),
            origin: origin.clone(),
        };
        // Listeners subscribe to fred's event streams before connecting, so no event is missed.
        let tasks = vec![
            spawn_health_listener(&client, Arc::clone(&health), replay),
            spawn_subscriber(
                &subscriber,
                Subscription {
                    channel: channel.clone(),
                    origin: origin.clone(),
                    local,
                    stats,
                    subscribed: subscribed_tx,
                },
            ),
            client.connect().abort_handle(),
            subscriber.connect().abort_handle(),
        ];

        let tier = Self {
            fast,
            health,
            prefix: config.key_prefix.clone(),
            channel,
            origin,
            clients: (client, subscriber),
            tasks,
            pending,
        };

        // Wait for both connections and the subscription, or the first sign that Redis is down.
        let ready = async {
            loop {
                if tier.clients.0.is_connected() && *subscribed_rx.borrow_and_update() {
                    return;
                }
                if tier.health.state.load(SeqCst) == DOWN {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        if tokio::time::timeout(config.connect_timeout, ready)
            .await
            .is_err()
        {
            tier.health.failed(
                "connecting",
                &format_args!("no connection within {:?}", config.connect_timeout),
            );
        }
        Ok(tier)
    }

    fn redis_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// The serialised value under `key`, `Ok(None)` when absent, `Err(())` when Redis did not
    /// answer (already recorded).
    pub(crate) async fn get(&self, key: &str) -> Result<Option<String>, ()> {
        match self
            .fast
            .get::<Option<String>, _>(self.redis_key(key))
            .await
        {
            Ok(value) => {
                self.health.succeeded();
                Ok(value)
            }
            Err(e) => {
                self.health.failed("reading", &e);
                Err(())
            }
        }
    }

    /// Stores a freshly loaded value unless Redis already holds one (which a concurrent `set`
    /// may have written: a load never overwrites an update).
    pub(crate) async fn fill(&self, key: &str, value: String, ttl: Duration) {
        let result = self
            .fast
            .set::<Value, _, _>(
                self.redis_key(key),
                value,
                Some(expiration(ttl)),
                Some(SetOptions::NX),
                false,
            )
            .await;
        self.record(result, "filling");
    }

    /// Stores `value` under `key` (or deletes the key when `value` is `None`) and tells the
    /// other processes to drop their copy. Returns whether both reached Redis; if not, the
    /// key is deleted and announced again when Redis is back.
    pub(crate) async fn update(&self, key: &str, value: Option<(String, Duration)>) -> bool {
        let redis_key = self.redis_key(key);
        let written = if let Some((value, ttl)) = value {
            let result = self
                .fast
                .set::<Value, _, _>(redis_key, value, Some(expiration(ttl)), None, false)
                .await;
            self.record(result, "writing")
        } else {
            let result = self.fast.del::<Value, _>(redis_key).await;
            self.record(result, "deleting")
        };
        // Published even when the write failed: other processes then at least drop their
        // tier-1 copy (if Redis is partly reachable), and the message is cheap.
        let message = format!("{} {key}", self.origin);
        let result = self
            .fast
            .publish::<Value, _, _>(&self.channel, message)
            .await;
        let reached = self.record(result, "publishing an invalidation") && written;
        if !reached {
            self.pending.add(key);
        }
        reached
    }

    fn record<T>(&self, result: Result<T, fred::error::Error>, doing: &str) -> bool {
        match result {
            Ok(_) => {
                self.health.succeeded();
                true
            }
            Err(e) => {
                self.health.failed(doing, &e);
                false
            }
        }
    }
}

fn expiration(ttl: Duration) -> Expiration {
    Expiration::PX(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1))
}

fn fred_config(url: &str) -> Result<Config, Error> {
    let tls = if url.starts_with("rediss://") {
        true
    } else if url.starts_with("redis://") {
        false
    } else {
        return Err(Error::InvalidRedisUrl {
            reason: "the scheme is neither redis:// nor rediss://".to_owned(),
        });
    };
    if tls {
        // fred builds its TLS configuration with rustls' process-wide provider. Install ring
        // (the provider the whole workspace uses) unless the program already chose one.
        let _ = fred::rustls::crypto::ring::default_provider().install_default();
    }
    let mut config = Config::from_url(url).map_err(|e| Error::InvalidRedisUrl {
        reason: e.details().to_string(),
    })?;
    // With `fail_fast` in the *client* config, a failed first connection ends the connection
    // task for good. Off, the task keeps reconnecting by the policy below, and every command
    // of the read path asks to fail fast on its own (`Options::fail_fast`).
    config.fail_fast = false;
    Ok(config)
}

fn builder(config: Config, cache: &CacheConfig, command_timeout: Duration) -> Builder {
    let mut builder = Builder::from_config(config);
    builder
        .with_connection_config(|c| {
            c.connection_timeout = cache.connect_timeout;
            c.internal_command_timeout = cache.connect_timeout;
            c.max_command_attempts = 1;
            c.unresponsive = UnresponsiveConfig {
                max_timeout: Some(UNRESPONSIVE_AFTER),
                interval: UNRESPONSIVE_AFTER / 4,
            };
        })
        .with_performance_config(|p| {
            p.default_command_timeout = command_timeout;
            p.broadcast_channel_capacity = MESSAGE_QUEUE_LEN;
        })
        .set_policy(ReconnectPolicy::new_exponential(
            0, // retry forever
            millis(RECONNECT_MIN_DELAY),
            millis(RECONNECT_MAX_DELAY),
            2,
        ));
    builder
}

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

/// Marks Redis down on connection errors and up on (re)connection,
/// and replays pending invalidations after a reconnection.
fn spawn_health_listener(client: &Client, health: Arc<Health>, replay: Replay) -> AbortHandle {
    let mut errors = client.error_rx();
    let mut reconnects = client.reconnect_rx();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                event = errors.recv() => match event {
                    Ok((error, _)) => health.failed("connecting", &error),
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                },
                event = reconnects.recv() => match event {
                    Ok(_) | Err(RecvError::Lagged(_)) => {
                        replay.wait_connected().await;
                        health.succeeded();
                        replay.run().await;
                    }
                    Err(RecvError::Closed) => return,
                },
                () = health.back.notified() => replay.run().await,
            }
        }
    })
    .abort_handle()
}

struct Subscription {
    channel: String,
    origin: String,
    local: Arc<Local>,
    stats: Arc<Stats>,
    subscribed: tokio::sync::watch::Sender<bool>,
}

/// Subscribes on every (re)connection, then empties tier 1 (messages may have been missed
/// while disconnected), and applies the invalidations of other processes.
fn spawn_subscriber(subscriber: &SubscriberClient, sub: Subscription) -> AbortHandle {
    let mut messages = subscriber.message_rx();
    let mut reconnects = subscriber.reconnect_rx();
    let subscriber = subscriber.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                event = reconnects.recv() => match event {
                    Ok(_) | Err(RecvError::Lagged(_)) => {
                        sub.subscribed.send_replace(false);
                        // Clear only once subscribed, so no message can fall between the two.
                        while let Err(e) = subscriber.subscribe(&sub.channel).await {
                            debug!(error = %e, "subscribing to cache invalidations failed; retrying");
                            tokio::time::sleep(RECONNECT_MIN_DELAY).await;
                        }
                        sub.clear_local();
                        sub.subscribed.send_replace(true);
                    }
                    Err(RecvError::Closed) => return,
                },
                event = messages.recv() => match event {
                    Ok(message) => sub.apply(&message.value),
                    Err(RecvError::Lagged(missed)) => {
                        warn!(missed, "cache invalidations arrived faster than they were applied; emptying the in-process cache");
                        sub.clear_local();
                    }
                    Err(RecvError::Closed) => return,
                },
            }
        }
    })
    .abort_handle()
}

impl Subscription {
    fn clear_local(&self) {
        self.local.clear();
        self.stats.local_clears.fetch_add(1, SeqCst);
    }

    fn apply(&self, value: &Value) {
        let Some(text) = value.as_str() else { return };
        let Some((origin, key)) = text.split_once(' ') else {
            return;
        };
        if origin != self.origin {
            self.local.invalidate(key);
            self.stats.remote_invalidations.fetch_add(1, SeqCst);
        }
    }
}
