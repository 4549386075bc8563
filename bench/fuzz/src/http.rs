//! The sandbox's HTTP layer as a fuzz target: arbitrary method, path, headers and body sent through the
//! whole router (auth, body parsing, idempotency, faults, store, static files) in process. Property: no
//! panic, and no 5xx except the ones the sandbox injects on purpose (`injected_fault` from
//! `POST /test/faults`, and card 4000 0000 0000 0119's `processing_error`).
//!
//! Input layout: byte 0 picks the method, byte 1 a route template (with a real intent's id in it), byte 2
//! which headers to send (each with a variant from byte 3), then the path tail up to the first 0xFF and
//! the body after it. Paths are percent-encoded into a valid URI, as a client must send them.

use std::cell::RefCell;

use axum::body::Body;
use axum::http::{Method, Request};
use tower::ServiceExt;

const KEY: &str = "sk_fuzz";
/// The `Host` a client of the sandbox sends (the sandbox refuses others: DNS rebinding).
const HOST: &str = "127.0.0.1:4242";

const METHODS: &[&str] = &[
    "GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD", "TRACE", "FUZZ",
];

/// Route templates: `{id}` is a live intent's id, `{ch}` a live challenge's.
const PATHS: &[&str] = &[
    "/payment-intents",
    "/payment-intents/{id}",
    "/payment-intents/{id}/refresh-client-session-secret",
    "/payment-intents/{id}/captures",
    "/payment-intents/{id}/reversal",
    "/payment-intents/{id}/refunds",
    "/payment-intents/{id}/tips-amount",
    "/payment-intents/{id}/amount",
    "/payment-intents/public/{id}",
    "/payment-intents/public/{id}/payments",
    "/payment-intents/public/{id}/payment-methods",
    "/payment-intents/public/{id}/tips-amount",
    "/payment-intents/public/{id}/amount",
    "/payment-intents/public/{id}/events",
    "/demo/payment-intents",
    "/demo/payment-intents/{id}/captures",
    "/demo/payment-intents/{id}/reversal",
    "/demo/payment-intents/{id}/refunds",
    "/demo/payment-intents/{id}/cancel",
    "/demo/payment-intents/{id}/refresh-client-session-secret",
    "/test/clock",
    "/test/clock/advance",
    "/test/faults",
    "/test/webhook-deliveries",
    "/test/ledger",
    "/test/reset",
    "/test/challenges/{ch}/complete",
    "/healthz",
    "/card-frame/v1",
    "/card-frame/v1/frame.js",
    "/challenge.js",
    "/challenge/{ch}",
    "/challenge/{ch}/complete",
    "/",
    "/pkg/intent-checkout.js",
    "",
];

/// One live sandbox for the whole run, rebuilt now and then so memory stays flat.
struct Live {
    rt: tokio::runtime::Runtime,
    state: intent_sandbox::AppState,
    app: axum::Router,
    id: String,
    secret: String,
    challenge: String,
    runs: u32,
}

thread_local! {
    static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
}

