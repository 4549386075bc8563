//! The flow on a fake clock with scripted replies: every effect is captured and asserted.
//! Test-only: the parent declares this module under #[cfg(test)].

use super::*;
use crate::core::lifecycle::Dialect;
use std::collections::BTreeMap;

const TOKEN: &str = "cs_sandbox_SECRET0123456789abcdef";
const ID: &str = "pi_sandbox_1";
const ORIGIN: &str = "http://127.0.0.1:4242";

struct H {
    c: Checkout,
    now: Millis,
    sent: Vec<(RequestId, Request)>,
    open: BTreeMap<RequestId, Request>,
    timers: BTreeMap<TimerId, Millis>,
    events: Vec<Event>,
    settled: Vec<(OpId, OpResult)>,
    refreshes: u32,
    aborted: Vec<RequestId>,
    /// Every output's Debug text and every event detail, to check that the token never leaks.
    transcript: String,
}

fn config(can_refresh: bool, dialect: Dialect) -> Config {
    Config {
        dialect,
        intent_id: ID.into(),
        api_origin: ORIGIN.into(),
        can_refresh,
        policy: RetryPolicy::default(),
        seed: 42,
    }
}

fn intent(version: u64, status: &str) -> String {
    intent_with(version, status, "")
}

/// A complete browser view (everything `PaymentIntent::from_json` requires); `extra` members come last, so
/// they override earlier ones.
fn intent_with(version: u64, status: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{ID}","status":"{status}","version":{version},"amount":{{"value":1000,"currencyCode":"GBP"}},"tipsAmount":{{"value":0,"currencyCode":"GBP"}},"totalAmount":{{"value":1000,"currencyCode":"GBP"}},"createdAt":"2026-11-23T10:00:00Z","updatedAt":"2026-11-23T10:00:00Z"{extra}}}"#
    )
}

fn card(number: &str) -> CardInput {
    CardInput {
        number: number.into(),
        expiry_month: 12,
        expiry_year: 2040,
        cvc: "123".into(),
        cardholder_name: "Ada Lovelace".into(),
    }
}

fn ok(body: String) -> Reply {
    Reply {
        status: 200,
        etag: None,
        body,
    }
}

fn problem(status: u16, code: &str) -> Reply {
    Reply {
        status,
        etag: None,
        body: format!(
            r#"{{"type":"https://errors.example/{code}","title":"t","status":{status},"detail":"d {code}","code":"{code}"}}"#
        ),
    }
}

impl H {
    fn new(can_refresh: bool) -> H {
        Self::with_expiry(can_refresh, None)
    }

    fn with_expiry(can_refresh: bool, expires: Option<Millis>) -> H {
        Self::build(config(can_refresh, Dialect::Dojo), expires)
    }

    fn build(config: Config, expires: Option<Millis>) -> H {
        let now = 1_700_000_000_000;
        let c = Checkout::new(config, TOKEN.into(), expires, now).expect("valid config");
        H {
            c,
            now,
            sent: vec![],
            open: BTreeMap::new(),
            timers: BTreeMap::new(),
            events: vec![],
            settled: vec![],
            refreshes: 0,
            aborted: vec![],
            transcript: String::new(),
        }
    }

    /// A loaded checkout (intent v1 in `status`) with its stream open.
    fn loaded(can_refresh: bool, status: &str) -> H {
        Self::loaded_in(Dialect::Dojo, can_refresh, status)
    }

    fn loaded_in(dialect: Dialect, can_refresh: bool, status: &str) -> H {
        let mut h = H::build(config(can_refresh, dialect), None);
        h.c.start(h.now);
        h.drain();
        let (id, req) = h.last_sent();
        assert_eq!(req.path, format!("/payment-intents/public/{ID}"));
        h.reply(id, ok(intent(1, status)));
        h
    }

    fn drain(&mut self) {
        while let Some(o) = self.c.poll_output() {
            self.transcript.push_str(&format!("{o:?}\n"));
            match o {
                Output::Send { id, request } => {
                    assert_ne!(request.header("Authorization"), Some(TOKEN));
                    self.sent.push((id, request.clone()));
                    self.open.insert(id, request);
                }
                Output::Abort(id) => {
                    self.aborted.push(id);
                    self.open.remove(&id);
                }
                Output::SetTimer { id, at } => {
                    assert!(at >= self.now, "timer in the past");
                    self.timers.insert(id, at);
                }
                Output::CancelTimer(id) => {
                    self.timers.remove(&id);
                }
                Output::RefreshToken => self.refreshes += 1,
                Output::Emit(e) => {
                    self.transcript.push_str(&e.detail_json());
                    self.events.push(e);
                }
                Output::Settle { op, result } => {
                    self.transcript.push_str(&op_result_json(&result, None));
                    self.settled.push((op, result));
                }
            }
        }
    }

