//! `/mute`, `/unmute`, `/kick`, `/ban` and `/unban`: check, act through Discord, record the
//! case, tell the member, schedule what must happen later.

use std::time::Duration;

use hearth_core::{
    DURATION_MAX, DurationBounds, GuildId, UserId,
    timed::{ActionKey, ActionKind, NewTimedAction, TimedActionStore},
};
use hearth_moderation::{Case, CaseAction, CaseNumber, NewCase, Reason, RequestId};
use twilight_interactions::command::ResolvedUser;
use twilight_model::{
    application::interaction::Interaction, guild::Permissions, util::Timestamp as DiscordTimestamp,
};

use super::{
    Moderation, cases,
    commands::{Ban, Kick, Mute, Unban, Unmute},
    handlers::{check_hierarchy, check_roles},
    refusal::ModerationRefusal,
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    discord::{DiscordError, user_id},
    handler::{in_guild, invoker, parse, require},
    interaction::{HandlerError, HandlerResult},
    reply::Reply,
};

/// What a timed ban may last: one second to [`DURATION_MAX`] (365 days).
pub const BAN_BOUNDS: DurationBounds = DurationBounds {
    min: Duration::from_secs(1),
    max: DURATION_MAX,
    what: "a ban",
};

/// The most message history a ban may delete: 7 days (Discord's limit).
pub const DELETE_MESSAGES_MAX_DAYS: i64 = 7;

/// An optional reason, checked (at most 512 characters); empty when none was given.
fn reason(text: Option<&str>) -> Result<String, HandlerError> {
    match text {
        None => Ok(String::new()),
        Some(text) => Ok(Reason::parse(text)?.into_string()),
    }
}

/// The audit-log reason: the moderator's, or what the action was.
fn audit(reason: &str, fallback: &str) -> String {
    if reason.is_empty() {
        fallback.to_owned()
    } else {
        reason.to_owned()
    }
}

/// A case against `user` in this interaction, now.
fn new_case(
    ctx: &Context,
    interaction: &Interaction,
    guild: GuildId,
    action: CaseAction,
    user: UserId,
    reason: String,
) -> Result<NewCase, HandlerError> {
    Ok(NewCase {
        guild,
        number: None,
        request: RequestId(interaction.id.get()),
        action,
        user: Some(user),
        channel: None,
        moderator: invoker(interaction)?,
        reason,
        duration: None,
        created_at: ctx.now(),
        expires_at: None,
    })
}

/// Turns a Discord refusal of a moderation call into a sentence; other failures are faults.
fn refused(err: DiscordError, verb: &str, user: UserId) -> HandlerError {
    match err.status() {
        Some(403) => ModerationRefusal::BotForbidden(format!(
            "Discord didn't let me {verb} <@{user}>: check that I have the permission and that \
             my role is above theirs."
        ))
        .into(),
        Some(404) => ModerationRefusal::NotAMember(user).into(),
        _ => HandlerError::fault(err),
    }
}

/// The answer after an action: the case, and a note when the DM did not arrive.
async fn answer(ack: &mut Ack, case: &Case, delivered: bool) -> HandlerResult {
    let mut reply = Reply::embed(cases::embed(case));
    if !delivered && let Some(user) = case.user {
        reply.content = Some(format!("I couldn't DM <@{user}> about it."));
    }
    ack.reply(reply).await
}

/// `/mute member duration [reason]`
pub(crate) async fn mute<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Mute = parse(interaction)?;
    require(
        interaction,
        Permissions::MODERATE_MEMBERS,
        "Moderate Members",
        "mute members",
    )?;
    let duration = DurationBounds::TIMEOUT
        .parse(&command.duration)
        .map_err(ModerationRefusal::BadDuration)?;
    let why = reason(command.reason.as_deref())?;
    check_hierarchy(ctx, guild, interaction, &command.member, "mute").await?;
    let user = user_id(command.member.resolved.id);
    ack.set_ephemeral_hint(false).await;
    let now = ctx.now();
    let until = now.saturating_add(duration);
    let discord_until = DiscordTimestamp::from_secs(until.unix_secs())
        .map_err(|_| ModerationRefusal::BadDuration(hearth_core::DurationError::Overflow))?;
    ctx.discord
        .timeout(
            guild,
            user,
            discord_until,
            &audit(&why, "Muted with Hearth"),
        )
        .await
        .map_err(|err| refused(err, "mute", user))?;
    let mut new = new_case(ctx, interaction, guild, CaseAction::Mute, user, why)?;
    new.duration = Some(duration);
    new.expires_at = Some(until);
    let case = cases::record(feature, ctx, new).await?;
    ack.committed(format!("the mute was recorded as case {}", case.number));
    let delivered = cases::notify(ctx, &case).await;
    answer(ack, &case, delivered).await
}

/// `/unmute member [reason]`
pub(crate) async fn unmute<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Unmute = parse(interaction)?;
    require(
        interaction,
        Permissions::MODERATE_MEMBERS,
        "Moderate Members",
        "unmute members",
    )?;
    let why = reason(command.reason.as_deref())?;
    check_hierarchy(ctx, guild, interaction, &command.member, "unmute").await?;
    let user = user_id(command.member.resolved.id);
    let muted = command
        .member
        .member
        .as_ref()
        .and_then(|m| m.communication_disabled_until)
        .is_some_and(|until| until.as_secs() > ctx.now().unix_secs());
    if !muted {
        return Err(ModerationRefusal::NotMuted(user).into());
    }
    ack.set_ephemeral_hint(false).await;
    ctx.discord
        .end_timeout(guild, user, &audit(&why, "Unmuted with Hearth"))
        .await
        .map_err(|err| refused(err, "unmute", user))?;
    let key = ActionKey::new(guild, &ActionKind::Unmute { user, role: None });
    TimedActionStore::cancel(&feature.store, key)
        .await
        .map_err(HandlerError::fault)?;
    let case = cases::record(
        feature,
        ctx,
        new_case(ctx, interaction, guild, CaseAction::Unmute, user, why)?,
    )
    .await?;
    ack.committed(format!("the unmute was recorded as case {}", case.number));
    let delivered = cases::notify(ctx, &case).await;
    answer(ack, &case, delivered).await
}

