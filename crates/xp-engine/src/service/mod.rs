//! The leveling service: rules and a store, returning what happened.
//!
//! One file per kind of work: [`message`] grants XP for a message, [`admin`] changes XP by
//! hand, [`board`] reads leaderboards, ranks and activity, [`config`] keeps settings, level
//! roles and boosts.

mod admin;
mod board;
mod config;
mod message;
#[cfg(test)]
mod tests;

pub use self::{
    admin::{XpChangeRequest, XpChanged},
    board::{ACTIVITY_DAYS_MAX, LEADERBOARD_PAGE_SIZE, LeaderboardPage, MemberRank},
    message::{MessageRequest, MessageXp},
};

/// Leveling for any number of guilds over one store.
///
/// It never talks to Discord: each method returns an outcome, and the caller (the bot) carries
/// out what it says — sends the announcement, adds and removes roles, and so on.
#[derive(Clone, Debug)]
pub struct Leveling<S> {
    store: S,
}

impl<S> Leveling<S> {
    /// A service over `store`.
    pub fn new(store: S) -> Self {
        Self { store }
    }

    /// The store underneath.
    pub fn store(&self) -> &S {
        &self.store
    }
}
