//! Leveling's refusals and the sentences members read for them: the one place they are
//! written.

use hearth_core::{DurationError, RoleId, UserId};
use hearth_xp_engine::Error;

use crate::interaction::{HandlerError, Refusal};

/// Why a leveling command or button changed nothing.
#[derive(Debug)]
#[non_exhaustive]
pub enum LevelingRefusal {
    /// The domain refused (an amount, a level, a multiplier, a page out of range …).
    Domain(Error),
    /// A duration that isn't one, or is out of range.
    Duration(DurationError),
    /// The role is managed by an integration (a bot's own role, the booster role).
    ManagedRole(RoleId),
    /// The role is at or above the bot's highest role, so the bot could never give it.
    RoleAboveBot(RoleId),
    /// `@everyone` can't be earned.
    EveryoneRole,
    /// The target is not a member of the server.
    NotAMember(UserId),
    /// A bot doesn't earn XP.
    ABot(UserId),
    /// `/levelsettings announce` "in a channel I choose" without a channel.
    AnnounceChannelMissing,
    /// `/levelsettings noxp` with neither a channel nor a role.
    NoXpNothing,
    /// A boost id that isn't a number.
    BoostIdUnreadable(String),
}

impl Refusal for LevelingRefusal {
    fn sentence(&self) -> String {
        match self {
            Self::Domain(err) => sentence(&err.to_string()),
            Self::Duration(err) => sentence(&err.to_string()),
            Self::ManagedRole(role) => format!(
                "<@&{role}> is managed by an integration, so no one can give it; choose another role."
            ),
            Self::RoleAboveBot(role) => format!(
                "<@&{role}> is not below my highest role, so I couldn't give it to anyone. Move \
                 my role above it in Server Settings → Roles, or choose a lower role."
            ),
            Self::EveryoneRole => "Everyone has @everyone already; choose another role.".to_owned(),
            Self::NotAMember(user) => format!("<@{user}> isn't a member of this server."),
            Self::ABot(user) => format!("<@{user}> is a bot; bots don't earn XP."),
            Self::AnnounceChannelMissing => {
                "Choose the channel too when announcing \"in a channel I choose\".".to_owned()
            }
            Self::NoXpNothing => "Name a channel, a role or both.".to_owned(),
            Self::BoostIdUnreadable(text) => format!(
                "`{}` is not a boost id; /xpboost list shows them.",
                hearth_core::text::truncate(text, 20)
            ),
        }
    }
}

/// A domain message (a lowercase fact) as a sentence: capital first letter, full stop.
fn sentence(fact: &str) -> String {
    let mut chars = fact.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

impl From<LevelingRefusal> for HandlerError {
    fn from(refusal: LevelingRefusal) -> Self {
        Self::refusal(refusal)
    }
}

impl From<Error> for HandlerError {
    fn from(err: Error) -> Self {
        match err {
            Error::Store(_) => Self::fault(err),
            refusal => Self::refusal(LevelingRefusal::Domain(refusal)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_refusals_read_as_sentences() {
        let err = hearth_xp_engine::XpChange::add(-99_999_999).unwrap_err();
        assert_eq!(
            LevelingRefusal::Domain(err).sentence(),
            "An XP amount here goes from 1 to 1899250000000, not -99999999."
                .replace("1899250000000", &hearth_xp_engine::XP_MAX.to_string())
        );
    }
}
