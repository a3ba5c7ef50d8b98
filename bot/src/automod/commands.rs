//! `/automod`: presets, words, patterns, exemptions, per-rule actions, a dry run and the
//! recent hits. Changes need Manage Server (checked here, not only by Discord's defaults);
//! every change is validated by the engine and saved through the write-through settings.

use std::fmt::Write as _;

use hearth_automod::{
    Action, AutomodSettings, PatternList, Preset, Response, RuleKind, WordEntry, WordList,
    update_settings,
};
use hearth_core::{ChannelId, DurationBounds, UserId, text::neutralise_mentions};
use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::{
    application::{command::Command, interaction::Interaction},
    channel::message::Embed,
    guild::Permissions,
    id::{
        Id,
        marker::{ChannelMarker, RoleMarker},
    },
};
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use super::Automod;
use crate::{
    ack::Ack,
    context::{Backend, Context},
    discord::ids::{channel_id, role_id},
    handler::{in_guild, parse, require},
    interaction::{HandlerError, HandlerResult},
    reply::{COLOUR_WARN, Reply},
};

/// `/automod …`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "automod",
    desc = "Automatic moderation: rules, words, patterns, exemptions",
    default_permissions = "managers",
    contexts = "guild"
)]
pub enum AutomodCommand {
    /// `/automod show`
    #[command(name = "show")]
    Show(Show),
    /// `/automod preset name`
    #[command(name = "preset")]
    Preset(PresetCommand),
    /// `/automod off`
    #[command(name = "off")]
    Off(Off),
    /// `/automod word word [remove]`
    #[command(name = "word")]
    Word(Word),
    /// `/automod pattern pattern [remove]`
    #[command(name = "pattern")]
    Pattern(Pattern),
    /// `/automod exempt [role] [channel] [staff] [remove]`
    #[command(name = "exempt")]
    Exempt(Exempt),
    /// `/automod action rule action`
    #[command(name = "action")]
    SetAction(SetAction),
    /// `/automod test text`
    #[command(name = "test")]
    Test(Test),
    /// `/automod recent`
    #[command(name = "recent")]
    Recent(Recent),
}

/// `/automod show`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "show", desc = "Show the automod rules")]
pub struct Show;

/// `/automod preset name`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "preset", desc = "Turn automod on with a ready-made rule set")]
pub struct PresetCommand {
    /// `recommended` (spam, scams, floods) or `strict` (for servers under attack)
    #[command(max_length = 20)]
    pub name: String,
}

/// `/automod off`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "off", desc = "Turn automod off (the rules are kept)")]
pub struct Off;

/// `/automod word word [remove]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "word",
    desc = "Add a word (whole word, *substring* or wild*card), or remove it"
)]
pub struct Word {
    /// The word or phrase
    #[command(max_length = 100)]
    pub word: String,
    /// Remove it from the list instead
    pub remove: Option<bool>,
}

/// `/automod pattern pattern [remove]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "pattern",
    desc = "Add a regular expression (Rust regex syntax), or remove it"
)]
pub struct Pattern {
    /// The pattern, matched against lower-case normalised text
    #[command(max_length = 300)]
    pub pattern: String,
    /// Remove it from the list instead
    pub remove: Option<bool>,
}

/// `/automod exempt [role] [channel] [staff] [remove]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "exempt",
    desc = "Exempt a role or a channel, or choose whether staff are"
)]
pub struct Exempt {
    /// A role whose members are not checked
    pub role: Option<Id<RoleMarker>>,
    /// A channel whose messages are not checked
    pub channel: Option<Id<ChannelMarker>>,
    /// Whether members with Manage Messages are exempt (they are by default)
    pub staff: Option<bool>,
    /// Remove the role or channel from the exemptions instead
    pub remove: Option<bool>,
}

/// `/automod action rule action`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "action", desc = "Choose what a rule does")]
pub struct SetAction {
    /// rate, duplicates, mentions, words, patterns, invites, links, caps, newlines or emoji
    #[command(max_length = 20)]
    pub rule: String,
    /// `log`, `warn`, `timeout 10m`, `kick`, `ban`, `ban 7d`; add `keep` to leave the message
    #[command(max_length = 40)]
    pub action: String,
}

