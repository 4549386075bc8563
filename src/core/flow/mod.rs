//! The page-side checkout flow as a sans-IO state machine (quinn-proto style).
//!
//! Inputs: user actions ([`Checkout::start`], [`Checkout::pay`], [`Checkout::set_tip`], ...), HTTP replies
//! and failures, stream bytes, timer firings, token-refresh results and `postMessage`s, each with `now`
//! (unix ms from the shell; the core never reads a clock). Outputs: [`Output`]s drained with
//! [`Checkout::poll_output`]: send/abort a request, set/cancel a timer, call the page's `refreshToken`,
//! emit an event, settle a pending promise.
//!
//! Invariants: one idempotency key per logical payment attempt, reused byte-for-byte on every retry; at
//! most one attempt at a time; at most one token refresh per expiry; the token is never part of an output
//! (the shell reads it with [`Checkout::bearer`] when it builds the `Authorization` header).

pub mod backoff;
pub mod error;
pub mod form;
pub use crate::core::json;
pub mod sse;
pub mod view;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

pub use backoff::{RetryPolicy, Rng};
pub use error::{CheckoutError, ErrorCode};
pub use sse::{SseEvent, SseParser};
pub use view::{Phase, Snapshot};

use crate::core::intent::{DecodeError, PaymentIntent};
use crate::core::lifecycle::Dialect;
use crate::core::mirror::{self, Change, Mirror};

/// Unix milliseconds, as the shell reads them from `Date.now()`.
pub type Millis = u64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId(pub u32);
/// A pending page promise (`createCheckout`'s ready, `pay`, `setTip`, `setAmount`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// A request as plain data. The shell prefixes `path` with the API base and adds `Authorization`.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    /// JSON. For payments it holds card data, so `Debug` never prints it.
    pub body: Option<String>,
    /// Read the body as a stream of chunks (SSE) instead of as one text.
    pub stream: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("body", &self.body.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// A complete HTTP answer (any status).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub etag: Option<String>,
    pub body: String,
}

/// A card as typed by the customer. `Debug` shows only the last four digits.
#[derive(Clone, PartialEq, Eq)]
pub struct CardInput {
    pub number: String,
    pub expiry_month: u32,
    pub expiry_year: u32,
    pub cvc: String,
    pub cardholder_name: String,
}

impl fmt::Debug for CardInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits: Vec<char> = self.number.chars().filter(char::is_ascii_digit).collect();
        let last4: String = digits[digits.len().saturating_sub(4)..].iter().collect();
        write!(f, "CardInput(**** {last4})")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Ready,
    Status,
    RequiresAction,
    Succeeded,
    Failed,
    Canceled,
    Expired,
    TokenRefreshed,
    Error,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Ready => "ready",
            EventKind::Status => "status",
            EventKind::RequiresAction => "requires_action",
            EventKind::Succeeded => "succeeded",
            EventKind::Failed => "failed",
            EventKind::Canceled => "canceled",
            EventKind::Expired => "expired",
            EventKind::TokenRefreshed => "token_refreshed",
            EventKind::Error => "error",
        }
    }
}

/// An event for the page. Its detail never holds the token (the snapshot has no secret field).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub intent: Option<Rc<Snapshot>>,
    /// What changed (JSON text, see [`Snapshot::change_from`]).
    pub change: Option<String>,
    pub error: Option<CheckoutError>,
    /// `requires_action`: the challenge page to show in a frame.
    pub url: Option<String>,
}

impl Event {
    /// The `detail` object as JSON text: `{intent, status, canonical, change?, error?, url?}`.
    pub fn detail_json(&self) -> String {
        let mut o = intent_fields(self.intent.as_deref());
        if let Some(c) = &self.change {
            o = o.raw("change", c);
        }
        if let Some(e) = &self.error {
            o = o.raw("error", &e.to_json());
        }
        o.opt_str("url", self.url.as_deref()).finish()
    }
}

fn intent_fields(s: Option<&Snapshot>) -> json::Obj {
    let o = json::Obj::new();
    match s {
        Some(s) => o
            .raw("intent", &s.raw)
            .str("status", &s.status)
            .str("canonical", s.phase.canonical()),
        None => o,
    }
}

/// What a page promise settles with: `{intent}` or `{error}` (payment outcomes never reject).
pub type OpResult = Result<Rc<Snapshot>, CheckoutError>;

/// `{"intent": ..., "status", "canonical"}` or `{"error": {...}, "intent"?}` as JSON text.
pub fn op_result_json(r: &OpResult, current: Option<&Snapshot>) -> String {
    match r {
        Ok(s) => intent_fields(Some(s)).finish(),
        Err(e) => intent_fields(current).raw("error", &e.to_json()).finish(),
    }
}

#[derive(Debug)]
pub enum Output {
    Send {
        id: RequestId,
        request: Request,
    },
    Abort(RequestId),
    SetTimer {
        id: TimerId,
        at: Millis,
    },
    CancelTimer(TimerId),
    /// Call the page's `refreshToken`; answer with [`Checkout::handle_refreshed`].
    RefreshToken,
    Emit(Event),
    Settle {
        op: OpId,
        result: OpResult,
    },
}

/// Fixed settings of one checkout.
#[derive(Clone)]
pub struct Config {
    pub intent_id: String,
    /// `scheme://host[:port]` of the API: the only origin whose `postMessage`s are trusted.
    pub api_origin: String,
    /// The page gave a `refreshToken` callback.
    pub can_refresh: bool,
    pub policy: RetryPolicy,
    /// Random bits from the shell (`crypto.getRandomValues`) for keys and jitter.
    pub seed: u64,
    /// The API's dialect: which wire statuses snapshots may carry.
    pub dialect: Dialect,
}

/// The connect token, in memory only. `Debug` redacts it.
struct Token {
    secret: String,
    expires_at: Option<Millis>,
    margin: u64,
    /// Already expiring when received (clock skew): trust the server's verdict instead of our clock.
    trust_server_only: bool,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token([redacted], expires_at: {:?})", self.expires_at)
    }
}

