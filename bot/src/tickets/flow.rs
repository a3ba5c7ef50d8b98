//! The steps shared by commands, buttons and events: giving a ticket its channel (or leaving
//! it queued), and closing it (transcript, log, DM, rating prompt, channel deleted).

use hearth_core::{ChannelId, GuildId, Timestamp};
use hearth_tickets::{Category, Placement, Ticket, TicketSettings, TranscriptRecord, place};
use twilight_gateway::Event;
use twilight_model::{
    channel::message::{Component, component::ButtonStyle},
    guild::Permissions,
};

use super::{
    Tickets,
    components::{Step, TicketButton},
    transcript,
};
use crate::{
    context::{Backend, Context},
    custom_id::Action,
    discord::{Grant, ids},
    reply::{Reply, button, row},
};

/// What members of a ticket may do in its channel.
pub const MEMBER: Permissions = Permissions::VIEW_CHANNEL
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::READ_MESSAGE_HISTORY)
    .union(Permissions::ATTACH_FILES)
    .union(Permissions::EMBED_LINKS);

/// A button.
/// The category a ticket belongs to (no support roles when it was removed).
pub fn category_of(settings: &TicketSettings, key: &str) -> Category {
    settings.category(key).cloned().unwrap_or_else(|| Category {
        key: key.to_owned(),
        label: key.to_owned(),
        parent: ChannelId::new(1),
        overflow: Vec::new(),
        support_roles: Vec::new(),
        questions: Vec::new(),
        others_reply_when_claimed: true,
    })
}

/// The overwrites of a new ticket channel: nobody but the opener, the support roles and the bot.
pub fn grants(
    guild: GuildId,
    ticket: &Ticket,
    category: &Category,
    bot: hearth_core::UserId,
) -> Vec<Grant> {
    let mut grants = vec![
        Grant {
            id: guild.get(),
            member: false,
            allow: Permissions::empty(),
            deny: Permissions::VIEW_CHANNEL,
        },
        Grant {
            id: ticket.opener.get(),
            member: true,
            allow: MEMBER,
            deny: Permissions::empty(),
        },
        Grant {
            id: bot.get(),
            member: true,
            allow: MEMBER,
            deny: Permissions::empty(),
        },
    ];
    grants.extend(category.support_roles.iter().map(|r| Grant {
        id: r.get(),
        member: false,
        allow: MEMBER,
        deny: Permissions::empty(),
    }));
    grants
}

/// How many channels a Discord category holds now, from the gateway cache.
fn channels_in(ctx: &Context, guild: GuildId, parent: ChannelId) -> usize {
    ctx.guilds
        .guild_channels(ids::guild(guild))
        .map_or(0, |set| {
            set.iter()
                .filter(|c| {
                    ctx.guilds
                        .channel(**c)
                        .is_some_and(|ch| ch.parent_id == Some(ids::channel(parent)))
                })
                .count()
        })
}

/// The first message of a ticket's channel.
pub(super) fn welcome(ticket: &Ticket) -> Reply {
    let reason = ticket.reason.as_deref().unwrap_or("no reason given");
    Reply::text(format!(
        "Ticket {} opened by <@{}>.\nReason: {reason}\nStaff will be with you soon. Close it with the button or `/ticket close`.",
        ticket.number, ticket.opener
    ))
    .with_components(vec![row(vec![button(
        TicketButton { guild: ticket.guild, number: ticket.number.0, step: Step::Close }.custom_id(),
        "Close ticket",
        ButtonStyle::Danger,
        false,
    )])])
}

/// What the log says when the opener's DMs are closed (Discord's 50007).
pub const DM_CLOSED: &str =
    "The transcript and rating prompt could not be delivered to the opener: their DMs are closed.";

/// What the log says when the opener's DM failed otherwise.
pub const DM_FAILED: &str = "The transcript and rating prompt could not be delivered to the opener: Discord refused the DM.";

/// Discord's error code for a category holding 50 channels already.
pub const CATEGORY_FULL: u64 = 30_013;

