//! Where XP, settings and boosts live: the traits every backend implements.
//!
//! Methods return `impl Future + Send` so services stay `Send` whatever the backend. Every
//! method is required; the semantics are those of [`MemoryStore`](crate::MemoryStore), and the
//! `testkit` suite checks a backend against them. A backend implements the three traits on one
//! database: the global leaderboard ([`XpStore::global_leaderboard`]) reads each guild's
//! [`LevelSettings::global_leaderboard`] flag.
//!
//! **Ordering and ties.** A guild's leaderboard lists the members with more than 0 XP by XP,
//! highest first; members with equal XP are ordered by user id, lowest first. A member's rank
//! is their 1-based position in that order, so ranks are unique and a query is served by one
//! index on `(guild, xp desc, user asc)`: rank = 1 + members with more XP + members with
//! equal XP and a lower id. The global leaderboard orders the same way over each user's XP
//! summed across contributing guilds.

use std::{future::Future, sync::Arc};

use hearth_core::{GuildId, StoreError, Timestamp, UserId};

use crate::{
    Activity, Adjusted, Boost, BoostId, Day, GrantOutcome, GrantRequest, LevelSettings, MemberXp,
    Ranked, SettingsChange, XpChange,
};

/// Stores members' XP, answers leaderboard queries and counts daily activity.
pub trait XpStore: Send + Sync {
    /// Grants XP if the member's cooldown has passed, in **one atomic conditional step**: the
    /// check of the last grant's time and the write happen together (one transaction on
    /// SQLite, one conditional `find_one_and_update` on MongoDB), so of several concurrent
    /// grants for the same member — through several handles or processes — only those the rule
    /// allows are stored, and a replay of a granted message (same time) stores nothing.
    ///
    /// The rule is [`GrantRequest::is_due`]; the write is [`GrantRequest::apply`] (XP
    /// saturating at [`XP_MAX`](crate::XP_MAX), the message count up by one, the cooldown
    /// restarted at `at`) together with the guild's [`Activity`] for `at`'s day
    /// ([`Activity::count`]). The outcome is the state as of this call's own check and write:
    /// `before` as found (a zero record when there was none), `after` as written, or equal to
    /// `before` when nothing was granted. A member with no record gets one.
    ///
    /// A store may answer before the grant is visible to *other* handles on the same data
    /// (SQLite commits the grants that arrive together in one transaction, at most a few
    /// milliseconds later): this handle reads its own grants at once, others after
    /// [`flush`](Self::flush) or that delay. The cooldown is never weakened by it: the other
    /// handles' writes wait for the open transaction.
    fn grant(
        &self,
        request: GrantRequest,
    ) -> impl Future<Output = Result<GrantOutcome, StoreError>> + Send;

    /// Makes every grant this handle has answered durable and visible to other handles. A
    /// store that commits each grant before answering has nothing to do (the default).
    fn flush(&self) -> impl Future<Output = Result<(), StoreError>> + Send {
        async { Ok(()) }
    }

    /// Applies an admin's change ([`XpChange::apply`]) atomically and returns the member
    /// before and after it. A member with no record reads as zero and gets one. The cooldown
    /// and the activity counts are left alone.
    fn adjust(
        &self,
        guild: GuildId,
        user: UserId,
        change: XpChange,
    ) -> impl Future<Output = Result<Adjusted, StoreError>> + Send;