impl Token {
    fn new(secret: String, expires_at: Option<Millis>, now: Millis, policy: &RetryPolicy) -> Token {
        // A short-lived token (tests use seconds) gets a proportionally short margin.
        let margin =
            expires_at.map_or(0, |e| policy.token_margin_ms.min(e.saturating_sub(now) / 5));
        let mut t = Token {
            secret,
            expires_at,
            margin,
            trust_server_only: false,
        };
        t.trust_server_only = t.expiring(now);
        t
    }

    fn expiring(&self, now: Millis) -> bool {
        !self.trust_server_only && self.expires_at.is_some_and(|e| now + self.margin >= e)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenState {
    Usable,
    Refreshing,
    /// Refresh failed or was impossible: requests fail with `token_expired` until a user action.
    Dead,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Update {
    Tip,
    Amount,
}

/// Why a request exists; the request itself is rebuilt from it on every (re)send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Load(OpId),
    Pay,
    /// Read the intent to learn a payment's outcome after a 5xx, timeout or lost connection.
    Resolve,
    Update(OpId, Update, i64),
    Stream,
    Poll,
    /// Re-read at once (3-D Secure challenge finished).
    ReRead,
}

#[derive(Clone, Copy, Debug)]
struct Job {
    purpose: Purpose,
    /// Sends so far (retries = tries - 1).
    tries: u32,
    /// This job already caused a token refresh: another `token_expired` ends in the error state.
    refreshed: bool,
}

impl Job {
    fn new(purpose: Purpose) -> Job {
        Job {
            purpose,
            tries: 0,
            refreshed: false,
        }
    }
}

#[derive(Debug)]
struct InFlight {
    job: Job,
    token_gen: u32,
    timeout: TimerId,
    /// For streams: the parser, and whether any event arrived on this connection.
    sse: Option<SseParser>,
    got_event: bool,
}

#[derive(Clone, Copy, Debug)]
enum TimerPurpose {
    RequestTimeout(RequestId),
    Retry(Job),
    /// The page's `refreshToken` took too long.
    RefreshTimeout,
}

/// One logical payment attempt: its key and body never change while it lives.
struct Attempt {
    op: OpId,
    key: String,
    body: String,
    /// The intent version when the attempt started: only later errors belong to it.
    start_version: u64,
    /// The POST was answered; the outcome now comes from snapshots (3-D Secure, async settlement).
    awaiting_outcome: bool,
    /// Retries of the POST (the Resolve reads in between do not count).
    pay_retries: u32,
}

impl fmt::Debug for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attempt")
            .field("key", &self.key)
            .field("awaiting", &self.awaiting_outcome)
            .finish()
    }
}

/// How the last attempt ended, for the next one.
#[derive(Clone, Debug, PartialEq, Eq)]
enum LastAttempt {
    None,
    /// Declined or failed: the next attempt refreshes the token first.
    Failed,
    /// Gave up without learning the outcome: the same card retries under the same key.
    Unknown {
        key: String,
        body: String,
    },
}

#[derive(Debug)]
pub struct Checkout {
    config: Config,
    token: Token,
    token_state: TokenState,
    rng: Rng,
    next_id: u32,
    requests: SmallMap<RequestId, InFlight>,
    timers: SmallMap<TimerId, TimerPurpose>,
    /// Jobs waiting for a token refresh.
    parked: Vec<Job>,
    outputs: VecDeque<Output>,
    intent: Option<Rc<Snapshot>>,
    /// The core's copy of the intent: it decides which snapshots are newer and what changed.
    mirror: Mirror,
    etag: Option<String>,
    attempt: Option<Attempt>,
    /// The last retryable error of the current attempt's POST, reported if the retries run out.
    pay_error: Option<CheckoutError>,
    last_attempt: LastAttempt,
    /// Bumped on every new token: a 401 for a request sent with an older token just resends it.
    token_gen: u32,
    refresh_timer: Option<TimerId>,
    following: bool,
    /// Consecutive stream failures with no event in between; past the limit we poll instead.
    stream_failures: u32,
    polling: bool,
    poll_step: u32,
    destroyed: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("intent_id", &self.intent_id)
            .finish()
    }
}

const STREAM_FAILURES_BEFORE_POLLING: u32 = 3;

impl Checkout {
    /// `intent_id` must be a plain id (letters, digits, `_`, `-`): it goes into request paths.
    pub fn new(
        config: Config,
        token: String,
        token_expires_at: Option<Millis>,
        now: Millis,
    ) -> Result<Checkout, CheckoutError> {
        let id_ok = !config.intent_id.is_empty()
            && config.intent_id.len() <= 128
            && config
                .intent_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !id_ok {
            return Err(CheckoutError::new(
                ErrorCode::SdkError,
                "paymentIntentId is not a valid id",
            ));
        }
        if token.is_empty() || token.chars().any(|c| c.is_control() || c == ' ') {
            return Err(CheckoutError::new(
                ErrorCode::SdkError,
                "connectToken is missing or malformed",
            ));
        }
        let token = Token::new(token, token_expires_at, now, &config.policy);
        Ok(Checkout {
            rng: Rng::new(config.seed),
            mirror: Mirror::new(config.dialect),
            config,
            token,
            token_state: TokenState::Usable,
            next_id: 1,
            requests: SmallMap::default(),
            timers: SmallMap::default(),
            parked: Vec::new(),
            outputs: VecDeque::new(),
            intent: None,
            etag: None,
            attempt: None,
            pay_error: None,
            last_attempt: LastAttempt::None,
            token_gen: 0,
            refresh_timer: None,
            following: false,
            stream_failures: 0,
            polling: false,
            poll_step: 0,
            destroyed: false,
        })
    }

