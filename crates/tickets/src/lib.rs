#![doc = include_str!("../README.md")]

// The transcript tests share the benchmark's sample, which names this crate.
#[cfg(test)]
extern crate self as hearth_tickets;

mod auto_close;
mod close_request;
mod error;
mod limits;
mod memory;
mod overflow;
mod panel;
mod permission;
mod rating;
mod service;
mod settings;
mod stats;
mod store;
#[cfg(test)]
mod testing;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
mod ticket;
pub mod transcript;

pub use self::{
    auto_close::{
        AutoClosePolicy, AutoCloseStep, GRACE_MAX, GRACE_MIN, INACTIVE_AFTER_MAX,
        INACTIVE_AFTER_MIN,
    },
    close_request::{
        CLOSE_REQUEST_DELAY_MAX, CLOSE_REQUEST_DELAY_MIN, CloseRequest, UNANSWERED_REASON,
    },
    error::{Error, SettingsError},
    limits::{
        LimitHit, MAX_OPEN_DEFAULT, MAX_OPEN_LIMIT, MAX_PER_WINDOW_DEFAULT, MAX_PER_WINDOW_LIMIT,
        MemberLimits, WINDOW_DEFAULT, WINDOW_MAX, WINDOW_MIN,
    },
    memory::MemoryStore,
    overflow::{CATEGORY_CHANNELS_MAX, Placement, place},
    panel::{Panel, TranscriptRecord},
    permission::{Action, Actor, Denied, decide},
    rating::{RATING_COMMENT_MAX_CHARS, RATING_MAX, RATING_MIN, Rating, RatingScore},
    service::{Act, AutoCloseOutcome, Closed, OpenRequest, Tickets, UPDATE_RETRIES},
    settings::{
        CATEGORIES_MAX, CATEGORY_KEY_MAX_CHARS, CATEGORY_LABEL_MAX_CHARS, Category,
        QUESTION_MAX_CHARS, QUESTIONS_MAX, Question, TicketSettings,
    },
    stats::{Spread, StaffStats, TicketStats},
    store::{TicketSettingsStore, TicketStore},
    ticket::{
        Answer, NewTicket, TICKET_REASON_MAX_CHARS, Ticket, TicketNumber, TicketStatus,
        check_reason,
    },
};
