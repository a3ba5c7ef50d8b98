//! A guild's moderation settings.

use hearth_core::ChannelId;
use serde::{Deserialize, Serialize};

use crate::EscalationPolicy;

/// How moderation works in one guild. A guild that never changed anything has the default:
/// no mod-log channel, and the default escalation policy (3 warnings → timeout 1 h).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationSettings {
    /// Where case embeds are posted; `None` posts nowhere.
    pub mod_log_channel: Option<ChannelId>,
    /// What happens automatically as warnings pile up.
    pub escalation: EscalationPolicy,
}
