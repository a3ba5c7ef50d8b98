//! The MEE6 curve: how much XP each level takes.
//!
//! Going from level `L` to `L + 1` takes `5·L² + 50·L + 100` XP, `L` being the *current* level:
//! 100 XP from level 0 to 1, 155 from 1 to 2, 220 from 2 to 3. The total to reach level `L` is
//! the sum of the steps below it, `5·(L−1)·L·(2L−1)/6 + 25·L·(L−1) + 100·L`. Everything is
//! computed in integers (in `u128` inside, so nothing overflows) and saturates at `u64::MAX`.

use serde::{Deserialize, Serialize};

/// The highest level a member can reach: XP is capped at [`XP_MAX`], the total for this level.
///
/// At 20 XP a minute that is about 160,000 years of chatting, so no member meets the cap by
/// talking; it bounds what an admin can set and keeps every total well inside a signed 64-bit
/// integer, which is what SQLite and MongoDB store.
pub const LEVEL_MAX: u32 = 10_000;

/// The most XP a member can hold: the total to reach [`LEVEL_MAX`] (1,668,917,425,000).
/// Grants and admin changes saturate here.
pub const XP_MAX: u64 = total_xp_for(LEVEL_MAX);

/// The XP it takes to go from `level` to `level + 1`: `5·L² + 50·L + 100`.
///
/// ```
/// use hearth_xp_engine::xp_to_next_level;
///
/// assert_eq!(xp_to_next_level(0), 100);
/// assert_eq!(xp_to_next_level(2), 220);
/// ```
pub const fn xp_to_next_level(level: u32) -> u64 {
    let l = level as u128;
    saturate(5 * l * l + 50 * l + 100)
}

/// The total XP a member needs to reach `level` from zero (0 for level 0), saturating at
/// `u64::MAX` for levels no `u64` can hold (above about 2.2 million).
///
/// ```
/// use hearth_xp_engine::total_xp_for;
///
/// assert_eq!(total_xp_for(1), 100);
/// assert_eq!(total_xp_for(10), 4_675);
/// assert_eq!(total_xp_for(100), 1_899_250);
/// ```
pub const fn total_xp_for(level: u32) -> u64 {
    saturate(total_u128(level))
}

const fn total_u128(level: u32) -> u128 {
    if level == 0 {
        return 0;
    }
    let l = level as u128;
    // (L−1)·L·(2L−1) is always divisible by 6: it is 6·Σk² for k < L.
    5 * ((l - 1) * l * (2 * l - 1) / 6) + 25 * l * (l - 1) + 100 * l
}

// `u64::try_from` is not `const`; the branch makes the cast lossless.
#[allow(clippy::cast_possible_truncation)]
const fn saturate(xp: u128) -> u64 {
    if xp > u64::MAX as u128 {
        u64::MAX
    } else {
        xp as u64
    }
}

/// The level a member with `xp` total XP has: the highest level whose total is at most `xp`.
///
/// ```
/// use hearth_xp_engine::level_for;
///
/// assert_eq!(level_for(99), 0);
/// assert_eq!(level_for(100), 1);
/// assert_eq!(level_for(4_674), 9);
/// assert_eq!(level_for(4_675), 10);
/// ```
pub fn level_for(xp: u64) -> u32 {
    // total_u128(LEVEL_SEARCH_END) > u64::MAX, so the answer lies in [0, LEVEL_SEARCH_END).
    const LEVEL_SEARCH_END: u32 = 2_300_000;
    let xp = u128::from(xp);
    let (mut low, mut high) = (0_u32, LEVEL_SEARCH_END);
    // Invariant: total(low) <= xp < total(high).
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if total_u128(mid) <= xp {
            low = mid;
        } else {
            high = mid;
        }
    }
    low
}

/// Where a member stands inside their level: what a rank card draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Progress {
    /// The member's total XP.
    pub total: u64,
    /// The level that total reaches.
    pub level: u32,
    /// XP earned since reaching `level`.
    pub into_level: u64,
    /// XP the step from `level` to `level + 1` takes (`into_level` is always below it).
    pub level_span: u64,
}

