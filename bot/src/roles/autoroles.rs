//! A guild's autoroles ([`GuildSet`]): every member update, join and leave of a guild reaches
//! the roles feature, and in a guild with no autorole they ask the store nothing. The set is
//! dropped everywhere when an autorole is added or removed (a removed one is not given to the
//! members still waiting for it).

use hearth_cache::Namespace;
use hearth_core::{GuildId, RoleId};

use crate::{
    context::{Backend, Context},
    guild_set::GuildSet,
};

/// The roles a guild gives on join.
pub(super) const AUTOROLES: GuildSet<RoleId> = GuildSet::new(Namespace::new("autoroles", 1));

/// The guild's autoroles from the store.
async fn load<S: Backend>(
    service: &hearth_roles::Roles<S>,
    guild: GuildId,
) -> Result<Vec<RoleId>, hearth_roles::Error> {
    Ok(service
        .autoroles(guild)
        .await?
        .iter()
        .map(|a| a.role)
        .collect())
}

/// Whether the guild may give roles on join (and so have grants waiting for its members).
pub(super) async fn may_have_autoroles<S: Backend>(
    service: &hearth_roles::Roles<S>,
    ctx: &Context,
    guild: GuildId,
) -> bool {
    AUTOROLES
        .may_hold_any(ctx, guild, || load(service, guild))
        .await
}

/// Whether `role` may still be one of the guild's autoroles.
pub(super) async fn may_be_autorole<S: Backend>(
    service: &hearth_roles::Roles<S>,
    ctx: &Context,
    guild: GuildId,
    role: RoleId,
) -> bool {
    AUTOROLES
        .may_hold(ctx, guild, &role, || load(service, guild))
        .await
}
