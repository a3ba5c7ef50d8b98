//! Timed actions: what must happen later (lift a ban, a mute, a lockdown; close a ticket),
//! when, and the retry rule when doing it fails.
//!
//! This is shared vocabulary rather than one domain's: moderation schedules unbans and
//! unlocks, tickets will schedule auto-closes, and one scheduler in the bot runs them all. A
//! new kind is one more [`ActionKind`] variant (with its name in [`ActionKind::NAMES`]); the
//! feature that owns it runs it.
//!
//! A [`TimedAction`] is stored by a [`TimedActionStore`] until it is done. A scheduler claims
//! due actions with a lease, so of several bot processes sharing one database exactly one
//! runs each; it then [`complete`](TimedActionStore::complete)s one that worked or gave up,
//! and [`retry_later`](TimedActionStore::retry_later)s one whose Discord call failed, at the
//! time [`next_attempt`] gives. [`MemoryTimedActions`] is the reference store; the
//! `testkit` feature's `timed_action_store_suite!` checks any other against it.

mod memory;
mod store;

use std::{fmt, time::Duration};

use serde::{Deserialize, Serialize};

pub use self::{memory::MemoryTimedActions, store::TimedActionStore};
use crate::{ChannelId, GuildId, RoleId, Timestamp, UserId};

/// How long the first retry waits after a failed attempt.
pub const RETRY_BASE: Duration = Duration::from_secs(30);

/// How much longer each further retry waits than the one before.
pub const RETRY_FACTOR: u32 = 4;

/// The longest a retry ever waits.
pub const RETRY_MAX_DELAY: Duration = Duration::from_secs(3_600);

/// How many attempts an action gets before the scheduler gives up and reports it: with the
/// defaults, attempts at 0 s, +30 s, +2 min, +8 min and +32 min.
pub const MAX_ATTEMPTS: u32 = 5;

/// How long a claim holds an action by default: long enough for a few Discord calls with
/// their retries, short enough that a crashed process's actions run again soon.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// A stored timed action's id, unique per store and never reused: re-scheduling an action
/// gives it a new id, so a worker still holding the old one can no longer complete it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActionId(pub u64);

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What to do when the time comes.
///
/// More kinds will be added (ticket auto-close): match with a wildcard arm. Each kind has a
/// [`name`](ActionKind::name) and a [`subject`](ActionKind::subject), which with the guild
/// make its [`ActionKey`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActionKind {
    /// Lift a ban.
    Unban {
        /// The banned user.
        #[serde(rename = "user_id")]
        user: UserId,
    },
    /// Lift a mute: remove the mute role, when the mute used one.
    Unmute {
        /// The muted member.
        #[serde(rename = "user_id")]
        user: UserId,
        /// The mute role to remove; `None` for a mute done otherwise.
        #[serde(rename = "role_id", default)]
        role: Option<RoleId>,
    },
    /// End a lockdown of a channel (restoring its overwrites is the caller's business).
    Unlock {
        /// The locked channel.
        #[serde(rename = "channel_id")]
        channel: ChannelId,
    },
    /// Take a ticket's next auto-close step (warn, then close) unless someone wrote since.
    CloseTicket {
        /// The ticket's channel.
        #[serde(rename = "channel_id")]
        channel: ChannelId,
    },
    /// Close a ticket whose close request went unanswered, unless it was answered since.
    CloseRequested {
        /// The ticket's channel.
        #[serde(rename = "channel_id")]
        channel: ChannelId,
    },
}

impl ActionKind {
    /// The name of every kind this release knows, as [`ActionKind::name`] gives it. Stores
    /// claim only these, so an action a newer release scheduled waits for a process that knows
    /// it instead of failing every claim.
    pub const NAMES: &'static [&'static str] = &[
        "unban",
        "unmute",
        "unlock",
        "close_ticket",
        "close_requested",
    ];

    /// The kind's name: `unban`, `unmute`, `unlock`, `close_ticket`, `close_requested`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Unban { .. } => "unban",
            Self::Unmute { .. } => "unmute",
            Self::Unlock { .. } => "unlock",
            Self::CloseTicket { .. } => "close_ticket",
            Self::CloseRequested { .. } => "close_requested",
        }
    }

    /// The id the action is about: the user for an unban or unmute, the channel for an unlock
    /// or a ticket's timers.
    pub const fn subject(&self) -> u64 {
        match self {
            Self::Unban { user } | Self::Unmute { user, .. } => user.get(),
            Self::Unlock { channel }
            | Self::CloseTicket { channel }
            | Self::CloseRequested { channel } => channel.get(),
        }
    }
}

