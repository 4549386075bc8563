//! The sandbox clock: real time plus an offset that `POST /test/clock/advance` moves forward.
//! Every timer (holds, async settlement, secret expiry) reads this clock, so tests can skip days.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use intent_checkout::core::time::{Duration, Timestamp};

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

/// Formats epoch milliseconds as RFC 3339 UTC (`2026-01-02T03:04:05.678Z`), with the core's formatter.
pub fn rfc3339(ms: Millis) -> String {
    Timestamp::from_unix_millis(ms).to_rfc3339()
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

/// Parses Dojo's `[d.]hh:mm:ss[.fff]` timespan into whole seconds, with the core's parser.
pub fn parse_timespan(s: &str) -> Option<i64> {
    Duration::parse_timespan(s)
        .ok()
        .map(|d| d.as_millis() / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_709_251_199_123), "2024-02-29T23:59:59.123Z");
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
