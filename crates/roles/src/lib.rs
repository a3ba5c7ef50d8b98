#![doc = include_str!("../README.md")]

mod autorole;
mod error;
mod memory;
mod menu;
mod service;
mod store;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use self::{
    autorole::{
        AUTOROLE_DELAY_MAX, AUTOROLES_MAX, Autorole, AutoroleTarget, Joined, PendingGrant,
        grants_for,
    },
    error::Error,
    memory::MemoryStore,
    menu::{
        COMPONENT_OPTIONS_MAX, Choice, ClickRefusal, LABEL_MAX_CHARS, MenuEmoji, MenuKind,
        MenuMode, MenuOption, REACTION_OPTIONS_MAX, REQUIRED_MAX, RoleChange, RoleMenu,
        TITLE_MAX_CHARS,
    },
    service::{EDIT_RETRIES, MenuEdit, RoleDeleted, Roles},
    store::{AutoroleStore, RoleMenuStore},
};
