//! The sandbox on 127.0.0.1 played against as a web page the developer visits would: each test is one
//! attack from the security review, and shows it no longer works.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

/// A no-cors form-style POST as a cross-site page can send it without a preflight.
async fn simple_post(
    sb: &Sandbox,
    path: &str,
    content_type: Option<&str>,
    origin: &str,
) -> (u16, Option<String>, serde_json::Value) {
    let mut req = sb
        .http
        .post(format!("{}{path}", sb.base))
        .header("origin", origin)
        .body("{}");
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = req.send().await.expect("post");
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = res.json().await.unwrap_or_default();
    (status, ct, body)
}

#[tokio::test]
async fn demo_routes_need_the_flag() {
    let sb = start_with(|c| c.demo = false).await;
    let r = sb
        .send(
            Method::POST,
            "/demo/payment-intents",
            None,
            &[],
            Some("{}".into()),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "not_found"));
    let (id, _, _) = sb.create(create_body("Auto")).await;
    let r = sb
        .send(
            Method::POST,
            &format!("/demo/payment-intents/{id}/cancel"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn demo_routes_leave_merchant_intents_alone() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Manual")).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    for action in [
        "refresh-client-session-secret",
        "cancel",
        "reversal",
        "captures",
        "refunds",
    ] {
        let r = sb
            .send(
                Method::POST,
                &format!("/demo/payment-intents/{id}/{action}"),
                None,
                &[],
                None,
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (404, "not_found"),
            "{action}"
        );
    }
    // The customer's secret still works and nothing moved.
    let view = sb.public(&id, &secret).await;
    assert_eq!(
        (view.status.as_u16(), view.body["status"].as_str()),
        (200, Some("Authorized"))
    );
    // The demo's own intents still answer.
    let (d, _) = sb.demo(json!({})).await;
    let r = sb
        .send(
            Method::POST,
            &format!("/demo/payment-intents/{d}/cancel"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn cross_site_simple_posts_are_refused() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({})).await;
    let cancel = format!("/demo/payment-intents/{id}/cancel");
    // A no-cors text/plain POST (no preflight) and one with no type at all.
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let (status, content_type, body) =
            simple_post(&sb, &cancel, ct, "http://127.0.0.1:1").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (415, Some("unsupported_media_type")),
            "{ct:?}"
        );
        assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    }
    // JSON from a foreign page: refused by origin (a browser would not even send it after the preflight).
    let r = simple_post(
        &sb,
        &cancel,
        Some("application/json"),
        "https://evil.example",
    )
    .await;
    assert_eq!(
        (r.0, r.2["code"].as_str()),
        (403, Some("origin_not_allowed"))
    );
    let r = simple_post(
        &sb,
        "/demo/payment-intents",
        Some("application/json"),
        "null",
    )
    .await;
    assert_eq!(r.0, 403);
    assert_eq!(sb.public(&id, &secret).await.body["status"], "Created");

    // The challenge's `complete` is no different, even with its credential.
    let paid = sb.pay(&id, &secret, "4000000000003220").await;
    let url = paid.body["nextAction"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let html = sb
        .http
        .get(&url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    let credential = html
        .split("data-credential=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string();
    let bearer = format!("Bearer {credential}");
    let path = url.trim_start_matches(&sb.base).to_string() + "/complete";
    let outcome = json!({"outcome": "approved"}).to_string();
    let r = sb
        .send(
            Method::POST,
            &path,
            Some(bearer.clone()),
            &[("content-type", "text/plain")],
            Some(outcome.clone()),
        )
        .await;
    assert_eq!(r.status, 415);
    let r = sb
        .send(
            Method::POST,
            &path,
            Some(bearer.clone()),
            &[("origin", "https://evil.example")],
            Some(outcome.clone()),
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(
        sb.public(&id, &secret).await.body["nextAction"].is_object(),
        "challenge still open"
    );
    // From the sandbox's own origin (the challenge page itself) it works.
    let own = sb.base.clone();
    let r = sb
        .send(
            Method::POST,
            &path,
            Some(bearer),
            &[("origin", own.as_str())],
            Some(outcome),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn a_foreign_host_header_is_refused() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({})).await;
    for (method, path) in [
        (Method::GET, "/".to_string()),
        (Method::GET, "/healthz".to_string()),
        (Method::POST, "/demo/payment-intents".to_string()),
        (Method::GET, format!("/payment-intents/public/{id}")),
    ] {
        let r = sb
            .send(
                method.clone(),
                &path,
                Some(format!("Bearer {secret}")),
                &[("host", "evil.example")],
                (method == Method::POST).then(|| "{}".to_string()),
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (421, "host_not_allowed"),
            "{path}"
        );
    }
    // So no URL handed out can point elsewhere: the challenge URL names the sandbox.
    let r = sb.pay(&id, &secret, "4000000000003220").await;
    assert!(
        r.body["nextAction"]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&sb.base)),
        "{}",
        r.body
    );
    // localhost on the same port is the same server.
    let port = sb.base.rsplit(':').next().unwrap_or_default();
    let local = format!("localhost:{port}");
    let r = sb
        .send(
            Method::GET,
            "/healthz",
            None,
            &[("host", local.as_str())],
            None,
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_stream_ends_when_its_secret_does() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let open = |secret: String| {
        let sb = &sb;
        let id = id.clone();
        async move {
            sb.http
                .get(format!("{}/payment-intents/public/{id}/events", sb.base))
                .header("authorization", format!("Bearer {secret}"))
                .send()
                .await
                .expect("stream")
                .bytes_stream()
        }
    };
    // Refreshing the secret ends the stream opened with the old one, without another frame.
    let mut stream = open(secret.clone()).await;
    let fresh = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/refresh-client-session-secret"),
            None,
        )
        .await
        .body["clientSessionSecret"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut text = String::new();
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(chunk)) = stream.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream stayed open: {text}");
    assert_eq!(text.matches("event: intent").count(), 1, "{text}");

    // Expiry on the test clock ends the stream too.
    let mut stream = open(fresh).await;
    let first = stream.next().await;
    assert!(first.is_some());
    sb.advance(31.0 * 60.0).await;
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its secret");
}

#[tokio::test]
async fn idle_and_half_open_connections_are_closed() {
    let sb = start_with(|c| c.header_timeout_secs = 0.5).await;
    let addr = sb.base.trim_start_matches("http://").to_string();
    let mut conns = Vec::new();
    for i in 0..50 {
        let mut c = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        if i % 2 == 0 {
            // Half a request line, then nothing.
            c.write_all(b"GET /healthz HTTP/1.1\r\nHost: ")
                .await
                .expect("write");
        }
        conns.push(c);
    }
    // Each is closed by the server (EOF), well before the bound of this wait.
    let all_closed = tokio::time::timeout(Duration::from_secs(20), async {
        for c in &mut conns {
            let mut buf = [0u8; 256];
            loop {
                match c.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
        }
    })
    .await;
    assert!(all_closed.is_ok(), "connections stayed open");
    // The server still answers.
    assert_eq!(
        sb.send(Method::GET, "/healthz", None, &[], None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn bodies_metadata_and_open_intents_are_capped() {
    let sb = start_with(|c| {
        c.max_body_bytes = 4096;
        c.max_live_intents = 3;
    })
    .await;
    let big = json!({"amount": gbp(100), "reference": "x", "description": "d".repeat(5000)});
    let r = sb
        .merchant(Method::POST, "/payment-intents", Some(big))
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (413, "payload_too_large"));
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let mut meta = serde_json::Map::new();
    for i in 0..51 {
        meta.insert(format!("k{i}"), json!("v"));
    }
    let mut body = create_body("Auto");
    body["metadata"] = meta.into();
    let r = sb
        .merchant(Method::POST, "/payment-intents", Some(body))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["param"].as_str()),
        (400, Some("metadata"))
    );
    let mut body = create_body("Auto");
    body["metadata"] = json!({"k": "v".repeat(501)});
    let r = sb
        .merchant(Method::POST, "/payment-intents", Some(body))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["param"].as_str()),
        (400, Some("metadata.k"))
    );

    for _ in 0..3 {
        sb.demo(json!({})).await;
    }
    let r = sb
        .send(
            Method::POST,
            "/demo/payment-intents",
            None,
            &[],
            Some("{}".into()),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (429, "too_many_intents"));
    let health = sb.send(Method::GET, "/healthz", None, &[], None).await.body;
    assert_eq!(health["intents"], 3);
}

