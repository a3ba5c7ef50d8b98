//! What automod remembers between messages.

use std::{collections::HashMap, collections::VecDeque, time::Duration};

use hearth_core::{GuildId, MessageId, Timestamp, UserId};

use crate::settings::Horizon;

/// How many members an [`AutomodState::new`] remembers at most (across all guilds).
pub const STATE_MEMBERS_DEFAULT: usize = 200_000;

/// The most violations remembered per member: the highest threshold a step may have.
const VIOLATIONS_KEPT: usize = crate::ESCALATION_VIOLATIONS_MAX as usize;

/// One recent message of a member.
#[derive(Clone, Copy, Debug)]
struct Seen {
    at: i64,
    id: u64,
    /// A hash of the normalised text; 0 for texts too short to count as duplicates.
    text: u64,
}

#[derive(Debug, Default)]
struct Member {
    /// When this entry may be dropped: after its newest message and violation are out of
    /// every window.
    expires_at: i64,
    last_seen: i64,
    messages: VecDeque<Seen>,
    violations: VecDeque<i64>,
}

/// The per-member memory of automod: each active member's recent messages (for rate and
/// duplicate limits, and to recognise a replayed event) and violations (for escalation).
///
/// The state is a plain value the caller holds (behind a mutex in a bot) and passes to
/// [`CompiledRules::check`](crate::CompiledRules::check); time comes in with each message.
/// It is bounded three ways: each member keeps only as many messages as the rules need, and
/// only for as long as the longest window; violations are forgotten after the longest
/// escalation window (at most [`ESCALATION_WINDOW_MAX`](crate::ESCALATION_WINDOW_MAX)); and
/// the number of members is capped, the least recently active going first when it is reached.
#[derive(Debug)]
pub struct AutomodState {
    members: HashMap<(GuildId, UserId), Member>,
    max_members: usize,
}

impl Default for AutomodState {
    fn default() -> Self {
        Self::new()
    }
}

/// A message as the state records it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Observation {
    pub(crate) guild: GuildId,
    pub(crate) user: UserId,
    pub(crate) id: MessageId,
    pub(crate) at: Timestamp,
    /// Hash of the normalised text, 0 when it is not to be compared.
    pub(crate) text: u64,
    /// How far back rate is counted; `None` when the rule is off.
    pub(crate) rate_window: Option<Duration>,
    /// How far back duplicates are counted; `None` when the rule is off.
    pub(crate) duplicate_window: Option<Duration>,
}

