//! The flow on a fake clock with scripted replies: every effect is captured and asserted. This file is the
//! harness; the tests are in one file per part of the flow. Test-only: the parent declares this module
//! under #[cfg(test)].

mod details;
mod follow;
mod pay;
mod rate_limits;
mod reference;
mod saved;
mod snapshots;
mod token;

use super::follow::STREAM_FAILURES_BEFORE_POLLING;
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
    /// The machine's deadline after the last drain.
    deadline: Option<Millis>,
    events: Vec<Event>,
    settled: Vec<(OpId, OpResult)>,
    /// Ops settled with JSON that is not an intent (the saved cards).
    settled_json: Vec<(OpId, String)>,
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
        accepts_card_details: true,
        kind: IntentKind::Payment,
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
        retry_after_ms: None,
    }
}

fn problem(status: u16, code: &str) -> Reply {
    Reply {
        status,
        etag: None,
        body: format!(
            r#"{{"type":"https://errors.example/{code}","title":"t","status":{status},"detail":"d {code}","code":"{code}"}}"#
        ),
        retry_after_ms: None,
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
            deadline: None,
            events: vec![],
            settled: vec![],
            settled_json: vec![],
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
                Output::RefreshToken => self.refreshes += 1,
                Output::Emit(e) => {
                    self.transcript.push_str(&e.detail_json());
                    self.events.push(e);
                }
                Output::Settle { op, result } => {
                    self.transcript.push_str(&op_result_json(&result, None));
                    self.settled.push((op, result));
                }
                Output::SettleJson { op, json } => {
                    self.transcript.push_str(&json);
                    self.settled_json.push((op, json));
                }
            }
        }
        // A deadline set by this step is never in the past (a test may move the clock past older ones).
        let deadline = self.c.poll_timeout();
        if deadline != self.deadline {
            assert!(
                deadline.map_or(true, |at| at >= self.now),
                "timer in the past"
            );
            self.deadline = deadline;
        }
    }

    /// Deadlines pending in the machine (request timeouts, waiting retries, the refresh timeout).
    fn timers(&self) -> usize {
        self.c.pending_timers()
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

    /// Advances the clock to the machine's deadline and fires it; returns how long that was.
    fn fire_next_timer(&mut self) -> Millis {
        let at = self.c.poll_timeout().expect("a timer is set");
        let delay = at - self.now;
        self.now = at;
        self.c.handle_timeout(self.now);
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

impl H {
    fn open_get_or_post(&self, suffix: &str) -> (RequestId, Request) {
        let v = self.open_with(|r| r.path.ends_with(suffix));
        assert_eq!(v.len(), 1);
        v[0].clone()
    }
}
