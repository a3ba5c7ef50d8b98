//! Discord messages → the domain's transcript values, and the files made of them.

use hearth_core::{GuildId, Timestamp, UserId};
use hearth_tickets::{
    Ticket,
    transcript::{
        Attachment, Author, Embed, EmbedField, Names, TRANSCRIPT_BUDGET_BYTES, Transcript,
        TranscriptFiles, TranscriptMessage, render,
    },
};
use twilight_model::channel::Message;

use crate::{context::Context, discord::ids, reply::File};

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

/// The names a transcript's mentions show: every author and mentioned member of `history` as
/// Discord sent them (the latest name wins), and the guild's roles and channels from the
/// gateway cache. What is in none of these reads `@unknown-user` and the like.
pub fn names(ctx: &Context, guild: GuildId, history: &[Message]) -> Names {
    let mut names = Names::default();
    for m in history {
        let author = author(&m.author);
        names.users.insert(author.id, author.name);
        for mention in &m.mentions {
            let name = mention
                .member
                .as_ref()
                .and_then(|member| member.nick.clone())
                .unwrap_or_else(|| mention.name.clone());
            names.users.insert(ids::user_id(mention.id), name);
        }
    }
    let guild = ids::guild(guild);
    if let Some(roles) = ctx.guilds.guild_roles(guild) {
        for id in roles.iter() {
            if let Some(role) = ctx.guilds.role(*id) {
                names.roles.insert(ids::role_id(*id), role.name.clone());
            }
        }
    }
    if let Some(channels) = ctx.guilds.guild_channels(guild) {
        for id in channels.iter() {
            if let Some(name) = ctx.guilds.channel(*id).and_then(|c| c.name.clone()) {
                names.channels.insert(ids::channel_id(*id), name);
            }
        }
    }
    names
}

/// The transcript of `ticket` from its channel's `history` (oldest first), its mentions
/// shown by `names`.
#[allow(clippy::too_many_arguments)] // each is one fact of the page; a struct would only rename them
pub fn build(
    ticket: &Ticket,
    guild_name: String,
    channel_name: String,
    category_label: String,
    opener_name: String,
    history: &[Message],
    names: Names,
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
        names,
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
