//! The moderation handlers: parse, check, call the service, render.

use hearth_core::timed::ActionKind;
use hearth_core::{ChannelId, GuildId, UserId};
use hearth_moderation::{
    CaseAction, EscalationStep, ModerationSettings, NewCase, Punishment, WarnOutcome, WarnRequest,
};
use twilight_interactions::command::ResolvedUser;
use twilight_model::{
    application::interaction::Interaction, channel::ChannelType, guild::Permissions,
    util::Timestamp as DiscordTimestamp,
};

use super::{
    Moderation,
    commands::{ClearWarnings, Modlog, Warn, Warnings},
    components,
    embeds::{self, Escalated},
    refusal::ModerationRefusal,
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::CustomId,
    discord::{channel_id, role_id, user_id},
    feature::NO_LONGER_IN_USE,
    handler::{created_at, decode, in_guild, invoker, parse, require},
    hierarchy::{self, Parties, Standing},
    interaction::{HandlerError, HandlerResult, chain},
    reply::Reply,
};

/// The highest `/warnings` page a button or option can ask for.
pub(crate) const PAGE_MAX: u32 = 1000;

/// Checks that the invoker may moderate members (every warning command and button needs it).
pub(crate) fn require_moderator(interaction: &Interaction, to: &str) -> HandlerResult {
    require(
        interaction,
        Permissions::MODERATE_MEMBERS,
        "Moderate Members",
        to,
    )
}

/// Checks that the invoker may `verb` the target and that the bot could act on them.
pub(crate) async fn check_hierarchy(
    ctx: &Context,
    guild: GuildId,
    interaction: &Interaction,
    target: &ResolvedUser,
    verb: &str,
) -> HandlerResult {
    let target_id = user_id(target.resolved.id);
    let Some(target_member) = &target.member else {
        return Err(ModerationRefusal::NotAMember(target_id).into());
    };
    let target_roles: Vec<_> = target_member.roles.iter().copied().map(role_id).collect();
    check_roles(ctx, guild, interaction, target_id, &target_roles, verb).await
}

/// The hierarchy check once the target's roles are known.
pub(crate) async fn check_roles(
    ctx: &Context,
    guild: GuildId,
    interaction: &Interaction,
    target: UserId,
    target_roles: &[hearth_core::RoleId],
    verb: &str,
) -> HandlerResult {
    let facts = ctx.guild_facts(guild).await?;
    let moderator_roles: Vec<_> = interaction
        .member
        .as_ref()
        .map(|m| m.roles.iter().copied().map(role_id).collect())
        .unwrap_or_default();
    let bot_roles = ctx.bot_roles(guild).await?;
    let parties = Parties {
        owner: facts.owner,
        moderator: Standing::of(invoker(interaction)?, &moderator_roles, &facts.positions),
        target: Standing::of(target, target_roles, &facts.positions),
        bot: Standing::of(ctx.bot, &bot_roles, &facts.positions),
    };
    hierarchy::check(verb, &parties)
        .map_err(|sentence| ModerationRefusal::Hierarchy(sentence).into())
}

