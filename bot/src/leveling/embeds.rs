//! How leveling outcomes look: leaderboards, lists, settings and questions.

use std::fmt::Write as _;

use hearth_core::{Timestamp, UserId};
use hearth_xp_engine::{Announce, Boost, BoostScope, LeaderboardPage, LevelSettings, RoleMode};
use twilight_model::channel::message::{Embed, component::ButtonStyle};
use twilight_util::builder::embed::{EmbedBuilder, EmbedFooterBuilder};

use super::components::{Page, ResetAll, ResetMember};
use crate::{
    custom_id::Action as _,
    reply::{COLOUR_DANGER, COLOUR_INFO, Reply, button, row},
};

/// Which leaderboard a page is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Board {
    /// This server's.
    Server,
    /// Every sharing server's.
    Global,
}

/// A leaderboard page with "previous" and "next" buttons.
pub fn leaderboard(board: Board, page: &LeaderboardPage) -> Reply {
    let mut description = String::new();
    if page.rows.is_empty() {
        description.push_str("No one has earned XP yet. Chat to get on the board!");
    }
    for row in &page.rows {
        let medal = match row.rank {
            1 => "🥇 ",
            2 => "🥈 ",
            3 => "🥉 ",
            _ => "",
        };
        let _ = writeln!(
            description,
            "**#{}** {medal}<@{}> · level {} · {} XP",
            row.rank,
            row.user,
            row.level(),
            thousands(row.xp)
        );
    }
    let title = match board {
        Board::Server => "Leaderboard",
        Board::Global => "Global leaderboard",
    };
    let embed = EmbedBuilder::new()
        .title(title)
        .color(COLOUR_INFO)
        .description(description)
        .footer(EmbedFooterBuilder::new(format!(
            "Page {} of {} · {} ranked",
            page.page,
            page.pages,
            thousands(page.ranked)
        )))
        .build();
    let current = u32::try_from(page.page).unwrap_or(u32::MAX);
    let previous = Page {
        board,
        page: current - 1,
    }
    .custom_id();
    let next = Page {
        board,
        page: current.saturating_add(1),
    }
    .custom_id();
    Reply::embed(embed).with_components(vec![row(vec![
        button(
            previous,
            "◀ Previous",
            ButtonStyle::Secondary,
            page.page <= 1,
        ),
        button(
            next,
            "Next ▶",
            ButtonStyle::Secondary,
            page.page >= page.pages,
        ),
    ])])
}

/// A number with thin separators: 1,899,250.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The guild's level roles.
pub fn level_roles(settings: &LevelSettings) -> Embed {
    let mut description = String::new();
    if settings.level_roles.is_empty() {
        description.push_str("No level roles yet. Admins add them with /addlevelrole.");
    }
    for (level, role) in settings.level_roles.iter() {
        let _ = writeln!(description, "Level **{level}** → <@&{role}>");
    }
    let mode = match settings.role_mode {
        RoleMode::Replace => "Members keep only the highest role they earned.",
        RoleMode::Stack => "Members keep every role they earned.",
    };
    EmbedBuilder::new()
        .title("Level roles")
        .color(COLOUR_INFO)
        .description(description)
        .footer(EmbedFooterBuilder::new(mode))
        .build()
}

/// The guild's boosts.
pub fn boosts(boosts: &[Boost], now: Timestamp) -> Embed {
    let mut description = String::new();
    if boosts.is_empty() {
        description.push_str("No boosts running or planned. Start one with /xpboost start.");
    }
    for boost in boosts {
        let scope = match boost.scope {
            BoostScope::Channel(channel) => format!(" in <#{channel}>"),
            BoostScope::Role(role) => format!(" for <@&{role}>"),
            BoostScope::Guild => String::new(),
        };
        let when = if boost.starts_at > now {
            format!("starts <t:{}:R>", boost.starts_at.unix_secs())
        } else {
            format!("ends <t:{}:R>", boost.ends_at.unix_secs())
        };
        let _ = writeln!(
            description,
            "`{}` · **{}**{scope} · {when}",
            boost.id, boost.multiplier
        );
    }
    EmbedBuilder::new()
        .title("XP boosts")
        .color(COLOUR_INFO)
        .description(description)
        .footer(EmbedFooterBuilder::new(
            "When boosts overlap, the highest one applies.",
        ))
        .build()
}

/// The guild's settings, as `/levelsettings show` lists them.
pub fn settings(settings: &LevelSettings) -> Embed {
    let announce = match settings.announce {
        Announce::Off => "off".to_owned(),
        Announce::Dm => "in a direct message".to_owned(),
        Announce::Channel(channel) => format!("in <#{channel}>"),
        Announce::SameChannel => "in the channel of the message".to_owned(),
    };
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    let description = format!(
        "**XP rate:** {}\n**Level-ups announced:** {announce}\n**Message:** {}\n\
         **No XP in:** {}\n**No XP for:** {}\n**Level roles:** {} ({})\n\
         **Global leaderboard:** {}",
        settings.rate.multiplier(),
        hearth_core::text::neutralise_mentions(settings.template.as_str()),
        list(
            settings
                .no_xp_channels
                .iter()
                .map(|c| format!("<#{c}>"))
                .collect()
        ),
        list(
            settings
                .no_xp_roles
                .iter()
                .map(|r| format!("<@&{r}>"))
                .collect()
        ),
        settings.level_roles.len(),
        match settings.role_mode {
            RoleMode::Replace => "replace",
            RoleMode::Stack => "stack",
        },
        if settings.global_leaderboard {
            "this server's XP counts"
        } else {
            "this server keeps its XP to itself"
        },
    );
    EmbedBuilder::new()
        .title("Leveling settings")
        .color(COLOUR_INFO)
        .description(description)
        .build()
}

/// The question `/resetxp` asks before anything changes.
pub fn confirm_reset(user: Option<UserId>, ranked: u64) -> Reply {
    let (question, confirm, cancel) = match user {
        Some(user) => (
            format!("Reset the XP of <@{user}> to 0? Their level roles stay until they change."),
            ResetMember {
                user,
                confirm: true,
            }
            .custom_id(),
            ResetMember {
                user,
                confirm: false,
            }
            .custom_id(),
        ),
        None => (
            format!(
                "Reset the XP of **every member** of this server ({} ranked) to 0? This can't \
                 be undone.",
                thousands(ranked)
            ),
            ResetAll { confirm: true }.custom_id(),
            ResetAll { confirm: false }.custom_id(),
        ),
    };
    let embed = EmbedBuilder::new()
        .title("Reset XP?")
        .color(COLOUR_DANGER)
        .description(question)
        .build();
    Reply::embed(embed).private().with_components(vec![row(vec![
        button(confirm, "Reset", ButtonStyle::Danger, false),
        button(cancel, "Cancel", ButtonStyle::Secondary, false),
    ])])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_899_250), "1,899,250");
    }
}
