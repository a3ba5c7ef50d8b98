//! The moderation handlers: parse, check, call the service, render.

use std::time::{SystemTime, UNIX_EPOCH};

use hearth_core::{ChannelId, GuildId, Timestamp, UserId};
use hearth_moderation::{
    EscalationStep, ModerationSettings, Punishment, Reason, WarnOutcome, WarnRequest,
};
use twilight_interactions::{
    command::{CommandInputData, CommandModel, ResolvedUser},
    error::{ParseError, ParseOptionError, ParseOptionErrorType},
};
use twilight_model::{
    application::interaction::{Interaction, InteractionData, application_command::CommandData},
    channel::ChannelType,
    guild::Permissions,
    util::Timestamp as DiscordTimestamp,
};

use super::{
    commands::{ClearWarnings, Modlog, Warn, Warnings},
    embeds::{self, Escalated},
};
use crate::{
    context::{Backend, Context},
    discord::{channel_id, guild_id, role_id, user_id},
    hierarchy::{self, Parties, Standing},
    interaction::{Ack, HandlerError, HandlerResult, chain},
    reply::Reply,
};

fn in_guild(interaction: &Interaction) -> Result<GuildId, HandlerError> {
    interaction
        .guild_id
        .map(guild_id)
        .ok_or_else(|| HandlerError::refuse("This command works only in a server."))
}

fn command_data(interaction: &Interaction) -> Result<CommandInputData<'static>, HandlerError> {
    match &interaction.data {
        Some(InteractionData::ApplicationCommand(data)) => {
            let data: CommandData = (**data).clone();
            Ok(CommandInputData::from(data))
        }
        _ => Err(HandlerError::refuse("I couldn't read that command.")),
    }
}

fn parse<T: CommandModel>(interaction: &Interaction) -> Result<T, HandlerError> {
    T::from_interaction(command_data(interaction)?).map_err(|err| {
        tracing::debug!(%err, "command did not parse");
        match err {
            // Discord's client enforces the registered length limits, but the API does not
            // stop a crafted request: answer with the same refusal the domain gives.
            ParseError::Option(ParseOptionError {
                field,
                kind: ParseOptionErrorType::StringLengthOutOfRange(value),
            }) => match (field.as_str(), Reason::parse(&value)) {
                ("reason", Err(refusal)) => HandlerError::from(refusal),
                _ => {
                    HandlerError::refuse(format!("The {field} you gave is too long or too short."))
                }
            },
            _ => HandlerError::refuse(
                "I couldn't read that command; Discord may still be updating it. Try again in a \
                 minute.",
            ),
        }
    })
}

/// The invoker's user id.
fn invoker(interaction: &Interaction) -> Result<UserId, HandlerError> {
    interaction
        .author_id()
        .map(user_id)
        .ok_or_else(|| HandlerError::refuse("I couldn't tell who you are."))
}

/// Checks that the invoker may moderate members (every warning command and button needs it).
fn require_moderator(interaction: &Interaction, to: &str) -> HandlerResult {
    require(
        interaction,
        Permissions::MODERATE_MEMBERS,
        "Moderate Members",
        to,
    )
}

/// Checks the invoker's permissions as Discord computed them for this channel.
fn require(interaction: &Interaction, needed: Permissions, name: &str, to: &str) -> HandlerResult {
    let has = interaction
        .member
        .as_ref()
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.contains(Permissions::ADMINISTRATOR) || p.contains(needed));
    if has {
        Ok(())
    } else {
        Err(HandlerError::refuse(format!(
            "You need the {name} permission to {to}."
        )))
    }
}

/// Checks that the invoker may `verb` the target and that the bot could act on them.
async fn check_hierarchy<S: Backend>(
    ctx: &Context<S>,
    guild: GuildId,
    interaction: &Interaction,
    target: &ResolvedUser,
    verb: &str,
) -> HandlerResult {
    let target_id = user_id(target.resolved.id);
    let Some(target_member) = &target.member else {
        return Err(HandlerError::refuse(format!(
            "<@{target_id}> isn't a member of this server."
        )));
    };
    let facts = ctx.guild_facts(guild).await?;
    let moderator_roles: Vec<_> = interaction
        .member
        .as_ref()
        .map(|m| m.roles.iter().copied().map(role_id).collect())
        .unwrap_or_default();
    let target_roles: Vec<_> = target_member.roles.iter().copied().map(role_id).collect();
    let bot_roles = ctx.bot_roles(guild).await?;
    let parties = Parties {
        owner: facts.owner,
        moderator: Standing::of(invoker(interaction)?, &moderator_roles, &facts.positions),
        target: Standing::of(target_id, &target_roles, &facts.positions),
        bot: Standing::of(ctx.bot, &bot_roles, &facts.positions),
    };
    hierarchy::check(verb, &parties).map_err(HandlerError::Refusal)
}

