//! A message arrives: grant XP, then carry out what the outcome says (level roles, the
//! announcement).

use hearth_core::{GuildId, RoleId, UserId};
use hearth_xp_engine::{AnnounceTo, Author, MessageRequest, MessageXp};
use twilight_model::gateway::payload::incoming::MessageCreate;

use super::Leveling;
use crate::{
    context::{Backend, Context},
    discord::{channel_id, guild_id, ids::message_id, role_id, user_id},
    interaction::chain,
    reply::Reply,
};

/// Grants XP for one message and acts on the outcome. Failures are logged: a member's
/// message never gets an error back.
pub(super) async fn message<S: Backend>(
    feature: &Leveling<S>,
    ctx: &Context,
    message: &MessageCreate,
) {
    let Some(guild) = message.guild_id.map(guild_id) else {
        return;
    };
    let author_kind = if message.webhook_id.is_some() {
        Author::Webhook
    } else if message.author.bot {
        Author::Bot
    } else {
        Author::Member
    };
    if author_kind != Author::Member {
        return;
    }
    let roles: Vec<RoleId> = message
        .member
        .as_ref()
        .map(|m| m.roles.iter().copied().map(role_id).collect())
        .unwrap_or_default();
    let (settings, boosts) =
        match tokio::try_join!(feature.settings.get(guild), feature.boosts.get(guild)) {
            Ok(both) => both,
            Err(err) => {
                tracing::warn!(%guild, error = %chain(&err), "leveling settings unreadable; no XP");
                return;
            }
        };
    let id = message_id(message.id);
    let author = user_id(message.author.id);
    let outcome = feature
        .service
        .on_message(MessageRequest {
            guild,
            channel: channel_id(message.channel_id),
            message: id,
            author,
            author_kind,
            author_roles: &roles,
            draw: super::draw(ctx.xp_seed, id),
            settings: &settings,
            boosts: &boosts,
        })
        .await;
    match outcome {
        Ok(xp) => {
            if xp.leveled_up_to.is_some() {
                level_up(feature, ctx, guild, author, &xp).await;
            }
        }
        Err(err) => tracing::warn!(%guild, error = %chain(&err), "XP not granted"),
    }
}

/// Gives and takes level roles and sends the announcement.
async fn level_up<S: Backend>(
    feature: &Leveling<S>,
    ctx: &Context,
    guild: GuildId,
    user: UserId,
    xp: &MessageXp,
) {
    let level = xp.leveled_up_to.unwrap_or_default();
    apply_roles(
        feature,
        ctx,
        guild,
        user,
        &xp.roles_to_add,
        &xp.roles_to_remove,
        level,
    )
    .await;
    if let Some(announcement) = &xp.announcement {
        let reply = Reply::text(announcement.text.clone());
        let sent = match announcement.to {
            AnnounceTo::Channel(channel) => ctx.discord.send(channel, &reply).await,
            AnnounceTo::Dm(user) => ctx.discord.dm(user, &reply).await.map(|_| ()),
        };
        if let Err(err) = sent {
            tracing::warn!(%guild, error = %chain(&err), "level-up announcement not sent");
        }
    }
}

/// Adds and removes level roles. A role the bot cannot manage (at or above its highest
/// role) is skipped without asking Discord, and reported once in the mod log; a role Discord
/// refuses (403) is reported the same way.
pub(super) async fn apply_roles<S: Backend>(
    feature: &Leveling<S>,
    ctx: &Context,
    guild: GuildId,
    user: UserId,
    add: &[RoleId],
    remove: &[RoleId],
    level: u32,
) {
    if add.is_empty() && remove.is_empty() {
        // No level roles to change: nothing to ask Discord (not even the bot's roles).
        return;
    }
    let top = bot_top_position(ctx, guild).await;
    let why = format!("Level {level} reached");
    for (role, adding) in add
        .iter()
        .map(|r| (*r, true))
        .chain(remove.iter().map(|r| (*r, false)))
    {
        let position = match ctx.guild_facts(guild).await {
            Ok(facts) => facts.positions.get(&role).copied(),
            Err(_) => None,
        };
        if let (Some(position), Some(top)) = (position, top)
            && position >= top
        {
            report(feature, ctx, guild, role).await;
            continue;
        }
        match ctx.discord.set_role(guild, user, role, adding, &why).await {
            Ok(()) => {}
            Err(err) if err.status() == Some(403) => report(feature, ctx, guild, role).await,
            Err(err) => {
                tracing::warn!(%guild, %role, error = %chain(&err), "level role not changed");
            }
        }
    }
}

/// The position of the bot's highest role; `None` when it can't be told.
pub(super) async fn bot_top_position(ctx: &Context, guild: GuildId) -> Option<i64> {
    let facts = ctx.guild_facts(guild).await.ok()?;
    let roles = ctx.bot_roles(guild).await.ok()?;
    Some(
        roles
            .iter()
            .filter_map(|r| facts.positions.get(r).copied())
            .max()
            .unwrap_or(0),
    )
}

/// Tells the mod log, once per role and process, that a level role can't be given.
async fn report<S: Backend>(feature: &Leveling<S>, ctx: &Context, guild: GuildId, role: RoleId) {
    if !feature.first_report(guild, role) {
        return;
    }
    tracing::info!(%guild, %role, "level role above the bot; skipped");
    let channel = match feature.moderation.settings(guild).await {
        Ok(settings) => settings.mod_log_channel,
        Err(err) => {
            tracing::warn!(error = %chain(&err), "moderation settings unreadable");
            None
        }
    };
    if let Some(channel) = channel {
        let text = format!(
            "Leveling: I can't give or take <@&{role}>, a level role: it is not below my highest \
             role. Members who reach its level won't get it until my role is moved above it."
        );
        if let Err(err) = ctx.discord.send(channel, &Reply::text(text)).await {
            tracing::warn!(%channel, error = %chain(&err), "could not post to the mod log");
        }
    }
}
