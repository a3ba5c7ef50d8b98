//! The conformance suite and seed-compatibility checks against a real server, found at run
//! time in `MONGODB_URI` (no build-time switch: clippy, test and doc share one build).
//!
//! Without `MONGODB_URI`, under `CI=true` every test fails; elsewhere each test writes
//! `NOT RUN` to the terminal (past the test harness's capture) and returns. `scripts/test`
//! always provides a server.

use std::io::Write as _;

use hearth_core::Timestamp;
use hearth_moderation::testkit::Fixture;
use mongodb::bson::{DateTime, doc, oid::ObjectId};

use super::*;

/// The variable naming the server the tests use.
const URI_VAR: &str = "MONGODB_URI";

/// The server's URI; `None` (after saying so on the terminal) when there is none to use.
///
/// # Panics
///
/// Under `CI=true` without `MONGODB_URI`: CI must run these tests, not pass them vacuously.
fn server_uri() -> Option<String> {
    if let Some(uri) = std::env::var(URI_VAR).ok().filter(|u| !u.is_empty()) {
        return Some(uri);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {URI_VAR} is not set: the MongoDB tests must run in CI \
         (scripts/test starts a MongoDB-protocol server and sets it)"
    );
    let test = std::thread::current()
        .name()
        .unwrap_or("a MongoDB test")
        .to_owned();
    // Straight to stderr, past libtest's capture, so the line shows in a passing run.
    let _ = writeln!(
        std::io::stderr(),
        "NOT RUN: {test}: set {URI_VAR} (scripts/test starts a server) to run it against MongoDB"
    );
    None
}

/// A store on a database of its own, `hearth_test_<unique>`, dropped after the test.
#[derive(Debug)]
pub(crate) struct TestDatabase(MongoStore, String);

impl TestDatabase {
    pub(crate) async fn create() -> Option<Self> {
        let uri = server_uri()?;
        let name = format!("hearth_test_{}", ObjectId::new().to_hex());
        let store = connect(&uri, &name).await;
        Some(Self(store, uri))
    }
}

async fn connect(uri: &str, name: &str) -> MongoStore {
    MongoStore::connect(uri, Some(name))
        .await
        .unwrap_or_else(|e| panic!("connecting to {URI_VAR}: {e}: {e:?}"))
}

impl Fixture for TestDatabase {
    type Store = MongoStore;

    fn store(&self) -> &MongoStore {
        &self.0
    }

    /// A second client (its own connection pool) on the same database, as a second bot
    /// process would have.
    async fn second_handle(&self) -> MongoStore {
        connect(&self.1, self.0.database().name()).await
    }

    async fn teardown(self) {
        self.0
            .database()
            .drop()
            .await
            .expect("dropping the test database");
    }
}

hearth_moderation::moderation_store_suite!([] optional TestDatabase::create);

const GUILD: GuildId = GuildId::new(111_111_111_111_111_111);
const USER: UserId = UserId::new(222_222_222_222_222_222);

/// A member's document as the earlier bot left it: ids 1 and 2 numbered by that bot.
fn seed_document() -> Document {
    doc! {
        "user_id": USER.to_string(),
        "guild_id": GUILD.to_string(),
        "warnings": [
            { "id": 1_i32, "reason": "spam", "moderator_id": "333333333333333333",
              "timestamp": "2024-01-15T10:30:00" },
            // The earlier bot wrote some ids as strings.
            { "id": "2", "reason": "caps", "moderator_id": "333333333333333333",
              "timestamp": DateTime::from_millis(1_705_400_000_000) },
        ],
        "total_warnings": 2_i32,
    }
}

/// A new warning, reason "new", given by moderator 3 in `request`.
fn new_warning(guild: GuildId, user: UserId, request: u64) -> NewWarning {
    NewWarning {
        guild,
        user,
        moderator: UserId::new(3),
        reason: hearth_moderation::Reason::parse("new").unwrap(),
        created_at: Timestamp::from_unix_secs(1_705_500_000),
        request: RequestId(request),
    }
}

