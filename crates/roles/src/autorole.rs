//! Autoroles: roles given to everyone who joins, after an optional delay, once membership
//! screening is passed; bots get only the roles meant for bots.

use std::time::Duration;

use hearth_core::{GuildId, RoleId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// The most autoroles a guild can have.
pub const AUTOROLES_MAX: usize = 10;
/// The longest delay before an autorole is given: 28 days.
pub const AUTOROLE_DELAY_MAX: Duration = Duration::from_secs(28 * 24 * 60 * 60);

/// Who an autorole is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoroleTarget {
    /// People joining; bots never get it.
    #[default]
    Members,
    /// Bots added to the server; people never get it.
    Bots,
}

impl AutoroleTarget {
    /// The stored name: `members` or `bots`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Members => "members",
            Self::Bots => "bots",
        }
    }

    /// The target stored as `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Members, Self::Bots]
            .into_iter()
            .find(|t| t.name() == name)
    }
}

/// A role given on join.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Autorole {
    /// The guild.
    pub guild: GuildId,
    /// The role.
    pub role: RoleId,
    /// How long after joining (or passing screening) it is given.
    pub delay: Duration,
    /// Members or bots.
    pub target: AutoroleTarget,
}

/// Someone who joined, as the gateway reported them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Joined {
    /// The guild.
    pub guild: GuildId,
    /// Who.
    pub user: UserId,
    /// Whether they are a bot.
    pub bot: bool,
    /// Whether they still have to pass membership screening (rules acceptance).
    pub pending: bool,
    /// When the event arrived.
    pub now: Timestamp,
}

/// An autorole waiting to be given: stored, so a restart loses none. Its key is
/// `(guild, user, role)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingGrant {
    /// The guild.
    pub guild: GuildId,
    /// Who gets it.
    pub user: UserId,
    /// The role.
    pub role: RoleId,
    /// The autorole's delay, counted from screening when the member is still screened.
    pub delay: Duration,
    /// When it may be given; `None` while the member has not passed screening.
    pub due: Option<Timestamp>,
}

/// The grants a join schedules: the autoroles for members or for bots, each due after its
/// delay, or waiting for screening when the member has not passed it yet (bots never wait).
pub fn grants_for(autoroles: &[Autorole], joined: &Joined) -> Vec<PendingGrant> {
    let target = if joined.bot {
        AutoroleTarget::Bots
    } else {
        AutoroleTarget::Members
    };
    let waiting = joined.pending && !joined.bot;
    autoroles
        .iter()
        .filter(|a| a.target == target && a.guild == joined.guild)
        .map(|a| PendingGrant {
            guild: joined.guild,
            user: joined.user,
            role: a.role,
            delay: a.delay,
            due: (!waiting).then(|| joined.now.saturating_add(a.delay)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn autorole(role: u64, secs: u64, target: AutoroleTarget) -> Autorole {
        Autorole {
            guild: GuildId::new(1),
            role: RoleId::new(role),
            delay: Duration::from_secs(secs),
            target,
        }
    }

    fn joined(bot: bool, pending: bool) -> Joined {
        Joined {
            guild: GuildId::new(1),
            user: UserId::new(9),
            bot,
            pending,
            now: Timestamp::from_unix_secs(100),
        }
    }

    #[test]
    fn members_get_member_roles_after_their_delay_and_bots_get_bot_roles() {
        let all = [
            autorole(10, 0, AutoroleTarget::Members),
            autorole(11, 60, AutoroleTarget::Members),
            autorole(12, 0, AutoroleTarget::Bots),
        ];
        let member = grants_for(&all, &joined(false, false));
        let due: Vec<_> = member.iter().map(|g| (g.role.get(), g.due)).collect();
        assert_eq!(
            due,
            [
                (10, Some(Timestamp::from_unix_secs(100))),
                (11, Some(Timestamp::from_unix_secs(160)))
            ]
        );
        let bot = grants_for(&all, &joined(true, true));
        assert_eq!(bot.len(), 1);
        assert_eq!(bot[0].role, RoleId::new(12));
        assert!(bot[0].due.is_some(), "bots are never screened");
    }

    #[test]
    fn a_member_in_screening_waits() {
        let all = [autorole(10, 30, AutoroleTarget::Members)];
        let grants = grants_for(&all, &joined(false, true));
        assert_eq!(grants[0].due, None);
        assert_eq!(grants[0].delay, Duration::from_secs(30));
    }
}
