//! Behaviours under real parallelism: tasks spawned on the multi-threaded runtime, writing
//! through two handles on the same data (as two bot processes would).

use futures_util::future::join_all;
use hearth_core::{GuildId, RoleId, UserId};

use super::{ALICE, GUILD, Spawn, at, new_ticket, roomy};
use crate::{
    Act, Actor, Category, Error, MemberLimits, TicketSettings, TicketStatus, TicketStore, Tickets,
};

/// How many tasks run at once.
const AT_ONCE: usize = 12;

/// Task `i`'s handle: the tasks alternate between the two, as two processes would.
fn handle<S: Clone>(i: usize, first: &S, second: &S) -> S {
    if i.is_multiple_of(2) { first } else { second }.clone()
}

/// A member with one open ticket, allowed two, clicks *Open* twelve times at once through two
/// handles: exactly one succeeds; the others are refused for the open limit.
pub async fn concurrent_opens_at_the_limit_let_exactly_one_through<
    S: TicketStore + Clone + 'static,
>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let limits = MemberLimits {
        max_open: 2,
        ..roomy()
    };
    first
        .open_ticket(new_ticket(GUILD, ALICE, 0), limits)
        .await
        .unwrap()
        .unwrap();
    let tasks = (0..AT_ONCE).map(|i| {
        let store = handle(i, &first, &second);
        spawn.spawn(async move {
            store
                .open_ticket(new_ticket(GUILD, ALICE, 1), limits)
                .await
                .unwrap()
        })
    });
    let results = join_all(tasks).await;
    let opened: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(opened.len(), 1, "{results:?}");
    assert_eq!(first.active_tickets(GUILD).await.unwrap().len(), 2);
}

/// Twelve members open a ticket each at once through two handles: twelve distinct numbers,
/// 1 to 12.
pub async fn concurrent_opens_get_distinct_numbers<S: TicketStore + Clone + 'static>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let tasks = (0..AT_ONCE).map(|i| {
        let store = handle(i, &first, &second);
        let user = UserId::new(500 + i as u64);
        spawn.spawn(async move {
            store
                .open_ticket(new_ticket(GUILD, user, 1), roomy())
                .await
                .unwrap()
                .unwrap()
                .number
                .0
        })
    });
    let mut numbers = join_all(tasks).await;
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=AT_ONCE as u64).collect::<Vec<_>>());
}

/// Twelve staff members click *Claim* at once through two handles: one claims it, every
/// other is told who did, and the stored ticket names the winner.
pub async fn concurrent_claims_let_exactly_one_claim<S: TicketStore + Clone + 'static>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let support = RoleId::new(70);
    let settings = TicketSettings {
        categories: vec![Category {
            key: "support".into(),
            label: "Support".into(),
            parent: hearth_core::ChannelId::new(900),
            overflow: Vec::new(),
            support_roles: vec![support],
            questions: Vec::new(),
            others_reply_when_claimed: false,
        }],
        ..TicketSettings::default()
    };
    let ticket = first
        .open_ticket(new_ticket(GUILD, ALICE, 0), roomy())
        .await
        .unwrap()
        .unwrap();
    let tasks = (0..AT_ONCE).map(|i| {
        let store = handle(i, &first, &second);
        let settings = settings.clone();
        let user = UserId::new(600 + i as u64);
        spawn.spawn(async move {
            let roles = [support];
            let act = Act {
                guild: GuildId::new(GUILD.get()),
                number: ticket.number,
                actor: Actor {
                    user,
                    roles: &roles,
                    admin: false,
                },
                settings: &settings,
                now: at(5),
            };
            match Tickets::new(store).claim(&act).await {
                Ok(t) => Ok(t.claimed_by),
                Err(Error::AlreadyClaimed { by }) => Err(by),
                Err(other) => panic!("claim failed: {other}"),
            }
        })
    });
    let results = join_all(tasks).await;
    let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let winner = winners[0].expect("the claim names its claimer");
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().map_or_else(|by| *by == winner, |_| true))
    );
    let stored = first.ticket(GUILD, ticket.number).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.claimed_by),
        (TicketStatus::Claimed, Some(winner))
    );
}

/// Twelve closes race to give the same queued ticket a channel, through two handles: exactly
/// one does, and the stored ticket has that one's channel.
pub async fn concurrent_dequeues_give_a_queued_ticket_one_channel<
    S: TicketStore + Clone + 'static,
>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let opened = first
        .open_ticket(new_ticket(GUILD, ALICE, 0), roomy())
        .await
        .unwrap()
        .unwrap();
    let ticket = Tickets::new(first.clone())
        .enqueue(GUILD, opened.number)
        .await
        .unwrap()
        .expect("no room: queued");
    let tasks = (0..AT_ONCE).map(|i| {
        let store = handle(i, &first, &second);
        let channel = hearth_core::ChannelId::new(700 + i as u64);
        spawn.spawn(async move {
            Tickets::new(store)
                .dequeue(GUILD, ticket.number, channel)
                .await
                .unwrap()
                .map(|t| t.channel)
        })
    });
    let results = join_all(tasks).await;
    let winners: Vec<_> = results.iter().flatten().collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let stored = first.ticket(GUILD, ticket.number).await.unwrap().unwrap();
    assert_eq!(Some(stored.channel), Some(*winners[0]));
    assert!(
        Tickets::new(first)
            .queue(GUILD, "support")
            .await
            .unwrap()
            .is_empty()
    );
}
