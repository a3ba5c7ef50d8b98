//! Turning what the bot posted into text a terminal shows: embeds as indented blocks, buttons
//! as `[ Label ]`, and Discord's markup (`<@id>`, `<#id>`, `<t:unix:R>`, `**bold**`) as
//! what a member's client would display.

use std::{collections::HashMap, path::PathBuf};

use hearth_sandbox::state::Message;
use serde_json::Value;

use super::names::Names;

/// What rendering needs besides the message: names for ids, "now" for relative times, and
/// where attachments were saved.
#[derive(Debug)]
pub(crate) struct View<'a> {
    /// Names of people, channels and roles.
    pub(crate) names: &'a Names,
    /// Now, in Unix seconds (relative times are computed from it).
    pub(crate) now_secs: i64,
    /// Where each attachment (by id) was written.
    pub(crate) files: &'a HashMap<u64, PathBuf>,
}

/// The bar in front of every line of an embed.
const BAR: &str = "┃ ";

/// The body of a message, one entry per line, without a header: text, embeds, attachments,
/// buttons and menus.
pub(crate) fn message(msg: &Message, view: &View<'_>) -> Vec<String> {
    let mut lines = Vec::new();
    if !msg.content.is_empty() {
        lines.extend(markup(&msg.content, view).lines().map(str::to_owned));
    }
    for embed_value in &msg.embeds {
        lines.extend(embed(embed_value, msg, view));
    }
    for attachment in &msg.attachments {
        let size = human_size(attachment.bytes.len());
        let place = view.files.get(&attachment.id).map_or_else(
            || "not saved".to_owned(),
            |path| format!("saved to {}", path.display()),
        );
        lines.push(format!("📎 {} ({size}) {place}", attachment.filename));
    }
    for row in &msg.components {
        let row_items = row["components"].as_array().cloned().unwrap_or_default();
        let items: Vec<String> = row_items.iter().map(component).collect();
        if !items.is_empty() {
            lines.push(items.join(" "));
        }
    }
    if lines.is_empty() {
        lines.push("(an empty message)".to_owned());
    }
    lines
}

fn embed(e: &Value, msg: &Message, view: &View<'_>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut push = |text: &str| {
        for line in text.lines() {
            lines.push(format!("{BAR}{line}").trim_end().to_owned());
        }
    };
    if let Some(author) = e["author"]["name"].as_str() {
        push(&markup(author, view));
    }
    if let Some(title) = e["title"].as_str() {
        push(&markup(title, view));
    }
    if let Some(description) = e["description"].as_str() {
        push(&markup(description, view));
    }
    for field in e["fields"].as_array().into_iter().flatten() {
        let name = markup(field["name"].as_str().unwrap_or_default(), view);
        let value = markup(field["value"].as_str().unwrap_or_default(), view);
        if value.contains('\n') {
            push(&format!("{name}:"));
            for line in value.lines() {
                push(&format!("  {line}"));
            }
        } else {
            push(&format!("{name}: {value}"));
        }
    }
    for (key, what) in [("image", "image"), ("thumbnail", "thumbnail")] {
        if let Some(url) = e[key]["url"].as_str() {
            push(&format!("{what}: {}", image_place(url, msg, view)));
        }
    }
    let footer = e["footer"]["text"].as_str().map(|f| markup(f, view));
    let stamp = e["timestamp"]
        .as_str()
        .and_then(parse_rfc3339)
        .map(absolute);
    match (footer, stamp) {
        (Some(f), Some(t)) => push(&format!("— {f} · {t}")),
        (Some(f), None) => push(&format!("— {f}")),
        (None, Some(t)) => push(&format!("— {t}")),
        (None, None) => {}
    }
    if lines.is_empty() {
        lines.push(format!("{BAR}(an empty embed)"));
    }
    lines
}

/// An embed image as a file path when it is one of the message's saved attachments.
fn image_place(url: &str, msg: &Message, view: &View<'_>) -> String {
    let name = url.strip_prefix("attachment://").unwrap_or(url);
    msg.attachments
        .iter()
        .find(|a| a.filename == name || url.ends_with(&format!("/{}", a.filename)))
        .and_then(|a| view.files.get(&a.id))
        .map_or_else(|| url.to_owned(), |path| path.display().to_string())
}

/// A button as `[ Label ]` (followed by `(disabled)` when it is), a menu as `[ placeholder ▾ ]`.
fn component(c: &Value) -> String {
    let disabled = if c["disabled"].as_bool().unwrap_or(false) {
        " (disabled)"
    } else {
        ""
    };
    match c["type"].as_u64().unwrap_or(0) {
        2 => {
            let emoji = c["emoji"]["name"].as_str().unwrap_or_default();
            let label = c["label"].as_str().unwrap_or_default();
            let text = match (emoji.is_empty(), label.is_empty()) {
                (false, false) => format!("{emoji} {label}"),
                (true, _) => label.to_owned(),
                (false, true) => emoji.to_owned(),
            };
            match c["url"].as_str() {
                Some(url) => format!("[ {text} ↗ {url} ]{disabled}"),
                None => format!("[ {text} ]{disabled}"),
            }
        }
        3 => {
            let options: Vec<&str> = c["options"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| o["label"].as_str())
                .collect();
            let placeholder = c["placeholder"].as_str().unwrap_or("choose");
            format!(
                "[ {placeholder} ▾ ]{disabled} options: {}",
                options.join(", ")
            )
        }
        5 => format!("[ pick people ▾ ]{disabled}"),
        6 => format!("[ pick roles ▾ ]{disabled}"),
        7 => format!("[ pick people or roles ▾ ]{disabled}"),
        8 => format!("[ pick channels ▾ ]{disabled}"),
        _ => "[ ? ]".to_owned(),
    }
}

