//! Escalation: what happens automatically when warnings pile up.
//!
//! A guild's policy is a list of steps such as "3 warnings → timeout 1 h" or "5 warnings
//! within 7 days → kick". After each warning the service counts the member's warnings (within
//! each step's window) and reports the step that has just been reached; the bot carries it out.

use std::time::Duration;

use hearth_core::{TIMEOUT_MAX, Timestamp, format_duration_long};
use serde::{Deserialize, Serialize};

use crate::PolicyError;

/// The most steps one escalation policy may have.
pub const ESCALATION_STEPS_MAX: usize = 10;

/// The highest warning count a step may wait for.
pub const ESCALATION_WARNINGS_MAX: u32 = 100;

/// An action a moderator (or an escalation step) takes against a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Punishment {
    /// Time the member out (Discord's "communication disabled") for `duration`, at most 28 days.
    Timeout {
        /// How long; 1 second to [`TIMEOUT_MAX`].
        #[serde(rename = "duration_secs", with = "secs")]
        duration: Duration,
    },
    /// Remove the member from the guild; they can rejoin with an invite.
    Kick,
    /// Ban the member, for `duration` or for good.
    Ban {
        /// How long until the ban is lifted; `None` bans for good.
        #[serde(rename = "duration_secs", with = "opt_secs", default)]
        duration: Option<Duration>,
    },
}

impl Punishment {
    /// The punishment in words, for replies and the mod log: `timeout for 1 hour`, `kick`,
    /// `ban for 7 days`, `permanent ban`.
    pub fn describe(&self) -> String {
        match self {
            Self::Timeout { duration } => {
                format!("timeout for {}", format_duration_long(*duration))
            }
            Self::Kick => "kick".to_owned(),
            Self::Ban { duration: Some(d) } => format!("ban for {}", format_duration_long(*d)),
            Self::Ban { duration: None } => "permanent ban".to_owned(),
        }
    }

    fn check(&self) -> Result<(), PolicyError> {
        match *self {
            Self::Timeout { duration } if duration.is_zero() => Err(PolicyError::ZeroDuration),
            Self::Timeout { duration } if duration > TIMEOUT_MAX => {
                Err(PolicyError::TimeoutTooLong { max: TIMEOUT_MAX })
            }
            Self::Ban { duration: Some(d) } if d.is_zero() => Err(PolicyError::ZeroDuration),
            _ => Ok(()),
        }
    }
}

/// One step of an escalation policy: when a member reaches `warnings` warnings (counting only
/// those given within `within`, if set), `action` is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EscalationStep {
    /// The warning count that triggers the step, 1 to [`ESCALATION_WARNINGS_MAX`].
    pub warnings: u32,
    /// Count only warnings given this long before the latest one; `None` counts them all.
    #[serde(rename = "within_secs", with = "opt_secs", default)]
    pub within: Option<Duration>,
    /// What is due.
    pub action: Punishment,
}

/// A guild's escalation steps, checked: at most [`ESCALATION_STEPS_MAX`] steps, thresholds from
/// 1 to [`ESCALATION_WARNINGS_MAX`], no two steps with the same threshold and window, timeouts
/// within Discord's 28 days. Steps are kept ordered by threshold.
///
/// The default is the earlier bot's rule: 3 warnings → timeout for 1 hour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<EscalationStep>", into = "Vec<EscalationStep>")]
pub struct EscalationPolicy {
    steps: Vec<EscalationStep>,
}

impl EscalationPolicy {
    /// A policy from its steps, in any order.
    ///
    /// # Errors
    ///
    /// [`PolicyError::TooManySteps`], [`PolicyError::WarningsOutOfRange`],
    /// [`PolicyError::DuplicateStep`], [`PolicyError::TimeoutTooLong`] or
    /// [`PolicyError::ZeroDuration`] when a step breaks the rules above.
    pub fn new(mut steps: Vec<EscalationStep>) -> Result<Self, PolicyError> {
        if steps.len() > ESCALATION_STEPS_MAX {
            return Err(PolicyError::TooManySteps {
                max: ESCALATION_STEPS_MAX,
                len: steps.len(),
            });
        }
        for step in &steps {
            if !(1..=ESCALATION_WARNINGS_MAX).contains(&step.warnings) {
                return Err(PolicyError::WarningsOutOfRange {
                    max: ESCALATION_WARNINGS_MAX,
                    warnings: step.warnings,
                });
            }
            if step.within.is_some_and(|w| w.is_zero()) {
                return Err(PolicyError::ZeroDuration);
            }
            step.action.check()?;
        }
        steps.sort_by_key(|s| (s.warnings, s.within));
        if let Some(pair) = steps
            .windows(2)
            .find(|p| (p[0].warnings, p[0].within) == (p[1].warnings, p[1].within))
        {
            return Err(PolicyError::DuplicateStep {
                warnings: pair[0].warnings,
            });
        }
        Ok(Self { steps })
    }

