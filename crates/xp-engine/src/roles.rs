//! Level roles: roles members earn by reaching a level.

use std::collections::BTreeMap;

use hearth_core::RoleId;
use serde::{Deserialize, Serialize};

/// The most level roles a guild may set.
pub const LEVEL_ROLES_MAX: usize = 50;

/// Whether members keep the roles of lower levels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleMode {
    /// Members keep every level role they reached (the default).
    #[default]
    Stack,
    /// Members hold only the role of the highest level they reached.
    Replace,
}

/// The roles to give and take away so a member's level roles match their level.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RoleChanges {
    /// Roles to add, in level order (lowest first).
    pub add: Vec<RoleId>,
    /// Roles to remove, in level order (lowest first).
    pub remove: Vec<RoleId>,
}

impl RoleChanges {
    /// Whether nothing needs to change.
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }
}

/// A guild's level → role table.
///
/// Two levels may name the same role; the role is then earned at the lower level (and in
/// *replace* mode kept until a higher level names another role).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LevelRoles(BTreeMap<u32, RoleId>);

impl LevelRoles {
    /// A table from `(level, role)` pairs; a later pair for the same level wins.
    pub fn new(pairs: impl IntoIterator<Item = (u32, RoleId)>) -> Self {
        Self(pairs.into_iter().collect())
    }

    /// The role given at `level`, if any.
    pub fn get(&self, level: u32) -> Option<RoleId> {
        self.0.get(&level).copied()
    }

    /// Every `(level, role)`, lowest level first.
    pub fn iter(&self) -> impl Iterator<Item = (u32, RoleId)> + '_ {
        self.0.iter().map(|(l, r)| (*l, *r))
    }

    /// How many levels have a role.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no level has a role.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets (`Some`) or clears (`None`) the role of one level.
    pub fn set(&mut self, level: u32, role: Option<RoleId>) {
        match role {
            Some(role) => self.0.insert(level, role),
            None => self.0.remove(&level),
        };
    }

    /// The level roles a member at `level` should hold, lowest level first: in *stack* mode
    /// every role of a level at or below it, in *replace* mode the highest one's only.
    pub fn earned(&self, mode: RoleMode, level: u32) -> Vec<RoleId> {
        let mut reached = self.0.range(..=level).map(|(_, r)| *r);
        let mut earned: Vec<RoleId> = match mode {
            RoleMode::Stack => reached.collect(),
            RoleMode::Replace => reached.next_back().into_iter().collect(),
        };
        let mut seen = Vec::with_capacity(earned.len());
        earned.retain(|r| {
            let first = !seen.contains(r);
            seen.push(*r);
            first
        });
        earned
    }

    /// What to change so a member holding `current` roles has exactly the level roles of
    /// `level`: earned roles they lack are added, level roles they hold but no longer earn are
    /// removed (after an admin moved their XP down, or in *replace* mode). Roles that are no
    /// level role are never touched.
    ///
    /// ```
    /// use hearth_core::RoleId;
    /// use hearth_xp_engine::{LevelRoles, RoleMode};
    ///
    /// let (five, ten) = (RoleId::new(5), RoleId::new(10));
    /// let roles = LevelRoles::new([(5, five), (10, ten)]);
    /// let up = roles.changes(RoleMode::Replace, 10, &[five]);
    /// assert_eq!((up.add, up.remove), (vec![ten], vec![five]));
    /// let down = roles.changes(RoleMode::Stack, 7, &[five, ten]);
    /// assert_eq!((down.add, down.remove), (vec![], vec![ten]));
    /// ```
    pub fn changes(&self, mode: RoleMode, level: u32, current: &[RoleId]) -> RoleChanges {
        let earned = self.earned(mode, level);
        let add = earned
            .iter()
            .filter(|r| !current.contains(r))
            .copied()
            .collect();
        let mut remove: Vec<RoleId> = Vec::new();
        for (_, role) in self.iter() {
            if current.contains(&role) && !earned.contains(&role) && !remove.contains(&role) {
                remove.push(role);
            }
        }
        RoleChanges { add, remove }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R5: RoleId = RoleId::new(5);
    const R10: RoleId = RoleId::new(10);
    const R20: RoleId = RoleId::new(20);
    const OTHER: RoleId = RoleId::new(99);

    fn table() -> LevelRoles {
        LevelRoles::new([(5, R5), (10, R10), (20, R20)])
    }

    #[test]
    fn stack_keeps_every_role_reached() {
        assert_eq!(table().earned(RoleMode::Stack, 4), []);
        assert_eq!(table().earned(RoleMode::Stack, 5), [R5]);
        assert_eq!(table().earned(RoleMode::Stack, 19), [R5, R10]);
        assert_eq!(
            table().changes(RoleMode::Stack, 10, &[R5, OTHER]),
            RoleChanges {
                add: vec![R10],
                remove: vec![]
            }
        );
    }

    #[test]
    fn replace_keeps_only_the_highest() {
        assert_eq!(table().earned(RoleMode::Replace, 25), [R20]);
        assert_eq!(
            table().changes(RoleMode::Replace, 10, &[R5, OTHER]),
            RoleChanges {
                add: vec![R10],
                remove: vec![R5]
            }
        );
    }

    #[test]
    fn moving_xp_down_removes_roles_no_longer_earned() {
        let held = [R5, R10, R20, OTHER];
        assert_eq!(
            table().changes(RoleMode::Stack, 6, &held),
            RoleChanges {
                add: vec![],
                remove: vec![R10, R20]
            }
        );
        assert_eq!(
            table().changes(RoleMode::Replace, 12, &[R20]),
            RoleChanges {
                add: vec![R10],
                remove: vec![R20]
            }
        );
        assert_eq!(
            table().changes(RoleMode::Stack, 0, &held).remove,
            [R5, R10, R20]
        );
    }

    #[test]
    fn a_role_named_by_two_levels_is_earned_at_the_lower() {
        let roles = LevelRoles::new([(5, R5), (10, R5), (20, R20)]);
        assert_eq!(roles.earned(RoleMode::Stack, 12), [R5]);
        assert!(roles.changes(RoleMode::Replace, 12, &[R5]).is_empty());
        assert_eq!(roles.changes(RoleMode::Replace, 20, &[R5]).remove, [R5]);
    }

    #[test]
    fn set_adds_and_clears_a_level() {
        let mut roles = table();
        roles.set(10, None);
        roles.set(15, Some(OTHER));
        assert_eq!(
            roles.iter().collect::<Vec<_>>(),
            [(5, R5), (15, OTHER), (20, R20)]
        );
        assert_eq!(
            serde_json::to_string(&roles).unwrap(),
            r#"{"5":"5","15":"99","20":"20"}"#
        );
    }
}
