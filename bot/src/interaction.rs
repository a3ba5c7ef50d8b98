//! Answering interactions: the acknowledgement rules, refusals and faults, and the router.
//!
//! Every interaction gets exactly one first response within Discord's 3 seconds; handlers that
//! may take longer defer first and edit afterwards. Refusals (bad input, missing permission,
//! hierarchy, not found) are answered ephemerally with their sentence and logged at `debug`.
//! Faults are logged with their whole source chain and a short reference, and the member sees
//! a generic sentence with that reference — never the error itself.

use std::{error::Error as StdError, sync::Arc, time::Instant};

use twilight_model::{
    application::interaction::{Interaction, InteractionData, InteractionType},
    id::{Id, marker::InteractionMarker},
};

pub use crate::ack::Ack;
use crate::ack::Inline;
use crate::{
    context::{Backend, Context},
    discord::DiscordError,
    metrics::Outcome,
    moderation,
    reply::Reply,
};

/// Why a handler stopped early.
#[derive(Debug)]
pub enum HandlerError {
    /// The request was wrong; the sentence tells the member why. Nothing changed.
    Refusal(String),
    /// Something failed on our side.
    Fault(Box<dyn StdError + Send + Sync>),
}

impl HandlerError {
    /// A refusal with this sentence.
    pub fn refuse(sentence: impl Into<String>) -> Self {
        Self::Refusal(sentence.into())
    }
}

impl From<DiscordError> for HandlerError {
    fn from(err: DiscordError) -> Self {
        Self::Fault(Box::new(err))
    }
}

impl From<hearth_moderation::Error> for HandlerError {
    fn from(err: hearth_moderation::Error) -> Self {
        match err {
            hearth_moderation::Error::Store(_) => Self::Fault(Box::new(err)),
            refusal => Self::Refusal(capitalise(&refusal.to_string())),
        }
    }
}

/// The domain crates write lowercase facts; a reply is a sentence.
fn capitalise(fact: &str) -> String {
    let mut chars = fact.chars();
    chars.next().map_or_else(String::new, |first| {
        let mut out: String = first.to_uppercase().collect();
        out.push_str(chars.as_str());
        out.push('.');
        out
    })
}

/// What a handler returns.
pub type HandlerResult = Result<(), HandlerError>;

/// The sentence a member sees for an unknown command.
pub const UNKNOWN_COMMAND: &str = "I don't know that command. It may have been removed; Discord updates the list within the hour.";

/// Handles one interaction from start to finish.
pub async fn handle<S: Backend>(ctx: Context<S>, interaction: Interaction, inline: Option<Inline>) {
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
    let name = match &interaction.data {
        Some(InteractionData::ApplicationCommand(data)) => data.name.clone(),
        Some(InteractionData::MessageComponent(data)) => data
            .custom_id
            .split(':')
            .next()
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    };
    let result = match interaction.kind {
        InteractionType::Ping => ack.pong().await,
        InteractionType::ApplicationCommand => match name.as_str() {
            "warn" => moderation::handlers::warn(&ctx, &interaction, &mut ack).await,
            "warnings" => moderation::handlers::warnings(&ctx, &interaction, &mut ack).await,
            "clearwarnings" => {
                moderation::handlers::clear_warnings(&ctx, &interaction, &mut ack).await
            }
            "modlog" => moderation::handlers::modlog(&ctx, &interaction, &mut ack).await,
            _ => {
                tracing::info!(command = %name, "unknown command");
                Err(HandlerError::refuse(UNKNOWN_COMMAND))
            }
        },
        InteractionType::MessageComponent => match name.as_str() {
            "warnings" => moderation::handlers::warnings_page(&ctx, &interaction, &mut ack).await,
            "clearwarnings" => {
                moderation::handlers::confirm_clear(&ctx, &interaction, &mut ack).await
            }
            _ => {
                tracing::info!(custom_id = %name, "unknown component");
                Err(HandlerError::refuse("This button is no longer in use."))
            }
        },
        _ => Err(HandlerError::refuse(
            "I can't handle this kind of interaction yet.",
        )),
    };
    let outcome = match result {
        Ok(()) => Outcome::Ok,
        Err(HandlerError::Refusal(sentence)) => {
            tracing::debug!(command = %name, %sentence, "refused");
            answer(&mut ack, Reply::ephemeral(sentence)).await;
            Outcome::Refused
        }
        Err(HandlerError::Fault(err)) => {
            let reference = reference(interaction.id);
            tracing::error!(command = %name, %reference, error = %chain(&*err), "handler failed");
            let sentence = ack.fault_sentence(&*err, &reference);
            answer(&mut ack, Reply::ephemeral(sentence)).await;
            Outcome::Fault
        }
    };
    let label = if name.is_empty() {
        "other"
    } else {
        name.as_str()
    };
    ctx.metrics.command(label, outcome, started.elapsed());
}

async fn answer(ack: &mut Ack, reply: Reply) {
    if let Err(err) = ack.reply(reply).await {
        tracing::warn!(error = %chain(&err), "could not answer an interaction");
    }
}

/// A short reference that ties what a member sees to the log line: the interaction id's low
/// bits in hex.
pub fn reference(id: Id<InteractionMarker>) -> String {
    format!("{:06x}", id.get() & 0xFF_FFFF)
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
            Self::Refusal(sentence) => f.write_str(sentence),
            Self::Fault(err) => write!(f, "fault: {err}"),
        }
    }
}

impl StdError for HandlerError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_refusals_become_sentences() {
        let err = HandlerError::from(hearth_moderation::Error::ReasonEmpty);
        assert!(matches!(err, HandlerError::Refusal(s) if s == "A reason can't be empty."));
    }
}
