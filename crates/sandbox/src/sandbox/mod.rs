//! The test-facing API: start a sandbox, build guilds, act as members, observe what the bot
//! did, inject faults.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::task::JoinHandle;
use twilight_model::gateway::Intents;
use twilight_model::guild::Permissions;
use twilight_model::id::Id;
use twilight_model::id::marker::{ApplicationMarker, GuildMarker, UserMarker};

use crate::state::{self, RecordedRequest, Role, State, User};
use crate::{Shared, Spec, events, rest};

mod builder;
mod faults;
mod guild;
mod interact;
mod interaction;
mod member;
mod modal;

pub use self::builder::SandboxBuilder;
pub use self::guild::{ByHand, Guild};
pub use self::interact::CommandValue;
pub use self::interaction::InteractionHandle;
pub use self::member::{Member, SendRefused};
pub use self::modal::{Modal, ModalInput};

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
            attachment_size_limit: crate::limits::ATTACHMENT_SIZE_DEFAULT,
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

    /// The CDN base URL for avatars (`HEARTH_CDN_URL`): `http://127.0.0.1:PORT/cdn`. It serves
    /// `/avatars/{user}/{hash}.png` and `/embed/avatars/{0-5}.png` as Discord's CDN does.
    pub fn cdn_url(&self) -> String {
        format!("http://{}{}", self.rest_addr, crate::cdn::CDN_PREFIX)
    }

    /// Moves the sandbox's time forward: snowflakes of new messages and interactions, timeouts
    /// and slowmode all see the later time. Time never goes back.
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.shared.read(|s| s.ids.advance(ms));
    }

    /// The sandbox's time, in Unix milliseconds.
    pub fn now_ms(&self) -> u64 {
        self.shared.read(state::State::now)
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
                        pending: false,
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
}

impl Sandbox {
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
