//! Staff-written regular expressions, compiled with the `regex` crate: matching takes time
//! linear in the text whatever the pattern (no backtracking, so `(a+)+$` cannot hang the bot),
//! and each compiled pattern is size-limited so a pattern cannot eat the bot's memory either.

use std::ops::Range;

use hearth_core::text::truncate;
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use crate::SettingsError;

/// The most patterns a guild may have.
pub const PATTERNS_MAX: usize = 30;
/// The longest pattern, in characters.
pub const PATTERN_MAX_CHARS: usize = 300;
/// The most memory one compiled pattern may take, in bytes (the `regex` crate's `size_limit`).
pub const PATTERN_SIZE_LIMIT: usize = 256 * 1024;
/// The most memory the lazy DFA of one pattern may cache, in bytes; past it the search falls
/// back to a slower engine, still linear.
pub const PATTERN_DFA_SIZE_LIMIT: usize = 512 * 1024;

/// Compiles one pattern as automod uses it (case-insensitive, size-limited), or says in a
/// sentence why it can't be used.
///
/// ```
/// use hearth_automod::compile_pattern;
///
/// assert!(compile_pattern(r"free\s*nitro").is_ok());
/// assert_eq!(
///     compile_pattern("(free").unwrap_err().to_string(),
///     "pattern `(free` is not a valid regular expression: unclosed group"
/// );
/// ```
///
/// # Errors
///
/// [`SettingsError::PatternTooLong`], [`SettingsError::PatternInvalid`],
/// [`SettingsError::PatternTooComplex`] or [`SettingsError::PatternMatchesEverything`].
pub fn compile_pattern(pattern: &str) -> Result<Regex, SettingsError> {
    if pattern.chars().count() > PATTERN_MAX_CHARS {
        return Err(SettingsError::PatternTooLong {
            pattern: truncate(pattern, 40).into_owned(),
            max: PATTERN_MAX_CHARS,
        });
    }
    let regex = RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(PATTERN_SIZE_LIMIT)
        .dfa_size_limit(PATTERN_DFA_SIZE_LIMIT)
        .build()
        .map_err(|err| refusal(pattern, &err))?;
    if regex.is_match("") {
        return Err(SettingsError::PatternMatchesEverything {
            pattern: pattern.to_owned(),
        });
    }
    Ok(regex)
}

fn refusal(pattern: &str, err: &regex::Error) -> SettingsError {
    match err {
        regex::Error::CompiledTooBig(_) => SettingsError::PatternTooComplex {
            pattern: pattern.to_owned(),
            limit_kib: PATTERN_SIZE_LIMIT / 1024,
        },
        // The syntax error is a multi-line picture with an arrow; its last line names the
        // problem ("error: unclosed group").
        other => {
            let text = other.to_string();
            let problem = text
                .lines()
                .rev()
                .find_map(|line| line.trim().strip_prefix("error: "))
                .unwrap_or("it could not be read");
            SettingsError::PatternInvalid {
                pattern: pattern.to_owned(),
                problem: problem.to_owned(),
            }
        }
    }
}

/// A pattern found in a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PatternFound {
    /// The pattern as staff wrote it.
    pub(crate) pattern: String,
    /// Where it matched in the normalised text.
    pub(crate) span: Range<usize>,
}

/// A guild's patterns: one set to ask whether any matches (one pass), and each pattern to
/// find where.
#[derive(Debug)]
pub(crate) struct PatternMatcher {
    set: RegexSet,
    each: Vec<Regex>,
    /// Whether some pattern has a word boundary (`\b`, `\B`), which the set cannot follow
    /// quickly through non-ASCII text (found by text: a literal `\\b` only costs speed).
    boundaries: bool,
}

impl PatternMatcher {
    pub(crate) fn compile(patterns: &[String]) -> Result<Self, SettingsError> {
        if patterns.len() > PATTERNS_MAX {
            return Err(SettingsError::TooMany {
                what: "the pattern list",
                max: PATTERNS_MAX,
                len: patterns.len(),
            });
        }
        let each = patterns
            .iter()
            .map(|p| compile_pattern(p))
            .collect::<Result<Vec<_>, _>>()?;
        let set = RegexSetBuilder::new(patterns)
            .case_insensitive(true)
            .size_limit(PATTERN_SIZE_LIMIT * patterns.len().max(1))
            .dfa_size_limit(PATTERN_DFA_SIZE_LIMIT * patterns.len().max(1))
            .build()
            .map_err(|err| refusal(&patterns.join(" | "), &err))?;
        let boundaries = patterns
            .iter()
            .any(|p| p.contains("\\b") || p.contains("\\B"));
        Ok(Self {
            set,
            each,
            boundaries,
        })
    }

