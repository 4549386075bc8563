//! The page's endpoints: every test card, card checks, ETag, secret scoping and expiry, tips.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn every_test_card_behaves_as_documented() {
    let sb = start().await;
    for (number, status, decline) in [
        ("4242424242424242", "Captured", None),
        ("5555555555554444", "Captured", None),
        ("378282246310005", "Captured", None),
        ("4000000000000002", "Created", Some("generic_decline")),
        ("4000000000009995", "Created", Some("insufficient_funds")),
    ] {
        let (id, secret, _) = sb.create(create_body("Auto")).await;
        let r = sb.pay(&id, &secret, number).await;
        assert_eq!(r.status, 200, "{number}: {}", r.body);
        assert_eq!(r.body["status"], status, "{number}");
        assert_eq!(r.body["version"], 2);
        match decline {
            Some(code) => {
                assert_eq!(r.body["lastPaymentError"]["code"], "card_declined");
                assert_eq!(r.body["lastPaymentError"]["declineCode"], code);
                assert_eq!(r.body["paymentEvents"][0]["eventType"], "Declined");
                assert_eq!(sb.ledger(&id).await["totals"]["movements"], 0);
            }
            None => {
                assert!(r.body["lastPaymentError"].is_null());
                assert_eq!(sb.ledger(&id).await["totals"]["charged"], 1000);
            }
        }
    }
}

#[tokio::test]
async fn manual_capture_authorises() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Manual")).await;
    let r = sb.pay(&id, &secret, "4242424242424242").await;
    assert_eq!(r.body["status"], "Authorized");
    assert_eq!(r.body["paymentEvents"][0]["eventType"], "Authorized");
}

#[tokio::test]
async fn payment_events_carry_the_money_they_moved() {
    let sb = start().await;
    // The tip is part of what is authorised, and of what is charged.
    for (mode, event) in [("Manual", "Authorized"), ("Auto", "Captured")] {
        let (id, secret) = sb
            .demo(json!({"captureMode": mode, "amount": 1000, "tipsAmount": 250}))
            .await;
        let r = sb.pay(&id, &secret, "4242424242424242").await;
        let last = r.body["paymentEvents"]
            .as_array()
            .and_then(|e| e.last())
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            (last["eventType"].as_str(), &last["amount"]),
            (Some(event), &gbp(1250)),
            "{mode}: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn three_d_secure_answers_with_a_next_action() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let r = sb.pay(&id, &secret, "4000000000003220").await;
    assert_eq!(r.body["status"], "Created");
    assert_eq!(r.body["nextAction"]["type"], "three_d_secure");
    let url = r.body["nextAction"]["url"].as_str().unwrap_or_default();
    assert!(url.starts_with(&format!("{}/challenge/", sb.base)), "{url}");
    assert!(!url.contains(&secret));
    assert_eq!(r.body["paymentEvents"][0]["eventType"], "AuthChallenged");
}

#[tokio::test]
async fn async_card_settles_on_the_clock() {
    let sb = start_with(|c| c.async_settle_secs = 600.0).await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let r = sb.pay(&id, &secret, "4000000000000077").await;
    assert_eq!(r.body["status"], "Created");
    assert_eq!(sb.ledger(&id).await["totals"]["movements"], 0);
    sb.advance(601.0).await;
    let r = sb.public(&id, &secret).await;
    assert_eq!(r.body["status"], "Captured");
    assert_eq!(r.body["version"], 3);
    assert_eq!(sb.ledger(&id).await["totals"]["charged"], 1000);
}

#[tokio::test]
async fn async_cards_settle_exactly_when_their_delay_has_passed() {
    // No real-time tick during the test: only the test clock runs timers, so "not yet" is certain.
    let sb = start_with(|c| {
        c.async_settle_secs = 600.0;
        c.tick_ms = 3_600_000;
    })
    .await;
    // Dojo shows `processing` as `Created`; Setel's Manual cannot say it and authorises later.
    for (dialect, mode, movement) in [
        ("dojo", "Auto", "charge"),
        ("setel", "Manual", "authorization"),
    ] {
        let (id, secret) = sb
            .demo(json!({"dialect": dialect, "captureMode": mode}))
            .await;
        let r = sb.pay(&id, &secret, "4000000000000077").await;
        assert_eq!(r.status, 200, "{dialect}: {}", r.body);
        sb.advance(599.0).await;
        assert_eq!(sb.ledger(&id).await["totals"]["movements"], 0, "{dialect}");
        sb.advance(1.0).await;
        let entries = sb.ledger(&id).await["entries"].clone();
        assert_eq!(
            (entries[0]["movement"].as_str(), &entries[0]["amount"]),
            (Some(movement), &gbp(1000)),
            "{dialect}: {entries}"
        );
    }
}

#[tokio::test]
async fn async_card_settles_in_real_time_too() {
    let sb = start_with(|c| c.async_settle_secs = 0.2).await;
    let (id, secret) = sb.demo(json!({"dialect": "stripe"})).await;
    assert_eq!(
        sb.pay(&id, &secret, "4000000000000077").await.body["status"],
        "processing"
    );
    // No clock advance: the real-time tick alone must settle it.
    let settled = sb.wait_status(&id, &secret, "succeeded").await;
    assert_eq!(settled["version"], 3);
    assert_eq!(sb.ledger(&id).await["totals"]["charged"], 1000);
}

#[tokio::test]
async fn processing_error_is_a_retryable_500_that_changes_nothing() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let body = card("4000000000000119").to_string();
    let r = sb.pay_raw(&id, &secret, Some("k"), body.clone()).await;
    assert_eq!((r.status.as_u16(), r.code()), (500, "processing_error"));
    assert_eq!(r.body["retryable"], true);
    assert!(r.header("retry-after").is_some());
    assert_eq!(sb.public(&id, &secret).await.body["version"], 1);
    // Not stored under the key: the retry runs again rather than replaying the 500.
    let again = sb.pay_raw(&id, &secret, Some("k"), body).await;
    assert_eq!(again.status, 500);
    assert!(again.header("idempotent-replayed").is_none());
    assert_eq!(
        sb.pay(&id, &secret, "4242424242424242").await.body["status"],
        "Captured"
    );
}

