//! Carrying out what automod concluded: delete the message, act on the member through
//! moderation's cases (the mod log), remember the hit for `/automod recent`.

use std::fmt::Write as _;

use hearth_automod::{Action, HitRecord, Message, NativeHit, Report};
use hearth_core::{
    ChannelId, GuildId, MessageId, Timestamp, UserId,
    timed::{ActionKind, NewTimedAction},
};
use hearth_moderation::{CaseAction, NewCase, RequestId, WarnRequest};
use twilight_model::{
    gateway::payload::incoming::{AutoModerationActionExecution, MessageCreate},
    guild::auto_moderation::AutoModerationActionType,
    util::Timestamp as DiscordTimestamp,
};

use super::{Automod, is_staff};
use crate::{
    context::{Backend, Context},
    discord::ids::{channel_id, guild_id, message_id, role_id, user_id},
    interaction::chain,
    moderation::cases,
};

/// The audit-log and case reason prefix.
const BY_AUTOMOD: &str = "Automod";

/// Where a hit happened, for the case and the record.
struct Origin {
    guild: GuildId,
    user: UserId,
    channel: Option<ChannelId>,
    message: Option<MessageId>,
    /// Makes the case idempotent: a replayed event records no second case.
    request: RequestId,
    at: Timestamp,
}

/// Checks a guild message and carries out the report.
pub(super) async fn message<S: Backend>(
    feature: &Automod<S>,
    ctx: &Context,
    event: &MessageCreate,
) {
    let Some(guild) = event.guild_id.map(guild_id) else {
        return;
    };
    if event.author.bot || event.webhook_id.is_some() {
        return;
    }
    let rules = match feature.rules(guild).await {
        Ok(rules) => rules,
        Err(err) => {
            tracing::warn!(%guild, error = %err, "automod could not load its rules");
            return;
        }
    };
    if !rules.settings().enabled {
        return;
    }
    let author = user_id(event.author.id);
    let member_roles: Vec<_> = event
        .member
        .as_ref()
        .map(|m| m.roles.iter().copied().map(role_id).collect())
        .unwrap_or_default();
    let mentions: Vec<_> = event.mentions.iter().map(|m| user_id(m.id)).collect();
    let mention_roles: Vec<_> = event.mention_roles.iter().copied().map(role_id).collect();
    let at = Timestamp::from_unix_millis(event.timestamp.as_micros() / 1_000);
    let checked = Message {
        guild,
        channel: channel_id(event.channel_id),
        id: message_id(event.id),
        author,
        author_roles: &member_roles,
        author_is_staff: is_staff(ctx, guild, author, &member_roles),
        text: &event.content,
        mentions: &mentions,
        mention_roles: &mention_roles,
        at,
    };
    let report = feature.with_state(|state| rules.check(state, &checked));
    if report.is_clean() {
        return;
    }
    let origin = Origin {
        guild,
        user: author,
        channel: Some(checked.channel),
        message: Some(checked.id),
        request: RequestId(checked.id.get()),
        at,
    };
    carry_out(feature, ctx, &origin, &report).await;
}

/// Counts a hit of Discord's own `AutoMod` toward escalation. Discord sends one event per
/// action of a rule (block, alert, timeout); only the block (or, for a rule without one, the
/// alert) is counted, so one offence counts once.
pub(super) async fn native<S: Backend>(
    feature: &Automod<S>,
    ctx: &Context,
    event: &AutoModerationActionExecution,
) {
    let counted = match event.action.kind {
        AutoModerationActionType::BlockMessage => true,
        AutoModerationActionType::SendAlertMessage => event.message_id.is_none(),
        _ => false,
    };
    if !counted {
        return;
    }
    let guild = guild_id(event.guild_id);
    let Ok(rules) = feature.rules(guild).await else {
        return;
    };
    if !rules.settings().enabled {
        return;
    }
    let at = ctx.now();
    let rule_name = format!("{:?} rule {}", event.rule_trigger_type, event.rule_id);
    let hit = NativeHit {
        guild,
        user: user_id(event.user_id),
        rule_name: &rule_name,
        content: &event.content,
        at,
    };
    let report = feature.with_state(|state| rules.record_native(state, &hit));
    let request = event
        .message_id
        .or(event.alert_system_message_id)
        .map_or(event.rule_id.get() ^ at.unix_millis().unsigned_abs(), |m| {
            m.get()
        });
    let origin = Origin {
        guild,
        user: hit.user,
        channel: event.channel_id.map(channel_id),
        message: event.message_id.map(message_id),
        request: RequestId(request),
        at,
    };
    carry_out(feature, ctx, &origin, &report).await;
}

