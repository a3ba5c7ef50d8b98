//! The demo world: one guild with the people, roles and channels every demonstration and
//! end-to-end scenario starts from, built in one place, with room for a feature's own setup.
//!
//! `hearth try`, the end-to-end harness and the `hearth-sandbox` binary all start from
//! [`DemoBuilder`], so a feature adds its channels, roles or members once (with
//! [`DemoBuilder::with`]) and sees them everywhere.
//!
//! The base world, from the top of the role list down:
//!
//! | who | roles | about |
//! | --- | --- | --- |
//! | `owner` | (owns the guild) | owns the server |
//! | the bot | `Hearth` (managed, [`crate::BOT_DEFAULT_PERMISSIONS`]) | |
//! | `senior` | `Senior` (no permissions, above `Moderator`) | ranks above the moderator |
//! | `mod` | `Moderator` ([`MODERATOR_PERMISSIONS`]) | a moderator |
//! | `alice`, `bob` | none | a member |
//!
//! and two text channels, `general` and `mod-log`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use hearth_sandbox::{Sandbox, demo::DemoBuilder};
//! use twilight_model::guild::Permissions;
//!
//! let sandbox = Sandbox::start().await?;
//! let world = DemoBuilder::new()
//!     .with(|world| {
//!         world.add_channel("tickets");
//!         world.add_role("Support", Permissions::MANAGE_CHANNELS);
//!     })
//!     .build(&sandbox);
//! world.person("alice").expect("in the base world").send(world.general, "hello");
//! assert!(world.channel("tickets").is_some());
//! # Ok(()) }
//! ```

use std::fmt;

use twilight_model::guild::Permissions;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, RoleMarker};

use crate::{Guild, Member, Sandbox};

/// The demo guild's name.
pub const DEMO_GUILD: &str = "Hearth Demo";

/// What the `Moderator` role may do: time out, kick and ban.
pub const MODERATOR_PERMISSIONS: Permissions = Permissions::MODERATE_MEMBERS
    .union(Permissions::KICK_MEMBERS)
    .union(Permissions::BAN_MEMBERS);

/// Where `Senior` sits: above `Moderator` (position 1), below the bot's role.
pub const SENIOR_POSITION: i64 = 2;

/// One person of the demo world, by the name people type (`as alice …`, `@alice`).
#[derive(Clone, Debug)]
pub struct Person {
    /// The name, also the member's user name.
    pub name: String,
    /// The member, to act as them.
    pub member: Member,
    /// Who they are, in a few words (shown by `hearth try`'s help).
    pub about: String,
}

/// The demo guild as built: handles on the base world's members, roles and channels, plus
/// name lookups over everything, a feature's additions included.
#[derive(Clone, Debug)]
pub struct DemoWorld {
    /// The guild.
    pub guild: Guild,
    /// `#general`.
    pub general: Id<ChannelMarker>,
    /// `#mod-log`.
    pub mod_log: Id<ChannelMarker>,
    /// `Moderator`, with [`MODERATOR_PERMISSIONS`].
    pub moderator_role: Id<RoleMarker>,
    /// `Senior`, above `Moderator`, below the bot.
    pub senior_role: Id<RoleMarker>,
    /// The guild's owner.
    pub owner: Member,
    /// `mod`, holding `Moderator`.
    pub moderator: Member,
    /// `senior`, holding `Senior`.
    pub senior: Member,
    /// `alice`, a member with no roles.
    pub alice: Member,
    /// `bob`, a member with no roles.
    pub bob: Member,
    people: Vec<Person>,
    channels: Vec<(String, Id<ChannelMarker>)>,
    roles: Vec<(String, Id<RoleMarker>)>,
}

impl DemoWorld {
    fn base(guild: Guild) -> Self {
        let general = guild.text_channel("general");
        let mod_log = guild.text_channel("mod-log");
        let moderator_role = guild.create_role("Moderator", MODERATOR_PERMISSIONS);
        let senior_role = guild.create_role("Senior", Permissions::empty());
        guild.set_role_position(senior_role, SENIOR_POSITION);
        let moderator = guild.add_member("mod");
        guild.grant(&moderator, moderator_role);
        let senior = guild.add_member("senior");
        guild.grant(&senior, senior_role);
        let alice = guild.add_member("alice");
        let bob = guild.add_member("bob");
        let owner = guild.owner();
        let person = |name: &str, member: &Member, about: &str| Person {
            name: name.to_owned(),
            member: member.clone(),
            about: about.to_owned(),
        };
        let people = vec![
            person("owner", &owner, "owns the server"),
            person("mod", &moderator, "a moderator"),
            person("senior", &senior, "ranks above the moderator"),
            person("alice", &alice, "a member"),
            person("bob", &bob, "a member"),
        ];
        let roles = vec![
            ("Moderator".to_owned(), moderator_role),
            ("Senior".to_owned(), senior_role),
            ("Hearth".to_owned(), guild.bot_role()),
            ("@everyone".to_owned(), guild.everyone_role()),
        ];
        Self {
            channels: vec![
                ("general".to_owned(), general),
                ("mod-log".to_owned(), mod_log),
            ],
            guild,
            general,
            mod_log,
            moderator_role,
            senior_role,
            owner,
            moderator,
            senior,
            alice,
            bob,
            people,
            roles,
        }
    }

    /// Everyone by name, in the order they were added (the base world first).
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// The member called `name`.
    pub fn person(&self, name: &str) -> Option<&Member> {
        self.people
            .iter()
            .find(|p| p.name == name)
            .map(|p| &p.member)
    }

    /// Every named channel, `(name, id)`, in the order they were made.
    pub fn channels(&self) -> &[(String, Id<ChannelMarker>)] {
        &self.channels
    }

