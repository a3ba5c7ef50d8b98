//! How moderation outcomes look: the replies, the mod-log case embeds and the DMs.

use hearth_core::{
    UserId,
    text::{neutralise_mentions, truncate},
};
use hearth_moderation::{EscalationStep, WarnOutcome, WarningList};
use twilight_model::channel::message::{
    Component, Embed,
    component::{ActionRow, ButtonStyle},
};
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use super::components::{ClearWarnings, WarningsPage};
use crate::{
    custom_id::Action as _,
    reply::{COLOUR_DANGER, COLOUR_INFO, COLOUR_OK, COLOUR_WARN, Reply, button},
};

/// Warnings shown per `/warnings` page.
pub const WARNINGS_PER_PAGE: usize = 10;

/// How much of a reason a `/warnings` line shows.
pub const LISTED_REASON_CHARS: usize = 200;

/// What happened when the bot carried out an escalation step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Escalated {
    /// It was done.
    Done(EscalationStep),
    /// Discord refused or failed; the sentence says why.
    Failed(EscalationStep, String),
}

impl Escalated {
    /// What happened, as the mod log's "Escalation" field says it.
    fn summary(&self) -> String {
        match self {
            Self::Done(step) => {
                format!(
                    "{} warnings → {} (done)",
                    step.warnings,
                    step.action.describe()
                )
            }
            Self::Failed(step, why) => {
                format!(
                    "{} warnings → {}, but {why}",
                    step.warnings,
                    step.action.describe()
                )
            }
        }
    }

    /// The same as a line of a reply.
    fn line(&self) -> String {
        format!("**Escalation:** {}", self.summary())
    }
}

pub(crate) fn safe(text: &str) -> String {
    neutralise_mentions(text).into_owned()
}

/// The reply to `/warn`.
pub fn warned(outcome: &WarnOutcome, escalated: Option<&Escalated>) -> Embed {
    let w = &outcome.warning;
    let mut description = format!(
        "<@{}> was warned by <@{}>.\n**Reason:** {}",
        w.user,
        w.moderator,
        safe(&w.reason)
    );
    if let Some(escalated) = escalated {
        description.push('\n');
        description.push_str(&escalated.line());
    }
    EmbedBuilder::new()
        .title(format!("Case {} · warning", w.case))
        .color(if matches!(escalated, Some(Escalated::Done(_))) {
            COLOUR_DANGER
        } else {
            COLOUR_WARN
        })
        .description(description)
        .field(EmbedFieldBuilder::new("Warnings", outcome.total_warnings.to_string()).inline())
        .build()
}

/// The mod-log entry for a warning.
pub fn case(outcome: &WarnOutcome, escalated: Option<&Escalated>) -> Embed {
    let w = &outcome.warning;
    let mut builder = EmbedBuilder::new()
        .title(format!("Case {} · warning", w.case))
        .color(COLOUR_WARN)
        .field(EmbedFieldBuilder::new("Member", format!("<@{}> (`{}`)", w.user, w.user)).inline())
        .field(EmbedFieldBuilder::new("Moderator", format!("<@{}>", w.moderator)).inline())
        .field(EmbedFieldBuilder::new("Warnings", outcome.total_warnings.to_string()).inline())
        .field(EmbedFieldBuilder::new(
            "Reason",
            truncate(&safe(&w.reason), 1024),
        ))
        .footer(EmbedFooterBuilder::new(format!("user id {}", w.user)));
    if let Some(escalated) = escalated {
        builder = builder.field(EmbedFieldBuilder::new("Escalation", escalated.summary()));
        if matches!(escalated, Escalated::Done(_)) {
            builder = builder.color(COLOUR_DANGER);
        }
    }
    builder.build()
}

