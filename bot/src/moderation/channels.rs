//! `/slowmode`, `/lockdown` and `/unlock`: channel actions, each a case in the mod log.
//!
//! A lockdown denies Send Messages to `@everyone` in the channel's overwrite and stores the
//! overwrite as it was ([`LockdownStore`](hearth_moderation::LockdownStore)); unlocking — by hand or when a timed lockdown ends —
//! puts back exactly that overwrite (or removes it, when there was none), not a blanket allow.

use std::time::Duration;

use hearth_core::{
    ChannelId, DurationBounds, DurationError, GuildId,
    timed::{ActionKey, ActionKind, NewTimedAction, TimedActionStore},
};
use hearth_moderation::{CaseAction, Lockdown, NewCase, Overwrite, Reason, RequestId};
use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::{
    application::interaction::{Interaction, InteractionChannel},
    guild::Permissions,
};

use super::{Moderation, cases, refusal::ModerationRefusal};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    discord::{DiscordError, channel_id},
    handler::{in_guild, invoker, parse, require},
    interaction::{HandlerError, HandlerResult},
    reply::Reply,
};

/// `/slowmode [channel] duration`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "slowmode",
    desc = "Set how long members wait between messages in a channel (0 turns it off)",
    default_permissions = "channel_managers",
    contexts = "guild"
)]
pub struct Slowmode {
    /// How long: 0 (off), 5s, 1m, 2h (at most 6h)
    #[command(max_length = 32)]
    pub duration: String,
    /// The channel (this one if left out)
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: Option<InteractionChannel>,
}

/// `/lockdown [channel] [duration] [reason]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "lockdown",
    desc = "Stop @everyone from sending messages in a channel",
    default_permissions = "channel_managers",
    contexts = "guild"
)]
pub struct LockdownCommand {
    /// The channel (this one if left out)
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: Option<InteractionChannel>,
    /// Unlock by itself after: 10m, 2h, 1d (at most 365d); leave out to unlock by hand
    #[command(max_length = 32)]
    pub duration: Option<String>,
    /// Why; the mod log and the audit log see it
    #[command(max_length = 512)]
    pub reason: Option<String>,
}

/// `/unlock [channel]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "unlock",
    desc = "End a channel's lockdown, restoring its permissions as they were",
    default_permissions = "channel_managers",
    contexts = "guild"
)]
pub struct UnlockCommand {
    /// The channel (this one if left out)
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: Option<InteractionChannel>,
}

/// Who sees the channel commands by default.
fn channel_managers() -> Permissions {
    Permissions::MANAGE_CHANNELS
}

/// The longest slowmode: 6 hours (Discord's limit).
pub const SLOWMODE_MAX: Duration = Duration::from_secs(21_600);

/// Slowmode bounds, for the error message.
const SLOWMODE_BOUNDS: DurationBounds = DurationBounds {
    min: Duration::from_secs(1),
    max: SLOWMODE_MAX,
    what: "slowmode",
};

/// Parses a slowmode: `0`, `0s` or `off` turn it off.
fn slowmode_seconds(text: &str) -> Result<u16, DurationError> {
    if matches!(text.trim(), "0" | "0s" | "off") {
        return Ok(0);
    }
    let duration = SLOWMODE_BOUNDS.parse(text)?;
    // At most 21,600: fits.
    Ok(u16::try_from(duration.as_secs()).unwrap_or(u16::MAX))
}

/// The channel an option names, or the one the command was run in.
fn target_channel(
    option: Option<&InteractionChannel>,
    interaction: &Interaction,
) -> Result<ChannelId, HandlerError> {
    option
        .map(|c| channel_id(c.id))
        .or_else(|| interaction.channel.as_ref().map(|c| channel_id(c.id)))
        .ok_or_else(|| HandlerError::refuse("Name a channel."))
}

fn refused(err: DiscordError) -> HandlerError {
    match err.status() {
        Some(403) => ModerationRefusal::BotForbidden(
            "Discord didn't let me change that channel: give me Manage Channels and Manage \
             Roles there."
                .to_owned(),
        )
        .into(),
        _ => HandlerError::fault(err),
    }
}

