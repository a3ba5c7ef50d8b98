use std::time::Duration;

use hearth_core::RoleId;

use super::*;
use crate::{MemberLimits, MemoryStore, RatingScore, TicketStatus, testing::category};

const GUILD: GuildId = GuildId::new(1);
const ALICE: UserId = UserId::new(10);
const BOB: UserId = UserId::new(20);
const SUPPORT: RoleId = RoleId::new(7);
const HOUR: Duration = Duration::from_secs(3_600);

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_secs(1_700_000_000 + secs)
}

fn settings() -> TicketSettings {
    let mut support = category("support");
    support.support_roles = vec![SUPPORT];
    support.questions = vec![crate::Question {
        label: "Order number?".into(),
        required: true,
    }];
    TicketSettings {
        categories: vec![support],
        limits: MemberLimits {
            max_open: 3,
            max_per_window: 10,
            window: HOUR,
        },
        auto_close: Some(AutoClosePolicy {
            inactive_after: 24 * HOUR,
            grace: HOUR,
        }),
        log_channel: None,
    }
}

fn open_request<'a>(
    settings: &'a TicketSettings,
    answers: &'a [Option<&'a str>],
    secs: i64,
) -> OpenRequest<'a> {
    OpenRequest {
        guild: GUILD,
        opener: ALICE,
        category: "support",
        reason: Some("  my order never came  "),
        answers,
        settings,
        now: at(secs),
    }
}

fn act<'a>(
    settings: &'a TicketSettings,
    number: TicketNumber,
    user: UserId,
    roles: &'a [RoleId],
    secs: i64,
) -> Act<'a> {
    Act {
        guild: GUILD,
        number,
        actor: Actor {
            user,
            roles,
            admin: false,
        },
        settings,
        now: at(secs),
    }
}

/// A ticket desk over a fresh memory store, with [`settings`].
fn desk() -> (Tickets<MemoryStore>, TicketSettings) {
    (Tickets::new(MemoryStore::new()), settings())
}

/// Opens a ticket for Alice that must be allowed.
async fn open(tickets: &Tickets<MemoryStore>, settings: &TicketSettings, secs: i64) -> Ticket {
    tickets
        .open(open_request(settings, &[Some("A-1")], secs))
        .await
        .unwrap()
}

#[tokio::test]
async fn opening_keeps_the_reason_and_answers_and_refuses_unknown_categories() {
    let (tickets, settings) = desk();
    let ticket = tickets
        .open(open_request(&settings, &[Some("A-17")], 0))
        .await
        .unwrap();
    assert_eq!(ticket.reason.as_deref(), Some("my order never came"));
    assert_eq!(
        ticket.answers,
        [Answer {
            question: "Order number?".into(),
            answer: "A-17".into()
        }]
    );
    let mut unknown = open_request(&settings, &[Some("A-1")], 1);
    unknown.category = "sales";
    let err = tickets.open(unknown).await.unwrap_err();
    assert_eq!(err.to_string(), "there is no ticket category `sales` here");
    let long = "x".repeat(crate::TICKET_REASON_MAX_CHARS + 1);
    let mut too_long = open_request(&settings, &[Some("A-1")], 2);
    too_long.reason = Some(&long);
    assert!(matches!(
        tickets.open(too_long).await,
        Err(Error::ReasonTooLong { .. })
    ));
    assert_eq!(
        tickets.store().active_tickets(GUILD).await.unwrap().len(),
        1,
        "refusals store nothing"
    );
}

#[tokio::test]
async fn a_refused_action_changes_nothing() {
    let (tickets, settings) = desk();
    let ticket = open(&tickets, &settings, 0).await;
    let err = tickets
        .claim(&act(&settings, ticket.number, BOB, &[], 1))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "only the support team can claim this ticket"
    );
    let err = tickets
        .close(&act(&settings, ticket.number, BOB, &[], 1), None)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "only the support team can close this ticket"
    );
    assert_eq!(
        tickets.store().ticket(GUILD, ticket.number).await.unwrap(),
        Some(ticket)
    );
}

#[tokio::test]
async fn closing_names_the_next_queued_ticket_of_the_category() {
    let (tickets, settings) = desk();
    let first = open(&tickets, &settings, 0).await;
    tickets
        .assign_channel(GUILD, first.number, ChannelId::new(500))
        .await
        .unwrap();
    let queued = open(&tickets, &settings, 1).await;
    // Found no room: into the queue.
    tickets.enqueue(GUILD, queued.number).await.unwrap();
    let roles = [SUPPORT];
    let closed = tickets
        .close(&act(&settings, first.number, BOB, &roles, 2), Some("done"))
        .await
        .unwrap();
    assert_eq!(closed.ticket.closed_by, Some(BOB));
    assert_eq!(closed.next_in_queue.map(|t| t.number), Some(queued.number));
}

#[tokio::test]
async fn the_opener_rates_once_after_close() {
    let (tickets, settings) = desk();
    let ticket = open(&tickets, &settings, 0).await;
    let five = Rating::new(RatingScore::new(5).unwrap(), Some("great")).unwrap();
    let early = tickets
        .rate(&act(&settings, ticket.number, ALICE, &[], 1), five.clone())
        .await;
    assert!(matches!(early, Err(Error::NotClosed { .. })));
    tickets
        .close(&act(&settings, ticket.number, ALICE, &[], 2), None)
        .await
        .unwrap();
    let rated = tickets
        .rate(&act(&settings, ticket.number, ALICE, &[], 3), five.clone())
        .await
        .unwrap();
    assert_eq!(rated.rating, Some(five.clone()));
    let again = tickets
        .rate(&act(&settings, ticket.number, ALICE, &[], 4), five)
        .await;
    assert!(matches!(again, Err(Error::AlreadyRated)));
}