    // ----- outputs and read-only views -----

    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// The token for the `Authorization` header of a request just polled. `None` once destroyed.
    pub fn bearer(&self) -> Option<&str> {
        (!self.destroyed).then_some(self.token.secret.as_str())
    }

    pub fn intent(&self) -> Option<Rc<Snapshot>> {
        self.intent.clone()
    }

    pub fn is_destroyed(&self) -> bool {
        self.destroyed
    }

    /// A payment attempt is running (the page's Pay button should stay disabled).
    pub fn is_paying(&self) -> bool {
        self.attempt.is_some()
    }

    /// Removes every occurrence of the token from a string (for text that came from elsewhere).
    pub fn scrub(&self, text: &str) -> String {
        if self.token.secret.len() >= 4 && text.contains(&self.token.secret) {
            text.replace(&self.token.secret, "[redacted]")
        } else {
            text.to_string()
        }
    }

    // ----- user actions -----

    /// Loads the intent; settles `op` with it (or an error) and then follows it while it is not terminal.
    pub fn start(&mut self, now: Millis) -> OpId {
        let op = self.new_op();
        if self.refuse_if_destroyed(op) {
            return op;
        }
        self.submit(Job::new(Purpose::Load(op)), now);
        op
    }

    /// Starts a payment attempt. Refused (settled at once, nothing sent) while another attempt runs,
    /// before the intent is loaded, or when the intent is not payable.
    pub fn pay(&mut self, card: &CardInput, now: Millis) -> OpId {
        let op = self.new_op();
        if self.refuse_if_destroyed(op) {
            return op;
        }
        if self.attempt.is_some() {
            let e = CheckoutError::new(
                ErrorCode::UnexpectedTransition,
                "a payment is already in progress",
            );
            self.settle(op, Err(e));
            return op;
        }
        let Some(intent) = self.intent.clone() else {
            let e = CheckoutError::new(
                ErrorCode::UnexpectedTransition,
                "the payment intent is not loaded yet",
            );
            self.settle(op, Err(e));
            return op;
        };
        if !intent.phase.is_payable() {
            let mut e = CheckoutError::new(
                ErrorCode::UnexpectedTransition,
                "the payment intent cannot be paid now",
            );
            e.api_code = Some(intent.status.clone());
            self.settle(op, Err(e));
            return op;
        }
        if let Err(e) = validate_card(card, now) {
            self.settle(op, Err(e));
            return op;
        }
        let body = card_body(card);
        let key = match &self.last_attempt {
            // Same card after an unknown outcome: the same logical attempt, so the same key.
            LastAttempt::Unknown { key, body: b } if *b == body => key.clone(),
            _ => self.rng.idempotency_key(),
        };
        let fresh_token_first =
            self.last_attempt == LastAttempt::Failed || self.token_state == TokenState::Dead;
        self.last_attempt = LastAttempt::None;
        self.attempt = Some(Attempt {
            op,
            key,
            body,
            start_version: intent.version,
            awaiting_outcome: false,
            pay_retries: 0,
        });
        let job = Job::new(Purpose::Pay);
        if fresh_token_first && self.config.can_refresh {
            // Dojo: "always refresh the token when restarting an unsuccessful payment intent".
            self.begin_refresh(now);
            self.parked.push(Job {
                refreshed: true,
                ..job
            });
        } else {
            if self.token_state == TokenState::Dead {
                self.token_state = TokenState::Usable; // a user action: let the server judge again
            }
            self.submit(job, now);
        }
        op
    }

    pub fn set_tip(&mut self, minor: i64, now: Millis) -> OpId {
        self.update(Update::Tip, minor, now)
    }

    pub fn set_amount(&mut self, minor: i64, now: Millis) -> OpId {
        self.update(Update::Amount, minor, now)
    }

    fn update(&mut self, what: Update, minor: i64, now: Millis) -> OpId {
        let op = self.new_op();
        if self.refuse_if_destroyed(op) {
            return op;
        }
        let bad = match what {
            Update::Tip => minor < 0,
            Update::Amount => minor <= 0,
        };
        if bad {
            let mut e = CheckoutError::new(
                ErrorCode::ValidationError,
                "the amount must be a positive integer in minor units",
            );
            e.param = Some(
                if what == Update::Tip {
                    "tipsAmount"
                } else {
                    "amount"
                }
                .into(),
            );
            self.settle(op, Err(e));
            return op;
        }
        if self.attempt.is_some() || self.intent.as_ref().map_or(true, |i| !i.phase.is_payable()) {
            let e = CheckoutError::new(
                ErrorCode::UnexpectedTransition,
                "the amount cannot change now",
            );
            self.settle(op, Err(e));
            return op;
        }
        self.submit(Job::new(Purpose::Update(op, what, minor)), now);
        op
    }

    /// Gives up waiting for the current attempt (e.g. the customer closed the 3-D Secure frame). The pay
    /// promise settles with `sdk_error`; the intent is still followed, so a late success still shows.
    pub fn cancel(&mut self, now: Millis) {
        let _ = now;
        if let Some(a) = self.attempt.take() {
            self.cancel_jobs(|p| matches!(p, Purpose::Pay | Purpose::Resolve | Purpose::ReRead));
            self.last_attempt = LastAttempt::Failed;
            let e = CheckoutError::new(
                ErrorCode::SdkError,
                "the payment attempt was canceled by the page",
            );
            self.settle(a.op, Err(e));
        }
    }

