//! The plain-text file.

use std::fmt::Write as _;

use super::{Gap, Names, Transcript, TranscriptMessage, format_size, format_utc, gap_sentence};

/// The end of the file.
pub(super) const FOOTER: &str = "\n— end of transcript —\n";

/// Everything before the first message.
pub(super) fn header(t: &Transcript) -> String {
    let mut out = format!(
        "Ticket {} · {}\n{} · #{}\nOpened by {} ({}) on {}\n",
        t.ticket,
        t.category,
        t.guild_name,
        t.channel_name,
        t.opener.name,
        t.opener.id,
        format_utc(t.opened_at)
    );
    if let Some(closed) = t.closed_at {
        let _ = writeln!(out, "Closed on {}", format_utc(closed));
    }
    let _ = writeln!(
        out,
        "{} messages · made on {}\n",
        t.messages.len(),
        format_utc(t.generated_at)
    );
    out
}

/// The note in place of the messages left out.
pub(super) fn note(t: &Transcript, gap: Option<Gap>) -> String {
    gap.map(|gap| format!("[… {} …]\n\n", gap_sentence(t, gap)))
        .unwrap_or_default()
}

/// One message: a line with time and author, then its text, files and embeds, indented.
pub(super) fn message(m: &TranscriptMessage, names: &Names) -> String {
    let mut out = String::with_capacity(m.content.len() + 96);
    let _ = write!(
        out,
        "[{}] {}{} ({})",
        format_utc(m.sent_at),
        m.author.name,
        if m.author.bot { " [BOT]" } else { "" },
        m.author.id
    );
    if m.edited_at.is_some() {
        out.push_str(" (edited)");
    }
    out.push('\n');
    for line in names.plain(&m.content).lines() {
        let _ = writeln!(out, "    {line}");
    }
    for a in &m.attachments {
        let _ = writeln!(
            out,
            "    [file] {} ({}) {}",
            a.filename,
            format_size(a.size),
            a.url
        );
    }
    for e in &m.embeds {
        let title = e.title.as_deref().or(e.author.as_deref()).unwrap_or("");
        let _ = writeln!(out, "    [embed] {title}");
        if let Some(description) = &e.description {
            for line in names.plain(description).lines() {
                let _ = writeln!(out, "        {line}");
            }
        }
        for f in &e.fields {
            let _ = writeln!(out, "        {}: {}", f.name, names.plain(&f.value));
        }
        if let Some(footer) = &e.footer {
            let _ = writeln!(out, "        — {footer}");
        }
    }
    out.push('\n');
    out
}
