//! Requests and their deadlines. A [`Job`] is why a request exists; the request itself is rebuilt from it
//! (through the wire) on every send, so a retry is the same job sent again. Jobs are in flight (with a
//! timeout), waiting for their time (a retry, a reconnect, a poll), or parked behind a token refresh. The
//! earliest of their deadlines is the one timer the shell keeps.

use super::error::{self, CheckoutError, ErrorCode};
use super::io::{EventKind, Millis, OpId, Outbox, Output, RequestId};
use super::sse::SseParser;
use super::wire::{self, Adjustment, Call, Reply};
use super::Live;
use crate::core::small_map::SmallMap;

/// Why a request exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Purpose {
    Load(OpId),
    Pay,
    /// Read the intent to learn a payment's outcome after a 5xx, timeout or lost connection.
    Resolve,
    Adjust(OpId, Adjustment, i64),
    Stream,
    Poll,
    /// Re-read at once (3-D Secure challenge finished).
    ReRead,
    /// The customer's saved cards (customer secret).
    ListSaved(OpId),
    /// Remove the saved card `Live::saved` marks for removal.
    RemoveSaved(OpId),
}

impl Purpose {
    /// The page promise waiting on this job, if any.
    pub(super) fn op(self) -> Option<OpId> {
        match self {
            Purpose::Load(op)
            | Purpose::Adjust(op, ..)
            | Purpose::ListSaved(op)
            | Purpose::RemoveSaved(op) => Some(op),
            _ => None,
        }
    }

    fn is_following(self) -> bool {
        matches!(self, Purpose::Stream | Purpose::Poll)
    }

