//! Interactions: the first response (a message, files included, a deferral, a modal or
//! autocomplete choices), edits of it, follow-up messages, and command registration.
//!
//! See Discord Docs/Interactions/Receiving and Responding.

use hearth_core::{GuildId, MessageId};
use twilight_model::{
    application::command::{Command, CommandOptionChoice},
    channel::message::{AllowedMentions, MessageFlags},
    http::interaction::InteractionResponse,
    id::{Id, marker::InteractionMarker},
};

use super::{Discord, DiscordError, ids};
use crate::reply::{self, Modal, Reply};

impl Discord {
    /// Sends the first response to an interaction; a response built from a [`Reply`] with
    /// files goes as multipart.
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

    /// Answers an interaction with a message, its files included.
    ///
    /// # Errors
    ///
    /// More than [`reply::FILES_MAX`] files (before any request), or Discord refusing it
    /// (a file above the upload limit: [`DiscordError::is_file_too_large`]).
    pub async fn respond_with(
        &self,
        interaction: Id<InteractionMarker>,
        token: &str,
        reply: &Reply,
    ) -> Result<(), DiscordError> {
        Self::files("answering an interaction", reply)?;
        self.respond(interaction, token, &reply.clone().into_response())
            .await
    }

    /// Answers an interaction with a form to fill in; the member's answers arrive as a
    /// `MODAL_SUBMIT` interaction carrying the modal's `custom_id`.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (a title over [`reply::MODAL_TITLE_MAX`], no field or more than
    /// [`reply::MODAL_INPUTS_MAX`]: 400 with 50035; a modal in answer to a modal submit).
    pub async fn modal(
        &self,
        interaction: Id<InteractionMarker>,
        token: &str,
        modal: &Modal,
    ) -> Result<(), DiscordError> {
        self.interactions
            .interaction(self.application)
            .create_response(interaction, token, &modal.clone().into_response())
            .await
            .map_err(self.fail("showing a modal"))?;
        Ok(())
    }

    /// Answers an autocomplete interaction with choices, best first; beyond
    /// [`reply::AUTOCOMPLETE_CHOICES_MAX`] they are dropped.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (e.g. after 3 s).
    pub async fn autocomplete(
        &self,
        interaction: Id<InteractionMarker>,
        token: &str,
        choices: Vec<CommandOptionChoice>,
    ) -> Result<(), DiscordError> {
        self.interactions
            .interaction(self.application)
            .create_response(interaction, token, &reply::autocomplete(choices))
            .await
            .map_err(self.fail("offering autocomplete choices"))?;
        Ok(())
    }

    /// Replaces the first response of an interaction (after a deferred one, or to update it).
    /// Files in `reply` replace the message's files; a reply without files keeps them.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn edit_response(&self, token: &str, reply: &Reply) -> Result<(), DiscordError> {
        const ACTION: &str = "editing an interaction response";
        let files = Self::files(ACTION, reply)?;
        let none = AllowedMentions::default();
        let client = self.interactions.interaction(self.application);
        let mut request = client
            .update_response(token)
            .allowed_mentions(Some(&none))
            .content(reply.content.as_deref())
            .embeds(Some(&reply.embeds))
            .components(Some(&reply.components));
        if !files.is_empty() {
            request = request.attachments(&files);
        }
        request.await.map_err(self.fail(ACTION))?;
        Ok(())
    }

    /// Sends a follow-up message to an interaction already answered (within its 15 minutes),
    /// files included; ephemeral when the reply is.
    ///
    /// # Errors
    ///
    /// More than [`reply::FILES_MAX`] files (before any request), or Discord refusing it
    /// (10015 before the first response, 50027 once the token expired).
    pub async fn followup(&self, token: &str, reply: &Reply) -> Result<MessageId, DiscordError> {
        const ACTION: &str = "sending a follow-up";
        let files = Self::files(ACTION, reply)?;
        let none = AllowedMentions::default();
        let client = self.interactions.interaction(self.application);
        let mut request = client
            .create_followup(token)
            .allowed_mentions(Some(&none))
            .embeds(&reply.embeds)
            .components(&reply.components);
        if let Some(content) = &reply.content {
            request = request.content(content);
        }
        if reply.ephemeral {
            request = request.flags(MessageFlags::EPHEMERAL);
        }
        if !files.is_empty() {
            request = request.attachments(&files);
        }
        let message = self.read(ACTION, request).await?;
        Ok(ids::message_id(message.id))
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
            Some(guild) => client.set_guild_commands(ids::guild(guild), commands).await,
            None => client.set_global_commands(commands).await,
        }
        .map_err(self.fail("registering commands"))?;
        Ok(())
    }
}
