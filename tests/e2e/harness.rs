//! A guild with people in it, and the bot running against it.

use std::{net::SocketAddr, time::Duration};

use hearth::{Config, Running, config::ApiBase, database::DatabaseUrl};
use hearth_sandbox::{CommandValue, Guild, InteractionHandle, Member, Sandbox};
use twilight_model::{
    guild::Permissions,
    id::{
        Id,
        marker::{ChannelMarker, RoleMarker},
    },
};

/// The secret half of the key the bot verifies `/interactions` with.
pub(crate) const SIGNING_KEY: [u8; 32] = [7; 32];

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
    /// The bot.
    pub(crate) bot: Option<Running>,
    dir: tempfile::TempDir,
}

impl World {
    /// Starts the sandbox with the guild, and the bot against it on a fresh SQLite file.
    pub(crate) async fn start() -> Self {
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
        guild.set_role_position(senior_role, 3);
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
        config.database = DatabaseUrl::Sqlite(Some(self.dir.path().join("hearth.db")));
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

    /// The bot's HTTP endpoint.
    pub(crate) fn http_addr(&self) -> SocketAddr {
        self.bot.as_ref().expect("bot running").http_addr()
    }

    /// Stops the bot gracefully.
    pub(crate) async fn stop_bot(&mut self) {
        if let Some(bot) = self.bot.take() {
            bot.stop().await;
        }
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

/// The text of a message's first embed description, or its content.
pub(crate) fn text_of(message: &hearth_sandbox::state::Message) -> String {
    message
        .embeds
        .first()
        .and_then(|e| e["description"].as_str())
        .map_or_else(|| message.content.clone(), str::to_owned)
}
