//! The rule engine: a guild's settings compiled once, checked against each message.

use std::{
    hash::{DefaultHasher, Hash, Hasher},
    ops::Range,
};

use hearth_core::{
    ChannelId, GuildId, MessageId, RoleId, Timestamp, UserId,
    text::{neutralise_mentions, truncate},
};
use serde::{Deserialize, Serialize};

use crate::{
    Action, AutomodSettings, AutomodState, EscalationStep, Normalised, Response, SettingsError,
    content, links, normalise,
    patterns::PatternMatcher,
    settings::Horizon,
    state::{Observation, count_since},
    words::WordMatcher,
};

/// The longest excerpt of a message a [`Hit`] carries, in characters.
pub const EXCERPT_MAX_CHARS: usize = 120;

/// Characters of context shown on each side of a match in an excerpt.
const EXCERPT_CONTEXT_CHARS: usize = 20;

/// Normalised texts shorter than this (in bytes) are not compared for duplicates: `ok`, `lol`
/// and `gm` are said again and again without being spam.
pub const DUPLICATE_MIN_BYTES: usize = 8;

/// A message as automod needs it. The caller fills it from the gateway event; `at` is the
/// message's time (its snowflake's), never a clock read, so a replay is judged the same.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    /// The guild it was sent in.
    pub guild: GuildId,
    /// The channel it was sent in.
    pub channel: ChannelId,
    /// Its id: a message seen twice (a replayed event) is judged once.
    pub id: MessageId,
    /// Who sent it.
    pub author: UserId,
    /// The author's roles.
    pub author_roles: &'a [RoleId],
    /// Whether the author may manage messages in the channel (staff).
    pub author_is_staff: bool,
    /// The text as written.
    pub text: &'a str,
    /// Users mentioned (Discord's `mentions`).
    pub mentions: &'a [UserId],
    /// Roles mentioned (Discord's `mention_roles`).
    pub mention_roles: &'a [RoleId],
    /// When it was sent.
    pub at: Timestamp,
}

/// Which rule a hit comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleKind {
    /// Too many messages too fast.
    Rate,
    /// The same text again and again.
    Duplicates,
    /// Too many mentions, or `@everyone`/`@here`.
    Mentions,
    /// A listed word.
    Words,
    /// A staff pattern.
    Patterns,
    /// An invite link.
    Invites,
    /// A refused link.
    Links,
    /// Too many capitals.
    Caps,
    /// Too many lines.
    Newlines,
    /// Too many emoji.
    Emoji,
    /// Discord's own `AutoMod` acted (an `AUTO_MODERATION_ACTION_EXECUTION` event).
    Native,
}

impl RuleKind {
    /// The rule's name as staff see it: `rate`, `duplicates`, `mentions`, `words`, …
    pub fn name(self) -> &'static str {
        match self {
            Self::Rate => "rate",
            Self::Duplicates => "duplicates",
            Self::Mentions => "mentions",
            Self::Words => "words",
            Self::Patterns => "patterns",
            Self::Invites => "invites",
            Self::Links => "links",
            Self::Caps => "caps",
            Self::Newlines => "newlines",
            Self::Emoji => "emoji",
            Self::Native => "discord automod",
        }
    }
}

/// One rule that matched a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The rule.
    pub rule: RuleKind,
    /// Why, in words: ``listed word `free nitro` ``, `6 messages in 5 seconds`.
    pub reason: String,
    /// Where in the normalised text the match is, for rules that match text.
    pub normalised: Option<Range<usize>>,
    /// Where in the original text the match is, for rules that match text.
    pub original: Option<Range<usize>>,
    /// The original text around the match (or the message's start), at most
    /// [`EXCERPT_MAX_CHARS`] characters, with `@everyone`, `@here` and role mentions
    /// neutralised so it can be echoed to a log channel.
    pub excerpt: String,
    /// What the rule does.
    pub response: Response,
}

/// Why a message was not checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exemption {
    /// Automod is off in the guild.
    Disabled,
    /// The author is staff and staff are exempt.
    Staff,
    /// The author has an exempt role.
    Role(RoleId),
    /// The channel is exempt.
    Channel(ChannelId),
}

