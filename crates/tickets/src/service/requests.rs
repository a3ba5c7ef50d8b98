//! Close requests through the service: asked by staff, answered by the opener, closed by the
//! clock when a delay passes unanswered.

use std::time::Duration;

use hearth_core::{GuildId, Timestamp};

use super::{Act, Closed, Tickets};
use crate::{Action, Error, Ticket, TicketNumber, TicketStore};

impl<S: TicketStore> Tickets<S> {
    /// Staff ask the opener to confirm closing, with an optional reason; with a `delay` the
    /// ticket closes on its own when it passes unanswered (see [`Tickets::close_unanswered`]).
    ///
    /// # Errors
    ///
    /// [`Error::Denied`], the refusals of [`Ticket::request_close`], [`Error::NotFound`],
    /// [`Error::Contended`], [`Error::Store`].
    pub async fn request_close(
        &self,
        act: &Act<'_>,
        reason: Option<&str>,
        delay: Option<Duration>,
    ) -> Result<Ticket, Error> {
        self.act(act, Action::RequestClose, |t| {
            t.request_close(act.actor.user, reason, delay, act.now)
        })
        .await
    }

    /// The opener (or an admin) keeps the ticket open.
    ///
    /// # Errors
    ///
    /// As [`Tickets::request_close`], with [`Ticket::cancel_close`]'s refusals.
    pub async fn cancel_close(&self, act: &Act<'_>) -> Result<Ticket, Error> {
        self.act(act, Action::AnswerCloseRequest, Ticket::cancel_close)
            .await
    }

    /// The opener (or an admin) accepts the close request: the ticket closes with its reason,
    /// and the next queued ticket of its category is named.
    ///
    /// # Errors
    ///
    /// As [`Tickets::request_close`], with [`Ticket::accept_close`]'s refusals.
    pub async fn accept_close(&self, act: &Act<'_>) -> Result<Closed, Error> {
        let ticket = self
            .act(act, Action::AnswerCloseRequest, |t| {
                t.accept_close(act.actor.user, act.now)
            })
            .await?;
        self.closed(ticket).await
    }

    /// Closes the ticket if its close request went unanswered until `now`; `None` when nothing
    /// is due (answered, withdrawn, closed otherwise, not yet, or no such ticket).
    ///
    /// # Errors
    ///
    /// [`Error::Contended`], [`Error::Store`].
    pub async fn close_unanswered(
        &self,
        guild: GuildId,
        number: TicketNumber,
        now: Timestamp,
    ) -> Result<Option<Closed>, Error> {
        let written = match self
            .change(guild, number, |t| Ok(t.close_unanswered(now)))
            .await
        {
            Err(Error::NotFound) => return Ok(None),
            other => other?,
        };
        match written {
            Some(ticket) => Ok(Some(self.closed(ticket).await?)),
            None => Ok(None),
        }
    }
}
