//! Ready-made rule sets.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{
    Action, AutomodSettings, CapsLimit, DuplicateLimit, EscalationStep, FloodLimit, InviteFilter,
    MentionLimit, RateLimit, Response, WordEntry, WordList,
};

/// Scam phrases every community sees; the [`Preset::Recommended`] word list.
pub const SCAM_PHRASES: [&str; 6] = [
    "free nitro",
    "free discord nitro",
    "nitro for free",
    "steam gift",
    "*nitro* giveaway",
    "airdrop claim",
];

/// A ready-made rule set, to start from and adjust.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// What most communities want: spam and scams removed with a warning, floods removed
    /// quietly, "3 violations in 10 minutes → timeout 10 minutes, 6 in an hour → timeout a day".
    Recommended,
    /// For servers under attack: lower limits, timeouts straight away, links only by invite.
    Strict,
}

const fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

impl Preset {
    /// Every preset, for a command's choices.
    pub const ALL: [Self; 2] = [Self::Recommended, Self::Strict];

    /// The preset's name as staff type it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Recommended => "recommended",
            Self::Strict => "strict",
        }
    }

    /// The preset's rules applied to `base`: its rules and escalation are replaced, its
    /// exemptions kept; automod is switched on.
    pub fn apply(self, base: &AutomodSettings) -> AutomodSettings {
        let warn = Response::default();
        let quiet = Response::delete_and(Action::LogOnly);
        let timeout = |s| Response::delete_and(Action::Timeout { duration: secs(s) });
        let strict = self == Self::Strict;
        let words = WordList {
            entries: SCAM_PHRASES.iter().map(|w| WordEntry::parse(w)).collect(),
            response: if strict { timeout(3600) } else { warn },
        };
        AutomodSettings {
            enabled: true,
            rate: Some(RateLimit {
                messages: if strict { 4 } else { 6 },
                per: secs(5),
                response: if strict { timeout(300) } else { warn },
            }),
            duplicates: Some(DuplicateLimit {
                messages: 3,
                within: secs(if strict { 300 } else { 60 }),
                response: warn,
            }),
            mentions: Some(MentionLimit {
                max: if strict { 3 } else { 6 },
                everyone: true,
                response: if strict { timeout(3600) } else { warn },
            }),
            words: Some(words),
            patterns: None,
            invites: Some(InviteFilter {
                allowed: base
                    .invites
                    .as_ref()
                    .map_or_else(Vec::new, |i| i.allowed.clone()),
                response: warn,
            }),
            links: None,
            caps: Some(CapsLimit {
                percent: 70,
                min_letters: 12,
                response: quiet,
            }),
            newlines: Some(FloodLimit {
                max: if strict { 10 } else { 20 },
                response: quiet,
            }),
            emoji: Some(FloodLimit {
                max: if strict { 10 } else { 20 },
                response: quiet,
            }),
            escalation: vec![
                EscalationStep {
                    violations: 3,
                    within: secs(600),
                    action: Action::Timeout {
                        duration: secs(600),
                    },
                },
                EscalationStep {
                    violations: if strict { 5 } else { 6 },
                    within: secs(3600),
                    action: if strict {
                        Action::Kick
                    } else {
                        Action::Timeout {
                            duration: secs(86_400),
                        }
                    },
                },
            ],
            ..base.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CompiledRules;

    #[test]
    fn every_preset_is_valid_and_keeps_exemptions() {
        let mut base = AutomodSettings::default();
        base.exempt_roles.push(hearth_core::RoleId::new(5));
        for preset in Preset::ALL {
            let settings = preset.apply(&base);
            assert!(settings.enabled);
            assert_eq!(settings.exempt_roles, base.exempt_roles);
            CompiledRules::compile(&settings).unwrap();
        }
    }
}
