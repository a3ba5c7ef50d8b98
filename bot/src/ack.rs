//! Acknowledging an interaction: exactly one first response within Discord's 3 seconds,
//! through the gateway path (a REST callback) or inline in the HTTP endpoint's response; edits
//! after that.

use std::{sync::Arc, time::Instant};

use tokio::sync::oneshot;
use twilight_model::{
    application::interaction::Interaction,
    http::interaction::{InteractionResponse, InteractionResponseType},
    id::{Id, marker::InteractionMarker},
};

use crate::{
    discord::{ALREADY_ACKNOWLEDGED, Discord},
    interaction::{HandlerError, HandlerResult},
    metrics::Metrics,
    reply::{Reply, deferred},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Fresh,
    Deferred,
    Responded,
}

/// The one way a handler answers its interaction: through the gateway path (a REST callback)
/// or inline as the body of the HTTP endpoint's response.
#[derive(Debug)]
pub struct Ack {
    discord: Discord,
    id: Id<InteractionMarker>,
    token: String,
    inline: Option<oneshot::Sender<InteractionResponse>>,
    state: State,
    started: Instant,
    metrics: Arc<Metrics>,
}

impl Ack {
    /// An acknowledgement for this interaction, received at `started`; `inline` carries the
    /// first response back to the HTTP endpoint instead of calling Discord. The time to the
    /// first response goes to `metrics`.
    pub fn new(
        discord: Discord,
        interaction: &Interaction,
        inline: Option<oneshot::Sender<InteractionResponse>>,
        started: Instant,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            discord,
            id: interaction.id,
            token: interaction.token.clone(),
            inline,
            state: State::Fresh,
            started,
            metrics,
        }
    }

    /// Whether a first response has gone out.
    pub fn responded(&self) -> bool {
        self.state != State::Fresh
    }

    async fn first(&mut self, response: InteractionResponse) -> Result<(), HandlerError> {
        let deferring = response.kind == InteractionResponseType::DeferredChannelMessageWithSource;
        self.metrics.first_response(self.started.elapsed());
        if let Some(inline) = self.inline.take() {
            // The endpoint may have given up waiting; then Discord saw no answer either.
            let _ = inline.send(response);
        } else {
            match self.discord.respond(self.id, &self.token, &response).await {
                // A replayed event whose first copy was answered: nothing more to say.
                Err(err) if err.code() == Some(ALREADY_ACKNOWLEDGED) => {
                    tracing::debug!(interaction = %self.id, "interaction was already acknowledged");
                }
                other => other?,
            }
        }
        self.state = if deferring {
            State::Deferred
        } else {
            State::Responded
        };
        Ok(())
    }

    /// Says "thinking…" now, to answer later with [`Ack::reply`].
    ///
    /// # Errors
    ///
    /// A fault when Discord refuses the response.
    pub async fn defer(&mut self, ephemeral: bool) -> HandlerResult {
        if self.state == State::Fresh {
            self.first(deferred(ephemeral)).await?;
        }
        Ok(())
    }

    /// Answers with a message, or replaces the answer given so far.
    ///
    /// # Errors
    ///
    /// A fault when Discord refuses it.
    pub async fn reply(&mut self, reply: Reply) -> HandlerResult {
        match self.state {
            State::Fresh => self.first(reply.into_response()).await,
            State::Deferred | State::Responded => {
                self.discord.edit_response(&self.token, &reply).await?;
                self.state = State::Responded;
                Ok(())
            }
        }
    }

    /// Answers a button or menu by replacing the message it sits on.
    ///
    /// # Errors
    ///
    /// A fault when Discord refuses it.
    pub async fn update(&mut self, reply: Reply) -> HandlerResult {
        match self.state {
            State::Fresh => self.first(reply.into_update()).await,
            _ => self.reply(reply).await,
        }
    }

    pub(crate) async fn pong(&mut self) -> HandlerResult {
        self.first(InteractionResponse {
            kind: InteractionResponseType::Pong,
            data: None,
        })
        .await
    }
}
