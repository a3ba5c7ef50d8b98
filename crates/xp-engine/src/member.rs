//! A member's XP record, the changes admins make to it, leaderboard rows and daily activity.

use std::time::Duration;

use hearth_core::{GuildId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

use crate::{Error, LEVEL_MAX, Progress, XP_MAX, level_for, total_xp_for};

/// A member's XP in one guild, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MemberXp {
    /// The guild.
    pub guild: GuildId,
    /// The member.
    pub user: UserId,
    /// Total XP, 0 to [`XP_MAX`].
    pub xp: u64,
    /// How many messages earned XP (at most one a cooldown).
    pub messages: u64,
    /// The time of the message that last earned XP: the cooldown runs from it.
    pub last_grant_at: Option<Timestamp>,
}

impl MemberXp {
    /// A member who never earned anything: what a store reports for one it has no record of.
    pub const fn new(guild: GuildId, user: UserId) -> Self {
        Self {
            guild,
            user,
            xp: 0,
            messages: 0,
            last_grant_at: None,
        }
    }

    /// The member's level.
    pub fn level(&self) -> u32 {
        level_for(self.xp)
    }

    /// Where the member stands inside their level.
    pub fn progress(&self) -> Progress {
        Progress::of(self.xp)
    }
}

/// A conditional grant: store `amount` more XP only when the cooldown since the member's last
/// grant has passed. See [`XpStore::grant`](crate::XpStore::grant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GrantRequest {
    /// The guild.
    pub guild: GuildId,
    /// The member.
    pub user: UserId,
    /// The message's time (from its snowflake).
    pub at: Timestamp,
    /// The XP to add (already multiplied by rate and boost).
    pub amount: u64,
    /// The least time since the last grant ([`XP_COOLDOWN`](crate::XP_COOLDOWN)).
    pub cooldown: Duration,
}

impl GrantRequest {
    /// Whether a member last granted at `last` may be granted at this request's time: never
    /// granted, or `at ≥ last + cooldown` and `at > last` (so even a zero cooldown never
    /// grants a replay, which carries the same time). The reference rule every store follows.
    pub fn is_due(&self, last: Option<Timestamp>) -> bool {
        last.is_none_or(|last| self.at > last && self.at >= last.saturating_add(self.cooldown))
    }

    /// `before` with this grant applied (XP saturating at [`XP_MAX`]), or `None` when it is
    /// not due: the reference semantics every store follows.
    pub fn apply(&self, before: MemberXp) -> Option<MemberXp> {
        self.is_due(before.last_grant_at).then(|| MemberXp {
            xp: before.xp.saturating_add(self.amount).min(XP_MAX),
            messages: before.messages.saturating_add(1),
            last_grant_at: Some(self.at),
            ..before
        })
    }
}

/// What a [`GrantRequest`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GrantOutcome {
    /// Whether the XP was stored.
    pub granted: bool,
    /// The member as the store found them (a zero record for a member it had none of).
    pub before: MemberXp,
    /// The member as the grant left them; equal to `before` when nothing was granted.
    pub after: MemberXp,
}

/// An admin's change to a member's XP. Build it with the checked constructors, which take the
/// number as typed (`/addxp -5` arrives as `-5`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum XpChange {
    /// Set the XP to this (0 to [`XP_MAX`]).
    Set(u64),
    /// Add this much, saturating at [`XP_MAX`].
    Add(u64),
    /// Take this much away, stopping at 0.
    Remove(u64),
    /// Set XP and the message count to 0. The cooldown is kept, so a reset member does not
    /// earn again sooner; the member drops off the leaderboard.
    Reset,
}

impl XpChange {
    /// Sets the XP: 0 to [`XP_MAX`].
    ///
    /// # Errors
    ///
    /// [`Error::XpOutOfRange`] outside that range.
    pub fn set(xp: i64) -> Result<Self, Error> {
        checked(xp, 0).map(Self::Set)
    }

    /// Sets the XP to the total that reaches `level`: 0 to [`LEVEL_MAX`].
    ///
    /// # Errors
    ///
    /// [`Error::LevelOutOfRange`] outside that range.
    pub fn set_level(level: i64) -> Result<Self, Error> {
        let level = level_in(level, 0)?;
        Ok(Self::Set(total_xp_for(level)))
    }

