//! The sandbox clock: real time plus an offset that `POST /test/clock/advance` moves forward.
//! Every timer (holds, async settlement, secret expiry) reads this clock, so tests can skip days.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch on the sandbox clock.
pub type Millis = i64;

#[derive(Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> Millis {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        real.saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock forward; it never goes back, so timers stay ordered. The offset is capped at
    /// about 3,000 years so deadlines computed from `now` cannot overflow.
    pub fn advance(&self, ms: i64) {
        const MAX_OFFSET_MS: i64 = 100_000_000_000_000;
        let _ = self
            .offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| {
                Some(o.saturating_add(ms.max(0)).min(MAX_OFFSET_MS))
            });
    }
}

impl Clock {
    /// Back to real time; only for `POST /test/reset`, which also drops every timer.
    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
    }
}

/// Formats epoch milliseconds as RFC 3339 UTC (`2026-01-02T03:04:05.678Z`).
pub fn rfc3339(ms: Millis) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// The (year, month) of a timestamp, for card-expiry checks.
pub fn year_month(ms: Millis) -> (i64, u32) {
    let (y, m, _) = civil_from_days(ms.div_euclid(1000).div_euclid(86_400));
    (y, m)
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Formats seconds as Dojo's `dd.hh:MM:ss` timespan (`autoExpireIn`).
pub fn timespan(secs: i64) -> String {
    let (d, rem) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    if d > 0 {
        format!("{d}.{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// Parses `[d.]hh:mm:ss` into seconds.
pub fn parse_timespan(s: &str) -> Option<i64> {
    let (days, rest) = match s.split_once('.') {
        Some((d, r)) => (d.parse::<i64>().ok()?, r),
        None => (0, s),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if parts.len() != 3 || days < 0 {
        return None;
    }
    let h: i64 = parts[0].parse().ok()?;
    let m: i64 = parts[1].parse().ok()?;
    let sec: i64 = parts[2].parse().ok()?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) || !(0..60).contains(&sec) {
        return None;
    }
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_709_251_199_123), "2024-02-29T23:59:59.123Z");
        assert_eq!(year_month(1_709_251_199_123), (2024, 2));
    }

    #[test]
    fn timespans_round_trip() {
        assert_eq!(parse_timespan("00:00:55"), Some(55));
        assert_eq!(parse_timespan("6.23:59:59"), Some(604_799));
        assert_eq!(timespan(604_799), "6.23:59:59");
        assert_eq!(parse_timespan("1:2"), None);
        assert_eq!(parse_timespan("00:61:00"), None);
    }
}
