//! How a server sets leveling up: level roles, boosts and settings.

use std::time::Duration;

use hearth_core::{RoleId, parse_duration};
use hearth_xp_engine::{
    Announce, BOOST_DURATION, BoostId, BoostScope, LevelSettings, Multiplier, NewBoost, RoleMode,
    SettingsChange, Template, XpRate, level_for, total_xp_for,
};
use twilight_model::{
    application::interaction::Interaction, channel::message::component::ButtonStyle, guild::Role,
};

use super::{
    Leveling,
    admin::require_manager,
    commands::{
        AddLevelRole, AnnounceWhere, LevelSettingsCommand, RemoveLevelRole, RoleModeChoice, XpBoost,
    },
    components::ApplyRole,
    embeds,
    events::apply_roles,
    refusal::LevelingRefusal,
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::{Action as _, CustomId},
    discord::{channel_id, role_id},
    handler::{created_at, decode, in_guild, parse},
    interaction::{HandlerError, HandlerResult, chain},
    reply::{Reply, button, row},
};

/// The most members `/addlevelrole`'s "give it now" button gives a role to in one click
/// (the highest ranked first).
pub(crate) const APPLY_MAX: u32 = 1_000;

/// Members the "give it now" button handles per second: each costs a read and a role, so 40
/// of the 50 requests a second Discord allows a bot in all, leaving room for everything else
/// (as the scheduler does). [`APPLY_MAX`] members take 50 s, well within the 15 minutes an
/// interaction's answer may be edited.
pub(crate) const APPLY_PER_SECOND: u32 = 20;

/// `/levelroles`
pub(super) async fn level_roles<S: Backend>(
    feature: &Leveling<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let settings = feature.settings.get(guild).await?;
    ack.reply(Reply::embed(embeds::level_roles(&settings)))
        .await
}

/// Checks that the bot could give `role`: not @everyone, not managed, below its highest role.
async fn check_role(ctx: &Context, interaction: &Interaction, role: &Role) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let id = role_id(role.id);
    if interaction
        .guild_id
        .is_some_and(|g| g.get() == role.id.get())
    {
        return Err(LevelingRefusal::EveryoneRole.into());
    }
    if role.managed {
        return Err(LevelingRefusal::ManagedRole(id).into());
    }
    let facts = ctx.guild_facts(guild).await?;
    let top = ctx
        .bot_roles(guild)
        .await?
        .iter()
        .filter_map(|r| facts.positions.get(r).copied())
        .max()
        .unwrap_or(0);
    if role.position >= top {
        return Err(LevelingRefusal::RoleAboveBot(id).into());
    }
    Ok(())
}

/// `/addlevelrole level role`: checks the role, saves it, and offers to give it to members
/// who already qualify.
pub(super) async fn add_level_role<S: Backend>(
    feature: &Leveling<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    require_manager(interaction, "change level roles")?;
    let command: AddLevelRole = parse(interaction)?;
    check_role(ctx, interaction, &command.role).await?;
    let role = role_id(command.role.id);
    let level = command.level;
    let settings = feature
        .settings
        .update(guild, |service| async move {
            service.set_level_role(guild, level, role).await
        })
        .await?;
    feature.forget_reports(guild);
    let level = u32::try_from(level).unwrap_or(u32::MAX);
    let qualifying = qualifying(feature, guild, level, &settings).await?.len();
    let mut reply = Reply::ephemeral(format!(
        "Members who reach level {level} will get <@&{role}>."
    ));
    if qualifying > 0 {
        reply.content = Some(format!(
            "{} {qualifying} member{} already at level {level} or above can get it now.",
            reply.content.unwrap_or_default(),
            if qualifying == 1 { "" } else { "s" }
        ));
        reply.components = vec![row(vec![button(
            ApplyRole { level }.custom_id(),
            "Give it to them now",
            ButtonStyle::Primary,
            false,
        )])];
    }
    ack.reply(reply).await
}

