//! `CaseStore` on the seed's `mod_logs` collection: one document per case, in the seed's shape
//! `{guild_id, action, user_id, moderator_id, reason, duration, timestamp}` plus `case_id`,
//! `expires_at`, `request_id`, `channel_id` and, once posted, `log_channel_id` and
//! `log_message_id`. `duration` is whole seconds; ids are strings, as everywhere.
//!
//! Recording is one `insert_one` after the case number is taken from the counter warnings use;
//! two unique indexes, `{guild_id, case_id}` and `{guild_id, request_id}`, turn a replay
//! (the same interaction in another process, or a warning's case written twice) into a
//! duplicate-key error, after which the first case is read back and returned. A replay that
//! loses the race leaves a gap in the numbering, which cases allow.

use std::time::Duration;

use hearth_core::{ChannelId, GuildId, MessageId, StoreError, Timestamp};
use hearth_moderation::{Case, CaseAction, CaseNumber, CaseStore, NewCase};
use mongodb::{
    Collection, Database, IndexModel,
    bson::{Bson, DateTime, Document, doc},
    options::{IndexOptions, ReturnDocument},
};

use super::wire::corrupt;
use crate::{
    MongoStore,
    read::{self, ReadError},
    store::{driver_error, is_duplicate_key},
};

/// The seed's collection of moderation actions.
pub(crate) const MOD_LOGS: &str = "mod_logs";

/// Creates the `mod_logs` indexes. Idempotent. Documents the earlier bot wrote have no
/// `case_id` or `request_id`: the indexes are partial, so they never collide.
pub(crate) async fn prepare(db: &Database) -> Result<(), StoreError> {
    db.collection::<Document>(MOD_LOGS)
        .create_indexes(indexes())
        .await
        .map_err(driver_error("creating the mod_logs indexes"))?;
    Ok(())
}

fn indexes() -> Vec<IndexModel> {
    let unique_where = |field: &str| {
        IndexOptions::builder()
            .unique(true)
            .partial_filter_expression(doc! { field: { "$exists": true } })
            .build()
    };
    vec![
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "case_id": 1 })
            .options(unique_where("case_id"))
            .build(),
        IndexModel::builder()
            .keys(doc! { "guild_id": 1, "request_id": 1 })
            .options(unique_where("request_id"))
            .build(),
    ]
}

fn case_filter(guild: GuildId, number: i64) -> Document {
    doc! { "guild_id": guild.to_string(), "case_id": number }
}

fn to_i64(number: CaseNumber) -> Result<i64, StoreError> {
    i64::try_from(number.0).map_err(|_| {
        StoreError::bare(
            hearth_core::StoreErrorKind::Other,
            "a case number above i64",
        )
    })
}

fn millis(at: Timestamp) -> DateTime {
    DateTime::from_millis(at.unix_millis())
}

