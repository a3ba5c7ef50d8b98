//! The HTML file: one page, inline CSS, nothing loaded from anywhere, everything escaped.

use std::fmt::Write as _;

use super::{
    Embed, Gap, Names, Transcript, TranscriptMessage, format_size, format_utc, gap_sentence,
};

/// The page's style; no `url(…)` anywhere, so it loads nothing.
const STYLE: &str = "body{margin:0;background:#313338;color:#dbdee1;font:15px/1.4 \
system-ui,-apple-system,'Segoe UI',sans-serif}header{padding:16px 24px;background:#2b2d31;\
border-bottom:1px solid #1e1f22}h1{margin:0 0 4px;font-size:20px;color:#f2f3f5}\
header p{margin:2px 0;color:#b5bac1;font-size:13px}ol{list-style:none;margin:0;padding:8px 0}\
.msg{padding:6px 24px}.msg:hover{background:#2e3035}.meta{font-size:13px;color:#949ba4}\
.author{font-weight:600;color:#f2f3f5;font-size:15px;margin-right:6px}.bot{background:#5865f2;\
color:#fff;border-radius:3px;padding:0 4px;font-size:10px;margin-right:6px;vertical-align:2px}\
.content{white-space:pre-wrap;overflow-wrap:anywhere}.edited{font-size:11px;color:#949ba4}\
.attachments{margin:4px 0;padding-left:18px;font-size:13px}a{color:#00a8fc}\
.embed{margin:6px 0;padding:8px 12px;max-width:520px;background:#2b2d31;border-left:4px solid \
#1e1f22;border-radius:4px}.embed .title{font-weight:600;color:#f2f3f5}.embed .field-name{\
font-weight:600;margin-top:4px}.embed .footer{font-size:12px;color:#949ba4;margin-top:6px}\
.mention{background:#3c4270;color:#c9cdfb;border-radius:3px;padding:0 2px;font-weight:500}\
.gap{margin:8px 24px;padding:8px 12px;border:1px dashed #f0b232;color:#f0b232;border-radius:4px}\
footer{padding:12px 24px;color:#949ba4;font-size:12px}";

/// The end of the page.
pub(super) const FOOTER: &str = "</ol>\n<footer>Made by Hearth.</footer>\n</body>\n</html>\n";

/// Appends `text` with `& < > " '` escaped: safe in element content and quoted attributes.
pub(super) fn escape_into(out: &mut String, text: &str) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(entity);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// Whether a URL may become a link: only `http(s)`, never `javascript:` or `data:`.
fn linkable(url: &str) -> bool {
    let lower = url
        .trim_start()
        .get(..8)
        .unwrap_or(url)
        .to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// `<a>` for a safe URL, else the text alone.
fn link(out: &mut String, url: Option<&str>, label: &str) {
    match url.filter(|u| linkable(u)) {
        Some(url) => {
            out.push_str("<a href=\"");
            escape_into(out, url);
            out.push_str("\" rel=\"noopener noreferrer nofollow\">");
            escape_into(out, label);
            out.push_str("</a>");
        }
        None => escape_into(out, label),
    }
}

/// The page up to the first message.
pub(super) fn header(t: &Transcript) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\n<meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
    );
    let _ = write!(out, "Ticket {} – ", t.ticket);
    escape_into(&mut out, &t.guild_name);
    out.push_str("</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<header>\n<h1>");
    let _ = write!(out, "Ticket {} · ", t.ticket);
    escape_into(&mut out, &t.category);
    out.push_str("</h1>\n<p>");
    escape_into(&mut out, &t.guild_name);
    out.push_str(" · #");
    escape_into(&mut out, &t.channel_name);
    out.push_str("</p>\n<p>Opened by <strong>");
    escape_into(&mut out, &t.opener.name);
    let _ = write!(
        out,
        "</strong> ({}) on {}",
        t.opener.id,
        format_utc(t.opened_at)
    );
    if let Some(closed) = t.closed_at {
        let _ = write!(out, "; closed on {}", format_utc(closed));
    }
    let _ = write!(
        out,
        "</p>\n<p>{} messages · made on {}</p>\n</header>\n<ol>\n",
        t.messages.len(),
        format_utc(t.generated_at)
    );
    out
}

/// The note in place of the messages left out.
pub(super) fn note(t: &Transcript, gap: Option<Gap>) -> String {
    gap.map(|gap| format!("<li class=\"gap\">{}.</li>\n", gap_sentence(t, gap)))
        .unwrap_or_default()
}

/// One message as a list item.
pub(super) fn message(m: &TranscriptMessage, names: &Names) -> String {
    let mut out = String::with_capacity(m.content.len() + 256);
    let _ = write!(
        out,
        "<li class=\"msg\" id=\"m{}\"><div class=\"meta\"><span class=\"author\" title=\"{}\">",
        m.id, m.author.id
    );
    escape_into(&mut out, &m.author.name);
    out.push_str("</span>");
    if m.author.bot {
        out.push_str("<span class=\"bot\">BOT</span>");
    }
    let _ = write!(out, "<time>{}</time>", format_utc(m.sent_at));
    if let Some(edited) = m.edited_at {
        let _ = write!(
            out,
            " <span class=\"edited\">(edited {})</span>",
            format_utc(edited)
        );
    }
    out.push_str("</div>");
    if !m.content.is_empty() {
        out.push_str("<div class=\"content\">");
        names.html_into(&mut out, &m.content);
        out.push_str("</div>");
    }
    if !m.attachments.is_empty() {
        out.push_str("<ul class=\"attachments\">");
        for a in &m.attachments {
            out.push_str("<li>📎 ");
            link(&mut out, Some(&a.url), &a.filename);
            let _ = write!(out, " ({})</li>", format_size(a.size));
        }
        out.push_str("</ul>");
    }
    for e in &m.embeds {
        embed(&mut out, e, names);
    }
    out.push_str("</li>\n");
    out
}

fn embed(out: &mut String, e: &Embed, names: &Names) {
    // A number formatted as hex: nothing to escape.
    let color = e
        .color
        .map(|c| format!(" style=\"border-left-color:#{:06x}\"", c & 0xFF_FFFF));
    let _ = write!(out, "<div class=\"embed\"{}>", color.unwrap_or_default());
    if let Some(author) = &e.author {
        let _ = write!(out, "<div class=\"embed-author\">{}</div>", escaped(author));
    }
    if let Some(title) = &e.title {
        out.push_str("<div class=\"title\">");
        link(out, e.url.as_deref(), title);
        out.push_str("</div>");
    }
    if let Some(description) = &e.description {
        out.push_str("<div class=\"content\">");
        names.html_into(out, description);
        out.push_str("</div>");
    }
    for f in &e.fields {
        let _ = write!(
            out,
            "<div class=\"field-name\">{}</div><div class=\"content\">",
            escaped(&f.name),
        );
        names.html_into(out, &f.value);
        out.push_str("</div>");
    }
    if let Some(footer) = &e.footer {
        let _ = write!(out, "<div class=\"footer\">{}</div>", escaped(footer));
    }
    out.push_str("</div>");
}
