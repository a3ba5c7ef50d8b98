//! The wire format of the moderation collections: every filter, update, pipeline, index and
//! document is a small pure function returning BSON, tested without a server (in `wire/tests.rs`);
//! the readers turn stored documents (the seed's included) into domain values.

use hearth_core::{ChannelId, GuildId, StoreError, StoreErrorKind, Timestamp, UserId};
use hearth_moderation::{
    AddedWarning, CaseNumber, EscalationPolicy, ModerationSettings, RequestId, SettingsChange,
    Warning, WarningList, sort_newest_first,
};
use mongodb::{
    IndexModel,
    bson::{self, Bson, DateTime, Document, doc},
    options::IndexOptions,
};

use super::COUNTERS;
use crate::{
    read::{self, ReadError},
    store::id_forms,
};

// ---------------------------------------------------------------------------------------------
// Filters, updates, pipelines and indexes.

/// The `_id` of a guild's case counter. Warnings take case numbers from it, and so will the
/// other mod-log cases (kicks, bans, timeouts), so a guild's cases share one sequence.
pub(super) fn case_counter_id(guild: GuildId) -> String {
    format!("cases:{guild}")
}

/// Selects a guild's case counter.
pub(super) fn case_counter_filter(guild: GuildId) -> Document {
    doc! { "_id": case_counter_id(guild) }
}

/// Takes the next case number: sent with `ReturnDocument::After` and *without* upsert, to a
/// counter [`create_case_counter_update`] made first (see the crate README on why the counter
/// is not created by this update's upsert).
pub(super) fn next_case_update() -> Document {
    doc! { "$inc": { "seq": 1_i64 } }
}

/// Creates a guild's case counter at 0 if it does not exist (sent with upsert); changes
/// nothing when it does.
pub(super) fn create_case_counter_update(guild: GuildId) -> Document {
    doc! { "$setOnInsert": { "guild_id": guild.to_string(), "seq": 0_i64 } }
}

/// Raises a guild's case counter to at least `max_case` (never lowers it).
pub(super) fn raise_case_counter_update(guild: GuildId, max_case: i64) -> Document {
    doc! {
        "$max": { "seq": max_case },
        "$setOnInsert": { "guild_id": guild.to_string() },
    }
}

/// Selects one member's warnings document in one guild, whether its ids are strings or
/// numbers ([`id_forms`](crate::store::id_forms)).
pub(super) fn member_filter(guild: GuildId, user: UserId) -> Document {
    doc! { "guild_id": id_forms(guild.get()), "user_id": id_forms(user.get()) }
}

