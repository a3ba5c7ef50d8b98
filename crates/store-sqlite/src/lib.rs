#![doc = include_str!("../README.md")]

#[cfg(feature = "automod")]
mod automod;
mod batch;
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
#[cfg(feature = "roles")]
mod roles;
#[cfg(feature = "tickets")]
mod tickets;
#[cfg(feature = "moderation")]
mod timed_actions;

pub use self::{
    batch::{BATCH_MAX, IDLE_COMMIT, OPEN_MAX},
    connection::{BUSY_TIMEOUT, SqliteStore, StoreCalls},
};