/// What automod concluded about one message: the outcome the bot carries out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Why the message was not checked, if it wasn't.
    pub exemption: Option<Exemption>,
    /// The message was seen before (a replayed event); it was judged then, so nothing is due.
    pub replayed: bool,
    /// The rules that matched, in the order they are checked.
    pub hits: Vec<Hit>,
    /// Whether to delete the message (some hit says so).
    pub delete: bool,
    /// What to do to the member: the strongest of the hits' actions and the escalation step's.
    pub action: Action,
    /// The member's violations in the longest escalation window, this message's included.
    pub violations: u32,
    /// The escalation step reached, if any.
    pub escalation: Option<EscalationStep>,
}

impl Report {
    /// Whether nothing is to be done.
    pub fn is_clean(&self) -> bool {
        self.hits.is_empty()
    }
}

/// A hit of Discord's native `AutoMod`, to be counted toward escalation.
#[derive(Clone, Debug)]
pub struct NativeHit<'a> {
    /// The guild.
    pub guild: GuildId,
    /// The member.
    pub user: UserId,
    /// The name of Discord's rule that acted (from the event, or looked up).
    pub rule_name: &'a str,
    /// The content Discord matched, if the event carries it.
    pub content: &'a str,
    /// When Discord acted.
    pub at: Timestamp,
}

// The bot shares compiled rules between tasks and keeps the state behind a mutex.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<CompiledRules>();
    shareable::<AutomodState>();
};

/// A guild's settings compiled for checking: word lists in one automaton, patterns in one
/// set, domains checked. Compile once per settings version and keep it (it is immutable and
/// `Sync`), not once per message.
#[derive(Debug)]
pub struct CompiledRules {
    settings: AutomodSettings,
    words: Option<WordMatcher>,
    patterns: Option<PatternMatcher>,
    invites_allowed: Vec<String>,
    domains: Vec<String>,
    horizon: Horizon,
}

impl CompiledRules {
    /// Checks and compiles `settings`.
    ///
    /// # Errors
    ///
    /// The first problem found, as a [`SettingsError`] sentence naming it.
    pub fn compile(settings: &AutomodSettings) -> Result<Self, SettingsError> {
        settings.check_limits()?;
        let words = match &settings.words {
            Some(list) if !list.entries.is_empty() => Some(WordMatcher::compile(&list.entries)?),
            _ => None,
        };
        let patterns = match &settings.patterns {
            Some(list) if !list.patterns.is_empty() => {
                Some(PatternMatcher::compile(&list.patterns)?)
            }
            _ => None,
        };
        let domains = settings
            .links
            .as_ref()
            .map_or(Ok(Vec::new()), |l| links::domains(&l.domains))?;
        let invites_allowed = settings
            .invites
            .as_ref()
            .map_or(Ok(Vec::new()), |i| links::invite_codes(&i.allowed))?;
        Ok(Self {
            horizon: settings.horizon(),
            settings: settings.clone(),
            words,
            patterns,
            invites_allowed,
            domains,
        })
    }

    /// The settings these rules were compiled from.
    pub fn settings(&self) -> &AutomodSettings {
        &self.settings
    }

    /// Why `message` is not to be checked, if it isn't.
    pub fn exemption(&self, message: &Message<'_>) -> Option<Exemption> {
        let s = &self.settings;
        if !s.enabled {
            return Some(Exemption::Disabled);
        }
        if s.exempt_staff && message.author_is_staff {
            return Some(Exemption::Staff);
        }
        if s.exempt_channels.contains(&message.channel) {
            return Some(Exemption::Channel(message.channel));
        }
        message
            .author_roles
            .iter()
            .find(|r| s.exempt_roles.contains(r))
            .map(|&r| Exemption::Role(r))
    }

