//! The store every conformance suite here runs on: a file of its own, whose second handle is a
//! second `SqliteStore` (its own connection and thread) on the same file, as a second process
//! would open it.

use hearth_core::testkit::Fixture;

use crate::SqliteStore;

/// A store on a file in a temp dir that lives as long as the test.
#[derive(Debug)]
pub(crate) struct FileFixture {
    pub(crate) store: SqliteStore,
    pub(crate) dir: tempfile::TempDir,
}

impl Fixture for FileFixture {
    type Store = SqliteStore;

    fn store(&self) -> &SqliteStore {
        &self.store
    }

    async fn second_handle(&self) -> SqliteStore {
        SqliteStore::open(self.dir.path().join("hearth.db"))
            .await
            .unwrap()
    }

    async fn teardown(self) {}
}

/// A fresh store on a file of its own.
pub(crate) async fn fixture() -> FileFixture {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("hearth.db"))
        .await
        .unwrap();
    FileFixture { store, dir }
}
