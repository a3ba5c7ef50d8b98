//! Moderation's timed actions: lifting a timed ban or a role mute when it ends, run by the
//! scheduler ([`crate::scheduler`]) through [`Feature::timed`](crate::feature::Feature::timed).

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use hearth_core::{
    GuildId,
    timed::{ActionKind, TimedAction},
};
use twilight_util::builder::embed::EmbedBuilder;

use super::Moderation;
use crate::{
    context::{Backend, Context},
    discord::DiscordError,
    feature::{TimedFailure, Workers},
    reply::COLOUR_OK,
};

/// How often the lines of finished timed actions are posted to each guild's mod log, as one
/// entry: a thousand bans ending together make a few posts, not a thousand (Discord allows a
/// channel about five messages every five seconds).
pub(crate) const REPORT_EVERY: Duration = Duration::from_secs(2);

/// The most lines one mod-log entry holds (an embed description takes 4,096 characters).
const LINES_PER_ENTRY: usize = 40;

/// Lines waiting to be posted, per guild.
#[derive(Clone, Debug, Default)]
pub(crate) struct Reports(Arc<Mutex<BTreeMap<GuildId, Vec<String>>>>);

impl Reports {
    fn push(&self, guild: GuildId, line: String) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(guild)
            .or_default()
            .push(line);
    }

    fn take(&self) -> BTreeMap<GuildId, Vec<String>> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Starts the worker that posts the reports every [`REPORT_EVERY`], and once more at shutdown.
pub(crate) fn start_reporter<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    workers: &Workers,
) {
    let (reports, store, ctx, cancel) = (
        feature.reports.clone(),
        feature.store.clone(),
        ctx.clone(),
        workers.cancel.clone(),
    );
    workers.tasks.spawn(async move {
        loop {
            let stopping = tokio::select! {
                () = cancel.cancelled() => true,
                () = tokio::time::sleep(REPORT_EVERY) => false,
            };
            for (guild, lines) in reports.take() {
                for chunk in lines.chunks(LINES_PER_ENTRY) {
                    let embed = EmbedBuilder::new()
                        .title("Timed actions done")
                        .color(COLOUR_OK)
                        .description(chunk.join("\n"))
                        .build();
                    crate::modlog::post(&ctx, &store, guild, embed).await;
                }
            }
            if stopping {
                return;
            }
        }
    });
}

/// The kinds moderation runs.
pub(crate) const KINDS: &[&str] = &["unban", "unmute", "unlock"];

/// Runs one claimed action; idempotent (a ban already lifted is done).
pub(crate) async fn run<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    action: &TimedAction,
) -> Result<(), TimedFailure> {
    let case = action
        .case
        .map_or_else(String::new, |case| format!(" (case #{case})"));
    let guild = action.guild;
    let summary = match action.kind {
        ActionKind::Unban { user } => {
            let why = format!("Timed ban ended{case}");
            let lifted = ctx
                .discord
                .unban(guild, user, &why)
                .await
                .map_err(|err| failure(&err, "lift bans"))?;
            if !lifted {
                // Lifted by hand meanwhile: nothing to do, nothing to log.
                return Ok(());
            }
            format!("The ban of <@{user}> ended{case}.")
        }
        ActionKind::Unmute {
            user,
            role: Some(role),
        } => {
            let why = format!("Timed mute ended{case}");
            match ctx.discord.remove_role(guild, user, role, &why).await {
                Ok(()) => format!("The mute of <@{user}> ended{case}."),
                // They left: the role went with them.
                Err(err) if err.status() == Some(404) => return Ok(()),
                Err(err) => return Err(failure(&err, "manage roles")),
            }
        }
        // A Discord timeout ends by itself.
        ActionKind::Unmute { role: None, .. } => return Ok(()),
        ActionKind::Unlock { channel } => {
            let why = format!("Timed lockdown ended{case}");
            match super::channels::restore(feature, ctx, guild, channel, &why).await {
                Ok(true) => format!("The lockdown of <#{channel}> ended{case}."),
                // Unlocked by hand meanwhile.
                Ok(false) => return Ok(()),
                Err(super::channels::RestoreError::Discord(err)) => {
                    return Err(failure(&err, "edit that channel's permissions"));
                }
                Err(super::channels::RestoreError::Store(err)) => {
                    return Err(TimedFailure::Retry(format!("the database failed: {err}")));
                }
            }
        }
        _ => {
            return Err(TimedFailure::GiveUp(format!(
                "moderation does not run {} actions",
                action.kind.name()
            )));
        }
    };
    let _ = ctx;
    feature.reports.push(guild, summary);
    Ok(())
}

/// What a failed Discord call means for a timed action: 429, 5xx or no answer are worth
/// retrying; a refusal (403: a permission or the hierarchy) is not.
fn failure(err: &DiscordError, permission: &str) -> TimedFailure {
    match err.status() {
        Some(403) => TimedFailure::GiveUp(format!(
            "I'm not allowed to {permission}: check my permissions and my role's position"
        )),
        Some(status) if status == 429 || status >= 500 => {
            TimedFailure::Retry(format!("Discord answered {status}"))
        }
        None => TimedFailure::Retry("Discord could not be reached".to_owned()),
        Some(status) => TimedFailure::GiveUp(format!("Discord refused it ({status})")),
    }
}
