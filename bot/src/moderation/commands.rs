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
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_register_with_moderator_permissions_in_guilds_only() {
        let commands = commands();
        let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["warn", "warnings", "clearwarnings", "modlog"]);
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
