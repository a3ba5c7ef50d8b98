//! A member acting through interactions: slash commands, autocomplete, buttons, select menus
//! and modal submits.

use std::sync::Arc;

use serde_json::{Value, json};
use twilight_model::guild::Permissions;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, MessageMarker, RoleMarker, UserMarker};

use super::interaction::InteractionHandle;
use super::member::Member;
use crate::events;
use crate::payload::{self, id};
use crate::state::{Interaction, ResponseKind, State};

/// A value of a slash-command option, for [`Member::run_command`].
///
/// See Discord Docs/Interactions/Application Commands ("Application Command Option Type").
#[derive(Clone, Debug, PartialEq)]
pub enum CommandValue {
    /// Type 3.
    String(String),
    /// Type 4.
    Integer(i64),
    /// Type 5.
    Boolean(bool),
    /// Type 6, resolved with the user and their member.
    User(Id<UserMarker>),
    /// Type 7, resolved with the channel.
    Channel(Id<ChannelMarker>),
    /// Type 8, resolved with the role.
    Role(Id<RoleMarker>),
    /// Type 10.
    Number(f64),
    /// Type 1: a subcommand with its options.
    Subcommand(String, Vec<(String, CommandValue)>),
    /// A string option being typed, for [`Member::autocomplete`] (`"focused": true`).
    Focused(String),
}

