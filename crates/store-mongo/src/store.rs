//! The connection: options, start-up checks, and how driver errors become `StoreError`s.

use std::time::Duration;

use hearth_core::{StoreError, StoreErrorKind};
use mongodb::{
    Client, Collection, Cursor, Database,
    bson::{Bson, Document, doc},
    error::{Error as DriverError, ErrorKind, WriteFailure},
    options::ClientOptions,
};

/// The database used when neither the caller nor the URI's path names one.
pub const DEFAULT_DATABASE: &str = "hearth";

/// How long an operation waits for a reachable server when the URI does not say
/// (`serverSelectionTimeoutMS`); the driver's own default is 30 seconds, far too long for a bot
/// to sit silent at start-up.
pub const DEFAULT_SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(3);

/// How long opening one connection may take when the URI does not say (`connectTimeoutMS`);
/// the driver's own default is 10 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The application name sent to the server (visible in its logs and `currentOp`) when the URI
/// does not set `appName`.
const APP_NAME: &str = "hearth";

/// Hearth's stores on one MongoDB database; cheap to clone (clones share the connection pool).
///
/// Connect with [`MongoStore::connect`]. With the `moderation` feature (on by default) it
/// implements `hearth_moderation::WarningStore` and `ModerationSettingsStore`; the document
/// shapes, indexes and compatibility rules are in the [crate documentation](crate).
#[derive(Clone, Debug)]
pub struct MongoStore {
    db: Database,
}

impl MongoStore {
    /// Connects to the MongoDB at `uri`, checks that it answers, and prepares the database
    /// (indexes, counters) so the store is ready to use.
    ///
    /// `uri` is a `mongodb://` or `mongodb+srv://` connection string. The database is
    /// `database` if given, else the URI's path (`mongodb://host/mydb`), else
    /// [`DEFAULT_DATABASE`]. Unless the URI sets them, `serverSelectionTimeoutMS` and
    /// `connectTimeoutMS` become [`DEFAULT_SERVER_SELECTION_TIMEOUT`] and
    /// [`DEFAULT_CONNECT_TIMEOUT`], so an unreachable server fails start-up within seconds.
    /// Preparing is idempotent: connecting twice, or from several processes, is safe.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] of kind [`StoreErrorKind::Unavailable`] when no server answers in time
    /// (wrong host, closed port, DNS failure, network down), and of kind
    /// [`StoreErrorKind::Other`] for anything else: a malformed URI, failed authentication, or
    /// an index that conflicts with existing data (see the crate documentation).
    pub async fn connect(uri: &str, database: Option<&str>) -> Result<Self, StoreError> {
        let mut options = ClientOptions::parse(uri)
            .await
            .map_err(driver_error("reading the MongoDB connection string"))?;
        apply_defaults(&mut options);
        let name = database_name(database, &options);
        let client =
            Client::with_options(options).map_err(driver_error("creating the MongoDB client"))?;
        let db = client.database(&name);
        db.run_command(doc! { "ping": 1 })
            .await
            .map_err(driver_error("connecting to MongoDB (ping)"))?;
        let store = Self { db };
        store.prepare().await?;
        Ok(store)
    }

    /// Checks that the server answers (`/healthz` asks this).
    ///
    /// # Errors
    ///
    /// A [`StoreError`] of kind [`StoreErrorKind::Unavailable`] when it does not in time.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db
            .run_command(doc! { "ping": 1 })
            .await
            .map(drop)
            .map_err(driver_error("pinging MongoDB"))
    }

    /// The database this store reads and writes, for operations tools and tests.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Creates every collection's indexes and adopts older data; safe to run any number of times.
    pub(crate) async fn prepare(&self) -> Result<(), StoreError> {
        #[cfg(feature = "moderation")]
        crate::moderation::prepare(&self.db).await?;
        #[cfg(feature = "moderation")]
        crate::timed_actions::prepare(&self.db).await?;
        #[cfg(feature = "xp-engine")]
        crate::leveling::prepare(&self.db).await?;
        #[cfg(feature = "tickets")]
        crate::tickets::prepare(&self.db).await?;
        #[cfg(feature = "roles")]
        crate::roles::prepare(&self.db).await?;
        #[cfg(feature = "automod")]
        crate::automod::prepare(&self.db).await?;
        Ok(())
    }
}

/// Fills in the timeouts and application name the URI left unset.
fn apply_defaults(options: &mut ClientOptions) {
    options
        .server_selection_timeout
        .get_or_insert(DEFAULT_SERVER_SELECTION_TIMEOUT);
    options
        .connect_timeout
        .get_or_insert(DEFAULT_CONNECT_TIMEOUT);
    options.app_name.get_or_insert_with(|| APP_NAME.to_owned());
}

/// The database to use: the caller's choice, else the URI's, else [`DEFAULT_DATABASE`].
fn database_name(explicit: Option<&str>, options: &ClientOptions) -> String {
    explicit
        .or(options.default_database.as_deref())
        .unwrap_or(DEFAULT_DATABASE)
        .to_owned()
}

