//! The connect token inside the flow: the core's one [`ConnectToken`] model, plus where its refresh stands.
//! At most one refresh runs at a time; a request refused after a refresh made for it is not refreshed again.

use super::io::{Config, EventKind, Millis, Outbox, Output};
use super::jobs::Job;
use super::{error, Live};
use crate::core::time::{Duration, Timestamp};
use crate::core::token::ConnectToken;

pub(super) fn at(now: Millis) -> Timestamp {
    Timestamp::from_unix_millis(i64::try_from(now).unwrap_or(i64::MAX))
}

/// A token as the page hands it over, with the checkout's margin. `None` if it is empty or malformed.
pub(super) fn connect_token(
    config: &Config,
    secret: String,
    expires_at: Option<Millis>,
    now: Millis,
) -> Option<ConnectToken> {
    let margin = i64::try_from(config.policy.token_margin_ms).unwrap_or(i64::MAX);
    ConnectToken::new(secret, &config.intent_id, expires_at.map(at), at(now))
        .ok()
        .map(|t| t.with_margin(Duration::from_millis(margin)))
}

#[derive(Debug)]
pub(super) struct Credentials {
    token: ConnectToken,
    /// Bumped on every new token: a 401 for a request sent with an older token just resends it.
    generation: u32,
    refresh: Refresh,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refresh {
    /// No refresh running; the token is usable as far as we know.
    Idle,
    /// The page's `refreshToken` was called and must answer by `deadline`.
    Running { deadline: Millis },
    /// The refresh failed or was impossible: requests fail with `token_expired` until a user action.
    Failed,
}

impl Credentials {
    pub(super) fn new(token: ConnectToken) -> Credentials {
        Credentials {
            token,
            generation: 0,
            refresh: Refresh::Idle,
        }
    }

    pub(super) fn token(&self) -> &ConnectToken {
        &self.token
    }

    pub(super) fn bearer(&self) -> &str {
        self.token.expose()
    }

    pub(super) fn generation(&self) -> u32 {
        self.generation
    }

    pub(super) fn refreshing(&self) -> bool {
        matches!(self.refresh, Refresh::Running { .. })
    }

    pub(super) fn failed(&self) -> bool {
        self.refresh == Refresh::Failed
    }

    pub(super) fn deadline(&self) -> Option<Millis> {
        match self.refresh {
            Refresh::Running { deadline } => Some(deadline),
            Refresh::Idle | Refresh::Failed => None,
        }
    }

    /// A user action: let the server judge the token again.
    pub(super) fn retry_after_failure(&mut self) {
        if self.refresh == Refresh::Failed {
            self.refresh = Refresh::Idle;
        }
    }
}

impl Live {
    /// The page can refresh and the token runs out by our clock: refresh before sending `job`.
    pub(super) fn needs_refresh_for(&self, job: &Job, now: Millis) -> bool {
        self.config.can_refresh && !job.refreshed && self.token().should_refresh(at(now))
    }

    pub(super) fn begin_refresh(&mut self, out: &mut Outbox, now: Millis) {
        if !self.credentials.refreshing() {
            let deadline = now + self.config.policy.refresh_timeout_ms;
            self.credentials.refresh = Refresh::Running { deadline };
            out.push(Output::RefreshToken);
        }
    }

    /// The server refused the token for `job`, sent with token generation `sent_with`.
    pub(super) fn on_token_rejected(
        &mut self,
        out: &mut Outbox,
        mut job: Job,
        sent_with: u32,
        now: Millis,
    ) {
        if sent_with < self.credentials.generation && self.credentials.refresh == Refresh::Idle {
            // Sent before the last refresh: that refresh already covers this expiry.
            job.refreshed = true;
            self.submit(out, job, now);
            return;
        }
        self.jobs.parked.push(job);
        if job.refreshed || !self.config.can_refresh {
            // Refreshed once for this request and still refused, or no way to refresh: stop, no loop.
            self.token_dead(out, now);
        } else {
            self.begin_refresh(out, now);
        }
    }

    pub(super) fn on_refreshed(
        &mut self,
        out: &mut Outbox,
        result: Option<(String, Option<Millis>)>,
        now: Millis,
    ) {
        if !self.credentials.refreshing() {
            return; // too late (timed out) or never asked
        }
        let token =
            result.and_then(|(secret, expires)| connect_token(&self.config, secret, expires, now));
        let Some(token) = token else {
            self.token_dead(out, now);
            return;
        };
        self.credentials.token = token;
        self.credentials.generation += 1;
        self.credentials.refresh = Refresh::Idle;
        self.emit(out, EventKind::TokenRefreshed, None);
        for mut job in std::mem::take(&mut self.jobs.parked) {
            job.refreshed = true;
            self.submit(out, job, now);
        }
    }

    /// The refresh timed out (called from the deadline check).
    pub(super) fn on_refresh_timeout(&mut self, out: &mut Outbox, now: Millis) {
        if self.credentials.deadline().is_some_and(|d| d <= now) {
            self.token_dead(out, now);
        }
    }

    /// No usable token: every parked job fails with `token_expired`, and following stops.
    pub(super) fn token_dead(&mut self, out: &mut Outbox, now: Millis) {
        self.credentials.refresh = Refresh::Failed;
        let err = error::token_expired();
        self.emit_error(out, err.clone());
        for job in std::mem::take(&mut self.jobs.parked) {
            self.on_fatal(out, job, err.clone(), now);
        }
        self.stop_following(out);
    }
}