    /// Checks one message: exemptions, then every rule, then escalation. Records the message
    /// and any violation in `state`.
    pub fn check(&self, state: &mut AutomodState, message: &Message<'_>) -> Report {
        if let Some(exemption) = self.exemption(message) {
            return Report {
                exemption: Some(exemption),
                ..Report::default()
            };
        }
        let normalised = normalise(message.text);
        let mentions = distinct(message.mentions) + distinct(message.mention_roles);
        let mut hits = self.text_hits(message.text, &normalised, mentions);
        let observed = state.observe(
            Observation {
                guild: message.guild,
                user: message.author,
                id: message.id,
                at: message.at,
                text: duplicate_key(normalised.as_str()),
                rate_window: self.settings.rate.map(|r| r.per),
                duplicate_window: self.settings.duplicates.map(|d| d.within),
            },
            self.horizon,
        );
        if observed.replayed {
            return Report {
                replayed: true,
                ..Report::default()
            };
        }
        if let Some(rate) = self.settings.rate
            && observed.in_rate_window > rate.messages
        {
            hits.push(whole_message_hit(
                RuleKind::Rate,
                format!(
                    "{} messages in {}",
                    observed.in_rate_window,
                    hearth_core::format_duration_long(rate.per)
                ),
                message.text,
                rate.response,
            ));
        }
        if let Some(dup) = self.settings.duplicates
            && observed.copies >= dup.messages
        {
            hits.push(whole_message_hit(
                RuleKind::Duplicates,
                format!(
                    "the same message {} times in {}",
                    observed.copies,
                    hearth_core::format_duration_long(dup.within)
                ),
                message.text,
                dup.response,
            ));
        }
        let counts = hits.iter().any(|h| h.response.action.counts());
        self.conclude(
            state,
            (message.guild, message.author, message.at),
            hits,
            counts,
        )
    }

    /// Counts a hit of Discord's own `AutoMod` as a violation and reports the escalation it
    /// reaches; the hit itself asks for nothing more (Discord already blocked or removed the
    /// message), so the report's action is the escalation step's, or log only. Exemptions do
    /// not apply: Discord already judged the member.
    pub fn record_native(&self, state: &mut AutomodState, hit: &NativeHit<'_>) -> Report {
        let native = whole_message_hit(
            RuleKind::Native,
            format!(
                "Discord AutoMod rule `{}`",
                neutralise_mentions(&truncate(hit.rule_name, 100))
            ),
            hit.content,
            // Discord already acted on the message; only escalation may add something.
            Response::LOG_ONLY,
        );
        self.conclude(state, (hit.guild, hit.user, hit.at), vec![native], true)
    }

    /// Dry run for `/automod test`: which text rules would match `text`, and why. Rate and
    /// duplicate limits need history and are not judged; nothing is recorded.
    pub fn test(&self, text: &str) -> (Normalised, Vec<Hit>) {
        let normalised = normalise(text);
        let mentions = text.matches("<@").count();
        let hits = self.text_hits(
            text,
            &normalised,
            u32::try_from(mentions).unwrap_or(u32::MAX),
        );
        (normalised, hits)
    }

    /// The report for `hits` of `member` at a time; when `counts`, a violation is recorded and
    /// escalation judged.
    fn conclude(
        &self,
        state: &mut AutomodState,
        (guild, user, at): (GuildId, UserId, Timestamp),
        hits: Vec<Hit>,
        counts: bool,
    ) -> Report {
        let mut report = Report {
            delete: hits.iter().any(|h| h.response.delete),
            action: strongest(hits.iter().map(|h| h.response.action)).unwrap_or(Action::LogOnly),
            ..Report::default()
        };
        if counts {
            let keep_for = self.horizon.violations_for;
            let violations = state.violation(guild, user, at, keep_for);
            let since = |w: std::time::Duration| {
                at.unix_millis()
                    .saturating_sub(i64::try_from(w.as_millis()).unwrap_or(i64::MAX))
            };
            report.violations = count_since(violations, since(keep_for)).max(1);
            report.escalation = self
                .settings
                .escalation
                .iter()
                .filter(|s| count_since(violations, since(s.within)) >= s.violations)
                .max_by_key(|s| s.action.severity())
                .copied();
            if let Some(step) = report.escalation
                && step.action.severity() > report.action.severity()
            {
                report.action = step.action;
            }
        }
        report.hits = hits;
        report
    }

