#![doc = include_str!("../README.md")]

mod action;
mod content;
mod error;
mod links;
mod memory;
mod normalise;
mod patterns;
mod presets;
mod rules;
mod settings;
mod state;
mod store;
#[cfg(feature = "testkit")]
pub mod testkit;
mod words;

pub use self::{
    action::{
        Action, ESCALATION_STEPS_MAX, ESCALATION_VIOLATIONS_MAX, ESCALATION_WINDOW_MAX,
        EscalationStep, Response,
    },
    error::{Error, SettingsError},
    links::{DOMAINS_MAX, INVITES_ALLOWED_MAX},
    memory::MemoryStore,
    normalise::{Normalised, SPACED_LETTERS_MIN, normalise},
    patterns::{
        PATTERN_DFA_SIZE_LIMIT, PATTERN_MAX_CHARS, PATTERN_SIZE_LIMIT, PATTERNS_MAX,
        compile_pattern,
    },
    presets::{Preset, SCAM_PHRASES},
    rules::{
        CompiledRules, DUPLICATE_MIN_BYTES, EXCERPT_MAX_CHARS, Exemption, Hit, Message, NativeHit,
        Report, RuleKind,
    },
    settings::{
        AutomodSettings, CAPS_MIN_LETTERS_MIN, CapsLimit, DUPLICATE_WINDOW_MAX, DUPLICATES_MAX,
        DuplicateLimit, EXEMPTIONS_MAX, FLOOD_MAX, FloodLimit, InviteFilter, LinkFilter, LinkMode,
        MENTIONS_MAX, MentionLimit, PatternList, RATE_MESSAGES_MAX, RATE_WINDOW_MAX, RateLimit,
        WordEntry, WordList, WordMatch,
    },
    state::{AutomodState, STATE_MEMBERS_DEFAULT},
    store::{
        AutomodStore, HitRecord, RECENT_HITS_KEPT, UPDATE_ATTEMPTS, Versioned, update_settings,
    },
    words::{WILDCARD_LETTERS_MIN, WORD_MAX_CHARS, WORDS_MAX},
};
