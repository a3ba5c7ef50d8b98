//! The leveling stores: the seed's `user_levels` and `level_roles`, plus `xp_activity`,
//! `xp_boosts` and `xp_global_opt_outs`.
//!
//! Every filter, update, pipeline and index is a small pure function returning a `Document`
//! (in `wire`, tested there without a server); the trait methods only send them and read the
//! answers. Queries per grant: one conditional update (plus, on a member's first message, one
//! insert; on a level change or the cap, one write of `level`), then one activity upsert.

use hearth_core::{GuildId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_xp_engine::{
    Activity, Adjusted, Boost, BoostId, BoostStore, Day, GrantOutcome, GrantRequest, LevelSettings,
    LevelSettingsStore, MemberXp, Ranked, SettingsChange, XP_MAX, XpChange, XpStore, level_for,
};
use mongodb::{
    Collection, Database,
    bson::{Document, doc},
    options::{ReadPreference, ReturnDocument, SelectionCriteria},
};

use crate::store::{all, convert_numeric_ids, driver_error, is_duplicate_key};

/// The seed's collection: one record per (guild, member).
pub(crate) const USER_LEVELS: &str = "user_levels";
/// The seed's collection: one document per guild, its level roles and (Hearth's) settings.
pub(crate) const LEVEL_ROLES: &str = "level_roles";
/// Per guild and UTC day: granted messages and active members.
pub(crate) const ACTIVITY: &str = "xp_activity";
/// Timed XP boosts.
pub(crate) const BOOSTS: &str = "xp_boosts";
/// Users hidden from the global leaderboard: `{_id: "<user>"}`.
pub(crate) const OPT_OUTS: &str = "xp_global_opt_outs";

/// How often an upsert or insert that lost a race to a concurrent insert of the same key is
/// tried again.
const UPSERT_RETRIES: u32 = 3;

/// How often an admin change's compare-and-set is tried again when another write changed the
/// member in between (each retry means another write succeeded: the system makes progress).
const ADJUST_RETRIES: u32 = 200;

mod wire;

use self::wire::{
    RawMember, above_filter, activity_filter, activity_indexes, activity_range_filter,
    activity_update, boost_document, boost_filter, boosts_indexes, boosts_sort, corrupt,
    counted_filter, due_member_filter, global_pipeline, grant_update, guild_filter,
    leaderboard_sort, level_fix_update, member_document, member_filter, member_ids, numeric_ids,
    opt_out_filter, opted_out_guilds_filter, ranked_filter, read_activity, read_boost, read_member,
    read_row, read_settings, reset_update, running_boosts_filter, set_member_update,
    settings_indexes, settings_update, string_guild_filter, unchanged_member_filter,
    unchanged_xp_filter, user_filter, user_levels_indexes,
};
use crate::MongoStore;

/// Creates the leveling indexes. Idempotent.
pub(crate) async fn prepare(db: &Database) -> Result<(), StoreError> {
    let context = "creating the leveling indexes";
    for (name, indexes) in [
        (USER_LEVELS, user_levels_indexes()),
        (LEVEL_ROLES, settings_indexes()),
        (ACTIVITY, activity_indexes()),
        (BOOSTS, boosts_indexes()),
    ] {
        db.collection::<Document>(name)
            .create_indexes(indexes)
            .await
            .map_err(driver_error(context))?;
    }
    Ok(())
}

fn primary() -> SelectionCriteria {
    SelectionCriteria::ReadPreference(ReadPreference::Primary)
}

fn other(context: &'static str, message: &'static str) -> StoreError {
    StoreError::new(StoreErrorKind::Other, context, message)
}

impl MongoStore {
    fn levels(&self) -> Collection<Document> {
        self.database().collection(USER_LEVELS)
    }

    fn level_roles(&self) -> Collection<Document> {
        self.database().collection(LEVEL_ROLES)
    }

    fn raw_member(
        &self,
        guild: GuildId,
        user: UserId,
        context: &'static str,
    ) -> impl Future<Output = Result<Option<RawMember>, StoreError>> + Send {
        let levels = self.levels();
        async move {
            Ok(levels
                .find_one(member_filter(guild, user))
                .selection_criteria(primary())
                .await
                .map_err(driver_error(context))?
                .map(|doc| read_member(guild, user, &doc)))
        }
    }

    /// Writes `level` from XP (and caps XP) after a relative write left the raw XP `raw_xp`,
    /// unless another write changed XP since (that writer writes the level for its own).
    async fn fix_level(&self, after: &RawMember, raw_xp: i64) -> Result<(), StoreError> {
        let xp = after.member.xp;
        let capped = u64::try_from(raw_xp).is_ok_and(|raw| raw <= XP_MAX);
        if capped && after.raw_level == Some(i64::from(level_for(xp))) {
            return Ok(());
        }
        self.levels()
            .update_one(
                unchanged_xp_filter(after.member.guild, after.member.user, raw_xp),
                level_fix_update(xp),
            )
            .await
            .map_err(driver_error("writing a member's level"))?;
        Ok(())
    }

    /// Counts a grant in the guild's day. A separate write after the grant: a crash between
    /// the two loses that message's count (never XP), and nothing counts a message twice.
    async fn count_activity(
        &self,
        request: &GrantRequest,
        before: &MemberXp,
    ) -> Result<(), StoreError> {
        let day = Day::of(request.at);
        let first_today = before.last_grant_at.is_none_or(|last| Day::of(last) < day);
        let activity = self.database().collection::<Document>(ACTIVITY);
        let mut retries = 0;
        loop {
            match activity
                .update_one(
                    activity_filter(request.guild, day),
                    activity_update(request.guild, day, first_today),
                )
                .upsert(true)
                .await
            {
                Err(err) if is_duplicate_key(&err) && retries < UPSERT_RETRIES => retries += 1,
                outcome => return outcome.map(drop).map_err(driver_error("counting activity")),
            }
        }
    }

    /// The guilds that keep out of the global leaderboard.
    async fn opted_out_guilds(&self) -> Result<Vec<GuildId>, StoreError> {
        let context = "reading the guilds out of the global leaderboard";
        let cursor = self
            .level_roles()
            .find(opted_out_guilds_filter())
            .projection(doc! { "guild_id": 1 })
            .await
            .map_err(driver_error(context))?;
        let docs = all(cursor, context).await?;
        Ok(docs
            .iter()
            .filter_map(|d| crate::read::required_id(d, "guild_id").ok())
            .collect())
    }
}

impl XpStore for MongoStore {
    /// 1. `find_one_and_update` of the member's record **only if the grant is due** (the
    ///    filter on `last_xp_time`), `$inc` of XP and messages, returning the record before:
    ///    the check and the write are one atomic step on one document.
    /// 2. No match: either the grant is not due or the member has no record. A read of the
    ///    record (in any id form) decides: there is one, so not due (unless it shows due: it
    ///    was created in between, and step 1 runs again, once); or there is none, and an
    ///    `insert_one` of the member's first record succeeds (granted) or fails on the unique
    ///    `{guild_id, user_id}` index (another delivery inserted it first) and step 1 runs
    ///    again.
    ///
    /// No upsert is involved, so `SecantusDB`'s null replies to concurrent upserts (crate
    /// README) cannot hide whether this call granted.
    ///
    /// A record the earlier bot wrote with numeric ids is found in both steps, and step 1's
    /// update gives it string ids in the same write; so no second record is inserted beside
    /// it.
    async fn grant(&self, request: GrantRequest) -> Result<GrantOutcome, StoreError> {
        let context = "granting XP";
        let (guild, user) = (request.guild, request.user);
        let mut retried = false;
        let mut strings_only = false;
        for _ in 0..=UPSERT_RETRIES {
            let found = match self
                .levels()
                .find_one_and_update(
                    due_member_filter(&request, strings_only),
                    grant_update(&request),
                )
                .return_document(ReturnDocument::Before)
                .await
            {
                // A numeric-id record with a string-id twin: grant to the twin.
                Err(err) if is_duplicate_key(&err) && !strings_only => {
                    strings_only = true;
                    continue;
                }
                found => found.map_err(driver_error(context))?,
            };
            if let Some(doc) = found {
                let before = read_member(guild, user, &doc);
                let after_member = request.apply(before.member).unwrap_or(before.member);
                let raw_xp = before
                    .raw_xp
                    .unwrap_or(0)
                    .saturating_add(i64::try_from(request.amount.min(XP_MAX)).unwrap_or(0));
                let after = RawMember {
                    member: after_member,
                    ..before
                };
                self.fix_level(&after, raw_xp).await?;
                self.count_activity(&request, &before.member).await?;
                return Ok(GrantOutcome {
                    granted: true,
                    before: before.member,
                    after: after_member,
                });
            }
            // No match: the record is not due, or there is none (in any id form) yet.
            if let Some(now) = self.raw_member(guild, user, context).await? {
                // Due after all: it was created (or changed) between the update and this
                // read. The update is tried again, once; a record no filter can see as due
                // (a stored time of an unknown type) is not due.
                if request.is_due(now.member.last_grant_at) && !retried {
                    retried = true;
                    continue;
                }
                return Ok(GrantOutcome {
                    granted: false,
                    before: now.member,
                    after: now.member,
                });
            }
            let before = MemberXp::new(guild, user);
            let after = request.apply(before).unwrap_or(before);
            match self.levels().insert_one(member_document(&after)).await {
                Ok(_) => {
                    self.count_activity(&request, &before).await?;
                    return Ok(GrantOutcome {
                        granted: true,
                        before,
                        after,
                    });
                }
                // Another delivery inserted it first: the update decides again.
                Err(err) if is_duplicate_key(&err) => {}
                Err(err) => return Err(driver_error(context)(err)),
            }
        }
        Err(other(context, "the member's record kept changing"))
    }

    /// A compare-and-set: read the record, write the change only while XP and message count
    /// are as read, else read again. An admin change is rare; grants keep using their own
    /// conditional update and never wait for it.
    async fn adjust(
        &self,
        guild: GuildId,
        user: UserId,
        change: XpChange,
    ) -> Result<Adjusted, StoreError> {
        let context = "changing a member's XP";
        convert_numeric_ids(&self.levels(), &member_ids(guild, user), context).await?;
        for _ in 0..ADJUST_RETRIES {
            let Some(before) = self.raw_member(guild, user, context).await? else {
                let before = MemberXp::new(guild, user);
                let after = change.apply(before);
                match self.levels().insert_one(member_document(&after)).await {
                    Ok(_) => return Ok(Adjusted { before, after }),
                    Err(err) if is_duplicate_key(&err) => continue,
                    Err(err) => return Err(driver_error(context)(err)),
                }
            };
            let after = change.apply(before.member);
            let written = self
                .levels()
                .update_one(unchanged_member_filter(&before), set_member_update(&after))
                .await
                .map_err(driver_error(context))?;
            if written.matched_count == 1 {
                return Ok(Adjusted {
                    before: before.member,
                    after,
                });
            }
        }
        Err(other(context, "the member's record kept changing"))
    }

    async fn member(&self, guild: GuildId, user: UserId) -> Result<Option<MemberXp>, StoreError> {
        Ok(self
            .raw_member(guild, user, "reading a member's XP")
            .await?
            .map(|r| r.member))
    }

    async fn reset_guild(&self, guild: GuildId) -> Result<u64, StoreError> {
        let context = "resetting a guild's XP";
        let reset = self
            .levels()
            .update_many(ranked_filter(guild), reset_update())
            .collation(numeric_ids())
            .await
            .map_err(driver_error(context))?;
        self.levels()
            .update_many(counted_filter(guild), reset_update())
            .await
            .map_err(driver_error(context))?;
        Ok(reset.modified_count)
    }

    async fn leaderboard(
        &self,
        guild: GuildId,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<Ranked>, StoreError> {
        let context = "reading the leaderboard";
        if limit == 0 {
            return Ok(Vec::new());
        }
        let cursor = self
            .levels()
            .find(ranked_filter(guild))
            .sort(leaderboard_sort())
            .collation(numeric_ids())
            .skip(offset)
            .limit(i64::from(limit))
            .projection(doc! { "user_id": 1, "xp": 1 })
            .await
            .map_err(driver_error(context))?;
        let docs = all(cursor, context).await?;
        Ok(ranked_rows(&docs, "user_id", offset))
    }

    async fn ranked_members(&self, guild: GuildId) -> Result<u64, StoreError> {
        self.levels()
            .count_documents(ranked_filter(guild))
            .collation(numeric_ids())
            .await
            .map_err(driver_error("counting the leaderboard"))
    }

    /// Two queries: the member's record, then a count of the members above it — both ranges
    /// of the `{guild_id, xp: -1, user_id}` index.
    async fn rank(&self, guild: GuildId, user: UserId) -> Result<Option<Ranked>, StoreError> {
        let context = "reading a member's rank";
        let Some(member) = self.raw_member(guild, user, context).await? else {
            return Ok(None);
        };
        let xp = member.member.xp;
        if xp == 0 {
            return Ok(None);
        }
        let above = self
            .levels()
            .count_documents(above_filter(guild, user, xp, member.numeric_id))
            .collation(numeric_ids())
            .await
            .map_err(driver_error(context))?;
        Ok(Some(Ranked {
            rank: above + 1,
            user,
            xp,
        }))
    }

    /// One aggregation over every record with XP: it groups per user, so its cost grows with
    /// the whole collection (not the page); fine for an occasional command, and the bot
    /// caches pages.
    async fn global_leaderboard(&self, offset: u64, limit: u32) -> Result<Vec<Ranked>, StoreError> {
        let context = "reading the global leaderboard";
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut pipeline = global_pipeline(&self.opted_out_guilds().await?);
        pipeline.push(doc! { "$skip": i64::try_from(offset).unwrap_or(i64::MAX) });
        pipeline.push(doc! { "$limit": i64::from(limit) });
        let cursor = self
            .levels()
            .aggregate(pipeline)
            .collation(numeric_ids())
            .await
            .map_err(driver_error(context))?;
        let docs = all(cursor, context).await?;
        Ok(ranked_rows(&docs, "_id", offset))
    }

    async fn global_ranked_users(&self) -> Result<u64, StoreError> {
        let context = "counting the global leaderboard";
        let mut pipeline = global_pipeline(&self.opted_out_guilds().await?);
        pipeline.push(doc! { "$count": "n" });
        let cursor = self
            .levels()
            .aggregate(pipeline)
            .collation(numeric_ids())
            .await
            .map_err(driver_error(context))?;
        let docs = all(cursor, context).await?;
        Ok(docs
            .first()
            .and_then(|d| crate::read::required_u64(d, "n").ok())
            .unwrap_or(0))
    }

    async fn set_global_opt_out(&self, user: UserId, opt_out: bool) -> Result<(), StoreError> {
        let context = "saving a global leaderboard opt-out";
        let opt_outs = self.database().collection::<Document>(OPT_OUTS);
        if opt_out {
            let result = opt_outs
                .update_one(opt_out_filter(user), doc! { "$set": { "opted_out": true } })
                .upsert(true)
                .await;
            match result {
                Ok(_) => Ok(()),
                // A concurrent opt-out inserted it first: the user is opted out either way.
                Err(err) if is_duplicate_key(&err) => Ok(()),
                Err(err) => Err(driver_error(context)(err)),
            }
        } else {
            opt_outs
                .delete_one(opt_out_filter(user))
                .await
                .map(drop)
                .map_err(driver_error(context))
        }
    }

    async fn global_opt_out(&self, user: UserId) -> Result<bool, StoreError> {
        self.database()
            .collection::<Document>(OPT_OUTS)
            .find_one(opt_out_filter(user))
            .await
            .map(|d| d.is_some())
            .map_err(driver_error("reading a global leaderboard opt-out"))
    }

    async fn activity(
        &self,
        guild: GuildId,
        from: Day,
        to: Day,
    ) -> Result<Vec<Activity>, StoreError> {
        let context = "reading activity";
        if from > to {
            return Ok(Vec::new());
        }
        let cursor = self
            .database()
            .collection::<Document>(ACTIVITY)
            .find(activity_range_filter(guild, from, to))
            .sort(doc! { "day": 1 })
            .await
            .map_err(driver_error(context))?;
        let docs = all(cursor, context).await?;
        docs.iter()
            .map(|d| read_activity(d).map_err(corrupt(context)))
            .collect()
    }

    async fn delete_user_data(&self, user: UserId) -> Result<u64, StoreError> {
        let context = "deleting a user's XP";
        let deleted = self
            .levels()
            .delete_many(user_filter(user))
            .await
            .map_err(driver_error(context))?;
        self.database()
            .collection::<Document>(OPT_OUTS)
            .delete_one(opt_out_filter(user))
            .await
            .map_err(driver_error(context))?;
        Ok(deleted.deleted_count)
    }
}

/// Leaderboard rows from documents in leaderboard order, ranked from `offset + 1`.
fn ranked_rows(docs: &[Document], id_key: &str, offset: u64) -> Vec<Ranked> {
    docs.iter()
        .filter_map(|d| read_row(d, id_key))
        .zip(offset + 1..)
        .map(|((user, xp), rank)| Ranked {
            rank,
            user,
            xp: xp.min(XP_MAX),
        })
        .collect()
}

impl LevelSettingsStore for MongoStore {
    async fn level_settings(&self, guild: GuildId) -> Result<Option<LevelSettings>, StoreError> {
        let context = "reading leveling settings";
        self.level_roles()
            .find_one(guild_filter(guild))
            .await
            .map_err(driver_error(context))?
            .map(|doc| read_settings(&doc).map_err(corrupt(context)))
            .transpose()
    }

    /// One `find_one_and_update` (upsert) of the fields the change names, by the string id
    /// (after giving a document the earlier bot wrote with a numeric `guild_id` that form, so
    /// the upsert finds it instead of creating a second one). A null reply
    /// (`SecantusDB` under concurrent upserts, crate README) is answered by reading the
    /// document back on the primary.
    async fn update_level_settings(
        &self,
        guild: GuildId,
        change: &SettingsChange,
    ) -> Result<LevelSettings, StoreError> {
        let context = "saving leveling settings";
        let update = settings_update(change);
        convert_numeric_ids(&self.level_roles(), &[("guild_id", guild.get())], context).await?;
        let mut retries = 0;
        let after = loop {
            match self
                .level_roles()
                .find_one_and_update(string_guild_filter(guild), update.clone())
                .upsert(true)
                .return_document(ReturnDocument::After)
                .await
            {
                Err(err) if is_duplicate_key(&err) && retries < UPSERT_RETRIES => retries += 1,
                outcome => break outcome.map_err(driver_error(context))?,
            }
        };
        let after = match after {
            Some(doc) => doc,
            None => self
                .level_roles()
                .find_one(guild_filter(guild))
                .selection_criteria(primary())
                .await
                .map_err(driver_error(context))?
                .ok_or_else(|| StoreError::bare(StoreErrorKind::Unavailable, context))?,
        };
        read_settings(&after).map_err(corrupt(context))
    }
}

impl BoostStore for MongoStore {
    async fn add_boost(&self, boost: Boost) -> Result<Boost, StoreError> {
        let context = "adding a boost";
        let boosts = self.database().collection::<Document>(BOOSTS);
        match boosts.insert_one(boost_document(&boost)?).await {
            Ok(_) => Ok(boost),
            Err(err) if is_duplicate_key(&err) => boosts
                .find_one(boost_filter(boost.guild, boost.id))
                .selection_criteria(primary())
                .await
                .map_err(driver_error(context))?
                .ok_or_else(|| other(context, "the boost's id is taken but it is not stored"))
                .and_then(|d| read_boost(&d).map_err(corrupt(context))),
            Err(err) => Err(driver_error(context)(err)),
        }
    }

    async fn boosts(&self, guild: GuildId, now: Timestamp) -> Result<Vec<Boost>, StoreError> {
        let context = "listing boosts";
        let cursor = self
            .database()
            .collection::<Document>(BOOSTS)
            .find(running_boosts_filter(guild, now))
            .sort(boosts_sort())
            .await
            .map_err(driver_error(context))?;
        let docs = all(cursor, context).await?;
        docs.iter()
            .map(|d| read_boost(d).map_err(corrupt(context)))
            .collect()
    }

    async fn remove_boost(&self, guild: GuildId, id: BoostId) -> Result<Option<Boost>, StoreError> {
        let context = "removing a boost";
        self.database()
            .collection::<Document>(BOOSTS)
            .find_one_and_delete(boost_filter(guild, id))
            .await
            .map_err(driver_error(context))?
            .map(|d| read_boost(&d).map_err(corrupt(context)))
            .transpose()
    }
}

#[cfg(all(test, feature = "moderation"))]
mod server;