    fn reply(&mut self, id: RequestId, r: Reply) {
        self.open.remove(&id);
        self.c.handle_reply(id, r, self.now);
        self.drain();
    }

    fn fail(&mut self, id: RequestId) {
        self.open.remove(&id);
        self.c.handle_failure(id, self.now);
        self.drain();
    }

    fn last_sent(&self) -> (RequestId, Request) {
        self.sent.last().cloned().expect("a request was sent")
    }

    fn open_with(&self, pred: impl Fn(&Request) -> bool) -> Vec<(RequestId, Request)> {
        self.open
            .iter()
            .filter(|(_, r)| pred(r))
            .map(|(i, r)| (*i, r.clone()))
            .collect()
    }

    fn open_pay(&self) -> (RequestId, Request) {
        let p = self.open_with(|r| r.path.ends_with("/payments"));
        assert_eq!(p.len(), 1, "exactly one payment in flight");
        p[0].clone()
    }

    fn open_get(&self) -> (RequestId, Request) {
        let p = self.open_with(|r| r.method == Method::Get && !r.stream);
        assert_eq!(p.len(), 1, "exactly one read in flight: {:?}", self.open);
        p[0].clone()
    }

    fn open_stream(&self) -> Option<(RequestId, Request)> {
        self.open_with(|r| r.stream).into_iter().next()
    }

    /// Advances the clock to the earliest timer and fires it.
    fn fire_next_timer(&mut self) -> Millis {
        let (id, at) = self
            .timers
            .iter()
            .min_by_key(|(_, at)| **at)
            .map(|(i, a)| (*i, *a))
            .expect("a timer is set");
        let delay = at - self.now;
        self.now = at;
        self.timers.remove(&id);
        self.c.handle_timer(id, self.now);
        self.drain();
        delay
    }

    fn posts(&self) -> Vec<&Request> {
        self.sent
            .iter()
            .map(|(_, r)| r)
            .filter(|r| r.path.ends_with("/payments"))
            .collect()
    }

    fn kinds(&self) -> Vec<EventKind> {
        self.events.iter().map(|e| e.kind).collect()
    }

    fn result(&self, op: OpId) -> &OpResult {
        &self
            .settled
            .iter()
            .find(|(o, _)| *o == op)
            .expect("op settled")
            .1
    }

    fn err_code(&self, op: OpId) -> ErrorCode {
        match self.result(op) {
            Err(e) => e.code,
            Ok(_) => panic!("expected an error"),
        }
    }

    fn pay(&mut self, number: &str) -> OpId {
        let op = self.c.pay(&card(number), self.now);
        self.drain();
        op
    }

    fn stream_send(&mut self, version: u64, status: &str, extra: &str) {
        let (id, _) = self.open_stream().expect("stream open");
        let frame = format!(
            "id: {version}\nevent: intent\ndata: {}\n\n",
            intent_with(version, status, extra)
        );
        self.c.handle_stream_data(id, frame.as_bytes(), self.now);
        self.drain();
    }

    fn assert_no_leak(&self) {
        assert!(
            !self.transcript.contains(TOKEN),
            "token leaked into outputs"
        );
        assert!(
            !self.transcript.contains("4242424242424242"),
            "card number leaked into outputs"
        );
    }
}

#[test]
fn start_loads_settles_ready_and_follows() {
    let h = H::loaded(true, "Created");
    assert!(matches!(h.settled[0].1, Ok(ref s) if s.version == 1));
    assert_eq!(h.kinds(), vec![EventKind::Ready]);
    let (_, s) = h.open_stream().expect("following a non-terminal intent");
    assert_eq!(s.path, format!("/payment-intents/public/{ID}/events"));
    assert_eq!(s.header("Last-Event-ID"), Some("1"));
    h.assert_no_leak();
}

#[test]
fn pay_success_settles_with_the_intent_and_stops_following() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242 4242 4242 4242");
    let (id, req) = h.open_pay();
    assert_eq!(req.method, Method::Post);
    assert!(req
        .header("Idempotency-Key")
        .is_some_and(|k| k.starts_with("ick_") && k.len() == 36));
    assert!(req
        .body
        .as_deref()
        .is_some_and(|b| b.contains("\"number\":\"4242424242424242\"")));
    assert!(
        !format!("{req:?}").contains("4242424242424242"),
        "Debug hides the card"
    );
    h.reply(id, ok(intent(2, "Captured")));
    assert!(matches!(h.result(op), Ok(s) if s.status == "Captured"));
    assert_eq!(
        h.kinds(),
        vec![EventKind::Ready, EventKind::Status, EventKind::Succeeded]
    );
    assert!(h.open_stream().is_none(), "terminal: stream aborted");
    assert!(h.timers.is_empty(), "terminal: no timer left");
}