    /// The channel called `name`.
    pub fn channel(&self, name: &str) -> Option<Id<ChannelMarker>> {
        self.channels
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
    }

    /// Every named role, `(name, id)`: the base world's, the bot's (`Hearth`), `@everyone`,
    /// then the ones added.
    pub fn roles(&self) -> &[(String, Id<RoleMarker>)] {
        &self.roles
    }

    /// The role called `name`.
    pub fn role(&self, name: &str) -> Option<Id<RoleMarker>> {
        self.roles
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
    }

    /// Adds a member with no roles, known by `name` from now on.
    pub fn add_person(&mut self, name: &str, about: &str) -> Member {
        let member = self.guild.add_member(name);
        self.people.push(Person {
            name: name.to_owned(),
            member: member.clone(),
            about: about.to_owned(),
        });
        member
    }

    /// Adds a text channel, known by `name` from now on.
    pub fn add_channel(&mut self, name: &str) -> Id<ChannelMarker> {
        let id = self.guild.text_channel(name);
        self.channels.push((name.to_owned(), id));
        id
    }

    /// Adds a category (a channel that holds channels), known by `name` from now on like a
    /// channel (`#name` fills a channel option).
    pub fn add_category(&mut self, name: &str) -> Id<ChannelMarker> {
        let id = self.guild.category(name);
        self.channels.push((name.to_owned(), id));
        id
    }

    /// Adds a role (at the bottom of the list, above `@everyone`), known by `name` from now on.
    pub fn add_role(&mut self, name: &str, permissions: Permissions) -> Id<RoleMarker> {
        let id = self.guild.create_role(name, permissions);
        self.roles.push((name.to_owned(), id));
        id
    }
}

type Setup = Box<dyn FnOnce(&mut DemoWorld) + Send>;

/// Builds the demo world in a sandbox: the base world, then each setup in the order given.
#[must_use]
pub struct DemoBuilder {
    guild_name: String,
    setups: Vec<Setup>,
}

impl fmt::Debug for DemoBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoBuilder")
            .field("guild_name", &self.guild_name)
            .field("setups", &self.setups.len())
            .finish()
    }
}

impl Default for DemoBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl DemoBuilder {
    /// The base world in a guild called [`DEMO_GUILD`].
    pub fn new() -> Self {
        Self {
            guild_name: DEMO_GUILD.to_owned(),
            setups: Vec::new(),
        }
    }

    /// Names the guild otherwise (the end-to-end harness calls it "Hearth Test").
    pub fn guild_name(mut self, name: impl Into<String>) -> Self {
        self.guild_name = name.into();
        self
    }

    /// Runs `setup` on the world once the base is built: a feature's channels, roles,
    /// members or first messages.
    pub fn with(mut self, setup: impl FnOnce(&mut DemoWorld) + Send + 'static) -> Self {
        self.setups.push(Box::new(setup));
        self
    }

    /// Creates the guild in `sandbox` and builds the world in it.
    pub fn build(self, sandbox: &Sandbox) -> DemoWorld {
        let mut world = DemoWorld::base(sandbox.create_guild(&self.guild_name));
        for setup in self.setups {
            setup(&mut world);
        }
        world
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_base_world_ranks_senior_between_the_moderator_and_the_bot() {
        let sandbox = Sandbox::start().await.unwrap();
        let world = DemoBuilder::new().build(&sandbox);
        let position = |role| world.guild.role(role).unwrap().position;
        assert!(position(world.moderator_role) < position(world.senior_role));
        assert!(position(world.senior_role) < position(world.guild.bot_role()));
        let names: Vec<&str> = world.people().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["owner", "mod", "senior", "alice", "bob"]);
        let roles = world.moderator.info().unwrap().roles;
        assert_eq!(roles, vec![world.moderator_role.get()]);
        assert!(world.alice.info().unwrap().roles.is_empty());
        assert_eq!(world.owner.id(), world.guild.owner().id());
        assert_eq!(world.channel("mod-log"), Some(world.mod_log));
        assert_eq!(world.role("Hearth"), Some(world.guild.bot_role()));
    }

    #[tokio::test]
    async fn a_features_setup_runs_after_the_base_and_is_found_by_name() {
        let sandbox = Sandbox::start().await.unwrap();
        let world = DemoBuilder::new()
            .guild_name("Hearth Test")
            .with(|w| {
                let support = w.add_role("Support", Permissions::MANAGE_CHANNELS);
                let carol = w.add_person("carol", "support staff");
                w.guild.grant(&carol, support);
                w.add_channel("tickets");
            })
            .with(|w| {
                // A later setup sees what an earlier one made.
                let tickets = w.channel("tickets").expect("made by the first setup");
                w.alice.send(tickets, "I need help");
            })
            .build(&sandbox);
        let tickets = world.channel("tickets").unwrap();
        assert_eq!(world.guild.messages(tickets)[0].content, "I need help");
        let carol = world.person("carol").unwrap();
        assert_eq!(
            carol.info().unwrap().roles,
            vec![world.role("Support").unwrap().get()]
        );
        assert_eq!(world.people().len(), 6);
        assert!(world.guild.channel_named("tickets").is_some());
    }

    #[tokio::test]
    async fn a_category_is_found_by_name_and_holds_channels() {
        let sandbox = Sandbox::start().await.unwrap();
        let world = DemoBuilder::new()
            .with(|w| {
                w.add_category("Tickets");
            })
            .build(&sandbox);
        let category = world.channel("Tickets").expect("known by name");
        let info = world.guild.channel(category).unwrap();
        assert_eq!(info.kind, crate::state::channel_kind::GUILD_CATEGORY);
        let inside = world.guild.text_channel_in(category, "ticket-1");
        let held: Vec<u64> = world
            .guild
            .channels_in(category)
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(held, [inside.get()]);
    }
}