    /// A policy that never escalates.
    pub fn none() -> Self {
        Self { steps: Vec::new() }
    }

    /// The steps, ordered by threshold.
    pub fn steps(&self) -> &[EscalationStep] {
        &self.steps
    }

    /// The step due for a warning given at `now`, from the times of the member's warnings as
    /// that warning's insert left them (the warning itself included, none stored after it: the
    /// [`history`](crate::AddedWarning::history) the store returns).
    ///
    /// A step is due for the warning whose insert made its count equal its threshold: the
    /// count is every warning in that history, or, for a step with a window, those given after
    /// `now − within` (a warning stamped later than `now` but stored earlier counts: two
    /// moderators' commands arrive in either order). Counting at the insert, with the history
    /// as of the insert, makes a step fire exactly once as the count reaches it, however many
    /// warnings run concurrently; a later warning does not repeat it. A windowed step can fire
    /// again once earlier warnings have left its window and the count reaches the threshold
    /// anew. When several steps are due, the one with the highest threshold wins (on a tie,
    /// the one with a window, being the stricter condition).
    ///
    /// ```
    /// use std::time::Duration;
    /// use hearth_core::Timestamp;
    /// use hearth_moderation::{EscalationPolicy, Punishment};
    ///
    /// let policy = EscalationPolicy::default(); // 3 warnings → timeout 1 h
    /// let t = |s| Timestamp::from_unix_secs(s);
    /// assert_eq!(policy.due(&[t(1), t(2)], t(2)), None);
    /// let step = policy.due(&[t(1), t(2), t(3)], t(3)).unwrap();
    /// assert_eq!(step.action, Punishment::Timeout { duration: Duration::from_secs(3600) });
    /// assert_eq!(policy.due(&[t(1), t(2), t(3), t(4)], t(4)), None);
    /// ```
    pub fn due(&self, warned_at: &[Timestamp], now: Timestamp) -> Option<&EscalationStep> {
        self.steps
            .iter()
            .filter(|step| {
                let count = match step.within {
                    None => warned_at.len(),
                    Some(window) => {
                        let since = now.saturating_sub(window);
                        warned_at.iter().filter(|&&at| at > since).count()
                    }
                };
                count == step.warnings as usize
            })
            .max_by_key(|step| (step.warnings, step.within.is_some()))
    }
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self {
            steps: vec![EscalationStep {
                warnings: 3,
                within: None,
                action: Punishment::Timeout {
                    duration: Duration::from_secs(3_600),
                },
            }],
        }
    }
}

impl TryFrom<Vec<EscalationStep>> for EscalationPolicy {
    type Error = PolicyError;

    fn try_from(steps: Vec<EscalationStep>) -> Result<Self, Self::Error> {
        Self::new(steps)
    }
}

impl From<EscalationPolicy> for Vec<EscalationStep> {
    fn from(policy: EscalationPolicy) -> Self {
        policy.steps
    }
}

mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

