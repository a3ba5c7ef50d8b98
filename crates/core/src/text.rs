//! Text helpers every feature needs for what members type and what the bot writes.

use std::borrow::Cow;

/// The ellipsis appended to cut text.
pub const ELLIPSIS: char = '…';

/// Cuts `text` to at most `max_chars` characters (Unicode scalar values, which is how Discord
/// counts its limits), ending in `…` when something was cut.
///
/// The cut always falls on a character boundary, so it never panics or splits a character.
///
/// ```
/// use hearth_core::text::truncate;
///
/// assert_eq!(truncate("hello", 5), "hello");
/// assert_eq!(truncate("hello world", 8), "hello w…");
/// assert_eq!(truncate("Ωμέγα", 3), "Ωμ…");
/// ```
pub fn truncate(text: &str, max_chars: usize) -> Cow<'_, str> {
    if max_chars == 0 {
        return Cow::Borrowed("");
    }
    if text.char_indices().nth(max_chars).is_none() {
        return Cow::Borrowed(text);
    }
    // Keep max_chars - 1 characters and the ellipsis.
    let end = text
        .char_indices()
        .nth(max_chars - 1)
        .map_or(text.len(), |(i, _)| i);
    let mut out = String::with_capacity(end + ELLIPSIS.len_utf8());
    out.push_str(&text[..end]);
    out.push(ELLIPSIS);
    Cow::Owned(out)
}

/// A zero-width space: inserted after `@` it stops Discord from reading a mention.
const ZWSP: char = '\u{200B}';

/// Makes user-written text safe to echo: `@everyone`, `@here` and role mentions (`<@&id>`) no
/// longer ping, while reading the same.
///
/// This is belt and braces: the bot also sends such text with empty `allowed_mentions`. It
/// inserts a zero-width space after the `@`, which is what Discord's own clients show as plain
/// text.
///
/// ```
/// use hearth_core::text::neutralise_mentions;
///
/// let safe = neutralise_mentions("hi @everyone and <@&123>");
/// assert_eq!(safe, "hi @\u{200B}everyone and <@\u{200B}&123>");
/// assert_eq!(neutralise_mentions("no pings here"), "no pings here");
/// ```
pub fn neutralise_mentions(text: &str) -> Cow<'_, str> {
    if !text.contains("@everyone") && !text.contains("@here") && !text.contains("<@&") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let (before, from_at) = rest.split_at(at);
        out.push_str(before);
        out.push('@');
        let after = &from_at[1..];
        if after.starts_with("everyone") || after.starts_with("here") || after.starts_with('&') {
            out.push(ZWSP);
        }
        rest = after;
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_probes_the_limit() {
        assert_eq!(truncate("abcd", 3), "ab…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("ab", 3), "ab");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("abc", 1), "…");
        assert_eq!(truncate("", 5), "");
    }

    #[test]
    fn truncate_never_splits_a_character() {
        let text = "👩‍👩‍👧 ünïcödé 日本語テキスト";
        for max in 0..text.chars().count() + 2 {
            let cut = truncate(text, max);
            assert!(cut.chars().count() <= max, "{max}: {cut}");
        }
    }

    #[test]
    fn mentions_are_neutralised_but_read_the_same() {
        let text = "@everyone @here <@&42> <@7> email@example.com";
        let safe = neutralise_mentions(text);
        assert!(!safe.contains("@everyone"));
        assert!(!safe.contains("@here"));
        assert!(!safe.contains("<@&"));
        // User mentions and ordinary @ signs are left alone.
        assert!(safe.contains("<@7>"));
        assert!(safe.contains("email@example.com"));
        assert_eq!(safe.replace(ZWSP, ""), text);
    }
}
