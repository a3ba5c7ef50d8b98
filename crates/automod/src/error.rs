//! What can go wrong, in terms a caller can act on.

use std::time::Duration;

use hearth_core::{StoreError, format_duration_long};

/// Why automod settings are refused. Every message is a sentence staff can be shown as it is;
/// nothing was saved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A number outside its allowed range.
    #[error("{what} must be {min} to {max}, not {value}")]
    OutOfRange {
        /// What the number is, e.g. `the message-rate count`.
        what: &'static str,
        /// The least allowed.
        min: u64,
        /// The most allowed.
        max: u64,
        /// What was given.
        value: u64,
    },
    /// A list longer than allowed.
    #[error("{what} can hold at most {max}; this one has {len}")]
    TooMany {
        /// What the list is, e.g. `the word list`.
        what: &'static str,
        /// The limit.
        max: usize,
        /// The list's length.
        len: usize,
    },
    /// A word longer than [`WORD_MAX_CHARS`](crate::WORD_MAX_CHARS).
    #[error("`{word}` is too long: words can be at most {max} characters")]
    WordTooLong {
        /// The word (cut short).
        word: String,
        /// The limit.
        max: usize,
    },
    /// A word that has no letters or digits once normalised.
    #[error("`{word}` has no letters or digits, so it would match nothing")]
    WordEmpty {
        /// The word as given.
        word: String,
    },
    /// A wildcard word with too few letters besides the `*`s.
    #[error(
        "`{word}` needs at least {min} letters besides the `*`, or it would match almost anything"
    )]
    WildcardTooLoose {
        /// The word as given.
        word: String,
        /// The least number of letters.
        min: usize,
    },
    /// A pattern longer than [`PATTERN_MAX_CHARS`](crate::PATTERN_MAX_CHARS).
    #[error("pattern `{pattern}` is too long: patterns can be at most {max} characters")]
    PatternTooLong {
        /// The pattern (cut short).
        pattern: String,
        /// The limit.
        max: usize,
    },
    /// A pattern that is not a valid regular expression.
    #[error("pattern `{pattern}` is not a valid regular expression: {problem}")]
    PatternInvalid {
        /// The pattern.
        pattern: String,
        /// What the parser said, in one line.
        problem: String,
    },
    /// A pattern whose compiled form would exceed [`PATTERN_SIZE_LIMIT`](crate::PATTERN_SIZE_LIMIT).
    #[error("pattern `{pattern}` is too complex: compiled it would take more than {limit_kib} KiB")]
    PatternTooComplex {
        /// The pattern.
        pattern: String,
        /// The limit in KiB.
        limit_kib: usize,
    },
    /// A pattern that matches an empty message, and so every message.
    #[error("pattern `{pattern}` matches an empty message, so it would match every message")]
    PatternMatchesEverything {
        /// The pattern.
        pattern: String,
    },
    /// Something that is not a domain name in a link list.
    #[error("`{domain}` is not a domain name (write it like `example.com`)")]
    BadDomain {
        /// What was given.
        domain: String,
    },
    /// Something that is not an invite code in the allowed invites.
    #[error("`{code}` is not an invite code (write it like `hearth` or `discord.gg/hearth`)")]
    BadInviteCode {
        /// What was given.
        code: String,
    },
    /// A timeout, ban or window of zero length.
    #[error("durations must be longer than zero")]
    ZeroDuration,
    /// A timeout longer than Discord allows.
    #[error("timeouts go up to {}", format_duration_long(*max))]
    TimeoutTooLong {
        /// Discord's limit, 28 days.
        max: Duration,
    },
    /// An escalation window longer than [`ESCALATION_WINDOW_MAX`](crate::ESCALATION_WINDOW_MAX).
    #[error("escalation counts violations over at most {}", format_duration_long(*max))]
    WindowTooLong {
        /// The limit.
        max: Duration,
    },
    /// An escalation threshold outside 1 to [`ESCALATION_VIOLATIONS_MAX`](crate::ESCALATION_VIOLATIONS_MAX).
    #[error("an escalation step must wait for 1 to {max} violations, not {violations}")]
    ViolationsOutOfRange {
        /// The limit.
        max: u32,
        /// What was given.
        violations: u32,
    },
    /// Two escalation steps with the same threshold and window.
    #[error("two escalation steps both trigger at {violations} violations in the same time")]
    DuplicateStep {
        /// The shared threshold.
        violations: u32,
    },
    /// An escalation step whose action is "log only", which would do nothing.
    #[error("an escalation step must do something: warn, time out, kick or ban")]
    EscalationLogOnly,
}

/// Why an automod request failed.
///
/// [`Error::Settings`] is a refusal (nothing changed; show the sentence); [`Error::Store`] is a
/// fault; [`Error::Busy`] means the settings kept changing under the request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The settings after the change would be invalid.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// Other writers changed the settings every time this change was tried.
    #[error("the automod settings changed {attempts} times while saving; try again")]
    Busy {
        /// How many times the change was tried.
        attempts: u32,
    },
    /// The store failed; nothing can be said about whether the change happened.
    #[error("the automod store failed")]
    Store(#[source] StoreError),
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}
