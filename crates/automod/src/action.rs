//! What happens when a rule matches, and when violations pile up, as data.

use std::time::Duration;

use hearth_core::{TIMEOUT_MAX, format_duration_long};
use serde::{Deserialize, Serialize};

use crate::SettingsError;

/// What is done to the member when a rule matches (besides deleting the message, which
/// [`Response::delete`] says).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Nothing but a line in the log; the hit does not count toward escalation.
    LogOnly,
    /// A warning to the member; counts toward escalation.
    #[default]
    Warn,
    /// A timeout (Discord's "communication disabled") for `duration`, at most 28 days.
    Timeout {
        /// How long; 1 second to [`TIMEOUT_MAX`].
        #[serde(rename = "duration_secs", with = "secs")]
        duration: Duration,
    },
    /// Removal from the guild; the member can rejoin with an invite.
    Kick,
    /// A ban, for `duration` or for good.
    Ban {
        /// How long until the ban is lifted; `None` bans for good.
        #[serde(rename = "duration_secs", with = "opt_secs", default)]
        duration: Option<Duration>,
    },
}

impl Action {
    /// The action in words, for replies and the mod log: `log only`, `warn`,
    /// `timeout for 10 minutes`, `kick`, `ban for 7 days`, `permanent ban`.
    pub fn describe(&self) -> String {
        match self {
            Self::LogOnly => "log only".to_owned(),
            Self::Warn => "warn".to_owned(),
            Self::Timeout { duration } => {
                format!("timeout for {}", format_duration_long(*duration))
            }
            Self::Kick => "kick".to_owned(),
            Self::Ban { duration: Some(d) } => format!("ban for {}", format_duration_long(*d)),
            Self::Ban { duration: None } => "permanent ban".to_owned(),
        }
    }

    /// How severe the action is, to pick the strongest of several: log only < warn < timeout
    /// (longer is stronger) < kick < ban (permanent is strongest).
    pub fn severity(&self) -> (u8, Duration) {
        match *self {
            Self::LogOnly => (0, Duration::ZERO),
            Self::Warn => (1, Duration::ZERO),
            Self::Timeout { duration } => (2, duration),
            Self::Kick => (3, Duration::ZERO),
            Self::Ban { duration: Some(d) } => (4, d),
            Self::Ban { duration: None } => (4, Duration::MAX),
        }
    }

    /// Whether a hit with this action counts as a violation toward escalation: every action
    /// but [`Action::LogOnly`] does.
    pub fn counts(&self) -> bool {
        !matches!(self, Self::LogOnly)
    }

    pub(crate) fn check(&self) -> Result<(), SettingsError> {
        match *self {
            Self::Timeout { duration }
            | Self::Ban {
                duration: Some(duration),
            } if duration.is_zero() => Err(SettingsError::ZeroDuration),
            Self::Timeout { duration } if duration > TIMEOUT_MAX => {
                Err(SettingsError::TimeoutTooLong { max: TIMEOUT_MAX })
            }
            _ => Ok(()),
        }
    }
}

/// What a rule does when it matches: delete the message or not, and what to do to the member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Response {
    /// Delete the offending message.
    pub delete: bool,
    /// What is done to the member.
    pub action: Action,
}

impl Default for Response {
    /// Delete the message and warn the member.
    fn default() -> Self {
        Self {
            delete: true,
            action: Action::Warn,
        }
    }
}

impl Response {
    /// Log the hit and do nothing else (a rule being tried out).
    pub const LOG_ONLY: Self = Self {
        delete: false,
        action: Action::LogOnly,
    };

    /// Delete the message and apply `action`.
    pub const fn delete_and(action: Action) -> Self {
        Self {
            delete: true,
            action,
        }
    }
}

/// The most escalation steps a guild may have.
pub const ESCALATION_STEPS_MAX: usize = 10;