/// Discord markup as a member's client shows it: mentions by name, timestamps as times,
/// bold and code marks dropped.
pub(crate) fn markup(text: &str, view: &View<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if let Some((end, shown)) = after
            .find('>')
            .and_then(|end| tag(&after[..end], view).map(|t| (end, t)))
        {
            out.push_str(&shown);
            rest = &after[end + 1..];
        } else {
            out.push('<');
            rest = after;
        }
    }
    out.push_str(rest);
    out.replace("**", "")
        .replace("__", "")
        .replace(['`', '\u{200B}'], "")
}

/// One `<…>` tag, or `None` when it is not Discord markup.
fn tag(inner: &str, view: &View<'_>) -> Option<String> {
    let names = view.names;
    if let Some(role) = inner.strip_prefix("@&") {
        let id: u64 = role.parse().ok()?;
        return Some(format!(
            "@{}",
            names.role_name(id).unwrap_or("unknown-role")
        ));
    }
    if let Some(user) = inner.strip_prefix('@') {
        let id: u64 = user.trim_start_matches('!').parse().ok()?;
        return Some(format!(
            "@{}",
            names.person_name(id).unwrap_or("unknown-user")
        ));
    }
    if let Some(channel) = inner.strip_prefix('#') {
        let id: u64 = channel.parse().ok()?;
        return Some(format!(
            "#{}",
            names.channel_name(id).unwrap_or("unknown-channel")
        ));
    }
    if let Some(time) = inner.strip_prefix("t:") {
        let (secs, style) = time.split_once(':').unwrap_or((time, "f"));
        let secs: i64 = secs.parse().ok()?;
        return Some(match style {
            "R" => relative(secs - view.now_secs),
            "d" | "D" => date(secs),
            "t" | "T" => clock(secs),
            _ => absolute(secs),
        });
    }
    // Custom emoji: <:name:id> and <a:name:id>.
    let emoji = inner
        .strip_prefix("a:")
        .or_else(|| inner.strip_prefix(':'))?;
    let (name, id) = emoji.split_once(':')?;
    id.parse::<u64>().ok()?;
    Some(format!(":{name}:"))
}

/// A duration from now as Discord's relative timestamps read: "in 1 hour", "5 minutes ago".
pub(crate) fn relative(delta_secs: i64) -> String {
    let secs = delta_secs.unsigned_abs();
    if secs < 5 {
        return "just now".to_owned();
    }
    // Thresholds as in Discord's client (moment.js): 45 s, 45 min, 22 h, 26 days, 11 months.
    let (n, unit) = if secs < 45 {
        (secs, "second")
    } else if secs < 45 * 60 {
        (rounded(secs, 60), "minute")
    } else if secs < 22 * 3600 {
        (rounded(secs, 3600), "hour")
    } else if secs < 26 * 86_400 {
        (rounded(secs, 86_400), "day")
    } else if secs < 320 * 86_400 {
        (rounded(secs, 30 * 86_400), "month")
    } else {
        (rounded(secs, 365 * 86_400), "year")
    };
    let plural = if n == 1 { "" } else { "s" };
    if delta_secs > 0 {
        format!("in {n} {unit}{plural}")
    } else {
        format!("{n} {unit}{plural} ago")
    }
}

fn rounded(secs: u64, unit: u64) -> u64 {
    ((secs + unit / 2) / unit).max(1)
}

/// A Unix time as `2026-11-26 01:30 UTC`.
pub(crate) fn absolute(secs: i64) -> String {
    format!("{} {}", date(secs), clock(secs))
}

/// A coming time as `01:42 UTC (in 1 hour)`, with the date when it is not today.
pub(crate) fn until(secs: i64, now_secs: i64) -> String {
    let when = if secs.div_euclid(86_400) == now_secs.div_euclid(86_400) {
        clock(secs)
    } else {
        absolute(secs)
    };
    format!("{when} ({})", relative(secs - now_secs))
}

fn date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

fn clock(secs: i64) -> String {
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02} UTC", day / 3600, day % 3600 / 60)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The Unix seconds of an RFC 3339 time such as `2026-11-26T01:30:00.000000+00:00`.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // Days from civil (the inverse of `civil_from_days`).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s)
}

