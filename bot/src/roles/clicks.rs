//! A member's choice on a menu, from a button, the select menu or a reaction: the menu comes
//! from the store by message id (so old and uncached messages work after any restart), the
//! decision from the domain, and each role is one add or remove call.

use hearth_core::{GuildId, MessageId, RoleId, UserId};
use hearth_roles::{Choice, RoleChange, RoleMenu};
use twilight_model::application::interaction::{Interaction, InteractionData};

use super::{
    Roles,
    components::{Choose, Pick},
    handlers::{audit_reason, describe_change},
    refusal::{Problem, RolesRefusal},
    standing::RoleBook,
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::CustomId,
    discord::{ids::message_id, role_id},
    feature::NO_LONGER_IN_USE,
    handler::{decode, in_guild, invoker},
    interaction::{HandlerError, HandlerResult},
    reply::Reply,
};

/// The sentence for a click on a menu that was deleted.
pub(crate) const MENU_GONE: &str = "This role menu was deleted; ask the staff for a new one.";

/// Checks every role of `change` against the hierarchy, then gives and takes them, one call
/// per role, all at once.
///
/// # Errors
///
/// A refusal naming a role the bot cannot hand out (nothing changed), or Discord's failure.
pub(crate) async fn apply(
    ctx: &Context,
    guild: GuildId,
    user: UserId,
    change: &RoleChange,
    menu: MessageId,
) -> HandlerResult {
    check(ctx, guild, change).await?;
    call(ctx, guild, user, change, menu).await
}

/// Checks every role of `change` against the hierarchy (from the gateway cache).
async fn check(ctx: &Context, guild: GuildId, change: &RoleChange) -> HandlerResult {
    if change.is_empty() {
        return Ok(());
    }
    let book = RoleBook::load(ctx, guild).await?;
    for role in change.add.iter().chain(&change.remove) {
        book.manageable(*role)
            .map_err(|problem| RolesRefusal::Unmanageable(*role, problem))?;
    }
    Ok(())
}

/// Gives and takes the roles of `change`, one call per role, all at once.
async fn call(
    ctx: &Context,
    guild: GuildId,
    user: UserId,
    change: &RoleChange,
    menu: MessageId,
) -> HandlerResult {
    let why = audit_reason(user, Some(menu));
    let adds = change
        .add
        .iter()
        .map(|role| ctx.discord.add_role(guild, user, *role, &why));
    let removes = change
        .remove
        .iter()
        .map(|role| ctx.discord.remove_role(guild, user, *role, &why));
    let (add_results, remove_results) = futures_util::future::join(
        futures_util::future::join_all(adds),
        futures_util::future::join_all(removes),
    )
    .await;
    let roles = change.add.iter().chain(&change.remove);
    for (role, result) in roles.zip(add_results.into_iter().chain(remove_results)) {
        match result {
            Ok(()) => {}
            // Discord's hierarchy moved since the gateway last told us: say so, not "fault".
            Err(err) if err.status() == Some(403) => {
                return Err(RolesRefusal::Unmanageable(*role, Problem::AboveBot).into());
            }
            Err(err) if err.status() == Some(404) => {
                return Err(RolesRefusal::Unmanageable(*role, Problem::Unknown).into());
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

/// The menu on the message a component belongs to.
async fn menu_of<S: Backend>(
    feature: &Roles<S>,
    interaction: &Interaction,
) -> Result<RoleMenu, HandlerError> {
    let Some(message) = interaction.message.as_ref().map(|m| message_id(m.id)) else {
        return Err(HandlerError::refuse(NO_LONGER_IN_USE));
    };
    match feature.service.menu(message).await? {
        Some(menu) if Some(menu.guild) == interaction.guild_id.map(crate::discord::guild_id) => {
            Ok(menu)
        }
        _ => Err(HandlerError::refuse(MENU_GONE)),
    }
}

/// A click on a role button, or a choice in the role select menu.
pub(crate) async fn component<S: Backend>(
    feature: &Roles<S>,
    ctx: &Context,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let user = invoker(interaction)?;
    let choice = match id.action {
        "pick" => Choice::Toggle(decode::<Pick>(id)?.role),
        "choose" => {
            decode::<Choose>(id)?;
            let Some(InteractionData::MessageComponent(data)) = &interaction.data else {
                return Err(HandlerError::refuse(NO_LONGER_IN_USE));
            };
            let mut roles = Vec::with_capacity(data.values.len());
            for value in &data.values {
                let role = value
                    .parse::<u64>()
                    .ok()
                    .and_then(RoleId::new_checked)
                    .ok_or_else(|| HandlerError::refuse(NO_LONGER_IN_USE))?;
                roles.push(role);
            }
            Choice::Set(roles)
        }
        _ => return Err(HandlerError::refuse(NO_LONGER_IN_USE)),
    };
    let menu = menu_of(feature, interaction).await?;
    let held: Vec<RoleId> = interaction
        .member
        .as_ref()
        .map(|m| m.roles.iter().copied().map(role_id).collect())
        .unwrap_or_default();
    let change = menu.decide(&held, &choice).map_err(RolesRefusal::Click)?;
    check(ctx, guild, &change).await?;
    let asked = match &choice {
        Choice::Toggle(role) | Choice::Pick(role) | Choice::Unpick(role) => vec![*role],
        Choice::Set(roles) => roles.clone(),
    };
    // The answer goes out while the role calls are on their way; in the rare case Discord
    // refuses one (the hierarchy moved since the gateway said), the answer is replaced with
    // why, a moment later.
    let said = Reply::ephemeral(describe_change(&change, &asked, menu.mode));
    let (called, answered) = futures_util::future::join(
        call(ctx, guild, user, &change, menu.message),
        ack.reply(said),
    )
    .await;
    answered?;
    match called {
        Ok(()) => Ok(()),
        Err(HandlerError::Refusal(refusal)) => {
            ack.reply(Reply::ephemeral(refusal.sentence())).await
        }
        Err(fault) => {
            tracing::warn!(target: "roles", error = ?fault, "a role call failed after the answer");
            ack.reply(Reply::ephemeral(CALL_FAILED)).await
        }
    }
}

/// What a member reads when Discord failed a role call after they were answered.
pub(crate) const CALL_FAILED: &str =
    "Discord didn't accept the change, so your roles are as they were. Try again in a moment.";
