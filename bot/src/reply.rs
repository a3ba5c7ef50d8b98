//! What the bot says back: one message shape for first responses, edits, follow-ups and
//! component updates, with files attached; and the two answers that are not messages, modals
//! and autocomplete choices.

use twilight_model::{
    application::command::CommandOptionChoice,
    channel::message::{
        AllowedMentions, Component, Embed, MessageFlags,
        component::{ActionRow, Button, ButtonStyle, Label, TextInput, TextInputStyle},
    },
    http::{
        attachment::Attachment,
        interaction::{InteractionResponse, InteractionResponseData, InteractionResponseType},
    },
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
    /// Files sent with it (rank cards, transcripts), at most [`FILES_MAX`].
    pub attachments: Vec<File>,
}

/// Files per message. See Discord Docs/Message Resource ("Create Message": up to 10 files).
pub const FILES_MAX: usize = 10;

/// A file attached to a [`Reply`]: its name as members see it, and its bytes.
///
/// An embed shows an attached image with `attachment://<filename>` as its image URL.
#[derive(Clone, PartialEq, Eq)]
pub struct File {
    /// The file name, extension included (Discord derives the media type from it).
    pub filename: String,
    /// The contents.
    pub bytes: Vec<u8>,
    /// Alt text, for screen readers.
    pub description: Option<String>,
}

impl std::fmt::Debug for File {
    // A rank card is kilobytes of PNG; its size says enough in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("File")
            .field("filename", &self.filename)
            .field("bytes", &self.bytes.len())
            .field("description", &self.description)
            .finish()
    }
}

impl File {
    /// A file with no alt text.
    pub fn new(filename: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            filename: filename.into(),
            bytes: bytes.into(),
            description: None,
        }
    }
}

/// The files as twilight uploads them: `files[n]` parts, each named in `attachments` by `n`.
pub fn attachments(files: &[File]) -> Vec<Attachment> {
    files
        .iter()
        .zip(0..)
        .map(|(file, id)| {
            let mut attachment =
                Attachment::from_bytes(file.filename.clone(), file.bytes.clone(), id);
            attachment.description.clone_from(&file.description);
            attachment
        })
        .collect()
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

    /// The same reply with a file attached.
    #[must_use]
    pub fn with_file(mut self, filename: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        self.attachments.push(File::new(filename, bytes));
        self
    }

    /// The interaction-response data: user text never pings anyone; files go as multipart.
    pub fn into_data(self) -> InteractionResponseData {
        InteractionResponseData {
            allowed_mentions: Some(AllowedMentions::default()),
            attachments: (!self.attachments.is_empty()).then(|| attachments(&self.attachments)),
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

/// A button that sends `custom_id` back when clicked.
pub fn button(custom_id: String, label: &str, style: ButtonStyle, disabled: bool) -> Component {
    Component::Button(Button {
        custom_id: Some(custom_id),
        disabled,
        emoji: None,
        id: None,
        label: Some(label.to_owned()),
        sku_id: None,
        style,
        url: None,
    })
}

/// One row of buttons (Discord allows five a row).
pub fn row(buttons: Vec<Component>) -> Component {
    Component::ActionRow(ActionRow {
        id: None,
        components: buttons,
    })
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

/// Characters in a modal's title. See Discord Docs/Interactions/Receiving and Responding ("Modal").
pub const MODAL_TITLE_MAX: usize = 45;

/// Text inputs in a modal ("between 1 and 5 components").
pub const MODAL_INPUTS_MAX: usize = 5;

/// Choices in an autocomplete answer. See Discord Docs/Interactions/Receiving and Responding
/// ("Autocomplete").
pub const AUTOCOMPLETE_CHOICES_MAX: usize = 25;

/// A form the member fills in (callback type 9); what they type comes back as a `MODAL_SUBMIT`
/// interaction carrying `custom_id`.
///
/// Discord refuses a title over [`MODAL_TITLE_MAX`] characters, more than
/// [`MODAL_INPUTS_MAX`] inputs or none (400 with code 50035).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modal {
    /// Identifies the form in the submit (a `custom_id`, at most 100 characters).
    pub custom_id: String,
    /// Shown at the top.
    pub title: String,
    /// The fields, in order.
    pub inputs: Vec<ModalInput>,
}

/// One text field of a [`Modal`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModalInput {
    /// Identifies the value in the submit.
    pub custom_id: String,
    /// Shown above the field (at most 45 characters).
    pub label: String,
    /// One line, or a paragraph.
    pub paragraph: bool,
    /// Whether the member must fill it in.
    pub required: bool,
    /// Shown while the field is empty.
    pub placeholder: Option<String>,
    /// Pre-filled text.
    pub value: Option<String>,
    /// The longest answer accepted, in characters (Discord allows up to 4000).
    pub max_length: Option<u16>,
}

impl ModalInput {
    /// A required one-line field.
    pub fn short(custom_id: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            custom_id: custom_id.into(),
            label: label.into(),
            paragraph: false,
            required: true,
            placeholder: None,
            value: None,
            max_length: None,
        }
    }

    /// A required multi-line field.
    pub fn paragraph(custom_id: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            paragraph: true,
            ..Self::short(custom_id, label)
        }
    }
}

