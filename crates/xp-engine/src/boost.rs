//! Timed XP boosts: "double XP this weekend", everywhere or in one channel or for one role.
//!
//! **How boosts combine: the highest applies.** When several boosts cover a message, the
//! message gets the largest multiplier among them, never their product or sum: a 2× weekend
//! and a 3× boost for `#events` give 3× in `#events` and 2× elsewhere. Admins can then reason
//! about one number, and stacking boosts can't run XP away. The boost multiplies on top of the
//! guild's XP rate.

use std::{fmt, time::Duration};

use hearth_core::{ChannelId, DurationBounds, GuildId, RoleId, Timestamp};
use serde::{Deserialize, Serialize};

use crate::{Error, Multiplier};

/// The smallest boost: 1.1× (a boost of 1× or less does nothing a boost is for).
pub const BOOST_MIN: Multiplier = Multiplier::from_percent(110);
/// The largest boost: 10×.
pub const BOOST_MAX: Multiplier = Multiplier::from_percent(1_000);
/// How long a boost may run: one minute to 30 days.
pub const BOOST_DURATION: DurationBounds = DurationBounds {
    min: Duration::from_secs(60),
    max: Duration::from_secs(30 * 86_400),
    what: "an XP boost",
};
/// How many boosts a guild may have that have not ended yet (running or scheduled).
pub const BOOSTS_MAX: usize = 25;

/// A boost's id: with Discord, the id of the interaction that started it (a snowflake), so a
/// retried interaction starts the same boost once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BoostId(pub u64);

impl fmt::Display for BoostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a boost applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum BoostScope {
    /// Every message in the guild.
    Guild,
    /// Messages in this channel.
    Channel(ChannelId),
    /// Messages from members with this role.
    Role(RoleId),
}

/// A boost as an admin asks for it; [`NewBoost::check`] turns it into a [`Boost`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewBoost {
    /// Its id (the interaction's).
    pub id: BoostId,
    /// The guild.
    pub guild: GuildId,
    /// The factor, [`BOOST_MIN`] to [`BOOST_MAX`].
    pub multiplier: Multiplier,
    /// When it starts (usually the interaction's time).
    pub starts_at: Timestamp,
    /// How long it runs, within [`BOOST_DURATION`].
    pub duration: Duration,
    /// Where it applies.
    pub scope: BoostScope,
}

impl NewBoost {
    /// Checks the multiplier and duration.
    ///
    /// # Errors
    ///
    /// [`Error::BoostOutOfRange`] for a multiplier outside [`BOOST_MIN`]..=[`BOOST_MAX`] (0×
    /// and 1000× among them); [`Error::BoostDurationOutOfRange`] for a duration outside
    /// [`BOOST_DURATION`].
    pub fn check(self) -> Result<Boost, Error> {
        if !(BOOST_MIN..=BOOST_MAX).contains(&self.multiplier) {
            return Err(Error::BoostOutOfRange {
                min: BOOST_MIN,
                max: BOOST_MAX,
                given: self.multiplier,
            });
        }
        if !(BOOST_DURATION.min..=BOOST_DURATION.max).contains(&self.duration) {
            return Err(Error::BoostDurationOutOfRange {
                min: BOOST_DURATION.min,
                max: BOOST_DURATION.max,
                given: self.duration,
            });
        }
        Ok(Boost {
            id: self.id,
            guild: self.guild,
            multiplier: self.multiplier,
            starts_at: self.starts_at,
            ends_at: self.starts_at.saturating_add(self.duration),
            scope: self.scope,
        })
    }
}

/// A checked boost: it covers messages sent from `starts_at` (inclusive) to `ends_at`
/// (exclusive) within its scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Boost {
    /// Its id.
    pub id: BoostId,
    /// The guild.
    pub guild: GuildId,
    /// The factor.
    pub multiplier: Multiplier,
    /// The first moment it applies.
    pub starts_at: Timestamp,
    /// The first moment it no longer applies.
    pub ends_at: Timestamp,
    /// Where it applies.
    pub scope: BoostScope,
}

impl Boost {
    /// Whether it covers a message sent at `at` in `channel` by a member with `roles`.
    pub fn covers(&self, at: Timestamp, channel: ChannelId, roles: &[RoleId]) -> bool {
        let in_window = self.starts_at <= at && at < self.ends_at;
        in_window
            && match self.scope {
                BoostScope::Guild => true,
                BoostScope::Channel(c) => c == channel,
                BoostScope::Role(r) => roles.contains(&r),
            }
    }

    /// Whether it has ended by `now`.
    pub fn has_ended(&self, now: Timestamp) -> bool {
        self.ends_at <= now
    }
}