/// The document of `case`, recorded in `request`.
fn case_document(case: &Case, request: u64) -> Result<Document, StoreError> {
    let opt = |id: Option<String>| id.map_or(Bson::Null, Bson::String);
    Ok(doc! {
        "guild_id": case.guild.to_string(),
        "case_id": to_i64(case.number)?,
        "request_id": request.to_string(),
        "action": case.action.name(),
        "user_id": opt(case.user.map(|u| u.to_string())),
        "channel_id": opt(case.channel.map(|c| c.to_string())),
        "moderator_id": case.moderator.to_string(),
        "reason": case.reason.clone(),
        "duration": case.duration.map_or(Bson::Null, |d| {
            Bson::Int64(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        }),
        "timestamp": millis(case.created_at),
        "expires_at": case.expires_at.map_or(Bson::Null, |t| Bson::DateTime(millis(t))),
    })
}

/// A stored case, leniently (numbers as Int32, Int64 or whole Double; ids as strings or
/// numbers; times as dates, ISO strings or Unix seconds).
fn read_case(doc: &Document) -> Result<Case, ReadError> {
    let action_name = read::optional_string(doc, "action")?.unwrap_or_default();
    let action = CaseAction::from_name(&action_name)
        .ok_or_else(|| ReadError::new("action", format!("unknown action `{action_name}`")))?;
    let duration = match read::field(doc, "duration") {
        None => None,
        Some(value) => Some(Duration::from_secs(
            u64::try_from(read::integer("duration", value)?)
                .map_err(|_| ReadError::new("duration", "negative"))?,
        )),
    };
    let log_message = match (
        read::optional_id::<ChannelId>(doc, "log_channel_id")?,
        read::optional_id::<MessageId>(doc, "log_message_id")?,
    ) {
        (Some(channel), Some(message)) => Some((channel, message)),
        _ => None,
    };
    Ok(Case {
        number: CaseNumber(read::required_u64(doc, "case_id")?),
        guild: read::required_id(doc, "guild_id")?,
        action,
        user: read::optional_id(doc, "user_id")?,
        channel: read::optional_id(doc, "channel_id")?,
        moderator: read::required_id(doc, "moderator_id")?,
        reason: read::optional_string(doc, "reason")?.unwrap_or_default(),
        duration,
        created_at: match read::field(doc, "timestamp") {
            Some(value) => read::timestamp("timestamp", value)?,
            None => return Err(ReadError::new("timestamp", "missing")),
        },
        expires_at: read::field(doc, "expires_at")
            .map(|value| read::timestamp("expires_at", value))
            .transpose()?,
        log_message,
    })
}

impl MongoStore {
    fn mod_logs(&self) -> Collection<Document> {
        self.database().collection(MOD_LOGS)
    }

    async fn find_case(&self, filter: Document) -> Result<Option<Case>, StoreError> {
        let context = "reading a case";
        self.mod_logs()
            .find_one(filter)
            .await
            .map_err(driver_error(context))?
            .map(|doc| read_case(&doc).map_err(corrupt(context)))
            .transpose()
    }
}

impl CaseStore for MongoStore {
    async fn record_case(&self, new: NewCase) -> Result<Case, StoreError> {
        let context = "recording a case";
        let guild = new.guild.to_string();
        let request = new.request.0;
        let replay = match new.number {
            Some(number) => doc! {
                "guild_id": &guild,
                "$or": [{ "request_id": request.to_string() }, { "case_id": to_i64(number)? }],
            },
            None => doc! { "guild_id": &guild, "request_id": request.to_string() },
        };
        if let Some(found) = self.find_case(replay.clone()).await? {
            return Ok(found);
        }
        let number = match new.number {
            Some(number) => number,
            None => self.next_case(new.guild).await?,
        };
        let case = Case::new(number, new);
        match self
            .mod_logs()
            .insert_one(case_document(&case, request)?)
            .await
        {
            Ok(_) => Ok(case),
            // Another process recorded the same request (or number) first: theirs stands.
            Err(err) if is_duplicate_key(&err) => self
                .find_case(replay)
                .await?
                .ok_or_else(|| driver_error(context)(err)),
            Err(err) => Err(driver_error(context)(err)),
        }
    }

    async fn case(&self, guild: GuildId, number: CaseNumber) -> Result<Option<Case>, StoreError> {
        let Ok(number) = i64::try_from(number.0) else {
            return Ok(None);
        };
        self.find_case(case_filter(guild, number)).await
    }

    async fn set_case_reason(
        &self,
        guild: GuildId,
        number: CaseNumber,
        reason: &str,
    ) -> Result<Option<Case>, StoreError> {
        let context = "editing a case's reason";
        let Ok(number) = i64::try_from(number.0) else {
            return Ok(None);
        };
        self.mod_logs()
            .find_one_and_update(
                case_filter(guild, number),
                doc! { "$set": { "reason": reason } },
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(driver_error(context))?
            .map(|doc| read_case(&doc).map_err(corrupt(context)))
            .transpose()
    }

    async fn set_case_log_message(
        &self,
        guild: GuildId,
        number: CaseNumber,
        at: (ChannelId, MessageId),
    ) -> Result<bool, StoreError> {
        let Ok(number) = i64::try_from(number.0) else {
            return Ok(false);
        };
        let result = self
            .mod_logs()
            .update_one(
                case_filter(guild, number),
                doc! { "$set": {
                    "log_channel_id": at.0.to_string(),
                    "log_message_id": at.1.to_string(),
                } },
            )
            .await
            .map_err(driver_error("remembering a case's mod-log message"))?;
        Ok(result.matched_count > 0)
    }
}

#[cfg(test)]
mod tests {
    use hearth_core::UserId;
    use hearth_moderation::RequestId;

    use super::*;

    #[test]
    fn a_case_is_written_in_the_seeds_shape_and_reads_back() {
        let case = Case::new(
            CaseNumber(12),
            NewCase {
                guild: GuildId::new(1),
                number: None,
                request: RequestId(77),
                action: CaseAction::Ban,
                user: Some(UserId::new(2)),
                channel: None,
                moderator: UserId::new(3),
                reason: "raiding".into(),
                duration: Some(Duration::from_secs(3_600)),
                created_at: Timestamp::from_unix_secs(1_700_000_000),
                expires_at: Some(Timestamp::from_unix_secs(1_700_003_600)),
            },
        );
        let doc = case_document(&case, 77).unwrap();
        assert_eq!(
            doc,
            doc! {
                "guild_id": "1", "case_id": 12_i64, "request_id": "77", "action": "ban",
                "user_id": "2", "channel_id": Bson::Null, "moderator_id": "3",
                "reason": "raiding", "duration": 3_600_i64,
                "timestamp": DateTime::from_millis(1_700_000_000_000),
                "expires_at": DateTime::from_millis(1_700_003_600_000),
            }
        );
        assert_eq!(read_case(&doc).unwrap(), case);
    }

    #[test]
    fn a_hand_written_case_with_numbers_as_doubles_reads() {
        let doc = doc! {
            "guild_id": 1_f64, "case_id": 4_f64, "action": "kick", "user_id": 2_i64,
            "moderator_id": "3", "reason": "x", "timestamp": "2024-01-15T10:30:00",
        };
        let case = read_case(&doc).unwrap();
        assert_eq!(
            (case.number, case.action),
            (CaseNumber(4), CaseAction::Kick)
        );
    }
}