/// Members (up to [`APPLY_MAX`], best ranked first) whose level earns the role of `level`.
async fn qualifying<S: Backend>(
    feature: &Leveling<S>,
    guild: hearth_core::GuildId,
    level: u32,
    settings: &LevelSettings,
) -> Result<Vec<hearth_core::UserId>, HandlerError> {
    let Some(role) = settings.level_roles.get(level) else {
        return Ok(Vec::new());
    };
    let rows = hearth_xp_engine::XpStore::leaderboard(feature.service.store(), guild, 0, APPLY_MAX)
        .await
        .map_err(hearth_xp_engine::Error::from)?;
    Ok(rows
        .into_iter()
        .take_while(|r| r.xp >= total_xp_for(level))
        .filter(|r| {
            settings
                .level_roles
                .earned(settings.role_mode, level_for(r.xp))
                .contains(&role)
        })
        .map(|r| r.user)
        .collect())
}

/// The "give it to them now" button of `/addlevelrole`.
pub(super) async fn apply_role<S: Backend>(
    feature: &Leveling<S>,
    ctx: &Context,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let button: ApplyRole = decode(id)?;
    require_manager(interaction, "change level roles")?;
    let settings = feature.settings.get(guild).await?;
    let Some(role) = settings.level_roles.get(button.level) else {
        return Err(HandlerError::refuse(format!(
            "No role is given at level {} any more.",
            button.level
        )));
    };
    // Two requests per member, at APPLY_PER_SECOND: answer "thinking…" first.
    ack.defer(true).await?;
    let members = qualifying(feature, guild, button.level, &settings).await?;
    let mut pace = tokio::time::interval(Duration::from_secs(1) / APPLY_PER_SECOND);
    let mut given = 0_usize;
    for user in &members {
        pace.tick().await;
        // Who has it already is left alone (so a second click gives nothing twice), and so is
        // who left the server.
        match ctx.discord.member_roles(guild, *user).await {
            Ok(roles) if roles.contains(&role) => continue,
            Ok(_) => {}
            Err(err) => {
                tracing::debug!(%guild, %user, error = %chain(&err), "member not read; skipped");
                continue;
            }
        }
        apply_roles(feature, ctx, guild, *user, &[role], &[], button.level).await;
        given += 1;
    }
    let text = if given == 0 {
        format!(
            "Everyone at level {} or above has <@&{role}> already.",
            button.level
        )
    } else {
        format!(
            "Gave <@&{role}> to {given} member{}.",
            if given == 1 { "" } else { "s" }
        )
    };
    ack.update(Reply::ephemeral(text)).await
}

/// `/removelevelrole level`
pub(super) async fn remove_level_role<S: Backend>(
    feature: &Leveling<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    require_manager(interaction, "change level roles")?;
    let command: RemoveLevelRole = parse(interaction)?;
    let mut removed: Option<RoleId> = None;
    let slot = &mut removed;
    feature
        .settings
        .update(guild, |service| async move {
            let (role, settings) = service.remove_level_role(guild, command.level).await?;
            *slot = Some(role);
            Ok::<_, hearth_xp_engine::Error>(settings)
        })
        .await?;
    let role = removed.map_or_else(String::new, |r| format!("<@&{r}>"));
    ack.reply(Reply::ephemeral(format!(
        "Level {} no longer gives {role}. Members who have it keep it.",
        command.level
    )))
    .await
}

