//! The roles commands: parse, check, call the service, render.

use hearth_core::{DurationBounds, GuildId, MessageId, RoleId, UserId};
use hearth_roles::{
    AUTOROLE_DELAY_MAX, Autorole, AutoroleTarget, MenuEdit, MenuEmoji, MenuKind, MenuMode,
    MenuOption, RoleMenu,
};
use twilight_model::{application::interaction::Interaction, guild::Permissions};

use super::{
    Roles,
    commands::{self, CreateMenu, Mode},
    refusal::RolesRefusal,
    render,
    standing::RoleBook,
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    discord::{channel_id, role_id},
    handler::{in_guild, invoker, parse, require},
    interaction::{HandlerError, HandlerResult, chain},
    reply::Reply,
};

/// What `/autorole add`'s delay accepts: one second to 28 days.
const DELAY_BOUNDS: DurationBounds = DurationBounds {
    min: std::time::Duration::from_secs(1),
    max: AUTOROLE_DELAY_MAX,
    what: "an autorole's delay",
};

/// Checks that the invoker may manage roles (every roles command needs it).
fn require_manager(interaction: &Interaction, to: &str) -> HandlerResult {
    require(interaction, Permissions::MANAGE_ROLES, "Manage Roles", to)
}

/// The invoker's role ids.
fn invoker_roles(interaction: &Interaction) -> Vec<RoleId> {
    interaction
        .member
        .as_ref()
        .map(|m| m.roles.iter().copied().map(role_id).collect())
        .unwrap_or_default()
}

/// Checks that the bot can hand `role` out and that the invoker ranks above it, so no one
/// hands out, through a menu, a role they could not give by hand.
fn check_role(book: &RoleBook, interaction: &Interaction, role: RoleId) -> HandlerResult {
    book.manageable(role)
        .map_err(|problem| RolesRefusal::Unmanageable(role, problem))?;
    if !book.outranks(invoker(interaction)?, &invoker_roles(interaction), role) {
        return Err(RolesRefusal::AboveInvoker(role).into());
    }
    Ok(())
}

/// Reads `🎮 @Gamers 🎨 @Artists`: each role — a mention, an id, or `@Name` (a one-word name,
/// found by `by_name`) — with the emoji before it, if any.
pub(crate) fn parse_pairs(
    text: &str,
    by_name: impl Fn(&str) -> Option<RoleId>,
) -> Result<Vec<(Option<MenuEmoji>, RoleId)>, RolesRefusal> {
    let spaced = text
        .replace("<@&", " <@&")
        .replace('>', "> ")
        .replace(',', " ");
    let mut pairs = Vec::new();
    let mut emoji = None;
    for token in spaced.split_whitespace() {
        let mention = token
            .strip_prefix("<@&")
            .and_then(|t| t.strip_suffix('>'))
            .unwrap_or(token);
        let role = match mention.strip_prefix('@') {
            Some(name) => by_name(name),
            None => mention.parse::<u64>().ok().and_then(RoleId::new_checked),
        };
        if let Some(role) = role {
            pairs.push((emoji.take(), role));
            continue;
        }
        if emoji.is_some() {
            return Err(RolesRefusal::Unreadable(token.chars().take(40).collect()));
        }
        emoji = Some(
            MenuEmoji::parse(token)
                .map_err(|_| RolesRefusal::Unreadable(token.chars().take(40).collect()))?,
        );
    }
    if let Some(emoji) = emoji {
        return Err(RolesRefusal::Unreadable(emoji.to_string()));
    }
    if pairs.is_empty() {
        return Err(RolesRefusal::NoRoles);
    }
    Ok(pairs)
}

/// Reads a message id or link (`…/channels/guild/channel/message`).
pub(crate) fn parse_message(text: &str) -> Result<MessageId, RolesRefusal> {
    let last = text
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    last.parse::<u64>()
        .ok()
        .and_then(MessageId::new_checked)
        .ok_or(RolesRefusal::BadMessage)
}

fn mode(mode: Mode) -> MenuMode {
    match mode {
        Mode::Normal => MenuMode::Normal,
        Mode::Unique => MenuMode::Unique,
        Mode::Verify => MenuMode::Verify,
        Mode::Drop => MenuMode::Drop,
    }
}