/// The id fields of a member's document, for [`crate::store::convert_numeric_ids`].
pub(super) fn member_ids(guild: GuildId, user: UserId) -> [(&'static str, u64); 2] {
    [("guild_id", guild.get()), ("user_id", user.get())]
}

/// Selects a member's document only if it holds the warning `case`. MongoDB compares numbers
/// by value, so this also matches ids the earlier bot stored as Int32 or Double; it wrote
/// some as strings (`"3"`), which match too.
pub(super) fn member_case_filter(guild: GuildId, user: UserId, case: i64) -> Document {
    let mut filter = member_filter(guild, user);
    filter.insert("warnings.id", doc! { "$in": [case, case.to_string()] });
    filter
}

/// Whether an element of the `warnings` array has the id `case`, as [`member_case_filter`]
/// matches it: a number of that value, or that number as a string.
pub(super) fn entry_has_id(entry: &Bson, case: i64) -> bool {
    let Bson::Document(entry) = entry else {
        return false;
    };
    match entry.get("id") {
        Some(Bson::String(text)) => *text == case.to_string(),
        Some(Bson::Int32(n)) => i64::from(*n) == case,
        Some(Bson::Int64(n)) => *n == case,
        #[allow(clippy::cast_precision_loss, clippy::float_cmp)]
        Some(Bson::Double(n)) => *n == case as f64,
        _ => false,
    }
}

/// Selects the member's document `id` only while element `index` of its `warnings` array is
/// still exactly `entry`: the compare half of removing one element by position plus content.
pub(super) fn element_at_filter(id: &Bson, index: usize, entry: &Bson) -> Document {
    doc! { "_id": id.clone(), format!("warnings.{index}"): entry.clone() }
}

/// Selects a member's document unless it already holds a warning given in `request`: the
/// atomic guard that stores one request once (sent with upsert: when the member has no
/// document it is created, and when the request is already there the upsert's insert fails
/// on the unique `{guild_id, user_id}` index instead of adding a second warning).
pub(super) fn member_without_request_filter(
    guild: GuildId,
    user: UserId,
    request: RequestId,
) -> Document {
    doc! {
        "guild_id": guild.to_string(),
        "user_id": user.to_string(),
        "warnings.request_id": { "$ne": request.to_string() },
    }
}

/// Selects the document of the guild that holds a warning given in `request`.
pub(super) fn request_filter(guild: GuildId, request: RequestId) -> Document {
    doc! { "guild_id": id_forms(guild.get()), "warnings.request_id": request.to_string() }
}

/// Selects every warnings document of a member, in every guild.
pub(super) fn user_filter(user: UserId) -> Document {
    doc! { "user_id": id_forms(user.get()) }
}

/// Selects a member's document only while its `total_warnings` is not a number (the earlier
/// bot wrote a string in some), so [`set_total_update`] repairs nothing else.
pub(super) fn member_with_bad_total_filter(guild: GuildId, user: UserId) -> Document {
    let mut filter = member_filter(guild, user);
    filter.insert("total_warnings", doc! { "$not": { "$type": "number" } });
    filter
}

/// Sets `total_warnings` (from the array's length).
pub(super) fn set_total_update(count: i32) -> Document {
    doc! { "$set": { "total_warnings": count } }
}

/// Selects a guild's settings document.
pub(super) fn guild_filter(guild: GuildId) -> Document {
    doc! { "guild_id": guild.to_string() }
}

/// Appends a warning to its member's document and counts it, in one update (sent with
/// upsert, which creates the document with `guild_id` and `user_id` from
/// [`member_without_request_filter`]).
pub(super) fn add_warning_update(
    warning: &Warning,
    request: RequestId,
) -> Result<Document, StoreError> {
    let mut entry = warning_entry(warning)?;
    entry.insert("request_id", request.to_string());
    Ok(doc! {
        "$push": { "warnings": entry },
        "$inc": { "total_warnings": 1_i32 },
    })
}

/// Removes element `index` of the `warnings` array, and only it (a `$pull` by id would take
/// every element sharing the id, and the earlier bot's documents can hold duplicate ids), and
/// sets `total_warnings` to the length left. An update pipeline (MongoDB 4.2+), sent with
/// [`element_at_filter`]: the filter and the update apply atomically to one document.
pub(super) fn remove_element_update(index: usize) -> Vec<Document> {
    let index = i64::try_from(index).unwrap_or(i64::MAX);
    let after = doc! { "$slice": ["$warnings", index + 1, i64::from(i32::MAX)] };
    let kept = if index == 0 {
        Bson::Document(after)
    } else {
        Bson::Document(doc! { "$concatArrays": [{ "$slice": ["$warnings", index] }, after] })
    };
    vec![
        doc! { "$set": { "warnings": kept } },
        doc! { "$set": { "total_warnings": { "$size": "$warnings" } } },
    ]
}

/// The indexes of the `warnings` collection: one document per (guild, member), found by both;
/// every document of a member, for data-deletion requests; and the guild's request keys, for
/// the replay check before each warning (multikey over the array; warnings the earlier bot
/// wrote have no key and cost one `null` entry per document).
pub(super) fn warnings_indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "user_id": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build(),
        IndexModel::builder().keys(doc! { "user_id": 1 }).build(),
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "warnings.request_id": 1 })
            .build(),
    ]
}