#[tokio::test]
async fn auto_close_warns_first_and_a_message_cancels_it() {
    let (tickets, settings) = desk();
    let policy = settings.auto_close.unwrap();
    let channel = ChannelId::new(500);
    let ticket = open(&tickets, &settings, 0).await;
    let number = ticket.number;
    tickets
        .assign_channel(GUILD, number, channel)
        .await
        .unwrap();
    let day = 24 * 3_600;
    assert_eq!(
        tickets
            .auto_close(GUILD, number, &policy, at(10))
            .await
            .unwrap(),
        AutoCloseOutcome::Waiting { until: at(day) }
    );
    let warned = tickets
        .auto_close(GUILD, number, &policy, at(day))
        .await
        .unwrap();
    assert!(
        matches!(warned, AutoCloseOutcome::Warned { closes_at, .. } if closes_at == at(day + 3_600))
    );
    // Alice writes: the warning is cancelled and the silence starts again.
    let spoke = tickets
        .message(GUILD, channel, ALICE, false, at(day + 60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(spoke.inactivity_warned_at, None);
    assert_eq!(
        tickets
            .auto_close(GUILD, number, &policy, at(day + 3_600))
            .await
            .unwrap(),
        AutoCloseOutcome::Waiting {
            until: at(2 * day + 60)
        }
    );
    tickets
        .auto_close(GUILD, number, &policy, at(2 * day + 60))
        .await
        .unwrap();
    let closed = tickets
        .auto_close(GUILD, number, &policy, at(2 * day + 3_660))
        .await
        .unwrap();
    let AutoCloseOutcome::Closed(closed) = closed else {
        panic!("{closed:?}")
    };
    assert_eq!(closed.ticket.status, TicketStatus::Closed);
    assert_eq!(
        (
            closed.ticket.closed_by,
            closed.ticket.close_reason.as_deref()
        ),
        (None, Some("inactivity"))
    );
    assert_eq!(
        tickets
            .auto_close(GUILD, number, &policy, at(3 * day))
            .await
            .unwrap(),
        AutoCloseOutcome::Done
    );
}

#[tokio::test]
async fn staff_messages_make_the_first_response_in_the_statistics() {
    let (tickets, settings) = desk();
    let ticket = open(&tickets, &settings, 0).await;
    let channel = ChannelId::new(500);
    tickets
        .assign_channel(GUILD, ticket.number, channel)
        .await
        .unwrap();
    tickets
        .message(GUILD, channel, BOB, true, at(90))
        .await
        .unwrap();
    assert_eq!(
        tickets
            .message(GUILD, ChannelId::new(501), BOB, true, at(91))
            .await
            .unwrap(),
        None
    );
    let stats = tickets.stats(GUILD, at(0)).await.unwrap();
    let first = stats.first_response.unwrap();
    assert_eq!((first.count, first.mean), (1, Duration::from_secs(90)));
    assert_eq!(stats.staff[0].user, BOB);
}

#[tokio::test]
async fn a_close_request_is_asked_by_staff_answered_by_the_opener_and_due_after_its_delay() {
    let (tickets, settings) = desk();
    let t = open(&tickets, &settings, 0).await;
    let staff = [SUPPORT];
    let ask = |secs, reason, delay| {
        let act = act(&settings, t.number, BOB, &staff, secs);
        let tickets = &tickets;
        async move { tickets.request_close(&act, reason, delay).await }
    };
    let due = |secs| tickets.close_unanswered(GUILD, t.number, at(secs));
    // The opener can't ask; staff can; a second request is refused.
    let refused = tickets
        .request_close(&act(&settings, t.number, ALICE, &[], 1), None, None)
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "only the support team can ask to close this ticket"
    );
    let asked = ask(10, Some("fixed"), Some(HOUR)).await.unwrap();
    assert_eq!(asked.status, TicketStatus::Closing);
    assert!(matches!(
        ask(11, None, None).await,
        Err(Error::CloseRequested)
    ));
    // Staff can't answer for the opener; nothing is due before its time.
    assert!(matches!(
        tickets
            .accept_close(&act(&settings, t.number, BOB, &staff, 12))
            .await,
        Err(Error::Denied(_))
    ));
    assert_eq!(due(3_609).await.unwrap(), None);
    // Kept open, it never is.
    let kept = tickets
        .cancel_close(&act(&settings, t.number, ALICE, &[], 20))
        .await
        .unwrap();
    assert_eq!(kept.status, TicketStatus::Open);
    assert_eq!(due(9_999).await.unwrap(), None);
    // Asked again and unanswered: closed by the clock, by whoever asked.
    ask(30, None, Some(HOUR)).await.unwrap();
    let closed = due(3_630).await.unwrap().unwrap();
    assert_eq!(closed.ticket.status, TicketStatus::Closed);
    assert_eq!(closed.ticket.closed_by, Some(BOB));
    // Asking on a closed ticket is refused and changes nothing.
    let refused = ask(40, None, None).await.unwrap_err();
    assert_eq!(refused.to_string(), "ticket #1 is already closed");
    assert_eq!(
        tickets.store().ticket(GUILD, t.number).await.unwrap(),
        Some(closed.ticket)
    );
}