/// `/warn member reason`
pub(crate) async fn warn<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Warn = parse(interaction)?;
    require_moderator(interaction, "warn members")?;
    check_hierarchy(ctx, guild, interaction, &command.member, "warn").await?;
    // Past the refusals: if the watchdog defers, the warning's embed is for everyone.
    ack.set_ephemeral_hint(false).await;
    let settings = feature.settings.get(guild).await?;
    let warned = feature
        .service
        .warn(WarnRequest {
            guild,
            user: user_id(command.member.resolved.id),
            moderator: invoker(interaction)?,
            reason: &command.reason,
            now: created_at(interaction),
            request: hearth_moderation::RequestId(interaction.id.get()),
            escalation: &settings.escalation,
        })
        .await?;
    let outcome = warned.outcome;
    if warned.replayed {
        // A retried or replayed interaction (perhaps seen by another process): answer as
        // before, repeating no DM, escalation or mod-log post.
        let mut reply = Reply::embed(embeds::warned(&outcome, None));
        reply.content = Some(format!(
            "This warning was already recorded as case {}; nothing was repeated.",
            outcome.warning.case
        ));
        return ack.reply(reply).await;
    }
    // From here on the warning is stored: a fault must say so, or a retry would warn twice.
    ack.committed(format!(
        "the warning was recorded as case {}",
        outcome.warning.case
    ));
    record_warning_case(feature, interaction, &outcome).await?;
    let escalated = match outcome.escalation {
        Some(step) => {
            // Carrying it out is a call to Discord: say "thinking…" at once rather than leave
            // the moderator waiting for the watchdog (which would still answer within 3 s).
            ack.defer(false).await?;
            let escalated = carry_out(feature, ctx, guild, &outcome, step).await;
            if let Escalated::Done(step) = &escalated {
                record_escalation_case(feature, ctx, interaction, &outcome, step).await?;
            }
            Some(escalated)
        }
        None => None,
    };
    ack.reply(Reply::embed(embeds::warned(&outcome, escalated.as_ref())))
        .await?;
    post_case(
        ctx,
        &settings,
        Reply::embed(embeds::case(&outcome, escalated.as_ref())),
    )
    .await;
    let dm = Reply::embed(embeds::dm(
        &ctx.guild_name(guild),
        &outcome,
        escalated.as_ref(),
    ));
    let undelivered = match ctx.discord.dm(outcome.warning.user, &dm).await {
        Ok(true) => None,
        Ok(false) => Some("they don't accept DMs from this server"),
        Err(err) => {
            tracing::warn!(error = %chain(&err), "could not DM a warned member");
            Some("Discord didn't deliver it")
        }
    };
    if let Some(why) = undelivered {
        // Tell the moderator, so they can pass the warning on another way.
        let mut reply = Reply::embed(embeds::warned(&outcome, escalated.as_ref()));
        reply.content = Some(format!("I couldn't DM <@{}>: {why}.", outcome.warning.user));
        ack.reply(reply).await?;
    }
    Ok(())
}

/// Carries out an escalation step through Discord and says how it went.
pub(crate) async fn carry_out<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    guild: GuildId,
    outcome: &WarnOutcome,
    step: EscalationStep,
) -> Escalated {
    let user = outcome.warning.user;
    let why = format!(
        "Escalation after {} warnings (case {}): {}",
        step.warnings, outcome.warning.case, outcome.warning.reason
    );
    let result = match step.action {
        Punishment::Timeout { duration } => {
            let until = ctx
                .now()
                .unix_secs()
                .saturating_add(i64::try_from(duration.as_secs()).unwrap_or(i64::MAX));
            match DiscordTimestamp::from_secs(until) {
                Ok(until) => ctx.discord.timeout(guild, user, until, &why).await,
                Err(_) => return Escalated::Failed(step, "the end time was out of range".into()),
            }
        }
        Punishment::Kick => ctx.discord.kick(guild, user, &why).await,
        Punishment::Ban { duration: None } => ctx.discord.ban(guild, user, &why).await,
        // The scheduler lifts it on time; if the timer cannot be stored, the ban is lifted
        // at once rather than left permanent, which is not what the policy says.
        Punishment::Ban {
            duration: Some(duration),
        } => match ctx.discord.ban(guild, user, &why).await {
            Ok(()) => {
                let due_at = ctx.now().saturating_add(duration);
                let unban = ActionKind::Unban { user };
                let case = outcome.warning.case;
                let timer = super::timed::schedule(feature, ctx, guild, unban, due_at, case).await;
                if let Err(err) = timer {
                    tracing::warn!(error = %chain(&err), "could not schedule an escalation's unban");
                    let _ = ctx
                        .discord
                        .unban(guild, user, "Could not time the ban")
                        .await;
                    return Escalated::Failed(step, TIMED_BAN_NOT_CARRIED_OUT.to_owned());
                }
                Ok(())
            }
            Err(err) => Err(err),
        },
    };
    match result {
        Ok(()) => Escalated::Done(step),
        Err(err) => {
            tracing::warn!(error = %chain(&err), "escalation failed");
            let why = match err.status() {
                Some(403) => {
                    "I'm not allowed to: check my permissions and that my role is above theirs."
                        .to_owned()
                }
                Some(404) => "they have left the server.".to_owned(),
                _ => "Discord didn't accept it; try again by hand.".to_owned(),
            };
            Escalated::Failed(step, why)
        }
    }
}

