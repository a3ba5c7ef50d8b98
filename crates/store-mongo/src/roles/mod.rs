//! The roles stores: `role_menus`, `autoroles` and `role_grants`.
//!
//! Documents follow the seed's style (ids as decimal strings). A menu's `_id` is its message
//! id and an edit is one `find_one_and_replace` on `{_id, version}`, so two edits never undo
//! each other. A pending grant's `_id` is `<guild>:<user>:<role>`; `due_at` is `null` while the
//! member is in membership screening, and a claim is one `find_one_and_update` per grant that
//! moves `due_at` to the lease's end: pending autoroles survive restarts and two processes
//! never claim one at once.

use hearth_core::{GuildId, MessageId, RoleId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_roles::{Autorole, AutoroleStore, PendingGrant, RoleMenu, RoleMenuStore};
use mongodb::{
    Collection, Database,
    bson::{Document, doc},
    options::ReturnDocument,
};

use crate::{
    MongoStore,
    store::{all, driver_error, is_duplicate_key},
};

mod wire;

use self::wire::{
    autorole_document, autorole_id, date, grant_document, grant_id, grants_indexes, guild_indexes,
    menu_document, read_autorole, read_grant, read_menu,
};

/// Role menus, `_id` the message id.
pub(crate) const MENUS: &str = "role_menus";
/// Autoroles, `_id` `<guild>:<role>`.
pub(crate) const AUTOROLES: &str = "autoroles";
/// Grants waiting to be given, `_id` `<guild>:<user>:<role>`.
pub(crate) const GRANTS: &str = "role_grants";

fn corrupt(context: &'static str) -> impl Fn(String) -> StoreError {
    move |what| StoreError::new(StoreErrorKind::Corrupt, context, what)
}

/// Creates the roles indexes. Idempotent.
pub(crate) async fn prepare(db: &Database) -> Result<(), StoreError> {
    let context = "creating the roles indexes";
    for (name, indexes) in [
        (MENUS, guild_indexes()),
        (AUTOROLES, guild_indexes()),
        (GRANTS, grants_indexes()),
    ] {
        db.collection::<Document>(name)
            .create_indexes(indexes)
            .await
            .map_err(driver_error(context))?;
    }
    Ok(())
}

impl MongoStore {
    fn roles_collection(&self, name: &str) -> Collection<Document> {
        self.database().collection(name)
    }
}

impl RoleMenuStore for MongoStore {
    async fn insert_menu(&self, menu: &RoleMenu) -> Result<bool, StoreError> {
        let context = "storing a role menu";
        let document = menu_document(menu, 0).map_err(corrupt(context))?;
        match self.roles_collection(MENUS).insert_one(document).await {
            Ok(_) => Ok(true),
            Err(err) if is_duplicate_key(&err) => Ok(false),
            Err(err) => Err(driver_error(context)(err)),
        }
    }

    async fn menu(&self, message: MessageId) -> Result<Option<RoleMenu>, StoreError> {
        let context = "reading a role menu";
        self.roles_collection(MENUS)
            .find_one(doc! { "_id": message.to_string() })
            .await
            .map_err(driver_error(context))?
            .map(|d| read_menu(d).map_err(corrupt(context)))
            .transpose()
    }

    async fn guild_menus(&self, guild: GuildId) -> Result<Vec<RoleMenu>, StoreError> {
        let context = "listing role menus";
        let cursor = self
            .roles_collection(MENUS)
            .find(doc! { "guild_id": guild.to_string() })
            .await
            .map_err(driver_error(context))?;
        let mut menus = all(cursor, context)
            .await?
            .into_iter()
            .map(|d| read_menu(d).map_err(corrupt(context)))
            .collect::<Result<Vec<_>, _>>()?;
        // Ids are strings, which sort by text: order by number here.
        menus.sort_by_key(|m| m.message);
        Ok(menus)
    }

    async fn replace_menu(&self, menu: &RoleMenu) -> Result<Option<RoleMenu>, StoreError> {
        let context = "changing a role menu";
        let version =
            i64::try_from(menu.version).map_err(|_| corrupt(context)("version".into()))?;
        let document = menu_document(menu, version + 1).map_err(corrupt(context))?;
        self.roles_collection(MENUS)
            .find_one_and_replace(
                doc! { "_id": menu.message.to_string(), "version": version },
                document,
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(driver_error(context))?
            .map(|d| read_menu(d).map_err(corrupt(context)))
            .transpose()
    }

    async fn delete_menu(&self, guild: GuildId, message: MessageId) -> Result<bool, StoreError> {
        let deleted = self
            .roles_collection(MENUS)
            .delete_one(doc! { "_id": message.to_string(), "guild_id": guild.to_string() })
            .await
            .map_err(driver_error("deleting a role menu"))?;
        Ok(deleted.deleted_count == 1)
    }
}

impl AutoroleStore for MongoStore {
    async fn put_autorole(&self, autorole: Autorole) -> Result<bool, StoreError> {
        let context = "storing an autorole";
        let replaced = self
            .roles_collection(AUTOROLES)
            .replace_one(
                doc! { "_id": autorole_id(autorole.guild, autorole.role) },
                autorole_document(&autorole),
            )
            .upsert(true)
            .await
            .map_err(driver_error(context))?;
        Ok(replaced.upserted_id.is_some())
    }

    async fn remove_autorole(&self, guild: GuildId, role: RoleId) -> Result<bool, StoreError> {
        let deleted = self
            .roles_collection(AUTOROLES)
            .delete_one(doc! { "_id": autorole_id(guild, role) })
            .await
            .map_err(driver_error("removing an autorole"))?;
        Ok(deleted.deleted_count == 1)
    }

    async fn autoroles(&self, guild: GuildId) -> Result<Vec<Autorole>, StoreError> {
        let context = "listing autoroles";
        let cursor = self
            .roles_collection(AUTOROLES)
            .find(doc! { "guild_id": guild.to_string() })
            .await
            .map_err(driver_error(context))?;
        let mut list = all(cursor, context)
            .await?
            .iter()
            .map(|d| read_autorole(d).map_err(corrupt(context)))
            .collect::<Result<Vec<_>, _>>()?;
        list.sort_by_key(|a| a.role);
        Ok(list)
    }

    /// One upsert with `$setOnInsert` per grant: a grant already pending is left as it is.
    async fn schedule_grants(&self, grants: Vec<PendingGrant>) -> Result<(), StoreError> {
        let context = "scheduling autoroles";
        for grant in grants {
            let result = self
                .roles_collection(GRANTS)
                .update_one(
                    doc! { "_id": grant_id(grant.guild, grant.user, grant.role) },
                    doc! { "$setOnInsert": grant_document(&grant) },
                )
                .upsert(true)
                .await;
            match result {
                // A concurrent upsert of the same grant won: it is pending, as wanted.
                Err(err) if is_duplicate_key(&err) => {}
                other => {
                    other.map_err(driver_error(context))?;
                }
            }
        }
        Ok(())
    }

    /// Reads the member's waiting grants, then sets each one's `due_at` only if it is still
    /// `null`: a second release (or a concurrent one) finds none to set.
    async fn release_grants(
        &self,
        guild: GuildId,
        user: UserId,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let context = "releasing autoroles after screening";
        let filter =
            doc! { "guild_id": guild.to_string(), "user_id": user.to_string(), "due_at": null };
        let cursor = self
            .roles_collection(GRANTS)
            .find(filter)
            .await
            .map_err(driver_error(context))?;
        let mut released = 0;
        for document in all(cursor, context).await? {
            let grant = read_grant(&document).map_err(corrupt(context))?;
            let due = now.saturating_add(grant.delay);
            let updated = self
                .roles_collection(GRANTS)
                .update_one(
                    doc! { "_id": grant_id(guild, user, grant.role), "due_at": null },
                    doc! { "$set": { "due_at": date(due) } },
                )
                .await
                .map_err(driver_error(context))?;
            released += updated.modified_count;
        }
        Ok(released)
    }

    async fn claim_grants(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: usize,
    ) -> Result<Vec<PendingGrant>, StoreError> {
        let context = "claiming due autoroles";
        let mut claimed = Vec::new();
        while claimed.len() < limit {
            let before = self
                .roles_collection(GRANTS)
                .find_one_and_update(
                    doc! { "due_at": { "$lte": date(now) } },
                    doc! { "$set": { "due_at": date(lease_until) } },
                )
                .sort(doc! { "due_at": 1, "_id": 1 })
                .return_document(ReturnDocument::Before)
                .await
                .map_err(driver_error(context))?;
            let Some(before) = before else { break };
            claimed.push(read_grant(&before).map_err(corrupt(context))?);
        }
        Ok(claimed)
    }

    async fn finish_grant(
        &self,
        guild: GuildId,
        user: UserId,
        role: RoleId,
    ) -> Result<bool, StoreError> {
        let deleted = self
            .roles_collection(GRANTS)
            .delete_one(doc! { "_id": grant_id(guild, user, role) })
            .await
            .map_err(driver_error("finishing an autorole"))?;
        Ok(deleted.deleted_count == 1)
    }

    async fn cancel_grants(&self, guild: GuildId, user: UserId) -> Result<u64, StoreError> {
        let deleted = self
            .roles_collection(GRANTS)
            .delete_many(doc! { "guild_id": guild.to_string(), "user_id": user.to_string() })
            .await
            .map_err(driver_error("cancelling autoroles"))?;
        Ok(deleted.deleted_count)
    }

    async fn next_grant_due(&self) -> Result<Option<Timestamp>, StoreError> {
        let context = "reading the next autorole";
        let first = self
            .roles_collection(GRANTS)
            .find_one(doc! { "due_at": { "$ne": null } })
            .sort(doc! { "due_at": 1 })
            .await
            .map_err(driver_error(context))?;
        Ok(first
            .map(|d| read_grant(&d).map_err(corrupt(context)))
            .transpose()?
            .and_then(|g| g.due))
    }
}

#[cfg(test)]
mod server;
