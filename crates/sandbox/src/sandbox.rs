//! The test-facing API: start a sandbox, build guilds, act as members, observe what the bot
//! did, inject faults.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use twilight_model::gateway::Intents;
use twilight_model::guild::Permissions;
use twilight_model::id::Id;
use twilight_model::id::marker::{
    ApplicationMarker, ChannelMarker, GuildMarker, MessageMarker, RoleMarker, UserMarker,
};

use crate::endpoint::{self, Endpoint, EndpointRefused};
use crate::gateway::{self, ShardFault};
use crate::payload::{self, id};
use crate::state::{
    self, AuditEntry, Ban, Channel, Config, FaultKind, Interaction, Message, Overwrite,
    RecordedRequest, ResponseKind, Role, RouteFault, State, User, channel_kind,
};
use crate::{Shared, Spec, events, rest};

/// How long the `wait_for` helpers wait before giving up: generous, so a loaded machine
/// never fails a test that normally takes milliseconds.
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Permissions of @everyone in a new guild, as Discord's defaults.
const EVERYONE_DEFAULT: Permissions = Permissions::VIEW_CHANNEL
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::READ_MESSAGE_HISTORY)
    .union(Permissions::ADD_REACTIONS)
    .union(Permissions::EMBED_LINKS)
    .union(Permissions::ATTACH_FILES)
    .union(Permissions::USE_SLASH_COMMANDS)
    .union(Permissions::CHANGE_NICKNAME)
    .union(Permissions::SEND_MESSAGES_IN_THREADS);

/// Permissions of the bot's managed role in a new guild: what a moderation bot is invited with.
pub const BOT_DEFAULT_PERMISSIONS: Permissions = Permissions::KICK_MEMBERS
    .union(Permissions::BAN_MEMBERS)
    .union(Permissions::MANAGE_CHANNELS)
    .union(Permissions::VIEW_AUDIT_LOG)
    .union(Permissions::VIEW_CHANNEL)
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::MANAGE_MESSAGES)
    .union(Permissions::EMBED_LINKS)
    .union(Permissions::ATTACH_FILES)
    .union(Permissions::READ_MESSAGE_HISTORY)
    .union(Permissions::ADD_REACTIONS)
    .union(Permissions::MANAGE_NICKNAMES)
    .union(Permissions::MANAGE_ROLES)
    .union(Permissions::MODERATE_MEMBERS);

/// Options for starting a [`Sandbox`].
#[derive(Debug)]
pub struct SandboxBuilder {
    token: String,
    shards: u32,
    privileged: Intents,
    heartbeat: Duration,
    attachment_size_limit: u64,
    spec: Option<Arc<Spec>>,
}

impl SandboxBuilder {
    /// The bot token the sandbox accepts (default `sandbox-token`).
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// The shard count `/gateway/bot` recommends (default 1).
    #[must_use]
    pub fn shards(mut self, shards: u32) -> Self {
        self.shards = shards.max(1);
        self
    }

    /// The privileged intents enabled for the application (default: all three). Asking for
    /// another one in IDENTIFY closes the shard with 4014.
    #[must_use]
    pub fn privileged_intents(mut self, intents: Intents) -> Self {
        self.privileged = intents;
        self
    }

    /// The heartbeat interval sent in HELLO (default 41.25 s, as Discord).
    #[must_use]
    pub fn heartbeat_interval(mut self, interval: Duration) -> Self {
        self.heartbeat = interval;
        self
    }

    /// `attachment_size_limit` of interactions and the upload limit (default 10 MiB).
    #[must_use]
    pub fn attachment_size_limit(mut self, bytes: u64) -> Self {
        self.attachment_size_limit = bytes;
        self
    }

    /// Validate request bodies and answers against this description (`None` turns validation
    /// off). By default the description embedded in the crate ([`Spec::embedded`]) is used.
    #[must_use]
    pub fn spec(mut self, spec: Option<Arc<Spec>>) -> Self {
        self.spec = spec;
        self
    }

    /// Binds the gateway and REST servers on `127.0.0.1:0` and starts them.
    ///
    /// # Errors
    ///
    /// An I/O error when a socket cannot be bound.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        let gateway_listener = TcpListener::bind("127.0.0.1:0").await?;
        let rest_listener = TcpListener::bind("127.0.0.1:0").await?;
        let gateway_url = format!("ws://{}", gateway_listener.local_addr()?);
        let rest_addr = rest_listener.local_addr()?.to_string();
        let ids = crate::time::Snowflakes::default();
        let config = Config {
            token: self.token,
            application_id: ids.next(),
            bot_id: ids.next(),
            shards: self.shards,
            privileged_intents: self.privileged.bits(),
            heartbeat_interval_ms: u64::try_from(self.heartbeat.as_millis()).unwrap_or(41_250),
            attachment_size_limit: self.attachment_size_limit,
            gateway_url: gateway_url.clone(),
            rest_base: format!("http://{rest_addr}"),
        };
        let mut state = State::new(config);
        state.ids = ids;
        let shared = Arc::new(Shared {
            state: std::sync::Mutex::new(state),
            changed: tokio::sync::Notify::new(),
            spec: self.spec,
        });
        let router = rest::router(Arc::clone(&shared));
        let tasks = vec![
            tokio::spawn(gateway::serve(gateway_listener, Arc::clone(&shared))),
            tokio::spawn(async move {
                let _ = axum::serve(rest_listener, router).await;
            }),
        ];
        Ok(Sandbox {
            shared,
            gateway_url,
            rest_addr,
            tasks: Arc::new(Mutex::new(tasks)),
        })
    }
}

