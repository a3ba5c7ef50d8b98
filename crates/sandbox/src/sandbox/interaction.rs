//! An interaction a member caused, and how the bot answered it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::modal::Modal;
use super::{WAIT_TIMEOUT, wait};
use crate::state::{Interaction, Message, ResponseKind};
use crate::{Shared, events};

/// An interaction a member caused, to observe how the bot answered it.
#[derive(Clone)]
pub struct InteractionHandle {
    pub(super) shared: Arc<Shared>,
    pub(super) id: u64,
}

impl fmt::Debug for InteractionHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InteractionHandle")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl InteractionHandle {
    /// The interaction's id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The interaction as it is now.
    pub fn info(&self) -> Interaction {
        self.shared.read(|s| s.interactions[&self.id].clone())
    }

    /// Backdates the interaction, as if it had been created `age` ago (to test the 3 s and
    /// 15 min rules without waiting).
    pub fn age_by(&self, age: Duration) {
        let ms = u64::try_from(age.as_millis()).unwrap_or(u64::MAX);
        self.shared.with(|s| {
            if let Some(i) = s.interactions.get_mut(&self.id) {
                i.created_ms = i.created_ms.saturating_sub(ms);
            }
        });
    }

    /// Sends this interaction's INTERACTION_CREATE over the gateway once more, as Discord
    /// does when a resumed session replays an event the bot had already received.
    ///
    /// # Panics
    ///
    /// When the dispatch is no longer in the sandbox's log (the last 10,000 events).
    pub fn redeliver(&self) {
        self.shared.with(|s| {
            let wanted = self.id.to_string();
            let payload = s
                .dispatch_log
                .iter()
                .rev()
                .find(|(name, d)| name == "INTERACTION_CREATE" && d["id"] == wanted.as_str())
                .map(|(_, d)| d.clone())
                .expect("the interaction was dispatched over the gateway");
            let guild = s.interactions[&self.id].guild_id;
            events::interaction_create(s, guild, &payload);
        });
    }

    /// The original response message, once there is one.
    pub fn original_message(&self) -> Option<Message> {
        self.shared.read(|s| {
            s.interactions[&self.id]
                .original_message
                .and_then(|m| s.messages.get(&m).cloned())
        })
    }

    /// The choices the bot answered an autocomplete interaction with.
    pub fn autocomplete_choices(&self) -> Vec<Value> {
        self.info()
            .response_body
            .and_then(|b| b["data"]["choices"].as_array().cloned())
            .unwrap_or_default()
    }

    /// The modal the bot answered with, once it did (callback type 9).
    pub fn modal(&self) -> Option<Modal> {
        let info = self.info();
        if info.response != Some(ResponseKind::Modal) {
            return None;
        }
        Modal::from_data(&info.response_body?["data"])
    }

    /// Waits until the bot answered with a modal and returns it.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`], or when the bot answered with something else.
    pub async fn wait_for_modal(&self) -> Modal {
        let kind = self.wait_for_response().await;
        assert_eq!(
            kind,
            ResponseKind::Modal,
            "interaction {} was answered with {kind:?}, not a modal",
            self.id
        );
        self.modal().expect("a modal response has a modal")
    }

    /// Waits until the bot answered with autocomplete choices and returns them.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`], or when the bot answered with something else.
    pub async fn wait_for_choices(&self) -> Vec<Value> {
        let kind = self.wait_for_response().await;
        assert_eq!(
            kind,
            ResponseKind::Autocomplete,
            "interaction {} was answered with {kind:?}, not autocomplete choices",
            self.id
        );
        self.autocomplete_choices()
    }

    /// Follow-up messages, in order.
    pub fn followups(&self) -> Vec<Message> {
        self.shared.read(|s| {
            s.interactions[&self.id]
                .followups
                .iter()
                .filter_map(|m| s.messages.get(m).cloned())
                .collect()
        })
    }

    /// Waits for the initial response.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`].
    pub async fn wait_for_response(&self) -> ResponseKind {
        wait(&self.shared, WAIT_TIMEOUT, || self.info().response)
            .await
            .unwrap_or_else(|| panic!("the bot did not answer interaction {}", self.id))
    }

    /// Waits until the original response message exists and matches `pred`.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`].
    pub async fn wait_for_original(&self, pred: impl Fn(&Message) -> bool) -> Message {
        wait(&self.shared, WAIT_TIMEOUT, || {
            self.original_message().filter(|m| pred(m))
        })
        .await
        .unwrap_or_else(|| panic!("no matching original response for interaction {}", self.id))
    }

    /// Waits until there are at least `count` follow-ups and returns them.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`].
    pub async fn wait_for_followups(&self, count: usize) -> Vec<Message> {
        wait(&self.shared, WAIT_TIMEOUT, || {
            Some(self.followups()).filter(|f| f.len() >= count)
        })
        .await
        .unwrap_or_else(|| panic!("fewer than {count} follow-ups for interaction {}", self.id))
    }
}