fn channel_case(
    ctx: &Context,
    interaction: &Interaction,
    guild: GuildId,
    action: CaseAction,
    channel: ChannelId,
    reason: String,
) -> Result<NewCase, HandlerError> {
    Ok(NewCase {
        guild,
        number: None,
        request: RequestId(interaction.id.get()),
        action,
        user: None,
        channel: Some(channel),
        moderator: invoker(interaction)?,
        reason,
        duration: None,
        created_at: ctx.now(),
        expires_at: None,
    })
}

fn require_manager(interaction: &Interaction, to: &str) -> HandlerResult {
    require(
        interaction,
        Permissions::MANAGE_CHANNELS,
        "Manage Channels",
        to,
    )
}

/// `/slowmode [channel] duration`
pub(crate) async fn slowmode<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Slowmode = parse(interaction)?;
    require_manager(interaction, "set slowmode")?;
    let seconds = slowmode_seconds(&command.duration).map_err(ModerationRefusal::BadDuration)?;
    let channel = target_channel(command.channel.as_ref(), interaction)?;
    ack.set_ephemeral_hint(false).await;
    ctx.discord
        .set_slowmode(channel, seconds, "Slowmode set with Hearth")
        .await
        .map_err(refused)?;
    let mut new = channel_case(
        ctx,
        interaction,
        guild,
        CaseAction::Slowmode,
        channel,
        String::new(),
    )?;
    new.duration = Some(Duration::from_secs(u64::from(seconds)));
    let case = cases::record(feature, ctx, new).await?;
    ack.committed(format!("the slowmode was recorded as case {}", case.number));
    ack.reply(Reply::embed(cases::embed(&case))).await
}

/// `@everyone`'s overwrite during a lockdown: the previous one, with Send Messages denied and
/// not allowed.
pub fn locked(previous: Option<Overwrite>) -> Overwrite {
    let send = Permissions::SEND_MESSAGES.bits();
    let previous = previous.unwrap_or(Overwrite { allow: 0, deny: 0 });
    Overwrite {
        allow: previous.allow & !send,
        deny: previous.deny | send,
    }
}

/// `/lockdown [channel] [duration] [reason]`
pub(crate) async fn lockdown<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: LockdownCommand = parse(interaction)?;
    require_manager(interaction, "lock channels")?;
    let duration = command
        .duration
        .as_deref()
        .map(|text| DurationBounds::ANY.parse(text))
        .transpose()
        .map_err(ModerationRefusal::BadDuration)?;
    let why = match command.reason.as_deref() {
        Some(text) => Reason::parse(text)?.into_string(),
        None => String::new(),
    };
    let channel = target_channel(command.channel.as_ref(), interaction)?;
    let previous = ctx
        .discord
        .everyone_overwrite(guild, channel)
        .await
        .map_err(refused)?;
    let now = ctx.now();
    let stored = feature
        .store
        .lock(Lockdown {
            guild,
            channel,
            previous,
            locked_at: now,
        })
        .await
        .map_err(HandlerError::fault)?;
    if !stored {
        return Err(ModerationRefusal::AlreadyLocked(channel).into());
    }
    ack.set_ephemeral_hint(false).await;
    let audit = if why.is_empty() {
        "Locked with Hearth"
    } else {
        &why
    };
    if let Err(err) = ctx
        .discord
        .set_everyone_overwrite(guild, channel, locked(previous), audit)
        .await
    {
        // Not locked after all: forget it, so /lockdown can be tried again.
        let _ = feature.store.unlock(guild, channel).await;
        return Err(refused(err));
    }
    let mut new = channel_case(ctx, interaction, guild, CaseAction::Lockdown, channel, why)?;
    new.duration = duration;
    new.expires_at = duration.map(|d| now.saturating_add(d));
    let case = cases::record(feature, ctx, new).await?;
    ack.committed(format!("the lockdown was recorded as case {}", case.number));
    if let Some(due_at) = case.expires_at {
        feature
            .store
            .schedule(NewTimedAction {
                guild,
                kind: ActionKind::Unlock { channel },
                due_at,
                case: Some(case.number.0),
                scheduled_at: now,
            })
            .await
            .map_err(HandlerError::fault)?;
    }
    ack.reply(Reply::embed(cases::embed(&case))).await
}