impl Member {
    /// Runs a registered slash command in a channel: a real INTERACTION_CREATE with resolved
    /// users, members, roles and channels, the member's permissions and `attachment_size_limit`.
    ///
    /// # Panics
    ///
    /// When no global or guild command of that name is registered.
    pub fn run_command(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, CommandValue)],
    ) -> InteractionHandle {
        self.command_interaction(channel, name, options, 2)
    }

    /// Types into a command option: an APPLICATION_COMMAND_AUTOCOMPLETE interaction (type 4)
    /// whose options include one [`CommandValue::Focused`]; read the bot's choices with
    /// [`InteractionHandle::autocomplete_choices`].
    ///
    /// # Panics
    ///
    /// When no global or guild command of that name is registered.
    pub fn autocomplete(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, CommandValue)],
    ) -> InteractionHandle {
        self.command_interaction(channel, name, options, 4)
    }

    pub(super) fn command_interaction(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, CommandValue)],
        kind: u8,
    ) -> InteractionHandle {
        let iid = self.shared.with(|s| {
            let command = s
                .guild_commands
                .get(&self.guild_id)
                .into_iter()
                .flatten()
                .chain(&s.global_commands)
                .find(|c| c["name"] == name && c["type"].as_u64().unwrap_or(1) == 1)
                .cloned()
                .unwrap_or_else(|| panic!("the bot has not registered a command named {name:?}"));
            let mut resolved = json!({});
            let options = options_json(s, self.guild_id, options, &mut resolved);
            let mut data = json!({
                "id": command["id"],
                "name": name,
                "type": 1,
                "options": options,
                "guild_id": id(self.guild_id),
            });
            if resolved.as_object().is_some_and(|r| !r.is_empty()) {
                data["resolved"] = resolved;
            }
            create_interaction(
                s,
                self.guild_id,
                channel.get(),
                self.user_id,
                kind,
                None,
                &data,
            )
        });
        InteractionHandle {
            shared: Arc::clone(&self.shared),
            id: iid,
        }
    }

    /// Clicks a button on a message (INTERACTION_CREATE of type 3).
    ///
    /// # Panics
    ///
    /// When the message does not exist.
    pub fn click(&self, message: Id<MessageMarker>, custom_id: &str) -> InteractionHandle {
        self.component(
            message,
            &json!({"custom_id": custom_id, "component_type": 2}),
        )
    }

    /// Picks values in a string select menu on a message.
    ///
    /// # Panics
    ///
    /// When the message does not exist.
    pub fn select(
        &self,
        message: Id<MessageMarker>,
        custom_id: &str,
        values: &[&str],
    ) -> InteractionHandle {
        self.component(
            message,
            &json!({"custom_id": custom_id, "component_type": 3, "values": values}),
        )
    }

    /// Picks roles in a role select menu (component type 6), with the roles resolved.
    ///
    /// # Panics
    ///
    /// When the message does not exist.
    pub fn select_roles(
        &self,
        message: Id<MessageMarker>,
        custom_id: &str,
        roles: &[Id<RoleMarker>],
    ) -> InteractionHandle {
        let resolved = self.shared.read(|s| {
            let mut map = serde_json::Map::new();
            if let Some(g) = s.guilds.get(&self.guild_id) {
                for r in roles {
                    if let Some(role) = g.roles.get(&r.get()) {
                        map.insert(r.to_string(), payload::role(role, Some(s.bot_id())));
                    }
                }
            }
            map
        });
        let values: Vec<String> = roles.iter().map(ToString::to_string).collect();
        self.component(
            message,
            &json!({"custom_id": custom_id, "component_type": 6, "values": values, "resolved": {"roles": resolved}}),
        )
    }

    /// Picks users in a user select menu (component type 5), with users and members resolved.
    ///
    /// # Panics
    ///
    /// When the message does not exist.
    pub fn select_users(
        &self,
        message: Id<MessageMarker>,
        custom_id: &str,
        users: &[Id<UserMarker>],
    ) -> InteractionHandle {
        let mut resolved = json!({});
        self.shared.read(|s| {
            let options: Vec<(String, CommandValue)> = users
                .iter()
                .map(|u| (String::new(), CommandValue::User(*u)))
                .collect();
            if s.guilds.contains_key(&self.guild_id) {
                options_json(s, self.guild_id, &options, &mut resolved);
            }
        });
        let values: Vec<String> = users.iter().map(ToString::to_string).collect();
        self.component(
            message,
            &json!({"custom_id": custom_id, "component_type": 5, "values": values, "resolved": resolved}),
        )
    }

    pub(super) fn component(&self, message: Id<MessageMarker>, data: &Value) -> InteractionHandle {
        let iid = self.shared.with(|s| {
            let m = s.messages.get(&message.get()).expect("message exists");
            // A button in the bot's DM belongs to no guild.
            let (channel, guild) = (m.channel_id, m.guild_id);
            create_interaction(
                s,
                guild,
                channel,
                self.user_id,
                3,
                Some(message.get()),
                data,
            )
        });
        InteractionHandle {
            shared: Arc::clone(&self.shared),
            id: iid,
        }
    }

    /// Submits the modal that `opened_by` answered with (INTERACTION_CREATE of type 5), with
    /// `(custom_id, value)` for each text input.
    ///
    /// # Panics
    ///
    /// When that interaction was not answered with a modal, or a field is not one of its
    /// inputs (Discord's client submits only those).
    pub fn submit_modal(
        &self,
        opened_by: &InteractionHandle,
        fields: &[(&str, &str)],
    ) -> InteractionHandle {
        let iid = self.shared.with(|s| {
            let origin = s.interactions[&opened_by.id].clone();
            assert_eq!(
                origin.response,
                Some(ResponseKind::Modal),
                "the interaction was not answered with a modal"
            );
            let body = origin.response_body.unwrap_or_default();
            let custom_id = body["data"]["custom_id"].clone();
            // Discord's client submits only the modal's own inputs.
            let modal = super::Modal::from_data(&body["data"]).expect("a modal response");
            for (field, _) in fields {
                assert!(
                    modal.input(field).is_some(),
                    "the modal {:?} has no input {field:?}",
                    modal.custom_id
                );
            }
            // Discord numbers every component of a modal submit (`id`), rows and inputs alike.
            let components: Vec<Value> = fields
                .iter()
                .zip(1..)
                .map(|((custom_id, value), n)| {
                    let input =
                        json!({"type": 4, "id": 2 * n, "custom_id": custom_id, "value": value});
                    if modal.input(custom_id).is_some_and(|i| i.in_label) {
                        json!({"type": 18, "id": 2 * n - 1, "component": input})
                    } else {
                        json!({"type": 1, "id": 2 * n - 1, "components": [input]})
                    }
                })
                .collect();
            let data = json!({"custom_id": custom_id, "components": components});
            // Submitted where the modal was opened: a modal from a DM button has no guild.
            create_interaction(
                s,
                origin.guild_id,
                origin.channel_id,
                self.user_id,
                5,
                origin.source_message,
                &data,
            )
        });
        InteractionHandle {
            shared: Arc::clone(&self.shared),
            id: iid,
        }
    }
}

