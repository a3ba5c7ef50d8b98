//! Gateway events for roles: reactions on menus, members joining, passing screening and
//! leaving, roles deleted; and the worker that gives due autoroles at a steady pace.

use std::{sync::Arc, time::Duration};

use hearth_core::{GuildId, RoleId};
use hearth_roles::{Choice, Joined, MenuKind, PendingGrant};
use twilight_gateway::Event;
use twilight_model::{channel::message::EmojiReactionType, gateway::GatewayReaction};

use super::{
    Roles, clicks, handlers::audit_reason, refusal::problem_sentence, render, standing::RoleBook,
};
use crate::{
    context::{Backend, Context},
    discord::{guild_id, ids::message_id, role_id, user_id},
    feature::Workers,
    interaction::chain,
    reply::Reply,
};

/// How many due autoroles one claim takes.
pub const GRANT_BATCH: usize = 20;
/// How long a claimed autorole is held before another claim may take it again (the process
/// died, or Discord failed and it should be retried).
pub const GRANT_LEASE: Duration = Duration::from_secs(60);
/// Autorole calls per second at most: well under Discord's global 50 per second, leaving room
/// for everything else the bot does, so a raid-sized burst of joins never meets a 429. 500
/// joins take 25 seconds.
pub const GRANTS_PER_SECOND: u32 = 20;
/// How often the worker looks for due autoroles when nothing wakes it (a delay ending, a
/// virtual clock moved forward).
pub const GRANT_POLL: Duration = Duration::from_millis(500);

impl<S: Backend> Roles<S> {
    /// Handles one of the declared events.
    pub(crate) async fn handle_event(&self, ctx: &Context, event: &Event) {
        // Joins and member updates matter only where autoroles may be waiting.
        let member_guild = match event {
            Event::MemberAdd(m) => Some(m.guild_id),
            Event::MemberUpdate(m) => Some(m.guild_id),
            _ => None,
        };
        if let Some(guild) = member_guild
            && !super::autoroles::may_have_autoroles(&self.service, ctx, guild_id(guild)).await
        {
            return;
        }
        let result = match event {
            Event::ReactionAdd(r) => self.reaction(ctx, &r.0, true).await,
            Event::ReactionRemove(r) => self.reaction(ctx, &r.0, false).await,
            Event::MemberAdd(m) => {
                let joined = Joined {
                    guild: guild_id(m.guild_id),
                    user: user_id(m.member.user.id),
                    bot: m.member.user.bot,
                    pending: m.member.pending,
                    now: ctx.now(),
                };
                match self.service.member_joined(joined).await {
                    Ok(grants) if !grants.is_empty() => {
                        self.wake.notify_one();
                        Ok(())
                    }
                    Ok(_) => Ok(()),
                    Err(err) => Err(chain(&err)),
                }
            }
            Event::MemberUpdate(m) if !m.pending => {
                let (guild, user) = (guild_id(m.guild_id), user_id(m.user.id));
                match self.service.screening_passed(guild, user, ctx.now()).await {
                    Ok(0) => Ok(()),
                    Ok(_) => {
                        self.wake.notify_one();
                        Ok(())
                    }
                    Err(err) => Err(chain(&err)),
                }
            }
            Event::MemberRemove(m) => self
                .service
                .member_left(guild_id(m.guild_id), user_id(m.user.id))
                .await
                .map(drop)
                .map_err(|e| chain(&e)),
            Event::RoleDelete(r) => {
                self.role_deleted(ctx, guild_id(r.guild_id), role_id(r.role_id))
                    .await
            }
            _ => Ok(()),
        };
        if let Err(err) = result {
            tracing::warn!(target: "roles", kind = ?event.kind(), error = %err, "a roles event failed");
        }
    }

