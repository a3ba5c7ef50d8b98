//! A guild's configuration: settings, level roles and timed boosts.

use hearth_core::{GuildId, RoleId, Timestamp};

use super::Leveling;
use crate::{
    Boost, BoostId, BoostStore, Error, LEVEL_ROLES_MAX, LevelSettings, LevelSettingsStore,
    NewBoost, SettingsChange, member::level_in,
};

impl<S: LevelSettingsStore> Leveling<S> {
    /// The guild's leveling settings; the defaults when it never saved any.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn settings(&self, guild: GuildId) -> Result<LevelSettings, Error> {
        Ok(self.store.level_settings(guild).await?.unwrap_or_default())
    }

    /// Writes a change to the guild's settings and returns the settings after it.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails. (Values are checked when the change is built.)
    pub async fn update_settings(
        &self,
        guild: GuildId,
        change: &SettingsChange,
    ) -> Result<LevelSettings, Error> {
        Ok(self.store.update_level_settings(guild, change).await?)
    }

    /// Gives `role` at `level` (1 to [`LEVEL_MAX`](crate::LEVEL_MAX)), replacing the role that
    /// level had, and returns the new settings. Whether the bot can manage the role is the
    /// caller's check.
    ///
    /// The limit of [`LEVEL_ROLES_MAX`] is checked against the settings as read just before
    /// the write: two admins adding the last role at once may both succeed.
    ///
    /// # Errors
    ///
    /// [`Error::LevelOutOfRange`], [`Error::TooManyLevelRoles`], [`Error::Store`].
    pub async fn set_level_role(
        &self,
        guild: GuildId,
        level: i64,
        role: RoleId,
    ) -> Result<LevelSettings, Error> {
        let level = level_in(level, 1)?;
        let current = self.settings(guild).await?;
        if current.level_roles.get(level).is_none() && current.level_roles.len() >= LEVEL_ROLES_MAX
        {
            return Err(Error::TooManyLevelRoles {
                max: LEVEL_ROLES_MAX,
            });
        }
        self.update_settings(guild, &SettingsChange::level_role(level, Some(role)))
            .await
    }

    /// Stops giving a role at `level` and returns the role it gave and the new settings.
    ///
    /// # Errors
    ///
    /// [`Error::LevelOutOfRange`]; [`Error::LevelRoleNotFound`] when no role is given at that
    /// level; [`Error::Store`].
    pub async fn remove_level_role(
        &self,
        guild: GuildId,
        level: i64,
    ) -> Result<(RoleId, LevelSettings), Error> {
        let level = level_in(level, 1)?;
        let current = self.settings(guild).await?;
        let role = current
            .level_roles
            .get(level)
            .ok_or(Error::LevelRoleNotFound { level })?;
        let change = SettingsChange::level_role(level, None);
        Ok((role, self.update_settings(guild, &change).await?))
    }
}

impl<S: BoostStore> Leveling<S> {
    /// Starts (or schedules) a boost and returns it as stored. Starting the same boost id
    /// again (a retried interaction) returns the stored one and stores nothing.
    ///
    /// The limit of [`BOOSTS_MAX`](crate::BOOSTS_MAX) is checked against the boosts read just
    /// before the write: two admins starting the last boost at once may both succeed.
    ///
    /// # Errors
    ///
    /// [`Error::BoostOutOfRange`], [`Error::BoostDurationOutOfRange`],
    /// [`Error::TooManyBoosts`], [`Error::Store`].
    pub async fn start_boost(&self, boost: NewBoost, now: Timestamp) -> Result<Boost, Error> {
        let boost = boost.check()?;
        let current = self.store.boosts(boost.guild, now).await?;
        let is_retry = current.iter().any(|b| b.id == boost.id);
        if !is_retry && current.len() >= crate::BOOSTS_MAX {
            return Err(Error::TooManyBoosts {
                max: crate::BOOSTS_MAX,
            });
        }
        Ok(self.store.add_boost(boost).await?)
    }

    /// The guild's boosts that have not ended by `now`, by start time.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn boosts(&self, guild: GuildId, now: Timestamp) -> Result<Vec<Boost>, Error> {
        Ok(self.store.boosts(guild, now).await?)
    }

    /// Stops a boost (running or planned) and returns it.
    ///
    /// # Errors
    ///
    /// [`Error::BoostNotFound`] when the guild has no such boost; [`Error::Store`].
    pub async fn stop_boost(&self, guild: GuildId, id: BoostId) -> Result<Boost, Error> {
        self.store
            .remove_boost(guild, id)
            .await?
            .ok_or(Error::BoostNotFound { id })
    }
}
