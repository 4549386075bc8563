//! Webhooks: signed status-change events, retried with backoff on non-2xx, listed for tests.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::Value;
use sha2::Sha256;

use crate::common::*;

type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A receiver that fails its first request with 500 and accepts the rest.
async fn receiver() -> (String, Seen) {
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
                if seen.len() == 1 {
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

fn verify(secret: &str, header: &str, body: &str) -> bool {
    let mut t = "";
    let mut v1 = "";
    for part in header.split(',') {
        if let Some(x) = part.strip_prefix("t=") {
            t = x;
        }
        if let Some(x) = part.strip_prefix("v1=") {
            v1 = x;
        }
    }
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
    !t.is_empty() && hex == v1
}

#[tokio::test]
async fn status_changes_are_signed_and_retried() {
    let (url, seen) = receiver().await;
    let sb = start_with(|c| {
        c.webhook_url = Some(url.clone());
        c.webhook_secret = "whsec_test".into();
        c.webhook_backoff_ms = 50;
    })
    .await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    let deliveries = eventually("a successful webhook delivery", || async {
        let d = sb
            .test_route(Method::GET, "/test/webhook-deliveries", None)
            .await
            .body;
        d["deliveries"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x["succeeded"] == true))
            .then_some(d)
    })
    .await;
    let list = deliveries["deliveries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 2, "{deliveries}");
    assert_eq!(
        (list[0]["attempt"].as_u64(), list[0]["statusCode"].as_u64()),
        (Some(1), Some(500))
    );
    assert_eq!(list[0]["nextRetryInMs"], 50);
    assert_eq!(
        (list[1]["attempt"].as_u64(), list[1]["succeeded"].as_bool()),
        (Some(2), Some(true))
    );
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(seen.len(), 2);
    for (sig, body) in &seen {
        assert!(verify("whsec_test", sig, body), "bad signature {sig}");
        assert!(!verify("whsec_other", sig, body));
        let event: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        assert_eq!(event["type"], "payment_intent.status_updated");
        assert_eq!(event["data"]["paymentIntentId"], id.as_str());
        assert_eq!(event["data"]["paymentStatus"], "Captured");
        assert_eq!(event["data"]["previousStatus"], "Created");
        assert!(event["id"].as_str().is_some() && event["createdAt"].as_str().is_some());
    }
    assert_eq!(seen[0].1, seen[1].1, "a retry sends the same event");
}

#[tokio::test]
async fn no_url_means_no_deliveries() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    let d = sb
        .test_route(Method::GET, "/test/webhook-deliveries", None)
        .await;
    assert_eq!(d.body["deliveries"].as_array().map(Vec::len), Some(0));
    let unauth = sb
        .send(Method::GET, "/test/webhook-deliveries", None, &[], None)
        .await;
    assert_eq!(unauth.status, 401);
}