#[test]
fn double_pay_is_refused_without_a_request() {
    let mut h = H::loaded(true, "Created");
    let first = h.pay("4242424242424242");
    let second = h.pay("4242424242424242");
    assert_eq!(h.posts().len(), 1);
    assert_eq!(h.err_code(second), ErrorCode::UnexpectedTransition);
    assert!(h.settled.iter().all(|(o, _)| *o != first));
    assert!(h.c.is_paying());
}

#[test]
fn pay_before_load_or_on_terminal_intent_is_refused() {
    let mut h = H::new(true);
    let op = h.pay("4242424242424242");
    assert_eq!(h.err_code(op), ErrorCode::UnexpectedTransition);
    let mut h = H::loaded(true, "Captured");
    assert!(h.open_stream().is_none(), "terminal intent is not followed");
    let op = h.pay("4242424242424242");
    assert_eq!(h.err_code(op), ErrorCode::UnexpectedTransition);
    assert!(h.posts().is_empty());
}

#[test]
fn invalid_card_is_a_validation_error_without_a_request() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424241");
    assert_eq!(h.err_code(op), ErrorCode::ValidationError);
    assert!(matches!(h.result(op), Err(e) if e.param.as_deref() == Some("number")));
    assert!(h.posts().is_empty());
    assert!(!h.c.is_paying());
}

#[test]
fn server_errors_retry_with_the_same_key_after_reading_the_intent_then_give_up() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4000000000000119");
    let policy = RetryPolicy::default();
    for retry in 1..=policy.max_retries {
        let (id, _) = h.open_pay();
        h.reply(id, problem(500, "processing_error"));
        // Outcome unknown: read the intent, never pay again blindly.
        let (gid, _) = h.open_get();
        h.reply(gid, ok(intent(1, "Created")));
        let delay = h.fire_next_timer();
        let full = (policy.base_ms << (retry - 1)).min(policy.cap_ms);
        assert!(
            delay >= (full / 2).max(policy.base_ms) && delay <= full,
            "retry {retry}: {delay} ms"
        );
    }
    let (id, _) = h.open_pay();
    h.reply(id, problem(500, "processing_error"));
    let (gid, _) = h.open_get();
    h.reply(gid, ok(intent(1, "Created")));
    let posts = h.posts();
    assert_eq!(posts.len() as u32, policy.max_retries + 1);
    let key = posts[0].header("Idempotency-Key");
    assert!(
        posts.iter().all(|r| r.header("Idempotency-Key") == key),
        "one key per attempt"
    );
    assert!(
        posts.iter().all(|r| r.body == posts[0].body),
        "byte-for-byte the same body"
    );
    assert!(
        matches!(h.result(op), Err(e) if e.code == ErrorCode::ApiError && e.api_code.as_deref() == Some("processing_error"))
    );
    assert!(h.kinds().contains(&EventKind::Error));
}

#[test]
fn a_lost_reply_is_resolved_by_reading_not_by_paying_again() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.fail(id); // connection dropped after the server committed
    let (gid, _) = h.open_get();
    h.reply(gid, ok(intent(2, "Captured")));
    assert_eq!(h.posts().len(), 1, "no second payment");
    assert!(matches!(h.result(op), Ok(s) if s.status == "Captured"));
}

#[test]
fn a_timeout_aborts_the_request_and_counts_as_a_network_error() {
    let mut h = H::loaded(true, "Created");
    let (sid, _) = h.open_stream().expect("stream");
    h.c.handle_stream_open(sid, h.now); // its idle timeout (45 s) outlasts the request timeout
    h.drain();
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    let waited = h.fire_next_timer();
    assert_eq!(waited, RetryPolicy::default().request_timeout_ms);
    assert!(h.aborted.contains(&id));
    let (gid, _) = h.open_get();
    h.reply(gid, ok(intent(1, "Created")));
    h.fire_next_timer();
    let posts = h.posts();
    assert_eq!(posts.len(), 2);
    assert_eq!(
        posts[0].header("Idempotency-Key"),
        posts[1].header("Idempotency-Key")
    );
    // The late answer of the aborted request is ignored.
    h.reply(id, ok(intent(2, "Captured")));
    assert!(h.settled.iter().all(|(o, _)| *o != op));
}

