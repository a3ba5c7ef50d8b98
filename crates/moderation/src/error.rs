//! What can go wrong, in terms a caller can act on.

use std::time::Duration;

use hearth_core::{StoreError, format_duration_long};

use crate::CaseNumber;

/// Why a moderation request was refused or failed.
///
/// Every variant but [`Error::Store`] is a refusal: the request was wrong, nothing changed, and
/// the message can be shown to the moderator as it is. [`Error::Store`] is a fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The reason is empty after trimming white space.
    #[error("a reason can't be empty")]
    ReasonEmpty,
    /// The reason is longer than [`REASON_MAX_CHARS`](crate::REASON_MAX_CHARS).
    #[error("a reason can be at most {max} characters; this one has {len}")]
    ReasonTooLong {
        /// The limit.
        max: usize,
        /// The reason's length in characters.
        len: usize,
    },
    /// The member has no warning with that case number in this guild.
    #[error("that member has no warning {case}")]
    WarningNotFound {
        /// The case number asked for.
        case: CaseNumber,
    },
    /// An escalation policy breaks a rule.
    #[error(transparent)]
    InvalidPolicy(#[from] PolicyError),
    /// The store failed; nothing can be said about whether the change happened.
    #[error("the moderation store failed")]
    Store(#[source] StoreError),
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

/// Why an escalation policy is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// More steps than [`ESCALATION_STEPS_MAX`](crate::ESCALATION_STEPS_MAX).
    #[error("a policy can have at most {max} steps; this one has {len}")]
    TooManySteps {
        /// The limit.
        max: usize,
        /// The number of steps given.
        len: usize,
    },
    /// A threshold outside 1 to [`ESCALATION_WARNINGS_MAX`](crate::ESCALATION_WARNINGS_MAX).
    #[error("a step must wait for 1 to {max} warnings, not {warnings}")]
    WarningsOutOfRange {
        /// The limit.
        max: u32,
        /// The threshold given.
        warnings: u32,
    },
    /// Two steps have the same threshold and window.
    #[error("two steps both trigger at {warnings} warnings")]
    DuplicateStep {
        /// The shared threshold.
        warnings: u32,
    },
    /// A timeout longer than Discord allows.
    #[error("timeouts go up to {}", format_duration_long(*max))]
    TimeoutTooLong {
        /// Discord's limit, 28 days.
        max: Duration,
    },
    /// A timeout, ban or window of zero length.
    #[error("durations in a policy must be longer than zero")]
    ZeroDuration,
    /// A step written in a way [`EscalationPolicy::parse`](crate::EscalationPolicy::parse)
    /// does not read.
    #[error("`{step}` is not a step; write steps like `3 timeout 1h, 5 kick, 7 ban 7d`")]
    Unreadable {
        /// The step as written.
        step: String,
    },
}
