//! Normalisation: the text rules match against, with the way back to what the member wrote.

mod confusable;

use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use self::confusable::{
    is_cyrillic_or_greek, is_exotic_look_alike, is_invisible, is_leet_symbol, latin_look_alike,
    leet,
};

/// How many single letters in a row, split by spaces or punctuation, are read as one word
/// (`f r e e`). Two (`a b`) is too common in ordinary text.
pub const SPACED_LETTERS_MIN: usize = 3;

/// The longest run of spaces or punctuation between spaced letters that still joins them
/// (`f . r . e . e` has three).
const SPACED_GAP_MAX: usize = 3;

/// Text after normalisation, with a map back to the original.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalised {
    text: String,
    /// For every byte of `text`, the byte range of the original character it came from.
    origin: Vec<(u32, u32)>,
}

impl Normalised {
    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The range of the original text that the normalised bytes `span` came from: from the
    /// start of the character the span's first byte came from to the end of the character its
    /// last byte came from. An empty or out-of-range span gives an empty range.
    pub fn original_range(&self, span: Range<usize>) -> Range<usize> {
        let end = span.end.min(self.origin.len());
        if span.start >= end {
            return 0..0;
        }
        self.origin[span.start].0 as usize..self.origin[end - 1].1 as usize
    }
}

/// One character of the text as it goes through the passes, with where it came from.
#[derive(Clone, Copy, Debug)]
struct Unit {
    c: char,
    start: u32,
    end: u32,
}

