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
use hearth_core::{Clock, StoreError, SystemClock};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use twilight_cache_inmemory::DefaultInMemoryCache;
use twilight_gateway::{
    CloseFrame, ConfigBuilder, Event, EventTypeFlags, Shard, ShardId, StreamExt as _,
    queue::InMemoryQueue,
};

use crate::{
    config::Config,
    context::{Backend, Context},
    discord::{Discord, DiscordError, user_id},
    feature::Workers,
    features, http,
    interaction::{self, App, Handled, chain},
    metrics::Metrics,
    pipeline::{EventSink, Pipeline},
    scheduler::{self, Scheduler},
    store::{self, OpenedStore},
};

/// How long shutdown waits for in-flight handlers before giving up on them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How long a shard waits for the gateway to acknowledge its close frame at shutdown.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

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
    handled: broadcast::Sender<Handled>,
}

impl Running {
    /// The interactions handled from now on, each when its handler has finished (its answer
    /// sent): how `hearth try` knows a command is done.
    pub fn handled(&self) -> broadcast::Receiver<Handled> {
        self.handled.subscribe()
    }

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
    start_at(config, Arc::new(SystemClock)).await
}

/// [`start`] with another clock: how scenarios fast-forward timers.
///
/// # Errors
///
/// A [`RunError`] when start-up fails.
pub async fn start_at(config: Config, clock: Arc<dyn Clock>) -> Result<Running, RunError> {
    // The one place the backend is chosen; everything after is generic over the store.
    match store::open(&config.database).await? {
        OpenedStore::Sqlite(store) => start_with(config, store, clock).await,
        OpenedStore::Mongo(store) => start_with(config, store, clock).await,
    }
}

/// [`start_at`] on a store the caller opened, and may have filled first (`hearth try` gives
/// its demo guild a month of chat): `config.database` is not opened.
///
/// # Errors
///
/// A [`RunError`] when start-up fails.
pub async fn start_on<S: Backend>(
    config: Config,
    store: S,
    clock: Arc<dyn Clock>,
) -> Result<Running, RunError> {
    start_with(config, store, clock).await
}

impl<S: Backend> EventSink for App<S> {
    async fn handle(&self, event: Event) {
        self.features.event(&self.ctx, &event).await;
    }
}

async fn start_with<S: Backend>(
    config: Config,
    store: S,
    clock: Arc<dyn Clock>,
) -> Result<Running, RunError> {
    let ctx = connect(&config, clock).await?;
    let app = Arc::new(App::new(ctx, store));
    app.ctx
        .discord
        .register_commands(&app.features.commands(), config.dev_guild)
        .await?;
    tracing::info!(
        scope = %config.dev_guild.map_or_else(|| "global".to_owned(), |g| format!("guild {g}")),
        "registered commands"
    );

    let cancel = CancellationToken::new();
    let tasks = TaskTracker::new();
    let workers = Workers {
        cancel: cancel.clone(),
        tasks: tasks.clone(),
    };
    app.features.workers(&app.ctx, &workers);
    // The timed actions of every feature: one scheduler per process (see `scheduler`).
    tasks.spawn(
        Scheduler::new(
            app.store.clone(),
            Arc::clone(&app),
            Arc::clone(&app.ctx.clock),
            scheduler::process_owner(),
        )
        .with_lease(config.timed_lease)
        .run(cancel.clone()),
    );
    let pipeline = Pipeline::start(&app, &workers);
    let health = Arc::new(ShardHealth::default());
    let ready = Arc::new(AtomicBool::new(false));
    let shards = shards(&config, &app.ctx).await?;
    let shard_count = shards.len();
    for shard in shards {
        health.set(shard.id().number(), false);
        tasks.spawn(drive_shard(
            shard,
            Arc::clone(&app),
            pipeline.clone(),
            Shell {
                tasks: tasks.clone(),
                cancel: cancel.clone(),
                health: Arc::clone(&health),
                ready: Arc::clone(&ready),
                shard_count,
            },
        ));
    }
    drop(pipeline);

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
    let metrics = Arc::clone(&app.ctx.metrics);
    let handled = app.handled_sender();
    let app = http::router(http::State::new(
        app,
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
        handled,
    })
}

/// Connects to Discord's REST API and the cache, and builds the handlers' context.
async fn connect(config: &Config, clock: Arc<dyn Clock>) -> Result<Context, RunError> {
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
            .resource_types(features::CACHE)
            .build(),
    );
    Ok(Context::new(discord, cache, guilds, user_id(me.id), metrics, clock).with_config(config))
}

