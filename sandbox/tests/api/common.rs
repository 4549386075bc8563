//! Starts an in-process sandbox on 127.0.0.1:0 and wraps the calls tests make.

#![allow(dead_code)]

use intent_sandbox::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const KEY: &str = "sk_test_key";

pub struct Sandbox {
    pub base: String,
    pub http: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn start() -> Sandbox {
    start_with(|_| {}).await
}

pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Sandbox {
    let mut config = Config::defaults();
    config.port = 0;
    config.secret_key = KEY.into();
    config.tick_ms = 20;
    config.demo = true;
    tweak(&mut config);
    let (listener, state) = intent_sandbox::bind(config).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(intent_sandbox::run(listener, state, async {
        let _ = rx.await;
    }));
    Sandbox {
        base: format!("http://{addr}"),
        http: reqwest::Client::new(),
        _stop: tx,
    }
}

pub fn card(number: &str) -> Value {
    let cvc = if number.starts_with('3') {
        "1234"
    } else {
        "123"
    };
    json!({"paymentMethod": {"card": {
        "number": number, "expiryMonth": 12, "expiryYear": 2034, "cvc": cvc, "cardholderName": "Ada Lovelace"
    }}})
}

impl Sandbox {
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        auth: Option<String>,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Reply {
        let method_is_post = method == Method::POST;
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        // Every POST is JSON (the sandbox refuses others); a test may still override the type.
        if method_is_post
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            req = req.header("content-type", "application/json");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A merchant call: Basic auth and Dojo's `version` header.
    pub async fn merchant(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send(
            method,
            path,
            Some(format!("Basic {KEY}")),
            &[("version", "2025-09-10")],
            body.map(|b| b.to_string()),
        )
        .await
    }

    pub async fn merchant_with(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        let mut h = vec![("version", "2025-09-10")];
        h.extend_from_slice(headers);
        self.send(
            method,
            path,
            Some(format!("Basic {KEY}")),
            &h,
            body.map(|b| b.to_string()),
        )
        .await
    }

    pub async fn test_route(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send(
            method,
            path,
            Some(format!("Basic {KEY}")),
            &[],
            body.map(|b| b.to_string()),
        )
        .await
    }

    /// Creates an intent through the merchant API; returns (id, secret, body).
    pub async fn create(&self, body: Value) -> (String, String, Value) {
        let r = self
            .merchant(Method::POST, "/payment-intents", Some(body))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        (
            r.body["id"].as_str().expect("id").to_string(),
            r.body["clientSessionSecret"]
                .as_str()
                .expect("secret")
                .to_string(),
            r.body,
        )
    }

    /// Creates an intent through the demo route, in any dialect.
    pub async fn demo(&self, body: Value) -> (String, String) {
        let r = self
            .send(
                Method::POST,
                "/demo/payment-intents",
                None,
                &[],
                Some(body.to_string()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        (
            r.body["paymentIntentId"].as_str().expect("id").to_string(),
            r.body["clientSessionSecret"]
                .as_str()
                .expect("secret")
                .to_string(),
        )
    }

    pub async fn public(&self, id: &str, secret: &str) -> Reply {
        self.send(
            Method::GET,
            &format!("/payment-intents/public/{id}"),
            Some(format!("Bearer {secret}")),
            &[],
            None,
        )
        .await
    }

    pub async fn pay_raw(&self, id: &str, secret: &str, key: Option<&str>, body: String) -> Reply {
        let headers: Vec<(&str, &str)> = key
            .map(|k| vec![("idempotency-key", k)])
            .unwrap_or_default();
        self.send(
            Method::POST,
            &format!("/payment-intents/public/{id}/payments"),
            Some(format!("Bearer {secret}")),
            &headers,
            Some(body),
        )
        .await
    }

    pub async fn pay(&self, id: &str, secret: &str, number: &str) -> Reply {
        let key = format!("key-{}-{number}", rand_suffix());
        self.pay_raw(id, secret, Some(&key), card(number).to_string())
            .await
    }

    /// Polls the browser view until `status` (the sandbox settles `processing` on its real-time tick).
    pub async fn wait_status(&self, id: &str, secret: &str, status: &str) -> Value {
        eventually(&format!("{id} to reach {status}"), || async {
            let view = self.public(id, secret).await.body;
            (view["status"] == status).then_some(view)
        })
        .await
    }

    /// `GET /test/faults`: the configuration and the `injected` / `delayed` counters.
    pub async fn faults(&self) -> Value {
        let r = self.test_route(Method::GET, "/test/faults", None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
    }

    /// Waits until `n` requests have started an injected delay: they are in flight on the server
    /// (holding their idempotency key, if any) and will answer once the delay is over.
    pub async fn wait_delayed(&self, n: u64) {
        eventually(&format!("{n} delayed requests"), || async {
            (self.faults().await["delayed"].as_u64() >= Some(n)).then_some(())
        })
        .await
    }

    pub async fn advance(&self, seconds: f64) -> Reply {
        self.test_route(
            Method::POST,
            "/test/clock/advance",
            Some(json!({"seconds": seconds})),
        )
        .await
    }

    pub async fn ledger(&self, id: &str) -> Value {
        self.test_route(
            Method::GET,
            &format!("/test/ledger?paymentIntentId={id}"),
            None,
        )
        .await
        .body
    }
}

/// Polls `check` until it yields a value. The deadline only turns a hang into a failure; the test
/// waits for the condition, never for a time.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

pub fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

pub fn gbp(value: i64) -> Value {
    json!({"value": value, "currencyCode": "GBP"})
}

pub fn create_body(mode: &str) -> Value {
    json!({"amount": gbp(1000), "reference": "Order 1", "description": "Test", "captureMode": mode})
}
