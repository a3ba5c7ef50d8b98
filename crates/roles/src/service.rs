//! `Roles<S>`: the rules over a store, returning outcome values; it never calls Discord.

use std::time::Duration;

use hearth_core::{GuildId, MessageId, RoleId, Timestamp, UserId};

use crate::{
    AUTOROLE_DELAY_MAX, AUTOROLES_MAX, Autorole, AutoroleStore, Error, Joined, MenuMode,
    MenuOption, PendingGrant, RoleMenu, RoleMenuStore, grants_for,
};

/// How often an edit is tried again when another edit of the same menu came first (each
/// retry means another edit succeeded, so the system makes progress).
pub const EDIT_RETRIES: u32 = 50;

/// A change to a menu's settings; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MenuEdit {
    /// A new title.
    pub title: Option<String>,
    /// A new mode.
    pub mode: Option<MenuMode>,
    /// A new limit; `Some(None)` removes it.
    pub limit: Option<Option<u8>>,
    /// New required roles; `Some(vec![])` removes them.
    pub required: Option<Vec<RoleId>>,
}

/// What a deleted role did to the guild's menus and autoroles.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleDeleted {
    /// Menus that lost the role and still offer others, as they are now.
    pub changed: Vec<RoleMenu>,
    /// Menus whose only role it was: deleted.
    pub deleted: Vec<RoleMenu>,
    /// Whether it was an autorole (now removed).
    pub was_autorole: bool,
}

/// Autoroles and role menus over a store.
#[derive(Clone, Debug)]
pub struct Roles<S> {
    store: S,
}

