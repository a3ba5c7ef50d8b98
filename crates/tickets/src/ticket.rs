//! The ticket and its lifecycle: open → claimed → closing → closed, and reopen.
//!
//! Every transition is a method that takes the ticket by reference and returns the ticket as
//! it should be stored, or the refusal; the store writes it only if nobody changed the ticket
//! in between (see [`TicketStore::update_ticket`](crate::TicketStore::update_ticket)).

use std::fmt;

use hearth_core::{ChannelId, GuildId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

use crate::{CloseRequest, Error, Rating};

/// The longest reason (for opening or closing) Hearth keeps, in characters: Discord's limit on
/// a modal's paragraph input.
pub const TICKET_REASON_MAX_CHARS: usize = 4_000;

/// A ticket's number, per guild, from 1; shown as `#42`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TicketNumber(pub u64);

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Where a ticket is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Waiting in the queue for a channel: every category of its was full when it opened.
    Queued,
    /// Waiting for the support team (without a channel only while its channel is being made).
    Open,
    /// A staff member took it.
    Claimed,
    /// Staff asked to close it; the opener confirms (or anyone allowed closes it).
    Closing,
    /// Done; the channel is gone or about to be.
    Closed,
}

impl TicketStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [Self; 5] = [
        Self::Queued,
        Self::Open,
        Self::Claimed,
        Self::Closing,
        Self::Closed,
    ];

    /// The stored name: `open`, `claimed`, `closing`, `closed` (the seed's words), and
    /// `queued`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Open => "open",
            Self::Claimed => "claimed",
            Self::Closing => "closing",
            Self::Closed => "closed",
        }
    }

    /// The status with this stored name, any case.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// What the opener answered to one of the category's questions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The question as it was asked.
    pub question: String,
    /// The answer as typed.
    pub answer: String,
}

/// What opening a ticket needs; the store adds the number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTicket {
    /// The guild.
    pub guild: GuildId,
    /// Who opens it.
    pub opener: UserId,
    /// The category's key ([`Category::key`](crate::Category::key)).
    pub category: String,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// Answers to the category's questions, in order.
    pub answers: Vec<Answer>,
    /// When it was opened.
    pub created_at: Timestamp,
}

/// A support ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// The guild.
    pub guild: GuildId,
    /// Its number in the guild; 0 only for a ticket of the earlier bot whose id held no number.
    pub number: TicketNumber,
    /// Who opened it.
    pub opener: UserId,
    /// The category's key.
    pub category: String,
    /// Its private channel; `None` while it waits in the queue for room.
    pub channel: Option<ChannelId>,
    /// Where it is in its life.
    pub status: TicketStatus,
    /// The staff member who claimed it.
    pub claimed_by: Option<UserId>,
    /// The reason the opener gave.
    pub reason: Option<String>,
    /// Answers to the category's questions.
    pub answers: Vec<Answer>,
    /// When it was opened.
    pub created_at: Timestamp,
    /// The last message in its channel (or its opening).
    pub last_activity_at: Timestamp,
    /// The first message by a staff member.
    pub first_response_at: Option<Timestamp>,
    /// Who wrote that message.
    pub first_responder: Option<UserId>,
    /// When the inactivity warning was posted; cleared by any message.
    pub inactivity_warned_at: Option<Timestamp>,
    /// Staff's request to close it, while it is [`TicketStatus::Closing`].
    pub close_request: Option<CloseRequest>,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
    /// Who closed it; `None` for auto-close or when the earlier bot did not say.
    pub closed_by: Option<UserId>,
    /// Why it was closed.
    pub close_reason: Option<String>,
    /// The opener's rating, once given.
    pub rating: Option<Rating>,
    /// How many times the ticket was written: the guard of every update.
    pub revision: u64,
}

