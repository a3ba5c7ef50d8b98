//! A guild with people in it, and the bot running against it, on the store a scenario names.
//!
//! Every scenario is an `async fn(Store)` listed in [`on_every_store!`], which makes two tests
//! of it: `<scenario>::sqlite`, and `<scenario>::mongo` on the MongoDB server of `MONGODB_URI`
//! (a database of its own, dropped at the end). Without `MONGODB_URI` the MongoDB test says it
//! did not run; under `CI=true` it fails instead, so CI cannot pass without MongoDB.

use std::{net::SocketAddr, ops::Deref, path::PathBuf, sync::Arc, time::Duration};

use hearth::{Config, Running, config::ApiBase, database::DatabaseUrl, store::OpenedStore};
use hearth_core::{GuildId, ManualClock, UserId};
use hearth_moderation::{EscalationPolicy, Moderation, ModerationSettingsStore, WarningStore};
use hearth_sandbox::{
    CommandValue, Guild, InteractionHandle, Member, Sandbox, demo::DemoBuilder, state::Message,
};
use hearth_xp_engine::{XpChange, XpStore};
use twilight_model::id::{
    Id,
    marker::{ChannelMarker, RoleMarker},
};

use crate::{
    mongo_uri::{single_host, through, unique_name, with_database},
    outage::{DatabaseLock, TcpProxy},
};

/// The secret half of the key the bot verifies `/interactions` with.
pub(crate) const SIGNING_KEY: [u8; 32] = [7; 32];

/// The seed of the bot's XP draws (`HEARTH_XP_SEED`): scenarios know what each message earns.
pub(crate) const XP_SEED: u64 = 13;

/// The variable naming the MongoDB server the `mongo` half of each scenario runs on.
pub(crate) const MONGODB_URI_VAR: &str = "MONGODB_URI";

/// Expands each named `async fn(Store)` scenario into a module with a `sqlite` and a `mongo`
/// test.
macro_rules! on_every_store {
    ($($scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario($crate::harness::Store::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mongo() {
                if let Some(store) = $crate::harness::Store::mongo(module_path!()) {
                    super::$scenario(store).await;
                }
            }
        }
    )+};
}
pub(crate) use on_every_store;

/// Evaluates `$body` with `$store` bound to the scenario's store (either backend), opened by
/// the harness directly, not through the bot: `with_store!(world, |store| store.pending(key).await)`.
macro_rules! with_store {
    ($world:expr, |$store:ident| $body:expr) => {
        match hearth::store::open(&$world.direct_database())
            .await
            .expect("store opens")
        {
            hearth::store::OpenedStore::Sqlite($store) => $body,
            hearth::store::OpenedStore::Mongo($store) => $body,
        }
    };
}
pub(crate) use with_store;

/// Where the bot keeps its data in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Store {
    /// A fresh SQLite file in the scenario's temp dir.
    Sqlite,
    /// A database of the scenario's own on the MongoDB server at this URI.
    Mongo(String),
}

impl Store {
    /// The MongoDB server of `MONGODB_URI`; without it, `None` after saying that `test` did not
    /// run on MongoDB.
    ///
    /// # Panics
    ///
    /// Without `MONGODB_URI` under `CI=true`: CI must run every scenario on MongoDB.
    pub(crate) fn mongo(test: &str) -> Option<Self> {
        if let Some(uri) = std::env::var(MONGODB_URI_VAR)
            .ok()
            .filter(|uri| !uri.trim().is_empty())
        {
            return Some(Self::Mongo(uri));
        }
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "{test}: {MONGODB_URI_VAR} must be set under CI=true (the README's test script \
             starts a local server)"
        );
        eprintln!("NOT RUN {test}: {MONGODB_URI_VAR} is not set");
        None
    }
}

