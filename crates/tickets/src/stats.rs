//! Statistics over a set of tickets: first-response time, time to close, ratings, per staff.

use std::{collections::BTreeMap, time::Duration};

use hearth_core::UserId;

use crate::{Ticket, TicketStatus};

/// Mean and median of a set of durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spread {
    /// How many there were.
    pub count: usize,
    /// Their mean.
    pub mean: Duration,
    /// Their median (the lower middle for an even count).
    pub median: Duration,
}

impl Spread {
    /// The spread of `durations`; `None` when empty.
    pub fn of(mut durations: Vec<Duration>) -> Option<Self> {
        if durations.is_empty() {
            return None;
        }
        durations.sort_unstable();
        let total: Duration = durations.iter().sum();
        let count = durations.len();
        Some(Self {
            count,
            mean: total / u32::try_from(count).unwrap_or(u32::MAX),
            median: durations[(count - 1) / 2],
        })
    }
}

/// One staff member's part.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffStats {
    /// The member.
    pub user: UserId,
    /// Tickets they claimed (still claimed, or closed while claimed by them).
    pub claimed: usize,
    /// Tickets they closed.
    pub closed: usize,
    /// Their first responses and how long the openers waited for them.
    pub first_response: Option<Spread>,
    /// The mean rating of tickets they handled (claimed, else closed), with the count.
    pub rating: Option<(f64, usize)>,
}

/// The figures `/ticket stats` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct TicketStats {
    /// Tickets in the set.
    pub opened: usize,
    /// Of those, closed.
    pub closed: usize,
    /// Of those, waiting in the queue.
    pub queued: usize,
    /// Time from opening to the first staff message.
    pub first_response: Option<Spread>,
    /// Time from opening to close.
    pub time_to_close: Option<Spread>,
    /// Mean rating and how many ratings.
    pub rating: Option<(f64, usize)>,
    /// Per staff member, most tickets handled first, then by id.
    pub staff: Vec<StaffStats>,
}

#[derive(Default)]
struct Tally {
    claimed: usize,
    closed: usize,
    responses: Vec<Duration>,
    ratings: Vec<u8>,
}

fn mean_rating(scores: &[u8]) -> Option<(f64, usize)> {
    if scores.is_empty() {
        return None;
    }
    let total: u32 = scores.iter().map(|s| u32::from(*s)).sum();
    // A count of ratings fits an f64 exactly far beyond any guild's size.
    #[allow(clippy::cast_precision_loss)]
    Some((f64::from(total) / scores.len() as f64, scores.len()))
}

impl TicketStats {
    /// The statistics of `tickets` (typically those opened since some time).
    pub fn compute<'a>(tickets: impl IntoIterator<Item = &'a Ticket>) -> Self {
        let mut staff: BTreeMap<UserId, Tally> = BTreeMap::new();
        let (mut opened, mut closed, mut queued) = (0, 0, 0);
        let (mut response_times, mut close_times, mut ratings) =
            (Vec::new(), Vec::new(), Vec::new());
        for t in tickets {
            opened += 1;
            queued += usize::from(t.is_queued());
            if let (Some(at), Some(by)) = (t.first_response_at, t.first_responder) {
                let waited = at.duration_since(t.created_at);
                response_times.push(waited);
                staff.entry(by).or_default().responses.push(waited);
            }
            if let Some(by) = t.claimed_by {
                staff.entry(by).or_default().claimed += 1;
            }
            if t.status == TicketStatus::Closed {
                closed += 1;
                if let Some(at) = t.closed_at {
                    close_times.push(at.duration_since(t.created_at));
                }
                if let Some(by) = t.closed_by.filter(|by| *by != t.opener) {
                    staff.entry(by).or_default().closed += 1;
                }
            }
            if let Some(rating) = &t.rating {
                ratings.push(rating.score.get());
                if let Some(by) = t.claimed_by.or(t.closed_by).filter(|by| *by != t.opener) {
                    staff
                        .entry(by)
                        .or_default()
                        .ratings
                        .push(rating.score.get());
                }
            }
        }
        let mut staff: Vec<StaffStats> = staff
            .into_iter()
            .map(|(user, tally)| StaffStats {
                user,
                claimed: tally.claimed,
                closed: tally.closed,
                first_response: Spread::of(tally.responses),
                rating: mean_rating(&tally.ratings),
            })
            .collect();
        staff.sort_by_key(|s| std::cmp::Reverse(s.claimed.max(s.closed)));
        Self {
            opened,
            closed,
            queued,
            first_response: Spread::of(response_times),
            time_to_close: Spread::of(close_times),
            rating: mean_rating(&ratings),
            staff,
        }
    }
}

#[cfg(test)]
mod tests {
    use hearth_core::Timestamp;

    use super::*;
    use crate::{Rating, RatingScore, testing::ticket};

    #[test]
    fn figures_follow_the_tickets() {
        let (alice, bob) = (UserId::new(51), UserId::new(52));
        let at = Timestamp::from_unix_secs;
        let base = ticket(); // opened at 100 s
        let a = base
            .message(alice, true, at(160))
            .unwrap()
            .claim(alice)
            .unwrap()
            .close(Some(alice), None, at(1_100))
            .unwrap()
            .rate(Rating::new(RatingScore::new(4).unwrap(), None).unwrap())
            .unwrap();
        let b = base
            .message(bob, true, at(400))
            .unwrap()
            .close(Some(bob), None, at(3_100))
            .unwrap()
            .rate(Rating::new(RatingScore::new(1).unwrap(), None).unwrap())
            .unwrap();
        let mut c = base.message(alice, true, at(220)).unwrap();
        c.channel = None;
        let c = c.enqueue().expect("waiting in the queue");
        let stats = TicketStats::compute([&a, &b, &c]);
        assert_eq!((stats.opened, stats.closed, stats.queued), (3, 2, 1));
        let first = stats.first_response.unwrap();
        assert_eq!(
            (first.count, first.mean, first.median),
            (3, Duration::from_secs(160), Duration::from_secs(120))
        );
        let close = stats.time_to_close.unwrap();
        assert_eq!(
            (close.mean, close.median),
            (Duration::from_secs(2_000), Duration::from_secs(1_000))
        );
        assert_eq!(stats.rating, Some((2.5, 2)));
        assert_eq!(stats.staff[0].user, alice);
        assert_eq!((stats.staff[0].claimed, stats.staff[0].closed), (1, 1));
        assert_eq!(stats.staff[0].first_response.unwrap().count, 2);
        assert_eq!(stats.staff[0].rating, Some((4.0, 1)));
        assert_eq!(stats.staff[1].rating, Some((1.0, 1)));
        assert_eq!(TicketStats::compute([]).first_response, None);
    }
}
