//! A guild's automod settings: which rules are on, with what limits and responses.
//!
//! Settings are plain serde data. [`AutomodSettings::validate`] (or
//! [`CompiledRules::compile`](crate::CompiledRules::compile), which it runs) refuses bad ones
//! with a sentence that names the problem; the bot checks before it saves.

use std::time::Duration;

use hearth_core::{ChannelId, RoleId};
use serde::{Deserialize, Serialize};

use crate::{EscalationStep, Response, SettingsError, action::secs};

/// The most exempt roles plus exempt channels a guild may list.
pub const EXEMPTIONS_MAX: usize = 100;
/// The most messages a rate limit may count.
pub const RATE_MESSAGES_MAX: u32 = 30;
/// The longest window of a rate limit.
pub const RATE_WINDOW_MAX: Duration = Duration::from_secs(5 * 60);
/// The most repeats a duplicate limit may count.
pub const DUPLICATES_MAX: u32 = 10;
/// The longest window of a duplicate limit.
pub const DUPLICATE_WINDOW_MAX: Duration = Duration::from_secs(30 * 60);
/// The highest mention limit (users and roles together).
pub const MENTIONS_MAX: u32 = 100;
/// The highest line or emoji limit.
pub const FLOOD_MAX: u32 = 200;
/// The least letters a message needs before its capitals are counted.
pub const CAPS_MIN_LETTERS_MIN: u32 = 5;

/// How a guild's automod works. The default has every rule off; see
/// [`Preset`](crate::Preset) for a sensible set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AutomodSettings {
    /// Whether automod checks messages at all.
    pub enabled: bool,
    /// Members with any of these roles are not checked.
    pub exempt_roles: Vec<RoleId>,
    /// Messages in these channels are not checked.
    pub exempt_channels: Vec<ChannelId>,
    /// Members who may manage messages (staff) are not checked. On by default.
    pub exempt_staff: bool,
    /// Too many messages too fast.
    pub rate: Option<RateLimit>,
    /// The same text again and again, in any channels.
    pub duplicates: Option<DuplicateLimit>,
    /// Too many mentions, or an `@everyone`/`@here` attempt.
    pub mentions: Option<MentionLimit>,
    /// Words and phrases that are not allowed.
    pub words: Option<WordList>,
    /// Regular expressions that are not allowed.
    pub patterns: Option<PatternList>,
    /// Discord invite links.
    pub invites: Option<InviteFilter>,
    /// Links by domain.
    pub links: Option<LinkFilter>,
    /// Mostly capital letters.
    pub caps: Option<CapsLimit>,
    /// Too many lines.
    pub newlines: Option<FloodLimit>,
    /// Too many emoji.
    pub emoji: Option<FloodLimit>,
    /// What happens as violations pile up.
    pub escalation: Vec<EscalationStep>,
}

impl Default for AutomodSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            exempt_roles: Vec::new(),
            exempt_channels: Vec::new(),
            exempt_staff: true,
            rate: None,
            duplicates: None,
            mentions: None,
            words: None,
            patterns: None,
            invites: None,
            links: None,
            caps: None,
            newlines: None,
            emoji: None,
            escalation: Vec::new(),
        }
    }
}

/// At most `messages` messages per member in `per`; the next one is a hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    /// Messages allowed in the window, 2 to [`RATE_MESSAGES_MAX`].
    pub messages: u32,
    /// The window, 1 second to [`RATE_WINDOW_MAX`].
    #[serde(rename = "per_secs", with = "secs")]
    pub per: Duration,
    /// What a hit does.
    #[serde(default)]
    pub response: Response,
}

/// The same normalised text `messages` times within `within` from one member, in any channels,
/// is a hit (the last one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateLimit {
    /// How many copies make a hit, 2 to [`DUPLICATES_MAX`].
    pub messages: u32,
    /// The window, 1 second to [`DUPLICATE_WINDOW_MAX`].
    #[serde(rename = "within_secs", with = "secs")]
    pub within: Duration,
    /// What a hit does.
    #[serde(default)]
    pub response: Response,
}

/// More than `max` distinct users and roles mentioned in one message is a hit; so is writing
/// `@everyone` or `@here` when `everyone` is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentionLimit {
    /// Mentions allowed in one message, 1 to [`MENTIONS_MAX`].
    pub max: u32,
    /// Whether an `@everyone` or `@here` attempt is a hit.
    #[serde(default)]
    pub everyone: bool,
    /// What a hit does.
    #[serde(default)]
    pub response: Response,
}

