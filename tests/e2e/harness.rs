//! A guild with people in it, and the bot running against it.

use std::{
    net::SocketAddr,
    path::Path,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use hearth::{Config, Running, config::ApiBase, database::DatabaseUrl, store::OpenedStore};
use hearth_core::GuildId;
use hearth_moderation::{EscalationPolicy, Moderation, ModerationSettingsStore};
use hearth_sandbox::{CommandValue, Guild, InteractionHandle, Member, Sandbox, state::Message};
use twilight_model::{
    guild::Permissions,
    id::{
        Id,
        marker::{ChannelMarker, RoleMarker},
    },
};

/// The secret half of the key the bot verifies `/interactions` with.
pub(crate) const SIGNING_KEY: [u8; 32] = [7; 32];

/// Where the bot keeps its data in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Store {
    /// A fresh SQLite file in the scenario's temp dir.
    Sqlite,
    /// A fresh database on the MongoDB server at this URI.
    Mongo(String),
}

impl Store {
    /// MongoDB when `MONGODB_URI` is set, else SQLite.
    pub(crate) fn from_env() -> Self {
        std::env::var("MONGODB_URI")
            .ok()
            .filter(|uri| !uri.trim().is_empty())
            .map_or(Self::Sqlite, Self::Mongo)
    }

    /// The bot's database for one scenario: its own file or database name, so scenarios run
    /// in parallel.
    pub(crate) fn database(&self, dir: &Path) -> DatabaseUrl {
        match self {
            Self::Sqlite => DatabaseUrl::Sqlite(Some(dir.join("hearth.db"))),
            Self::Mongo(uri) => DatabaseUrl::Mongo(with_database(uri, &unique_name())),
        }
    }
}

