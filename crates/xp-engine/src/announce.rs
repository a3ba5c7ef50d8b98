//! Level-up announcements: where they go and what they say.
//!
//! A template is text with three placeholders: `{user}` (a mention of the member, which pings
//! them), `{level}` (the level reached) and `{rank}` (their position on the guild's
//! leaderboard, `#3`). Anything else is kept as written. Mentions an admin wrote into the
//! template (`@everyone`, `@here`, `<@&role>`) are neutralised with
//! [`hearth_core::text::neutralise_mentions`], so an announcement pings only the member.

use std::fmt;

use hearth_core::{ChannelId, UserId, text::neutralise_mentions};
use serde::{Deserialize, Serialize};

use crate::Error;

/// The longest template an admin can set, in characters. With the placeholders filled in
/// (a mention is at most 22 characters) the text stays well below Discord's 2,000-character
/// message limit.
pub const TEMPLATE_MAX_CHARS: usize = 1_000;

/// Where level-up announcements go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "channel", rename_all = "snake_case")]
pub enum Announce {
    /// Nowhere.
    Off,
    /// In the channel of the message that levelled the member up (the default).
    #[default]
    SameChannel,
    /// In a direct message to the member.
    Dm,
    /// In this channel.
    Channel(ChannelId),
}

/// Where one announcement is to be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnnounceTo {
    /// Post in this channel.
    Channel(ChannelId),
    /// Send a direct message to this member (their DMs may be closed: the bot gives up quietly).
    Dm(UserId),
}

/// A level-up announcement to send.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Announcement {
    /// Where.
    pub to: AnnounceTo,
    /// The text, placeholders filled in and mentions neutralised.
    pub text: String,
}

/// A checked level-up template: 1 to [`TEMPLATE_MAX_CHARS`] characters after trimming.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Template(String);

impl Template {
    /// The default: `GG {user}, you just advanced to level {level}!` (MEE6's wording).
    pub const DEFAULT: &'static str = "GG {user}, you just advanced to level {level}!";

    /// Checks a template as an admin typed it; white space around it is dropped.
    ///
    /// # Errors
    ///
    /// [`Error::TemplateEmpty`] when nothing is left, [`Error::TemplateTooLong`] when more
    /// than [`TEMPLATE_MAX_CHARS`] characters are.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(Error::TemplateEmpty);
        }
        let len = trimmed.chars().count();
        if len > TEMPLATE_MAX_CHARS {
            return Err(Error::TemplateTooLong {
                max: TEMPLATE_MAX_CHARS,
                len,
            });
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it shows the rank (which costs the caller a rank query).
    pub fn needs_rank(&self) -> bool {
        self.0.contains("{rank}")
    }

    /// The text for `user` reaching `level` at `rank` (`None` shows `?`).
    ///
    /// ```
    /// use hearth_core::UserId;
    /// use hearth_xp_engine::Template;
    ///
    /// let template = Template::parse("@everyone look: {user} is level {level}, rank {rank}").unwrap();
    /// assert_eq!(
    ///     template.render(UserId::new(42), 5, Some(3)),
    ///     "@\u{200B}everyone look: <@42> is level 5, rank #3"
    /// );
    /// ```
    pub fn render(&self, user: UserId, level: u32, rank: Option<u64>) -> String {
        let rank = rank.map_or_else(|| "?".to_owned(), |r| format!("#{r}"));
        // Neutralise what the admin wrote first; the filled-in values are safe by construction.
        neutralise_mentions(&self.0)
            .replace("{user}", &format!("<@{user}>"))
            .replace("{level}", &level.to_string())
            .replace("{rank}", &rank)
    }
}

impl Default for Template {
    fn default() -> Self {
        Self(Self::DEFAULT.to_owned())
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Template {
    type Error = Error;

    fn try_from(text: String) -> Result<Self, Error> {
        Self::parse(&text)
    }
}

impl From<Template> for String {
    fn from(template: Template) -> Self {
        template.0
    }
}

impl Announce {
    /// The announcement for `user` reaching `level` with a message in `channel`, or `None`
    /// when announcements are off.
    pub fn announcement(
        self,
        template: &Template,
        user: UserId,
        channel: ChannelId,
        level: u32,
        rank: Option<u64>,
    ) -> Option<Announcement> {
        let to = match self {
            Self::Off => return None,
            Self::SameChannel => AnnounceTo::Channel(channel),
            Self::Dm => AnnounceTo::Dm(user),
            Self::Channel(fixed) => AnnounceTo::Channel(fixed),
        };
        Some(Announcement {
            to,
            text: template.render(user, level, rank),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: UserId = UserId::new(7);
    const HERE: ChannelId = ChannelId::new(1);

    #[test]
    fn the_default_reads_like_mee6() {
        assert_eq!(
            Template::default().render(USER, 10, None),
            "GG <@7>, you just advanced to level 10!"
        );
    }

    #[test]
    fn every_mode_picks_its_target() {
        let t = Template::default();
        let fixed = ChannelId::new(2);
        let to = |mode: Announce| mode.announcement(&t, USER, HERE, 3, None).map(|a| a.to);
        assert_eq!(to(Announce::Off), None);
        assert_eq!(to(Announce::SameChannel), Some(AnnounceTo::Channel(HERE)));
        assert_eq!(to(Announce::Dm), Some(AnnounceTo::Dm(USER)));
        assert_eq!(
            to(Announce::Channel(fixed)),
            Some(AnnounceTo::Channel(fixed))
        );
    }

    #[test]
    fn mentions_in_the_template_are_neutralised_but_the_member_is_mentioned() {
        let t = Template::parse("@here <@&5> {user} {level} {rank} {unknown}").unwrap();
        let text = t.render(USER, 4, Some(12));
        assert_eq!(text, "@\u{200B}here <@\u{200B}&5> <@7> 4 #12 {unknown}");
        assert!(t.needs_rank());
        assert!(!Template::default().needs_rank());
    }

    #[test]
    fn template_length_is_probed() {
        assert!(matches!(Template::parse(" \n"), Err(Error::TemplateEmpty)));
        let max = "é".repeat(TEMPLATE_MAX_CHARS);
        assert_eq!(Template::parse(&max).unwrap().as_str(), max);
        let long = format!("{max}x");
        assert!(matches!(
            Template::parse(&long),
            Err(Error::TemplateTooLong {
                max: 1_000,
                len: 1_001
            })
        ));
        assert!(serde_json::from_str::<Template>(r#""  ""#).is_err());
    }
}
