//! A guild: build it as an administrator would, and observe it.

use std::fmt;
use std::sync::Arc;

use serde_json::{Value, json};
use twilight_model::guild::Permissions;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, RoleMarker, UserMarker};

use super::member::Member;
use super::{WAIT_TIMEOUT, new_user, role, wait};
use crate::payload::id;
use crate::state::{self, AuditEntry, Ban, Channel, Message, Overwrite, Role, State, channel_kind};
use crate::{Shared, events};

/// What a moderator does by hand in Discord's client ([`Guild::moderate_by_hand`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByHand {
    /// Ban the user.
    Ban,
    /// Lift their ban.
    Unban,
    /// Kick the member.
    Kick,
    /// Time the member out for this long.
    Timeout(std::time::Duration),
}

/// A guild in the sandbox: build it, act on it as a human administrator would, observe it.
#[derive(Clone)]
pub struct Guild {
    pub(super) shared: Arc<Shared>,
    pub(super) id: u64,
}

impl fmt::Debug for Guild {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guild")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Guild {
    /// The guild's id.
    pub fn id(&self) -> Id<GuildMarker> {
        Id::new(self.id)
    }

    /// The @everyone role (its id is the guild id).
    pub fn everyone_role(&self) -> Id<RoleMarker> {
        Id::new(self.id)
    }

    /// The bot's managed role.
    pub fn bot_role(&self) -> Id<RoleMarker> {
        self.shared.read(|s| {
            let g = &s.guilds[&self.id];
            let bot = s.bot_id();
            Id::new(
                g.roles
                    .values()
                    .find(|r| r.managed && g.members[&bot].roles.contains(&r.id))
                    .map_or(self.id, |r| r.id),
            )
        })
    }

    pub(super) fn read<R>(&self, f: impl FnOnce(&State, &state::Guild) -> R) -> R {
        self.shared.read(|s| f(s, &s.guilds[&self.id]))
    }

    /// Creates a role at position 1 (just above @everyone, as Discord does), shifting the
    /// others up; GUILD_ROLE_CREATE follows.
    ///
    /// # Panics
    ///
    /// When the guild no longer exists.
    pub fn create_role(&self, name: &str, permissions: Permissions) -> Id<RoleMarker> {
        let rid = self.shared.with(|s| {
            let rid = s.ids.next();
            let g = s.guilds.get_mut(&self.id).expect("guild exists");
            for r in g.roles.values_mut().filter(|r| r.id != self.id) {
                r.position += 1;
            }
            g.roles.insert(rid, role(rid, name, 1, permissions, false));
            events::role(s, self.id, rid, "GUILD_ROLE_CREATE");
            rid
        });
        Id::new(rid)
    }

    /// Moves a role to `position` (roles at or above it move up by one).
    ///
    /// # Panics
    ///
    /// When the guild no longer exists.
    pub fn set_role_position(&self, role: Id<RoleMarker>, position: i64) {
        self.shared.with(|s| {
            let g = s.guilds.get_mut(&self.id).expect("guild exists");
            let mut order: Vec<u64> = g
                .roles
                .values()
                .filter(|r| r.id != self.id && r.id != role.get())
                .map(|r| r.id)
                .collect();
            order.sort_by_key(|r| g.roles[r].position);
            let at = usize::try_from(position.max(1) - 1)
                .unwrap_or(0)
                .min(order.len());
            order.insert(at, role.get());
            for (i, r) in order.iter().enumerate() {
                if let Some(x) = g.roles.get_mut(r) {
                    x.position = i64::try_from(i).unwrap_or(0) + 1;
                }
            }
            events::role(s, self.id, role.get(), "GUILD_ROLE_UPDATE");
        });
    }

    /// Deletes a role as a member of staff would in Discord: members lose it;
    /// GUILD_ROLE_DELETE follows.
    pub fn delete_role(&self, role: Id<RoleMarker>) {
        self.shared.with(|s| {
            let Some(g) = s.guilds.get_mut(&self.id) else {
                return;
            };
            if g.roles.remove(&role.get()).is_none() {
                return;
            }
            for m in g.members.values_mut() {
                m.roles.retain(|r| *r != role.get());
            }
            events::role(s, self.id, role.get(), "GUILD_ROLE_DELETE");
        });
    }

