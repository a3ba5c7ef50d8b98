//! Moderation's buttons, as typed `custom_id` actions.

use hearth_core::UserId;

use crate::custom_id::{Action, Args, CustomIdError};

/// A page of `/warnings`: `moderation:warnings:1:{user}:{page}` (pages from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WarningsPage {
    /// Whose warnings.
    pub user: UserId,
    /// Which page, from 0.
    pub page: u32,
}

impl Action for WarningsPage {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "warnings";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.user.to_string());
        args.push(self.page.to_string());
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self {
            user: args.id()?,
            page: args.number()?,
        })
    }
}

/// The answer to `/clearwarnings`' question: `moderation:clear:1:{user}:confirm|cancel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClearWarnings {
    /// Whose warnings.
    pub user: UserId,
    /// Whether the moderator confirmed.
    pub confirm: bool,
}

impl Action for ClearWarnings {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "clear";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.user.to_string());
        args.push(if self.confirm { "confirm" } else { "cancel" }.to_owned());
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self {
            user: args.id()?,
            confirm: args.word(&["confirm", "cancel"])? == "confirm",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custom_id::CustomId;

    #[test]
    fn moderation_buttons_round_trip_within_discords_limit() {
        let page = WarningsPage {
            user: UserId::new(u64::MAX),
            page: u32::MAX,
        };
        let clear = ClearWarnings {
            user: UserId::new(u64::MAX),
            confirm: false,
        };
        let (a, b) = (page.custom_id(), clear.custom_id());
        assert_eq!(
            CustomId::parse(&a).unwrap().decode::<WarningsPage>(),
            Ok(page)
        );
        assert_eq!(
            CustomId::parse(&b).unwrap().decode::<ClearWarnings>(),
            Ok(clear)
        );
        assert_eq!(
            CustomId::parse("moderation:clear:1:5:maybe")
                .unwrap()
                .decode::<ClearWarnings>(),
            Err(CustomIdError::Argument { index: 1 })
        );
    }
}