    /// Adds XP: 1 to [`XP_MAX`] (a negative amount is refused, not taken away).
    ///
    /// # Errors
    ///
    /// [`Error::XpOutOfRange`] outside that range.
    pub fn add(xp: i64) -> Result<Self, Error> {
        checked(xp, 1).map(Self::Add)
    }

    /// Removes XP: 1 to [`XP_MAX`].
    ///
    /// # Errors
    ///
    /// [`Error::XpOutOfRange`] outside that range.
    pub fn remove(xp: i64) -> Result<Self, Error> {
        checked(xp, 1).map(Self::Remove)
    }

    /// `before` with this change applied: the reference semantics every store follows. The
    /// cooldown (`last_grant_at`) is never touched.
    pub fn apply(self, before: MemberXp) -> MemberXp {
        let (xp, messages) = match self {
            Self::Set(xp) => (xp.min(XP_MAX), before.messages),
            Self::Add(xp) => (before.xp.saturating_add(xp).min(XP_MAX), before.messages),
            Self::Remove(xp) => (before.xp.saturating_sub(xp), before.messages),
            Self::Reset => (0, 0),
        };
        MemberXp {
            xp,
            messages,
            ..before
        }
    }
}

/// [`XP_MAX`] as the `i64` an admin types (it fits: about 1.7·10¹²).
#[allow(clippy::cast_possible_wrap)]
const XP_MAX_I64: i64 = XP_MAX as i64;

fn checked(xp: i64, min: i64) -> Result<u64, Error> {
    if (min..=XP_MAX_I64).contains(&xp) {
        Ok(xp.unsigned_abs())
    } else {
        Err(Error::XpOutOfRange {
            min,
            max: XP_MAX_I64,
            given: xp,
        })
    }
}

/// Checks a level an admin typed: `min` to [`LEVEL_MAX`].
pub(crate) fn level_in(level: i64, min: u32) -> Result<u32, Error> {
    u32::try_from(level)
        .ok()
        .filter(|l| (min..=LEVEL_MAX).contains(l))
        .ok_or(Error::LevelOutOfRange {
            min,
            max: LEVEL_MAX,
            given: level,
        })
}

/// What an [`XpChange`] did, as the store returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Adjusted {
    /// The member before the change (a zero record for a member the store had none of).
    pub before: MemberXp,
    /// The member after it.
    pub after: MemberXp,
}

/// One row of a leaderboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ranked {
    /// The position, from 1.
    pub rank: u64,
    /// The member.
    pub user: UserId,
    /// Their XP (on the global leaderboard: summed over contributing guilds).
    pub xp: u64,
}

impl Ranked {
    /// The level that XP reaches.
    pub fn level(&self) -> u32 {
        level_for(self.xp)
    }
}

/// A day, UTC: whole days since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Day(pub i64);

impl Day {
    const MILLIS: i64 = 86_400_000;

    /// The UTC day `at` falls in.
    ///
    /// ```
    /// use hearth_core::Timestamp;
    /// use hearth_xp_engine::Day;
    ///
    /// assert_eq!(Day::of(Timestamp::from_unix_secs(86_399)), Day(0));
    /// assert_eq!(Day::of(Timestamp::from_unix_secs(86_400)), Day(1));
    /// assert_eq!(Day::of(Timestamp::from_unix_millis(-1)), Day(-1));
    /// ```
    pub const fn of(at: Timestamp) -> Self {
        Self(at.unix_millis().div_euclid(Self::MILLIS))
    }

    /// The day's first millisecond.
    pub const fn start(self) -> Timestamp {
        Timestamp::from_unix_millis(self.0.saturating_mul(Self::MILLIS))
    }
}

/// A guild's activity on one day, counted by the grants the store made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Activity {
    /// The day (UTC).
    pub day: Day,
    /// Messages that earned XP that day (at most one per member per cooldown).
    pub messages: u64,
    /// Members who earned XP that day.
    pub active_members: u64,
}

impl Activity {
    /// A day with nothing.
    pub const fn empty(day: Day) -> Self {
        Self {
            day,
            messages: 0,
            active_members: 0,
        }
    }

