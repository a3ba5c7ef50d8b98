#![doc = include_str!("../README.md")]

mod clock;
mod duration;
mod error;
mod id;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod text;
mod time;
pub mod timed;

pub use self::{
    clock::{Clock, ManualClock, SystemClock},
    duration::{
        Compact, DURATION_MAX, DurationBounds, DurationError, TIMEOUT_MAX, format_duration,
        format_duration_long, parse_duration,
    },
    error::{StoreError, StoreErrorKind},
    id::{ChannelId, GuildId, IdError, MessageId, RoleId, UserId},
    time::{Timestamp, UtcDateTime},
};
