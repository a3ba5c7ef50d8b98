#![cfg_attr(feature = "moderation", doc = include_str!("../README.md"))]
#![cfg_attr(
    not(feature = "moderation"),
    doc = "MongoDB storage for Hearth; enable the `moderation` feature for the moderation stores."
)]

#[cfg(feature = "moderation")]
mod moderation;
mod read;
mod store;

pub use self::store::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_DATABASE, DEFAULT_SERVER_SELECTION_TIMEOUT, MongoStore,
};
