//! Close requests: staff ask the opener whether the ticket can close; the opener (or an admin)
//! answers **Close** or **Keep open**, and a request with a delay closes the ticket on its own
//! when nobody answers in time.
//!
//! The request lives on the ticket ([`Ticket::close_request`], status
//! [`TicketStatus::Closing`]), so the answer buttons and the timer decide from what is stored,
//! whatever happened in between: a request answered, withdrawn or overtaken by a close is gone,
//! and a late timer finds nothing due.

use std::time::Duration;

use hearth_core::{Timestamp, UserId};

use crate::{Error, Ticket, TicketStatus, check_reason};

/// The shortest delay after which an unanswered request closes the ticket.
pub const CLOSE_REQUEST_DELAY_MIN: Duration = Duration::from_secs(60);

/// The longest such delay: 30 days (as long as auto-close waits at most).
pub const CLOSE_REQUEST_DELAY_MAX: Duration = Duration::from_secs(30 * 86_400);

/// The reason an unanswered request closes a ticket with, when staff gave none.
pub const UNANSWERED_REASON: &str = "no answer to the close request";

/// Staff asked the opener to confirm closing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseRequest {
    /// Who asked.
    pub by: UserId,
    /// Why, as they wrote it (trimmed; `None` when empty).
    pub reason: Option<String>,
    /// When the ticket closes unless the opener answers; `None` waits for the answer.
    pub closes_at: Option<Timestamp>,
}

impl Ticket {
    /// Staff (`by`) ask the opener to confirm closing, with an optional reason; with a `delay`
    /// the ticket closes on its own at `now + delay` unless answered (or closed otherwise).
    ///
    /// # Errors
    ///
    /// [`Error::CloseRequested`] when already asked, [`Error::AlreadyClosed`],
    /// [`Error::ReasonTooLong`], [`Error::DelayOutOfRange`].
    pub fn request_close(
        &self,
        by: UserId,
        reason: Option<&str>,
        delay: Option<Duration>,
        now: Timestamp,
    ) -> Result<Self, Error> {
        self.refuse_closed()?;
        if self.status == TicketStatus::Closing {
            return Err(Error::CloseRequested);
        }
        let reason = check_reason(reason)?;
        let closes_at = delay
            .map(|delay| {
                if (CLOSE_REQUEST_DELAY_MIN..=CLOSE_REQUEST_DELAY_MAX).contains(&delay) {
                    Ok(now.saturating_add(delay))
                } else {
                    Err(Error::DelayOutOfRange {
                        min: CLOSE_REQUEST_DELAY_MIN,
                        max: CLOSE_REQUEST_DELAY_MAX,
                    })
                }
            })
            .transpose()?;
        Ok(Self {
            status: TicketStatus::Closing,
            close_request: Some(CloseRequest {
                by,
                reason,
                closes_at,
            }),
            ..self.clone()
        })
    }

    /// The opener keeps the ticket open: back to claimed (if it was) or open.
    ///
    /// # Errors
    ///
    /// [`Error::NoCloseRequest`], [`Error::AlreadyClosed`].
    pub fn cancel_close(&self) -> Result<Self, Error> {
        self.refuse_closed()?;
        if self.status != TicketStatus::Closing {
            return Err(Error::NoCloseRequest);
        }
        Ok(Self {
            status: if self.claimed_by.is_some() {
                TicketStatus::Claimed
            } else {
                TicketStatus::Open
            },
            close_request: None,
            ..self.clone()
        })
    }

    /// The opener (`by`) accepts the close request: closed with the request's reason.
    ///
    /// # Errors
    ///
    /// [`Error::NoCloseRequest`], [`Error::AlreadyClosed`].
    pub fn accept_close(&self, by: UserId, now: Timestamp) -> Result<Self, Error> {
        self.refuse_closed()?;
        if self.status != TicketStatus::Closing {
            return Err(Error::NoCloseRequest);
        }
        let reason = self.close_request.as_ref().and_then(|r| r.reason.clone());
        self.close(Some(by), reason.as_deref(), now)
    }

