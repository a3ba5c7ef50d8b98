//! What can go wrong, in terms a caller can act on.

use std::time::Duration;

use hearth_core::{StoreError, format_duration_long};

use crate::{BoostId, Multiplier};

/// Why a leveling request was refused or failed.
///
/// Every variant but [`Error::Store`] is a refusal: the request was wrong, nothing changed, and
/// the message can be shown to the admin or member as it is. [`Error::Store`] is a fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A multiplier that isn't a number like `2`, `1.5` or `1.25x`.
    #[error("`{text}` is not a multiplier; write it like 2, 1.5 or 1.25x")]
    NotAMultiplier {
        /// What was typed (cut to 32 characters).
        text: String,
    },
    /// An XP rate outside [`XP_RATE_MIN`](crate::XP_RATE_MIN)..=[`XP_RATE_MAX`](crate::XP_RATE_MAX).
    #[error("the XP rate goes from {min} to {max}, not {given}")]
    RateOutOfRange {
        /// The lowest rate.
        min: Multiplier,
        /// The highest rate.
        max: Multiplier,
        /// The rate given.
        given: Multiplier,
    },
    /// A boost outside [`BOOST_MIN`](crate::BOOST_MIN)..=[`BOOST_MAX`](crate::BOOST_MAX).
    #[error("a boost goes from {min} to {max}, not {given}")]
    BoostOutOfRange {
        /// The smallest boost.
        min: Multiplier,
        /// The largest boost.
        max: Multiplier,
        /// The boost given.
        given: Multiplier,
    },
    /// A boost duration outside [`BOOST_DURATION`](crate::BOOST_DURATION).
    #[error(
        "a boost runs from {} to {}, not {}",
        format_duration_long(*min),
        format_duration_long(*max),
        format_duration_long(*given)
    )]
    BoostDurationOutOfRange {
        /// The shortest run.
        min: Duration,
        /// The longest run.
        max: Duration,
        /// The duration given.
        given: Duration,
    },
    /// The guild already has [`BOOSTS_MAX`](crate::BOOSTS_MAX) boosts that have not ended.
    #[error("a server can have at most {max} boosts running or planned; stop one first")]
    TooManyBoosts {
        /// The limit.
        max: usize,
    },
    /// No boost with that id runs or is planned in this guild.
    #[error("there is no boost {id} in this server")]
    BoostNotFound {
        /// The id asked for.
        id: BoostId,
    },
    /// An XP amount outside what the operation accepts.
    #[error("an XP amount here goes from {min} to {max}, not {given}")]
    XpOutOfRange {
        /// The least accepted.
        min: i64,
        /// The most accepted ([`XP_MAX`](crate::XP_MAX)).
        max: i64,
        /// The amount given.
        given: i64,
    },
    /// A level outside what the operation accepts.
    #[error("a level here goes from {min} to {max}, not {given}")]
    LevelOutOfRange {
        /// The least accepted.
        min: u32,
        /// The most accepted ([`LEVEL_MAX`](crate::LEVEL_MAX)).
        max: u32,
        /// The level given.
        given: i64,
    },
    /// The guild already has [`LEVEL_ROLES_MAX`](crate::LEVEL_ROLES_MAX) level roles.
    #[error("a server can have at most {max} level roles; remove one first")]
    TooManyLevelRoles {
        /// The limit.
        max: usize,
    },
    /// No role is set for that level.
    #[error("no role is given at level {level}")]
    LevelRoleNotFound {
        /// The level asked for.
        level: u32,
    },
    /// An announcement template that is empty after trimming.
    #[error("a level-up message can't be empty")]
    TemplateEmpty,
    /// An announcement template longer than [`TEMPLATE_MAX_CHARS`](crate::TEMPLATE_MAX_CHARS).
    #[error("a level-up message can be at most {max} characters; this one has {len}")]
    TemplateTooLong {
        /// The limit.
        max: usize,
        /// The template's length in characters.
        len: usize,
    },
    /// More no-XP channels than [`NO_XP_CHANNELS_MAX`](crate::NO_XP_CHANNELS_MAX).
    #[error("at most {max} channels can be without XP; {len} were given")]
    TooManyNoXpChannels {
        /// The limit.
        max: usize,
        /// How many were given.
        len: usize,
    },
    /// More no-XP roles than [`NO_XP_ROLES_MAX`](crate::NO_XP_ROLES_MAX).
    #[error("at most {max} roles can be without XP; {len} were given")]
    TooManyNoXpRoles {
        /// The limit.
        max: usize,
        /// How many were given.
        len: usize,
    },
    /// A leaderboard page that doesn't exist.
    #[error("the leaderboard has pages 1 to {pages}, not {page}")]
    PageOutOfRange {
        /// The page asked for.
        page: i64,
        /// How many pages there are (at least 1: an empty leaderboard has one empty page).
        pages: u64,
    },
    /// An activity chart over more days than [`ACTIVITY_DAYS_MAX`](crate::ACTIVITY_DAYS_MAX),
    /// or none.
    #[error("activity covers 1 to {max} days, not {given}")]
    ActivityDaysOutOfRange {
        /// The limit.
        max: u32,
        /// The number of days asked for.
        given: u32,
    },
    /// The store failed; nothing can be said about whether the change happened.
    #[error("the leveling store failed")]
    Store(#[source] StoreError),
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}