/// `/reactionrole create`, `/buttonroles create`, `/selectroles create`.
pub(crate) async fn create<S: Backend>(
    feature: &Roles<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
    kind: MenuKind,
    command: CreateMenu,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    require_manager(interaction, "create role menus")?;
    let book = RoleBook::load(ctx, guild).await?;
    let pairs = parse_pairs(&command.roles, |name| book.by_name(name))?;
    for (_, role) in &pairs {
        check_role(&book, interaction, *role)?;
    }
    let channel = match &command.channel {
        Some(channel) => channel_id(channel.id),
        None => interaction
            .channel
            .as_ref()
            .map(|c| channel_id(c.id))
            .ok_or_else(|| HandlerError::refuse("Name a channel to post the menu in."))?,
    };
    let mut menu = RoleMenu {
        // Replaced by the posted message's id; validated first, so bad input posts nothing.
        message: MessageId::new(1),
        guild,
        channel,
        kind,
        mode: command.mode.map_or(MenuMode::Normal, mode),
        limit: command.limit.and_then(|l| u8::try_from(l).ok()),
        required: command.required.iter().map(|r| role_id(r.id)).collect(),
        title: command.title.trim().to_owned(),
        options: pairs
            .into_iter()
            .map(|(emoji, role)| MenuOption {
                role,
                emoji,
                label: book.name(role).unwrap_or("role").chars().take(80).collect(),
            })
            .collect(),
        version: 0,
    };
    menu.validate()?;
    // Posting and reacting are round trips to Discord: say "thinking…" first.
    ack.defer(true).await?;
    let posted = ctx.discord.post(channel, &render::menu(&menu)).await;
    menu.message = match posted {
        Ok(message) => message,
        Err(err) => {
            tracing::debug!(error = %chain(&err), "cannot post a role menu");
            return Err(RolesRefusal::CannotPost.into());
        }
    };
    if kind == MenuKind::Reactions {
        for emoji in menu.options.iter().filter_map(|o| o.emoji.as_ref()) {
            if let Err(err) = ctx
                .discord
                .react(channel, menu.message, &render::emoji(emoji))
                .await
            {
                tracing::debug!(error = %chain(&err), "cannot react to a role menu");
                let _ = ctx.discord.delete(channel, menu.message).await;
                return Err(RolesRefusal::BadReaction(emoji.to_string()).into());
            }
        }
    }
    let menu = feature.service.create_menu(menu).await?;
    super::reaction_menus::REACTION_MENUS
        .changed(ctx, menu.guild)
        .await;
    ack.reply(Reply::ephemeral(format!(
        "Posted \"{}\" in <#{channel}> with {} role{}. To change it: `/rolemenu` with message \
         {}.",
        menu.title,
        menu.options.len(),
        if menu.options.len() == 1 { "" } else { "s" },
        menu.message
    )))
    .await
}

/// Redraws a changed menu's message; a message gone from Discord takes its menu with it.
async fn redraw<S: Backend>(feature: &Roles<S>, ctx: &Context, menu: &RoleMenu) -> HandlerResult {
    match ctx
        .discord
        .edit(menu.channel, menu.message, &render::menu(menu))
        .await
    {
        Ok(()) => Ok(()),
        Err(err) if err.status() == Some(404) => {
            let _ = feature.service.delete_menu(menu.guild, menu.message).await;
            Err(RolesRefusal::MessageGone.into())
        }
        Err(err) => Err(err.into()),
    }
}