    /// The ticket as closed because its request went unanswered until `now`, by whoever asked,
    /// with their reason (or [`UNANSWERED_REASON`]); `None` when no request is due: answered,
    /// withdrawn, closed already, without a delay, or not yet.
    pub fn close_unanswered(&self, now: Timestamp) -> Option<Self> {
        let request = self
            .close_request
            .as_ref()
            .filter(|_| self.status == TicketStatus::Closing)?;
        if request.closes_at.is_none_or(|at| at > now) {
            return None;
        }
        let reason = request.reason.as_deref().unwrap_or(UNANSWERED_REASON);
        self.close(Some(request.by), Some(reason), now).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{OPENER, ticket};

    const STAFF: UserId = UserId::new(50);

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_unix_secs(secs)
    }

    #[test]
    fn a_request_records_who_why_and_when_it_closes() {
        let asked = ticket()
            .claim(STAFF)
            .unwrap()
            .request_close(
                STAFF,
                Some(" solved? "),
                Some(Duration::from_secs(3_600)),
                at(1_000),
            )
            .unwrap();
        assert_eq!(asked.status, TicketStatus::Closing);
        assert_eq!(
            asked.close_request,
            Some(CloseRequest {
                by: STAFF,
                reason: Some("solved?".into()),
                closes_at: Some(at(4_600)),
            })
        );
        assert!(matches!(
            asked.request_close(STAFF, None, None, at(1_001)),
            Err(Error::CloseRequested)
        ));
        let kept = asked.cancel_close().unwrap();
        assert_eq!(
            (kept.status, kept.close_request),
            (TicketStatus::Claimed, None)
        );
    }

    #[test]
    fn delays_are_probed_at_their_limits() {
        let t = ticket();
        let ask = |secs: u64| t.request_close(STAFF, None, Some(Duration::from_secs(secs)), at(0));
        let min = CLOSE_REQUEST_DELAY_MIN.as_secs();
        let max = CLOSE_REQUEST_DELAY_MAX.as_secs();
        assert!(ask(min).is_ok());
        assert!(ask(max).is_ok());
        for bad in [min - 1, max + 1] {
            assert_eq!(
                ask(bad).unwrap_err().to_string(),
                "a close request can wait from 1 minute to 30 days"
            );
        }
    }

    #[test]
    fn accepting_closes_with_the_requests_reason() {
        let asked = ticket()
            .request_close(STAFF, Some("done"), None, at(400))
            .unwrap();
        let closed = asked.accept_close(OPENER, at(500)).unwrap();
        assert_eq!(closed.status, TicketStatus::Closed);
        assert_eq!(closed.closed_by, Some(OPENER));
        assert_eq!(closed.close_reason.as_deref(), Some("done"));
        assert_eq!(closed.close_request, None);
        assert!(matches!(
            ticket().accept_close(OPENER, at(500)),
            Err(Error::NoCloseRequest)
        ));
        assert!(matches!(
            closed.accept_close(OPENER, at(501)),
            Err(Error::AlreadyClosed { .. })
        ));
    }

    #[test]
    fn an_unanswered_request_closes_only_once_due() {
        let delay = Some(Duration::from_secs(600));
        let asked = ticket()
            .request_close(STAFF, None, delay, at(1_000))
            .unwrap();
        assert_eq!(asked.close_unanswered(at(1_599)), None);
        let closed = asked.close_unanswered(at(1_600)).unwrap();
        assert_eq!(closed.status, TicketStatus::Closed);
        assert_eq!(closed.closed_by, Some(STAFF));
        assert_eq!(closed.close_reason.as_deref(), Some(UNANSWERED_REASON));
        // Answered, without a delay, or closed: nothing is due.
        assert_eq!(
            asked.cancel_close().unwrap().close_unanswered(at(9_999)),
            None
        );
        let waiting = ticket()
            .request_close(STAFF, None, None, at(1_000))
            .unwrap();
        assert_eq!(waiting.close_unanswered(at(9_999)), None);
        assert_eq!(closed.close_unanswered(at(9_999)), None);
    }
}