    /// Stops everything: aborts requests, cancels timers, forgets the token and card data; pending
    /// promises settle with `sdk_error`.
    pub fn destroy(&mut self) {
        if self.destroyed {
            return;
        }
        self.destroyed = true;
        self.following = false;
        let ids: Vec<RequestId> = self.requests.keys().copied().collect();
        let mut pending_ops = Vec::new();
        for id in ids {
            if let Some(f) = self.requests.remove(&id) {
                pending_ops.extend(op_of(f.job.purpose));
                self.outputs.push_back(Output::Abort(id));
            }
        }
        let timers = std::mem::take(&mut self.timers).0;
        for (id, p) in timers {
            if let TimerPurpose::Retry(job) = p {
                pending_ops.extend(op_of(job.purpose));
            }
            self.outputs.push_back(Output::CancelTimer(id));
        }
        for job in std::mem::take(&mut self.parked) {
            pending_ops.extend(op_of(job.purpose));
        }
        if let Some(a) = self.attempt.take() {
            pending_ops.push(a.op);
        }
        let mut settled: Vec<OpId> = Vec::new();
        for op in pending_ops {
            if settled.contains(&op) {
                continue;
            }
            settled.push(op);
            self.settle(op, Err(destroyed_error()));
        }
        self.last_attempt = LastAttempt::None;
        self.token.secret.clear();
    }

    // ----- I/O inputs -----

    pub fn handle_reply(&mut self, id: RequestId, reply: Reply, now: Millis) {
        let Some(flight) = self.take_request(id) else {
            return;
        };
        let job = flight.job;
        let status = reply.status;
        if (200..300).contains(&status) || status == 304 {
            self.on_success(job, reply, now);
            return;
        }
        let err = CheckoutError::from_problem(status, &reply.body).scrub(&self.token.secret);
        let api = err.api_code.as_deref();
        if status == 401 && matches!(api, Some("token_expired" | "token_invalid") | None) {
            self.on_token_rejected(job, flight.token_gen, now);
        } else if status >= 500
            || (status == 409 && api != Some("illegal_transition"))
            || status == 429
        {
            self.on_retryable(job, Some(err), now);
        } else {
            self.on_fatal(job, err, now);
        }
    }

    /// No answer: connection refused, reset, CORS, or the body read failed.
    pub fn handle_failure(&mut self, id: RequestId, now: Millis) {
        let Some(flight) = self.take_request(id) else {
            return;
        };
        if flight.job.purpose == Purpose::Stream {
            self.on_stream_down(flight.got_event, now);
            return;
        }
        self.on_retryable(flight.job, None, now);
    }

    /// The stream's headers arrived with status 200: from now on the idle timeout applies.
    pub fn handle_stream_open(&mut self, id: RequestId, now: Millis) {
        self.rearm_timeout(id, self.config.policy.stream_idle_ms, now);
    }

    pub fn handle_stream_data(&mut self, id: RequestId, bytes: &[u8], now: Millis) {
        let events = match self.requests.get_mut(&id) {
            Some(InFlight { sse: Some(p), .. }) => p.feed(bytes),
            _ => return,
        };
        self.rearm_timeout(id, self.config.policy.stream_idle_ms, now);
        for ev in events {
            if ev.event != "intent" {
                continue;
            }
            if let Some(f) = self.requests.get_mut(&id) {
                f.got_event = true;
            }
            self.stream_failures = 0;
            match Snapshot::decode(&ev.data, self.config.dialect) {
                Ok((snap, pi)) => {
                    self.apply_snapshot(snap, pi, now);
                }
                // Dropped; the stream goes on (the next good snapshot supersedes it).
                Err(e) => self.emit_decode_error(&e),
            }
            if self.destroyed || !self.requests.contains_key(&id) {
                return;
            }
        }
    }

    /// The stream body ended (the server closes it after a terminal status).
    pub fn handle_stream_end(&mut self, id: RequestId, now: Millis) {
        let Some(flight) = self.take_request(id) else {
            return;
        };
        self.on_stream_down(flight.got_event, now);
    }

    pub fn handle_timer(&mut self, id: TimerId, now: Millis) {
        let Some(p) = self.timers.remove(&id) else {
            return;
        };
        match p {
            TimerPurpose::RequestTimeout(req) => {
                if let Some(f) = self.requests.remove(&req) {
                    self.outputs.push_back(Output::Abort(req));
                    if f.job.purpose == Purpose::Stream {
                        self.on_stream_down(f.got_event, now);
                    } else {
                        self.on_retryable(f.job, None, now);
                    }
                }
            }
            TimerPurpose::Retry(job) => self.submit(job, now),
            TimerPurpose::RefreshTimeout => {
                if self.token_state == TokenState::Refreshing {
                    self.token_dead(now);
                }
            }
        }
    }

    /// The page's `refreshToken` settled: `Some((token, expiresAt))` or `None` (threw, returned nothing).
    pub fn handle_refreshed(&mut self, result: Option<(String, Option<Millis>)>, now: Millis) {
        if self.destroyed || self.token_state != TokenState::Refreshing {
            return;
        }
        if let Some(t) = self.refresh_timer.take() {
            self.cancel_timer(t);
        }
        match result {
            Some((secret, expires))
                if !secret.is_empty() && !secret.chars().any(|c| c.is_control() || c == ' ') =>
            {
                self.token = Token::new(secret, expires, now, &self.config.policy);
                self.token_gen += 1;
                self.token_state = TokenState::Usable;
                self.emit(EventKind::TokenRefreshed, None, None, None);
                for job in std::mem::take(&mut self.parked) {
                    self.submit(
                        Job {
                            refreshed: true,
                            ..job
                        },
                        now,
                    );
                }
            }
            _ => self.token_dead(now),
        }
    }

    /// A `postMessage` reached the page. Only the API origin's `challenge_complete` for the current
    /// challenge counts; it triggers an immediate re-read.
    pub fn handle_message(&mut self, origin: &str, data: &str, now: Millis) {
        if self.destroyed || origin != self.config.api_origin {
            return;
        }
        let Some(msg) = json::members(data) else {
            return;
        };
        let field = |k: &str| json::get(&msg, k).and_then(json::string);
        if field("source").as_deref() != Some("intent-sandbox")
            || field("type").as_deref() != Some("challenge_complete")
        {
            return;
        }
        let url = self.intent.as_ref().and_then(|i| i.next_action_url.clone());
        let matches = match (url, field("challengeId")) {
            (Some(u), Some(c)) => u.rsplit('/').next() == Some(c.as_str()),
            _ => false,
        };
        if matches && self.attempt.is_some() {
            self.submit(Job::new(Purpose::ReRead), now);
        }
    }

