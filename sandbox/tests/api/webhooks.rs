//! Webhooks as Dojo has them: subscriptions to catalogued events, signed deliveries retried with backoff
//! on the test clock (a test advances it instead of sleeping), secret rotation with an overlap in which
//! both secrets sign, and `--webhook-url` as a shortcut subscription.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::common::*;

type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A receiver that answers 500 to its first `failures` requests and 200 afterwards.
async fn receiver(failures: usize) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let s = s.clone();
            async move {
                let sig = headers
                    .get("intent-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let mut seen = s.lock().unwrap_or_else(|e| e.into_inner());
                seen.push((sig, String::from_utf8_lossy(&body).into_owned()));
                if seen.len() <= failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), seen)
}

/// Whether one of the header's `v1` signatures is `secret`'s HMAC of `t.body`.
fn verify(secret: &str, header: &str, body: &str) -> bool {
    let t = header
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .unwrap_or_default();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    !t.is_empty()
        && header
            .split(',')
            .any(|p| p.strip_prefix("v1=") == Some(&hex))
}

async fn deliveries(sb: &Sandbox) -> Vec<Value> {
    sb.test_route(Method::GET, "/test/webhook-deliveries", None)
        .await
        .body["deliveries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn seen(s: &Seen) -> Vec<(String, String)> {
    s.lock().map(|s| s.clone()).unwrap_or_default()
}

#[tokio::test]
async fn the_webhook_url_flag_subscribes_and_retries_on_the_test_clock() {
    let (url, got) = receiver(1).await;
    let sb = start_with(|c| {
        c.webhook_url = Some(url.clone());
        c.webhook_secret = "whsec_test".into();
        // A minute of sandbox time: real time never gets there during the test.
        c.webhook_backoff_ms = 60_000;
    })
    .await;
    let subs = sb.merchant(Method::GET, "/webhooks", None).await.body;
    assert_eq!(subs[0]["url"], url.as_str(), "{subs}");
    assert_eq!(subs[0]["secrets"][0]["value"], "whsec_test");

    let (id, secret, _) = sb.create(create_body("Auto")).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    let list = deliveries(&sb).await;
    assert_eq!(list.len(), 2, "{list:?}");
    let created = list.iter().find(|d| {
        d["body"]
            .as_str()
            .unwrap_or("")
            .contains("payment_intent.created")
    });
    let created = created.cloned().unwrap_or_default();
    assert_eq!(
        (created["attempt"].as_u64(), created["statusCode"].as_u64()),
        (Some(1), Some(500))
    );
    assert_eq!(created["nextRetryInMs"], 60_000);

    // Nothing more happens until the sandbox clock reaches the retry.
    sb.advance(59.0).await;
    assert_eq!(deliveries(&sb).await.len(), 2);
    sb.advance(1.0).await;
    let list = deliveries(&sb).await;
    assert_eq!(list.len(), 3, "{list:?}");
    assert_eq!(
        (list[2]["attempt"].as_u64(), list[2]["succeeded"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(list[2]["eventId"], created["eventId"]);

    let got = seen(&got);
    assert_eq!(got.len(), 3);
    for (sig, body) in &got {
        assert!(verify("whsec_test", sig, body), "bad signature {sig}");
        assert!(!verify("whsec_other", sig, body));
    }
    let events: Vec<Value> = got
        .iter()
        .map(|(_, b)| serde_json::from_str(b).unwrap_or_default())
        .collect();
    let status = events
        .iter()
        .find(|e| e["type"] == "payment_intent.status_updated")
        .cloned()
        .unwrap_or_default();
    assert_eq!(status["data"]["paymentIntentId"], id.as_str());
    assert_eq!(
        (
            status["data"]["paymentStatus"].as_str(),
            status["data"]["previousStatus"].as_str()
        ),
        (Some("Captured"), Some("Created"))
    );
    assert_eq!(got[0].1, got[2].1, "a retry sends the same event");
}

#[tokio::test]
async fn subscriptions_secrets_and_rotation() {
    let (url, got) = receiver(0).await;
    let sb = start().await;
    let catalogue = sb.merchant(Method::GET, "/webhooks/events", None).await;
    assert_eq!(
        catalogue.body,
        json!([{"model": "PaymentIntent", "events": ["payment_intent.created", "payment_intent.status_updated"]}])
    );

    let body =
        json!({"url": url, "events": ["payment_intent.status_updated"], "description": "tests"});
    let sub = sb
        .merchant(Method::POST, "/webhooks", Some(body.clone()))
        .await;
    assert_eq!(sub.status, 200, "{}", sub.body);
    let sid = sub.body["id"].as_str().unwrap_or_default().to_string();
    let first = sub.body["secrets"][0]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(sub.body["secrets"][0]["isActive"], true);
    // The same URL twice is a conflict; bad URLs and unknown events name their field.
    let again = sb.merchant(Method::POST, "/webhooks", Some(body)).await;
    assert_eq!((again.status.as_u16(), again.code()), (409, "conflict"));
    let bad = sb
        .merchant(
            Method::POST,
            "/webhooks",
            Some(json!({"url": "ftp://x", "events": ["payment_intent.created"]})),
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["param"].as_str()),
        (400, Some("url"))
    );
    let bad = sb
        .merchant(
            Method::POST,
            "/webhooks",
            Some(json!({"url": "http://127.0.0.1:1/x", "events": ["order.created"]})),
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["param"].as_str()),
        (400, Some("events.0"))
    );
    assert_eq!(
        sb.merchant(Method::GET, "/webhooks/ws_nope", None)
            .await
            .status,
        404
    );

    // Only the events subscribed to are sent: no `created` here.
    let (id, secret, _) = sb.create(create_body("Manual")).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    let list = deliveries(&sb).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert!(verify(
        &first,
        list[0]["signature"].as_str().unwrap_or(""),
        list[0]["body"].as_str().unwrap_or("")
    ));

    // Rotation: a new secret is inactive until activated; then both sign during the overlap.
    let gen = sb
        .merchant(Method::POST, &format!("/webhooks/{sid}/secrets"), None)
        .await;
    assert_eq!(gen.status, 200, "{}", gen.body);
    let fresh = gen.body["secrets"][1].clone();
    assert_eq!(fresh["isActive"], false);
    let (fresh_id, fresh_value) = (
        fresh["id"].as_str().unwrap_or_default(),
        fresh["value"].as_str().unwrap_or_default(),
    );
    let act = sb
        .send(
            Method::PUT,
            &format!("/webhooks/{sid}/secrets/{fresh_id}/activate"),
            Some(format!("Basic {KEY}")),
            &[("version", "2025-09-10")],
            None,
        )
        .await;
    assert_eq!(act.status, 204);
    let cap = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/captures"),
            Some(json!({"amount": 1000})),
        )
        .await;
    assert_eq!(cap.status, 200);
    let list = deliveries(&sb).await;
    let (sig, body) = (
        list[1]["signature"].as_str().unwrap_or(""),
        list[1]["body"].as_str().unwrap_or(""),
    );
    assert!(
        verify(&first, sig, body) && verify(fresh_value, sig, body),
        "both secrets sign during the overlap: {sig}"
    );

    // After the overlap (24 h of sandbox time) only the new one signs; the old one shows inactive.
    sb.advance(24.0 * 3600.0).await;
    let secrets = sb
        .merchant(Method::GET, &format!("/webhooks/{sid}/secrets"), None)
        .await
        .body;
    assert_eq!(
        (
            secrets["secrets"][0]["isActive"].as_bool(),
            secrets["secrets"][1]["isActive"].as_bool()
        ),
        (Some(false), Some(true))
    );
    let r = sb
        .merchant_with(
            Method::POST,
            &format!("/payment-intents/{id}/refunds"),
            &[("idempotencyKey", "r1")],
            // All of it: `Refunded` is a status change, so it is delivered.
            Some(json!({"amount": 1000})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let list = deliveries(&sb).await;
    let last = list.last().cloned().unwrap_or_default();
    let (sig, body) = (
        last["signature"].as_str().unwrap_or(""),
        last["body"].as_str().unwrap_or(""),
    );
    assert!(
        verify(fresh_value, sig, body) && !verify(&first, sig, body),
        "{sig}"
    );

    // The only active secret cannot be deleted; the retired one can.
    let old_id = secrets["secrets"][0]["id"].as_str().unwrap_or_default();
    let del = sb
        .merchant(
            Method::DELETE,
            &format!("/webhooks/{sid}/secrets/{fresh_id}"),
            None,
        )
        .await;
    assert_eq!((del.status.as_u16(), del.code()), (409, "conflict"));
    let del = sb
        .merchant(
            Method::DELETE,
            &format!("/webhooks/{sid}/secrets/{old_id}"),
            None,
        )
        .await;
    assert_eq!(del.status, 204);

    // Update, then unsubscribe: nothing more is sent.
    let upd = sb
        .send(
            Method::PATCH,
            &format!("/webhooks/{sid}"),
            Some(format!("Basic {KEY}")),
            &[
                ("version", "2025-09-10"),
                ("content-type", "application/json"),
            ],
            Some(
                json!({"events": ["payment_intent.created", "payment_intent.status_updated"]})
                    .to_string(),
            ),
        )
        .await;
    assert_eq!(
        upd.body["events"].as_array().map(Vec::len),
        Some(2),
        "{}",
        upd.body
    );
    let before = seen(&got).len();
    assert_eq!(
        sb.merchant(Method::DELETE, &format!("/webhooks/{sid}"), None)
            .await
            .status,
        204
    );
    sb.create(create_body("Auto")).await;
    assert_eq!(deliveries(&sb).await.len(), before);
    assert_eq!(seen(&got).len(), before);
    assert_eq!(
        sb.merchant(Method::GET, "/webhooks", None).await.body,
        json!([])
    );
}

#[tokio::test]
async fn no_subscription_means_no_deliveries() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    assert!(deliveries(&sb).await.is_empty());
    let unauth = sb
        .send(Method::GET, "/test/webhook-deliveries", None, &[], None)
        .await;
    assert_eq!(unauth.status, 401);
}

#[tokio::test]
async fn a_change_that_keeps_the_status_is_no_status_update() {
    let (url, _got) = receiver(0).await;
    let sb = start_with(|c| {
        c.webhook_url = Some(url.clone());
        c.webhook_secret = "whsec_test".into();
    })
    .await;
    let mut body = create_body("Auto");
    body["config"] = json!({"payment": {"customAmountAllowed": true}});
    let (id, secret, _) = sb.create(body).await;
    let r = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/amount"),
            Some(json!({"amount": gbp(1500)})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    sb.pay(&id, &secret, "4242424242424242").await;
    let events: Vec<Value> = deliveries(&sb)
        .await
        .iter()
        .map(|d| serde_json::from_str(d["body"].as_str().unwrap_or("")).unwrap_or_default())
        .collect();
    let updates: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e["type"] == "payment_intent.status_updated")
        .map(|e| {
            (
                e["data"]["previousStatus"].as_str().unwrap_or(""),
                e["data"]["paymentStatus"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // The amount change kept `Created`: the merchant hears of the payment only.
    assert_eq!(updates, [("Created", "Captured")], "{events:?}");
}
