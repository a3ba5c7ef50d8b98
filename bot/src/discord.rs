//! Every call the bot makes to Discord, in one place, over twilight-http and its rate limiter.
//!
//! Moderation actions always carry an audit-log reason. User text is sent with empty
//! `allowed_mentions`, so nothing a member typed can ping anyone.

use std::sync::Arc;

use hearth_core::{ChannelId, GuildId, RoleId, UserId, text::truncate};
use twilight_http::{Client, api_error::ApiError, error::ErrorType, request::AuditLogReason};
use twilight_model::{
    application::command::Command,
    channel::message::AllowedMentions,
    guild::Role,
    http::interaction::InteractionResponse,
    id::{
        Id,
        marker::{ApplicationMarker, InteractionMarker},
    },
    util::Timestamp as DiscordTimestamp,
};

use crate::{metrics::Metrics, reply::Reply};

/// Discord's limit on audit-log reasons, in characters.
pub const AUDIT_REASON_MAX: usize = 512;

/// Discord's error code for "Cannot send messages to this user" (closed DMs).
pub const CANNOT_DM: u64 = 50_007;

/// Discord's error code for "Interaction has already been acknowledged".
pub const ALREADY_ACKNOWLEDGED: u64 = 40_060;

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
}

/// How many members' DM channels are remembered. A DM channel between the bot and a user
/// never changes, so opening it again (a REST call, rate-limited on its own) is waste.
pub const DM_CHANNELS_REMEMBERED: usize = 10_000;

/// The bot's handle on Discord's REST API.
#[derive(Clone, Debug)]
pub struct Discord {
    http: Arc<Client>,
    /// Interaction responses and their edits (see [`Discord::with_interaction_client`]).
    interactions: Arc<Client>,
    application: Id<ApplicationMarker>,
    metrics: Arc<Metrics>,
    /// Each member's DM channel, once opened.
    dm_channels: Arc<quick_cache::sync::Cache<UserId, ChannelId>>,
}

/// A hearth id as twilight's.
pub fn tw<M>(id: impl Into<u64>) -> Id<M> {
    Id::new(id.into())
}

/// A twilight id as hearth's.
pub fn guild_id<M>(id: Id<M>) -> GuildId {
    GuildId::new(id.get())
}

/// A twilight id as hearth's.
pub fn user_id<M>(id: Id<M>) -> UserId {
    UserId::new(id.get())
}

/// A twilight id as hearth's.
pub fn role_id<M>(id: Id<M>) -> RoleId {
    RoleId::new(id.get())
}

