//! What the bot says back: one message shape for first responses, edits and component updates.

use twilight_model::{
    channel::message::{AllowedMentions, Component, Embed, MessageFlags},
    http::interaction::{InteractionResponse, InteractionResponseData, InteractionResponseType},
};

/// The accent colour of Hearth's embeds (Discord blurple).
pub const COLOUR_INFO: u32 = 0x0058_65F2;
/// The colour of warnings and refusals.
pub const COLOUR_WARN: u32 = 0x00F1_C40F;
/// The colour of punishments carried out.
pub const COLOUR_DANGER: u32 = 0x00ED_4245;
/// The colour of things undone or cleared.
pub const COLOUR_OK: u32 = 0x0057_F287;

/// A message the bot sends in answer to an interaction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply {
    /// Plain text.
    pub content: Option<String>,
    /// Embeds.
    pub embeds: Vec<Embed>,
    /// Buttons and menus.
    pub components: Vec<Component>,
    /// Only the person who ran the command sees it.
    pub ephemeral: bool,
}

impl Reply {
    /// A plain text reply everyone in the channel sees.
    pub fn text(content: impl Into<String>) -> Self {
        Self {
            content: Some(content.into()),
            ..Self::default()
        }
    }

    /// A plain text reply only the invoker sees.
    pub fn ephemeral(content: impl Into<String>) -> Self {
        Self {
            content: Some(content.into()),
            ephemeral: true,
            ..Self::default()
        }
    }

    /// A reply made of one embed.
    pub fn embed(embed: Embed) -> Self {
        Self {
            embeds: vec![embed],
            ..Self::default()
        }
    }

    /// The same reply, seen only by the invoker.
    #[must_use]
    pub fn private(mut self) -> Self {
        self.ephemeral = true;
        self
    }

    /// The same reply with these components.
    #[must_use]
    pub fn with_components(mut self, components: Vec<Component>) -> Self {
        self.components = components;
        self
    }

    /// The interaction-response data: user text never pings anyone.
    pub fn into_data(self) -> InteractionResponseData {
        InteractionResponseData {
            allowed_mentions: Some(AllowedMentions::default()),
            content: self.content,
            embeds: Some(self.embeds),
            components: Some(self.components),
            flags: self.ephemeral.then_some(MessageFlags::EPHEMERAL),
            ..InteractionResponseData::default()
        }
    }

    /// A first response that posts this message.
    pub fn into_response(self) -> InteractionResponse {
        InteractionResponse {
            kind: InteractionResponseType::ChannelMessageWithSource,
            data: Some(self.into_data()),
        }
    }

    /// A first response to a button or menu that replaces the message it sits on.
    pub fn into_update(self) -> InteractionResponse {
        InteractionResponse {
            kind: InteractionResponseType::UpdateMessage,
            data: Some(self.into_data()),
        }
    }
}

/// A first response that says "thinking…" and is edited later.
pub fn deferred(ephemeral: bool) -> InteractionResponse {
    InteractionResponse {
        kind: InteractionResponseType::DeferredChannelMessageWithSource,
        data: Some(InteractionResponseData {
            flags: ephemeral.then_some(MessageFlags::EPHEMERAL),
            ..InteractionResponseData::default()
        }),
    }
}
