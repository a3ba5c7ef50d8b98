//! The conformance suite every ticket store must pass.
//!
//! Each behaviour is a `pub async fn` named as a sentence, taking a fresh, empty store. A
//! backend runs them all with one macro line in its tests:
//!
//! ```ignore
//! hearth_tickets::ticket_store_suite!(|| async {
//!     let dir = tempfile::tempdir().unwrap();
//!     let store = SqliteStore::open(dir.path().join("t.db")).await.unwrap();
//!     (store, dir) // the second half is dropped after the test: a guard, or ()
//! });
//! ```
//!
//! The macro expands into one `#[tokio::test(flavor = "multi_thread", worker_threads = 4)]`
//! per behaviour (the calling crate needs `tokio` with `macros` and `rt-multi-thread` as a
//! dev-dependency). The parallel behaviours (module `parallel`) take two handles on the same
//! data ([`Fixture::second_handle`]) and a [`Spawn`]er, so their tasks really run at once. The
//! factory forms are those of `hearth_moderation::moderation_store_suite!`: `[attrs] factory`
//! and `[attrs] optional factory`.
//!
//! Every function panics, as a test does, when the store breaks the behaviour it describes or
//! returns an error.

#![allow(clippy::missing_panics_doc)]

mod parallel;

use std::time::Duration;

use hearth_core::{ChannelId, GuildId, MessageId, RoleId, Timestamp, UserId};

pub use self::parallel::concurrent_dequeues_give_a_queued_ticket_one_channel;
pub use self::parallel::{
    concurrent_claims_let_exactly_one_claim, concurrent_opens_at_the_limit_let_exactly_one_through,
    concurrent_opens_get_distinct_numbers,
};
use crate::{
    Answer, AutoClosePolicy, Category, LimitHit, MemberLimits, NewTicket, Panel, Question, Rating,
    RatingScore, TICKET_REASON_MAX_CHARS, Ticket, TicketNumber, TicketSettings,
    TicketSettingsStore, TicketStatus, TicketStore, TranscriptRecord,
};

#[doc(hidden)]
pub use hearth_core::__store_suite;
pub use hearth_core::testkit::{Fixture, Spawn};

const GUILD: GuildId = GuildId::new(1_000);
const OTHER_GUILD: GuildId = GuildId::new(2_000);
const ALICE: UserId = UserId::new(11);
const BOB: UserId = UserId::new(12);
const STAFF: UserId = UserId::new(99);
const HOUR: Duration = Duration::from_secs(3_600);

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_secs(1_700_000_000 + secs)
}

fn new_ticket(guild: GuildId, opener: UserId, secs: i64) -> NewTicket {
    NewTicket {
        guild,
        opener,
        category: "support".into(),
        reason: Some("it broke".into()),
        answers: vec![Answer {
            question: "Order number?".into(),
            answer: "A-1".into(),
        }],
        created_at: at(secs),
    }
}

/// Generous limits, so only the behaviour under test limits anything.
fn roomy() -> MemberLimits {
    MemberLimits {
        max_open: 25,
        max_per_window: 100,
        window: HOUR,
    }
}

/// Opens a ticket that must be allowed.
async fn open(store: &impl TicketStore, new: NewTicket, limits: MemberLimits) -> Ticket {
    store
        .open_ticket(new, limits)
        .await
        .unwrap()
        .expect("within the limits")
}

/// Closes a ticket through `update_ticket`, which must succeed.
async fn close(store: &impl TicketStore, ticket: &Ticket, secs: i64) -> Ticket {
    let closed = ticket.close(Some(STAFF), None, at(secs)).unwrap();
    store
        .update_ticket(&closed)
        .await
        .unwrap()
        .expect("not stale")
}

/// An opened ticket comes back numbered from 1 per guild, with every field as given, open,
/// without a channel, at revision 0, and reads back the same.
pub async fn opened_tickets_are_numbered_per_guild_with_all_fields(store: &impl TicketStore) {
    let new = new_ticket(GUILD, ALICE, 5);
    let first = open(store, new.clone(), roomy()).await;
    assert_eq!(first, Ticket::from_new(new, TicketNumber(1)));
    let second = open(store, new_ticket(GUILD, BOB, 6), roomy()).await;
    assert_eq!(second.number, TicketNumber(2));
    let elsewhere = open(store, new_ticket(OTHER_GUILD, ALICE, 7), roomy()).await;
    assert_eq!(elsewhere.number, TicketNumber(1));
    assert_eq!(
        store.ticket(GUILD, TicketNumber(1)).await.unwrap(),
        Some(first)
    );
    assert_eq!(store.ticket(GUILD, TicketNumber(3)).await.unwrap(), None);
}

