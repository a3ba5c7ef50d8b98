//! Admins change XP by hand: `/setxp`, `/addxp`, `/resetxp` and its confirmation.

use hearth_core::{GuildId, UserId};
use hearth_xp_engine::{XpChange, XpChangeRequest, XpChanged};
use twilight_model::{application::interaction::Interaction, guild::Permissions};

use super::{
    Leveling,
    commands::{AddXp, ResetXp, SetXp},
    components::{ResetAll, ResetMember},
    embeds,
    events::apply_roles,
    refusal::LevelingRefusal,
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::CustomId,
    discord::{role_id, user_id},
    handler::{decode, in_guild, parse, require},
    interaction::HandlerResult,
    reply::Reply,
};

/// Checks that the invoker may manage the server (every admin command and button needs it).
pub(super) fn require_manager(interaction: &Interaction, to: &str) -> HandlerResult {
    require(interaction, Permissions::MANAGE_GUILD, "Manage Server", to)
}

/// `/setxp member xp` and `/addxp member xp`.
pub(super) async fn change_xp<S: Backend>(
    feature: &Leveling<S>,
    ctx: &Context,
    name: &str,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    require_manager(interaction, "change XP")?;
    let (member, change, verb) = if name == "setxp" {
        let command: SetXp = parse(interaction)?;
        (command.member, XpChange::set(command.xp)?, "Set")
    } else {
        let command: AddXp = parse(interaction)?;
        (command.member, XpChange::add(command.xp)?, "Added to")
    };
    let user = user_id(member.resolved.id);
    if member.resolved.bot {
        return Err(LevelingRefusal::ABot(user).into());
    }
    let Some(resolved) = &member.member else {
        return Err(LevelingRefusal::NotAMember(user).into());
    };
    let roles: Vec<_> = resolved.roles.iter().copied().map(role_id).collect();
    let settings = feature.settings.get(guild).await?;
    let changed = feature
        .service
        .change_xp(XpChangeRequest {
            guild,
            user,
            change,
            member_roles: &roles,
            settings: &settings,
        })
        .await?;
    ack.committed(format!("the XP of <@{user}> is now {}", changed.after));
    follow_level(feature, ctx, guild, user, &changed).await;
    ack.reply(Reply::ephemeral(format!(
        "{verb} the XP of <@{user}>: {} → {} XP, level {} → {}.",
        embeds::thousands(changed.before),
        embeds::thousands(changed.after),
        changed.level_before,
        changed.level_after
    )))
    .await
}

/// Gives and takes level roles so the member's roles match their level after a change.
async fn follow_level<S: Backend>(
    feature: &Leveling<S>,
    ctx: &Context,
    guild: GuildId,
    user: UserId,
    changed: &XpChanged,
) {
    apply_roles(
        feature,
        ctx,
        guild,
        user,
        &changed.roles_to_add,
        &changed.roles_to_remove,
        changed.level_after,
    )
    .await;
}

/// `/resetxp member member` and `/resetxp all`: ask first.
pub(super) async fn reset<S: Backend>(
    feature: &Leveling<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    require_manager(interaction, "reset XP")?;
    let command: ResetXp = parse(interaction)?;
    let user = match &command {
        ResetXp::Member(m) => Some(user_id(m.member.resolved.id)),
        ResetXp::All(_) => None,
    };
    let ranked = feature.service.leaderboard(guild, 1).await?.ranked;
    ack.reply(embeds::confirm_reset(user, ranked)).await
}

/// The `/resetxp` buttons. The click is checked again: permissions may have changed since.
pub(super) async fn confirm_reset<S: Backend>(
    feature: &Leveling<S>,
    ctx: &Context,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let (user, confirm) = if id.action == "resetall" {
        let button: ResetAll = decode(id)?;
        (None, button.confirm)
    } else {
        let button: ResetMember = decode(id)?;
        (Some(button.user), button.confirm)
    };
    require_manager(interaction, "reset XP")?;
    if !confirm {
        return ack.update(Reply::ephemeral("Nothing was reset.")).await;
    }
    let text = if let Some(user) = user {
        reset_member(feature, ctx, guild, user).await?
    } else {
        let reset = feature.service.reset_guild(guild).await?;
        format!(
            "Reset the XP of {} member{} to 0.",
            embeds::thousands(reset),
            if reset == 1 { "" } else { "s" }
        )
    };
    ack.update(Reply::ephemeral(text)).await
}

async fn reset_member<S: Backend>(
    feature: &Leveling<S>,
    ctx: &Context,
    guild: GuildId,
    user: UserId,
) -> Result<String, crate::interaction::HandlerError> {
    // Someone who left keeps no roles here; their XP is reset all the same.
    let roles = ctx
        .discord
        .member_roles(guild, user)
        .await
        .unwrap_or_default();
    let settings = feature.settings.get(guild).await?;
    let changed = feature
        .service
        .change_xp(XpChangeRequest {
            guild,
            user,
            change: XpChange::Reset,
            member_roles: &roles,
            settings: &settings,
        })
        .await?;
    follow_level(feature, ctx, guild, user, &changed).await;
    Ok(format!(
        "Reset the XP of <@{user}> to 0 (it was {}).",
        embeds::thousands(changed.before)
    ))
}
