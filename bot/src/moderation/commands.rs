//! The moderation commands as Discord sees them: pure data, parsed by twilight-interactions.

use twilight_interactions::command::{CommandModel, CreateCommand, ResolvedUser};
use twilight_model::{
    application::{command::Command, interaction::InteractionChannel},
    guild::Permissions,
};

/// `/warn member reason`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "warn",
    desc = "Warn a member; repeated warnings escalate",
    default_permissions = "moderators",
    contexts = "guild"
)]
pub struct Warn {
    /// The member to warn
    pub member: ResolvedUser,
    /// Why; the member, the mod log and the audit log see it (up to 512 characters)
    #[command(max_length = 512)]
    pub reason: String,
}

/// `/warnings member [page]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "warnings",
    desc = "List a member's warnings, newest first",
    default_permissions = "moderators",
    contexts = "guild"
)]
pub struct Warnings {
    /// The member whose warnings to list
    pub member: ResolvedUser,
    /// Which page (10 warnings a page)
    #[command(min_value = 1, max_value = 1000)]
    pub page: Option<i64>,
}

/// `/clearwarnings member`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "clearwarnings",
    desc = "Remove all of a member's warnings (asks to confirm)",
    default_permissions = "moderators",
    contexts = "guild"
)]
pub struct ClearWarnings {
    /// The member whose warnings to remove
    pub member: ResolvedUser,
}

/// `/modlog set channel` and `/modlog off`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "modlog",
    desc = "Choose where moderation cases are posted",
    default_permissions = "managers",
    contexts = "guild"
)]
pub enum Modlog {
    /// `/modlog set channel`
    #[command(name = "set")]
    Set(ModlogSet),
    /// `/modlog off`
    #[command(name = "off")]
    Off(ModlogOff),
}

/// `/modlog set channel`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "set", desc = "Post moderation cases in a channel")]
pub struct ModlogSet {
    /// The channel for case embeds
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: InteractionChannel,
}

/// `/modlog off`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "off", desc = "Stop posting moderation cases")]
pub struct ModlogOff;

/// `/mute member duration [reason]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "mute",
    desc = "Time a member out (Discord's timeout, up to 28 days)",
    default_permissions = "moderators",
    contexts = "guild"
)]
pub struct Mute {
    /// The member to mute
    pub member: ResolvedUser,
    /// How long: 30s, 10m, 1h30m, 7d (at most 28d)
    #[command(max_length = 32)]
    pub duration: String,
    /// Why; the member, the mod log and the audit log see it
    #[command(max_length = 512)]
    pub reason: Option<String>,
}

/// `/unmute member [reason]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "unmute",
    desc = "End a member's timeout",
    default_permissions = "moderators",
    contexts = "guild"
)]
pub struct Unmute {
    /// The member to unmute
    pub member: ResolvedUser,
    /// Why
    #[command(max_length = 512)]
    pub reason: Option<String>,
}

/// `/kick member [reason]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "kick",
    desc = "Remove a member from the server (they can rejoin)",
    default_permissions = "kickers",
    contexts = "guild"
)]
pub struct Kick {
    /// The member to kick
    pub member: ResolvedUser,
    /// Why; the member, the mod log and the audit log see it
    #[command(max_length = 512)]
    pub reason: Option<String>,
}

/// `/ban user [duration] [delete_messages] [reason]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "ban",
    desc = "Ban a member or any user id, for good or for a time",
    default_permissions = "banners",
    contexts = "guild"
)]
pub struct Ban {
    /// The member or user (paste an id for someone not in the server)
    pub user: ResolvedUser,
    /// For how long: 1h, 7d, 2w (at most 365d); leave out for a permanent ban
    #[command(max_length = 32)]
    pub duration: Option<String>,
    /// Delete their messages of the last 0–7 days
    #[command(min_value = 0, max_value = 7)]
    pub delete_messages: Option<i64>,
    /// Why; the member, the mod log and the audit log see it
    #[command(max_length = 512)]
    pub reason: Option<String>,
}

/// `/unban user [reason]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "unban",
    desc = "Lift a ban (and its timer, if it had one)",
    default_permissions = "banners",
    contexts = "guild"
)]
pub struct Unban {
    /// The banned user (paste their id)
    pub user: ResolvedUser,
    /// Why
    #[command(max_length = 512)]
    pub reason: Option<String>,
}

/// `/case number`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "case",
    desc = "Show a moderation case",
    default_permissions = "moderators",
    contexts = "guild"
)]
pub struct CaseCommand {
    /// The case number
    #[command(min_value = 1)]
    pub number: i64,
}

/// `/reason number text`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "reason",
    desc = "Change a case's reason (and its mod-log entry)",
    default_permissions = "moderators",
    contexts = "guild"
)]
pub struct ReasonCommand {
    /// The case number
    #[command(min_value = 1)]
    pub number: i64,
    /// The new reason
    #[command(max_length = 512)]
    pub text: String,
}

/// Who sees `/kick` by default.
fn kickers() -> Permissions {
    Permissions::KICK_MEMBERS
}

/// Who sees `/ban` and `/unban` by default.
fn banners() -> Permissions {
    Permissions::BAN_MEMBERS
}

/// Who sees the warning commands by default: members who can time others out.
fn moderators() -> Permissions {
    Permissions::MODERATE_MEMBERS
}

/// Who sees `/modlog` by default: members who can manage the server.
fn managers() -> Permissions {
    Permissions::MANAGE_GUILD
}

/// Every moderation command, for registration.
pub fn commands() -> Vec<Command> {
    vec![
        Warn::create_command().into(),
        Warnings::create_command().into(),
        ClearWarnings::create_command().into(),
        Modlog::create_command().into(),
        Mute::create_command().into(),
        Unmute::create_command().into(),
        Kick::create_command().into(),
        Ban::create_command().into(),
        Unban::create_command().into(),
        CaseCommand::create_command().into(),
        ReasonCommand::create_command().into(),
        super::channels::Slowmode::create_command().into(),
        super::channels::LockdownCommand::create_command().into(),
        super::channels::UnlockCommand::create_command().into(),
        super::escalation::Escalation::create_command().into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_register_with_moderator_permissions_in_guilds_only() {
        let commands = commands();
        let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "warn",
                "warnings",
                "clearwarnings",
                "modlog",
                "mute",
                "unmute",
                "kick",
                "ban",
                "unban",
                "case",
                "reason",
                "slowmode",
                "lockdown",
                "unlock",
                "escalation"
            ]
        );
        assert_eq!(
            commands[7].default_member_permissions,
            Some(Permissions::BAN_MEMBERS)
        );
        assert_eq!(
            commands[0].default_member_permissions,
            Some(Permissions::MODERATE_MEMBERS)
        );
        assert_eq!(
            commands[3].default_member_permissions,
            Some(Permissions::MANAGE_GUILD)
        );
        let json = serde_json::to_value(&commands[0]).unwrap();
        assert_eq!(json["options"][1]["max_length"], 512);
        assert_eq!(json["contexts"], serde_json::json!([0]));
    }
}
