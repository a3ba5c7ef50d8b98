//! Bans, kicks and timeouts done by hand in Discord (or by another bot) become cases too: each
//! `GUILD_AUDIT_LOG_ENTRY_CREATE` of those kinds is recorded, credited to whoever did it, and
//! posted to the mod log. Hearth's own actions are cases already and are skipped.
//!
//! The entry's id is the case's request, so an event delivered twice (a resume, a second
//! process) records one case.

use hearth_core::{Timestamp, UserId};
use hearth_moderation::{CaseAction, NewCase, RequestId};
use twilight_model::guild::audit_log::{AuditLogChange, AuditLogEntry, AuditLogEventType};

use super::{Moderation, cases};
use crate::{
    context::{Backend, Context},
    discord::{guild_id, user_id},
    interaction::chain,
};

/// The case an audit-log entry makes, if it is one of a moderation action not taken by
/// Hearth; `now` dates it and measures a timeout's length.
pub fn case_of(entry: &AuditLogEntry, bot: UserId, now: Timestamp) -> Option<NewCase> {
    let moderator = user_id(entry.user_id?);
    if moderator == bot {
        return None;
    }
    let target = UserId::new_checked(entry.target_id?.get())?;
    let mut duration = None;
    let mut expires_at = None;
    let action = match entry.action_type {
        AuditLogEventType::MemberBanAdd => CaseAction::Ban,
        AuditLogEventType::MemberBanRemove => CaseAction::Unban,
        AuditLogEventType::MemberKick => CaseAction::Kick,
        AuditLogEventType::MemberUpdate => {
            let until = entry.changes.iter().find_map(|change| match change {
                AuditLogChange::CommunicationDisabledUntil { new, .. } => Some(*new),
                _ => None,
            })?;
            match until {
                Some(until) => {
                    let until = Timestamp::from_unix_millis(until.as_micros() / 1_000);
                    let millis = until.unix_millis().saturating_sub(now.unix_millis());
                    duration = Some(std::time::Duration::from_millis(
                        u64::try_from(millis).unwrap_or(0),
                    ));
                    expires_at = Some(until);
                    CaseAction::Mute
                }
                None => CaseAction::Unmute,
            }
        }
        _ => return None,
    };
    Some(NewCase {
        guild: guild_id(entry.guild_id?),
        number: None,
        request: RequestId(entry.id.get()),
        action,
        user: Some(target),
        channel: None,
        moderator,
        reason: entry.reason.clone().unwrap_or_default(),
        duration,
        created_at: now,
        expires_at,
    })
}

/// Records the case of an audit-log entry, if it makes one.
pub(crate) async fn entry_created<S: Backend>(
    feature: &Moderation<S>,
    ctx: &Context,
    entry: &AuditLogEntry,
) {
    let Some(new) = case_of(entry, ctx.bot, ctx.now()) else {
        return;
    };
    if let Err(err) = cases::record(feature, ctx, new).await {
        tracing::warn!(error = %chain(&err), "could not record a case from the audit log");
    }
}