/// The index of `moderation_settings`: one document per guild.
pub(super) fn settings_indexes() -> Vec<IndexModel> {
    vec![
        IndexModel::builder()
            .keys(doc! { "guild_id": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build(),
    ]
}

/// Finds the guilds whose stored warnings carry ids above their case counter (or that have no
/// counter yet): warnings the earlier bot numbered itself. Yields `{_id: <guild_id>, max_case}`.
///
/// Runs on MongoDB 4.0 and later (`$convert`, `$lookup` with local/foreign fields).
pub(super) fn legacy_cases_pipeline() -> Vec<Document> {
    vec![
        doc! { "$unwind": "$warnings" },
        doc! { "$group": {
            "_id": "$guild_id",
            "max_case": { "$max": { "$convert": {
                "input": "$warnings.id", "to": "long", "onError": 0_i64, "onNull": 0_i64,
            } } },
        } },
        doc! { "$addFields": {
            "counter_id": { "$concat": ["cases:", { "$toString": "$_id" }] },
        } },
        doc! { "$lookup": {
            "from": COUNTERS, "localField": "counter_id", "foreignField": "_id", "as": "counter",
        } },
        doc! { "$match": { "$expr": { "$gt": [
            "$max_case",
            { "$ifNull": [{ "$arrayElemAt": ["$counter.seq", 0] }, 0_i64] },
        ] } } },
        doc! { "$project": { "max_case": 1 } },
    ]
}

// ---------------------------------------------------------------------------------------------
// Documents.

/// A warning as an element of the `warnings` array, in the seed's shape.
pub(super) fn warning_entry(warning: &Warning) -> Result<Document, StoreError> {
    Ok(doc! {
        "id": case_to_bson(warning.case)?,
        "reason": &warning.reason,
        "moderator_id": warning.moderator.to_string(),
        "timestamp": DateTime::from_millis(warning.created_at.unix_millis()),
    })
}

/// A case number as stored (Int64). Numbers from our counter always fit.
pub(super) fn case_to_bson(case: CaseNumber) -> Result<i64, StoreError> {
    i64::try_from(case.0)
        .map_err(|_| StoreError::bare(StoreErrorKind::Other, "storing a case number above 2^63"))
}

/// The update for a settings change: `$set` of the fields it names and `$setOnInsert` of the
/// defaults for the others. A new guild's document gets every field; an existing one keeps
/// what the change doesn't name, including fields this release doesn't know (written by a
/// newer process during a rolling upgrade). Never a whole-document replacement.
pub(super) fn settings_update(change: &SettingsChange) -> Result<Document, StoreError> {
    let encode = |policy: &EscalationPolicy| {
        bson::to_bson(policy)
            .map_err(|e| StoreError::new(StoreErrorKind::Other, "encoding an escalation policy", e))
    };
    let defaults = ModerationSettings::default();
    let mut set = Document::new();
    let mut on_insert = Document::new();
    match change.mod_log_channel {
        Some(channel) => set.insert("mod_log_channel_id", channel.map(|c| c.to_string())),
        None => on_insert.insert("mod_log_channel_id", Bson::Null),
    };
    match &change.escalation {
        Some(policy) => set.insert("escalation", encode(policy)?),
        None => on_insert.insert("escalation", encode(&defaults.escalation)?),
    };
    let mut update = Document::new();
    if !set.is_empty() {
        update.insert("$set", set);
    }
    if !on_insert.is_empty() {
        update.insert("$setOnInsert", on_insert);
    }
    Ok(update)
}

/// Reads a member's warnings document (any order) and counts the elements that could not be
/// read.
///
/// Missing `warnings` reads as none; `total_warnings` is not read at all (the array is the
/// truth; the count is kept up to date only for other readers of the collection). Each element
/// is read by [`read_entry`]; one that fails is skipped and counted (the earlier bot left some
/// without an id or moderator), never hiding the others. A `warnings` field that is not an
/// array is an error. `guild` and `user` are the ids the document was found by: the earlier
/// bot stored some as numbers, an 18-digit one even as a rounded Double.
pub(super) fn read_warnings(
    doc: &Document,
    guild: GuildId,
    user: UserId,
) -> Result<WarningList, ReadError> {
    let mut list = WarningList::default();
    for entry in entries(doc)? {
        match read_entry(guild, user, entry) {
            Ok(warning) => list.warnings.push(warning),
            Err(_) => list.unreadable += 1,
        }
    }
    Ok(list)
}

/// The elements of a document's `warnings` array (none when it is missing).
fn entries(doc: &Document) -> Result<&[Bson], ReadError> {
    match read::field(doc, "warnings") {
        None => Ok(&[]),
        Some(Bson::Array(entries)) => Ok(entries),
        Some(_) => Err(ReadError::new("warnings", "expected an array")),
    }
}

/// Reads one element of the `warnings` array.
///
/// `id` and `moderator_id` are required (a warning without them cannot be named or
/// attributed); a missing or `null` `reason` reads as an empty string, and a missing
/// `timestamp` as the Unix epoch (so it lists last and never counts towards an escalation
/// window).
pub(super) fn read_entry(guild: GuildId, user: UserId, entry: &Bson) -> Result<Warning, ReadError> {
    let Bson::Document(entry) = entry else {
        return Err(ReadError::new("", "expected a document"));
    };
    // The earlier bot wrote some ids as strings of digits.
    let case = match read::field(entry, "id") {
        Some(Bson::String(text)) => text
            .trim()
            .parse()
            .map_err(|_| ReadError::new("id", format!("`{text}` is not a warning id")))?,
        _ => read::required_u64(entry, "id")?,
    };
    Ok(Warning {
        case: CaseNumber(case),
        guild,
        user,
        moderator: read::required_id(entry, "moderator_id")?,
        reason: read::optional_string(entry, "reason")?.unwrap_or_default(),
        created_at: match read::field(entry, "timestamp") {
            Some(value) => read::timestamp("timestamp", value)?,
            None => Timestamp::UNIX_EPOCH,
        },
    })
}

/// The warning given in `request` and the member's history as its insert left it: the
/// elements of the array up to and including it (`$push` appends, `$pull` keeps the order, so
/// the array is in insertion order), newest first. `None` when the document holds no warning
/// with that request.
pub(super) fn added_through(
    doc: &Document,
    request: RequestId,
    replayed: bool,
) -> Result<Option<AddedWarning>, ReadError> {
    let guild: GuildId = read::required_id(doc, "guild_id")?;
    let user: UserId = read::required_id(doc, "user_id")?;
    let key = Bson::String(request.to_string());
    let mut history = Vec::new();
    for (i, entry) in entries(doc)?.iter().enumerate() {
        let is_it = matches!(entry, Bson::Document(e) if e.get("request_id") == Some(&key));
        // An element the earlier bot left unreadable is no part of the history (as it is no
        // part of the list); Hearth's own element must read.
        let warning = match read_entry(guild, user, entry) {
            Ok(warning) => warning,
            Err(e) if is_it => return Err(e.within(&format!("warnings.{i}"))),
            Err(_) => continue,
        };
        history.push(warning);
        if is_it {
            let warning = history.last().cloned().expect("just pushed");
            sort_newest_first(&mut history);
            return Ok(Some(AddedWarning {
                warning,
                history,
                replayed,
            }));
        }
    }
    Ok(None)
}

/// How many warnings a document holds, whatever they look like.
pub(super) fn count_entries(doc: &Document) -> u64 {
    entries(doc).map_or(0, |entries| entries.len() as u64)
}

/// Reads a guild's settings document; a missing `mod_log_channel_id` is no channel and a
/// missing `escalation` the default policy, as for a guild that never saved settings.
pub(super) fn read_settings(doc: &Document) -> Result<ModerationSettings, ReadError> {
    let escalation = match read::field(doc, "escalation") {
        Some(value) => {
            bson::from_bson::<EscalationPolicy>(read::whole_doubles_as_integers(value.clone()))
                .map_err(|e| ReadError::new("escalation", e.to_string()))?
        }
        None => EscalationPolicy::default(),
    };
    let mut settings = ModerationSettings::default();
    settings.mod_log_channel = read::optional_id::<ChannelId>(doc, "mod_log_channel_id")?;
    settings.escalation = escalation;
    Ok(settings)
}

pub(super) fn corrupt(context: &'static str) -> impl Fn(ReadError) -> StoreError {
    move |err| StoreError::new(StoreErrorKind::Corrupt, context, err)
}

#[cfg(test)]
mod tests;