/// Gives an opened ticket its channel: two REST calls (create the channel, post the welcome).
/// `Ok(None)` leaves it queued (every category full). On any failure the channel is deleted
/// and a `fresh` ticket abandoned (a reopened or queued one stays, waiting in the queue), so
/// nothing half-made is left. Before a `fresh` ticket, older queued tickets of its category
/// take whatever room there is first.
///
/// # Errors
///
/// Discord refusing the channel.
pub async fn give_channel<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    settings: &TicketSettings,
    ticket: &Ticket,
    fresh: bool,
) -> Result<Option<ChannelId>, std::io::Error> {
    if fresh {
        super::queue::serve_older(t, ctx, settings, ticket).await;
    }
    let category = category_of(settings, &ticket.category);
    let first = match place(&category, |c| channels_in(ctx, ticket.guild, c)) {
        Placement::Parent(p) | Placement::Overflow(p) => p,
        // The cache may still count a channel that is gone: Discord has the last word (30013).
        Placement::Queue => category.parent,
    };
    let name = format!("ticket-{}", ticket.number.0);
    let why = format!("Ticket {} opened", ticket.number);
    let grants = grants(ticket.guild, ticket, &category, ctx.bot);
    // The cache may lag: a category Discord says is full (30013) passes to the next one.
    let candidates = std::iter::once(category.parent)
        .chain(category.overflow.iter().copied())
        .skip_while(|c| *c != first);
    let mut made = None;
    for parent in candidates {
        match ctx
            .discord
            .create_ticket_channel(ticket.guild, parent, &name, &grants, &why)
            .await
        {
            Ok(c) => {
                made = Some(c);
                break;
            }
            Err(err) if err.code() == Some(CATEGORY_FULL) => {}
            Err(err) => {
                if fresh {
                    abandon(t, ticket).await;
                }
                return Err(std::io::Error::other(err.to_string()));
            }
        }
    }
    let Some(channel) = made else {
        // No room anywhere: into the queue (until now it was only being given a channel, which
        // a close must not mistake for waiting).
        if let Err(err) = t.service.enqueue(ticket.guild, ticket.number).await {
            if fresh {
                abandon(t, ticket).await;
            }
            return Err(std::io::Error::other(err.to_string()));
        }
        return Ok(served_after_queueing(t, ctx, settings, ticket).await);
    };
    let posted = ctx.discord.send(channel, &welcome(ticket)).await;
    let assigned = match posted {
        Ok(()) => t
            .service
            .assign_channel(ticket.guild, ticket.number, channel)
            .await
            .map_err(|e| e.to_string()),
        Err(err) => Err(err.to_string()),
    };
    if let Err(err) = assigned {
        tracing::warn!(ticket = %ticket.number, %err, "ticket channel undone");
        if let Err(err) = ctx
            .discord
            .delete_channel(channel, "Ticket could not be opened")
            .await
        {
            tracing::warn!(%err, "could not delete the orphan ticket channel");
        }
        if fresh {
            abandon(t, ticket).await;
        }
        return Err(std::io::Error::other(err));
    }
    super::channels::TICKET_CHANNELS
        .changed(ctx, ticket.guild)
        .await;
    super::timed::start(t, settings, ticket, channel, ctx.clock.now()).await;
    Ok(Some(channel))
}

/// A close that frees room serves the queue, but one that came after Discord said "full" and
/// before this ticket joined the queue found it empty. So the queue's head is served once more
/// now: this ticket's channel when it got one (it may be the head), `None` while it waits.
async fn served_after_queueing<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    settings: &TicketSettings,
    ticket: &Ticket,
) -> Option<ChannelId> {
    super::queue::open_next(t, ctx, settings, ticket.guild, &ticket.category, None)
        .await
        .filter(|opened| opened.number == ticket.number)
        .and_then(|opened| opened.channel)
}

async fn abandon<S: Backend>(t: &Tickets<S>, ticket: &Ticket) {
    if let Err(err) =
        hearth_tickets::TicketStore::abandon_ticket(&t.store, ticket.guild, ticket.number).await
    {
        tracing::warn!(ticket = %ticket.number, %err, "could not abandon a ticket");
    }
}

