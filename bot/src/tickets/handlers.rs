//! The ticket commands, buttons and modals.

use std::{fmt::Write as _, time::Duration};

use hearth_core::{ChannelId, GuildId, Timestamp, UserId, format_duration};
use hearth_tickets::{
    Act, Actor, Category, OpenRequest, Panel, Ticket, TicketNumber, TicketSettings,
};
use twilight_model::{
    application::interaction::{Interaction, InteractionData, modal::ModalInteractionComponent},
    channel::message::component::ButtonStyle,
    guild::Permissions,
};

use super::{
    Tickets,
    acting::{act_of, is_admin, roles_of},
    commands::{SetupTickets, TicketCommand},
    components::{Open, Step, TicketButton},
    flow::{self, MEMBER},
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::{Action, CustomId},
    discord::{Grant, channel_id, ids},
    handler::{created_at, decode, in_guild, invoker, parse, require},
    interaction::{HandlerError, HandlerResult},
    reply::{Modal, ModalInput, Reply, button, row},
};

/// The modal's reason input.
const REASON: &str = "reason";

pub(super) fn refuse(err: &hearth_tickets::Error) -> HandlerError {
    if let hearth_tickets::Error::Store(_) = err {
        return HandlerError::fault(std::io::Error::other(err.to_string()));
    }
    let text = err.to_string();
    let mut chars = text.chars();
    let first = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    HandlerError::refuse(format!("{first}{}.", chars.as_str()))
}

fn store_fault(err: hearth_core::StoreError) -> HandlerError {
    HandlerError::fault(err)
}

pub(super) async fn settings<S: Backend>(
    t: &Tickets<S>,
    guild: GuildId,
) -> Result<TicketSettings, HandlerError> {
    Ok(t.store
        .ticket_settings(guild)
        .await
        .map_err(store_fault)?
        .unwrap_or_default())
}

/// `/setuptickets`: saves the category and posts the panel in this channel.
pub(crate) async fn setup<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    require(
        interaction,
        Permissions::MANAGE_GUILD,
        "Manage Server",
        "set up tickets",
    )?;
    let options: SetupTickets = parse(interaction)?;
    let here = interaction
        .channel
        .as_ref()
        .map(|c| channel_id(c.id))
        .ok_or_else(|| {
            HandlerError::refuse("Run this in the channel where the panel should go.")
        })?;
    let parent = channel_id(options.category.id);
    let mut all = settings(t, guild).await?;
    let category = Category {
        key: parent.to_string(),
        label: options
            .label
            .clone()
            .unwrap_or_else(|| options.category.name.clone()),
        parent,
        overflow: options.overflow.iter().map(|c| channel_id(c.id)).collect(),
        support_roles: options
            .support_role
            .iter()
            .map(|r| crate::discord::role_id(r.id))
            .collect(),
        questions: Vec::new(),
        others_reply_when_claimed: options.others_reply_when_claimed.unwrap_or(false),
    };
    all.categories.retain(|c| c.key != category.key);
    all.categories.push(category.clone());
    match options.auto_close_hours {
        Some(0) => all.auto_close = None,
        Some(hours) => {
            let hours = u64::try_from(hours).unwrap_or(1);
            all.auto_close = Some(hearth_tickets::AutoClosePolicy {
                inactive_after: Duration::from_secs(hours * 3_600),
                grace: Duration::from_secs(3_600),
            });
        }
        None => {}
    }
    if let Some(log) = &options.log_channel {
        all.log_channel = Some(channel_id(log.id));
    }
    if let Err(err) = all.validate() {
        return Err(HandlerError::refuse(format!(
            "Those settings won't do: {err}."
        )));
    }
    let panel = Reply::text(format!(
        "**{}**\nNeed help? Press the button to open a private ticket.",
        category.label
    ))
    .with_components(vec![row(vec![button(
        Open { category: parent }.custom_id(),
        &format!("Open a ticket: {}", category.label),
        ButtonStyle::Primary,
        false,
    )])]);
    t.store
        .save_ticket_settings(guild, &all)
        .await
        .map_err(store_fault)?;
    let message = ctx
        .discord
        .post(here, &panel)
        .await
        .map_err(HandlerError::fault)?;
    t.store
        .save_panel(&Panel {
            guild,
            channel: here,
            message,
            categories: vec![category.key.clone()],
        })
        .await
        .map_err(store_fault)?;
    ack.reply(Reply::ephemeral(format!(
        "The ticket panel for **{}** is posted.",
        category.label
    )))
    .await
}