/// `/automod test text`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "test",
    desc = "Which rules would match this text, and why (nothing is done)"
)]
pub struct Test {
    /// The text to try
    #[command(max_length = 2000)]
    pub text: String,
}

/// `/automod recent`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "recent", desc = "The latest automod hits")]
pub struct Recent;

/// The command for registration.
pub fn command() -> Command {
    AutomodCommand::create_command().into()
}

/// How many hits `/automod recent` lists.
const RECENT_SHOWN: usize = 10;

/// The mod-log embed of a hit that did nothing to the member (log only).
pub fn hit_embed(user: UserId, channel: Option<ChannelId>, reason: &str) -> Embed {
    let mut builder = EmbedBuilder::new()
        .title("Automod hit · logged")
        .color(COLOUR_WARN)
        .field(EmbedFieldBuilder::new("Member", format!("<@{user}> (`{user}`)")).inline());
    if let Some(channel) = channel {
        builder =
            builder.field(EmbedFieldBuilder::new("Channel", format!("<#{channel}>")).inline());
    }
    builder
        .field(EmbedFieldBuilder::new(
            "Reason",
            hearth_core::text::truncate(&neutralise_mentions(reason), 1024).into_owned(),
        ))
        .build()
}

/// The rules staff configure (Discord's own `AutoMod` is not one of them).
const RULES: [RuleKind; 10] = [
    RuleKind::Rate,
    RuleKind::Duplicates,
    RuleKind::Mentions,
    RuleKind::Words,
    RuleKind::Patterns,
    RuleKind::Invites,
    RuleKind::Links,
    RuleKind::Caps,
    RuleKind::Newlines,
    RuleKind::Emoji,
];

/// The rule a name means (`rate`, `words`, …); a refusal listing them otherwise.
fn rule(name: &str) -> Result<RuleKind, HandlerError> {
    let name = name.trim().to_lowercase();
    RULES.into_iter().find(|r| r.name() == name).ok_or_else(|| {
        HandlerError::refuse(format!(
            "There is no rule called `{}`; the rules are rate, duplicates, mentions, words, \
             patterns, invites, links, caps, newlines and emoji.",
            neutralise_mentions(&name)
        ))
    })
}

/// Reads `log`, `warn`, `timeout 10m`, `kick`, `ban [7d]`, each with an optional `keep`.
fn response(text: &str) -> Result<Response, HandlerError> {
    let bad = || {
        HandlerError::refuse(
            "I read actions like `log`, `warn`, `timeout 10m`, `kick`, `ban` or `ban 7d`, with \
             `keep` to leave the message in place.",
        )
    };
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    let keep = words.iter().any(|w| w == "keep");
    let words: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| *w != "keep")
        .collect();
    let duration = |text: &str, bounds: DurationBounds| {
        bounds
            .parse(text)
            .map_err(|e| HandlerError::refuse(format!("That duration doesn't work: {e}.")))
    };
    let action = match words.as_slice() {
        ["log"] => Action::LogOnly,
        ["warn"] => Action::Warn,
        ["timeout" | "mute", d] => Action::Timeout {
            duration: duration(d, DurationBounds::TIMEOUT)?,
        },
        ["kick"] => Action::Kick,
        ["ban"] => Action::Ban { duration: None },
        ["ban", d] => Action::Ban {
            duration: Some(duration(d, crate::moderation::actions::BAN_BOUNDS)?),
        },
        _ => return Err(bad()),
    };
    Ok(Response {
        delete: !keep,
        action,
    })
}

/// The response of `rule` in `settings`, when the rule is on.
fn response_of(settings: &mut AutomodSettings, rule: RuleKind) -> Option<&mut Response> {
    match rule {
        RuleKind::Rate => settings.rate.as_mut().map(|r| &mut r.response),
        RuleKind::Duplicates => settings.duplicates.as_mut().map(|r| &mut r.response),
        RuleKind::Mentions => settings.mentions.as_mut().map(|r| &mut r.response),
        RuleKind::Words => settings.words.as_mut().map(|r| &mut r.response),
        RuleKind::Patterns => settings.patterns.as_mut().map(|r| &mut r.response),
        RuleKind::Invites => settings.invites.as_mut().map(|r| &mut r.response),
        RuleKind::Links => settings.links.as_mut().map(|r| &mut r.response),
        RuleKind::Caps => settings.caps.as_mut().map(|r| &mut r.response),
        RuleKind::Newlines => settings.newlines.as_mut().map(|r| &mut r.response),
        RuleKind::Emoji => settings.emoji.as_mut().map(|r| &mut r.response),
        _ => None,
    }
}