    /// A reaction added to or removed from a message: a choice if the message is a reaction
    /// menu. Reactions come with no way to answer, so a refused one is taken away again.
    async fn reaction(
        &self,
        ctx: &Context,
        reaction: &GatewayReaction,
        added: bool,
    ) -> Result<(), String> {
        let Some(guild) = reaction.guild_id.map(guild_id) else {
            return Ok(());
        };
        let user = user_id(reaction.user_id);
        if user == ctx.bot {
            return Ok(());
        }
        let message = message_id(reaction.message_id);
        if !super::reaction_menus::may_be_menu(self, ctx, guild, message).await {
            return Ok(());
        }
        let Some(menu) = self.service.menu(message).await.map_err(|e| chain(&e))? else {
            return Ok(());
        };
        if menu.kind != MenuKind::Reactions || menu.guild != guild {
            return Ok(());
        }
        let key = match &reaction.emoji {
            EmojiReactionType::Custom { id, .. } => id.get().to_string(),
            EmojiReactionType::Unicode { name } => name.clone(),
        };
        let Some(option) = menu.option_for_reaction(&key).cloned() else {
            return Ok(());
        };
        // The add event carries the member; the remove event does not (ask Discord).
        let held: Vec<RoleId> = match reaction.member.as_ref() {
            Some(member) if member.user.bot => return Ok(()),
            Some(member) => member.roles.iter().copied().map(role_id).collect(),
            None => match ctx.discord.member_roles(guild, user).await {
                Ok(roles) => roles,
                // They left: nothing to change.
                Err(err) if err.status() == Some(404) => return Ok(()),
                Err(err) => return Err(chain(&err)),
            },
        };
        let choice = if added {
            Choice::Pick(option.role)
        } else {
            Choice::Unpick(option.role)
        };
        let change = menu.decide(&held, &choice);
        let refused = match change {
            Ok(change) => match clicks::apply(ctx, guild, user, &change, message).await {
                Ok(()) => false,
                Err(err) => {
                    tracing::debug!(target: "roles", error = ?err, "a reaction changed nothing");
                    true
                }
            },
            Err(refusal) => {
                tracing::debug!(target: "roles", %refusal, "a reaction was refused");
                true
            }
        };
        if refused && added {
            let emoji = option.emoji.as_ref().map(render::emoji);
            if let Some(emoji) = emoji
                && let Err(err) = ctx
                    .discord
                    .remove_reaction(menu.channel, message, &emoji, user)
                    .await
            {
                tracing::debug!(target: "roles", error = %chain(&err), "could not take a refused reaction back");
            }
        }
        Ok(())
    }

    /// A role was deleted in Discord: out of every menu (their messages redrawn) and the
    /// autoroles, and the staff are told in the mod log.
    async fn role_deleted(
        &self,
        ctx: &Context,
        guild: GuildId,
        role: RoleId,
    ) -> Result<(), String> {
        let outcome = self
            .service
            .role_deleted(guild, role)
            .await
            .map_err(|e| chain(&e))?;
        for menu in &outcome.changed {
            if let Err(err) = ctx
                .discord
                .edit(menu.channel, menu.message, &render::menu(menu))
                .await
            {
                tracing::debug!(target: "roles", error = %chain(&err), "could not redraw a menu");
            }
        }
        for menu in &outcome.deleted {
            let notice = Reply::text(format!(
                "This role menu (\"{}\") no longer works: its only role was deleted.",
                menu.title
            ));
            let _ = ctx.discord.edit(menu.channel, menu.message, &notice).await;
        }
        if outcome.changed.is_empty() && outcome.deleted.is_empty() && !outcome.was_autorole {
            return Ok(());
        }
        let mut lines = vec![format!("A role ({role}) was deleted in Discord.")];
        for menu in &outcome.changed {
            lines.push(format!(
                "• It was taken out of the role menu \"{}\" in <#{}>.",
                menu.title, menu.channel
            ));
        }
        for menu in &outcome.deleted {
            lines.push(format!(
                "• The role menu \"{}\" in <#{}> offered only that role and was deleted.",
                menu.title, menu.channel
            ));
        }
        if outcome.was_autorole {
            lines.push("• It is no longer given on join.".to_owned());
        }
        self.post_to_mod_log(ctx, guild, Reply::text(lines.join("\n")))
            .await;
        Ok(())
    }

