//! Which messages of a guild are reaction menus, read through the cache.
//!
//! Every reaction in a guild reaches the roles feature, and most are on ordinary messages.
//! Asking the store "is this message a menu?" for each would put a query on the path of every
//! reaction; the guild's reaction menus are few and change only when one is posted, so their
//! messages are cached (this process, then Redis, then the store) and dropped everywhere
//! ([`posted`]) when a menu is created. A deleted menu needs nothing: the stale entry only
//! sends that message's reactions on to the store, which finds no menu.

use hearth_cache::Namespace;
use hearth_core::{GuildId, MessageId};
use hearth_roles::MenuKind;

use super::Roles;
use crate::context::{Backend, Context};

/// The messages of a guild's reaction menus.
const REACTION_MENUS: Namespace<GuildId, Vec<MessageId>> = Namespace::new("reaction_menus", 1);

/// Whether `message` may be one of the guild's reaction menus: `false` only when it certainly
/// is not (a failed read answers `true`, and the store decides).
pub(super) async fn may_be_menu<S: Backend>(
    feature: &Roles<S>,
    ctx: &Context,
    guild: GuildId,
    message: MessageId,
) -> bool {
    let key = REACTION_MENUS.key(guild);
    let menus = ctx
        .cache
        .get_or_load(&key, || async {
            let menus = feature.service.menus(guild).await?;
            Ok::<_, hearth_roles::Error>(
                menus
                    .iter()
                    .filter(|m| m.kind == MenuKind::Reactions)
                    .map(|m| m.message)
                    .collect(),
            )
        })
        .await;
    match menus {
        Ok(menus) => menus.contains(&message),
        Err(err) => {
            tracing::debug!(target: "roles", %guild, %err, "reaction menus unreadable; asking the store");
            true
        }
    }
}

/// A menu was posted in `guild`: every process reads the guild's reaction menus again.
pub(super) async fn posted(ctx: &Context, guild: GuildId) {
    ctx.cache.invalidate(&REACTION_MENUS.key(guild)).await;
}
