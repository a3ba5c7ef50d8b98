//! Cases in the bot: record one, post it to the mod log, DM the member; `/case` and `/reason`.

use hearth_core::{Timestamp, format_duration_long, text::truncate};
use hearth_moderation::{Case, CaseAction, CaseNumber, NewCase, Reason};
use twilight_model::{application::interaction::Interaction, channel::message::Embed};
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use super::{
    Moderation,
    commands::{CaseCommand, ReasonCommand},
    embeds::safe,
    handlers::require_moderator,
    refusal::ModerationRefusal,
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    handler::{in_guild, parse},
    interaction::{HandlerError, HandlerResult, chain},
    reply::{COLOUR_DANGER, COLOUR_INFO, COLOUR_OK, COLOUR_WARN, Reply},
};

/// Records a case and posts it to the mod log (remembering the message, for `/reason`). A
/// replayed request returns the first case and posts nothing new.
///
/// # Errors
///
/// A fault when the store fails.
pub(crate) async fn record<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    new: NewCase,
) -> Result<Case, HandlerError> {
    let case = feature
        .store
        .record_case(new)
        .await
        .map_err(HandlerError::fault)?;
    if case.log_message.is_none() {
        post(feature, ctx, &case).await;
    }
    Ok(case)
}

/// Posts a case to the mod log and remembers where; failures are logged.
async fn post<S: Backend>(feature: &Moderation<S>, ctx: &Context, case: &Case) {
    let Some(message) = crate::modlog::post(ctx, &feature.store, case.guild, embed(case)).await
    else {
        return;
    };
    let Ok(settings) = feature.settings.get(case.guild).await else {
        return;
    };
    let Some(channel) = settings.mod_log_channel else {
        return;
    };
    if let Err(err) = feature
        .store
        .set_case_log_message(case.guild, case.number, (channel, message))
        .await
    {
        tracing::warn!(error = %chain(&err), "could not remember a case's mod-log message");
    }
}

/// What the action reads as in a title: "Ban", "Mute", …
fn title(action: CaseAction) -> &'static str {
    match action {
        CaseAction::Warn => "Warning",
        CaseAction::Mute => "Mute",
        CaseAction::Unmute => "Unmute",
        CaseAction::Kick => "Kick",
        CaseAction::Ban => "Ban",
        CaseAction::Unban => "Unban",
        CaseAction::Lockdown => "Lockdown",
        CaseAction::Unlock => "Unlock",
        CaseAction::Slowmode => "Slowmode",
        _ => "Escalation",
    }
}

fn colour(action: CaseAction) -> u32 {
    match action {
        CaseAction::Ban | CaseAction::Kick | CaseAction::Lockdown | CaseAction::Escalation => {
            COLOUR_DANGER
        }
        CaseAction::Unban | CaseAction::Unmute | CaseAction::Unlock => COLOUR_OK,
        CaseAction::Warn | CaseAction::Mute => COLOUR_WARN,
        _ => COLOUR_INFO,
    }
}

fn discord_time(at: Timestamp) -> String {
    format!("<t:{}:f> (<t:{}:R>)", at.unix_secs(), at.unix_secs())
}

/// The mod-log embed of a case (also `/case`'s answer).
pub fn embed(case: &Case) -> Embed {
    let mut builder = EmbedBuilder::new()
        .title(format!("Case {} · {}", case.number, title(case.action)))
        .color(colour(case.action));
    if let Some(user) = case.user {
        builder = builder
            .field(EmbedFieldBuilder::new("Member", format!("<@{user}> (`{user}`)")).inline());
    }
    if let Some(channel) = case.channel {
        builder =
            builder.field(EmbedFieldBuilder::new("Channel", format!("<#{channel}>")).inline());
    }
    builder = builder
        .field(EmbedFieldBuilder::new("Moderator", format!("<@{}>", case.moderator)).inline());
    if let Some(duration) = case.duration {
        let shown = if duration.is_zero() {
            "off".to_owned()
        } else {
            format_duration_long(duration)
        };
        builder = builder.field(EmbedFieldBuilder::new("Duration", shown).inline());
    }
    if let Some(expires) = case.expires_at {
        builder = builder.field(EmbedFieldBuilder::new("Ends", discord_time(expires)).inline());
    }
    let reason = if case.reason.is_empty() {
        "No reason given".to_owned()
    } else {
        truncate(&safe(&case.reason), 1024).into_owned()
    };
    builder = builder
        .field(EmbedFieldBuilder::new("Reason", reason))
        .timestamp(
            twilight_model::util::Timestamp::from_micros(case.created_at.unix_millis() * 1_000)
                .unwrap_or_else(|_| {
                    twilight_model::util::Timestamp::from_secs(0).expect("the epoch is valid")
                }),
        );
    if let Some(user) = case.user {
        builder = builder.footer(EmbedFooterBuilder::new(format!("user id {user}")));
    }
    builder.build()
}