/// `hearth_e2e_<pid>_<nanos>_<n>`: unique per scenario and per run.
fn unique_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    format!(
        "hearth_e2e_{}_{nanos}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The connection string with its database (the path) replaced by `name`, options kept.
fn with_database(uri: &str, name: &str) -> String {
    let (base, options) = uri
        .split_once('?')
        .map_or((uri, None), |(b, o)| (b, Some(o)));
    let (scheme, rest) = base.split_once("://").unwrap_or(("mongodb", base));
    let hosts = rest.split('/').next().unwrap_or(rest);
    let mut out = format!("{scheme}://{hosts}/{name}");
    if let Some(options) = options {
        out.push('?');
        out.push_str(options);
    }
    out
}

/// A guild as a server team sets it up, with the bot running in it.
pub(crate) struct World {
    /// The stand-in for Discord.
    pub(crate) sandbox: Sandbox,
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
    /// Where the bot keeps its data.
    pub(crate) store: Store,
    /// The bot.
    pub(crate) bot: Option<Running>,
    dir: tempfile::TempDir,
}

impl World {
    /// Starts the sandbox with the guild, and the bot against it on the store
    /// [`Store::from_env`] picks.
    pub(crate) async fn start() -> Self {
        Self::start_on(Store::from_env()).await
    }

    /// Starts the sandbox with the guild, and the bot against it on `store`.
    pub(crate) async fn start_on(store: Store) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sandbox = Sandbox::start().await.expect("sandbox starts");
        let guild = sandbox.create_guild("Hearth Test");
        let general = guild.text_channel("general");
        let mod_log = guild.text_channel("mod-log");
        let owner = guild.owner();
        let moderator_role = guild.create_role(
            "Moderator",
            Permissions::MODERATE_MEMBERS | Permissions::KICK_MEMBERS | Permissions::BAN_MEMBERS,
        );
        let senior_role = guild.create_role("Senior", Permissions::empty());
        // Above the moderator, below the bot's role.
        guild.set_role_position(senior_role, 2);
        let position = |role| guild.role(role).expect("role exists").position;
        assert!(
            position(moderator_role) < position(senior_role)
                && position(senior_role) < position(guild.bot_role()),
            "roles from the top: the bot's, Senior, Moderator"
        );
        let moderator = guild.add_member("mod");
        guild.grant(&moderator, moderator_role);
        let senior = guild.add_member("senior");
        guild.grant(&senior, senior_role);
        let alice = guild.add_member("alice");
        let bob = guild.add_member("bob");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut world = Self {
            sandbox,
            guild,
            general,
            mod_log,
            owner,
            moderator,
            senior,
            alice,
            bob,
            moderator_role,
            senior_role,
            store,
            bot: None,
            dir,
        };
        world.start_bot().await;
        world
    }

    /// The bot's configuration: pointed at the sandbox by configuration only.
    pub(crate) fn config(&self) -> Config {
        let mut config = Config::from_env(|_| None, false).expect("defaults");
        config.token = self.sandbox.token();
        config.database = self.store.database(self.dir.path());
        config.discord_api = Some(ApiBase {
            host: self.sandbox.http_proxy().to_owned(),
            plain_http: true,
        });
        config.gateway_url = Some(self.sandbox.gateway_url().to_owned());
        config.http_addr = "127.0.0.1:0".parse().expect("address");
        config.public_key = Some(
            ed25519_dalek::SigningKey::from_bytes(&SIGNING_KEY)
                .verifying_key()
                .to_bytes(),
        );
        config
    }

    /// Starts the bot and waits until its shards are connected.
    pub(crate) async fn start_bot(&mut self) {
        let running = hearth::start(self.config()).await.expect("bot starts");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !running.is_ready() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the bot never became ready"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.bot = Some(running);
    }

    /// Replaces the guild's escalation policy in the bot's store, with the bot stopped and
    /// started again: what an operator editing the database (or a future command) does.
    pub(crate) async fn set_escalation(&mut self, policy: EscalationPolicy) {
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
        self.stop_bot().await;
        let guild = GuildId::new(self.guild.id().get());
        let url = self.store.database(self.dir.path());
        match hearth::store::open(&url).await.expect("store opens") {
            OpenedStore::Sqlite(store) => save(store, guild, policy).await,
            OpenedStore::Mongo(store) => save(store, guild, policy).await,
        }
        self.start_bot().await;
    }

    /// The bot's HTTP endpoint.
    pub(crate) fn http_addr(&self) -> SocketAddr {
        self.bot.as_ref().expect("bot running").http_addr()
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

    /// Ends a scenario: the bot sent nothing the real API would refuse, then it stops.
    pub(crate) async fn finish(mut self) {
        let violations = self.sandbox.spec_violations();
        self.stop_bot().await;
        assert!(
            violations.is_empty(),
            "the bot sent what Discord would refuse: {violations:#?}"
        );
    }

    /// The owner sends moderation cases to #mod-log with `/modlog set`.
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
            .wait_for_original(|_| true)
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

/// `member` runs `/warn target reason` in #general.
pub(crate) fn warn(
    world: &World,
    member: &Member,
    target: &Member,
    reason: &str,
) -> InteractionHandle {
    member.run_command(
        world.general,
        "warn",
        &[
            ("member", CommandValue::User(target.id())),
            ("reason", CommandValue::String(reason.to_owned())),
        ],
    )
}

/// `member` runs `/warnings target [page]` in #general.
pub(crate) fn warnings(
    world: &World,
    member: &Member,
    target: &Member,
    page: Option<i64>,
) -> InteractionHandle {
    let mut options = vec![("member", CommandValue::User(target.id()))];
    if let Some(page) = page {
        options.push(("page", CommandValue::Integer(page)));
    }
    member.run_command(world.general, "warnings", &options)
}

/// `member` runs `/clearwarnings target` in #general.
pub(crate) fn clear_warnings(world: &World, member: &Member, target: &Member) -> InteractionHandle {
    member.run_command(
        world.general,
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

/// The text of a message's first embed description, or its content.
pub(crate) fn text_of(message: &Message) -> String {
    message
        .embeds
        .first()
        .and_then(|e| e["description"].as_str())
        .map_or_else(|| message.content.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_mongodb_scenario_gets_a_database_of_its_own() {
        use super::{DatabaseUrl, Path, Store, unique_name, with_database};

        assert_eq!(
            with_database("mongodb://localhost:27017", "hearth_e2e_1"),
            "mongodb://localhost:27017/hearth_e2e_1"
        );
        assert_eq!(
            with_database("mongodb://u:p@h1,h2/hearth?replicaSet=rs0", "hearth_e2e_2"),
            "mongodb://u:p@h1,h2/hearth_e2e_2?replicaSet=rs0"
        );
        assert_ne!(unique_name(), unique_name());
        let DatabaseUrl::Mongo(url) =
            Store::Mongo("mongodb+srv://cluster.example.net/".into()).database(Path::new("/tmp"))
        else {
            panic!("MongoDB when a URI is given");
        };
        assert!(
            url.starts_with("mongodb+srv://cluster.example.net/hearth_e2e_"),
            "{url}"
        );
    }
}
