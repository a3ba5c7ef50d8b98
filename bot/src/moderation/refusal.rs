//! Moderation's refusals and the sentences members read for them: the one place they are
//! written.

use hearth_core::{ChannelId, DurationError, UserId, format_duration_long};
use hearth_moderation::{CaseNumber, Error, PolicyError};

use crate::interaction::{HandlerError, Refusal};

/// Why a moderation command or button changed nothing.
#[derive(Debug)]
#[non_exhaustive]
pub enum ModerationRefusal {
    /// The domain refused (a bad reason, a bad policy, no such warning).
    Domain(Error),
    /// The target is not a member of the server.
    NotAMember(UserId),
    /// The role hierarchy forbids it; the sentence names who is in the way.
    Hierarchy(String),
    /// `/clearwarnings` on a member with none.
    NoWarnings(UserId),
    /// The chosen mod log is not a text channel.
    ModLogNotText,
    /// The bot cannot post in the chosen mod log.
    CannotPostModLog(ChannelId),
    /// A duration option that is not one, or out of its bounds.
    BadDuration(DurationError),
    /// `delete_messages` outside 0–7 days.
    DeleteDays(i64),
    /// No case with this number in the server.
    NoSuchCase(CaseNumber),
    /// `/unban` for someone who is not banned.
    NotBanned(UserId),
    /// `/unmute` for someone who is not muted.
    NotMuted(UserId),
    /// Discord refused the bot (a permission it lacks, or the hierarchy).
    BotForbidden(String),
    /// `/lockdown` of a channel that is locked.
    AlreadyLocked(ChannelId),
    /// `/unlock` of a channel that is not locked.
    NotLocked(ChannelId),
}

impl Refusal for ModerationRefusal {
    fn sentence(&self) -> String {
        match self {
            Self::Domain(err) => domain_sentence(err),
            Self::NotAMember(user) => format!("<@{user}> isn't a member of this server."),
            Self::Hierarchy(sentence) => sentence.clone(),
            Self::NoWarnings(user) => format!("<@{user}> has no warnings to clear."),
            Self::ModLogNotText => "The mod log must be a text channel.".to_owned(),
            Self::CannotPostModLog(channel) => format!(
                "I can't post in <#{channel}>. Give me View Channel, Send Messages and Embed \
                 Links there, then try again."
            ),
            Self::BadDuration(err) => format!("That duration won't do: {err}."),
            Self::DeleteDays(days) => format!("delete_messages must be 0 to 7 days, not {days}."),
            Self::NoSuchCase(case) => format!("There is no case {case} in this server."),
            Self::NotBanned(user) => format!("<@{user}> isn't banned."),
            Self::NotMuted(user) => format!("<@{user}> isn't muted."),
            Self::BotForbidden(sentence) => sentence.clone(),
            Self::AlreadyLocked(channel) => format!("<#{channel}> is locked already."),
            Self::NotLocked(channel) => format!("<#{channel}> isn't locked."),
        }
    }
}

fn domain_sentence(err: &Error) -> String {
    match err {
        Error::ReasonEmpty => "A reason can't be empty.".to_owned(),
        Error::ReasonTooLong { max, len } => {
            format!("A reason can be at most {max} characters; this one has {len}.")
        }
        Error::WarningNotFound { case } => format!("That member has no warning {case}."),
        Error::InvalidPolicy(policy) => policy_sentence(policy),
        // Faults never reach here (see `From` below); a new variant gets a plain sentence.
        _ => "I can't do that.".to_owned(),
    }
}

fn policy_sentence(err: &PolicyError) -> String {
    match err {
        PolicyError::TooManySteps { max, len } => {
            format!("A policy can have at most {max} steps; this one has {len}.")
        }
        PolicyError::WarningsOutOfRange { max, warnings } => {
            format!("A step must wait for 1 to {max} warnings, not {warnings}.")
        }
        PolicyError::DuplicateStep { warnings } => {
            format!("Two steps both trigger at {warnings} warnings; keep one.")
        }
        PolicyError::TimeoutTooLong { max } => format!(
            "Timeouts go up to {}, Discord's limit.",
            format_duration_long(*max)
        ),
        PolicyError::ZeroDuration => "Durations in a policy must be longer than zero.".to_owned(),
        PolicyError::Unreadable { step } => {
            format!("`{step}` is not a step; write steps like `3 timeout 1h, 5 kick, 7 ban 7d`.")
        }
        _ => "That policy isn't valid.".to_owned(),
    }
}

impl From<ModerationRefusal> for HandlerError {
    fn from(refusal: ModerationRefusal) -> Self {
        Self::refusal(refusal)
    }
}

impl From<Error> for HandlerError {
    fn from(err: Error) -> Self {
        match err {
            Error::Store(_) => Self::fault(err),
            refusal => Self::refusal(ModerationRefusal::Domain(refusal)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_refusals_read_as_sentences() {
        let err = HandlerError::from(Error::ReasonTooLong { max: 512, len: 513 });
        let HandlerError::Refusal(refusal) = err else {
            panic!("a refusal")
        };
        assert_eq!(
            refusal.sentence(),
            "A reason can be at most 512 characters; this one has 513."
        );
    }

    #[test]
    fn a_store_failure_is_a_fault_not_a_refusal() {
        let err = HandlerError::from(Error::Store(hearth_core::StoreError::bare(
            hearth_core::StoreErrorKind::Unavailable,
            "test",
        )));
        assert!(matches!(err, HandlerError::Fault(_)));
    }
}