/// Records a warning as its case (the seed's `mod_logs` document on MongoDB). The warn
/// handler posts its own mod-log entry, which also shows the escalation.
async fn record_warning_case<S: Backend>(
    feature: &Moderation<S>,
    interaction: &Interaction,
    outcome: &WarnOutcome,
) -> HandlerResult {
    let w = &outcome.warning;
    feature
        .store
        .record_case(NewCase {
            guild: w.guild,
            number: Some(w.case),
            request: hearth_moderation::RequestId(interaction.id.get()),
            action: CaseAction::Warn,
            user: Some(w.user),
            channel: None,
            moderator: w.moderator,
            reason: w.reason.clone(),
            duration: None,
            created_at: w.created_at,
            expires_at: None,
        })
        .await
        .map_err(HandlerError::fault)?;
    Ok(())
}

/// Records an escalation step carried out as a case of its own, credited to the bot (the
/// warning's mod-log entry already shows it).
async fn record_escalation_case<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    outcome: &WarnOutcome,
    step: &EscalationStep,
) -> HandlerResult {
    let duration = match step.action {
        Punishment::Timeout { duration }
        | Punishment::Ban {
            duration: Some(duration),
        } => Some(duration),
        _ => None,
    };
    let now = ctx.now();
    feature
        .store
        .record_case(NewCase {
            guild: outcome.warning.guild,
            number: None,
            // The warning took the interaction's id; the escalation is a request of its own,
            // derived from it so a replay finds it again.
            request: hearth_moderation::RequestId(interaction.id.get() ^ ESCALATION_REQUEST),
            action: CaseAction::Escalation,
            user: Some(outcome.warning.user),
            channel: None,
            moderator: ctx.bot,
            reason: format!(
                "{} after {} warnings (case {})",
                step.action.describe(),
                step.warnings,
                outcome.warning.case
            ),
            duration,
            created_at: now,
            expires_at: duration.map(|d| now.saturating_add(d)),
        })
        .await
        .map_err(HandlerError::fault)?;
    Ok(())
}

/// Flipped into an interaction id to make the request id of the escalation it caused.
const ESCALATION_REQUEST: u64 = 1 << 63;

/// Why an escalation step that bans for a time is not carried out: its timer could not be
/// stored.
pub(crate) const TIMED_BAN_NOT_CARRIED_OUT: &str =
    "I couldn't store the ban's timer, so I lifted it again: ban them by hand if you mean it.";

/// Posts a case to the mod log, if the guild has one. A failure is logged, not shown: the
/// action itself succeeded.
async fn post_case(ctx: &Context, settings: &ModerationSettings, reply: Reply) {
    if let Some(channel) = settings.mod_log_channel
        && let Err(err) = ctx.discord.send(channel, &reply).await
    {
        tracing::warn!(%channel, error = %chain(&err), "could not post to the mod log");
    }
}

/// `/warnings member [page]`
pub(crate) async fn warnings<S: Backend>(
    feature: &Moderation<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Warnings = parse(interaction)?;
    require_moderator(interaction, "see warnings")?;
    let user = user_id(command.member.resolved.id);
    let list = feature.service.warnings(guild, user).await?;
    // `parse` has refused pages outside 1..=PAGE_MAX already.
    let page = usize::try_from(command.page.unwrap_or(1).max(1) - 1).unwrap_or(0);
    ack.reply(embeds::warnings_page(user, &list, page)).await
}

/// A `/warnings` page button.
pub(crate) async fn warnings_page<S: Backend>(
    feature: &Moderation<S>,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let button: components::WarningsPage = decode(id)?;
    require_moderator(interaction, "see warnings")?;
    if button.page >= PAGE_MAX {
        return Err(HandlerError::refuse(NO_LONGER_IN_USE));
    }
    let list = feature.service.warnings(guild, button.user).await?;
    let page = usize::try_from(button.page).unwrap_or(0);
    ack.update(embeds::warnings_page(button.user, &list, page))
        .await
}

