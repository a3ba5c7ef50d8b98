//! The wire format of the leveling collections: every filter, update, pipeline, index and
//! document is a small pure function returning BSON, tested without a server (in
//! `wire/tests.rs`); the readers turn stored documents (the seed's included) into domain values.

use std::time::Duration;

use hearth_core::{ChannelId, GuildId, RoleId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_xp_engine::{
    Activity, Announce, Boost, BoostId, BoostScope, Day, GrantRequest, LevelRoles, LevelSettings,
    MemberXp, Multiplier, RoleMode, SettingsChange, Template, XP_MAX, XpRate, level_for,
    total_xp_for,
};
use mongodb::{
    IndexModel,
    bson::{Bson, DateTime, Document, doc},
    options::{Collation, IndexOptions},
};

use super::OPT_OUTS;
use crate::{
    read::{self, ReadError},
    store::{id_form_list, id_forms},
};

/// Stored times above this many (as a plain number) are milliseconds, not seconds (as
/// [`read::timestamp`] reads them).
const MILLIS_THRESHOLD: f64 = 1e11;

/// `XP_MAX` as the Int64 stored (it fits: about 1.7·10¹²).
#[allow(clippy::cast_possible_wrap)]
const XP_MAX_I64: i64 = XP_MAX as i64;

/// A count as stored: Int64, saturating (counts never come near 2⁶³).
fn int64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn date(at: Timestamp) -> DateTime {
    DateTime::from_millis(at.unix_millis())
}

// ---------------------------------------------------------------------------------------------
// `user_levels`: filters, updates and indexes.

/// Selects one member's record in one guild, whether the earlier bot stored its ids as
/// strings or numbers ([`id_forms`]).
pub(super) fn member_filter(guild: GuildId, user: UserId) -> Document {
    doc! { "guild_id": id_forms(guild.get()), "user_id": id_forms(user.get()) }
}

/// Selects one member's record by the string ids Hearth writes only: when the earlier bot left
/// a numeric-id record beside it, the grant goes here ([`due_member_filter`]).
pub(super) fn string_member_filter(guild: GuildId, user: UserId) -> Document {
    doc! { "guild_id": guild.to_string(), "user_id": user.to_string() }
}

/// The id fields of a member's record, for [`crate::store::convert_numeric_ids`].
pub(super) fn member_ids(guild: GuildId, user: UserId) -> [(&'static str, u64); 2] {
    [("guild_id", guild.get()), ("user_id", user.get())]
}

/// Selects a member's record only while a grant at `request.at` is due
/// ([`GrantRequest::is_due`]): `last_xp_time` missing or `null`, or at most `at − cooldown`
/// and strictly before `at`. Times the earlier bot stored as Unix seconds or milliseconds are
/// compared as numbers, and one stored as an ISO string (which no comparison can order) counts
/// as due, once: the grant rewrites it as a date. The ids match in every stored form
/// ([`member_filter`]), or as strings only when `strings_only` (see [`grant_update`]).
pub(super) fn due_member_filter(request: &GrantRequest, strings_only: bool) -> Document {
    let gap = request.cooldown.max(Duration::from_millis(1));
    let cutoff = request.at.saturating_sub(gap);
    let millis = cutoff.unix_millis();
    #[allow(clippy::cast_precision_loss)]
    let (secs, millis_f) = (millis as f64 / 1000.0, millis as f64);
    let mut filter = if strings_only {
        string_member_filter(request.guild, request.user)
    } else {
        member_filter(request.guild, request.user)
    };
    filter.insert(
        "$or",
        vec![
            doc! { "last_xp_time": null },
            doc! { "last_xp_time": { "$lte": date(cutoff) } },
            doc! { "last_xp_time": { "$lte": secs } },
            doc! { "last_xp_time": { "$gt": MILLIS_THRESHOLD, "$lte": millis_f } },
            doc! { "last_xp_time": { "$type": "string" } },
        ],
    );
    filter
}
/// The grant itself, sent with [`due_member_filter`] and no upsert: XP up by the amount (cut
/// to [`XP_MAX`] so the sum fits; [`level_fix_update`] caps the total), one more message, the
/// cooldown restarted at the message's time, and the ids stored as strings: a record the
/// earlier bot wrote with numeric ids takes Hearth's form in the same atomic write. (When it
/// has a string-id twin, the unique index refuses that, and the grant is sent again with
/// `strings_only`.)
pub(super) fn grant_update(request: &GrantRequest) -> Document {
    doc! {
        "$inc": { "xp": int64(request.amount.min(XP_MAX)), "total_messages": 1_i64 },
        "$set": {
            "last_xp_time": date(request.at),
            "guild_id": request.guild.to_string(),
            "user_id": request.user.to_string(),
        },
    }
}

/// A member's whole record, for the insert that gives a member their first record.
pub(super) fn member_document(member: &MemberXp) -> Document {
    let mut doc = doc! {
        "user_id": member.user.to_string(),
        "guild_id": member.guild.to_string(),
        "xp": int64(member.xp),
        "level": i64::from(member.level()),
        "total_messages": int64(member.messages),
    };
    if let Some(at) = member.last_grant_at {
        doc.insert("last_xp_time", date(at));
    }
    doc
}

/// Selects a member's record only while its XP is still `raw_xp` (as this call's own write
/// left it), for [`level_fix_update`].
pub(super) fn unchanged_xp_filter(guild: GuildId, user: UserId, raw_xp: i64) -> Document {
    let mut filter = member_filter(guild, user);
    filter.insert("xp", raw_xp);
    filter
}

/// Caps XP at [`XP_MAX`] and writes `level` from it (the earlier bot reads `level`).
pub(super) fn level_fix_update(xp: u64) -> Document {
    let xp = xp.min(XP_MAX);
    doc! { "$set": { "xp": int64(xp), "level": i64::from(level_for(xp)) } }
}

/// Selects a member's record only while XP and message count are as read: the
/// compare-and-set guard of an admin change.
pub(super) fn unchanged_member_filter(before: &RawMember) -> Document {
    let mut filter = member_filter(before.member.guild, before.member.user);
    filter.insert("xp", before.raw_xp.map_or(Bson::Null, Bson::Int64));
    filter.insert(
        "total_messages",
        before.raw_messages.map_or(Bson::Null, Bson::Int64),
    );
    filter
}

/// Writes an admin change's result: XP, level and message count (never the cooldown).
pub(super) fn set_member_update(after: &MemberXp) -> Document {
    doc! { "$set": {
        "xp": int64(after.xp),
        "level": i64::from(after.level()),
        "total_messages": int64(after.messages),
    } }
}

/// Selects a guild's members with XP (those a reset counts).
pub(super) fn ranked_filter(guild: GuildId) -> Document {
    doc! { "guild_id": id_forms(guild.get()), "xp": { "$gt": 0_i64 } }
}

/// Selects a guild's members with messages counted but no XP (a reset zeroes them too).
pub(super) fn counted_filter(guild: GuildId) -> Document {
    doc! { "guild_id": id_forms(guild.get()), "total_messages": { "$gt": 0_i64 } }
}

/// A reset: XP, level and message count to 0, the cooldown kept.
pub(super) fn reset_update() -> Document {
    doc! { "$set": { "xp": 0_i64, "level": 0_i64, "total_messages": 0_i64 } }
}

/// Ids are decimal strings, so ties of equal XP are ordered with numeric ordering (`"9"`
/// before `"10"`): the leaderboard index, its queries and the global leaderboard's sort all
/// use this collation (a query uses an index only when their collations agree).
pub(super) fn numeric_ids() -> Collation {
    Collation::builder()
        .locale("en")
        .numeric_ordering(true)
        .build()
}

/// The leaderboard order, served by the `{guild_id: 1, xp: -1, user_id: 1}` index.
pub(super) fn leaderboard_sort() -> Document {
    doc! { "xp": -1, "user_id": 1 }
}

/// The members ranking above one with `xp` and id `user`: more XP, or as much and an id
/// sorting before theirs in [`leaderboard_sort`]. Counting them is one index range scan; the
/// rank is that count + 1. The sort puts ids the earlier bot stored as numbers before string
/// ids (BSON orders numbers before strings), so `numeric_id` says how this member's record
/// stores theirs.
pub(super) fn above_filter(guild: GuildId, user: UserId, xp: u64, numeric_id: bool) -> Document {
    let xp = int64(xp);
    let mut above = vec![doc! { "xp": { "$gt": xp } }];
    if numeric_id {
        let user = i64::try_from(user.get()).unwrap_or(i64::MAX);
        above.push(doc! { "xp": xp, "user_id": { "$lt": user } });
    } else {
        above.push(doc! { "xp": xp, "user_id": { "$lt": user.to_string() } });
        above.push(doc! { "xp": xp, "user_id": { "$type": "number" } });
    }
    doc! { "guild_id": id_forms(guild.get()), "$or": above }
}

/// Selects every record of a user, in every guild.
pub(super) fn user_filter(user: UserId) -> Document {
    doc! { "user_id": id_forms(user.get()) }
}

/// The indexes of `user_levels`: one record per (guild, member); the leaderboard order (every
/// page, rank and count reads a range of it); every record of a user (data deletion).
pub(super) fn user_levels_indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "user_id": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build(),
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "xp": -1, "user_id": 1 })
            .options(IndexOptions::builder().collation(numeric_ids()).build())
            .build(),
        IndexModel::builder().keys(doc! { "user_id": 1 }).build(),
    ]
}