/// How a listed word matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WordMatch {
    /// As a whole word (or phrase): `ass` matches `ass!` but not `class`.
    #[default]
    Whole,
    /// Anywhere, inside other words too.
    Substring,
    /// As a whole word where `*` stands for any letters: `fu*k` matches `fuck` and `fuuuck`.
    Wildcard,
}

/// One entry of a word list.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WordEntry {
    /// The word or phrase as staff wrote it; it is normalised like messages are.
    pub text: String,
    /// How it matches.
    #[serde(rename = "match", default)]
    pub kind: WordMatch,
}

impl WordEntry {
    /// Reads an entry as staff type it: `*word*` matches anywhere, a word with a `*` elsewhere
    /// is a wildcard, anything else matches whole words.
    ///
    /// ```
    /// use hearth_automod::{WordEntry, WordMatch};
    ///
    /// assert_eq!(WordEntry::parse("scam").kind, WordMatch::Whole);
    /// assert_eq!(WordEntry::parse("*nitro*").kind, WordMatch::Substring);
    /// assert_eq!(WordEntry::parse("*nitro*").text, "nitro");
    /// assert_eq!(WordEntry::parse("fu*k").kind, WordMatch::Wildcard);
    /// ```
    pub fn parse(input: &str) -> Self {
        let input = input.trim();
        if let Some(inner) = input.strip_prefix('*').and_then(|s| s.strip_suffix('*'))
            && !inner.contains('*')
        {
            return Self {
                text: inner.to_owned(),
                kind: WordMatch::Substring,
            };
        }
        let kind = if input.contains('*') {
            WordMatch::Wildcard
        } else {
            WordMatch::Whole
        };
        Self {
            text: input.to_owned(),
            kind,
        }
    }
}

/// Words and phrases that are hits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordList {
    /// The entries, at most [`WORDS_MAX`](crate::WORDS_MAX).
    pub entries: Vec<WordEntry>,
    /// What a hit does.
    #[serde(default)]
    pub response: Response,
}

/// Regular expressions that are hits, matched against the normalised text (lower case, see
/// [`normalise`](crate::normalise())).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatternList {
    /// The patterns in Rust `regex` syntax, at most [`PATTERNS_MAX`](crate::PATTERNS_MAX).
    pub patterns: Vec<String>,
    /// What a hit does.
    #[serde(default)]
    pub response: Response,
}

/// Discord invite links (`discord.gg/…`, `discord.com/invite/…`) are hits, except to the codes
/// listed in `allowed` (the guild's own vanity invite, a partner's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteFilter {
    /// Invite codes that may be posted, compared without regard to case.
    pub allowed: Vec<String>,
    /// What a hit does.
    #[serde(default)]
    pub response: Response,
}

/// Which links a [`LinkFilter`] lets through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkMode {
    /// Links to the listed domains (and their subdomains) are hits; others pass.
    #[default]
    Deny,
    /// Only links to the listed domains (and their subdomains) pass; others are hits.
    Allow,
}

/// Links (`http://`, `https://`) judged by their domain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkFilter {
    /// Whether `domains` is a deny list or an allow list.
    pub mode: LinkMode,
    /// Domain names such as `example.com`, at most [`DOMAINS_MAX`](crate::DOMAINS_MAX).
    pub domains: Vec<String>,
    /// What a hit does.
    #[serde(default)]
    pub response: Response,
}

/// A message of at least `min_letters` letters, `percent` % or more of them capitals, is a hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapsLimit {
    /// The share of capitals that makes a hit, 50 to 100.
    pub percent: u8,
    /// Shorter messages are not judged, [`CAPS_MIN_LETTERS_MIN`] to 2,000.
    pub min_letters: u32,
    /// What a hit does.
    #[serde(default)]
    pub response: Response,
}

/// More than `max` lines (or emoji) in one message is a hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloodLimit {
    /// How many are allowed, 1 to [`FLOOD_MAX`].
    pub max: u32,
    /// What a hit does.
    #[serde(default)]
    pub response: Response,
}

/// Messages remembered per member even without rate or duplicate limits, and for how long,
/// so that an event Discord sends again (after a gateway resume) is not judged twice.
const REPLAY_MESSAGES: usize = 4;
/// See [`REPLAY_MESSAGES`].
const REPLAY_WINDOW: Duration = Duration::from_secs(60);