fn human_size(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else {
        let tenths = bytes * 10 / 1024;
        format!("{}.{} KB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::try_mode::names::demo;

    const NOW: i64 = 1_764_120_600; // 2025-11-26 01:30 UTC

    fn message(content: &str, embeds: Vec<Value>, components: Vec<Value>) -> Message {
        Message {
            embeds,
            components,
            ..Message::new(100, 10, 1, 9, content.to_owned())
        }
    }

    fn render(msg: &Message) -> String {
        let names = demo();
        let files = HashMap::from([(7, PathBuf::from("out/100-chart.png"))]);
        let view = View {
            names: &names,
            now_secs: NOW,
            files: &files,
        };
        super::message(msg, &view).join("\n")
    }

    #[test]
    fn markup_shows_names_times_and_drops_marks() {
        let msg = message(
            "**Case #1** <@3> by <@!2> in <#11>, role <@&20>, <t:1764124200:R>, \
             <t:1764124200:f> `123` <:wave:55> <not markup> 2 < 3",
            vec![],
            vec![],
        );
        assert_eq!(
            render(&msg),
            "Case #1 @alice by @mod in #mod-log, role @Moderator, in 1 hour, \
             2025-11-26 02:30 UTC 123 :wave: <not markup> 2 < 3"
        );
        let unknown = message("<@999> <#999>", vec![], vec![]);
        assert_eq!(render(&unknown), "@unknown-user #unknown-channel");
    }

    #[test]
    fn relative_times_round_like_discord() {
        assert_eq!(relative(0), "just now");
        assert_eq!(relative(30), "in 30 seconds");
        assert_eq!(relative(-90), "2 minutes ago");
        assert_eq!(relative(3599), "in 1 hour");
        assert_eq!(relative(-3 * 86_400), "3 days ago");
        assert_eq!(relative(400 * 86_400), "in 1 year");
    }

    #[test]
    fn an_end_today_shows_only_the_clock() {
        assert_eq!(until(NOW + 3600, NOW), "02:30 UTC (in 1 hour)");
        assert_eq!(until(NOW + 86_400, NOW), "2025-11-27 01:30 UTC (in 1 day)");
    }

    #[test]
    fn dates_convert_both_ways() {
        assert_eq!(absolute(0), "1970-01-01 00:00 UTC");
        assert_eq!(absolute(NOW), "2025-11-26 01:30 UTC");
        assert_eq!(absolute(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(parse_rfc3339("2025-11-26T01:30:00.000000+00:00"), Some(NOW));
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn embeds_show_title_description_fields_and_footer_behind_a_bar() {
        let msg = message(
            "",
            vec![json!({
                "title": "Case #3 · warning",
                "description": "<@3> was warned by <@2>.\n**Reason:** spam",
                "fields": [
                    {"name": "Warnings", "value": "3", "inline": true},
                    {"name": "Escalation", "value": "line one\nline two"},
                ],
                "footer": {"text": "user id 3"},
                "timestamp": "2025-11-26T01:30:00+00:00",
            })],
            vec![],
        );
        assert_eq!(
            render(&msg),
            "┃ Case #3 · warning\n\
             ┃ @alice was warned by @mod.\n\
             ┃ Reason: spam\n\
             ┃ Warnings: 3\n\
             ┃ Escalation:\n\
             ┃   line one\n\
             ┃   line two\n\
             ┃ — user id 3 · 2025-11-26 01:30 UTC"
        );
    }

    #[test]
    fn buttons_and_menus_show_as_brackets() {
        let msg = message(
            "Remove them?",
            vec![],
            vec![
                json!({"type": 1, "components": [
                    {"type": 2, "style": 2, "label": "◀ Newer", "custom_id": "a", "disabled": true},
                    {"type": 2, "style": 2, "label": "Older ▶", "custom_id": "b"},
                    {"type": 2, "style": 5, "label": "Docs", "url": "https://example.com"},
                ]}),
                json!({"type": 1, "components": [
                    {"type": 3, "custom_id": "c", "placeholder": "Pick a colour",
                     "options": [{"label": "Red", "value": "r"}, {"label": "Blue", "value": "b"}]},
                ]}),
            ],
        );
        assert_eq!(
            render(&msg),
            "Remove them?\n\
             [ ◀ Newer ] (disabled) [ Older ▶ ] [ Docs ↗ https://example.com ]\n\
             [ Pick a colour ▾ ] options: Red, Blue"
        );
    }

    #[test]
    fn attachments_and_embed_images_point_at_the_saved_file() {
        let mut msg = message(
            "",
            vec![json!({"title": "Rank", "image": {"url": "attachment://chart.png"}})],
            vec![],
        );
        msg.attachments.push(hearth_sandbox::state::Attachment {
            id: 7,
            filename: "chart.png".into(),
            content_type: Some("image/png".into()),
            description: None,
            bytes: vec![0; 2048],
        });
        assert_eq!(
            render(&msg),
            "┃ Rank\n┃ image: out/100-chart.png\n📎 chart.png (2.0 KB) saved to out/100-chart.png"
        );
    }
}
