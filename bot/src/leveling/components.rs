//! Leveling's buttons, as typed `custom_id` actions. Each carries all it needs, so buttons on
//! old messages keep working after a restart.

use hearth_core::UserId;

use crate::custom_id::{Action, Args, CustomIdError};

/// A page of `/leaderboard`: `leveling:board:1:{page}` (pages from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoardPage {
    /// Which page, from 1 (0 on a disabled "previous" button of page 1).
    pub page: u32,
}

impl Action for BoardPage {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "board";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.page.to_string());
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self {
            page: args.number()?,
        })
    }
}

/// A page of `/globalleaderboard`: `leveling:global:1:{page}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalPage {
    /// Which page, from 1.
    pub page: u32,
}

impl Action for GlobalPage {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "global";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.page.to_string());
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self {
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
        assert_eq!(BoardPage { page: 7 }.custom_id(), "leveling:board:1:7");
        assert_eq!(
            CustomId::parse("leveling:resetall:1:maybe")
                .unwrap()
                .decode::<ResetAll>(),
            Err(CustomIdError::Argument { index: 0 })
        );
    }
}
