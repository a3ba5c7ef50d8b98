//! Discord's markup for mentions, custom emoji, timestamps and commands, read for people:
//! `<@123>` becomes `@name`, `<@&456>` `@role`, `<#789>` `#channel`, `<:wave:1>` `:wave:`,
//! `<t:1700000000:R>` a UTC time and `</ticket close:9>` `/ticket close`. A name the transcript
//! does not know reads `@unknown-user`, `@unknown-role` or `#unknown-channel`: never an id.

use std::collections::BTreeMap;

use hearth_core::{ChannelId, RoleId, Timestamp, UserId};

use super::{format_utc, html::escape_into};

/// The names a transcript shows mentions by, from what the bot knows: message authors, the
/// users each message mentions, the guild's roles and channels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    /// Members by id (display names).
    pub users: BTreeMap<UserId, String>,
    /// Roles by id.
    pub roles: BTreeMap<RoleId, String>,
    /// Channels by id (without the `#`).
    pub channels: BTreeMap<ChannelId, String>,
}

/// What stands for a member nobody could name.
pub const UNKNOWN_USER: &str = "unknown-user";
/// What stands for a role nobody could name.
pub const UNKNOWN_ROLE: &str = "unknown-role";
/// What stands for a channel nobody could name.
pub const UNKNOWN_CHANNEL: &str = "unknown-channel";

/// The longest markup read as one token (`<a:` + a 32-character name + `:` + a snowflake + `>`
/// fits easily); a `<` without its `>` this close is plain text.
const TOKEN_MAX: usize = 120;