pub(super) fn options_json<S: AsRef<str>>(
    s: &State,
    guild_id: u64,
    options: &[(S, CommandValue)],
    resolved: &mut Value,
) -> Vec<Value> {
    let g = &s.guilds[&guild_id];
    options
        .iter()
        .map(|(name, value)| {
            let (kind, v) = match value {
                CommandValue::String(x) => (3, json!(x)),
                CommandValue::Integer(x) => (4, json!(x)),
                CommandValue::Boolean(x) => (5, json!(x)),
                CommandValue::Number(x) => (10, json!(x)),
                CommandValue::User(u) => {
                    resolved["users"][u.to_string()] = payload::user_by_id(s, u.get());
                    if let Some(m) = g.members.get(&u.get()) {
                        let mut member = payload::member(s, m, false);
                        member["permissions"] =
                            json!(g.base_permissions(u.get()).bits().to_string());
                        resolved["members"][u.to_string()] = member;
                    }
                    (6, json!(u.to_string()))
                }
                CommandValue::Channel(c) => {
                    if let Some(ch) = s.channels.get(&c.get()) {
                        resolved["channels"][c.to_string()] = json!({
                            "id": id(ch.id),
                            "name": ch.name,
                            "type": ch.kind,
                            "permissions": Permissions::all().bits().to_string(),
                            "parent_id": ch.parent_id.map(id),
                        });
                    }
                    (7, json!(c.to_string()))
                }
                CommandValue::Role(r) => {
                    if let Some(role) = g.roles.get(&r.get()) {
                        resolved["roles"][r.to_string()] = payload::role(role, Some(s.bot_id()));
                    }
                    (8, json!(r.to_string()))
                }
                CommandValue::Focused(x) => {
                    return json!({"name": name.as_ref(), "type": 3, "value": x, "focused": true});
                }
                CommandValue::Subcommand(sub, inner) => {
                    let nested = options_json(s, guild_id, inner, resolved);
                    return json!({"name": sub, "type": 1, "options": nested});
                }
            };
            json!({"name": name.as_ref(), "type": kind, "value": v})
        })
        .collect()
}

pub(super) fn create_interaction(
    s: &mut State,
    guild_id: u64,
    channel_id: u64,
    user_id: u64,
    kind: u8,
    source: Option<u64>,
    data: &Value,
) -> u64 {
    let iid = s.ids.next();
    let token = format!(
        "aW50ZXJhY3Rpb246{iid:x}{:x}",
        iid.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    );
    let interaction = Interaction {
        id: iid,
        token,
        kind,
        guild_id,
        channel_id,
        user_id,
        created_ms: s.now(),
        response: None,
        response_body: None,
        original_message: None,
        source_message: source,
        followups: Vec::new(),
        deferred_ephemeral: false,
        endpoint_failure: None,
    };
    let message = source
        .and_then(|m| s.messages.get(&m))
        .map(|m| payload::message(s, m));
    let value = payload::interaction(s, &interaction, data, message);
    s.interactions.insert(iid, interaction);
    match &s.endpoint {
        // With an Interactions Endpoint URL, Discord POSTs the interaction instead.
        Some((_, queue)) => {
            let _ = queue.send((iid, value));
        }
        None => events::interaction_create(s, guild_id, &value),
    }
    iid
}
