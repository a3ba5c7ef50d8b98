//! The queue, in Discord: telling a member their ticket waits (and where), the button that
//! takes it out again, and opening the oldest queued ticket when a channel goes.
//!
//! The queue itself lives in the store ([`hearth_tickets::Tickets::queue`]): it survives a
//! restart, and taking a ticket out of it is one conditional write, so two closes (in one
//! process or two) never open the same queued ticket twice.

use hearth_core::{ChannelId, GuildId};
use hearth_tickets::{Act, Actor, Ticket, TicketNumber, TicketSettings};
use twilight_model::{
    application::interaction::Interaction, channel::message::component::ButtonStyle,
};

use super::{
    Tickets,
    acting::{is_admin, roles_of},
    flow::{self, CATEGORY_FULL},
    handlers::{refuse, settings},
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::{Action, Args, CustomId, CustomIdError},
    handler::{created_at, decode, invoker},
    interaction::HandlerResult,
    reply::{Reply, button, row},
};

/// The button on the queued notice: `tickets:leave:1:{guild}:{number}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leave {
    /// The guild.
    pub guild: GuildId,
    /// The queued ticket.
    pub number: u64,
}

impl Action for Leave {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "leave";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.guild.to_string());
        args.push(self.number.to_string());
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self {
            guild: args.id()?,
            number: args.number()?,
        })
    }
}

/// What a member whose ticket waits is told: its number, its place, and how to leave.
pub fn queued_notice(ticket: &Ticket, position: usize) -> Reply {
    Reply::ephemeral(format!(
        "Every ticket channel is taken right now, so ticket {} waits in the queue: you are \
         number {position}. It opens as soon as another ticket closes, and you will be pinged \
         in its channel.",
        ticket.number
    ))
    .with_components(vec![row(vec![button(
        Leave {
            guild: ticket.guild,
            number: ticket.number.0,
        }
        .custom_id(),
        "Leave the queue",
        ButtonStyle::Secondary,
        false,
    )])])
}

/// Tells the member their fresh ticket waits in the queue, and where.
pub(super) async fn queued<S: Backend>(
    t: &Tickets<S>,
    ack: &mut Ack,
    ticket: &Ticket,
) -> HandlerResult {
    let position = t
        .service
        .queue_position(ticket)
        .await
        .map_err(|e| refuse(&e))?
        .unwrap_or(1);
    ack.committed(format!("Ticket {} waits in the queue.", ticket.number));
    ack.reply(queued_notice(ticket, position)).await
}

/// **Leave the queue**: closes the queued ticket, which never had a channel.
pub(super) async fn leave<S: Backend>(
    t: &Tickets<S>,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let b: Leave = decode(id)?;
    let all = settings(t, b.guild).await?;
    let roles = roles_of(interaction);
    let act = Act {
        guild: b.guild,
        number: TicketNumber(b.number),
        actor: Actor {
            user: invoker(interaction)?,
            roles: &roles,
            admin: is_admin(interaction),
        },
        settings: &all,
        now: created_at(interaction),
    };
    let left = t.service.leave_queue(&act).await.map_err(|e| refuse(&e))?;
    ack.committed(format!("Ticket {} left the queue.", left.number));
    ack.update(Reply::ephemeral(format!(
        "Ticket {} left the queue; you can open a new one whenever you need.",
        left.number
    )))
    .await
}

/// Opens the oldest queued ticket of `category` now that a channel went: makes its channel
/// (under the category, else its overflow categories), takes the ticket out of the queue if
/// it still waits, and pings its opener there with their reason. A ticket another process
/// took first (or its opener withdrew) gets its channel deleted again and the next one is
/// tried; with no room anywhere, the queue stays as it is. Only tickets numbered `below` a
/// bound are taken when one is given. Returns the ticket that opened, if one did.
pub async fn open_next<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    settings: &TicketSettings,
    guild: GuildId,
    category: &str,
    below: Option<TicketNumber>,
) -> Option<Ticket> {
    // Each lost race means another writer took a ticket, so this ends.
    for _ in 0..hearth_tickets::UPDATE_RETRIES {
        let queue = match t.service.queue(guild, category).await {
            Ok(queue) => queue,
            Err(err) => {
                tracing::warn!(%err, "could not read the ticket queue");
                return None;
            }
        };
        let next = queue.iter().find(|q| below.is_none_or(|b| q.number < b));
        let next = next?;
        let channel = make_channel(ctx, settings, next).await?;
        match t.service.dequeue(guild, next.number, channel).await {
            Ok(Some(opened)) => {
                super::channels::TICKET_CHANNELS.changed(ctx, guild).await;
                let welcome = flow::welcome(&opened);
                if let Err(err) = ctx
                    .discord
                    .send_pinging(channel, &welcome, opened.opener)
                    .await
                {
                    tracing::warn!(ticket = %opened.number, %err, "could not ping a dequeued ticket's opener");
                }
                super::timed::start(t, settings, &opened, channel, ctx.clock.now()).await;
                return Some(opened);
            }
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(ticket = %next.number, %err, "could not take a ticket out of the queue");
            }
        }
        // Not ours (or the store failed): the channel goes again, nothing half-made stays.
        if let Err(err) = ctx
            .discord
            .delete_channel(channel, "Queued ticket was taken elsewhere")
            .await
        {
            tracing::warn!(%err, "could not delete an unused ticket channel");
        }
    }
    None
}

/// Before a fresh ticket takes a channel, the queued tickets of its category that are older
/// take theirs: room that freed up without a close (a channel deleted by hand, an overflow
/// category added, a queued ticket that could not open at its turn) is theirs first. One
/// store read when nobody waits.
pub(super) async fn serve_older<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    settings: &TicketSettings,
    fresh: &Ticket,
) {
    let older = match t.service.queue(fresh.guild, &fresh.category).await {
        Ok(queue) => queue.iter().filter(|q| q.number < fresh.number).count(),
        Err(err) => {
            tracing::warn!(%err, "could not read the ticket queue");
            return;
        }
    };
    for _ in 0..older {
        let below = Some(fresh.number);
        if open_next(t, ctx, settings, fresh.guild, &fresh.category, below)
            .await
            .is_none()
        {
            return;
        }
    }
}

/// A channel for a queued ticket: under its category, else the first overflow category with
/// room. Discord is asked rather than the cache, which may not have seen the closed ticket's
/// channel go yet; `None` when every one is full (30013) or Discord refuses.
async fn make_channel(
    ctx: &Context,
    settings: &TicketSettings,
    ticket: &Ticket,
) -> Option<ChannelId> {
    let category = flow::category_of(settings, &ticket.category);
    let grants = flow::grants(ticket.guild, ticket, &category, ctx.bot);
    let name = format!("ticket-{}", ticket.number.0);
    let why = format!("Ticket {} left the queue", ticket.number);
    for parent in std::iter::once(category.parent).chain(category.overflow.iter().copied()) {
        match ctx
            .discord
            .create_ticket_channel(ticket.guild, parent, &name, &grants, &why)
            .await
        {
            Ok(channel) => return Some(channel),
            Err(err) if err.code() == Some(CATEGORY_FULL) => {}
            Err(err) => {
                tracing::warn!(ticket = %ticket.number, %err, "could not make a queued ticket's channel");
                return None;
            }
        }
    }
    None
}
