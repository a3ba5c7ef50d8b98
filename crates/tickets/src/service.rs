//! The ticket service: rules and store together, returning outcome values.

use hearth_core::{ChannelId, GuildId, Timestamp, UserId};

use crate::{
    Action, Actor, Answer, AutoClosePolicy, AutoCloseStep, Category, Error, NewTicket, Rating,
    Ticket, TicketNumber, TicketSettings, TicketStats, TicketStore, check_reason, decide,
};

/// How often a change is decided again when another writer changed the ticket in between
/// (each retry means another write succeeded, so the system makes progress).
pub const UPDATE_RETRIES: u32 = 16;

/// Ticket rules over a store. Cheap to clone when the store is.
#[derive(Clone, Debug)]
pub struct Tickets<S> {
    store: S,
}

/// A member asks to open a ticket.
#[derive(Clone, Copy, Debug)]
pub struct OpenRequest<'a> {
    /// The guild.
    pub guild: GuildId,
    /// Who opens it.
    pub opener: UserId,
    /// The category's key (from the panel button).
    pub category: &'a str,
    /// The reason typed in the modal.
    pub reason: Option<&'a str>,
    /// Answers to the category's questions, in order (`None` for unanswered).
    pub answers: &'a [Option<&'a str>],
    /// The guild's settings.
    pub settings: &'a TicketSettings,
    /// When.
    pub now: Timestamp,
}

/// A member acts on an existing ticket.
#[derive(Clone, Copy, Debug)]
pub struct Act<'a> {
    /// The guild.
    pub guild: GuildId,
    /// The ticket.
    pub number: TicketNumber,
    /// Who acts.
    pub actor: Actor<'a>,
    /// The guild's settings (for the ticket's category and its roles).
    pub settings: &'a TicketSettings,
    /// When.
    pub now: Timestamp,
}

/// A ticket was closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closed {
    /// The ticket as closed.
    pub ticket: Ticket,
    /// The oldest ticket of the same category waiting in the queue: it can have a channel now.
    pub next_in_queue: Option<Ticket>,
}

/// What [`Tickets::auto_close`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AutoCloseOutcome {
    /// Nothing yet; ask again at `until`.
    Waiting {
        /// When the next step is due.
        until: Timestamp,
    },
    /// The warning is due: post it (the ticket records it).
    Warned {
        /// The ticket as warned.
        ticket: Box<Ticket>,
        /// When it closes unless someone writes.
        closes_at: Timestamp,
    },
    /// The ticket closed for inactivity.
    Closed(Box<Closed>),
    /// Nothing to do ever again (closed, or gone).
    Done,
}

/// The category a ticket belongs to; one that was deleted from the settings has no support
/// roles (only admins and the opener act on its tickets).
fn category_of(settings: &TicketSettings, ticket: &Ticket) -> Category {
    settings
        .category(&ticket.category)
        .cloned()
        .unwrap_or_else(|| Category {
            key: ticket.category.clone(),
            label: ticket.category.clone(),
            parent: ChannelId::new(1),
            overflow: Vec::new(),
            support_roles: Vec::new(),
            questions: Vec::new(),
            others_reply_when_claimed: false,
        })
}

