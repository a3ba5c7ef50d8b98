//! What can go wrong, in terms a caller can act on.

use std::time::Duration;

use hearth_core::{StoreError, Timestamp, format_duration_long};

use crate::{Denied, TicketNumber};

/// Why a ticket request was refused or failed.
///
/// Every variant but [`Error::Store`] is a refusal: nothing changed, and the message can be
/// shown to the member as it is. [`Error::Store`] is a fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The member may not do this to this ticket.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// No ticket with that number (or in that channel) in this guild.
    #[error("there is no such ticket here")]
    NotFound,
    /// The guild has no ticket category with that key.
    #[error("there is no ticket category `{key}` here")]
    UnknownCategory {
        /// The key asked for.
        key: String,
    },
    /// The member already has as many open tickets as allowed.
    #[error("you already have {max} open ticket{}; close one before opening another", if *max == 1 { "" } else { "s" })]
    TooManyOpen {
        /// The limit.
        max: u32,
    },
    /// The member opened as many tickets as allowed within the window.
    #[error("you can open {max} ticket{} per {}; try again <t:{}:R>", if *max == 1 { "" } else { "s" }, format_duration_long(*window), retry_at.unix_secs())]
    TooManyRecent {
        /// The limit.
        max: u32,
        /// The window.
        window: Duration,
        /// When the oldest open in the window leaves it.
        retry_at: Timestamp,
    },
    /// Someone already claimed it.
    #[error("<@{by}> has already claimed this ticket")]
    AlreadyClaimed {
        /// The claimer.
        by: hearth_core::UserId,
    },
    /// Nobody claimed it.
    #[error("nobody has claimed this ticket")]
    NotClaimed,
    /// A close request waits for the opener's answer.
    #[error("closing this ticket was already requested")]
    CloseRequested,
    /// A close request's delay outside its bounds.
    #[error("a close request can wait from {} to {}", format_duration_long(*min), format_duration_long(*max))]
    DelayOutOfRange {
        /// The shortest delay.
        min: Duration,
        /// The longest delay.
        max: Duration,
    },
    /// There is no close request to answer.
    #[error("nobody asked to close this ticket")]
    NoCloseRequest,
    /// The ticket is closed.
    #[error("ticket {number} is already closed")]
    AlreadyClosed {
        /// The ticket.
        number: TicketNumber,
    },
    /// The ticket is not closed (reopen, rate).
    #[error("ticket {number} is not closed")]
    NotClosed {
        /// The ticket.
        number: TicketNumber,
    },
    /// The ticket no longer waits in the queue (it got its channel meanwhile).
    #[error("ticket {number} has left the queue: it has its own channel now")]
    NotQueued {
        /// The ticket.
        number: TicketNumber,
    },
    /// The opener already rated it.
    #[error("you already rated this ticket")]
    AlreadyRated,
    /// A score outside 1–5.
    #[error("a rating is {min} to {max} stars, not {given}")]
    RatingOutOfRange {
        /// The lowest score.
        min: u8,
        /// The highest score.
        max: u8,
        /// What was given.
        given: i64,
    },
    /// A rating comment beyond its limit.
    #[error("a comment can be at most {max} characters; this one has {len}")]
    CommentTooLong {
        /// The limit.
        max: usize,
        /// Its length in characters.
        len: usize,
    },
    /// A required question of the category was left unanswered.
    #[error("please answer “{question}”")]
    AnswerRequired {
        /// The question.
        question: String,
    },
    /// A reason beyond its limit.
    #[error("a reason can be at most {max} characters; this one has {len}")]
    ReasonTooLong {
        /// The limit.
        max: usize,
        /// Its length in characters.
        len: usize,
    },
    /// Settings break a rule.
    #[error(transparent)]
    InvalidSettings(#[from] SettingsError),
    /// Another writer kept changing the ticket; nothing was written. Retrying is safe.
    #[error("the ticket kept changing while this ran; try again")]
    Contended,
    /// The store failed; nothing can be said about whether the change happened.
    #[error("the ticket store failed")]
    Store(#[source] StoreError),
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

/// Why ticket settings are refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A limit outside its range.
    #[error("{what} must be from {min} to {max}, not {given}")]
    OutOfRange {
        /// Which setting, as it reads in a sentence.
        what: &'static str,
        /// The least accepted.
        min: u64,
        /// The most accepted.
        max: u64,
        /// What was given.
        given: u64,
    },
    /// Too many categories.
    #[error("a server can have at most {max} ticket categories")]
    TooManyCategories {
        /// The limit.
        max: usize,
    },
    /// Two categories share a key.
    #[error("two ticket categories are both called `{key}`")]
    DuplicateCategory {
        /// The shared key.
        key: String,
    },
    /// A category key that is empty, too long or not `a-z0-9-_`.
    #[error("`{key}` can't name a category: use 1 to {max} lowercase letters, digits, - or _")]
    BadCategoryKey {
        /// The key.
        key: String,
        /// Its longest length.
        max: usize,
    },
    /// A text beyond Discord's limit for where it is shown.
    #[error("{what} can be at most {max} characters; this one has {len}")]
    TooLong {
        /// Which text.
        what: &'static str,
        /// The limit.
        max: usize,
        /// Its length.
        len: usize,
    },
    /// More questions than a modal can hold.
    #[error("a category can ask at most {max} questions (a Discord modal holds {max} inputs)")]
    TooManyQuestions {
        /// The limit.
        max: usize,
    },
    /// A text that must not be empty.
    #[error("{what} can't be empty")]
    Empty {
        /// Which text.
        what: &'static str,
    },
}
