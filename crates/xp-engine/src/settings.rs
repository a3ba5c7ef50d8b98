//! A guild's leveling settings.

use hearth_core::{ChannelId, RoleId};
use serde::{Deserialize, Serialize};

use crate::{Announce, Error, LevelRoles, RoleMode, Template, XpRate};

/// The most channels a guild may exclude from XP.
pub const NO_XP_CHANNELS_MAX: usize = 50;
/// The most roles a guild may exclude from XP.
pub const NO_XP_ROLES_MAX: usize = 50;

/// How leveling works in one guild. A guild that never changed anything has the default:
/// 1× rate, announcements in the same channel with [`Template::DEFAULT`], no excluded channels
/// or roles, no level roles in *stack* mode, and contributing to the global leaderboard.
///
/// New fields may come in later releases (it is `#[non_exhaustive]`): start from
/// `LevelSettings::default()`. Stores write changes field by field ([`SettingsChange`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LevelSettings {
    /// Every message grant is multiplied by it; 0× turns message XP off.
    pub rate: XpRate,
    /// Where level-ups are announced.
    pub announce: Announce,
    /// What a level-up announcement says.
    pub template: Template,
    /// Channels where messages earn nothing.
    pub no_xp_channels: Vec<ChannelId>,
    /// Members with any of these roles earn nothing.
    pub no_xp_roles: Vec<RoleId>,
    /// Level → role.
    pub level_roles: LevelRoles,
    /// Whether members keep lower levels' roles.
    pub role_mode: RoleMode,
    /// Whether this guild's XP counts on the global leaderboard (`true` by default; a guild
    /// opts out by setting it to `false`).
    pub global_leaderboard: bool,
}

impl Default for LevelSettings {
    fn default() -> Self {
        Self {
            rate: XpRate::default(),
            announce: Announce::default(),
            template: Template::default(),
            no_xp_channels: Vec::new(),
            no_xp_roles: Vec::new(),
            level_roles: LevelRoles::default(),
            role_mode: RoleMode::default(),
            global_leaderboard: true,
        }
    }
}

/// A change to some of a guild's leveling settings: a store writes only the fields it names
/// and returns the settings after the change, in one atomic step.
///
/// Level roles change one level at a time, so two admins adding roles for different levels at
/// once both succeed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SettingsChange {
    /// A new rate.
    pub rate: Option<XpRate>,
    /// A new announcement target.
    pub announce: Option<Announce>,
    /// A new template.
    pub template: Option<Template>,
    /// A new list of excluded channels (checked: at most [`NO_XP_CHANNELS_MAX`]).
    pub no_xp_channels: Option<Vec<ChannelId>>,
    /// A new list of excluded roles (checked: at most [`NO_XP_ROLES_MAX`]).
    pub no_xp_roles: Option<Vec<RoleId>>,
    /// One level's role set (`Some(role)`) or cleared (`None`).
    pub level_role: Option<(u32, Option<RoleId>)>,
    /// A new role mode.
    pub role_mode: Option<RoleMode>,
    /// Whether the guild contributes to the global leaderboard.
    pub global_leaderboard: Option<bool>,
}

impl SettingsChange {
    /// A change of the rate alone.
    pub fn rate(rate: XpRate) -> Self {
        Self {
            rate: Some(rate),
            ..Self::default()
        }
    }

    /// A change of where announcements go.
    pub fn announce(announce: Announce) -> Self {
        Self {
            announce: Some(announce),
            ..Self::default()
        }
    }

    /// A change of the announcement template.
    pub fn template(template: Template) -> Self {
        Self {
            template: Some(template),
            ..Self::default()
        }
    }

    /// A change of the excluded channels.
    ///
    /// # Errors
    ///
    /// [`Error::TooManyNoXpChannels`] above [`NO_XP_CHANNELS_MAX`].
    pub fn no_xp_channels(mut channels: Vec<ChannelId>) -> Result<Self, Error> {
        channels.sort_unstable();
        channels.dedup();
        if channels.len() > NO_XP_CHANNELS_MAX {
            return Err(Error::TooManyNoXpChannels {
                max: NO_XP_CHANNELS_MAX,
                len: channels.len(),
            });
        }
        Ok(Self {
            no_xp_channels: Some(channels),
            ..Self::default()
        })
    }

