//! Role menus: a message whose reactions, buttons or select menu hand out roles, and the pure
//! rule that turns one click into roles to add and remove.

use std::fmt;

use hearth_core::{ChannelId, GuildId, MessageId, RoleId};
use serde::{Deserialize, Serialize};

use crate::Error;

/// The most roles a reaction menu can offer: Discord allows 20 different reactions a message.
pub const REACTION_OPTIONS_MAX: usize = 20;
/// The most roles a button or select menu can offer: 5 rows of 5 buttons, or 25 select options.
pub const COMPONENT_OPTIONS_MAX: usize = 25;
/// The longest button label or select option label, in characters (Discord's limit).
pub const LABEL_MAX_CHARS: usize = 80;
/// The longest menu title, in characters (an embed title's limit).
pub const TITLE_MAX_CHARS: usize = 256;
/// The most roles a member may be required to hold before using a menu.
pub const REQUIRED_MAX: usize = 5;

/// How members choose roles from a menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MenuKind {
    /// Reactions on the message, one emoji per role.
    Reactions,
    /// A button per role.
    Buttons,
    /// A select menu listing the roles.
    Select,
}

impl MenuKind {
    /// The most options a menu of this kind can hold.
    pub const fn options_max(self) -> usize {
        match self {
            Self::Reactions => REACTION_OPTIONS_MAX,
            Self::Buttons | Self::Select => COMPONENT_OPTIONS_MAX,
        }
    }

    /// The stored name: `reactions`, `buttons` or `select`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Reactions => "reactions",
            Self::Buttons => "buttons",
            Self::Select => "select",
        }
    }

    /// The kind stored as `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Reactions, Self::Buttons, Self::Select]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// What a choice does to the member's roles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MenuMode {
    /// Choosing gives the role, choosing again (or removing the reaction) takes it back.
    #[default]
    Normal,
    /// At most one role of the menu: choosing one takes the member's other menu roles away.
    Unique,
    /// Add only: roles are given, never taken back (rules acceptance, verification).
    Verify,
    /// Remove only: choosing takes the role away, never gives it.
    Drop,
}

impl MenuMode {
    /// Every mode, in the order commands list them.
    pub const ALL: [Self; 4] = [Self::Normal, Self::Unique, Self::Verify, Self::Drop];

    /// The stored name: `normal`, `unique`, `verify` or `drop`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Unique => "unique",
            Self::Verify => "verify",
            Self::Drop => "drop",
        }
    }

    /// The mode stored as `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// An emoji on a reaction, button or select option.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MenuEmoji {
    /// A Unicode emoji, e.g. `🎮`.
    Unicode {
        /// The emoji itself.
        name: String,
    },
    /// A server's custom emoji, `<:name:id>` or `<a:name:id>`.
    Custom {
        /// Its id (stored as a decimal string, like every Discord id).
        #[serde(with = "id_string")]
        id: u64,
        /// Its name.
        name: String,
        /// Whether it is animated.
        animated: bool,
    },
}

impl MenuEmoji {
    /// Reads what a member typed: `<:name:id>`, `<a:name:id>`, or a Unicode emoji (at most 16
    /// characters, no letters, digits, spaces or ASCII punctuation).
    ///
    /// # Errors
    ///
    /// [`Error::BadEmoji`] with the text when it is neither.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let bad = || Error::BadEmoji(text.chars().take(40).collect());
        if let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
            let (animated, rest) = match inner.strip_prefix("a:") {
                Some(rest) => (true, rest),
                None => (false, inner.strip_prefix(':').ok_or_else(bad)?),
            };
            let (name, id) = rest.split_once(':').ok_or_else(bad)?;
            let valid_name = (2..=32).contains(&name.len())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            let id: u64 = id.parse().map_err(|_| bad())?;
            if !valid_name || id == 0 {
                return Err(bad());
            }
            return Ok(Self::Custom {
                id,
                name: name.to_owned(),
                animated,
            });
        }
        let count = text.chars().count();
        let plausible = (1..=16).contains(&count)
            && text
                .chars()
                .all(|c| !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace());
        if plausible {
            Ok(Self::Unicode {
                name: text.to_owned(),
            })
        } else {
            Err(bad())
        }
    }

    /// How a reaction event names it: the Unicode emoji, or the custom emoji's id.
    pub fn reaction_key(&self) -> String {
        match self {
            Self::Unicode { name } => name.clone(),
            Self::Custom { id, .. } => id.to_string(),
        }
    }
}

