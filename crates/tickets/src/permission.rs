//! Who may do what to a ticket: the opener, the category's support roles, the claimer, admins.
//!
//! [`decide`] is the one place these rules live; the bot asks it before every action and
//! shows the [`Denied`] sentence when it says no.

use hearth_core::{RoleId, UserId};

use crate::{Category, Ticket, TicketStatus};

/// Who is acting: their id, their roles, and whether they administer the guild (the
/// Administrator or Manage Server permission, or the owner).
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    /// The member.
    pub user: UserId,
    /// Their roles.
    pub roles: &'a [RoleId],
    /// Whether they administer the guild.
    pub admin: bool,
}

impl Actor<'_> {
    /// Whether they answer tickets of `category`: an admin, or holding one of its support roles.
    pub fn is_staff(&self, category: &Category) -> bool {
        self.admin
            || self
                .roles
                .iter()
                .any(|r| category.support_roles.contains(r))
    }
}

/// Something a member wants to do to a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Write in the ticket's channel.
    Reply,
    /// Take the ticket.
    Claim,
    /// Let go of it.
    Unclaim,
    /// Close it.
    Close,
    /// Ask the opener to confirm closing.
    RequestClose,
    /// Answer a close request (close, or keep open).
    AnswerCloseRequest,
    /// Open it again after close.
    Reopen,
    /// Add a member to its channel.
    AddMember,
    /// Remove a member from its channel.
    RemoveMember,
    /// Get its transcript.
    Transcript,
    /// Rate it after close.
    Rate,
}

impl Action {
    /// The action as it reads after "can": `close this ticket`.
    pub const fn phrase(self) -> &'static str {
        match self {
            Self::Reply => "write in this ticket",
            Self::Claim => "claim this ticket",
            Self::Unclaim => "unclaim this ticket",
            Self::Close => "close this ticket",
            Self::RequestClose => "ask to close this ticket",
            Self::AnswerCloseRequest => "answer this close request",
            Self::Reopen => "reopen this ticket",
            Self::AddMember => "add members to this ticket",
            Self::RemoveMember => "remove members from this ticket",
            Self::Transcript => "get this ticket's transcript",
            Self::Rate => "rate this ticket",
        }
    }
}

/// Why a member may not do something; its message is the sentence shown to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Denied {
    /// Only the category's support team (or an admin) may.
    #[error("only the support team can {}", .action.phrase())]
    NotStaff {
        /// What they tried.
        action: Action,
    },
    /// Someone else claimed the ticket.
    #[error("<@{by}> has claimed this ticket; only they or an admin can {}", .action.phrase())]
    ClaimedByOther {
        /// The claimer.
        by: UserId,
        /// What they tried.
        action: Action,
    },
    /// Only the opener may.
    #[error("only the member who opened this ticket can {}", .action.phrase())]
    OpenerOnly {
        /// What they tried.
        action: Action,
    },
    /// Staff cannot claim their own ticket.
    #[error("you can't claim a ticket you opened")]
    OwnTicket,
    /// Neither the opener nor staff.
    #[error("you are not part of this ticket")]
    NotParticipant,
}

