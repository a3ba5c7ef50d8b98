//! The queue: tickets that wait for room when every category of theirs is full.
//!
//! A queued ticket is one stored with status [`TicketStatus::Queued`](crate::TicketStatus)
//! (it found no room; a ticket whose channel is still being made is not queued), so the queue
//! survives a restart and is shared by every process on the store. Taking a ticket out of the
//! queue ([`Tickets::dequeue`]) and leaving it ([`Tickets::leave_queue`]) are conditional
//! writes on the ticket's revision: of two closes racing for the same queued ticket, or a
//! close racing the opener's cancel, exactly one wins, whichever process it runs in.

use hearth_core::{ChannelId, GuildId};

use super::{Act, Tickets};
use crate::{Action, Error, Ticket, TicketNumber, TicketStore, decide};

impl<S: TicketStore> Tickets<S> {
    /// The tickets of `category` waiting in the queue, oldest (lowest number) first.
    ///
    /// # Errors
    ///
    /// [`Error::Store`].
    pub async fn queue(&self, guild: GuildId, category: &str) -> Result<Vec<Ticket>, Error> {
        Ok(self
            .store
            .active_tickets(guild)
            .await?
            .into_iter()
            .filter(|t| t.is_queued() && t.category == category)
            .collect())
    }

    /// Puts a ticket that found no room for its channel in the queue; `None` when it got a
    /// channel meanwhile or closed (nothing written).
    ///
    /// # Errors
    ///
    /// [`Error::Contended`], [`Error::Store`].
    pub async fn enqueue(
        &self,
        guild: GuildId,
        number: TicketNumber,
    ) -> Result<Option<Ticket>, Error> {
        match self.change(guild, number, |t| Ok(t.enqueue())).await {
            Err(Error::NotFound) => Ok(None),
            other => other,
        }
    }

    /// Where `ticket` stands in its category's queue, from 1; `None` when it is not queued.
    ///
    /// # Errors
    ///
    /// [`Error::Store`].
    pub async fn queue_position(&self, ticket: &Ticket) -> Result<Option<usize>, Error> {
        Ok(self
            .queue(ticket.guild, &ticket.category)
            .await?
            .iter()
            .position(|t| t.number == ticket.number)
            .map(|i| i + 1))
    }

    /// Gives the queued ticket `number` the channel made for it, if it still waits; `None`
    /// when it does not (another process gave it a channel first, or its opener left the
    /// queue): the caller deletes `channel` and tries the next queued ticket.
    ///
    /// # Errors
    ///
    /// [`Error::Contended`], [`Error::Store`].
    pub async fn dequeue(
        &self,
        guild: GuildId,
        number: TicketNumber,
        channel: ChannelId,
    ) -> Result<Option<Ticket>, Error> {
        let taken = self
            .change(guild, number, |t| {
                if !t.is_queued() {
                    return Ok(None);
                }
                t.with_channel(channel).map(Some)
            })
            .await;
        match taken {
            Err(Error::NotFound) => Ok(None),
            other => other,
        }
    }