impl<S: TicketStore> Tickets<S> {
    /// The service over `store`.
    pub fn new(store: S) -> Self {
        Self { store }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Opens a ticket (without a channel: give it one with [`Tickets::assign_channel`], or
    /// leave it queued; if the channel cannot be made, [`TicketStore::abandon_ticket`]).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownCategory`], [`Error::AnswerRequired`], [`Error::ReasonTooLong`],
    /// [`Error::TooManyOpen`],
    /// [`Error::TooManyRecent`], [`Error::Store`].
    pub async fn open(&self, request: OpenRequest<'_>) -> Result<Ticket, Error> {
        let category =
            request
                .settings
                .category(request.category)
                .ok_or_else(|| Error::UnknownCategory {
                    key: request.category.to_owned(),
                })?;
        let reason = check_reason(request.reason)?;
        let mut answers = Vec::new();
        for (i, question) in category.questions.iter().enumerate() {
            match check_reason(request.answers.get(i).copied().flatten())? {
                Some(answer) => answers.push(Answer {
                    question: question.label.clone(),
                    answer,
                }),
                None if question.required => {
                    return Err(Error::AnswerRequired {
                        question: question.label.clone(),
                    });
                }
                None => {}
            }
        }
        let new = NewTicket {
            guild: request.guild,
            opener: request.opener,
            category: category.key.clone(),
            reason,
            answers,
            created_at: request.now,
        };
        Ok(self
            .store
            .open_ticket(new, request.settings.limits)
            .await??)
    }

    /// Reads, decides with `change`, and writes if the ticket did not change meanwhile;
    /// decides again on a fresh read otherwise. `Ok(None)` when `change` says nothing changes.
    async fn change(
        &self,
        guild: GuildId,
        number: TicketNumber,
        change: impl Fn(&Ticket) -> Result<Option<Ticket>, Error>,
    ) -> Result<Option<Ticket>, Error> {
        for _ in 0..UPDATE_RETRIES {
            let current = self
                .store
                .ticket(guild, number)
                .await?
                .ok_or(Error::NotFound)?;
            let Some(next) = change(&current)? else {
                return Ok(None);
            };
            if let Some(written) = self.store.update_ticket(&next).await? {
                return Ok(Some(written));
            }
        }
        Err(Error::Contended)
    }

    /// Checks `action` for the actor, then applies `transition`.
    async fn act(
        &self,
        act: &Act<'_>,
        action: Action,
        transition: impl Fn(&Ticket) -> Result<Ticket, Error>,
    ) -> Result<Ticket, Error> {
        self.change(act.guild, act.number, |t| {
            decide(t, &category_of(act.settings, t), &act.actor, action)?;
            transition(t).map(Some)
        })
        .await?
        .ok_or(Error::NotFound)
    }

    /// Gives a ticket its channel.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`], [`Error::AlreadyClosed`], [`Error::Contended`], [`Error::Store`].
    pub async fn assign_channel(
        &self,
        guild: GuildId,
        number: TicketNumber,
        channel: ChannelId,
    ) -> Result<Ticket, Error> {
        self.change(guild, number, |t| t.with_channel(channel).map(Some))
            .await?
            .ok_or(Error::NotFound)
    }

    /// The actor claims the ticket.
    ///
    /// # Errors
    ///
    /// [`Error::Denied`], the refusals of [`Ticket::claim`], [`Error::NotFound`],
    /// [`Error::Contended`], [`Error::Store`].
    pub async fn claim(&self, act: &Act<'_>) -> Result<Ticket, Error> {
        self.act(act, Action::Claim, |t| t.claim(act.actor.user))
            .await
    }

    /// The claimer (or an admin) lets go.
    ///
    /// # Errors
    ///
    /// As [`Tickets::claim`], with [`Ticket::unclaim`]'s refusals.
    pub async fn unclaim(&self, act: &Act<'_>) -> Result<Ticket, Error> {
        self.act(act, Action::Unclaim, Ticket::unclaim).await
    }

    /// Closes the ticket, and names the next queued ticket of its category.
    ///
    /// # Errors
    ///
    /// As [`Tickets::claim`], with [`Ticket::close`]'s refusals.
    pub async fn close(&self, act: &Act<'_>, reason: Option<&str>) -> Result<Closed, Error> {
        let ticket = self
            .act(act, Action::Close, |t| {
                t.close(Some(act.actor.user), reason, act.now)
            })
            .await?;
        self.closed(ticket).await
    }

    async fn closed(&self, ticket: Ticket) -> Result<Closed, Error> {
        let next_in_queue = self
            .store
            .active_tickets(ticket.guild)
            .await?
            .into_iter()
            .find(|t| t.is_queued() && t.category == ticket.category);
        Ok(Closed {
            ticket,
            next_in_queue,
        })
    }

    /// Opens a closed ticket again.
    ///
    /// # Errors
    ///
    /// As [`Tickets::claim`], with [`Ticket::reopen`]'s refusals.
    pub async fn reopen(&self, act: &Act<'_>) -> Result<Ticket, Error> {
        self.act(act, Action::Reopen, |t| t.reopen(act.now)).await
    }

    /// The opener rates the closed ticket.
    ///
    /// # Errors
    ///
    /// As [`Tickets::claim`], with [`Ticket::rate`]'s refusals.
    pub async fn rate(&self, act: &Act<'_>, rating: Rating) -> Result<Ticket, Error> {
        self.act(act, Action::Rate, |t| t.rate(rating.clone()))
            .await
    }

    /// A message in a ticket's channel: activity (cancelling an inactivity warning), and the
    /// first response if a staff member other than the opener wrote it. `None` when the
    /// channel holds no active ticket or nothing changed.
    ///
    /// # Errors
    ///
    /// [`Error::Contended`], [`Error::Store`].
    pub async fn message(
        &self,
        guild: GuildId,
        channel: ChannelId,
        author: UserId,
        staff: bool,
        at: Timestamp,
    ) -> Result<Option<Ticket>, Error> {
        let Some(ticket) = self.store.ticket_in_channel(guild, channel).await? else {
            return Ok(None);
        };
        match self
            .change(guild, ticket.number, |t| Ok(t.message(author, staff, at)))
            .await
        {
            Err(Error::NotFound) => Ok(None),
            other => other,
        }
    }

    /// Takes the auto-close step due at `now` and records it.
    ///
    /// # Errors
    ///
    /// [`Error::Contended`], [`Error::Store`].
    pub async fn auto_close(
        &self,
        guild: GuildId,
        number: TicketNumber,
        policy: &AutoClosePolicy,
        now: Timestamp,
    ) -> Result<AutoCloseOutcome, Error> {
        let mut step = AutoCloseStep::Never;
        let written = self
            .change(guild, number, |t| {
                // Decided again on every retry: a message in between cancels the step.
                let due = policy.step(t, now);
                match due {
                    AutoCloseStep::Warn { .. } => t.warn_inactive(now).map(Some),
                    AutoCloseStep::Close => t.close(None, Some("inactivity"), now).map(Some),
                    AutoCloseStep::Wait { .. } | AutoCloseStep::Never => Ok(None),
                }
            })
            .await;
        let written = match written {
            Err(Error::NotFound) => return Ok(AutoCloseOutcome::Done),
            other => other?,
        };
        if let Some(t) = &written {
            step = policy.step(t, now);
        }
        Ok(match written {
            None => {
                let current = self.store.ticket(guild, number).await?;
                match current.map(|t| policy.step(&t, now)) {
                    Some(AutoCloseStep::Wait { until }) => AutoCloseOutcome::Waiting { until },
                    _ => AutoCloseOutcome::Done,
                }
            }
            Some(ticket) if !ticket.is_active() => {
                AutoCloseOutcome::Closed(Box::new(self.closed(ticket).await?))
            }
            Some(ticket) => AutoCloseOutcome::Warned {
                closes_at: match step {
                    AutoCloseStep::Wait { until } => until,
                    _ => now.saturating_add(policy.grace),
                },
                ticket: Box::new(ticket),
            },
        })
    }

    /// Statistics of the guild's tickets opened since `since`.
    ///
    /// # Errors
    ///
    /// [`Error::Store`].
    pub async fn stats(&self, guild: GuildId, since: Timestamp) -> Result<TicketStats, Error> {
        let tickets = self.store.tickets_since(guild, since).await?;
        Ok(TicketStats::compute(&tickets))
    }
}

mod queue;
mod requests;
#[cfg(test)]
mod tests;