/// One guild as a server team sets it up: channels, roles and people.
pub(crate) struct Place {
    /// The guild.
    pub(crate) guild: Guild,
    /// `#general`.
    pub(crate) general: Id<ChannelMarker>,
    /// `#mod-log`.
    pub(crate) mod_log: Id<ChannelMarker>,
    /// The owner.
    pub(crate) owner: Member,
    /// A moderator (role "Moderator": Moderate Members, Kick, Ban).
    pub(crate) moderator: Member,
    /// A senior member whose role sits above the moderator's.
    pub(crate) senior: Member,
    /// An ordinary member.
    pub(crate) alice: Member,
    /// Another ordinary member.
    pub(crate) bob: Member,
    /// The "Moderator" role.
    pub(crate) moderator_role: Id<RoleMarker>,
    /// The "Senior" role (above the moderator's, below the bot's).
    pub(crate) senior_role: Id<RoleMarker>,
}

impl Place {
    /// Creates the guild in the sandbox (a running bot receives its `GUILD_CREATE`).
    fn create(sandbox: &Sandbox, name: &str) -> Self {
        // The one demo world `hearth try` starts from too, with every feature's setup.
        let mut builder = DemoBuilder::new().guild_name(name);
        for setup in hearth::features::DEMO {
            builder = builder.with(*setup);
        }
        let world = builder.build(sandbox);
        let guild = &world.guild;
        let position = |role| guild.role(role).expect("role exists").position;
        assert!(
            position(world.moderator_role) < position(world.senior_role)
                && position(world.senior_role) < position(guild.bot_role()),
            "roles from the top: the bot's, Senior, Moderator"
        );
        Self {
            guild: world.guild,
            general: world.general,
            mod_log: world.mod_log,
            owner: world.owner,
            moderator: world.moderator,
            senior: world.senior,
            alice: world.alice,
            bob: world.bob,
            moderator_role: world.moderator_role,
            senior_role: world.senior_role,
        }
    }

    /// A second moderator, with the same role as the first.
    pub(crate) fn another_moderator(&self) -> Member {
        let member = self.guild.add_member("mod2");
        self.guild.grant(&member, self.moderator_role);
        member
    }

    /// The owner sends moderation cases to #mod-log with `/modlog set`, as a server team
    /// does: the bot's own path for its settings.
    pub(crate) async fn set_mod_log(&self) {
        let answer = self
            .owner
            .run_command(
                self.general,
                "modlog",
                &[(
                    "set",
                    CommandValue::Subcommand(
                        "set".into(),
                        vec![("channel".into(), CommandValue::Channel(self.mod_log))],
                    ),
                )],
            )
            .wait_for_original(|m| !m.content.is_empty())
            .await;
        assert!(
            answer.content.contains("will be posted in"),
            "{}",
            answer.content
        );
    }

    /// The cases posted in #mod-log so far (their embed titles).
    pub(crate) fn mod_log_cases(&self) -> Vec<String> {
        self.guild
            .messages(self.mod_log)
            .iter()
            .filter_map(|m| {
                m.embeds
                    .first()
                    .and_then(|e| e["title"].as_str())
                    .map(str::to_owned)
            })
            .collect()
    }
}

/// How a scenario's world starts; [`World::setup`] makes one.
pub(crate) struct Setup {
    store: Store,
    escalation: Option<EscalationPolicy>,
    redis_url: Option<String>,
    cuttable_database: bool,
    clock: Option<ManualClock>,
    in_process_bot: bool,
}

impl Setup {
    /// No bot in this process: the scenario starts bots as child processes
    /// ([`World::spawn_bot_process`]).
    pub(crate) fn without_bot(mut self) -> Self {
        self.in_process_bot = false;
        self
    }

