//! Each dialect's lifecycle over HTTP, including clock-driven expiry of holds and secrets.

use reqwest::Method;
use serde_json::json;

use intent_sandbox::lifecycle::Dialect;

use crate::common::*;

async fn status(sb: &Sandbox, id: &str, secret: &str) -> String {
    sb.public(id, secret).await.body["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn stripe_dialect() {
    let sb = start_with(|c| {
        c.dialect = Dialect::Stripe;
        c.token_ttl_secs = 30 * 86_400;
    })
    .await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    assert_eq!(status(&sb, &id, &secret).await, "requires_payment_method");
    let d = sb.pay(&id, &secret, "4000000000000002").await;
    assert_eq!(d.body["status"], "requires_payment_method");
    assert_eq!(d.body["lastPaymentError"]["declineCode"], "generic_decline");
    let ok = sb.pay(&id, &secret, "4242424242424242").await;
    assert_eq!(ok.body["status"], "succeeded");
    assert!(ok.body["lastPaymentError"].is_null());
    // Refunds leave a Stripe intent `succeeded`.
    let r = sb
        .merchant_with(
            Method::POST,
            &format!("/payment-intents/{id}/refunds"),
            &[("idempotencyKey", "r")],
            Some(json!({"amount": 1000})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(status(&sb, &id, &secret).await, "succeeded");
    assert_eq!(sb.public(&id, &secret).await.body["refundedAmount"], 1000);

    let (m, ms, _) = sb.create(create_body("Manual")).await;
    assert_eq!(
        sb.pay(&m, &ms, "4000000000003220").await.body["status"],
        "requires_action"
    );
    let (m2, ms2, _) = sb.create(create_body("Manual")).await;
    assert_eq!(
        sb.pay(&m2, &ms2, "4242424242424242").await.body["status"],
        "requires_capture"
    );
    // Capturing moves it to `processing`; it settles to `succeeded`.
    let cap = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{m2}/captures"),
            Some(json!({"amount": 600})),
        )
        .await;
    assert_eq!(cap.status, 200, "{}", cap.body);
    sb.wait_status(&m2, &ms2, "succeeded").await;
    let l = sb.ledger(&m2).await;
    assert_eq!(
        (
            l["totals"]["captured"].as_i64(),
            l["totals"]["released"].as_i64()
        ),
        (Some(600), Some(400))
    );
    // An uncaptured hold lapses after 7 days.
    let (h, hs, _) = sb.create(create_body("Manual")).await;
    sb.pay(&h, &hs, "4242424242424242").await;
    sb.advance(6.0 * 86_400.0).await;
    assert_eq!(status(&sb, &h, &hs).await, "requires_capture");
    sb.advance(86_400.0 + 1.0).await;
    assert_eq!(status(&sb, &h, &hs).await, "canceled");
    assert_eq!(sb.ledger(&h).await["totals"]["released"], 1000);
    // Cancel releases a held authorisation.
    let (m3, ms3, _) = sb.create(create_body("Manual")).await;
    sb.pay(&m3, &ms3, "4242424242424242").await;
    let c = sb
        .merchant(Method::DELETE, &format!("/payment-intents/{m3}"), None)
        .await;
    assert_eq!(c.body["status"], "canceled");
    assert_eq!(sb.ledger(&m3).await["totals"]["released"], 1000);
}

#[tokio::test]
async fn stripe_cancels_after_too_many_declines() {
    let sb = start_with(|c| c.dialect = Dialect::Stripe).await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let mut last = String::new();
    for _ in 0..10 {
        last = sb.pay(&id, &secret, "4000000000000002").await.body["status"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    }
    assert_eq!(last, "canceled");
    let r = sb.pay(&id, &secret, "4242424242424242").await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "illegal_transition"));
}

#[tokio::test]
async fn setel_dialect() {
    let sb = start_with(|c| {
        c.dialect = Dialect::Setel;
        c.token_ttl_secs = 86_400;
    })
    .await;
    let body = |mode: &str| {
        let mut b = create_body(mode);
        b["amount"] = json!({"value": 5000, "currencyCode": "MYR"});
        b
    };
    let (id, secret, _) = sb.create(body("Auto")).await;
    assert_eq!(status(&sb, &id, &secret).await, "requires_payment_method");
    // Direct capture goes through `processing` to `succeeded`.
    assert_eq!(
        sb.pay(&id, &secret, "4242424242424242").await.body["status"],
        "processing"
    );
    sb.wait_status(&id, &secret, "succeeded").await;
    let refund = |amount: i64, key: &'static str| {
        let (sb, id) = (&sb, id.clone());
        async move {
            sb.merchant_with(
                Method::POST,
                &format!("/payment-intents/{id}/refunds"),
                &[("idempotencyKey", key)],
                Some(json!({"amount": amount})),
            )
            .await
        }
    };
    refund(2000, "a").await;
    assert_eq!(status(&sb, &id, &secret).await, "partially_refunded");
    refund(3000, "b").await;
    assert_eq!(status(&sb, &id, &secret).await, "refunded");
    assert_eq!(sb.ledger(&id).await["totals"]["netCollected"], 0);

    // A decline is `failed`; a new attempt may follow.
    let (f, fs, _) = sb.create(body("Auto")).await;
    assert_eq!(
        sb.pay(&f, &fs, "4000000000009995").await.body["status"],
        "failed"
    );
    let retry = sb.pay(&f, &fs, "4242424242424242").await;
    assert_eq!(retry.body["status"], "processing");
    sb.wait_status(&f, &fs, "succeeded").await;
    assert_eq!(sb.ledger(&f).await["totals"]["charged"], 5000);

    let (m, ms, _) = sb.create(body("Manual")).await;
    assert_eq!(
        sb.pay(&m, &ms, "4242424242424242").await.body["status"],
        "authorised"
    );
    sb.advance(29.0 * 60.0).await;
    assert_eq!(status(&sb, &m, &ms).await, "authorised");
    sb.advance(61.0).await;
    assert_eq!(status(&sb, &m, &ms).await, "expired");
    assert_eq!(sb.ledger(&m).await["totals"]["released"], 5000);
    let cap = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{m}/captures"),
            Some(json!({"amount": 5000})),
        )
        .await;
    assert_eq!(cap.status, 409);
}