    /// Authorised by the customer secret, not the connect token.
    pub(super) fn is_customer(self) -> bool {
        matches!(self, Purpose::ListSaved(_) | Purpose::RemoveSaved(_))
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Job {
    pub(super) purpose: Purpose,
    /// Sends so far (retries = tries - 1).
    pub(super) tries: u32,
    /// This job already caused a token refresh: another `token_expired` ends in the error state.
    pub(super) refreshed: bool,
}

impl Job {
    pub(super) fn new(purpose: Purpose) -> Job {
        Job {
            purpose,
            tries: 0,
            refreshed: false,
        }
    }
}

#[derive(Debug)]
pub(super) struct InFlight {
    pub(super) job: Job,
    token_generation: u32,
    /// Aborted and counted as a network failure when still in flight by then.
    deadline: Millis,
    /// For the event stream: its parser, and whether any event arrived on this connection.
    pub(super) stream: Option<(SseParser, bool)>,
}

impl InFlight {
    pub(super) fn got_event(&self) -> bool {
        self.stream.as_ref().is_some_and(|(_, got)| *got)
    }
}

#[derive(Debug, Default)]
pub(super) struct Jobs {
    flights: SmallMap<RequestId, InFlight>,
    /// Retries, reconnects and polls waiting for their time, in the order they were scheduled.
    waiting: Vec<(Millis, Job)>,
    /// Jobs waiting for a token refresh.
    pub(super) parked: Vec<Job>,
    /// No request leaves before this: the server's last `Retry-After` (a 429, a 503).
    pub(super) not_before: Millis,
}

/// The next thing due.
enum Due {
    Flight(RequestId),
    Waiting(usize),
}

impl Jobs {
    pub(super) fn next_deadline(&self) -> Option<Millis> {
        let flights = self.flights.iter().map(|(_, f)| f.deadline);
        let waiting = self.waiting.iter().map(|(at, _)| *at);
        flights.chain(waiting).min()
    }

    /// The earliest deadline at or before `now` (the first scheduled wins a tie).
    fn due(&self, now: Millis) -> Option<Due> {
        let flights = self
            .flights
            .iter()
            .map(|(id, f)| (f.deadline, Due::Flight(*id)));
        let waiting = self
            .waiting
            .iter()
            .enumerate()
            .map(|(i, (at, _))| (*at, Due::Waiting(i)));
        flights
            .chain(waiting)
            .filter(|(at, _)| *at <= now)
            .min_by_key(|(at, _)| *at)
            .map(|(_, d)| d)
    }

    #[cfg(test)]
    pub(super) fn deadlines(&self) -> usize {
        self.flights.len() + self.waiting.len()
    }

    pub(super) fn get_mut(&mut self, id: RequestId) -> Option<&mut InFlight> {
        self.flights.get_mut(&id)
    }

    pub(super) fn contains(&self, id: RequestId) -> bool {
        self.flights.contains_key(&id)
    }

    /// The request's answer arrived (or it failed): it is no longer in flight.
    pub(super) fn take(&mut self, id: RequestId) -> Option<InFlight> {
        self.flights.remove(&id)
    }

    /// A new deadline for a request in flight (the stream's idle timeout).
    pub(super) fn rearm(&mut self, id: RequestId, deadline: Millis) {
        if let Some(f) = self.flights.get_mut(&id) {
            f.deadline = deadline;
        }
    }

    pub(super) fn wait(&mut self, at: Millis, job: Job) {
        self.waiting.push((at, job));
    }

    /// Drops every job `which` picks: requests are aborted, waiting and parked ones forgotten.
    pub(super) fn cancel(&mut self, out: &mut Outbox, which: impl Fn(Purpose) -> bool) {
        let ids: Vec<RequestId> = self
            .flights
            .iter()
            .filter(|(_, f)| which(f.job.purpose))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.flights.remove(&id);
            out.push(Output::Abort(id));
        }
        self.waiting.retain(|(_, j)| !which(j.purpose));
        self.parked.retain(|j| !which(j.purpose));
    }

    /// Aborts everything; returns the page promises that were waiting on a job.
    pub(super) fn shut_down(&mut self, out: &mut Outbox) -> Vec<OpId> {
        let mut ops = Vec::new();
        for (id, f) in self.flights.drain() {
            ops.extend(f.job.purpose.op());
            out.push(Output::Abort(id));
        }
        let waiting = self.waiting.drain(..).map(|(_, j)| j);
        ops.extend(
            waiting
                .chain(self.parked.drain(..))
                .filter_map(|j| j.purpose.op()),
        );
        ops
    }
}

impl Live {
    /// Sends `job` now, or parks it behind a token refresh.
    pub(super) fn submit(&mut self, out: &mut Outbox, mut job: Job, now: Millis) {
        if job.purpose.is_following() && !self.follow.is_on() {
            return;
        }
        if now < self.jobs.not_before {
            // The server asked for quiet: the job goes when its `Retry-After` has passed.
            self.jobs.wait(self.jobs.not_before, job);
            return;
        }
        let customer = job.purpose.is_customer();
        if self.credentials.refreshing() && !customer {
            self.jobs.parked.push(job);
            return;
        }
        if self.credentials.failed() && !customer {
            self.on_fatal(out, job, error::token_expired(), now);
            return;
        }
        if !customer && self.needs_refresh_for(&job, now) {
            self.begin_refresh(out, now);
            self.jobs.parked.push(job);
            return;
        }
        let Some(request) = self.request_for(job.purpose) else {
            return;
        };
        job.tries += 1;
        let id = RequestId(out.new_id());
        let stream = request.stream.then(|| (SseParser::new(), false));
        self.jobs.flights.insert(
            id,
            InFlight {
                job,
                token_generation: self.credentials.generation(),
                deadline: now + self.config.policy.request_timeout_ms,
                stream,
            },
        );
        out.push(Output::Send { id, request });
    }