impl Ticket {
    /// The ticket a store makes of `new` under `number`, at revision 0.
    pub fn from_new(new: NewTicket, number: TicketNumber) -> Self {
        Self {
            guild: new.guild,
            number,
            opener: new.opener,
            category: new.category,
            channel: None,
            status: TicketStatus::Open,
            claimed_by: None,
            reason: new.reason,
            answers: new.answers,
            created_at: new.created_at,
            last_activity_at: new.created_at,
            first_response_at: None,
            first_responder: None,
            inactivity_warned_at: None,
            close_request: None,
            closed_at: None,
            closed_by: None,
            close_reason: None,
            rating: None,
            revision: 0,
        }
    }

    /// Whether the ticket is not closed.
    pub fn is_active(&self) -> bool {
        self.status != TicketStatus::Closed
    }

    /// Whether it waits in the queue. A ticket whose channel is still being made is not
    /// queued (it has no channel either): only one that found no room is.
    pub fn is_queued(&self) -> bool {
        self.status == TicketStatus::Queued
    }

    /// Puts a ticket that found no room for its channel in the queue; `None` when it is not
    /// an open ticket without a channel (it got one meanwhile, or closed).
    pub fn enqueue(&self) -> Option<Self> {
        (self.status == TicketStatus::Open && self.channel.is_none()).then(|| Self {
            status: TicketStatus::Queued,
            ..self.clone()
        })
    }

    pub(crate) fn refuse_closed(&self) -> Result<(), Error> {
        if self.status == TicketStatus::Closed {
            return Err(Error::AlreadyClosed {
                number: self.number,
            });
        }
        Ok(())
    }

    /// Gives the ticket its channel (once it has room); a queued ticket leaves the queue, open.
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyClosed`].
    pub fn with_channel(&self, channel: ChannelId) -> Result<Self, Error> {
        self.refuse_closed()?;
        Ok(Self {
            channel: Some(channel),
            status: match self.status {
                TicketStatus::Queued => TicketStatus::Open,
                other => other,
            },
            ..self.clone()
        })
    }

    /// `by` takes the ticket.
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyClaimed`], [`Error::CloseRequested`], [`Error::AlreadyClosed`].
    pub fn claim(&self, by: UserId) -> Result<Self, Error> {
        self.refuse_closed()?;
        match self.status {
            TicketStatus::Claimed => Err(Error::AlreadyClaimed {
                by: self.claimed_by.unwrap_or(by),
            }),
            TicketStatus::Closing => Err(Error::CloseRequested),
            _ => Ok(Self {
                status: TicketStatus::Claimed,
                claimed_by: Some(by),
                ..self.clone()
            }),
        }
    }

    /// The claimer lets go; the ticket is open to the whole team again.
    ///
    /// # Errors
    ///
    /// [`Error::NotClaimed`], [`Error::CloseRequested`], [`Error::AlreadyClosed`].
    pub fn unclaim(&self) -> Result<Self, Error> {
        self.refuse_closed()?;
        match self.status {
            TicketStatus::Claimed => Ok(Self {
                status: TicketStatus::Open,
                claimed_by: None,
                ..self.clone()
            }),
            TicketStatus::Closing => Err(Error::CloseRequested),
            _ => Err(Error::NotClaimed),
        }
    }

    /// Closes the ticket; `by` is `None` for an automatic close.
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyClosed`], [`Error::ReasonTooLong`].
    pub fn close(
        &self,
        by: Option<UserId>,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<Self, Error> {
        self.refuse_closed()?;
        Ok(Self {
            status: TicketStatus::Closed,
            close_request: None,
            inactivity_warned_at: None,
            closed_at: Some(now),
            closed_by: by,
            close_reason: check_reason(reason)?,
            ..self.clone()
        })
    }

    /// Opens a closed ticket again, unclaimed and unrated, its inactivity counted from `now`,
    /// without a channel (its old one was deleted on close) until it gets a new one.
    ///
    /// # Errors
    ///
    /// [`Error::NotClosed`].
    pub fn reopen(&self, now: Timestamp) -> Result<Self, Error> {
        if self.status != TicketStatus::Closed {
            return Err(Error::NotClosed {
                number: self.number,
            });
        }
        Ok(Self {
            status: TicketStatus::Open,
            channel: None,
            claimed_by: None,
            last_activity_at: now,
            closed_at: None,
            closed_by: None,
            close_reason: None,
            rating: None,
            ..self.clone()
        })
    }

    /// The opener rates a closed ticket, once.
    ///
    /// # Errors
    ///
    /// [`Error::NotClosed`], [`Error::AlreadyRated`].
    pub fn rate(&self, rating: Rating) -> Result<Self, Error> {
        if self.status != TicketStatus::Closed {
            return Err(Error::NotClosed {
                number: self.number,
            });
        }
        if self.rating.is_some() {
            return Err(Error::AlreadyRated);
        }
        Ok(Self {
            rating: Some(rating),
            ..self.clone()
        })
    }

    /// A message by `author` at `at`: counts as activity (cancelling an inactivity warning),
    /// and a staff member's first message other than the opener's is the first response.
    /// `None` when nothing changes: a closed ticket, or a message older than what is known.
    pub fn message(&self, author: UserId, staff: bool, at: Timestamp) -> Option<Self> {
        if !self.is_active() {
            return None;
        }
        let first_response = staff && author != self.opener && self.first_response_at.is_none();
        if at <= self.last_activity_at && !first_response && self.inactivity_warned_at.is_none() {
            return None;
        }
        let mut next = self.clone();
        next.last_activity_at = self.last_activity_at.max(at);
        next.inactivity_warned_at = None;
        if first_response {
            next.first_response_at = Some(at);
            next.first_responder = Some(author);
        }
        Some(next)
    }

    /// Marks the inactivity warning as posted at `now`.
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyClosed`].
    pub fn warn_inactive(&self, now: Timestamp) -> Result<Self, Error> {
        self.refuse_closed()?;
        Ok(Self {
            inactivity_warned_at: Some(now),
            ..self.clone()
        })
    }
}