    /// The bot reads the time from `clock` (scenarios move it to make timers come due).
    pub(crate) fn clock(mut self, clock: ManualClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The guild configured its escalation policy before the bot starts (there is no command
    /// for it yet): the policy is in the store when the bot first reads the guild's settings,
    /// and nothing restarts.
    pub(crate) fn escalation(mut self, policy: EscalationPolicy) -> Self {
        self.escalation = Some(policy);
        self
    }

    /// The bot uses the Redis at `url` as its shared cache tier.
    pub(crate) fn redis(mut self, url: String) -> Self {
        self.redis_url = Some(url);
        self
    }

    /// The bot reaches MongoDB through a proxy [`World::cut_database`] can cut. `None` (after
    /// saying why) when the MongoDB URI names no single host to stand in for.
    pub(crate) fn cuttable_database(mut self) -> Option<Self> {
        if let Store::Mongo(uri) = &self.store
            && single_host(uri).is_none()
        {
            eprintln!("NOT RUN: {MONGODB_URI_VAR} names no single host to put a proxy before");
            return None;
        }
        self.cuttable_database = true;
        Some(self)
    }

    /// Starts the sandbox with the guild, and the bot against it.
    pub(crate) async fn start(self) -> World {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sandbox = Sandbox::start().await.expect("sandbox starts");
        // Every "nothing Discord would refuse" check rests on the API description: it must be
        // there (it is embedded in the sandbox) and cover what the bot calls.
        let spec = sandbox
            .spec()
            .expect("the sandbox validates against Discord's API description");
        assert!(
            spec.operation_count() >= 40,
            "the description has {} operations",
            spec.operation_count()
        );
        let here = Place::create(&sandbox, "Hearth Test");
        let dir = tempfile::tempdir().expect("temp dir");
        let mongo_name = unique_name();
        let proxy = match (&self.store, self.cuttable_database) {
            (Store::Mongo(uri), true) => {
                Some(TcpProxy::start(single_host(uri).expect("checked in cuttable_database")).await)
            }
            _ => None,
        };
        let mut world = World {
            sandbox,
            here,
            store: self.store,
            mongo_name,
            redis_url: self.redis_url,
            proxy,
            lock: None,
            bot: None,
            clock: self.clock,
            dir,
        };
        if let Some(policy) = self.escalation {
            world.seed_escalation(policy).await;
        }
        if self.in_process_bot {
            world.start_bot().await;
        }
        world
    }
}

/// The sandbox with a guild in it (the fields of [`Place`] through `Deref`), and the bot.
pub(crate) struct World {
    /// The stand-in for Discord.
    pub(crate) sandbox: Sandbox,
    /// The guild every scenario starts with.
    pub(crate) here: Place,
    /// Where the bot keeps its data.
    pub(crate) store: Store,
    mongo_name: String,
    redis_url: Option<String>,
    proxy: Option<TcpProxy>,
    lock: Option<DatabaseLock>,
    /// The bot.
    pub(crate) bot: Option<Running>,
    /// The bot's clock, when the scenario moves time by hand.
    pub(crate) clock: Option<ManualClock>,
    dir: tempfile::TempDir,
}

/// A scenario that failed before [`World::finish`] still leaves no database behind.
impl Drop for World {
    fn drop(&mut self) {
        if let Some(url) = self.mongo_database() {
            // On a thread of its own: this may run inside the scenario's runtime.
            let dropped = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime")
                    .block_on(drop_database(url))
            });
            let _ = dropped.join();
        }
    }
}

/// Drops a scenario's MongoDB database.
async fn drop_database(url: DatabaseUrl) -> Result<(), String> {
    match hearth::store::open(&url).await {
        Ok(OpenedStore::Mongo(store)) => store.database().drop().await.map_err(|e| e.to_string()),
        Ok(OpenedStore::Sqlite(_)) => Ok(()),
        Err(err) => Err(err.to_string()),
    }
}

impl Deref for World {
    type Target = Place;

    fn deref(&self) -> &Place {
        &self.here
    }
}

impl World {
    /// How a world on `store` starts.
    pub(crate) fn setup(store: Store) -> Setup {
        Setup {
            store,
            escalation: None,
            redis_url: None,
            cuttable_database: false,
            clock: None,
            in_process_bot: true,
        }
    }

    /// Starts the sandbox with the guild, and the bot against it on `store`.
    pub(crate) async fn start(store: Store) -> Self {
        Self::setup(store).start().await
    }

    /// Another guild, with the same channels, roles and people, that the bot joins now.
    pub(crate) async fn add_guild(&self, name: &str) -> Place {
        let place = Place::create(&self.sandbox, name);
        let id = place.guild.id().to_string();
        self.sandbox
            .wait_for("the bot to receive the new guild", || {
                self.sandbox
                    .dispatches()
                    .iter()
                    .any(|(event, d)| {
                        event == "GUILD_CREATE" && d["id"].as_str() == Some(id.as_str())
                    })
                    .then_some(())
            })
            .await;
        place
    }