/// What makes two pending actions the same: the guild, the kind's name and its subject (an
/// unmute's role is not part of it). A guild has at most one pending action per key, so
/// scheduling an unban for a user who has one replaces its time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionKey {
    guild: GuildId,
    name: &'static str,
    subject: u64,
}

impl ActionKey {
    /// The key of `kind` in `guild`.
    pub const fn new(guild: GuildId, kind: &ActionKind) -> Self {
        Self {
            guild,
            name: kind.name(),
            subject: kind.subject(),
        }
    }

    /// The guild.
    pub const fn guild(&self) -> GuildId {
        self.guild
    }

    /// The kind's name ([`ActionKind::name`]).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The kind's subject ([`ActionKind::subject`]).
    pub const fn subject(&self) -> u64 {
        self.subject
    }
}

impl fmt::Display for ActionKey {
    /// `<name>:<subject>`, unique within a guild (how stores write it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.subject)
    }
}

/// An action to schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewTimedAction {
    /// The guild it happens in.
    pub guild: GuildId,
    /// What happens.
    pub kind: ActionKind,
    /// When it is due.
    pub due_at: Timestamp,
    /// The moderation case number that set the timer (the ban or mute), for the mod log;
    /// `None` when none did (a ticket's auto-close).
    pub case: Option<u64>,
    /// When it was scheduled.
    pub scheduled_at: Timestamp,
}

/// A pending timed action as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimedAction {
    /// Its id, new at every (re-)scheduling.
    pub id: ActionId,
    /// The guild it happens in.
    pub guild: GuildId,
    /// What happens.
    pub kind: ActionKind,
    /// When it is due; after a failed attempt, when the next is.
    pub due_at: Timestamp,
    /// How many times it has been claimed: 1 during the first attempt.
    pub attempts: u32,
    /// The moderation case number that set the timer, if any.
    pub case: Option<u64>,
    /// When it was scheduled.
    pub scheduled_at: Timestamp,
}

impl TimedAction {
    /// The action as first stored for `id`.
    pub fn new(id: ActionId, new: NewTimedAction) -> Self {
        Self {
            id,
            guild: new.guild,
            kind: new.kind,
            due_at: new.due_at,
            attempts: 0,
            case: new.case,
            scheduled_at: new.scheduled_at,
        }
    }

    /// Its key.
    pub const fn key(&self) -> ActionKey {
        ActionKey::new(self.guild, &self.kind)
    }
}

/// Who holds a lease: one scheduler, e.g. `<host>:<pid>:<random>`. Two processes must never
/// use the same owner.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LeaseOwner(String);

impl LeaseOwner {
    /// An owner named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LeaseOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A request to claim due actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRequest {
    /// The time now (from the scheduler's clock): actions due at or before it are claimed.
    pub now: Timestamp,
    /// How long the claim holds them ([`DEFAULT_LEASE`]); then they are claimable again.
    pub lease: Duration,
    /// Who claims.
    pub owner: LeaseOwner,
    /// At most this many are claimed.
    pub limit: u32,
}

impl ClaimRequest {
    /// When the lease ends: `now + lease`.
    pub fn lease_until(&self) -> Timestamp {
        self.now.saturating_add(self.lease)
    }
}

/// An action claimed for its owner until `lease_until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    /// The action, its [`attempts`](TimedAction::attempts) counting this claim.
    pub action: TimedAction,
    /// When the lease ends and another claim may take it.
    pub lease_until: Timestamp,
}

/// What to do after an attempt failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextAttempt {
    /// Try again at this time ([`retry_later`](TimedActionStore::retry_later)).
    RetryAt(Timestamp),
    /// Stop after [`MAX_ATTEMPTS`]: report it and
    /// [`complete`](TimedActionStore::complete) it.
    GiveUp,
}

