//! Warnings: the model, the reason rules and the listing order.

use std::{cmp::Ordering, fmt};

use hearth_core::{GuildId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

use crate::Error;

/// The longest reason a moderator can give, in characters: Discord's audit-log reason limit,
/// so the same text can go into the audit log unchanged.
///
/// See Discord Docs/Audit Log Resource, "Audit Log Entry Object" (`reason`, 1–512 characters).
pub const REASON_MAX_CHARS: usize = 512;

/// A moderation case number: sequential per guild, starting at 1, never reused.
///
/// Warnings take their number from the same per-guild counter that later moderation actions
/// (kicks, bans, timeouts) will use, so a guild's mod log reads #1, #2, #3 … without gaps
/// other than removed cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseNumber(pub u64);

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The request a warning was given in: with Discord, the interaction's id (a snowflake).
///
/// It is the warning's idempotency key, unique per guild: storing a warning whose request a
/// guild already holds a warning for is a replay, which stores nothing and returns the original
/// (see [`WarningStore::add_warning`](crate::WarningStore::add_warning)). A retried or
/// replayed interaction, in this process or another, therefore warns once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A moderator's reason, trimmed and checked: 1 to [`REASON_MAX_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reason(String);

impl Reason {
    /// Checks a reason as a moderator typed it; white space around it is dropped.
    ///
    /// ```
    /// use hearth_moderation::{Error, REASON_MAX_CHARS, Reason};
    ///
    /// assert_eq!(Reason::parse("  spamming ").unwrap().as_str(), "spamming");
    /// assert!(matches!(Reason::parse("   "), Err(Error::ReasonEmpty)));
    /// let long = "x".repeat(REASON_MAX_CHARS + 1);
    /// assert!(matches!(Reason::parse(&long), Err(Error::ReasonTooLong { max: 512, len: 513 })));
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ReasonEmpty`] when nothing but white space is left, [`Error::ReasonTooLong`]
    /// when more than [`REASON_MAX_CHARS`] characters are.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(Error::ReasonEmpty);
        }
        let len = trimmed.chars().count();
        if len > REASON_MAX_CHARS {
            return Err(Error::ReasonTooLong {
                max: REASON_MAX_CHARS,
                len,
            });
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The reason's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The reason's text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A warning a moderator gave a member, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Its case number in the guild.
    pub case: CaseNumber,
    /// The guild it was given in.
    pub guild: GuildId,
    /// The member who was warned.
    pub user: UserId,
    /// The moderator who gave it.
    pub moderator: UserId,
    /// Why. Warnings written by older bots may hold any text here, so it is a plain string.
    pub reason: String,
    /// When it was given.
    pub created_at: Timestamp,
}

/// A warning about to be stored; the store assigns its case number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWarning {
    /// The guild it is given in.
    pub guild: GuildId,
    /// The member being warned.
    pub user: UserId,
    /// The moderator giving it.
    pub moderator: UserId,
    /// Why.
    pub reason: Reason,
    /// When it is given.
    pub created_at: Timestamp,
    /// The request it is given in: a second warning with the same request in the same guild
    /// is a replay of this one.
    pub request: RequestId,
}

impl NewWarning {
    /// The stored warning this becomes under `case`.
    pub fn with_case(self, case: CaseNumber) -> Warning {
        Warning {
            case,
            guild: self.guild,
            user: self.user,
            moderator: self.moderator,
            reason: self.reason.into_string(),
            created_at: self.created_at,
        }
    }
}

/// The listing order: newest first; between warnings given in the same millisecond, the higher
/// case number (the later one) first.
pub(crate) fn newest_first(a: &Warning, b: &Warning) -> Ordering {
    b.created_at.cmp(&a.created_at).then(b.case.cmp(&a.case))
}

/// Sorts warnings newest first, ties broken by the higher case number first — the order every
/// store returns and `/warnings` shows.
pub fn sort_newest_first(warnings: &mut [Warning]) {
    warnings.sort_by(newest_first);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_length_is_probed_at_its_limits() {
        assert!(matches!(Reason::parse(""), Err(Error::ReasonEmpty)));
        assert_eq!(Reason::parse("x").unwrap().as_str(), "x");
        let max = "é".repeat(REASON_MAX_CHARS);
        assert_eq!(Reason::parse(&max).unwrap().as_str(), max);
        let over = "é".repeat(REASON_MAX_CHARS + 1);
        assert!(matches!(
            Reason::parse(&over),
            Err(Error::ReasonTooLong { max: REASON_MAX_CHARS, len }) if len == REASON_MAX_CHARS + 1
        ));
        // Surrounding white space does not count against the limit.
        assert!(Reason::parse(&format!("  {max}\n")).is_ok());
    }

    #[test]
    fn newest_first_breaks_ties_by_case() {
        let at = |case, secs| Warning {
            case: CaseNumber(case),
            guild: GuildId::new(1),
            user: UserId::new(2),
            moderator: UserId::new(3),
            reason: "r".into(),
            created_at: Timestamp::from_unix_secs(secs),
        };
        let mut list = vec![at(1, 10), at(3, 20), at(2, 20), at(4, 5)];
        sort_newest_first(&mut list);
        let cases: Vec<u64> = list.iter().map(|w| w.case.0).collect();
        assert_eq!(cases, [3, 2, 1, 4]);
    }
}
