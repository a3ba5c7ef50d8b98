//! Close requests: `/ticket closerequest [reason] [delay]` asks the opener, in the ticket's
//! channel, whether it can close; their **Close** runs the normal close, **Keep open** says so
//! and disables the buttons. With a delay, a `close_requested` timed action closes the ticket
//! when it passes unanswered; an answer (or any close) cancels it.
//!
//! The buttons carry the guild and the ticket's number, and everything else comes from the
//! store, so they keep working after a restart.

use std::fmt::Write as _;

use hearth_core::{
    ChannelId, DurationBounds, GuildId, format_duration_long,
    timed::{ActionKey, ActionKind, NewTimedAction, TimedAction},
};
use hearth_tickets::{CLOSE_REQUEST_DELAY_MAX, CLOSE_REQUEST_DELAY_MIN, TicketNumber};
use twilight_model::{
    application::interaction::Interaction, channel::message::component::ButtonStyle,
};

use super::{
    Tickets,
    acting::{act_of, roles_of},
    commands::CloseRequest,
    components::RequestAnswer,
    flow,
    handlers::{Here, refuse, settings},
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::{Action, CustomId},
    feature::TimedFailure,
    handler::decode,
    interaction::{HandlerError, HandlerResult},
    reply::{Reply, button, row},
};

/// How long a close request may wait for its answer, as `/ticket closerequest` reads `delay`.
const DELAY: DurationBounds = DurationBounds {
    min: CLOSE_REQUEST_DELAY_MIN,
    max: CLOSE_REQUEST_DELAY_MAX,
    what: "a close request",
};

/// The request's two buttons, enabled or not.
fn buttons(
    guild: GuildId,
    number: TicketNumber,
    enabled: bool,
) -> Vec<twilight_model::channel::message::Component> {
    let answer = |close, label, style| {
        button(
            RequestAnswer {
                guild,
                number: number.0,
                close,
            }
            .custom_id(),
            label,
            style,
            !enabled,
        )
    };
    vec![row(vec![
        answer(true, "Close", ButtonStyle::Danger),
        answer(false, "Keep open", ButtonStyle::Secondary),
    ])]
}

/// `/ticket closerequest [reason] [delay]`: staff ask; the opener is pinged with the buttons.
pub(super) async fn request<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    ack: &mut Ack,
    here: &Here<'_>,
    command: CloseRequest,
) -> HandlerResult {
    let delay = command
        .delay
        .as_deref()
        .map(|d| DELAY.parse(d))
        .transpose()
        .map_err(|err| HandlerError::refuse(format!("That delay won't do: {err}.")))?;
    let asked = t
        .service
        .request_close(here.act, command.reason.as_deref(), delay)
        .await
        .map_err(|e| refuse(&e))?;
    let request = asked.close_request.as_ref();
    let mut text = format!(
        "<@{}>, <@{}> asks whether ticket {} can close.",
        asked.opener, here.act.actor.user, asked.number
    );
    if let Some(reason) = request.and_then(|r| r.reason.as_deref()) {
        text.push_str("\nReason: ");
        text.push_str(reason);
    }
    let closes_at = request.and_then(|r| r.closes_at);
    match closes_at {
        Some(at) => {
            let _ = write!(
                text,
                "\nIt closes on its own <t:{}:R> unless you answer.",
                at.unix_secs()
            );
        }
        None => text.push_str("\nPress a button to answer."),
    }
    let message = Reply::text(text).with_components(buttons(here.act.guild, asked.number, true));
    if let Err(err) = ctx
        .discord
        .post_pinging(here.channel, &message, asked.opener)
        .await
    {
        // Without its message nobody could answer the request: take it back.
        if let Ok(undone) = asked.cancel_close()
            && let Err(undo) = hearth_tickets::TicketStore::update_ticket(&t.store, &undone).await
        {
            tracing::warn!(%undo, "could not take back an unposted close request");
        }
        return Err(HandlerError::fault(err));
    }
    if let Some(due_at) = closes_at {
        let action = NewTimedAction {
            guild: here.act.guild,
            kind: ActionKind::CloseRequested {
                channel: here.channel,
            },
            due_at,
            case: None,
            scheduled_at: here.act.now,
        };
        if let Err(err) = t.store.schedule(action).await {
            tracing::warn!(%err, "could not schedule a close request's deadline");
        }
    }
    ack.reply(Reply::ephemeral(format!(
        "I asked <@{}> whether ticket {} can close{}.",
        asked.opener,
        asked.number,
        delay
            .map(|d| format!(
                "; it closes on its own in {} without an answer",
                format_duration_long(d)
            ))
            .unwrap_or_default()
    )))
    .await
}

