//! The roles feature's refusals and the sentences members and staff read for them: the one
//! place they are written.

use hearth_core::{RoleId, format_duration_long};
use hearth_roles::{ClickRefusal, Error};

use crate::interaction::{HandlerError, Refusal};

/// Why a roles command, click or reaction changed nothing.
#[derive(Debug)]
#[non_exhaustive]
pub enum RolesRefusal {
    /// The domain refused (bad emoji, a limit, no such menu).
    Domain(Error),
    /// The menu's rules refused a member's choice.
    Click(ClickRefusal),
    /// A role the bot may not hand out; the sentence says why.
    Unmanageable(RoleId, Problem),
    /// A staff member tried to hand out a role not below their own highest role.
    AboveInvoker(RoleId),
    /// The `roles` option named no role.
    NoRoles,
    /// The `roles` option held something that is neither an emoji nor a role.
    Unreadable(String),
    /// The `message` option is neither a message id nor a link.
    BadMessage,
    /// A delay that does not read.
    BadDelay(String),
    /// The menu's message is gone from Discord.
    MessageGone,
    /// The bot could not post the menu where asked.
    CannotPost,
    /// A reaction menu's emoji the bot could not react with.
    BadReaction(String),
}

/// Why a role cannot be handed out by the bot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `@everyone`.
    Everyone,
    /// Managed by an integration (a bot's own role, Server Booster).
    Managed,
    /// Not below the bot's highest role.
    AboveBot,
    /// Not in the guild (deleted).
    Unknown,
}

impl Refusal for RolesRefusal {
    fn sentence(&self) -> String {
        match self {
            Self::Domain(err) => domain_sentence(err),
            Self::Click(refusal) => click_sentence(refusal),
            Self::Unmanageable(role, problem) => problem_sentence(*role, *problem),
            Self::AboveInvoker(role) => {
                format!("You can't hand out <@&{role}>: it is not below your highest role.")
            }
            Self::NoRoles => "Name at least one role, like `🎮 @Gamers`.".to_owned(),
            Self::Unreadable(text) => format!(
                "I couldn't read `{text}`: write an emoji and a role mention, like `🎮 @Gamers`."
            ),
            Self::BadMessage => {
                "Give the menu's message as its id or its link (right-click → Copy Message Link)."
                    .to_owned()
            }
            Self::BadDelay(err) => format!("That delay doesn't read: {err}."),
            Self::MessageGone => {
                "The menu's message is gone, so I deleted the menu. Create it again.".to_owned()
            }
            Self::CannotPost => "I can't post there. Give me View Channel, Send Messages and \
                                 Embed Links, then try again."
                .to_owned(),
            Self::BadReaction(emoji) => format!(
                "I couldn't react with {emoji}: use a Unicode emoji or one of this server's."
            ),
        }
    }
}

/// The sentence for a role the bot cannot hand out.
pub fn problem_sentence(role: RoleId, problem: Problem) -> String {
    match problem {
        Problem::Everyone => "@everyone can't be handed out: everyone has it.".to_owned(),
        Problem::Managed => format!(
            "<@&{role}> is managed by an integration (a bot or server boosts), so no one can \
             hand it out."
        ),
        Problem::AboveBot => format!(
            "I can't hand out <@&{role}>: it is not below my highest role. Move my role above \
             it in Server Settings → Roles."
        ),
        Problem::Unknown => format!("<@&{role}> no longer exists."),
    }
}

fn click_sentence(refusal: &ClickRefusal) -> String {
    match refusal {
        ClickRefusal::MissingRequired(roles) => {
            let list: Vec<String> = roles.iter().map(|r| format!("<@&{r}>")).collect();
            format!("This menu is for members with {}.", list.join(" or "))
        }
        ClickRefusal::LimitReached { limit: 1 } => {
            "You can hold only one role from this menu.".to_owned()
        }
        ClickRefusal::LimitReached { limit } => {
            format!("You can hold at most {limit} roles from this menu: remove one first.")
        }
        ClickRefusal::NotOffered(role) => format!("<@&{role}> is no longer in this menu."),
        _ => "This menu refused that.".to_owned(),
    }
}

fn domain_sentence(err: &Error) -> String {
    match err {
        Error::BadEmoji(text) => {
            format!("`{text}` isn't an emoji: use a Unicode emoji or one of this server's.")
        }
        Error::TitleLength { max, .. } => format!("A title must have 1 to {max} characters."),
        Error::LabelLength { max, len } => {
            format!("A label must have 1 to {max} characters; this one has {len}.")
        }
        Error::OptionCount { max, len } if *len == 0 => {
            format!("A menu needs at least one role (and holds at most {max}).")
        }
        Error::OptionCount { max, len } => {
            format!("This kind of menu holds at most {max} roles; that makes {len}.")
        }
        Error::EmojiMissing { role } => {
            format!("Reaction menus need an emoji for every role; <@&{role}> has none.")
        }
        Error::DuplicateRole { role } => format!("<@&{role}> is in the menu twice."),
        Error::DuplicateEmoji(emoji) => format!("{emoji} is in the menu twice."),
        Error::ZeroLimit => "A limit must be at least 1.".to_owned(),
        Error::TooManyRequired { max } => format!("A menu can require at most {max} roles."),
        Error::MenuExists => "That message already has a role menu.".to_owned(),
        Error::MenuNotFound => {
            "There is no role menu on that message in this server. `/rolemenu list` shows them."
                .to_owned()
        }
        Error::RoleNotInMenu { role } => format!("<@&{role}> isn't in that menu."),
        Error::TooManyAutoroles { max } => {
            format!("A server can have at most {max} autoroles; remove one first.")
        }
        Error::DelayTooLong { max } => {
            format!("A delay can be at most {}.", format_duration_long(*max))
        }
        Error::NotAnAutorole { role } => format!("<@&{role}> isn't an autorole."),
        _ => "I can't do that.".to_owned(),
    }
}

impl From<RolesRefusal> for HandlerError {
    fn from(refusal: RolesRefusal) -> Self {
        Self::refusal(refusal)
    }
}

impl From<Error> for HandlerError {
    fn from(err: Error) -> Self {
        match err {
            Error::Store(_) => Self::fault(err),
            refusal => Self::refusal(RolesRefusal::Domain(refusal)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_role_and_the_way_out() {
        let above = RolesRefusal::Unmanageable(RoleId::new(5), Problem::AboveBot);
        assert!(above.sentence().contains("<@&5>"));
        assert!(above.sentence().contains("Move my role above"));
        let limit = RolesRefusal::Click(ClickRefusal::LimitReached { limit: 2 });
        assert_eq!(
            limit.sentence(),
            "You can hold at most 2 roles from this menu: remove one first."
        );
        let err = HandlerError::from(Error::Store(hearth_core::StoreError::bare(
            hearth_core::StoreErrorKind::Unavailable,
            "test",
        )));
        assert!(matches!(err, HandlerError::Fault(_)));
    }
}