/// The DM a warned member gets.
pub fn dm(guild_name: &str, outcome: &WarnOutcome, escalated: Option<&Escalated>) -> Embed {
    let w = &outcome.warning;
    let mut description = format!(
        "You were warned in **{}**.\n**Reason:** {}\nYou have {} warning{} there.",
        safe(guild_name),
        safe(&w.reason),
        outcome.total_warnings,
        if outcome.total_warnings == 1 { "" } else { "s" },
    );
    if let Some(Escalated::Done(step)) = escalated {
        description.push_str("\nThis led to a ");
        description.push_str(&step.action.describe());
        description.push('.');
    }
    EmbedBuilder::new()
        .title("Warning")
        .color(COLOUR_WARN)
        .description(description)
        .build()
}

/// One page of `/warnings`, with buttons to move between pages when there are several.
/// `page` counts from 0 and is clamped to the last page.
/// Entries the store could not read (left by an earlier bot) are counted at the end.
pub fn warnings_page(user: UserId, list: &WarningList, page: usize) -> Reply {
    let warnings = &list.warnings;
    let unreadable = match list.unreadable {
        0 => String::new(),
        1 => "\n\n1 older entry could not be read.".to_owned(),
        n => format!("\n\n{n} older entries could not be read."),
    };
    if warnings.is_empty() {
        return Reply::ephemeral(format!("<@{user}> has no warnings.{unreadable}"));
    }
    let pages = warnings.len().div_ceil(WARNINGS_PER_PAGE);
    let page = page.min(pages - 1);
    let lines: Vec<String> = warnings
        .iter()
        .skip(page * WARNINGS_PER_PAGE)
        .take(WARNINGS_PER_PAGE)
        .map(|w| {
            format!(
                "**{}** · <t:{}:R> · by <@{}>\n{}",
                w.case,
                w.created_at.unix_secs(),
                w.moderator,
                safe(&truncate(&w.reason, LISTED_REASON_CHARS))
            )
        })
        .collect();
    let embed = EmbedBuilder::new()
        .title("Warnings")
        .color(COLOUR_INFO)
        .description(format!(
            "<@{user}> has {} warning{}, newest first.\n\n{}{unreadable}",
            warnings.len(),
            if warnings.len() == 1 { "" } else { "s" },
            lines.join("\n\n")
        ))
        .footer(EmbedFooterBuilder::new(format!(
            "Page {} of {pages}",
            page + 1
        )))
        .build();
    let mut reply = Reply::embed(embed).private();
    if pages > 1 {
        reply.components = vec![Component::ActionRow(ActionRow {
            id: None,
            components: vec![
                button(
                    WarningsPage {
                        user,
                        page: u32::try_from(page.saturating_sub(1)).unwrap_or(u32::MAX),
                    }
                    .custom_id(),
                    "◀ Newer",
                    ButtonStyle::Secondary,
                    page == 0,
                ),
                button(
                    WarningsPage {
                        user,
                        page: u32::try_from(page + 1).unwrap_or(u32::MAX),
                    }
                    .custom_id(),
                    "Older ▶",
                    ButtonStyle::Secondary,
                    page + 1 >= pages,
                ),
            ],
        })];
    }
    reply
}

/// The question `/clearwarnings` asks before clearing.
pub fn confirm_clear(user: UserId, count: usize) -> Reply {
    Reply::ephemeral(format!(
        "Remove all {count} warning{} of <@{user}>? This can't be undone.",
        if count == 1 { "" } else { "s" }
    ))
    .with_components(vec![Component::ActionRow(ActionRow {
        id: None,
        components: vec![
            button(
                ClearWarnings {
                    user,
                    confirm: true,
                }
                .custom_id(),
                "Remove them",
                ButtonStyle::Danger,
                false,
            ),
            button(
                ClearWarnings {
                    user,
                    confirm: false,
                }
                .custom_id(),
                "Keep them",
                ButtonStyle::Secondary,
                false,
            ),
        ],
    })])
}

/// The mod-log entry for cleared warnings.
pub fn cleared(user: UserId, moderator: UserId, count: u64) -> Embed {
    EmbedBuilder::new()
        .title("Warnings cleared")
        .color(COLOUR_OK)
        .description(format!(
            "<@{moderator}> removed {count} warning{} of <@{user}> (`{user}`).",
            if count == 1 { "" } else { "s" }
        ))
        .build()
}