/// `/clearwarnings member`: asks for confirmation.
pub(crate) async fn clear_warnings<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: ClearWarnings = parse(interaction)?;
    require_moderator(interaction, "clear warnings")?;
    let user = user_id(command.member.resolved.id);
    if command.member.member.is_some() {
        check_hierarchy(
            ctx,
            guild,
            interaction,
            &command.member,
            "clear the warnings of",
        )
        .await?;
    }
    let count = feature.service.warnings(guild, user).await?.warnings.len();
    if count == 0 {
        return Err(ModerationRefusal::NoWarnings(user).into());
    }
    ack.reply(embeds::confirm_clear(user, count)).await
}

/// The `/clearwarnings` buttons. The click is checked again as if the command were run now:
/// permissions and the role hierarchy may have changed since the question was asked.
pub(crate) async fn confirm_clear<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let button: components::ClearWarnings = decode(id)?;
    require_moderator(interaction, "clear warnings")?;
    let user = button.user;
    if !button.confirm {
        return ack
            .update(Reply::ephemeral(format!("Kept the warnings of <@{user}>.")))
            .await;
    }
    check_hierarchy_by_id(ctx, guild, interaction, user, "clear the warnings of").await?;
    let moderator = invoker(interaction)?;
    let removed = feature.service.clear_warnings(guild, user).await?;
    ack.update(Reply::ephemeral(format!(
        "Removed {removed} warning{} of <@{user}>.",
        if removed == 1 { "" } else { "s" }
    )))
    .await?;
    if removed > 0 {
        let settings = feature.settings.get(guild).await?;
        post_case(
            ctx,
            &settings,
            Reply::embed(embeds::cleared(user, moderator, removed)),
        )
        .await;
    }
    Ok(())
}

/// The hierarchy check for a target known only by id (a button): their roles come from
/// Discord. Someone who left the server can still have their warnings cleared.
async fn check_hierarchy_by_id(
    ctx: &Context,
    guild: GuildId,
    interaction: &Interaction,
    target: UserId,
    verb: &str,
) -> HandlerResult {
    let target_roles = match ctx.discord.member_roles(guild, target).await {
        Ok(roles) => roles,
        Err(err) if err.status() == Some(404) => return Ok(()),
        Err(err) => return Err(err.into()),
    };
    check_roles(ctx, guild, interaction, target, &target_roles, verb).await
}

/// `/modlog set channel` and `/modlog off`.
pub(crate) async fn modlog<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Modlog = parse(interaction)?;
    require(
        interaction,
        Permissions::MANAGE_GUILD,
        "Manage Server",
        "choose the mod log",
    )?;
    let channel: Option<ChannelId> = match &command {
        Modlog::Set(set) => {
            if !matches!(
                set.channel.kind,
                ChannelType::GuildText | ChannelType::GuildAnnouncement
            ) {
                return Err(ModerationRefusal::ModLogNotText.into());
            }
            let channel = channel_id(set.channel.id);
            // Posting a test line is a round trip to Discord: answer "thinking…" first so the
            // 3-second deadline holds however slow that is.
            ack.defer(true).await?;
            // Prove the bot can post there before saving it.
            let hello = Reply::text("Moderation cases will be posted here.");
            if let Err(err) = ctx.discord.send(channel, &hello).await {
                tracing::debug!(error = %chain(&err), "cannot post in the chosen mod log");
                return Err(ModerationRefusal::CannotPostModLog(channel).into());
            }
            Some(channel)
        }
        Modlog::Off(_) => None,
    };
    feature
        .settings
        .update(guild, |service| async move {
            service.set_mod_log_channel(guild, channel).await
        })
        .await?;
    ack.reply(Reply::ephemeral(match channel {
        Some(channel) => format!("Moderation cases will be posted in <#{channel}>."),
        None => "Moderation cases will no longer be posted.".to_owned(),
    }))
    .await
}