/// A running local Discord: a gateway and a REST API on loopback, and handles to act and observe.
///
/// # Example
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use hearth_sandbox::Sandbox;
/// let sandbox = Sandbox::start().await?;
/// let guild = sandbox.create_guild("Demo");
/// let general = guild.text_channel("general");
/// let alice = guild.add_member("alice");
/// alice.send(general, "hi");
/// println!("gateway {} rest {} token {}", sandbox.gateway_url(), sandbox.http_proxy(), sandbox.token());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
    gateway_url: String,
    rest_addr: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("gateway_url", &self.gateway_url)
            .field("rest_addr", &self.rest_addr)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox with the default options.
    ///
    /// # Errors
    ///
    /// An I/O error when a socket cannot be bound.
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// Options for a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            token: "sandbox-token".to_owned(),
            shards: 1,
            privileged: Intents::GUILD_MEMBERS
                | Intents::GUILD_PRESENCES
                | Intents::MESSAGE_CONTENT,
            heartbeat: Duration::from_millis(41_250),
            attachment_size_limit: 10 << 20,
            spec: Some(Spec::embedded()),
        }
    }

    /// Stops the servers (also done when the last clone is dropped).
    pub fn shutdown(&self) {
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .drain(..)
        {
            task.abort();
        }
        self.shared.with(|s| {
            for sess in s.sessions.values_mut() {
                if let Some((_, tx)) = sess.conn.take() {
                    let _ = tx.send(state::Outbound::Abort);
                }
            }
        });
    }

    /// The bot token (without the `Bot ` prefix).
    pub fn token(&self) -> String {
        self.shared.read(|s| s.config.token.clone())
    }

    /// The gateway URL for twilight's `ConfigBuilder::proxy_url`: `ws://127.0.0.1:PORT`.
    pub fn gateway_url(&self) -> &str {
        &self.gateway_url
    }

    /// The REST address for twilight's `ClientBuilder::proxy(.., true)`: `127.0.0.1:PORT`.
    pub fn http_proxy(&self) -> &str {
        &self.rest_addr
    }

    /// The REST base URL: `http://127.0.0.1:PORT/api/v10`.
    pub fn rest_url(&self) -> String {
        format!("http://{}{}", self.rest_addr, rest::API_PREFIX)
    }

    /// The application's id.
    pub fn application_id(&self) -> Id<ApplicationMarker> {
        Id::new(self.shared.read(|s| s.config.application_id))
    }

    /// The bot user's id.
    pub fn bot_id(&self) -> Id<UserMarker> {
        Id::new(self.shared.read(State::bot_id))
    }

    /// Creates a guild with an owner, @everyone and the bot (with a managed role holding
    /// [`BOT_DEFAULT_PERMISSIONS`]); connected shards get GUILD_CREATE.
    pub fn create_guild(&self, name: &str) -> Guild {
        let gid = self.shared.with(|s| {
            let gid = s.ids.next();
            let owner = new_user(s, &format!("{name} owner"), false);
            let bot = s.bot_id();
            let bot_role = s.ids.next();
            let now = s.now();
            let mut guild = state::Guild {
                id: gid,
                name: name.to_owned(),
                owner_id: owner,
                roles: std::collections::BTreeMap::new(),
                members: std::collections::BTreeMap::new(),
                bans: std::collections::BTreeMap::new(),
            };
            guild
                .roles
                .insert(gid, role(gid, "@everyone", 0, EVERYONE_DEFAULT, false));
            guild.roles.insert(
                bot_role,
                role(bot_role, "Hearth", 1, BOT_DEFAULT_PERMISSIONS, true),
            );
            for (user, roles) in [(owner, vec![]), (bot, vec![bot_role])] {
                guild.members.insert(
                    user,
                    state::Member {
                        user_id: user,
                        nick: None,
                        roles,
                        joined_at_ms: now,
                        communication_disabled_until_ms: None,
                    },
                );
            }
            s.guilds.insert(gid, guild);
            events::guild_create(s, gid);
            gid
        });
        Guild {
            shared: Arc::clone(&self.shared),
            id: gid,
        }
    }

    /// A handle to an existing guild.
    pub fn guild(&self, id: Id<GuildMarker>) -> Guild {
        Guild {
            shared: Arc::clone(&self.shared),
            id: id.get(),
        }
    }

    /// The description requests and answers are validated against (`None` only when a test
    /// turned validation off with [`SandboxBuilder::spec`]): a harness asserts it is there, so
    /// "nothing Discord would refuse" cannot pass vacuously.
    pub fn spec(&self) -> Option<Arc<Spec>> {
        self.shared.spec.clone()
    }

    /// Every REST request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.read(|s| s.requests.clone())
    }

    /// Requests matching a method and route template (as in [`crate::routes`]).
    pub fn request_count(&self, method: &str, route: &str) -> usize {
        self.shared.read(|s| {
            s.requests
                .iter()
                .filter(|r| r.method == method && r.route.as_deref() == Some(route))
                .count()
        })
    }

    /// How many requests the global limit of 50 per second refused with a 429.
    ///
    /// Windows are back to back, each opened by the first request after the last one closed
    /// (as twilight's limiter counts), so this is the number to assert on to show that a bot
    /// keeps to Discord's global limit.
    pub fn global_rate_limited(&self) -> u64 {
        self.shared.read(|s| s.global_rate_limited)
    }

    /// The most requests received within any sliding one-second window. A client that keeps to
    /// 50 per back-to-back window can show up to 100 here; see [`Sandbox::global_rate_limited`].
    pub fn max_requests_per_second(&self) -> usize {
        let times: Vec<Instant> = self
            .shared
            .with(|s| s.requests.iter().map(|r| r.at).collect());
        let mut best = 0;
        let mut start = 0;
        for end in 0..times.len() {
            while times[end].duration_since(times[start]) >= Duration::from_secs(1) {
                start += 1;
            }
            best = best.max(end + 1 - start);
        }
        best
    }

    /// Request bodies that Discord's API description rejects, as `METHOD route: problems`.
    pub fn spec_violations(&self) -> Vec<String> {
        self.shared.read(|s| s.spec_violations.clone())
    }

    /// Answers of the sandbox that Discord's API description does not allow, as
    /// `METHOD route -> status: problems` (a check on the sandbox itself).
    pub fn response_violations(&self) -> Vec<String> {
        self.shared.read(|s| s.response_violations.clone())
    }

    /// Every dispatch the gateway produced, in order, as `(event name, data)` (at most the last
    /// 10,000), whether or not a shard was connected to receive it.
    pub fn dispatches(&self) -> Vec<(String, Value)> {
        self.shared
            .with(|s| s.dispatch_log.iter().cloned().collect())
    }

    /// How many IDENTIFYs and RESUMEs the gateway accepted.
    pub fn gateway_counts(&self) -> (u64, u64) {
        self.shared.read(|s| (s.identifies, s.resumes))
    }

    /// The shard ids that have a live, identified connection.
    pub fn connected_shards(&self) -> Vec<u32> {
        self.shared.read(|s| {
            let mut shards: Vec<u32> = s
                .sessions
                .values()
                .filter(|x| x.conn.is_some())
                .map(|x| x.shard[0])
                .collect();
            shards.sort_unstable();
            shards.dedup();
            shards
        })
    }

    /// Applies a fault to a shard's live connection; returns how many connections it hit.
    pub fn shard_fault(&self, shard: u32, fault: ShardFault) -> usize {
        self.shared.with(|s| gateway::fault(s, shard, fault))
    }

    /// Makes a route answer with `status` (e.g. 500) the next `times` times (`None` = always).
    pub fn fail_route(&self, method: &str, route: &str, status: u16, times: Option<u32>) {
        self.add_fault(method, route, FaultKind::Status(status), times);
    }

    /// Makes a route answer 429 with `retry_after` (seconds) and the global flag.
    pub fn rate_limit_route(
        &self,
        method: &str,
        route: &str,
        retry_after: f64,
        global: bool,
        times: Option<u32>,
    ) {
        self.add_fault(
            method,
            route,
            FaultKind::RateLimited {
                retry_after,
                global,
            },
            times,
        );
    }

    /// Delays a route's answers by `delay`.
    pub fn delay_route(&self, method: &str, route: &str, delay: Duration, times: Option<u32>) {
        self.add_fault(method, route, FaultKind::Delay(delay), times);
    }

    /// Sets the application's Interactions Endpoint URL, as a developer does in the portal:
    /// Discord first checks it (a signed PING must get a PONG, a request with a bad signature
    /// must get 401) and refuses to save it otherwise. From then on every interaction is
    /// POSTed to `url`, signed with `key`, instead of going over the gateway, and the HTTP
    /// answer is taken as its initial response (an answer that is not 200 within 3 s is noted
    /// in [`Interaction::endpoint_failure`]).
    ///
    /// See Discord Docs/Interactions/Overview ("Setting Up an Endpoint").
    ///
    /// # Errors
    ///
    /// Why Discord would refuse the URL; then nothing changes.
    pub async fn set_interactions_endpoint(
        &self,
        url: &str,
        key: ed25519_dalek::SigningKey,
    ) -> Result<(), EndpointRefused> {
        let endpoint = Endpoint {
            url: url.to_owned(),
            key,
        };
        endpoint::verify(&endpoint, &self.ping_interaction()).await?;
        let (queue, mut deliveries) = tokio::sync::mpsc::unbounded_channel::<(u64, Value)>();
        let shared = Arc::clone(&self.shared);
        let to = endpoint.clone();
        let task = tokio::spawn(async move {
            while let Some((iid, payload)) = deliveries.recv().await {
                tokio::spawn(endpoint::deliver(
                    Arc::clone(&shared),
                    to.clone(),
                    iid,
                    payload,
                ));
            }
        });
        self.tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(task);
        self.shared.with(|s| s.endpoint = Some((endpoint, queue)));
        Ok(())
    }

    /// A PING interaction (type 1) as Discord sends to an Interactions Endpoint URL, with a
    /// fresh id and token.
    pub fn ping_interaction(&self) -> Value {
        self.shared.with(|s| {
            endpoint::ping(
                s.config.application_id,
                s.ids.next(),
                s.config.attachment_size_limit,
            )
        })
    }

    /// Removes the Interactions Endpoint URL: interactions go over the gateway again.
    pub fn clear_interactions_endpoint(&self) {
        self.shared.with(|s| s.endpoint = None);
    }

    /// Removes every route fault.
    pub fn clear_faults(&self) {
        self.shared.with(|s| s.faults.clear());
    }

    fn add_fault(&self, method: &str, route: &str, kind: FaultKind, remaining: Option<u32>) {
        assert!(
            crate::routes().any(|(m, r)| m == method && r == route),
            "the sandbox has no route {method} {route}"
        );
        self.shared.with(|s| {
            s.faults.push(RouteFault {
                method: method.to_owned(),
                route: route.to_owned(),
                kind,
                remaining,
            });
        });
    }

    /// Waits until `check` returns `Some`, re-checking after every change, for at most
    /// [`WAIT_TIMEOUT`].
    ///
    /// # Panics
    ///
    /// When the timeout passes, naming `what`.
    pub async fn wait_for<T>(&self, what: &str, check: impl FnMut() -> Option<T>) -> T {
        match wait(&self.shared, WAIT_TIMEOUT, check).await {
            Some(value) => value,
            None => panic!("timed out after {WAIT_TIMEOUT:?} waiting for {what}"),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if Arc::strong_count(&self.tasks) == 1 {
            self.shutdown();
        }
    }
}