#[test]
fn idempotency_key_in_use_retries_the_same_key() {
    let mut h = H::loaded(true, "Created");
    h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.reply(id, problem(409, "idempotency_key_in_use"));
    let (gid, _) = h.open_get();
    h.reply(gid, ok(intent(1, "Created")));
    h.fire_next_timer();
    let posts = h.posts();
    assert_eq!(posts.len(), 2);
    assert_eq!(
        posts[0].header("Idempotency-Key"),
        posts[1].header("Idempotency-Key")
    );
}

#[test]
fn client_errors_are_never_retried() {
    for (status, code, want) in [
        (400, "validation_error", ErrorCode::ValidationError),
        (402, "card_declined", ErrorCode::CardDeclined),
        (403, "forbidden", ErrorCode::ApiError),
        (404, "not_found", ErrorCode::ApiError),
        (422, "idempotency_key_mismatch", ErrorCode::ApiError),
        (409, "illegal_transition", ErrorCode::UnexpectedTransition),
    ] {
        let mut h = H::loaded(true, "Created");
        let op = h.pay("4242424242424242");
        let (id, _) = h.open_pay();
        h.reply(id, problem(status, code));
        assert_eq!(h.err_code(op), want, "{status} {code}");
        assert_eq!(h.posts().len(), 1, "{status} is not retried");
        assert!(
            h.open_with(|r| !r.stream).is_empty(),
            "{status}: nothing else in flight"
        );
        assert!(
            h.timers.values().count() <= 1,
            "{status}: only the stream's timeout"
        );
    }
}

#[test]
fn a_decline_settles_card_declined_and_the_next_attempt_gets_a_fresh_token_and_key() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4000000000000002");
    let (id, _) = h.open_pay();
    let err = r#","lastPaymentError":{"code":"card_declined","declineCode":"generic_decline","message":"The card was declined."}"#;
    h.reply(id, ok(intent_with(2, "Created", err)));
    assert!(
        matches!(h.result(op), Err(e) if e.code == ErrorCode::CardDeclined && e.decline_code.as_deref() == Some("generic_decline"))
    );
    assert!(h.kinds().contains(&EventKind::Failed));
    assert_eq!(h.refreshes, 0);

    h.pay("4242424242424242");
    assert_eq!(
        h.refreshes, 1,
        "a new attempt after a decline refreshes the token first"
    );
    assert_eq!(h.posts().len(), 1, "nothing sent before the refresh");
    h.c.handle_refreshed(Some(("cs_new_token_value".into(), None)), h.now);
    h.drain();
    assert_eq!(h.c.bearer(), Some("cs_new_token_value"));
    let posts = h.posts();
    assert_eq!(posts.len(), 2);
    assert_ne!(
        posts[0].header("Idempotency-Key"),
        posts[1].header("Idempotency-Key"),
        "new attempt, new key"
    );
    assert!(h.kinds().contains(&EventKind::TokenRefreshed));
}

#[test]
fn setel_decline_goes_to_failed_and_emits_failed_once() {
    let mut h = H::loaded_in(Dialect::Setel, true, "requires_payment_method");
    let op = h.pay("4000000000009995");
    let (id, _) = h.open_pay();
    let err = r#","lastPaymentError":{"code":"card_declined","declineCode":"insufficient_funds","message":"m"}"#;
    h.reply(id, ok(intent_with(2, "failed", err)));
    assert_eq!(h.err_code(op), ErrorCode::CardDeclined);
    assert_eq!(
        h.kinds()
            .iter()
            .filter(|k| **k == EventKind::Failed)
            .count(),
        1
    );
}

#[test]
fn an_expired_token_is_refreshed_exactly_once_before_requests() {
    let now = 1_700_000_000_000;
    let mut h = H::with_expiry(true, Some(now + 60_000));
    h.c.start(h.now);
    h.drain();
    let (id, _) = h.last_sent();
    h.reply(id, ok(intent(1, "Created")));
    // The stream is open; now the token runs out on our clock.
    h.now += 59_000;
    h.pay("4242424242424242");
    h.c.set_tip(100, h.now); // refused (attempt running) — but must not trigger a second refresh either
    h.drain();
    assert_eq!(h.refreshes, 1);
    assert_eq!(h.posts().len(), 0, "the payment waits for the new token");
    h.c.handle_refreshed(
        Some(("cs_fresh_token_1".into(), Some(h.now + 1_800_000))),
        h.now,
    );
    h.drain();
    assert_eq!(h.posts().len(), 1);
    assert_eq!(h.refreshes, 1);
}

