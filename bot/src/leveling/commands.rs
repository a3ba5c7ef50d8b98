//! The leveling commands as Discord sees them: pure data, parsed by twilight-interactions.

use twilight_interactions::command::{
    CommandModel, CommandOption, CreateCommand, CreateOption, ResolvedUser,
};
use twilight_model::{
    application::{command::Command, interaction::InteractionChannel},
    guild::{Permissions, Role},
};

/// `/rank [member]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "rank",
    desc = "Show a member's level and rank as a card",
    contexts = "guild"
)]
pub struct Rank {
    /// Whose card (yours when left out)
    pub member: Option<ResolvedUser>,
}

/// `/leaderboard [page]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "leaderboard",
    desc = "The server's members by XP",
    contexts = "guild"
)]
pub struct Leaderboard {
    /// Which page (10 members a page)
    #[command(min_value = 1)]
    pub page: Option<i64>,
}

/// `/globalleaderboard [page] [show_me]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "globalleaderboard",
    desc = "Members by XP over every server that shares its leaderboard",
    contexts = "guild"
)]
pub struct GlobalLeaderboard {
    /// Which page (10 a page)
    #[command(min_value = 1)]
    pub page: Option<i64>,
    /// Whether you are shown on it (you are unless you say no)
    pub show_me: Option<bool>,
}

/// `/setxp member xp`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "setxp",
    desc = "Set a member's XP",
    default_permissions = "managers",
    contexts = "guild"
)]
pub struct SetXp {
    /// The member
    pub member: ResolvedUser,
    /// Their new XP total
    pub xp: i64,
}

/// `/addxp member xp`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "addxp",
    desc = "Give a member XP",
    default_permissions = "managers",
    contexts = "guild"
)]
pub struct AddXp {
    /// The member
    pub member: ResolvedUser,
    /// How much XP to add
    pub xp: i64,
}

/// `/resetxp member member` and `/resetxp all`
// Parsed once per command and dropped: boxing the large variant would gain nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "resetxp",
    desc = "Reset XP to 0 (asks to confirm)",
    default_permissions = "managers",
    contexts = "guild"
)]
pub enum ResetXp {
    /// `/resetxp member member`
    #[command(name = "member")]
    Member(ResetMember),
    /// `/resetxp all`
    #[command(name = "all")]
    All(ResetAll),
}

/// `/resetxp member member`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "member", desc = "Reset one member's XP")]
pub struct ResetMember {
    /// The member
    pub member: ResolvedUser,
}

/// `/resetxp all`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "all", desc = "Reset every member's XP in this server")]
pub struct ResetAll;

/// `/levelroles`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "levelroles",
    desc = "The roles members earn at each level",
    contexts = "guild"
)]
pub struct LevelRoles;

/// `/addlevelrole level role`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "addlevelrole",
    desc = "Give a role to members who reach a level",
    default_permissions = "managers",
    contexts = "guild"
)]
pub struct AddLevelRole {
    /// The level
    pub level: i64,
    /// The role (below mine, not managed by an integration)
    pub role: Role,
}

/// `/removelevelrole level`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "removelevelrole",
    desc = "Stop giving a role at a level",
    default_permissions = "managers",
    contexts = "guild"
)]
pub struct RemoveLevelRole {
    /// The level
    pub level: i64,
}

/// `/xpboost start|list|stop`
#[allow(clippy::large_enum_variant)] // as for `ResetXp`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "xpboost",
    desc = "Timed XP boosts",
    default_permissions = "managers",
    contexts = "guild"
)]
pub enum XpBoost {
    /// `/xpboost start multiplier duration [channel] [role]`
    #[command(name = "start")]
    Start(BoostStart),
    /// `/xpboost list`
    #[command(name = "list")]
    List(BoostList),
    /// `/xpboost stop id`
    #[command(name = "stop")]
    Stop(BoostStop),
}

/// `/xpboost start`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "start", desc = "Multiply XP for a while")]
pub struct BoostStart {
    /// The factor, like 2 or 1.5x (1.1 to 10)
    #[command(max_length = 16)]
    pub multiplier: String,
    /// How long, like 1h, 30m or 2d
    #[command(max_length = 32)]
    pub duration: String,
    /// Only messages in this channel
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: Option<InteractionChannel>,
    /// Only members with this role
    pub role: Option<Role>,
}

/// `/xpboost list`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "list", desc = "The boosts running or planned")]
pub struct BoostList;

/// `/xpboost stop id`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "stop", desc = "Stop a boost")]
pub struct BoostStop {
    /// The boost's id, from /xpboost list
    #[command(max_length = 20)]
    pub id: String,
}