/// How long a guild's state must remember, for a given set of settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Horizon {
    /// Messages to keep per member.
    pub(crate) messages: usize,
    /// How long to keep them.
    pub(crate) messages_for: Duration,
    /// How long to keep violations.
    pub(crate) violations_for: Duration,
}

fn range(what: &'static str, value: u64, min: u64, max: u64) -> Result<(), SettingsError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(SettingsError::OutOfRange {
            what,
            min,
            max,
            value,
        })
    }
}

fn window(what: &'static str, value: Duration, max: Duration) -> Result<(), SettingsError> {
    range(what, value.as_secs(), 1, max.as_secs())
}

impl AutomodSettings {
    /// Checks the settings, compiling word lists and patterns to do so.
    ///
    /// # Errors
    ///
    /// The first problem found, as a [`SettingsError`] sentence.
    pub fn validate(&self) -> Result<(), SettingsError> {
        crate::CompiledRules::compile(self).map(drop)
    }

    /// The checks that need no compiling: counts, windows, responses, escalation.
    pub(crate) fn check_limits(&self) -> Result<(), SettingsError> {
        let exemptions = self.exempt_roles.len() + self.exempt_channels.len();
        if exemptions > EXEMPTIONS_MAX {
            return Err(SettingsError::TooMany {
                what: "the exempt roles and channels",
                max: EXEMPTIONS_MAX,
                len: exemptions,
            });
        }
        if let Some(rate) = &self.rate {
            let max = u64::from(RATE_MESSAGES_MAX);
            range(
                "the rate limit's message count",
                rate.messages.into(),
                2,
                max,
            )?;
            window(
                "the rate limit's window in seconds",
                rate.per,
                RATE_WINDOW_MAX,
            )?;
            rate.response.action.check()?;
        }
        if let Some(dup) = &self.duplicates {
            let max = u64::from(DUPLICATES_MAX);
            range("the duplicate limit's count", dup.messages.into(), 2, max)?;
            window(
                "the duplicate limit's window in seconds",
                dup.within,
                DUPLICATE_WINDOW_MAX,
            )?;
            dup.response.action.check()?;
        }
        if let Some(mentions) = &self.mentions {
            range(
                "the mention limit",
                mentions.max.into(),
                1,
                MENTIONS_MAX.into(),
            )?;
            mentions.response.action.check()?;
        }
        if let Some(caps) = &self.caps {
            range("the capitals percentage", caps.percent.into(), 50, 100)?;
            let min = u64::from(CAPS_MIN_LETTERS_MIN);
            range(
                "the capitals rule's minimum letters",
                caps.min_letters.into(),
                min,
                2000,
            )?;
            caps.response.action.check()?;
        }
        for (what, flood) in [
            ("the line limit", &self.newlines),
            ("the emoji limit", &self.emoji),
        ] {
            if let Some(flood) = flood {
                range(what, flood.max.into(), 1, FLOOD_MAX.into())?;
                flood.response.action.check()?;
            }
        }
        for response in [
            self.words.as_ref().map(|w| w.response),
            self.patterns.as_ref().map(|p| p.response),
            self.invites.as_ref().map(|i| i.response),
            self.links.as_ref().map(|l| l.response),
        ]
        .into_iter()
        .flatten()
        {
            response.action.check()?;
        }
        self.check_escalation()
    }

    fn check_escalation(&self) -> Result<(), SettingsError> {
        if self.escalation.len() > crate::ESCALATION_STEPS_MAX {
            return Err(SettingsError::TooMany {
                what: "the escalation policy",
                max: crate::ESCALATION_STEPS_MAX,
                len: self.escalation.len(),
            });
        }
        for (i, step) in self.escalation.iter().enumerate() {
            step.check()?;
            if self.escalation[..i]
                .iter()
                .any(|s| s.violations == step.violations && s.within == step.within)
            {
                return Err(SettingsError::DuplicateStep {
                    violations: step.violations,
                });
            }
        }
        Ok(())
    }

