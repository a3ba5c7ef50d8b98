//! Which characters count as what: zero-width characters, Cyrillic and Greek look-alikes of
//! Latin letters, and leetspeak.

/// Characters that render as nothing (or as a join/break hint) and are dropped: zero-width
/// space, non-joiner and joiner, direction marks, word joiner and invisible operators, the byte
/// order mark, soft hyphen, combining grapheme joiner, Hangul fillers and variation selectors.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}' | '\u{E0100}'..='\u{E01EF}')
}

/// The Latin letter a lower-case Cyrillic or Greek letter is drawn like, if any.
///
/// Only letters that are near-identical in common fonts are listed, so that mapping them
/// cannot turn a word into one it does not look like.
// A table grouped by script reads better than one grouped by Latin letter.
#[allow(clippy::match_same_arms)]
pub(super) fn latin_look_alike(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic
        'а' => 'a',
        'в' | 'ь' => 'b',
        'е' | 'ё' | 'є' => 'e',
        'і' | 'ї' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'н' | 'һ' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ӏ' => 'l',
        // Greek
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'γ' => 'y',
        'ω' => 'w',
        // Latin letters outside ASCII that NFKD leaves alone.
        'ı' => 'i',
        'ł' => 'l',
        'ø' => 'o',
        'đ' => 'd',
        'ħ' => 'h',
        _ => return None,
    })
}

/// Whether `c` is a Cyrillic or Greek letter (the scripts look-alikes come from).
pub(super) fn is_cyrillic_or_greek(c: char) -> bool {
    matches!(c, '\u{0370}'..='\u{03FF}' | '\u{0400}'..='\u{052F}' | '\u{1F00}'..='\u{1FFF}')
        && c.is_alphabetic()
}

/// The letter a leetspeak digit or symbol stands for. `1`, `|` and `!` all become `i`: word
/// lists are compiled with `l` → `i` variants, so `k1ll` and `ki11` both read as `kill`.
pub(super) fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' | '|' | '!' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '6' | '9' => 'g',
        '7' | '+' => 't',
        '8' => 'b',
        _ => return None,
    })
}

/// Whether `c` is a symbol that can stand for a letter inside a word (`@`, `$`, `!`, `|`, `+`).
pub(super) fn is_leet_symbol(c: char) -> bool {
    matches!(c, '@' | '$' | '!' | '|' | '+')
}

/// Whether `c` is a Cyrillic look-alike that ordinary Russian, Ukrainian or Bulgarian text
/// does not use: a sign of Latin text in disguise.
pub(super) fn is_exotic_look_alike(c: char) -> bool {
    matches!(c, 'ѕ' | 'ԁ' | 'ԛ' | 'ԝ' | 'ӏ' | 'һ')
}