/// A panel button: asks the reason in a modal.
pub(crate) async fn panel_click<S: Backend>(
    t: &Tickets<S>,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let open: Open = decode(id)?;
    let all = settings(t, guild).await?;
    let Some(category) = all.category(&open.category.to_string()) else {
        return Err(HandlerError::refuse(
            "This ticket category was removed; ask staff for a new panel.",
        ));
    };
    let modal = Modal::new(
        open.custom_id(),
        format!("Open a ticket: {}", category.label),
    )
    .input(ModalInput::paragraph(REASON, "What do you need help with?"));
    ack.modal(modal).await
}

pub(super) fn modal_text(interaction: &Interaction, field: &str) -> Option<String> {
    fn walk(c: &ModalInteractionComponent, field: &str) -> Option<String> {
        match c {
            ModalInteractionComponent::TextInput(t) if t.custom_id == field => {
                Some(t.value.clone())
            }
            ModalInteractionComponent::Label(l) => walk(&l.component, field),
            ModalInteractionComponent::ActionRow(r) => {
                r.components.iter().find_map(|c| walk(c, field))
            }
            _ => None,
        }
    }
    match &interaction.data {
        Some(InteractionData::ModalSubmit(data)) => {
            data.components.iter().find_map(|c| walk(c, field))
        }
        _ => None,
    }
}

/// The panel's modal submitted: opens the ticket.
pub(crate) async fn panel_submit<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let open: Open = decode(id)?;
    let reason = modal_text(interaction, REASON);
    open_ticket(
        t,
        ctx,
        interaction,
        ack,
        Some(open.category.to_string()),
        reason,
    )
    .await
}

async fn open_ticket<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
    key: Option<String>,
    reason: Option<String>,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let opener = invoker(interaction)?;
    let all = settings(t, guild).await?;
    let Some(key) = key.or_else(|| all.categories.first().map(|c| c.key.clone())) else {
        return Err(HandlerError::refuse(
            "Tickets aren't set up here yet; an admin can run /setuptickets.",
        ));
    };
    let ticket = t
        .service
        .open(OpenRequest {
            guild,
            opener,
            category: &key,
            reason: reason.as_deref(),
            answers: &[],
            settings: &all,
            now: created_at(interaction),
        })
        .await
        .map_err(|e| refuse(&e))?;
    match flow::give_channel(t, ctx, &all, &ticket, true)
        .await
        .map_err(HandlerError::fault)?
    {
        Some(channel) => {
            ack.committed(format!("Ticket {} was opened.", ticket.number));
            ack.reply(Reply::ephemeral(format!(
                "Your ticket is open: <#{channel}>."
            )))
            .await
        }
        None => super::queue::queued(t, ack, &ticket).await,
    }
}

/// The ticket of the channel the interaction came from.
async fn here<S: Backend>(
    t: &Tickets<S>,
    interaction: &Interaction,
) -> Result<Ticket, HandlerError> {
    let guild = in_guild(interaction)?;
    let channel = interaction
        .channel
        .as_ref()
        .map(|c| channel_id(c.id))
        .ok_or_else(|| HandlerError::refuse("Run this in a ticket's channel."))?;
    t.store
        .ticket_in_channel(guild, channel)
        .await
        .map_err(store_fault)?
        .ok_or_else(|| {
            HandlerError::refuse("This channel isn't a ticket; run this in a ticket's channel.")
        })
}

