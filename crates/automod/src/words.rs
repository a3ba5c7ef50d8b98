//! Word lists: every entry of a guild's list in one Aho-Corasick automaton, so a message is
//! read once however many words are listed.

use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};
use hearth_core::text::truncate;

use crate::{SettingsError, WordEntry, WordMatch, normalise};

/// The most entries a word list may hold.
pub const WORDS_MAX: usize = 2_000;
/// The longest entry, in characters.
pub const WORD_MAX_CHARS: usize = 64;
/// The least letters a wildcard entry needs besides its `*`s (and its longest literal piece
/// needs at least two), so that `*a*` cannot match every word.
pub const WILDCARD_LETTERS_MIN: usize = 3;

/// `l`, `1`, `|` and `!` all read as `i` when matching (the normaliser turns the last three
/// into `i` already): `k1ll`, `ki11` and `kill` are one word. Both sides are folded, byte for
/// byte, so positions do not move.
fn fold(b: u8) -> u8 {
    if b == b'l' { b'i' } else { b }
}

fn folded(text: &str) -> Vec<u8> {
    text.bytes().map(fold).collect()
}

/// A listed word found in a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WordFound {
    /// The entry as staff wrote it.
    pub(crate) entry: String,
    /// Where it is in the normalised text.
    pub(crate) span: Range<usize>,
}

#[derive(Debug)]
enum Compiled {
    Literal {
        whole: bool,
    },
    /// The pieces between `*`s (the first and last may be empty), normalised and folded.
    Wildcard {
        pieces: Vec<Vec<u8>>,
    },
}

/// A compiled word list.
#[derive(Debug)]
pub(crate) struct WordMatcher {
    automaton: AhoCorasick,
    /// For each automaton pattern, the entry it belongs to.
    owner: Vec<usize>,
    entries: Vec<(String, Compiled)>,
}

impl WordMatcher {
    pub(crate) fn compile(entries: &[WordEntry]) -> Result<Self, SettingsError> {
        if entries.len() > WORDS_MAX {
            return Err(SettingsError::TooMany {
                what: "a word list",
                max: WORDS_MAX,
                len: entries.len(),
            });
        }
        let mut patterns: Vec<Vec<u8>> = Vec::with_capacity(entries.len());
        let mut owner = Vec::with_capacity(entries.len());
        let mut compiled = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            if entry.text.chars().count() > WORD_MAX_CHARS {
                return Err(SettingsError::WordTooLong {
                    word: truncate(&entry.text, WORD_MAX_CHARS).into_owned(),
                    max: WORD_MAX_CHARS,
                });
            }
            let empty = || SettingsError::WordEmpty {
                word: entry.text.clone(),
            };
            let kind = match entry.kind {
                WordMatch::Whole | WordMatch::Substring => {
                    let text = normalise(&entry.text);
                    let text = text.as_str();
                    if !text.chars().any(char::is_alphanumeric) {
                        return Err(empty());
                    }
                    patterns.push(folded(text));
                    owner.push(index);
                    // A phrase also matches with its spaces gone (`f r e e n i t r o`).
                    if text.contains(' ') {
                        patterns.push(folded(&text.replace(' ', "")));
                        owner.push(index);
                    }
                    Compiled::Literal {
                        whole: entry.kind == WordMatch::Whole,
                    }
                }
                WordMatch::Wildcard => {
                    let pieces: Vec<Vec<u8>> = entry
                        .text
                        .split('*')
                        .map(|piece| folded(&normalise(piece).as_str().replace(' ', "")))
                        .collect();
                    let letters: usize = pieces.iter().map(Vec::len).sum();
                    let anchor = (0..pieces.len())
                        .max_by_key(|&i| pieces[i].len())
                        .ok_or_else(empty)?;
                    if letters == 0 {
                        return Err(empty());
                    }
                    if letters < WILDCARD_LETTERS_MIN || pieces[anchor].len() < 2 {
                        return Err(SettingsError::WildcardTooLoose {
                            word: entry.text.clone(),
                            min: WILDCARD_LETTERS_MIN,
                        });
                    }
                    patterns.push(pieces[anchor].clone());
                    owner.push(index);
                    Compiled::Wildcard { pieces }
                }
            };
            compiled.push((entry.text.clone(), kind));
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|_| SettingsError::TooMany {
                what: "a word list",
                max: WORDS_MAX,
                len: entries.len(),
            })?;
        Ok(Self {
            automaton,
            owner,
            entries: compiled,
        })
    }

    /// The first listed word in `text` (normalised), by position.
    ///
    /// Linear in the text: each wildcard entry is judged once per word, however many times
    /// its anchor occurs in that word (`aaaa…` against `aa*`).
    pub(crate) fn find(&self, text: &str) -> Option<WordFound> {
        let haystack = folded(text);
        let mut best: Option<WordFound> = None;
        let mut word: Range<usize> = 0..0;
        let mut judged: Vec<usize> = Vec::new();
        for m in self.automaton.find_overlapping_iter(&haystack) {
            let index = self.owner[m.pattern().as_usize()];
            let (entry, kind) = &self.entries[index];
            let span = match kind {
                Compiled::Literal { .. }
                    if best.as_ref().is_some_and(|b| b.span.start <= m.start()) =>
                {
                    None
                }
                Compiled::Literal { whole: false } => Some(m.range()),
                Compiled::Literal { whole: true } => {
                    is_whole_word(text, m.range()).then(|| m.range())
                }
                Compiled::Wildcard { pieces } => {
                    if !word.contains(&m.start()) {
                        word = word_around(text, m.range());
                        judged.clear();
                    }
                    if judged.contains(&index) {
                        None
                    } else {
                        judged.push(index);
                        glob(pieces, &haystack[word.clone()]).then(|| word.clone())
                    }
                }
            };
            if let Some(span) = span
                && best.as_ref().is_none_or(|b| span.start < b.span.start)
            {
                best = Some(WordFound {
                    entry: entry.clone(),
                    span,
                });
            }
        }
        best
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_whole_word(text: &str, span: Range<usize>) -> bool {
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
}

/// The word (run of letters and digits) that holds `span`.
fn word_around(text: &str, span: Range<usize>) -> Range<usize> {
    let start = text[..span.start]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word_char(c))
        .last()
        .map_or(span.start, |(i, _)| i);
    let end = text[span.end..]
        .char_indices()
        .take_while(|&(_, c)| is_word_char(c))
        .last()
        .map_or(span.end, |(i, c)| span.end + i + c.len_utf8());
    start..end
}

