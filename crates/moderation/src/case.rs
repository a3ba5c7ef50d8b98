//! Cases: one numbered record per moderation action (a warning, a mute, a ban, a lockdown…), what
//! the mod log shows and `/case` and `/reason` read and edit.
//!
//! Cases share one per-guild sequence with warnings: a warning *is* a case, recorded under the
//! number its warning took ([`NewCase::number`]); every other action takes the next number when
//! it is recorded.

use std::{fmt, time::Duration};

use hearth_core::{ChannelId, GuildId, MessageId, Timestamp, UserId};

use crate::{CaseNumber, RequestId};

/// What a case records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CaseAction {
    /// A warning.
    Warn,
    /// A timeout (Discord's "mute").
    Mute,
    /// A timeout ended early.
    Unmute,
    /// A kick.
    Kick,
    /// A ban, permanent or timed.
    Ban,
    /// A ban lifted.
    Unban,
    /// A channel locked (`@everyone` may not send).
    Lockdown,
    /// A channel unlocked.
    Unlock,
    /// A channel's slowmode set or turned off.
    Slowmode,
    /// A step of the escalation policy carried out.
    Escalation,
}

impl CaseAction {
    /// Every action, for readers and tests.
    pub const ALL: [Self; 10] = [
        Self::Warn,
        Self::Mute,
        Self::Unmute,
        Self::Kick,
        Self::Ban,
        Self::Unban,
        Self::Lockdown,
        Self::Unlock,
        Self::Slowmode,
        Self::Escalation,
    ];

    /// The action's name as stored (the seed's `mod_logs.action`): `warn`, `mute`, …
    pub const fn name(self) -> &'static str {
        match self {
            Self::Warn => "warn",
            Self::Mute => "mute",
            Self::Unmute => "unmute",
            Self::Kick => "kick",
            Self::Ban => "ban",
            Self::Unban => "unban",
            Self::Lockdown => "lockdown",
            Self::Unlock => "unlock",
            Self::Slowmode => "slowmode",
            Self::Escalation => "escalation",
        }
    }

    /// The action named `name` ([`CaseAction::name`]); `None` for another name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

impl fmt::Display for CaseAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A case to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCase {
    /// The guild.
    pub guild: GuildId,
    /// `None` to take the guild's next case number; a warning's number for a warning.
    pub number: Option<CaseNumber>,
    /// The request (interaction, or audit-log entry) it was recorded in: recording the same
    /// request again returns the first case and takes no number.
    pub request: RequestId,
    /// What was done.
    pub action: CaseAction,
    /// To whom; `None` for a channel action.
    pub user: Option<UserId>,
    /// Where, for a channel action (lockdown, unlock, slowmode).
    pub channel: Option<ChannelId>,
    /// Who did it (a moderator, the bot for an escalation, whoever acted by hand).
    pub moderator: UserId,
    /// Why, as given.
    pub reason: String,
    /// How long, for a timed action (or the slowmode interval).
    pub duration: Option<Duration>,
    /// When.
    pub created_at: Timestamp,
    /// When a timed action ends.
    pub expires_at: Option<Timestamp>,
}

/// A recorded case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// Its number in the guild.
    pub number: CaseNumber,
    /// The guild.
    pub guild: GuildId,
    /// What was done.
    pub action: CaseAction,
    /// To whom.
    pub user: Option<UserId>,
    /// Where, for a channel action.
    pub channel: Option<ChannelId>,
    /// Who did it.
    pub moderator: UserId,
    /// Why (edited by `/reason`).
    pub reason: String,
    /// How long.
    pub duration: Option<Duration>,
    /// When.
    pub created_at: Timestamp,
    /// When a timed action ends.
    pub expires_at: Option<Timestamp>,
    /// Its message in the mod log, once posted.
    pub log_message: Option<(ChannelId, MessageId)>,
}

impl Case {
    /// The case `new` becomes under `number`, not yet posted.
    pub fn new(number: CaseNumber, new: NewCase) -> Self {
        Self {
            number,
            guild: new.guild,
            action: new.action,
            user: new.user,
            channel: new.channel,
            moderator: new.moderator,
            reason: new.reason,
            duration: new.duration,
            created_at: new.created_at,
            expires_at: new.expires_at,
            log_message: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_name() {
        for action in CaseAction::ALL {
            assert_eq!(CaseAction::from_name(action.name()), Some(action));
        }
        assert_eq!(CaseAction::from_name("tempban"), None);
    }
}