    /// Posts to the guild's mod log, if it has one: the one place the roles feature reaches
    /// moderation's settings.
    async fn post_to_mod_log(&self, ctx: &Context, guild: GuildId, reply: Reply) {
        let channel = match self.mod_log.get(guild).await {
            Ok(settings) => settings.mod_log_channel,
            Err(err) => {
                tracing::warn!(target: "roles", error = %chain(&err), "could not read the mod log setting");
                return;
            }
        };
        if let Some(channel) = channel
            && let Err(err) = ctx.discord.send(channel, &reply).await
        {
            tracing::warn!(target: "roles", %channel, error = %chain(&err), "could not post to the mod log");
        }
    }

    /// Starts the autorole worker.
    pub(crate) fn start_worker(&self, ctx: &Context, workers: &Workers) {
        let (service, wake, ctx, cancel) = (
            self.service.clone(),
            Arc::clone(&self.wake),
            ctx.clone(),
            workers.cancel.clone(),
        );
        workers.tasks.spawn(async move {
            let mut pace = tokio::time::interval(Duration::from_secs(1) / GRANTS_PER_SECOND);
            pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let due = match service.claim_due(ctx.now(), GRANT_LEASE, GRANT_BATCH).await {
                    Ok(due) => due,
                    Err(err) => {
                        tracing::warn!(target: "roles", error = %chain(&err), "could not claim autoroles");
                        Vec::new()
                    }
                };
                let busy = !due.is_empty();
                for grant in due {
                    tokio::select! {
                        () = cancel.cancelled() => return,
                        _ = pace.tick() => {}
                    }
                    give(&service, &ctx, &grant).await;
                }
                if busy {
                    continue;
                }
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = wake.notified() => {}
                    () = tokio::time::sleep(GRANT_POLL) => {}
                }
            }
        });
    }
}

/// Gives one due autorole. Done (forgotten) when given, or when it can never be (the member
/// left, the role is gone or out of reach); otherwise it stays leased and is tried again.
async fn give<S: Backend>(service: &hearth_roles::Roles<S>, ctx: &Context, grant: &PendingGrant) {
    // Removed since the member joined: not given, and forgotten.
    if !super::autoroles::may_be_autorole(service, ctx, grant.guild, grant.role).await {
        tracing::info!(target: "roles", role = %grant.role, "autorole removed before it was due");
        if let Err(err) = service.grant_done(grant).await {
            tracing::warn!(target: "roles", error = %chain(&err), "could not forget a removed autorole's grant");
        }
        return;
    }
    let reach = match RoleBook::load(ctx, grant.guild).await {
        Ok(book) => book.manageable(grant.role),
        Err(err) => {
            tracing::warn!(target: "roles", error = %chain(&err), "could not read the roles for an autorole");
            return;
        }
    };
    let done = if let Err(problem) = reach {
        tracing::warn!(target: "roles", role = %grant.role, "autorole not given: {}", problem_sentence(grant.role, problem));
        true
    } else {
        let why = audit_reason(grant.user, None);
        match ctx
            .discord
            .add_role(grant.guild, grant.user, grant.role, &why)
            .await
        {
            Ok(()) => true,
            Err(err) if matches!(err.status(), Some(403 | 404)) => {
                tracing::info!(target: "roles", user = %grant.user, error = %chain(&err), "autorole can't be given");
                true
            }
            Err(err) => {
                tracing::warn!(target: "roles", error = %chain(&err), "autorole failed; it will be tried again");
                false
            }
        }
    };
    if done && let Err(err) = service.grant_done(grant).await {
        tracing::warn!(target: "roles", error = %chain(&err), "could not mark an autorole given");
    }
}
