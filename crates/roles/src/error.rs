//! What can go wrong, in terms a caller can act on.

use std::time::Duration;

use hearth_core::{RoleId, StoreError, format_duration_long};

/// Why a roles request was refused or failed.
///
/// Every variant but [`Error::Store`] is a refusal: the request was wrong, nothing changed.
/// [`Error::Store`] is a fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not an emoji: neither `<:name:id>` nor a Unicode emoji.
    #[error("{0:?} is not an emoji")]
    BadEmoji(String),
    /// A menu title that is empty or too long.
    #[error("a title must have 1 to {max} characters; this one has {len}")]
    TitleLength {
        /// The limit.
        max: usize,
        /// The title's length.
        len: usize,
    },
    /// A label that is empty or too long.
    #[error("a label must have 1 to {max} characters; this one has {len}")]
    LabelLength {
        /// The limit.
        max: usize,
        /// The label's length.
        len: usize,
    },
    /// Too few or too many options for the menu's kind.
    #[error("a menu holds 1 to {max} roles; this one would hold {len}")]
    OptionCount {
        /// The limit.
        max: usize,
        /// The number of options.
        len: usize,
    },
    /// A reaction option without an emoji.
    #[error("role {role} needs an emoji")]
    EmojiMissing {
        /// The role.
        role: RoleId,
    },
    /// The same role twice in a menu.
    #[error("role {role} is in the menu twice")]
    DuplicateRole {
        /// The role.
        role: RoleId,
    },
    /// The same emoji twice in a menu.
    #[error("emoji {0} is in the menu twice")]
    DuplicateEmoji(String),
    /// A limit of zero roles.
    #[error("a limit must be at least 1")]
    ZeroLimit,
    /// More required roles than allowed.
    #[error("a menu can require at most {max} roles")]
    TooManyRequired {
        /// The limit.
        max: usize,
    },
    /// The message already carries a menu.
    #[error("that message already has a role menu")]
    MenuExists,
    /// No menu on that message.
    #[error("there is no role menu on that message")]
    MenuNotFound,
    /// The menu does not offer that role.
    #[error("the menu does not offer role {role}")]
    RoleNotInMenu {
        /// The role.
        role: RoleId,
    },
    /// The guild has the most autoroles already.
    #[error("a server can have at most {max} autoroles")]
    TooManyAutoroles {
        /// The limit.
        max: usize,
    },
    /// A delay longer than allowed.
    #[error("an autorole's delay can be at most {}", format_duration_long(*max))]
    DelayTooLong {
        /// The limit.
        max: Duration,
    },
    /// The role is not an autorole of the guild.
    #[error("role {role} is not an autorole")]
    NotAnAutorole {
        /// The role.
        role: RoleId,
    },
    /// The store failed; nothing can be said about whether the change happened.
    #[error("the roles store failed")]
    Store(#[source] StoreError),
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}
