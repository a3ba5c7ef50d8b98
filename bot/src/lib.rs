//! The Hearth bot as a library: what the `hearth` binary runs, and what the end-to-end tests
//! drive.
//!
//! The Discord side (gateway shards, interaction routing, `hearth try`) is being built; today
//! the library chooses and opens the database.

pub mod database;
pub mod store;
