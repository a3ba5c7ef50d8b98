//! Ratings: a star in the opener's DM opens a modal for an optional comment; the rating and
//! comment are stored together, once, and the log channel's close entry shows them.

use std::fmt::Write as _;

use hearth_core::text::{neutralise_mentions, truncate};
use hearth_tickets::{Act, Action, RATING_COMMENT_MAX_CHARS, Rating, RatingScore, Ticket, decide};
use twilight_model::application::interaction::Interaction;

use super::{
    Tickets,
    acting::{act_of, roles_of},
    components::RateModal,
    flow,
    handlers::{modal_text, refuse, settings},
};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::{Action as _, CustomId},
    handler::decode,
    interaction::{HandlerError, HandlerResult},
    reply::{Modal, ModalInput, Reply},
};

/// The modal's comment input.
const COMMENT: &str = "comment";

/// Discord's limit on a message's text. See Discord Docs/Message Resource ("Create Message").
const CONTENT_MAX: usize = 2_000;

/// The log channel's entry for a closed ticket: who opened and closed it, why, and the rating
/// once given (its comment quoted, its mentions neutralised).
pub fn log_entry(ticket: &Ticket) -> String {
    let mut entry = format!(
        "Ticket {} of <@{}> closed{}{}.",
        ticket.number,
        ticket.opener,
        ticket
            .closed_by
            .map(|u| format!(" by <@{u}>"))
            .unwrap_or_default(),
        ticket
            .close_reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default(),
    );
    if let Some(rating) = &ticket.rating {
        let stars = rating.score.get();
        let _ = write!(
            entry,
            "\nRating: {}{} ({stars}/5)",
            "★".repeat(usize::from(stars)),
            "☆".repeat(usize::from(hearth_tickets::RATING_MAX - stars)),
        );
        for line in rating.comment.iter().flat_map(|c| c.lines()) {
            entry.push_str("\n> ");
            entry.push_str(&neutralise_mentions(line));
        }
    }
    truncate(&entry, CONTENT_MAX).into_owned()
}

/// A star button in the rating DM: checks the opener may still rate, then asks for a comment.
pub(super) async fn click<S: Backend>(
    t: &Tickets<S>,
    ack: &mut Ack,
    act: &Act<'_>,
    stars: u8,
) -> HandlerResult {
    let score = RatingScore::new(stars).map_err(|e| refuse(&e))?;
    let ticket = t
        .store
        .ticket(act.guild, act.number)
        .await
        .map_err(HandlerError::fault)?
        .ok_or_else(|| refuse(&hearth_tickets::Error::NotFound))?;
    decide(
        &ticket,
        &flow::category_of(act.settings, &ticket.category),
        &act.actor,
        Action::Rate,
    )
    .map_err(|d| refuse(&d.into()))?;
    // The same rule the store write applies, checked now so the modal opens only when a
    // rating can still be given (a second one is refused here with its sentence).
    ticket
        .rate(Rating {
            score,
            comment: None,
        })
        .map_err(|e| refuse(&e))?;
    let modal = Modal::new(
        RateModal {
            guild: act.guild,
            number: act.number.0,
            stars,
        }
        .custom_id(),
        format!(
            "Rate ticket {}: {}",
            ticket.number,
            "★".repeat(usize::from(stars))
        ),
    )
    .input(ModalInput {
        required: false,
        max_length: u16::try_from(RATING_COMMENT_MAX_CHARS).ok(),
        placeholder: Some("What went well, what could be better".to_owned()),
        ..ModalInput::paragraph(COMMENT, "Anything to add? (optional)")
    });
    ack.modal(modal).await
}

/// The rating modal submitted: stores rating and comment at once, thanks the opener in place
/// of the stars, and adds the rating to the log channel's entry.
pub(crate) async fn submit<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    id: &CustomId<'_>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let m: RateModal = decode(id)?;
    let all = settings(t, m.guild).await?;
    let roles = roles_of(interaction);
    let act = act_of(interaction, m.guild, m.number, &all, &roles)?;
    let score = RatingScore::new(m.stars).map_err(|e| refuse(&e))?;
    let comment = modal_text(interaction, COMMENT);
    let rating = Rating::new(score, comment.as_deref()).map_err(|e| refuse(&e))?;
    let rated = t.service.rate(&act, rating).await.map_err(|e| refuse(&e))?;
    ack.committed(format!("Your rating of ticket #{} was saved.", m.number));
    ack.update(Reply::text(format!(
        "Thank you! You rated ticket #{} {}/5.",
        m.number, m.stars
    )))
    .await?;
    let logged = t
        .store
        .transcripts(m.guild, rated.number)
        .await
        .map_err(HandlerError::fault)?
        .into_iter()
        .rev()
        .find_map(|r| r.log_message);
    if let Some((channel, message)) = logged
        && let Err(err) = ctx
            .discord
            .edit(channel, message, &Reply::text(log_entry(&rated)))
            .await
    {
        tracing::warn!(%err, "could not add a rating to the ticket log");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use hearth_core::{GuildId, Timestamp, UserId};
    use hearth_tickets::{NewTicket, Rating, RatingScore, Ticket, TicketNumber};

    use super::log_entry;

    #[test]
    fn the_log_entry_shows_stars_and_a_quoted_comment_that_pings_nobody() {
        let opened = Ticket::from_new(
            NewTicket {
                guild: GuildId::new(1),
                opener: UserId::new(10),
                category: "help".into(),
                reason: None,
                answers: vec![],
                created_at: Timestamp::from_unix_secs(0),
            },
            TicketNumber(3),
        );
        let closed = opened
            .close(
                Some(UserId::new(20)),
                Some("fixed"),
                Timestamp::from_unix_secs(60),
            )
            .unwrap();
        assert_eq!(
            log_entry(&closed),
            "Ticket #3 of <@10> closed by <@20>: fixed."
        );
        let comment = "quick @everyone\nthanks <@&5>";
        let rating = Rating::new(RatingScore::new(4).unwrap(), Some(comment)).unwrap();
        let rated = closed.rate(rating).unwrap();
        assert_eq!(
            log_entry(&rated),
            "Ticket #3 of <@10> closed by <@20>: fixed.\nRating: ★★★★☆ (4/5)\n\
             > quick @\u{200b}everyone\n> thanks <@\u{200b}&5>"
        );
    }
}