/// `/rolemenu edit | add | remove | delete | list`.
pub(crate) async fn rolemenu<S: Backend>(
    feature: &Roles<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: commands::RoleMenu = parse(interaction)?;
    require_manager(interaction, "change role menus")?;
    let service = &feature.service;
    let (menu, said) = match command {
        commands::RoleMenu::List(_) => return list_menus(feature, guild, ack).await,
        commands::RoleMenu::Delete(delete) => {
            let message = parse_message(&delete.message)?;
            let menu = menu_of(feature, guild, message).await?;
            service.delete_menu(guild, message).await?;
            ack.defer(true).await?;
            let _ = ctx.discord.delete(menu.channel, message).await;
            return ack
                .reply(Reply::ephemeral(format!(
                    "Deleted the menu \"{}\" and its message.",
                    menu.title
                )))
                .await;
        }
        commands::RoleMenu::Edit(edit) => {
            let message = parse_message(&edit.message)?;
            let required = match (edit.required, edit.no_required) {
                (Some(role), _) => Some(vec![role_id(role.id)]),
                (None, Some(true)) => Some(Vec::new()),
                _ => None,
            };
            let change = MenuEdit {
                title: edit.title.map(|t| t.trim().to_owned()),
                mode: edit.mode.map(mode),
                limit: edit.limit.map(|l| u8::try_from(l).ok().filter(|l| *l > 0)),
                required,
            };
            let menu = service.edit_menu(guild, message, change).await?;
            (menu, "Changed the menu".to_owned())
        }
        commands::RoleMenu::Add(add) => {
            let message = parse_message(&add.message)?;
            let role = role_id(add.role.id);
            let book = RoleBook::load(ctx, guild).await?;
            check_role(&book, interaction, role)?;
            let emoji = add.emoji.as_deref().map(MenuEmoji::parse).transpose()?;
            let label = add.label.unwrap_or_else(|| add.role.name.clone());
            let option = MenuOption {
                role,
                emoji: emoji.clone(),
                label,
            };
            let menu = service.add_option(guild, message, option).await?;
            if let (MenuKind::Reactions, Some(emoji)) = (menu.kind, &emoji) {
                ack.defer(true).await?;
                if let Err(err) = ctx
                    .discord
                    .react(menu.channel, menu.message, &render::emoji(emoji))
                    .await
                {
                    tracing::debug!(error = %chain(&err), "cannot react to a role menu");
                    let _ = service.remove_option(guild, message, role).await;
                    return Err(RolesRefusal::BadReaction(emoji.to_string()).into());
                }
            }
            (menu, format!("Added <@&{role}> to the menu"))
        }
        commands::RoleMenu::Remove(remove) => {
            let message = parse_message(&remove.message)?;
            let role = role_id(remove.role.id);
            let menu = service.remove_option(guild, message, role).await?;
            (menu, format!("Took <@&{role}> out of the menu"))
        }
    };
    ack.defer(true).await?;
    redraw(feature, ctx, &menu).await?;
    ack.reply(Reply::ephemeral(format!(
        "{said} \"{}\"; its message shows the change.",
        menu.title
    )))
    .await
}

/// The guild's menu on `message`, or the refusal that there is none.
async fn menu_of<S: Backend>(
    feature: &Roles<S>,
    guild: GuildId,
    message: MessageId,
) -> Result<RoleMenu, HandlerError> {
    match feature.service.menu(message).await? {
        Some(menu) if menu.guild == guild => Ok(menu),
        _ => Err(RolesRefusal::Domain(hearth_roles::Error::MenuNotFound).into()),
    }
}

async fn list_menus<S: Backend>(
    feature: &Roles<S>,
    guild: GuildId,
    ack: &mut Ack,
) -> HandlerResult {
    let menus = feature.service.menus(guild).await?;
    if menus.is_empty() {
        return ack
            .reply(Reply::ephemeral(
                "This server has no role menus yet. `/buttonroles create`, `/reactionrole \
                 create` or `/selectroles create` posts one.",
            ))
            .await;
    }
    let lines: Vec<String> = menus
        .iter()
        .map(|m| {
            format!(
                "• \"{}\" in <#{}>: {} {}, {} role{} (message {})",
                m.title,
                m.channel,
                m.mode.name(),
                m.kind.name(),
                m.options.len(),
                if m.options.len() == 1 { "" } else { "s" },
                m.message,
            )
        })
        .collect();
    ack.reply(Reply::ephemeral(lines.join("\n"))).await
}

