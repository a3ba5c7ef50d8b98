//! The leveling service: rules and a store, returning what happened.

use hearth_core::{ChannelId, GuildId, MessageId, RoleId, Timestamp, UserId};

use crate::{
    Activity, Announcement, Author, Boost, BoostId, BoostStore, Day, Error, GrantRequest,
    LEVEL_ROLES_MAX, LevelSettings, LevelSettingsStore, NewBoost, Progress, Ranked, RoleChanges,
    SettingsChange, Skip, XP_COOLDOWN, XpChange, XpStore, boost_for, eligibility, grant_amount,
    member::level_in,
};

/// Rows on one leaderboard page.
pub const LEADERBOARD_PAGE_SIZE: u32 = 10;
/// The most days an activity chart covers.
pub const ACTIVITY_DAYS_MAX: u32 = 90;

/// Leveling for any number of guilds over one store.
///
/// It never talks to Discord: each method returns an outcome, and the caller (the bot) carries
/// out what it says — sends the announcement, adds and removes roles, and so on.
#[derive(Clone, Debug)]
pub struct Leveling<S> {
    store: S,
}

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
    fn skipped(skip: Skip, new_total: Option<u64>) -> Self {
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

/// An admin changes a member's XP.
#[derive(Clone, Copy, Debug)]
pub struct XpChangeRequest<'a> {
    /// The guild.
    pub guild: GuildId,
    /// The member.
    pub user: UserId,
    /// The change (checked by its constructors).
    pub change: XpChange,
    /// The member's roles now (from the interaction's resolved member).
    pub member_roles: &'a [RoleId],
    /// The guild's settings, for the level roles.
    pub settings: &'a LevelSettings,
}

/// What an admin's XP change did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XpChanged {
    /// XP before.
    pub before: u64,
    /// XP after.
    pub after: u64,
    /// Level before.
    pub level_before: u32,
    /// Level after.
    pub level_after: u32,
    /// Level roles to add so the member's roles match their level.
    pub roles_to_add: Vec<RoleId>,
    /// Level roles to remove so the member's roles match their level (after moving XP down).
    pub roles_to_remove: Vec<RoleId>,
}

/// One page of a leaderboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderboardPage {
    /// The page, from 1.
    pub page: u64,
    /// How many pages there are (at least 1).
    pub pages: u64,
    /// How many members (or users) are ranked.
    pub ranked: u64,
    /// The rows, in rank order.
    pub rows: Vec<Ranked>,
}

/// A member's standing in a guild: what a rank card shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberRank {
    /// Their position, from 1; `None` with 0 XP (not ranked).
    pub rank: Option<u64>,
    /// How many members are ranked.
    pub ranked: u64,
    /// Their level and progress in it.
    pub progress: Progress,
}

impl<S> Leveling<S> {
    /// A service over `store`.
    pub fn new(store: S) -> Self {
        Self { store }
    }

    /// The store underneath.
    pub fn store(&self) -> &S {
        &self.store
    }
}

fn pages(ranked: u64) -> u64 {
    ranked.div_ceil(u64::from(LEADERBOARD_PAGE_SIZE)).max(1)
}

