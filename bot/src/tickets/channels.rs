//! Which channels hold an active ticket, per guild, read through the cache.
//!
//! Every message in a guild reaches the tickets feature (activity and first responses are
//! counted in ticket channels). Asking the store "is this a ticket's channel?" for each one
//! would put a query on the path of every message of every guild; the set of a guild's ticket
//! channels is small and changes only when a ticket gets a channel, so it is cached
//! (this process, then Redis, then the store's active tickets) and dropped everywhere
//! ([`gained`]) whenever a ticket gets one. A ticket that loses its channel needs nothing: the
//! stale entry only sends that channel's messages on to the store, which finds no active
//! ticket there.

use hearth_cache::Namespace;
use hearth_core::{ChannelId, GuildId, StoreError};

use super::Tickets;
use crate::context::{Backend, Context};

/// The channels of a guild's active tickets.
const TICKET_CHANNELS: Namespace<GuildId, Vec<ChannelId>> = Namespace::new("ticket_channels", 1);

/// Whether `channel` may hold one of the guild's active tickets: `false` only when the
/// channel is certainly not a ticket's (a failed read answers `true`, and the store decides).
pub(super) async fn may_hold_ticket<S: Backend>(
    t: &Tickets<S>,
    ctx: &Context,
    guild: GuildId,
    channel: ChannelId,
) -> bool {
    let key = TICKET_CHANNELS.key(guild);
    let channels = ctx
        .cache
        .get_or_load(&key, || async {
            let active = hearth_tickets::TicketStore::active_tickets(&t.store, guild).await?;
            Ok::<_, StoreError>(active.iter().filter_map(|t| t.channel).collect())
        })
        .await;
    match channels {
        Ok(channels) => channels.contains(&channel),
        Err(err) => {
            tracing::debug!(%guild, %err, "ticket channels unreadable; asking the store");
            true
        }
    }
}

/// A ticket of `guild` got a channel: every process reads the guild's set again.
pub(super) async fn gained(ctx: &Context, guild: GuildId) {
    ctx.cache.invalidate(&TICKET_CHANNELS.key(guild)).await;
}
