//! Slash-command arguments bound to the options the bot registered.
//!
//! Pure: [`bind`] turns `@alice spamming` into `member: User(alice), reason:
//! String("spamming")` by reading the command's registered options (their names, types and
//! order), so a new command works here without any change; [`usages`] says how to write
//! each command.

use std::fmt::Write as _;

use hearth_sandbox::CommandValue;
use serde_json::Value;
use twilight_model::id::Id;

use super::names::Names;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Token {
    text: String,
    quoted: bool,
}

/// Splits arguments into words; `"two words"` (or `name:"two words"`) is one.
fn tokenize(args: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut in_quotes = false;
    for c in args.chars() {
        match c {
            '"' => {
                // Only a word that starts with a quote is plain text; `name:"…"` stays named.
                if current.is_empty() {
                    quoted = true;
                }
                in_quotes = !in_quotes;
            }
            c if c.is_whitespace() && !in_quotes => {
                if !current.is_empty() || quoted {
                    tokens.push(Token {
                        text: std::mem::take(&mut current),
                        quoted,
                    });
                }
                quoted = false;
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() || quoted {
        tokens.push(Token {
            text: current,
            quoted,
        });
    }
    tokens
}

/// Application command option types. See Discord Docs/Interactions/Application Commands
/// ("Application Command Option Type").
mod kind {
    pub(super) const SUB_COMMAND: u64 = 1;
    pub(super) const SUB_COMMAND_GROUP: u64 = 2;
    pub(super) const STRING: u64 = 3;
    pub(super) const INTEGER: u64 = 4;
    pub(super) const BOOLEAN: u64 = 5;
    pub(super) const USER: u64 = 6;
    pub(super) const CHANNEL: u64 = 7;
    pub(super) const ROLE: u64 = 8;
    pub(super) const MENTIONABLE: u64 = 9;
    pub(super) const NUMBER: u64 = 10;
}

/// A slash command bound to the registered options: what to hand the sandbox, and how it
/// was understood.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Bound {
    /// The options, nested under their subcommand when there is one.
    pub(crate) options: Vec<(String, CommandValue)>,
    /// How the line was read: `/warn member:@alice reason:spamming`.
    pub(crate) summary: String,
}

fn options_of(value: &Value) -> Vec<Value> {
    value["options"].as_array().cloned().unwrap_or_default()
}

fn kind_of(option: &Value) -> u64 {
    option["type"].as_u64().unwrap_or(0)
}

fn name_of(option: &Value) -> &str {
    option["name"].as_str().unwrap_or_default()
}

/// How a command is written, one line per subcommand: `/warn @member <reason…>`,
/// `/modlog set #channel`; optional options in brackets.
pub(crate) fn usages(command: &Value) -> Vec<String> {
    let mut out = Vec::new();
    leaf_usages(&format!("/{}", name_of(command)), command, &mut out);
    out
}

fn leaf_usages(prefix: &str, node: &Value, out: &mut Vec<String>) {
    let options = options_of(node);
    let subs: Vec<&Value> = options
        .iter()
        .filter(|o| matches!(kind_of(o), kind::SUB_COMMAND | kind::SUB_COMMAND_GROUP))
        .collect();
    if !subs.is_empty() {
        for sub in subs {
            leaf_usages(&format!("{prefix} {}", name_of(sub)), sub, out);
        }
        return;
    }
    let mut line = prefix.to_owned();
    for option in &options {
        let name = name_of(option);
        let required = option["required"].as_bool().unwrap_or(false);
        let _ = match (kind_of(option), required) {
            (kind::USER | kind::MENTIONABLE | kind::ROLE, true) => write!(line, " @{name}"),
            (kind::CHANNEL, true) => write!(line, " #{name}"),
            (kind::STRING, true) => write!(line, " <{name}…>"),
            (_, true) => write!(line, " <{name}>"),
            (_, false) => write!(line, " [{name}]"),
        };
    }
    out.push(line);
}

/// All of a command's forms on one line.
pub(crate) fn usage(command: &Value) -> String {
    usages(command).join(" · ")
}

/// Binds a command's arguments to its registered options.
///
/// Subcommands come first by name (`/modlog set #mod-log`). Then `name:value` sets an option
/// by name (a text option takes every word up to the next `name:`); `@person` fills the
/// next user option, `@Role` the next role option, `#channel` the next channel option, a
/// number the next integer or number option, `true`/`false` the next boolean option; a bare
/// name of a person or channel fills a user or channel option still empty. What is left is
/// text, and goes to the first text option (the reason).
pub(crate) fn bind(command: &Value, args: &str, names: &Names) -> Result<Bound, String> {
    let usage_line = usage(command);
    let mut tokens = tokenize(args).into_iter();
    let (path, options) = descend(command, &mut tokens, &usage_line)?;
    let mut values: Vec<Option<CommandValue>> = vec![None; options.len()];
    let mut free: Vec<String> = Vec::new();
    // A text option set by name keeps taking words until the next `name:`.
    let mut collecting: Option<usize> = None;
    for token in tokens {
        let by_name = (!token.quoted)
            .then(|| token.text.split_once(':'))
            .flatten()
            .and_then(|(name, value)| {
                options
                    .iter()
                    .position(|o| name_of(o).eq_ignore_ascii_case(name))
                    .map(|i| (i, value.to_owned()))
            });
        if let Some((i, value)) = by_name {
            collecting = None;
            if kind_of(&options[i]) == kind::STRING {
                values[i] = Some(CommandValue::String(value));
                collecting = Some(i);
            } else {
                values[i] = Some(value_for(&options[i], &value, names)?);
            }
        } else if let Some(i) = collecting {
            if let Some(CommandValue::String(text)) = &mut values[i] {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&token.text);
            }
        } else if token.quoted {
            free.push(token.text);
        } else {
            match place(&token.text, &options, &values, names)? {
                Some((i, value)) => values[i] = Some(value),
                None => free.push(token.text),
            }
        }
    }
    if !free.is_empty() {
        spread_text(free, &options, &mut values)
            .map_err(|text| format!("I don't know where “{text}” goes. Usage: {usage_line}"))?;
    }
    let mut bound = Vec::new();
    let mut summary = format!("/{}", name_of(command));
    for sub in &path {
        summary.push(' ');
        summary.push_str(sub);
    }
    for (option, value) in options.iter().zip(values) {
        let name = name_of(option).to_owned();
        match value {
            Some(value) => {
                let value = checked(option, value)?;
                let _ = write!(summary, " {name}:{}", shown(&value, names));
                bound.push((name, value));
            }
            None if option["required"].as_bool().unwrap_or(false) => {
                return Err(format!(
                    "/{} needs {}. Usage: {usage_line}",
                    name_of(command),
                    describe(option)
                ));
            }
            None => {}
        }
    }
    // Nest under the subcommands, innermost first.
    for sub in path.iter().rev() {
        bound = vec![(sub.clone(), CommandValue::Subcommand(sub.clone(), bound))];
    }
    Ok(Bound {
        options: bound,
        summary,
    })
}

/// Reads subcommand (and group) names off the front: their path and the leaf's options.
fn descend(
    command: &Value,
    tokens: &mut impl Iterator<Item = Token>,
    usage_line: &str,
) -> Result<(Vec<String>, Vec<Value>), String> {
    let mut path = Vec::new();
    let mut options = options_of(command);
    while options
        .iter()
        .any(|o| matches!(kind_of(o), kind::SUB_COMMAND | kind::SUB_COMMAND_GROUP))
    {
        let choices: Vec<&str> = options.iter().map(name_of).collect();
        let Some(word) = tokens.next() else {
            return Err(format!(
                "/{} needs one of: {}. Usage: {usage_line}",
                name_of(command),
                choices.join(", ")
            ));
        };
        let Some(sub) = options
            .iter()
            .find(|o| name_of(o).eq_ignore_ascii_case(&word.text))
            .cloned()
        else {
            return Err(format!(
                "/{} has no “{}”; pick one of: {}.",
                name_of(command),
                word.text,
                choices.join(", ")
            ));
        };
        path.push(name_of(&sub).to_owned());
        options = options_of(&sub);
    }
    Ok((path, options))
}

/// Puts unnamed words into the empty text options: each but the last takes one word when it
/// is required or the word starts with a digit (`/mute @alice 10m being rude`: duration `10m`,
/// reason `being rude`; `/ban @bob spamming links`: no duration, the reason is all of it), and
/// the last takes the rest. `Err` with the text when there is no text option to take it.
fn spread_text(
    mut words: Vec<String>,
    options: &[Value],
    values: &mut [Option<CommandValue>],
) -> Result<(), String> {
    let empty: Vec<usize> = (0..options.len())
        .filter(|&i| values[i].is_none() && kind_of(&options[i]) == kind::STRING)
        .collect();
    let Some((&last, before)) = empty.split_last() else {
        return Err(words.join(" "));
    };
    for &i in before {
        let required = options[i]["required"].as_bool().unwrap_or(false);
        let numeric = words[0].starts_with(|c: char| c.is_ascii_digit());
        if words.len() > 1 && (required || numeric) {
            values[i] = Some(CommandValue::String(words.remove(0)));
        }
    }
    values[last] = Some(CommandValue::String(words.join(" ")));
    Ok(())
}

/// The first option still empty whose type is one of `kinds`.
fn slot(options: &[Value], values: &[Option<CommandValue>], kinds: &[u64]) -> Option<usize> {
    options
        .iter()
        .enumerate()
        .find(|(i, o)| values[*i].is_none() && kinds.contains(&kind_of(o)))
        .map(|(i, _)| i)
}

/// Which empty option an unnamed word fills, if any (`None`: the word is text).
fn place(
    word: &str,
    options: &[Value],
    values: &[Option<CommandValue>],
    names: &Names,
) -> Result<Option<(usize, CommandValue)>, String> {
    let slot = |kinds: &[u64]| slot(options, values, kinds);
    let person = names.person(word);
    if word.starts_with('@') {
        let role = names.role(word);
        return Ok(match (slot(&[kind::USER, kind::MENTIONABLE]), person) {
            (Some(i), Some(id)) => Some((i, CommandValue::User(Id::new(id)))),
            (Some(_), None) if role.is_none() => {
                return Err(format!(
                    "There's nobody called {word} here. People: {}.",
                    names.people_list()
                ));
            }
            _ => match (slot(&[kind::ROLE, kind::MENTIONABLE]), role) {
                (Some(i), Some(id)) => Some((i, CommandValue::Role(Id::new(id)))),
                _ => None,
            },
        });
    }
    if word.starts_with('#') {
        return match (slot(&[kind::CHANNEL]), names.channel(word)) {
            (Some(i), Some(id)) => Ok(Some((i, CommandValue::Channel(Id::new(id))))),
            (Some(_), None) => Err(format!(
                "There's no channel {word}. Channels: {}.",
                names.channel_list()
            )),
            _ => Ok(None),
        };
    }
    Ok(if let (Some(i), Some(id)) = (slot(&[kind::USER]), person) {
        Some((i, CommandValue::User(Id::new(id))))
    } else if let (Some(i), Some(id)) = (slot(&[kind::CHANNEL]), names.channel(word)) {
        Some((i, CommandValue::Channel(Id::new(id))))
    } else if let (Some(i), Ok(n)) = (slot(&[kind::INTEGER]), word.parse::<i64>()) {
        Some((i, CommandValue::Integer(n)))
    } else if let (Some(i), Ok(n)) = (slot(&[kind::NUMBER]), word.parse::<f64>()) {
        Some((i, CommandValue::Number(n)))
    } else if let (Some(i), Some(b)) = (slot(&[kind::BOOLEAN]), boolean(word)) {
        Some((i, CommandValue::Boolean(b)))
    } else {
        None
    })
}

fn boolean(word: &str) -> Option<bool> {
    match word.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// An option named explicitly (`page:2`), read as its type says.
fn value_for(option: &Value, text: &str, names: &Names) -> Result<CommandValue, String> {
    let name = name_of(option);
    let bad = |what: &str| format!("{name} must be {what}, not “{text}”.");
    Ok(match kind_of(option) {
        kind::STRING => CommandValue::String(text.to_owned()),
        kind::INTEGER => CommandValue::Integer(text.parse().map_err(|_| bad("a whole number"))?),
        kind::NUMBER => CommandValue::Number(text.parse().map_err(|_| bad("a number"))?),
        kind::BOOLEAN => CommandValue::Boolean(boolean(text).ok_or_else(|| bad("true or false"))?),
        kind::USER | kind::MENTIONABLE => CommandValue::User(Id::new(
            names
                .person(text)
                .ok_or_else(|| bad(&format!("one of: {}", names.people_list())))?,
        )),
        kind::CHANNEL => CommandValue::Channel(Id::new(
            names
                .channel(text)
                .ok_or_else(|| bad(&format!("one of: {}", names.channel_list())))?,
        )),
        kind::ROLE => CommandValue::Role(Id::new(names.role(text).ok_or_else(|| bad("a role"))?)),
        _ => return Err(format!("{name} can't be given in a terminal.")),
    })
}

/// Checks what Discord's own client checks before sending: choices, ranges and lengths.
fn checked(option: &Value, value: CommandValue) -> Result<CommandValue, String> {
    let name = name_of(option);
    if let Some(choices) = option["choices"].as_array() {
        let wanted = match &value {
            CommandValue::String(s) => Value::from(s.as_str()),
            CommandValue::Integer(n) => Value::from(*n),
            CommandValue::Number(n) => Value::from(*n),
            _ => Value::Null,
        };
        let by_name = |c: &&Value| {
            wanted
                .as_str()
                .zip(c["name"].as_str())
                .is_some_and(|(w, n)| w.eq_ignore_ascii_case(n))
        };
        let Some(choice) = choices
            .iter()
            .find(|c| c["value"] == wanted)
            .or_else(|| choices.iter().find(by_name))
        else {
            let names: Vec<&str> = choices.iter().filter_map(|c| c["name"].as_str()).collect();
            return Err(format!("{name} must be one of: {}.", names.join(", ")));
        };
        return Ok(match (&value, &choice["value"]) {
            (CommandValue::String(_), Value::String(s)) => CommandValue::String(s.clone()),
            _ => value,
        });
    }
    match &value {
        CommandValue::Integer(n) => {
            let n = *n;
            if let Some(min) = option["min_value"].as_i64().filter(|min| n < *min) {
                return Err(format!("{name} must be at least {min}."));
            }
            if let Some(max) = option["max_value"].as_i64().filter(|max| n > *max) {
                return Err(format!("{name} must be at most {max}."));
            }
        }
        CommandValue::String(s) => {
            let len = u64::try_from(s.chars().count()).unwrap_or(u64::MAX);
            if let Some(max) = option["max_length"].as_u64().filter(|max| len > *max) {
                return Err(format!(
                    "{name} can be at most {max} characters (this is {len})."
                ));
            }
            if let Some(min) = option["min_length"].as_u64().filter(|min| len < *min) {
                return Err(format!("{name} must be at least {min} characters."));
            }
        }
        _ => {}
    }
    Ok(value)
}

/// "a member (@member)" for the "needs …" sentence.
fn describe(option: &Value) -> String {
    let name = name_of(option);
    match kind_of(option) {
        kind::USER | kind::MENTIONABLE => format!("a {name} (@name)"),
        kind::CHANNEL => format!("a {name} (#name)"),
        kind::STRING => format!("a {name} (text)"),
        _ => format!("a {name} ({name}:…)"),
    }
}

/// A bound value as the summary line shows it.
fn shown(value: &CommandValue, names: &Names) -> String {
    match value {
        CommandValue::User(id) => format!("@{}", names.person_name(id.get()).unwrap_or("someone")),
        CommandValue::Channel(id) => {
            format!("#{}", names.channel_name(id.get()).unwrap_or("channel"))
        }
        CommandValue::Role(id) => format!("@{}", names.role_name(id.get()).unwrap_or("role")),
        CommandValue::String(s) if s.contains(' ') => format!("\"{s}\""),
        CommandValue::String(s) | CommandValue::Focused(s) => s.clone(),
        CommandValue::Integer(n) => n.to_string(),
        CommandValue::Number(n) => n.to_string(),
        CommandValue::Boolean(b) => b.to_string(),
        CommandValue::Subcommand(name, _) => name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::try_mode::names::demo;

    fn warn() -> Value {
        json!({"name": "warn", "type": 1, "options": [
            {"type": 6, "name": "member", "description": "m", "required": true},
            {"type": 3, "name": "reason", "description": "r", "required": true, "max_length": 512},
        ]})
    }

    fn warnings() -> Value {
        json!({"name": "warnings", "type": 1, "options": [
            {"type": 6, "name": "member", "description": "m", "required": true},
            {"type": 4, "name": "page", "description": "p", "min_value": 1, "max_value": 1000},
        ]})
    }

    fn modlog() -> Value {
        json!({"name": "modlog", "type": 1, "options": [
            {"type": 1, "name": "set", "description": "s", "options": [
                {"type": 7, "name": "channel", "description": "c", "required": true},
            ]},
            {"type": 1, "name": "off", "description": "o"},
        ]})
    }

    fn user(id: u64) -> CommandValue {
        CommandValue::User(Id::new(id))
    }

    fn text(s: &str) -> CommandValue {
        CommandValue::String(s.to_owned())
    }

    #[test]
    fn mentions_fill_user_options_and_the_rest_is_the_reason() {
        let bound = bind(&warn(), "@alice spamming in #general", &demo()).unwrap();
        assert_eq!(
            bound,
            Bound {
                options: vec![
                    ("member".into(), user(3)),
                    ("reason".into(), text("spamming in #general")),
                ],
                summary: "/warn member:@alice reason:\"spamming in #general\"".into(),
            }
        );
    }

    #[test]
    fn words_fill_text_options_in_order_and_the_last_takes_the_rest() {
        let mute = json!({"name": "mute", "type": 1, "options": [
            {"type": 6, "name": "member", "description": "m", "required": true},
            {"type": 3, "name": "duration", "description": "d", "required": true},
            {"type": 3, "name": "reason", "description": "r"},
        ]});
        let bound = bind(&mute, "@alice 10m being rude", &demo()).unwrap();
        assert_eq!(
            bound.options,
            [
                ("member".into(), user(3)),
                ("duration".into(), text("10m")),
                ("reason".into(), text("being rude")),
            ]
        );
        let ban = json!({"name": "ban", "type": 1, "options": [
            {"type": 6, "name": "member", "description": "m", "required": true},
            {"type": 3, "name": "duration", "description": "d"},
            {"type": 3, "name": "reason", "description": "r"},
        ]});
        let timed = bind(&ban, "@bob 7d spam links", &demo()).unwrap();
        assert_eq!(timed.options[1], ("duration".into(), text("7d")));
        assert_eq!(timed.options[2], ("reason".into(), text("spam links")));
        let plain = bind(&ban, "@bob spam links", &demo()).unwrap();
        assert_eq!(plain.options[1], ("reason".into(), text("spam links")));
        assert_eq!(plain.options.len(), 2);
    }

    #[test]
    fn a_second_mention_is_part_of_the_reason() {
        let bound = bind(&warn(), "@bob insulted @alice", &demo()).unwrap();
        assert_eq!(
            bound.options,
            [
                ("member".into(), user(4)),
                ("reason".into(), text("insulted @alice"))
            ]
        );
    }

    #[test]
    fn options_can_be_named_and_bare_names_work() {
        let bound = bind(&warn(), "reason:too loud member:alice", &demo()).unwrap();
        assert_eq!(
            bound.options,
            [
                ("member".into(), user(3)),
                ("reason".into(), text("too loud"))
            ]
        );
        let bound = bind(&warn(), "alice \"member: two\"", &demo()).unwrap();
        assert_eq!(bound.options[1], ("reason".into(), text("member: two")));
    }

    #[test]
    fn numbers_fill_integer_options_by_position_or_name() {
        let names = demo();
        assert_eq!(
            bind(&warnings(), "@alice 2", &names).unwrap().options,
            [
                ("member".into(), user(3)),
                ("page".into(), CommandValue::Integer(2))
            ]
        );
        assert_eq!(
            bind(&warnings(), "page:3 @alice", &names).unwrap().summary,
            "/warnings member:@alice page:3"
        );
        assert_eq!(
            bind(&warnings(), "@alice page:0", &names).unwrap_err(),
            "page must be at least 1."
        );
        assert_eq!(
            bind(&warnings(), "@alice page:two", &names).unwrap_err(),
            "page must be a whole number, not “two”."
        );
    }

    #[test]
    fn subcommands_nest_their_options() {
        let bound = bind(&modlog(), "set #mod-log", &demo()).unwrap();
        assert_eq!(
            bound.options,
            [(
                "set".into(),
                CommandValue::Subcommand(
                    "set".into(),
                    vec![("channel".into(), CommandValue::Channel(Id::new(11)))]
                )
            )]
        );
        assert_eq!(bound.summary, "/modlog set channel:#mod-log");
        assert_eq!(
            bind(&modlog(), "off", &demo()).unwrap().options,
            [("off".into(), CommandValue::Subcommand("off".into(), vec![]))]
        );
    }

    #[test]
    fn missing_or_unknown_arguments_say_how_to_write_the_command() {
        let names = demo();
        assert_eq!(
            bind(&warn(), "@alice", &names).unwrap_err(),
            "/warn needs a reason (text). Usage: /warn @member <reason…>"
        );
        assert_eq!(
            bind(&warn(), "@carol spam", &names).unwrap_err(),
            "There's nobody called @carol here. People: owner, mod, alice, bob, Hearth."
        );
        assert_eq!(
            bind(&modlog(), "", &names).unwrap_err(),
            "/modlog needs one of: set, off. Usage: /modlog set #channel · /modlog off"
        );
        assert_eq!(
            bind(&modlog(), "set #nowhere", &names).unwrap_err(),
            "There's no channel #nowhere. Channels: #general, #mod-log."
        );
        assert_eq!(
            bind(&warnings(), "@alice please", &names).unwrap_err(),
            "I don't know where “please” goes. Usage: /warnings @member [page]"
        );
        let long = "x".repeat(513);
        assert_eq!(
            bind(&warn(), &format!("@alice {long}"), &names).unwrap_err(),
            "reason can be at most 512 characters (this is 513)."
        );
    }
}