/// How long to wait after failed attempt number `attempts` (1 for the first), or `None` when
/// it was the last: [`RETRY_BASE`] × [`RETRY_FACTOR`]^(attempts − 1), at most
/// [`RETRY_MAX_DELAY`], for attempts below [`MAX_ATTEMPTS`].
///
/// ```
/// use std::time::Duration;
/// use hearth_core::timed::retry_delay;
///
/// assert_eq!(retry_delay(1), Some(Duration::from_secs(30)));
/// assert_eq!(retry_delay(2), Some(Duration::from_secs(120)));
/// assert_eq!(retry_delay(5), None);
/// ```
pub fn retry_delay(attempts: u32) -> Option<Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let exponent = attempts.saturating_sub(1);
    let factor = RETRY_FACTOR.checked_pow(exponent).unwrap_or(u32::MAX);
    Some(
        RETRY_BASE
            .checked_mul(factor)
            .map_or(RETRY_MAX_DELAY, |d| d.min(RETRY_MAX_DELAY)),
    )
}

/// What follows failed attempt number `attempts` at `now`: a retry after [`retry_delay`], or
/// giving up.
pub fn next_attempt(attempts: u32, now: Timestamp) -> NextAttempt {
    retry_delay(attempts).map_or(NextAttempt::GiveUp, |delay| {
        NextAttempt::RetryAt(now.saturating_add(delay))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_by_the_factor_and_give_up_at_the_limit() {
        let delays: Vec<Option<u64>> = (0..=MAX_ATTEMPTS + 1)
            .map(|n| retry_delay(n).map(|d| d.as_secs()))
            .collect();
        assert_eq!(
            delays,
            [
                Some(30),
                Some(30),
                Some(120),
                Some(480),
                Some(1_920),
                None,
                None
            ]
        );
        let now = Timestamp::from_unix_secs(1_000);
        assert_eq!(
            next_attempt(1, now),
            NextAttempt::RetryAt(Timestamp::from_unix_secs(1_030))
        );
        assert_eq!(next_attempt(MAX_ATTEMPTS - 1, now), {
            NextAttempt::RetryAt(Timestamp::from_unix_secs(1_000 + 1_920))
        });
        assert_eq!(next_attempt(MAX_ATTEMPTS, now), NextAttempt::GiveUp);
    }

    #[test]
    fn delays_are_capped() {
        // The rule itself caps, whatever the constants become.
        assert!(retry_delay(4).unwrap() <= RETRY_MAX_DELAY);
        assert_eq!(retry_delay(u32::MAX), None);
    }

    #[test]
    fn the_key_ignores_an_unmutes_role_and_names_kind_and_subject() {
        let guild = GuildId::new(7);
        let with = ActionKind::Unmute {
            user: UserId::new(5),
            role: Some(RoleId::new(9)),
        };
        let without = ActionKind::Unmute {
            user: UserId::new(5),
            role: None,
        };
        assert_eq!(
            ActionKey::new(guild, &with),
            ActionKey::new(guild, &without)
        );
        let unban = ActionKey::new(
            guild,
            &ActionKind::Unban {
                user: UserId::new(5),
            },
        );
        assert_ne!(unban, ActionKey::new(guild, &with));
        assert_eq!(unban.to_string(), "unban:5");
        for kind in [
            with,
            ActionKind::Unban {
                user: UserId::new(5),
            },
            ActionKind::Unlock {
                channel: ChannelId::new(3),
            },
            ActionKind::CloseRequested {
                channel: ChannelId::new(3),
            },
        ] {
            assert!(ActionKind::NAMES.contains(&kind.name()));
        }
    }

    #[test]
    fn kinds_serialise_tagged_with_string_ids() {
        let kind = ActionKind::Unmute {
            user: UserId::new(5),
            role: Some(RoleId::new(9)),
        };
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, r#"{"kind":"unmute","user_id":"5","role_id":"9"}"#);
        assert_eq!(serde_json::from_str::<ActionKind>(&json).unwrap(), kind);
        let old = r#"{"kind":"unmute","user_id":"5"}"#;
        assert_eq!(
            serde_json::from_str::<ActionKind>(old).unwrap(),
            ActionKind::Unmute {
                user: UserId::new(5),
                role: None
            }
        );
    }
}