/// `/xpboost start|list|stop`
pub(super) async fn xp_boost<S: Backend>(
    feature: &Leveling<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    require_manager(interaction, "manage XP boosts")?;
    let command: XpBoost = parse(interaction)?;
    let now = created_at(interaction);
    match command {
        XpBoost::Start(start) => {
            let multiplier = Multiplier::parse(&start.multiplier)?;
            let duration = parse_duration(&start.duration, &BOOST_DURATION)
                .map_err(LevelingRefusal::Duration)?;
            let scope = match (&start.channel, &start.role) {
                (Some(_), Some(_)) => {
                    return Err(HandlerError::refuse(
                        "Choose a channel or a role for a boost, not both.",
                    ));
                }
                (Some(channel), None) => BoostScope::Channel(channel_id(channel.id)),
                (None, Some(role)) => BoostScope::Role(role_id(role.id)),
                (None, None) => BoostScope::Guild,
            };
            let new = NewBoost {
                id: BoostId(interaction.id.get()),
                guild,
                multiplier,
                starts_at: now,
                duration,
                scope,
            };
            new.check()?;
            let boosts = feature
                .boosts
                .update(guild, |source| async move {
                    source.service.start_boost(new, now).await?;
                    source.service.boosts(guild, now).await
                })
                .await?;
            ack.committed("the boost was started");
            let mut reply = Reply::embed(embeds::boosts(&boosts, now)).private();
            reply.content = Some(format!(
                "XP is multiplied by {multiplier} until <t:{}:f>.",
                now.saturating_add(duration).unix_secs()
            ));
            ack.reply(reply).await
        }
        XpBoost::List(_) => {
            let boosts = feature.service.boosts(guild, ctx.now()).await?;
            ack.reply(Reply::embed(embeds::boosts(&boosts, now)).private())
                .await
        }
        XpBoost::Stop(stop) => {
            let id = stop
                .id
                .trim()
                .trim_matches('`')
                .parse()
                .map(BoostId)
                .map_err(|_| LevelingRefusal::BoostIdUnreadable(stop.id.clone()))?;
            let boosts = feature
                .boosts
                .update(guild, |source| async move {
                    source.service.stop_boost(guild, id).await?;
                    source.service.boosts(guild, now).await
                })
                .await?;
            let mut reply = Reply::embed(embeds::boosts(&boosts, now)).private();
            reply.content = Some(format!("Boost `{id}` stopped."));
            ack.reply(reply).await
        }
    }
}

/// `/levelsettings …`
pub(super) async fn level_settings<S: Backend>(
    feature: &Leveling<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    require_manager(interaction, "change leveling settings")?;
    let command: LevelSettingsCommand = parse(interaction)?;
    let change = match command {
        LevelSettingsCommand::Show(_) => {
            let settings = feature.settings.get(guild).await?;
            return ack
                .reply(Reply::embed(embeds::settings(&settings)).private())
                .await;
        }
        LevelSettingsCommand::Rate(rate) => {
            SettingsChange::rate(XpRate::new(Multiplier::parse(&rate.multiplier)?)?)
        }
        LevelSettingsCommand::Announce(announce) => {
            let target = match announce.target {
                AnnounceWhere::Off => Announce::Off,
                AnnounceWhere::Here => Announce::SameChannel,
                AnnounceWhere::Dm => Announce::Dm,
                AnnounceWhere::Channel => Announce::Channel(channel_id(
                    announce
                        .channel
                        .as_ref()
                        .ok_or(LevelingRefusal::AnnounceChannelMissing)?
                        .id,
                )),
            };
            let mut change = SettingsChange::announce(target);
            if let Some(text) = &announce.message {
                change.template = Some(Template::parse(text)?);
            }
            change
        }
        LevelSettingsCommand::NoXp(noxp) => {
            if noxp.channel.is_none() && noxp.role.is_none() {
                return Err(LevelingRefusal::NoXpNothing.into());
            }
            let current = feature.settings.get(guild).await?;
            let mut change = SettingsChange::default();
            if let Some(channel) = &noxp.channel {
                let mut channels = current.no_xp_channels.clone();
                toggle(&mut channels, channel_id(channel.id));
                change.no_xp_channels = SettingsChange::no_xp_channels(channels)?.no_xp_channels;
            }
            if let Some(role) = &noxp.role {
                let mut roles = current.no_xp_roles.clone();
                toggle(&mut roles, role_id(role.id));
                change.no_xp_roles = SettingsChange::no_xp_roles(roles)?.no_xp_roles;
            }
            change
        }
        LevelSettingsCommand::RoleMode(mode) => SettingsChange::role_mode(match mode.mode {
            RoleModeChoice::Stack => RoleMode::Stack,
            RoleModeChoice::Replace => RoleMode::Replace,
        }),
        LevelSettingsCommand::Global(global) => SettingsChange::global_leaderboard(global.share),
    };
    let settings = feature
        .settings
        .update(guild, |service| async move {
            service.update_settings(guild, &change).await
        })
        .await?;
    let mut reply = Reply::embed(embeds::settings(&settings)).private();
    reply.content = Some("Saved.".to_owned());
    ack.reply(reply).await
}

/// Adds `item` when absent, removes it when present.
fn toggle<T: PartialEq>(items: &mut Vec<T>, item: T) {
    if let Some(at) = items.iter().position(|i| *i == item) {
        items.remove(at);
    } else {
        items.push(item);
    }
}
