//! Leveling's buttons, as typed `custom_id` actions. Each carries all it needs, so buttons on
//! old messages keep working after a restart.

use hearth_core::UserId;

use super::embeds::Board;
use crate::custom_id::{Action, Args, CustomIdError};

/// A page of `/leaderboard` or `/globalleaderboard`: `leveling:page:1:{server|global}:{page}`
/// (pages from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// Which leaderboard.
    pub board: Board,
    /// Which page, from 1 (0 on a disabled "previous" button of page 1).
    pub page: u32,
}

impl Action for Page {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "page";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(
            match self.board {
                Board::Server => "server",
                Board::Global => "global",
            }
            .to_owned(),
        );
        args.push(self.page.to_string());
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        let board = match args.word(&["server", "global"])? {
            "global" => Board::Global,
            _ => Board::Server,
        };
        Ok(Self {
            board,
            page: args.number()?,
        })
    }
}

/// The answer to `/resetxp member`: `leveling:reset:1:{user}:confirm|cancel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetMember {
    /// Whose XP.
    pub user: UserId,
    /// Whether the admin confirmed.
    pub confirm: bool,
}

impl Action for ResetMember {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "reset";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.user.to_string());
        args.push(confirm_word(self.confirm));
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self {
            user: args.id()?,
            confirm: args.word(&["confirm", "cancel"])? == "confirm",
        })
    }
}

/// The answer to `/resetxp all`: `leveling:resetall:1:confirm|cancel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetAll {
    /// Whether the admin confirmed.
    pub confirm: bool,
}

impl Action for ResetAll {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "resetall";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(confirm_word(self.confirm));
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self {
            confirm: args.word(&["confirm", "cancel"])? == "confirm",
        })
    }
}

fn confirm_word(confirm: bool) -> String {
    if confirm { "confirm" } else { "cancel" }.to_owned()
}

/// "Give it to them now" after `/addlevelrole`: `leveling:apply:1:{level}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplyRole {
    /// The level whose role to give to every member at or above it.
    pub level: u32,
}

impl Action for ApplyRole {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "apply";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.level.to_string());
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self {
            level: args.number()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custom_id::CustomId;

    #[test]
    fn leveling_buttons_round_trip() {
        let one = ResetMember {
            user: UserId::new(u64::MAX),
            confirm: false,
        };
        let id = one.custom_id();
        assert_eq!(
            CustomId::parse(&id).unwrap().decode::<ResetMember>(),
            Ok(one)
        );
        let all = ResetAll { confirm: true };
        assert_eq!(all.custom_id(), "leveling:resetall:1:confirm");
        let page = Page {
            board: Board::Global,
            page: 7,
        };
        assert_eq!(page.custom_id(), "leveling:page:1:global:7");
        assert_eq!(
            CustomId::parse(&page.custom_id()).unwrap().decode::<Page>(),
            Ok(page)
        );
        assert_eq!(
            CustomId::parse("leveling:resetall:1:maybe")
                .unwrap()
                .decode::<ResetAll>(),
            Err(CustomIdError::Argument { index: 0 })
        );
    }
}