    /// The first pattern (in list order) that matches `text`, and where.
    pub(crate) fn find(&self, text: &str) -> Option<PatternFound> {
        // The set's lazy DFA answers in one pass, but it cannot follow a Unicode `\b` through
        // non-ASCII text and falls back to its slowest engine there (tens of µs for a line of
        // Russian); each pattern alone picks a faster linear engine for such text.
        let regex = if !self.boundaries || text.is_ascii() {
            if !self.set.is_match(text) {
                return None;
            }
            &self.each[self.set.matches(text).into_iter().next()?]
        } else {
            self.each.iter().find(|r| r.is_match(text))?
        };
        let span = regex.find(text)?.range();
        Some(PatternFound {
            pattern: regex.as_str().to_owned(),
            span,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_patterns_are_refused_with_a_sentence_naming_the_problem() {
        let err = |p: &str| compile_pattern(p).unwrap_err().to_string();
        assert_eq!(
            err("[a-"),
            "pattern `[a-` is not a valid regular expression: unclosed character class"
        );
        assert_eq!(
            err("a{2,1}"),
            "pattern `a{2,1}` is not a valid regular expression: invalid repetition count range, the start must be <= the end"
        );
        assert_eq!(
            err("a*"),
            "pattern `a*` matches an empty message, so it would match every message"
        );
        assert_eq!(
            err(r"\w{1000}\w{1000}"),
            "pattern `\\w{1000}\\w{1000}` is too complex: compiled it would take more than 256 KiB"
        );
        // Look-around and back-references are not in a linear-time engine's repertoire.
        assert!(
            err(r"(a)\1")
                .contains("not a valid regular expression: backreferences are not supported")
        );
    }

    #[test]
    fn pattern_length_is_probed_at_the_limit() {
        let at_limit = "a".repeat(PATTERN_MAX_CHARS);
        assert!(compile_pattern(&at_limit).is_ok());
        let over = "a".repeat(PATTERN_MAX_CHARS + 1);
        assert!(
            compile_pattern(&over)
                .unwrap_err()
                .to_string()
                .ends_with("is too long: patterns can be at most 300 characters")
        );
    }

    #[test]
    fn the_first_listed_pattern_that_matches_is_reported_with_its_span() {
        let list = vec![r"zz+".to_owned(), r"free\s*nitro".to_owned()];
        let matcher = PatternMatcher::compile(&list).unwrap();
        let found = matcher.find("get free nitro here").unwrap();
        assert_eq!(found.pattern, r"free\s*nitro");
        assert_eq!(found.span, 4..14);
        assert_eq!(matcher.find("nothing to see"), None);
    }

    #[test]
    fn word_boundaries_hold_in_other_scripts() {
        let list = vec![r"\bслово\b".to_owned(), r"\bspam\b".to_owned()];
        let matcher = PatternMatcher::compile(&list).unwrap();
        assert_eq!(matcher.find("это слово здесь").unwrap().span, 7..17);
        assert_eq!(matcher.find("словом"), None);
        assert_eq!(matcher.find("привет spam").unwrap().pattern, r"\bspam\b");
        assert_eq!(matcher.find("spam here").unwrap().span, 0..4);
        assert_eq!(matcher.find("spammer"), None);
        let without_boundaries = PatternMatcher::compile(&["сло+во".to_owned()]).unwrap();
        assert_eq!(without_boundaries.find("это слооово").unwrap().span, 7..21);
    }

    #[test]
    fn the_pattern_count_is_probed_at_the_limit() {
        let list = vec!["spam".to_owned(); PATTERNS_MAX];
        assert!(PatternMatcher::compile(&list).is_ok());
        let list = vec!["spam".to_owned(); PATTERNS_MAX + 1];
        assert_eq!(
            PatternMatcher::compile(&list).unwrap_err().to_string(),
            "the pattern list can hold at most 30; this one has 31"
        );
    }
}