    /// Changes a role's permissions; GUILD_ROLE_UPDATE follows.
    pub fn set_role_permissions(&self, role: Id<RoleMarker>, permissions: Permissions) {
        self.shared.with(|s| {
            if let Some(r) = s
                .guilds
                .get_mut(&self.id)
                .and_then(|g| g.roles.get_mut(&role.get()))
            {
                r.permissions = permissions;
            }
            events::role(s, self.id, role.get(), "GUILD_ROLE_UPDATE");
        });
    }

    pub(super) fn create_channel(
        &self,
        name: &str,
        kind: u8,
        parent: Option<Id<ChannelMarker>>,
    ) -> Id<ChannelMarker> {
        let cid = self.shared.with(|s| {
            let cid = s.ids.next();
            let position = s
                .channels
                .values()
                .filter(|c| c.guild_id == self.id)
                .count();
            s.channels.insert(
                cid,
                Channel {
                    id: cid,
                    guild_id: self.id,
                    name: name.to_owned(),
                    kind,
                    parent_id: parent.map(Id::get),
                    position: i64::try_from(position).unwrap_or(0),
                    topic: None,
                    overwrites: Vec::new(),
                    rate_limit_per_user: 0,
                    nsfw: false,
                    recipient_id: None,
                },
            );
            events::channel(s, cid, "CHANNEL_CREATE");
            cid
        });
        Id::new(cid)
    }

    /// Creates a text channel.
    pub fn text_channel(&self, name: &str) -> Id<ChannelMarker> {
        self.create_channel(name, channel_kind::GUILD_TEXT, None)
    }

    /// Creates a category.
    pub fn category(&self, name: &str) -> Id<ChannelMarker> {
        self.create_channel(name, channel_kind::GUILD_CATEGORY, None)
    }

    /// Creates a text channel inside a category.
    pub fn text_channel_in(&self, category: Id<ChannelMarker>, name: &str) -> Id<ChannelMarker> {
        self.create_channel(name, channel_kind::GUILD_TEXT, Some(category))
    }

    /// Deletes a channel by hand, as staff do in Discord's client; CHANNEL_DELETE follows.
    pub fn delete_channel(&self, channel: Id<ChannelMarker>) {
        self.shared.with(|s| {
            if let Some(c) = s.channels.remove(&channel.get()) {
                let data = crate::payload::channel(&c);
                events::channel_deleted(s, &data, c.guild_id);
            }
        });
    }

    /// Sets a permission overwrite (kind 0 role, 1 member); CHANNEL_UPDATE follows.
    pub fn set_overwrite(
        &self,
        channel: Id<ChannelMarker>,
        target: u64,
        kind: u8,
        allow: Permissions,
        deny: Permissions,
    ) {
        self.shared.with(|s| {
            if let Some(c) = s.channels.get_mut(&channel.get()) {
                c.overwrites.retain(|o| o.id != target);
                c.overwrites.push(Overwrite {
                    id: target,
                    kind,
                    allow,
                    deny,
                });
            }
            events::channel(s, channel.get(), "CHANNEL_UPDATE");
        });
    }

    /// A new user joins the guild (GUILD_MEMBER_ADD).
    pub fn add_member(&self, name: &str) -> Member {
        let uid = self.shared.with(|s| new_user(s, name, false));
        let member = self.member(Id::new(uid));
        member.join();
        member
    }

    /// A new user who has not joined yet: [`Member::join`] or [`Member::join_screened`] adds
    /// them (a raid-sized burst of joins, or a member facing membership screening).
    pub fn new_user(&self, name: &str) -> Member {
        let uid = self.shared.with(|s| new_user(s, name, false));
        self.member(Id::new(uid))
    }

    /// Another bot is added to the guild (GUILD_MEMBER_ADD with `user.bot`).
    pub fn add_bot(&self, name: &str) -> Member {
        let uid = self.shared.with(|s| new_user(s, name, true));
        let member = self.member(Id::new(uid));
        member.join();
        member
    }

    /// A handle to a user of this guild.
    pub fn member(&self, user: Id<UserMarker>) -> Member {
        Member {
            shared: Arc::clone(&self.shared),
            guild_id: self.id,
            user_id: user.get(),
        }
    }

    /// The member whose username is `name`, if one is in the guild.
    pub fn member_named(&self, name: &str) -> Option<Member> {
        let found = self.read(|s, g| {
            g.members
                .keys()
                .copied()
                .find(|u| s.users.get(u).is_some_and(|x| x.name == name))
        });
        found.map(|u| self.member(Id::new(u)))
    }