/// Checks a page a member typed or clicked and returns its 0-based offset.
fn offset(page: i64, ranked: u64) -> Result<(u64, u64), Error> {
    let pages = pages(ranked);
    match u64::try_from(page) {
        Ok(p) if (1..=pages).contains(&p) => Ok((p, (p - 1) * u64::from(LEADERBOARD_PAGE_SIZE))),
        _ => Err(Error::PageOutOfRange { page, pages }),
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

    /// Applies an admin's change to a member's XP (set, add, remove, reset) and says which
    /// level roles to add and remove so the member's roles match their new level — also when
    /// the XP went down.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails. (Bad amounts are refused earlier, by the
    /// [`XpChange`] constructors.)
    pub async fn change_xp(&self, request: XpChangeRequest<'_>) -> Result<XpChanged, Error> {
        let adjusted = self
            .store
            .adjust(request.guild, request.user, request.change)
            .await?;
        let level_after = adjusted.after.level();
        let RoleChanges { add, remove } = request.settings.level_roles.changes(
            request.settings.role_mode,
            level_after,
            request.member_roles,
        );
        Ok(XpChanged {
            before: adjusted.before.xp,
            after: adjusted.after.xp,
            level_before: adjusted.before.level(),
            level_after,
            roles_to_add: add,
            roles_to_remove: remove,
        })
    }

    /// Resets every member of the guild to 0 XP and returns how many had any. Level roles
    /// members hold are left to the caller (the bot removes them, or leaves them).
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn reset_guild(&self, guild: GuildId) -> Result<u64, Error> {
        Ok(self.store.reset_guild(guild).await?)
    }

    /// One page of the guild's leaderboard, [`LEADERBOARD_PAGE_SIZE`] rows, pages from 1. An
    /// empty leaderboard has one empty page.
    ///
    /// # Errors
    ///
    /// [`Error::PageOutOfRange`] for page 0, a negative page or one past the end;
    /// [`Error::Store`] when the store fails.
    pub async fn leaderboard(&self, guild: GuildId, page: i64) -> Result<LeaderboardPage, Error> {
        let ranked = self.store.ranked_members(guild).await?;
        let (page, offset) = offset(page, ranked)?;
        let rows = self
            .store
            .leaderboard(guild, offset, LEADERBOARD_PAGE_SIZE)
            .await?;
        Ok(LeaderboardPage {
            page,
            pages: pages(ranked),
            ranked,
            rows,
        })
    }

    /// A member's rank, level and progress in the guild (a member the store doesn't know has
    /// 0 XP and no rank).
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn rank(&self, guild: GuildId, user: UserId) -> Result<MemberRank, Error> {
        let xp = self
            .store
            .member(guild, user)
            .await?
            .map_or(0, |member| member.xp);
        let rank = if xp > 0 {
            self.store.rank(guild, user).await?.map(|r| r.rank)
        } else {
            None
        };
        Ok(MemberRank {
            rank,
            ranked: self.store.ranked_members(guild).await?,
            progress: Progress::of(xp),
        })
    }

    /// One page of the global leaderboard: XP summed over the guilds that contribute, users
    /// who opted out left out; pages as for [`Leveling::leaderboard`].
    ///
    /// # Errors
    ///
    /// [`Error::PageOutOfRange`] for a page that doesn't exist; [`Error::Store`] when the
    /// store fails.
    pub async fn global_leaderboard(&self, page: i64) -> Result<LeaderboardPage, Error> {
        let ranked = self.store.global_ranked_users().await?;
        let (page, offset) = offset(page, ranked)?;
        let rows = self
            .store
            .global_leaderboard(offset, LEADERBOARD_PAGE_SIZE)
            .await?;
        Ok(LeaderboardPage {
            page,
            pages: pages(ranked),
            ranked,
            rows,
        })
    }

    /// Hides (`true`) or shows again (`false`) a user on the global leaderboard.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn set_global_opt_out(&self, user: UserId, opt_out: bool) -> Result<(), Error> {
        Ok(self.store.set_global_opt_out(user, opt_out).await?)
    }

    /// The guild's activity over the `days` days ending with `last` (inclusive), oldest
    /// first, one entry per day (zero on days without grants): the data of a `/stats` chart.
    ///
    /// # Errors
    ///
    /// [`Error::ActivityDaysOutOfRange`] for 0 days or more than [`ACTIVITY_DAYS_MAX`];
    /// [`Error::Store`] when the store fails.
    pub async fn activity(
        &self,
        guild: GuildId,
        last: Day,
        days: u32,
    ) -> Result<Vec<Activity>, Error> {
        if !(1..=ACTIVITY_DAYS_MAX).contains(&days) {
            return Err(Error::ActivityDaysOutOfRange {
                max: ACTIVITY_DAYS_MAX,
                given: days,
            });
        }
        let first = Day(last.0.saturating_sub(i64::from(days - 1)));
        let stored = self.store.activity(guild, first, last).await?;
        let mut stored = stored.into_iter().peekable();
        let chart = (first.0..=last.0)
            .map(|day| {
                let day = Day(day);
                stored
                    .next_if(|a| a.day == day)
                    .unwrap_or(Activity::empty(day))
            })
            .collect();
        Ok(chart)
    }
}

