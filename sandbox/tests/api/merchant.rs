//! Dojo's merchant endpoints: auth, version header, create/get/cancel/refresh, captures, refunds,
//! reversal and amount changes, each checked against state and the ledger.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn create_answers_in_dojo_shape_with_a_secret() {
    let sb = start().await;
    let (id, secret, body) = sb.create(create_body("Auto")).await;
    assert!(id.starts_with("pi_sandbox_"));
    assert!(secret.len() > 30);
    assert_eq!(body["status"], "Created");
    assert_eq!(body["amount"], gbp(1000));
    assert_eq!(body["totalAmount"], gbp(1000));
    assert_eq!(body["captureMode"], "Auto");
    assert!(body["clientSessionSecretExpirationDate"]
        .as_str()
        .is_some_and(|d| d.ends_with('Z')));
    let got = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["id"], id.as_str());
}

#[tokio::test]
async fn merchant_auth_and_version_are_required() {
    let sb = start().await;
    let body = Some(create_body("Auto").to_string());
    let none = sb
        .send(
            Method::POST,
            "/payment-intents",
            None,
            &[("version", "2025-09-10")],
            body.clone(),
        )
        .await;
    assert_eq!((none.status.as_u16(), none.code()), (401, "unauthorized"));
    let wrong = sb
        .send(
            Method::POST,
            "/payment-intents",
            Some("Basic sk_wrong".into()),
            &[("version", "2025-09-10")],
            body.clone(),
        )
        .await;
    assert_eq!(wrong.status, 401);
    let no_version = sb
        .send(
            Method::POST,
            "/payment-intents",
            Some(format!("Basic {KEY}")),
            &[],
            body,
        )
        .await;
    assert_eq!(
        (no_version.status.as_u16(), no_version.code()),
        (400, "version_required")
    );
    assert_eq!(
        no_version.header("content-type"),
        Some("application/problem+json")
    );
}

#[tokio::test]
async fn manual_capture_partial_then_refunds() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Manual")).await;
    assert_eq!(
        sb.pay(&id, &secret, "4242424242424242").await.body["status"],
        "Authorized"
    );
    let cap_path = format!("/payment-intents/{id}/captures");
    let over = sb
        .merchant(Method::POST, &cap_path, Some(json!({"amount": 1001})))
        .await;
    assert_eq!(
        (over.status.as_u16(), over.body["param"].as_str()),
        (400, Some("amount"))
    );
    let cap = sb
        .merchant(Method::POST, &cap_path, Some(json!({"amount": 800})))
        .await;
    assert_eq!(cap.status, 200, "{}", cap.body);
    assert!(cap.body["captureId"].as_str().is_some());
    // Dojo allows further partial captures up to the authorised amount.
    let more = sb
        .merchant(Method::POST, &cap_path, Some(json!({"amount": 100})))
        .await;
    assert_eq!(more.status, 200, "{}", more.body);
    let over = sb
        .merchant(Method::POST, &cap_path, Some(json!({"amount": 101})))
        .await;
    assert_eq!(
        (over.status.as_u16(), over.body["param"].as_str()),
        (400, Some("amount"))
    );
    let got = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await;
    assert_eq!(got.body["status"], "Captured");
    let amounts: Vec<i64> = got.body["captures"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["amount"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(amounts, vec![800, 100]);

    let refund = |amount: i64, key: &'static str| {
        let sb = &sb;
        let id = id.clone();
        async move {
            sb.merchant_with(
                Method::POST,
                &format!("/payment-intents/{id}/refunds"),
                &[("idempotencyKey", key)],
                Some(json!({"amount": amount, "refundReason": "test"})),
            )
            .await
        }
    };
    let r1 = refund(300, "r1").await;
    assert_eq!(r1.status, 200, "{}", r1.body);
    assert_eq!(r1.body["paymentIntentId"], id.as_str());
    let again = refund(300, "r1").await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, r1.body);
    let got = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await;
    // A partial refund keeps Dojo's `Captured`; refundedAmount tells it apart.
    assert_eq!(
        (
            got.body["status"].as_str(),
            got.body["refundedAmount"].as_i64()
        ),
        (Some("Captured"), Some(300))
    );
    let too_much = refund(601, "r2").await;
    assert_eq!(
        (too_much.status.as_u16(), too_much.body["param"].as_str()),
        (400, Some("amount"))
    );
    assert_eq!(refund(600, "r3").await.status, 200);
    let got = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await;
    assert_eq!(got.body["status"], "Refunded");
    assert_eq!(got.body["refundedAmount"], 900);
    let ledger = sb.ledger(&id).await;
    assert_eq!(ledger["totals"]["authorized"], 1000);
    assert_eq!(ledger["totals"]["captured"], 900);
    assert_eq!(ledger["totals"]["released"], 100);
    assert_eq!(ledger["totals"]["refunded"], 900);
    assert_eq!(ledger["totals"]["netCollected"], 0);
    // Anything on a fully refunded intent is an illegal transition, and changes nothing.
    let illegal = sb
        .merchant(Method::POST, &cap_path, Some(json!({"amount": 1})))
        .await;
    assert_eq!(
        (illegal.status.as_u16(), illegal.code()),
        (409, "illegal_transition")
    );
    assert_eq!(refund(1, "r4").await.status, 409);
}

