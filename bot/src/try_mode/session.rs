//! Starting and stopping a session, and reading a line: the demo guild, the bot against it,
//! the prompt, and the dispatch of each typed line to acting or observing.

use std::{collections::HashMap, fmt::Write as _, path::PathBuf, sync::Arc, time::Instant};

use hearth_core::{Clock as _, GuildId, SystemClock, UserId};
use hearth_store_sqlite::SqliteStore;

use hearth_sandbox::{
    Sandbox,
    demo::{DemoBuilder, DemoWorld},
};
use serde_json::Value;
use twilight_model::id::Id;

use super::{
    DEFAULT_ACTOR, DEMO_GUILD, OUTPUT_DIR, POLL, READY_TIMEOUT, TryError, TrySession, bind,
    names::Names,
    script::{self, Line},
};
use crate::{Config, RunError, Running, config::ApiBase, database::DatabaseUrl};

/// A feature's part of the demo world — its channels, roles, people or first messages — run
/// on the sandbox's base world ([`hearth_sandbox::demo`]) before the bot starts. Whatever it
/// names, a person can then type (`as carol …`, `in #tickets`, `@Support`).
pub type DemoSetup = fn(&mut DemoWorld);

/// Every feature's part of the demo world (`Feature::demo`, from the feature list).
pub const FEATURE_DEMOS: &[DemoSetup] = crate::features::DEMO;

impl TrySession {
    /// Starts the sandbox, the demo guild and the bot; images go to [`OUTPUT_DIR`].
    ///
    /// The guild is the sandbox's demo world with every feature's setup
    /// ([`FEATURE_DEMOS`]): the owner, `mod` with the role "Moderator" (Moderate Members,
    /// Kick, Ban), `senior` with "Senior" above it, `alice` and `bob`; channels `#general`
    /// and `#mod-log`, which is made the mod log by running `/modlog set #mod-log` as the
    /// owner.
    ///
    /// # Errors
    ///
    /// [`TryError::Sandbox`], [`TryError::Bot`], [`TryError::Config`] or
    /// [`TryError::NotReady`].
    pub async fn start() -> Result<Self, TryError> {
        Self::start_with_output(OUTPUT_DIR).await
    }

    /// As [`TrySession::start`], writing attachments to `out_dir` (created when needed).
    ///
    /// # Errors
    ///
    /// As [`TrySession::start`].
    pub async fn start_with_output(out_dir: impl Into<PathBuf>) -> Result<Self, TryError> {
        Self::start_with(out_dir, FEATURE_DEMOS).await
    }

    /// As [`TrySession::start_with_output`], with `setups` run on the base world in order
    /// instead of [`FEATURE_DEMOS`]: a feature in the making tries its setup here before it
    /// joins the list.
    ///
    /// # Errors
    ///
    /// As [`TrySession::start`].
    pub async fn start_with(
        out_dir: impl Into<PathBuf>,
        setups: &[DemoSetup],
    ) -> Result<Self, TryError> {
        // twilight's HTTP and gateway clients need a rustls provider; the binary installs it,
        // a test may not have.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sandbox = Sandbox::start().await.map_err(TryError::Sandbox)?;
        let world = setups
            .iter()
            .fold(DemoBuilder::new(), |builder, setup| builder.with(*setup))
            .build(&sandbox);
        let names = names_of(&world, &sandbox);
        let bot = hearth_start(&sandbox, &world).await?;
        let actor = world
            .people()
            .iter()
            .position(|p| p.name == DEFAULT_ACTOR)
            .unwrap_or(0);
        let mut session = Self {
            sandbox,
            handled: Some(bot.handled()),
            bot: Some(bot),
            names,
            channel: world.general,
            world,
            actor,
            interactions: Vec::new(),
            form: None,
            out_dir: out_dir.into(),
            files: HashMap::new(),
            finished: false,
        };
        // As a server owner would after inviting the bot.
        session.execute("as owner /modlog set #mod-log").await;
        // Members who chatted before you arrived, so /leaderboard and /rank show something.
        for line in crate::leveling::DEMO_XP {
            session.execute(line).await;
        }
        // And posts a role menu in #roles (the roles feature's part of the demo world).
        for line in [
            "in #roles",
            "as owner /buttonroles create title:Pick your roles roles:🎮 @Gamers 🎨 @Artists",
            "in #general",
        ] {
            session.execute(line).await;
        }
        // And the ticket panel in #support.
        for line in crate::tickets::DEMO_SETUP {
            session.execute(line).await;
        }
        Ok(session)
    }