/// The global leaderboard up to the users' sums: records with XP in guilds that contribute
/// (all but `opted_out_guilds`), summed per user, without users who opted out, in leaderboard
/// order. The caller appends `$skip`/`$limit` or `$count`. A user's records group under their
/// id as a decimal string, whether the earlier bot stored it as a string or a number.
pub(super) fn global_pipeline(opted_out_guilds: &[GuildId]) -> Vec<Document> {
    let opted_out: Vec<Bson> = opted_out_guilds
        .iter()
        .flat_map(|g| id_form_list(g.get()))
        .collect();
    let user = doc! { "$convert": {
        "input": "$user_id", "to": "long", "onError": null, "onNull": null,
    } };
    vec![
        doc! { "$match": { "xp": { "$gt": 0_i64 }, "guild_id": { "$nin": opted_out } } },
        doc! { "$group": { "_id": { "$toString": user }, "xp": { "$sum": "$xp" } } },
        doc! { "$lookup": {
            "from": OPT_OUTS, "localField": "_id", "foreignField": "_id", "as": "opt_out",
        } },
        doc! { "$match": { "opt_out": { "$size": 0 } } },
        doc! { "$sort": { "xp": -1, "_id": 1 } },
    ]
}

/// An opt-out of the global leaderboard: `{_id: "<user>"}`.
pub(super) fn opt_out_filter(user: UserId) -> Document {
    doc! { "_id": user.to_string() }
}

