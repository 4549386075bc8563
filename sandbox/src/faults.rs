//! Injected faults for reliability tests: 500s before or after a commit, dropped connections,
//! 429 rate limits, latency, and duplicated or stale (reordered) stream events, drawn from a seeded
//! generator (`fastrand`, the one seeded generator of the sandbox, the soak and the fuzz crates).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct FaultConfig {
    pub seed: u64,
    /// Probability of a 500 before the change commits (nothing changes).
    pub error_before_commit: f64,
    /// Probability of a 500 after the change commits (the change stays; a retry with the same
    /// idempotency key replays the real answer).
    pub error_after_commit: f64,
    /// Probability that the connection is closed after the commit, with no response.
    pub drop_after_commit: f64,
    /// Probability of a 429 `rate_limited` (with `Retry-After`) before anything else happens.
    pub rate_limited: f64,
    /// The `Retry-After` of those 429s, in seconds (default 1).
    pub retry_after_seconds: Option<u64>,
    /// Added latency in milliseconds, applied with `latencyProbability` (default 1 when set).
    pub latency_ms: u64,
    pub latency_probability: Option<f64>,
    /// Probability that a stream event is sent twice.
    pub duplicate_events: f64,
    /// Probability that the previous stream event is re-sent after a newer one.
    pub reorder_events: f64,
    /// `browser` (default: `/payment-intents/public/...` only) or `all` (merchant and demo routes too).
    pub scope: Option<String>,
}

impl FaultConfig {
    pub fn validate(&self) -> Result<(), String> {
        let ps = [
            ("errorBeforeCommit", self.error_before_commit),
            ("errorAfterCommit", self.error_after_commit),
            ("dropAfterCommit", self.drop_after_commit),
            ("rateLimited", self.rate_limited),
            ("duplicateEvents", self.duplicate_events),
            ("reorderEvents", self.reorder_events),
            (
                "latencyProbability",
                self.latency_probability.unwrap_or(0.0),
            ),
        ];
        for (name, p) in ps {
            if !(0.0..=1.0).contains(&p) {
                return Err(name.to_string());
            }
        }
        if self.latency_ms > 60_000 {
            return Err("latencyMs".into());
        }
        if self.retry_after_seconds.is_some_and(|s| s > 3600) {
            return Err("retryAfterSeconds".into());
        }
        match self.scope.as_deref() {
            None | Some("browser") | Some("all") => Ok(()),
            Some(_) => Err("scope".into()),
        }
    }
}

pub struct Faults {
    pub config: FaultConfig,
    rng: fastrand::Rng,
    pub injected: u64,
    /// Requests that started an injected delay: lets a test know a slow request is in flight.
    pub delayed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            config: FaultConfig::default(),
            rng: fastrand::Rng::with_seed(0),
            injected: 0,
            delayed: 0,
        }
    }
}

impl Faults {
    pub fn set(&mut self, config: FaultConfig) {
        self.rng = fastrand::Rng::with_seed(config.seed);
        self.config = config;
        self.injected = 0;
        self.delayed = 0;
    }

    pub fn applies_to(&self, browser: bool) -> bool {
        browser || self.config.scope.as_deref() == Some("all")
    }

    pub fn roll(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        let hit = self.rng.f64() < p;
        if hit {
            self.injected += 1;
        }
        hit
    }

    pub fn latency(&mut self) -> Option<u64> {
        let ms = self.config.latency_ms;
        if ms == 0 {
            return None;
        }
        let p = self.config.latency_probability.unwrap_or(1.0);
        let hit = p >= 1.0 || self.rng.f64() < p;
        if hit {
            self.delayed += 1;
        }
        hit.then_some(ms)
    }

    /// Draws the 429 fault: `Some(Retry-After seconds)` when it hits.
    pub fn rate_limit(&mut self) -> Option<u64> {
        let p = self.config.rate_limited;
        self.roll(p)
            .then(|| self.config.retry_after_seconds.unwrap_or(1))
    }
}