/// `/ticket …`
pub(crate) async fn ticket<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let user = invoker(interaction)?;
    let command: TicketCommand = parse(interaction)?;
    let all = settings(t, guild).await?;
    let roles = roles_of(interaction);
    let actor = Actor {
        user,
        roles: &roles,
        admin: is_admin(interaction),
    };
    let now = created_at(interaction);
    match command {
        TicketCommand::Create(c) => {
            open_ticket(t, ctx, interaction, ack, None, Some(c.reason)).await
        }
        TicketCommand::Stats(_) => stats(t, interaction, ack, guild, now).await,
        TicketCommand::Reopen(r) => {
            let number = TicketNumber(u64::try_from(r.number).unwrap_or(0));
            let act = Act {
                guild,
                number,
                actor,
                settings: &all,
                now,
            };
            reopen(t, ctx, ack, &act).await
        }
        command => {
            let ticket = here(t, interaction).await?;
            let act = Act {
                guild,
                number: ticket.number,
                actor,
                settings: &all,
                now,
            };
            let channel = ticket
                .channel
                .ok_or_else(|| HandlerError::refuse("This ticket has no channel."))?;
            let here = Here {
                ticket: &ticket,
                channel,
                act: &act,
            };
            match command {
                TicketCommand::Close(c) => close_prompt(ack, &here, c.reason.as_deref()).await,
                TicketCommand::Claim(_) => claim(t, ctx, ack, &here).await,
                TicketCommand::Add(a) => {
                    add(ctx, ack, &here, ids::user_id(a.member.resolved.id)).await
                }
                TicketCommand::Remove(r) => {
                    remove(ctx, ack, &here, ids::user_id(r.member.resolved.id)).await
                }
                TicketCommand::Transcript(_) => transcript(ctx, ack, &here).await,
                TicketCommand::CloseRequest(c) => {
                    super::requests::request(t, ctx, ack, &here, c).await
                }
                _ => Err(HandlerError::refuse(crate::interaction::UNKNOWN_COMMAND)),
            }
        }
    }
}

/// A `/ticket` subcommand run in a ticket's channel: the ticket, its channel and who acts.
pub(super) struct Here<'a> {
    pub(super) ticket: &'a hearth_tickets::Ticket,
    pub(super) channel: ChannelId,
    pub(super) act: &'a Act<'a>,
}

/// `/ticket stats`: the last 30 days, as sentences.
async fn stats<S: Backend>(
    t: &Tickets<S>,
    interaction: &Interaction,
    ack: &mut Ack,
    guild: GuildId,
    now: Timestamp,
) -> HandlerResult {
    require(
        interaction,
        Permissions::MANAGE_GUILD,
        "Manage Server",
        "see ticket statistics",
    )?;
    let stats = t
        .service
        .stats(guild, now.saturating_sub(Duration::from_secs(30 * 86_400)))
        .await
        .map_err(|e| refuse(&e))?;
    ack.reply(Reply::ephemeral(stats_text(&stats))).await
}

/// What `/ticket stats` says.
fn stats_text(stats: &hearth_tickets::TicketStats) -> String {
    let spread = |s: Option<hearth_tickets::Spread>| {
        s.map_or_else(
            || "none yet".to_owned(),
            |s| {
                format!(
                    "median {}, mean {} ({})",
                    format_duration(s.median),
                    format_duration(s.mean),
                    s.count
                )
            },
        )
    };
    let rating = |r: Option<(f64, usize)>| {
        r.map_or_else(
            || "no ratings yet".to_owned(),
            |(mean, n)| format!("{mean:.1} ★ from {n}"),
        )
    };
    let mut text = format!(
        "**Tickets in the last 30 days:** {} opened, {} closed, {} waiting in the queue.\n\
         First response: {}.\nTime to close: {}.\nRating: {}.",
        stats.opened,
        stats.closed,
        stats.queued,
        spread(stats.first_response),
        spread(stats.time_to_close),
        rating(stats.rating),
    );
    for staff in stats.staff.iter().take(10) {
        let _ = write!(
            text,
            "\n• <@{}>: {} claimed, {} closed, first response {}, {}",
            staff.user,
            staff.claimed,
            staff.closed,
            spread(staff.first_response),
            rating(staff.rating)
        );
    }
    text
}

