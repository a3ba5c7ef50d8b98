//! Which messages of a guild are reaction menus ([`GuildSet`]): every reaction of a guild
//! reaches the roles feature, and one on an ordinary message asks the store nothing. The set
//! grows when a menu is posted.

use hearth_cache::Namespace;
use hearth_core::{GuildId, MessageId};
use hearth_roles::MenuKind;

use super::Roles;
use crate::{
    context::{Backend, Context},
    guild_set::GuildSet,
};

/// The messages of a guild's reaction menus.
pub(super) const REACTION_MENUS: GuildSet<MessageId> =
    GuildSet::new(Namespace::new("reaction_menus", 1));

/// Whether `message` may be one of the guild's reaction menus.
pub(super) async fn may_be_menu<S: Backend>(
    feature: &Roles<S>,
    ctx: &Context,
    guild: GuildId,
    message: MessageId,
) -> bool {
    REACTION_MENUS
        .may_hold(ctx, guild, &message, || async {
            let menus = feature.service.menus(guild).await?;
            Ok::<_, hearth_roles::Error>(
                menus
                    .iter()
                    .filter(|m| m.kind == MenuKind::Reactions)
                    .map(|m| m.message)
                    .collect(),
            )
        })
        .await
}
