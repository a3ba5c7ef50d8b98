//! A guild's autoroles ([`GuildSet`]): every member update, join and leave of a guild reaches
//! the roles feature, and in a guild with no autorole they ask the store nothing. The set
//! grows when an autorole is added.

use hearth_cache::Namespace;
use hearth_core::{GuildId, RoleId};

use super::Roles;
use crate::{
    context::{Backend, Context},
    guild_set::GuildSet,
};

/// The roles a guild gives on join.
pub(super) const AUTOROLES: GuildSet<RoleId> = GuildSet::new(Namespace::new("autoroles", 1));

/// Whether the guild may give roles on join (and so have grants waiting for its members).
pub(super) async fn may_have_autoroles<S: Backend>(
    feature: &Roles<S>,
    ctx: &Context,
    guild: GuildId,
) -> bool {
    AUTOROLES
        .may_hold_any(ctx, guild, || async {
            let autoroles = feature.service.autoroles(guild).await?;
            Ok::<_, hearth_roles::Error>(autoroles.iter().map(|a| a.role).collect())
        })
        .await
}
