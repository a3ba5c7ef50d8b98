//! Auto-close: after a stretch of silence the ticket is warned, and closed if the silence goes
//! on; any message cancels the warning (see [`Ticket::message`](crate::Ticket::message)).
//!
//! [`AutoClosePolicy::step`] is a pure decision over the ticket and `now`; the caller (the bot's
//! scheduler) asks it when the last step said to, and writes the result through the service,
//! whose update is conditional on the ticket not having changed since it was read.

use std::time::Duration;

use hearth_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{SettingsError, Ticket, limits::secs, settings::duration_in};

/// The shortest silence before a warning.
pub const INACTIVE_AFTER_MIN: Duration = Duration::from_secs(3_600);
/// The longest silence before a warning.
pub const INACTIVE_AFTER_MAX: Duration = Duration::from_secs(30 * 24 * 3_600);
/// The shortest time between the warning and the close.
pub const GRACE_MIN: Duration = Duration::from_secs(60);
/// The longest time between the warning and the close.
pub const GRACE_MAX: Duration = Duration::from_secs(7 * 24 * 3_600);

/// When inactive tickets are warned and closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoClosePolicy {
    /// Silence before the warning.
    #[serde(with = "secs")]
    pub inactive_after: Duration,
    /// Time after the warning before closing, if nobody writes.
    #[serde(with = "secs")]
    pub grace: Duration,
}

/// What auto-close should do to a ticket now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoCloseStep {
    /// Nothing yet; ask again at `until`.
    Wait {
        /// When the next step is due.
        until: Timestamp,
    },
    /// Post the warning (it closes at `closes_at` unless someone writes).
    Warn {
        /// When it will close.
        closes_at: Timestamp,
    },
    /// Close it.
    Close,
    /// Nothing ever: the ticket is closed.
    Never,
}

impl AutoClosePolicy {
    /// The step due for `ticket` at `now`.
    pub fn step(&self, ticket: &Ticket, now: Timestamp) -> AutoCloseStep {
        if !ticket.is_active() {
            return AutoCloseStep::Never;
        }
        match ticket.inactivity_warned_at {
            // A warning older than the last message was cancelled by it.
            Some(warned) if warned >= ticket.last_activity_at => {
                let closes_at = warned.saturating_add(self.grace);
                if now >= closes_at {
                    AutoCloseStep::Close
                } else {
                    AutoCloseStep::Wait { until: closes_at }
                }
            }
            _ => {
                let warn_at = ticket.last_activity_at.saturating_add(self.inactive_after);
                if now >= warn_at {
                    AutoCloseStep::Warn {
                        closes_at: now.saturating_add(self.grace),
                    }
                } else {
                    AutoCloseStep::Wait { until: warn_at }
                }
            }
        }
    }

    /// Checks the ranges.
    ///
    /// # Errors
    ///
    /// [`SettingsError::OutOfRange`].
    pub fn validate(&self) -> Result<(), SettingsError> {
        duration_in(
            "the inactivity before auto-close (seconds)",
            self.inactive_after,
            INACTIVE_AFTER_MIN,
            INACTIVE_AFTER_MAX,
        )?;
        duration_in(
            "the auto-close grace (seconds)",
            self.grace,
            GRACE_MIN,
            GRACE_MAX,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ticket;

    const HOUR: Duration = Duration::from_secs(3_600);

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_unix_secs(secs)
    }

    #[test]
    fn silence_brings_a_warning_then_a_close() {
        let policy = AutoClosePolicy {
            inactive_after: 24 * HOUR,
            grace: HOUR,
        };
        let t = ticket(); // last activity at 100 s
        let warn_at = at(100 + 24 * 3_600);
        assert_eq!(
            policy.step(&t, at(1_000)),
            AutoCloseStep::Wait { until: warn_at }
        );
        assert_eq!(
            policy.step(&t, warn_at),
            AutoCloseStep::Warn {
                closes_at: warn_at.saturating_add(HOUR)
            }
        );
        let warned = t.warn_inactive(warn_at).unwrap();
        let close_at = warn_at.saturating_add(HOUR);
        assert_eq!(
            policy.step(&warned, warn_at),
            AutoCloseStep::Wait { until: close_at }
        );
        assert_eq!(
            policy.step(&warned, close_at.saturating_sub(Duration::from_millis(1))),
            AutoCloseStep::Wait { until: close_at }
        );
        assert_eq!(policy.step(&warned, close_at), AutoCloseStep::Close);
        let closed = warned.close(None, None, close_at).unwrap();
        assert_eq!(policy.step(&closed, close_at), AutoCloseStep::Never);
    }

    #[test]
    fn a_message_after_the_warning_starts_the_silence_again() {
        let policy = AutoClosePolicy {
            inactive_after: 24 * HOUR,
            grace: HOUR,
        };
        let warned = ticket().warn_inactive(at(90_000)).unwrap();
        let spoke = warned.message(warned.opener, false, at(90_060)).unwrap();
        assert_eq!(
            policy.step(&spoke, at(90_000 + 3_600)),
            AutoCloseStep::Wait {
                until: at(90_060 + 24 * 3_600)
            }
        );
    }

    #[test]
    fn policies_are_probed_at_their_edges() {
        let ok = AutoClosePolicy {
            inactive_after: INACTIVE_AFTER_MIN,
            grace: GRACE_MAX,
        };
        assert_eq!(ok.validate(), Ok(()));
        let short = AutoClosePolicy {
            inactive_after: INACTIVE_AFTER_MIN.saturating_sub(Duration::from_secs(1)),
            ..ok
        };
        assert!(short.validate().is_err());
        let long = AutoClosePolicy {
            grace: GRACE_MAX.saturating_add(Duration::from_secs(1)),
            ..ok
        };
        assert!(long.validate().is_err());
    }
}