/// Whether `actor` may do `action` to `ticket` of `category`.
///
/// - Admins may do anything but rate (the opener's verdict) and claim their own ticket.
/// - The opener may write, close, get the transcript, answer a close request and rate; not
///   claim, reopen or manage members. A close request is theirs (or an admin's) to answer.
/// - Support roles may write, claim, ask to close, close, reopen, add and remove members and
///   get the transcript. Once a ticket is claimed, the claimer (and admins) keep those rights;
///   other support members may still read it, and write only if the category allows
///   ([`Category::others_reply_when_claimed`]), which also lets them close and manage it.
///
/// # Errors
///
/// The [`Denied`] sentence.
pub fn decide(
    ticket: &Ticket,
    category: &Category,
    actor: &Actor<'_>,
    action: Action,
) -> Result<(), Denied> {
    let opener = actor.user == ticket.opener;
    let staff = actor.is_staff(category);
    let claimer = ticket
        .claimed_by
        .filter(|_| matches!(ticket.status, TicketStatus::Claimed | TicketStatus::Closing));
    // Staff blocked by someone else's claim.
    let blocked_by = claimer
        .filter(|by| *by != actor.user && !actor.admin && !category.others_reply_when_claimed);
    let team = |action| match (staff, blocked_by) {
        (false, _) => Err(Denied::NotStaff { action }),
        (true, Some(by)) => Err(Denied::ClaimedByOther { by, action }),
        (true, None) => Ok(()),
    };
    match action {
        Action::Rate => {
            if opener {
                Ok(())
            } else {
                Err(Denied::OpenerOnly { action })
            }
        }
        Action::AnswerCloseRequest if opener || actor.admin => Ok(()),
        Action::AnswerCloseRequest => Err(Denied::OpenerOnly { action }),
        Action::Reply | Action::Close | Action::Transcript if opener => Ok(()),
        Action::Claim if opener => Err(Denied::OwnTicket),
        Action::Unclaim => match claimer {
            Some(by) if by == actor.user || actor.admin => Ok(()),
            Some(by) if staff => Err(Denied::ClaimedByOther { by, action }),
            // Nothing claimed: the ticket itself refuses with its own sentence.
            None if staff => Ok(()),
            _ => Err(Denied::NotStaff { action }),
        },
        // Others may read a claimed ticket, so its transcript is theirs too.
        Action::Claim | Action::Transcript if staff => Ok(()),
        Action::Reply | Action::Transcript if !staff => Err(Denied::NotParticipant),
        _ => team(action),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{OPENER, category, ticket};

    const SUPPORT: RoleId = RoleId::new(700);
    const ALICE: UserId = UserId::new(51);
    const BOB: UserId = UserId::new(52);
    const RANDOM: UserId = UserId::new(53);
    const BOSS: UserId = UserId::new(54);

    fn check(t: &Ticket, c: &Category, user: UserId, action: Action) -> Result<(), Denied> {
        let support = [SUPPORT];
        let roles: &[RoleId] = if user == ALICE || user == BOB {
            &support
        } else {
            &[]
        };
        decide(
            t,
            c,
            &Actor {
                user,
                roles,
                admin: user == BOSS,
            },
            action,
        )
    }

    fn support_category() -> Category {
        let mut c = category("support");
        c.support_roles = vec![SUPPORT];
        c
    }

    #[test]
    fn an_open_ticket_is_the_teams_and_the_openers() {
        let (t, c) = (ticket(), support_category());
        for action in [
            Action::Reply,
            Action::Close,
            Action::Transcript,
            Action::Rate,
        ] {
            assert_eq!(check(&t, &c, OPENER, action), Ok(()), "{action:?}");
        }
        for action in [
            Action::Reopen,
            Action::AddMember,
            Action::RemoveMember,
            Action::RequestClose,
        ] {
            assert_eq!(
                check(&t, &c, OPENER, action),
                Err(Denied::NotStaff { action })
            );
        }
        assert_eq!(check(&t, &c, OPENER, Action::Claim), Err(Denied::OwnTicket));
        for action in [
            Action::Reply,
            Action::Claim,
            Action::Close,
            Action::AddMember,
            Action::Transcript,
        ] {
            assert_eq!(check(&t, &c, ALICE, action), Ok(()), "{action:?}");
            assert_eq!(check(&t, &c, BOSS, action), Ok(()), "{action:?}");
        }
        assert_eq!(
            check(&t, &c, ALICE, Action::Rate),
            Err(Denied::OpenerOnly {
                action: Action::Rate
            })
        );
        assert_eq!(
            check(&t, &c, RANDOM, Action::Reply),
            Err(Denied::NotParticipant)
        );
        // A close request is the opener's to answer (or an admin's), not the team's.
        assert_eq!(check(&t, &c, OPENER, Action::AnswerCloseRequest), Ok(()));
        assert_eq!(check(&t, &c, BOSS, Action::AnswerCloseRequest), Ok(()));
        for user in [ALICE, RANDOM] {
            assert_eq!(
                check(&t, &c, user, Action::AnswerCloseRequest)
                    .unwrap_err()
                    .to_string(),
                "only the member who opened this ticket can answer this close request"
            );
        }
        assert_eq!(
            check(&t, &c, RANDOM, Action::Close)
                .unwrap_err()
                .to_string(),
            "only the support team can close this ticket"
        );
    }

    #[test]
    fn a_claim_keeps_other_staff_out_unless_the_category_lets_them_reply() {
        let mut c = support_category();
        let t = ticket().claim(ALICE).unwrap();
        assert_eq!(check(&t, &c, ALICE, Action::Close), Ok(()));
        assert_eq!(check(&t, &c, ALICE, Action::Unclaim), Ok(()));
        assert_eq!(check(&t, &c, BOSS, Action::Unclaim), Ok(()));
        assert_eq!(check(&t, &c, BOSS, Action::Reply), Ok(()));
        assert_eq!(
            check(&t, &c, BOB, Action::Reply).unwrap_err().to_string(),
            "<@51> has claimed this ticket; only they or an admin can write in this ticket"
        );
        assert_eq!(check(&t, &c, BOB, Action::Transcript), Ok(()));
        assert_eq!(
            check(&t, &c, BOB, Action::Unclaim),
            Err(Denied::ClaimedByOther {
                by: ALICE,
                action: Action::Unclaim
            })
        );
        assert_eq!(check(&t, &c, OPENER, Action::Reply), Ok(()));
        c.others_reply_when_claimed = true;
        assert_eq!(check(&t, &c, BOB, Action::Reply), Ok(()));
        assert_eq!(check(&t, &c, BOB, Action::Close), Ok(()));
        // Unclaiming stays the claimer's (or an admin's).
        assert!(check(&t, &c, BOB, Action::Unclaim).is_err());
    }
}