/// A member with as many active tickets as allowed is refused and takes no number; once one
/// closes they may open again, and the numbers carry on.
pub async fn a_member_at_the_open_limit_is_refused_until_one_closes(store: &impl TicketStore) {
    let limits = MemberLimits {
        max_open: 2,
        ..roomy()
    };
    let first = open(store, new_ticket(GUILD, ALICE, 0), limits).await;
    open(store, new_ticket(GUILD, ALICE, 1), limits).await;
    let refused = store
        .open_ticket(new_ticket(GUILD, ALICE, 2), limits)
        .await
        .unwrap();
    assert_eq!(refused, Err(LimitHit::TooManyOpen { max: 2 }));
    // Others are not limited by Alice's tickets.
    assert_eq!(
        open(store, new_ticket(GUILD, BOB, 3), limits).await.number,
        TicketNumber(3)
    );
    close(store, &first, 4).await;
    assert_eq!(
        open(store, new_ticket(GUILD, ALICE, 5), limits)
            .await
            .number,
        TicketNumber(4)
    );
}

/// Closed tickets count towards the window limit while inside it; the refusal says when the
/// oldest leaves; a ticket opened exactly one window ago no longer counts.
pub async fn the_window_limit_counts_closed_tickets_and_says_when_to_retry(
    store: &impl TicketStore,
) {
    let limits = MemberLimits {
        max_open: 5,
        max_per_window: 2,
        window: HOUR,
    };
    let first = open(store, new_ticket(GUILD, ALICE, 0), limits).await;
    close(store, &first, 10).await;
    let second = open(store, new_ticket(GUILD, ALICE, 600), limits).await;
    close(store, &second, 610).await;
    let refused = store
        .open_ticket(new_ticket(GUILD, ALICE, 1_200), limits)
        .await
        .unwrap();
    assert_eq!(
        refused,
        Err(LimitHit::TooManyRecent {
            max: 2,
            window: HOUR,
            retry_at: at(3_600)
        })
    );
    assert_eq!(
        open(store, new_ticket(GUILD, ALICE, 3_600), limits)
            .await
            .number,
        TicketNumber(3)
    );
}

/// An abandoned ticket is gone and frees its slot; its number is not handed out again.
pub async fn an_abandoned_ticket_frees_its_slot_but_not_its_number(store: &impl TicketStore) {
    let limits = MemberLimits {
        max_open: 1,
        max_per_window: 1,
        window: HOUR,
    };
    let ticket = open(store, new_ticket(GUILD, ALICE, 0), limits).await;
    assert!(store.abandon_ticket(GUILD, ticket.number).await.unwrap());
    assert!(!store.abandon_ticket(GUILD, ticket.number).await.unwrap());
    assert_eq!(store.ticket(GUILD, ticket.number).await.unwrap(), None);
    let next = open(store, new_ticket(GUILD, ALICE, 1), limits).await;
    assert_eq!(next.number, TicketNumber(2));
}

/// An update writes every changeable field (a close request's reason and deadline included),
/// returns the ticket at the next revision, and leaves the fixed fields as opened whatever the
/// caller put in them.
pub async fn updates_write_every_changeable_field_and_bump_the_revision(store: &impl TicketStore) {
    let opened = open(store, new_ticket(GUILD, ALICE, 0), roomy()).await;
    let mut changed = opened
        .with_channel(ChannelId::new(555))
        .unwrap()
        .message(STAFF, true, at(30))
        .unwrap()
        .claim(STAFF)
        .unwrap()
        .warn_inactive(at(40))
        .unwrap()
        .request_close(STAFF, Some("all sorted?"), Some(HOUR), at(45))
        .unwrap();
    let written = store.update_ticket(&changed).await.unwrap().unwrap();
    changed.revision = 1;
    assert_eq!(written, changed);
    let rating = Rating::new(RatingScore::new(4).unwrap(), Some("quick, thanks")).unwrap();
    let mut closed = written
        .close(Some(STAFF), Some("done"), at(50))
        .unwrap()
        .rate(rating)
        .unwrap();
    let mut tampered = closed.clone();
    tampered.opener = BOB;
    tampered.category = "other".into();
    tampered.reason = None;
    tampered.created_at = at(-5);
    let written = store.update_ticket(&tampered).await.unwrap().unwrap();
    closed.revision = 2;
    assert_eq!(written, closed);
    assert_eq!(
        store.ticket(GUILD, opened.number).await.unwrap(),
        Some(closed)
    );
}