    /// The request for a job, built by the dialect's wire. `None` for a payment with no attempt left.
    fn request_for(&self, purpose: Purpose) -> Option<wire::Request> {
        let last_version = self.view.as_ref().map(|v| v.version);
        let currency = self.mirror.current().map(|i| i.amount.currency());
        let call = match purpose {
            Purpose::Load(_) | Purpose::Resolve | Purpose::ReRead => Call::Read,
            Purpose::Poll => Call::Poll {
                etag: self.follow.etag(),
            },
            Purpose::Stream => Call::Follow { last_version },
            Purpose::Pay => {
                let (key, charge) = self.attempt.running()?;
                Call::Pay { key, charge }
            }
            Purpose::ListSaved(_) => Call::ListSaved {
                customer: self.saved.as_ref()?.customer.customer_id(),
            },
            Purpose::RemoveSaved(_) => {
                let saved = self.saved.as_ref()?;
                Call::RemoveSaved {
                    customer: saved.customer.customer_id(),
                    method: saved.removing.as_deref()?,
                }
            }
            Purpose::Adjust(_, what, minor) => Call::Adjust {
                what,
                currency: currency.as_ref().map_or("", |c| c.code()),
                minor,
            },
        };
        Some(wire::request(
            self.config.dialect,
            self.config.kind,
            &self.config.intent_id,
            &call,
        ))
    }

    pub(super) fn on_reply(&mut self, out: &mut Outbox, id: RequestId, reply: Reply, now: Millis) {
        let Some(flight) = self.jobs.take(id) else {
            return; // aborted: a late answer changes nothing
        };
        let job = flight.job;
        if job.purpose.is_customer() {
            return self.on_customer_reply(out, job, reply, now);
        }
        let status = reply.status;
        if (200..300).contains(&status) || status == 304 {
            self.on_success(out, job, reply, now);
            return;
        }
        let secret = self.token().secret();
        let err = wire::problem(self.config.dialect, status, &reply.body, secret);
        let api = err.api_code.as_deref();
        if status == 401 && matches!(api, Some("token_expired" | "token_invalid") | None) {
            self.on_token_rejected(out, job, flight.token_generation, now);
        } else if status >= 500
            || (status == 409 && api != Some("illegal_transition"))
            || status == 429
        {
            self.retry_after(out, job, reply.retry_after_ms, Some(err), now);
        } else {
            self.on_fatal(out, job, err, now);
        }
    }

    /// Retries `job` (see `on_retryable`), no sooner than the server's `Retry-After` (capped by the
    /// policy), which holds every request: the intent's and the customer's alike.
    pub(super) fn retry_after(
        &mut self,
        out: &mut Outbox,
        job: Job,
        retry_after_ms: Option<u64>,
        err: Option<CheckoutError>,
        now: Millis,
    ) {
        if let Some(ms) = retry_after_ms {
            let wait = ms.min(self.config.policy.max_retry_after_ms);
            self.jobs.not_before = self.jobs.not_before.max(now + wait);
        }
        self.on_retryable(out, job, err, now);
    }

    pub(super) fn on_failure(&mut self, out: &mut Outbox, id: RequestId, now: Millis) {
        let Some(flight) = self.jobs.take(id) else {
            return;
        };
        if flight.job.purpose == Purpose::Stream {
            self.on_stream_down(out, flight.got_event(), now);
        } else {
            self.on_retryable(out, flight.job, None, now);
        }
    }

    /// Runs everything due by `now`, earliest first: the refresh timeout, request timeouts (aborted, then
    /// counted as network failures) and waiting jobs (sent). Only what was due when called runs: a job
    /// rescheduled for `now` waits for the next call.
    pub(super) fn on_timeout(&mut self, out: &mut Outbox, now: Millis) {
        self.on_refresh_timeout(out, now);
        let mut budget = self.jobs.flights.len() + self.jobs.waiting.len();
        while budget > 0 {
            budget -= 1;
            match self.jobs.due(now) {
                None => break,
                Some(Due::Flight(id)) => {
                    out.push(Output::Abort(id));
                    self.on_failure(out, id, now);
                }
                Some(Due::Waiting(i)) => {
                    let (_, job) = self.jobs.waiting.remove(i);
                    self.submit(out, job, now);
                }
            }
        }
    }