/// A twilight id as hearth's.
pub fn channel_id<M>(id: Id<M>) -> ChannelId {
    ChannelId::new(id.get())
}

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

    /// Sends interaction responses and their edits through `client`, a client without
    /// twilight's rate limiter. Discord does not count interaction routes against the bot's
    /// limits, but twilight's limiter puts a request whose route has no bucket yet (every new
    /// interaction's callback) in one queue with other such routes, and a DM channel being
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

    /// Sends the first response to an interaction.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (e.g. 10062 after 3 s, 40060 for a second response).
    pub async fn respond(
        &self,
        interaction: Id<InteractionMarker>,
        token: &str,
        response: &InteractionResponse,
    ) -> Result<(), DiscordError> {
        self.interactions
            .interaction(self.application)
            .create_response(interaction, token, response)
            .await
            .map_err(self.fail("answering an interaction"))?;
        Ok(())
    }

    /// Replaces the first response of an interaction (after a deferred one, or to update it).
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn edit_response(&self, token: &str, reply: &Reply) -> Result<(), DiscordError> {
        let none = AllowedMentions::default();
        self.interactions
            .interaction(self.application)
            .update_response(token)
            .allowed_mentions(Some(&none))
            .content(reply.content.as_deref())
            .embeds(Some(&reply.embeds))
            .components(Some(&reply.components))
            .await
            .map_err(self.fail("editing an interaction response"))?;
        Ok(())
    }

    /// Posts a message in a channel.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (unknown channel, missing access).
    pub async fn send(&self, channel: ChannelId, reply: &Reply) -> Result<(), DiscordError> {
        let none = AllowedMentions::default();
        let mut request = self
            .http
            .create_message(tw(channel))
            .allowed_mentions(Some(&none))
            .embeds(&reply.embeds);
        if let Some(content) = &reply.content {
            request = request.content(content);
        }
        if !reply.components.is_empty() {
            request = request.components(&reply.components);
        }
        request.await.map_err(self.fail("posting a message"))?;
        Ok(())
    }

    /// Sends a member a direct message; `Ok(false)` when their DMs are closed, which is common
    /// and not an error.
    ///
    /// The DM channel is opened once per member (once for concurrent DMs too) and remembered;
    /// when sending to a remembered channel fails for any other reason, it is forgotten, so the
    /// next DM opens it afresh.
    ///
    /// # Errors
    ///
    /// When Discord fails otherwise.
    pub async fn dm(&self, user: UserId, reply: &Reply) -> Result<bool, DiscordError> {
        // Single flight: concurrent DMs to one member wait for the first to open the channel.
        let channel = self
            .dm_channels
            .get_or_insert_async(&user, async {
                let opened = self.http.create_private_channel(tw(user));
                Ok::<_, DiscordError>(channel_id(self.read("opening a DM", opened).await?.id))
            })
            .await?;
        match self.send(channel, reply).await {
            Ok(()) => Ok(true),
            Err(err) if err.code() == Some(CANNOT_DM) => Ok(false),
            Err(err) => {
                self.dm_channels.remove(&user);
                Err(err)
            }
        }
    }

    /// Times a member out until `until` (at most 28 days ahead).
    ///
    /// # Errors
    ///
    /// When Discord refuses it (missing permission, hierarchy, an administrator).
    pub async fn timeout(
        &self,
        guild: GuildId,
        user: UserId,
        until: DiscordTimestamp,
        why: &str,
    ) -> Result<(), DiscordError> {
        self.http
            .update_guild_member(tw(guild), tw(user))
            .communication_disabled_until(Some(until))
            .reason(&reason(why))
            .await
            .map_err(self.fail("timing out a member"))?;
        Ok(())
    }

    /// Kicks a member.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn kick(&self, guild: GuildId, user: UserId, why: &str) -> Result<(), DiscordError> {
        self.http
            .remove_guild_member(tw(guild), tw(user))
            .reason(&reason(why))
            .await
            .map_err(self.fail("kicking a member"))?;
        Ok(())
    }

    /// Bans a user, deleting none of their messages.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn ban(&self, guild: GuildId, user: UserId, why: &str) -> Result<(), DiscordError> {
        self.http
            .create_ban(tw(guild), tw(user))
            .reason(&reason(why))
            .await
            .map_err(self.fail("banning a member"))?;
        Ok(())
    }

    /// The guild's roles.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn roles(&self, guild: GuildId) -> Result<Vec<Role>, DiscordError> {
        self.http
            .roles(tw(guild))
            .await
            .map_err(self.fail("reading roles"))?
            .models()
            .await
            .map_err(|e| DiscordError::body("reading roles", e))
    }

    /// A member's role ids.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (10007 for someone not in the guild).
    pub async fn member_roles(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> Result<Vec<RoleId>, DiscordError> {
        let member = self
            .read(
                "reading a member",
                self.http.guild_member(tw(guild), tw(user)),
            )
            .await?;
        Ok(member.roles.into_iter().map(role_id).collect())
    }

    /// The guild's owner.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn guild_owner(&self, guild: GuildId) -> Result<UserId, DiscordError> {
        let guild = self
            .read("reading a guild", self.http.guild(tw(guild)))
            .await?;
        Ok(user_id(guild.owner_id))
    }

    /// The gateway URL, recommended shard count and session-start limits (`GET /gateway/bot`).
    ///
    /// # Errors
    ///
    /// When Discord refuses it (a bad token shows up here).
    pub async fn gateway_info(
        &self,
    ) -> Result<twilight_model::gateway::connection_info::BotConnectionInfo, DiscordError> {
        self.read(
            "reading the gateway information",
            self.http.gateway().authed(),
        )
        .await
    }

    /// Registers the bot's commands, globally or (while developing) in one guild.
    ///
    /// # Errors
    ///
    /// When Discord refuses them.
    pub async fn register_commands(
        &self,
        commands: &[Command],
        guild: Option<GuildId>,
    ) -> Result<(), DiscordError> {
        let client = self.http.interaction(self.application);
        match guild {
            Some(guild) => client.set_guild_commands(tw(guild), commands).await,
            None => client.set_global_commands(commands).await,
        }
        .map_err(self.fail("registering commands"))?;
        Ok(())
    }
}