/// `/ticket reopen number`
async fn reopen<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    ack: &mut Ack,
    act: &Act<'_>,
) -> HandlerResult {
    let ticket = t.service.reopen(act).await.map_err(|e| refuse(&e))?;
    let number = act.number;
    let text = match flow::give_channel(t, ctx, act.settings, &ticket, false)
        .await
        .map_err(HandlerError::fault)?
    {
        Some(channel) => format!("Ticket {number} is open again: <#{channel}>."),
        None => format!("Ticket {number} is open again and waits in the queue."),
    };
    ack.reply(Reply::ephemeral(text)).await
}

/// How the close confirmation carries the reason to its **Close it** button (the reason is
/// longer than a custom id may be; the button's interaction brings the message back).
const CLOSE_REASON: &str = "Reason: ";

/// How the close confirmation begins: only its button reads a reason from its message (the
/// ticket's first message has a **Close ticket** button too, and its "Reason:" line is the
/// opener's reason for opening).
const CLOSE_PROMPT: &str = "Close ticket ";

/// `/ticket close [reason]`: asks to confirm with two buttons.
async fn close_prompt(ack: &mut Ack, here: &Here<'_>, reason: Option<&str>) -> HandlerResult {
    let (ticket, guild) = (here.ticket, here.act.guild);
    hearth_tickets::decide(
        ticket,
        &flow::category_of(here.act.settings, &ticket.category),
        &here.act.actor,
        hearth_tickets::Action::Close,
    )
    .map_err(|d| refuse(&d.into()))?;
    let step = |step, label, style| {
        button(
            TicketButton {
                guild,
                number: ticket.number.0,
                step,
            }
            .custom_id(),
            label,
            style,
            false,
        )
    };
    ack.reply(
        Reply::ephemeral(format!(
            "{CLOSE_PROMPT}{}? Its transcript goes to the log and to the opener.{}",
            ticket.number,
            reason
                .map(|r| format!("\n{CLOSE_REASON}{r}"))
                .unwrap_or_default()
        ))
        .with_components(vec![row(vec![
            step(Step::Close, "Close it", ButtonStyle::Danger),
            step(Step::Keep, "Keep it open", ButtonStyle::Secondary),
        ])]),
    )
    .await
}

/// `/ticket claim`: the claimer takes the ticket; unless the category lets other support
/// members reply, they keep read access only.
async fn claim<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    ack: &mut Ack,
    here: &Here<'_>,
) -> HandlerResult {
    let user = here.act.actor.user;
    let claimed = t.service.claim(here.act).await.map_err(|e| refuse(&e))?;
    let category = flow::category_of(here.act.settings, &claimed.category);
    if !category.others_reply_when_claimed {
        let readers = category.support_roles.iter().map(|role| Grant {
            id: role.get(),
            member: false,
            allow: Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY,
            deny: Permissions::SEND_MESSAGES,
        });
        let own = Grant {
            id: user.get(),
            member: true,
            allow: MEMBER,
            deny: Permissions::empty(),
        };
        for grant in readers.chain([own]) {
            ctx.discord
                .set_overwrite(here.channel, grant, "Ticket claimed")
                .await
                .map_err(HandlerError::fault)?;
        }
    }
    ack.reply(Reply::text(format!(
        "<@{user}> claimed ticket {} and will answer it.",
        claimed.number
    )))
    .await
}

/// `/ticket add member`
async fn add(ctx: &Context, ack: &mut Ack, here: &Here<'_>, who: UserId) -> HandlerResult {
    let act = here.act;
    member_change(
        here.ticket,
        act.settings,
        &act.actor,
        hearth_tickets::Action::AddMember,
    )?;
    let grant = Grant {
        id: who.get(),
        member: true,
        allow: MEMBER,
        deny: Permissions::empty(),
    };
    ctx.discord
        .set_overwrite(here.channel, grant, "Added to a ticket")
        .await
        .map_err(HandlerError::fault)?;
    ack.reply(Reply::text(format!("<@{who}> was added to this ticket.")))
        .await
}

/// `/ticket remove member`
async fn remove(ctx: &Context, ack: &mut Ack, here: &Here<'_>, who: UserId) -> HandlerResult {
    let act = here.act;
    member_change(
        here.ticket,
        act.settings,
        &act.actor,
        hearth_tickets::Action::RemoveMember,
    )?;
    if who == here.ticket.opener {
        return Err(HandlerError::refuse(
            "The opener can't be removed from their own ticket; close it instead.",
        ));
    }
    ctx.discord
        .remove_member_overwrite(here.channel, who, "Removed from a ticket")
        .await
        .map_err(HandlerError::fault)?;
    ack.reply(Reply::text(format!(
        "<@{who}> was removed from this ticket."
    )))
    .await
}