/// A reason trimmed and checked against [`TICKET_REASON_MAX_CHARS`]; empty is `None`.
///
/// # Errors
///
/// [`Error::ReasonTooLong`].
pub fn check_reason(reason: Option<&str>) -> Result<Option<String>, Error> {
    let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let len = reason.chars().count();
    if len > TICKET_REASON_MAX_CHARS {
        return Err(Error::ReasonTooLong {
            max: TICKET_REASON_MAX_CHARS,
            len,
        });
    }
    Ok(Some(reason.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RatingScore, testing::ticket};

    const STAFF: UserId = UserId::new(50);

    #[test]
    fn a_ticket_goes_open_claimed_closing_closed_and_back() {
        let open = ticket();
        let claimed = open.claim(STAFF).unwrap();
        assert_eq!(
            (claimed.status, claimed.claimed_by),
            (TicketStatus::Claimed, Some(STAFF))
        );
        let closing = claimed
            .request_close(STAFF, None, None, Timestamp::from_unix_secs(400))
            .unwrap();
        assert_eq!(closing.status, TicketStatus::Closing);
        assert_eq!(
            closing.cancel_close().unwrap().status,
            TicketStatus::Claimed
        );
        let now = Timestamp::from_unix_secs(500);
        let closed = closing.close(Some(STAFF), Some(" solved "), now).unwrap();
        assert_eq!(closed.status, TicketStatus::Closed);
        assert_eq!(closed.closed_at, Some(now));
        assert_eq!(closed.close_reason.as_deref(), Some("solved"));
        let reopened = closed.reopen(Timestamp::from_unix_secs(600)).unwrap();
        assert_eq!(reopened.status, TicketStatus::Open);
        assert_eq!((reopened.claimed_by, reopened.closed_at), (None, None));
        assert_eq!(
            reopened.channel, None,
            "a reopened ticket waits for a new channel"
        );
        let queued = reopened.enqueue().expect("no channel: it may queue");
        assert_eq!(queued.status, TicketStatus::Queued);
        assert_eq!(queued.enqueue(), None);
        let given = queued.with_channel(ChannelId::new(801)).unwrap();
        assert_eq!(
            (given.status, given.is_queued()),
            (TicketStatus::Open, false)
        );
        assert_eq!(
            given.enqueue(),
            None,
            "a ticket with a channel is not queued"
        );
    }

    #[test]
    fn wrong_transitions_are_refused_with_their_reason() {
        let claimed = ticket().claim(STAFF).unwrap();
        assert!(matches!(
            claimed.claim(UserId::new(51)),
            Err(Error::AlreadyClaimed { by }) if by == STAFF
        ));
        assert!(matches!(ticket().unclaim(), Err(Error::NotClaimed)));
        assert!(matches!(
            ticket().cancel_close(),
            Err(Error::NoCloseRequest)
        ));
        assert!(matches!(
            ticket().reopen(Timestamp::UNIX_EPOCH),
            Err(Error::NotClosed { .. })
        ));
        let closed = ticket().close(None, None, Timestamp::UNIX_EPOCH).unwrap();
        assert!(matches!(
            closed.claim(STAFF),
            Err(Error::AlreadyClosed { .. })
        ));
        assert!(matches!(
            closed.close(None, None, Timestamp::UNIX_EPOCH),
            Err(Error::AlreadyClosed { .. })
        ));
        let rating = Rating::new(RatingScore::new(5).unwrap(), None).unwrap();
        let rated = closed.rate(rating.clone()).unwrap();
        assert!(matches!(
            rated.rate(rating.clone()),
            Err(Error::AlreadyRated)
        ));
        assert!(matches!(
            ticket().rate(rating),
            Err(Error::NotClosed { .. })
        ));
    }

    #[test]
    fn reasons_are_probed_at_their_limit() {
        let max = "é".repeat(TICKET_REASON_MAX_CHARS);
        assert_eq!(
            check_reason(Some(&max)).unwrap().as_deref(),
            Some(max.as_str())
        );
        let over = "é".repeat(TICKET_REASON_MAX_CHARS + 1);
        assert!(matches!(
            check_reason(Some(&over)),
            Err(Error::ReasonTooLong { max: TICKET_REASON_MAX_CHARS, len }) if len == TICKET_REASON_MAX_CHARS + 1
        ));
        assert_eq!(check_reason(Some("   ")).unwrap(), None);
    }

    #[test]
    fn a_staff_message_is_the_first_response_and_any_message_cancels_the_warning() {
        let t = ticket();
        let opener_says = t
            .message(t.opener, false, Timestamp::from_unix_secs(200))
            .unwrap();
        assert_eq!(opener_says.first_response_at, None);
        // A staff member who is the opener does not answer their own ticket.
        let self_help = t
            .message(t.opener, true, Timestamp::from_unix_secs(200))
            .unwrap();
        assert_eq!(self_help.first_response_at, None);
        let warned = opener_says
            .warn_inactive(Timestamp::from_unix_secs(300))
            .unwrap();
        let answered = warned
            .message(STAFF, true, Timestamp::from_unix_secs(400))
            .unwrap();
        assert_eq!(
            answered.first_response_at,
            Some(Timestamp::from_unix_secs(400))
        );
        assert_eq!(answered.first_responder, Some(STAFF));
        assert_eq!(answered.inactivity_warned_at, None);
        assert_eq!(answered.last_activity_at, Timestamp::from_unix_secs(400));
        let later = answered
            .message(UserId::new(51), true, Timestamp::from_unix_secs(500))
            .unwrap();
        assert_eq!(later.first_responder, Some(STAFF));
        // A replayed old message changes nothing.
        assert_eq!(
            later.message(t.opener, false, Timestamp::from_unix_secs(450)),
            None
        );
    }

    #[test]
    fn statuses_read_their_stored_names() {
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(TicketStatus::parse(" Closed "), Some(TicketStatus::Closed));
        assert_eq!(TicketStatus::parse("archived"), None);
    }
}