#[test]
fn server_token_expired_refreshes_once_and_replays_with_the_same_key() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.reply(id, problem(401, "token_expired"));
    assert_eq!(h.refreshes, 1);
    h.c.handle_refreshed(Some(("cs_fresh_token_2".into(), None)), h.now);
    h.drain();
    let (id2, _) = h.open_pay();
    let posts = h.posts();
    assert_eq!(
        posts[0].header("Idempotency-Key"),
        posts[1].header("Idempotency-Key")
    );
    // Still refused after the refresh: a clear error, no second refresh, no loop.
    h.reply(id2, problem(401, "token_expired"));
    assert_eq!(h.refreshes, 1);
    assert_eq!(h.err_code(op), ErrorCode::TokenExpired);
    assert_eq!(h.posts().len(), 2);
    assert!(h.kinds().contains(&EventKind::Error));
}

#[test]
fn a_401_for_a_request_sent_before_the_refresh_does_not_refresh_again() {
    let mut h = H::loaded(true, "Created");
    let (sid, _) = h.open_stream().expect("stream");
    h.pay("4242424242424242");
    let (pid, _) = h.open_pay();
    h.reply(pid, problem(401, "token_expired"));
    h.c.handle_refreshed(Some(("cs_fresh_token_3".into(), None)), h.now);
    h.drain();
    h.reply(sid, problem(401, "token_expired")); // the old stream's late 401
    assert_eq!(h.refreshes, 1);
    assert!(
        h.open_stream().is_some(),
        "stream reopened with the new token"
    );
}

#[test]
fn a_failed_refresh_ends_in_token_expired_without_a_loop() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.reply(id, problem(401, "token_expired"));
    h.c.handle_refreshed(None, h.now);
    h.drain();
    assert_eq!(h.err_code(op), ErrorCode::TokenExpired);
    assert_eq!(h.refreshes, 1);
    assert!(h.open.is_empty(), "nothing in flight: {:?}", h.open);
    assert!(h.timers.is_empty());
}

#[test]
fn without_a_refresh_callback_token_expired_is_final() {
    let mut h = H::loaded(false, "Created");
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.reply(id, problem(401, "token_expired"));
    assert_eq!(h.refreshes, 0);
    assert_eq!(h.err_code(op), ErrorCode::TokenExpired);
    assert_eq!(h.posts().len(), 1);
}

#[test]
fn stale_and_duplicate_snapshots_are_dropped() {
    let mut h = H::loaded(true, "Created");
    h.stream_send(
        3,
        "Created",
        r#","tipsAmount":{"value":100,"currencyCode":"GBP"}"#,
    );
    h.stream_send(3, "Created", ""); // duplicate
    h.stream_send(2, "Created", ""); // stale
    let statuses = h
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Status)
        .count();
    assert_eq!(statuses, 1);
    assert_eq!(h.c.intent().map(|i| i.version), Some(3));
    let change = h
        .events
        .last()
        .and_then(|e| e.change.clone())
        .expect("change");
    let change: serde_json::Value = serde_json::from_str(&change).expect("change is JSON");
    assert!(change["fields"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == "tipsAmount")));
}

#[test]
fn a_terminal_status_stops_following() {
    let mut h = H::loaded(true, "Created");
    let (sid, _) = h.open_stream().expect("stream");
    h.stream_send(2, "Canceled", "");
    assert!(h.aborted.contains(&sid));
    assert!(h.timers.is_empty());
    assert!(h.kinds().contains(&EventKind::Canceled));
    h.c.handle_stream_end(sid, h.now);
    h.drain();
    assert!(
        h.open.is_empty() && h.timers.is_empty(),
        "no reconnect after terminal"
    );
}

#[test]
fn an_interrupted_stream_resumes_with_last_event_id_then_falls_back_to_polling() {
    let mut h = H::loaded(true, "Created");
    h.stream_send(4, "Created", "");
    let (sid, _) = h.open_stream().expect("stream");
    h.fail(sid);
    let delay = h.fire_next_timer();
    assert_eq!(delay, 500, "first reconnect after the base delay");
    let (_, s) = h.open_stream().expect("reconnected");
    assert_eq!(s.header("Last-Event-ID"), Some("4"));
    // Keeps failing without an event: after a few tries, poll with ETag instead.
    for _ in 0..STREAM_FAILURES_BEFORE_POLLING {
        let (sid, _) = h.open_stream().expect("stream");
        h.reply(
            sid,
            Reply {
                status: 503,
                etag: None,
                body: String::new(),
            },
        );
        if h.open_stream().is_none() && h.open_with(|r| !r.stream).is_empty() {
            h.fire_next_timer();
        }
    }
    let (pid, p) = h.open_get();
    assert!(p.header("If-None-Match").is_none());
    h.reply(
        pid,
        Reply {
            status: 200,
            etag: Some("\"v4\"".into()),
            body: intent(4, "Created"),
        },
    );
    let d1 = h.fire_next_timer();
    let (pid, p) = h.open_get();
    assert_eq!(p.header("If-None-Match"), Some("\"v4\""));
    h.reply(
        pid,
        Reply {
            status: 304,
            etag: None,
            body: String::new(),
        },
    );
    let d2 = h.fire_next_timer();
    assert!(d2 > d1, "no change: the poll backs off ({d1} -> {d2})");
    let (pid, _) = h.open_get();
    h.reply(
        pid,
        Reply {
            status: 200,
            etag: Some("\"v5\"".into()),
            body: intent(5, "Captured"),
        },
    );
    assert!(h.timers.is_empty(), "terminal: polling stops");
}