/// Whether `word` is `pieces` joined by runs of anything (a `*` between each two pieces).
fn glob(pieces: &[Vec<u8>], word: &[u8]) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return false;
    };
    let Some(mut word) = word.strip_prefix(first.as_slice()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        // No `*` at all: the word must be exactly the piece.
        return word.is_empty();
    };
    for piece in middle {
        match find(word, piece) {
            Some(at) => word = &word[at + piece.len()..],
            None => return false,
        }
    }
    word.len() >= last.len() && word.ends_with(last)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(words: &[&str]) -> WordMatcher {
        let entries: Vec<WordEntry> = words.iter().map(|w| WordEntry::parse(w)).collect();
        WordMatcher::compile(&entries).unwrap()
    }

    fn found(words: &[&str], text: &str) -> Option<String> {
        let normalised = normalise(text);
        matcher(words)
            .find(normalised.as_str())
            .map(|f| normalised.as_str()[f.span].to_owned())
    }

    #[test]
    fn whole_words_do_not_match_inside_other_words() {
        assert_eq!(found(&["ass"], "what an ass!"), Some("ass".into()));
        assert_eq!(found(&["ass"], "first class"), None);
        assert_eq!(found(&["ass"], "assassin"), None);
    }

    #[test]
    fn substrings_match_inside_words() {
        assert_eq!(found(&["*nitro*"], "getfreenitronow"), Some("nitro".into()));
    }

    #[test]
    fn wildcards_match_whole_words_with_any_letters_for_the_star() {
        let words = ["fu*k"];
        assert_eq!(found(&words, "oh fuuuuk"), Some("fuuuuk".into()));
        assert_eq!(found(&words, "oh fuk off"), Some("fuk".into()));
        assert_eq!(found(&words, "fuel kit"), None);
        assert_eq!(found(&["*scam"], "a megascam"), Some("megascam".into()));
        assert_eq!(found(&["scam*"], "scammers"), Some("scammers".into()));
        assert_eq!(found(&["scam*"], "megascam"), None);
    }

    #[test]
    fn one_and_l_read_alike() {
        assert_eq!(found(&["kill"], "k1ll you"), Some("kill".into()));
        assert_eq!(found(&["kill"], "ki11 you"), Some("kiii".into()));
        assert_eq!(found(&["kill"], "k!|l you"), Some("kiil".into()));
    }

    #[test]
    fn phrases_match_when_spaced_out() {
        assert_eq!(
            found(&["free nitro"], "FREE   NITRO"),
            Some("free nitro".into())
        );
        assert_eq!(
            found(&["free nitro"], "f r e e n i t r o"),
            Some("freenitro".into())
        );
    }

    #[test]
    fn the_first_word_in_the_text_is_reported() {
        assert_eq!(
            found(&["zebra", "apple"], "an apple and a zebra"),
            Some("apple".into())
        );
        assert_eq!(
            found(&["nitro", "free nitro"], "free nitro"),
            Some("free nitro".into())
        );
    }

    #[test]
    fn bad_entries_are_refused_with_a_sentence() {
        let err = |w: &str| {
            WordMatcher::compile(&[WordEntry::parse(w)])
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("!!!"),
            "`!!!` has no letters or digits, so it would match nothing"
        );
        assert_eq!(
            err("*a*b"),
            "`*a*b` needs at least 3 letters besides the `*`, or it would match almost anything"
        );
        let long = "a".repeat(WORD_MAX_CHARS + 1);
        assert!(err(&long).contains("words can be at most 64 characters"));
        assert!(WordMatcher::compile(&[WordEntry::parse(&"a".repeat(WORD_MAX_CHARS))]).is_ok());
        let many = vec![WordEntry::parse("spam"); WORDS_MAX + 1];
        assert_eq!(
            WordMatcher::compile(&many).unwrap_err().to_string(),
            "a word list can hold at most 2000; this one has 2001"
        );
        assert!(WordMatcher::compile(&many[..WORDS_MAX]).is_ok());
    }
}
