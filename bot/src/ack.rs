//! Acknowledging an interaction: exactly one first response within Discord's 3 seconds,
//! through the gateway path (a REST callback) or inline in the HTTP endpoint's response; edits
//! after that.
//!
//! # The deadline, kept by construction
//!
//! Discord drops an interaction that has no first response after 3 seconds. A handler does not
//! have to guess whether it will be quick: every [`Ack`] has a watchdog that, if the handler
//! has not answered [`ACK_WATCHDOG`] after the interaction arrived, sends a deferred response
//! ("thinking…") on its own. The handler's later [`Ack::reply`] then edits that response. On the
//! HTTP endpoint the first response is the body of the HTTP answer; the endpoint waits on an
//! [`InlineAnswer`] which, at the endpoint's own deadline, answers with a deferred response and
//! tells the `Ack`, in case a loaded machine ran the watchdog late.
//!
//! The watchdog, the endpoint and the handler share the acknowledgement's state behind one
//! async mutex, held while a first response is on its way, so exactly one of them sends it and
//! the others see what it was.
//!
//! # Visibility of a deferred answer
//!
//! Discord fixes whether an answer is ephemeral when the first response goes out; editing a
//! deferred response cannot change it. A deferral the handler did not ask for is therefore
//! ephemeral unless the handler said otherwise with [`Ack::set_ephemeral_hint`]: refusals and
//! faults, which are ephemeral, are the likeliest answers of a handler still checking its
//! input, and a public answer shown privately leaks nothing while a refusal shown publicly
//! would. A handler whose answer is public (a warning's embed) declares it once its refusals
//! are behind it; a fault after that point is edited into the public "thinking…" message.
//! A button or menu is deferred differently: its message stays as it is until the handler's
//! answer replaces it, as [`Ack::update`] would have.
//!
//! # Faults after a commit
//!
//! A handler that has stored something records it with [`Ack::committed`] ("the warning was
//! recorded as case 12"); the sentence for a later fault ([`Ack::fault_sentence`]) starts with
//! it, so the member knows that running the command again would do it twice.

use std::{
    error::Error as StdError,
    sync::{Arc, Weak},
    time::{Duration, Instant},
};

use hearth_core::{StoreError, StoreErrorKind};
use tokio::{
    sync::{Mutex, oneshot},
    task::AbortHandle,
};
use twilight_model::{
    application::interaction::{Interaction, InteractionType},
    http::interaction::{InteractionResponse, InteractionResponseType},
    id::{Id, marker::InteractionMarker},
};

use hearth_core::MessageId;
use twilight_model::application::command::CommandOptionChoice;

use crate::{
    discord::{ALREADY_ACKNOWLEDGED, Discord},
    interaction::{HandlerError, HandlerResult, chain},
    metrics::Metrics,
    reply::{self, Modal, Reply, deferred},
};

/// How long after an interaction arrives the watchdog defers it if the handler has not answered:
/// Discord's 3 seconds, less a margin for the trip to Discord on a loaded machine.
pub const ACK_WATCHDOG: Duration = Duration::from_secs(2);

/// The visibility of a deferral the handler did not ask for, until it says otherwise.
pub const DEFAULT_EPHEMERAL_HINT: bool = true;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Fresh,
    Deferred,
    Responded,
}

/// What the handler, the watchdog and the HTTP endpoint share.
#[derive(Debug)]
struct Shared {
    state: State,
    /// The HTTP endpoint's channel for the first response, while it still waits for one.
    inline: Option<oneshot::Sender<InteractionResponse>>,
    ephemeral_hint: bool,
    /// When the interaction arrived and where the time to its first response is counted; set
    /// once the `Ack` exists.
    timing: Option<(Instant, Arc<Metrics>)>,
    /// A button or menu: a deferral of its own keeps the message it sits on, to be updated.
    component: bool,
}

impl Shared {
    fn new(inline: Option<oneshot::Sender<InteractionResponse>>) -> Self {
        Self {
            state: State::Fresh,
            inline,
            ephemeral_hint: DEFAULT_EPHEMERAL_HINT,
            timing: None,
            component: false,
        }
    }