/// A piece of message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece<'a> {
    /// Text as written.
    Text(&'a str),
    /// A mention shown with this sigil (`@`, `#`) and name.
    Mention(char, &'a str),
    /// A custom emoji's name.
    Emoji(&'a str),
    /// A timestamp.
    Time(Timestamp),
    /// A slash command's name (with its subcommand).
    Command(&'a str),
}

fn snowflake(text: &str) -> Option<u64> {
    (!text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn emoji_name(text: &str) -> Option<&str> {
    (!text.is_empty()
        && text.len() <= 32
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    .then_some(text)
}

impl Names {
    fn user(&self, id: u64) -> &str {
        UserId::new_checked(id)
            .and_then(|id| self.users.get(&id))
            .map_or(UNKNOWN_USER, String::as_str)
    }

    fn role(&self, id: u64) -> &str {
        RoleId::new_checked(id)
            .and_then(|id| self.roles.get(&id))
            .map_or(UNKNOWN_ROLE, String::as_str)
    }

    fn channel(&self, id: u64) -> &str {
        ChannelId::new_checked(id)
            .and_then(|id| self.channels.get(&id))
            .map_or(UNKNOWN_CHANNEL, String::as_str)
    }

    /// What the markup between `<` and `>` stands for; `None` when it is not markup.
    fn token<'a>(&'a self, inner: &'a str) -> Option<Piece<'a>> {
        if let Some(rest) = inner.strip_prefix("@&") {
            return snowflake(rest).map(|id| Piece::Mention('@', self.role(id)));
        }
        if let Some(rest) = inner.strip_prefix('@') {
            let rest = rest.strip_prefix('!').unwrap_or(rest);
            return snowflake(rest).map(|id| Piece::Mention('@', self.user(id)));
        }
        if let Some(rest) = inner.strip_prefix('#') {
            return snowflake(rest).map(|id| Piece::Mention('#', self.channel(id)));
        }
        if let Some(rest) = inner.strip_prefix("t:") {
            let secs = rest.split_once(':').map_or(rest, |(secs, _)| secs);
            return secs
                .parse::<i64>()
                .ok()
                .map(|s| Piece::Time(Timestamp::from_unix_secs(s)));
        }
        if let Some(rest) = inner.strip_prefix('/') {
            let (name, id) = rest.rsplit_once(':')?;
            snowflake(id)?;
            return (!name.is_empty()).then_some(Piece::Command(name));
        }
        let emoji = inner
            .strip_prefix("a:")
            .or_else(|| inner.strip_prefix(':'))?;
        let (name, id) = emoji.split_once(':')?;
        snowflake(id)?;
        emoji_name(name).map(Piece::Emoji)
    }

    /// Calls `each` with the pieces of `text`, in order.
    fn pieces<'a>(&'a self, text: &'a str, mut each: impl FnMut(Piece<'a>)) {
        let mut rest = text;
        while let Some(open) = rest.find('<') {
            let after = &rest[open + 1..];
            let token = after
                .char_indices()
                .take(TOKEN_MAX)
                .find(|(_, c)| *c == '>' || *c == '<')
                .filter(|(_, c)| *c == '>')
                .and_then(|(close, _)| self.token(&after[..close]).map(|p| (close, p)));
            if let Some((close, piece)) = token {
                if open > 0 {
                    each(Piece::Text(&rest[..open]));
                }
                each(piece);
                rest = &after[close + 1..];
            } else {
                each(Piece::Text(&rest[..=open]));
                rest = after;
            }
        }
        if !rest.is_empty() {
            each(Piece::Text(rest));
        }
    }

    /// `text` for the plain-text file: mentions as `@name`, `#channel`, `:emoji:`.
    pub(super) fn plain(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.pieces(text, |piece| match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Mention(sigil, name) => {
                out.push(sigil);
                out.push_str(name);
            }
            Piece::Emoji(name) => {
                out.push(':');
                out.push_str(name);
                out.push(':');
            }
            Piece::Time(at) => out.push_str(&format_utc(at)),
            Piece::Command(name) => {
                out.push('/');
                out.push_str(name);
            }
        });
        out
    }

    /// Appends `text` as HTML: escaped, mentions as pills (`<span class="mention">`), emoji
    /// by name, times in `<time>`.
    pub(super) fn html_into(&self, out: &mut String, text: &str) {
        self.pieces(text, |piece| match piece {
            Piece::Text(t) => escape_into(out, t),
            Piece::Mention(sigil, name) => {
                out.push_str("<span class=\"mention\">");
                out.push(sigil);
                escape_into(out, name);
                out.push_str("</span>");
            }
            Piece::Emoji(name) => {
                out.push_str("<span class=\"emoji\">:");
                escape_into(out, name);
                out.push_str(":</span>");
            }
            Piece::Time(at) => {
                out.push_str("<time>");
                out.push_str(&format_utc(at));
                out.push_str("</time>");
            }
            Piece::Command(name) => {
                out.push_str("<span class=\"mention\">/");
                escape_into(out, name);
                out.push_str("</span>");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        let mut n = Names::default();
        n.users.insert(UserId::new(123), "Alice".into());
        n.users
            .insert(UserId::new(7), "<script>alert(1)</script>".into());
        n.roles.insert(RoleId::new(456), "Support & Co".into());
        n.channels.insert(ChannelId::new(789), "general".into());
        n
    }

    fn html(text: &str) -> String {
        let mut out = String::new();
        names().html_into(&mut out, text);
        out
    }

    #[test]
    fn mentions_read_as_names_in_plain_text() {
        let n = names();
        assert_eq!(
            n.plain("hi <@123> and <@!123>, ask <@&456> in <#789> <:wave:42><a:dance:43>"),
            "hi @Alice and @Alice, ask @Support & Co in #general :wave::dance:"
        );
        assert_eq!(
            n.plain("<@999> <@&998> <#997>"),
            "@unknown-user @unknown-role #unknown-channel"
        );
        assert_eq!(
            n.plain("closes <t:1700000000:R>, see </ticket close:55>"),
            "closes 2023-11-14 22:13:20 UTC, see /ticket close"
        );
    }

    #[test]
    fn what_is_not_markup_stays_as_written() {
        let n = names();
        for text in [
            "a < b > c",
            "<@abc>",
            "<@>",
            "<#12x>",
            "<:bad name:5>",
            "<<@123",
            "1 <3 you",
            "<",
            "",
            "<@123",
            "<t:soon>",
        ] {
            assert_eq!(n.plain(text), text, "{text}");
        }
        assert_eq!(n.plain("<<@123>>"), "<@Alice>");
    }

    #[test]
    fn html_mentions_are_escaped_pills() {
        assert_eq!(
            html("<@123> & <@&456>"),
            "<span class=\"mention\">@Alice</span> &amp; \
             <span class=\"mention\">@Support &amp; Co</span>"
        );
        // A hostile name is text, never markup.
        assert_eq!(
            html("<@7>"),
            "<span class=\"mention\">@&lt;script&gt;alert(1)&lt;/script&gt;</span>"
        );
        assert_eq!(
            html("<b><@999></b>"),
            "&lt;b&gt;<span class=\"mention\">@unknown-user</span>&lt;/b&gt;"
        );
        assert_eq!(html("<:wave:42>"), "<span class=\"emoji\">:wave:</span>");
    }
}
