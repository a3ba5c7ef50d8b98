//! What members run: `/rank`, `/leaderboard`, `/globalleaderboard`, `/stats`, and the page
//! buttons.

use hearth_xp_engine::Day;
use twilight_model::{application::interaction::Interaction, user::User};

use super::{
    Leveling,
    commands::{GlobalLeaderboard, Leaderboard, Rank},
    components::Page,
    embeds::{self, Board},
    images,
    refusal::LevelingRefusal,
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::CustomId,
    discord::user_id,
    handler::{created_at, decode, in_guild, invoker, parse},
    interaction::{HandlerError, HandlerResult},
    reply::Reply,
};

/// The name a card shows: the server nickname, else the display name, else the username.
fn display_name(user: &User, nick: Option<&str>) -> String {
    nick.or(user.global_name.as_deref())
        .unwrap_or(&user.name)
        .to_owned()
}

/// `/rank [member]`: the rank card as a PNG.
pub(super) async fn rank<S: Backend>(
    feature: &Leveling<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Rank = parse(interaction)?;
    let (user, name) = if let Some(member) = &command.member {
        let nick = member.member.as_ref().and_then(|m| m.nick.as_deref());
        (
            member.resolved.clone(),
            display_name(&member.resolved, nick),
        )
    } else {
        let member = interaction.member.as_ref();
        let user = member
            .and_then(|m| m.user.clone())
            .ok_or_else(|| HandlerError::refuse("I couldn't tell who you are."))?;
        let name = display_name(&user, member.and_then(|m| m.nick.as_deref()));
        (user, name)
    };
    if user.bot {
        return Err(LevelingRefusal::ABot(user_id(user.id)).into());
    }
    ack.set_ephemeral_hint(false).await;
    let id = user_id(user.id);
    let hash = user.avatar.map(|h| h.to_string());
    let (rank, avatar) = tokio::join!(
        feature.service.rank(guild, id),
        feature.avatars.get(id, hash.as_deref())
    );
    let rank = rank?;
    let png = images::rank_card(name, rank, avatar).await?;
    let mut reply = Reply::default().with_file("rank.png", png);
    reply.content = Some(match rank.rank {
        Some(position) => format!(
            "<@{id}> · rank #{position} of {} · level {} · {} XP",
            rank.ranked,
            rank.progress.level,
            embeds::thousands(rank.progress.total)
        ),
        None => format!("<@{id}> hasn't earned any XP yet."),
    });
    ack.reply(reply).await
}

/// `/leaderboard [page]`
pub(super) async fn leaderboard<S: Backend>(
    feature: &Leveling<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: Leaderboard = parse(interaction)?;
    let page = feature
        .service
        .leaderboard(guild, command.page.unwrap_or(1))
        .await?;
    ack.reply(embeds::leaderboard(Board::Server, &page)).await
}

/// A `/leaderboard` or `/globalleaderboard` page button: the page as it is now.
pub(super) async fn page<S: Backend>(
    feature: &Leveling<S>,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let button: Page = decode(id)?;
    let page = i64::from(button.page);
    let shown = match button.board {
        Board::Server => {
            feature
                .service
                .leaderboard(in_guild(interaction)?, page)
                .await?
        }
        Board::Global => feature.service.global_leaderboard(page).await?,
    };
    ack.update(embeds::leaderboard(button.board, &shown)).await
}

/// `/globalleaderboard [page] [show_me]`
pub(super) async fn global_leaderboard<S: Backend>(
    feature: &Leveling<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let command: GlobalLeaderboard = parse(interaction)?;
    if let Some(show) = command.show_me {
        feature
            .service
            .set_global_opt_out(invoker(interaction)?, !show)
            .await?;
    }
    let page = feature
        .service
        .global_leaderboard(command.page.unwrap_or(1))
        .await?;
    let mut reply = embeds::leaderboard(Board::Global, &page);
    reply.content = command.show_me.map(|show| {
        if show {
            "You are shown on the global leaderboard.".to_owned()
        } else {
            "You are no longer shown on the global leaderboard.".to_owned()
        }
    });
    ack.reply(reply).await
}

/// `/stats`: messages and active members per day over [`images::STATS_DAYS`] days.
pub(super) async fn stats<S: Backend>(
    feature: &Leveling<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    ack.set_ephemeral_hint(false).await;
    let today = Day::of(created_at(interaction));
    let days = feature
        .service
        .activity(guild, today, images::STATS_DAYS)
        .await?;
    let messages: u64 = days.iter().map(|d| d.messages).sum();
    let png = images::stats_chart(ctx.guild_name(guild), days).await?;
    let mut reply = Reply::default().with_file("stats.png", png);
    reply.content = Some(format!(
        "{} message{} earned XP in the last {} days.",
        embeds::thousands(messages),
        if messages == 1 { "" } else { "s" },
        images::STATS_DAYS
    ));
    ack.reply(reply).await
}