impl<S: LevelSettingsStore> Leveling<S> {
    /// The guild's leveling settings; the defaults when it never saved any.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn settings(&self, guild: GuildId) -> Result<LevelSettings, Error> {
        Ok(self.store.level_settings(guild).await?.unwrap_or_default())
    }

    /// Writes a change to the guild's settings and returns the settings after it.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails. (Values are checked when the change is built.)
    pub async fn update_settings(
        &self,
        guild: GuildId,
        change: &SettingsChange,
    ) -> Result<LevelSettings, Error> {
        Ok(self.store.update_level_settings(guild, change).await?)
    }

    /// Gives `role` at `level` (1 to [`LEVEL_MAX`](crate::LEVEL_MAX)), replacing the role that
    /// level had, and returns the new settings. Whether the bot can manage the role is the
    /// caller's check.
    ///
    /// The limit of [`LEVEL_ROLES_MAX`] is checked against the settings as read just before
    /// the write: two admins adding the last role at once may both succeed.
    ///
    /// # Errors
    ///
    /// [`Error::LevelOutOfRange`], [`Error::TooManyLevelRoles`], [`Error::Store`].
    pub async fn set_level_role(
        &self,
        guild: GuildId,
        level: i64,
        role: RoleId,
    ) -> Result<LevelSettings, Error> {
        let level = level_in(level, 1)?;
        let current = self.settings(guild).await?;
        if current.level_roles.get(level).is_none() && current.level_roles.len() >= LEVEL_ROLES_MAX
        {
            return Err(Error::TooManyLevelRoles {
                max: LEVEL_ROLES_MAX,
            });
        }
        self.update_settings(guild, &SettingsChange::level_role(level, Some(role)))
            .await
    }

    /// Stops giving a role at `level` and returns the role it gave and the new settings.
    ///
    /// # Errors
    ///
    /// [`Error::LevelOutOfRange`]; [`Error::LevelRoleNotFound`] when no role is given at that
    /// level; [`Error::Store`].
    pub async fn remove_level_role(
        &self,
        guild: GuildId,
        level: i64,
    ) -> Result<(RoleId, LevelSettings), Error> {
        let level = level_in(level, 1)?;
        let current = self.settings(guild).await?;
        let role = current
            .level_roles
            .get(level)
            .ok_or(Error::LevelRoleNotFound { level })?;
        let change = SettingsChange::level_role(level, None);
        Ok((role, self.update_settings(guild, &change).await?))
    }
}

impl<S: BoostStore> Leveling<S> {
    /// Starts (or schedules) a boost and returns it as stored. Starting the same boost id
    /// again (a retried interaction) returns the stored one and stores nothing.
    ///
    /// The limit of [`BOOSTS_MAX`](crate::BOOSTS_MAX) is checked against the boosts read just
    /// before the write: two admins starting the last boost at once may both succeed.
    ///
    /// # Errors
    ///
    /// [`Error::BoostOutOfRange`], [`Error::BoostDurationOutOfRange`],
    /// [`Error::TooManyBoosts`], [`Error::Store`].
    pub async fn start_boost(&self, boost: NewBoost, now: Timestamp) -> Result<Boost, Error> {
        let boost = boost.check()?;
        let current = self.store.boosts(boost.guild, now).await?;
        let is_retry = current.iter().any(|b| b.id == boost.id);
        if !is_retry && current.len() >= crate::BOOSTS_MAX {
            return Err(Error::TooManyBoosts {
                max: crate::BOOSTS_MAX,
            });
        }
        Ok(self.store.add_boost(boost).await?)
    }