/// The highest violation count an escalation step may wait for.
pub const ESCALATION_VIOLATIONS_MAX: u32 = 50;

/// The longest window an escalation step may count violations in. Violations older than the
/// longest window in use are forgotten, which is what bounds the per-member state.
pub const ESCALATION_WINDOW_MAX: Duration = Duration::from_secs(24 * 60 * 60);

/// One escalation step: when a member has `violations` violations within `within`, `action`
/// is due ("3 violations in 10 minutes → timeout 10 minutes").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EscalationStep {
    /// The violation count that triggers the step, 1 to [`ESCALATION_VIOLATIONS_MAX`].
    pub violations: u32,
    /// The window violations are counted in, up to [`ESCALATION_WINDOW_MAX`].
    #[serde(rename = "within_secs", with = "secs")]
    pub within: Duration,
    /// What is due.
    pub action: Action,
}

impl EscalationStep {
    pub(crate) fn check(&self) -> Result<(), SettingsError> {
        if self.violations == 0 || self.violations > ESCALATION_VIOLATIONS_MAX {
            return Err(SettingsError::ViolationsOutOfRange {
                max: ESCALATION_VIOLATIONS_MAX,
                violations: self.violations,
            });
        }
        if self.within.is_zero() {
            return Err(SettingsError::ZeroDuration);
        }
        if self.within > ESCALATION_WINDOW_MAX {
            return Err(SettingsError::WindowTooLong {
                max: ESCALATION_WINDOW_MAX,
            });
        }
        if !self.action.counts() {
            return Err(SettingsError::EscalationLogOnly);
        }
        self.action.check()
    }
}

pub(crate) mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

mod opt_secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(clippy::ref_option)] // serde's `with` hands us `&Option<_>`
    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        Option::<u64>::deserialize(d).map(|s| s.map(Duration::from_secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_in_words_and_order_by_severity() {
        let ten_minutes = Action::Timeout {
            duration: Duration::from_secs(600),
        };
        assert_eq!(ten_minutes.describe(), "timeout for 10 minutes");
        assert_eq!(Action::Ban { duration: None }.describe(), "permanent ban");
        assert!(ten_minutes.severity() > Action::Warn.severity());
        assert!(Action::Kick.severity() > ten_minutes.severity());
        assert!(!Action::LogOnly.counts());
        assert!(Action::Warn.counts());
    }

    #[test]
    fn actions_serialise_with_seconds() {
        let json = serde_json::to_string(&Action::Timeout {
            duration: Duration::from_secs(600),
        })
        .unwrap();
        assert_eq!(json, r#"{"kind":"timeout","duration_secs":600}"#);
        let back: Action = serde_json::from_str(r#"{"kind":"ban"}"#).unwrap();
        assert_eq!(back, Action::Ban { duration: None });
    }

    #[test]
    fn steps_probe_their_limits() {
        let step = |violations, within| EscalationStep {
            violations,
            within: Duration::from_secs(within),
            action: Action::Kick,
        };
        assert!(step(0, 60).check().is_err());
        assert!(step(1, 60).check().is_ok());
        assert!(step(ESCALATION_VIOLATIONS_MAX, 60).check().is_ok());
        assert!(step(ESCALATION_VIOLATIONS_MAX + 1, 60).check().is_err());
        let max = ESCALATION_WINDOW_MAX.as_secs();
        assert!(step(3, max).check().is_ok());
        assert_eq!(
            step(3, max + 1).check(),
            Err(SettingsError::WindowTooLong {
                max: ESCALATION_WINDOW_MAX
            })
        );
        let timeout = |secs| Action::Timeout {
            duration: Duration::from_secs(secs),
        };
        assert!(timeout(TIMEOUT_MAX.as_secs()).check().is_ok());
        assert!(timeout(TIMEOUT_MAX.as_secs() + 1).check().is_err());
        assert_eq!(timeout(0).check(), Err(SettingsError::ZeroDuration));
    }
}