    /// What per-member state these settings need.
    pub(crate) fn horizon(&self) -> Horizon {
        let rate = self.rate.map_or(0, |r| r.messages as usize + 1);
        // Duplicates interleaved with other messages need some history beyond the count.
        let dup = self.duplicates.map_or(0, |d| d.messages as usize * 2);
        Horizon {
            messages: rate.max(dup).max(REPLAY_MESSAGES),
            messages_for: self
                .rate
                .map_or(REPLAY_WINDOW, |r| r.per)
                .max(self.duplicates.map_or(REPLAY_WINDOW, |d| d.within))
                .max(REPLAY_WINDOW),
            violations_for: self
                .escalation
                .iter()
                .map(|s| s.within)
                .max()
                .unwrap_or(Duration::ZERO),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether settings with `edit` applied to every rule on pass the checks.
    fn passes(edit: impl FnOnce(&mut AutomodSettings)) -> bool {
        let mut settings = AutomodSettings {
            enabled: true,
            rate: Some(RateLimit {
                messages: 5,
                per: Duration::from_secs(5),
                response: Response::default(),
            }),
            duplicates: Some(DuplicateLimit {
                messages: 3,
                within: Duration::from_secs(60),
                response: Response::default(),
            }),
            mentions: Some(MentionLimit {
                max: 5,
                everyone: true,
                response: Response::default(),
            }),
            caps: Some(CapsLimit {
                percent: 70,
                min_letters: 10,
                response: Response::default(),
            }),
            newlines: Some(FloodLimit {
                max: 10,
                response: Response::default(),
            }),
            emoji: Some(FloodLimit {
                max: 10,
                response: Response::default(),
            }),
            ..AutomodSettings::default()
        };
        assert_eq!(settings.check_limits(), Ok(()), "the base settings pass");
        edit(&mut settings);
        settings.check_limits().is_ok()
    }

    /// Probes `min - 1, min, max, max + 1` of one limit through `set`.
    fn probe(min: u32, max: u32, set: fn(&mut AutomodSettings, u32)) {
        assert!(!passes(|s| set(s, min - 1)), "{} passed", min - 1);
        assert!(passes(|s| set(s, min)), "{min} failed");
        assert!(passes(|s| set(s, max)), "{max} failed");
        assert!(!passes(|s| set(s, max + 1)), "{} passed", max + 1);
    }

    fn secs(value: u32) -> Duration {
        Duration::from_secs(value.into())
    }

    #[test]
    fn every_limit_is_probed_at_its_edges() {
        probe(2, RATE_MESSAGES_MAX, |s, v| {
            s.rate.as_mut().unwrap().messages = v;
        });
        let max = u32::try_from(RATE_WINDOW_MAX.as_secs()).unwrap();
        probe(1, max, |s, v| s.rate.as_mut().unwrap().per = secs(v));
        probe(2, DUPLICATES_MAX, |s, v| {
            s.duplicates.as_mut().unwrap().messages = v;
        });
        let max = u32::try_from(DUPLICATE_WINDOW_MAX.as_secs()).unwrap();
        probe(1, max, |s, v| {
            s.duplicates.as_mut().unwrap().within = secs(v);
        });
        probe(1, MENTIONS_MAX, |s, v| s.mentions.as_mut().unwrap().max = v);
        probe(50, 100, |s, v| {
            s.caps.as_mut().unwrap().percent = u8::try_from(v).unwrap();
        });
        probe(CAPS_MIN_LETTERS_MIN, 2000, |s, v| {
            s.caps.as_mut().unwrap().min_letters = v;
        });
        probe(1, FLOOD_MAX, |s, v| s.newlines.as_mut().unwrap().max = v);
        probe(1, FLOOD_MAX, |s, v| s.emoji.as_mut().unwrap().max = v);
    }

    #[test]
    fn exemptions_are_capped() {
        let roles = |n: u64| (1..=n).map(RoleId::new).collect::<Vec<_>>();
        assert!(passes(|s| s.exempt_roles = roles(EXEMPTIONS_MAX as u64)));
        assert!(!passes(
            |s| s.exempt_roles = roles(EXEMPTIONS_MAX as u64 + 1)
        ));
        assert!(!passes(|s| {
            s.exempt_roles = roles(EXEMPTIONS_MAX as u64);
            s.exempt_channels.push(ChannelId::new(1));
        }));
    }

    #[test]
    fn escalation_is_capped_at_its_step_count() {
        let steps = |n: u32| {
            (1..=n)
                .map(|violations| EscalationStep {
                    violations,
                    within: Duration::from_secs(600),
                    action: crate::Action::Kick,
                })
                .collect::<Vec<_>>()
        };
        let max = u32::try_from(crate::ESCALATION_STEPS_MAX).unwrap();
        assert!(passes(|s| s.escalation = steps(max)));
        assert!(!passes(|s| s.escalation = steps(max + 1)));
    }
}