/// This process's shards, from `GET /gateway/bot` or `HEARTH_SHARDS`, with an identify queue
/// that follows Discord's session-start limits.
async fn shards(config: &Config, ctx: &Context) -> Result<Vec<Shard>, RunError> {
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
    let mut gateway = ConfigBuilder::new(config.token.clone(), features::INTENTS).queue(queue);
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

/// What a shard's loop shares with the rest of the shell.
struct Shell {
    tasks: TaskTracker,
    cancel: CancellationToken,
    health: Arc<ShardHealth>,
    ready: Arc<AtomicBool>,
    shard_count: usize,
}

/// Whether the gateway cache should see an event. The cache keeps guilds, roles, channels and
/// the bot's own member: what hierarchy checks, ticket categories and transcripts need, bounded
/// by the size of the guilds. Messages,
/// reactions and other members never reach it, so it doesn't grow with every author.
fn feeds_cache(
    event: &Event,
    bot: twilight_model::id::Id<twilight_model::id::marker::UserMarker>,
) -> bool {
    match event {
        Event::GuildCreate(_)
        | Event::GuildUpdate(_)
        | Event::GuildDelete(_)
        | Event::RoleCreate(_)
        | Event::RoleUpdate(_)
        | Event::RoleDelete(_)
        | Event::ChannelCreate(_)
        | Event::ChannelUpdate(_)
        | Event::ChannelDelete(_) => true,
        Event::MemberUpdate(member) => member.user.id == bot,
        _ => false,
    }
}

/// Whether some feature declared this event's type (events without a flag: none did).
fn wanted(event: &Event) -> bool {
    let kind = EventTypeFlags::from(event.kind());
    !kind.is_empty() && features::FEATURE_EVENTS.contains(kind)
}

/// Drives one shard: decodes only the event types some feature (or the shell) declared,
/// updates the gateway cache, answers interactions and feeds the pipeline; closes the
/// connection on shutdown.
async fn drive_shard<S: Backend>(
    mut shard: Shard,
    app: Arc<App<S>>,
    pipeline: Pipeline,
    shell: Shell,
) {
    let id = shard.id().number();
    let bot = crate::discord::ids::user(app.ctx.bot);
    loop {
        let item = tokio::select! {
            () = shell.cancel.cancelled() => break,
            item = shard.next_event(features::EVENTS) => item,
        };
        let event = match item {
            None => {
                tracing::error!(shard = id, "the gateway closed the shard for good");
                shell.health.set(id, false);
                return;
            }
            Some(Err(err)) => {
                tracing::warn!(shard = id, error = %chain(&err), "gateway error");
                continue;
            }
            Some(Ok(event)) => event,
        };
        app.ctx.metrics.event();
        if feeds_cache(&event, bot) {
            app.ctx.guilds.update(&event);
        }
        match event {
            Event::Ready(_) | Event::Resumed => {
                shell.health.set(id, true);
                if shell.health.counts().0 == shell.shard_count {
                    shell.ready.store(true, Ordering::SeqCst);
                }
                tracing::info!(shard = id, "shard connected");
            }
            Event::GatewayClose(frame) => {
                shell.health.set(id, false);
                tracing::info!(shard = id, ?frame, "shard disconnected; reconnecting");
            }
            Event::InteractionCreate(interaction) => {
                shell
                    .tasks
                    .spawn(interaction::handle(Arc::clone(&app), interaction.0, None));
            }
            event if wanted(&event) => {
                pipeline.dispatch(event).await;
            }
            _ => {}
        }
    }
    drop(pipeline);
    shard.close(CloseFrame::NORMAL);
    // The close frame goes out on the next poll. twilight then starts a new connection rather
    // than yielding the close, so poll until the first message of anything after it (or give
    // up after CLOSE_TIMEOUT) and drop the shard there.
    let closed = tokio::time::timeout(CLOSE_TIMEOUT, futures_util::StreamExt::next(&mut shard))
        .await
        .is_ok();
    tracing::debug!(shard = id, closed, "shard stopped");
    shell.health.set(id, false);
}

#[cfg(test)]
mod tests {
    use twilight_model::id::Id;

    use super::*;
    use crate::pipeline::tests::message;

    #[test]
    fn messages_never_reach_the_gateway_cache_and_are_skipped_until_a_feature_wants_them() {
        let event = message(5, "hello");
        assert!(!feeds_cache(&event, Id::new(1)));
        let cache = DefaultInMemoryCache::builder()
            .resource_types(features::CACHE)
            .build();
        for author in 1..100 {
            let event = message(author, "hi");
            if feeds_cache(&event, Id::new(1)) {
                cache.update(&event);
            }
        }
        assert_eq!(cache.stats().members(), 0);
        // What the filter keeps out: the same messages fed to the cache would store members.
        for author in 1..100 {
            cache.update(&message(author, "hi"));
        }
        assert_eq!(cache.stats().members(), 99);
        assert_eq!(
            wanted(&event),
            features::FEATURE_EVENTS.contains(EventTypeFlags::MESSAGE_CREATE)
        );
    }
}
