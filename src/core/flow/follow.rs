//! Following the intent while it can still change: over the event stream (resuming with `Last-Event-ID`
//! after a drop), or by polling with `If-None-Match` once the stream has failed too often in a row.

use super::io::{Millis, Outbox, RequestId};
use super::jobs::{Job, Purpose};
use super::Live;

/// Stream failures in a row, with no event in between, before polling instead.
pub(super) const STREAM_FAILURES_BEFORE_POLLING: u32 = 3;

#[derive(Debug)]
pub(super) enum Follow {
    Off,
    /// Over the event stream; `failures` in a row with no event in between.
    Streaming {
        failures: u32,
    },
    /// Polling; `step` reads in a row that changed nothing (the delay grows with it).
    Polling {
        step: u32,
        etag: Option<String>,
    },
}

impl Follow {
    pub(super) fn is_on(&self) -> bool {
        !matches!(self, Follow::Off)
    }

    pub(super) fn etag(&self) -> Option<&str> {
        match self {
            Follow::Polling { etag, .. } => etag.as_deref(),
            _ => None,
        }
    }

    pub(super) fn set_etag(&mut self, new: Option<String>) {
        if let Follow::Polling { etag, .. } = self {
            *etag = new;
        }
    }
}

impl Live {
    pub(super) fn start_following(&mut self, out: &mut Outbox, now: Millis) {
        self.follow = Follow::Streaming { failures: 0 };
        self.submit(out, Job::new(Purpose::Stream), now);
    }

    pub(super) fn stop_following(&mut self, out: &mut Outbox) {
        self.follow = Follow::Off;
        self.jobs
            .cancel(out, |p| matches!(p, Purpose::Stream | Purpose::Poll));
    }

    /// Bytes of the event stream: every intent event in them goes through the snapshot pipeline.
    pub(super) fn on_stream_data(
        &mut self,
        out: &mut Outbox,
        id: RequestId,
        bytes: &[u8],
        now: Millis,
    ) {
        let events = match self.jobs.get_mut(id).and_then(|f| f.stream.as_mut()) {
            Some((parser, _)) => parser.feed(bytes),
            None => return,
        };
        self.jobs.rearm(id, now + self.config.policy.stream_idle_ms);
        let wanted = self.config.dialect.wire().stream_event;
        for ev in events.iter().filter(|e| e.event == wanted) {
            if let Some((_, got_event)) = self.jobs.get_mut(id).and_then(|f| f.stream.as_mut()) {
                *got_event = true;
            }
            if let Follow::Streaming { failures } = &mut self.follow {
                *failures = 0;
            }
            if let Err(e) = self.take_snapshot(out, &ev.data, now) {
                // Dropped; the stream goes on (the next good snapshot supersedes it).
                self.emit_error(out, e);
            }
            if !self.jobs.contains(id) {
                return; // a terminal status stopped following
            }
        }
    }

    /// The stream dropped, ended or timed out: reconnect after a backoff, or poll after too many
    /// failures in a row.
    pub(super) fn on_stream_down(&mut self, out: &mut Outbox, got_event: bool, now: Millis) {
        let Follow::Streaming { failures } = &mut self.follow else {
            return;
        };
        if got_event {
            *failures = 0;
        }
        *failures += 1;
        let failures = *failures;
        if failures > STREAM_FAILURES_BEFORE_POLLING {
            self.follow = Follow::Polling {
                step: 0,
                etag: None,
            };
            self.submit(out, Job::new(Purpose::Poll), now);
            return;
        }
        // `Last-Event-ID` makes the server send only what we missed.
        let delay = self.config.policy.delay(failures, self.rng.next_u64());
        self.jobs.wait(now + delay, Job::new(Purpose::Stream));
    }

    /// Schedules the next poll: sooner after a change, later after each read that changed nothing.
    pub(super) fn poll_again(&mut self, _out: &mut Outbox, changed: bool, now: Millis) {
        let Follow::Polling { step, .. } = &mut self.follow else {
            return;
        };
        *step = if changed { 0 } else { *step + 1 };
        let step = *step;
        let delay = self.config.policy.poll_delay(step + 1, self.rng.next_u64());
        self.jobs.wait(now + delay, Job::new(Purpose::Poll));
    }

    /// A `postMessage`: the API origin's "challenge finished" for the current challenge re-reads at once.
    pub(super) fn on_message(&mut self, out: &mut Outbox, origin: &str, data: &str, now: Millis) {
        if origin != self.config.api_origin || !self.attempt.is_running() {
            return;
        }
        let Some(challenge) = (self.config.dialect.wire().challenge_done)(data) else {
            return;
        };
        let url = self.mirror.next_action();
        if url.is_some_and(|a| a.url.rsplit('/').next() == Some(challenge.as_str())) {
            self.submit(out, Job::new(Purpose::ReRead), now);
        }
    }
}