/// Server error codes that mean "this server cannot serve you right now" rather than "this
/// request is wrong": the driver's retryable-read codes (host unreachable/not found, network
/// timeout, not primary, node recovering or shutting down …) plus `MaxTimeMSExpired` (50).
const UNAVAILABLE_CODES: [i32; 14] = [
    6, 7, 50, 89, 91, 134, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
];

/// The code of MongoDB's duplicate-key error.
const DUPLICATE_KEY: i32 = 11_000;

/// The server error code an error carries, if it came from the server.
fn server_code(err: &DriverError) -> Option<i32> {
    match err.kind.as_ref() {
        ErrorKind::Command(e) => Some(e.code),
        ErrorKind::Write(WriteFailure::WriteError(e)) => Some(e.code),
        ErrorKind::Write(WriteFailure::WriteConcernError(e)) => Some(e.code),
        _ => None,
    }
}

/// How a caller should see a driver error.
pub(crate) fn error_kind(err: &DriverError) -> StoreErrorKind {
    match err.kind.as_ref() {
        ErrorKind::ServerSelection { .. }
        | ErrorKind::Io(_)
        | ErrorKind::DnsResolve { .. }
        | ErrorKind::ConnectionPoolCleared { .. } => StoreErrorKind::Unavailable,
        ErrorKind::BsonDeserialization(_) => StoreErrorKind::Corrupt,
        _ if server_code(err).is_some_and(|c| UNAVAILABLE_CODES.contains(&c)) => {
            StoreErrorKind::Unavailable
        }
        _ if err.contains_label(mongodb::error::RETRYABLE_WRITE_ERROR) => {
            StoreErrorKind::Unavailable
        }
        _ => StoreErrorKind::Other,
    }
}

/// Whether a write failed only because a concurrent upsert inserted the same key first.
pub(crate) fn is_duplicate_key(err: &DriverError) -> bool {
    server_code(err) == Some(DUPLICATE_KEY)
}

/// Every document a cursor yields.
pub(crate) async fn all(
    mut cursor: Cursor<Document>,
    context: &'static str,
) -> Result<Vec<Document>, StoreError> {
    let mut docs = Vec::new();
    while cursor.advance().await.map_err(driver_error(context))? {
        docs.push(
            cursor
                .deserialize_current()
                .map_err(driver_error(context))?,
        );
    }
    Ok(docs)
}

/// The server's code for an operator applied to a value of the wrong type (`$inc` on a
/// string).
const TYPE_MISMATCH: i32 = 14;

/// Whether the server refused an update because a field had the wrong type.
pub(crate) fn is_type_mismatch(err: &DriverError) -> bool {
    server_code(err) == Some(TYPE_MISMATCH)
}

/// Turns a driver error into a [`StoreError`] saying what the store was doing.
pub(crate) fn driver_error(context: &'static str) -> impl Fn(DriverError) -> StoreError {
    move |err| StoreError::new(error_kind(&err), context, err)
}

/// Matches a `guild_id` or `user_id` stored in any form the earlier bot used: the decimal
/// string Hearth writes, or a number (Int32, Int64 or Double; MongoDB compares numbers by
/// value). An id above 2^53 has no exact Double, so the nearest Double is matched too: a
/// Double-stored id was rounded when it was written. (It would also match an Int64-stored id
/// equal to that rounded value; no such second member is likely, and Hearth never writes one.)
/// A plain `$in`, so the `{guild_id, user_id}` index serves it with a handful of point bounds.
pub(crate) fn id_forms(id: u64) -> Bson {
    Bson::Document(doc! { "$in": id_form_list(id) })
}

/// Every form [`id_forms`] matches, as a list (for a `$nin` or a longer `$in`).
pub(crate) fn id_form_list(id: u64) -> Vec<Bson> {
    let mut forms = vec![Bson::String(id.to_string())];
    if let Ok(number) = i64::try_from(id) {
        forms.push(Bson::Int64(number));
    }
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let nearest = id as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    if nearest as u64 != id {
        forms.push(Bson::Double(nearest));
    }
    forms
}

/// Selects the document whose id fields hold `ids` (each matched in every form, by
/// [`id_forms`]) only while one of them is not stored as a string (the earlier bot wrote some
/// as numbers); [`string_ids_update`] converts it.
pub(crate) fn numeric_ids_filter(ids: &[(&str, u64)]) -> Document {
    let mut filter = Document::new();
    let mut not_strings = Vec::new();
    for (key, id) in ids {
        filter.insert(*key, id_forms(*id));
        not_strings.push(doc! { *key: { "$not": { "$type": "string" } } });
    }
    filter.insert("$or", not_strings);
    filter
}

/// Stores a document's id fields as Hearth writes them (decimal strings).
pub(crate) fn string_ids_update(ids: &[(&str, u64)]) -> Document {
    let mut set = Document::new();
    for (key, id) in ids {
        set.insert(*key, id.to_string());
    }
    doc! { "$set": set }
}

