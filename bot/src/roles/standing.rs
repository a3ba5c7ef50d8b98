//! Which roles the bot may hand out: `@everyone`, managed roles and roles not below the bot's
//! highest are refused, at creation and again at every click.

use std::collections::HashMap;

use hearth_core::{GuildId, RoleId, UserId};

use super::refusal::Problem;
use crate::{
    context::Context,
    discord::{DiscordError, ids, role_id},
};

/// One role, as hierarchy checks see it.
#[derive(Clone, Debug)]
pub struct RoleFact {
    /// Its position (0 for `@everyone`).
    pub position: i64,
    /// Whether an integration manages it.
    pub managed: bool,
    /// Its name.
    pub name: String,
}

/// A guild's roles and the bot's place among them.
#[derive(Clone, Debug)]
pub struct RoleBook {
    guild: GuildId,
    roles: HashMap<RoleId, RoleFact>,
    bot_top: i64,
    owner: UserId,
}

impl RoleBook {
    /// The guild's roles from the gateway cache (Discord on a miss) and the bot's roles.
    ///
    /// # Errors
    ///
    /// When the cache misses and Discord fails.
    pub async fn load(ctx: &Context, guild: GuildId) -> Result<Self, DiscordError> {
        let cached: Option<HashMap<RoleId, RoleFact>> =
            ctx.guilds.guild_roles(ids::guild(guild)).map(|list| {
                list.iter()
                    .filter_map(|id| {
                        ctx.guilds.role(*id).map(|r| {
                            (
                                role_id(*id),
                                RoleFact {
                                    position: r.position,
                                    managed: r.managed,
                                    name: r.name.clone(),
                                },
                            )
                        })
                    })
                    .collect()
            });
        let roles = match cached {
            Some(roles) if !roles.is_empty() => roles,
            _ => ctx
                .discord
                .roles(guild)
                .await?
                .into_iter()
                .map(|r| {
                    (
                        role_id(r.id),
                        RoleFact {
                            position: r.position,
                            managed: r.managed,
                            name: r.name,
                        },
                    )
                })
                .collect(),
        };
        let bot_roles = ctx.bot_roles(guild).await?;
        let bot_top = bot_roles
            .iter()
            .filter_map(|r| roles.get(r).map(|f| f.position))
            .max()
            .unwrap_or(0);
        let cached_owner = ctx
            .guilds
            .guild(ids::guild(guild))
            .map(|g| crate::discord::user_id(g.owner_id()));
        let owner = match cached_owner {
            Some(owner) => owner,
            None => ctx.discord.guild_owner(guild).await?,
        };
        Ok(Self {
            guild,
            roles,
            bot_top,
            owner,
        })
    }

    /// Checks that the bot can give or take `role`.
    ///
    /// # Errors
    ///
    /// Why not.
    pub fn manageable(&self, role: RoleId) -> Result<(), Problem> {
        if role == self.guild.everyone_role() {
            return Err(Problem::Everyone);
        }
        let Some(fact) = self.roles.get(&role) else {
            return Err(Problem::Unknown);
        };
        if fact.managed {
            return Err(Problem::Managed);
        }
        if fact.position >= self.bot_top {
            return Err(Problem::AboveBot);
        }
        Ok(())
    }

    /// Whether a member holding `roles` ranks above `role` (the owner always does).
    pub fn outranks(&self, user: UserId, roles: &[RoleId], role: RoleId) -> bool {
        if self.owner == user {
            return true;
        }
        let top = roles
            .iter()
            .filter_map(|r| self.roles.get(r).map(|f| f.position))
            .max()
            .unwrap_or(0);
        self.roles.get(&role).is_some_and(|f| f.position < top)
    }

    /// The role called `name` (ignoring case), if exactly one is.
    pub fn by_name(&self, name: &str) -> Option<RoleId> {
        let mut found = self
            .roles
            .iter()
            .filter(|(_, f)| f.name.eq_ignore_ascii_case(name))
            .map(|(id, _)| *id);
        let first = found.next();
        if found.next().is_some() { None } else { first }
    }

    /// A role's name, if the guild has it.
    pub fn name(&self, role: RoleId) -> Option<&str> {
        self.roles.get(&role).map(|f| f.name.as_str())
    }
}