// ---------------------------------------------------------------------------------------------
// `xp_activity`.

/// A guild's day: `{_id: "<guild>:<day>", guild_id, day, messages, active_members}`.
pub(super) fn activity_filter(guild: GuildId, day: Day) -> Document {
    doc! { "_id": format!("{guild}:{}", day.0) }
}

/// Counts one granted message (and one member, on their first grant of the day); sent with
/// upsert.
pub(super) fn activity_update(guild: GuildId, day: Day, first_today: bool) -> Document {
    doc! {
        "$inc": { "messages": 1_i64, "active_members": i64::from(first_today) },
        "$setOnInsert": { "guild_id": guild.to_string(), "day": day.0 },
    }
}

/// A guild's days `from` to `to`.
pub(super) fn activity_range_filter(guild: GuildId, from: Day, to: Day) -> Document {
    doc! { "guild_id": guild.to_string(), "day": { "$gte": from.0, "$lte": to.0 } }
}

/// Serves [`activity_range_filter`] in day order.
pub(super) fn activity_indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "day": 1 })
            .build(),
    ]
}

// ---------------------------------------------------------------------------------------------
// `level_roles`: the seed's level → role map, and the guild's other settings beside it.

/// Selects a guild's settings document, its id stored as a string or (by the earlier bot) a
/// number.
pub(super) fn guild_filter(guild: GuildId) -> Document {
    doc! { "guild_id": id_forms(guild.get()) }
}

/// Selects a guild's settings document by the string id Hearth writes: the filter of the
/// settings upsert (an upsert copies only equalities into the document it creates), sent after
/// [`crate::store::convert_numeric_ids`] gave a numeric-id document that form.
pub(super) fn string_guild_filter(guild: GuildId) -> Document {
    doc! { "guild_id": guild.to_string() }
}

/// One document per guild.
pub(super) fn settings_indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "guild_id": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build(),
    ]
}

/// Guilds that keep out of the global leaderboard.
pub(super) fn opted_out_guilds_filter() -> Document {
    doc! { "global_leaderboard": false }
}