/// The boost a message gets: the highest multiplier among the boosts covering it, or 1× when
/// none does (see the module docs for why the highest, not the product).
///
/// ```
/// use hearth_core::{ChannelId, GuildId, Timestamp};
/// use hearth_xp_engine::{BoostId, BoostScope, Multiplier, NewBoost, boost_for};
/// use std::time::Duration;
///
/// let boost = |id, percent, scope| NewBoost {
///     id: BoostId(id),
///     guild: GuildId::new(1),
///     multiplier: Multiplier::from_percent(percent),
///     starts_at: Timestamp::from_unix_secs(0),
///     duration: Duration::from_secs(3_600),
///     scope,
/// }
/// .check()
/// .unwrap();
/// let events = ChannelId::new(7);
/// let boosts = [boost(1, 200, BoostScope::Guild), boost(2, 300, BoostScope::Channel(events))];
/// let at = Timestamp::from_unix_secs(60);
/// assert_eq!(boost_for(&boosts, at, events, &[]).to_string(), "3×");
/// assert_eq!(boost_for(&boosts, at, ChannelId::new(8), &[]).to_string(), "2×");
/// assert_eq!(boost_for(&boosts, Timestamp::from_unix_secs(3_600), events, &[]).to_string(), "1×");
/// ```
pub fn boost_for(
    boosts: &[Boost],
    at: Timestamp,
    channel: ChannelId,
    roles: &[RoleId],
) -> Multiplier {
    boosts
        .iter()
        .filter(|b| b.covers(at, channel, roles))
        .map(|b| b.multiplier)
        .max()
        .unwrap_or(Multiplier::ONE)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUILD: GuildId = GuildId::new(1);
    const CHANNEL: ChannelId = ChannelId::new(10);
    const ROLE: RoleId = RoleId::new(20);

    fn new(percent: u32, secs: u64, scope: BoostScope) -> NewBoost {
        NewBoost {
            id: BoostId(1),
            guild: GUILD,
            multiplier: Multiplier::from_percent(percent),
            starts_at: Timestamp::from_unix_secs(1_000),
            duration: Duration::from_secs(secs),
            scope,
        }
    }

    #[test]
    fn multiplier_bounds_are_probed() {
        for percent in [
            0,
            100,
            BOOST_MIN.percent() - 1,
            BOOST_MAX.percent() + 1,
            100_000,
        ] {
            let err = new(percent, 60, BoostScope::Guild).check().unwrap_err();
            assert!(
                matches!(err, Error::BoostOutOfRange { min: BOOST_MIN, max: BOOST_MAX, given }
                    if given.percent() == percent),
                "{percent}: {err:?}"
            );
        }
        assert!(
            new(BOOST_MIN.percent(), 60, BoostScope::Guild)
                .check()
                .is_ok()
        );
        assert!(
            new(BOOST_MAX.percent(), 60, BoostScope::Guild)
                .check()
                .is_ok()
        );
        let thousand = new(100_000, 60, BoostScope::Guild).check().unwrap_err();
        assert_eq!(
            thousand.to_string(),
            "a boost goes from 1.1× to 10×, not 1000×"
        );
    }

    #[test]
    fn duration_bounds_are_probed() {
        let min = BOOST_DURATION.min.as_secs();
        let max = BOOST_DURATION.max.as_secs();
        for secs in [0, min - 1, max + 1] {
            assert!(matches!(
                new(200, secs, BoostScope::Guild).check(),
                Err(Error::BoostDurationOutOfRange { given, .. }) if given.as_secs() == secs
            ));
        }
        assert!(new(200, min, BoostScope::Guild).check().is_ok());
        let longest = new(200, max, BoostScope::Guild).check().unwrap();
        assert_eq!(
            longest.ends_at,
            Timestamp::from_unix_secs(1_000 + 30 * 86_400)
        );
    }

    #[test]
    fn a_boost_covers_its_window_start_inclusive_end_exclusive() {
        let boost = new(200, 60, BoostScope::Guild).check().unwrap();
        let at = Timestamp::from_unix_millis;
        assert!(!boost.covers(at(999_999), CHANNEL, &[]));
        assert!(boost.covers(at(1_000_000), CHANNEL, &[]));
        assert!(boost.covers(at(1_059_999), CHANNEL, &[]));
        assert!(!boost.covers(at(1_060_000), CHANNEL, &[]));
        assert!(boost.has_ended(at(1_060_000)));
        assert!(!boost.has_ended(at(1_059_999)));
    }

    #[test]
    fn scopes_limit_a_boost_to_a_channel_or_role() {
        let at = Timestamp::from_unix_secs(1_010);
        let channel = new(200, 60, BoostScope::Channel(CHANNEL)).check().unwrap();
        assert!(channel.covers(at, CHANNEL, &[]));
        assert!(!channel.covers(at, ChannelId::new(11), &[ROLE]));
        let role = new(200, 60, BoostScope::Role(ROLE)).check().unwrap();
        assert!(role.covers(at, ChannelId::new(11), &[RoleId::new(5), ROLE]));
        assert!(!role.covers(at, CHANNEL, &[RoleId::new(5)]));
    }

    #[test]
    fn overlapping_boosts_give_the_highest_not_the_product() {
        let at = Timestamp::from_unix_secs(1_010);
        let boosts = [
            new(200, 60, BoostScope::Guild).check().unwrap(),
            new(300, 60, BoostScope::Role(ROLE)).check().unwrap(),
            new(150, 60, BoostScope::Channel(CHANNEL)).check().unwrap(),
        ];
        assert_eq!(boost_for(&boosts, at, CHANNEL, &[ROLE]).percent(), 300);
        assert_eq!(boost_for(&boosts, at, CHANNEL, &[]).percent(), 200);
        assert_eq!(boost_for(&boosts[2..], at, CHANNEL, &[]).percent(), 150);
        assert_eq!(boost_for(&[], at, CHANNEL, &[]), Multiplier::ONE);
    }
}