    fn sqlite_path(&self) -> PathBuf {
        self.dir.path().join("hearth.db")
    }

    /// The database as the bot reaches it (through the proxy when there is one).
    fn bot_database(&self) -> DatabaseUrl {
        match &self.store {
            Store::Sqlite => DatabaseUrl::Sqlite(Some(self.sqlite_path())),
            Store::Mongo(uri) => {
                let direct = with_database(uri, &self.mongo_name);
                DatabaseUrl::Mongo(match &self.proxy {
                    Some(proxy) => through(&direct, proxy.addr()),
                    None => direct,
                })
            }
        }
    }

    /// The database directly, for the harness's own look at it.
    pub(crate) fn direct_database(&self) -> DatabaseUrl {
        match &self.store {
            Store::Sqlite => DatabaseUrl::Sqlite(Some(self.sqlite_path())),
            Store::Mongo(uri) => DatabaseUrl::Mongo(with_database(uri, &self.mongo_name)),
        }
    }

    /// The bot's configuration: pointed at the sandbox by configuration only.
    pub(crate) fn config(&self) -> Config {
        let mut config = Config::from_env(|_| None, false).expect("defaults");
        config.token = self.sandbox.token();
        config.database = self.bot_database();
        config.redis_url.clone_from(&self.redis_url);
        config.discord_api = Some(ApiBase {
            host: self.sandbox.http_proxy().to_owned(),
            plain_http: true,
        });
        config.gateway_url = Some(self.sandbox.gateway_url().to_owned());
        config.cdn_url = self.sandbox.cdn_url();
        config.xp_seed = Some(XP_SEED);
        config.http_addr = "127.0.0.1:0".parse().expect("address");
        config.public_key = Some(
            ed25519_dalek::SigningKey::from_bytes(&SIGNING_KEY)
                .verifying_key()
                .to_bytes(),
        );
        config
    }

    /// The bot's configuration as environment variables, for a bot in a child process.
    pub(crate) fn config_env(&self) -> Vec<(&'static str, String)> {
        let database = match &self.store {
            Store::Sqlite => format!("sqlite://{}", self.sqlite_path().display()),
            Store::Mongo(uri) => with_database(uri, &self.mongo_name),
        };
        vec![
            ("DISCORD_TOKEN", self.sandbox.token()),
            ("HEARTH_DATABASE", database),
            (
                "HEARTH_DISCORD_API",
                format!("http://{}", self.sandbox.http_proxy()),
            ),
            ("HEARTH_GATEWAY_URL", self.sandbox.gateway_url().to_owned()),
            ("HEARTH_HTTP_ADDR", "127.0.0.1:0".to_owned()),
        ]
    }

    /// Starts the bot and waits until its shards are connected.
    pub(crate) async fn start_bot(&mut self) {
        let running = match &self.clock {
            Some(clock) => hearth::start_at(self.config(), Arc::new(clock.clone())).await,
            None => hearth::start(self.config()).await,
        }
        .expect("bot starts");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !running.is_ready() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the bot never became ready"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.bot = Some(running);
    }

    async fn seed_escalation(&self, policy: EscalationPolicy) {
        async fn save<S: ModerationSettingsStore>(
            store: S,
            guild: GuildId,
            policy: EscalationPolicy,
        ) {
            Moderation::new(store)
                .set_escalation(guild, policy)
                .await
                .expect("settings saved");
        }
        let guild = GuildId::new(self.guild.id().get());
        match hearth::store::open(&self.direct_database())
            .await
            .expect("store opens")
        {
            OpenedStore::Sqlite(store) => save(store, guild, policy).await,
            OpenedStore::Mongo(store) => save(store, guild, policy).await,
        }
    }

