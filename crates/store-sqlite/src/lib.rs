#![doc = include_str!("../README.md")]

mod connection;
mod migrations;
#[cfg(feature = "moderation")]
mod moderation;

pub use self::connection::{BUSY_TIMEOUT, SqliteStore};