    /// The deferral nobody asked for: "thinking…" in the hinted visibility, or for a button
    /// or menu an acknowledgement that leaves its message to be edited.
    fn unasked_deferral(&self) -> InteractionResponse {
        if self.component {
            InteractionResponse {
                kind: InteractionResponseType::DeferredUpdateMessage,
                data: None,
            }
        } else {
            deferred(self.ephemeral_hint)
        }
    }

    fn count_first_response(&self) {
        if let Some((started, metrics)) = &self.timing {
            metrics.first_response(started.elapsed());
        }
    }
}

/// The handler's half of an inline acknowledgement: give it to the interaction's [`Ack`].
#[derive(Debug)]
pub struct Inline {
    shared: Arc<Mutex<Shared>>,
}

/// The HTTP endpoint's half of an inline acknowledgement: the first response, as the body of
/// its answer.
#[derive(Debug)]
pub struct InlineAnswer {
    rx: oneshot::Receiver<InteractionResponse>,
    /// Weak, so that when the handler is gone without answering the channel closes.
    shared: Weak<Mutex<Shared>>,
}

/// A pair for answering an interaction in the HTTP endpoint's response body.
pub fn inline() -> (Inline, InlineAnswer) {
    let (tx, rx) = oneshot::channel();
    let shared = Arc::new(Mutex::new(Shared::new(Some(tx))));
    let answer = InlineAnswer {
        rx,
        shared: Arc::downgrade(&shared),
    };
    (Inline { shared }, answer)
}

impl InlineAnswer {
    /// The handler's first response, or at `deadline` a deferred one (ephemeral as the
    /// handler's hint says), after which the handler's answer edits it. `None` when the handler
    /// ended without answering at all.
    pub async fn by(mut self, deadline: Duration) -> Option<InteractionResponse> {
        if let Ok(answered) = tokio::time::timeout(deadline, &mut self.rx).await {
            return answered.ok();
        }
        let Some(shared) = self.shared.upgrade() else {
            // The handler is done: it answered just now, or never will.
            return self.rx.try_recv().ok();
        };
        let mut shared = shared.lock().await;
        if shared.state != State::Fresh {
            // Sent under this lock before we took it: it is in the channel.
            return self.rx.try_recv().ok();
        }
        tracing::debug!("no first response by the endpoint's deadline; deferring");
        shared.inline = None;
        shared.state = State::Deferred;
        shared.count_first_response();
        Some(shared.unasked_deferral())
    }
}

#[derive(Debug)]
struct Responder {
    discord: Discord,
    id: Id<InteractionMarker>,
    token: String,
    shared: Arc<Mutex<Shared>>,
}

impl Responder {
    /// Sends the first response; the caller holds the lock and has checked the state is fresh.
    async fn first(&self, shared: &mut Shared, response: InteractionResponse) -> HandlerResult {
        let deferring = matches!(
            response.kind,
            InteractionResponseType::DeferredChannelMessageWithSource
                | InteractionResponseType::DeferredUpdateMessage
        );
        if let Some(inline) = shared.inline.take() {
            shared.count_first_response();
            // The endpoint may be gone (the server shutting down); then Discord saw no answer
            // from us either way.
            let _ = inline.send(response);
        } else {
            match self.discord.respond(self.id, &self.token, &response).await {
                // A replayed event whose first copy was answered: nothing more to say.
                Err(err) if err.code() == Some(ALREADY_ACKNOWLEDGED) => {
                    tracing::debug!(interaction = %self.id, "interaction was already acknowledged");
                }
                other => other?,
            }
            shared.count_first_response();
        }
        shared.state = if deferring {
            State::Deferred
        } else {
            State::Responded
        };
        Ok(())
    }

    /// Defers if nothing has answered yet: what the watchdog does.
    async fn defer_if_fresh(&self) {
        let mut shared = self.shared.lock().await;
        if shared.state != State::Fresh {
            return;
        }
        tracing::debug!(interaction = %self.id, "no answer within the watchdog's time; deferring");
        let response = shared.unasked_deferral();
        if let Err(err) = self.first(&mut shared, response).await {
            tracing::warn!(interaction = %self.id, error = %chain(&err), "the watchdog could not defer");
        }
    }
}

