//! The in-memory store: the reference semantics every backend must match.

use std::{
    collections::BTreeMap,
    future::{Future, ready},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use hearth_core::{GuildId, MessageId, RoleId, StoreError, Timestamp, UserId};

use crate::{Autorole, AutoroleStore, PendingGrant, RoleMenu, RoleMenuStore};

/// Menus, autoroles and pending grants in memory; clones share the data.
///
/// Menus are keyed by message and listed by message id (oldest first); autoroles by
/// `(guild, role)`; grants by `(guild, user, role)` and claimed earliest due first (ties by
/// key). Nothing is lost while the value lives and everything when it is dropped.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    menus: BTreeMap<MessageId, RoleMenu>,
    autoroles: BTreeMap<(GuildId, RoleId), Autorole>,
    grants: BTreeMap<(GuildId, UserId, RoleId), PendingGrant>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

type Fut<T> = std::future::Ready<Result<T, StoreError>>;

impl RoleMenuStore for MemoryStore {
    fn insert_menu(
        &self,
        menu: &RoleMenu,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        let mut inner = self.lock();
        let fresh = !inner.menus.contains_key(&menu.message);
        if fresh {
            inner.menus.insert(
                menu.message,
                RoleMenu {
                    version: 0,
                    ..menu.clone()
                },
            );
        }
        ready(Ok(fresh)) as Fut<bool>
    }

    fn menu(
        &self,
        message: MessageId,
    ) -> impl Future<Output = Result<Option<RoleMenu>, StoreError>> + Send {
        ready(Ok(self.lock().menus.get(&message).cloned()))
    }

    fn guild_menus(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Vec<RoleMenu>, StoreError>> + Send {
        let menus = self
            .lock()
            .menus
            .values()
            .filter(|m| m.guild == guild)
            .cloned()
            .collect();
        ready(Ok(menus))
    }

    fn replace_menu(
        &self,
        menu: &RoleMenu,
    ) -> impl Future<Output = Result<Option<RoleMenu>, StoreError>> + Send {
        let mut inner = self.lock();
        let out = match inner.menus.get_mut(&menu.message) {
            Some(stored) if stored.version == menu.version => {
                *stored = RoleMenu {
                    version: menu.version + 1,
                    ..menu.clone()
                };
                Some(stored.clone())
            }
            _ => None,
        };
        ready(Ok(out))
    }

    fn delete_menu(
        &self,
        guild: GuildId,
        message: MessageId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        let mut inner = self.lock();
        let found = inner.menus.get(&message).is_some_and(|m| m.guild == guild);
        if found {
            inner.menus.remove(&message);
        }
        ready(Ok(found))
    }
}

impl AutoroleStore for MemoryStore {
    fn put_autorole(
        &self,
        autorole: Autorole,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        let fresh = self
            .lock()
            .autoroles
            .insert((autorole.guild, autorole.role), autorole)
            .is_none();
        ready(Ok(fresh))
    }

    fn remove_autorole(
        &self,
        guild: GuildId,
        role: RoleId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        ready(Ok(self.lock().autoroles.remove(&(guild, role)).is_some()))
    }

    fn autoroles(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Vec<Autorole>, StoreError>> + Send {
        let list = self
            .lock()
            .autoroles
            .values()
            .filter(|a| a.guild == guild)
            .copied()
            .collect();
        ready(Ok(list))
    }

    fn schedule_grants(
        &self,
        grants: Vec<PendingGrant>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        let mut inner = self.lock();
        for grant in grants {
            inner
                .grants
                .entry((grant.guild, grant.user, grant.role))
                .or_insert(grant);
        }
        ready(Ok(()))
    }

    fn release_grants(
        &self,
        guild: GuildId,
        user: UserId,
        now: Timestamp,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        let mut inner = self.lock();
        let mut released = 0;
        for grant in inner.grants.values_mut() {
            if grant.guild == guild && grant.user == user && grant.due.is_none() {
                grant.due = Some(now.saturating_add(grant.delay));
                released += 1;
            }
        }
        ready(Ok(released))
    }

    fn claim_grants(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<PendingGrant>, StoreError>> + Send {
        let mut inner = self.lock();
        let mut due: Vec<PendingGrant> = inner
            .grants
            .values()
            .filter(|g| g.due.is_some_and(|d| d <= now))
            .copied()
            .collect();
        due.sort_by_key(|g| (g.due, g.guild, g.user, g.role));
        due.truncate(limit);
        for grant in &due {
            if let Some(stored) = inner.grants.get_mut(&(grant.guild, grant.user, grant.role)) {
                stored.due = Some(lease_until);
            }
        }
        ready(Ok(due))
    }

    fn finish_grant(
        &self,
        guild: GuildId,
        user: UserId,
        role: RoleId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        ready(Ok(self
            .lock()
            .grants
            .remove(&(guild, user, role))
            .is_some()))
    }

    fn cancel_grants(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        let mut inner = self.lock();
        let before = inner.grants.len();
        inner
            .grants
            .retain(|(g, u, _), _| !(*g == guild && *u == user));
        ready(Ok((before - inner.grants.len()) as u64))
    }

    fn next_grant_due(&self) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send {
        ready(Ok(self.lock().grants.values().filter_map(|g| g.due).min()))
    }
}

#[cfg(all(test, feature = "testkit"))]
mod conformance {
    crate::roles_store_suite!(|| async { (crate::MemoryStore::new(), ()) });
}