    /// A change of the excluded roles.
    ///
    /// # Errors
    ///
    /// [`Error::TooManyNoXpRoles`] above [`NO_XP_ROLES_MAX`].
    pub fn no_xp_roles(mut roles: Vec<RoleId>) -> Result<Self, Error> {
        roles.sort_unstable();
        roles.dedup();
        if roles.len() > NO_XP_ROLES_MAX {
            return Err(Error::TooManyNoXpRoles {
                max: NO_XP_ROLES_MAX,
                len: roles.len(),
            });
        }
        Ok(Self {
            no_xp_roles: Some(roles),
            ..Self::default()
        })
    }

    /// A change of one level's role: `Some(role)` gives it at `level`, `None` stops giving
    /// one. [`Leveling::set_level_role`](crate::Leveling::set_level_role) checks the level and
    /// the number of level roles first; this constructor checks nothing.
    pub fn level_role(level: u32, role: Option<RoleId>) -> Self {
        Self {
            level_role: Some((level, role)),
            ..Self::default()
        }
    }

    /// A change of the role mode.
    pub fn role_mode(mode: RoleMode) -> Self {
        Self {
            role_mode: Some(mode),
            ..Self::default()
        }
    }

    /// Whether the guild contributes to the global leaderboard.
    pub fn global_leaderboard(contribute: bool) -> Self {
        Self {
            global_leaderboard: Some(contribute),
            ..Self::default()
        }
    }

    /// `settings` with this change applied: the reference semantics every store follows.
    pub fn apply(&self, mut settings: LevelSettings) -> LevelSettings {
        if let Some(rate) = self.rate {
            settings.rate = rate;
        }
        if let Some(announce) = self.announce {
            settings.announce = announce;
        }
        if let Some(template) = &self.template {
            settings.template = template.clone();
        }
        if let Some(channels) = &self.no_xp_channels {
            settings.no_xp_channels.clone_from(channels);
        }
        if let Some(roles) = &self.no_xp_roles {
            settings.no_xp_roles.clone_from(roles);
        }
        if let Some((level, role)) = self.level_role {
            settings.level_roles.set(level, role);
        }
        if let Some(mode) = self.role_mode {
            settings.role_mode = mode;
        }
        if let Some(contribute) = self.global_leaderboard {
            settings.global_leaderboard = contribute;
        }
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_contribute_to_the_global_leaderboard() {
        let settings = LevelSettings::default();
        assert!(settings.global_leaderboard);
        assert_eq!(settings.rate, XpRate::NORMAL);
        let read: LevelSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(read, settings);
    }

    #[test]
    fn list_limits_are_probed() {
        let channels = |n: u64| (1..=n).map(ChannelId::new).collect::<Vec<_>>();
        let max = NO_XP_CHANNELS_MAX as u64;
        assert!(SettingsChange::no_xp_channels(channels(max)).is_ok());
        assert!(matches!(
            SettingsChange::no_xp_channels(channels(max + 1)),
            Err(Error::TooManyNoXpChannels { max: 50, len: 51 })
        ));
        // Duplicates count once.
        let mut doubled = channels(max);
        doubled.extend(channels(max));
        assert_eq!(
            SettingsChange::no_xp_channels(doubled)
                .unwrap()
                .no_xp_channels
                .unwrap()
                .len(),
            NO_XP_CHANNELS_MAX
        );
        let roles = |n: u64| (1..=n).map(RoleId::new).collect::<Vec<_>>();
        assert!(SettingsChange::no_xp_roles(roles(max)).is_ok());
        assert!(matches!(
            SettingsChange::no_xp_roles(roles(max + 1)),
            Err(Error::TooManyNoXpRoles { max: 50, len: 51 })
        ));
    }

    #[test]
    fn a_change_writes_only_its_fields() {
        let role = RoleId::new(5);
        let mut settings =
            SettingsChange::role_mode(RoleMode::Replace).apply(LevelSettings::default());
        settings = SettingsChange::level_role(5, Some(role)).apply(settings);
        assert_eq!(settings.role_mode, RoleMode::Replace);
        assert_eq!(settings.level_roles.get(5), Some(role));
        settings = SettingsChange::level_role(5, None).apply(settings);
        assert!(settings.level_roles.is_empty());
        assert_eq!(settings.role_mode, RoleMode::Replace);
    }
}
