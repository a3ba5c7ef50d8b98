//! Answering interactions: the acknowledgement rules, refusals and faults, and the router.
//!
//! Every interaction gets exactly one first response within Discord's 3 seconds; handlers that
//! may take longer defer first and edit afterwards. Refusals (bad input, missing permission,
//! hierarchy, not found) are answered ephemerally with their sentence and logged at `debug`.
//! Faults are logged with their whole source chain and a short reference, and the member sees
//! a generic sentence with that reference — never the error itself.

use std::{error::Error as StdError, sync::Arc, time::Instant};

use tokio::sync::broadcast;
use twilight_model::{
    application::interaction::{Interaction, InteractionType},
    id::{Id, marker::InteractionMarker},
};

pub use crate::ack::Ack;
use crate::ack::Inline;
use crate::{
    context::{Backend, Context},
    discord::DiscordError,
    features::{self, Features},
    metrics::Outcome,
    reply::Reply,
};

/// A refusal: a request that was wrong, answered with a sentence that tells the member why.
/// Each feature has its own refusal type; its sentences are written in the bot, in one place
/// per feature, not in a domain crate's `Display`.
pub trait Refusal: std::fmt::Debug + Send + Sync {
    /// What the member reads.
    fn sentence(&self) -> String;
}

/// A refusal that is already a sentence: the shell's own (unknown command, not in a server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence(pub String);

impl Refusal for Sentence {
    fn sentence(&self) -> String {
        self.0.clone()
    }
}

/// Why a handler stopped early.
#[derive(Debug)]
pub enum HandlerError {
    /// The request was wrong; nothing changed.
    Refusal(Box<dyn Refusal>),
    /// Something failed on our side. What the handler had recorded before it (see
    /// [`Ack::committed`]) is told to the member with the reference.
    Fault(Box<dyn StdError + Send + Sync>),
}

impl HandlerError {
    /// A refusal with this sentence.
    pub fn refuse(sentence: impl Into<String>) -> Self {
        Self::Refusal(Box::new(Sentence(sentence.into())))
    }

    /// A refusal of a feature's own type.
    pub fn refusal(refusal: impl Refusal + 'static) -> Self {
        Self::Refusal(Box::new(refusal))
    }

    /// A fault.
    pub fn fault(error: impl StdError + Send + Sync + 'static) -> Self {
        Self::Fault(Box::new(error))
    }
}

impl From<DiscordError> for HandlerError {
    fn from(err: DiscordError) -> Self {
        Self::fault(err)
    }
}

/// What a handler returns.
pub type HandlerResult = Result<(), HandlerError>;

/// The sentence a member sees for an unknown command.
pub const UNKNOWN_COMMAND: &str = "I don't know that command. It may have been removed; Discord updates the list within the hour.";

/// What handling interactions needs: the shared infrastructure and every feature.
#[derive(Debug)]
pub struct App<S: Backend> {
    /// The shared infrastructure.
    pub ctx: Context,
    /// Every feature.
    pub features: Features<S>,
    /// The store, for the health probe.
    pub store: S,
    handled: broadcast::Sender<Handled>,
}

/// An interaction the bot has finished handling, for whoever waits on it (`hearth try`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handled {
    /// The interaction's id.
    pub id: Id<InteractionMarker>,
    /// How it ended.
    pub outcome: Outcome,
}

/// How many finished interactions a slow listener may fall behind before it misses some.
const HANDLED_BACKLOG: usize = 256;

impl<S: Backend> App<S> {
    /// The features over `store`, with the shared infrastructure.
    pub fn new(ctx: Context, store: S) -> Self {
        Self {
            features: Features::new(&store, &ctx),
            ctx,
            store,
            handled: broadcast::channel(HANDLED_BACKLOG).0,
        }
    }

    /// The sender behind [`crate::Running::handled`].
    pub(crate) fn handled_sender(&self) -> broadcast::Sender<Handled> {
        self.handled.clone()
    }
}

/// Handles one interaction from start to finish.
pub async fn handle<S: Backend>(
    app: Arc<App<S>>,
    interaction: Interaction,
    inline: Option<Inline>,
) {
    let ctx = &app.ctx;
    if !ctx.first_sight(interaction.id.get()) {
        tracing::debug!(interaction = %interaction.id, "ignoring a replayed interaction");
        return;
    }
    let started = Instant::now();
    let mut ack = Ack::new(
        ctx.discord.clone(),
        &interaction,
        inline,
        started,
        Arc::clone(&ctx.metrics),
    );
    let label = features::label(&interaction);
    let result = match interaction.kind {
        InteractionType::Ping => ack.pong().await,
        _ => app.features.route(ctx, &interaction, &mut ack).await,
    };
    let outcome = match result {
        Ok(()) => Outcome::Ok,
        Err(HandlerError::Refusal(refusal)) => {
            let sentence = refusal.sentence();
            // The sentence may quote what a member typed: escaped, so it can't forge lines.
            tracing::debug!(interaction = %interaction.id, command = %label, sentence = ?sentence, "refused");
            answer(&mut ack, Reply::ephemeral(sentence)).await;
            Outcome::Refused
        }
        Err(HandlerError::Fault(error)) => {
            let reference = reference(interaction.id);
            tracing::error!(
                interaction = %interaction.id,
                command = %label,
                %reference,
                error = ?chain(&*error),
                "handler failed"
            );
            let sentence = ack.fault_sentence(&*error, &reference);
            answer(&mut ack, Reply::ephemeral(sentence)).await;
            Outcome::Fault
        }
    };
    ctx.metrics.command(&label, outcome, started.elapsed());
    let _ = app.handled.send(Handled {
        id: interaction.id,
        outcome,
    });
}

async fn answer(ack: &mut Ack, reply: Reply) {
    if let Err(err) = ack.reply(reply).await {
        tracing::warn!(error = %chain(&err), "could not answer an interaction");
    }
}

/// A reference that ties what a member sees to the log line: the whole interaction id in base
/// 36, unique per interaction (the low bits of snowflakes repeat across processes and time).
pub fn reference(id: Id<InteractionMarker>) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut n = id.get();
    let mut out = Vec::with_capacity(13);
    while n > 0 {
        out.push(DIGITS[usize::try_from(n % 36).unwrap_or(0)]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// An error and its causes on one line.
pub fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut line = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line
}

impl std::fmt::Display for HandlerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refusal(refusal) => f.write_str(&refusal.sentence()),
            Self::Fault(error) => write!(f, "fault: {error}"),
        }
    }
}

impl StdError for HandlerError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_differ_where_the_low_bits_agree() {
        let a = Id::new(0x0123_4567_89AB_CDEF);
        let b = Id::new(0x0223_4567_89AB_CDEF);
        assert_ne!(reference(a), reference(b));
        assert_eq!(reference(Id::new(35)), "z");
        assert_eq!(reference(Id::new(36)), "10");
    }
}
