//! `hearth try`: the bot against an embedded sandbox, in a terminal.
//!
//! [`TrySession`] starts a local Discord ([`hearth_sandbox`]) with a demo guild, runs the real
//! bot against it (SQLite in memory, no token, no network) and reads lines that say what a
//! person does — `as mod /warn @alice spamming`, `as alice say hello`, `click Older` — acting
//! through the sandbox exactly as Discord would deliver it. After each action it waits for the
//! bot to finish (the bot signals each interaction it has handled), then for the sandbox to go
//! quiet, and describes everything that changed: replies (ephemeral ones marked), messages in
//! channels such as the mod log, DMs, and timeouts, kicks, bans and role changes with their
//! audit-log reasons. [`run`] is a thin loop over standard input around it.
//!
//! The line grammar and the binding of arguments to the registered command options live in
//! `script`, the text rendering of messages in `render`; both are pure and unit-tested.

mod names;
mod render;
mod script;

use std::{
    collections::{BTreeMap, HashMap},
    error::Error,
    fmt::Write as _,
    io::{IsTerminal as _, Write as _},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use hearth_sandbox::{
    Guild, InteractionHandle, Member, ResponseKind, Sandbox, SendRefused,
    state::{self, Message},
};
use serde_json::Value;
use twilight_model::{
    guild::Permissions,
    id::{Id, marker::ChannelMarker},
};

use self::{
    names::Names,
    render::View,
    script::{Action, Line},
};
use tokio::sync::broadcast::{self, error::RecvError};

use crate::{
    Config, RunError, Running, config::ApiBase, database::DatabaseUrl, interaction::Handled,
};

/// The demo guild's name.
pub const DEMO_GUILD: &str = "Hearth Demo";

/// Where images and other attachments the bot sends are written, relative to the working
/// directory.
pub const OUTPUT_DIR: &str = "hearth-try-out";

/// Who acts when a line does not start with `as <name>`.
pub const DEFAULT_ACTOR: &str = "mod";

/// How long to wait for the bot to finish handling a command or a click.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the bot must stay quiet (no request to Discord) before an action counts as done.
/// After a message, which has no handler to wait for, this is all there is.
pub const QUIET: Duration = Duration::from_millis(300);

/// The quiet wanted after a handler has finished: whatever it did is in the sandbox already,
/// this only catches what other events set off.
pub const QUIET_AFTER_ANSWER: Duration = Duration::from_millis(100);

/// The longest wait for quiet after an action, so a chatty bot cannot hang the prompt.
pub const SETTLE_MAX: Duration = Duration::from_secs(3);

/// How long the bot may take to connect to the local Discord.
pub const READY_TIMEOUT: Duration = Duration::from_secs(15);

/// How often the sandbox is looked at while waiting.
const POLL: Duration = Duration::from_millis(20);

/// Why `hearth try` could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TryError {
    /// The local Discord could not bind its sockets.
    #[error("could not start the local Discord")]
    Sandbox(#[source] std::io::Error),
    /// The bot refused to start.
    #[error("the bot did not start")]
    Bot(#[from] RunError),
    /// The bot's default configuration was refused (a bug: it needs no variable).
    #[error("the bot's default configuration was refused")]
    Config(#[from] crate::config::ConfigError),
    /// The bot started but did not connect to the gateway in time.
    #[error("the bot did not connect to the local Discord within {0:?}")]
    NotReady(Duration),
}

/// A person of the demo guild, as the terminal knows them.
#[derive(Debug)]
struct Person {
    name: String,
    member: Member,
    /// What `who` says about them besides their state.
    about: &'static str,
}

/// Where a message was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// In a guild channel, for everyone.
    Channel(u64),
    /// In the bot's DM with this user.
    Dm(u64),
    /// An ephemeral reply only this user sees.
    OnlyFor(u64),
}

/// Everything observable that an action may change.
#[derive(Debug, Default)]
struct Snapshot {
    messages: BTreeMap<u64, (Place, Message)>,
    members: BTreeMap<u64, Option<state::Member>>,
    bans: BTreeMap<u64, state::Ban>,
    audit: Vec<state::AuditEntry>,
}

/// A terminal session: the sandbox, the demo guild, the bot, and who is acting where.
///
/// ```no_run
/// # async fn demo() -> Result<(), hearth::try_mode::TryError> {
/// use hearth::try_mode::TrySession;
///
/// let mut session = TrySession::start().await?;
/// println!("{}", session.execute("as mod /warn @alice spamming").await);
/// session.stop().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TrySession {
    sandbox: Sandbox,
    guild: Guild,
    bot: Option<Running>,
    /// The bot's signal of each interaction it finished handling.
    handled: Option<broadcast::Receiver<Handled>>,
    people: Vec<Person>,
    names: Names,
    channel: Id<ChannelMarker>,
    mod_log: Id<ChannelMarker>,
    actor: usize,
    /// Every interaction caused so far, to find the ephemeral replies each person sees.
    interactions: Vec<InteractionHandle>,
    out_dir: PathBuf,
    files: HashMap<u64, PathBuf>,
    finished: bool,
}

impl TrySession {
    /// Starts the sandbox, the demo guild and the bot; images go to [`OUTPUT_DIR`].
    ///
    /// The guild: the owner, `mod` with the role "Moderator" (Moderate Members, Kick, Ban),
    /// `senior` with "Senior" above it, `alice` and `bob`; channels `#general` and `#mod-log`,
    /// which is made the mod log by running `/modlog set #mod-log` as the owner.
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
        // twilight's HTTP and gateway clients need a rustls provider; the binary installs it,
        // a test may not have.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sandbox = Sandbox::start().await.map_err(TryError::Sandbox)?;
        let guild = sandbox.create_guild(DEMO_GUILD);
        let general = guild.text_channel("general");
        let mod_log = guild.text_channel("mod-log");
        let moderator_role = guild.create_role(
            "Moderator",
            Permissions::MODERATE_MEMBERS | Permissions::KICK_MEMBERS | Permissions::BAN_MEMBERS,
        );
        let senior_role = guild.create_role("Senior", Permissions::empty());
        // Above the moderator, below the bot's own role.
        guild.set_role_position(senior_role, 2);
        let moderator = guild.add_member("mod");
        guild.grant(&moderator, moderator_role);
        let senior = guild.add_member("senior");
        guild.grant(&senior, senior_role);
        let people = vec![
            Person {
                name: "owner".into(),
                member: guild.owner(),
                about: "owns the server",
            },
            Person {
                name: "mod".into(),
                member: moderator,
                about: "a moderator",
            },
            Person {
                name: "senior".into(),
                member: senior,
                about: "ranks above the moderator",
            },
            Person {
                name: "alice".into(),
                member: guild.add_member("alice"),
                about: "a member",
            },
            Person {
                name: "bob".into(),
                member: guild.add_member("bob"),
                about: "a member",
            },
        ];
        let mut names = Names {
            people: people
                .iter()
                .map(|p| (p.name.clone(), p.member.id().get()))
                .collect(),
            channels: vec![
                ("general".into(), general.get()),
                ("mod-log".into(), mod_log.get()),
            ],
            roles: vec![
                ("Moderator".into(), moderator_role.get()),
                ("Senior".into(), senior_role.get()),
                ("Hearth".into(), guild.bot_role().get()),
                ("everyone".into(), guild.everyone_role().get()),
            ],
        };
        names.people.push(("Hearth".into(), sandbox.bot_id().get()));

        let bot = hearth_start(&sandbox).await?;
        let actor = people
            .iter()
            .position(|p| p.name == DEFAULT_ACTOR)
            .unwrap_or(0);
        let mut session = Self {
            sandbox,
            guild,
            handled: Some(bot.handled()),
            bot: Some(bot),
            people,
            names,
            channel: general,
            mod_log,
            actor,
            interactions: Vec::new(),
            out_dir: out_dir.into(),
            files: HashMap::new(),
            finished: false,
        };
        // As a server owner would after inviting the bot.
        session.execute("as owner /modlog set #mod-log").await;
        Ok(session)
    }

    /// What to show first: the guild, its people and channels, and lines to try.
    pub fn welcome(&self) -> String {
        let commands = self
            .commands()
            .iter()
            .flat_map(script::usages)
            .collect::<Vec<_>>()
            .join("\n            ");
        format!(
            "Hearth is running against a local Discord: no token, no network.\n\
             \n\
             Server “{DEMO_GUILD}”\n  \
               people    owner (owns the server), mod (Moderator), senior (Senior, above \
             Moderator), alice, bob\n  \
               channels  #general, #mod-log (the mod log: cases are posted there)\n  \
               commands  {commands}\n\
             \n\
             Type what a person does, for example:\n  \
               as mod /warn @alice spamming       a moderator warns alice (3 warnings time her out)\n  \
               as alice say hello                 alice talks in the current channel\n  \
               /warnings @alice                   without `as`, you are {DEFAULT_ACTOR}\n  \
               /clearwarnings @alice              then: click remove (a button on the last message)\n  \
               in #mod-log                        switch channels\n  \
               who · help · quit (or Ctrl-D)\n\
             Images the bot sends are saved in {}/.",
            self.out_dir.display()
        )
    }

    /// The prompt: who acts, where.
    pub fn prompt(&self) -> String {
        format!(
            "{} in #{} › ",
            self.people[self.actor].name,
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
                    format!("You are {} now.", self.people[index].name)
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
        self.people
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let list: Vec<&str> = self.people.iter().map(|p| p.name.as_str()).collect();
                format!(
                    "There's nobody called {name} here. People: {}.",
                    list.join(", ")
                )
            })
    }

    fn channel_name(&self, id: u64) -> &str {
        self.names.channel_name(id).unwrap_or("unknown-channel")
    }

    fn name_of(&self, user: u64) -> &str {
        self.names.person_name(user).unwrap_or("someone")
    }

    /// The chat-input commands the bot registered.
    fn commands(&self) -> Vec<Value> {
        self.guild
            .commands()
            .into_iter()
            .filter(|c| c["type"].as_u64().unwrap_or(1) == 1)
            .collect()
    }

    async fn act(&mut self, actor: usize, action: Action) -> String {
        let who = self.people[actor].name.clone();
        if self.people[actor].member.info().is_none() {
            return format!("{who} is no longer in the server.");
        }
        let before = self.snapshot();
        let (echo, handle) = match action {
            Action::Command { name, args } => {
                let commands = self.commands();
                let Some(command) = commands.iter().find(|c| c["name"] == name.as_str()) else {
                    let known: Vec<String> = commands
                        .iter()
                        .filter_map(|c| c["name"].as_str())
                        .map(|n| format!("/{n}"))
                        .collect();
                    return format!("Hearth has no /{name}. Its commands: {}.", known.join(", "));
                };
                let bound = match script::bind(command, &args, &self.names) {
                    Ok(bound) => bound,
                    Err(sentence) => return sentence,
                };
                let options: Vec<(&str, _)> = bound
                    .options
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.clone()))
                    .collect();
                let handle = self.people[actor]
                    .member
                    .run_command(self.channel, &name, &options);
                let echo = format!(
                    "{who} runs {} in #{}",
                    bound.summary,
                    self.channel_name(self.channel.get())
                );
                (echo, Some(handle))
            }
            Action::Say(text) => {
                let member = &self.people[actor].member;
                if let Err(refused) = member.try_send(self.channel, &text) {
                    return self.refused_send(&who, &refused);
                }
                let echo = format!(
                    "{who} in #{}: {text}",
                    self.channel_name(self.channel.get())
                );
                (echo, None)
            }
            Action::Click(query) => {
                let (message, custom_id, label) = match self.find_button(actor, &query) {
                    Ok(found) => found,
                    Err(sentence) => return sentence,
                };
                let handle = self.people[actor]
                    .member
                    .click(Id::new(message), &custom_id);
                let echo = format!("{who} clicks [ {label} ]");
                (echo, Some(handle))
            }
        };
        let answered = match &handle {
            Some(handle) => {
                self.interactions.push(handle.clone());
                self.wait_handled(handle).await
            }
            None => true,
        };
        self.wait_quiet(if handle.is_some() {
            QUIET_AFTER_ANSWER
        } else {
            QUIET
        })
        .await;
        let after = self.snapshot();
        let mut out = echo;
        let described = self.describe(&before, &after);
        if described.is_empty() {
            let note = match (&handle, answered) {
                (Some(h), _) if h.info().response == Some(ResponseKind::Deferred) => {
                    "Hearth is thinking… and said nothing more".to_owned()
                }
                (Some(_), false) => format!(
                    "Hearth did not answer within {} seconds",
                    ANSWER_TIMEOUT.as_secs()
                ),
                (Some(_), true) => "Hearth answered without a visible change".to_owned(),
                (None, _) => "Hearth doesn't react".to_owned(),
            };
            let _ = write!(out, "\n  ({note})");
        } else {
            out.push_str(&described);
        }
        out
    }

    fn refused_send(&self, who: &str, refused: &SendRefused) -> String {
        match refused {
            SendRefused::TimedOut => {
                let until = self
                    .people
                    .iter()
                    .find(|p| p.name == who)
                    .and_then(|p| p.member.info())
                    .and_then(|m| m.communication_disabled_until_ms)
                    .map(until)
                    .unwrap_or_default();
                format!("{who} is timed out{until} and can't send messages.")
            }
            SendRefused::MissingPermissions => format!(
                "{who} may not send messages in #{}.",
                self.channel_name(self.channel.get())
            ),
            SendRefused::NotAMember => format!("{who} is no longer in the server."),
            SendRefused::Slowmode { retry_after } => format!(
                "Slowmode: {who} must wait {} s.",
                retry_after.as_secs().max(1)
            ),
            other => format!("Discord would not let {who} send that ({other:?})."),
        }
    }

    /// Waits until the bot signals that it has finished handling the interaction (its
    /// reply, mod-log post, DM and any escalation are all in the sandbox by then), for at most
    /// [`ANSWER_TIMEOUT`]. Returns whether it answered.
    async fn wait_handled(&mut self, handle: &InteractionHandle) -> bool {
        let id = handle.id();
        let Some(handled) = self.handled.as_mut() else {
            return false;
        };
        let waited = tokio::time::timeout(ANSWER_TIMEOUT, async {
            loop {
                match handled.recv().await {
                    Ok(done) if done.id.get() == id => return true,
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return false,
                }
            }
        })
        .await;
        waited.unwrap_or(false) || handle.info().response.is_some()
    }

    /// Waits until no request reached the sandbox for `quiet`, for at most [`SETTLE_MAX`].
    async fn wait_quiet(&self, quiet: Duration) {
        let started = Instant::now();
        let mut seen = self.sandbox.requests().len();
        let mut quiet_since = Instant::now();
        while quiet_since.elapsed() < quiet && started.elapsed() < SETTLE_MAX {
            tokio::time::sleep(POLL).await;
            let now = self.sandbox.requests().len();
            if now != seen {
                seen = now;
                quiet_since = Instant::now();
            }
        }
    }

    fn snapshot(&self) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for (_, id) in &self.names.channels {
            for m in self.guild.messages(Id::new(*id)) {
                snapshot.messages.insert(m.id, (Place::Channel(*id), m));
            }
        }
        for person in &self.people {
            let user = person.member.id().get();
            for m in person.member.dms() {
                snapshot.messages.insert(m.id, (Place::Dm(user), m));
            }
            snapshot.members.insert(user, person.member.info());
        }
        for handle in &self.interactions {
            let user = handle.info().user_id;
            for m in handle
                .original_message()
                .into_iter()
                .chain(handle.followups())
            {
                if m.is_ephemeral() && !m.deleted {
                    snapshot.messages.insert(m.id, (Place::OnlyFor(user), m));
                }
            }
        }
        snapshot.bans = self
            .guild
            .bans()
            .into_iter()
            .map(|b| (b.user_id, b))
            .collect();
        snapshot.audit = self.guild.audit_log();
        snapshot
    }

    /// The newest message `actor` can see with a button matching `query` (its label, any
    /// part of it, or its custom id): `(message id, custom id, label)`.
    fn find_button(&self, actor: usize, query: &str) -> Result<(u64, String, String), String> {
        let user = self.people[actor].member.id().get();
        let snapshot = self.snapshot();
        let visible = snapshot
            .messages
            .values()
            .rev()
            .filter(|(place, _)| match place {
                Place::Channel(c) => *c == self.channel.get(),
                Place::Dm(u) | Place::OnlyFor(u) => *u == user,
            });
        let q = query.to_lowercase();
        let mut last_buttons: Option<Vec<(String, String, bool)>> = None;
        for (_, message) in visible {
            let buttons: Vec<(String, String, bool)> = message
                .components
                .iter()
                .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
                .filter(|c| c["type"] == 2)
                .filter_map(|c| {
                    Some((
                        c["custom_id"].as_str()?.to_owned(),
                        c["label"].as_str().unwrap_or_default().to_owned(),
                        c["disabled"].as_bool().unwrap_or(false),
                    ))
                })
                .collect();
            if buttons.is_empty() {
                continue;
            }
            let exact = buttons
                .iter()
                .find(|(id, label, _)| label.to_lowercase() == q || *id == query);
            let found = exact.or_else(|| {
                buttons
                    .iter()
                    .find(|(_, label, _)| label.to_lowercase().contains(&q))
            });
            if let Some((id, label, disabled)) = found {
                if *disabled {
                    return Err(format!("[ {label} ] is disabled."));
                }
                return Ok((message.id, id.clone(), label.clone()));
            }
            last_buttons.get_or_insert(buttons);
        }
        let who = &self.people[actor].name;
        match last_buttons {
            Some(buttons) => {
                let shown: Vec<String> =
                    buttons.iter().map(|(_, l, _)| format!("[ {l} ]")).collect();
                Err(format!(
                    "No button “{query}” on the messages {who} can see here; the last buttons \
                     are: {}",
                    shown.join(" ")
                ))
            }
            None => Err(format!(
                "{who} sees no buttons in #{}. Buttons come with answers such as \
                 /clearwarnings @alice.",
                self.channel_name(self.channel.get())
            )),
        }
    }

    /// Everything that changed between two snapshots, as indented text (empty when nothing).
    fn describe(&mut self, before: &Snapshot, after: &Snapshot) -> String {
        let bot = self.sandbox.bot_id().get();
        let now_secs = unix_now_ms() / 1000;
        let mut out = String::new();
        for (id, (place, message)) in &after.messages {
            if message.author_id != bot {
                continue;
            }
            let edited = match before.messages.get(id) {
                None => false,
                Some((_, old)) if old == message => continue,
                Some(_) => true,
            };
            save_attachments(&self.out_dir, message, &mut self.files);
            let header = match place {
                Place::Channel(c) => format!("#{} · Hearth", self.channel_name(*c)),
                Place::Dm(u) => format!("DM to {} · Hearth", self.name_of(*u)),
                Place::OnlyFor(u) => {
                    // "you" is whoever the prompt shows; someone else acting is named.
                    let only = if *u == self.people[self.actor].member.id().get() {
                        "only you see this".to_owned()
                    } else {
                        format!("only {} sees this", self.name_of(*u))
                    };
                    format!(
                        "#{} · Hearth ({only})",
                        self.channel_name(message.channel_id)
                    )
                }
            };
            let edited = if edited { " (edited)" } else { "" };
            let view = View {
                names: &self.names,
                now_secs: i64::try_from(now_secs).unwrap_or(i64::MAX),
                files: &self.files,
            };
            let _ = write!(out, "\n\n{header}{edited}");
            for line in render::message(message, &view) {
                let _ = write!(out, "\n  {line}");
            }
        }
        let changes = self.changes(before, after);
        if !changes.is_empty() {
            out.push_str("\n\nIn the server:");
            for change in changes {
                let _ = write!(out, "\n  • {change}");
            }
        }
        out
    }

    /// Timeouts, kicks, bans and role changes, each with its audit-log reason.
    fn changes(&self, before: &Snapshot, after: &Snapshot) -> Vec<String> {
        let new_audit = &after.audit[before.audit.len().min(after.audit.len())..];
        let reason = |user: u64| {
            new_audit
                .iter()
                .rev()
                .find(|e| e.target_id == Some(user))
                .and_then(|e| e.reason.clone())
                .map(|r| format!(" — “{r}”"))
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        for (user, now) in &after.members {
            let name = self.name_of(*user);
            match (before.members.get(user).cloned().flatten(), now) {
                (Some(_), None) if after.bans.contains_key(user) => {}
                (Some(_), None) => out.push(format!(
                    "{name} was removed from the server (kicked){}",
                    reason(*user)
                )),
                (None, Some(_)) => out.push(format!("{name} joined the server")),
                (Some(old), Some(new)) => {
                    if old.communication_disabled_until_ms != new.communication_disabled_until_ms {
                        match new.communication_disabled_until_ms {
                            Some(ms) if ms > unix_now_ms() => out.push(format!(
                                "{name} is timed out{}{}",
                                until(ms),
                                reason(*user)
                            )),
                            _ => out.push(format!("{name}'s timeout was lifted{}", reason(*user))),
                        }
                    }
                    for role in new.roles.iter().filter(|r| !old.roles.contains(r)) {
                        out.push(format!("{name} got the role {}", self.role_name(*role)));
                    }
                    for role in old.roles.iter().filter(|r| !new.roles.contains(r)) {
                        out.push(format!("{name} lost the role {}", self.role_name(*role)));
                    }
                    if old.nick != new.nick {
                        out.push(format!(
                            "{name}'s nickname is now {}",
                            new.nick.as_deref().unwrap_or("(none)")
                        ));
                    }
                }
                (None, None) => {}
            }
        }
        for (user, ban) in &after.bans {
            if !before.bans.contains_key(user) {
                let why = ban
                    .reason
                    .as_ref()
                    .map(|r| format!(" — “{r}”"))
                    .unwrap_or_default();
                out.push(format!("{} was banned{why}", self.name_of(*user)));
            }
        }
        for user in before.bans.keys() {
            if !after.bans.contains_key(user) {
                out.push(format!("{} was unbanned", self.name_of(*user)));
            }
        }
        out
    }

    fn role_name(&self, role: u64) -> &str {
        self.names.role_name(role).unwrap_or("unknown-role")
    }

    /// `who`: people with their roles and state, roles by rank, channels.
    fn who(&self) -> String {
        let now = unix_now_ms();
        let mut out = String::from("People (act as one with `as <name> …`):");
        for (index, person) in self.people.iter().enumerate() {
            let mut facts: Vec<String> = vec![person.about.to_owned()];
            match person.member.info() {
                None if self
                    .guild
                    .bans()
                    .iter()
                    .any(|b| b.user_id == person.member.id().get()) =>
                {
                    facts.push("banned".to_owned());
                }
                None => facts.push("not in the server".to_owned()),
                Some(member) => {
                    let roles: Vec<&str> =
                        member.roles.iter().map(|r| self.role_name(*r)).collect();
                    if !roles.is_empty() {
                        facts.push(format!("roles: {}", roles.join(", ")));
                    }
                    if let Some(ms) = member
                        .communication_disabled_until_ms
                        .filter(|ms| *ms > now)
                    {
                        facts.push(format!("timed out{}", until(ms)));
                    }
                }
            }
            let you = if index == self.actor { "  ← you" } else { "" };
            let _ = write!(out, "\n  {:<7} {}{you}", person.name, facts.join("; "));
        }
        let mut roles: Vec<state::Role> = self
            .names
            .roles
            .iter()
            .filter_map(|(_, id)| self.guild.role(Id::new(*id)))
            .collect();
        roles.sort_by_key(|r| std::cmp::Reverse(r.position));
        let roles: Vec<String> = roles
            .iter()
            .map(|r| {
                if r.managed {
                    format!("{} (the bot)", r.name)
                } else {
                    r.name.clone()
                }
            })
            .collect();
        let _ = write!(out, "\nRoles, highest first: {}", roles.join(" > "));
        let channels: Vec<String> = self
            .names
            .channels
            .iter()
            .map(|(name, id)| {
                let mut text = format!("#{name}");
                if *id == self.mod_log.get() {
                    text.push_str(" (mod log)");
                }
                if *id == self.channel.get() {
                    text.push_str(" ← you are here");
                }
                text
            })
            .collect();
        let _ = write!(out, "\nChannels: {}", channels.join(", "));
        out
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
  as <name>                      act as them from now on (at first you are mod)
  in #<channel>                  switch channels
  who                            people, roles and channels
  help                           this text
  quit                           stop (Ctrl-D works too)";

/// Writes a message's attachments not saved yet to `out_dir` (created when needed) as
/// `<message id>-<file name>`, and records where in `files`. A failure is logged; the
/// message is still shown.
fn save_attachments(out_dir: &Path, message: &Message, files: &mut HashMap<u64, PathBuf>) {
    for attachment in &message.attachments {
        if files.contains_key(&attachment.id) {
            continue;
        }
        // The name comes from the bot: keep it from leaving the folder.
        let name: String = attachment
            .filename
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = name.trim_start_matches('.');
        let path = out_dir.join(format!("{}-{name}", message.id));
        let written = std::fs::create_dir_all(out_dir)
            .and_then(|()| std::fs::write(&path, &attachment.bytes));
        match written {
            Ok(()) => {
                files.insert(attachment.id, path);
            }
            Err(err) => {
                tracing::warn!(path = %path.display(), error = %err, "could not save an attachment");
            }
        }
    }
}

/// " until 01:42 UTC (in 1 hour)", for a time in Unix milliseconds.
fn until(ms: u64) -> String {
    let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
    let now = i64::try_from(unix_now_ms() / 1000).unwrap_or(i64::MAX);
    format!(" until {}", render::until(secs, now))
}

fn unix_now_ms() -> u64 {
    // The sandbox's timeouts are in wall-clock time, as Discord's are.
    u64::try_from(hearth_core::Clock::now(&hearth_core::SystemClock).unix_millis()).unwrap_or(0)
}

/// Starts the bot against the sandbox (SQLite in memory, HTTP endpoint on a free port) and
/// waits until its shards are connected.
async fn hearth_start(sandbox: &Sandbox) -> Result<Running, TryError> {
    // Nothing from the environment: `hearth try` needs no token and ignores `.env`.
    let mut config = Config::from_env(|_| None, false)?;
    config.token = sandbox.token();
    config.database = DatabaseUrl::Sqlite(None);
    config.discord_api = Some(ApiBase {
        host: sandbox.http_proxy().to_owned(),
        plain_http: true,
    });
    config.gateway_url = Some(sandbox.gateway_url().to_owned());
    config.http_addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let running = crate::start(config).await?;
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

/// Runs `hearth try`: starts a [`TrySession`] and reads lines from standard input until
/// `quit`, end of input (Ctrl-D) or Ctrl-C.
///
/// # Errors
///
/// A [`TryError`] when the sandbox or the bot cannot start.
pub async fn run() -> Result<(), Box<dyn Error>> {
    println!("Starting a local Discord and Hearth…");
    let mut session = TrySession::start().await?;
    println!("{}\n", session.welcome());
    let interactive = std::io::stdin().is_terminal();
    // Standard input blocks; a plain thread reads it so the runtime keeps serving the bot.
    let (lines, mut typed) = tokio::sync::mpsc::channel::<String>(1);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if lines.blocking_send(line).is_err() {
                break;
            }
        }
    });
    loop {
        print!("{}", session.prompt());
        let _ = std::io::stdout().flush();
        let line = tokio::select! {
            line = typed.recv() => line,
            _ = tokio::signal::ctrl_c() => None,
        };
        let Some(line) = line else {
            println!();
            break;
        };
        if !interactive {
            // Lines from a file or a pipe: show them, so the output reads as a transcript.
            println!("{line}");
        }
        let out = session.execute(&line).await;
        if !out.is_empty() {
            println!("{out}\n");
        }
        if session.is_finished() {
            break;
        }
    }
    session.stop().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_saved_once_under_the_message_id_and_stay_in_the_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out");
        let message = Message {
            attachments: vec![state::Attachment {
                id: 7,
                filename: "../rank card.png".into(),
                content_type: Some("image/png".into()),
                description: None,
                bytes: vec![1, 2, 3],
            }],
            ..Message::new(42, 1, 1, 1, String::new())
        };
        let mut files = HashMap::new();
        save_attachments(&out, &message, &mut files);
        let path = out.join("42-_rank_card.png");
        assert_eq!(files, HashMap::from([(7, path.clone())]));
        assert_eq!(std::fs::read(&path).expect("written"), [1, 2, 3]);
        std::fs::remove_file(&path).expect("removable");
        save_attachments(&out, &message, &mut files);
        assert!(!path.exists(), "an attachment is written once");
    }
}
