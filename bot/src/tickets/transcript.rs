//! Discord messages → the domain's transcript values, and the files made of them.

use hearth_core::{Timestamp, UserId};
use hearth_tickets::{
    Ticket,
    transcript::{
        Attachment, Author, Embed, EmbedField, TRANSCRIPT_BUDGET_BYTES, Transcript,
        TranscriptFiles, TranscriptMessage, render,
    },
};
use twilight_model::channel::Message;

use crate::{discord::ids, reply::File};

/// Messages a transcript reads at most (the rest of a longer ticket is left out).
pub const HISTORY_MAX: usize = 10_000;

fn author(user: &twilight_model::user::User) -> Author {
    Author {
        id: ids::user_id(user.id),
        name: user
            .global_name
            .clone()
            .unwrap_or_else(|| user.name.clone()),
        bot: user.bot,
    }
}

fn at(ts: twilight_model::util::Timestamp) -> Timestamp {
    Timestamp::from_unix_millis(ts.as_micros() / 1_000)
}

/// One Discord message as a transcript line.
pub fn message(m: &Message) -> TranscriptMessage {
    TranscriptMessage {
        id: ids::message_id(m.id),
        author: author(&m.author),
        sent_at: at(m.timestamp),
        edited_at: m.edited_timestamp.map(at),
        content: m.content.clone(),
        attachments: m
            .attachments
            .iter()
            .map(|a| Attachment {
                filename: a.filename.clone(),
                url: a.url.clone(),
                size: a.size,
            })
            .collect(),
        embeds: m
            .embeds
            .iter()
            .map(|e| Embed {
                author: e.author.as_ref().map(|a| a.name.clone()),
                title: e.title.clone(),
                url: e.url.clone(),
                description: e.description.clone(),
                fields: e
                    .fields
                    .iter()
                    .map(|f| EmbedField {
                        name: f.name.clone(),
                        value: f.value.clone(),
                    })
                    .collect(),
                footer: e.footer.as_ref().map(|f| f.text.clone()),
                color: e.color,
            })
            .collect(),
    }
}

/// The transcript of `ticket` from its channel's `history` (oldest first).
pub fn build(
    ticket: &Ticket,
    guild_name: String,
    channel_name: String,
    category_label: String,
    opener_name: String,
    history: &[Message],
    now: Timestamp,
) -> TranscriptFiles {
    let transcript = Transcript {
        guild_name,
        channel_name,
        ticket: ticket.number,
        category: category_label,
        opener: history
            .iter()
            .find(|m| ids::user_id(m.author.id) == ticket.opener)
            .map_or_else(
                || Author {
                    id: ticket.opener,
                    name: opener_name,
                    bot: false,
                },
                |m| author(&m.author),
            ),
        opened_at: ticket.created_at,
        closed_at: ticket.closed_at,
        generated_at: now,
        messages: history.iter().map(message).collect(),
    };
    render(&transcript, TRANSCRIPT_BUDGET_BYTES)
}

/// The two files of a transcript: `ticket-N.html` and `ticket-N.txt`.
pub fn files(number: u64, files: &TranscriptFiles) -> Vec<File> {
    vec![
        File::new(
            format!("ticket-{number}.html"),
            files.html.clone().into_bytes(),
        ),
        File::new(
            format!("ticket-{number}.txt"),
            files.text.clone().into_bytes(),
        ),
    ]
}

/// A display name for a user we only know by id.
pub fn mention_name(user: UserId) -> String {
    format!("member {user}")
}