/// `/kick member [reason]`
pub(crate) async fn kick<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Kick = parse(interaction)?;
    require(
        interaction,
        Permissions::KICK_MEMBERS,
        "Kick Members",
        "kick members",
    )?;
    let why = reason(command.reason.as_deref())?;
    check_hierarchy(ctx, guild, interaction, &command.member, "kick").await?;
    let user = user_id(command.member.resolved.id);
    ack.set_ephemeral_hint(false).await;
    let new = new_case(ctx, interaction, guild, CaseAction::Kick, user, why)?;
    // Tell them first: once out of the server, a member may no longer accept the bot's DMs.
    let delivered = cases::notify(ctx, &Case::new(CaseNumber(0), new.clone())).await;
    ctx.discord
        .kick(guild, user, &audit(&new.reason, "Kicked with Hearth"))
        .await
        .map_err(|err| refused(err, "kick", user))?;
    let case = cases::record(feature, ctx, new).await?;
    ack.committed(format!("the kick was recorded as case {}", case.number));
    answer(ack, &case, delivered).await
}

/// The hierarchy check for a ban: a member's roles count; a user who is not a member still
/// cannot be the owner, the moderator or the bot.
async fn check_ban_target(
    ctx: &Context,
    guild: GuildId,
    interaction: &Interaction,
    target: &ResolvedUser,
) -> HandlerResult {
    if target.member.is_some() {
        return check_hierarchy(ctx, guild, interaction, target, "ban").await;
    }
    let roles: Vec<_> = Vec::new();
    check_roles(
        ctx,
        guild,
        interaction,
        user_id(target.resolved.id),
        &roles,
        "ban",
    )
    .await
}

/// `/ban user [duration] [delete_messages] [reason]`
pub(crate) async fn ban<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Ban = parse(interaction)?;
    require(
        interaction,
        Permissions::BAN_MEMBERS,
        "Ban Members",
        "ban members",
    )?;
    let duration = command
        .duration
        .as_deref()
        .map(|text| BAN_BOUNDS.parse(text))
        .transpose()
        .map_err(ModerationRefusal::BadDuration)?;
    let days = command.delete_messages.unwrap_or(0);
    if !(0..=DELETE_MESSAGES_MAX_DAYS).contains(&days) {
        return Err(ModerationRefusal::DeleteDays(days).into());
    }
    let why = reason(command.reason.as_deref())?;
    check_ban_target(ctx, guild, interaction, &command.user).await?;
    let user = user_id(command.user.resolved.id);
    ack.set_ephemeral_hint(false).await;
    let now = ctx.now();
    let mut new = new_case(ctx, interaction, guild, CaseAction::Ban, user, why)?;
    new.duration = duration;
    new.expires_at = duration.map(|d| now.saturating_add(d));
    let delivered = if command.user.member.is_some() {
        cases::notify(ctx, &Case::new(CaseNumber(0), new.clone())).await
    } else {
        true
    };
    let seconds = u32::try_from(days * 86_400).unwrap_or(0);
    ctx.discord
        .ban_deleting(
            guild,
            user,
            seconds,
            &audit(&new.reason, "Banned with Hearth"),
        )
        .await
        .map_err(|err| refused(err, "ban", user))?;
    let expires = new.expires_at;
    let case = cases::record(feature, ctx, new).await?;
    ack.committed(format!("the ban was recorded as case {}", case.number));
    let kind = ActionKind::Unban { user };
    match expires {
        Some(due_at) => {
            feature
                .store
                .schedule(NewTimedAction {
                    guild,
                    kind,
                    due_at,
                    case: Some(case.number.0),
                    scheduled_at: now,
                })
                .await
                .map_err(HandlerError::fault)?;
        }
        // A permanent ban replaces a timed one: its timer must not lift it.
        None => {
            TimedActionStore::cancel(&feature.store, ActionKey::new(guild, &kind))
                .await
                .map_err(HandlerError::fault)?;
        }
    }
    answer(ack, &case, delivered).await
}

/// `/unban user [reason]`
pub(crate) async fn unban<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Unban = parse(interaction)?;
    require(
        interaction,
        Permissions::BAN_MEMBERS,
        "Ban Members",
        "unban users",
    )?;
    let why = reason(command.reason.as_deref())?;
    let user = user_id(command.user.resolved.id);
    let lifted = ctx
        .discord
        .unban(guild, user, &audit(&why, "Unbanned with Hearth"))
        .await
        .map_err(|err| refused(err, "unban", user))?;
    // The timer goes whether or not the ban was still there.
    let key = ActionKey::new(guild, &ActionKind::Unban { user });
    TimedActionStore::cancel(&feature.store, key)
        .await
        .map_err(HandlerError::fault)?;
    if !lifted {
        return Err(ModerationRefusal::NotBanned(user).into());
    }
    ack.set_ephemeral_hint(false).await;
    let case = cases::record(
        feature,
        ctx,
        new_case(ctx, interaction, guild, CaseAction::Unban, user, why)?,
    )
    .await?;
    ack.committed(format!("the unban was recorded as case {}", case.number));
    answer(ack, &case, true).await
}