/// An update made on an old revision (another writer came first) writes nothing and returns
/// `None`; so does an update of a ticket that does not exist.
pub async fn a_stale_update_writes_nothing(store: &impl TicketStore) {
    let opened = open(store, new_ticket(GUILD, ALICE, 0), roomy()).await;
    let claimed = store
        .update_ticket(&opened.claim(STAFF).unwrap())
        .await
        .unwrap()
        .unwrap();
    let late = opened.close(Some(BOB), None, at(9)).unwrap();
    assert_eq!(store.update_ticket(&late).await.unwrap(), None);
    assert_eq!(
        store.ticket(GUILD, opened.number).await.unwrap(),
        Some(claimed)
    );
    let mut ghost = opened;
    ghost.number = TicketNumber(77);
    assert_eq!(store.update_ticket(&ghost).await.unwrap(), None);
    assert_eq!(store.ticket(GUILD, TicketNumber(77)).await.unwrap(), None);
}

/// A ticket is found by its channel in its guild only.
pub async fn tickets_are_found_by_channel(store: &impl TicketStore) {
    let channel = ChannelId::new(4_242);
    let opened = open(store, new_ticket(GUILD, ALICE, 0), roomy()).await;
    assert_eq!(store.ticket_in_channel(GUILD, channel).await.unwrap(), None);
    let placed = store
        .update_ticket(&opened.with_channel(channel).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.ticket_in_channel(GUILD, channel).await.unwrap(),
        Some(placed)
    );
    assert_eq!(
        store.ticket_in_channel(OTHER_GUILD, channel).await.unwrap(),
        None
    );
}

/// Active tickets exclude closed ones; tickets since a time include closed ones opened at or
/// after it; both by number and per guild.
pub async fn tickets_are_listed_by_number_per_guild(store: &impl TicketStore) {
    let first = open(store, new_ticket(GUILD, ALICE, 0), roomy()).await;
    let second = open(store, new_ticket(GUILD, BOB, 10), roomy()).await;
    let third = open(store, new_ticket(GUILD, ALICE, 20), roomy()).await;
    open(store, new_ticket(OTHER_GUILD, ALICE, 30), roomy()).await;
    let second = close(store, &second, 40).await;
    let numbers = |list: Vec<Ticket>| list.into_iter().map(|t| t.number.0).collect::<Vec<_>>();
    assert_eq!(numbers(store.active_tickets(GUILD).await.unwrap()), [1, 3]);
    let since = store.tickets_since(GUILD, at(10)).await.unwrap();
    assert_eq!(since, [second, third]);
    assert_eq!(
        numbers(store.tickets_since(GUILD, at(0)).await.unwrap()),
        [1, 2, 3]
    );
    assert_eq!(store.active_tickets(GuildId::new(3_000)).await.unwrap(), []);
    assert_eq!(first.number, TicketNumber(1));
}

/// Transcript records come back oldest first, per ticket.
pub async fn transcript_records_are_listed_oldest_first(store: &impl TicketStore) {
    let record = |ticket, secs, log| TranscriptRecord {
        guild: GUILD,
        ticket: TicketNumber(ticket),
        created_at: at(secs),
        messages: 120,
        omitted: 0,
        log_message: log,
    };
    let later = record(1, 50, Some((ChannelId::new(7), MessageId::new(8))));
    let earlier = TranscriptRecord {
        omitted: 3,
        ..record(1, 10, None)
    };
    store.record_transcript(later.clone()).await.unwrap();
    store.record_transcript(earlier.clone()).await.unwrap();
    store.record_transcript(record(2, 20, None)).await.unwrap();
    assert_eq!(
        store.transcripts(GUILD, TicketNumber(1)).await.unwrap(),
        [earlier, later]
    );
    assert_eq!(
        store
            .transcripts(OTHER_GUILD, TicketNumber(1))
            .await
            .unwrap(),
        []
    );
}