    /// What to show first: the guild, its people and channels, and lines to try.
    pub fn welcome(&self) -> String {
        let commands = self
            .commands()
            .iter()
            .flat_map(bind::usages)
            .collect::<Vec<_>>()
            .join("\n            ");
        // The base world is described by hand (who outranks whom is the point of it); what
        // a feature's setup added follows, with the words it gave.
        let world = &self.world;
        let base = [
            &world.owner,
            &world.moderator,
            &world.senior,
            &world.alice,
            &world.bob,
        ]
        .map(hearth_sandbox::Member::id);
        let mut more_people = String::new();
        for person in world.people() {
            if !base.contains(&person.member.id()) {
                let _ = write!(more_people, ", {} ({})", person.name, person.about);
            }
        }
        let mut more_channels = String::new();
        for (name, id) in world.channels() {
            if ![world.general, world.mod_log].contains(id) {
                let _ = write!(more_channels, ", #{name}");
            }
        }
        format!(
            "Hearth is running against a local Discord: no token, no network.\n\
             \n\
             Server “{DEMO_GUILD}”\n  \
               people    owner (owns the server), mod (Moderator), senior (Senior, above \
             Moderator), alice, bob{more_people}\n  \
               channels  #general, #mod-log (the mod log: cases are posted there)\
             {more_channels}\n  \
               commands  {commands}\n\
             \n\
             Type what a person does, for example:\n  \
               as mod /warn @alice spamming       a moderator warns alice (3 warnings time her out)\n  \
               as alice say hello                 alice talks in the current channel\n  \
               /warnings @alice                   without `as`, you are {DEFAULT_ACTOR}\n  \
               /clearwarnings @alice              then: click remove (a button on the last message)\n  \
               in #mod-log                        switch channels\n  \
               in #roles, then as alice click Gamers   a member picks a role from the menu there\n  \
               in #support, then as alice click Open a ticket, then as alice fill my order is late\n  \
                 (a member opens a ticket with the panel's button and its form)\n  \
               who · help · quit (or Ctrl-D)\n\
             Images the bot sends are saved in {}/.",
            self.out_dir.display()
        )
    }

    /// The prompt: who acts, where.
    pub fn prompt(&self) -> String {
        format!(
            "{} in #{} › ",
            self.world.people()[self.actor].name,
            self.channel_name(self.channel.get())
        )
    }

    /// Whether `quit` was typed.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Carries out one typed line and describes, as readable text, what the bot did.
    pub async fn execute(&mut self, line: &str) -> String {
        let parsed = match script::parse_line(line) {
            Ok(parsed) => parsed,
            Err(sentence) => return sentence,
        };
        match parsed {
            Line::Empty => String::new(),
            Line::Help => HELP.to_owned(),
            Line::Who => self.who(),
            Line::Quit => {
                self.finished = true;
                "Bye.".to_owned()
            }
            Line::In(channel) => match self.names.channel(&channel) {
                Some(id) => {
                    self.channel = Id::new(id);
                    format!("You are in #{}.", self.channel_name(id))
                }
                None => format!(
                    "There's no channel #{channel}. Channels: {}.",
                    self.names.channel_list()
                ),
            },
            Line::Become(name) => match self.person(&name) {
                Ok(index) => {
                    self.actor = index;
                    format!("You are {} now.", self.world.people()[index].name)
                }
                Err(sentence) => sentence,
            },
            Line::Act { actor, action } => {
                let actor = match actor {
                    Some(name) => match self.person(&name) {
                        Ok(index) => index,
                        Err(sentence) => return sentence,
                    },
                    None => self.actor,
                };
                self.act(actor, action).await
            }
        }
    }

    /// Stops the bot and the sandbox.
    pub async fn stop(mut self) {
        if let Some(bot) = self.bot.take() {
            bot.stop().await;
        }
        self.sandbox.shutdown();
    }

    fn person(&self, name: &str) -> Result<usize, String> {
        self.world
            .people()
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let list: Vec<&str> = self
                    .world
                    .people()
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect();
                format!(
                    "There's nobody called {name} here. People: {}.",
                    list.join(", ")
                )
            })
    }

    pub(super) fn channel_name(&self, id: u64) -> &str {
        self.names.channel_name(id).unwrap_or("unknown-channel")
    }

    pub(super) fn name_of(&self, user: u64) -> &str {
        self.names.person_name(user).unwrap_or("someone")
    }

    /// The chat-input commands the bot registered.
    pub(super) fn commands(&self) -> Vec<Value> {
        self.world
            .guild
            .commands()
            .into_iter()
            .filter(|c| c["type"].as_u64().unwrap_or(1) == 1)
            .collect()
    }
}