    /// This day with `outcome`'s grant counted: the reference semantics every store follows.
    /// A granted message counts one message, and one active member when it is the member's
    /// first grant of the day (their previous grant, if any, was on an earlier day; a grant is
    /// always later than the one before it).
    #[must_use]
    pub fn count(mut self, outcome: &GrantOutcome) -> Self {
        if outcome.granted {
            self.messages += 1;
            let first_today = outcome
                .before
                .last_grant_at
                .is_none_or(|last| Day::of(last) < self.day);
            if first_today {
                self.active_members += 1;
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUILD: GuildId = GuildId::new(1);
    const USER: UserId = UserId::new(2);

    fn request(secs: i64, cooldown: u64) -> GrantRequest {
        GrantRequest {
            guild: GUILD,
            user: USER,
            at: Timestamp::from_unix_secs(secs),
            amount: 20,
            cooldown: Duration::from_secs(cooldown),
        }
    }

    #[test]
    fn the_cooldown_runs_from_the_last_granted_message() {
        let last = Some(Timestamp::from_unix_secs(100));
        assert!(request(0, 60).is_due(None));
        assert!(!request(100, 60).is_due(last), "a replay");
        assert!(!request(159, 60).is_due(last));
        assert!(request(160, 60).is_due(last));
        assert!(!request(99, 60).is_due(last), "an older message");
        assert!(
            !request(100, 0).is_due(last),
            "a replay, even without cooldown"
        );
        assert!(request(101, 0).is_due(last));
    }

    #[test]
    fn grants_saturate_at_the_cap() {
        let before = MemberXp {
            xp: XP_MAX - 5,
            ..MemberXp::new(GUILD, USER)
        };
        let after = request(0, 60).apply(before).unwrap();
        assert_eq!((after.xp, after.messages), (XP_MAX, 1));
        assert_eq!(after.last_grant_at, Some(Timestamp::from_unix_secs(0)));
    }

    #[test]
    fn admin_amounts_are_probed() {
        let max = XP_MAX_I64;
        assert_eq!(XpChange::set(0).unwrap(), XpChange::Set(0));
        assert_eq!(XpChange::set(max).unwrap(), XpChange::Set(XP_MAX));
        assert_eq!(XpChange::add(1).unwrap(), XpChange::Add(1));
        for bad in [
            XpChange::set(-1),
            XpChange::set(max + 1),
            XpChange::add(0),
            XpChange::add(-99_999_999),
            XpChange::add(max + 1),
            XpChange::remove(0),
            XpChange::remove(i64::MIN),
        ] {
            assert!(matches!(bad, Err(Error::XpOutOfRange { max: m, .. }) if m == max));
        }
        let err = XpChange::add(-99_999_999).unwrap_err();
        assert_eq!(
            err.to_string(),
            "an XP amount here goes from 1 to 1668917425000, not -99999999"
        );
        assert_eq!(XpChange::set_level(10).unwrap(), XpChange::Set(4_675));
        assert!(XpChange::set_level(i64::from(LEVEL_MAX)).is_ok());
        assert!(matches!(
            XpChange::set_level(i64::from(LEVEL_MAX) + 1),
            Err(Error::LevelOutOfRange { given: 10_001, .. })
        ));
        assert!(XpChange::set_level(-1).is_err());
    }

    #[test]
    fn admin_changes_stay_within_bounds_and_keep_the_cooldown() {
        let before = MemberXp {
            xp: 500,
            messages: 7,
            last_grant_at: Some(Timestamp::from_unix_secs(9)),
            ..MemberXp::new(GUILD, USER)
        };
        assert_eq!(XpChange::Remove(600).apply(before).xp, 0);
        assert_eq!(XpChange::Add(u64::MAX).apply(before).xp, XP_MAX);
        assert_eq!(XpChange::Set(u64::MAX).apply(before).xp, XP_MAX);
        let reset = XpChange::Reset.apply(before);
        assert_eq!((reset.xp, reset.messages), (0, 0));
        assert_eq!(reset.last_grant_at, before.last_grant_at);
    }

    #[test]
    fn activity_counts_a_member_once_a_day() {
        let day = Day(20_000);
        let at = |ms: i64| Some(Timestamp::from_unix_millis(day.start().unix_millis() + ms));
        let outcome = |last, granted| GrantOutcome {
            granted,
            before: MemberXp {
                last_grant_at: last,
                ..MemberXp::new(GUILD, USER)
            },
            after: MemberXp::new(GUILD, USER),
        };
        let counted = Activity::empty(day)
            .count(&outcome(None, true))
            .count(&outcome(at(-1), true))
            .count(&outcome(at(0), true))
            .count(&outcome(at(5), false));
        assert_eq!(
            counted,
            Activity {
                day,
                messages: 3,
                active_members: 2
            }
        );
    }
}