/// Polls `check` after every state change (and at least every 100 ms) until it yields a value
/// or `timeout` passes.
pub(crate) async fn wait<T>(
    shared: &Shared,
    timeout: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        let notified = shared.changed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(value) = check() {
            return Some(value);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let _ = tokio::time::timeout(left.min(Duration::from_millis(100)), notified).await;
    }
}

fn role(id: u64, name: &str, position: i64, permissions: Permissions, managed: bool) -> Role {
    Role {
        id,
        name: name.to_owned(),
        position,
        permissions,
        managed,
        color: 0,
        hoist: false,
        mentionable: false,
    }
}

fn new_user(s: &mut State, name: &str, bot: bool) -> u64 {
    let id = s.ids.next();
    s.users.insert(
        id,
        User {
            id,
            name: name.to_owned(),
            bot,
        },
    );
    id
}

/// A guild in the sandbox: build it, act on it as a human administrator would, observe it.
#[derive(Clone)]
pub struct Guild {
    shared: Arc<Shared>,
    id: u64,
}

impl fmt::Debug for Guild {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guild")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Guild {
    /// The guild's id.
    pub fn id(&self) -> Id<GuildMarker> {
        Id::new(self.id)
    }

    /// The @everyone role (its id is the guild id).
    pub fn everyone_role(&self) -> Id<RoleMarker> {
        Id::new(self.id)
    }

    /// The bot's managed role.
    pub fn bot_role(&self) -> Id<RoleMarker> {
        self.shared.read(|s| {
            let g = &s.guilds[&self.id];
            let bot = s.bot_id();
            Id::new(
                g.roles
                    .values()
                    .find(|r| r.managed && g.members[&bot].roles.contains(&r.id))
                    .map_or(self.id, |r| r.id),
            )
        })
    }

    fn read<R>(&self, f: impl FnOnce(&State, &state::Guild) -> R) -> R {
        self.shared.read(|s| f(s, &s.guilds[&self.id]))
    }