/// The one way a handler answers its interaction: through the gateway path (a REST callback)
/// or inline as the body of the HTTP endpoint's response. A watchdog defers it if the handler
/// takes longer than [`ACK_WATCHDOG`]; see the [module documentation](self).
#[derive(Debug)]
pub struct Ack {
    responder: Arc<Responder>,
    watchdog: AbortHandle,
    committed: Option<String>,
}

impl Drop for Ack {
    fn drop(&mut self) {
        self.watchdog.abort();
    }
}

impl Ack {
    /// An acknowledgement for this interaction, received at `started`; `inline` carries the
    /// first response back to the HTTP endpoint instead of calling Discord. The time to the
    /// first response goes to `metrics`. Starts the watchdog, so it must be called within a
    /// Tokio runtime.
    pub fn new(
        discord: Discord,
        interaction: &Interaction,
        inline: Option<Inline>,
        started: Instant,
        metrics: Arc<Metrics>,
    ) -> Self {
        let shared = inline.map_or_else(|| Arc::new(Mutex::new(Shared::new(None))), |i| i.shared);
        // Nobody else holds the lock yet: the endpoint takes it only at its deadline.
        if let Ok(mut shared) = shared.try_lock() {
            shared.timing = Some((started, metrics));
            shared.component = interaction.kind == InteractionType::MessageComponent;
        }
        let responder = Arc::new(Responder {
            discord,
            id: interaction.id,
            token: interaction.token.clone(),
            shared,
        });
        // Counted from now in Tokio's clock (virtual in tests), less what already passed.
        let left = ACK_WATCHDOG.saturating_sub(started.elapsed());
        let watched = Arc::clone(&responder);
        // Autocomplete has no deferred answer: its choices come in time or not at all.
        let autocomplete = interaction.kind == InteractionType::ApplicationCommandAutocomplete;
        let watchdog = tokio::spawn(async move {
            if autocomplete {
                return;
            }
            tokio::time::sleep(left).await;
            watched.defer_if_fresh().await;
        })
        .abort_handle();
        Self {
            responder,
            watchdog,
            committed: None,
        }
    }

    /// Whether a first response has gone out (by the handler, the watchdog or the endpoint).
    pub async fn responded(&self) -> bool {
        self.responder.shared.lock().await.state != State::Fresh
    }

    /// Declares whether this interaction's eventual answer is ephemeral, so a deferral the
    /// handler did not ask for (the watchdog's, the endpoint's) has the right visibility.
    /// Without it, such a deferral is ephemeral ([`DEFAULT_EPHEMERAL_HINT`]).
    pub async fn set_ephemeral_hint(&self, ephemeral: bool) {
        self.responder.shared.lock().await.ephemeral_hint = ephemeral;
    }

    /// Records what the handler has stored for good ("the warning was recorded as case 12"),
    /// so that a fault after it says so instead of suggesting to try again.
    pub fn committed(&mut self, what: impl Into<String>) {
        self.committed = Some(what.into());
    }