    /// How many warnings `member` of `place` has in the store, read by the harness directly
    /// (not through the bot, which may be cut off from it).
    pub(crate) async fn stored_warnings(&self, place: &Place, member: &Member) -> usize {
        async fn count<S: WarningStore>(store: S, guild: GuildId, user: UserId) -> usize {
            Moderation::new(store)
                .warnings(guild, user)
                .await
                .expect("the harness reads the store")
                .warnings
                .len()
        }
        let (guild, user) = (
            GuildId::new(place.guild.id().get()),
            UserId::new(member.id().get()),
        );
        match hearth::store::open(&self.direct_database())
            .await
            .expect("store opens")
        {
            OpenedStore::Sqlite(store) => count(store, guild, user).await,
            OpenedStore::Mongo(store) => count(store, guild, user).await,
        }
    }

    /// The XP of `member` of `place` in the store, read by the harness directly.
    pub(crate) async fn stored_xp(&self, place: &Place, member: &Member) -> u64 {
        async fn read<S: XpStore>(store: S, guild: GuildId, user: UserId) -> u64 {
            store
                .member(guild, user)
                .await
                .expect("the harness reads the store")
                .map_or(0, |m| m.xp)
        }
        let (guild, user) = ids(place, member);
        match hearth::store::open(&self.direct_database())
            .await
            .expect("store opens")
        {
            OpenedStore::Sqlite(store) => read(store, guild, user).await,
            OpenedStore::Mongo(store) => read(store, guild, user).await,
        }
    }

    /// Waits until the store holds `xp` for `member` of `place` (the bot handles messages in
    /// the background).
    pub(crate) async fn wait_for_xp(&self, place: &Place, member: &Member, xp: u64) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let stored = self.stored_xp(place, member).await;
            if stored == xp {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the store holds {stored} XP, not {xp}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Gives members of `place` XP in the store before a scenario looks at leaderboards, as
    /// months of chat would have.
    pub(crate) async fn seed_xp(&self, place: &Place, xp: &[(&Member, u64)]) {
        async fn write<S: XpStore>(store: S, rows: Vec<(GuildId, UserId, u64)>) {
            for (guild, user, xp) in rows {
                store
                    .adjust(guild, user, XpChange::Set(xp))
                    .await
                    .expect("the harness writes the store");
            }
        }
        let rows = xp
            .iter()
            .map(|(member, xp)| {
                let (guild, user) = ids(place, member);
                (guild, user, *xp)
            })
            .collect();
        match hearth::store::open(&self.direct_database())
            .await
            .expect("store opens")
        {
            OpenedStore::Sqlite(store) => write(store, rows).await,
            OpenedStore::Mongo(store) => write(store, rows).await,
        }
    }

    /// Makes the database unreachable for the bot. SQLite: another process takes the file's
    /// write lock and keeps it (a backup tool or an operator's `sqlite3` session in a
    /// transaction), so the bot's writes wait out their busy timeout and fail. MongoDB: the
    /// network to the server goes (the proxy closes every connection and refuses new ones).
    ///
    /// # Panics
    ///
    /// On MongoDB when the world was not set up with [`Setup::cuttable_database`].
    pub(crate) fn cut_database(&mut self) {
        match &self.store {
            Store::Sqlite => self.lock = Some(DatabaseLock::take(&self.sqlite_path())),
            Store::Mongo(_) => self
                .proxy
                .as_ref()
                .expect("set up with cuttable_database")
                .cut(),
        }
    }

    /// Gives the database back (SQLite: the other process lets go of the lock).
    pub(crate) fn restore_database(&mut self) {
        self.lock = None;
    }

    /// The bot's HTTP endpoint.
    pub(crate) fn http_addr(&self) -> SocketAddr {
        self.bot().http_addr()
    }

    /// The running bot.
    pub(crate) fn bot(&self) -> &Running {
        self.bot.as_ref().expect("bot running")
    }

    /// Stops the bot gracefully.
    pub(crate) async fn stop_bot(&mut self) {
        if let Some(bot) = self.bot.take() {
            bot.stop().await;
        }
    }

    /// Ends a scenario: the bot sent nothing the real API would refuse, then it stops and its
    /// MongoDB database is dropped.
    pub(crate) async fn finish(mut self) {
        let violations = self.sandbox.spec_violations();
        self.stop_bot().await;
        self.lock = None;
        if let Some(url) = self.mongo_database() {
            drop_database(url)
                .await
                .expect("the scenario's database is dropped");
        }
        assert!(
            violations.is_empty(),
            "the bot sent what Discord would refuse: {violations:#?}"
        );
    }

    /// The scenario's MongoDB database, until [`World::finish`] or the drop of a failed
    /// scenario has dropped it.
    fn mongo_database(&mut self) -> Option<DatabaseUrl> {
        let url = self.direct_database();
        match std::mem::replace(&mut self.store, Store::Sqlite) {
            Store::Mongo(_) => Some(url),
            Store::Sqlite => None,
        }
    }

    /// The Ed25519 key Discord signs `/interactions` requests with.
    pub(crate) fn signing_key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&SIGNING_KEY)
    }

    /// The bot's `/interactions` URL.
    pub(crate) fn interactions_url(&self) -> String {
        format!("http://{}/interactions", self.http_addr())
    }

    /// Points the application's Interactions Endpoint URL at the bot, as its developer does in
    /// the portal (Discord checks the endpoint first).
    pub(crate) async fn use_interactions_endpoint(&self) {
        self.sandbox
            .set_interactions_endpoint(&self.interactions_url(), Self::signing_key())
            .await
            .expect("Discord accepts the bot's endpoint");
    }
}