/// The DM a member gets about a case against them, where one applies (mute, unmute, kick,
/// ban); `None` for other actions.
pub fn dm(guild_name: &str, case: &Case) -> Option<Embed> {
    let what = match case.action {
        CaseAction::Mute => "muted",
        CaseAction::Unmute => "unmuted",
        CaseAction::Kick => "kicked",
        CaseAction::Ban => "banned",
        _ => return None,
    };
    let duration = case
        .duration
        .map_or_else(String::new, |d| format!(" for {}", format_duration_long(d)));
    let reason = if case.reason.is_empty() {
        "No reason given".to_owned()
    } else {
        safe(&case.reason)
    };
    Some(
        EmbedBuilder::new()
            .title(title(case.action))
            .color(colour(case.action))
            .description(format!(
                "You were {what} in **{}**{duration}.\n**Reason:** {reason}",
                safe(guild_name)
            ))
            .build(),
    )
}

/// DMs the member about `case` where it applies; `false` when it applies and was not delivered
/// (closed DMs, or Discord failing), which is no error.
pub(crate) async fn notify(ctx: &Context, case: &Case) -> bool {
    let (Some(user), Some(embed)) = (case.user, dm(&ctx.guild_name(case.guild), case)) else {
        return true;
    };
    match ctx.discord.dm(user, &Reply::embed(embed)).await {
        Ok(delivered) => delivered,
        Err(err) => {
            tracing::warn!(error = %chain(&err), "could not DM a member about a case");
            false
        }
    }
}

/// `/case number`
pub(crate) async fn show<S: Backend>(
    feature: &Moderation<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: CaseCommand = parse(interaction)?;
    require_moderator(interaction, "read cases")?;
    let number = CaseNumber(u64::try_from(command.number).unwrap_or(0));
    let case = feature
        .store
        .case(guild, number)
        .await
        .map_err(HandlerError::fault)?
        .ok_or(ModerationRefusal::NoSuchCase(number))?;
    ack.reply(Reply::embed(embed(&case)).private()).await
}

/// `/reason number text`
pub(crate) async fn reason<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: ReasonCommand = parse(interaction)?;
    require_moderator(interaction, "edit cases")?;
    let number = CaseNumber(u64::try_from(command.number).unwrap_or(0));
    let reason = Reason::parse(&command.text)?;
    let case = feature
        .store
        .set_case_reason(guild, number, reason.as_str())
        .await
        .map_err(HandlerError::fault)?
        .ok_or(ModerationRefusal::NoSuchCase(number))?;
    ack.committed(format!("case {number}'s reason was changed"));
    let mut note = String::new();
    if let Some((channel, message)) = case.log_message
        && let Err(err) = ctx
            .discord
            .edit_embeds(channel, message, &[embed(&case)])
            .await
    {
        tracing::warn!(error = %chain(&err), "could not edit a case in the mod log");
        note = " I couldn't update its mod-log entry.".to_owned();
    }
    ack.reply(Reply::ephemeral(format!(
        "Case {number}'s reason is now: {}.{note}",
        safe(&case.reason)
    )))
    .await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hearth_core::{GuildId, UserId};
    use hearth_moderation::RequestId;

    use super::*;

    fn ban() -> Case {
        Case::new(
            CaseNumber(12),
            NewCase {
                guild: GuildId::new(1),
                number: None,
                request: RequestId(1),
                action: CaseAction::Ban,
                user: Some(UserId::new(42)),
                channel: None,
                moderator: UserId::new(7),
                reason: "raiding @everyone".into(),
                duration: Some(Duration::from_secs(7 * 86_400)),
                created_at: Timestamp::from_unix_secs(1_700_000_000),
                expires_at: Some(Timestamp::from_unix_secs(1_700_604_800)),
            },
        )
    }

    #[test]
    fn the_mod_log_entry_names_the_case_member_moderator_duration_and_reason() {
        let embed = embed(&ban());
        assert_eq!(embed.title.as_deref(), Some("Case #12 · Ban"));
        let fields: Vec<(&str, &str)> = embed
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(fields[0], ("Member", "<@42> (`42`)"));
        assert_eq!(fields[1], ("Moderator", "<@7>"));
        assert_eq!(fields[2], ("Duration", "7 days"));
        assert!(
            fields[4].1.starts_with("raiding @\u{200b}everyone"),
            "{fields:?}"
        );
    }

    #[test]
    fn the_dm_says_what_happened_where_and_for_how_long() {
        let dm = dm("Cosy Corner", &ban()).unwrap();
        assert_eq!(
            dm.description.as_deref(),
            Some(
                "You were banned in **Cosy Corner** for 7 days.\n**Reason:** raiding @\u{200b}everyone"
            )
        );
        let lock = Case {
            action: CaseAction::Lockdown,
            ..ban()
        };
        assert!(super::dm("x", &lock).is_none());
    }
}