impl Modal {
    /// A modal with no fields yet.
    pub fn new(custom_id: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            custom_id: custom_id.into(),
            title: title.into(),
            inputs: Vec::new(),
        }
    }

    /// The same modal with one more field.
    #[must_use]
    pub fn input(mut self, input: ModalInput) -> Self {
        self.inputs.push(input);
        self
    }

    /// The first response that shows it: each field a text input inside a label component,
    /// the layout Discord documents now (a label on the text input itself is deprecated).
    pub fn into_response(self) -> InteractionResponse {
        let components = self
            .inputs
            .into_iter()
            .map(|input| {
                #[allow(deprecated)] // `label` on the input itself; we leave it unset
                let field = TextInput {
                    custom_id: input.custom_id,
                    id: None,
                    label: None,
                    max_length: input.max_length,
                    min_length: None,
                    placeholder: input.placeholder,
                    required: Some(input.required),
                    style: if input.paragraph {
                        TextInputStyle::Paragraph
                    } else {
                        TextInputStyle::Short
                    },
                    value: input.value,
                };
                Component::Label(Label {
                    component: Box::new(Component::TextInput(field)),
                    description: None,
                    id: None,
                    label: input.label,
                })
            })
            .collect();
        InteractionResponse {
            kind: InteractionResponseType::Modal,
            data: Some(InteractionResponseData {
                custom_id: Some(self.custom_id),
                title: Some(self.title),
                components: Some(components),
                ..InteractionResponseData::default()
            }),
        }
    }
}

/// The answer to an autocomplete interaction: the first [`AUTOCOMPLETE_CHOICES_MAX`] of
/// `choices` (best matches first, as the member sees them), the rest dropped, since Discord
/// refuses the whole answer otherwise.
pub fn autocomplete(mut choices: Vec<CommandOptionChoice>) -> InteractionResponse {
    choices.truncate(AUTOCOMPLETE_CHOICES_MAX);
    InteractionResponse {
        kind: InteractionResponseType::ApplicationCommandAutocompleteResult,
        data: Some(InteractionResponseData {
            choices: Some(choices),
            ..InteractionResponseData::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twilight_model::application::command::{CommandOptionChoice, CommandOptionChoiceValue};

    #[test]
    fn files_are_numbered_in_order_and_keep_their_names() {
        let reply = Reply::text("card")
            .with_file("rank.png", vec![1, 2])
            .with_file("log.txt", b"hi".to_vec());
        let data = reply.into_data();
        let sent = data.attachments.expect("files attached");
        assert_eq!(
            sent.iter()
                .map(|a| (a.id, a.filename.as_str()))
                .collect::<Vec<_>>(),
            [(0, "rank.png"), (1, "log.txt")]
        );
        assert_eq!(sent[1].file, b"hi");
        assert!(Reply::text("no files").into_data().attachments.is_none());
    }

    #[test]
    fn autocomplete_answers_keep_the_first_25_choices() {
        let choices = (0..30)
            .map(|i| CommandOptionChoice {
                name: format!("c{i}"),
                name_localizations: None,
                value: CommandOptionChoiceValue::Integer(i),
            })
            .collect();
        let response = autocomplete(choices);
        let kept = response.data.unwrap().choices.unwrap();
        assert_eq!(kept.len(), AUTOCOMPLETE_CHOICES_MAX);
        assert_eq!(kept[24].name, "c24");
    }

    #[test]
    fn a_modal_puts_each_field_in_a_label() {
        let response = Modal::new("appeal", "Appeal")
            .input(ModalInput::paragraph("why", "Why?"))
            .into_response();
        assert_eq!(response.kind, InteractionResponseType::Modal);
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(json["data"]["components"][0]["type"], 18);
        assert_eq!(json["data"]["components"][0]["label"], "Why?");
        assert_eq!(json["data"]["components"][0]["component"]["style"], 2);
        assert_eq!(
            json["data"]["components"][0]["component"]["custom_id"],
            "why"
        );
    }
}
