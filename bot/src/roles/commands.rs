//! The roles commands as Discord sees them: pure data, parsed by twilight-interactions.

use twilight_interactions::command::{CommandModel, CommandOption, CreateCommand, CreateOption};
use twilight_model::{
    application::{command::Command, interaction::InteractionChannel},
    guild::{Permissions, Role},
};

/// `/autorole add role [delay] [bots] | remove role | list`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "autorole",
    desc = "Roles given to everyone who joins",
    default_permissions = "managers",
    contexts = "guild"
)]
pub enum Autorole {
    /// `/autorole add`
    #[command(name = "add")]
    Add(AutoroleAdd),
    /// `/autorole remove`
    #[command(name = "remove")]
    Remove(AutoroleRemove),
    /// `/autorole list`
    #[command(name = "list")]
    List(AutoroleList),
}

/// `/autorole add role [delay] [bots]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "add", desc = "Give a role to everyone who joins")]
pub struct AutoroleAdd {
    /// The role to give
    pub role: Role,
    /// Wait this long after they join (or accept the rules), e.g. 10m, 1h, 7d; up to 28d
    #[command(max_length = 20)]
    pub delay: Option<String>,
    /// Give it to bots that are added, instead of to people
    pub bots: Option<bool>,
}

/// `/autorole remove role`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "remove", desc = "Stop giving a role on join")]
pub struct AutoroleRemove {
    /// The role to stop giving
    pub role: Role,
}

/// `/autorole list`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "list", desc = "List the roles given on join")]
pub struct AutoroleList;

/// What a menu does when a role is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, CommandOption, CreateOption)]
pub enum Mode {
    /// Toggle: choose to get, choose again to lose
    #[option(name = "normal: choose to get, again to lose", value = "normal")]
    Normal,
    /// One role of the menu at a time
    #[option(name = "unique: one role of the menu at a time", value = "unique")]
    Unique,
    /// Add only: roles are never taken back
    #[option(name = "verify: add only, never taken back", value = "verify")]
    Verify,
    /// Remove only
    #[option(name = "drop: remove only", value = "drop")]
    Drop,
}

/// `/reactionrole create`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "reactionrole",
    desc = "Role menus members use by reacting",
    default_permissions = "managers",
    contexts = "guild"
)]
pub enum ReactionRole {
    /// `/reactionrole create`
    #[command(name = "create")]
    Create(CreateMenu),
}

/// `/buttonroles create`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "buttonroles",
    desc = "Role menus members use with buttons",
    default_permissions = "managers",
    contexts = "guild"
)]
pub enum ButtonRoles {
    /// `/buttonroles create`
    #[command(name = "create")]
    Create(CreateMenu),
}

/// `/selectroles create`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "selectroles",
    desc = "Role menus members use with a drop-down list",
    default_permissions = "managers",
    contexts = "guild"
)]
pub enum SelectRoles {
    /// `/selectroles create`
    #[command(name = "create")]
    Create(CreateMenu),
}

/// `create title roles [channel] [mode] [limit] [required]`, shared by the three kinds.
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "create", desc = "Post a role menu")]
pub struct CreateMenu {
    /// The menu's title
    #[command(max_length = 256)]
    pub title: String,
    /// Emoji and roles, e.g. "🎮 @Gamers 🎨 @Artists" (emoji optional on buttons and lists)
    #[command(max_length = 2000)]
    pub roles: String,
    /// Where to post it (this channel if not given)
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: Option<InteractionChannel>,
    /// What choosing a role does (normal if not given)
    pub mode: Option<Mode>,
    /// The most of these roles one member may hold
    #[command(min_value = 1, max_value = 25)]
    pub limit: Option<i64>,
    /// Only members with this role may use the menu
    pub required: Option<Role>,
}

/// `/rolemenu edit | add | remove | delete | list`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "rolemenu",
    desc = "Change the role menus of this server in place",
    default_permissions = "managers",
    contexts = "guild"
)]
pub enum RoleMenu {
    /// `/rolemenu edit`
    #[command(name = "edit")]
    Edit(MenuEdit),
    /// `/rolemenu add`
    #[command(name = "add")]
    Add(MenuAdd),
    /// `/rolemenu remove`
    #[command(name = "remove")]
    Remove(MenuRemove),
    /// `/rolemenu delete`
    #[command(name = "delete")]
    Delete(MenuDelete),
    /// `/rolemenu list`
    #[command(name = "list")]
    List(MenuList),
}

/// `/rolemenu edit message [title] [mode] [limit] [required] [no_required]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "edit",
    desc = "Change a menu's title, mode, limit or required role"
)]
pub struct MenuEdit {
    /// The menu's message: its id or link
    #[command(max_length = 120)]
    pub message: String,
    /// A new title
    #[command(max_length = 256)]
    pub title: Option<String>,
    /// A new mode
    pub mode: Option<Mode>,
    /// A new limit (0 removes it)
    #[command(min_value = 0, max_value = 25)]
    pub limit: Option<i64>,
    /// Only members with this role may use the menu
    pub required: Option<Role>,
    /// Let everyone use the menu again
    pub no_required: Option<bool>,
}

/// `/rolemenu add message role [emoji] [label]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "add",
    desc = "Add a role to a menu (or change its emoji or label)"
)]
pub struct MenuAdd {
    /// The menu's message: its id or link
    #[command(max_length = 120)]
    pub message: String,
    /// The role
    pub role: Role,
    /// Its emoji (needed on reaction menus)
    #[command(max_length = 64)]
    pub emoji: Option<String>,
    /// Its label on a button or list (the role's name if not given)
    #[command(max_length = 80)]
    pub label: Option<String>,
}

/// `/rolemenu remove message role`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "remove", desc = "Take a role out of a menu")]
pub struct MenuRemove {
    /// The menu's message: its id or link
    #[command(max_length = 120)]
    pub message: String,
    /// The role
    pub role: Role,
}

/// `/rolemenu delete message`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "delete", desc = "Delete a menu and its message")]
pub struct MenuDelete {
    /// The menu's message: its id or link
    #[command(max_length = 120)]
    pub message: String,
}

/// `/rolemenu list`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "list", desc = "List this server's role menus")]
pub struct MenuList;

/// Who sees the roles commands by default: members who can manage roles.
fn managers() -> Permissions {
    Permissions::MANAGE_ROLES
}

/// Every roles command, for registration.
pub fn commands() -> Vec<Command> {
    vec![
        Autorole::create_command().into(),
        ReactionRole::create_command().into(),
        ButtonRoles::create_command().into(),
        SelectRoles::create_command().into(),
        RoleMenu::create_command().into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_register_for_role_managers_in_guilds_only() {
        let commands = commands();
        let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "autorole",
                "reactionrole",
                "buttonroles",
                "selectroles",
                "rolemenu"
            ]
        );
        for command in &commands {
            assert_eq!(
                command.default_member_permissions,
                Some(Permissions::MANAGE_ROLES)
            );
        }
        let json = serde_json::to_value(&commands[4]).unwrap();
        assert_eq!(json["contexts"], serde_json::json!([0]));
    }
}