/// Normalises `text`: the form words and patterns are matched against.
///
/// Members who want past a filter write `fr33 n1tro`, `ｆｒｅｅ`, `𝐟𝐫𝐞𝐞`, `f.r.e.e`, put zero-width
/// characters inside words or swap Latin letters for Cyrillic ones that look the same. The
/// normaliser undoes those tricks in one pass, in this order:
///
/// 1. invisible characters (zero-width space/joiner, direction marks, soft hyphen, variation
///    selectors …) are dropped;
/// 2. each character is decomposed to its compatibility form (NFKD: full-width `ｆ`, styled
///    `𝐟`, ligatures, circled and super-scripted letters become plain ones), lower-cased, and
///    its combining marks (diacritics) are dropped, so `Frée` reads `free`;
/// 3. runs of at least [`SPACED_LETTERS_MIN`] single letters split by short punctuation or
///    spaces (`f.r.e.e`, `f r e e`, `f - r - e - e`) are joined into one word;
/// 4. Cyrillic and Greek letters drawn like Latin ones (`а`, `е`, `о`, `р`, `с`, `ο`, `ν` …) are
///    read as Latin — but only in a word that also holds a Latin letter, or when the message
///    is Latin text: it holds Latin letters (or Cyrillic letters no Russian text uses, like
///    `ѕ`) and no Cyrillic or Greek letter without a Latin twin. Ordinary Russian or Greek
///    text is left as written, even a word like `сор` whose letters all have Latin twins;
/// 5. in a word with a Latin letter, leetspeak digits and symbols become letters (`0` → `o`,
///    `1`/`|`/`!` → `i`, `3` → `e`, `4`/`@` → `a`, `5`/`$` → `s`, `7`/`+` → `t` …); numbers on
///    their own (`2024`, `3`) stay numbers;
/// 6. runs of white space become one space, and the ends are trimmed.
///
/// Every byte of the result remembers which characters of the original it came from, so a
/// match can be shown to staff as the member wrote it ([`Normalised::original_range`]).
///
/// It never panics, whatever the input, and runs in time linear in the input's length.
///
/// ```
/// use hearth_automod::normalise;
///
/// assert_eq!(normalise("FR33 N1TRO!!").as_str(), "free nitro!!");
/// assert_eq!(normalise("ｆｒｅｅ").as_str(), "free");
/// assert_eq!(normalise("f.r.e.e").as_str(), "free");
/// assert_eq!(normalise("fr\u{200B}ee").as_str(), "free");
/// assert_eq!(normalise("frее").as_str(), "free"); // the last two letters are Cyrillic
/// assert_eq!(normalise("Привет, мир").as_str(), "привет, мир"); // Russian stays Russian
/// ```
pub fn normalise(text: &str) -> Normalised {
    let units = decompose(text);
    let foreign = units
        .iter()
        .any(|u| is_cyrillic_or_greek(u.c) && latin_look_alike(u.c).is_none());
    let latin = units
        .iter()
        .any(|u| u.c.is_ascii_alphabetic() || is_exotic_look_alike(u.c));
    // Look-alikes are read as Latin in words without a Latin letter only when the message is
    // Latin text: it has Latin letters and no Cyrillic or Greek letter without a Latin twin.
    let look_alikes_everywhere = latin && !foreign;
    let tokens = join_spaced_letters(tokenise(&units));
    let mut out = Normalised {
        text: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    // One buffer for every word, so a long message costs no allocation per word.
    let mut word: Vec<Unit> = Vec::new();
    for token in tokens {
        match token {
            Token::Word(range) => {
                let letters = units[range].iter().copied();
                push_word(&mut out, &mut word, letters, look_alikes_everywhere);
            }
            Token::Joined(letters) => {
                let letters = letters.iter().map(|&i| units[i]);
                push_word(&mut out, &mut word, letters, look_alikes_everywhere);
            }
            Token::Gap(range) => {
                let mut space: Option<(u32, u32)> = None;
                for unit in &units[range] {
                    if unit.c.is_whitespace() {
                        space = Some(space.map_or((unit.start, unit.end), |(s, _)| (s, unit.end)));
                        continue;
                    }
                    if let Some((s, e)) = space.take() {
                        push_space(&mut out, s, e);
                    }
                    push(&mut out, unit.c, unit.start, unit.end);
                }
                if let Some((s, e)) = space {
                    push_space(&mut out, s, e);
                }
            }
        }
    }
    if out.text.ends_with(' ') {
        out.text.pop();
        out.origin.pop();
    }
    out
}

/// Reads one word (steps 4 and 5) in the `buffer` and appends it.
fn push_word(
    out: &mut Normalised,
    buffer: &mut Vec<Unit>,
    letters: impl Iterator<Item = Unit>,
    look_alikes_everywhere: bool,
) {
    buffer.clear();
    buffer.extend(letters);
    read_word(buffer, look_alikes_everywhere);
    for unit in buffer.iter() {
        push(out, unit.c, unit.start, unit.end);
    }
}

fn push(out: &mut Normalised, c: char, start: u32, end: u32) {
    out.text.push(c);
    for _ in 0..c.len_utf8() {
        out.origin.push((start, end));
    }
}

/// One space for a run of white space, unless at the start or after another space.
fn push_space(out: &mut Normalised, start: u32, end: u32) {
    if !out.text.is_empty() && !out.text.ends_with(' ') {
        push(out, ' ', start, end);
    }
}

/// Steps 1 and 2: invisible characters dropped, compatibility decomposition, lower case,
/// diacritics dropped.
fn decompose(text: &str) -> Vec<Unit> {
    let mut units = Vec::with_capacity(text.len());
    for (i, ch) in text.char_indices() {
        if is_invisible(ch) {
            continue;
        }
        // Message text is at most a few thousand characters; offsets past 4 GiB saturate.
        let start = u32::try_from(i).unwrap_or(u32::MAX);
        let end = u32::try_from(i + ch.len_utf8()).unwrap_or(u32::MAX);
        if ch.is_ascii() {
            units.push(Unit {
                c: ch.to_ascii_lowercase(),
                start,
                end,
            });
            continue;
        }
        decompose_compatible(ch, |d| {
            for c in d.to_lowercase() {
                if !is_combining_mark(c) && !is_invisible(c) {
                    let c = if c == 'ς' { 'σ' } else { c };
                    units.push(Unit { c, start, end });
                }
            }
        });
    }
    units
}

/// A word, spaced letters joined into one (the indices of their units), or the gap between
/// words.
#[derive(Debug)]
enum Token {
    Word(Range<usize>),
    Joined(Vec<usize>),
    Gap(Range<usize>),
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_leet_symbol(c)
}

fn tokenise(units: &[Unit]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < units.len() {
        let word = is_word_char(units[i].c);
        let start = i;
        while i < units.len() && is_word_char(units[i].c) == word {
            i += 1;
        }
        tokens.push(if word {
            Token::Word(start..i)
        } else {
            Token::Gap(start..i)
        });
    }
    tokens
}

/// Step 3: `f.r.e.e` and `f r e e` become one word.
fn join_spaced_letters(tokens: Vec<Token>) -> Vec<Token> {
    let single = |t: &Token| matches!(t, Token::Word(w) if w.len() == 1);
    let short_gap = |t: &Token| matches!(t, Token::Gap(r) if r.len() <= SPACED_GAP_MAX);
    let mut out = Vec::with_capacity(tokens.len());
    let mut run: Vec<Token> = Vec::new();
    let flush = |run: &mut Vec<Token>, out: &mut Vec<Token>| {
        let letters = run.iter().filter(|t| single(t)).count();
        if letters >= SPACED_LETTERS_MIN {
            // A run ending in a gap keeps that gap after the joined word.
            let trailing = match run.last() {
                Some(Token::Gap(_)) => run.pop(),
                _ => None,
            };
            let joined = run
                .drain(..)
                .filter_map(|t| match t {
                    Token::Word(w) => Some(w.start),
                    Token::Joined(_) | Token::Gap(_) => None,
                })
                .collect();
            out.push(Token::Joined(joined));
            out.extend(trailing);
        } else {
            out.append(run);
        }
    };
    for token in tokens {
        let continues = match run.last() {
            Some(Token::Word(_) | Token::Joined(_)) => short_gap(&token),
            None | Some(Token::Gap(_)) => single(&token),
        };
        if continues {
            run.push(token);
            continue;
        }
        flush(&mut run, &mut out);
        if single(&token) {
            run.push(token);
        } else {
            out.push(token);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Steps 4 and 5 for one word.
fn read_word(word: &mut [Unit], look_alikes_everywhere: bool) {
    let latin_letter = word.iter().any(|u| u.c.is_ascii_alphabetic());
    let read_look_alikes = latin_letter || look_alikes_everywhere;
    for unit in word.iter_mut() {
        if let Some(latin) = latin_look_alike(unit.c)
            && (read_look_alikes || !is_cyrillic_or_greek(unit.c))
        {
            unit.c = latin;
        }
    }
    if !word.iter().any(|u| u.c.is_ascii_alphabetic()) {
        return;
    }
    // `free!!` ends in punctuation, not in `i`s; `@name` starts with a mention sign.
    let body_end = word
        .iter()
        .rposition(|u| !matches!(u.c, '!' | '+' | '|'))
        .map_or(0, |at| at + 1);
    for (at, unit) in word.iter_mut().enumerate() {
        let kept = at >= body_end || (at == 0 && unit.c == '@');
        if !kept && let Some(letter) = leet(unit.c) {
            unit.c = letter;
        }
    }
}

#[cfg(test)]
mod tests;
