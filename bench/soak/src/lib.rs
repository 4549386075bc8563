//! Fault soak (issue 7, figure 6): checkouts driven through the SDK's own sans-IO flow machine
//! (`intent_checkout::core::flow::Checkout`, the same core the wasm shell drives in the page) with a real
//! HTTP shell (reqwest on a single-threaded tokio runtime: requests, SSE bodies read chunk by chunk,
//! timers, aborts) against an intent-sandbox with injected faults. The sandbox's money ledger then says
//! whether anything was charged twice.
//!
//! What a checkout does: the merchant creates an intent (demo route, never faulted), the page starts the
//! checkout (load + follow), pays with a card; if the payment ends without a known outcome the customer
//! presses Pay again with the same card (up to `max_user_retries` times), which must reuse the key.
//! Once the page has an outcome, its last payment request is delivered once more (as a retrying proxy
//! would): the server must replay it. Then the intent's ledger must hold exactly what the page
//! believes (one charge of its total, or a hold captured in full, or nothing after a decline), the
//! server must have run the payment once, and nothing may be booked for it afterwards.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use intent_checkout::core::flow::{
    CardInput, Checkout, Config, ErrorCode, EventKind, IntentKind, Method, Millis, OpId, OpResult,
    Output, Phase, Reply, Request, RequestId, RetryPolicy, SseParser,
};
use intent_checkout::core::lifecycle::Dialect;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

/// Requests a checkout makes when nothing goes wrong: load, event stream, pay.
pub const FAULT_FREE_REQUESTS: u64 = 3;

#[derive(Clone, Debug)]
pub struct SoakConfig {
    pub checkouts: usize,
    /// Checkouts running at once (each is one page).
    pub concurrency: usize,
    /// Seeds the sandbox's fault generator, the card mix and each checkout's key generator.
    pub seed: u64,
    /// Body of `POST /test/faults` (without the seed).
    pub faults: Value,
    pub policy: RetryPolicy,
    /// Pay presses after an attempt that ended without a known outcome.
    pub max_user_retries: u32,
    /// A checkout not decided by then counts as unresolved.
    pub checkout_deadline: Duration,
}

impl SoakConfig {
    /// The mix: about 20 % of the requests that can fail get a fault.
    pub fn standard(checkouts: usize, seed: u64) -> SoakConfig {
        SoakConfig {
            checkouts,
            concurrency: 16,
            seed,
            faults: json!({
                "errorBeforeCommit": 0.06,
                "errorAfterCommit": 0.06,
                "dropAfterCommit": 0.06,
                // Far past the client's request timeout below, so a delayed request always times
                // out, however late the client's timer fires.
                "latencyMs": 2_500,
                "latencyProbability": 0.12,
                // 429s asking for a second of quiet: the page must retry, and not before.
                "rateLimited": 0.03,
                "retryAfterSeconds": 1,
                "duplicateEvents": 0.2,
                "reorderEvents": 0.2,
            }),
            // The SDK's schedule (doubling, jittered, capped, 4 retries) scaled down 25x so that a
            // thousand checkouts fit in a few minutes. The request timeout is far above what an
            // undelayed request takes even on a busy machine (a timeout is then an injected one),
            // and far below the injected latency.
            policy: RetryPolicy {
                base_ms: 20,
                cap_ms: 320,
                max_retries: 4,
                request_timeout_ms: 1_000,
                stream_idle_ms: 5_000,
                token_margin_ms: 10_000,
                ..RetryPolicy::default()
            },
            max_user_retries: 6,
            // Only a guard against a hang: a checkout is decided long before.
            checkout_deadline: Duration::from_secs(300),
        }
    }
}

