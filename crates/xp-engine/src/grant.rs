//! Message XP: who earns, how much, and how often.
//!
//! A message earns a random [`MESSAGE_XP_MIN`]–[`MESSAGE_XP_MAX`] XP, times the guild's rate,
//! times the highest boost covering it ([`boost_for`](crate::boost_for)), rounded down. A
//! member earns at most once per [`XP_COOLDOWN`] in a guild, measured between the *messages'*
//! times (their snowflakes), never the time the bot saw them: a replayed or duplicated
//! `MESSAGE_CREATE` carries the same time as the original and so earns nothing, whatever
//! process receives it. The cooldown check and the grant are one conditional write in the
//! store ([`XpStore::grant`](crate::XpStore::grant)).
//!
//! Randomness comes from the caller as an already-drawn `u64` (from any generator: `rand`,
//! `fastrand`, a seeded one in tests), so this crate needs no random-number dependency.

use std::time::Duration;

use hearth_core::{ChannelId, RoleId};
use serde::{Deserialize, Serialize};

use crate::{LevelSettings, Multiplier};

/// The least XP a message earns before the rate and boosts: 15.
pub const MESSAGE_XP_MIN: u64 = 15;
/// The most XP a message earns before the rate and boosts: 25.
pub const MESSAGE_XP_MAX: u64 = 25;
/// How long after a grant a member's messages in the same guild earn nothing: 60 s.
pub const XP_COOLDOWN: Duration = Duration::from_secs(60);

/// Who sent a message, as far as XP cares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Author {
    /// A member (a person).
    #[default]
    Member,
    /// A bot account (`author.bot` in Discord's payload).
    Bot,
    /// A webhook (`webhook_id` is set in Discord's payload).
    Webhook,
}

/// Why a message earned nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    /// Bots never earn.
    Bot,
    /// Webhooks never earn.
    Webhook,
    /// The channel is a no-XP channel.
    NoXpChannel,
    /// The member has a no-XP role.
    NoXpRole,
    /// The guild's rate is 0× (or so low the grant rounds down to 0).
    RateOff,
    /// The member earned less than [`XP_COOLDOWN`] before this message (or this message is a
    /// replay of one that earned).
    Cooldown,
}

/// The base XP a message earns, from a random `draw` the caller took from any generator:
/// [`MESSAGE_XP_MIN`] + `draw % 11`, so every value from 15 to 25 is equally likely for a
/// uniform draw (the bias of `%` over 2⁶⁴ values is below 10⁻¹⁸).
///
/// ```
/// use hearth_xp_engine::message_xp;
///
/// assert_eq!(message_xp(0), 15);
/// assert_eq!(message_xp(10), 25);
/// assert_eq!(message_xp(11), 15);
/// ```
pub fn message_xp(draw: u64) -> u64 {
    MESSAGE_XP_MIN + draw % (MESSAGE_XP_MAX - MESSAGE_XP_MIN + 1)
}

/// Whether a message can earn at all, judged before the store is asked: bots and webhooks
/// never earn, nor messages in no-XP channels or from members with a no-XP role, nor anything
/// while the guild's rate is 0×.
///
/// # Errors
///
/// The [`Skip`] reason when the message can't earn.
pub fn eligibility(
    author: Author,
    channel: ChannelId,
    roles: &[RoleId],
    settings: &LevelSettings,
) -> Result<(), Skip> {
    match author {
        Author::Bot => return Err(Skip::Bot),
        Author::Webhook => return Err(Skip::Webhook),
        Author::Member => {}
    }
    if settings.no_xp_channels.contains(&channel) {
        return Err(Skip::NoXpChannel);
    }
    if roles.iter().any(|r| settings.no_xp_roles.contains(r)) {
        return Err(Skip::NoXpRole);
    }
    if settings.rate.multiplier() == Multiplier::ZERO {
        return Err(Skip::RateOff);
    }
    Ok(())
}

/// The XP a message earns: the base from `draw`, times `rate`, times `boost`, rounded down
/// once at the end.
///
/// ```
/// use hearth_xp_engine::{Multiplier, grant_amount};
///
/// let (one, double) = (Multiplier::ONE, Multiplier::from_percent(200));
/// assert_eq!(grant_amount(0, one, one), 15);
/// assert_eq!(grant_amount(10, one, double), 50);
/// assert_eq!(grant_amount(0, Multiplier::from_percent(150), Multiplier::from_percent(150)), 33);
/// ```
pub fn grant_amount(draw: u64, rate: Multiplier, boost: Multiplier) -> u64 {
    let scaled =
        u128::from(message_xp(draw)) * u128::from(rate.percent()) * u128::from(boost.percent())
            / 10_000;
    // At most 25 · (2³² − 1)² / 10⁴ < 2⁶⁴: it always fits, the saturation is belt and braces.
    u64::try_from(scaled).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SettingsChange, XpRate};

    #[test]
    fn every_base_value_from_15_to_25_is_reachable_and_nothing_else() {
        let mut seen: Vec<u64> = (0..1_000).map(message_xp).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, (15..=25).collect::<Vec<_>>());
        assert_eq!(message_xp(u64::MAX), 15 + u64::MAX % 11);
    }

    #[test]
    fn bots_webhooks_and_excluded_places_never_earn() {
        let channel = ChannelId::new(1);
        let role = RoleId::new(2);
        let mut settings = LevelSettings::default();
        assert_eq!(
            eligibility(Author::Member, channel, &[role], &settings),
            Ok(())
        );
        assert_eq!(
            eligibility(Author::Bot, channel, &[], &settings),
            Err(Skip::Bot)
        );
        assert_eq!(
            eligibility(Author::Webhook, channel, &[], &settings),
            Err(Skip::Webhook)
        );
        settings = SettingsChange::no_xp_channels(vec![channel])
            .unwrap()
            .apply(settings);
        assert_eq!(
            eligibility(Author::Member, channel, &[], &settings),
            Err(Skip::NoXpChannel)
        );
        let elsewhere = ChannelId::new(3);
        settings = SettingsChange::no_xp_roles(vec![role])
            .unwrap()
            .apply(settings);
        assert_eq!(
            eligibility(
                Author::Member,
                elsewhere,
                &[RoleId::new(9), role],
                &settings
            ),
            Err(Skip::NoXpRole)
        );
        settings = SettingsChange::rate(XpRate::new(Multiplier::ZERO).unwrap()).apply(settings);
        assert_eq!(
            eligibility(Author::Member, elsewhere, &[], &settings),
            Err(Skip::RateOff)
        );
    }

    #[test]
    fn rate_and_boost_multiply_and_round_down_once() {
        let rate = Multiplier::from_percent(500);
        let boost = Multiplier::from_percent(1_000);
        assert_eq!(grant_amount(10, rate, boost), 1_250);
        assert_eq!(
            grant_amount(0, Multiplier::from_percent(1), Multiplier::ONE),
            0
        );
        // 15 · 1.1 · 1.1 = 18.15 → 18 (rounding each step would give 16 · 1.1 → 17).
        let tenth = Multiplier::from_percent(110);
        assert_eq!(grant_amount(0, tenth, tenth), 18);
        let huge = Multiplier::from_percent(u32::MAX);
        let most = 25 * u128::from(u32::MAX) * u128::from(u32::MAX) / 10_000;
        assert_eq!(u128::from(grant_amount(10, huge, huge)), most);
    }
}
