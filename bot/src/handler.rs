//! What every feature's handlers share: reading a command as untrusted input, who invoked it,
//! where, and with which permissions.

use hearth_core::{GuildId, MessageId, Timestamp, UserId};
use twilight_interactions::{
    command::{CommandInputData, CommandModel, CreateCommand},
    error::{ParseError, ParseOptionError, ParseOptionErrorType},
};
use twilight_model::{
    application::{
        command::{CommandOption, CommandOptionValue},
        interaction::{Interaction, InteractionData},
    },
    guild::Permissions,
};

use crate::{
    discord::{guild_id, user_id},
    interaction::{HandlerError, HandlerResult, Refusal},
};

/// The guild the interaction came from.
///
/// # Errors
///
/// A refusal when it came from a DM.
pub fn in_guild(interaction: &Interaction) -> Result<GuildId, HandlerError> {
    interaction
        .guild_id
        .map(guild_id)
        .ok_or_else(|| HandlerError::refuse("This command works only in a server."))
}

/// The invoker's user id.
///
/// # Errors
///
/// A refusal when the interaction names nobody (never from Discord).
pub fn invoker(interaction: &Interaction) -> Result<UserId, HandlerError> {
    interaction
        .author_id()
        .map(user_id)
        .ok_or_else(|| HandlerError::refuse("I couldn't tell who you are."))
}

/// When Discord created an interaction, from its snowflake: the "now" of a command, so a
/// replayed event agrees with the first.
pub fn created_at(interaction: &Interaction) -> Timestamp {
    MessageId::new(interaction.id.get()).created_at()
}

/// A typed action from a `custom_id` (a button or menu); a crafted or outdated one is refused
/// with [`NO_LONGER_IN_USE`](crate::feature::NO_LONGER_IN_USE).
///
/// # Errors
///
/// That refusal.
pub fn decode<A: crate::custom_id::Action>(
    id: &crate::custom_id::CustomId<'_>,
) -> Result<A, HandlerError> {
    id.decode().map_err(|err| {
        tracing::debug!(custom_id = %id, %err, "component refused");
        HandlerError::refuse(crate::feature::NO_LONGER_IN_USE)
    })
}

/// Checks the invoker's permissions as Discord computed them for this channel; `name` is the
/// permission as Discord's client shows it, `to` what the member tried to do.
///
/// # Errors
///
/// A refusal naming the permission.
pub fn require(
    interaction: &Interaction,
    needed: Permissions,
    name: &str,
    to: &str,
) -> HandlerResult {
    let has = interaction
        .member
        .as_ref()
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.contains(Permissions::ADMINISTRATOR) || p.contains(needed));
    if has {
        Ok(())
    } else {
        Err(HandlerError::refuse(format!(
            "You need the {name} permission to {to}."
        )))
    }
}

/// An option that Discord's client would have stopped but a crafted request can send.
#[derive(Debug, Clone, PartialEq)]
pub struct BadOption {
    field: String,
    problem: Problem,
}

#[derive(Debug, Clone, PartialEq)]
enum Problem {
    Range {
        value: String,
        min: Option<String>,
        max: Option<String>,
    },
    Length {
        len: usize,
        min: Option<u16>,
        max: Option<u16>,
    },
    Unresolved,
    Choice,
    ChannelKind,
    Missing,
    Unreadable,
}

impl Refusal for BadOption {
    fn sentence(&self) -> String {
        let field = self.field.replace('_', " ");
        match &self.problem {
            Problem::Range { value, min, max } => match (min, max) {
                (Some(min), Some(max)) => {
                    format!("The {field} must be between {min} and {max}; you gave {value}.")
                }
                (Some(min), None) => {
                    format!("The {field} must be at least {min}; you gave {value}.")
                }
                (None, Some(max)) => {
                    format!("The {field} must be at most {max}; you gave {value}.")
                }
                (None, None) => format!("The {field} {value} is out of range."),
            },
            Problem::Length { len, min, max } => match (min, max) {
                (Some(min), Some(max)) if *min > 1 => {
                    format!("The {field} must be {min}–{max} characters long; yours has {len}.")
                }
                (_, Some(max)) if len > &usize::from(*max) => {
                    format!("The {field} can be at most {max} characters; yours has {len}.")
                }
                (Some(min), _) => {
                    format!("The {field} must be at least {min} characters; yours has {len}.")
                }
                _ => format!("The {field} can't be {len} characters long."),
            },
            Problem::Unresolved => format!(
                "I couldn't find the {field} you gave. Pick it from the list Discord offers."
            ),
            Problem::Choice => format!("That {field} isn't one of the choices."),
            Problem::ChannelKind => format!("That kind of channel can't be the {field}."),
            Problem::Missing => format!("The {field} is required."),
            Problem::Unreadable => "I couldn't read that command; Discord may still be \
                                    updating it. Try again in a minute."
                .to_owned(),
        }
    }
}

/// Reads a slash command's options as `T`, refusing what Discord's client would have stopped
/// with a sentence that names the option and the limit (read from `T`'s own registration).
/// The value a member typed is never logged, only which option failed and how.
///
/// # Errors
///
/// A [`BadOption`] refusal.
pub fn parse<T: CommandModel + CreateCommand>(
    interaction: &Interaction,
) -> Result<T, HandlerError> {
    let Some(InteractionData::ApplicationCommand(data)) = &interaction.data else {
        return Err(HandlerError::refusal(BadOption {
            field: String::new(),
            problem: Problem::Unreadable,
        }));
    };
    T::from_interaction(CommandInputData::from((**data).clone())).map_err(|err| {
        let (field, problem) = match err {
            ParseError::Option(ParseOptionError { field, kind }) => {
                tracing::debug!(%field, kind = kind_name(&kind), "command option refused");
                let declared = declared_option(&T::create_command().options, &field);
                (field, problem(kind, declared.as_ref()))
            }
            ParseError::EmptyOptions => (String::new(), Problem::Unreadable),
        };
        HandlerError::refusal(BadOption { field, problem })
    })
}

