//! A guild's moderation settings.

use hearth_core::ChannelId;
use serde::{Deserialize, Serialize};

use crate::EscalationPolicy;

/// How moderation works in one guild. A guild that never changed anything has the default:
/// no mod-log channel, and the default escalation policy (3 warnings → timeout 1 h).
///
/// New fields may be added in later releases (it is `#[non_exhaustive]`): start from
/// `ModerationSettings::default()` and set fields. Stores write changes field by field
/// ([`SettingsChange`]), so a field a newer release added survives an older release's write.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ModerationSettings {
    /// Where case embeds are posted; `None` posts nowhere.
    pub mod_log_channel: Option<ChannelId>,
    /// What happens automatically as warnings pile up.
    pub escalation: EscalationPolicy,
}

/// A change to some of a guild's moderation settings: a store writes only the fields it names
/// and returns the settings after the change, in one atomic step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SettingsChange {
    /// A new mod-log channel (`Some(None)` turns the mod log off).
    pub mod_log_channel: Option<Option<ChannelId>>,
    /// A new escalation policy.
    pub escalation: Option<EscalationPolicy>,
}

impl SettingsChange {
    /// A change of the mod-log channel alone.
    pub fn mod_log_channel(channel: Option<ChannelId>) -> Self {
        Self {
            mod_log_channel: Some(channel),
            ..Self::default()
        }
    }

    /// A change of the escalation policy alone.
    pub fn escalation(policy: EscalationPolicy) -> Self {
        Self {
            escalation: Some(policy),
            ..Self::default()
        }
    }

    /// `settings` with this change applied: the reference semantics every store follows.
    pub fn apply(&self, mut settings: ModerationSettings) -> ModerationSettings {
        if let Some(channel) = self.mod_log_channel {
            settings.mod_log_channel = channel;
        }
        if let Some(policy) = &self.escalation {
            settings.escalation = policy.clone();
        }
        settings
    }
}