#[tokio::test]
async fn refunds_need_an_idempotency_key() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    let r = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/refunds"),
            Some(json!({"amount": 1})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "idempotency_key_required")
    );
}

#[tokio::test]
async fn reversal_releases_an_authorisation() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Manual")).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    let r = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/reversal"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["reversalId"].as_str().is_some());
    let got = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await;
    assert_eq!(got.body["status"], "Reversed");
    let l = sb.ledger(&id).await;
    assert_eq!(
        (
            l["totals"]["authorized"].as_i64(),
            l["totals"]["released"].as_i64()
        ),
        (Some(1000), Some(1000))
    );
    let again = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/reversal"),
            None,
        )
        .await;
    assert_eq!(again.status, 409);
}

#[tokio::test]
async fn cancel_hides_the_intent_unless_return_canceled() {
    let sb = start().await;
    let (id, _, _) = sb.create(create_body("Auto")).await;
    let c = sb
        .merchant(Method::DELETE, &format!("/payment-intents/{id}"), None)
        .await;
    assert_eq!(
        (c.status.as_u16(), c.body["status"].as_str()),
        (200, Some("Canceled"))
    );
    let hidden = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await;
    assert_eq!(hidden.status, 404);
    let shown = sb
        .merchant(
            Method::GET,
            &format!("/payment-intents/{id}?returnCanceled=true"),
            None,
        )
        .await;
    assert_eq!(shown.body["status"], "Canceled");
    let twice = sb
        .merchant(Method::DELETE, &format!("/payment-intents/{id}"), None)
        .await;
    assert_eq!(twice.status, 409);
}

#[tokio::test]
async fn refresh_issues_a_new_secret_and_retires_the_old() {
    let sb = start().await;
    let (id, old, _) = sb.create(create_body("Auto")).await;
    let r = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/refresh-client-session-secret"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let new = r.body["clientSessionSecret"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_ne!(new, old);
    assert_eq!(sb.public(&id, &new).await.status, 200);
    let stale = sb.public(&id, &old).await;
    assert_eq!(
        (stale.status.as_u16(), stale.code()),
        (401, "token_expired")
    );
    // The new secret lasts the half hour a fresh one does (a minute's margin for real time), and
    // not longer.
    sb.advance(29.0 * 60.0).await;
    assert_eq!(sb.public(&id, &new).await.status, 200);
    sb.advance(2.0 * 60.0).await;
    assert_eq!(sb.public(&id, &new).await.code(), "token_expired");
}

#[tokio::test]
async fn amounts_change_only_when_allowed_and_before_payment() {
    let sb = start().await;
    let (fixed, _, _) = sb.create(create_body("Auto")).await;
    let no = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{fixed}/tips-amount"),
            Some(json!({"tipsAmount": gbp(100)})),
        )
        .await;
    assert_eq!(no.status, 405);
    let mut body = create_body("Auto");
    body["config"] = json!({"payment": {"customAmountAllowed": true, "tipsAllowed": true}});
    let (id, secret, _) = sb.create(body).await;
    let t = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/tips-amount"),
            Some(json!({"tipsAmount": gbp(150)})),
        )
        .await;
    assert_eq!(t.status, 200, "{}", t.body);
    assert_eq!(t.body["totalAmount"], gbp(1150));
    let a = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/amount"),
            Some(json!({"amount": gbp(2000)})),
        )
        .await;
    assert_eq!(a.body["amount"], gbp(2000));
    assert_eq!(a.body["requestedAmount"], gbp(1000));
    assert_eq!(a.body["totalAmount"], gbp(2150));
    let eur = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/amount"),
            Some(json!({"amount": {"value": 5, "currencyCode": "EUR"}})),
        )
        .await;
    assert_eq!(eur.status, 400);
    sb.pay(&id, &secret, "4242424242424242").await;
    assert_eq!(sb.ledger(&id).await["totals"]["charged"], 2150);
    let late = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/amount"),
            Some(json!({"amount": gbp(1)})),
        )
        .await;
    assert_eq!(
        (late.status.as_u16(), late.code()),
        (409, "illegal_transition")
    );
}