    /// Creates a role at position 1 (just above @everyone, as Discord does), shifting the
    /// others up; GUILD_ROLE_CREATE follows.
    ///
    /// # Panics
    ///
    /// When the guild no longer exists.
    pub fn create_role(&self, name: &str, permissions: Permissions) -> Id<RoleMarker> {
        let rid = self.shared.with(|s| {
            let rid = s.ids.next();
            let g = s.guilds.get_mut(&self.id).expect("guild exists");
            for r in g.roles.values_mut().filter(|r| r.id != self.id) {
                r.position += 1;
            }
            g.roles.insert(rid, role(rid, name, 1, permissions, false));
            events::role(s, self.id, rid, "GUILD_ROLE_CREATE");
            rid
        });
        Id::new(rid)
    }

    /// Moves a role to `position` (roles at or above it move up by one).
    ///
    /// # Panics
    ///
    /// When the guild no longer exists.
    pub fn set_role_position(&self, role: Id<RoleMarker>, position: i64) {
        self.shared.with(|s| {
            let g = s.guilds.get_mut(&self.id).expect("guild exists");
            let mut order: Vec<u64> = g
                .roles
                .values()
                .filter(|r| r.id != self.id && r.id != role.get())
                .map(|r| r.id)
                .collect();
            order.sort_by_key(|r| g.roles[r].position);
            let at = usize::try_from(position.max(1) - 1)
                .unwrap_or(0)
                .min(order.len());
            order.insert(at, role.get());
            for (i, r) in order.iter().enumerate() {
                if let Some(x) = g.roles.get_mut(r) {
                    x.position = i64::try_from(i).unwrap_or(0) + 1;
                }
            }
            events::role(s, self.id, role.get(), "GUILD_ROLE_UPDATE");
        });
    }

    /// Changes a role's permissions; GUILD_ROLE_UPDATE follows.
    pub fn set_role_permissions(&self, role: Id<RoleMarker>, permissions: Permissions) {
        self.shared.with(|s| {
            if let Some(r) = s
                .guilds
                .get_mut(&self.id)
                .and_then(|g| g.roles.get_mut(&role.get()))
            {
                r.permissions = permissions;
            }
            events::role(s, self.id, role.get(), "GUILD_ROLE_UPDATE");
        });
    }

    fn create_channel(
        &self,
        name: &str,
        kind: u8,
        parent: Option<Id<ChannelMarker>>,
    ) -> Id<ChannelMarker> {
        let cid = self.shared.with(|s| {
            let cid = s.ids.next();
            let position = s
                .channels
                .values()
                .filter(|c| c.guild_id == self.id)
                .count();
            s.channels.insert(
                cid,
                Channel {
                    id: cid,
                    guild_id: self.id,
                    name: name.to_owned(),
                    kind,
                    parent_id: parent.map(Id::get),
                    position: i64::try_from(position).unwrap_or(0),
                    topic: None,
                    overwrites: Vec::new(),
                    rate_limit_per_user: 0,
                    nsfw: false,
                    recipient_id: None,
                },
            );
            events::channel(s, cid, "CHANNEL_CREATE");
            cid
        });
        Id::new(cid)
    }

    /// Creates a text channel.
    pub fn text_channel(&self, name: &str) -> Id<ChannelMarker> {
        self.create_channel(name, channel_kind::GUILD_TEXT, None)
    }

    /// Creates a category.
    pub fn category(&self, name: &str) -> Id<ChannelMarker> {
        self.create_channel(name, channel_kind::GUILD_CATEGORY, None)
    }

    /// Creates a text channel inside a category.
    pub fn text_channel_in(&self, category: Id<ChannelMarker>, name: &str) -> Id<ChannelMarker> {
        self.create_channel(name, channel_kind::GUILD_TEXT, Some(category))
    }

    /// Sets a permission overwrite (kind 0 role, 1 member); CHANNEL_UPDATE follows.
    pub fn set_overwrite(
        &self,
        channel: Id<ChannelMarker>,
        target: u64,
        kind: u8,
        allow: Permissions,
        deny: Permissions,
    ) {
        self.shared.with(|s| {
            if let Some(c) = s.channels.get_mut(&channel.get()) {
                c.overwrites.retain(|o| o.id != target);
                c.overwrites.push(Overwrite {
                    id: target,
                    kind,
                    allow,
                    deny,
                });
            }
            events::channel(s, channel.get(), "CHANNEL_UPDATE");
        });
    }

    /// A new user joins the guild (GUILD_MEMBER_ADD).
    pub fn add_member(&self, name: &str) -> Member {
        let uid = self.shared.with(|s| new_user(s, name, false));
        let member = self.member(Id::new(uid));
        member.join();
        member
    }

    /// A handle to a user of this guild.
    pub fn member(&self, user: Id<UserMarker>) -> Member {
        Member {
            shared: Arc::clone(&self.shared),
            guild_id: self.id,
            user_id: user.get(),
        }
    }

    /// The member whose username is `name`, if one is in the guild.
    pub fn member_named(&self, name: &str) -> Option<Member> {
        let found = self.read(|s, g| {
            g.members
                .keys()
                .copied()
                .find(|u| s.users.get(u).is_some_and(|x| x.name == name))
        });
        found.map(|u| self.member(Id::new(u)))
    }

    /// Every member of the guild with their username, the bot included.
    pub fn members(&self) -> Vec<(Member, String)> {
        let list = self.read(|s, g| {
            g.members
                .keys()
                .map(|u| {
                    (
                        *u,
                        s.users.get(u).map_or_else(String::new, |x| x.name.clone()),
                    )
                })
                .collect::<Vec<_>>()
        });
        list.into_iter()
            .map(|(u, name)| (self.member(Id::new(u)), name))
            .collect()
    }

    /// The channel named `name` in this guild, if any.
    pub fn channel_named(&self, name: &str) -> Option<Id<ChannelMarker>> {
        self.shared.read(|s| {
            s.channels
                .values()
                .find(|c| c.guild_id == self.id && c.name == name)
                .map(|c| Id::new(c.id))
        })
    }

    /// The guild's owner.
    pub fn owner(&self) -> Member {
        let owner = self.read(|_, g| g.owner_id);
        self.member(Id::new(owner))
    }

    /// The bot as a member of this guild.
    pub fn bot(&self) -> Member {
        let bot = self.shared.read(State::bot_id);
        self.member(Id::new(bot))
    }

