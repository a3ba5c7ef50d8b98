#![doc = include_str!("../README.md")]

mod batch;
mod connection;
#[cfg(test)]
mod file_fixture;
#[cfg(feature = "xp-engine")]
mod leveling;
mod migrations;
#[cfg(feature = "moderation")]
mod moderation;
#[cfg(feature = "tickets")]
mod tickets;
#[cfg(feature = "roles")]
mod roles;
#[cfg(feature = "moderation")]
mod timed_actions;

pub use self::{
    batch::BATCH_MAX,
    connection::{BUSY_TIMEOUT, SqliteStore},
};
