//! A seeded barrage of malformed and mistyped bodies at every body-taking endpoint: the server must
//! answer each with a 4xx problem (never a 5xx, never a dropped connection) and keep serving.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

/// The sandbox's seeded generator (`fastrand`), with a pick helper.
struct Rng(fastrand::Rng);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.u64(..)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.0.usize(..xs.len())]
    }
}

fn junk(r: &mut Rng, depth: u32) -> Value {
    let scalars = [
        json!(null),
        json!(true),
        json!(-1),
        json!(0),
        json!(1e308),
        json!(-9_223_372_036_854_775_807_i64),
        json!(18_446_744_073_709_551_615_u64),
        json!(""),
        json!("GBP"),
        json!("4242424242424242"),
        json!("\u{0}\u{202e}<script>"),
        json!("x".repeat(5000)),
    ];
    let keys = [
        "amount",
        "value",
        "currencyCode",
        "reference",
        "captureMode",
        "paymentMethod",
        "card",
        "number",
        "expiryMonth",
        "expiryYear",
        "cvc",
        "tipsAmount",
        "config",
        "payment",
        "metadata",
        "seconds",
        "outcome",
        "count",
        "dialect",
        "autoExpireIn",
        "errorBeforeCommit",
        "latencyMs",
    ];
    match (r.next() % 4, depth) {
        (0, d) if d < 4 => {
            let mut m = serde_json::Map::new();
            for _ in 0..(r.next() % 5) {
                m.insert(r.pick(&keys).to_string(), junk(r, d + 1));
            }
            Value::Object(m)
        }
        (1, d) if d < 4 => Value::Array((0..(r.next() % 3)).map(|_| junk(r, d + 1)).collect()),
        _ => r.pick(&scalars).clone(),
    }
}

#[tokio::test]
async fn malformed_bodies_never_break_the_server() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Manual")).await;
    let mut r = Rng(fastrand::Rng::with_seed(2026));
    let merchant = format!("Basic {KEY}");
    let bearer = format!("Bearer {secret}");
    let targets: Vec<(String, Option<String>)> = vec![
        ("/payment-intents".into(), Some(merchant.clone())),
        (
            format!("/payment-intents/{id}/captures"),
            Some(merchant.clone()),
        ),
        (
            format!("/payment-intents/{id}/refunds"),
            Some(merchant.clone()),
        ),
        (
            format!("/payment-intents/{id}/tips-amount"),
            Some(merchant.clone()),
        ),
        (
            format!("/payment-intents/{id}/amount"),
            Some(merchant.clone()),
        ),
        (
            format!("/payment-intents/public/{id}/payments"),
            Some(bearer.clone()),
        ),
        (
            format!("/payment-intents/public/{id}/payment-methods"),
            Some(bearer.clone()),
        ),
        (
            format!("/payment-intents/public/{id}/tips-amount"),
            Some(bearer.clone()),
        ),
        (
            format!("/payment-intents/public/{id}/amount"),
            Some(bearer.clone()),
        ),
        ("/demo/payment-intents".into(), None),
        (format!("/demo/payment-intents/{id}/captures"), None),
        (format!("/demo/payment-intents/{id}/refunds"), None),
        ("/test/clock/advance".into(), Some(merchant.clone())),
        ("/test/faults".into(), Some(merchant.clone())),
        ("/test/intents/bulk".into(), Some(merchant.clone())),
        ("/challenge/ch_x/complete".into(), None),
    ];
    let raw = [
        "",
        "{",
        "}",
        "nul",
        "[[[[[[[[",
        "\u{feff}{}",
        "{\"a\":1,}",
        "1e99999",
    ];
    for round in 0..40 {
        for (path, auth) in &targets {
            let body = if round % 5 == 0 {
                r.pick(&raw).to_string()
            } else {
                junk(&mut r, 0).to_string()
            };
            let key = format!("fuzz-{round}");
            let res = sb
                .send(
                    Method::POST,
                    path,
                    auth.clone(),
                    &[
                        ("version", "2025-09-10"),
                        ("idempotency-key", &key),
                        ("idempotencyKey", &key),
                    ],
                    Some(body.clone()),
                )
                .await;
            let s = res.status.as_u16();
            assert!(s < 500, "{path} {body}: {s} {}", res.body);
        }
    }
    // Still serving, and the intent is still unpaid: nothing above was a valid payment.
    let v = sb.public(&id, &secret).await;
    assert_eq!(v.status, 200);
    assert_eq!(v.body["status"], "Created");
}
