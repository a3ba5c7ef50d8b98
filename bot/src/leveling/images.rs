//! Rank cards and `/stats` charts, drawn by hearth-render on tokio's blocking pool so a
//! render never holds up the threads that answer other members.

use std::sync::Arc;

use hearth_render::{CardOptions, Chart, ChartKind, Date, RankCard, Series, XAxis};
use hearth_xp_engine::{Activity, MemberRank};

use crate::interaction::HandlerError;

/// Days a `/stats` chart covers.
pub const STATS_DAYS: u32 = 30;

/// Renders a member's rank card as PNG.
///
/// # Errors
///
/// A fault when the render task fails (it panicked or the runtime is shutting down).
pub async fn rank_card(
    name: String,
    rank: MemberRank,
    avatar: Option<Arc<[u8]>>,
) -> Result<Vec<u8>, HandlerError> {
    render(move || {
        RankCard {
            name: &name,
            level: u64::from(rank.progress.level),
            rank: rank.rank.unwrap_or(0),
            xp: rank.progress.into_level,
            xp_required: rank.progress.level_span,
            avatar: avatar.as_deref(),
            options: CardOptions {
                show_rank: rank.rank.is_some(),
                ..CardOptions::default()
            },
        }
        .render()
    })
    .await
}

/// Renders a guild's activity (oldest day first) as a chart of messages and active members
/// per day.
///
/// # Errors
///
/// A fault when the render task fails.
pub async fn stats_chart(guild_name: String, days: Vec<Activity>) -> Result<Vec<u8>, HandlerError> {
    render(move || stats(&guild_name, &days).render()).await
}

/// The chart `/stats` draws.
pub fn stats(guild_name: &str, days: &[Activity]) -> Chart {
    let first = days.first().map_or(Date::from_unix_secs(0), |a| {
        Date::from_unix_secs(a.day.start().unix_secs())
    });
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let series =
        |pick: fn(&Activity) -> u64| days.iter().map(|a| pick(a) as f64).collect::<Vec<_>>();
    Chart::new(
        format!("{guild_name} · last {} days", days.len()),
        ChartKind::Bar,
        XAxis::Dates {
            first,
            step_days: 1,
        },
    )
    .with_series(Series::new("Messages earning XP", series(|a| a.messages)))
    .with_series(Series::new("Active members", series(|a| a.active_members)))
}

async fn render(
    draw: impl FnOnce() -> Result<Vec<u8>, hearth_render::RenderError> + Send + 'static,
) -> Result<Vec<u8>, HandlerError> {
    match tokio::task::spawn_blocking(draw).await {
        Ok(Ok(png)) => Ok(png),
        Ok(Err(err)) => Err(HandlerError::fault(err)),
        Err(err) => Err(HandlerError::fault(err)),
    }
}
