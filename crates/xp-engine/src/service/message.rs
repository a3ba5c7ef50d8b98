//! A message arrives: eligibility, boosts, the atomic grant, and what a level-up brings.

use hearth_core::{ChannelId, GuildId, MessageId, RoleId, UserId};

use super::Leveling;
use crate::{
    Announcement, Author, Boost, Error, GrantRequest, LevelSettings, RoleChanges, Skip,
    XP_COOLDOWN, XpStore, boost_for, eligibility, grant_amount,
};

/// A message arrived.
#[derive(Clone, Copy, Debug)]
pub struct MessageRequest<'a> {
    /// The guild.
    pub guild: GuildId,
    /// The channel it was sent in.
    pub channel: ChannelId,
    /// The message: its snowflake gives the time the cooldown is measured with, so a replayed
    /// event (same id) earns nothing.
    pub message: MessageId,
    /// Who sent it.
    pub author: UserId,
    /// Whether a member, bot or webhook sent it.
    pub author_kind: Author,
    /// The author's roles (from the event's `member.roles`).
    pub author_roles: &'a [RoleId],
    /// A random number from any generator; see [`message_xp`](crate::message_xp).
    pub draw: u64,
    /// The guild's settings, as the caller read them (usually through a cache).
    pub settings: &'a LevelSettings,
    /// The guild's boosts, as the caller read them; ended ones are ignored.
    pub boosts: &'a [Boost],
}

/// What a message did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageXp {
    /// XP granted (0 when nothing was).
    pub granted: u64,
    /// Why nothing was granted, when nothing was.
    pub skipped: Option<Skip>,
    /// The member's total after this message; `None` when the message was skipped without
    /// asking the store (bot, webhook, no-XP channel or role, rate off).
    pub new_total: Option<u64>,
    /// The level reached, when this grant crossed into a higher one.
    pub leveled_up_to: Option<u32>,
    /// Level roles to add (only on a level-up).
    pub roles_to_add: Vec<RoleId>,
    /// Level roles to remove (only on a level-up, in *replace* mode or for roles of levels the
    /// member no longer has).
    pub roles_to_remove: Vec<RoleId>,
    /// The level-up announcement to send, if any.
    pub announcement: Option<Announcement>,
}

impl MessageXp {
    pub(super) fn skipped(skip: Skip, new_total: Option<u64>) -> Self {
        Self {
            granted: 0,
            skipped: Some(skip),
            new_total,
            leveled_up_to: None,
            roles_to_add: Vec::new(),
            roles_to_remove: Vec::new(),
            announcement: None,
        }
    }
}

impl<S: XpStore> Leveling<S> {
    /// Grants a message its XP if it earns any, and says what follows.
    ///
    /// Bots, webhooks, no-XP channels and roles and a 0× rate are skipped without touching
    /// the store. Otherwise the store grants the amount (see [`grant_amount`]) in one atomic
    /// conditional step that measures the cooldown from the message's snowflake time, so a
    /// replay of a granted message, or a second message within [`XP_COOLDOWN`], earns nothing
    /// ([`Skip::Cooldown`]). When the grant crosses into a higher level, the outcome carries
    /// the level, the level roles to add and remove (compared with `author_roles`) and the
    /// announcement (its `{rank}` read from the store only when the template shows it).
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn on_message(&self, request: MessageRequest<'_>) -> Result<MessageXp, Error> {
        let MessageRequest {
            guild,
            channel,
            message,
            author,
            author_kind,
            author_roles,
            draw,
            settings,
            boosts,
        } = request;
        if let Err(skip) = eligibility(author_kind, channel, author_roles, settings) {
            return Ok(MessageXp::skipped(skip, None));
        }
        let at = message.created_at();
        let boost = boost_for(boosts, at, channel, author_roles);
        let amount = grant_amount(draw, settings.rate.multiplier(), boost);
        if amount == 0 {
            return Ok(MessageXp::skipped(Skip::RateOff, None));
        }
        let outcome = self
            .store
            .grant(GrantRequest {
                guild,
                user: author,
                at,
                amount,
                cooldown: XP_COOLDOWN,
            })
            .await?;
        if !outcome.granted {
            return Ok(MessageXp::skipped(Skip::Cooldown, Some(outcome.after.xp)));
        }
        let (level_before, level_after) = (outcome.before.level(), outcome.after.level());
        let mut xp = MessageXp {
            granted: outcome.after.xp - outcome.before.xp,
            skipped: None,
            new_total: Some(outcome.after.xp),
            leveled_up_to: None,
            roles_to_add: Vec::new(),
            roles_to_remove: Vec::new(),
            announcement: None,
        };
        if level_after > level_before {
            let RoleChanges { add, remove } =
                settings
                    .level_roles
                    .changes(settings.role_mode, level_after, author_roles);
            let rank = if settings.template.needs_rank() {
                self.store.rank(guild, author).await?.map(|r| r.rank)
            } else {
                None
            };
            xp.leveled_up_to = Some(level_after);
            xp.roles_to_add = add;
            xp.roles_to_remove = remove;
            xp.announcement = settings.announce.announcement(
                &settings.template,
                author,
                channel,
                level_after,
                rank,
            );
        }
        Ok(xp)
    }
}
