//! `/escalation show` and `/escalation set steps [window]`: the guild's escalation policy.

use hearth_core::DurationBounds;
use hearth_moderation::EscalationPolicy;
use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::{application::interaction::Interaction, guild::Permissions};

use super::{Moderation, handlers::require_moderator, refusal::ModerationRefusal};
use crate::{
    ack::Ack,
    context::Backend,
    handler::{in_guild, parse, require},
    interaction::HandlerResult,
    reply::Reply,
};

/// `/escalation show` and `/escalation set steps [window]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "escalation",
    desc = "See or change what repeated warnings lead to",
    default_permissions = "moderators",
    contexts = "guild"
)]
pub enum Escalation {
    /// `/escalation show`
    #[command(name = "show")]
    Show(EscalationShow),
    /// `/escalation set steps [window]`
    #[command(name = "set")]
    Set(EscalationSet),
}

/// `/escalation show`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "show", desc = "Show the escalation policy")]
pub struct EscalationShow;

/// `/escalation set steps [window]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "set", desc = "Change the escalation policy (Manage Server)")]
pub struct EscalationSet {
    /// Steps like `3 timeout 1h, 5 timeout 1d, 7 ban 7d`, or `none`
    #[command(max_length = 300)]
    pub steps: String,
    /// Count only warnings this recent, like 30d (all of them if left out)
    #[command(max_length = 32)]
    pub window: Option<String>,
}

fn moderators() -> Permissions {
    Permissions::MODERATE_MEMBERS
}

/// The policy in a sentence for replies.
fn shown(policy: &EscalationPolicy) -> String {
    if policy.steps().is_empty() {
        return "Warnings lead to nothing by themselves (no escalation).".to_owned();
    }
    let mut lines = vec!["Warnings escalate:".to_owned()];
    for step in policy.steps() {
        let within = step.within.map_or_else(String::new, |w| {
            format!(" within {}", hearth_core::format_duration_long(w))
        });
        lines.push(format!(
            "- {} warnings{within} → {}",
            step.warnings,
            step.action.describe()
        ));
    }
    lines.push(format!("As typed: `{}`", policy.to_text()));
    lines.join("\n")
}

/// `/escalation …`
pub(crate) async fn escalation<S: Backend>(
    feature: &Moderation<S>,
    interaction: &Interaction,
    ack: &mut Ack,
) -> HandlerResult {
    let guild = in_guild(interaction)?;
    match parse::<Escalation>(interaction)? {
        Escalation::Show(_) => {
            require_moderator(interaction, "see the escalation policy")?;
            let settings = feature.settings.get(guild).await?;
            ack.reply(Reply::ephemeral(shown(&settings.escalation)))
                .await
        }
        Escalation::Set(set) => {
            require(
                interaction,
                Permissions::MANAGE_GUILD,
                "Manage Server",
                "change the escalation policy",
            )?;
            let window = set
                .window
                .as_deref()
                .map(|w| DurationBounds::ANY.parse(w))
                .transpose()
                .map_err(ModerationRefusal::BadDuration)?;
            let policy = EscalationPolicy::parse(&set.steps, window)
                .map_err(hearth_moderation::Error::InvalidPolicy)?;
            let saved = feature
                .settings
                .update(guild, |service| async move {
                    service.set_escalation(guild, policy).await
                })
                .await?;
            ack.reply(Reply::ephemeral(format!(
                "Saved. {}",
                shown(&saved.escalation)
            )))
            .await
        }
    }
}