/// Deletes, acts, records: every step is attempted; failures are logged.
async fn carry_out<S: Backend>(
    feature: &Automod<S>,
    ctx: &Context,
    origin: &Origin,
    report: &Report,
) {
    let Some(first) = report.hits.first() else {
        return;
    };
    let rules: Vec<&str> = report.hits.iter().map(|h| h.rule.name()).collect();
    let mut why = format!("{BY_AUTOMOD}: {} — {}", rules.join(", "), first.reason);
    if let Some(step) = report.escalation {
        let _ = write!(why, " ({} violations: escalation)", step.violations);
    }
    let mut deleted = false;
    if report.delete
        && let (Some(channel), Some(message)) = (origin.channel, origin.message)
    {
        match ctx.discord.delete_message(channel, message, &why).await {
            Ok(()) => deleted = true,
            Err(err) => {
                tracing::warn!(guild = %origin.guild, error = %chain(&err), "automod could not delete a message");
            }
        }
    }
    // Recorded before acting: `/automod recent` shows the hit even when acting fails.
    for hit in &report.hits {
        let record = HitRecord {
            guild: origin.guild,
            user: origin.user,
            channel: origin.channel,
            message: origin.message,
            rule: hit.rule,
            reason: hit.reason.clone(),
            excerpt: hit.excerpt.clone(),
            action: report.action,
            deleted,
            at: origin.at,
        };
        if let Err(err) = feature.store.record_hit(&record).await {
            tracing::warn!(error = %chain(&err), "automod could not record a hit");
        }
    }
    let case_reason = format!("{why}\nExcerpt: {}", first.excerpt);
    if let Err(err) = act(feature, ctx, origin, report.action, &case_reason, &why).await {
        tracing::warn!(guild = %origin.guild, error = %err, "automod could not act on a member");
    }
}

