//! Admins change XP by hand: set, add, remove, reset one member or the whole guild.

use hearth_core::{GuildId, RoleId, UserId};

use super::Leveling;
use crate::{Error, LevelSettings, RoleChanges, XpChange, XpStore};

/// An admin changes a member's XP.
#[derive(Clone, Copy, Debug)]
pub struct XpChangeRequest<'a> {
    /// The guild.
    pub guild: GuildId,
    /// The member.
    pub user: UserId,
    /// The change (checked by its constructors).
    pub change: XpChange,
    /// The member's roles now (from the interaction's resolved member).
    pub member_roles: &'a [RoleId],
    /// The guild's settings, for the level roles.
    pub settings: &'a LevelSettings,
}

/// What an admin's XP change did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XpChanged {
    /// XP before.
    pub before: u64,
    /// XP after.
    pub after: u64,
    /// Level before.
    pub level_before: u32,
    /// Level after.
    pub level_after: u32,
    /// Level roles to add so the member's roles match their level.
    pub roles_to_add: Vec<RoleId>,
    /// Level roles to remove so the member's roles match their level (after moving XP down).
    pub roles_to_remove: Vec<RoleId>,
}

impl<S: XpStore> Leveling<S> {
    /// Applies an admin's change to a member's XP (set, add, remove, reset) and says which
    /// level roles to add and remove so the member's roles match their new level — also when
    /// the XP went down.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails. (Bad amounts are refused earlier, by the
    /// [`XpChange`] constructors.)
    pub async fn change_xp(&self, request: XpChangeRequest<'_>) -> Result<XpChanged, Error> {
        let adjusted = self
            .store
            .adjust(request.guild, request.user, request.change)
            .await?;
        let level_after = adjusted.after.level();
        let RoleChanges { add, remove } = request.settings.level_roles.changes(
            request.settings.role_mode,
            level_after,
            request.member_roles,
        );
        Ok(XpChanged {
            before: adjusted.before.xp,
            after: adjusted.after.xp,
            level_before: adjusted.before.level(),
            level_after,
            roles_to_add: add,
            roles_to_remove: remove,
        })
    }

    /// Resets every member of the guild to 0 XP and returns how many had any. Level roles
    /// members hold are left to the caller (the bot removes them, or leaves them).
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn reset_guild(&self, guild: GuildId) -> Result<u64, Error> {
        Ok(self.store.reset_guild(guild).await?)
    }
}
