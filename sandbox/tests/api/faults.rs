//! Injected faults: a 500 before commit changes nothing; a 500 or a dropped connection after commit
//! keeps the change, and the retry with the same key replays it — the ledger shows one charge.

use reqwest::Method;
use serde_json::json;

use crate::common::*;
use crate::stream::EventStream;

async fn set(sb: &Sandbox, v: serde_json::Value) {
    let r = sb.test_route(Method::POST, "/test/faults", Some(v)).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn clear(sb: &Sandbox) {
    let r = sb.test_route(Method::DELETE, "/test/faults", None).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn error_before_commit_changes_nothing() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    set(&sb, json!({"seed": 1, "errorBeforeCommit": 1.0})).await;
    let body = card("4242424242424242").to_string();
    let r = sb.pay_raw(&id, &secret, Some("k"), body.clone()).await;
    assert_eq!((r.status.as_u16(), r.code()), (500, "injected_fault"));
    clear(&sb).await;
    assert_eq!(sb.public(&id, &secret).await.body["version"], 1);
    let retry = sb.pay_raw(&id, &secret, Some("k"), body).await;
    assert_eq!(retry.status, 200);
    assert!(retry.header("idempotent-replayed").is_none());
    assert_eq!(sb.ledger(&id).await["totals"]["movements"], 1);
}

#[tokio::test]
async fn error_after_commit_then_retry_replays() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    set(&sb, json!({"seed": 7, "errorAfterCommit": 1.0})).await;
    let body = card("4242424242424242").to_string();
    let r = sb.pay_raw(&id, &secret, Some("k"), body.clone()).await;
    assert_eq!(r.status, 500);
    clear(&sb).await;
    let retry = sb.pay_raw(&id, &secret, Some("k"), body).await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body["status"], "Captured");
    let l = sb.ledger(&id).await;
    assert_eq!(
        (
            l["totals"]["charged"].as_i64(),
            l["totals"]["movements"].as_i64()
        ),
        (Some(1000), Some(1))
    );
}

#[tokio::test]
async fn dropped_connection_after_commit_then_retry_replays() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    set(&sb, json!({"seed": 3, "dropAfterCommit": 1.0})).await;
    let body = card("4242424242424242").to_string();
    let res = sb
        .http
        .post(format!("{}/payment-intents/public/{id}/payments", sb.base))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {secret}"))
        .header("idempotency-key", "k")
        .body(body.clone())
        .send()
        .await;
    let failed = match res {
        Err(_) => true,
        Ok(r) => r.text().await.is_err(),
    };
    assert!(failed, "the client must not get an answer");
    clear(&sb).await;
    let retry = sb.pay_raw(&id, &secret, Some("k"), body).await;
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(sb.ledger(&id).await["totals"]["movements"], 1);
}

#[tokio::test]
async fn seeded_faults_are_reproducible() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sb = start().await;
        set(&sb, json!({"seed": 42, "errorBeforeCommit": 0.5})).await;
        let mut outcomes = Vec::new();
        for _ in 0..12 {
            let (id, secret) = sb.demo(json!({})).await;
            outcomes.push(
                sb.pay(&id, &secret, "4242424242424242")
                    .await
                    .status
                    .as_u16(),
            );
        }
        runs.push(outcomes);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&500) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );
}

#[tokio::test]
async fn merchant_routes_are_spared_unless_scope_is_all() {
    let sb = start().await;
    set(&sb, json!({"errorBeforeCommit": 1.0})).await;
    let (id, _) = sb.demo(json!({})).await;
    assert!(id.starts_with("pi_"));
    set(&sb, json!({"errorBeforeCommit": 1.0, "scope": "all"})).await;
    let r = sb
        .send(
            Method::POST,
            "/demo/payment-intents",
            None,
            &[],
            Some("{}".into()),
        )
        .await;
    assert_eq!(r.status, 500);
    let bad = sb
        .test_route(
            Method::POST,
            "/test/faults",
            Some(json!({"errorBeforeCommit": 2.0})),
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["param"].as_str()),
        (400, Some("errorBeforeCommit"))
    );
    let unknown = sb
        .test_route(Method::POST, "/test/faults", Some(json!({"explode": true})))
        .await;
    assert_eq!(unknown.status, 400);
}

#[tokio::test]
async fn stream_events_can_be_duplicated_and_reordered() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({})).await;
    set(
        &sb,
        json!({"seed": 5, "duplicateEvents": 1.0, "reorderEvents": 1.0}),
    )
    .await;
    let mut s = EventStream::open(&sb, &id, &secret, None).await;
    // 1 twice; 2 twice then the stale 1; 3 twice then the stale 2. Each change's frames are queued
    // together, so waiting for them before the next change keeps the sequence exact.
    assert_eq!(s.versions(2).await, [1, 1], "{}", s.raw);
    let r = sb
        .pay_raw(
            &id,
            &secret,
            Some("s"),
            card("4000000000000002").to_string(),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(s.versions(3).await, [2, 2, 1], "{}", s.raw);
    sb.pay(&id, &secret, "4242424242424242").await;
    assert_eq!(s.versions(3).await, [3, 3, 2], "{}", s.raw);
    s.assert_ends().await;
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after_and_change_nothing() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    set(&sb, json!({"rateLimited": 1.0, "retryAfterSeconds": 7})).await;
    let body = card("4242424242424242").to_string();
    let r = sb.pay_raw(&id, &secret, Some("k"), body.clone()).await;
    assert_eq!((r.status.as_u16(), r.code()), (429, "rate_limited"));
    assert_eq!(r.header("retry-after"), Some("7"));
    assert_eq!(r.body["retryable"], true);
    let read = sb.public(&id, &secret).await;
    assert_eq!(
        (read.status.as_u16(), read.header("retry-after")),
        (429, Some("7"))
    );
    assert_eq!(sb.faults().await["injected"], 2);
    clear(&sb).await;
    assert_eq!(sb.public(&id, &secret).await.body["version"], 1);
    // The 429 was not stored under the key: the retry runs, once.
    let retry = sb.pay_raw(&id, &secret, Some("k"), body).await;
    assert_eq!(retry.status, 200);
    assert!(retry.header("idempotent-replayed").is_none());
    assert_eq!(sb.ledger(&id).await["totals"]["movements"], 1);
    let bad = sb
        .test_route(
            Method::POST,
            "/test/faults",
            Some(json!({"retryAfterSeconds": 3601})),
        )
        .await;
    assert_eq!(bad.body["param"], "retryAfterSeconds");
}