#[tokio::test]
async fn responses_say_nosniff_and_who_may_frame_them() {
    // A package file of its own, so the static answer is a real file whether or not pkg/ is built.
    let pkg = std::env::temp_dir().join(format!("intent-sandbox-nosniff-{}", std::process::id()));
    std::fs::create_dir_all(&pkg).expect("pkg dir");
    std::fs::write(pkg.join("intent-checkout.js"), "/* package file */").expect("pkg file");
    let dir = pkg.clone();
    let sb = start_with(move |c| c.pkg_dir = dir).await;
    let demo = sb
        .send(
            Method::POST,
            "/demo/payment-intents",
            None,
            &[],
            Some("{}".into()),
        )
        .await;
    assert_eq!(demo.status.as_u16(), 200);
    let mut answers = vec![("POST /demo/payment-intents".to_string(), demo)];
    for path in [
        "/",
        "/pkg/intent-checkout.js",
        "/healthz",
        "/payment-intents/public/pi_x",
    ] {
        let r = sb.send(Method::GET, path, None, &[], None).await;
        answers.push((format!("GET {path}"), r));
    }
    let _ = std::fs::remove_dir_all(&pkg);
    assert_eq!(
        answers[2].1.status.as_u16(),
        200,
        "the package file is served"
    );
    for (what, r) in &answers {
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
        assert!(
            r.header("content-security-policy")
                .is_some_and(|c| c.contains("frame-ancestors 'self'")),
            "{what}"
        );
    }
}