    /// Every member of the guild with their username, the bot included.
    pub fn members(&self) -> Vec<(Member, String)> {
        let list = self.read(|s, g| {
            g.members
                .keys()
                .map(|u| {
                    (
                        *u,
                        s.users.get(u).map_or_else(String::new, |x| x.name.clone()),
                    )
                })
                .collect::<Vec<_>>()
        });
        list.into_iter()
            .map(|(u, name)| (self.member(Id::new(u)), name))
            .collect()
    }

    /// The channel named `name` in this guild, if any.
    pub fn channel_named(&self, name: &str) -> Option<Id<ChannelMarker>> {
        self.shared.read(|s| {
            s.channels
                .values()
                .find(|c| c.guild_id == self.id && c.name == name)
                .map(|c| Id::new(c.id))
        })
    }

    /// The channels under the category `parent`, in id order.
    pub fn channels_in(&self, parent: Id<ChannelMarker>) -> Vec<Channel> {
        self.shared.read(|s| {
            s.channels
                .values()
                .filter(|c| c.guild_id == self.id && c.parent_id == Some(parent.get()))
                .cloned()
                .collect()
        })
    }

    /// The guild's owner.
    pub fn owner(&self) -> Member {
        let owner = self.read(|_, g| g.owner_id);
        self.member(Id::new(owner))
    }

    /// The bot as a member of this guild.
    pub fn bot(&self) -> Member {
        let bot = self.shared.read(State::bot_id);
        self.member(Id::new(bot))
    }

    /// Gives a member a role, as a human moderator would (GUILD_MEMBER_UPDATE).
    pub fn grant(&self, member: &Member, role: Id<RoleMarker>) {
        self.shared.with(|s| {
            if let Some(m) = s
                .guilds
                .get_mut(&self.id)
                .and_then(|g| g.members.get_mut(&member.user_id))
                && !m.roles.contains(&role.get())
            {
                m.roles.push(role.get());
            }
            events::member_update(s, self.id, member.user_id);
        });
    }

    /// Takes a role from a member, as a human moderator would (GUILD_MEMBER_UPDATE).
    pub fn revoke(&self, member: &Member, role: Id<RoleMarker>) {
        self.shared.with(|s| {
            if let Some(m) = s
                .guilds
                .get_mut(&self.id)
                .and_then(|g| g.members.get_mut(&member.user_id))
            {
                m.roles.retain(|r| *r != role.get());
            }
            events::member_update(s, self.id, member.user_id);
        });
    }

    /// Messages in a channel, oldest first, without deleted or ephemeral ones.
    pub fn messages(&self, channel: Id<ChannelMarker>) -> Vec<Message> {
        self.shared.read(|s| {
            s.messages
                .values()
                .filter(|m| m.channel_id == channel.get() && !m.deleted && !m.is_ephemeral())
                .cloned()
                .collect()
        })
    }

    /// Waits until a channel holds a message matching `pred` and returns it.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`].
    pub async fn wait_for_message(
        &self,
        channel: Id<ChannelMarker>,
        pred: impl Fn(&Message) -> bool,
    ) -> Message {
        let found = wait(&self.shared, WAIT_TIMEOUT, || {
            self.messages(channel).into_iter().find(|m| pred(m))
        })
        .await;
        found.unwrap_or_else(|| {
            panic!("timed out waiting for a matching message in channel {channel}")
        })
    }

    /// A channel as it is now (overwrites, slowmode, …).
    pub fn channel(&self, channel: Id<ChannelMarker>) -> Option<Channel> {
        self.shared
            .with(|s| s.channels.get(&channel.get()).cloned())
    }

    /// A role as it is now.
    pub fn role(&self, role: Id<RoleMarker>) -> Option<Role> {
        self.read(|_, g| g.roles.get(&role.get()).cloned())
    }

    /// The application commands members of this guild can run: guild commands, then global ones.
    pub fn commands(&self) -> Vec<Value> {
        self.shared.read(|s| {
            s.guild_commands
                .get(&self.id)
                .into_iter()
                .flatten()
                .chain(&s.global_commands)
                .cloned()
                .collect()
        })
    }

    /// Adds a guild command that the bot does not know, as an earlier version of the bot may
    /// have left behind (Discord keeps showing a command until the application removes it).
    pub fn add_stale_command(&self, name: &str, description: &str) {
        self.shared.with(|s| {
            let command = json!({
                "id": id(s.ids.next()),
                "application_id": id(s.config.application_id),
                "version": id(s.ids.next()),
                "guild_id": id(self.id),
                "type": 1,
                "name": name,
                "description": description,
                "default_member_permissions": null,
            });
            s.guild_commands.entry(self.id).or_default().push(command);
        });
    }