/// Where the sandbox runs.
#[derive(Clone, Debug)]
pub enum Target {
    /// Started in this process on its own 2-thread runtime, listening on 127.0.0.1:0.
    InProcess,
    /// An already running `intent-sandbox` (base URL, secret key).
    External { base: String, key: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The page saw the intent succeed and the server agrees (Captured).
    Succeeded,
    /// The card was declined; the server shows no charge.
    Declined,
    /// Neither: not settled in time, retries exhausted, or the page and the server disagree.
    Unresolved,
}

#[derive(Clone, Debug)]
pub struct CheckoutReport {
    pub intent_id: String,
    pub card: &'static str,
    pub manual: bool,
    pub amount: i64,
    pub outcome: Outcome,
    pub detail: String,
    pub requests: u64,
    pub pay_posts: u64,
    pub reads: u64,
    pub streams: u64,
    pub timeouts: u64,
    /// `intent` frames that arrived on event streams (duplicated and re-sent ones included).
    pub wire_frames: u64,
    pub user_retries: u32,
    pub keys: Vec<String>,
    /// `status` events whose version was not above the previous one (must stay 0: the mirror drops
    /// duplicated and reordered stream events).
    pub version_regressions: u64,
    pub status_events: u64,
    pub millis: u128,
    /// What the page believes it paid: the intent's total when the outcome was decided.
    pub believed_total: i64,
    /// The intent's ledger right after the checkout ended: `(movement, amount)` in order.
    pub booked: Vec<(String, i64)>,
    /// Payment runs the server recorded for the intent (distinct card transactions in its events).
    pub server_pay_runs: usize,
    /// Pay answers that were a fresh run (2xx without `Idempotent-Replayed`): at most one per key.
    pub pay_fresh_answers: u64,
    /// Pay answers `409 illegal_transition`: a retry of a committed key must be replayed instead.
    pub pay_refused: u64,
    /// The last pay POST, sent again after the checkout (a duplicate delivery) was not replayed.
    pub duplicate_not_replayed: bool,
    /// 429 answers the page got.
    pub rate_limited: u64,
    /// Requests the page sent while a `Retry-After` it had received was still running (must stay 0).
    pub early_requests: u64,
}

impl CheckoutReport {
    /// What the ledger must hold for the outcome the page believes: one charge of the total (Auto), a
    /// hold of the total captured in full (Manual), nothing after a decline.
    fn expected_bookings(&self) -> Option<Vec<(String, i64)>> {
        let t = self.believed_total;
        match self.outcome {
            Outcome::Succeeded if self.manual => {
                Some(vec![("authorization".into(), t), ("capture".into(), t)])
            }
            Outcome::Succeeded => Some(vec![("charge".into(), t)]),
            Outcome::Declined => Some(Vec::new()),
            Outcome::Unresolved => None,
        }
    }

    /// Money taken from the customer: `(movements, sum)` of charges and captures.
    fn taken(&self) -> (usize, i64) {
        self.booked
            .iter()
            .filter(|(m, _)| m == "charge" || m == "capture")
            .fold((0, 0), |(n, sum), (_, v)| (n + 1, sum + v))
    }
}

#[derive(Debug)]
pub struct SoakReport {
    pub config: SoakConfig,
    pub checkouts: Vec<CheckoutReport>,
    /// Intents with more than one charge, or charged more than their amount.
    pub double_charges: u64,
    /// Checkouts whose ledger is not exactly what the page believes (amount, movements, one payment
    /// run per key), or whose ledger changed after the checkout ended.
    pub ledger_mismatches: u64,
    pub charges: u64,
    pub injected_faults: u64,
    pub seconds: f64,
}

impl SoakReport {
    pub fn unresolved(&self) -> Vec<&CheckoutReport> {
        self.checkouts
            .iter()
            .filter(|c| c.outcome == Outcome::Unresolved)
            .collect()
    }
    pub fn count(&self, o: Outcome) -> usize {
        self.checkouts.iter().filter(|c| c.outcome == o).count()
    }
    pub fn pay_posts(&self) -> u64 {
        self.checkouts.iter().map(|c| c.pay_posts).sum()
    }
    pub fn distinct_keys(&self) -> u64 {
        self.checkouts
            .iter()
            .map(|c| c.keys.iter().collect::<HashSet<_>>().len() as u64)
            .sum()
    }
    /// Checkouts that sent more than one key (with one card per checkout, there should be none).
    pub fn multi_key_checkouts(&self) -> usize {
        self.checkouts
            .iter()
            .filter(|c| c.keys.iter().collect::<HashSet<_>>().len() > 1)
            .count()
    }
    pub fn rate_limited(&self) -> u64 {
        self.checkouts.iter().map(|c| c.rate_limited).sum()
    }
    /// Requests sent before a `Retry-After` the page had received was over.
    pub fn early_requests(&self) -> u64 {
        self.checkouts.iter().map(|c| c.early_requests).sum()
    }
    pub fn version_regressions(&self) -> u64 {
        self.checkouts.iter().map(|c| c.version_regressions).sum()
    }