#[tokio::test]
async fn dojo_manual_hold_reverses_after_seven_days() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Manual")).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    sb.advance(6.0 * 86_400.0).await;
    let r = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await;
    assert_eq!(r.body["status"], "Authorized");
    let clock = sb.advance(86_400.0 + 1.0).await;
    assert_eq!(clock.body["timersFired"], 1);
    let r = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await;
    assert_eq!(r.body["status"], "Reversed");
    let clock = sb.test_route(Method::GET, "/test/clock", None).await;
    assert!(clock.body["offsetSeconds"]
        .as_f64()
        .is_some_and(|s| s > 7.0 * 86_400.0));
}

#[tokio::test]
async fn dojo_auto_expire_capture() {
    let sb = start().await;
    let mut body = create_body("Manual");
    body["autoExpireIn"] = json!("00:05:00");
    body["autoExpireAction"] = json!("Capture");
    let (id, secret, created) = sb.create(body).await;
    assert_eq!(created["autoExpireIn"], "00:05:00");
    sb.pay(&id, &secret, "4242424242424242").await;
    sb.advance(301.0).await;
    let r = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await;
    assert_eq!(r.body["status"], "Captured");
    assert_eq!(sb.ledger(&id).await["totals"]["captured"], 1000);
}

#[tokio::test]
async fn unpaid_intents_are_voided_after_thirty_days() {
    let sb = start().await;
    let (id, _, _) = sb.create(create_body("Auto")).await;
    sb.advance(30.0 * 86_400.0 + 1.0).await;
    let r = sb
        .merchant(
            Method::GET,
            &format!("/payment-intents/{id}?returnCanceled=true"),
            None,
        )
        .await;
    assert_eq!(r.body["status"], "Canceled");
}

#[tokio::test]
async fn one_server_hosts_all_dialects() {
    let sb = start().await;
    for (dialect, created, paid) in [
        ("dojo", "Created", "Authorized"),
        ("stripe", "requires_payment_method", "requires_capture"),
        ("setel", "requires_payment_method", "authorised"),
    ] {
        let (id, secret) = sb
            .demo(json!({"dialect": dialect, "captureMode": "Manual"}))
            .await;
        let r = sb.public(&id, &secret).await;
        assert_eq!(
            (r.body["status"].as_str(), r.body["dialect"].as_str()),
            (Some(created), Some(dialect))
        );
        assert_eq!(
            sb.pay(&id, &secret, "4242424242424242").await.body["status"],
            paid
        );
    }
}