/// `/ticket transcript`: the transcript so far, privately.
async fn transcript(ctx: &Context, ack: &mut Ack, here: &Here<'_>) -> HandlerResult {
    let (ticket, act) = (here.ticket, here.act);
    member_change(
        ticket,
        act.settings,
        &act.actor,
        hearth_tickets::Action::Transcript,
    )?;
    ack.defer(true).await?;
    let history = ctx
        .discord
        .history(here.channel, super::transcript::HISTORY_MAX)
        .await
        .map_err(HandlerError::fault)?;
    let files = super::transcript::build(
        ticket,
        ctx.guild_name(act.guild),
        format!("ticket-{}", ticket.number.0),
        flow::category_of(act.settings, &ticket.category).label,
        super::transcript::mention_name(ticket.opener),
        &history,
        super::transcript::names(ctx, act.guild, &history),
        act.now,
    );
    let mut reply = Reply::ephemeral(format!(
        "The transcript of ticket {} so far ({} messages).",
        ticket.number, files.messages
    ));
    reply.attachments = super::transcript::files(ticket.number.0, &files);
    ack.reply(reply).await
}

fn member_change(
    ticket: &Ticket,
    all: &TicketSettings,
    actor: &Actor<'_>,
    action: hearth_tickets::Action,
) -> HandlerResult {
    hearth_tickets::decide(
        ticket,
        &flow::category_of(all, &ticket.category),
        actor,
        action,
    )
    .map_err(|d| refuse(&d.into()))
}

/// A ticket button: close, keep open, or a rating.
pub(crate) async fn step<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let b: TicketButton = decode(id)?;
    let all = settings(t, b.guild).await?;
    let roles = roles_of(interaction);
    let act = act_of(interaction, b.guild, b.number, &all, &roles)?;
    let now = act.now;
    match b.step {
        Step::Keep => ack.update(Reply::ephemeral("The ticket stays open.")).await,
        Step::Close => {
            let reason = interaction
                .message
                .as_ref()
                .filter(|m| m.content.starts_with(CLOSE_PROMPT))
                .and_then(|m| {
                    m.content
                        .lines()
                        .find_map(|line| line.strip_prefix(CLOSE_REASON))
                });
            let closed = t
                .service
                .close(&act, reason)
                .await
                .map_err(|e| refuse(&e))?;
            ack.committed(format!("Ticket #{} was closed.", b.number));
            ack.reply(Reply::ephemeral(format!(
                "Ticket #{} is closed; its transcript is on its way.",
                b.number
            )))
            .await?;
            flow::after_close(t, ctx, &all, &closed, false, now).await;
            Ok(())
        }
        Step::Rate(n) => super::rating::click(t, ack, &act, n).await,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hearth_core::UserId;
    use hearth_tickets::{Spread, StaffStats, TicketStats};

    use super::stats_text;

    #[test]
    fn stats_read_as_sentences_with_durations_and_stars() {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        let stats = TicketStats {
            opened: 12,
            closed: 9,
            queued: 1,
            first_response: Spread::of(vec![minutes(4), minutes(10), minutes(16)]),
            time_to_close: None,
            rating: Some((4.5, 6)),
            staff: vec![StaffStats {
                user: UserId::new(7),
                claimed: 5,
                closed: 4,
                first_response: Spread::of(vec![minutes(4)]),
                rating: None,
            }],
        };
        assert_eq!(
            stats_text(&stats),
            "**Tickets in the last 30 days:** 12 opened, 9 closed, 1 waiting in the queue.\n\
             First response: median 10m, mean 10m (3).\nTime to close: none yet.\n\
             Rating: 4.5 ★ from 6.\n\
             • <@7>: 5 claimed, 4 closed, first response median 4m, mean 4m (1), no ratings yet"
        );
    }
}