fn announce_bson(announce: Announce) -> Document {
    match announce {
        Announce::Off => doc! { "kind": "off" },
        Announce::SameChannel => doc! { "kind": "same_channel" },
        Announce::Dm => doc! { "kind": "dm" },
        Announce::Channel(c) => doc! { "kind": "channel", "channel_id": c.to_string() },
    }
}

fn role_mode_str(mode: RoleMode) -> &'static str {
    match mode {
        RoleMode::Stack => "stack",
        RoleMode::Replace => "replace",
    }
}

fn ids<T: ToString>(list: &[T]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

/// The update for a settings change: `$set` of the fields it names (a level role as
/// `level_roles.<level>`, `$unset` to clear it) and `$setOnInsert` of the defaults of the other
/// fields but `level_roles`. Never a replacement: fields this release doesn't know survive.
pub(super) fn settings_update(change: &SettingsChange) -> Document {
    let d = LevelSettings::default();
    let mut set = Document::new();
    let mut on_insert = Document::new();
    let mut put = |key: &str, changed: Option<Bson>, default: Bson| match changed {
        Some(value) => set.insert(key, value),
        None => on_insert.insert(key, default),
    };
    let rate = |r: XpRate| Bson::Int64(i64::from(r.multiplier().percent()));
    put("xp_rate", change.rate.map(rate), rate(d.rate));
    let announce = |a| Bson::Document(announce_bson(a));
    put(
        "announce",
        change.announce.map(announce),
        announce(d.announce),
    );
    let template = |t: &Template| Bson::String(t.as_str().to_owned());
    put(
        "template",
        change.template.as_ref().map(template),
        template(&d.template),
    );
    put(
        "no_xp_channels",
        change.no_xp_channels.as_deref().map(|c| ids(c).into()),
        Bson::Array(Vec::new()),
    );
    put(
        "no_xp_roles",
        change.no_xp_roles.as_deref().map(|r| ids(r).into()),
        Bson::Array(Vec::new()),
    );
    let mode = |m| Bson::String(role_mode_str(m).to_owned());
    put("role_mode", change.role_mode.map(mode), mode(d.role_mode));
    put(
        "global_leaderboard",
        change.global_leaderboard.map(Bson::Boolean),
        Bson::Boolean(d.global_leaderboard),
    );
    let mut update = Document::new();
    let mut unset = Document::new();
    if let Some((level, role)) = change.level_role {
        let key = format!("level_roles.{level}");
        match role {
            Some(role) => set.insert(key, role.to_string()),
            None => unset.insert(key, ""),
        };
    }
    for (op, fields) in [
        ("$set", set),
        ("$unset", unset),
        ("$setOnInsert", on_insert),
    ] {
        if !fields.is_empty() {
            update.insert(op, fields);
        }
    }
    update
}

/// Reads a guild's settings document; each missing field reads as its default (the seed's
/// documents hold `level_roles` only).
pub(super) fn read_settings(doc: &Document) -> Result<LevelSettings, ReadError> {
    let mut settings = LevelSettings::default();
    if let Some(value) = read::field(doc, "xp_rate") {
        let percent = u32::try_from(read::integer("xp_rate", value)?)
            .map_err(|_| ReadError::new("xp_rate", "out of range"))?;
        settings.rate = XpRate::new(Multiplier::from_percent(percent))
            .map_err(|e| ReadError::new("xp_rate", e.to_string()))?;
    }
    if let Some(value) = read::field(doc, "announce") {
        settings.announce = read_announce(value).map_err(|e| e.within("announce"))?;
    }
    if let Some(text) = read::optional_string(doc, "template")? {
        settings.template =
            Template::parse(&text).map_err(|e| ReadError::new("template", e.to_string()))?;
    }
    settings.no_xp_channels = read_ids::<ChannelId>(doc, "no_xp_channels")?;
    settings.no_xp_roles = read_ids::<RoleId>(doc, "no_xp_roles")?;
    settings.level_roles = read_level_roles(doc)?;
    if let Some(mode) = read::optional_string(doc, "role_mode")? {
        settings.role_mode = match mode.as_str() {
            "stack" => RoleMode::Stack,
            "replace" => RoleMode::Replace,
            other => {
                return Err(ReadError::new(
                    "role_mode",
                    format!("unknown mode `{other}`"),
                ));
            }
        };
    }
    match read::field(doc, "global_leaderboard") {
        None => {}
        Some(Bson::Boolean(b)) => settings.global_leaderboard = *b,
        Some(_) => return Err(ReadError::new("global_leaderboard", "expected a boolean")),
    }
    Ok(settings)
}

fn read_announce(value: &Bson) -> Result<Announce, ReadError> {
    let Bson::Document(doc) = value else {
        return Err(ReadError::new("", "expected a document"));
    };
    match read::optional_string(doc, "kind")?.as_deref() {
        Some("off") => Ok(Announce::Off),
        Some("same_channel") => Ok(Announce::SameChannel),
        Some("dm") => Ok(Announce::Dm),
        Some("channel") => Ok(Announce::Channel(read::required_id(doc, "channel_id")?)),
        other => Err(ReadError::new("kind", format!("unknown kind {other:?}"))),
    }
}

fn read_ids<T>(doc: &Document, key: &str) -> Result<Vec<T>, ReadError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    match read::field(doc, key) {
        None => Ok(Vec::new()),
        Some(Bson::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let wrapper = doc! { "id": item.clone() };
                read::required_id(&wrapper, "id")
                    .map_err(|_| ReadError::new(format!("{key}.{i}"), "expected an id".to_owned()))
            })
            .collect(),
        Some(_) => Err(ReadError::new(key, "expected an array")),
    }
}