    /// The member's record in a guild; `None` when there is none.
    fn member(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<Option<MemberXp>, StoreError>> + Send;

    /// Resets every member of the guild ([`XpChange::Reset`]: XP and message count to 0,
    /// cooldowns kept) and returns how many had more than 0 XP; a second call returns 0.
    fn reset_guild(&self, guild: GuildId) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Up to `limit` rows of the guild's leaderboard starting at the 0-based position
    /// `offset`, in leaderboard order (see the module docs), each with its rank. Past the end,
    /// an empty list.
    fn leaderboard(
        &self,
        guild: GuildId,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Ranked>, StoreError>> + Send;

    /// How many members are on the guild's leaderboard (those with more than 0 XP).
    fn ranked_members(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The member's row on the guild's leaderboard; `None` when they have 0 XP or no record.
    fn rank(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<Option<Ranked>, StoreError>> + Send;

    /// Up to `limit` rows of the global leaderboard from the 0-based position `offset`: each
    /// user's XP summed (saturating) over the guilds whose settings leave
    /// [`LevelSettings::global_leaderboard`] on (a guild with no settings contributes), users
    /// with a sum above 0 who have not opted out, in leaderboard order with ranks counted
    /// among those users only.
    fn global_leaderboard(
        &self,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Ranked>, StoreError>> + Send;

    /// How many users are on the global leaderboard.
    fn global_ranked_users(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Sets whether a user is hidden from the global leaderboard (`true` hides them). Their
    /// XP in each guild is unaffected.
    fn set_global_opt_out(
        &self,
        user: UserId,
        opt_out: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Whether a user is hidden from the global leaderboard (`false` unless they opted out).
    fn global_opt_out(&self, user: UserId)
    -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The guild's activity on the days `from` to `to` inclusive, oldest first; days without
    /// any grant are left out.
    fn activity(
        &self,
        guild: GuildId,
        from: Day,
        to: Day,
    ) -> impl Future<Output = Result<Vec<Activity>, StoreError>> + Send;

    /// Removes the user's records in every guild and their opt-out (a data-deletion request)
    /// and returns how many member records there were. Activity counts, which name nobody,
    /// stay.
    fn delete_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// Stores each guild's leveling settings.
pub trait LevelSettingsStore: Send + Sync {
    /// The guild's settings, or `None` when it never saved any.
    fn level_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<LevelSettings>, StoreError>> + Send;

    /// Writes the fields `change` names (a guild with no settings yet starts from the
    /// defaults) and returns the settings after the change, in one atomic step: two changes
    /// of different fields — or of the roles of different levels — even from two processes at
    /// once, both stick. Fields the change doesn't name are left as stored.
    fn update_level_settings(
        &self,
        guild: GuildId,
        change: &SettingsChange,
    ) -> impl Future<Output = Result<LevelSettings, StoreError>> + Send;
}

/// Stores timed XP boosts.
pub trait BoostStore: Send + Sync {
    /// Stores a boost and returns it. Idempotent by id within the guild: when the guild
    /// already holds a boost with that id, nothing is stored and the stored one is returned.
    fn add_boost(&self, boost: Boost) -> impl Future<Output = Result<Boost, StoreError>> + Send;

    /// The guild's boosts that have not ended by `now` (`ends_at > now`), running or
    /// planned, by start time then id.
    fn boosts(
        &self,
        guild: GuildId,
        now: Timestamp,
    ) -> impl Future<Output = Result<Vec<Boost>, StoreError>> + Send;

    /// Removes a boost and returns it; `None` when the guild has no boost with that id.
    fn remove_boost(
        &self,
        guild: GuildId,
        id: BoostId,
    ) -> impl Future<Output = Result<Option<Boost>, StoreError>> + Send;
}

macro_rules! forward_impls {
    ($($ptr:ty),+) => {$(
        impl<S: XpStore + ?Sized> XpStore for $ptr {
            fn grant(&self, request: GrantRequest) -> impl Future<Output = Result<GrantOutcome, StoreError>> + Send {
                (**self).grant(request)
            }
            fn flush(&self) -> impl Future<Output = Result<(), StoreError>> + Send {
                (**self).flush()
            }
            fn adjust(&self, guild: GuildId, user: UserId, change: XpChange) -> impl Future<Output = Result<Adjusted, StoreError>> + Send {
                (**self).adjust(guild, user, change)
            }
            fn member(&self, guild: GuildId, user: UserId) -> impl Future<Output = Result<Option<MemberXp>, StoreError>> + Send {
                (**self).member(guild, user)
            }
            fn reset_guild(&self, guild: GuildId) -> impl Future<Output = Result<u64, StoreError>> + Send {
                (**self).reset_guild(guild)
            }
            fn leaderboard(&self, guild: GuildId, offset: u64, limit: u32) -> impl Future<Output = Result<Vec<Ranked>, StoreError>> + Send {
                (**self).leaderboard(guild, offset, limit)
            }
            fn ranked_members(&self, guild: GuildId) -> impl Future<Output = Result<u64, StoreError>> + Send {
                (**self).ranked_members(guild)
            }
            fn rank(&self, guild: GuildId, user: UserId) -> impl Future<Output = Result<Option<Ranked>, StoreError>> + Send {
                (**self).rank(guild, user)
            }
            fn global_leaderboard(&self, offset: u64, limit: u32) -> impl Future<Output = Result<Vec<Ranked>, StoreError>> + Send {
                (**self).global_leaderboard(offset, limit)
            }
            fn global_ranked_users(&self) -> impl Future<Output = Result<u64, StoreError>> + Send {
                (**self).global_ranked_users()
            }
            fn set_global_opt_out(&self, user: UserId, opt_out: bool) -> impl Future<Output = Result<(), StoreError>> + Send {
                (**self).set_global_opt_out(user, opt_out)
            }
            fn global_opt_out(&self, user: UserId) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).global_opt_out(user)
            }
            fn activity(&self, guild: GuildId, from: Day, to: Day) -> impl Future<Output = Result<Vec<Activity>, StoreError>> + Send {
                (**self).activity(guild, from, to)
            }
            fn delete_user_data(&self, user: UserId) -> impl Future<Output = Result<u64, StoreError>> + Send {
                (**self).delete_user_data(user)
            }
        }

        impl<S: LevelSettingsStore + ?Sized> LevelSettingsStore for $ptr {
            fn level_settings(&self, guild: GuildId) -> impl Future<Output = Result<Option<LevelSettings>, StoreError>> + Send {
                (**self).level_settings(guild)
            }
            fn update_level_settings(&self, guild: GuildId, change: &SettingsChange) -> impl Future<Output = Result<LevelSettings, StoreError>> + Send {
                (**self).update_level_settings(guild, change)
            }
        }

        impl<S: BoostStore + ?Sized> BoostStore for $ptr {
            fn add_boost(&self, boost: Boost) -> impl Future<Output = Result<Boost, StoreError>> + Send {
                (**self).add_boost(boost)
            }
            fn boosts(&self, guild: GuildId, now: Timestamp) -> impl Future<Output = Result<Vec<Boost>, StoreError>> + Send {
                (**self).boosts(guild, now)
            }
            fn remove_boost(&self, guild: GuildId, id: BoostId) -> impl Future<Output = Result<Option<Boost>, StoreError>> + Send {
                (**self).remove_boost(guild, id)
            }
        }
    )+};
}

forward_impls!(&S, Arc<S>);
