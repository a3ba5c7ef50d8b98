//! Which channels hold an active ticket, per guild ([`GuildSet`]): every message of a guild
//! reaches the tickets feature (activity and first responses are counted in ticket channels),
//! and one outside them asks the store nothing. The set grows when a ticket gets a channel
//! (open, reopen, out of the queue).

use hearth_cache::Namespace;
use hearth_core::{ChannelId, GuildId, StoreError};

use super::Tickets;
use crate::{
    context::{Backend, Context},
    guild_set::GuildSet,
};

/// The channels of a guild's active tickets.
pub(super) const TICKET_CHANNELS: GuildSet<ChannelId> =
    GuildSet::new(Namespace::new("ticket_channels", 1));

/// Whether `channel` may hold one of the guild's active tickets.
pub(super) async fn may_hold_ticket<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    guild: GuildId,
    channel: ChannelId,
) -> bool {
    TICKET_CHANNELS
        .may_hold(ctx, guild, &channel, || async {
            let active = hearth_tickets::TicketStore::active_tickets(&t.store, guild).await?;
            Ok::<_, StoreError>(active.iter().filter_map(|t| t.channel).collect())
        })
        .await
}
