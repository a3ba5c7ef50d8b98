#![doc = include_str!("../README.md")]
// Docs name Discord's events, intents and permissions as Discord writes them (MESSAGE_CREATE,
// MANAGE_ROLES); they are words of the domain, not code items to link.
#![allow(clippy::doc_markdown)]

pub mod cdn;
pub mod demo;
mod endpoint;
mod events;
mod gateway;
mod payload;
mod rest;
mod routes;
mod sandbox;
pub mod spec;
pub mod state;
mod time;

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

pub use self::endpoint::{EndpointAnswer, EndpointRefused, post_signed};
pub use self::gateway::{COMMAND_WINDOW, COMMANDS_PER_WINDOW, ShardFault, close_code};
pub use self::rest::{API_PREFIX, GLOBAL_RATE_LIMIT_PER_SECOND};
pub use self::routes::limits;
pub use self::sandbox::{
    BOT_DEFAULT_PERMISSIONS, ByHand, CommandValue, Guild, InteractionHandle, Member, Modal,
    ModalInput, Sandbox, SandboxBuilder, SendRefused, WAIT_TIMEOUT,
};
pub use self::spec::Spec;
pub use self::state::{RecordedRequest, ResponseKind};
pub use self::time::{DISCORD_EPOCH_MS, snowflake_ms};

/// Every route the sandbox serves, as `(method, path template)` pairs below `/api/v10`,
/// spelled as in Discord's OpenAPI description.
pub fn routes() -> impl Iterator<Item = (&'static str, &'static str)> {
    routes::ROUTES.iter().map(|r| (r.method, r.path))
}

/// What the servers and the test API share: the state, a change signal and the spec.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<state::State>,
    changed: Notify,
    spec: Option<Arc<Spec>>,
}

impl Shared {
    /// Runs `f` on the locked state without waking anyone: for observers, so a `wait_for`
    /// that reads the state does not wake itself.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&state::State) -> R) -> R {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&state)
    }

    /// Runs `f` on the locked state, then wakes everything waiting for a change.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut state::State) -> R) -> R {
        let result = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut state)
        };
        self.changed.notify_waiters();
        result
    }
}
