//! Transcripts as values, rendered to a self-contained HTML file and plain text.
//!
//! A [`Transcript`] is what the bot read from the ticket's channel: messages with their
//! authors, times, attachments and embeds. [`render`] turns it into two files that fit one
//! Discord upload together:
//!
//! - **HTML**: one file with inline CSS and nothing else — no script, no image, font or style
//!   sheet from anywhere, and a `Content-Security-Policy` of `default-src 'none'` so a browser
//!   loads nothing even if something slipped in. Every text from Discord is escaped, and links
//!   are kept only for `http(s)` URLs, so a message cannot inject markup or a `javascript:`
//!   link. Attachments are listed (name, size, link), not embedded.
//! - **Plain text**: the same messages, one block each, for reading anywhere and searching.
//!
//! In both, Discord's markup is read for people: mentions show names (`@Alice`, `@Support`,
//! `#general`; in HTML as pills) from [`Transcript::names`], or `@unknown-user` and the like
//! when a name is not known — never a raw id — and custom emoji show as `:name:`.
//!
//! # Size
//!
//! Discord refuses uploads over 25 MiB for bots in a guild without boosts
//! ([`ATTACHMENT_LIMIT_BYTES`]; see Discord Docs/Reference, "Uploading Files"). When both
//! files together would exceed the limit given to [`render`], the **middle** of the
//! conversation is left out of both: the first and last messages (the question and the
//! outcome, which matter most) are kept, taking from each end in turn while they fit, and a
//! note in place of the gap says how many messages were left out and between which times. The
//! result never exceeds the limit (tested), and [`TranscriptFiles::omitted`] says how many
//! were cut. The bot renders with [`TRANSCRIPT_BUDGET_BYTES`], which leaves room for the rest of
//! the upload. Ten thousand ordinary messages come to a few MiB (`cargo bench -p
//! hearth-tickets`), far below the limit; only a flood of maximum-length messages is cut.

mod html;
mod mentions;
mod text;

use hearth_core::{MessageId, Timestamp, UserId};

use crate::TicketNumber;

pub use self::mentions::{Names, UNKNOWN_CHANNEL, UNKNOWN_ROLE, UNKNOWN_USER};

/// Discord's upload limit for a bot in a guild without boosts: 25 MiB.
pub const ATTACHMENT_LIMIT_BYTES: usize = 25 * 1024 * 1024;

/// What a transcript's two files may take together: [`ATTACHMENT_LIMIT_BYTES`] less 64 KiB for
/// the rest of the upload (the multipart framing and the message that carries the files), so
/// the request as a whole stays under Discord's limit. Pass this to [`render`].
pub const TRANSCRIPT_BUDGET_BYTES: usize = ATTACHMENT_LIMIT_BYTES - 64 * 1024;

/// The smallest limit [`render`] honours: room for the headers, the gap note and a few
/// messages; smaller limits are raised to it.
pub const LIMIT_MIN_BYTES: usize = 64 * 1024;

/// Who wrote a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    /// Their id.
    pub id: UserId,
    /// Their display name at the time.
    pub name: String,
    /// Whether a bot (or webhook) wrote it.
    pub bot: bool,
}

/// A file attached to a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// Its file name.
    pub filename: String,
    /// Where Discord serves it.
    pub url: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A field of an embed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbedField {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A rich embed, as much of it as a transcript shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Embed {
    /// The author line.
    pub author: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// Where the title links.
    pub url: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The fields.
    pub fields: Vec<EmbedField>,
    /// The footer.
    pub footer: Option<String>,
    /// The colour bar, `0xRRGGBB`.
    pub color: Option<u32>,
}

/// One message of the ticket's channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptMessage {
    /// Its id.
    pub id: MessageId,
    /// Who wrote it.
    pub author: Author,
    /// When.
    pub sent_at: Timestamp,
    /// When last edited.
    pub edited_at: Option<Timestamp>,
    /// Its text, as Discord has it (markdown and mentions untouched: rendering names the
    /// mentions from [`Transcript::names`]).
    pub content: String,
    /// Its files.
    pub attachments: Vec<Attachment>,
    /// Its embeds.
    pub embeds: Vec<Embed>,
}

/// A ticket's conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    /// The guild's name.
    pub guild_name: String,
    /// The channel's name.
    pub channel_name: String,
    /// The ticket.
    pub ticket: TicketNumber,
    /// Its category's label.
    pub category: String,
    /// Who opened it.
    pub opener: Author,
    /// When it was opened.
    pub opened_at: Timestamp,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
    /// When this transcript was made.
    pub generated_at: Timestamp,
    /// The messages, oldest first.
    pub messages: Vec<TranscriptMessage>,
    /// Who and what the messages' mentions name.
    pub names: Names,
}

/// The two files of a transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptFiles {
    /// The self-contained HTML page.
    pub html: String,
    /// The plain text.
    pub text: String,
    /// How many messages the transcript had.
    pub messages: usize,
    /// How many were left out (from the middle) to fit the limit.
    pub omitted: usize,
}

