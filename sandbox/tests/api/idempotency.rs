//! Idempotency-Key on the pay endpoint: required, replayed, mismatched and concurrent.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn key_is_required() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let r = sb
        .pay_raw(&id, &secret, None, card("4242424242424242").to_string())
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "idempotency_key_required")
    );
    assert_eq!(sb.public(&id, &secret).await.body["version"], 1);
}

#[tokio::test]
async fn a_key_is_1_to_255_visible_characters() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    // Declined, so the intent stays payable and a good key after the bad ones still pays.
    let body = card("4000000000000002").to_string();
    let long = "k".repeat(256);
    for bad in ["", "two words", "tab\there", long.as_str()] {
        let r = sb.pay_raw(&id, &secret, Some(bad), body.clone()).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (400, "idempotency_key_required"),
            "{bad:?}"
        );
    }
    assert_eq!(sb.public(&id, &secret).await.body["version"], 1);
    let r = sb.pay_raw(&id, &secret, Some(&"k".repeat(255)), body).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn same_key_same_body_replays_without_charging_twice() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let body = card("4242424242424242").to_string();
    let first = sb.pay_raw(&id, &secret, Some("pay-1"), body.clone()).await;
    assert_eq!(first.status, 200);
    assert!(first.header("idempotent-replayed").is_none());
    // Whitespace and key order do not make it another request.
    let reformatted = serde_json::to_string_pretty(&card("4242424242424242")).unwrap_or_default();
    let second = sb.pay_raw(&id, &secret, Some("pay-1"), reformatted).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("etag"), first.header("etag"));
    let l = sb.ledger(&id).await;
    assert_eq!(
        (
            l["totals"]["charged"].as_i64(),
            l["totals"]["movements"].as_i64()
        ),
        (Some(1000), Some(1))
    );
    // A new key on a captured intent is an illegal transition, not a second charge.
    let other = sb.pay_raw(&id, &secret, Some("pay-2"), body).await;
    assert_eq!(
        (other.status.as_u16(), other.code()),
        (409, "illegal_transition")
    );
}

#[tokio::test]
async fn declines_are_replayed_too() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let body = card("4000000000000002").to_string();
    let first = sb.pay_raw(&id, &secret, Some("d"), body.clone()).await;
    let again = sb.pay_raw(&id, &secret, Some("d"), body).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(
        sb.public(&id, &secret).await.body["paymentEvents"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn same_key_other_body_is_422() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    sb.pay_raw(
        &id,
        &secret,
        Some("k"),
        card("4000000000000002").to_string(),
    )
    .await;
    let r = sb
        .pay_raw(
            &id,
            &secret,
            Some("k"),
            card("4242424242424242").to_string(),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (422, "idempotency_key_mismatch")
    );
    assert_eq!(sb.public(&id, &secret).await.body["status"], "Created");
}

#[tokio::test]
async fn same_key_while_running_is_409() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let f = sb
        .test_route(
            Method::POST,
            "/test/faults",
            Some(json!({"latencyMs": 2000})),
        )
        .await;
    assert_eq!(f.status, 200, "{}", f.body);
    let body = card("4242424242424242").to_string();
    let slow = sb.pay_raw(&id, &secret, Some("same"), body.clone());
    let fast = async {
        // The first request holds the key once it is in its injected delay.
        sb.wait_delayed(1).await;
        sb.pay_raw(&id, &secret, Some("same"), body.clone()).await
    };
    let (a, b) = tokio::join!(slow, fast);
    assert_eq!(a.status, 200);
    assert_eq!(
        (b.status.as_u16(), b.code()),
        (409, "idempotency_key_in_use")
    );
    let c = sb.pay_raw(&id, &secret, Some("same"), body).await;
    assert_eq!(c.header("idempotent-replayed"), Some("true"));
    assert_eq!(sb.ledger(&id).await["totals"]["movements"], 1);
}