    /// Gives a member a role, as a human moderator would (GUILD_MEMBER_UPDATE).
    pub fn grant(&self, member: &Member, role: Id<RoleMarker>) {
        self.shared.with(|s| {
            if let Some(m) = s
                .guilds
                .get_mut(&self.id)
                .and_then(|g| g.members.get_mut(&member.user_id))
                && !m.roles.contains(&role.get())
            {
                m.roles.push(role.get());
            }
            events::member_update(s, self.id, member.user_id);
        });
    }

    /// Takes a role from a member, as a human moderator would (GUILD_MEMBER_UPDATE).
    pub fn revoke(&self, member: &Member, role: Id<RoleMarker>) {
        self.shared.with(|s| {
            if let Some(m) = s
                .guilds
                .get_mut(&self.id)
                .and_then(|g| g.members.get_mut(&member.user_id))
            {
                m.roles.retain(|r| *r != role.get());
            }
            events::member_update(s, self.id, member.user_id);
        });
    }

    /// Messages in a channel, oldest first, without deleted or ephemeral ones.
    pub fn messages(&self, channel: Id<ChannelMarker>) -> Vec<Message> {
        self.shared.read(|s| {
            s.messages
                .values()
                .filter(|m| m.channel_id == channel.get() && !m.deleted && !m.is_ephemeral())
                .cloned()
                .collect()
        })
    }

    /// Waits until a channel holds a message matching `pred` and returns it.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`].
    pub async fn wait_for_message(
        &self,
        channel: Id<ChannelMarker>,
        pred: impl Fn(&Message) -> bool,
    ) -> Message {
        let found = wait(&self.shared, WAIT_TIMEOUT, || {
            self.messages(channel).into_iter().find(|m| pred(m))
        })
        .await;
        found.unwrap_or_else(|| {
            panic!("timed out waiting for a matching message in channel {channel}")
        })
    }

    /// A channel as it is now (overwrites, slowmode, …).
    pub fn channel(&self, channel: Id<ChannelMarker>) -> Option<Channel> {
        self.shared
            .with(|s| s.channels.get(&channel.get()).cloned())
    }

    /// A role as it is now.
    pub fn role(&self, role: Id<RoleMarker>) -> Option<Role> {
        self.read(|_, g| g.roles.get(&role.get()).cloned())
    }

    /// The application commands members of this guild can run: guild commands, then global ones.
    pub fn commands(&self) -> Vec<Value> {
        self.shared.read(|s| {
            s.guild_commands
                .get(&self.id)
                .into_iter()
                .flatten()
                .chain(&s.global_commands)
                .cloned()
                .collect()
        })
    }

    /// Adds a guild command that the bot does not know, as an earlier version of the bot may
    /// have left behind (Discord keeps showing a command until the application removes it).
    pub fn add_stale_command(&self, name: &str, description: &str) {
        self.shared.with(|s| {
            let command = json!({
                "id": id(s.ids.next()),
                "application_id": id(s.config.application_id),
                "version": id(s.ids.next()),
                "guild_id": id(self.id),
                "type": 1,
                "name": name,
                "description": description,
                "default_member_permissions": null,
            });
            s.guild_commands.entry(self.id).or_default().push(command);
        });
    }

    /// The guild's bans.
    pub fn bans(&self) -> Vec<Ban> {
        self.read(|_, g| g.bans.values().cloned().collect())
    }

    /// The guild's audit log, oldest first.
    pub fn audit_log(&self) -> Vec<AuditEntry> {
        self.shared.read(|s| {
            s.audit_log
                .iter()
                .filter(|e| e.guild_id == self.id)
                .cloned()
                .collect()
        })
    }

    /// Waits until `check` on the guild returns `Some`.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`], naming `what`.
    pub async fn wait_for<T>(&self, what: &str, check: impl Fn(&state::Guild) -> Option<T>) -> T {
        let found = wait(&self.shared, WAIT_TIMEOUT, || self.read(|_, g| check(g))).await;
        found.unwrap_or_else(|| panic!("timed out after {WAIT_TIMEOUT:?} waiting for {what}"))
    }
}

/// Why Discord would not let a member send a message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendRefused {
    /// The channel does not exist.
    UnknownChannel,
    /// The user is not in the guild.
    NotAMember,
    /// The member is timed out.
    TimedOut,
    /// The member lacks VIEW_CHANNEL or SEND_MESSAGES in the channel.
    MissingPermissions,
    /// Slowmode: the member must wait this long.
    Slowmode {
        /// Time left until the member may send again.
        retry_after: Duration,
    },
}

/// A value of a slash-command option, for [`Member::run_command`].
///
/// See Discord Docs/Interactions/Application Commands ("Application Command Option Type").
#[derive(Clone, Debug, PartialEq)]
pub enum CommandValue {
    /// Type 3.
    String(String),
    /// Type 4.
    Integer(i64),
    /// Type 5.
    Boolean(bool),
    /// Type 6, resolved with the user and their member.
    User(Id<UserMarker>),
    /// Type 7, resolved with the channel.
    Channel(Id<ChannelMarker>),
    /// Type 8, resolved with the role.
    Role(Id<RoleMarker>),
    /// Type 10.
    Number(f64),
    /// Type 1: a subcommand with its options.
    Subcommand(String, Vec<(String, CommandValue)>),
    /// A string option being typed, for [`Member::autocomplete`] (`"focused": true`).
    Focused(String),
}

/// A user in a guild, to act as people do.
#[derive(Clone)]
pub struct Member {
    shared: Arc<Shared>,
    guild_id: u64,
    user_id: u64,
}

