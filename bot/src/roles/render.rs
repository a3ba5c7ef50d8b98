//! A role menu as members see it: an embed listing its roles, and its buttons or select menu.

use std::fmt::Write as _;

use hearth_roles::{MenuEmoji, MenuKind, MenuMode, RoleMenu};
use twilight_model::{
    channel::message::{
        Component, EmojiReactionType,
        component::{ActionRow, Button, ButtonStyle, SelectMenu, SelectMenuOption, SelectMenuType},
    },
    id::Id,
};
use twilight_util::builder::embed::{EmbedBuilder, EmbedFooterBuilder};

use super::components::{Choose, Pick};
use crate::{
    custom_id::Action,
    discord::Emoji,
    reply::{COLOUR_INFO, Reply},
};

/// Buttons per row, Discord's limit.
const BUTTONS_PER_ROW: usize = 5;

/// What the menu's footer says about its mode.
fn how(menu: &RoleMenu) -> String {
    let verb = match menu.kind {
        MenuKind::Reactions => "React",
        MenuKind::Buttons => "Click a button",
        MenuKind::Select => "Choose from the list",
    };
    let mut text = match menu.mode {
        MenuMode::Normal => format!("{verb} to get a role; again to give it back."),
        MenuMode::Unique => format!("{verb} to get a role; you hold one of these at a time."),
        MenuMode::Verify => format!("{verb} to get a role; it stays."),
        MenuMode::Drop => format!("{verb} to give a role back."),
    };
    if let Some(limit) = menu.limit {
        let _ = write!(text, " At most {limit} per member.");
    }
    text
}

/// The menu's message.
pub fn menu(menu: &RoleMenu) -> Reply {
    let mut lines: Vec<String> = menu
        .options
        .iter()
        .map(|o| match &o.emoji {
            Some(emoji) => format!("{emoji} <@&{}>", o.role),
            None => format!("<@&{}>", o.role),
        })
        .collect();
    if !menu.required.is_empty() {
        let list: Vec<String> = menu.required.iter().map(|r| format!("<@&{r}>")).collect();
        lines.push(format!("\nFor members with {}.", list.join(" or ")));
    }
    let embed = EmbedBuilder::new()
        .title(menu.title.clone())
        .description(lines.join("\n"))
        .color(COLOUR_INFO)
        .footer(EmbedFooterBuilder::new(how(menu)))
        .build();
    Reply::embed(embed).with_components(components(menu))
}

fn reaction_type(emoji: &MenuEmoji) -> EmojiReactionType {
    match emoji {
        MenuEmoji::Unicode { name } => EmojiReactionType::Unicode { name: name.clone() },
        MenuEmoji::Custom { id, name, animated } => EmojiReactionType::Custom {
            animated: *animated,
            id: Id::new((*id).max(1)),
            name: Some(name.clone()),
        },
    }
}

/// How the bot reacts with a menu emoji.
pub fn emoji(emoji: &MenuEmoji) -> Emoji<'_> {
    match emoji {
        MenuEmoji::Unicode { name } => Emoji::Unicode(name),
        MenuEmoji::Custom { id, name, .. } => Emoji::Custom { id: *id, name },
    }
}

fn components(menu: &RoleMenu) -> Vec<Component> {
    match menu.kind {
        MenuKind::Reactions => Vec::new(),
        MenuKind::Buttons => menu
            .options
            .chunks(BUTTONS_PER_ROW)
            .map(|row| {
                Component::ActionRow(ActionRow {
                    id: None,
                    components: row
                        .iter()
                        .map(|o| {
                            Component::Button(Button {
                                custom_id: Some(Pick { role: o.role }.custom_id()),
                                disabled: false,
                                emoji: o.emoji.as_ref().map(reaction_type),
                                id: None,
                                label: Some(o.label.clone()),
                                sku_id: None,
                                style: ButtonStyle::Secondary,
                                url: None,
                            })
                        })
                        .collect(),
                })
            })
            .collect(),
        MenuKind::Select => {
            let count = u8::try_from(menu.options.len()).unwrap_or(25);
            let max = match (menu.mode, menu.limit) {
                (MenuMode::Unique, _) => 1,
                (_, Some(limit)) => limit.min(count),
                _ => count,
            };
            vec![Component::ActionRow(ActionRow {
                id: None,
                components: vec![Component::SelectMenu(SelectMenu {
                    channel_types: None,
                    custom_id: Choose.custom_id(),
                    default_values: None,
                    disabled: false,
                    id: None,
                    kind: SelectMenuType::Text,
                    max_values: Some(max),
                    min_values: Some(0),
                    options: Some(
                        menu.options
                            .iter()
                            .map(|o| SelectMenuOption {
                                default: false,
                                description: None,
                                emoji: o.emoji.as_ref().map(reaction_type),
                                label: o.label.clone(),
                                value: o.role.to_string(),
                            })
                            .collect(),
                    ),
                    placeholder: Some("Choose your roles".to_owned()),
                    required: None,
                })],
            })]
        }
    }
}