    /// The guild's boosts that have not ended by `now`, by start time.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn boosts(&self, guild: GuildId, now: Timestamp) -> Result<Vec<Boost>, Error> {
        Ok(self.store.boosts(guild, now).await?)
    }

    /// Stops a boost (running or planned) and returns it.
    ///
    /// # Errors
    ///
    /// [`Error::BoostNotFound`] when the guild has no such boost; [`Error::Store`].
    pub async fn stop_boost(&self, guild: GuildId, id: BoostId) -> Result<Boost, Error> {
        self.store
            .remove_boost(guild, id)
            .await?
            .ok_or(Error::BoostNotFound { id })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{
        Announce, AnnounceTo, BOOSTS_MAX, BoostScope, MemoryStore, Multiplier, RoleMode, Template,
        XpRate, total_xp_for,
    };

    const GUILD: GuildId = GuildId::new(100);
    const ALICE: UserId = UserId::new(1);
    const CHANNEL: ChannelId = ChannelId::new(7);
    /// A draw that makes the base XP exactly 20.
    const TWENTY: u64 = 5;

    fn message_at(secs: i64) -> MessageId {
        let millis =
            Timestamp::from_unix_secs(secs).unix_millis() - Timestamp::DISCORD_EPOCH.unix_millis();
        MessageId::new(u64::try_from(millis).unwrap() << 22)
    }

    /// Seconds after 2023-11-14T22:13:20Z.
    fn secs(offset: i64) -> i64 {
        1_700_000_000 + offset
    }

    fn message<'a>(
        offset: i64,
        settings: &'a LevelSettings,
        roles: &'a [RoleId],
        boosts: &'a [Boost],
    ) -> MessageRequest<'a> {
        MessageRequest {
            guild: GUILD,
            channel: CHANNEL,
            message: message_at(secs(offset)),
            author: ALICE,
            author_kind: Author::Member,
            author_roles: roles,
            draw: TWENTY,
            settings,
            boosts,
        }
    }

    #[tokio::test]
    async fn a_member_chats_and_levels_up_with_mee6_numbers() {
        let leveling = Leveling::new(MemoryStore::new());
        let settings = LevelSettings::default();
        for minute in 0..4 {
            let xp = leveling
                .on_message(message(minute * 60, &settings, &[], &[]))
                .await
                .unwrap();
            assert_eq!((xp.granted, xp.leveled_up_to), (20, None));
        }
        let fifth = leveling
            .on_message(message(240, &settings, &[], &[]))
            .await
            .unwrap();
        assert_eq!(
            fifth,
            MessageXp {
                granted: 20,
                skipped: None,
                new_total: Some(100),
                leveled_up_to: Some(1),
                roles_to_add: vec![],
                roles_to_remove: vec![],
                announcement: Some(Announcement {
                    to: AnnounceTo::Channel(CHANNEL),
                    text: "GG <@1>, you just advanced to level 1!".into(),
                }),
            }
        );
        let rank = leveling.rank(GUILD, ALICE).await.unwrap();
        assert_eq!(rank.progress.level, 1);
        assert_eq!(rank.progress.to_next_level(), 155);
        assert_eq!((rank.rank, rank.ranked), (Some(1), 1));
    }

    #[tokio::test]
    async fn a_duplicated_message_and_one_within_the_cooldown_earn_nothing() {
        let leveling = Leveling::new(MemoryStore::new());
        let settings = LevelSettings::default();
        leveling
            .on_message(message(0, &settings, &[], &[]))
            .await
            .unwrap();
        for offset in [0, 59] {
            let again = leveling
                .on_message(message(offset, &settings, &[], &[]))
                .await
                .unwrap();
            assert_eq!(again, MessageXp::skipped(Skip::Cooldown, Some(20)));
        }
    }

    #[tokio::test]
    async fn bots_webhooks_and_excluded_places_earn_nothing_without_the_store() {
        let leveling = Leveling::new(MemoryStore::new());
        let settings = SettingsChange::no_xp_channels(vec![CHANNEL])
            .unwrap()
            .apply(LevelSettings::default());
        let defaults = LevelSettings::default();
        let mut bot = message(0, &defaults, &[], &[]);
        bot.author_kind = Author::Bot;
        let cases = [
            (bot, Skip::Bot),
            (message(0, &settings, &[], &[]), Skip::NoXpChannel),
        ];
        for (request, skip) in cases {
            let xp = leveling.on_message(request).await.unwrap();
            assert_eq!(xp, MessageXp::skipped(skip, None));
        }
        let tiny = SettingsChange::rate(XpRate::new(Multiplier::from_percent(1)).unwrap())
            .apply(LevelSettings::default());
        let xp = leveling
            .on_message(message(0, &tiny, &[], &[]))
            .await
            .unwrap();
        assert_eq!(xp.skipped, Some(Skip::RateOff));
        assert_eq!(leveling.store().member(GUILD, ALICE).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_boost_doubles_xp_only_inside_its_window() {
        let leveling = Leveling::new(MemoryStore::new());
        let settings = LevelSettings::default();
        let boost = leveling
            .start_boost(
                NewBoost {
                    id: BoostId(9),
                    guild: GUILD,
                    multiplier: Multiplier::from_percent(200),
                    starts_at: Timestamp::from_unix_secs(secs(60)),
                    duration: Duration::from_secs(120),
                    scope: BoostScope::Guild,
                },
                Timestamp::from_unix_secs(secs(0)),
            )
            .await
            .unwrap();
        let boosts = [boost];
        let mut granted = Vec::new();
        for minute in 0..4 {
            let xp = leveling
                .on_message(message(minute * 60, &settings, &[], &boosts))
                .await
                .unwrap();
            granted.push(xp.granted);
        }
        assert_eq!(granted, [20, 40, 40, 20]);
    }

    #[tokio::test]
    async fn a_level_role_is_given_at_5_and_replaced_at_10_in_replace_mode() {
        let leveling = Leveling::new(MemoryStore::new());
        let (five, ten) = (RoleId::new(55), RoleId::new(1010));
        leveling.set_level_role(GUILD, 5, five).await.unwrap();
        leveling.set_level_role(GUILD, 10, ten).await.unwrap();
        let settings = leveling
            .update_settings(GUILD, &SettingsChange::role_mode(RoleMode::Replace))
            .await
            .unwrap();
        let set = |xp| XpChangeRequest {
            guild: GUILD,
            user: ALICE,
            change: XpChange::Set(xp),
            member_roles: &[],
            settings: &settings,
        };
        leveling.change_xp(set(total_xp_for(5) - 10)).await.unwrap();
        let at_five = leveling
            .on_message(message(0, &settings, &[], &[]))
            .await
            .unwrap();
        assert_eq!(at_five.leveled_up_to, Some(5));
        assert_eq!(
            (at_five.roles_to_add, at_five.roles_to_remove),
            (vec![five], vec![])
        );
        let held = [five];
        leveling
            .change_xp(set(total_xp_for(10) - 10))
            .await
            .unwrap();
        let at_ten = leveling
            .on_message(message(60, &settings, &held, &[]))
            .await
            .unwrap();
        assert_eq!(at_ten.leveled_up_to, Some(10));
        assert_eq!(
            (at_ten.roles_to_add, at_ten.roles_to_remove),
            (vec![ten], vec![five])
        );
    }

    #[tokio::test]
    async fn moving_xp_down_takes_away_roles_no_longer_earned() {
        let leveling = Leveling::new(MemoryStore::new());
        let (five, ten) = (RoleId::new(55), RoleId::new(1010));
        leveling.set_level_role(GUILD, 5, five).await.unwrap();
        let settings = leveling.set_level_role(GUILD, 10, ten).await.unwrap();
        leveling
            .change_xp(XpChangeRequest {
                guild: GUILD,
                user: ALICE,
                change: XpChange::set_level(12).unwrap(),
                member_roles: &[],
                settings: &settings,
            })
            .await
            .unwrap();
        let changed = leveling
            .change_xp(XpChangeRequest {
                guild: GUILD,
                user: ALICE,
                change: XpChange::remove(total_xp_for(12).try_into().unwrap()).unwrap(),
                member_roles: &[five, ten],
                settings: &settings,
            })
            .await
            .unwrap();
        assert_eq!(
            changed,
            XpChanged {
                before: total_xp_for(12),
                after: 0,
                level_before: 12,
                level_after: 0,
                roles_to_add: vec![],
                roles_to_remove: vec![five, ten],
            }
        );
    }

    #[tokio::test]
    async fn announcements_follow_the_template_and_target() {
        let leveling = Leveling::new(MemoryStore::new());
        let dm = SettingsChange::announce(Announce::Dm).apply(LevelSettings::default());
        let settings = SettingsChange::template(
            Template::parse("@everyone {user} is now level {level}, rank {rank}").unwrap(),
        )
        .apply(dm);
        leveling
            .store()
            .adjust(GUILD, UserId::new(2), XpChange::Set(1_000))
            .await
            .unwrap();
        leveling
            .store()
            .adjust(GUILD, ALICE, XpChange::Set(90))
            .await
            .unwrap();
        let xp = leveling
            .on_message(message(0, &settings, &[], &[]))
            .await
            .unwrap();
        assert_eq!(
            xp.announcement,
            Some(Announcement {
                to: AnnounceTo::Dm(ALICE),
                text: "@\u{200B}everyone <@1> is now level 1, rank #2".into(),
            })
        );
        let off = SettingsChange::announce(Announce::Off).apply(LevelSettings::default());
        leveling
            .store()
            .adjust(GUILD, ALICE, XpChange::Set(250))
            .await
            .unwrap();
        let quiet = leveling
            .on_message(message(60, &off, &[], &[]))
            .await
            .unwrap();
        assert_eq!((quiet.leveled_up_to, quiet.announcement), (Some(2), None));
    }

    #[tokio::test]
    async fn leaderboard_pages_and_a_page_past_the_end_is_refused() {
        let leveling = Leveling::new(MemoryStore::new());
        let empty = leveling.leaderboard(GUILD, 1).await.unwrap();
        assert_eq!((empty.pages, empty.ranked, empty.rows.len()), (1, 0, 0));
        for user in 1..=25 {
            leveling
                .store()
                .adjust(GUILD, UserId::new(user), XpChange::Set(user * 10))
                .await
                .unwrap();
        }
        let third = leveling.leaderboard(GUILD, 3).await.unwrap();
        assert_eq!((third.page, third.pages, third.ranked), (3, 3, 25));
        assert_eq!(
            third
                .rows
                .iter()
                .map(|r| (r.rank, r.user.get()))
                .collect::<Vec<_>>(),
            (21..=25).zip((1..=5).rev()).collect::<Vec<_>>()
        );
        for page in [0, -1, 4] {
            let err = leveling.leaderboard(GUILD, page).await.unwrap_err();
            assert!(
                matches!(err, Error::PageOutOfRange { pages: 3, .. }),
                "{err:?}"
            );
        }
        assert_eq!(
            leveling
                .leaderboard(GUILD, 4)
                .await
                .unwrap_err()
                .to_string(),
            "the leaderboard has pages 1 to 3, not 4"
        );
    }

    #[tokio::test]
    async fn the_global_leaderboard_merges_guilds_and_respects_opt_outs() {
        let leveling = Leveling::new(MemoryStore::new());
        let other = GuildId::new(200);
        for (guild, user, xp) in [
            (GUILD, 1, 100),
            (other, 1, 100),
            (GUILD, 2, 150),
            (other, 3, 120),
        ] {
            leveling
                .store()
                .adjust(guild, UserId::new(user), XpChange::Set(xp))
                .await
                .unwrap();
        }
        let merged = leveling.global_leaderboard(1).await.unwrap();
        assert_eq!(
            merged
                .rows
                .iter()
                .map(|r| (r.user.get(), r.xp))
                .collect::<Vec<_>>(),
            [(1, 200), (2, 150), (3, 120)]
        );
        leveling
            .set_global_opt_out(UserId::new(2), true)
            .await
            .unwrap();
        leveling
            .update_settings(other, &SettingsChange::global_leaderboard(false))
            .await
            .unwrap();
        let filtered = leveling.global_leaderboard(1).await.unwrap();
        assert_eq!(
            filtered
                .rows
                .iter()
                .map(|r| (r.rank, r.user.get(), r.xp))
                .collect::<Vec<_>>(),
            [(1, 1, 100)]
        );
        assert!(leveling.global_leaderboard(2).await.is_err());
    }

    #[tokio::test]
    async fn activity_fills_every_day_and_checks_its_range() {
        let leveling = Leveling::new(MemoryStore::new());
        let settings = LevelSettings::default();
        leveling
            .on_message(message(0, &settings, &[], &[]))
            .await
            .unwrap();
        let today = Day::of(Timestamp::from_unix_secs(secs(0)));
        let chart = leveling.activity(GUILD, Day(today.0 + 1), 3).await.unwrap();
        assert_eq!(
            chart,
            [
                Activity::empty(Day(today.0 - 1)),
                Activity {
                    day: today,
                    messages: 1,
                    active_members: 1
                },
                Activity::empty(Day(today.0 + 1)),
            ]
        );
        assert_eq!(
            leveling
                .activity(GUILD, today, ACTIVITY_DAYS_MAX)
                .await
                .unwrap()
                .len(),
            90
        );
        for days in [0, ACTIVITY_DAYS_MAX + 1] {
            assert!(matches!(
                leveling.activity(GUILD, today, days).await,
                Err(Error::ActivityDaysOutOfRange { max: 90, given }) if given == days
            ));
        }
    }

    #[tokio::test]
    async fn boosts_are_limited_idempotent_and_stoppable() {
        let leveling = Leveling::new(MemoryStore::new());
        let now = Timestamp::from_unix_secs(secs(0));
        let new = |id, percent| NewBoost {
            id: BoostId(id),
            guild: GUILD,
            multiplier: Multiplier::from_percent(percent),
            starts_at: now,
            duration: Duration::from_secs(3_600),
            scope: BoostScope::Guild,
        };
        for percent in [0, 100_000] {
            assert!(matches!(
                leveling.start_boost(new(1, percent), now).await,
                Err(Error::BoostOutOfRange { .. })
            ));
        }
        for id in 0..BOOSTS_MAX as u64 {
            leveling.start_boost(new(id, 200), now).await.unwrap();
        }
        assert!(matches!(
            leveling.start_boost(new(99, 200), now).await,
            Err(Error::TooManyBoosts { max: 25 })
        ));
        // A retry of a stored boost is not a 26th.
        let retried = leveling.start_boost(new(3, 300), now).await.unwrap();
        assert_eq!(retried.multiplier.percent(), 200);
        assert_eq!(
            leveling.stop_boost(GUILD, BoostId(3)).await.unwrap().id,
            BoostId(3)
        );
        assert!(matches!(
            leveling.stop_boost(GUILD, BoostId(3)).await,
            Err(Error::BoostNotFound { id: BoostId(3) })
        ));
        // Once every boost has ended, there is room again.
        let later = now.saturating_add(Duration::from_secs(3_600));
        assert!(leveling.boosts(GUILD, later).await.unwrap().is_empty());
        let mut fresh = new(100, 200);
        fresh.starts_at = later;
        assert!(leveling.start_boost(fresh, later).await.is_ok());
    }

    #[tokio::test]
    async fn level_roles_check_levels_and_unknown_removals() {
        let leveling = Leveling::new(MemoryStore::new());
        let role = RoleId::new(5);
        for level in [0, -1, i64::from(crate::LEVEL_MAX) + 1] {
            assert!(matches!(
                leveling.set_level_role(GUILD, level, role).await,
                Err(Error::LevelOutOfRange { min: 1, .. })
            ));
        }
        for level in 1..=i64::try_from(LEVEL_ROLES_MAX).unwrap() {
            leveling.set_level_role(GUILD, level, role).await.unwrap();
        }
        assert!(matches!(
            leveling.set_level_role(GUILD, 51, role).await,
            Err(Error::TooManyLevelRoles { max: 50 })
        ));
        // Replacing the role of a level that has one is not an addition.
        leveling
            .set_level_role(GUILD, 50, RoleId::new(6))
            .await
            .unwrap();
        let (removed, settings) = leveling.remove_level_role(GUILD, 50).await.unwrap();
        assert_eq!(removed, RoleId::new(6));
        assert_eq!(settings.level_roles.len(), 49);
        assert!(matches!(
            leveling.remove_level_role(GUILD, 50).await,
            Err(Error::LevelRoleNotFound { level: 50 })
        ));
    }
}