impl fmt::Debug for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Member")
            .field("guild_id", &self.guild_id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

impl Member {
    /// The member's user id.
    pub fn id(&self) -> Id<UserMarker> {
        Id::new(self.user_id)
    }

    /// The member as it is now (roles, nickname, timeout); `None` when not in the guild.
    pub fn info(&self) -> Option<state::Member> {
        self.shared.read(|s| {
            s.guilds
                .get(&self.guild_id)
                .and_then(|g| g.members.get(&self.user_id).cloned())
        })
    }

    /// Messages the bot sent this user in a DM, oldest first.
    pub fn dms(&self) -> Vec<Message> {
        self.shared.read(|s| {
            let Some(dm) = s
                .channels
                .values()
                .find(|c| c.recipient_id == Some(self.user_id))
            else {
                return Vec::new();
            };
            s.messages
                .values()
                .filter(|m| m.channel_id == dm.id && !m.deleted)
                .cloned()
                .collect()
        })
    }

    /// Refuses DMs from the bot from now on (Create Message then answers 403 with 50007).
    pub fn close_dms(&self) {
        self.shared.with(|s| s.closed_dms.insert(self.user_id));
    }

    /// Whether the member is timed out now.
    pub fn is_timed_out(&self) -> bool {
        let now = crate::time::now_ms();
        self.info().is_some_and(|m| m.timed_out_at(now))
    }

    /// Joins the guild (GUILD_MEMBER_ADD). Does nothing when banned or already a member.
    pub fn join(&self) {
        self.shared.with(|s| {
            let now = s.now();
            let Some(g) = s.guilds.get_mut(&self.guild_id) else {
                return;
            };
            if g.bans.contains_key(&self.user_id) || g.members.contains_key(&self.user_id) {
                return;
            }
            g.members.insert(
                self.user_id,
                state::Member {
                    user_id: self.user_id,
                    nick: None,
                    roles: Vec::new(),
                    joined_at_ms: now,
                    communication_disabled_until_ms: None,
                },
            );
            events::member_add(s, self.guild_id, self.user_id);
        });
    }

    /// Leaves the guild (GUILD_MEMBER_REMOVE).
    pub fn leave(&self) {
        self.shared.with(|s| {
            let removed = s
                .guilds
                .get_mut(&self.guild_id)
                .and_then(|g| g.members.remove(&self.user_id));
            if removed.is_some() {
                events::member_remove(s, self.guild_id, self.user_id);
            }
        });
    }

    /// Sends a message (MESSAGE_CREATE), with every mention in it allowed.
    ///
    /// # Panics
    ///
    /// When Discord would refuse it (see [`Member::try_send`]).
    pub fn send(&self, channel: Id<ChannelMarker>, content: &str) -> Id<MessageMarker> {
        self.try_send(channel, content)
            .unwrap_or_else(|refused| panic!("member {} cannot send: {refused:?}", self.user_id))
    }

    /// Sends a message as Discord's client would: refused without VIEW_CHANNEL and
    /// SEND_MESSAGES, while timed out, or faster than the channel's slowmode (unless the member
    /// has MANAGE_MESSAGES, MANAGE_CHANNELS or BYPASS_SLOWMODE).
    ///
    /// See Discord Docs/Channel Resource ("rate_limit_per_user").
    ///
    /// # Errors
    ///
    /// The [`SendRefused`] reason.
    pub fn try_send(
        &self,
        channel: Id<ChannelMarker>,
        content: &str,
    ) -> Result<Id<MessageMarker>, SendRefused> {
        let mid = self.shared.with(|s| {
            let now = s.now();
            let c = s
                .channels
                .get(&channel.get())
                .ok_or(SendRefused::UnknownChannel)?;
            let g = s
                .guilds
                .get(&c.guild_id)
                .ok_or(SendRefused::UnknownChannel)?;
            let m = g
                .members
                .get(&self.user_id)
                .ok_or(SendRefused::NotAMember)?;
            if m.timed_out_at(now) {
                return Err(SendRefused::TimedOut);
            }
            let perms = g.channel_permissions(self.user_id, c, now);
            if !perms.contains(Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES) {
                return Err(SendRefused::MissingPermissions);
            }
            let exempt = perms.intersects(
                Permissions::MANAGE_MESSAGES
                    | Permissions::MANAGE_CHANNELS
                    | Permissions::BYPASS_SLOWMODE,
            );
            if c.rate_limit_per_user > 0 && !exempt {
                let window = u64::from(c.rate_limit_per_user) * 1000;
                let last = s
                    .messages
                    .values()
                    .rev()
                    .find(|x| x.channel_id == c.id && x.author_id == self.user_id)
                    .map(|x| crate::time::snowflake_ms(x.id));
                if let Some(last) = last
                    && now < last + window
                {
                    return Err(SendRefused::Slowmode {
                        retry_after: Duration::from_millis(last + window - now),
                    });
                }
            }
            let guild_id = c.guild_id;
            let mid = s.ids.next();
            s.messages.insert(
                mid,
                Message {
                    mentions: parse_user_mentions(content),
                    ..Message::new(
                        mid,
                        channel.get(),
                        guild_id,
                        self.user_id,
                        content.to_owned(),
                    )
                },
            );
            events::message(s, mid, "MESSAGE_CREATE");
            Ok(mid)
        })?;
        Ok(Id::new(mid))
    }

    /// Edits one of the member's messages (MESSAGE_UPDATE).
    pub fn edit(&self, message: Id<MessageMarker>, content: &str) {
        self.shared.with(|s| {
            let now = s.now();
            if let Some(m) = s
                .messages
                .get_mut(&message.get())
                .filter(|m| m.author_id == self.user_id)
            {
                content.clone_into(&mut m.content);
                m.edited_ms = Some(now);
                events::message(s, message.get(), "MESSAGE_UPDATE");
            }
        });
    }

    /// Deletes one of the member's messages (MESSAGE_DELETE).
    pub fn delete(&self, message: Id<MessageMarker>) {
        self.shared.with(|s| {
            if let Some(m) = s
                .messages
                .get_mut(&message.get())
                .filter(|m| m.author_id == self.user_id)
            {
                m.deleted = true;
                let (g, c) = (m.guild_id, m.channel_id);
                events::message_delete(s, g, c, message.get());
            }
        });
    }

    /// Reacts to a message (MESSAGE_REACTION_ADD); `emoji` is `👍` or `name:id`.
    pub fn react(&self, message: Id<MessageMarker>, emoji: &str) {
        self.shared
            .with(|s| crate::routes::react(s, message.get(), self.user_id, emoji, true));
    }

    /// Removes a reaction (MESSAGE_REACTION_REMOVE).
    pub fn unreact(&self, message: Id<MessageMarker>, emoji: &str) {
        self.shared
            .with(|s| crate::routes::react(s, message.get(), self.user_id, emoji, false));
    }

    /// Runs a registered slash command in a channel: a real INTERACTION_CREATE with resolved
    /// users, members, roles and channels, the member's permissions and `attachment_size_limit`.
    ///
    /// # Panics
    ///
    /// When no global or guild command of that name is registered.
    pub fn run_command(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, CommandValue)],
    ) -> InteractionHandle {
        self.command_interaction(channel, name, options, 2)
    }

    /// Types into a command option: an APPLICATION_COMMAND_AUTOCOMPLETE interaction (type 4)
    /// whose options include one [`CommandValue::Focused`]; read the bot's choices with
    /// [`InteractionHandle::autocomplete_choices`].
    ///
    /// # Panics
    ///
    /// When no global or guild command of that name is registered.
    pub fn autocomplete(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, CommandValue)],
    ) -> InteractionHandle {
        self.command_interaction(channel, name, options, 4)
    }

    fn command_interaction(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, CommandValue)],
        kind: u8,
    ) -> InteractionHandle {
        let iid = self.shared.with(|s| {
            let command = s
                .guild_commands
                .get(&self.guild_id)
                .into_iter()
                .flatten()
                .chain(&s.global_commands)
                .find(|c| c["name"] == name && c["type"].as_u64().unwrap_or(1) == 1)
                .cloned()
                .unwrap_or_else(|| panic!("the bot has not registered a command named {name:?}"));
            let mut resolved = json!({});
            let options = options_json(s, self.guild_id, options, &mut resolved);
            let mut data = json!({
                "id": command["id"],
                "name": name,
                "type": 1,
                "options": options,
                "guild_id": id(self.guild_id),
            });
            if resolved.as_object().is_some_and(|r| !r.is_empty()) {
                data["resolved"] = resolved;
            }
            create_interaction(
                s,
                self.guild_id,
                channel.get(),
                self.user_id,
                kind,
                None,
                &data,
            )
        });
        InteractionHandle {
            shared: Arc::clone(&self.shared),
            id: iid,
        }
    }

    /// Clicks a button on a message (INTERACTION_CREATE of type 3).
    ///
    /// # Panics
    ///
    /// When the message does not exist.
    pub fn click(&self, message: Id<MessageMarker>, custom_id: &str) -> InteractionHandle {
        self.component(
            message,
            &json!({"custom_id": custom_id, "component_type": 2}),
        )
    }

    /// Picks values in a string select menu on a message.
    ///
    /// # Panics
    ///
    /// When the message does not exist.
    pub fn select(
        &self,
        message: Id<MessageMarker>,
        custom_id: &str,
        values: &[&str],
    ) -> InteractionHandle {
        self.component(
            message,
            &json!({"custom_id": custom_id, "component_type": 3, "values": values}),
        )
    }

    /// Picks roles in a role select menu (component type 6), with the roles resolved.
    ///
    /// # Panics
    ///
    /// When the message does not exist.
    pub fn select_roles(
        &self,
        message: Id<MessageMarker>,
        custom_id: &str,
        roles: &[Id<RoleMarker>],
    ) -> InteractionHandle {
        let resolved = self.shared.read(|s| {
            let mut map = serde_json::Map::new();
            if let Some(g) = s.guilds.get(&self.guild_id) {
                for r in roles {
                    if let Some(role) = g.roles.get(&r.get()) {
                        map.insert(r.to_string(), payload::role(role, Some(s.bot_id())));
                    }
                }
            }
            map
        });
        let values: Vec<String> = roles.iter().map(ToString::to_string).collect();
        self.component(
            message,
            &json!({"custom_id": custom_id, "component_type": 6, "values": values, "resolved": {"roles": resolved}}),
        )
    }

    /// Picks users in a user select menu (component type 5), with users and members resolved.
    ///
    /// # Panics
    ///
    /// When the message does not exist.
    pub fn select_users(
        &self,
        message: Id<MessageMarker>,
        custom_id: &str,
        users: &[Id<UserMarker>],
    ) -> InteractionHandle {
        let mut resolved = json!({});
        self.shared.read(|s| {
            let options: Vec<(String, CommandValue)> = users
                .iter()
                .map(|u| (String::new(), CommandValue::User(*u)))
                .collect();
            if s.guilds.contains_key(&self.guild_id) {
                options_json(s, self.guild_id, &options, &mut resolved);
            }
        });
        let values: Vec<String> = users.iter().map(ToString::to_string).collect();
        self.component(
            message,
            &json!({"custom_id": custom_id, "component_type": 5, "values": values, "resolved": resolved}),
        )
    }

    fn component(&self, message: Id<MessageMarker>, data: &Value) -> InteractionHandle {
        let iid = self.shared.with(|s| {
            let m = s.messages.get(&message.get()).expect("message exists");
            // A button in the bot's DM belongs to no guild.
            let (channel, guild) = (m.channel_id, m.guild_id);
            create_interaction(
                s,
                guild,
                channel,
                self.user_id,
                3,
                Some(message.get()),
                data,
            )
        });
        InteractionHandle {
            shared: Arc::clone(&self.shared),
            id: iid,
        }
    }

    /// Submits the modal that `opened_by` answered with (INTERACTION_CREATE of type 5), with
    /// `(custom_id, value)` for each text input.
    ///
    /// # Panics
    ///
    /// When that interaction was not answered with a modal.
    pub fn submit_modal(
        &self,
        opened_by: &InteractionHandle,
        fields: &[(&str, &str)],
    ) -> InteractionHandle {
        let iid = self.shared.with(|s| {
            let origin = s.interactions[&opened_by.id].clone();
            assert_eq!(
                origin.response,
                Some(ResponseKind::Modal),
                "the interaction was not answered with a modal"
            );
            let body = origin.response_body.unwrap_or_default();
            let custom_id = body["data"]["custom_id"].clone();
            // Discord numbers every component of a modal submit (`id`), rows and inputs alike.
            let components: Vec<Value> = fields
                .iter()
                .zip(1..)
                .map(|((custom_id, value), n)| {
                    json!({"type": 1, "id": 2 * n - 1, "components": [
                        {"type": 4, "id": 2 * n, "custom_id": custom_id, "value": value}
                    ]})
                })
                .collect();
            let data = json!({"custom_id": custom_id, "components": components});
            create_interaction(
                s,
                self.guild_id,
                origin.channel_id,
                self.user_id,
                5,
                origin.source_message,
                &data,
            )
        });
        InteractionHandle {
            shared: Arc::clone(&self.shared),
            id: iid,
        }
    }
}