#[test]
fn a_silent_stream_is_aborted_and_reopened() {
    let mut h = H::loaded(true, "Created");
    let (sid, _) = h.open_stream().expect("stream");
    h.c.handle_stream_open(sid, h.now);
    h.drain();
    let waited = h.fire_next_timer();
    assert_eq!(waited, RetryPolicy::default().stream_idle_ms);
    assert!(h.aborted.contains(&sid));
    h.fire_next_timer();
    assert!(h.open_stream().is_some());
}

#[test]
fn three_d_secure_emits_the_challenge_and_a_trusted_message_rereads_at_once() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4000000000003220");
    let (id, _) = h.open_pay();
    let url = format!("{ORIGIN}/challenge/ch_abc");
    let na = format!(r#","nextAction":{{"type":"three_d_secure","url":"{url}"}}"#);
    h.reply(id, ok(intent_with(2, "Created", &na)));
    let ra = h
        .events
        .iter()
        .find(|e| e.kind == EventKind::RequiresAction)
        .expect("requires_action");
    assert_eq!(ra.url.as_deref(), Some(url.as_str()));
    assert!(ra
        .detail_json()
        .contains("\"canonical\":\"requires_action\""));
    assert!(
        h.settled.iter().all(|(o, _)| *o != op),
        "still waiting for the customer"
    );

    let msg = r#"{"source":"intent-sandbox","type":"challenge_complete","challengeId":"ch_abc","outcome":"approved"}"#;
    h.c.handle_message("https://evil.example", msg, h.now);
    h.drain();
    assert!(
        h.open_with(|r| !r.stream).is_empty(),
        "a foreign origin is ignored"
    );
    h.c.handle_message(ORIGIN, &msg.replace("ch_abc", "ch_other"), h.now);
    h.drain();
    assert!(
        h.open_with(|r| !r.stream).is_empty(),
        "another challenge is ignored"
    );
    h.c.handle_message(ORIGIN, msg, h.now);
    h.drain();
    let (gid, _) = h.open_get();
    h.reply(gid, ok(intent(3, "Captured")));
    assert!(matches!(h.result(op), Ok(s) if s.version == 3));
    assert_eq!(h.posts().len(), 1);
}

#[test]
fn a_failed_challenge_is_a_decline() {
    let mut h = H::loaded_in(Dialect::Stripe, true, "requires_payment_method");
    let op = h.pay("4000000000003220");
    let (id, _) = h.open_pay();
    h.reply(
        id,
        ok(intent_with(
            2,
            "requires_action",
            r#","nextAction":{"type":"three_d_secure","url":"x/challenge/c1"}"#,
        )),
    );
    h.stream_send(3, "requires_payment_method", r#","lastPaymentError":{"code":"card_declined","declineCode":"authentication_failed","message":"3DS failed"}"#);
    assert!(
        matches!(h.result(op), Err(e) if e.decline_code.as_deref() == Some("authentication_failed"))
    );
}

#[test]
fn async_settlement_waits_for_the_followed_intent() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4000000000000077");
    let (id, _) = h.open_pay();
    h.reply(id, ok(intent(2, "Created"))); // Dojo shows processing as Created
    assert!(h.settled.iter().all(|(o, _)| *o != op));
    h.stream_send(3, "Captured", "");
    assert!(matches!(h.result(op), Ok(s) if s.status == "Captured"));
}

#[test]
fn after_giving_up_the_same_card_retries_under_the_same_key() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    for _ in 0..=RetryPolicy::default().max_retries {
        let (id, _) = h.open_pay();
        h.fail(id);
        let (gid, _) = h.open_get();
        h.reply(gid, ok(intent(1, "Created")));
        if h.c.is_paying() {
            h.fire_next_timer();
        }
    }
    assert_eq!(h.err_code(op), ErrorCode::NetworkError);
    h.pay("4242424242424242");
    let posts = h.posts();
    assert_eq!(
        posts.first().and_then(|r| r.header("Idempotency-Key")),
        posts.last().and_then(|r| r.header("Idempotency-Key"))
    );
    assert_eq!(h.refreshes, 0, "an unknown outcome is not a failure");
}

