//! The in-memory store: the reference semantics every backend must match.

use std::{
    cmp::Reverse,
    collections::{BTreeMap, HashMap, HashSet},
    future::{Future, ready},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use hearth_core::{GuildId, StoreError, Timestamp, UserId};

use crate::{
    Activity, Adjusted, Boost, BoostId, BoostStore, Day, GrantOutcome, GrantRequest, LevelSettings,
    LevelSettingsStore, MemberXp, Ranked, SettingsChange, XpChange, XpStore,
};

/// XP, settings and boosts in memory; cheap to clone (clones share the data).
///
/// - `grant` checks the cooldown and writes under one lock, so it is atomic: of concurrent
///   grants for one member at the same time exactly one is stored; a replay stores nothing.
/// - Leaderboards list members with more than 0 XP by XP, highest first, equal XP by user id,
///   lowest first; ranks are positions from 1. Each query sorts the guild (or every guild, for
///   the global one): fine for tests and trials, which is what this store is for; database
///   backends serve the same order from an index.
/// - Not found is `None` (or 0, or an empty list), never an error; `reset_guild` and
///   `delete_user_data` are idempotent; `add_boost` is idempotent by id.
///
/// The data is lost when the process ends. A `std` mutex guards it and is never held across
/// an `.await` (every method completes before returning its future).
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    members: HashMap<(GuildId, UserId), MemberXp>,
    activity: HashMap<GuildId, BTreeMap<Day, Activity>>,
    opted_out: HashSet<UserId>,
    settings: HashMap<GuildId, LevelSettings>,
    boosts: HashMap<GuildId, Vec<Boost>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave Inner half-updated in a way that matters
        // more than losing the whole store, so keep serving.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Rows in leaderboard order: XP descending, then user id ascending; XP 0 left out.
fn ranked(mut rows: Vec<(UserId, u64)>) -> Vec<Ranked> {
    rows.retain(|&(_, xp)| xp > 0);
    rows.sort_unstable_by_key(|&(user, xp)| (Reverse(xp), user));
    rows.into_iter()
        .zip(1..)
        .map(|((user, xp), rank)| Ranked { rank, user, xp })
        .collect()
}

fn page(rows: Vec<Ranked>, offset: u64, limit: u32) -> Vec<Ranked> {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    rows.into_iter().skip(offset).take(limit as usize).collect()
}

impl Inner {
    fn guild_board(&self, guild: GuildId) -> Vec<Ranked> {
        ranked(
            self.members
                .values()
                .filter(|m| m.guild == guild)
                .map(|m| (m.user, m.xp))
                .collect(),
        )
    }

    fn global_board(&self) -> Vec<Ranked> {
        let mut sums: HashMap<UserId, u64> = HashMap::new();
        for m in self.members.values() {
            let contributes = self
                .settings
                .get(&m.guild)
                .is_none_or(|s| s.global_leaderboard);
            if contributes && !self.opted_out.contains(&m.user) {
                let sum = sums.entry(m.user).or_default();
                *sum = sum.saturating_add(m.xp);
            }
        }
        ranked(sums.into_iter().collect())
    }
}

impl XpStore for MemoryStore {
    fn grant(
        &self,
        request: GrantRequest,
    ) -> impl Future<Output = Result<GrantOutcome, StoreError>> + Send {
        let mut inner = self.lock();
        let key = (request.guild, request.user);
        let before = inner
            .members
            .get(&key)
            .copied()
            .unwrap_or(MemberXp::new(request.guild, request.user));
        let outcome = match request.apply(before) {
            Some(after) => GrantOutcome {
                granted: true,
                before,
                after,
            },
            None => GrantOutcome {
                granted: false,
                before,
                after: before,
            },
        };
        inner.members.insert(key, outcome.after);
        if outcome.granted {
            let day = Day::of(request.at);
            let counts = inner
                .activity
                .entry(request.guild)
                .or_default()
                .entry(day)
                .or_insert(Activity::empty(day));
            *counts = counts.count(&outcome);
        }
        ready(Ok(outcome))
    }

    fn adjust(
        &self,
        guild: GuildId,
        user: UserId,
        change: XpChange,
    ) -> impl Future<Output = Result<Adjusted, StoreError>> + Send {
        let mut inner = self.lock();
        let member = inner
            .members
            .entry((guild, user))
            .or_insert(MemberXp::new(guild, user));
        let before = *member;
        *member = change.apply(before);
        ready(Ok(Adjusted {
            before,
            after: *member,
        }))
    }

    fn member(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<Option<MemberXp>, StoreError>> + Send {
        ready(Ok(self.lock().members.get(&(guild, user)).copied()))
    }

    fn reset_guild(&self, guild: GuildId) -> impl Future<Output = Result<u64, StoreError>> + Send {
        let mut inner = self.lock();
        let mut reset = 0;
        for member in inner.members.values_mut().filter(|m| m.guild == guild) {
            if member.xp > 0 {
                reset += 1;
            }
            *member = XpChange::Reset.apply(*member);
        }
        ready(Ok(reset))
    }

    fn leaderboard(
        &self,
        guild: GuildId,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Ranked>, StoreError>> + Send {
        ready(Ok(page(self.lock().guild_board(guild), offset, limit)))
    }

    fn ranked_members(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        let count = self
            .lock()
            .members
            .values()
            .filter(|m| m.guild == guild && m.xp > 0)
            .count();
        ready(Ok(count as u64))
    }

    fn rank(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<Option<Ranked>, StoreError>> + Send {
        let found = self
            .lock()
            .guild_board(guild)
            .into_iter()
            .find(|r| r.user == user);
        ready(Ok(found))
    }

    fn global_leaderboard(
        &self,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Ranked>, StoreError>> + Send {
        ready(Ok(page(self.lock().global_board(), offset, limit)))
    }

    fn global_ranked_users(&self) -> impl Future<Output = Result<u64, StoreError>> + Send {
        ready(Ok(self.lock().global_board().len() as u64))
    }

    fn set_global_opt_out(
        &self,
        user: UserId,
        opt_out: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        let mut inner = self.lock();
        if opt_out {
            inner.opted_out.insert(user);
        } else {
            inner.opted_out.remove(&user);
        }
        ready(Ok(()))
    }

    fn global_opt_out(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        ready(Ok(self.lock().opted_out.contains(&user)))
    }

    fn activity(
        &self,
        guild: GuildId,
        from: Day,
        to: Day,
    ) -> impl Future<Output = Result<Vec<Activity>, StoreError>> + Send {
        let days = self
            .lock()
            .activity
            .get(&guild)
            .filter(|_| from <= to)
            .map(|days| days.range(from..=to).map(|(_, a)| *a).collect())
            .unwrap_or_default();
        ready(Ok(days))
    }

    fn delete_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        let mut inner = self.lock();
        let before = inner.members.len();
        inner.members.retain(|&(_, u), _| u != user);
        let removed = (before - inner.members.len()) as u64;
        inner.opted_out.remove(&user);
        ready(Ok(removed))
    }
}

impl LevelSettingsStore for MemoryStore {
    fn level_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<LevelSettings>, StoreError>> + Send {
        ready(Ok(self.lock().settings.get(&guild).cloned()))
    }

    fn update_level_settings(
        &self,
        guild: GuildId,
        change: &SettingsChange,
    ) -> impl Future<Output = Result<LevelSettings, StoreError>> + Send {
        let mut inner = self.lock();
        let entry = inner.settings.entry(guild).or_default();
        *entry = change.apply(entry.clone());
        ready(Ok(entry.clone()))
    }
}

impl BoostStore for MemoryStore {
    fn add_boost(&self, boost: Boost) -> impl Future<Output = Result<Boost, StoreError>> + Send {
        let mut inner = self.lock();
        let list = inner.boosts.entry(boost.guild).or_default();
        let stored = if let Some(existing) = list.iter().find(|b| b.id == boost.id) {
            *existing
        } else {
            list.push(boost);
            boost
        };
        ready(Ok(stored))
    }

    fn boosts(
        &self,
        guild: GuildId,
        now: Timestamp,
    ) -> impl Future<Output = Result<Vec<Boost>, StoreError>> + Send {
        let mut list: Vec<Boost> = self
            .lock()
            .boosts
            .get(&guild)
            .map(|list| list.iter().filter(|b| !b.has_ended(now)).copied().collect())
            .unwrap_or_default();
        list.sort_unstable_by_key(|b| (b.starts_at, b.id));
        ready(Ok(list))
    }

    fn remove_boost(
        &self,
        guild: GuildId,
        id: BoostId,
    ) -> impl Future<Output = Result<Option<Boost>, StoreError>> + Send {
        let mut inner = self.lock();
        let removed = inner.boosts.get_mut(&guild).and_then(|list| {
            let at = list.iter().position(|b| b.id == id)?;
            Some(list.remove(at))
        });
        ready(Ok(removed))
    }
}

#[cfg(all(test, feature = "testkit"))]
mod conformance {
    crate::xp_store_suite!(|| async { (crate::MemoryStore::new(), ()) });
}