/// The seed's `level_roles: {"5": role_id}`: keys are levels, values role ids (strings or
/// integers).
fn read_level_roles(doc: &Document) -> Result<LevelRoles, ReadError> {
    let Some(value) = read::field(doc, "level_roles") else {
        return Ok(LevelRoles::default());
    };
    let Bson::Document(map) = value else {
        return Err(ReadError::new("level_roles", "expected a document"));
    };
    let mut pairs = Vec::new();
    for (key, _) in map {
        let level: u32 = key
            .trim()
            .parse()
            .map_err(|_| ReadError::new(format!("level_roles.{key}"), "not a level"))?;
        if let Some(role) =
            read::optional_id::<RoleId>(map, key).map_err(|e| e.within("level_roles"))?
        {
            pairs.push((level, role));
        }
    }
    Ok(LevelRoles::new(pairs))
}

// ---------------------------------------------------------------------------------------------
// `xp_boosts`.

/// A boost's `_id`: `"<guild>:<id>"`, so adding is idempotent by id within the guild.
pub(super) fn boost_filter(guild: GuildId, id: BoostId) -> Document {
    doc! { "_id": format!("{guild}:{id}") }
}

/// A boost as stored.
pub(super) fn boost_document(boost: &Boost) -> Result<Document, StoreError> {
    let id = i64::try_from(boost.id.0)
        .map_err(|_| StoreError::bare(StoreErrorKind::Other, "storing a boost id above 2^63"))?;
    let scope = match boost.scope {
        BoostScope::Guild => doc! { "kind": "guild" },
        BoostScope::Channel(c) => doc! { "kind": "channel", "id": c.to_string() },
        BoostScope::Role(r) => doc! { "kind": "role", "id": r.to_string() },
    };
    let mut doc = boost_filter(boost.guild, boost.id);
    doc.extend(doc! {
        "id": id,
        "guild_id": boost.guild.to_string(),
        "multiplier": i64::from(boost.multiplier.percent()),
        "starts_at": date(boost.starts_at),
        "ends_at": date(boost.ends_at),
        "scope": scope,
    });
    Ok(doc)
}

/// The guild's boosts not ended by `now`.
pub(super) fn running_boosts_filter(guild: GuildId, now: Timestamp) -> Document {
    doc! { "guild_id": guild.to_string(), "ends_at": { "$gt": date(now) } }
}

/// Boost listing order.
pub(super) fn boosts_sort() -> Document {
    doc! { "starts_at": 1, "id": 1 }
}

/// Serves [`running_boosts_filter`].
pub(super) fn boosts_indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "ends_at": 1 })
            .build(),
    ]
}

