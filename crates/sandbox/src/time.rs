//! Snowflakes with real timestamps and ISO 8601 text, without a date library.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Discord's epoch, the first millisecond of 2015, in Unix milliseconds.
///
/// See Discord Docs/Reference ("Snowflakes").
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Milliseconds since the Unix epoch, from the system clock.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Unix milliseconds at which a snowflake was generated.
pub fn snowflake_ms(id: u64) -> u64 {
    (id >> 22) + DISCORD_EPOCH_MS
}

/// A generator of unique, increasing snowflakes stamped with the sandbox's time: the system
/// clock moved forward by however much a scenario has advanced it.
#[derive(Debug, Default)]
pub(crate) struct Snowflakes {
    last: AtomicU64,
    ahead_ms: AtomicU64,
}

impl Snowflakes {
    /// The sandbox's time in Unix milliseconds.
    pub(crate) fn now(&self) -> u64 {
        now_ms().saturating_add(self.ahead_ms.load(Ordering::Relaxed))
    }

    /// Moves the sandbox's time forward.
    pub(crate) fn advance(&self, by_ms: u64) {
        self.ahead_ms.fetch_add(by_ms, Ordering::Relaxed);
    }

    /// The next id: the current time in the top 42 bits, a counter below.
    pub(crate) fn next(&self) -> u64 {
        let fresh = (self.now().saturating_sub(DISCORD_EPOCH_MS)) << 22;
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let id = fresh.max(last + 1);
            match self
                .last
                .compare_exchange(last, id, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return id,
                Err(seen) => last = seen,
            }
        }
    }
}

/// Formats Unix milliseconds as Discord does: `2021-01-01T01:01:01.000000+00:00`.
pub(crate) fn iso8601(ms: u64) -> String {
    let secs = ms / 1000;
    let micros = (ms % 1000) * 1000;
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}+00:00",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` into Unix milliseconds.
pub(crate) fn parse_iso8601(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    if bytes.len() < 19 || bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b' ')
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &text[19..];
    let mut millis = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        let padded = format!("{:0<3}", &frac[..digits.min(3)]);
        millis = padded.parse::<i64>().ok()?;
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hh = rest.get(1..3)?.parse::<i64>().ok()?;
            let mm = rest.get(4..6)?.parse::<i64>().ok()?;
            sign * (hh * 3600 + mm * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    u64::try_from(secs * 1000 + millis).ok()
}

// Howard Hinnant's civil calendar algorithms.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_round_trips() {
        let ms = 1_764_114_152_123;
        let text = iso8601(ms);
        assert_eq!(text, "2025-11-25T23:42:32.123000+00:00");
        assert_eq!(parse_iso8601(&text), Some(ms));
        assert_eq!(
            parse_iso8601("2025-11-25T23:42:32Z"),
            Some(1_764_114_152_000)
        );
        assert_eq!(
            parse_iso8601("2025-11-26T00:42:32+01:00"),
            Some(1_764_114_152_000)
        );
        assert_eq!(parse_iso8601("yesterday"), None);
    }

    #[test]
    fn snowflakes_increase_and_carry_the_time() {
        let ids = Snowflakes::default();
        let (a, b) = (ids.next(), ids.next());
        assert!(b > a);
        assert!(now_ms().abs_diff(snowflake_ms(b)) < 5_000);
    }
}