    /// The figure as markdown.
    pub fn markdown(&self) -> String {
        let n = self.checkouts.len().max(1) as f64;
        let stat = |f: &dyn Fn(&CheckoutReport) -> u64| {
            let mut v: Vec<u64> = self.checkouts.iter().map(f).collect();
            v.sort_unstable();
            let mean = v.iter().sum::<u64>() as f64 / n;
            let p95 = v
                .get(((v.len() as f64) * 0.95) as usize)
                .copied()
                .unwrap_or(0);
            let max = v.last().copied().unwrap_or(0);
            format!("{mean:.2} | {p95} | {max}")
        };
        let pay = self.pay_posts();
        let keys = self.distinct_keys();
        let mut s = String::new();
        s += &format!(
            "- checkouts: **{}** ({} concurrent), seed {}, faults `{}`\n",
            self.checkouts.len(),
            self.config.concurrency,
            self.config.seed,
            self.config.faults
        );
        s += &format!(
            "- client policy: request timeout {} ms, backoff {}..{} ms, {} retries; up to {} customer re-presses of Pay\n",
            self.config.policy.request_timeout_ms,
            self.config.policy.base_ms,
            self.config.policy.cap_ms,
            self.config.policy.max_retries,
            self.config.max_user_retries
        );
        s += &format!(
            "- outcomes: {} succeeded ({} of them Manual capture, captured by the merchant while the page followed the stream), {} declined, **{} not terminal or resolved**\n",
            self.count(Outcome::Succeeded),
            self.checkouts.iter().filter(|c| c.manual && c.outcome == Outcome::Succeeded).count(),
            self.count(Outcome::Declined),
            self.count(Outcome::Unresolved)
        );
        s += &format!(
            "- ledger (read per checkout as it ends, compared with what the page believes, after a duplicate of its last payment request): {} charges, **{} double charges**, {} outcome/ledger mismatches\n",
            self.charges, self.double_charges, self.ledger_mismatches
        );
        s += &format!(
            "- faults injected by the sandbox: {} (over {} requests)\n",
            self.injected_faults,
            self.checkouts.iter().map(|c| c.requests).sum::<u64>()
        );
        s += &format!(
            "- idempotency keys: {} new, {} POSTs reused a key ({:.1} % of {} pay POSTs); checkouts that used more than one key: {}\n",
            keys,
            pay - keys,
            100.0 * (pay - keys) as f64 / pay.max(1) as f64,
            pay,
            self.multi_key_checkouts()
        );
        s += &format!(
            "- rate limits: {} answers were 429 with `Retry-After: 1`; {} requests left before the wait was over\n",
            self.rate_limited(),
            self.early_requests()
        );
        s += &format!(
            "- stream: {} `intent` frames arrived (duplicates and re-sent older ones included), the page got {} `status` events, {} of them with a version not above the previous one\n",
            self.checkouts.iter().map(|c| c.wire_frames).sum::<u64>(),
            self.checkouts.iter().map(|c| c.status_events).sum::<u64>(),
            self.version_regressions(),
        );
        s += &format!("- wall time: {:.1} s\n\n", self.seconds);
        s += "| per checkout | mean | p95 | max |\n| --- | --- | --- | --- |\n";
        s += &format!(
            "| retries (requests beyond the fault-free {FAULT_FREE_REQUESTS}) | {} |\n",
            stat(&|c| c.requests.saturating_sub(FAULT_FREE_REQUESTS))
        );
        s += &format!("| pay POSTs | {} |\n", stat(&|c| c.pay_posts));
        s += &format!(
            "| intent reads (load, resolve) | {} |\n",
            stat(&|c| c.reads)
        );
        s += &format!("| stream connections | {} |\n", stat(&|c| c.streams));
        s += &format!(
            "| requests timed out by the client | {} |\n",
            stat(&|c| c.timeouts)
        );
        s += &format!(
            "| customer re-presses of Pay | {} |\n",
            stat(&|c| c.user_retries as u64)
        );
        s += &format!("| milliseconds | {} |\n", stat(&|c| c.millis as u64));
        let bad = self.unresolved();
        if !bad.is_empty() {
            s += "\nUnresolved:\n";
            for c in bad.iter().take(10) {
                s += &format!("- {} ({}): {}\n", c.intent_id, c.card, c.detail);
            }
        }
        s
    }
}

// ----- the run -----

/// Runs the soak on a fresh single-threaded runtime (the flow machine is `!Send`).
pub fn run(config: SoakConfig, target: Target) -> Result<SoakReport, String> {
    let (base, key, _server) = match target {
        Target::InProcess => {
            let s = InProcessSandbox::start()?;
            (s.base.clone(), s.key.clone(), Some(s))
        }
        Target::External { base, key } => (base, key, None),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, soak(config, base, key))
}

async fn soak(config: SoakConfig, base: String, key: String) -> Result<SoakReport, String> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .map_err(|e| e.to_string())?;
    let api = Api {
        http: http.clone(),
        base: base.clone(),
        key,
    };
    let mut faults = config.faults.clone();
    faults["seed"] = json!(config.seed);
    api.test("POST", "/test/faults", Some(faults)).await?;