impl fmt::Display for MenuEmoji {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unicode { name } => f.write_str(name),
            Self::Custom {
                id,
                name,
                animated: true,
            } => write!(f, "<a:{name}:{id}>"),
            Self::Custom { id, name, .. } => write!(f, "<:{name}:{id}>"),
        }
    }
}

/// A `u64` id written as a decimal string (and read from a string or a number), as
/// `hearth-core`'s ids are, so no backend has to store a number above `i64::MAX`.
mod id_string {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` signature
    pub(super) fn serialize<S: Serializer>(id: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(id)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(u64),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Text(text) => text.parse().map_err(D::Error::custom),
            Raw::Number(n) => Ok(n),
        }
    }
}

/// One role a menu offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuOption {
    /// The role.
    #[serde(rename = "role_id")]
    pub role: RoleId,
    /// Its emoji: required on reaction menus, optional on the others.
    pub emoji: Option<MenuEmoji>,
    /// Its label on a button or select option (the role's name when created).
    pub label: String,
}

/// A role menu: a message and the roles it hands out. Serialised with the seed's field names
/// (`message_id`, `guild_id`, `channel_id`, `role_id`; ids as strings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleMenu {
    /// The message carrying it: the menu's key.
    #[serde(rename = "message_id")]
    pub message: MessageId,
    /// Its guild.
    #[serde(rename = "guild_id")]
    pub guild: GuildId,
    /// Its channel.
    #[serde(rename = "channel_id")]
    pub channel: ChannelId,
    /// Reactions, buttons or a select menu.
    pub kind: MenuKind,
    /// What a choice does.
    pub mode: MenuMode,
    /// The most of this menu's roles a member may hold at once; `None` for no limit.
    pub limit: Option<u8>,
    /// Roles a member must hold (any one of them) to use the menu; empty for everyone.
    pub required: Vec<RoleId>,
    /// Its title.
    pub title: String,
    /// The roles it offers, in display order; never two with the same role or emoji.
    pub options: Vec<MenuOption>,
    /// Bumped by every change; the store writes a change only over the version it was made
    /// from, so two edits at once never undo each other.
    pub version: u64,
}

impl RoleMenu {
    /// Checks the menu against the limits: a title, 1 to [`MenuKind::options_max`] options,
    /// labels up to [`LABEL_MAX_CHARS`], an emoji on every reaction option, no role or emoji
    /// twice, a limit of at least 1, at most [`REQUIRED_MAX`] required roles.
    ///
    /// # Errors
    ///
    /// The first rule it breaks.
    pub fn validate(&self) -> Result<(), Error> {
        let title = self.title.chars().count();
        if self.title.trim().is_empty() || title > TITLE_MAX_CHARS {
            return Err(Error::TitleLength {
                max: TITLE_MAX_CHARS,
                len: title,
            });
        }
        let max = self.kind.options_max();
        if self.options.is_empty() || self.options.len() > max {
            return Err(Error::OptionCount {
                max,
                len: self.options.len(),
            });
        }
        for (i, option) in self.options.iter().enumerate() {
            let len = option.label.chars().count();
            if option.label.trim().is_empty() || len > LABEL_MAX_CHARS {
                return Err(Error::LabelLength {
                    max: LABEL_MAX_CHARS,
                    len,
                });
            }
            if self.kind == MenuKind::Reactions && option.emoji.is_none() {
                return Err(Error::EmojiMissing { role: option.role });
            }
            let earlier = &self.options[..i];
            if earlier.iter().any(|o| o.role == option.role) {
                return Err(Error::DuplicateRole { role: option.role });
            }
            if let Some(emoji) = &option.emoji
                && earlier.iter().any(|o| o.emoji.as_ref() == Some(emoji))
            {
                return Err(Error::DuplicateEmoji(emoji.to_string()));
            }
        }
        if self.limit == Some(0) {
            return Err(Error::ZeroLimit);
        }
        if self.required.len() > REQUIRED_MAX {
            return Err(Error::TooManyRequired { max: REQUIRED_MAX });
        }
        Ok(())
    }

    /// The option for `role`, if the menu offers it.
    pub fn option(&self, role: RoleId) -> Option<&MenuOption> {
        self.options.iter().find(|o| o.role == role)
    }

    /// The option whose emoji a reaction event names ([`MenuEmoji::reaction_key`]).
    pub fn option_for_reaction(&self, key: &str) -> Option<&MenuOption> {
        self.options
            .iter()
            .find(|o| o.emoji.as_ref().is_some_and(|e| e.reaction_key() == key))
    }

    /// Whether the menu offers `role`.
    pub fn offers(&self, role: RoleId) -> bool {
        self.option(role).is_some()
    }

    /// Decides what a member's choice does, from the roles they hold now. Pure: the bot checks
    /// the role hierarchy and carries the outcome out with one call per role.
    ///
    /// # Errors
    ///
    /// A [`ClickRefusal`] when the menu's rules forbid the choice; nothing should change.
    pub fn decide(&self, held: &[RoleId], choice: &Choice) -> Result<RoleChange, ClickRefusal> {
        if !self.required.is_empty() && !self.required.iter().any(|r| held.contains(r)) {
            return Err(ClickRefusal::MissingRequired(self.required.clone()));
        }
        let chosen: Vec<RoleId> = match choice {
            Choice::Toggle(role) | Choice::Pick(role) | Choice::Unpick(role) => vec![*role],
            Choice::Set(roles) => roles.clone(),
        };
        if let Some(role) = chosen.iter().find(|r| !self.offers(**r)) {
            return Err(ClickRefusal::NotOffered(*role));
        }
        let has = |r: &RoleId| held.contains(r);
        let menu_held: Vec<RoleId> = self
            .options
            .iter()
            .map(|o| o.role)
            .filter(|r| has(r))
            .collect();
        let (mut add, mut remove): (Vec<RoleId>, Vec<RoleId>) = match (self.mode, choice) {
            (MenuMode::Verify | MenuMode::Drop, Choice::Unpick(_)) => (vec![], vec![]),
            (MenuMode::Normal | MenuMode::Unique, Choice::Unpick(role)) => {
                (vec![], chosen_held(&[*role], held))
            }
            (MenuMode::Drop, _) => (vec![], chosen_held(&chosen, held)),
            (MenuMode::Verify, _) => (chosen.iter().copied().filter(|r| !has(r)).collect(), vec![]),
            (MenuMode::Normal | MenuMode::Unique, Choice::Toggle(role)) if has(role) => {
                (vec![], vec![*role])
            }
            (MenuMode::Normal | MenuMode::Unique, Choice::Toggle(role) | Choice::Pick(role)) => (
                vec![*role].into_iter().filter(|r| !has(r)).collect(),
                vec![],
            ),
            (MenuMode::Normal | MenuMode::Unique, Choice::Set(roles)) => (
                roles.iter().copied().filter(|r| !has(r)).collect(),
                menu_held
                    .iter()
                    .copied()
                    .filter(|r| !roles.contains(r))
                    .collect(),
            ),
        };
        add.dedup();
        if self.mode == MenuMode::Unique && !add.is_empty() {
            if add.len() > 1 {
                return Err(ClickRefusal::LimitReached { limit: 1 });
            }
            remove = menu_held
                .iter()
                .copied()
                .filter(|r| !add.contains(r))
                .collect();
        }
        if let Some(limit) = self.limit {
            let after = menu_held.len() + add.len() - remove.iter().filter(|r| has(r)).count();
            if !add.is_empty() && after > usize::from(limit) {
                return Err(ClickRefusal::LimitReached { limit });
            }
        }
        Ok(RoleChange { add, remove })
    }
}

fn chosen_held(chosen: &[RoleId], held: &[RoleId]) -> Vec<RoleId> {
    chosen
        .iter()
        .copied()
        .filter(|r| held.contains(r))
        .collect()
}

/// What a member did on a menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Clicked the button of a role.
    Toggle(RoleId),
    /// Added the reaction of a role.
    Pick(RoleId),
    /// Removed the reaction of a role.
    Unpick(RoleId),
    /// Chose exactly these roles in the select menu (possibly none).
    Set(Vec<RoleId>),
}

/// The roles a choice adds and removes; both empty when nothing changes (a verify menu whose
/// role the member already has).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleChange {
    /// Roles to give, one call each.
    pub add: Vec<RoleId>,
    /// Roles to take away, one call each.
    pub remove: Vec<RoleId>,
}

impl RoleChange {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }
}

/// Why a menu refused a choice.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClickRefusal {
    /// The member holds none of the menu's required roles.
    #[error("this menu needs one of its required roles")]
    MissingRequired(Vec<RoleId>),
    /// The member would hold more of the menu's roles than its limit.
    #[error("this menu allows at most {limit} of its roles")]
    LimitReached {
        /// The menu's limit.
        limit: u8,
    },
    /// The role is not (or no longer) in the menu.
    #[error("role {0} is not in this menu")]
    NotOffered(RoleId),
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: RoleId = RoleId::new(1);
    const B: RoleId = RoleId::new(2);
    const C: RoleId = RoleId::new(3);
    const MEMBER: RoleId = RoleId::new(50);

    fn menu(mode: MenuMode) -> RoleMenu {
        RoleMenu {
            message: MessageId::new(9),
            guild: GuildId::new(1),
            channel: ChannelId::new(2),
            kind: MenuKind::Buttons,
            mode,
            limit: None,
            required: vec![],
            title: "t".to_owned(),
            options: [A, B, C]
                .into_iter()
                .map(|role| MenuOption {
                    role,
                    emoji: None,
                    label: "x".to_owned(),
                })
                .collect(),
            version: 0,
        }
    }

    #[allow(clippy::unnecessary_wraps)]
    fn change(add: &[RoleId], remove: &[RoleId]) -> Result<RoleChange, ClickRefusal> {
        Ok(RoleChange {
            add: add.to_vec(),
            remove: remove.to_vec(),
        })
    }

    #[test]
    fn normal_buttons_toggle_and_reactions_follow_the_reaction() {
        let m = menu(MenuMode::Normal);
        assert_eq!(m.decide(&[], &Choice::Toggle(A)), change(&[A], &[]));
        assert_eq!(m.decide(&[A], &Choice::Toggle(A)), change(&[], &[A]));
        assert_eq!(m.decide(&[B], &Choice::Pick(A)), change(&[A], &[]));
        assert_eq!(m.decide(&[A], &Choice::Pick(A)), change(&[], &[]));
        assert_eq!(m.decide(&[A, B], &Choice::Unpick(A)), change(&[], &[A]));
        assert_eq!(
            m.decide(&[A, B], &Choice::Set(vec![B, C])),
            change(&[C], &[A])
        );
    }

    #[test]
    fn unique_swaps_and_verify_and_drop_go_one_way() {
        let unique = menu(MenuMode::Unique);
        assert_eq!(unique.decide(&[A], &Choice::Toggle(B)), change(&[B], &[A]));
        assert_eq!(unique.decide(&[A], &Choice::Pick(C)), change(&[C], &[A]));
        assert_eq!(
            unique.decide(&[], &Choice::Set(vec![A, B])),
            Err(ClickRefusal::LimitReached { limit: 1 })
        );
        let verify = menu(MenuMode::Verify);
        assert_eq!(verify.decide(&[], &Choice::Toggle(A)), change(&[A], &[]));
        assert_eq!(verify.decide(&[A], &Choice::Toggle(A)), change(&[], &[]));
        assert_eq!(verify.decide(&[A], &Choice::Unpick(A)), change(&[], &[]));
        let drop = menu(MenuMode::Drop);
        assert_eq!(drop.decide(&[A], &Choice::Toggle(A)), change(&[], &[A]));
        assert_eq!(drop.decide(&[], &Choice::Toggle(A)), change(&[], &[]));
        assert_eq!(drop.decide(&[A], &Choice::Unpick(A)), change(&[], &[]));
    }

    #[test]
    fn limits_and_required_roles_refuse_with_their_reason() {
        let mut m = menu(MenuMode::Normal);
        m.limit = Some(2);
        assert_eq!(m.decide(&[A], &Choice::Toggle(B)), change(&[B], &[]));
        assert_eq!(
            m.decide(&[A, B], &Choice::Toggle(C)),
            Err(ClickRefusal::LimitReached { limit: 2 })
        );
        assert_eq!(m.decide(&[A, B], &Choice::Toggle(A)), change(&[], &[A]));
        assert_eq!(
            m.decide(&[A, B], &Choice::Set(vec![B, C])),
            change(&[C], &[A])
        );
        m.required = vec![MEMBER];
        assert_eq!(
            m.decide(&[], &Choice::Toggle(A)),
            Err(ClickRefusal::MissingRequired(vec![MEMBER]))
        );
        assert_eq!(m.decide(&[MEMBER], &Choice::Toggle(A)), change(&[A], &[]));
        assert_eq!(
            m.decide(&[MEMBER], &Choice::Toggle(RoleId::new(99))),
            Err(ClickRefusal::NotOffered(RoleId::new(99)))
        );
    }

    #[test]
    fn emoji_are_read_from_what_members_type() {
        assert_eq!(
            MenuEmoji::parse(" 🎮 ").unwrap(),
            MenuEmoji::Unicode {
                name: "🎮".to_owned()
            }
        );
        let custom = MenuEmoji::parse("<a:party:123>").unwrap();
        assert_eq!(custom.to_string(), "<a:party:123>");
        assert_eq!(custom.reaction_key(), "123");
        assert!(
            MenuEmoji::parse("<:x:123>").is_err(),
            "names have 2+ characters"
        );
        for bad in [
            "",
            "abc",
            "<:name:0>",
            "<:name:abc>",
            ":smile:",
            "🎮🎮🎮🎮🎮🎮🎮🎮🎮🎮🎮🎮🎮🎮🎮🎮🎮",
        ] {
            assert!(MenuEmoji::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_menu_is_checked_against_the_limits() {
        let mut m = menu(MenuMode::Normal);
        assert!(m.validate().is_ok());
        m.options[1].label = "x".repeat(LABEL_MAX_CHARS);
        assert!(m.validate().is_ok());
        m.options[1].label = "x".repeat(LABEL_MAX_CHARS + 1);
        assert!(matches!(
            m.validate(),
            Err(Error::LabelLength { len: 81, .. })
        ));
        let mut m = menu(MenuMode::Normal);
        m.options[2].role = A;
        assert!(matches!(m.validate(), Err(Error::DuplicateRole { .. })));
        let mut m = menu(MenuMode::Normal);
        m.kind = MenuKind::Reactions;
        assert!(matches!(m.validate(), Err(Error::EmojiMissing { role: A })));
        let mut m = menu(MenuMode::Normal);
        m.options = (1..=25)
            .map(|r| MenuOption {
                role: RoleId::new(r),
                emoji: None,
                label: "x".to_owned(),
            })
            .collect();
        assert!(m.validate().is_ok());
        m.options.push(MenuOption {
            role: RoleId::new(26),
            emoji: None,
            label: "x".to_owned(),
        });
        assert!(matches!(
            m.validate(),
            Err(Error::OptionCount { max: 25, len: 26 })
        ));
        m.options.clear();
        assert!(matches!(
            m.validate(),
            Err(Error::OptionCount { len: 0, .. })
        ));
    }
}
