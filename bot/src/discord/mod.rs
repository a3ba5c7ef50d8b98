//! Every call the bot makes to Discord, in one place, over twilight-http and its rate limiter.
//!
//! One [`Discord`] handle; its methods live in one file per resource: `interactions.rs`
//! (responses, follow-ups, modals, autocomplete, commands), `messages.rs` (channel messages
//! and DMs, with files), `members.rs` (timeouts, kicks, member roles), `roles.rs`,
//! `channels.rs` (DM channels) and `guilds.rs` (the guild, bans, the gateway). Ids cross the
//! boundary through [`ids`], one conversion per kind.
//!
//! Moderation actions always carry an audit-log reason. User text is sent with empty
//! `allowed_mentions`, so nothing a member typed can ping anyone.

mod channels;
mod guilds;
pub mod ids;
mod interactions;
mod members;
mod messages;
mod overwrites;
mod roles;
mod tickets;
pub use tickets::Grant;

use std::sync::Arc;

use hearth_core::{ChannelId, UserId, text::truncate};
use twilight_http::{Client, api_error::ApiError, error::ErrorType};
use twilight_model::{
    http::attachment::Attachment,
    id::{Id, marker::ApplicationMarker},
};

use crate::{
    metrics::Metrics,
    reply::{FILES_MAX, Reply, attachments},
};

pub use self::ids::{channel_id, guild_id, role_id, user_id};
pub use self::messages::Emoji;

/// Discord's limit on audit-log reasons, in characters.
pub const AUDIT_REASON_MAX: usize = 512;

/// Discord's error code for "Cannot send messages to this user" (closed DMs).
pub const CANNOT_DM: u64 = 50_007;

/// Discord's error code for "Interaction has already been acknowledged".
pub const ALREADY_ACKNOWLEDGED: u64 = 40_060;

/// Discord's error code for "Request entity too large": a file above the upload limit.
pub const ENTITY_TOO_LARGE: u64 = 40_005;

/// A failed call to Discord.
#[derive(Debug, thiserror::Error)]
#[error("Discord refused or failed {action}")]
pub struct DiscordError {
    action: &'static str,
    code: Option<u64>,
    status: Option<u16>,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl DiscordError {
    fn http(action: &'static str, source: twilight_http::Error) -> Self {
        let (code, status) = match source.kind() {
            ErrorType::Response { error, status, .. } => {
                let code = match error {
                    ApiError::General(e) => Some(e.code),
                    _ => None,
                };
                (code, Some(status.get()))
            }
            _ => (None, None),
        };
        Self {
            action,
            code,
            status,
            source: Box::new(source),
        }
    }

    fn body(action: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            action,
            code: None,
            status: None,
            source: Box::new(source),
        }
    }

    /// Discord's JSON error code, when Discord answered with one.
    pub fn code(&self) -> Option<u64> {
        self.code
    }

    /// The HTTP status, when Discord answered at all.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Whether Discord refused a file as larger than the upload limit (413, 40005). Discord
    /// refuses the whole message then; nothing was posted.
    pub fn is_file_too_large(&self) -> bool {
        self.code == Some(ENTITY_TOO_LARGE)
    }
}

/// Why the bot refused to send something before asking Discord: it breaks a limit Discord
/// would refuse anyway.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotSent {
    /// More files than a message may carry.
    #[error("a message carries at most {max} files, this one has {count}")]
    TooManyFiles {
        /// Files in the reply.
        count: usize,
        /// [`crate::reply::FILES_MAX`].
        max: usize,
    },
}

/// How many members' DM channels are remembered. A DM channel between the bot and a user
/// never changes, so opening it again (a REST call, rate-limited on its own) is waste.
pub const DM_CHANNELS_REMEMBERED: usize = 10_000;

/// The bot's handle on Discord's REST API.
#[derive(Clone, Debug)]
pub struct Discord {
    http: Arc<Client>,
    /// Interaction responses, their edits and follow-ups (see
    /// [`Discord::with_interaction_client`]).
    interactions: Arc<Client>,
    application: Id<ApplicationMarker>,
    metrics: Arc<Metrics>,
    /// Each member's DM channel, once opened.
    dm_channels: Arc<quick_cache::sync::Cache<UserId, ChannelId>>,
}

/// An audit-log reason cut to what Discord accepts.
fn reason(text: &str) -> String {
    truncate(text, AUDIT_REASON_MAX).into_owned()
}

impl Discord {
    /// A handle over `http` for the application `application`.
    pub fn new(
        http: Arc<Client>,
        application: Id<ApplicationMarker>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            interactions: Arc::clone(&http),
            http,
            application,
            metrics,
            dm_channels: Arc::new(quick_cache::sync::Cache::new(DM_CHANNELS_REMEMBERED)),
        }
    }

    /// Sends interaction responses, their edits and follow-ups through `client`, a client
    /// without twilight's rate limiter. Discord does not count interaction routes against the
    /// bot's limits, but twilight's limiter puts a request whose route has no bucket yet (every
    /// new interaction's callback) in one queue with other such routes, and a DM channel being
    /// opened there waits for the global limit: under a burst of DMs, first responses queued
    /// behind it missed Discord's 3 seconds.
    #[must_use]
    pub fn with_interaction_client(mut self, client: Arc<Client>) -> Self {
        self.interactions = client;
        self
    }

    /// The application id.
    pub fn application(&self) -> Id<ApplicationMarker> {
        self.application
    }

    fn fail(&self, action: &'static str) -> impl FnOnce(twilight_http::Error) -> DiscordError + '_ {
        move |source| {
            let err = DiscordError::http(action, source);
            if let Some(status) = err.status() {
                self.metrics.api_error(status == 429);
            }
            err
        }
    }

    /// Sends `request` and reads the body Discord answers with, naming `action` in any error.
    async fn read<T: serde::de::DeserializeOwned + Unpin>(
        &self,
        action: &'static str,
        request: impl std::future::IntoFuture<
            Output = Result<twilight_http::Response<T>, twilight_http::Error>,
        >,
    ) -> Result<T, DiscordError> {
        request
            .await
            .map_err(self.fail(action))?
            .model()
            .await
            .map_err(|e| DiscordError::body(action, e))
    }

    /// The reply's files as twilight uploads them, refused before any request when there are
    /// more than Discord takes.
    fn files(action: &'static str, reply: &Reply) -> Result<Vec<Attachment>, DiscordError> {
        if reply.attachments.len() > FILES_MAX {
            return Err(DiscordError::body(
                action,
                NotSent::TooManyFiles {
                    count: reply.attachments.len(),
                    max: FILES_MAX,
                },
            ));
        }
        Ok(attachments(&reply.attachments))
    }
}