    let started = Instant::now();
    let mut rng = fastrand::Rng::with_seed(config.seed ^ 0x5eed);
    let plans: Vec<(usize, &'static str, bool, i64, u64)> = (0..config.checkouts)
        .map(|i| {
            let r = rng.u64(..100);
            let card = match r {
                0..=79 => "4242424242424242",
                80..=87 => "4000000000000002", // generic decline
                88..=92 => "4000000000000077", // settles asynchronously
                _ => "5555555555554444",
            };
            // Manual capture: the merchant captures after the payment, and the page learns it from
            // the stream (where duplicated and reordered events are injected).
            let manual = rng.u64(..100) < 40;
            (i, card, manual, rng.i64(500..10_500), rng.u64(..))
        })
        .collect();
    let api = Rc::new(api);
    let cfg = Rc::new(config.clone());
    let reports: Vec<CheckoutReport> = futures_util::stream::iter(plans)
        .map(|(_, card, manual, amount, seed)| {
            let api = api.clone();
            let cfg = cfg.clone();
            async move { one_checkout(&api, &cfg, card, manual, amount, seed).await }
        })
        .buffer_unordered(config.concurrency.max(1))
        .collect()
        .await;
    let seconds = started.elapsed().as_secs_f64();

    let faults_now = api.test("GET", "/test/faults", None).await?;
    let injected = faults_now["injected"].as_u64().unwrap_or(0);
    api.test("DELETE", "/test/faults", None).await?;

    // Each checkout read its own ledger as it ended; a second read now must find the same, so
    // nothing was booked for a finished checkout afterwards (e.g. a late duplicate of a payment).
    let ledger = api.test("GET", "/test/ledger", None).await?;
    let mut now_booked: HashMap<String, Vec<(String, i64)>> = HashMap::new();
    for e in ledger["entries"].as_array().cloned().unwrap_or_default() {
        let id = e["paymentIntentId"].as_str().unwrap_or("").to_string();
        now_booked.entry(id).or_default().push(movement(&e));
    }
    let mut double = 0;
    let mut mismatches = 0;
    let mut checkouts = reports;
    for c in &mut checkouts {
        let (n, sum) = c.taken();
        if n > 1 || sum > c.amount {
            double += 1;
        }
        let mut wrong = Vec::new();
        if let Some(expected) = c.expected_bookings() {
            if c.booked != expected {
                wrong.push(format!(
                    "booked {:?}, the page believes {expected:?}",
                    c.booked
                ));
            }
            if c.server_pay_runs != 1 {
                wrong.push(format!("{} payment runs for one key", c.server_pay_runs));
            }
        }
        if c.duplicate_not_replayed {
            wrong.push("a duplicate of the last payment request was not replayed".into());
        }
        if c.pay_fresh_answers > 1 || c.pay_refused > 0 {
            wrong.push(format!(
                "one key ran {} times and was refused {} times instead of replayed",
                c.pay_fresh_answers, c.pay_refused
            ));
        }
        let later = now_booked.remove(&c.intent_id).unwrap_or_default();
        if later != c.booked {
            wrong.push(format!(
                "booked {later:?} after the checkout ended with {:?}",
                c.booked
            ));
        }
        if !wrong.is_empty() {
            mismatches += 1;
            c.detail = format!("{}; ledger: {}", c.detail, wrong.join("; "));
        }
    }
    // Movements on intents no checkout created.
    mismatches += now_booked.len() as u64;
    let charges = checkouts.iter().map(|c| c.taken().0 as u64).sum();
    Ok(SoakReport {
        config,
        checkouts,
        double_charges: double,
        ledger_mismatches: mismatches,
        charges,
        injected_faults: injected,
        seconds,
    })
}

/// A ledger entry as `(movement, amount)`.
fn movement(e: &Value) -> (String, i64) {
    (
        e["movement"].as_str().unwrap_or("").to_string(),
        e["amount"]["value"].as_i64().unwrap_or(0),
    )
}

struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    async fn test(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let m = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut req = self
            .http
            .request(m, format!("{}{path}", self.base))
            .header("authorization", format!("Basic {}", self.key))
            .header("version", "2025-09-10");
        if method == "POST" {
            req = req.header("content-type", "application/json");
        }
        if let Some(b) = body {
            req = req.body(b.to_string());
        }
        let res = req.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| format!("{path}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{method} {path}: {status} {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
    }

    /// A browser read for the checker; rate limits apply to it too, so it waits as told and asks again.
    async fn browser(&self, path: &str, bearer: &str) -> Result<Value, String> {
        let mut res = self.browser_once(path, bearer).await?;
        for _ in 0..20 {
            if res.status() != 429 {
                break;
            }
            let wait = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(intent_checkout::core::flow::wire::retry_after_ms)
                .unwrap_or(1000);
            // Time is the condition here: the server said how long to wait (a second if it did not).
            tokio::time::sleep(Duration::from_millis(wait)).await;
            res = self.browser_once(path, bearer).await?;
        }
        let status = res.status();
        let text = res.text().await.map_err(|e| format!("{path}: {e}"))?;
        if !status.is_success() {
            return Err(format!("GET {path}: {status} {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
    }

    async fn browser_once(&self, path: &str, bearer: &str) -> Result<reqwest::Response, String> {
        self.http
            .get(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {bearer}"))
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))
    }

    async fn demo(&self, path: &str, body: Value) -> Result<Value, String> {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| format!("{path}: {e}"))?;
        if !status.is_success() {
            return Err(format!("POST {path}: {status} {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
    }
}

enum Input {
    /// An answer, and whether it was an idempotent replay.
    Reply(RequestId, Reply, bool),
    Failure(RequestId),
    StreamOpen(RequestId),
    StreamData(RequestId, Vec<u8>),
    StreamEnd(RequestId),
    /// The machine's deadline (as armed) passed.
    Timer(Millis),
    Refreshed(Option<(String, Option<Millis>)>),
}

pub fn now_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

/// The HTTP shell of one checkout: executes the machine's outputs and feeds back what happened.
struct Shell {
    http: reqwest::Client,
    base: String,
    intent_id: String,
    tx: mpsc::UnboundedSender<Input>,
    rx: mpsc::UnboundedReceiver<Input>,
    inflight: HashMap<RequestId, AbortHandle>,
    /// The one timer, at the machine's `poll_timeout`.
    timer: Option<(Millis, AbortHandle)>,
    settled: HashMap<OpId, OpResult>,
    report: CheckoutReport,
    last_version: Option<u64>,
    /// The input being handled is a timer (an `Abort` now means a request timed out).
    timer_fired: bool,
    /// Counts what arrives on the wire, independently of the machine's parser.
    wire: HashMap<RequestId, SseParser>,
    /// Pay POSTs in flight.
    pays: HashSet<RequestId>,
    /// The last pay POST as sent: `(path, headers, body)`.
    last_pay: Option<(String, Vec<(&'static str, String)>, Option<String>)>,
    /// The end of the last `Retry-After` the page received, and the time the machine last saw.
    quiet_until: Millis,
    machine_now: Millis,
}

impl Shell {
    fn pump(&mut self, m: &mut Checkout) {
        while let Some(o) = m.poll_output() {
            match o {
                Output::Send { id, request } => {
                    let bearer = m.bearer().unwrap_or_default().to_string();
                    self.send(id, request, bearer);
                }
                Output::Abort(id) => {
                    if let Some(h) = self.inflight.remove(&id) {
                        h.abort();
                        if self.timer_fired {
                            self.report.timeouts += 1;
                        }
                    }
                }
                Output::RefreshToken => {
                    let tx = self.tx.clone();
                    let http = self.http.clone();
                    let url = format!(
                        "{}/demo/payment-intents/{}/refresh-client-session-secret",
                        self.base, self.intent_id
                    );
                    tokio::task::spawn_local(async move {
                        let r = async {
                            let res = http
                                .post(url)
                                .header("content-type", "application/json")
                                .send()
                                .await
                                .ok()?;
                            let v: Value = res.json().await.ok()?;
                            Some((v["clientSessionSecret"].as_str()?.to_string(), None))
                        }
                        .await;
                        let _ = tx.send(Input::Refreshed(r));
                    });
                }
                Output::Emit(ev) => {
                    if ev.kind == EventKind::Status {
                        self.report.status_events += 1;
                        let v = ev.intent.as_ref().map(|i| i.version);
                        if let (Some(prev), Some(v)) = (self.last_version, v) {
                            if v <= prev {
                                self.report.version_regressions += 1;
                            }
                        }
                        self.last_version = v.or(self.last_version);
                    } else if ev.kind == EventKind::Ready {
                        self.last_version = ev.intent.as_ref().map(|i| i.version);
                    }
                }
                Output::Settle { op, result } => {
                    self.settled.insert(op, result);
                }
                // The soak never asks for saved cards.
                Output::SettleJson { .. } => {}
            }
        }
        self.timer_fired = false;
        self.arm(m.poll_timeout());
    }

    /// Keeps one sleeping task at the machine's deadline.
    fn arm(&mut self, deadline: Option<Millis>) {
        if self.timer.as_ref().map(|(at, _)| *at) == deadline {
            return;
        }
        if let Some((_, h)) = self.timer.take() {
            h.abort();
        }
        let Some(at) = deadline else { return };
        let tx = self.tx.clone();
        let wait = at.saturating_sub(now_ms());
        // The shell's timer, as a browser's `setTimeout`: the flow asked to be woken at `at`.
        let h = tokio::task::spawn_local(async move {
            tokio::time::sleep(Duration::from_millis(wait)).await;
            let _ = tx.send(Input::Timer(at));
        });
        self.timer = Some((at, h.abort_handle()));
    }

    fn send(&mut self, id: RequestId, request: Request, bearer: String) {
        self.report.requests += 1;
        if self.machine_now.max(now_ms()) < self.quiet_until {
            self.report.early_requests += 1;
        }
        if request.stream {
            self.report.streams += 1;
        } else if request.method == Method::Post && request.path.ends_with("/payments") {
            self.report.pay_posts += 1;
            self.pays.insert(id);
            self.last_pay = Some((
                request.path.clone(),
                request.headers.clone(),
                request.body.clone(),
            ));
            if let Some(k) = request.header("Idempotency-Key") {
                self.report.keys.push(k.to_string());
            }
        } else if request.method == Method::Get {
            self.report.reads += 1;
        }
        let url = format!("{}{}", self.base, request.path);
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut req = self
            .http
            .request(method, url)
            .header("authorization", format!("Bearer {bearer}"));
        for (k, v) in &request.headers {
            req = req.header(*k, v.as_str());
        }
        if let Some(b) = request.body.clone() {
            req = req.body(b);
        }
        let tx = self.tx.clone();
        let stream = request.stream;
        let h = tokio::task::spawn_local(async move {
            let res = match req.send().await {
                Ok(r) => r,
                Err(_) => {
                    let _ = tx.send(Input::Failure(id));
                    return;
                }
            };
            let status = res.status().as_u16();
            let replayed = res.headers().contains_key("idempotent-replayed");
            let retry_after_ms = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(intent_checkout::core::flow::wire::retry_after_ms);
            let etag = res
                .headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if stream && status == 200 {
                let _ = tx.send(Input::StreamOpen(id));
                let mut body = res.bytes_stream();
                while let Some(chunk) = body.next().await {
                    match chunk {
                        Ok(b) => {
                            let _ = tx.send(Input::StreamData(id, b.to_vec()));
                        }
                        Err(_) => {
                            let _ = tx.send(Input::Failure(id));
                            return;
                        }
                    }
                }
                let _ = tx.send(Input::StreamEnd(id));
                return;
            }
            match res.text().await {
                Ok(body) => {
                    let reply = Reply {
                        status,
                        etag,
                        body,
                        retry_after_ms,
                    };
                    let _ = tx.send(Input::Reply(id, reply, replayed));
                }
                Err(_) => {
                    let _ = tx.send(Input::Failure(id));
                }
            }
        });
        self.inflight.insert(id, h.abort_handle());
    }

    fn feed(&mut self, m: &mut Checkout, input: Input) {
        let now = match input {
            Input::Timer(at) => now_ms().max(at),
            _ => now_ms(),
        };
        self.machine_now = now;
        match input {
            Input::Reply(id, r, replayed) => {
                self.inflight.remove(&id);
                if r.status == 429 {
                    self.report.rate_limited += 1;
                }
                if let Some(ms) = r.retry_after_ms {
                    self.quiet_until = self.quiet_until.max(now + ms);
                }
                if self.pays.remove(&id) {
                    if (200..300).contains(&r.status) && !replayed {
                        self.report.pay_fresh_answers += 1;
                    }
                    if r.status == 409 && r.body.contains("illegal_transition") {
                        self.report.pay_refused += 1;
                    }
                }
                m.handle_reply(id, r, now)
            }
            Input::Failure(id) => {
                self.inflight.remove(&id);
                m.handle_failure(id, now)
            }
            Input::StreamOpen(id) => m.handle_stream_open(id, now),
            Input::StreamData(id, b) => {
                let frames = self.wire.entry(id).or_default().feed(&b);
                self.report.wire_frames +=
                    frames.iter().filter(|e| e.event == "intent").count() as u64;
                m.handle_stream_data(id, &b, now)
            }
            Input::StreamEnd(id) => {
                self.inflight.remove(&id);
                m.handle_stream_end(id, now)
            }
            Input::Timer(at) => {
                if self.timer.as_ref().is_some_and(|(armed, _)| *armed == at) {
                    self.timer = None;
                }
                self.timer_fired = true;
                m.handle_timeout(now)
            }
            Input::Refreshed(r) => m.handle_refreshed(r, now),
        }
    }

    /// Runs the machine until `op` settles or the deadline passes.
    async fn wait(&mut self, m: &mut Checkout, op: OpId, deadline: Instant) -> Option<OpResult> {
        loop {
            self.pump(m);
            if let Some(r) = self.settled.remove(&op) {
                return Some(r);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(input)) => self.feed(m, input),
                _ => return None,
            }
        }
    }

    /// Runs the machine until `done` holds or the deadline passes.
    async fn wait_until(
        &mut self,
        m: &mut Checkout,
        deadline: Instant,
        done: impl Fn(&Checkout) -> bool,
    ) -> bool {
        loop {
            self.pump(m);
            if done(m) {
                return true;
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(input)) => self.feed(m, input),
                _ => return false,
            }
        }
    }

    fn shut_down(&mut self, m: &mut Checkout) {
        m.destroy();
        self.pump(m);
        for (_, h) in self.inflight.drain() {
            h.abort();
        }
        if let Some((_, h)) = self.timer.take() {
            h.abort();
        }
    }
}

async fn one_checkout(
    api: &Api,
    cfg: &SoakConfig,
    card: &'static str,
    manual: bool,
    amount: i64,
    seed: u64,
) -> CheckoutReport {
    let t0 = Instant::now();
    let mut report = CheckoutReport {
        intent_id: String::new(),
        card,
        manual,
        amount,
        outcome: Outcome::Unresolved,
        detail: String::new(),
        requests: 0,
        pay_posts: 0,
        reads: 0,
        streams: 0,
        timeouts: 0,
        wire_frames: 0,
        user_retries: 0,
        keys: Vec::new(),
        version_regressions: 0,
        status_events: 0,
        millis: 0,
        believed_total: 0,
        booked: Vec::new(),
        server_pay_runs: 0,
        pay_fresh_answers: 0,
        pay_refused: 0,
        duplicate_not_replayed: false,
        rate_limited: 0,
        early_requests: 0,
    };
    let created = match api
        .demo(
            "/demo/payment-intents",
            json!({"amount": amount, "currencyCode": "GBP", "dialect": "dojo",
                "captureMode": if manual { "Manual" } else { "Auto" }}),
        )
        .await
    {
        Ok(v) => v,
        Err(e) => {
            report.detail = format!("create failed: {e}");
            return report;
        }
    };
    let id = created["paymentIntentId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let token = created["clientSessionSecret"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    report.intent_id = id.clone();
    let config = Config {
        intent_id: id.clone(),
        api_origin: api.base.clone(),
        can_refresh: true,
        policy: cfg.policy,
        seed,
        // As the intent was created.
        dialect: Dialect::Dojo,
        accepts_card_details: true,
        kind: IntentKind::Payment,
    };
    let mut m = match Checkout::new(config, token, None, now_ms()) {
        Ok(m) => m,
        Err(e) => {
            report.detail = format!("checkout refused: {}", e.message);
            return report;
        }
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let mut sh = Shell {
        http: api.http.clone(),
        base: api.base.clone(),
        intent_id: id.clone(),
        tx,
        rx,
        inflight: HashMap::new(),
        timer: None,
        settled: HashMap::new(),
        report,
        last_version: None,
        timer_fired: false,
        wire: HashMap::new(),
        pays: HashSet::new(),
        last_pay: None,
        quiet_until: 0,
        machine_now: 0,
    };
    let deadline = t0 + cfg.checkout_deadline;
    let (outcome, detail) = drive(api, &mut sh, &mut m, cfg, card, deadline).await;
    let believed_total = m
        .intent()
        .and_then(|i| serde_json::from_str::<Value>(&i.json).ok())
        .and_then(|v| v["totalAmount"]["value"].as_i64())
        .unwrap_or(-1);
    let bearer = m.bearer().unwrap_or_default().to_string();
    sh.shut_down(&mut m);
    // The network delivers the last payment request once more (a proxy retrying it): the server
    // must replay its answer, and book nothing more.
    if outcome != Outcome::Unresolved {
        if let Some((path, headers, body)) = sh.last_pay.take() {
            // The page's current token (a refresh may have replaced the one it paid with).
            let mut req = api
                .http
                .post(format!("{}{path}", api.base))
                .header("authorization", format!("Bearer {bearer}"));
            for (k, v) in &headers {
                req = req.header(*k, v.as_str());
            }
            if let Some(b) = body {
                req = req.body(b);
            }
            let replayed = match req.send().await {
                Ok(res) => {
                    res.status().is_success() && res.headers().contains_key("idempotent-replayed")
                }
                Err(_) => false,
            };
            sh.report.duplicate_not_replayed = !replayed;
        }
    }
    let mut report = sh.report;
    report.outcome = outcome;
    report.detail = detail;
    report.believed_total = believed_total;
    // The server's word: an outcome the page believes must be what the intent says.
    if outcome != Outcome::Unresolved {
        match api
            .test("GET", &format!("/payment-intents/{id}"), None)
            .await
        {
            Ok(v) => {
                let status = v["status"].as_str().unwrap_or("");
                let agrees = match outcome {
                    Outcome::Succeeded => status == "Captured",
                    _ => status == "Created",
                };
                if !agrees {
                    report.detail = format!("page says {outcome:?}, server says {status}");
                    report.outcome = Outcome::Unresolved;
                }
            }
            Err(e) => {
                report.detail = format!("server read failed: {e}");
                report.outcome = Outcome::Unresolved;
            }
        }
    }
    // One payment run per key: each run of the card draws its own transaction id, which the
    // intent's payment events carry (the browser view has them; the page's last token reads it).
    let view = api
        .browser(&format!("/payment-intents/public/{id}"), &bearer)
        .await;
    match view {
        Ok(v) => {
            report.server_pay_runs = v["paymentEvents"]
                .as_array()
                .map(|evs| {
                    evs.iter()
                        .filter_map(|e| e["transactionId"].as_str())
                        .filter(|t| t.starts_with("txn_"))
                        .collect::<HashSet<_>>()
                        .len()
                })
                .unwrap_or(0)
        }
        Err(e) if report.outcome != Outcome::Unresolved => {
            report.detail = format!("intent read failed: {e}");
            report.outcome = Outcome::Unresolved;
        }
        Err(_) => {}
    }
    // The ledger as this checkout ends, to compare with what the page believes.
    match api
        .test("GET", &format!("/test/ledger?paymentIntentId={id}"), None)
        .await
    {
        Ok(l) => {
            report.booked = l["entries"]
                .as_array()
                .map(|es| es.iter().map(movement).collect())
                .unwrap_or_default()
        }
        Err(e) => {
            report.detail = format!("ledger read failed: {e}");
            report.outcome = Outcome::Unresolved;
        }
    }
    report.millis = t0.elapsed().as_millis();
    report
}

async fn drive(
    api: &Api,
    sh: &mut Shell,
    m: &mut Checkout,
    cfg: &SoakConfig,
    card: &'static str,
    deadline: Instant,
) -> (Outcome, String) {
    // Load (a failed load is a page reload for the customer: start again).
    let mut loaded = false;
    for _ in 0..=cfg.max_user_retries {
        let op = m.start(now_ms());
        match sh.wait(m, op, deadline).await {
            Some(Ok(_)) => {
                loaded = true;
                break;
            }
            Some(Err(_)) => sh.report.user_retries += 1,
            None => return (Outcome::Unresolved, "load did not settle in time".into()),
        }
    }
    if !loaded {
        return (Outcome::Unresolved, "the intent never loaded".into());
    }
    let input = CardInput {
        number: card.into(),
        expiry_month: 12,
        expiry_year: 2030,
        cvc: "123".into(),
        cardholder_name: "Soak Test".into(),
    };
    let mut last = String::new();
    for press in 0..=cfg.max_user_retries {
        // The outcome may have reached the page on the stream after an attempt gave up.
        match m.intent().map(|i| i.phase) {
            Some(Phase::Succeeded) => return (Outcome::Succeeded, String::new()),
            Some(Phase::Authorized) => return capture(api, sh, m, deadline).await,
            _ => {}
        }
        if press > 0 {
            sh.report.user_retries += 1;
        }
        let op = m.pay(&input, now_ms());
        let result = match sh.wait(m, op, deadline).await {
            Some(r) => r,
            None => return (Outcome::Unresolved, "pay did not settle in time".into()),
        };
        match result {
            Ok(s) if matches!(s.phase, Phase::Succeeded) => {
                return (Outcome::Succeeded, String::new())
            }
            Ok(s) if matches!(s.phase, Phase::Authorized) => {
                return capture(api, sh, m, deadline).await
            }
            Ok(s) => last = format!("pay settled with status {}", s.status),
            Err(e) if e.code == ErrorCode::CardDeclined => {
                return (Outcome::Declined, String::new())
            }
            Err(e) => {
                last = format!("{}: {}", e.code.as_str(), e.message);
                if e.code == ErrorCode::UnexpectedTransition {
                    // Not payable as the page sees it: wait for the stream to bring a status the
                    // customer can act on (payable again, or an outcome).
                    sh.wait_until(m, deadline, |m| {
                        m.intent().is_some_and(|i| {
                            i.phase.is_payable()
                                || i.phase.is_terminal()
                                || matches!(i.phase, Phase::Succeeded | Phase::Authorized)
                        })
                    })
                    .await;
                }
            }
        }
    }
    (Outcome::Unresolved, format!("gave up: {last}"))
}

/// The merchant's server captures a held payment; the page must see it arrive on the stream.
async fn capture(
    api: &Api,
    sh: &mut Shell,
    m: &mut Checkout,
    deadline: Instant,
) -> (Outcome, String) {
    let path = format!("/demo/payment-intents/{}/captures", sh.intent_id);
    if let Err(e) = api.demo(&path, json!({})).await {
        return (Outcome::Unresolved, format!("capture failed: {e}"));
    }
    let done = sh
        .wait_until(m, deadline, |m| {
            m.intent().is_some_and(|i| i.phase == Phase::Succeeded)
        })
        .await;
    if done {
        (Outcome::Succeeded, String::new())
    } else {
        (
            Outcome::Unresolved,
            "the capture never reached the page".into(),
        )
    }
}

// ----- the in-process sandbox -----

pub struct InProcessSandbox {
    pub base: String,
    pub key: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl InProcessSandbox {
    pub fn start() -> Result<InProcessSandbox, String> {
        let key = "sk_soak".to_string();
        let mut config = intent_sandbox::Config::defaults();
        config.port = 0;
        config.secret_key = key.clone();
        config.tick_ms = 20;
        config.async_settle_secs = 0.2;
        config.demo = true;
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = addr_tx.send(Err(e.to_string()));
                    return;
                }
            };
            rt.block_on(async move {
                match intent_sandbox::bind(config).await {
                    Ok((listener, state)) => {
                        let addr = listener.local_addr().map_err(|e| e.to_string());
                        let _ = addr_tx.send(addr.map(|a| a.to_string()));
                        let _ = intent_sandbox::run(listener, state, async {
                            let _ = stop_rx.await;
                        })
                        .await;
                    }
                    Err(e) => {
                        let _ = addr_tx.send(Err(e));
                    }
                }
            });
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(10))
            .map_err(|e| e.to_string())??;
        Ok(InProcessSandbox {
            base: format!("http://{addr}"),
            key,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }
}

impl Drop for InProcessSandbox {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