impl Progress {
    /// The progress of a member with `total` XP.
    ///
    /// ```
    /// use hearth_xp_engine::Progress;
    ///
    /// let p = Progress::of(300);
    /// assert_eq!((p.level, p.into_level, p.level_span), (2, 45, 220));
    /// assert_eq!(p.to_next_level(), 175);
    /// ```
    pub fn of(total: u64) -> Self {
        let level = level_for(total);
        Self {
            total,
            level,
            into_level: total - total_xp_for(level),
            level_span: xp_to_next_level(level),
        }
    }

    /// XP still missing to reach the next level.
    pub fn to_next_level(&self) -> u64 {
        self.level_span - self.into_level
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn totals_match_mee6s_published_table() {
        let table = [
            (0, 0, 100),
            (1, 100, 155),
            (2, 255, 220),
            (5, 1_150, 475),
            (10, 4_675, 1_100),
            (20, 23_850, 3_100),
            (30, 67_525, 6_100),
            (50, 268_375, 15_100),
            (100, 1_899_250, 55_100),
        ];
        for (level, total, to_next) in table {
            assert_eq!(total_xp_for(level), total, "total for level {level}");
            assert_eq!(xp_to_next_level(level), to_next, "step from level {level}");
            assert_eq!(level_for(total), level);
            assert_eq!(level_for(total + to_next - 1), level);
            assert_eq!(level_for(total + to_next), level + 1);
        }
    }

    #[test]
    fn level_two_takes_255_not_270() {
        // The earlier plan's table said 270; the formula says 100 + 155.
        assert_eq!(total_xp_for(2), 255);
    }

    #[test]
    fn level_ten_thousand_is_exact() {
        // Σ_{k<10000} (5k² + 50k + 100), summed step by step.
        let summed: u64 = (0..LEVEL_MAX).map(xp_to_next_level).sum();
        assert_eq!(summed, 1_668_917_425_000);
        assert_eq!(total_xp_for(LEVEL_MAX), summed);
        assert_eq!(XP_MAX, summed);
        assert_eq!(level_for(XP_MAX), LEVEL_MAX);
        assert_eq!(level_for(XP_MAX - 1), LEVEL_MAX - 1);
        assert!(i64::try_from(XP_MAX).is_ok());
    }

    #[test]
    fn the_extremes_saturate_instead_of_overflowing() {
        assert_eq!(total_xp_for(u32::MAX), u64::MAX);
        assert_eq!(xp_to_next_level(u32::MAX), u64::MAX);
        let top = level_for(u64::MAX);
        assert!(total_u128(top) <= u128::from(u64::MAX));
        assert_eq!(total_xp_for(top + 1), u64::MAX);
        assert!(total_u128(top + 1) > u128::from(u64::MAX));
        let p = Progress::of(u64::MAX);
        assert_eq!(p.level, top);
        assert!(p.into_level < p.level_span);
    }

    #[test]
    fn progress_at_a_level_boundary_starts_from_zero() {
        assert_eq!(
            Progress::of(4_675),
            Progress {
                total: 4_675,
                level: 10,
                into_level: 0,
                level_span: 1_100
            }
        );
        assert_eq!(Progress::of(0).to_next_level(), 100);
    }

    proptest! {
        #[test]
        fn level_for_inverts_total_xp_for(level in 0..=LEVEL_MAX * 200) {
            prop_assert_eq!(level_for(total_xp_for(level)), level);
            prop_assert_eq!(level_for(total_xp_for(level + 1) - 1), level);
        }

        #[test]
        fn totals_grow_by_exactly_one_step(level in 0..=LEVEL_MAX * 200) {
            prop_assert_eq!(
                total_xp_for(level + 1) - total_xp_for(level),
                xp_to_next_level(level)
            );
        }

        #[test]
        fn level_for_is_monotonic(a in any::<u64>(), b in any::<u64>()) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(level_for(low) <= level_for(high));
        }

        #[test]
        fn progress_lies_inside_its_level(xp in any::<u64>()) {
            let p = Progress::of(xp);
            prop_assert!(total_xp_for(p.level) <= xp);
            prop_assert!(p.into_level < p.level_span);
            prop_assert_eq!(total_xp_for(p.level) + p.into_level, xp);
        }
    }
}