/// Validates and saves a change through the write-through settings; the engine's sentence
/// when it is refused, and nothing saved.
async fn save<S: Backend>(
    feature: &Automod<S>,
    guild: hearth_core::GuildId,
    edit: impl FnMut(&mut AutomodSettings) + Send,
) -> Result<(), HandlerError> {
    feature
        .settings
        .update(guild, |loader| async move {
            update_settings(&loader.0, guild, edit).await
        })
        .await
        .map(drop)
        .map_err(|err| match err {
            hearth_automod::Error::Settings(sentence) => {
                HandlerError::refuse(format!("Nothing was changed: {sentence}."))
            }
            other => HandlerError::fault(other),
        })
}

/// `/automod …`
pub(super) async fn run<S: Backend>(
    feature: &Automod<S>,
    _ctx: &Context,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    let command: AutomodCommand = parse(interaction)?;
    require(
        interaction,
        Permissions::MANAGE_GUILD,
        "Manage Server",
        "configure automod",
    )?;
    let done = match command {
        AutomodCommand::Show(_) => return show(feature, guild, ack).await,
        AutomodCommand::Test(Test { text }) => return test(feature, guild, &text, ack).await,
        AutomodCommand::Recent(_) => return recent(feature, guild, ack).await,
        AutomodCommand::Preset(PresetCommand { name }) => {
            let preset = Preset::ALL
                .into_iter()
                .find(|p| p.name() == name.trim().to_lowercase())
                .ok_or_else(|| {
                    HandlerError::refuse("The presets are `recommended` and `strict`.")
                })?;
            save(feature, guild, |s| *s = preset.apply(s)).await?;
            format!("Automod is on with the {} rules.", preset.name())
        }
        AutomodCommand::Off(_) => {
            save(feature, guild, |s| s.enabled = false).await?;
            "Automod is off; its rules are kept for when you turn it on again.".to_owned()
        }
        AutomodCommand::Word(Word { word, remove }) => {
            let (entry, remove) = (WordEntry::parse(&word), remove.unwrap_or(false));
            save(feature, guild, |s| {
                let list = s.words.get_or_insert_with(WordList::default);
                toggle(&mut list.entries, &entry, remove);
            })
            .await?;
            listed("word", word.trim(), remove)
        }
        AutomodCommand::Pattern(Pattern { pattern, remove }) => {
            let remove = remove.unwrap_or(false);
            save(feature, guild, |s| {
                let list = s.patterns.get_or_insert_with(PatternList::default);
                toggle(&mut list.patterns, &pattern, remove);
            })
            .await?;
            listed("pattern", &pattern, remove)
        }
        AutomodCommand::Exempt(command) => exempt(feature, guild, command).await?,
        AutomodCommand::SetAction(SetAction { rule: name, action }) => {
            let kind = rule(&name)?;
            let chosen = response(&action)?;
            let mut off = false;
            save(feature, guild, |s| match response_of(s, kind) {
                Some(r) => *r = chosen,
                None => off = true,
            })
            .await?;
            if off {
                return Err(HandlerError::refuse(format!(
                    "The {} rule is off; turn it on with `/automod preset` first.",
                    kind.name()
                )));
            }
            format!("The {} rule now does: {}.", kind.name(), describe(chosen))
        }
    };
    ack.reply(Reply::ephemeral(done)).await
}

/// Puts `item` in `list` (at the end, once) or, with `remove`, takes it out.
fn toggle<T: PartialEq + Clone>(list: &mut Vec<T>, item: &T, remove: bool) {
    list.retain(|x| x != item);
    if !remove {
        list.push(item.clone());
    }
}

/// "`scam` is on the word list." / "… is not on …"
fn listed(list: &str, item: &str, removed: bool) -> String {
    let not = if removed { "not " } else { "" };
    format!(
        "`{}` is {not}on the {list} list.",
        neutralise_mentions(item)
    )
}

fn describe(response: Response) -> String {
    let delete = if response.delete {
        "delete the message, "
    } else {
        ""
    };
    format!("{delete}{}", response.action.describe())
}

