//! Auto-close through the scheduler: one `close_ticket` action per ticket channel, due at the
//! next step of the guild's policy. Running it takes the step the domain decides at that time
//! (a message since the warning cancels it) and schedules the next one.

use hearth_core::{
    ChannelId, GuildId, Timestamp,
    timed::{ActionKind, NewTimedAction, TimedAction},
};
use hearth_tickets::{AutoCloseOutcome, Ticket, TicketSettings};

use super::{Tickets, flow};
use crate::{
    context::{Backend, Context},
    feature::TimedFailure,
    reply::Reply,
};

/// The kinds tickets run: auto-close here, unanswered close requests in
/// [`super::requests::run`].
pub const KINDS: &[&str] = &["close_ticket", "close_requested"];

/// Schedules the ticket's next auto-close step at `due_at`, replacing any pending one.
pub async fn schedule<S: Backend>(
    t: &Tickets<S>,
    guild: GuildId,
    channel: ChannelId,
    due_at: Timestamp,
    now: Timestamp,
) {
    let action = NewTimedAction {
        guild,
        kind: ActionKind::CloseTicket { channel },
        due_at,
        case: None,
        scheduled_at: now,
    };
    if let Err(err) = t.store.schedule(action).await {
        tracing::warn!(%err, "could not schedule a ticket's auto-close");
    }
}

/// Schedules the first auto-close check of a ticket that got a channel, when the guild has a
/// policy.
pub async fn start<S: Backend>(
    t: &Tickets<S>,
    settings: &TicketSettings,
    ticket: &Ticket,
    channel: ChannelId,
    now: Timestamp,
) {
    if let Some(policy) = &settings.auto_close {
        let due = ticket
            .last_activity_at
            .saturating_add(policy.inactive_after);
        schedule(t, ticket.guild, channel, due, now).await;
    }
}

/// Runs one claimed `close_ticket` action.
///
/// # Errors
///
/// `Retry` when the store fails.
pub async fn run<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    action: &TimedAction,
) -> Result<(), TimedFailure> {
    let ActionKind::CloseTicket { channel } = action.kind else {
        return Err(TimedFailure::GiveUp(format!(
            "tickets run no {} actions",
            action.kind.name()
        )));
    };
    let guild = action.guild;
    let retry = |e: &dyn std::fmt::Display| TimedFailure::Retry(e.to_string());
    let Some(ticket) = t
        .store
        .ticket_in_channel(guild, channel)
        .await
        .map_err(|e| retry(&e))?
    else {
        return Ok(());
    };
    let settings = t
        .store
        .ticket_settings(guild)
        .await
        .map_err(|e| retry(&e))?
        .unwrap_or_default();
    let Some(policy) = settings.auto_close else {
        return Ok(());
    };
    let now = ctx.clock.now();
    match t
        .service
        .auto_close(guild, ticket.number, &policy, now)
        .await
        .map_err(|e| retry(&e))?
    {
        AutoCloseOutcome::Waiting { until } => schedule(t, guild, channel, until, now).await,
        AutoCloseOutcome::Warned { closes_at, .. } => {
            let warning = Reply::text(format!(
                "<@{}> this ticket has been quiet for a while and closes <t:{}:R> unless someone writes here.",
                ticket.opener,
                closes_at.unix_secs()
            ));
            if let Err(err) = ctx.discord.send(channel, &warning).await {
                tracing::warn!(%err, "could not post an inactivity warning");
            }
            schedule(t, guild, channel, closes_at, now).await;
        }
        AutoCloseOutcome::Closed(closed) => {
            flow::after_close(t, ctx, &settings, &closed, false, now).await;
        }
        AutoCloseOutcome::Done => {}
    }
    Ok(())
}