/// Reads a stored boost.
pub(super) fn read_boost(doc: &Document) -> Result<Boost, ReadError> {
    let time = |key: &str| {
        read::field(doc, key)
            .ok_or_else(|| ReadError::new(key, "missing"))
            .and_then(|v| read::timestamp(key, v))
    };
    let percent = u32::try_from(read::required_u64(doc, "multiplier")?)
        .map_err(|_| ReadError::new("multiplier", "out of range"))?;
    let Some(Bson::Document(scope)) = read::field(doc, "scope") else {
        return Err(ReadError::new("scope", "expected a document"));
    };
    let scope = match read::optional_string(scope, "kind")?.as_deref() {
        Some("guild") => BoostScope::Guild,
        Some("channel") => BoostScope::Channel(read::required_id(scope, "id")?),
        Some("role") => BoostScope::Role(read::required_id(scope, "id")?),
        other => return Err(ReadError::new("scope.kind", format!("unknown {other:?}"))),
    };
    Ok(Boost {
        id: BoostId(read::required_u64(doc, "id")?),
        guild: read::required_id(doc, "guild_id")?,
        multiplier: Multiplier::from_percent(percent),
        starts_at: time("starts_at")?,
        ends_at: time("ends_at")?,
        scope,
    })
}

// ---------------------------------------------------------------------------------------------
// Reading members and activity.

/// A member's record as read, with the raw stored numbers the compare-and-set of an admin
/// change needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RawMember {
    pub(super) member: MemberXp,
    /// `xp` as stored, when it is a whole number.
    pub(super) raw_xp: Option<i64>,
    /// `total_messages` as stored, when it is a whole number.
    pub(super) raw_messages: Option<i64>,
    /// `level` as stored, when it is a whole number.
    pub(super) raw_level: Option<i64>,
    /// Whether `user_id` is stored as a number (the earlier bot's form), not a string.
    pub(super) numeric_id: bool,
}

/// Reads a member's record leniently: one unreadable field never hides the record. The
/// guild and user are those the record was looked up by. `xp` that is missing or unreadable
/// falls back to the total of the stored `level` (what the earlier bot kept in step), then to
/// 0; negative XP reads as 0 and XP above [`XP_MAX`] as `XP_MAX`; an unreadable
/// `total_messages` reads as 0 and an unreadable `last_xp_time` as none (the member may earn
/// at once; the next grant rewrites it).
pub(super) fn read_member(guild: GuildId, user: UserId, doc: &Document) -> RawMember {
    let number = |key: &str| read::field(doc, key).and_then(|v| read::integer(key, v).ok());
    let raw_xp = number("xp");
    let raw_level = number("level");
    let raw_messages = number("total_messages");
    let from_level = || {
        raw_level
            .and_then(|l| u32::try_from(l).ok())
            .map_or(0, total_xp_for)
    };
    let xp = raw_xp.map_or_else(from_level, |x| {
        u64::try_from(x.clamp(0, XP_MAX_I64)).unwrap_or(0)
    });
    let messages = raw_messages.map_or(0, |m| u64::try_from(m).unwrap_or(0));
    let last_grant_at =
        read::field(doc, "last_xp_time").and_then(|v| read::timestamp("last_xp_time", v).ok());
    RawMember {
        member: MemberXp {
            guild,
            user,
            xp,
            messages,
            last_grant_at,
        },
        raw_xp,
        raw_messages,
        raw_level,
        numeric_id: matches!(
            read::field(doc, "user_id"),
            Some(Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_))
        ),
    }
}

/// Reads a leaderboard row's user id and XP (`None` for a record whose id is unreadable).
pub(super) fn read_row(doc: &Document, id_key: &str) -> Option<(UserId, u64)> {
    let user = read::required_id(doc, id_key).ok()?;
    let xp = read::field(doc, "xp")
        .and_then(|v| read::integer("xp", v).ok())
        .unwrap_or(0);
    Some((user, u64::try_from(xp).unwrap_or(0)))
}

/// Reads a guild's day of activity.
pub(super) fn read_activity(doc: &Document) -> Result<Activity, ReadError> {
    let day = read::field(doc, "day")
        .ok_or_else(|| ReadError::new("day", "missing"))
        .and_then(|v| read::integer("day", v))?;
    Ok(Activity {
        day: Day(day),
        messages: read::required_u64(doc, "messages")?,
        active_members: read::required_u64(doc, "active_members")?,
    })
}

pub(super) fn corrupt(context: &'static str) -> impl Fn(ReadError) -> StoreError {
    move |err| StoreError::new(StoreErrorKind::Corrupt, context, err)
}

#[cfg(test)]
mod tests;