impl<S: RoleMenuStore + AutoroleStore> Roles<S> {
    /// The service over `store`.
    pub fn new(store: S) -> Self {
        Self { store }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Stores a new menu after checking it ([`RoleMenu::validate`]).
    ///
    /// # Errors
    ///
    /// The rule it breaks, [`Error::MenuExists`], or a store fault.
    pub async fn create_menu(&self, menu: RoleMenu) -> Result<RoleMenu, Error> {
        menu.validate()?;
        if !self.store.insert_menu(&menu).await? {
            return Err(Error::MenuExists);
        }
        Ok(RoleMenu { version: 0, ..menu })
    }

    /// The menu on a message.
    ///
    /// # Errors
    ///
    /// A store fault.
    pub async fn menu(&self, message: MessageId) -> Result<Option<RoleMenu>, Error> {
        Ok(self.store.menu(message).await?)
    }

    /// A guild's menus, oldest first.
    ///
    /// # Errors
    ///
    /// A store fault.
    pub async fn menus(&self, guild: GuildId) -> Result<Vec<RoleMenu>, Error> {
        Ok(self.store.guild_menus(guild).await?)
    }

    /// Changes a guild's menu with `change` and stores it with a compare-and-set, trying again
    /// from the new state when another change came first.
    async fn change(
        &self,
        guild: GuildId,
        message: MessageId,
        change: impl Fn(&mut RoleMenu) -> Result<(), Error>,
    ) -> Result<RoleMenu, Error> {
        for _ in 0..EDIT_RETRIES {
            let Some(mut menu) = self.store.menu(message).await? else {
                return Err(Error::MenuNotFound);
            };
            if menu.guild != guild {
                return Err(Error::MenuNotFound);
            }
            change(&mut menu)?;
            menu.validate()?;
            if let Some(stored) = self.store.replace_menu(&menu).await? {
                return Ok(stored);
            }
        }
        Err(Error::Store(hearth_core::StoreError::bare(
            hearth_core::StoreErrorKind::Other,
            "a role menu kept changing under an edit",
        )))
    }

    /// Changes a menu's title, mode, limit or required roles.
    ///
    /// # Errors
    ///
    /// [`Error::MenuNotFound`], a rule the result breaks, or a store fault.
    pub async fn edit_menu(
        &self,
        guild: GuildId,
        message: MessageId,
        edit: MenuEdit,
    ) -> Result<RoleMenu, Error> {
        self.change(guild, message, |menu| {
            if let Some(title) = &edit.title {
                title.clone_into(&mut menu.title);
            }
            if let Some(mode) = edit.mode {
                menu.mode = mode;
            }
            if let Some(limit) = edit.limit {
                menu.limit = limit;
            }
            if let Some(required) = &edit.required {
                required.clone_into(&mut menu.required);
            }
            Ok(())
        })
        .await
    }

    /// Adds a role to a menu (or replaces its option when the menu offers it already).
    ///
    /// # Errors
    ///
    /// [`Error::MenuNotFound`], a rule the result breaks, or a store fault.
    pub async fn add_option(
        &self,
        guild: GuildId,
        message: MessageId,
        option: MenuOption,
    ) -> Result<RoleMenu, Error> {
        self.change(guild, message, |menu| {
            match menu.options.iter_mut().find(|o| o.role == option.role) {
                Some(existing) => *existing = option.clone(),
                None => menu.options.push(option.clone()),
            }
            Ok(())
        })
        .await
    }

    /// Takes a role out of a menu.
    ///
    /// # Errors
    ///
    /// [`Error::MenuNotFound`], [`Error::RoleNotInMenu`], [`Error::OptionCount`] for its last
    /// role (delete the menu instead), or a store fault.
    pub async fn remove_option(
        &self,
        guild: GuildId,
        message: MessageId,
        role: RoleId,
    ) -> Result<RoleMenu, Error> {
        self.change(guild, message, |menu| {
            if !menu.offers(role) {
                return Err(Error::RoleNotInMenu { role });
            }
            menu.options.retain(|o| o.role != role);
            Ok(())
        })
        .await
    }

    /// Deletes a guild's menu.
    ///
    /// # Errors
    ///
    /// [`Error::MenuNotFound`] or a store fault.
    pub async fn delete_menu(&self, guild: GuildId, message: MessageId) -> Result<(), Error> {
        if self.store.delete_menu(guild, message).await? {
            Ok(())
        } else {
            Err(Error::MenuNotFound)
        }
    }

    /// A role was deleted in Discord: it leaves every menu of the guild (a menu left empty is
    /// deleted) and the guild's autoroles. Running it twice changes nothing the second time.
    ///
    /// # Errors
    ///
    /// A store fault (menus handled before it keep their change).
    pub async fn role_deleted(&self, guild: GuildId, role: RoleId) -> Result<RoleDeleted, Error> {
        let mut out = RoleDeleted {
            was_autorole: self.store.remove_autorole(guild, role).await?,
            ..RoleDeleted::default()
        };
        for menu in self.store.guild_menus(guild).await? {
            if !menu.offers(role) {
                continue;
            }
            if menu.options.len() == 1 {
                if self.store.delete_menu(guild, menu.message).await? {
                    out.deleted.push(menu);
                }
                continue;
            }
            match self.remove_option(guild, menu.message, role).await {
                Ok(menu) => out.changed.push(menu),
                Err(Error::RoleNotInMenu { .. } | Error::MenuNotFound) => {}
                Err(Error::OptionCount { .. }) => {
                    if self.store.delete_menu(guild, menu.message).await? {
                        out.deleted.push(menu);
                    }
                }
                Err(err) => return Err(err),
            }
        }
        Ok(out)
    }

    /// Adds or updates an autorole; `true` when it is new.
    ///
    /// # Errors
    ///
    /// [`Error::DelayTooLong`], [`Error::TooManyAutoroles`], or a store fault.
    pub async fn add_autorole(&self, autorole: Autorole) -> Result<bool, Error> {
        if autorole.delay > AUTOROLE_DELAY_MAX {
            return Err(Error::DelayTooLong {
                max: AUTOROLE_DELAY_MAX,
            });
        }
        let existing = self.store.autoroles(autorole.guild).await?;
        // A soft cap: two additions at the very same moment could pass it by one.
        if existing.len() >= AUTOROLES_MAX && !existing.iter().any(|a| a.role == autorole.role) {
            return Err(Error::TooManyAutoroles { max: AUTOROLES_MAX });
        }
        Ok(self.store.put_autorole(autorole).await?)
    }

    /// Removes an autorole.
    ///
    /// # Errors
    ///
    /// [`Error::NotAnAutorole`] or a store fault.
    pub async fn remove_autorole(&self, guild: GuildId, role: RoleId) -> Result<(), Error> {
        if self.store.remove_autorole(guild, role).await? {
            Ok(())
        } else {
            Err(Error::NotAnAutorole { role })
        }
    }

    /// A guild's autoroles.
    ///
    /// # Errors
    ///
    /// A store fault.
    pub async fn autoroles(&self, guild: GuildId) -> Result<Vec<Autorole>, Error> {
        Ok(self.store.autoroles(guild).await?)
    }

    /// Someone joined: stores the grants their autoroles call for and returns them.
    ///
    /// # Errors
    ///
    /// A store fault.
    pub async fn member_joined(&self, joined: Joined) -> Result<Vec<PendingGrant>, Error> {
        let autoroles = self.store.autoroles(joined.guild).await?;
        let grants = grants_for(&autoroles, &joined);
        if !grants.is_empty() {
            self.store.schedule_grants(grants.clone()).await?;
        }
        Ok(grants)
    }

    /// A member passed membership screening: their waiting grants become due after their
    /// delays. Returns how many.
    ///
    /// # Errors
    ///
    /// A store fault.
    pub async fn screening_passed(
        &self,
        guild: GuildId,
        user: UserId,
        now: Timestamp,
    ) -> Result<u64, Error> {
        Ok(self.store.release_grants(guild, user, now).await?)
    }

    /// A member left: their pending grants are forgotten.
    ///
    /// # Errors
    ///
    /// A store fault.
    pub async fn member_left(&self, guild: GuildId, user: UserId) -> Result<u64, Error> {
        Ok(self.store.cancel_grants(guild, user).await?)
    }

    /// Claims up to `limit` grants due at `now` for `lease`.
    ///
    /// # Errors
    ///
    /// A store fault.
    pub async fn claim_due(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<PendingGrant>, Error> {
        Ok(self
            .store
            .claim_grants(now, now.saturating_add(lease), limit)
            .await?)
    }

    /// A claimed grant was given (or can never be): it is forgotten.
    ///
    /// # Errors
    ///
    /// A store fault.
    pub async fn grant_done(&self, grant: &PendingGrant) -> Result<(), Error> {
        self.store
            .finish_grant(grant.guild, grant.user, grant.role)
            .await?;
        Ok(())
    }

    /// When the next grant is due.
    ///
    /// # Errors
    ///
    /// A store fault.
    pub async fn next_due(&self) -> Result<Option<Timestamp>, Error> {
        Ok(self.store.next_grant_due().await?)
    }
}