/// When Discord created an interaction, from its snowflake: the "now" of a command, so a
/// replayed event agrees with the first.
fn created_at(interaction: &Interaction) -> Timestamp {
    hearth_core::MessageId::new(interaction.id.get()).created_at()
}

/// `/warn member reason`
pub(crate) async fn warn<S: Backend>(
    ctx: &Context<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Warn = parse(interaction)?;
    require_moderator(interaction, "warn members")?;
    check_hierarchy(ctx, guild, interaction, &command.member, "warn").await?;
    // Past the refusals: if the watchdog defers, the warning's embed is for everyone.
    ack.set_ephemeral_hint(false).await;
    let settings = ctx.settings.moderation(guild).await?;
    let outcome = ctx
        .moderation
        .warn(WarnRequest {
            guild,
            user: user_id(command.member.resolved.id),
            moderator: invoker(interaction)?,
            reason: &command.reason,
            now: created_at(interaction),
            escalation: &settings.escalation,
        })
        .await?;
    ack.committed(format!(
        "the warning was recorded as case {}",
        outcome.warning.case
    ));
    // However long Discord takes, the Ack's watchdog answers "thinking…" within the 3 seconds.
    let escalated = match outcome.escalation {
        Some(step) => Some(carry_out(ctx, guild, &outcome, step).await),
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
    match ctx.discord.dm(outcome.warning.user, &dm).await {
        Ok(true) => {}
        Ok(false) => tracing::debug!(user = %outcome.warning.user, "warned member has closed DMs"),
        Err(err) => tracing::warn!(error = %chain(&err), "could not DM a warned member"),
    }
    Ok(())
}

/// Carries out an escalation step through Discord and says how it went.
async fn carry_out<S: Backend>(
    ctx: &Context<S>,
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
            // Discord checks the 28-day limit against its own clock, so the end is computed
            // from real time, not the event's.
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let until = i64::try_from((now + duration).as_secs()).unwrap_or(i64::MAX);
            match DiscordTimestamp::from_secs(until) {
                Ok(until) => ctx.discord.timeout(guild, user, until, &why).await,
                Err(_) => return Escalated::Failed(step, "the end time was out of range".into()),
            }
        }
        Punishment::Kick => ctx.discord.kick(guild, user, &why).await,
        Punishment::Ban { duration: None } => ctx.discord.ban(guild, user, &why).await,
        // Nothing would lift it on time yet, and a permanent ban is not what the policy
        // says: do nothing and say so, rather than over-punish.
        Punishment::Ban { duration: Some(_) } => {
            return Escalated::Failed(step, TIMED_BAN_NOT_CARRIED_OUT.to_owned());
        }
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

/// Why an escalation step that bans for a time is not carried out.
pub(crate) const TIMED_BAN_NOT_CARRIED_OUT: &str =
    "Hearth can't lift bans on time yet, so it banned no one: ban them by hand if you mean it.";

/// Posts a case to the mod log, if the guild has one. A failure is logged, not shown: the
/// action itself succeeded.
async fn post_case<S: Backend>(ctx: &Context<S>, settings: &ModerationSettings, reply: Reply) {
    if let Some(channel) = settings.mod_log_channel
        && let Err(err) = ctx.discord.send(channel, &reply).await
    {
        tracing::warn!(%channel, error = %chain(&err), "could not post to the mod log");
    }
}

/// `/warnings member [page]`
pub(crate) async fn warnings<S: Backend>(
    ctx: &Context<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Warnings = parse(interaction)?;
    require_moderator(interaction, "see warnings")?;
    let user = user_id(command.member.resolved.id);
    let list = ctx.moderation.warnings(guild, user).await?;
    let page = usize::try_from(command.page.unwrap_or(1).max(1) - 1).unwrap_or(0);
    ack.reply(embeds::warnings_page(user, &list, page)).await
}

/// A `/warnings` page button: `warnings:{user}:{page}`.
pub(crate) async fn warnings_page<S: Backend>(
    ctx: &Context<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    require_moderator(interaction, "see warnings")?;
    let (user, page) = match custom_id(interaction).split(':').collect::<Vec<_>>()[..] {
        ["warnings", user, page] => (user.parse::<UserId>().ok(), page.parse::<usize>().ok()),
        _ => (None, None),
    };
    let (Some(user), Some(page)) = (user, page) else {
        return Err(HandlerError::refuse("This button is no longer valid."));
    };
    let list = ctx.moderation.warnings(guild, user).await?;
    ack.update(embeds::warnings_page(user, &list, page)).await
}

/// `/clearwarnings member`: asks for confirmation.
pub(crate) async fn clear_warnings<S: Backend>(
    ctx: &Context<S>,
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
    let count = ctx.moderation.warnings(guild, user).await?.len();
    if count == 0 {
        return Err(HandlerError::refuse(format!(
            "<@{user}> has no warnings to clear."
        )));
    }
    ack.reply(embeds::confirm_clear(user, count)).await
}

/// The `/clearwarnings` buttons: `clearwarnings:{user}:confirm|cancel`.
pub(crate) async fn confirm_clear<S: Backend>(
    ctx: &Context<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    require_moderator(interaction, "clear warnings")?;
    let (user, confirmed) = match custom_id(interaction).split(':').collect::<Vec<_>>()[..] {
        ["clearwarnings", user, "confirm"] => (user.parse::<UserId>().ok(), true),
        ["clearwarnings", user, "cancel"] => (user.parse::<UserId>().ok(), false),
        _ => (None, false),
    };
    let Some(user) = user else {
        return Err(HandlerError::refuse("This button is no longer valid."));
    };
    if !confirmed {
        return ack
            .update(Reply::ephemeral(format!("Kept the warnings of <@{user}>.")))
            .await;
    }
    let moderator = invoker(interaction)?;
    let removed = ctx.moderation.clear_warnings(guild, user).await?;
    ack.update(Reply::ephemeral(format!(
        "Removed {removed} warning{} of <@{user}>.",
        if removed == 1 { "" } else { "s" }
    )))
    .await?;
    if removed > 0 {
        let settings = ctx.settings.moderation(guild).await?;
        post_case(
            ctx,
            &settings,
            Reply::embed(embeds::cleared(user, moderator, removed)),
        )
        .await;
    }
    Ok(())
}

/// `/modlog set channel` and `/modlog off`.
pub(crate) async fn modlog<S: Backend>(
    ctx: &Context<S>,
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
                return Err(HandlerError::refuse("The mod log must be a text channel."));
            }
            let channel = channel_id(set.channel.id);
            // Posting a test line is a round trip to Discord: answer "thinking…" first so the
            // 3-second deadline holds however slow that is.
            ack.defer(true).await?;
            // Prove the bot can post there before saving it.
            let hello = Reply::text("Moderation cases will be posted here.");
            if let Err(err) = ctx.discord.send(channel, &hello).await {
                tracing::debug!(error = %chain(&err), "cannot post in the chosen mod log");
                return Err(HandlerError::refuse(format!(
                    "I can't post in <#{channel}>. Give me View Channel, Send Messages and Embed \
                     Links there, then try again."
                )));
            }
            Some(channel)
        }
        Modlog::Off(_) => None,
    };
    let settings = ctx.moderation.set_mod_log_channel(guild, channel).await?;
    ctx.settings.changed(guild, settings).await;
    ack.reply(Reply::ephemeral(match channel {
        Some(channel) => format!("Moderation cases will be posted in <#{channel}>."),
        None => "Moderation cases will no longer be posted.".to_owned(),
    }))
    .await
}

fn custom_id(interaction: &Interaction) -> &str {
    match &interaction.data {
        Some(InteractionData::MessageComponent(data)) => &data.custom_id,
        _ => "",
    }
}