/// Forgets a ticket's close-request deadline (answered, or closed any way: [`flow::after_close`]
/// calls it).
pub(super) async fn cancel_deadline<S: Backend>(
    t: &Tickets<S>,
    guild: GuildId,
    channel: ChannelId,
) {
    let key = ActionKey::new(guild, &ActionKind::CloseRequested { channel });
    if let Err(err) = t.store.cancel(key).await {
        // Harmless: the timer finds nothing due when it runs.
        tracing::debug!(%err, "could not cancel a close request's deadline");
    }
}

/// A **Close** or **Keep open** button: the opener's (or an admin's) answer.
pub(crate) async fn answer<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let b: RequestAnswer = decode(id)?;
    let all = settings(t, b.guild).await?;
    let roles = roles_of(interaction);
    let act = act_of(interaction, b.guild, b.number, &all, &roles)?;
    let now = act.now;
    let asked = interaction
        .message
        .as_ref()
        .map(|m| m.content.clone())
        .unwrap_or_default();
    if b.close {
        let closed = t.service.accept_close(&act).await.map_err(|e| refuse(&e))?;
        ack.committed(format!("Ticket #{} was closed.", b.number));
        ack.update(
            Reply::text(format!("{asked}\n\n**Closed** by <@{}>.", act.actor.user))
                .with_components(buttons(b.guild, act.number, false)),
        )
        .await?;
        flow::after_close(t, ctx, &all, &closed, false, now).await;
        Ok(())
    } else {
        let kept = t.service.cancel_close(&act).await.map_err(|e| refuse(&e))?;
        if let Some(channel) = kept.channel {
            cancel_deadline(t, b.guild, channel).await;
        }
        ack.update(
            Reply::text(format!(
                "{asked}\n\n**Kept open** by <@{}>: ticket {} stays open.",
                act.actor.user, kept.number
            ))
            .with_components(buttons(b.guild, act.number, false)),
        )
        .await
    }
}

/// Runs a claimed `close_requested` action: closes the ticket if its request is still
/// unanswered, saying so in its channel first (so the transcript records why).
///
/// # Errors
///
/// `Retry` when the store fails.
pub async fn run<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    action: &TimedAction,
) -> Result<(), TimedFailure> {
    let ActionKind::CloseRequested { channel } = action.kind else {
        return Err(TimedFailure::GiveUp(format!(
            "close requests run no {} actions",
            action.kind.name()
        )));
    };
    let guild = action.guild;
    let retry = |e: &dyn std::fmt::Display| TimedFailure::Retry(e.to_string());
    let Some(ticket) = hearth_tickets::TicketStore::ticket_in_channel(&t.store, guild, channel)
        .await
        .map_err(|e| retry(&e))?
    else {
        return Ok(());
    };
    // Read before closing: a retry after the close would find nothing due, and no transcript.
    let all = hearth_tickets::TicketSettingsStore::ticket_settings(&t.store, guild)
        .await
        .map_err(|e| retry(&e))?
        .unwrap_or_default();
    let now = ctx.clock.now();
    let Some(closed) = t
        .service
        .close_unanswered(guild, ticket.number, now)
        .await
        .map_err(|e| retry(&e))?
    else {
        return Ok(());
    };
    let notice = Reply::text(format!(
        "Nobody answered the close request: ticket {} closes now.",
        closed.ticket.number
    ));
    if let Err(err) = ctx.discord.send(channel, &notice).await {
        tracing::warn!(%err, "could not say why a ticket closed");
    }
    flow::after_close(t, ctx, &all, &closed, false, now).await;
    Ok(())
}
