//! Opening the store a [`DatabaseUrl`] names.

use hearth_core::StoreError;
use hearth_store_mongo::MongoStore;
use hearth_store_sqlite::SqliteStore;

use crate::database::DatabaseUrl;

/// An open store of whichever backend the URL chose. The bot matches on it once, at start-up,
/// and runs generically over the store inside.
#[derive(Debug)]
pub enum OpenedStore {
    /// Embedded SQLite.
    Sqlite(SqliteStore),
    /// MongoDB.
    Mongo(MongoStore),
}

impl OpenedStore {
    /// A few words for the start-up line.
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Sqlite(store) if store.path().is_some() => "SQLite file, schema up to date",
            Self::Sqlite(_) => "SQLite in memory; nothing is kept after exit",
            Self::Mongo(_) => "MongoDB, indexes in place",
        }
    }
}

/// Opens the store `url` names.
///
/// # Errors
///
/// The backend's [`StoreError`] when the database cannot be opened or reached.
pub async fn open(url: &DatabaseUrl) -> Result<OpenedStore, StoreError> {
    match url {
        DatabaseUrl::Sqlite(Some(path)) => SqliteStore::open(path).await.map(OpenedStore::Sqlite),
        DatabaseUrl::Sqlite(None) => SqliteStore::open_in_memory().await.map(OpenedStore::Sqlite),
        DatabaseUrl::Mongo(uri) => MongoStore::connect(uri, None).await.map(OpenedStore::Mongo),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_url_creates_the_file_and_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/hearth.db");
        let url =
            DatabaseUrl::parse(&format!("sqlite://{}", path.display()), "HEARTH_DATABASE").unwrap();
        let store = open(&url).await.unwrap();
        assert!(path.exists());
        assert_eq!(store.describe(), "SQLite file, schema up to date");
    }

    #[tokio::test]
    async fn unreachable_mongodb_fails_fast_with_a_clear_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = DatabaseUrl::parse(
            &format!("mongodb://127.0.0.1:{port}/hearth?serverSelectionTimeoutMS=300"),
            "HEARTH_DATABASE",
        )
        .unwrap();
        let started = std::time::Instant::now();
        let err = open(&url).await.unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(err.kind(), hearth_core::StoreErrorKind::Unavailable);
    }
}
