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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hearth_core::{ChannelId, GuildId, RoleId, Timestamp, UserId};

    use crate::{
        Act, Actor, Category, Error, MemoryStore, OpenRequest, TicketNumber, TicketSettings,
        TicketStatus, Tickets,
    };

    const GUILD: GuildId = GuildId::new(1);
    const OPENER: UserId = UserId::new(10);
    const STAFF: UserId = UserId::new(20);
    const SUPPORT: RoleId = RoleId::new(7);

    fn settings() -> TicketSettings {
        TicketSettings {
            categories: vec![Category {
                key: "help".into(),
                label: "Help".into(),
                parent: ChannelId::new(900),
                overflow: vec![],
                support_roles: vec![SUPPORT],
                questions: vec![],
                others_reply_when_claimed: false,
            }],
            ..TicketSettings::default()
        }
    }

    fn at<'a>(
        all: &'a TicketSettings,
        number: TicketNumber,
        user: UserId,
        roles: &'a [RoleId],
        secs: i64,
    ) -> Act<'a> {
        Act {
            guild: GUILD,
            number,
            actor: Actor {
                user,
                roles,
                admin: false,
            },
            settings: all,
            now: Timestamp::from_unix_secs(secs),
        }
    }

    #[tokio::test]
    async fn a_request_is_asked_by_staff_answered_by_the_opener_and_due_after_its_delay() {
        let (tickets, all) = (Tickets::new(MemoryStore::new()), settings());
        let t = tickets
            .open(OpenRequest {
                guild: GUILD,
                opener: OPENER,
                category: "help",
                reason: None,
                answers: &[],
                settings: &all,
                now: Timestamp::from_unix_secs(0),
            })
            .await
            .unwrap();
        let (staff, none): (&[RoleId], &[RoleId]) = (&[SUPPORT], &[]);
        let act = |user, roles, secs| at(&all, t.number, user, roles, secs);
        // The opener can't ask; staff can; a second request is refused.
        let refused = tickets
            .request_close(&act(OPENER, none, 1), None, None)
            .await
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "only the support team can ask to close this ticket"
        );
        let hour = Some(Duration::from_secs(3_600));
        let asked = tickets
            .request_close(&act(STAFF, staff, 10), Some("fixed"), hour)
            .await
            .unwrap();
        assert_eq!(asked.status, TicketStatus::Closing);
        assert!(matches!(
            tickets
                .request_close(&act(STAFF, staff, 11), None, None)
                .await,
            Err(Error::CloseRequested)
        ));
        // Staff can't answer for the opener.
        assert!(matches!(
            tickets.accept_close(&act(STAFF, staff, 12)).await,
            Err(Error::Denied(_))
        ));
        // Not due before its time; kept open, it never is.
        assert_eq!(
            tickets
                .close_unanswered(GUILD, t.number, Timestamp::from_unix_secs(3_609))
                .await
                .unwrap(),
            None
        );
        let kept = tickets.cancel_close(&act(OPENER, none, 20)).await.unwrap();
        assert_eq!(kept.status, TicketStatus::Open);
        assert_eq!(
            tickets
                .close_unanswered(GUILD, t.number, Timestamp::from_unix_secs(9_999))
                .await
                .unwrap(),
            None
        );
        // Asked again, unanswered: closed by the clock, by whoever asked.
        tickets
            .request_close(&act(STAFF, staff, 30), None, hour)
            .await
            .unwrap();
        let closed = tickets
            .close_unanswered(GUILD, t.number, Timestamp::from_unix_secs(3_630))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(closed.ticket.status, TicketStatus::Closed);
        assert_eq!(closed.ticket.closed_by, Some(STAFF));
        // Asking on a closed ticket is refused and changes nothing.
        let refused = tickets
            .request_close(&act(STAFF, staff, 40), None, None)
            .await
            .unwrap_err();
        assert_eq!(refused.to_string(), "ticket #1 is already closed");
    }
}