fn parse_user_mentions(content: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('>') else { break };
        if let Ok(user) = rest[..end].trim_start_matches('!').parse::<u64>() {
            out.push(user);
        }
    }
    out
}

fn options_json<S: AsRef<str>>(
    s: &State,
    guild_id: u64,
    options: &[(S, CommandValue)],
    resolved: &mut Value,
) -> Vec<Value> {
    let g = &s.guilds[&guild_id];
    options
        .iter()
        .map(|(name, value)| {
            let (kind, v) = match value {
                CommandValue::String(x) => (3, json!(x)),
                CommandValue::Integer(x) => (4, json!(x)),
                CommandValue::Boolean(x) => (5, json!(x)),
                CommandValue::Number(x) => (10, json!(x)),
                CommandValue::User(u) => {
                    resolved["users"][u.to_string()] = payload::user_by_id(s, u.get());
                    if let Some(m) = g.members.get(&u.get()) {
                        let mut member = payload::member(s, m, false);
                        member["permissions"] =
                            json!(g.base_permissions(u.get()).bits().to_string());
                        resolved["members"][u.to_string()] = member;
                    }
                    (6, json!(u.to_string()))
                }
                CommandValue::Channel(c) => {
                    if let Some(ch) = s.channels.get(&c.get()) {
                        resolved["channels"][c.to_string()] = json!({
                            "id": id(ch.id),
                            "name": ch.name,
                            "type": ch.kind,
                            "permissions": Permissions::all().bits().to_string(),
                            "parent_id": ch.parent_id.map(id),
                        });
                    }
                    (7, json!(c.to_string()))
                }
                CommandValue::Role(r) => {
                    if let Some(role) = g.roles.get(&r.get()) {
                        resolved["roles"][r.to_string()] = payload::role(role, Some(s.bot_id()));
                    }
                    (8, json!(r.to_string()))
                }
                CommandValue::Focused(x) => {
                    return json!({"name": name.as_ref(), "type": 3, "value": x, "focused": true});
                }
                CommandValue::Subcommand(sub, inner) => {
                    let nested = options_json(s, guild_id, inner, resolved);
                    return json!({"name": sub, "type": 1, "options": nested});
                }
            };
            json!({"name": name.as_ref(), "type": kind, "value": v})
        })
        .collect()
}

