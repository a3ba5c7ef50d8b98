//! The Hearth bot as a library: what the `hearth` binary runs, and what the end-to-end tests
//! drive.

pub mod ack;
pub mod automod;
pub mod config;
pub mod context;
pub mod custom_id;
pub mod database;
pub mod discord;
pub mod feature;
pub mod features;
pub mod guild_set;
pub mod handler;
pub mod hierarchy;
pub mod http;
pub mod interaction;
pub mod leveling;
pub mod metrics;
pub mod moderation;
pub mod modlog;
pub mod pipeline;
pub mod reply;
pub mod roles;
pub mod run;
pub mod scheduler;
pub mod settings;
pub mod store;
pub mod tickets;
pub mod try_mode;

pub use self::{
    config::Config,
    run::{RunError, Running, run, start, start_at, start_on},
};