    // ----- internals: sending -----

    fn new_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    fn new_op(&mut self) -> OpId {
        OpId(self.new_id())
    }

    fn refuse_if_destroyed(&mut self, op: OpId) -> bool {
        if self.destroyed {
            self.settle(op, Err(destroyed_error()));
        }
        self.destroyed
    }

    fn settle(&mut self, op: OpId, result: OpResult) {
        self.outputs.push_back(Output::Settle { op, result });
    }

    fn emit(
        &mut self,
        kind: EventKind,
        change: Option<String>,
        error: Option<CheckoutError>,
        url: Option<String>,
    ) {
        let intent = self.intent.clone();
        self.outputs.push_back(Output::Emit(Event {
            kind,
            intent,
            change,
            error,
            url,
        }));
    }

    fn set_timer(&mut self, at: Millis, p: TimerPurpose) -> TimerId {
        let id = TimerId(self.new_id());
        self.timers.insert(id, p);
        self.outputs.push_back(Output::SetTimer { id, at });
        id
    }

    fn cancel_timer(&mut self, id: TimerId) {
        if self.timers.remove(&id).is_some() {
            self.outputs.push_back(Output::CancelTimer(id));
        }
    }

    fn take_request(&mut self, id: RequestId) -> Option<InFlight> {
        let f = self.requests.remove(&id)?;
        self.cancel_timer(f.timeout);
        Some(f)
    }

    fn rearm_timeout(&mut self, id: RequestId, after: u64, now: Millis) {
        let Some(old) = self.requests.get(&id).map(|f| f.timeout) else {
            return;
        };
        self.cancel_timer(old);
        let t = self.set_timer(now + after, TimerPurpose::RequestTimeout(id));
        if let Some(f) = self.requests.get_mut(&id) {
            f.timeout = t;
        }
    }

    /// Sends `job` now, or parks it behind a token refresh.
    fn submit(&mut self, mut job: Job, now: Millis) {
        if self.destroyed {
            return;
        }
        if matches!(job.purpose, Purpose::Stream | Purpose::Poll) && !self.following {
            return;
        }
        match self.token_state {
            TokenState::Refreshing => {
                self.parked.push(job);
                return;
            }
            TokenState::Dead => {
                self.on_fatal(job, token_expired_error(), now);
                return;
            }
            TokenState::Usable => {}
        }
        if self.token.expiring(now) && self.config.can_refresh && !job.refreshed {
            self.begin_refresh(now);
            self.parked.push(job);
            return;
        }
        let Some(request) = self.build(job.purpose) else {
            return;
        };
        job.tries += 1;
        let id = RequestId(self.new_id());
        let timeout = self.set_timer(
            now + self.config.policy.request_timeout_ms,
            TimerPurpose::RequestTimeout(id),
        );
        let sse = request.stream.then(SseParser::new);
        let token_gen = self.token_gen;
        self.requests.insert(
            id,
            InFlight {
                job,
                token_gen,
                timeout,
                sse,
                got_event: false,
            },
        );
        self.outputs.push_back(Output::Send { id, request });
    }

    fn base_path(&self) -> String {
        let mut p = String::from("/payment-intents/public/");
        p.push_str(&self.config.intent_id);
        p
    }

    fn build(&self, purpose: Purpose) -> Option<Request> {
        let base = self.base_path();
        let path = |suffix: &str| {
            let mut p = base.clone();
            p.push_str(suffix);
            p
        };
        let get = |path: String, headers: Vec<(&'static str, String)>, stream: bool| Request {
            method: Method::Get,
            path,
            headers,
            body: None,
            stream,
        };
        Some(match purpose {
            Purpose::Load(_) | Purpose::Resolve | Purpose::ReRead => get(base, vec![], false),
            Purpose::Poll => {
                let h = self
                    .etag
                    .clone()
                    .map(|e| vec![("If-None-Match", e)])
                    .unwrap_or_default();
                get(base, h, false)
            }
            Purpose::Stream => {
                let mut h = vec![("Accept", "text/event-stream".to_string())];
                if let Some(i) = &self.intent {
                    h.push(("Last-Event-ID", json::uint_string(i.version)));
                }
                get(path("/events"), h, true)
            }
            Purpose::Pay => {
                let a = self.attempt.as_ref()?;
                Request {
                    method: Method::Post,
                    path: path("/payments"),
                    headers: vec![
                        ("Content-Type", "application/json".into()),
                        ("Idempotency-Key", a.key.clone()),
                    ],
                    body: Some(a.body.clone()),
                    stream: false,
                }
            }
            Purpose::Update(_, what, minor) => {
                let currency = self
                    .intent
                    .as_ref()
                    .map(|i| i.currency.clone())
                    .unwrap_or_default();
                let money = json::Obj::new()
                    .str("currencyCode", &currency)
                    .int("value", minor)
                    .finish();
                let (suffix, field) = match what {
                    Update::Tip => ("/tips-amount", "tipsAmount"),
                    Update::Amount => ("/amount", "amount"),
                };
                Request {
                    method: Method::Post,
                    path: path(suffix),
                    headers: vec![("Content-Type", "application/json".into())],
                    body: Some(json::Obj::new().raw(field, &money).finish()),
                    stream: false,
                }
            }
        })
    }

    fn begin_refresh(&mut self, now: Millis) {
        if self.token_state != TokenState::Refreshing {
            self.token_state = TokenState::Refreshing;
            self.outputs.push_back(Output::RefreshToken);
            let at = now + self.config.policy.refresh_timeout_ms;
            self.refresh_timer = Some(self.set_timer(at, TimerPurpose::RefreshTimeout));
        }
    }

