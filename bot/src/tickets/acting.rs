//! Who acts on a ticket, read from an interaction: the invoker, their roles, whether they
//! administer the guild, and when.

use hearth_core::{GuildId, RoleId};
use hearth_tickets::{Act, Actor, TicketNumber, TicketSettings};
use twilight_model::{application::interaction::Interaction, guild::Permissions};

use crate::{
    handler::{created_at, invoker},
    interaction::HandlerError,
};

/// The invoker's roles (none in a DM).
pub(super) fn roles_of(interaction: &Interaction) -> Vec<RoleId> {
    interaction
        .member
        .as_ref()
        .map(|m| {
            m.roles
                .iter()
                .map(|r| crate::discord::role_id(*r))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the invoker administers the guild (Administrator or Manage Server).
pub(super) fn is_admin(interaction: &Interaction) -> bool {
    interaction
        .member
        .as_ref()
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.intersects(Permissions::ADMINISTRATOR | Permissions::MANAGE_GUILD))
}

/// Who acts on ticket `number` from a button or a modal: the invoker with their `roles`, at
/// the interaction's time.
///
/// # Errors
///
/// A refusal when the interaction names nobody.
pub(super) fn act_of<'a>(
    interaction: &Interaction,
    guild: GuildId,
    number: u64,
    settings: &'a TicketSettings,
    roles: &'a [RoleId],
) -> Result<Act<'a>, HandlerError> {
    Ok(Act {
        guild,
        number: TicketNumber(number),
        actor: Actor {
            user: invoker(interaction)?,
            roles,
            admin: is_admin(interaction),
        },
        settings,
        now: created_at(interaction),
    })
}