/// Deleting a user's data removes the tickets they opened everywhere (and their transcript
/// records), not those of others.
pub async fn deleting_user_data_removes_the_tickets_they_opened(store: &impl TicketStore) {
    let mine = open(store, new_ticket(GUILD, ALICE, 0), roomy()).await;
    open(store, new_ticket(OTHER_GUILD, ALICE, 1), roomy()).await;
    let bobs = open(store, new_ticket(GUILD, BOB, 2), roomy()).await;
    store
        .record_transcript(TranscriptRecord {
            guild: GUILD,
            ticket: mine.number,
            created_at: at(3),
            messages: 1,
            omitted: 0,
            log_message: None,
        })
        .await
        .unwrap();
    assert_eq!(store.delete_user_data(ALICE).await.unwrap(), 2);
    assert_eq!(store.delete_user_data(ALICE).await.unwrap(), 0);
    assert_eq!(store.ticket(GUILD, mine.number).await.unwrap(), None);
    assert_eq!(store.transcripts(GUILD, mine.number).await.unwrap(), []);
    assert_eq!(store.ticket(GUILD, bobs.number).await.unwrap(), Some(bobs));
}

/// The longest reason, answers and comment, in several scripts and emoji, come back intact.
pub async fn longest_texts_in_any_script_are_kept_intact(store: &impl TicketStore) {
    let text: String = "Ωж日👩‍👩‍👧'\"\\$%{}"
        .chars()
        .cycle()
        .take(TICKET_REASON_MAX_CHARS)
        .collect();
    let mut new = new_ticket(GUILD, ALICE, 0);
    new.reason = Some(text.clone());
    new.answers = vec![Answer {
        question: "Q?".into(),
        answer: text.clone(),
    }];
    let opened = open(store, new, roomy()).await;
    let comment: String = text.chars().take(crate::RATING_COMMENT_MAX_CHARS).collect();
    let rating = Rating::new(RatingScore::new(1).unwrap(), Some(&comment)).unwrap();
    let closed = opened
        .close(None, Some(&text), at(1))
        .unwrap()
        .rate(rating)
        .unwrap();
    let written = store.update_ticket(&closed).await.unwrap().unwrap();
    assert_eq!(
        store.ticket(GUILD, opened.number).await.unwrap(),
        Some(written.clone())
    );
    assert_eq!(written.reason, Some(text.clone()));
    assert_eq!(written.close_reason, Some(text));
}

fn settings() -> TicketSettings {
    TicketSettings {
        categories: vec![Category {
            key: "billing".into(),
            label: "Billing ✨".into(),
            parent: ChannelId::new(900),
            overflow: vec![ChannelId::new(901), ChannelId::new(902)],
            support_roles: vec![RoleId::new(70), RoleId::new(71)],
            questions: vec![Question {
                label: "Order number?".into(),
                required: true,
            }],
            others_reply_when_claimed: true,
        }],
        limits: MemberLimits {
            max_open: 2,
            max_per_window: 5,
            window: 6 * HOUR,
        },
        auto_close: Some(AutoClosePolicy {
            inactive_after: 48 * HOUR,
            grace: 2 * HOUR,
        }),
        log_channel: Some(ChannelId::new(333)),
    }
}

/// Settings read back as saved, replaced by a second save, per guild; none saved is `None`.
pub async fn settings_are_saved_replaced_and_isolated_per_guild(store: &impl TicketSettingsStore) {
    assert_eq!(store.ticket_settings(GUILD).await.unwrap(), None);
    let saved = settings();
    store.save_ticket_settings(GUILD, &saved).await.unwrap();
    assert_eq!(store.ticket_settings(GUILD).await.unwrap(), Some(saved));
    store
        .save_ticket_settings(GUILD, &TicketSettings::default())
        .await
        .unwrap();
    assert_eq!(
        store.ticket_settings(GUILD).await.unwrap(),
        Some(TicketSettings::default())
    );
    assert_eq!(store.ticket_settings(OTHER_GUILD).await.unwrap(), None);
}