    fn cancel_jobs(&mut self, which: impl Fn(Purpose) -> bool) {
        let ids: Vec<RequestId> = self
            .requests
            .iter()
            .filter(|(_, f)| which(f.job.purpose))
            .map(|(k, _)| *k)
            .collect();
        for id in ids {
            if self.take_request(id).is_some() {
                self.outputs.push_back(Output::Abort(id));
            }
        }
        let timers: Vec<TimerId> = self
            .timers
            .iter()
            .filter(|(_, p)| matches!(p, TimerPurpose::Retry(j) if which(j.purpose)))
            .map(|(k, _)| *k)
            .collect();
        for t in timers {
            self.cancel_timer(t);
        }
        self.parked.retain(|j| !which(j.purpose));
    }

    // ----- internals: outcomes -----

    fn on_token_rejected(&mut self, job: Job, sent_with: u32, now: Millis) {
        if sent_with < self.token_gen && self.token_state == TokenState::Usable {
            // Sent before the last refresh: that refresh already covers this expiry.
            self.submit(
                Job {
                    refreshed: true,
                    ..job
                },
                now,
            );
            return;
        }
        if job.refreshed || !self.config.can_refresh {
            // Refreshed once for this request and still refused, or no way to refresh: stop, no loop.
            self.parked.push(job);
            self.token_dead(now);
            return;
        }
        self.begin_refresh(now);
        self.parked.push(job);
    }

    fn token_dead(&mut self, now: Millis) {
        self.token_state = TokenState::Dead;
        if let Some(t) = self.refresh_timer.take() {
            self.cancel_timer(t);
        }
        let err = token_expired_error();
        self.emit(EventKind::Error, None, Some(err.clone()), None);
        for job in std::mem::take(&mut self.parked) {
            self.on_fatal(job, err.clone(), now);
        }
        if self.following {
            self.stop_following();
        }
    }

    fn on_retryable(&mut self, job: Job, err: Option<CheckoutError>, now: Millis) {
        if let (Purpose::Pay, Some(e)) = (job.purpose, &err) {
            // Remember why, for the error if the retries run out.
            self.pay_error = Some(e.clone());
        }
        match job.purpose {
            // A payment without a clear answer: its outcome is unknown. Read the intent, never re-pay
            // blindly; the read decides whether the same key goes again.
            Purpose::Pay => self.submit(Job::new(Purpose::Resolve), now),
            Purpose::Stream => self.on_stream_down(false, now),
            Purpose::Poll => {
                self.poll_step += 1;
                self.schedule_poll(now);
            }
            _ => {
                if job.tries <= self.config.policy.max_retries {
                    let delay = self.config.policy.delay(job.tries, self.rng.next_u64());
                    self.set_timer(now + delay, TimerPurpose::Retry(job));
                } else {
                    let e = err.unwrap_or_else(|| {
                        CheckoutError::new(
                            ErrorCode::NetworkError,
                            "the payment API could not be reached",
                        )
                    });
                    self.on_fatal(job, e, now);
                }
            }
        }
    }

    fn on_fatal(&mut self, job: Job, err: CheckoutError, now: Millis) {
        match job.purpose {
            Purpose::Load(op) => {
                self.settle(op, Err(err.clone()));
                self.emit(EventKind::Error, None, Some(err), None);
            }
            Purpose::Update(op, ..) => self.settle(op, Err(err)),
            Purpose::Pay => {
                self.end_attempt(Err(err), EndKind::Failed);
            }
            Purpose::Resolve => {
                // Could not learn the outcome: keep the key for a retry of the same card.
                self.end_attempt(Err(err), EndKind::Unknown);
            }
            Purpose::ReRead => {}
            Purpose::Stream | Purpose::Poll => {
                if err.code == ErrorCode::TokenExpired {
                    self.stop_following();
                } else {
                    self.emit(EventKind::Error, None, Some(err), None);
                    self.stop_following();
                }
            }
        }
        let _ = now;
    }

    fn on_success(&mut self, job: Job, reply: Reply, now: Millis) {
        if reply.status == 304 {
            if job.purpose == Purpose::Poll {
                self.poll_step += 1;
                self.schedule_poll(now);
            }
            return;
        }
        if job.purpose == Purpose::Stream {
            self.on_stream_down(false, now);
            return;
        }
        if job.purpose == Purpose::Poll {
            self.etag = reply.etag.clone();
        }
        let (snap, pi) = match Snapshot::decode(&reply.body, self.config.dialect) {
            Ok(d) => d,
            Err(e) => {
                let err = self.decode_error(&e);
                match job.purpose {
                    // Dropped like a bad stream snapshot: keep following.
                    Purpose::Poll => {
                        self.emit(EventKind::Error, None, Some(err), None);
                        self.poll_step += 1;
                        self.schedule_poll(now);
                    }
                    Purpose::ReRead => self.emit(EventKind::Error, None, Some(err), None),
                    _ => self.on_fatal(job, err, now),
                }
                return;
            }
        };
        match job.purpose {
            Purpose::Load(op) => {
                let first = self.intent.is_none();
                self.apply_snapshot(snap, pi, now);
                let Some(current) = self.intent.clone() else {
                    return;
                };
                self.settle(op, Ok(current.clone()));
                if first {
                    self.emit(EventKind::Ready, None, None, None);
                }
                if !current.phase.is_terminal() && !self.following {
                    self.following = true;
                    self.submit(Job::new(Purpose::Stream), now);
                }
            }
            Purpose::Update(op, ..) => {
                self.apply_snapshot(snap, pi, now);
                if let Some(cur) = self.intent.clone() {
                    self.settle(op, Ok(cur));
                }
            }
            Purpose::Pay => {
                if let Some(a) = self.attempt.as_mut() {
                    a.awaiting_outcome = true;
                }
                self.apply_snapshot(snap, pi, now);
                self.check_attempt(true, now);
            }
            Purpose::Resolve => {
                let newer = self
                    .attempt
                    .as_ref()
                    .is_some_and(|a| snap.version > a.start_version);
                self.apply_snapshot(snap, pi, now);
                if newer {
                    // The payment reached the server: its outcome is in the intent.
                    if let Some(a) = self.attempt.as_mut() {
                        a.awaiting_outcome = true;
                    }
                    self.check_attempt(true, now);
                } else {
                    self.retry_payment(now);
                }
            }
            Purpose::ReRead => {
                self.apply_snapshot(snap, pi, now);
            }
            Purpose::Poll => {
                let changed = self.apply_snapshot(snap, pi, now);
                self.poll_step = if changed { 0 } else { self.poll_step + 1 };
                self.schedule_poll(now);
            }
            Purpose::Stream => {}
        }
    }