#[tokio::test]
async fn card_checks_name_the_field() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let mut cases = vec![];
    let mut bad_number = card("4242424242424241");
    cases.push((bad_number.take(), "paymentMethod.card.number"));
    let mut past = card("4242424242424242");
    past["paymentMethod"]["card"]["expiryYear"] = json!(2020);
    cases.push((past, "paymentMethod.card.expiryYear"));
    let mut amex_short = card("378282246310005");
    amex_short["paymentMethod"]["card"]["cvc"] = json!("123");
    cases.push((amex_short, "paymentMethod.card.cvc"));
    let mut visa_long = card("4242424242424242");
    visa_long["paymentMethod"]["card"]["cvc"] = json!("1234");
    cases.push((visa_long, "paymentMethod.card.cvc"));
    let mut month = card("4242424242424242");
    month["paymentMethod"]["card"]["expiryMonth"] = json!(13);
    cases.push((month, "paymentMethod.card.expiryMonth"));
    for (i, (body, param)) in cases.into_iter().enumerate() {
        let r = sb
            .pay_raw(&id, &secret, Some(&format!("c{i}")), body.to_string())
            .await;
        assert_eq!(r.status, 400, "{param}: {}", r.body);
        assert_eq!(r.code(), "validation_error");
        assert_eq!(r.body["param"], param);
    }
    assert_eq!(sb.public(&id, &secret).await.body["version"], 1);
}