    /// The opener (or anyone who may close it) takes a ticket out of the queue: it is closed
    /// without ever having had a channel.
    ///
    /// # Errors
    ///
    /// [`Error::NotQueued`] when it got its channel meanwhile, [`Error::Denied`],
    /// [`Error::AlreadyClosed`], [`Error::NotFound`], [`Error::Contended`], [`Error::Store`].
    pub async fn leave_queue(&self, act: &Act<'_>) -> Result<Ticket, Error> {
        self.change(act.guild, act.number, |t| {
            decide(
                t,
                &super::category_of(act.settings, t),
                &act.actor,
                Action::Close,
            )?;
            if t.is_active() && !t.is_queued() {
                return Err(Error::NotQueued { number: t.number });
            }
            t.close(Some(act.actor.user), Some("left the queue"), act.now)
                .map(Some)
        })
        .await?
        .ok_or(Error::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use hearth_core::{Timestamp, UserId};

    use super::*;
    use crate::{
        Actor, MemberLimits, MemoryStore, NewTicket, TicketSettings, TicketStatus,
        testing::category,
    };

    const GUILD: GuildId = GuildId::new(1);

    fn settings() -> TicketSettings {
        TicketSettings {
            categories: vec![category("support"), category("billing")],
            limits: MemberLimits::default(),
            ..TicketSettings::default()
        }
    }

    /// Opens a ticket for `opener` in `category` and queues it (no room for its channel).
    async fn queued(tickets: &Tickets<MemoryStore>, opener: u64, category: &str) -> Ticket {
        let new = NewTicket {
            guild: GUILD,
            opener: UserId::new(opener),
            category: category.into(),
            reason: Some("help".into()),
            answers: Vec::new(),
            created_at: Timestamp::from_unix_secs(100),
        };
        let fresh = tickets
            .store()
            .open_ticket(new, MemberLimits::default())
            .await
            .unwrap()
            .unwrap();
        // Still being given a channel: not in the queue yet.
        assert_eq!(tickets.queue_position(&fresh).await.unwrap(), None);
        tickets
            .enqueue(GUILD, fresh.number)
            .await
            .unwrap()
            .expect("no channel yet")
    }

    fn act(settings: &TicketSettings, number: TicketNumber, user: u64) -> Act<'_> {
        Act {
            guild: GUILD,
            number,
            actor: Actor {
                user: UserId::new(user),
                roles: &[],
                admin: false,
            },
            settings,
            now: Timestamp::from_unix_secs(200),
        }
    }

    #[tokio::test]
    async fn the_queue_holds_a_categorys_channelless_tickets_oldest_first() {
        let tickets = Tickets::new(MemoryStore::new());
        let first = queued(&tickets, 10, "support").await;
        let other = queued(&tickets, 11, "billing").await;
        let second = queued(&tickets, 12, "support").await;
        let third = queued(&tickets, 13, "support").await;
        tickets
            .assign_channel(GUILD, second.number, ChannelId::new(5))
            .await
            .unwrap();
        let numbers = |q: Vec<Ticket>| q.into_iter().map(|t| t.number.0).collect::<Vec<_>>();
        assert_eq!(
            numbers(tickets.queue(GUILD, "support").await.unwrap()),
            [1, 4]
        );
        assert_eq!(tickets.queue_position(&first).await.unwrap(), Some(1));
        assert_eq!(tickets.queue_position(&third).await.unwrap(), Some(2));
        assert_eq!(tickets.queue_position(&other).await.unwrap(), Some(1));
        assert_eq!(tickets.queue_position(&second).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_queued_ticket_is_taken_once_and_then_cannot_leave_the_queue() {
        let tickets = Tickets::new(MemoryStore::new());
        let settings = settings();
        let ticket = queued(&tickets, 10, "support").await;
        let taken = tickets
            .dequeue(GUILD, ticket.number, ChannelId::new(5))
            .await
            .unwrap()
            .expect("it waited");
        assert_eq!(taken.channel, Some(ChannelId::new(5)));
        // A second close racing for it made another channel: it gets none.
        assert_eq!(
            tickets
                .dequeue(GUILD, ticket.number, ChannelId::new(6))
                .await
                .unwrap(),
            None
        );
        assert!(matches!(
            tickets.leave_queue(&act(&settings, ticket.number, 10)).await,
            Err(Error::NotQueued { number }) if number == ticket.number
        ));
        let stored = tickets.store().ticket(GUILD, ticket.number).await.unwrap();
        assert_eq!(stored.unwrap().channel, Some(ChannelId::new(5)));
    }

    #[tokio::test]
    async fn the_opener_leaves_the_queue_and_a_close_then_skips_the_ticket() {
        let tickets = Tickets::new(MemoryStore::new());
        let settings = settings();
        let ticket = queued(&tickets, 10, "support").await;
        assert!(matches!(
            tickets
                .leave_queue(&act(&settings, ticket.number, 99))
                .await,
            Err(Error::Denied(_))
        ));
        let left = tickets
            .leave_queue(&act(&settings, ticket.number, 10))
            .await
            .unwrap();
        assert_eq!(left.status, TicketStatus::Closed);
        assert_eq!(left.close_reason.as_deref(), Some("left the queue"));
        assert_eq!(
            tickets
                .dequeue(GUILD, ticket.number, ChannelId::new(5))
                .await
                .unwrap(),
            None
        );
        assert!(tickets.queue(GUILD, "support").await.unwrap().is_empty());
        assert!(matches!(
            tickets
                .leave_queue(&act(&settings, ticket.number, 10))
                .await,
            Err(Error::AlreadyClosed { .. })
        ));
    }
}