async fn exempt<S: Backend>(
    feature: &Automod<S>,
    guild: hearth_core::GuildId,
    command: Exempt,
) -> Result<String, HandlerError> {
    if command.role.is_none() && command.channel.is_none() && command.staff.is_none() {
        return Err(HandlerError::refuse(
            "Name a role, a channel, or whether staff are exempt.",
        ));
    }
    let remove = command.remove.unwrap_or(false);
    let role = command.role.map(role_id);
    let channel = command.channel.map(channel_id);
    save(feature, guild, |s| {
        if let Some(role) = role {
            s.exempt_roles.retain(|r| *r != role);
            if !remove {
                s.exempt_roles.push(role);
            }
        }
        if let Some(channel) = channel {
            s.exempt_channels.retain(|c| *c != channel);
            if !remove {
                s.exempt_channels.push(channel);
            }
        }
        if let Some(staff) = command.staff {
            s.exempt_staff = staff;
        }
    })
    .await?;
    let verb = if remove { "no longer exempt" } else { "exempt" };
    let mut parts = Vec::new();
    if let Some(role) = role {
        parts.push(format!("<@&{role}> is {verb}"));
    }
    if let Some(channel) = channel {
        parts.push(format!("<#{channel}> is {verb}"));
    }
    if let Some(staff) = command.staff {
        parts.push(format!(
            "staff are {}exempt",
            if staff { "" } else { "not " }
        ));
    }
    Ok(format!("Done: {}.", parts.join(", ")))
}

async fn show<S: Backend>(
    feature: &Automod<S>,
    guild: hearth_core::GuildId,
    ack: &mut Ack,
) -> HandlerResult {
    let settings = feature
        .settings
        .get(guild)
        .await
        .map_err(HandlerError::fault)?;
    let s = &settings.settings;
    let mut text = format!(
        "Automod is {}. Staff are {}exempt.\n",
        if s.enabled { "on" } else { "off" },
        if s.exempt_staff { "" } else { "not " }
    );
    let mut copy = s.clone();
    for kind in RULES {
        if let Some(r) = response_of(&mut copy, kind) {
            let _ = writeln!(text, "- {}: {}", kind.name(), describe(*r));
        }
    }
    for step in &s.escalation {
        let _ = writeln!(
            text,
            "- {} violations in {} → {}",
            step.violations,
            hearth_core::format_duration_long(step.within),
            step.action.describe()
        );
    }
    ack.reply(Reply::ephemeral(text)).await
}

async fn test<S: Backend>(
    feature: &Automod<S>,
    guild: hearth_core::GuildId,
    text: &str,
    ack: &mut Ack,
) -> HandlerResult {
    let rules = feature.rules(guild).await?;
    let (normalised, hits) = rules.test(text);
    let mut answer = format!(
        "Normalised: `{}`\n",
        neutralise_mentions(&hearth_core::text::truncate(normalised.as_str(), 300))
    );
    if hits.is_empty() {
        answer.push_str(
            "No rule would match (rate and duplicate limits need history and are not tried).",
        );
    }
    for hit in &hits {
        let _ = writeln!(
            answer,
            "- **{}**: {} → {}",
            hit.rule.name(),
            neutralise_mentions(&hit.reason),
            describe(hit.response)
        );
    }
    ack.reply(Reply::ephemeral(answer)).await
}

async fn recent<S: Backend>(
    feature: &Automod<S>,
    guild: hearth_core::GuildId,
    ack: &mut Ack,
) -> HandlerResult {
    let hits = feature
        .store
        .recent_hits(guild, RECENT_SHOWN)
        .await
        .map_err(HandlerError::fault)?;
    if hits.is_empty() {
        return ack
            .reply(Reply::ephemeral("Automod has not matched anything lately."))
            .await;
    }
    let mut text = String::new();
    for hit in hits {
        let _ = writeln!(
            text,
            "<t:{}:R> <@{}>: **{}** — {} → {}{}",
            hit.at.unix_secs(),
            hit.user,
            hit.rule.name(),
            neutralise_mentions(&hit.reason),
            hit.action.describe(),
            if hit.deleted { ", deleted" } else { "" }
        );
    }
    ack.reply(Reply::ephemeral(text)).await
}

/// Who sees `/automod` by default: Manage Server (checked again on the server).
fn managers() -> Permissions {
    Permissions::MANAGE_GUILD
}