/// Panels are keyed by message: saved, replaced, listed by message id per guild, deleted once.
pub async fn panels_are_saved_replaced_listed_and_deleted(store: &impl TicketSettingsStore) {
    let panel = |message, categories: &[&str]| Panel {
        guild: GUILD,
        channel: ChannelId::new(50),
        message: MessageId::new(message),
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
    };
    store.save_panel(&panel(20, &["a"])).await.unwrap();
    store.save_panel(&panel(10, &["a", "b"])).await.unwrap();
    store.save_panel(&panel(20, &["c"])).await.unwrap();
    assert_eq!(
        store.panels(GUILD).await.unwrap(),
        [panel(10, &["a", "b"]), panel(20, &["c"])]
    );
    assert_eq!(store.panels(OTHER_GUILD).await.unwrap(), []);
    assert!(store.delete_panel(GUILD, MessageId::new(10)).await.unwrap());
    assert!(!store.delete_panel(GUILD, MessageId::new(10)).await.unwrap());
    assert_eq!(store.panels(GUILD).await.unwrap(), [panel(20, &["c"])]);
}

/// Statuses of every kind read back (a sanity check on the stored names).
pub async fn every_status_reads_back(store: &impl TicketStore) {
    let opened = open(store, new_ticket(GUILD, ALICE, 0), roomy()).await;
    let mut current = opened;
    for next in [
        |t: &Ticket| t.claim(STAFF),
        |t: &Ticket| t.request_close(STAFF, None, None, at(4)),
        |t: &Ticket| t.close(None, None, at(5)),
    ] {
        current = store
            .update_ticket(&next(&current).unwrap())
            .await
            .unwrap()
            .unwrap();
        let read = store.ticket(GUILD, current.number).await.unwrap().unwrap();
        assert_eq!(read.status, current.status);
    }
    assert_eq!(current.status, TicketStatus::Closed);
}

/// Runs the whole conformance suite as `#[tokio::test]`s against stores made by a factory
/// whose store implements [`TicketStore`] and [`TicketSettingsStore`]; the forms are those of
/// `hearth_moderation::moderation_store_suite!` (`factory`, `[attrs] factory`,
/// `[attrs] optional factory`).
#[macro_export]
macro_rules! ticket_store_suite {
    ([$(#[$attr:meta])*] optional $factory:expr) => {
        $crate::__ticket_store_suite! { [$(#[$attr])*] (optional $factory) }
    };
    ([$(#[$attr:meta])*] $factory:expr) => {
        $crate::__ticket_store_suite! { [$(#[$attr])*] (required $factory) }
    };
    ($factory:expr) => {
        $crate::ticket_store_suite!([] $factory);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __ticket_store_suite {
    ([$($attr:tt)*] $factory:tt) => {
        $crate::testkit::__store_suite! {
            [$crate] [$($attr)*] $factory;
            opened_tickets_are_numbered_per_guild_with_all_fields,
            a_member_at_the_open_limit_is_refused_until_one_closes,
            the_window_limit_counts_closed_tickets_and_says_when_to_retry,
            an_abandoned_ticket_frees_its_slot_but_not_its_number,
            updates_write_every_changeable_field_and_bump_the_revision,
            a_stale_update_writes_nothing,
            tickets_are_found_by_channel,
            tickets_are_listed_by_number_per_guild,
            transcript_records_are_listed_oldest_first,
            deleting_user_data_removes_the_tickets_they_opened,
            longest_texts_in_any_script_are_kept_intact,
            settings_are_saved_replaced_and_isolated_per_guild,
            panels_are_saved_replaced_listed_and_deleted,
            every_status_reads_back,
        }
        $crate::testkit::__store_suite! {
            @parallel [$crate] [$($attr)*] $factory;
            concurrent_opens_at_the_limit_let_exactly_one_through,
            concurrent_opens_get_distinct_numbers,
            concurrent_claims_let_exactly_one_claim,
            concurrent_dequeues_give_a_queued_ticket_one_channel,
        }
    };
}
