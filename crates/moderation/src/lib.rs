#![doc = include_str!("../README.md")]

mod case;
mod error;
mod escalation;
mod lockdown;
mod memory;
mod policy_text;
mod service;
mod settings;
mod store;
#[cfg(feature = "testkit")]
pub mod testkit;
mod warning;

pub use self::{
    case::{Case, CaseAction, NewCase},
    error::{Error, PolicyError},
    escalation::{
        ESCALATION_STEPS_MAX, ESCALATION_WARNINGS_MAX, EscalationPolicy, EscalationStep, Punishment,
    },
    lockdown::{Lockdown, LockdownStore, Overwrite},
    memory::MemoryStore,
    service::{Moderation, WarnOutcome, WarnRequest, Warned},
    settings::{ModerationSettings, SettingsChange},
    store::{AddedWarning, CaseStore, ModerationSettingsStore, WarningList, WarningStore},
    warning::{
        CaseNumber, NewWarning, REASON_MAX_CHARS, Reason, RequestId, Warning, sort_newest_first,
    },
};