    /// The intent shows no trace of the payment: send the same key again after a backoff, up to the limit.
    fn retry_payment(&mut self, now: Millis) {
        let Some(a) = self.attempt.as_mut() else {
            return;
        };
        a.pay_retries += 1;
        let n = a.pay_retries;
        if n > self.config.policy.max_retries {
            let e = self.pay_error.take().unwrap_or_else(|| {
                CheckoutError::new(ErrorCode::NetworkError, "the payment could not be sent")
            });
            self.end_attempt(Err(e), EndKind::Unknown);
            return;
        }
        let delay = self.config.policy.delay(n, self.rng.next_u64());
        self.set_timer(now + delay, TimerPurpose::Retry(Job::new(Purpose::Pay)));
    }

    /// `api_error` for a snapshot that does not decode: names the field and its problem, never a value.
    fn decode_error(&self, e: &DecodeError) -> CheckoutError {
        let msg = format!("the payment API sent an unreadable intent ({e})");
        CheckoutError::new(ErrorCode::ApiError, &msg).scrub(&self.token.secret)
    }

    fn emit_decode_error(&mut self, e: &DecodeError) {
        let err = self.decode_error(e);
        self.emit(EventKind::Error, None, Some(err), None);
    }

    /// Applies a snapshot through the core mirror (stale or duplicate ones are dropped, refused ones are
    /// reported) and emits events for what changed. Returns whether it was accepted.
    fn apply_snapshot(&mut self, snap: Snapshot, pi: PaymentIntent, now: Millis) -> bool {
        if self.destroyed {
            return false;
        }
        // The mirror answers "stale" and "newer, nothing visible changed" alike (no changes): ask first.
        if let Some(cur) = self.mirror.current() {
            if mirror::snapshot_order(&pi, cur) != std::cmp::Ordering::Greater {
                return false;
            }
        }
        let changes = self.mirror.apply_snapshot(pi);
        let refused = changes.iter().find_map(|c| match c {
            Change::Rejected { code } => Some(*code),
            _ => None,
        });
        if let Some(code) = refused {
            let msg = format!("the payment API sent a snapshot the checkout refuses ({code})");
            let err = CheckoutError::new(ErrorCode::ApiError, &msg);
            self.emit(EventKind::Error, None, Some(err), None);
            return false;
        }
        let old = self.intent.clone();
        let change = snap.change_from(old.as_deref());
        let phase_changed = old.as_ref().map_or(true, |o| o.phase != snap.phase);
        let url_changed =
            old.as_ref().and_then(|o| o.next_action_url.clone()) != snap.next_action_url;
        let new = Rc::new(snap);
        self.intent = Some(new.clone());
        for c in &changes {
            if let Change::UnexpectedTransition { from, to } = c {
                // The server is the authority: the snapshot is taken, the page hears it was odd.
                let msg = format!(
                    "the intent moved from {} to {}, which its lifecycle does not allow",
                    from.name(),
                    to.name()
                );
                let err = CheckoutError::new(ErrorCode::UnexpectedTransition, &msg);
                self.emit(EventKind::Error, None, Some(err), None);
            }
        }
        if old.is_some() {
            self.emit(EventKind::Status, Some(change.clone()), None, None);
            if phase_changed || url_changed {
                let kind = match new.phase {
                    Phase::RequiresAction => Some(EventKind::RequiresAction),
                    // Once per payment: a later capture of an authorisation is a `status` change only.
                    Phase::Succeeded | Phase::Authorized
                        if !old.as_ref().is_some_and(|o| {
                            matches!(o.phase, Phase::Authorized | Phase::Succeeded)
                        }) =>
                    {
                        Some(EventKind::Succeeded)
                    }
                    Phase::Failed => Some(EventKind::Failed),
                    Phase::Canceled => Some(EventKind::Canceled),
                    Phase::Expired => Some(EventKind::Expired),
                    _ => None,
                };
                if let Some(kind) = kind {
                    let url = if kind == EventKind::RequiresAction {
                        new.next_action_url.clone()
                    } else {
                        None
                    };
                    self.emit(kind, Some(change), None, url);
                }
            }
        }
        self.check_attempt(false, now);
        if new.phase.is_terminal() && self.following {
            self.stop_following();
        }
        true
    }

    /// Settles the attempt if the current intent decides it.
    fn check_attempt(&mut self, from_pay_reply: bool, now: Millis) {
        let _ = now;
        let (Some(a), Some(i)) = (self.attempt.as_ref(), self.intent.clone()) else {
            return;
        };
        if !a.awaiting_outcome {
            return;
        }
        let own_error = i.version > a.start_version;
        match i.phase {
            Phase::Succeeded | Phase::Authorized | Phase::Closed => {
                self.end_attempt(Ok(i), EndKind::Success)
            }
            Phase::Payable | Phase::Failed if own_error && i.last_payment_error.is_some() => {
                let pe = i.last_payment_error.clone();
                let mut e = CheckoutError::new(
                    ErrorCode::CardDeclined,
                    pe.as_ref()
                        .and_then(|p| p.message.as_deref())
                        .unwrap_or("the card was declined"),
                );
                e.api_code = pe.as_ref().map(|p| p.code.clone());
                e.decline_code = pe.and_then(|p| p.decline_code);
                let e = e.scrub(&self.token.secret);
                self.end_attempt(Err(e.clone()), EndKind::Failed);
                if i.phase != Phase::Failed {
                    // Dojo and Stripe go back to payable on a decline: the page still hears `failed`.
                    self.emit(EventKind::Failed, None, Some(e), None);
                }
            }
            Phase::Canceled | Phase::Expired => {
                let e = CheckoutError::new(
                    ErrorCode::UnexpectedTransition,
                    "the payment intent is no longer payable",
                );
                self.end_attempt(Err(e), EndKind::Failed);
            }
            // Requires action, processing, or (Dojo folds both into `Created`) payable without an
            // error: the payment is under way; the followed intent will decide.
            _ => {
                if from_pay_reply && !self.following {
                    self.following = true;
                    self.submit(Job::new(Purpose::Stream), now);
                }
            }
        }
    }