#[cfg(test)]
mod tests {
    use hearth_core::{GuildId, Timestamp};
    use hearth_moderation::{CaseNumber, Warning};

    use super::*;

    fn warnings(n: u64) -> Vec<Warning> {
        (1..=n)
            .rev()
            .map(|case| Warning {
                case: CaseNumber(case),
                guild: GuildId::new(1),
                user: UserId::new(2),
                moderator: UserId::new(3),
                reason: format!("reason {case} @everyone"),
                created_at: Timestamp::from_unix_secs(1_700_000_000 + i64::try_from(case).unwrap()),
            })
            .collect()
    }

    #[test]
    fn mod_log_case_names_the_escalation_once() {
        use std::time::Duration;

        use hearth_moderation::{EscalationStep, Punishment};

        let step = EscalationStep {
            warnings: 3,
            within: None,
            action: Punishment::Timeout {
                duration: Duration::from_secs(3_600),
            },
        };
        let outcome = WarnOutcome {
            warning: warnings(3).remove(0),
            total_warnings: 3,
            escalation: Some(step),
        };
        let embed = case(&outcome, Some(&Escalated::Done(step)));
        let field = embed
            .fields
            .iter()
            .find(|f| f.name == "Escalation")
            .unwrap();
        assert_eq!(field.value, "3 warnings → timeout for 1 hour (done)");
        let reply = warned(&outcome, Some(&Escalated::Done(step)));
        assert!(
            reply
                .description
                .unwrap()
                .contains("**Escalation:** 3 warnings → timeout for 1 hour (done)")
        );
    }

    #[test]
    fn no_warnings_says_so() {
        let reply = warnings_page(UserId::new(2), &WarningList::default(), 0);
        assert_eq!(reply.content.as_deref(), Some("<@2> has no warnings."));
        assert!(reply.ephemeral);
        let only_unreadable = WarningList {
            warnings: Vec::new(),
            unreadable: 1,
        };
        assert_eq!(
            warnings_page(UserId::new(2), &only_unreadable, 0)
                .content
                .as_deref(),
            Some("<@2> has no warnings.\n\n1 older entry could not be read.")
        );
    }

    #[test]
    fn pages_list_ten_newest_first_with_buttons() {
        let list = WarningList {
            warnings: warnings(13),
            unreadable: 0,
        };
        let first = warnings_page(UserId::new(2), &list, 0);
        let text = first.embeds[0].description.clone().unwrap();
        assert!(text.starts_with("<@2> has 13 warnings, newest first."));
        assert!(text.find("**#13**").unwrap() < text.find("**#12**").unwrap());
        assert!(!text.contains("**#3**"), "the 11th warning is on page 2");
        assert!(!text.contains("@everyone"), "reasons never ping");
        assert_eq!(first.embeds[0].footer.as_ref().unwrap().text, "Page 1 of 2");
        let Component::ActionRow(row) = &first.components[0] else {
            panic!()
        };
        let ids: Vec<_> = row
            .components
            .iter()
            .map(|c| match c {
                Component::Button(b) => (b.custom_id.clone().unwrap(), b.disabled),
                _ => panic!(),
            })
            .collect();
        assert_eq!(
            ids,
            [
                ("moderation:warnings:1:2:0".to_owned(), true),
                ("moderation:warnings:1:2:1".to_owned(), false)
            ]
        );
        let second = warnings_page(UserId::new(2), &list, 7);
        assert_eq!(
            second.embeds[0].footer.as_ref().unwrap().text,
            "Page 2 of 2"
        );
        assert!(
            second.embeds[0]
                .description
                .as_ref()
                .unwrap()
                .contains("**#1**")
        );
    }

    #[test]
    fn unreadable_old_entries_are_counted_under_the_list() {
        let list = WarningList {
            warnings: warnings(2),
            unreadable: 2,
        };
        let text = warnings_page(UserId::new(2), &list, 0).embeds[0]
            .description
            .clone()
            .unwrap();
        assert!(text.starts_with("<@2> has 2 warnings, newest first."));
        assert!(
            text.ends_with("\n\n2 older entries could not be read."),
            "{text}"
        );
    }
}