    /// No clear answer (5xx, 409 in progress, 429, timeout, lost connection).
    pub(super) fn on_retryable(
        &mut self,
        out: &mut Outbox,
        job: Job,
        err: Option<CheckoutError>,
        now: Millis,
    ) {
        match job.purpose {
            // A payment without a clear answer: its outcome is unknown. Read the intent, never pay again
            // blindly; the read decides whether the same key goes again.
            Purpose::Pay => {
                self.attempt.remember_error(err);
                self.submit(out, Job::new(Purpose::Resolve), now);
            }
            Purpose::Stream => self.on_stream_down(out, false, now),
            Purpose::Poll => self.poll_again(out, false, now),
            _ if job.tries <= self.config.policy.max_retries => {
                let delay = self.config.policy.delay(job.tries, self.rng.next_u64());
                self.jobs.wait(now + delay, job);
            }
            _ => self.on_fatal(out, job, err.unwrap_or_else(error::network_error), now),
        }
    }

    /// A final error for `job`.
    pub(super) fn on_fatal(&mut self, out: &mut Outbox, job: Job, err: CheckoutError, now: Millis) {
        match job.purpose {
            Purpose::Load(op) => {
                out.settle(op, Err(err.clone()));
                self.emit_error(out, err);
            }
            Purpose::Adjust(op, ..) | Purpose::ListSaved(op) => out.settle(op, Err(err)),
            Purpose::RemoveSaved(op) => {
                if let Some(s) = self.saved.as_mut() {
                    s.removing = None;
                }
                out.settle(op, Err(err))
            }
            Purpose::Pay => self.attempt_failed(out, err),
            // Could not learn the outcome: keep the key for a retry of the same payment method.
            Purpose::Resolve => self.attempt_unknown(out, err),
            Purpose::ReRead => {}
            Purpose::Stream | Purpose::Poll => {
                if err.code != ErrorCode::TokenExpired {
                    self.emit_error(out, err);
                }
                self.stop_following(out);
            }
        }
        let _ = now;
    }

    /// A 2xx (or 304) answer.
    fn on_success(&mut self, out: &mut Outbox, job: Job, reply: Reply, now: Millis) {
        match job.purpose {
            Purpose::Poll if reply.status == 304 => return self.poll_again(out, false, now),
            _ if reply.status == 304 => return,
            // A stream answered with a plain body: as good as down.
            Purpose::Stream => return self.on_stream_down(out, false, now),
            Purpose::Poll => self.follow.set_etag(reply.etag),
            _ => {}
        }
        match self.take_snapshot(out, &reply.body, now) {
            Err(err) => match job.purpose {
                // Dropped like a bad stream snapshot: keep following.
                Purpose::Poll => {
                    self.emit_error(out, err);
                    self.poll_again(out, false, now);
                }
                Purpose::ReRead => self.emit_error(out, err),
                _ => self.on_fatal(out, job, err, now),
            },
            Ok(taken) => match job.purpose {
                Purpose::Load(op) => self.on_loaded(out, op, taken.first, now),
                Purpose::Adjust(op, ..) => match self.view.clone() {
                    Some(v) => out.settle(op, Ok(v)),
                    None => out.settle(op, Err(not_loaded())),
                },
                Purpose::Pay => self.on_pay_answered(out, now),
                Purpose::Resolve => self.on_resolved(out, taken.version, now),
                Purpose::Poll => self.poll_again(out, taken.accepted, now),
                Purpose::ReRead
                | Purpose::Stream
                | Purpose::ListSaved(_)
                | Purpose::RemoveSaved(_) => {}
            },
        }
    }

    /// The first read: settle `start()`, announce `ready` the first time, follow unless already final.
    fn on_loaded(&mut self, out: &mut Outbox, op: OpId, first: bool, now: Millis) {
        let Some(view) = self.view.clone() else {
            // The mirror refused the snapshot (already reported as an error event).
            out.settle(op, Err(not_loaded()));
            return;
        };
        out.settle(op, Ok(view.clone()));
        if first {
            self.emit(out, EventKind::Ready, None);
        }
        if !view.phase.is_terminal() && !self.follow.is_on() {
            self.start_following(out, now);
        }
    }
}

fn not_loaded() -> CheckoutError {
    CheckoutError::new(
        ErrorCode::ApiError,
        "the payment API sent no intent the checkout can use",
    )
}
