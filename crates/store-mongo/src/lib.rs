#![cfg_attr(feature = "moderation", doc = include_str!("../README.md"))]
#![cfg_attr(
    not(feature = "moderation"),
    doc = "MongoDB storage for Hearth; enable the `moderation` feature for the moderation stores."
)]
// The shared helpers (lenient readers, upsert retries, start-up) serve the domain modules; with
// every domain feature off there is nothing for them to do.
#![cfg_attr(not(feature = "moderation"), allow(dead_code, clippy::unused_async))]

#[cfg(feature = "automod")]
mod automod;
#[cfg(feature = "xp-engine")]
mod leveling;
#[cfg(feature = "moderation")]
mod moderation;
mod read;
#[cfg(feature = "roles")]
mod roles;
mod store;
#[cfg(feature = "tickets")]
mod tickets;
#[cfg(feature = "moderation")]
mod timed_actions;

pub use self::store::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_DATABASE, DEFAULT_SERVER_SELECTION_TIMEOUT, MongoStore,
};