/// `/levelsettings …`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "levelsettings",
    desc = "How leveling works in this server",
    default_permissions = "managers",
    contexts = "guild"
)]
pub enum LevelSettingsCommand {
    /// `/levelsettings show`
    #[command(name = "show")]
    Show(SettingsShow),
    /// `/levelsettings rate multiplier`
    #[command(name = "rate")]
    Rate(SettingsRate),
    /// `/levelsettings announce where [channel] [message]`
    #[command(name = "announce")]
    Announce(SettingsAnnounce),
    /// `/levelsettings noxp [channel] [role]`
    #[command(name = "noxp")]
    NoXp(SettingsNoXp),
    /// `/levelsettings rolemode mode`
    #[command(name = "rolemode")]
    RoleMode(SettingsRoleMode),
    /// `/levelsettings global share`
    #[command(name = "global")]
    Global(SettingsGlobal),
}

/// `/levelsettings show`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "show", desc = "Show the settings")]
pub struct SettingsShow;

/// `/levelsettings rate multiplier`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "rate",
    desc = "Multiply every message's XP (0 turns XP off, up to 5)"
)]
pub struct SettingsRate {
    /// The factor, like 1, 1.5 or 0
    #[command(max_length = 16)]
    pub multiplier: String,
}

/// Where level-ups are announced.
#[derive(Debug, Clone, Copy, CommandOption, CreateOption)]
pub enum AnnounceWhere {
    /// Nowhere.
    #[option(name = "off", value = "off")]
    Off,
    /// In the channel of the message.
    #[option(name = "in the same channel", value = "here")]
    Here,
    /// In a direct message.
    #[option(name = "in a direct message", value = "dm")]
    Dm,
    /// In one channel.
    #[option(name = "in a channel I choose", value = "channel")]
    Channel,
}

/// `/levelsettings announce where [channel] [message]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "announce", desc = "Where and how level-ups are announced")]
pub struct SettingsAnnounce {
    /// Where
    #[command(rename = "where")]
    pub target: AnnounceWhere,
    /// The channel, when "in a channel I choose"
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: Option<InteractionChannel>,
    /// The message, with {user}, {level} and {rank}
    #[command(max_length = 1000)]
    pub message: Option<String>,
}

/// `/levelsettings noxp [channel] [role]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "noxp",
    desc = "Switch XP off (or on again) in a channel or for a role"
)]
pub struct SettingsNoXp {
    /// A channel where messages earn nothing (again to undo)
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: Option<InteractionChannel>,
    /// A role whose members earn nothing (again to undo)
    pub role: Option<Role>,
}

/// How level roles combine.
#[derive(Debug, Clone, Copy, CommandOption, CreateOption)]
pub enum RoleModeChoice {
    /// Keep every earned role.
    #[option(name = "stack: keep every role earned", value = "stack")]
    Stack,
    /// Only the highest.
    #[option(name = "replace: only the highest", value = "replace")]
    Replace,
}

/// `/levelsettings rolemode mode`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "rolemode", desc = "Whether members keep lower levels' roles")]
pub struct SettingsRoleMode {
    /// Stack or replace
    pub mode: RoleModeChoice,
}

/// `/levelsettings global share`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "global",
    desc = "Whether this server's XP counts on the global leaderboard"
)]
pub struct SettingsGlobal {
    /// Share (true) or keep to this server (false)
    pub share: bool,
}

/// `/stats`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "stats",
    desc = "A chart of messages and active members per day over 30 days",
    contexts = "guild"
)]
pub struct Stats;

/// Who sees the admin commands by default: members who can manage the server.
fn managers() -> Permissions {
    Permissions::MANAGE_GUILD
}

/// Every leveling command, for registration.
pub fn commands() -> Vec<Command> {
    vec![
        Rank::create_command().into(),
        Leaderboard::create_command().into(),
        GlobalLeaderboard::create_command().into(),
        SetXp::create_command().into(),
        AddXp::create_command().into(),
        ResetXp::create_command().into(),
        LevelRoles::create_command().into(),
        AddLevelRole::create_command().into(),
        RemoveLevelRole::create_command().into(),
        XpBoost::create_command().into(),
        LevelSettingsCommand::create_command().into(),
        Stats::create_command().into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_commands_need_manage_server_and_member_commands_do_not() {
        for command in commands() {
            let admin = !matches!(
                command.name.as_str(),
                "rank" | "leaderboard" | "globalleaderboard" | "levelroles" | "stats"
            );
            assert_eq!(
                command.default_member_permissions,
                admin.then_some(Permissions::MANAGE_GUILD),
                "/{}",
                command.name
            );
        }
    }
}