fn create_interaction(
    s: &mut State,
    guild_id: u64,
    channel_id: u64,
    user_id: u64,
    kind: u8,
    source: Option<u64>,
    data: &Value,
) -> u64 {
    let iid = s.ids.next();
    let token = format!(
        "aW50ZXJhY3Rpb246{iid:x}{:x}",
        iid.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    );
    let interaction = Interaction {
        id: iid,
        token,
        kind,
        guild_id,
        channel_id,
        user_id,
        created_ms: s.now(),
        response: None,
        response_body: None,
        original_message: None,
        source_message: source,
        followups: Vec::new(),
        deferred_ephemeral: false,
        endpoint_failure: None,
    };
    let message = source
        .and_then(|m| s.messages.get(&m))
        .map(|m| payload::message(s, m));
    let value = payload::interaction(s, &interaction, data, message);
    s.interactions.insert(iid, interaction);
    match &s.endpoint {
        // With an Interactions Endpoint URL, Discord POSTs the interaction instead.
        Some((_, queue)) => {
            let _ = queue.send((iid, value));
        }
        None => events::interaction_create(s, guild_id, &value),
    }
    iid
}

/// An interaction a member caused, to observe how the bot answered it.
#[derive(Clone)]
pub struct InteractionHandle {
    shared: Arc<Shared>,
    id: u64,
}

impl fmt::Debug for InteractionHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InteractionHandle")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl InteractionHandle {
    /// The interaction's id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The interaction as it is now.
    pub fn info(&self) -> Interaction {
        self.shared.read(|s| s.interactions[&self.id].clone())
    }

    /// Backdates the interaction, as if it had been created `age` ago (to test the 3 s and
    /// 15 min rules without waiting).
    pub fn age_by(&self, age: Duration) {
        let ms = u64::try_from(age.as_millis()).unwrap_or(u64::MAX);
        self.shared.with(|s| {
            if let Some(i) = s.interactions.get_mut(&self.id) {
                i.created_ms = i.created_ms.saturating_sub(ms);
            }
        });
    }

    /// Sends this interaction's INTERACTION_CREATE over the gateway once more, as Discord
    /// does when a resumed session replays an event the bot had already received.
    ///
    /// # Panics
    ///
    /// When the dispatch is no longer in the sandbox's log (the last 10,000 events).
    pub fn redeliver(&self) {
        self.shared.with(|s| {
            let wanted = self.id.to_string();
            let payload = s
                .dispatch_log
                .iter()
                .rev()
                .find(|(name, d)| name == "INTERACTION_CREATE" && d["id"] == wanted.as_str())
                .map(|(_, d)| d.clone())
                .expect("the interaction was dispatched over the gateway");
            let guild = s.interactions[&self.id].guild_id;
            events::interaction_create(s, guild, &payload);
        });
    }

    /// The original response message, once there is one.
    pub fn original_message(&self) -> Option<Message> {
        self.shared.read(|s| {
            s.interactions[&self.id]
                .original_message
                .and_then(|m| s.messages.get(&m).cloned())
        })
    }

    /// The choices the bot answered an autocomplete interaction with.
    pub fn autocomplete_choices(&self) -> Vec<Value> {
        self.info()
            .response_body
            .and_then(|b| b["data"]["choices"].as_array().cloned())
            .unwrap_or_default()
    }

    /// Follow-up messages, in order.
    pub fn followups(&self) -> Vec<Message> {
        self.shared.read(|s| {
            s.interactions[&self.id]
                .followups
                .iter()
                .filter_map(|m| s.messages.get(m).cloned())
                .collect()
        })
    }

    /// Waits for the initial response.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`].
    pub async fn wait_for_response(&self) -> ResponseKind {
        wait(&self.shared, WAIT_TIMEOUT, || self.info().response)
            .await
            .unwrap_or_else(|| panic!("the bot did not answer interaction {}", self.id))
    }

    /// Waits until the original response message exists and matches `pred`.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`].
    pub async fn wait_for_original(&self, pred: impl Fn(&Message) -> bool) -> Message {
        wait(&self.shared, WAIT_TIMEOUT, || {
            self.original_message().filter(|m| pred(m))
        })
        .await
        .unwrap_or_else(|| panic!("no matching original response for interaction {}", self.id))
    }

    /// Waits until there are at least `count` follow-ups and returns them.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`].
    pub async fn wait_for_followups(&self, count: usize) -> Vec<Message> {
        wait(&self.shared, WAIT_TIMEOUT, || {
            Some(self.followups()).filter(|f| f.len() >= count)
        })
        .await
        .unwrap_or_else(|| panic!("fewer than {count} follow-ups for interaction {}", self.id))
    }
}