/// What the state saw in its memory for an [`Observation`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Observed {
    /// The message was seen before (a replayed event): it was not recorded again.
    pub(crate) replayed: bool,
    /// Messages from the member within the rate window, this one included.
    pub(crate) in_rate_window: u32,
    /// Messages with the same text within the duplicate window, this one included.
    pub(crate) copies: u32,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl AutomodState {
    /// An empty state remembering at most [`STATE_MEMBERS_DEFAULT`] members.
    pub fn new() -> Self {
        Self::with_max_members(STATE_MEMBERS_DEFAULT)
    }

    /// An empty state remembering at most `max_members` members (at least 1).
    pub fn with_max_members(max_members: usize) -> Self {
        Self {
            members: HashMap::new(),
            max_members: max_members.max(1),
        }
    }

    /// How many members are remembered.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether no member is remembered.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Forgets every member whose messages and violations are all out of their windows at
    /// `now`; returns how many were forgotten. Call it now and then (each minute, say); the
    /// state also calls it itself when it is full.
    pub fn expire(&mut self, now: Timestamp) -> usize {
        let before = self.members.len();
        let now = now.unix_millis();
        self.members.retain(|_, m| m.expires_at > now);
        before - self.members.len()
    }

    /// Forgets one member (who left, or whose data is to be deleted).
    pub fn forget(&mut self, guild: GuildId, user: UserId) {
        self.members.remove(&(guild, user));
    }

    /// The member's violations within `within` before `now`.
    pub fn violations(
        &self,
        guild: GuildId,
        user: UserId,
        now: Timestamp,
        within: Duration,
    ) -> u32 {
        self.members.get(&(guild, user)).map_or(0, |m| {
            count_since(
                &m.violations,
                now.unix_millis().saturating_sub(millis(within)),
            )
        })
    }

    fn member(&mut self, guild: GuildId, user: UserId, now: i64) -> &mut Member {
        let key = (guild, user);
        if !self.members.contains_key(&key) && self.members.len() >= self.max_members {
            self.make_room(now);
        }
        self.members.entry(key).or_default()
    }

    /// Drops expired members, and if that is not enough the least recently active eighth.
    fn make_room(&mut self, now: i64) {
        self.expire(Timestamp::from_unix_millis(now));
        if self.members.len() < self.max_members {
            return;
        }
        let mut seen: Vec<i64> = self.members.values().map(|m| m.last_seen).collect();
        let cut = (seen.len() / 8).max(1);
        let (_, &mut threshold, _) = seen.select_nth_unstable(cut - 1);
        let mut dropped = 0;
        self.members.retain(|_, m| {
            let drop = dropped < cut && m.last_seen <= threshold;
            dropped += usize::from(drop);
            !drop
        });
    }

    /// Records a message (unless it was seen before) and counts what the rate and duplicate
    /// limits need.
    pub(crate) fn observe(&mut self, o: Observation, horizon: Horizon) -> Observed {
        let now = o.at.unix_millis();
        let member = self.member(o.guild, o.user, now);
        if member.messages.iter().any(|s| s.id == o.id.get()) {
            return Observed {
                replayed: true,
                ..Observed::default()
            };
        }
        let keep_from = now.saturating_sub(millis(horizon.messages_for));
        while member.messages.front().is_some_and(|s| s.at < keep_from) {
            member.messages.pop_front();
        }
        if member.messages.capacity() < horizon.messages {
            member
                .messages
                .reserve_exact(horizon.messages - member.messages.len());
        }
        if member.messages.len() >= horizon.messages {
            member.messages.pop_front();
        }
        member.messages.push_back(Seen {
            at: now,
            id: o.id.get(),
            text: o.text,
        });
        member.last_seen = member.last_seen.max(now);
        member.expires_at = member
            .expires_at
            .max(now.saturating_add(millis(horizon.messages_for)));
        let since = |window: Duration| now.saturating_sub(millis(window));
        let in_window = |from: i64, s: &&Seen| s.at > from && s.at <= now;
        Observed {
            replayed: false,
            in_rate_window: o.rate_window.map_or(0, |w| {
                let from = since(w);
                count(member.messages.iter().filter(|s| in_window(from, s)))
            }),
            copies: match o.duplicate_window {
                Some(w) if o.text != 0 => {
                    let from = since(w);
                    count(
                        member
                            .messages
                            .iter()
                            .filter(|s| in_window(from, s) && s.text == o.text),
                    )
                }
                _ => 0,
            },
        }
    }

    /// Records a violation at `at`, remembered for `keep_for`, and returns the member's
    /// violations still remembered (this one included), oldest first.
    pub(crate) fn violation(
        &mut self,
        guild: GuildId,
        user: UserId,
        at: Timestamp,
        keep_for: Duration,
    ) -> &VecDeque<i64> {
        let now = at.unix_millis();
        let member = self.member(guild, user, now);
        let keep_from = now.saturating_sub(millis(keep_for));
        while member.violations.front().is_some_and(|&v| v <= keep_from) {
            member.violations.pop_front();
        }
        if member.violations.len() >= VIOLATIONS_KEPT {
            member.violations.pop_front();
        }
        member.violations.push_back(now);
        member.last_seen = member.last_seen.max(now);
        member.expires_at = member.expires_at.max(now.saturating_add(millis(keep_for)));
        &member.violations
    }
}

fn count<T>(iter: impl Iterator<Item = T>) -> u32 {
    u32::try_from(iter.count()).unwrap_or(u32::MAX)
}