#[test]
fn set_tip_and_amount_post_money_in_minor_units() {
    let mut h = H::loaded(true, "Created");
    let op = h.c.set_tip(250, h.now);
    h.drain();
    let (id, r) = h.open_get_or_post("/tips-amount");
    assert_eq!(
        r.body.as_deref(),
        Some(r#"{"tipsAmount":{"currencyCode":"GBP","value":250}}"#)
    );
    h.reply(id, ok(intent(2, "Created")));
    assert!(matches!(h.result(op), Ok(s) if s.version == 2));
    let bad = h.c.set_amount(0, h.now);
    h.drain();
    assert_eq!(h.err_code(bad), ErrorCode::ValidationError);
    let op = h.c.set_amount(1500, h.now);
    h.drain();
    let (id, _) = h.open_get_or_post("/amount");
    h.reply(id, problem(409, "illegal_transition"));
    assert_eq!(h.err_code(op), ErrorCode::UnexpectedTransition);
}

impl H {
    fn open_get_or_post(&self, suffix: &str) -> (RequestId, Request) {
        let v = self.open_with(|r| r.path.ends_with(suffix));
        assert_eq!(v.len(), 1);
        v[0].clone()
    }
}

#[test]
fn destroy_aborts_everything_and_settles_pending_promises() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    h.c.destroy();
    h.drain();
    assert!(h.open.is_empty());
    assert!(h.timers.is_empty());
    assert_eq!(h.err_code(op), ErrorCode::SdkError);
    assert_eq!(h.c.bearer(), None);
    let later = h.pay("4242424242424242");
    assert_eq!(h.err_code(later), ErrorCode::SdkError);
    assert_eq!(h.posts().len(), 1);
}

#[test]
fn cancel_settles_the_attempt_and_keeps_following() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4000000000003220");
    h.c.cancel(h.now);
    h.drain();
    assert_eq!(h.err_code(op), ErrorCode::SdkError);
    assert!(!h.c.is_paying());
    assert!(h.open_stream().is_some());
}

#[test]
fn the_token_never_appears_in_outputs_events_or_errors() {
    let mut h = H::loaded(true, "Created");
    h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    // A server that echoes the token in its problem detail.
    let body = format!(r#"{{"code":"validation_error","detail":"bad token {TOKEN}","param":"x"}}"#);
    h.reply(
        id,
        Reply {
            status: 400,
            etag: None,
            body,
        },
    );
    let body = intent_with(
        9,
        "Created",
        &format!(r#","clientSessionSecret":"{TOKEN}""#),
    );
    h.stream_send(
        9,
        "Created",
        &body[body.find(",\"clientSessionSecret").unwrap_or(0)..body.len() - 1],
    );
    assert!(
        !format!("{:?}", h.c).contains(TOKEN),
        "Debug of the machine redacts the token"
    );
    h.assert_no_leak();
}

#[test]
fn backoff_stays_within_stripes_bounds() {
    let p = RetryPolicy::default();
    let mut rng = Rng::new(7);
    for retry in 1..12 {
        let full = (p.base_ms << (retry - 1).min(20)).min(p.cap_ms);
        for _ in 0..200 {
            let d = p.delay(retry, rng.next_u64());
            assert!(
                d >= (full / 2).max(p.base_ms) && d <= full,
                "retry {retry}: {d}"
            );
        }
    }
    assert_eq!(p.delay(1, 0), 500);
    assert_eq!(p.delay(30, u64::MAX), p.delay(30, u64::MAX).min(p.cap_ms));
}

#[test]
fn keys_are_distinct_and_deterministic_per_seed() {
    let mut a = Rng::new(1);
    let mut b = Rng::new(1);
    let k1 = a.idempotency_key();
    assert_eq!(k1, b.idempotency_key());
    assert_ne!(k1, a.idempotency_key());
}

#[test]
fn bad_options_are_rejected() {
    let mut c = config(false, Dialect::Dojo);
    c.intent_id = "../admin".into();
    assert!(Checkout::new(c, TOKEN.into(), None, 0).is_err());
    assert!(Checkout::new(config(false, Dialect::Dojo), "a b".into(), None, 0).is_err());
}

#[test]
fn a_refresh_that_never_settles_ends_in_token_expired() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.reply(id, problem(401, "token_expired"));
    assert_eq!(h.refreshes, 1);
    let stream_timeout = h.open_stream().is_some();
    let mut waited = 0;
    while h.settled.iter().all(|(o, _)| *o != op) {
        waited += h.fire_next_timer();
        assert!(waited <= 60_000, "gave up waiting for the refresh timeout");
    }
    assert_eq!(h.err_code(op), ErrorCode::TokenExpired);
    assert!(waited >= RetryPolicy::default().refresh_timeout_ms || stream_timeout);
    // The late answer changes nothing.
    h.c.handle_refreshed(Some(("cs_too_late_token".into(), None)), h.now);
    h.drain();
    assert_eq!(h.c.bearer(), Some(TOKEN));
    assert_eq!(h.posts().len(), 1);
}

#[test]
fn a_captured_authorisation_is_not_a_second_success() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.reply(id, ok(intent(2, "Authorized")));
    assert!(matches!(h.result(op), Ok(s) if s.status == "Authorized"));
    assert!(
        h.open_stream().is_some(),
        "an authorisation is still followed"
    );
    h.stream_send(3, "Captured", "");
    let successes = h
        .kinds()
        .iter()
        .filter(|k| **k == EventKind::Succeeded)
        .count();
    assert_eq!(successes, 1);
    assert_eq!(h.kinds().last(), Some(&EventKind::Status));
}

