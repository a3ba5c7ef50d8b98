//! Escalation policies as moderators type them: `3 timeout 1h, 5 timeout 1d, 7 ban 7d`.

use std::{fmt::Write as _, time::Duration};

use hearth_core::{DurationBounds, format_duration};

use crate::{EscalationPolicy, EscalationStep, PolicyError, Punishment};

impl EscalationPolicy {
    /// Reads a policy: steps separated by commas, each `WARNINGS ACTION [DURATION]` with
    /// ACTION one of `timeout` (or `mute`; a duration is required), `kick`, `ban` (a duration
    /// makes it timed); `none` is the policy that never escalates. `window` makes every step
    /// count only the warnings of that long before the latest.
    ///
    /// ```
    /// use std::time::Duration;
    /// use hearth_moderation::{EscalationPolicy, Punishment};
    ///
    /// let policy = EscalationPolicy::parse("3 timeout 1h, 7 ban 7d, 5 kick", Some(Duration::from_secs(30 * 86_400)))?;
    /// assert_eq!(policy.steps().len(), 3);
    /// assert_eq!(policy.steps()[1].action, Punishment::Kick);
    /// assert_eq!(policy.to_text(), "3 timeout 1h, 5 kick, 7 ban 1w (within 4w2d)");
    /// # Ok::<(), hearth_moderation::PolicyError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`PolicyError::Unreadable`] for a step it cannot read (a duration out of range
    /// included), and every error of [`EscalationPolicy::new`].
    pub fn parse(text: &str, window: Option<Duration>) -> Result<Self, PolicyError> {
        if window.is_some_and(|w| w.is_zero()) {
            return Err(PolicyError::ZeroDuration);
        }
        let text = text.trim();
        if text.eq_ignore_ascii_case("none") {
            return Ok(Self::none());
        }
        let steps = text
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|step| parse_step(step, window))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(steps)
    }

    /// The policy as [`EscalationPolicy::parse`] reads it: `3 timeout 1h, 5 kick (within 30d)`
    /// when every step has the same window, each step's own `(within …)` otherwise; `none`
    /// for no steps.
    pub fn to_text(&self) -> String {
        if self.steps().is_empty() {
            return "none".to_owned();
        }
        let windows: Vec<Option<Duration>> = self.steps().iter().map(|s| s.within).collect();
        let shared = windows.windows(2).all(|w| w[0] == w[1]);
        let mut out = String::new();
        for (i, step) in self.steps().iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{} {}", step.warnings, action_text(step.action));
            if !shared && let Some(within) = step.within {
                let _ = write!(out, " (within {})", format_duration(within));
            }
        }
        if shared && let Some(Some(within)) = windows.first() {
            let _ = write!(out, " (within {})", format_duration(*within));
        }
        out
    }
}

fn action_text(action: Punishment) -> String {
    match action {
        Punishment::Timeout { duration } => format!("timeout {}", format_duration(duration)),
        Punishment::Kick => "kick".to_owned(),
        Punishment::Ban { duration: Some(d) } => format!("ban {}", format_duration(d)),
        Punishment::Ban { duration: None } => "ban".to_owned(),
    }
}

fn parse_step(step: &str, within: Option<Duration>) -> Result<EscalationStep, PolicyError> {
    let unreadable = || PolicyError::Unreadable {
        step: step.to_owned(),
    };
    let words: Vec<&str> = step.split_whitespace().collect();
    let (warnings, action, duration) = match words[..] {
        [n, action] => (n, action, None),
        [n, action, duration] => (n, action, Some(duration)),
        _ => return Err(unreadable()),
    };
    let warnings: u32 = warnings.parse().map_err(|_| unreadable())?;
    let duration = duration
        .map(|d| DurationBounds::ANY.parse(d).map_err(|_| unreadable()))
        .transpose()?;
    let action = match (action.to_ascii_lowercase().as_str(), duration) {
        ("timeout" | "mute", Some(duration)) => Punishment::Timeout { duration },
        ("kick", None) => Punishment::Kick,
        ("ban", duration) => Punishment::Ban { duration },
        _ => return Err(unreadable()),
    };
    Ok(EscalationStep {
        warnings,
        within,
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn a_progressive_policy_reads_and_prints_back() {
        let policy =
            EscalationPolicy::parse("3 timeout 1h, 5 timeout 1d; 7 ban 7d", Some(30 * DAY))
                .unwrap();
        assert_eq!(
            policy.steps()[2].action,
            Punishment::Ban {
                duration: Some(7 * DAY)
            }
        );
        assert!(policy.steps().iter().all(|s| s.within == Some(30 * DAY)));
        let text = policy.to_text();
        assert_eq!(text, "3 timeout 1h, 5 timeout 1d, 7 ban 1w (within 4w2d)");
        assert_eq!(
            EscalationPolicy::parse("3 timeout 1h, 5 timeout 1d, 7 ban 7d", Some(30 * DAY))
                .unwrap(),
            policy
        );
        assert_eq!(
            EscalationPolicy::parse("none", None).unwrap().to_text(),
            "none"
        );
    }

    #[test]
    fn invalid_policies_are_refused_with_the_rule_they_break() {
        assert_eq!(
            EscalationPolicy::parse("3 timeout 29d", None),
            Err(PolicyError::TimeoutTooLong {
                max: hearth_core::TIMEOUT_MAX
            })
        );
        assert_eq!(
            EscalationPolicy::parse("3 kick, 3 ban", None),
            Err(PolicyError::DuplicateStep { warnings: 3 })
        );
        assert_eq!(
            EscalationPolicy::parse("0 kick", None),
            Err(PolicyError::WarningsOutOfRange {
                max: 100,
                warnings: 0
            })
        );
        for bad in [
            "three kick",
            "3 timeout",
            "3 explode",
            "3 kick 1h",
            "3 ban -5m",
        ] {
            assert_eq!(
                EscalationPolicy::parse(bad, None),
                Err(PolicyError::Unreadable {
                    step: bad.to_owned()
                }),
                "{bad}"
            );
        }
    }
}