#[tokio::test]
async fn etag_gives_304_until_the_intent_changes() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let first = sb.public(&id, &secret).await;
    let etag = first.header("etag").unwrap_or_default().to_string();
    assert!(!etag.is_empty());
    let path = format!("/payment-intents/public/{id}");
    let same = sb
        .send(
            Method::GET,
            &path,
            Some(format!("Bearer {secret}")),
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(same.status, 304);
    sb.pay(&id, &secret, "4000000000000002").await;
    let changed = sb
        .send(
            Method::GET,
            &path,
            Some(format!("Bearer {secret}")),
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
}

#[tokio::test]
async fn browser_view_is_page_safe() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let r = sb.public(&id, &secret).await;
    let text = r.body.to_string();
    assert!(!text.contains(&secret));
    for field in [
        "id",
        "status",
        "captureMode",
        "amount",
        "tipsAmount",
        "totalAmount",
        "refundedAmount",
        "config",
        "createdAt",
        "updatedAt",
        "expireAt",
        "reference",
        "description",
        "clientSessionSecretExpirationDate",
        "version",
        "nextAction",
        "lastPaymentError",
        "paymentEvents",
    ] {
        assert!(r.body.get(field).is_some(), "{field} missing");
    }
    assert!(r.body.get("clientSessionSecret").is_none());
    assert!(r.body.get("metadata").is_none());
}

#[tokio::test]
async fn secrets_are_scoped_and_expire() {
    let sb = start_with(|c| c.token_ttl_secs = 60).await;
    let (a, sa, _) = sb.create(create_body("Auto")).await;
    let (_b, sb_secret, _) = sb.create(create_body("Auto")).await;
    let other = sb.public(&a, &sb_secret).await;
    assert_eq!((other.status.as_u16(), other.code()), (403, "forbidden"));
    let wrong = sb.public(&a, "cs_sandbox_nope").await;
    assert_eq!(
        (wrong.status.as_u16(), wrong.code()),
        (401, "token_invalid")
    );
    assert!(wrong.body["type"]
        .as_str()
        .is_some_and(|t| t.ends_with("/token_invalid")));
    let missing = sb
        .send(
            Method::GET,
            &format!("/payment-intents/public/{a}"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(missing.status, 401);
    let as_key = sb
        .send(
            Method::GET,
            &format!("/payment-intents/public/{a}"),
            Some(format!("Basic {KEY}")),
            &[],
            None,
        )
        .await;
    assert_eq!(as_key.status, 401);
    assert_eq!(sb.public(&a, &sa).await.status, 200);
    sb.advance(61.0).await;
    let expired = sb.public(&a, &sa).await;
    assert_eq!(
        (expired.status.as_u16(), expired.code()),
        (401, "token_expired")
    );
    assert!(expired.body["type"]
        .as_str()
        .is_some_and(|t| t.ends_with("/token_expired")));
    assert!(!expired.body.to_string().contains(&sa));
    let paid = sb.pay(&a, &sa, "4242424242424242").await;
    assert_eq!(paid.status, 401);
}

#[tokio::test]
async fn customer_tips_and_custom_amounts() {
    let sb = start().await;
    let (id, secret) = sb
        .demo(json!({"tipsAllowed": true, "customAmountAllowed": true}))
        .await;
    let path = format!("/payment-intents/public/{id}/tips-amount");
    let t = sb
        .send(
            Method::POST,
            &path,
            Some(format!("Bearer {secret}")),
            &[],
            Some(json!({"tipsAmount": gbp(200)}).to_string()),
        )
        .await;
    assert_eq!(t.status, 200, "{}", t.body);
    assert_eq!(t.body["totalAmount"], gbp(1200));
    assert_eq!(t.body["version"], 2);
    let path = format!("/payment-intents/public/{id}/amount");
    let a = sb
        .send(
            Method::POST,
            &path,
            Some(format!("Bearer {secret}")),
            &[],
            Some(json!({"amount": gbp(500)}).to_string()),
        )
        .await;
    assert_eq!(a.body["totalAmount"], gbp(700));
    let neg = sb
        .send(
            Method::POST,
            &path,
            Some(format!("Bearer {secret}")),
            &[],
            Some(json!({"amount": gbp(-5)}).to_string()),
        )
        .await;
    assert_eq!(
        (neg.status.as_u16(), neg.body["param"].as_str()),
        (400, Some("amount.value"))
    );
    let (fixed, fs) = sb.demo(json!({})).await;
    let no = sb
        .send(
            Method::POST,
            &format!("/payment-intents/public/{fixed}/tips-amount"),
            Some(format!("Bearer {fs}")),
            &[],
            Some(json!({"tipsAmount": gbp(1)}).to_string()),
        )
        .await;
    assert_eq!(no.status, 405);
}