#[tokio::test]
async fn seed_documents_are_listed_removed_and_numbered_after() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let raw = db.0.warnings_collection();
    raw.insert_one(seed_document()).await.unwrap();
    // Connecting again (as a restart does) adopts the seed's ids into the case counter.
    db.0.prepare().await.unwrap();

    let listed = db.0.warnings(GUILD, USER).await.unwrap();
    assert_eq!(
        listed.warnings.iter().map(|w| w.case.0).collect::<Vec<_>>(),
        [2, 1]
    );

    let added =
        db.0.add_warning(new_warning(GUILD, USER, 77))
            .await
            .unwrap();
    assert_eq!(added.warning.case, CaseNumber(3));
    // The seed's warnings are the new one's history.
    assert_eq!(added.history.len(), 3);

    let removed =
        db.0.remove_warning(GUILD, USER, CaseNumber(1))
            .await
            .unwrap();
    assert_eq!(removed.unwrap().reason, "spam");
    let doc = raw
        .find_one(member_filter(GUILD, USER))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(doc.get("total_warnings"), Some(&Bson::Int32(2)));
    assert_eq!(count_entries(&doc), 2);
    // The warning with a string id is removed by its number too.
    let removed =
        db.0.remove_warning(GUILD, USER, CaseNumber(2))
            .await
            .unwrap();
    assert_eq!(removed.unwrap().reason, "caps");
    let left = db.0.warnings(GUILD, USER).await.unwrap();
    assert_eq!(
        left.warnings.iter().map(|w| w.case.0).collect::<Vec<_>>(),
        [3]
    );
    db.teardown().await;
}

#[tokio::test]
async fn a_non_numeric_legacy_total_does_not_block_new_warnings() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let raw = db.0.warnings_collection();
    let mut seed = seed_document();
    seed.insert("total_warnings", "two");
    raw.insert_one(seed).await.unwrap();
    db.0.prepare().await.unwrap();
    let added =
        db.0.add_warning(new_warning(GUILD, USER, 78))
            .await
            .unwrap();
    assert_eq!(
        (added.warning.case, added.history.len()),
        (CaseNumber(3), 3)
    );
    let doc = raw
        .find_one(member_filter(GUILD, USER))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(doc.get("total_warnings"), Some(&Bson::Int32(3)));
    db.teardown().await;
}

#[tokio::test]
async fn preparing_twice_is_harmless_and_indexes_exist() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    db.0.prepare().await.unwrap();
    let names = db.0.warnings_collection().list_index_names().await.unwrap();
    for name in [
        "_id_",
        "guild_id_1_user_id_1",
        "user_id_1",
        "guild_id_1_warnings.request_id_1",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let names = db.0.settings_collection().list_index_names().await.unwrap();
    assert!(names.iter().any(|n| n == "guild_id_1"), "{names:?}");
    db.teardown().await;
}

#[tokio::test]
async fn a_document_whose_ids_cannot_be_read_is_corrupt() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    db.0.warnings_collection()
        .insert_one(doc! {
            "user_id": USER.to_string(), "guild_id": GUILD.to_string(),
            "warnings": "none",
        })
        .await
        .unwrap();
    let err = db.0.warnings(GUILD, USER).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    db.teardown().await;
}

/// A field a newer release wrote survives this release's settings change: the change is a
/// `$set` of its own fields, never a replacement of the document.
#[tokio::test]
async fn a_settings_change_keeps_fields_this_release_does_not_know() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    db.0.settings_collection()
        .insert_one(doc! {
            "guild_id": GUILD.to_string(),
            "mod_log_channel_id": "444444444444444444",
            "escalation": [],
            "appeals_channel_id": "555555555555555555",
        })
        .await
        .unwrap();
    let after =
        db.0.update_moderation_settings(GUILD, &SettingsChange::mod_log_channel(None))
            .await
            .unwrap();
    assert_eq!(after.mod_log_channel, None);
    assert!(after.escalation.steps().is_empty(), "the policy was kept");
    let stored =
        db.0.settings_collection()
            .find_one(doc! { "guild_id": GUILD.to_string() })
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        stored.get_str("appeals_channel_id").unwrap(),
        "555555555555555555"
    );
    db.teardown().await;
}

mod legacy;