/// Does `action` to the member and records it as a case (posted to the mod log).
async fn act<S: Backend>(
    feature: &Automod<S>,
    ctx: &Context,
    origin: &Origin,
    action: Action,
    case_reason: &str,
    audit: &str,
) -> Result<(), String> {
    let (guild, user) = (origin.guild, origin.user);
    let mut new = NewCase {
        guild,
        number: None,
        request: origin.request,
        action: CaseAction::Warn,
        user: Some(user),
        channel: origin.channel,
        moderator: ctx.bot,
        reason: case_reason.to_owned(),
        duration: None,
        created_at: origin.at,
        expires_at: None,
    };
    let fail = |err: &(dyn std::error::Error + 'static)| chain(err);
    match action {
        Action::LogOnly => {
            let embed = super::commands::hit_embed(origin.user, origin.channel, case_reason);
            crate::modlog::post(ctx, &feature.store, guild, embed).await;
            return Ok(());
        }
        Action::Warn => match warn(feature, ctx, origin, case_reason).await? {
            Some(number) => new.number = Some(number),
            // A replayed message: its case exists already.
            None => return Ok(()),
        },
        Action::Timeout { duration } => {
            let until = origin.at.saturating_add(duration);
            let discord_until =
                DiscordTimestamp::from_secs(until.unix_secs()).map_err(|e| e.to_string())?;
            ctx.discord
                .timeout(guild, user, discord_until, audit)
                .await
                .map_err(|e| fail(&e))?;
            new.action = CaseAction::Mute;
            new.duration = Some(duration);
            new.expires_at = Some(until);
        }
        Action::Kick => {
            ctx.discord
                .kick(guild, user, audit)
                .await
                .map_err(|e| fail(&e))?;
            new.action = CaseAction::Kick;
        }
        Action::Ban { duration } => {
            ctx.discord
                .ban(guild, user, audit)
                .await
                .map_err(|e| fail(&e))?;
            new.action = CaseAction::Ban;
            new.duration = duration;
            new.expires_at = duration.map(|d| origin.at.saturating_add(d));
        }
    }
    let expires = (new.action == CaseAction::Ban)
        .then_some(new.expires_at)
        .flatten();
    let case = cases::record(&feature.moderation, ctx, new)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(due_at) = expires {
        feature
            .store
            .schedule(NewTimedAction {
                guild,
                kind: ActionKind::Unban { user },
                due_at,
                case: Some(case.number.0),
                scheduled_at: origin.at,
            })
            .await
            .map_err(|e| fail(&e))?;
    }
    Ok(())
}

/// Records a moderation warning for the hit (it counts toward moderation's escalation, whose
/// step is carried out if reached); the warning's case number, `None` for a replay.
async fn warn<S: Backend>(
    feature: &Automod<S>,
    ctx: &Context,
    origin: &Origin,
    case_reason: &str,
) -> Result<Option<hearth_moderation::CaseNumber>, String> {
    let fail = |err: &(dyn std::error::Error + 'static)| chain(err);
    let settings = feature
        .moderation
        .settings
        .get(origin.guild)
        .await
        .map_err(|e| fail(&e))?;
    let warned = feature
        .moderation
        .service
        .warn(WarnRequest {
            guild: origin.guild,
            user: origin.user,
            moderator: ctx.bot,
            reason: &hearth_core::text::truncate(case_reason, 500),
            now: origin.at,
            request: origin.request,
            escalation: &settings.escalation,
        })
        .await
        .map_err(|e| fail(&e))?;
    if warned.replayed {
        return Ok(None);
    }
    if let Some(step) = warned.outcome.escalation {
        escalate(feature, ctx, origin, &warned.outcome, step).await;
    }
    Ok(Some(warned.outcome.warning.case))
}

/// Carries out the step of moderation's escalation policy this warning reached (through
/// moderation's own code) and records it as an escalation case credited to the bot.
async fn escalate<S: Backend>(
    feature: &Automod<S>,
    ctx: &Context,
    origin: &Origin,
    outcome: &hearth_moderation::WarnOutcome,
    step: hearth_moderation::EscalationStep,
) {
    let escalated = crate::moderation::handlers::carry_out(
        &feature.moderation,
        ctx,
        origin.guild,
        outcome,
        step,
    )
    .await;
    let crate::moderation::embeds::Escalated::Done(step) = escalated else {
        tracing::warn!(guild = %origin.guild, "automod's warning reached an escalation step that failed");
        return;
    };
    let duration = match step.action {
        hearth_moderation::Punishment::Timeout { duration }
        | hearth_moderation::Punishment::Ban {
            duration: Some(duration),
        } => Some(duration),
        _ => None,
    };
    let new = NewCase {
        guild: origin.guild,
        number: None,
        // The warning took the message's id; the escalation a request derived from it.
        request: RequestId(origin.request.0 ^ (1 << 63)),
        action: CaseAction::Escalation,
        user: Some(origin.user),
        channel: origin.channel,
        moderator: ctx.bot,
        reason: format!(
            "{} after {} warnings (case {})",
            step.action.describe(),
            step.warnings,
            outcome.warning.case
        ),
        duration,
        created_at: origin.at,
        expires_at: duration.map(|d| origin.at.saturating_add(d)),
    };
    if let Err(err) = cases::record(&feature.moderation, ctx, new).await {
        tracing::warn!(guild = %origin.guild, error = %err, "automod could not record an escalation");
    }
}
