//! Starting and stopping the bot: store, cache, Discord clients, shards, HTTP endpoint.

use std::{
    collections::BTreeMap,
    future::Future,
    net::SocketAddr,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use hearth_cache::{Cache, CacheConfig};
use hearth_core::StoreError;
use tokio::net::TcpListener;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use twilight_cache_inmemory::{DefaultInMemoryCache, ResourceType};
use twilight_gateway::{
    CloseFrame, ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
    queue::InMemoryQueue,
};

use crate::{
    config::Config,
    context::{Backend, Context},
    discord::{Discord, DiscordError, user_id},
    http,
    interaction::{self, chain},
    metrics::Metrics,
    moderation,
    settings::Settings,
    store::{self, OpenedStore},
};

/// How long shutdown waits for in-flight handlers before giving up on them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How long a shard waits for the gateway to acknowledge its close frame at shutdown.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// The gateway intents: the union of what each feature declares. None is privileged.
pub const INTENTS: Intents = moderation::INTENTS;

/// Why the bot could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The database could not be opened or reached.
    #[error("could not open the database")]
    Store(#[from] StoreError),
    /// The cache could not be set up.
    #[error("could not set up the cache")]
    Cache(#[from] hearth_cache::Error),
    /// Discord refused a start-up call (a bad token shows up here).
    #[error("Discord refused a start-up call; check DISCORD_TOKEN and HEARTH_DISCORD_API")]
    Discord(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The HTTP listener could not be bound.
    #[error("could not listen on {addr} (HEARTH_HTTP_ADDR)")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl From<DiscordError> for RunError {
    fn from(err: DiscordError) -> Self {
        Self::Discord(Box::new(err))
    }
}

fn discord_error(err: impl std::error::Error + Send + Sync + 'static) -> RunError {
    RunError::Discord(Box::new(err))
}

/// Which shards are connected, for `/healthz`.
#[derive(Debug, Default)]
pub struct ShardHealth {
    connected: Mutex<BTreeMap<u32, bool>>,
}

impl ShardHealth {
    fn set(&self, shard: u32, up: bool) {
        self.connected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(shard, up);
    }

    /// (connected, total) shards of this process.
    pub fn counts(&self) -> (usize, usize) {
        let map = self
            .connected
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        (map.values().filter(|up| **up).count(), map.len())
    }
}

/// A running bot.
#[derive(Debug)]
pub struct Running {
    http_addr: SocketAddr,
    cancel: CancellationToken,
    tasks: TaskTracker,
    ready: Arc<AtomicBool>,
    metrics: Arc<Metrics>,
}

impl Running {
    /// The bot's metrics, as `/metrics` publishes them.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Where the HTTP endpoint listens (useful when configured with port 0).
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// Whether every shard has received READY at least once.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Stops taking events, lets in-flight handlers finish (for at most [`SHUTDOWN_GRACE`]),
    /// closes the shards and the HTTP endpoint.
    pub async fn stop(self) {
        let started = std::time::Instant::now();
        self.cancel.cancel();
        self.tasks.close();
        if tokio::time::timeout(SHUTDOWN_GRACE, self.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("some handlers did not finish within the shutdown grace period");
        }
        tracing::info!(took = ?started.elapsed(), "stopped");
    }
}

/// Runs the bot until `shutdown` completes, then stops it gracefully.
///
/// # Errors
///
/// A [`RunError`] when start-up fails.
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> Result<(), RunError> {
    let running = start(config).await?;
    shutdown.await;
    tracing::info!("shutting down");
    running.stop().await;
    Ok(())
}

/// Starts the bot and returns once it runs: the store is open, commands are registered, the
/// shards are connecting and the HTTP endpoint listens.
///
/// # Errors
///
/// A [`RunError`] when start-up fails.
pub async fn start(config: Config) -> Result<Running, RunError> {
    // The one place the backend is chosen; everything after is generic over the store.
    match store::open(&config.database).await? {
        OpenedStore::Sqlite(store) => start_with(config, store).await,
        OpenedStore::Mongo(store) => start_with(config, store).await,
    }
}

async fn start_with<S: Backend>(config: Config, store: S) -> Result<Running, RunError> {
    let ctx = connect(&config, store).await?;
    ctx.discord
        .register_commands(&moderation::commands::commands(), config.dev_guild)
        .await?;
    tracing::info!(
        scope = %config.dev_guild.map_or_else(|| "global".to_owned(), |g| format!("guild {g}")),
        "registered commands"
    );

    let cancel = CancellationToken::new();
    let tasks = TaskTracker::new();
    let health = Arc::new(ShardHealth::default());
    let ready = Arc::new(AtomicBool::new(false));
    let shards = shards(&config, &ctx).await?;
    let shard_count = shards.len();
    for shard in shards {
        health.set(shard.id().number(), false);
        tasks.spawn(drive_shard(
            shard,
            ctx.clone(),
            tasks.clone(),
            cancel.clone(),
            Arc::clone(&health),
            Arc::clone(&ready),
            shard_count,
        ));
    }

    let listener = TcpListener::bind(config.http_addr)
        .await
        .map_err(|source| RunError::Listen {
            addr: config.http_addr,
            source,
        })?;
    let http_addr = listener.local_addr().map_err(|source| RunError::Listen {
        addr: config.http_addr,
        source,
    })?;
    let metrics = Arc::clone(&ctx.metrics);
    let app = http::router(http::State::new(
        ctx,
        config.public_key,
        health,
        tasks.clone(),
    ));
    let stop = cancel.clone();
    tasks.spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
        if let Err(err) = served {
            tracing::error!(error = %err, "HTTP endpoint failed");
        }
    });
    tracing::info!(%http_addr, "HTTP endpoint listening (/interactions, /healthz, /metrics)");
    Ok(Running {
        http_addr,
        cancel,
        tasks,
        ready,
        metrics,
    })
}

/// Connects to Discord's REST API and the cache, and builds the handlers' context.
async fn connect<S: Backend>(config: &Config, store: S) -> Result<Context<S>, RunError> {
    let metrics = Arc::new(Metrics::default());
    let builder = || {
        let mut builder = twilight_http::Client::builder()
            .token(config.token.clone())
            .timeout(Duration::from_secs(10));
        if let Some(api) = &config.discord_api {
            builder = builder.proxy(api.host.clone(), api.plain_http);
        }
        builder
    };
    let http = Arc::new(builder().build());
    let application = http
        .current_user_application()
        .await
        .map_err(discord_error)?
        .model()
        .await
        .map_err(discord_error)?;
    let me = http
        .current_user()
        .await
        .map_err(discord_error)?
        .model()
        .await
        .map_err(discord_error)?;
    tracing::info!(bot = %me.name, application = %application.id, "connected to Discord's API");
    let discord = Discord::new(Arc::clone(&http), application.id, Arc::clone(&metrics))
        .with_interaction_client(Arc::new(builder().ratelimiter(None).build()));

    let mut cache_config = CacheConfig::default();
    if let Some(url) = &config.redis_url {
        cache_config = cache_config.with_redis_url(url.clone());
    }
    let cache = Cache::connect(cache_config).await?;
    let guilds = Arc::new(
        DefaultInMemoryCache::builder()
            .resource_types(ResourceType::GUILD | ResourceType::ROLE | ResourceType::MEMBER)
            .build(),
    );
    Ok(Context::new(
        discord,
        store.clone(),
        Settings::new(store, cache),
        guilds,
        user_id(me.id),
        metrics,
    ))
}

/// This process's shards, from `GET /gateway/bot` or `HEARTH_SHARDS`, with an identify queue
/// that follows Discord's session-start limits.
async fn shards<S: Backend>(config: &Config, ctx: &Context<S>) -> Result<Vec<Shard>, RunError> {
    let info = ctx.discord.gateway_info().await?;
    let limit = info.session_start_limit;
    let (ids, total) = match &config.shards {
        Some(range) => (range.ids.clone().collect::<Vec<_>>(), range.total),
        None => ((0..info.shards.max(1)).collect(), info.shards.max(1)),
    };
    let queue = InMemoryQueue::new(
        limit.max_concurrency,
        limit.remaining.min(limit.total),
        Duration::from_millis(limit.reset_after),
        limit.total,
    );
    let mut gateway = ConfigBuilder::new(config.token.clone(), INTENTS).queue(queue);
    if let Some(url) = &config.gateway_url {
        gateway = gateway.proxy_url(url.clone());
    }
    let gateway = gateway.build();
    tracing::info!(shards = ids.len(), total, "connecting to the gateway");
    Ok(ids
        .into_iter()
        .map(|id| Shard::with_config(ShardId::new(id, total), gateway.clone()))
        .collect())
}

/// Drives one shard: updates the gateway cache, dispatches events to features, and closes
/// the connection on shutdown.
async fn drive_shard<S: Backend>(
    mut shard: Shard,
    ctx: Context<S>,
    tasks: TaskTracker,
    cancel: CancellationToken,
    health: Arc<ShardHealth>,
    ready: Arc<AtomicBool>,
    shard_count: usize,
) {
    let id = shard.id().number();
    loop {
        let item = tokio::select! {
            () = cancel.cancelled() => break,
            item = shard.next_event(EventTypeFlags::all()) => item,
        };
        let event = match item {
            None => {
                tracing::error!(shard = id, "the gateway closed the shard for good");
                health.set(id, false);
                return;
            }
            Some(Err(err)) => {
                tracing::warn!(shard = id, error = %chain(&err), "gateway error");
                continue;
            }
            Some(Ok(event)) => event,
        };
        ctx.metrics.event();
        ctx.guilds.update(&event);
        match event {
            Event::Ready(_) | Event::Resumed => {
                health.set(id, true);
                if health.counts().0 == shard_count {
                    ready.store(true, Ordering::SeqCst);
                }
                tracing::info!(shard = id, "shard connected");
            }
            Event::GatewayClose(frame) => {
                health.set(id, false);
                tracing::info!(shard = id, ?frame, "shard disconnected; reconnecting");
            }
            Event::InteractionCreate(interaction) => {
                tasks.spawn(interaction::handle(ctx.clone(), interaction.0, None));
            }
            _ => {}
        }
    }
    shard.close(CloseFrame::NORMAL);
    // The close frame goes out on the next poll. twilight then starts a new connection rather
    // than yielding the close, so poll until the first message of anything after it (or give
    // up after CLOSE_TIMEOUT) and drop the shard there.
    let closed = tokio::time::timeout(CLOSE_TIMEOUT, futures_util::StreamExt::next(&mut shard))
        .await
        .is_ok();
    tracing::debug!(shard = id, closed, "shard stopped");
    health.set(id, false);
}