fn problem(kind: ParseOptionErrorType, declared: Option<&CommandOption>) -> Problem {
    let bound = |value: Option<CommandOptionValue>| {
        value.map(|v| match v {
            CommandOptionValue::Integer(n) => n.to_string(),
            CommandOptionValue::Number(n) => n.to_string(),
        })
    };
    match kind {
        ParseOptionErrorType::IntegerOutOfRange(value) => Problem::Range {
            value: value.to_string(),
            min: bound(declared.and_then(|o| o.min_value)),
            max: bound(declared.and_then(|o| o.max_value)),
        },
        ParseOptionErrorType::NumberOutOfRange(value) => Problem::Range {
            value: value.to_string(),
            min: bound(declared.and_then(|o| o.min_value)),
            max: bound(declared.and_then(|o| o.max_value)),
        },
        ParseOptionErrorType::StringLengthOutOfRange(value) => Problem::Length {
            len: value.chars().count(),
            min: declared.and_then(|o| o.min_length),
            max: declared.and_then(|o| o.max_length),
        },
        ParseOptionErrorType::LookupFailed(_) => Problem::Unresolved,
        ParseOptionErrorType::InvalidChoice(_) => Problem::Choice,
        ParseOptionErrorType::InvalidChannelType(_) => Problem::ChannelKind,
        ParseOptionErrorType::RequiredField => Problem::Missing,
        _ => Problem::Unreadable,
    }
}

fn kind_name(kind: &ParseOptionErrorType) -> &'static str {
    match kind {
        ParseOptionErrorType::InvalidType(_) => "invalid type",
        ParseOptionErrorType::InvalidChoice(_) => "invalid choice",
        ParseOptionErrorType::IntegerOutOfRange(_) | ParseOptionErrorType::NumberOutOfRange(_) => {
            "out of range"
        }
        ParseOptionErrorType::StringLengthOutOfRange(_) => "length out of range",
        ParseOptionErrorType::InvalidChannelType(_) => "channel type",
        ParseOptionErrorType::LookupFailed(_) => "unresolved",
        ParseOptionErrorType::RequiredField => "missing",
        _ => "other",
    }
}

/// The registered option named `field`, looking into subcommands too.
fn declared_option(options: &[CommandOption], field: &str) -> Option<CommandOption> {
    options.iter().find_map(|option| {
        if option.name == field {
            Some(option.clone())
        } else {
            option
                .options
                .as_deref()
                .and_then(|inner| declared_option(inner, field))
        }
    })
}

#[cfg(test)]
mod tests {
    use std::{
        io::Write,
        sync::{Arc, Mutex},
    };

    use super::*;
    use crate::{interaction::HandlerError, moderation::commands::Warn};

    /// A `/warn` as a crafted request could send it.
    fn warn_with_reason(reason: &str) -> Interaction {
        warn_of("40", reason)
    }

    /// A `/warn` naming `member`, of whom only user 40 is resolved.
    fn warn_of(member: &str, reason: &str) -> Interaction {
        serde_json::from_value(serde_json::json!({
            "id": "1100000000000000001",
            "application_id": "1",
            "type": 2,
            "token": "token",
            "version": 1,
            "guild_id": "10",
            "channel_id": "20",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "attachment_size_limit": 8_388_608,
            "data": {
                "id": "30",
                "name": "warn",
                "type": 1,
                "options": [
                    { "name": "member", "type": 6, "value": member },
                    { "name": "reason", "type": 3, "value": reason },
                ],
                "resolved": { "users": { "40": {
                    "id": "40", "username": "alice", "discriminator": "0", "avatar": null
                } } },
            },
        }))
        .expect("an interaction")
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_crafted_reason_is_refused_with_the_limit_and_never_reaches_the_log() {
        let forged = format!(
            "{}\n2026-11-29T12:00:00Z ERROR hearth::run: forged by a member's reason\x1b[2J",
            "x".repeat(600)
        );
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish();
        // tracing caches each callsite's interest process-wide, computed by whichever thread
        // meets it first: a test thread with no subscriber caches "never" (tokio-rs/tracing
        // #2743). So the callsite is met here first, then asked again under the subscriber.
        let _ = parse::<Warn>(&warn_with_reason(&forged));
        let refused = tracing::subscriber::with_default(subscriber, || {
            tracing::callsite::rebuild_interest_cache();
            parse::<Warn>(&warn_with_reason(&forged))
        });
        let Err(HandlerError::Refusal(refusal)) = refused else {
            panic!("a refusal");
        };
        assert_eq!(
            refusal.sentence(),
            format!(
                "The reason can be at most 512 characters; yours has {}.",
                forged.chars().count()
            )
        );
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("command option refused"), "{log}");
        assert!(!log.contains("forged"), "{log}");
        assert!(!log.contains("xxxxxxxx"), "{log}");
        assert_eq!(log.lines().count(), 1, "{log}");
    }

    #[test]
    fn a_member_discord_did_not_resolve_is_refused_by_name() {
        let Err(HandlerError::Refusal(refusal)) = parse::<Warn>(&warn_of("41", "spam")) else {
            panic!("a refusal");
        };
        assert_eq!(
            refusal.sentence(),
            "I couldn't find the member you gave. Pick it from the list Discord offers."
        );
        assert!(parse::<Warn>(&warn_of("40", "spam")).is_ok());
    }
}
