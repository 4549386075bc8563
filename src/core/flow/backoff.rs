//! Retry timing: Stripe's client-library schedule (0.5 s doubling, capped, jittered into the upper half and
//! never below the base), driven by a seeded PRNG so that tests are deterministic.

/// How hard to retry. Delays are in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base_ms: u64,
    pub cap_ms: u64,
    /// Retries after the first try (so `max_retries + 1` sends at most).
    pub max_retries: u32,
    /// A request without an answer after this long is aborted and counts as a network error.
    pub request_timeout_ms: u64,
    /// A stream with no byte (not even a `: ping`) for this long is considered dead.
    pub stream_idle_ms: u64,
    /// Refresh the token this long before its stated expiry (capped to a fifth of its lifetime).
    pub token_margin_ms: u64,
    /// A page `refreshToken` that has not settled after this long counts as failed.
    pub refresh_timeout_ms: u64,
    /// Polling (the stream's fallback) starts this soon after a change ...
    pub poll_base_ms: u64,
    /// ... and backs off to at most this while nothing changes: a change shows within about a second.
    pub poll_max_ms: u64,
    /// The longest `Retry-After` honoured (Stripe's libraries: a minute); a longer one waits this long.
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_ms: 500,
            cap_ms: 8_000,
            max_retries: 4,
            request_timeout_ms: 30_000,
            stream_idle_ms: 45_000,
            // ok: 30 s fits any u64
            token_margin_ms: crate::core::token::EXPIRY_MARGIN.as_millis() as u64,
            refresh_timeout_ms: 30_000,
            poll_base_ms: 250,
            poll_max_ms: 1_000,
            max_retry_after_ms: 60_000,
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `retry` (1-based), given 64 random bits.
    /// Bounds: `max(base, d/2) <= delay <= d` with `d = min(base * 2^(retry-1), cap)`.
    pub fn delay(&self, retry: u32, random: u64) -> u64 {
        let shift = retry.saturating_sub(1).min(20);
        let full = self.base_ms.saturating_mul(1 << shift).min(self.cap_ms);
        let half = full / 2;
        let jittered = half + random % (full - half + 1);
        jittered.max(self.base_ms.min(full))
    }

    /// The delay before poll number `step` (1-based) of an unchanged intent: the same schedule between
    /// `poll_base_ms` and `poll_max_ms`.
    pub fn poll_delay(&self, step: u32, random: u64) -> u64 {
        let poll = RetryPolicy {
            base_ms: self.poll_base_ms,
            cap_ms: self.poll_max_ms,
            ..*self
        };
        poll.delay(step, random)
    }
}

/// SplitMix64: tiny, seedable, good enough for jitter and idempotency keys (the shell seeds it from
/// `crypto.getRandomValues`).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A fresh idempotency key: `ick_` + 32 hex digits.
    pub fn idempotency_key(&mut self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut key = String::with_capacity(36);
        key.push_str("ick_");
        for _ in 0..2 {
            let mut v = self.next_u64();
            for _ in 0..16 {
                key.push(HEX[(v & 15) as usize] as char);
                v >>= 4;
            }
        }
        key
    }
}