/// After a ticket closed: the transcript to the log channel and the opener (with the rating
/// prompt), the channel deleted (unless it is gone already), and the next queued ticket of
/// its category given a channel.
pub async fn after_close<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    settings: &TicketSettings,
    closed: &hearth_tickets::Closed,
    channel_gone: bool,
    now: Timestamp,
) {
    let ticket = &closed.ticket;
    if let Some(channel) = ticket.channel {
        super::requests::cancel_deadline(t, ticket.guild, channel).await;
    }
    if let Some(channel) = ticket.channel.filter(|_| !channel_gone) {
        let history = ctx
            .discord
            .history(channel, transcript::HISTORY_MAX)
            .await
            .unwrap_or_else(|err| {
                tracing::warn!(%err, "could not read a ticket's history");
                Vec::new()
            });
        let files = transcript::build(
            ticket,
            ctx.guild_name(ticket.guild),
            format!("ticket-{}", ticket.number.0),
            category_of(settings, &ticket.category).label,
            transcript::mention_name(ticket.opener),
            &history,
            transcript::names(ctx, ticket.guild, &history),
            now,
        );
        let attached = transcript::files(ticket.number.0, &files);
        let summary = super::rating::log_entry(ticket);
        // The opener's DM first, so the log can say when it did not arrive. It is tried once:
        // closed DMs (50007) are the member's choice, and the rating prompt is not retried.
        let mut dm = Reply::text(format!("{summary}\nHere is its transcript. How did we do?"))
            .with_components(rating_buttons(ticket));
        dm.attachments.clone_from(&attached);
        let undelivered = match ctx.discord.dm(ticket.opener, &dm).await {
            Ok(true) => None,
            Ok(false) => Some(DM_CLOSED),
            Err(err) => {
                tracing::warn!(%err, "could not DM a transcript");
                Some(DM_FAILED)
            }
        };
        let mut log_message = None;
        if let Some(log) = settings.log_channel {
            let mut reply = Reply::text(match undelivered {
                Some(why) => format!("{summary}\n{why}"),
                None => summary,
            });
            reply.attachments = attached;
            match ctx.discord.post(log, &reply).await {
                Ok(id) => log_message = Some((log, id)),
                Err(err) => tracing::warn!(%err, "could not post a transcript"),
            }
        }
        let record = TranscriptRecord {
            guild: ticket.guild,
            ticket: ticket.number,
            created_at: now,
            messages: files.messages as u64 + files.omitted as u64,
            omitted: files.omitted as u64,
            log_message,
        };
        if let Err(err) = hearth_tickets::TicketStore::record_transcript(&t.store, record).await {
            tracing::warn!(%err, "could not record a transcript");
        }
        if let Err(err) = ctx
            .discord
            .delete_channel(channel, &format!("Ticket {} closed", ticket.number))
            .await
        {
            tracing::warn!(%err, "could not delete a closed ticket's channel");
        }
    }
    // A channel went: room for the oldest ticket waiting in the queue (a queued ticket that
    // closed, its opener leaving the queue, freed none).
    if ticket.channel.is_some() {
        super::queue::open_next(t, ctx, settings, ticket.guild, &ticket.category, None).await;
    }
}

fn rating_buttons(ticket: &Ticket) -> Vec<Component> {
    vec![row((1..=5u8)
        .map(|n| {
            button(
                TicketButton {
                    guild: ticket.guild,
                    number: ticket.number.0,
                    step: Step::Rate(n),
                }
                .custom_id(),
                &"★".repeat(usize::from(n)),
                ButtonStyle::Secondary,
                false,
            )
        })
        .collect())]
}

/// A channel deleted by hand closes its ticket; a message in a ticket is activity.
pub async fn event<S: Backend>(t: &Tickets<S>, ctx: &Context, event: &Event) {
    match event {
        Event::ChannelDelete(deleted) => {
            let Some(guild) = deleted.guild_id.map(ids::guild_id) else {
                return;
            };
            let channel = ids::channel_id(deleted.id);
            let Ok(Some(ticket)) =
                hearth_tickets::TicketStore::ticket_in_channel(&t.store, guild, channel).await
            else {
                return;
            };
            let settings = hearth_tickets::TicketSettingsStore::ticket_settings(&t.store, guild)
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            let now = ctx.clock.now();
            let closed = ticket.close(None, Some("channel deleted"), now);
            let Ok(closed) = closed else { return };
            match hearth_tickets::TicketStore::update_ticket(&t.store, &closed).await {
                Ok(Some(written)) => {
                    let next = hearth_tickets::TicketStore::active_tickets(&t.store, guild)
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .find(|q| q.is_queued() && q.category == written.category);
                    let closed = hearth_tickets::Closed {
                        ticket: written,
                        next_in_queue: next,
                    };
                    after_close(t, ctx, &settings, &closed, true, now).await;
                }
                Ok(None) => {}
                Err(err) => {
                    tracing::warn!(%err, "could not close a deleted ticket channel's ticket");
                }
            }
        }
        Event::MessageCreate(message) => {
            let Some(guild) = message.guild_id.map(ids::guild_id) else {
                return;
            };
            if message.author.bot {
                return;
            }
            let channel = ids::channel_id(message.channel_id);
            if !super::channels::may_hold_ticket(t, ctx, guild, channel).await {
                return;
            }
            let staff = message.member.as_ref().is_some_and(|m| !m.roles.is_empty());
            let at = ctx.clock.now();
            if let Err(err) = t
                .service
                .message(guild, channel, ids::user_id(message.author.id), staff, at)
                .await
            {
                tracing::debug!(%err, "ticket activity not recorded");
            }
        }
        _ => {}
    }
}