/// `/autorole add | remove | list`.
pub(crate) async fn autorole<S: Backend>(
    feature: &Roles<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: commands::Autorole = parse(interaction)?;
    require_manager(interaction, "change autoroles")?;
    let service = &feature.service;
    match command {
        commands::Autorole::Add(add) => {
            let role = role_id(add.role.id);
            let book = RoleBook::load(ctx, guild).await?;
            check_role(&book, interaction, role)?;
            let delay = match add.delay.as_deref() {
                None => std::time::Duration::ZERO,
                Some(text) => DELAY_BOUNDS
                    .parse(text)
                    .map_err(|e| RolesRefusal::BadDelay(e.to_string()))?,
            };
            let target = if add.bots == Some(true) {
                AutoroleTarget::Bots
            } else {
                AutoroleTarget::Members
            };
            let fresh = service
                .add_autorole(Autorole {
                    guild,
                    role,
                    delay,
                    target,
                })
                .await?;
            super::autoroles::AUTOROLES.changed(ctx, guild).await;
            ack.reply(Reply::ephemeral(format!(
                "{} {} get <@&{role}> {}.",
                if fresh { "From now on," } else { "Changed:" },
                if target == AutoroleTarget::Bots {
                    "bots that are added"
                } else {
                    "people who join"
                },
                describe_delay(delay)
            )))
            .await
        }
        commands::Autorole::Remove(remove) => {
            let role = role_id(remove.role.id);
            service.remove_autorole(guild, role).await?;
            super::autoroles::AUTOROLES.changed(ctx, guild).await;
            ack.reply(Reply::ephemeral(format!(
                "<@&{role}> is no longer given on join."
            )))
            .await
        }
        commands::Autorole::List(_) => {
            let list = service.autoroles(guild).await?;
            let text = if list.is_empty() {
                "No roles are given on join. `/autorole add` adds one.".to_owned()
            } else {
                list.iter()
                    .map(|a| {
                        format!(
                            "• <@&{}> to {}{}",
                            a.role,
                            if a.target == AutoroleTarget::Bots {
                                "bots"
                            } else {
                                "members"
                            },
                            describe_delay(a.delay)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            ack.reply(Reply::ephemeral(text)).await
        }
    }
}

fn describe_delay(delay: std::time::Duration) -> String {
    if delay.is_zero() {
        "when they join (or once they accept the rules, if the server asks)".to_owned()
    } else {
        format!(
            "{} after they join (or after they accept the rules, if the server asks)",
            hearth_core::format_duration_long(delay)
        )
    }
}

/// The sentence a member reads after a click: what changed, or that nothing did.
pub(crate) fn describe_change(
    change: &hearth_roles::RoleChange,
    asked: &[RoleId],
    mode: MenuMode,
) -> String {
    let list = |roles: &[RoleId]| -> String {
        roles
            .iter()
            .map(|r| format!("<@&{r}>"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (change.add.is_empty(), change.remove.is_empty()) {
        (false, true) => format!("You now have {}.", list(&change.add)),
        (true, false) => format!("You no longer have {}.", list(&change.remove)),
        (false, false) => format!(
            "You now have {} and no longer have {}.",
            list(&change.add),
            list(&change.remove)
        ),
        (true, true) => match mode {
            MenuMode::Verify if !asked.is_empty() => {
                format!(
                    "You already have {}; this menu never takes roles back.",
                    list(asked)
                )
            }
            MenuMode::Drop if !asked.is_empty() => {
                format!(
                    "You don't have {}; this menu only takes roles back.",
                    list(asked)
                )
            }
            _ => "Nothing changed.".to_owned(),
        },
    }
}

/// Who the audit log says a role change was for.
pub(crate) fn audit_reason(user: UserId, menu: Option<MessageId>) -> String {
    match menu {
        Some(message) => format!("Role menu {message}, chosen by {user}"),
        None => format!("Autorole for {user}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_read_mentions_ids_and_names_with_their_emoji() {
        let gamers = RoleId::new(7);
        let by_name = |name: &str| (name == "Gamers").then_some(gamers);
        let pairs = parse_pairs("🎮<@&5>, <:parrot:42> 6 @Gamers", by_name).unwrap();
        assert_eq!(pairs.len(), 3);
        assert_eq!(
            pairs[0].0.as_ref().map(ToString::to_string),
            Some("🎮".to_owned())
        );
        assert_eq!(pairs[0].1, RoleId::new(5));
        assert_eq!(
            pairs[1].0.as_ref().map(ToString::to_string),
            Some("<:parrot:42>".to_owned())
        );
        assert_eq!((pairs[2].0.clone(), pairs[2].1), (None, gamers));
        assert!(matches!(
            parse_pairs("", by_name),
            Err(RolesRefusal::NoRoles)
        ));
        assert!(matches!(
            parse_pairs("🎮", by_name),
            Err(RolesRefusal::Unreadable(_))
        ));
        assert!(matches!(
            parse_pairs("@Nobody", by_name),
            Err(RolesRefusal::Unreadable(_))
        ));
        assert!(matches!(
            parse_pairs("hello <@&5>", by_name),
            Err(RolesRefusal::Unreadable(_))
        ));
    }

    #[test]
    fn messages_are_read_from_ids_and_links() {
        let link = "https://discord.com/channels/1/2/1234567890";
        assert_eq!(parse_message(link).unwrap(), MessageId::new(1_234_567_890));
        assert_eq!(parse_message(" 99 ").unwrap(), MessageId::new(99));
        assert!(parse_message("yesterday's").is_err());
        assert!(parse_message("0").is_err());
    }
}