    fn end_attempt(&mut self, result: OpResult, how: EndKind) {
        let Some(a) = self.attempt.take() else { return };
        self.cancel_jobs(|p| matches!(p, Purpose::Pay | Purpose::Resolve));
        self.pay_error = None;
        self.last_attempt = match how {
            EndKind::Success => LastAttempt::None,
            EndKind::Failed => LastAttempt::Failed,
            EndKind::Unknown => LastAttempt::Unknown {
                key: a.key.clone(),
                body: a.body.clone(),
            },
        };
        if let Err(e) = &result {
            if e.code != ErrorCode::CardDeclined {
                self.emit(EventKind::Error, None, Some(e.clone()), None);
            }
        }
        self.settle(a.op, result);
    }

    // ----- internals: following -----

    fn on_stream_down(&mut self, got_event: bool, now: Millis) {
        if !self.following || self.destroyed {
            return;
        }
        if got_event {
            self.stream_failures = 0;
        }
        self.stream_failures += 1;
        if self.stream_failures > STREAM_FAILURES_BEFORE_POLLING {
            self.polling = true;
            self.poll_step = 0;
            self.submit(Job::new(Purpose::Poll), now);
            return;
        }
        // Reconnect after a backoff; `Last-Event-ID` makes the server send only what we missed.
        let delay = self
            .config
            .policy
            .delay(self.stream_failures, self.rng.next_u64());
        self.set_timer(now + delay, TimerPurpose::Retry(Job::new(Purpose::Stream)));
    }

    fn schedule_poll(&mut self, now: Millis) {
        if !self.following || self.destroyed {
            return;
        }
        let delay = self
            .config
            .policy
            .delay(self.poll_step + 1, self.rng.next_u64());
        self.set_timer(now + delay, TimerPurpose::Retry(Job::new(Purpose::Poll)));
    }

    fn stop_following(&mut self) {
        self.following = false;
        self.polling = false;
        self.cancel_jobs(|p| matches!(p, Purpose::Stream | Purpose::Poll));
    }
}

/// A map for a handful of entries (requests and timers in flight): a `Vec` costs far less wasm than a
/// `BTreeMap` or `HashMap`.
#[derive(Debug)]
struct SmallMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap(Vec::new())
    }
}

impl<K: Copy + PartialEq, V> SmallMap<K, V> {
    fn insert(&mut self, k: K, v: V) {
        self.remove(&k);
        self.0.push((k, v));
    }

    fn get(&self, k: &K) -> Option<&V> {
        self.0.iter().find(|(x, _)| x == k).map(|(_, v)| v)
    }

    fn get_mut(&mut self, k: &K) -> Option<&mut V> {
        self.0.iter_mut().find(|(x, _)| x == k).map(|(_, v)| v)
    }

    fn remove(&mut self, k: &K) -> Option<V> {
        let i = self.0.iter().position(|(x, _)| x == k)?;
        Some(self.0.remove(i).1)
    }

    fn contains_key(&self, k: &K) -> bool {
        self.get(k).is_some()
    }

    fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EndKind {
    Success,
    Failed,
    Unknown,
}

fn op_of(p: Purpose) -> Option<OpId> {
    match p {
        Purpose::Load(op) | Purpose::Update(op, ..) => Some(op),
        _ => None,
    }
}

fn destroyed_error() -> CheckoutError {
    CheckoutError::new(ErrorCode::SdkError, "the checkout was destroyed")
}

fn token_expired_error() -> CheckoutError {
    CheckoutError::new(
        ErrorCode::TokenExpired,
        "the connect token expired and could not be refreshed; reload the checkout with a new token",
    )
}

/// `27` is 2027 (the core's card check reads two-digit years the same way).
fn full_year(y: u32) -> u32 {
    if (1..100).contains(&y) {
        y + 2000
    } else {
        y
    }
}

/// The pay body, in the sandbox's (Dojo-like) shape. Holds card data: never logged.
fn card_body(card: &CardInput) -> String {
    let number: String = card.number.chars().filter(char::is_ascii_digit).collect();
    let card = json::Obj::new()
        .str("number", &number)
        .int("expiryMonth", i64::from(card.expiry_month))
        .int("expiryYear", i64::from(full_year(card.expiry_year)))
        .str("cvc", &card.cvc)
        .str("cardholderName", &card.cardholder_name)
        .finish();
    let method = json::Obj::new().raw("card", &card).finish();
    json::Obj::new().raw("paymentMethod", &method).finish()
}

/// Checks before sending, so an obvious typo costs no request (the server checks again). The first
/// problem becomes a `validation_error` whose `param` names the field.
pub fn validate_card(card: &CardInput, now: Millis) -> Result<(), CheckoutError> {
    match form::check(card, now).first() {
        None => Ok(()),
        Some((field, code)) => {
            let mut e =
                CheckoutError::new(ErrorCode::ValidationError, "the card details are not valid");
            e.param = Some((*field).into());
            e.api_code = Some((*code).into());
            Err(e)
        }
    }
}
