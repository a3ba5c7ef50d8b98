//! Reading standings: server and global leaderboards, a member's rank, daily activity.

use hearth_core::{GuildId, UserId};

use super::Leveling;
use crate::{Activity, Day, Error, Progress, Ranked, XpStore};

/// Rows on one leaderboard page.
pub const LEADERBOARD_PAGE_SIZE: u32 = 10;
/// The most days an activity chart covers.
pub const ACTIVITY_DAYS_MAX: u32 = 90;

/// One page of a leaderboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderboardPage {
    /// The page, from 1.
    pub page: u64,
    /// How many pages there are (at least 1).
    pub pages: u64,
    /// How many members (or users) are ranked.
    pub ranked: u64,
    /// The rows, in rank order.
    pub rows: Vec<Ranked>,
}

/// A member's standing in a guild: what a rank card shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberRank {
    /// Their position, from 1; `None` with 0 XP (not ranked).
    pub rank: Option<u64>,
    /// How many members are ranked.
    pub ranked: u64,
    /// Their level and progress in it.
    pub progress: Progress,
}

impl LeaderboardPage {
    fn of(page: u64, ranked: u64, rows: Vec<Ranked>) -> Self {
        Self {
            page,
            pages: pages(ranked),
            ranked,
            rows,
        }
    }
}

fn pages(ranked: u64) -> u64 {
    ranked.div_ceil(u64::from(LEADERBOARD_PAGE_SIZE)).max(1)
}

/// Checks a page a member typed or clicked and returns its 0-based offset.
fn offset(page: i64, ranked: u64) -> Result<(u64, u64), Error> {
    let pages = pages(ranked);
    match u64::try_from(page) {
        Ok(p) if (1..=pages).contains(&p) => Ok((p, (p - 1) * u64::from(LEADERBOARD_PAGE_SIZE))),
        _ => Err(Error::PageOutOfRange { page, pages }),
    }
}

impl<S: XpStore> Leveling<S> {
    /// One page of the guild's leaderboard, [`LEADERBOARD_PAGE_SIZE`] rows, pages from 1. An
    /// empty leaderboard has one empty page.
    ///
    /// # Errors
    ///
    /// [`Error::PageOutOfRange`] for page 0, a negative page or one past the end;
    /// [`Error::Store`] when the store fails.
    pub async fn leaderboard(&self, guild: GuildId, page: i64) -> Result<LeaderboardPage, Error> {
        let ranked = self.store.ranked_members(guild).await?;
        let (page, offset) = offset(page, ranked)?;
        let rows = self
            .store
            .leaderboard(guild, offset, LEADERBOARD_PAGE_SIZE)
            .await?;
        Ok(LeaderboardPage::of(page, ranked, rows))
    }

    /// A member's rank, level and progress in the guild (a member the store doesn't know has
    /// 0 XP and no rank).
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn rank(&self, guild: GuildId, user: UserId) -> Result<MemberRank, Error> {
        let xp = self
            .store
            .member(guild, user)
            .await?
            .map_or(0, |member| member.xp);
        let rank = if xp > 0 {
            self.store.rank(guild, user).await?.map(|r| r.rank)
        } else {
            None
        };
        Ok(MemberRank {
            rank,
            ranked: self.store.ranked_members(guild).await?,
            progress: Progress::of(xp),
        })
    }

    /// One page of the global leaderboard: XP summed over the guilds that contribute, users
    /// who opted out left out; pages as for [`Leveling::leaderboard`].
    ///
    /// # Errors
    ///
    /// [`Error::PageOutOfRange`] for a page that doesn't exist; [`Error::Store`] when the
    /// store fails.
    pub async fn global_leaderboard(&self, page: i64) -> Result<LeaderboardPage, Error> {
        let ranked = self.store.global_ranked_users().await?;
        let (page, offset) = offset(page, ranked)?;
        let rows = self
            .store
            .global_leaderboard(offset, LEADERBOARD_PAGE_SIZE)
            .await?;
        Ok(LeaderboardPage::of(page, ranked, rows))
    }

    /// Hides (`true`) or shows again (`false`) a user on the global leaderboard.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn set_global_opt_out(&self, user: UserId, opt_out: bool) -> Result<(), Error> {
        Ok(self.store.set_global_opt_out(user, opt_out).await?)
    }

    /// The guild's activity over the `days` days ending with `last` (inclusive), oldest
    /// first, one entry per day (zero on days without grants): the data of a `/stats` chart.
    ///
    /// # Errors
    ///
    /// [`Error::ActivityDaysOutOfRange`] for 0 days or more than [`ACTIVITY_DAYS_MAX`];
    /// [`Error::Store`] when the store fails.
    pub async fn activity(
        &self,
        guild: GuildId,
        last: Day,
        days: u32,
    ) -> Result<Vec<Activity>, Error> {
        if !(1..=ACTIVITY_DAYS_MAX).contains(&days) {
            return Err(Error::ActivityDaysOutOfRange {
                max: ACTIVITY_DAYS_MAX,
                given: days,
            });
        }
        let first = Day(last.0.saturating_sub(i64::from(days - 1)));
        let stored = self.store.activity(guild, first, last).await?;
        let mut stored = stored.into_iter().peekable();
        let chart = (first.0..=last.0)
            .map(|day| {
                let day = Day(day);
                stored
                    .next_if(|a| a.day == day)
                    .unwrap_or(Activity::empty(day))
            })
            .collect();
        Ok(chart)
    }
}