impl TranscriptFiles {
    /// The size of both files together, as uploaded.
    pub fn total_bytes(&self) -> usize {
        self.html.len() + self.text.len()
    }
}

/// Which messages are left out: `omitted` of them from index `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Gap {
    from: usize,
    omitted: usize,
}

/// Renders `transcript` into HTML and text whose sizes add up to at most `limit` bytes (at
/// least [`LIMIT_MIN_BYTES`]), cutting the middle when needed; see the module docs.
pub fn render(transcript: &Transcript, limit: usize) -> TranscriptFiles {
    let limit = limit.max(LIMIT_MIN_BYTES);
    let names = &transcript.names;
    let html_parts: Vec<String> = transcript
        .messages
        .iter()
        .map(|m| html::message(m, names))
        .collect();
    let text_parts: Vec<String> = transcript
        .messages
        .iter()
        .map(|m| text::message(m, names))
        .collect();
    let sizes: Vec<usize> = html_parts
        .iter()
        .zip(&text_parts)
        .map(|(h, t)| h.len() + t.len())
        .collect();
    // The frame with the widest possible gap note: the real one is never longer.
    let worst = Gap {
        from: 0,
        omitted: usize::MAX,
    };
    let frame = frame_len(transcript, Some(worst));
    let whole: usize = sizes.iter().sum::<usize>() + frame_len(transcript, None);
    let gap = (whole > limit).then(|| choose_gap(&sizes, limit.saturating_sub(frame)));
    let html = assemble(
        &html::header(transcript),
        &html_parts,
        gap,
        || html::note(transcript, gap),
        html::FOOTER,
    );
    let text = assemble(
        &text::header(transcript),
        &text_parts,
        gap,
        || text::note(transcript, gap),
        text::FOOTER,
    );
    TranscriptFiles {
        html,
        text,
        messages: transcript.messages.len(),
        omitted: gap.map_or(0, |g| g.omitted),
    }
}

/// Header, the messages outside the gap with the note in its place, footer.
fn assemble(
    header: &str,
    parts: &[String],
    gap: Option<Gap>,
    note: impl FnOnce() -> String,
    footer: &str,
) -> String {
    let (from, to) = gap.map_or((parts.len(), parts.len()), |g| (g.from, g.from + g.omitted));
    let note = if gap.is_some() { note() } else { String::new() };
    let len = header.len()
        + parts[..from]
            .iter()
            .chain(&parts[to..])
            .map(String::len)
            .sum::<usize>()
        + note.len()
        + footer.len();
    let mut out = String::with_capacity(len);
    out.push_str(header);
    parts[..from].iter().for_each(|p| out.push_str(p));
    out.push_str(&note);
    parts[to..].iter().for_each(|p| out.push_str(p));
    out.push_str(footer);
    out
}

/// Keeps messages from both ends, the smaller side first, while they fit `budget`.
fn choose_gap(sizes: &[usize], budget: usize) -> Gap {
    let (mut head, mut tail) = (0, sizes.len());
    let (mut head_bytes, mut tail_bytes, mut used) = (0, 0, 0);
    while head < tail {
        let take_head = head_bytes <= tail_bytes;
        let size = if take_head {
            sizes[head]
        } else {
            sizes[tail - 1]
        };
        if used + size > budget {
            break;
        }
        used += size;
        if take_head {
            head_bytes += size;
            head += 1;
        } else {
            tail_bytes += size;
            tail -= 1;
        }
    }
    Gap {
        from: head,
        omitted: tail - head,
    }
}

/// The size of both files but their messages.
fn frame_len(t: &Transcript, gap: Option<Gap>) -> usize {
    html::header(t).len()
        + html::note(t, gap).len()
        + html::FOOTER.len()
        + text::header(t).len()
        + text::note(t, gap).len()
        + text::FOOTER.len()
}

/// What the note in place of the omitted messages says.
fn gap_sentence(transcript: &Transcript, gap: Gap) -> String {
    let (first, last) = gap_times(transcript, gap);
    format!(
        "{} messages from {} to {} are left out here: the transcript would be larger than \
         Discord's upload limit",
        gap.omitted,
        format_utc(first),
        format_utc(last)
    )
}

/// The times of the first and last omitted messages.
fn gap_times(transcript: &Transcript, gap: Gap) -> (Timestamp, Timestamp) {
    let first = transcript.messages.get(gap.from).map(|m| m.sent_at);
    let last = gap
        .from
        .checked_add(gap.omitted)
        .and_then(|end| end.checked_sub(1))
        .and_then(|i| transcript.messages.get(i))
        .map(|m| m.sent_at);
    // For the worst-case frame (an impossible gap) both fall back to the widest time.
    let widest = Timestamp::from_unix_secs(-62_000_000_000);
    (first.unwrap_or(widest), last.unwrap_or(widest))
}

/// `2024-01-15 10:30:00 UTC`.
pub fn format_utc(at: Timestamp) -> String {
    at.to_utc().to_string()
}

/// A size for people: `512 B`, `12.3 KiB`, `4.0 MiB`.
fn format_size(bytes: u64) -> String {
    // Sizes of Discord files are far below 2^52: the conversion is exact enough to print.
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests;