fn start() -> Result<Live, String> {
    // Paused time: injected latency (up to a minute) passes at once instead of stalling the run.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .map_err(|e| e.to_string())?;
    let mut config = intent_sandbox::Config::defaults();
    config.secret_key = KEY.into();
    config.demo = true;
    let state = intent_sandbox::Shared::new(config);
    // In process there is no listener: say where it would be, so `Host: 127.0.0.1:4242` names it.
    let _ = state
        .bound
        .set(std::net::SocketAddr::from(([127, 0, 0, 1], 4242)));
    let app = intent_sandbox::app(state.clone());
    let mut live = Live {
        rt,
        state,
        app,
        id: String::new(),
        secret: String::new(),
        challenge: String::new(),
        runs: 0,
    };
    let created = live.json(
        "POST",
        "/demo/payment-intents",
        &[],
        r#"{"tipsAllowed":true,"customAmountAllowed":true}"#,
    )?;
    live.id = created["paymentIntentId"].as_str().unwrap_or("").into();
    live.secret = created["clientSessionSecret"].as_str().unwrap_or("").into();
    // A second intent with a pending 3-D Secure challenge, so challenge routes meet a real one.
    let other = live.json("POST", "/demo/payment-intents", &[], "{}")?;
    let (oid, osecret) = (
        other["paymentIntentId"].as_str().unwrap_or(""),
        other["clientSessionSecret"].as_str().unwrap_or(""),
    );
    let paid = live.json(
        "POST",
        &format!("/payment-intents/public/{oid}/payments"),
        &[
            ("authorization", format!("Bearer {osecret}")),
            ("idempotency-key", "seed".into()),
        ],
        r#"{"paymentMethod":{"card":{"number":"4000000000003220","expiryMonth":12,"expiryYear":2040,"cvc":"123","cardholderName":"F"}}}"#,
    )?;
    live.challenge = paid["nextAction"]["url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .unwrap_or("")
        .into();
    if live.id.is_empty() || live.challenge.is_empty() {
        return Err("the fuzz sandbox did not start".into());
    }
    Ok(live)
}

impl Live {
    /// A setup request that must succeed; its JSON answer.
    fn json(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &str,
    ) -> Result<serde_json::Value, String> {
        let mut headers = headers.to_vec();
        headers.push(("content-type", "application/json".into()));
        headers.push(("host", HOST.into()));
        let (status, _, bytes) = self.send(method, path, &headers, body.as_bytes().to_vec())?;
        let bytes = bytes.map_err(|e| format!("{path}: {e}"))?;
        if status != 200 {
            return Err(format!("{method} {path}: {status}"));
        }
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    }

    /// Sends one request through the router: `(status, content type, body or the body's error)`.
    #[allow(clippy::type_complexity)]
    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<(u16, String, Result<Vec<u8>, String>), String> {
        let method = Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut req = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        let req = req.body(Body::from(body)).map_err(|e| e.to_string())?;
        let app = self.app.clone();
        self.rt.block_on(async move {
            let res = app.oneshot(req).await.map_err(|e| e.to_string())?;
            let status = res.status().as_u16();
            let ct = res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            // An event stream never ends by itself: its headers are the answer.
            let body = if ct.starts_with("text/event-stream") {
                Ok(Vec::new())
            } else {
                axum::body::to_bytes(res.into_body(), 16 << 20)
                    .await
                    .map(|b| b.to_vec())
                    .map_err(|e| e.to_string())
            };
            Ok((status, ct, body))
        })
    }
}

fn encode_path(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for &b in raw {
        if b.is_ascii_alphanumeric() || b"-._~/?=&".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn http(data: &[u8]) -> Result<(), String> {
    let [m, p, mask, variant, rest @ ..] = data else {
        return Ok(());
    };
    let (tail, body) = match rest.iter().position(|&b| b == 0xFF) {
        Some(i) => (&rest[..i], rest[i + 1..].to_vec()),
        None => (rest, Vec::new()),
    };
    LIVE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().map_or(true, |l| l.runs >= 20_000) {
            *slot = Some(start()?);
        }
        let Some(live) = slot.as_mut() else {
            return Err("no sandbox".into());
        };
        live.runs += 1;
        let template = PATHS[*p as usize % PATHS.len()]
            .replace("{id}", &live.id)
            .replace("{ch}", &live.challenge);
        let path = format!("{template}{}", encode_path(tail));
        let path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        // Creating a million intents is the bulk route's job, not a finding.
        if path.starts_with("/test/intents/bulk") {
            return Ok(());
        }
        let v = *variant as usize;
        let auth = [
            format!("Basic {KEY}"),
            format!("Bearer {}", live.secret),
            "Bearer cs_guess".into(),
            "Basic".into(),
            format!("bearer  {} ", live.secret),
        ][v % 5]
            .clone();
        let choices: [(&str, String); 8] = [
            ("authorization", auth),
            ("idempotency-key", format!("k{}", v % 7)),
            ("content-type", "application/json".into()),
            ("version", ["2025-09-10", "2025-9-10", ""][v % 3].into()),
            ("if-none-match", ["*", "\"v1\"", "W/\"x\""][v % 3].into()),
            (
                "last-event-id",
                ["0", "1", "99999999999999999999"][v % 3].into(),
            ),
            (
                "origin",
                ["http://127.0.0.1:1", "http://evil.example", "null"][v % 3].into(),
            ),
            ("host", ["evil.example", "a b", ""][v % 3].into()),
        ];
        let mut headers: Vec<(&str, String)> = choices
            .into_iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, h)| h)
            .collect();
        // Every HTTP/1.1 client sends a Host; the sandbox's own unless the input picks another.
        if mask & (1 << 7) == 0 {
            headers.push(("host", HOST.into()));
        }
        let method = METHODS[*m as usize % METHODS.len()];
        // Requests no client could send (an invalid header value) are not the server's to answer.
        let Ok((status, _, answer)) = live.send(method, &path, &headers, body) else {
            return Ok(());
        };
        let dropping = live.state.faults().config.drop_after_commit > 0.0;
        let body = match answer {
            Ok(b) => b,
            Err(_) if dropping => return Ok(()),
            Err(e) => return Err(format!("{method} {path}: the body failed: {e}")),
        };
        if status >= 500 {
            let code = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_string))
                .unwrap_or_default();
            if code != "injected_fault" && code != "processing_error" {
                return Err(format!("{method} {path}: {status} {code}"));
            }
        }
        Ok(())
    })
}
