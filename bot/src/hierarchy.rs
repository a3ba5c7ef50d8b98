//! Who may act on whom: Discord's role hierarchy, checked on our side.
//!
//! Discord's command permissions only decide who sees a command; a member can still call it
//! through the API, and the guild's settings can be changed at any time. So every moderation
//! command checks, on the server side, what Discord itself would check for the bot — and the
//! same for the moderator. See Discord Docs/Permissions, "Permission Hierarchy".

use std::collections::HashMap;

use hearth_core::{RoleId, UserId};

/// A member's place in a guild's hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The member.
    pub user: UserId,
    /// The position of their highest role (0 for `@everyone` alone).
    pub top_position: i64,
}

impl Standing {
    /// A member's standing from their role ids and the guild's role positions; roles the guild
    /// doesn't know (deleted meanwhile) count as `@everyone`.
    pub fn of(user: UserId, roles: &[RoleId], positions: &HashMap<RoleId, i64>) -> Self {
        let top_position = roles
            .iter()
            .filter_map(|r| positions.get(r))
            .copied()
            .max()
            .unwrap_or(0);
        Self { user, top_position }
    }
}

/// The people involved in one moderation action.
#[derive(Clone, Copy, Debug)]
pub struct Parties {
    /// The guild's owner, who is above everyone.
    pub owner: UserId,
    /// Who runs the command.
    pub moderator: Standing,
    /// Who it is aimed at.
    pub target: Standing,
    /// The bot, which carries it out.
    pub bot: Standing,
}

/// Checks that `parties.moderator` may `verb` (e.g. "warn", "time out") `parties.target`, and
/// that the bot can carry it out. The message of the refusal is the sentence the moderator sees.
///
/// # Errors
///
/// A sentence saying why not: self, the bot, the owner, a target whose highest role is not
/// below the moderator's (unless the moderator owns the guild), or not below the bot's.
pub fn check(verb: &str, parties: &Parties) -> Result<(), String> {
    let Parties {
        owner,
        moderator,
        target,
        bot,
    } = *parties;
    let mention = format!("<@{}>", target.user);
    if target.user == moderator.user {
        return Err(format!("You can't {verb} yourself."));
    }
    if target.user == bot.user {
        return Err(format!("I won't {verb} myself."));
    }
    if target.user == owner {
        return Err(format!("You can't {verb} {mention}: they own this server."));
    }
    if moderator.user != owner && target.top_position >= moderator.top_position {
        return Err(format!(
            "You can't {verb} {mention}: their highest role is not below yours."
        ));
    }
    if target.top_position >= bot.top_position {
        return Err(format!(
            "I can't {verb} {mention}: their highest role is not below mine. Move my role above \
             theirs in Server Settings → Roles."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: UserId = UserId::new(1);
    const MOD: UserId = UserId::new(2);
    const ALICE: UserId = UserId::new(3);
    const BOT: UserId = UserId::new(4);

    fn at(user: UserId, top_position: i64) -> Standing {
        Standing { user, top_position }
    }

    fn parties(moderator: Standing, target: Standing, bot: i64) -> Parties {
        Parties {
            owner: OWNER,
            moderator,
            target,
            bot: at(BOT, bot),
        }
    }

    #[test]
    fn moderator_above_target_and_bot_above_target_may_act() {
        assert_eq!(
            check("warn", &parties(at(MOD, 5), at(ALICE, 1), 10)),
            Ok(())
        );
    }

    #[test]
    fn target_at_or_above_the_moderator_is_refused() {
        let err = check("warn", &parties(at(MOD, 5), at(ALICE, 5), 10)).unwrap_err();
        assert_eq!(
            err,
            "You can't warn <@3>: their highest role is not below yours."
        );
        assert!(check("warn", &parties(at(MOD, 5), at(ALICE, 6), 10)).is_err());
    }

    #[test]
    fn owner_may_act_on_anyone_below_the_bot() {
        assert_eq!(
            check("warn", &parties(at(OWNER, 0), at(ALICE, 5), 10)),
            Ok(())
        );
    }

    #[test]
    fn target_at_or_above_the_bot_is_refused_with_the_fix() {
        let err = check("time out", &parties(at(MOD, 20), at(ALICE, 10), 10)).unwrap_err();
        assert!(
            err.starts_with("I can't time out <@3>: their highest role is not below mine."),
            "{err}"
        );
    }

    #[test]
    fn self_bot_and_owner_are_refused() {
        assert_eq!(
            check("warn", &parties(at(MOD, 5), at(MOD, 5), 10)),
            Err("You can't warn yourself.".into())
        );
        assert_eq!(
            check("warn", &parties(at(MOD, 5), at(BOT, 10), 10)),
            Err("I won't warn myself.".into())
        );
        assert_eq!(
            check("ban", &parties(at(MOD, 50), at(OWNER, 0), 60)),
            Err("You can't ban <@1>: they own this server.".into())
        );
    }

    #[test]
    fn standing_is_the_highest_known_role() {
        let positions = HashMap::from([(RoleId::new(10), 3), (RoleId::new(11), 7)]);
        let roles = [RoleId::new(10), RoleId::new(11), RoleId::new(99)];
        assert_eq!(Standing::of(ALICE, &roles, &positions).top_position, 7);
        assert_eq!(Standing::of(ALICE, &[], &positions).top_position, 0);
    }
}