/// Puts a channel's `@everyone` overwrite back as it was before its lockdown, then forgets the
/// lockdown; `Ok(false)` when the channel was not locked. Restoring first makes a retry after
/// a failure find the lockdown again; restoring twice sets the same overwrite.
///
/// # Errors
///
/// Discord's refusal, or a store fault (as a [`DiscordError`]-free [`HandlerError`]).
pub(crate) async fn restore<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    guild: GuildId,
    channel: ChannelId,
    why: &str,
) -> Result<bool, RestoreError> {
    let Some(lockdown) = feature
        .store
        .lockdown(guild, channel)
        .await
        .map_err(RestoreError::Store)?
    else {
        return Ok(false);
    };
    match lockdown.previous {
        Some(previous) => {
            ctx.discord
                .set_everyone_overwrite(guild, channel, previous, why)
                .await
        }
        None => {
            ctx.discord
                .remove_everyone_overwrite(guild, channel, why)
                .await
        }
    }
    .map_err(RestoreError::Discord)?;
    feature
        .store
        .unlock(guild, channel)
        .await
        .map_err(RestoreError::Store)?;
    Ok(true)
}

/// Why [`restore`] failed.
#[derive(Debug)]
pub(crate) enum RestoreError {
    /// Discord refused or failed.
    Discord(DiscordError),
    /// The store failed.
    Store(hearth_core::StoreError),
}

/// `/unlock [channel]`
pub(crate) async fn unlock<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: UnlockCommand = parse(interaction)?;
    require_manager(interaction, "unlock channels")?;
    let channel = target_channel(command.channel.as_ref(), interaction)?;
    let restored = match restore(feature, ctx, guild, channel, "Unlocked with Hearth").await {
        Ok(restored) => restored,
        Err(RestoreError::Discord(err)) => return Err(refused(err)),
        Err(RestoreError::Store(err)) => return Err(HandlerError::fault(err)),
    };
    if !restored {
        return Err(ModerationRefusal::NotLocked(channel).into());
    }
    ack.set_ephemeral_hint(false).await;
    TimedActionStore::cancel(
        &feature.store,
        ActionKey::new(guild, &ActionKind::Unlock { channel }),
    )
    .await
    .map_err(HandlerError::fault)?;
    let new = channel_case(
        ctx,
        interaction,
        guild,
        CaseAction::Unlock,
        channel,
        String::new(),
    )?;
    let case = cases::record(feature, ctx, new).await?;
    ack.committed(format!("the unlock was recorded as case {}", case.number));
    ack.reply(Reply::embed(cases::embed(&case))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_denies_send_messages_and_keeps_every_other_bit() {
        let send = Permissions::SEND_MESSAGES.bits();
        let view = Permissions::VIEW_CHANNEL.bits();
        let custom = Overwrite {
            allow: send | view,
            deny: Permissions::ADD_REACTIONS.bits(),
        };
        assert_eq!(
            locked(Some(custom)),
            Overwrite {
                allow: view,
                deny: Permissions::ADD_REACTIONS.bits() | send
            }
        );
        assert_eq!(
            locked(None),
            Overwrite {
                allow: 0,
                deny: send
            }
        );
    }

    #[test]
    fn slowmode_reads_off_and_refuses_past_six_hours() {
        assert_eq!(slowmode_seconds("0"), Ok(0));
        assert_eq!(slowmode_seconds("off"), Ok(0));
        assert_eq!(slowmode_seconds("6h"), Ok(21_600));
        assert_eq!(
            slowmode_seconds("7h").unwrap_err().to_string(),
            "durations go up to 6 hours for slowmode"
        );
    }
}