// ----- snapshots through the core decoder and mirror -----

#[test]
fn an_unknown_status_is_a_typed_error_and_changes_nothing() {
    let mut h = H::loaded(true, "Created");
    let before = h.c.intent();
    let n = h.events.len();
    h.stream_send(2, "Mystery", "");
    let new: Vec<_> = h.events[n..].iter().collect();
    assert_eq!(new.len(), 1, "{new:?}");
    let e = new[0].error.as_ref().expect("error detail");
    assert_eq!(new[0].kind, EventKind::Error);
    assert_eq!(e.code, ErrorCode::ApiError);
    assert!(e.message.contains("status"), "{}", e.message);
    assert!(e.message.contains("unknown_status"), "{}", e.message);
    assert_eq!(h.c.intent(), before);
    // Still following: the next good snapshot is taken.
    h.stream_send(2, "Created", r#","reference":"r2""#);
    assert_eq!(h.c.intent().map(|i| i.version), Some(2));
    h.assert_no_leak();
}

#[test]
fn an_undecodable_poll_or_load_reply_names_the_field() {
    let mut h = H::new(true);
    let op = h.c.start(h.now);
    h.drain();
    let (id, _) = h.last_sent();
    h.reply(
        id,
        ok(format!(r#"{{"id":"{ID}","status":"Created","version":1}}"#)),
    );
    assert!(
        matches!(h.result(op), Err(e) if e.code == ErrorCode::ApiError && e.message.contains("amount"))
    );
    assert!(h.c.intent().is_none());
    h.assert_no_leak();
}

#[test]
fn stale_and_duplicate_snapshots_are_dropped_by_the_mirror() {
    let mut h = H::loaded(true, "Created");
    h.stream_send(3, "Created", r#","reference":"r3""#);
    assert_eq!(h.c.intent().map(|i| i.version), Some(3));
    let n = h.events.len();
    // Same version (duplicate) and an older one (stale): no events, the intent stays at v3.
    h.stream_send(3, "Created", r#","reference":"dup""#);
    h.stream_send(2, "Captured", "");
    assert_eq!(h.events.len(), n, "{:?}", &h.events[n..]);
    let cur = h.c.intent().expect("intent");
    assert_eq!((cur.version, cur.status.as_str()), (3, "Created"));
    assert!(cur.raw.contains("r3"));
    // Same version but a later `updatedAt` is newer (the mirror's order).
    h.stream_send(
        3,
        "Created",
        r#","reference":"r3b","updatedAt":"2026-11-23T10:05:00Z""#,
    );
    assert!(h.c.intent().is_some_and(|i| i.raw.contains("r3b")));
}

#[test]
fn an_unexpected_transition_is_reported_and_the_snapshot_taken() {
    let mut h = H::loaded(true, "Authorized");
    let n = h.events.len();
    // Dojo has no path from an authorisation back to awaiting payment.
    h.stream_send(2, "Created", "");
    let errs: Vec<_> = h.events[n..]
        .iter()
        .filter_map(|e| e.error.as_ref())
        .collect();
    assert_eq!(errs.len(), 1, "{:?}", &h.events[n..]);
    assert_eq!(errs[0].code, ErrorCode::UnexpectedTransition);
    assert!(h.events[n..].iter().any(|e| e.kind == EventKind::Status));
    let cur = h.c.intent().expect("intent");
    assert_eq!((cur.version, cur.phase), (2, Phase::Payable));
    h.assert_no_leak();
}
