#![doc = include_str!("../README.md")]

mod announce;
mod boost;
mod curve;
mod error;
mod grant;
mod member;
mod memory;
mod multiplier;
mod roles;
mod service;
mod settings;
mod store;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use self::{
    announce::{Announce, AnnounceTo, Announcement, TEMPLATE_MAX_CHARS, Template},
    boost::{
        BOOST_DURATION, BOOST_MAX, BOOST_MIN, BOOSTS_MAX, Boost, BoostId, BoostScope, NewBoost,
        boost_for,
    },
    curve::{LEVEL_MAX, Progress, XP_MAX, level_for, total_xp_for, xp_to_next_level},
    error::Error,
    grant::{
        Author, MESSAGE_XP_MAX, MESSAGE_XP_MIN, Skip, XP_COOLDOWN, eligibility, grant_amount,
        message_xp,
    },
    member::{Activity, Adjusted, Day, GrantOutcome, GrantRequest, MemberXp, Ranked, XpChange},
    memory::MemoryStore,
    multiplier::{Multiplier, XP_RATE_MAX, XP_RATE_MIN, XpRate},
    roles::{LEVEL_ROLES_MAX, LevelRoles, RoleChanges, RoleMode},
    service::{
        ACTIVITY_DAYS_MAX, LEADERBOARD_PAGE_SIZE, LeaderboardPage, Leveling, MemberRank,
        MessageRequest, MessageXp, XpChangeRequest, XpChanged,
    },
    settings::{LevelSettings, NO_XP_CHANNELS_MAX, NO_XP_ROLES_MAX, SettingsChange},
    store::{BoostStore, LevelSettingsStore, XpStore},
};
