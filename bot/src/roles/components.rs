//! The menus' buttons and select menu, as typed `custom_id` actions. The menu itself is found
//! by the message the click came from, so nothing but the role travels in the `custom_id`.

use hearth_core::RoleId;

use crate::custom_id::{Action, Args, CustomIdError};

/// A role button: `roles:pick:1:{role}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pick {
    /// The button's role.
    pub role: RoleId,
}

impl Action for Pick {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "pick";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.role.to_string());
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self { role: args.id()? })
    }
}

/// The role select menu: `roles:choose:1`; the chosen role ids are its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choose;

impl Action for Choose {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "choose";
    const VERSION: u8 = 1;

    fn write(&self, _args: &mut Vec<String>) {}

    fn read(_args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custom_id::CustomId;

    #[test]
    fn menu_components_round_trip_within_discords_limit() {
        let pick = Pick {
            role: RoleId::new(u64::MAX),
        };
        let id = pick.custom_id();
        assert_eq!(CustomId::parse(&id).unwrap().decode::<Pick>(), Ok(pick));
        assert_eq!(
            CustomId::parse(&Choose.custom_id())
                .unwrap()
                .decode::<Choose>(),
            Ok(Choose)
        );
        assert!(
            CustomId::parse("roles:pick:1:abc")
                .unwrap()
                .decode::<Pick>()
                .is_err()
        );
    }
}
