//! Counts over a message's text as written: capitals, lines, emoji.

/// Letters with a case and how many of them are capitals, skipping Discord markup in angle
/// brackets (`<:PogChamp:123>`, `<@&456>`), whose names are not shouting.
pub(crate) fn capitals(text: &str) -> (u32, u32) {
    let (mut cased, mut upper) = (0u32, 0u32);
    let mut in_markup = false;
    for c in text.chars() {
        match c {
            '<' => in_markup = true,
            '>' => in_markup = false,
            _ if in_markup => {}
            _ if c.is_uppercase() => {
                cased += 1;
                upper += 1;
            }
            _ if c.is_lowercase() => cased += 1,
            _ => {}
        }
    }
    (cased, upper)
}

/// How many lines the text has.
pub(crate) fn lines(text: &str) -> u32 {
    let breaks = text.bytes().filter(|&b| b == b'\n').count();
    u32::try_from(breaks).unwrap_or(u32::MAX).saturating_add(1)
}

fn is_pictograph(c: char) -> bool {
    matches!(c,
        '\u{1F000}'..='\u{1F1E5}' | '\u{1F200}'..='\u{1F3FA}' | '\u{1F400}'..='\u{1FAFF}'
        | '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}' | '\u{1F1E6}'..='\u{1F1FF}')
}

/// How many emoji the text shows: Unicode pictographs (a sequence joined by zero-width joiners,
/// such as a family, counts once; a pair of regional indicators, a flag, counts once) and
/// custom emoji (`<:name:id>`, `<a:name:id>`).
pub(crate) fn emoji(text: &str) -> u32 {
    let mut count = 0u32;
    let mut joined = false;
    let mut flag_half = false;
    for c in text.chars() {
        if c == '\u{200D}' {
            joined = true;
            continue;
        }
        if ('\u{1F1E6}'..='\u{1F1FF}').contains(&c) {
            if !flag_half {
                count = count.saturating_add(1);
            }
            flag_half = !flag_half;
            joined = false;
            continue;
        }
        flag_half = false;
        if is_pictograph(c) && !joined {
            count = count.saturating_add(1);
        }
        joined = false;
    }
    let custom = text.match_indices("<:").count() + text.match_indices("<a:").count();
    count.saturating_add(u32::try_from(custom).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitals_skip_markup_and_uncased_letters() {
        assert_eq!(capitals("HELLO there"), (10, 5));
        assert_eq!(capitals("<:PogChamp:1> ok"), (2, 0));
        assert_eq!(capitals("日本語 ABC"), (3, 3));
    }

    #[test]
    fn lines_count_breaks_plus_one() {
        assert_eq!(lines("one"), 1);
        assert_eq!(lines("a\nb\n\nc"), 4);
    }

    #[test]
    fn emoji_count_sequences_and_custom_emoji_once() {
        assert_eq!(emoji("hi 😀😀"), 2);
        assert_eq!(emoji("👨\u{200D}👩\u{200D}👧"), 1);
        assert_eq!(emoji("🇫🇷🇩🇪"), 2);
        assert_eq!(emoji("<:pog:1> <a:dance:2> ★"), 3);
        assert_eq!(emoji("👍🏽"), 1);
        assert_eq!(emoji("plain text"), 0);
    }
}
