//! `hearth try`: the bot against an embedded sandbox, in a terminal.
//!
//! [`TrySession`] starts a local Discord ([`hearth_sandbox`]) with its demo world — the guild
//! the end-to-end harness and the sandbox binary start from too, plus each feature's
//! [`DemoSetup`] — runs the real bot against it (SQLite in memory, no token, no network) and
//! reads lines that say what a person does — `as mod /warn @alice spamming`, `as alice say
//! hello`, `click Older` — acting through the sandbox exactly as Discord would deliver it.
//! After each action it waits for the bot to finish (the bot signals each interaction it has
//! handled), then for the sandbox to go quiet, and describes everything that changed: replies
//! (ephemeral ones marked), messages in channels such as the mod log, DMs, and timeouts,
//! kicks, bans and role changes with their audit-log reasons. [`run`] is a thin loop over standard input around it.
//!
//! The files, by job: `session` starts and stops a session and dispatches each typed line,
//! `act` carries out a command, message or click and waits for the bot, `observe` takes
//! snapshots and describes what changed between them, `terminal` is the stdin loop. The line
//! grammar lives in `script`, the binding of a command's arguments to its registered options
//! in `bind`, the text rendering of messages in `render`, the names of people, channels and
//! roles in `names`; those four are pure and unit-tested.

mod act;
mod bind;
mod names;
mod observe;
mod render;
mod script;
mod session;
mod terminal;

use std::{collections::HashMap, path::PathBuf, time::Duration};

use hearth_sandbox::{InteractionHandle, Sandbox, demo::DemoWorld};
use tokio::sync::broadcast;
use twilight_model::id::{Id, marker::ChannelMarker};

use self::names::Names;
pub use self::{
    session::{DemoSetup, FEATURE_DEMOS},
    terminal::run,
};
use crate::{RunError, Running, interaction::Handled};

pub use hearth_sandbox::demo::DEMO_GUILD;

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
    /// The demo guild, its people (in `who`'s order) and channels.
    world: DemoWorld,
    bot: Option<Running>,
    /// The bot's signal of each interaction it finished handling.
    handled: Option<broadcast::Receiver<Handled>>,
    names: Names,
    channel: Id<ChannelMarker>,
    /// Who acts when a line does not say: an index into the world's people.
    actor: usize,
    /// Every interaction caused so far, to find the ephemeral replies each person sees.
    interactions: Vec<InteractionHandle>,
    /// The form (modal) a click opened and who sees it, until they fill it in.
    form: Option<(usize, InteractionHandle)>,
    out_dir: PathBuf,
    files: HashMap<u64, PathBuf>,
    finished: bool,
}