/// Stores the ids of the document that `ids` select as strings when the earlier bot wrote
/// them as numbers: one atomic `update_one`, matching nothing once converted. Run before a
/// write that selects or upserts by string ids, so it finds that document instead of
/// creating a second one that would shadow it. When a string-id document exists as well (two
/// documents the earlier bot left for one key), the unique index refuses the conversion and
/// both stay as they are: the write goes into the string-id one.
pub(crate) async fn convert_numeric_ids(
    collection: &Collection<Document>,
    ids: &[(&str, u64)],
    context: &'static str,
) -> Result<(), StoreError> {
    match collection
        .update_one(numeric_ids_filter(ids), string_ids_update(ids))
        .await
    {
        Err(err) if !is_duplicate_key(&err) => Err(driver_error(context)(err)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::{
        error::Error as _,
        net::TcpListener,
        sync::Arc,
        time::{Duration, Instant},
    };

    use mongodb::{
        bson::{self, doc},
        error::{CommandError, WriteError},
    };

    use super::*;

    fn command_error(code: i32) -> DriverError {
        let err: CommandError =
            bson::from_document(doc! { "code": code, "codeName": "X", "errmsg": "x" }).unwrap();
        ErrorKind::Command(err).into()
    }

    fn write_error(code: i32) -> DriverError {
        let err: WriteError = bson::from_document(doc! { "code": code, "errmsg": "x" }).unwrap();
        ErrorKind::Write(WriteFailure::WriteError(err)).into()
    }

    #[tokio::test]
    async fn unset_timeouts_get_short_defaults_and_set_ones_are_kept() {
        let mut options = ClientOptions::parse("mongodb://db.example:27017")
            .await
            .unwrap();
        apply_defaults(&mut options);
        assert_eq!(
            options.server_selection_timeout,
            Some(DEFAULT_SERVER_SELECTION_TIMEOUT)
        );
        assert_eq!(options.connect_timeout, Some(DEFAULT_CONNECT_TIMEOUT));
        assert_eq!(options.app_name.as_deref(), Some("hearth"));

        let mut options = ClientOptions::parse(
            "mongodb://db.example/?serverSelectionTimeoutMS=700&connectTimeoutMS=900&appName=ops",
        )
        .await
        .unwrap();
        apply_defaults(&mut options);
        assert_eq!(
            options.server_selection_timeout,
            Some(Duration::from_millis(700))
        );
        assert_eq!(options.connect_timeout, Some(Duration::from_millis(900)));
        assert_eq!(options.app_name.as_deref(), Some("ops"));
    }

    #[tokio::test]
    async fn database_comes_from_the_caller_then_the_uri_then_the_default() {
        let with_path = ClientOptions::parse("mongodb://h/botdb").await.unwrap();
        let without = ClientOptions::parse("mongodb://h/").await.unwrap();
        assert_eq!(database_name(Some("mine"), &with_path), "mine");
        assert_eq!(database_name(None, &with_path), "botdb");
        assert_eq!(database_name(None, &without), "hearth");
    }

    #[test]
    fn network_and_failover_errors_are_unavailable_the_rest_other() {
        let io: DriverError =
            ErrorKind::Io(Arc::new(std::io::ErrorKind::ConnectionRefused.into())).into();
        assert_eq!(error_kind(&io), StoreErrorKind::Unavailable);
        for code in [6, 89, 91, 189, 10107, 11600] {
            assert_eq!(
                error_kind(&command_error(code)),
                StoreErrorKind::Unavailable,
                "{code}"
            );
        }
        assert_eq!(error_kind(&write_error(10107)), StoreErrorKind::Unavailable);
        // Unauthorized, bad value, duplicate key: retrying does not help.
        for code in [13, 2, 11000] {
            assert_eq!(
                error_kind(&command_error(code)),
                StoreErrorKind::Other,
                "{code}"
            );
        }
    }

    #[test]
    fn duplicate_keys_are_recognised_in_commands_and_writes() {
        assert!(is_duplicate_key(&command_error(11000)));
        assert!(is_duplicate_key(&write_error(11000)));
        assert!(!is_duplicate_key(&command_error(11600)));
    }

    #[tokio::test]
    async fn unreachable_server_fails_fast_with_unavailable() {
        // A port nobody listens on: bind one, then free it.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let uri = format!("mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=300");
        let started = Instant::now();
        let err = MongoStore::connect(&uri, None).await.unwrap_err();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "took {took:?}");
        assert_eq!(err.kind(), StoreErrorKind::Unavailable);
        assert_eq!(
            err.to_string(),
            "database unavailable while connecting to MongoDB (ping)"
        );
        let cause = err.source().unwrap().to_string();
        assert!(cause.contains(&format!("127.0.0.1:{port}")), "{cause}");
    }

    #[tokio::test]
    async fn malformed_uri_is_refused_before_any_network() {
        let err = MongoStore::connect("postgres://localhost", None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Other);
        assert_eq!(
            err.to_string(),
            "database error while reading the MongoDB connection string"
        );
    }
}
