//! The month of chat the demo guild of `hearth try` starts with, so `/stats` draws a chart
//! with something in it and members have message counts: grants through the store's own
//! `grant`, which counts each day's messages and active members as it does for live chat.

use std::time::Duration;

use hearth_core::{GuildId, StoreError, Timestamp, UserId};
use hearth_xp_engine::{Day, GrantRequest, Multiplier, XP_COOLDOWN, XpStore, grant_amount};
use rand::{Rng as _, SeedableRng as _, rngs::StdRng};

use super::images::STATS_DAYS;

/// The seed of the demo's draws: every `hearth try` starts with the same month.
const DEMO_SEED: u64 = 0x4845_4152_5448;

/// How active each person of the demo guild is, in the order the demo world lists them
/// (owner, mod, senior, alice, bob, then anyone a feature added): the chance they chat on a
/// weekday, and how many messages they send on such a day.
const HABITS: &[(f64, f64)] = &[
    (0.45, 3.0),
    (0.9, 8.0),
    (0.8, 11.0),
    (0.85, 9.0),
    (0.55, 4.0),
];

/// The habits of anyone beyond [`HABITS`].
const OTHERS: (f64, f64) = (0.5, 5.0);

/// The gap between two messages of one person: more than the cooldown, so each earns.
const GAP: Duration = Duration::from_secs(3 * 60);

/// The grants of the demo guild's last [`STATS_DAYS`] days up to `now`, oldest first: each
/// person chats on some days (more at weekends, a little more each week as the server grows),
/// a few messages apart from mid-morning UTC; nothing after `now`.
pub fn demo_chat(guild: GuildId, people: &[UserId], now: Timestamp) -> Vec<GrantRequest> {
    let mut rng = StdRng::seed_from_u64(DEMO_SEED);
    let today = Day::of(now);
    let mut requests = Vec::new();
    for ago in (0..STATS_DAYS).rev() {
        let day = Day(today.0 - i64::from(ago));
        // 1970-01-01 was a Thursday: 0 is Thursday, 2 and 3 the weekend.
        let weekend = matches!(day.0.rem_euclid(7), 2 | 3);
        let busy = if weekend { 1.4 } else { 1.0 };
        let growth = 0.7 + 0.6 * f64::from(STATS_DAYS - 1 - ago) / f64::from(STATS_DAYS);
        for (index, user) in people.iter().enumerate() {
            let (chance, messages) = HABITS.get(index).copied().unwrap_or(OTHERS);
            if !rng.random_bool((chance * busy).min(1.0)) {
                continue;
            }
            let count = (messages * busy * growth * rng.random_range(0.6..1.4)).round();
            // A handful at most: far below u32::MAX.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let count = count.max(1.0) as u32;
            let first = day.start().saturating_add(
                Duration::from_secs(9 * 3600) + Duration::from_secs(420) * index_u32(index),
            );
            for n in 0..count {
                let at = first.saturating_add(GAP * n);
                if at > now {
                    break;
                }
                requests.push(GrantRequest {
                    guild,
                    user: *user,
                    at,
                    amount: grant_amount(rng.random(), Multiplier::ONE, Multiplier::ONE),
                    cooldown: XP_COOLDOWN,
                });
            }
        }
    }
    requests.sort_by_key(|r| r.at);
    requests
}

fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// Stores [`demo_chat`] through the store's `grant`, as the bot stores live messages.
///
/// # Errors
///
/// The store's, when a grant fails.
pub async fn seed_demo_chat<S: XpStore>(
    store: &S,
    guild: GuildId,
    people: &[UserId],
    now: Timestamp,
) -> Result<(), StoreError> {
    for request in demo_chat(guild, people, now) {
        store.grant(request).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_month_has_chat_every_day_and_busier_weekends() {
        let people: Vec<UserId> = (1..=5).map(UserId::new).collect();
        // Noon on a Wednesday.
        let now = Day(20_000)
            .start()
            .saturating_add(Duration::from_secs(12 * 3600));
        let chat = demo_chat(GuildId::new(1), &people, now);
        let mut days = std::collections::BTreeMap::<Day, usize>::new();
        for request in &chat {
            *days.entry(Day::of(request.at)).or_default() += 1;
        }
        assert_eq!(days.len(), 30, "{days:?}");
        let mean = |weekend: bool| {
            let counts: Vec<usize> = days
                .iter()
                .filter(|(day, _)| matches!(day.0.rem_euclid(7), 2 | 3) == weekend)
                .map(|(_, n)| *n)
                .collect();
            counts.iter().sum::<usize>() / counts.len()
        };
        assert!(mean(true) > mean(false), "{days:?}");
        assert!(
            chat.iter()
                .all(|r| r.at <= now && (15..=25).contains(&r.amount))
        );
        assert_eq!(
            demo_chat(GuildId::new(1), &people, now),
            chat,
            "the same every time"
        );
    }
}
