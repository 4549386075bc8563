//! Demo merchant-backend routes, the 3-D Secure challenge page, CORS and static files.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn demo_create_and_manual_buttons() {
    let sb = start().await;
    let r = sb
        .send(Method::POST, "/demo/payment-intents", None, &[], Some(json!({"amount": 2500, "currencyCode": "EUR", "captureMode": "Manual", "dialect": "stripe", "reference": "R1"}).to_string()))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for k in [
        "paymentIntentId",
        "clientSessionSecret",
        "clientSessionSecretExpirationDate",
        "dialect",
        "intent",
    ] {
        assert!(r.body.get(k).is_some(), "{k}");
    }
    assert_eq!(r.body["intent"]["status"], "requires_payment_method");
    assert_eq!(
        r.body["intent"]["amount"],
        json!({"value": 2500, "currencyCode": "EUR"})
    );
    let id = r.body["paymentIntentId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let secret = r.body["clientSessionSecret"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    sb.pay(&id, &secret, "4242424242424242").await;
    let cap = sb
        .send(
            Method::POST,
            &format!("/demo/payment-intents/{id}/captures"),
            None,
            &[],
            Some(json!({"amount": 1000}).to_string()),
        )
        .await;
    assert_eq!(cap.status, 200, "{}", cap.body);
    // Stripe: capturing moves a held payment to `processing`, then it settles.
    assert_eq!(cap.body["intent"]["status"], "processing");
    sb.wait_status(&id, &secret, "succeeded").await;
    let l = sb.ledger(&id).await;
    assert_eq!(
        (
            l["totals"]["captured"].as_i64(),
            l["totals"]["released"].as_i64()
        ),
        (Some(1000), Some(1500))
    );
    let refund = sb
        .send(
            Method::POST,
            &format!("/demo/payment-intents/{id}/refunds"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(refund.status, 200, "{}", refund.body);
    assert_eq!(refund.body["intent"]["refundedAmount"], 1000);
    let fresh = sb
        .send(
            Method::POST,
            &format!("/demo/payment-intents/{id}/refresh-client-session-secret"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(fresh.status, 200);
    assert!(fresh.body["clientSessionSecret"]
        .as_str()
        .is_some_and(|s| s != secret));

    let (m, ms) = sb.demo(json!({"captureMode": "Manual"})).await;
    sb.pay(&m, &ms, "4242424242424242").await;
    let rev = sb
        .send(
            Method::POST,
            &format!("/demo/payment-intents/{m}/reversal"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(rev.body["intent"]["status"], "Reversed");
    let (c, _) = sb.demo(json!({})).await;
    let cancel = sb
        .send(
            Method::POST,
            &format!("/demo/payment-intents/{c}/cancel"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(cancel.body["intent"]["status"], "Canceled");
    let bad = sb
        .send(
            Method::POST,
            "/demo/payment-intents",
            None,
            &[],
            Some(json!({"dialect": "adyen"}).to_string()),
        )
        .await;
    assert_eq!(bad.body["param"], "dialect");
}

#[tokio::test]
async fn challenge_page_completes_once() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({})).await;
    let r = sb.pay(&id, &secret, "4000000000003220").await;
    let url = r.body["nextAction"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let page = sb.http.get(&url).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("script-src 'self'"));
    let html = page.text().await.unwrap_or_default();
    let credential = html
        .split("data-credential=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string();
    // Disabled until challenge.js has attached their handlers: an early click must not be lost.
    assert!(html.contains(r#"data-testid="challenge-approve" disabled>"#));
    assert!(html.contains(r#"data-testid="challenge-fail" disabled>"#));
    assert!(html.contains(r#"<script src="/challenge.js"></script>"#));
    assert!(!html.contains("<script>"), "no inline script");
    let js = sb
        .http
        .get(format!("{}/challenge.js", sb.base))
        .send()
        .await
        .expect("js");
    assert!(js
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/javascript")));
    let js = js.text().await.unwrap_or_default();
    assert!(
        js.contains(r#"source: "intent-sandbox""#) && js.contains(r#"type: "challenge_complete""#)
    );

    let done = sb
        .http
        .post(format!("{url}/complete"))
        .header("authorization", format!("Bearer {credential}"))
        .header("content-type", "application/json")
        .body(json!({"outcome": "approved"}).to_string())
        .send()
        .await
        .expect("complete");
    assert_eq!(done.status(), 200);
    let v = sb.public(&id, &secret).await;
    assert_eq!(v.body["status"], "Captured");
    assert!(v.body["nextAction"].is_null());
    let events: Vec<&str> = v.body["paymentEvents"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["eventType"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(events, vec!["AuthChallenged", "Captured"]);
    let twice = sb
        .http
        .post(format!("{url}/complete"))
        .header("authorization", format!("Bearer {credential}"))
        .header("content-type", "application/json")
        .body(json!({"outcome": "approved"}).to_string())
        .send()
        .await
        .expect("again");
    assert_eq!(twice.status(), 404);
    assert_eq!(sb.http.get(&url).send().await.expect("page").status(), 404);
    assert_eq!(sb.ledger(&id).await["totals"]["movements"], 1);
}

#[tokio::test]
async fn failed_challenge_declines() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({"dialect": "stripe"})).await;
    let r = sb.pay(&id, &secret, "4000000000003220").await;
    assert_eq!(r.body["status"], "requires_action");
    let challenge = r.body["nextAction"]["url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .unwrap_or_default()
        .to_string();
    let done = sb
        .test_route(
            Method::POST,
            &format!("/test/challenges/{challenge}/complete"),
            Some(json!({"outcome": "failed"})),
        )
        .await;
    assert_eq!(done.status, 200);
    let v = sb.public(&id, &secret).await;
    assert_eq!(v.body["status"], "requires_payment_method");
    assert_eq!(
        v.body["lastPaymentError"]["declineCode"],
        "authentication_failed"
    );
}

#[tokio::test]
async fn cors_allows_local_pages_only() {
    let sb = start().await;
    let preflight = |origin: &'static str| {
        let sb = &sb;
        async move {
            sb.http
                .request(Method::OPTIONS, format!("{}/payment-intents/public/pi_x/payments", sb.base))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "authorization,content-type,idempotency-key,last-event-id,if-none-match,version")
                .send()
                .await
                .expect("preflight")
        }
    };
    let ok = preflight("http://127.0.0.1:51234").await;
    assert_eq!(
        ok.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("http://127.0.0.1:51234")
    );
    let allowed = ok
        .headers()
        .get("access-control-allow-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_lowercase();
    for h in [
        "authorization",
        "content-type",
        "idempotency-key",
        "last-event-id",
        "if-none-match",
        "version",
    ] {
        assert!(allowed.contains(h), "{h} in {allowed}");
    }
    assert!(preflight("http://localhost:8080")
        .await
        .headers()
        .get("access-control-allow-origin")
        .is_some());
    assert!(preflight("https://evil.example")
        .await
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(preflight("http://127.0.0.1.evil.example:80")
        .await
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let (id, secret) = sb.demo(json!({})).await;
    let get = sb
        .send(
            Method::GET,
            &format!("/payment-intents/public/{id}"),
            Some(format!("Bearer {secret}")),
            &[("origin", "http://127.0.0.1:9")],
            None,
        )
        .await;
    let exposed = get
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_lowercase();
    for h in ["etag", "idempotent-replayed", "retry-after"] {
        assert!(exposed.contains(h), "{h} in {exposed}");
    }
}

#[tokio::test]
async fn configured_origins_replace_the_defaults() {
    let sb = start_with(|c| c.cors_origins = vec!["https://shop.example".into()]).await;
    let r = sb
        .send(
            Method::GET,
            "/healthz",
            None,
            &[("origin", "https://shop.example")],
            None,
        )
        .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    let r = sb
        .send(
            Method::GET,
            "/healthz",
            None,
            &[("origin", "http://127.0.0.1:3000")],
            None,
        )
        .await;
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn serves_www_and_pkg() {
    let dir = std::env::temp_dir().join(format!("sandbox-static-{}", std::process::id()));
    let (www, pkg) = (dir.join("www"), dir.join("pkg"));
    std::fs::create_dir_all(&www).expect("www");
    std::fs::create_dir_all(&pkg).expect("pkg");
    std::fs::write(www.join("index.html"), "<h1>demo</h1>").expect("index");
    std::fs::write(pkg.join("sdk.js"), "export {}").expect("sdk");
    let sb = start_with(|c| {
        c.www_dir = www.clone();
        c.pkg_dir = pkg.clone();
    })
    .await;
    let index = sb
        .http
        .get(format!("{}/", sb.base))
        .send()
        .await
        .expect("index");
    assert_eq!(index.text().await.unwrap_or_default(), "<h1>demo</h1>");
    let js = sb
        .http
        .get(format!("{}/pkg/sdk.js", sb.base))
        .send()
        .await
        .expect("js");
    assert_eq!(js.status(), 200);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn bulk_creation_for_load_tests() {
    let sb = start().await;
    let r = sb
        .test_route(
            Method::POST,
            "/test/intents/bulk",
            Some(json!({"count": 3, "dialect": "setel"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let list = r.body["intents"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 3);
    let id = list[2]["paymentIntentId"].as_str().unwrap_or_default();
    let secret = list[2]["clientSessionSecret"].as_str().unwrap_or_default();
    assert_eq!(
        sb.public(id, secret).await.body["status"],
        "requires_payment_method"
    );
    let too_many = sb
        .test_route(
            Method::POST,
            "/test/intents/bulk",
            Some(json!({"count": 2_000_000})),
        )
        .await;
    assert_eq!(too_many.status, 400);
    let unauth = sb
        .send(
            Method::POST,
            "/test/intents/bulk",
            None,
            &[],
            Some(json!({"count": 1}).to_string()),
        )
        .await;
    assert_eq!(unauth.status, 401);
}

#[tokio::test]
async fn demo_form_blanks_mean_defaults() {
    let sb = start_with(|c| c.dialect = intent_sandbox::lifecycle::Dialect::Setel).await;
    let body = json!({"amount": 700, "currencyCode": "", "captureMode": "", "dialect": "", "reference": "", "description": "", "tipsAllowed": false, "customAmountAllowed": false});
    let r = sb
        .send(
            Method::POST,
            "/demo/payment-intents",
            None,
            &[],
            Some(body.to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["dialect"], "setel");
    assert_eq!(r.body["intent"]["captureMode"], "Auto");
    assert_eq!(
        r.body["intent"]["amount"],
        json!({"value": 700, "currencyCode": "GBP"})
    );
    assert_eq!(r.body["intent"]["reference"], "Demo order");
}

#[tokio::test]
async fn reset_forgets_everything() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({})).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    sb.advance(100.0).await;
    sb.test_route(Method::POST, "/test/faults", Some(json!({"latencyMs": 5})))
        .await;
    let r = sb.test_route(Method::POST, "/test/reset", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(sb.public(&id, &secret).await.status, 401);
    assert_eq!(
        sb.send(Method::GET, "/healthz", None, &[], None).await.body["intents"],
        0
    );
    assert_eq!(
        sb.test_route(Method::GET, "/test/ledger", None).await.body["totals"]["movements"],
        0
    );
    let clock = sb.test_route(Method::GET, "/test/clock", None).await;
    assert_eq!(clock.body["offsetSeconds"], 0.0);
    let faults = sb.test_route(Method::GET, "/test/faults", None).await;
    assert_eq!(faults.body["config"]["latencyMs"], 0);
}