/// The guild and user ids of `member` of `place`, as the stores take them.
fn ids(place: &Place, member: &Member) -> (GuildId, UserId) {
    (
        GuildId::new(place.guild.id().get()),
        UserId::new(member.id().get()),
    )
}

/// `member` runs `/warn target reason` in #general of `place`.
pub(crate) fn warn(
    place: &Place,
    member: &Member,
    target: &Member,
    reason: &str,
) -> InteractionHandle {
    member.run_command(
        place.general,
        "warn",
        &[
            ("member", CommandValue::User(target.id())),
            ("reason", CommandValue::String(reason.to_owned())),
        ],
    )
}

/// `member` runs `/warnings target [page]` in #general of `place`.
pub(crate) fn warnings(
    place: &Place,
    member: &Member,
    target: &Member,
    page: Option<i64>,
) -> InteractionHandle {
    let mut options = vec![("member", CommandValue::User(target.id()))];
    if let Some(page) = page {
        options.push(("page", CommandValue::Integer(page)));
    }
    member.run_command(place.general, "warnings", &options)
}

/// `member` runs `/clearwarnings target` in #general of `place`.
pub(crate) fn clear_warnings(place: &Place, member: &Member, target: &Member) -> InteractionHandle {
    member.run_command(
        place.general,
        "clearwarnings",
        &[("member", CommandValue::User(target.id()))],
    )
}

/// The bot's answer to an interaction, as the member sees it (the original response once it
/// has text or an embed).
pub(crate) async fn answer(interaction: &InteractionHandle) -> Message {
    interaction
        .wait_for_original(|m| !m.content.is_empty() || !m.embeds.is_empty())
        .await
}

/// The `custom_id` of the button labelled `label` on a message.
pub(crate) fn button(message: &Message, label: &str) -> String {
    message
        .components
        .iter()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|b| b["label"] == label)
        .and_then(|b| b["custom_id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no button labelled {label:?} on {:?}", message.components))
}

/// `member` clicks the button labelled `label` on a message.
pub(crate) fn click(member: &Member, message: &Message, label: &str) -> InteractionHandle {
    member.click(Id::new(message.id), &button(message, label))
}

/// Whether the button labelled `label` on a message is disabled.
pub(crate) fn button_disabled(message: &Message, label: &str) -> bool {
    message
        .components
        .iter()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|b| b["label"] == label)
        .is_some_and(|b| b["disabled"] == true)
}

/// The title of a message's first embed ("" without one).
pub(crate) fn title_of(message: &Message) -> String {
    message
        .embeds
        .first()
        .and_then(|e| e["title"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// The text of a message's first embed description, or its content.
pub(crate) fn text_of(message: &Message) -> String {
    message
        .embeds
        .first()
        .and_then(|e| e["description"].as_str())
        .map_or_else(|| message.content.clone(), str::to_owned)
}