    /// The sentence a member sees for a fault, with the `reference` of its log line: what was
    /// recorded before it, or that the database is unreachable (nothing was saved), or a
    /// generic sentence. Never the error's own text.
    pub fn fault_sentence(&self, err: &(dyn StdError + 'static), reference: &str) -> String {
        if let Some(what) = &self.committed {
            return format!(
                "{}, but something went wrong after that (reference `{reference}`). Don't run \
                 the command again: it would be done twice.",
                capitalised(what)
            );
        }
        if store_unavailable(err) {
            return format!(
                "I can't reach my database right now, so nothing was saved. Please try again in \
                 a few minutes (reference `{reference}`)."
            );
        }
        format!(
            "Something went wrong on my side (reference `{reference}`). Please try again; if it \
             keeps happening, tell the server's admins."
        )
    }

    /// Says "thinking…" now, to answer later with [`Ack::reply`]; `ephemeral` also becomes the
    /// hint. Nothing happens when a first response has gone out already.
    ///
    /// # Errors
    ///
    /// A fault when Discord refuses the response.
    pub async fn defer(&mut self, ephemeral: bool) -> HandlerResult {
        let mut shared = self.responder.shared.lock().await;
        shared.ephemeral_hint = ephemeral;
        if shared.state == State::Fresh {
            self.responder
                .first(&mut shared, deferred(ephemeral))
                .await?;
        }
        Ok(())
    }

    /// Answers with a message, or replaces the answer given so far (the deferral included).
    ///
    /// # Errors
    ///
    /// A fault when Discord refuses it.
    pub async fn reply(&mut self, reply: Reply) -> HandlerResult {
        let mut shared = self.responder.shared.lock().await;
        if shared.state == State::Fresh && shared.inline.is_some() && !reply.attachments.is_empty()
        {
            // The HTTP endpoint's answer is JSON and carries no file: answer "thinking…"
            // there, then edit in the message with its files.
            self.responder
                .first(&mut shared, deferred(reply.ephemeral))
                .await?;
        }
        match shared.state {
            State::Fresh => {
                self.responder
                    .first(&mut shared, reply.into_response())
                    .await
            }
            State::Deferred | State::Responded => {
                self.responder
                    .discord
                    .edit_response(&self.responder.token, &reply)
                    .await?;
                shared.state = State::Responded;
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
        let mut shared = self.responder.shared.lock().await;
        if shared.state == State::Fresh {
            return self.responder.first(&mut shared, reply.into_update()).await;
        }
        drop(shared);
        self.reply(reply).await
    }

    /// Answers with a form to fill in (a modal); its submit arrives as a modal interaction
    /// routed to the feature its `custom_id` names. Only a first answer can be a modal, so a
    /// handler shows it before anything slow.
    ///
    /// # Errors
    ///
    /// A fault when something answered already (the watchdog, after [`ACK_WATCHDOG`]) or
    /// Discord refuses it.
    pub async fn modal(&mut self, modal: Modal) -> HandlerResult {
        let mut shared = self.responder.shared.lock().await;
        if shared.state != State::Fresh {
            return Err(HandlerError::fault(NotFirst("a modal")));
        }
        self.responder
            .first(&mut shared, modal.into_response())
            .await
    }

    /// Answers an autocomplete interaction with choices, best first (at most
    /// [`reply::AUTOCOMPLETE_CHOICES_MAX`]).
    ///
    /// # Errors
    ///
    /// A fault when something answered already or Discord refuses it.
    pub async fn autocomplete(&mut self, choices: Vec<CommandOptionChoice>) -> HandlerResult {
        let mut shared = self.responder.shared.lock().await;
        if shared.state != State::Fresh {
            return Err(HandlerError::fault(NotFirst("autocomplete choices")));
        }
        self.responder
            .first(&mut shared, reply::autocomplete(choices))
            .await
    }

    /// Sends another message after the first answer (files included), ephemeral when the
    /// reply is; answers "thinking…" first if nothing has answered yet. Returns its id.
    ///
    /// # Errors
    ///
    /// A fault when Discord refuses it.
    pub async fn followup(&mut self, reply: Reply) -> Result<MessageId, HandlerError> {
        let mut shared = self.responder.shared.lock().await;
        if shared.state == State::Fresh {
            self.responder
                .first(&mut shared, deferred(reply.ephemeral))
                .await?;
        }
        drop(shared);
        Ok(self
            .responder
            .discord
            .followup(&self.responder.token, &reply)
            .await?)
    }

    pub(crate) async fn pong(&mut self) -> HandlerResult {
        let mut shared = self.responder.shared.lock().await;
        self.responder
            .first(
                &mut shared,
                InteractionResponse {
                    kind: InteractionResponseType::Pong,
                    data: None,
                },
            )
            .await
    }
}

/// A response that must be the first came after another.
#[derive(Debug, thiserror::Error)]
#[error("{0} must be the first answer, and the interaction was answered already")]
struct NotFirst(&'static str);

/// Whether a fault comes from a store that could not be reached.
fn store_unavailable(err: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if err
            .downcast_ref::<StoreError>()
            .is_some_and(|e| e.kind() == StoreErrorKind::Unavailable)
        {
            return true;
        }
        next = err.source();
    }
    false
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests;