/// Violations after `from`.
pub(crate) fn count_since(violations: &VecDeque<i64>, from: i64) -> u32 {
    count(violations.iter().filter(|&&v| v > from))
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: GuildId = GuildId::new(1);

    fn horizon() -> Horizon {
        Horizon {
            messages: 4,
            messages_for: Duration::from_secs(10),
            violations_for: Duration::from_secs(60),
        }
    }

    fn seen(state: &mut AutomodState, user: u64, id: u64, secs: i64, text: u64) -> Observed {
        state.observe(
            Observation {
                guild: G,
                user: UserId::new(user),
                id: MessageId::new(id),
                at: Timestamp::from_unix_secs(secs),
                text,
                rate_window: Some(Duration::from_secs(5)),
                duplicate_window: Some(Duration::from_secs(10)),
            },
            horizon(),
        )
    }

    #[test]
    fn messages_are_counted_within_their_windows() {
        let mut state = AutomodState::new();
        assert_eq!(seen(&mut state, 1, 1, 100, 7).in_rate_window, 1);
        assert_eq!(seen(&mut state, 1, 2, 102, 7).in_rate_window, 2);
        let third = seen(&mut state, 1, 3, 106, 7);
        // The first message is 6 s old: out of the 5 s rate window, inside the 10 s one.
        assert_eq!((third.in_rate_window, third.copies), (2, 3));
        assert_eq!(
            seen(&mut state, 2, 4, 106, 7).copies,
            1,
            "members are apart"
        );
    }

    #[test]
    fn a_replayed_message_is_not_counted_twice() {
        let mut state = AutomodState::new();
        seen(&mut state, 1, 1, 100, 7);
        let again = seen(&mut state, 1, 1, 100, 7);
        assert!(again.replayed);
        assert_eq!(seen(&mut state, 1, 2, 101, 7).copies, 2);
    }

    #[test]
    fn history_is_capped_per_member() {
        let mut state = AutomodState::new();
        for id in 1..=10 {
            seen(&mut state, 1, id, 100, 7);
        }
        assert_eq!(seen(&mut state, 1, 11, 100, 7).copies, 4);
    }

    #[test]
    fn members_expire_after_their_windows() {
        let mut state = AutomodState::new();
        seen(&mut state, 1, 1, 100, 7);
        state.violation(
            G,
            UserId::new(2),
            Timestamp::from_unix_secs(100),
            Duration::from_secs(60),
        );
        assert_eq!(state.expire(Timestamp::from_unix_secs(109)), 0);
        assert_eq!(state.expire(Timestamp::from_unix_secs(110)), 1);
        assert_eq!(state.len(), 1);
        assert_eq!(state.expire(Timestamp::from_unix_secs(160)), 1);
        assert!(state.is_empty());
    }

    #[test]
    fn a_full_state_drops_the_least_recently_active() {
        let mut state = AutomodState::with_max_members(16);
        for user in 1..=16 {
            seen(
                &mut state,
                user,
                user,
                100 + i64::try_from(user).unwrap(),
                7,
            );
        }
        assert_eq!(state.len(), 16);
        seen(&mut state, 99, 99, 105, 7);
        assert_eq!(state.len(), 16 - 2 + 1);
        assert!(!state.members.contains_key(&(G, UserId::new(1))));
        assert!(!state.members.contains_key(&(G, UserId::new(2))));
        assert!(state.members.contains_key(&(G, UserId::new(3))));
    }

    #[test]
    fn violations_are_capped_per_member() {
        let mut state = AutomodState::new();
        let user = UserId::new(1);
        let keep = Duration::from_secs(3_600);
        for secs in 0..100 {
            state.violation(G, user, Timestamp::from_unix_secs(1000 + secs), keep);
        }
        let now = Timestamp::from_unix_secs(1100);
        assert_eq!(
            state.violations(G, user, now, keep),
            u32::try_from(VIOLATIONS_KEPT).unwrap()
        );
    }

    #[test]
    fn violations_decay() {
        let mut state = AutomodState::new();
        let user = UserId::new(1);
        let keep = Duration::from_secs(60);
        for secs in [0, 30, 50] {
            state.violation(G, user, Timestamp::from_unix_secs(1000 + secs), keep);
        }
        let at = |s: i64| Timestamp::from_unix_secs(1000 + s);
        assert_eq!(state.violations(G, user, at(50), keep), 3);
        assert_eq!(state.violations(G, user, at(60), keep), 2);
        assert_eq!(state.violations(G, user, at(200), keep), 0);
    }
}