    fn text_hits(&self, text: &str, normalised: &Normalised, mentions: u32) -> Vec<Hit> {
        let s = &self.settings;
        let mut hits = Vec::new();
        if let Some(rule) = s.mentions {
            let everyone = rule.everyone && (text.contains("@everyone") || text.contains("@here"));
            if everyone || mentions > rule.max {
                let reason = if everyone {
                    "an @\u{200B}everyone or @\u{200B}here mention".to_owned()
                } else {
                    format!("{mentions} mentions (at most {} allowed)", rule.max)
                };
                hits.push(whole_message_hit(
                    RuleKind::Mentions,
                    reason,
                    text,
                    rule.response,
                ));
            }
        }
        if let (Some(matcher), Some(list)) = (&self.words, &s.words)
            && let Some(found) = matcher.find(normalised.as_str())
        {
            let reason = format!("listed word `{}`", neutralise_mentions(&found.entry));
            hits.push(span_hit(
                RuleKind::Words,
                reason,
                text,
                normalised,
                found.span,
                list.response,
            ));
        }
        if let (Some(matcher), Some(list)) = (&self.patterns, &s.patterns)
            && let Some(found) = matcher.find(normalised.as_str())
        {
            let reason = format!("pattern `{}`", neutralise_mentions(&found.pattern));
            hits.push(span_hit(
                RuleKind::Patterns,
                reason,
                text,
                normalised,
                found.span,
                list.response,
            ));
        }
        if let Some(rule) = &s.invites
            && let Some((range, code)) = links::find_invite(text, &self.invites_allowed)
        {
            let reason = format!("invite link `{code}`");
            hits.push(raw_hit(
                RuleKind::Invites,
                reason,
                text,
                range,
                rule.response,
            ));
        }
        if let Some(rule) = &s.links
            && let Some((range, host)) = links::find_link(text, rule.mode, &self.domains)
        {
            let reason = format!("link to `{host}`");
            hits.push(raw_hit(RuleKind::Links, reason, text, range, rule.response));
        }
        if let Some(rule) = s.caps {
            let (cased, upper) = content::capitals(text);
            if cased >= rule.min_letters && upper * 100 >= u32::from(rule.percent) * cased {
                let reason = format!("{}% capitals", upper * 100 / cased.max(1));
                hits.push(whole_message_hit(
                    RuleKind::Caps,
                    reason,
                    text,
                    rule.response,
                ));
            }
        }
        if let Some(rule) = s.newlines {
            let lines = content::lines(text);
            if lines > rule.max {
                let reason = format!("{lines} lines (at most {} allowed)", rule.max);
                hits.push(whole_message_hit(
                    RuleKind::Newlines,
                    reason,
                    text,
                    rule.response,
                ));
            }
        }
        if let Some(rule) = s.emoji {
            let emoji = content::emoji(text);
            if emoji > rule.max {
                let reason = format!("{emoji} emoji (at most {} allowed)", rule.max);
                hits.push(whole_message_hit(
                    RuleKind::Emoji,
                    reason,
                    text,
                    rule.response,
                ));
            }
        }
        hits
    }
}

fn strongest(actions: impl Iterator<Item = Action>) -> Option<Action> {
    actions.max_by_key(Action::severity)
}

fn distinct<T: Ord + Copy>(ids: &[T]) -> u32 {
    let len = if ids.len() < 2 {
        ids.len()
    } else {
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        sorted.len()
    };
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The key duplicate messages are compared by: a hash of the normalised text, 0 (not compared)
/// when it is too short.
fn duplicate_key(normalised: &str) -> u64 {
    if normalised.len() < DUPLICATE_MIN_BYTES {
        return 0;
    }
    let mut hasher = DefaultHasher::new();
    normalised.hash(&mut hasher);
    hasher.finish().max(1)
}

fn excerpt(text: &str) -> String {
    let safe = neutralise_mentions(text);
    truncate(&safe, EXCERPT_MAX_CHARS).into_owned()
}

fn whole_message_hit(rule: RuleKind, reason: String, text: &str, response: Response) -> Hit {
    Hit {
        rule,
        reason,
        normalised: None,
        original: None,
        excerpt: excerpt(text),
        response,
    }
}

/// A hit on `range` of the original text; the excerpt shows it with some context.
fn raw_hit(
    rule: RuleKind,
    reason: String,
    text: &str,
    range: Range<usize>,
    response: Response,
) -> Hit {
    let start = text[..range.start]
        .char_indices()
        .rev()
        .nth(EXCERPT_CONTEXT_CHARS - 1)
        .map_or(0, |(i, _)| i);
    let end = text[range.end..]
        .char_indices()
        .nth(EXCERPT_CONTEXT_CHARS)
        .map_or(text.len(), |(i, _)| range.end + i);
    Hit {
        rule,
        reason,
        normalised: None,
        excerpt: excerpt(&text[start..end]),
        original: Some(range),
        response,
    }
}

fn span_hit(
    rule: RuleKind,
    reason: String,
    text: &str,
    normalised: &Normalised,
    span: Range<usize>,
    response: Response,
) -> Hit {
    let original = normalised.original_range(span.clone());
    Hit {
        normalised: Some(span),
        ..raw_hit(rule, reason, text, original, response)
    }
}

#[cfg(test)]
mod tests;