mod opt_secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    // serde's `with` hands the field by reference, so the Option must be taken as `&Option`.
    #[allow(clippy::ref_option)]
    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3_600);
    const DAY: Duration = Duration::from_secs(86_400);

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_unix_secs(secs)
    }

    fn step(warnings: u32, within: Option<Duration>, action: Punishment) -> EscalationStep {
        EscalationStep {
            warnings,
            within,
            action,
        }
    }

    fn ladder() -> EscalationPolicy {
        EscalationPolicy::new(vec![
            step(5, None, Punishment::Kick),
            step(3, None, Punishment::Timeout { duration: HOUR }),
            step(7, None, Punishment::Ban { duration: None }),
        ])
        .unwrap()
    }

    #[test]
    fn third_warning_times_out_for_an_hour_by_default() {
        let policy = EscalationPolicy::default();
        let times = [t(10), t(20), t(30)];
        assert_eq!(policy.due(&times[..2], t(20)), None);
        assert_eq!(
            policy.due(&times, t(30)),
            Some(&step(3, None, Punishment::Timeout { duration: HOUR }))
        );
    }

    #[test]
    fn each_step_fires_once_as_the_count_reaches_it() {
        let policy = ladder();
        let times: Vec<Timestamp> = (1..=8).map(t).collect();
        let due: Vec<Option<Punishment>> = (1..=8)
            .map(|n| policy.due(&times[..n], times[n - 1]).map(|s| s.action))
            .collect();
        assert_eq!(
            due,
            [
                None,
                None,
                Some(Punishment::Timeout { duration: HOUR }),
                None,
                Some(Punishment::Kick),
                None,
                Some(Punishment::Ban { duration: None }),
                None,
            ]
        );
    }

    #[test]
    fn windowed_step_counts_only_recent_warnings() {
        let policy = EscalationPolicy::new(vec![step(2, Some(DAY), Punishment::Kick)]).unwrap();
        let day = 86_400;
        // Two warnings more than a day apart: no kick.
        assert_eq!(policy.due(&[t(0), t(day + 1)], t(day + 1)), None);
        // A third, within a day of the second: now two are recent.
        assert_eq!(
            policy
                .due(&[t(0), t(day + 1), t(day + 100)], t(day + 100))
                .map(|s| s.action),
            Some(Punishment::Kick)
        );
        // Exactly one day back is outside the window.
        assert_eq!(policy.due(&[t(0), t(day)], t(day)), None);
    }

    #[test]
    fn a_warning_stamped_later_but_stored_earlier_counts_in_the_window() {
        // Two moderators: the warning at 50 was stored first, the one at 40 second. The second
        // insert is the one that brings the count to 2, so it is the one due the kick.
        let policy = EscalationPolicy::new(vec![step(2, Some(DAY), Punishment::Kick)]).unwrap();
        assert_eq!(policy.due(&[t(50)], t(50)), None);
        assert_eq!(
            policy.due(&[t(50), t(40)], t(40)).map(|s| s.action),
            Some(Punishment::Kick)
        );
    }

    #[test]
    fn highest_threshold_wins_when_several_are_due() {
        let policy = EscalationPolicy::new(vec![
            step(3, None, Punishment::Timeout { duration: HOUR }),
            step(3, Some(DAY), Punishment::Kick),
        ])
        .unwrap();
        let times = [t(1), t(2), t(3)];
        assert_eq!(
            policy.due(&times, t(3)).map(|s| s.action),
            Some(Punishment::Kick)
        );
    }

    #[test]
    fn invalid_policies_are_refused_with_their_reason() {
        let timeout = Punishment::Timeout { duration: HOUR };
        let eleven: Vec<_> = (1..=11).map(|n| step(n, None, timeout)).collect();
        assert_eq!(
            EscalationPolicy::new(eleven),
            Err(PolicyError::TooManySteps { max: 10, len: 11 })
        );
        let ten: Vec<_> = (1..=10).map(|n| step(n, None, timeout)).collect();
        assert!(EscalationPolicy::new(ten).is_ok());
        assert_eq!(
            EscalationPolicy::new(vec![step(0, None, timeout)]),
            Err(PolicyError::WarningsOutOfRange {
                max: 100,
                warnings: 0
            })
        );
        assert!(EscalationPolicy::new(vec![step(100, None, timeout)]).is_ok());
        assert_eq!(
            EscalationPolicy::new(vec![step(101, None, timeout)]),
            Err(PolicyError::WarningsOutOfRange {
                max: 100,
                warnings: 101
            })
        );
        assert_eq!(
            EscalationPolicy::new(vec![
                step(2, None, timeout),
                step(2, None, Punishment::Kick)
            ]),
            Err(PolicyError::DuplicateStep { warnings: 2 })
        );
        assert!(
            EscalationPolicy::new(vec![step(
                1,
                None,
                Punishment::Timeout {
                    duration: TIMEOUT_MAX
                }
            )])
            .is_ok()
        );
        assert_eq!(
            EscalationPolicy::new(vec![step(
                1,
                None,
                Punishment::Timeout {
                    duration: TIMEOUT_MAX + Duration::from_secs(1)
                }
            )]),
            Err(PolicyError::TimeoutTooLong { max: TIMEOUT_MAX })
        );
        assert_eq!(
            EscalationPolicy::new(vec![step(
                1,
                None,
                Punishment::Timeout {
                    duration: Duration::ZERO
                }
            )]),
            Err(PolicyError::ZeroDuration)
        );
        assert_eq!(
            EscalationPolicy::new(vec![step(1, Some(Duration::ZERO), Punishment::Kick)]),
            Err(PolicyError::ZeroDuration)
        );
    }

    #[test]
    fn policy_serialises_as_a_checked_list_of_steps() {
        let json = serde_json::to_value(ladder()).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"warnings": 3, "within_secs": null, "action": {"kind": "timeout", "duration_secs": 3600}},
                {"warnings": 5, "within_secs": null, "action": {"kind": "kick"}},
                {"warnings": 7, "within_secs": null, "action": {"kind": "ban", "duration_secs": null}},
            ])
        );
        assert_eq!(
            serde_json::from_value::<EscalationPolicy>(json).unwrap(),
            ladder()
        );
        // Reading a stored policy applies the same checks.
        let bad = serde_json::json!([{"warnings": 0, "action": {"kind": "kick"}}]);
        assert!(serde_json::from_value::<EscalationPolicy>(bad).is_err());
    }

    #[test]
    fn punishments_describe_themselves_in_words() {
        assert_eq!(
            Punishment::Timeout { duration: HOUR }.describe(),
            "timeout for 1 hour"
        );
        assert_eq!(Punishment::Kick.describe(), "kick");
        assert_eq!(
            Punishment::Ban {
                duration: Some(7 * DAY)
            }
            .describe(),
            "ban for 7 days"
        );
        assert_eq!(
            Punishment::Ban { duration: None }.describe(),
            "permanent ban"
        );
    }
}
