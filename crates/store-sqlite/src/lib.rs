#![doc = include_str!("../README.md")]

#[cfg(feature = "moderation")]
mod cases;
mod connection;
#[cfg(test)]
mod file_fixture;
#[cfg(feature = "xp-engine")]
mod leveling;
#[cfg(feature = "moderation")]
mod lockdowns;
mod migrations;
#[cfg(feature = "moderation")]
mod moderation;
#[cfg(feature = "tickets")]
mod tickets;
#[cfg(feature = "moderation")]
mod timed_actions;

pub use self::connection::{BUSY_TIMEOUT, SqliteStore};