    /// Bans a user as a moderator does in Discord's own client, with no bot involved (the ban
    /// a timed unban later lifts, in scenarios that set timers up directly).
    pub fn ban_by_hand(&self, user: Id<UserMarker>, reason: Option<&str>) {
        self.shared.with(|s| {
            if let Some(g) = s.guilds.get_mut(&self.id) {
                g.bans.insert(
                    user.get(),
                    Ban {
                        user_id: user.get(),
                        reason: reason.map(str::to_owned),
                        delete_message_seconds: 0,
                    },
                );
            }
        });
    }

    /// `moderator` acts in Discord's own client, no bot involved: the change, its gateway
    /// events, an audit-log entry credited to them and GUILD_AUDIT_LOG_ENTRY_CREATE.
    ///
    /// # Panics
    ///
    /// When `target` is not a member (a timeout or a kick) or not banned (an unban).
    pub fn moderate_by_hand(
        &self,
        moderator: &Member,
        target: Id<UserMarker>,
        action: ByHand,
        reason: Option<&str>,
    ) {
        let (uid, gid) = (target.get(), self.id);
        self.shared.with(|s| {
            let now = s.now();
            let g = s.guilds.get_mut(&gid).expect("the guild exists");
            let (action_type, changes) = match action {
                ByHand::Ban => {
                    let was_member = g.members.remove(&uid).is_some();
                    g.bans.insert(
                        uid,
                        Ban {
                            user_id: uid,
                            reason: reason.map(str::to_owned),
                            delete_message_seconds: 0,
                        },
                    );
                    if was_member {
                        events::member_remove(s, gid, uid);
                    }
                    events::ban(s, gid, uid, true);
                    (state::audit_action::MEMBER_BAN_ADD, json!([]))
                }
                ByHand::Unban => {
                    assert!(g.bans.remove(&uid).is_some(), "not banned");
                    events::ban(s, gid, uid, false);
                    (state::audit_action::MEMBER_BAN_REMOVE, json!([]))
                }
                ByHand::Kick => {
                    assert!(g.members.remove(&uid).is_some(), "not a member");
                    events::member_remove(s, gid, uid);
                    (state::audit_action::MEMBER_KICK, json!([]))
                }
                ByHand::Timeout(duration) => {
                    let member = g.members.get_mut(&uid).expect("a member");
                    let until = now + u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
                    member.communication_disabled_until_ms = Some(until);
                    events::member_update(s, gid, uid);
                    let iso = crate::time::iso8601(until);
                    (
                        state::audit_action::MEMBER_UPDATE,
                        json!([{"key": "communication_disabled_until", "new_value": iso}]),
                    )
                }
            };
            let entry = AuditEntry {
                id: 0,
                guild_id: gid,
                user_id: moderator.id().get(),
                target_id: Some(uid),
                action_type,
                reason: reason.map(str::to_owned),
            };
            s.record_audit_entry(entry, &changes);
        });
    }

    /// Discord's own AutoMod blocks `content` from `member` in `channel` (a keyword rule
    /// matching `keyword`): AUTO_MODERATION_ACTION_EXECUTION, and no message is created.
    pub fn automod_block(
        &self,
        member: &Member,
        channel: Id<ChannelMarker>,
        content: &str,
        keyword: &str,
    ) {
        self.shared.with(|s| {
            events::automod_block(
                s,
                self.id,
                channel.get(),
                member.id().get(),
                content,
                keyword,
            );
        });
    }

    /// The guild's bans.
    pub fn bans(&self) -> Vec<Ban> {
        self.read(|_, g| g.bans.values().cloned().collect())
    }

    /// The guild's audit log, oldest first.
    pub fn audit_log(&self) -> Vec<AuditEntry> {
        self.shared.read(|s| {
            s.audit_log
                .iter()
                .filter(|e| e.guild_id == self.id)
                .cloned()
                .collect()
        })
    }

    /// Waits until `check` on the guild returns `Some`.
    ///
    /// # Panics
    ///
    /// After [`WAIT_TIMEOUT`], naming `what`.
    pub async fn wait_for<T>(&self, what: &str, check: impl Fn(&state::Guild) -> Option<T>) -> T {
        let found = wait(&self.shared, WAIT_TIMEOUT, || self.read(|_, g| check(g))).await;
        found.unwrap_or_else(|| panic!("timed out after {WAIT_TIMEOUT:?} waiting for {what}"))
    }
}