/// What `help` prints.
const HELP: &str = "\
Lines say what a person does:
  as <name> /<command> <args…>   run a slash command, e.g. as mod /warn @alice spamming
        @name → a member option, #channel → a channel option, a number → a number option,
        name:value sets an option by name (page:2, reason:\"two words\"), the rest is the text
        option (the reason); subcommands come first: /modlog set #mod-log
  as <name> say <text>           send a message in the current channel
  as <name> click <label>        click a button on the newest message they can see
                                 (any part of the label will do: click older)
  as <name> fill <text>          fill in and send the form a click opened them
                                 (name:value fills one field of several)
  as <name>                      act as them from now on (at first you are mod)
  in #<channel>                  switch channels
  who                            people, roles and channels
  help                           this text
  quit                           stop (Ctrl-D works too)";

/// Who and what is called what in `world`, the bot included under its own name.
fn names_of(world: &DemoWorld, sandbox: &Sandbox) -> Names {
    let mut people: Vec<(String, u64)> = world
        .people()
        .iter()
        .map(|p| (p.name.clone(), p.member.id().get()))
        .collect();
    people.push(("Hearth".into(), sandbox.bot_id().get()));
    Names {
        people,
        channels: world
            .channels()
            .iter()
            .map(|(name, id)| (name.clone(), id.get()))
            .collect(),
        // Bare names: `@everyone` typed as a role still finds it (lookups drop the `@`), and
        // a role mention renders as `@everyone`, not `@@everyone`.
        roles: world
            .roles()
            .iter()
            .map(|(name, id)| (name.trim_start_matches('@').to_owned(), id.get()))
            .collect(),
    }
}

/// Starts the bot against the sandbox (SQLite in memory, HTTP endpoint on a free port) and
/// waits until its shards are connected.
/// Starts the bot on a store in memory that already holds the demo guild's month of chat
/// ([`crate::leveling::demo`]), so `/stats` has a chart to draw.
async fn hearth_start(sandbox: &Sandbox, world: &DemoWorld) -> Result<Running, TryError> {
    // Nothing from the environment: `hearth try` needs no token and ignores `.env`.
    let mut config = Config::from_env(|_| None, false)?;
    config.token = sandbox.token();
    config.database = DatabaseUrl::Sqlite(None);
    config.discord_api = Some(ApiBase {
        host: sandbox.http_proxy().to_owned(),
        plain_http: true,
    });
    config.gateway_url = Some(sandbox.gateway_url().to_owned());
    config.cdn_url = sandbox.cdn_url();
    config.http_addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let store = SqliteStore::open_in_memory()
        .await
        .map_err(RunError::from)?;
    let people: Vec<UserId> = world
        .people()
        .iter()
        .map(|p| UserId::new(p.member.id().get()))
        .collect();
    let guild = GuildId::new(world.guild.id().get());
    let clock = Arc::new(SystemClock);
    crate::leveling::demo::seed_demo_chat(&store, guild, &people, clock.now())
        .await
        .map_err(RunError::from)?;
    let running = crate::start_on(config, store, clock).await?;
    let started = Instant::now();
    while !running.is_ready() {
        if started.elapsed() > READY_TIMEOUT {
            running.stop().await;
            return Err(TryError::NotReady(READY_TIMEOUT));
        }
        tokio::time::sleep(POLL).await;
    }
    Ok(running)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn everyone_is_known_by_its_bare_name_so_mentions_render_once_with_an_at() {
        let sandbox = Sandbox::start().await.expect("sandbox");
        let world = DemoBuilder::new().build(&sandbox);
        let names = names_of(&world, &sandbox);
        let everyone = world.guild.everyone_role().get();
        assert_eq!(names.role("@everyone"), Some(everyone));
        assert_eq!(names.role("everyone"), Some(everyone));
        assert_eq!(names.role_name(everyone), Some("everyone"));
        assert_eq!(names.role("@Moderator"), Some(world.moderator_role.get()));
        assert_eq!(names.person("Hearth"), Some(sandbox.bot_id().get()));
        assert_eq!(names.channel("#mod-log"), Some(world.mod_log.get()));
        sandbox.shutdown();
    }
}
