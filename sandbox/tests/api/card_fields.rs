//! Isolated card fields, server side: card references (create, pay once, bound, expiring), the pay
//! body's choice of reference or card, the frame page's headers, and the hardened 3-D Secure page.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

fn card_body(number: &str) -> Value {
    let cvc = if number.starts_with('3') {
        "1234"
    } else {
        "123"
    };
    json!({"card": {"number": number, "expiryMonth": 12, "expiryYear": 2034, "cvc": cvc, "cardholderName": "Ada"}})
}

async fn reference(sb: &Sandbox, id: &str, secret: &str, number: &str) -> Reply {
    sb.send(
        Method::POST,
        &format!("/payment-intents/public/{id}/payment-methods"),
        Some(format!("Bearer {secret}")),
        &[],
        Some(card_body(number).to_string()),
    )
    .await
}

async fn pay_ref(sb: &Sandbox, id: &str, secret: &str, key: &str, pm: &str) -> Reply {
    let body = json!({"paymentMethod": {"id": pm}}).to_string();
    sb.pay_raw(id, secret, Some(key), body).await
}

fn ref_id(r: &Reply) -> String {
    r.body["id"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_reference_tells_brand_last4_and_expiry_and_pays_like_its_card() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({"amount": 1234})).await;
    let r = reference(&sb, &id, &secret, "4242 4242 4242 4242").await;
    assert_eq!(r.status, 201, "{}", r.body);
    let pm = ref_id(&r);
    assert!(pm.starts_with("pm_sandbox_"), "{pm}");
    let mut view = r.body.clone();
    view["id"] = json!("");
    assert_eq!(
        view,
        json!({"id": "", "brand": "visa", "last4": "4242", "expiryMonth": 12, "expiryYear": 2034})
    );
    assert!(
        !r.body.to_string().contains("424242424242"),
        "no card number comes back"
    );
    let paid = pay_ref(&sb, &id, &secret, "k1", &pm).await;
    assert_eq!(paid.status, 200, "{}", paid.body);
    assert_eq!(paid.body["status"], "Captured");
    assert_eq!(sb.ledger(&id).await["totals"]["movements"], 1);
    // The merchant sees the referenced card, masked.
    let m = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await;
    assert_eq!(
        m.body["paymentDetails"]["card"]["cardNumber"],
        "424242****4242"
    );
}

#[tokio::test]
async fn test_card_outcomes_follow_the_referenced_card() {
    let sb = start().await;
    for (number, dialect, status) in [
        ("4000000000000002", "stripe", "requires_payment_method"),
        ("4000000000003220", "stripe", "requires_action"),
        ("4000000000000077", "stripe", "processing"),
        ("378282246310005", "dojo", "Captured"),
    ] {
        let (id, secret) = sb.demo(json!({"dialect": dialect})).await;
        let pm = ref_id(&reference(&sb, &id, &secret, number).await);
        let r = pay_ref(&sb, &id, &secret, "k", &pm).await;
        assert_eq!(r.body["status"], status, "{number}: {}", r.body);
    }
    let (id, secret) = sb.demo(json!({})).await;
    let pm = ref_id(&reference(&sb, &id, &secret, "4000000000000119").await);
    let r = pay_ref(&sb, &id, &secret, "k", &pm).await;
    assert_eq!((r.status.as_u16(), r.code()), (500, "processing_error"));
    // Nothing was committed, so the same reference may pay again (here: the same processing error).
    let again = pay_ref(&sb, &id, &secret, "k2", &pm).await;
    assert_eq!(again.code(), "processing_error");
}

#[tokio::test]
async fn a_reference_pays_once_for_its_own_intent_and_expires() {
    let sb = start().await;
    let (a, secret_a) = sb.demo(json!({"dialect": "stripe"})).await;
    let (b, secret_b) = sb.demo(json!({"dialect": "stripe"})).await;
    let declined = ref_id(&reference(&sb, &a, &secret_a, "4000000000000002").await);
    let r = pay_ref(&sb, &a, &secret_a, "k1", &declined).await;
    assert_eq!(r.body["status"], "requires_payment_method");
    // The same request again is a replay of the stored answer, not a second use.
    let replay = pay_ref(&sb, &a, &secret_a, "k1", &declined).await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    // A new attempt with the used reference is refused: the frame must collect the card again.
    let used = pay_ref(&sb, &a, &secret_a, "k2", &declined).await;
    assert_eq!(
        (used.status.as_u16(), used.code()),
        (400, "payment_method_unusable")
    );
    assert_eq!(used.body["reason"], "used");
    assert_eq!(used.body["param"], "paymentMethod.id");
    // Another intent's reference is unknown here, even with that intent's own valid secret.
    let good = ref_id(&reference(&sb, &a, &secret_a, "4242424242424242").await);
    let other = pay_ref(&sb, &b, &secret_b, "k3", &good).await;
    assert_eq!(other.body["reason"], "unknown", "{}", other.body);
    // Ten minutes on the sandbox clock and it is gone (the secret lives 30).
    sb.advance(601.0).await;
    let late = pay_ref(&sb, &a, &secret_a, "k4", &good).await;
    assert_eq!(late.body["reason"], "expired", "{}", late.body);
    assert_eq!(sb.ledger(&a).await["totals"]["movements"], 0);
}

#[tokio::test]
async fn a_reference_still_pays_after_nine_minutes() {
    // Room for a payment retried after no answer: the frame's reference outlives the retries.
    let sb = start().await;
    let (id, secret) = sb.demo(json!({})).await;
    let pm = ref_id(&reference(&sb, &id, &secret, "4242424242424242").await);
    // A minute short of the ten: the sandbox clock also runs in real time.
    sb.advance(540.0).await;
    let r = pay_ref(&sb, &id, &secret, "k", &pm).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(sb.ledger(&id).await["totals"]["charged"], 1000);
}

#[tokio::test]
async fn a_fault_before_commit_leaves_the_reference_usable() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({})).await;
    let pm = ref_id(&reference(&sb, &id, &secret, "4242424242424242").await);
    sb.test_route(
        Method::POST,
        "/test/faults",
        Some(json!({"errorBeforeCommit": 1.0, "scope": "browser"})),
    )
    .await;
    let failed = pay_ref(&sb, &id, &secret, "k1", &pm).await;
    assert_eq!(failed.code(), "injected_fault", "{}", failed.body);
    sb.test_route(Method::DELETE, "/test/faults", None).await;
    let paid = pay_ref(&sb, &id, &secret, "k1", &pm).await;
    assert_eq!(paid.body["status"], "Captured", "{}", paid.body);
}

#[tokio::test]
async fn bad_cards_and_bodies_are_named_precisely() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({})).await;
    let r = reference(&sb, &id, &secret, "4242424242424241").await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "validation_error"));
    assert_eq!(r.body["param"], "card.number");
    assert_eq!(r.body["cardError"], "invalid_number");
    let no_auth = sb
        .send(
            Method::POST,
            &format!("/payment-intents/public/{id}/payment-methods"),
            None,
            &[],
            Some(card_body("4242424242424242").to_string()),
        )
        .await;
    assert_eq!(no_auth.status, 401);
    let pm = ref_id(&reference(&sb, &id, &secret, "4242424242424242").await);
    let c = card("4242424242424242");
    for (body, param) in [
        (
            json!({"paymentMethod": {"id": pm, "card": c["paymentMethod"]["card"]}}),
            "paymentMethod",
        ),
        (json!({"paymentMethod": {}}), "paymentMethod"),
        (json!({"paymentMethod": {"id": 7}}), "paymentMethod.id"),
        (
            json!({"paymentMethod": {"token": "x"}}),
            "paymentMethod.token",
        ),
    ] {
        let r = sb.pay_raw(&id, &secret, Some("kb"), body.to_string()).await;
        assert_eq!(
            (r.status.as_u16(), r.body["param"].as_str()),
            (400, Some(param)),
            "{body}"
        );
    }
    // A card in the pay body (a page in PCI scope) still works.
    let inline = sb.pay(&id, &secret, "4242424242424242").await;
    assert_eq!(inline.body["status"], "Captured");
}

#[tokio::test]
async fn browsers_may_send_card_data_only_from_the_frames_origin() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({})).await;
    let send = |origin: String| {
        let (sb, id, secret) = (&sb, id.clone(), secret.clone());
        async move {
            sb.send(
                Method::POST,
                &format!("/payment-intents/public/{id}/payment-methods"),
                Some(format!("Bearer {secret}")),
                &[("origin", origin.as_str())],
                Some(card_body("4242424242424242").to_string()),
            )
            .await
        }
    };
    let merchant_page = send("http://localhost:1234".into()).await;
    assert_eq!(
        (merchant_page.status.as_u16(), merchant_page.code()),
        (403, "forbidden")
    );
    let frame = send(sb.base.clone()).await;
    assert_eq!(frame.status, 201, "{}", frame.body);
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A pkg folder with a built-looking frame: the versioned script and the integrity manifest naming it.
fn fake_pkg() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "intent-card-frame-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(dir.join("cdn/0.1.0")).expect("temp dir");
    std::fs::write(dir.join("cdn/0.1.0/card-frame.0123abcdef.js"), "// frame").expect("js");
    std::fs::write(
        dir.join("integrity.json"),
        r#"{"versioned":{"card-frame.js":"cdn/0.1.0/card-frame.0123abcdef.js","card_fields_bg.wasm":"cdn/0.1.0/card_fields_bg.0123abcdef.wasm"},"files":{"cdn/0.1.0/card-frame.0123abcdef.js":"sha384-abc+/=","cdn/0.1.0/card_fields_bg.0123abcdef.wasm":"sha384-def+/="}}"#,
    )
    .expect("manifest");
    dir
}

#[tokio::test]
async fn the_frame_page_is_served_like_a_providers_hosted_fields() {
    let pkg = fake_pkg();
    let sb = start_with(|c| c.pkg_dir = pkg.clone()).await;
    let url = format!(
        "{}/card-frame/v1?origin=http%3A%2F%2Flocalhost%3A5555",
        sb.base
    );
    let page = sb
        .http
        .get(&url)
        .header("origin", "http://localhost:5555")
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let csp = header(&page, "content-security-policy");
    assert!(
        csp.contains("frame-ancestors http://localhost:5555"),
        "{csp}"
    );
    assert!(
        !csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"),
        "{csp}"
    );
    for directive in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "connect-src 'self'",
        "require-trusted-types-for 'script'",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    assert_eq!(header(&page, "referrer-policy"), "no-referrer");
    assert_eq!(header(&page, "set-cookie"), "");
    assert_eq!(
        header(&page, "access-control-allow-origin"),
        "",
        "not readable by pages"
    );
    // The script's .wasm downloads alongside it, versioned like it.
    assert_eq!(
        header(&page, "link"),
        "</pkg/cdn/0.1.0/card_fields_bg.0123abcdef.wasm>; rel=preload; as=fetch; crossorigin"
    );
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains(
        r#"<script src="/pkg/cdn/0.1.0/card-frame.0123abcdef.js" integrity="sha384-abc+/=" defer>"#
    ));
    assert!(html.contains(r#"data-parent-origin="http://localhost:5555""#));
    assert!(!html.contains("<style") && !html.contains(" style="));

    // The script: versioned, so immutable; never sniffed as anything else.
    let js = sb
        .http
        .get(format!(
            "{}/pkg/cdn/0.1.0/card-frame.0123abcdef.js",
            sb.base
        ))
        .send()
        .await
        .expect("js");
    assert_eq!(js.status(), 200);
    assert!(header(&js, "cache-control").contains("immutable"));
    assert_eq!(header(&js, "x-content-type-options"), "nosniff");
    assert!(header(&js, "content-type").starts_with("text/javascript"));

    let missing = sb
        .http
        .get(format!("{}/card-frame/v1", sb.base))
        .send()
        .await
        .expect("no origin");
    assert_eq!(missing.status(), 400);
    for bad in ["http://a%22%3E", "javascript%3Aalert(1)"] {
        let r = sb
            .http
            .get(format!("{}/card-frame/v1?origin={bad}", sb.base))
            .send()
            .await
            .expect("bad");
        assert_eq!(r.status(), 400, "{bad}");
    }
    let _ = std::fs::remove_dir_all(&pkg);
}

#[tokio::test]
async fn only_allowed_merchant_origins_may_frame_the_card_fields() {
    let pkg = fake_pkg();
    let sb = start_with(|c| {
        c.pkg_dir = pkg.clone();
        c.frame_ancestors = vec!["https://shop.example".into()];
    })
    .await;
    let get = |origin: &'static str| {
        let url = format!("{}/card-frame/v1?origin={origin}", sb.base);
        let http = sb.http.clone();
        async move { http.get(url).send().await.expect("page") }
    };
    let ok = get("https://shop.example").await;
    assert_eq!(ok.status(), 200);
    assert!(
        header(&ok, "content-security-policy").ends_with("frame-ancestors https://shop.example")
    );
    let refused = get("http://localhost:5555").await;
    assert_eq!(refused.status(), 403);
    assert!(header(&refused, "content-security-policy").contains("frame-ancestors 'none'"));
    let _ = std::fs::remove_dir_all(&pkg);
}

#[tokio::test]
async fn without_a_build_the_frame_page_says_so() {
    let sb = start_with(|c| c.pkg_dir = std::env::temp_dir().join("intent-no-pkg-here")).await;
    let r = sb
        .http
        .get(format!(
            "{}/card-frame/v1?origin=http://localhost:1",
            sb.base
        ))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 503);
}

/// `(credential, parent origin, framing policy)` read from a challenge page.
async fn challenge_page(sb: &Sandbox, url: &str) -> (String, String, String) {
    let page = sb.http.get(url).send().await.expect("page");
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "access-control-allow-origin"), "");
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    assert_eq!(header(&page, "referrer-policy"), "no-referrer");
    let csp = header(&page, "content-security-policy");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let ancestors = csp
        .split(';')
        .find_map(|d| d.trim().strip_prefix("frame-ancestors "))
        .unwrap_or_default()
        .to_string();
    let html = page.text().await.unwrap_or_default();
    assert!(!html.contains("<style"), "no inline style");
    let attr = |name: &str| {
        html.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_string()
    };
    (
        attr("data-credential"),
        attr("data-parent-origin"),
        ancestors,
    )
}

#[tokio::test]
async fn the_challenge_is_bound_to_the_paying_origin_and_to_a_credential_not_in_its_url() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({})).await;
    let body = card("4000000000003220").to_string();
    let r = sb
        .send(
            Method::POST,
            &format!("/payment-intents/public/{id}/payments"),
            Some(format!("Bearer {secret}")),
            &[
                ("idempotency-key", "k3ds"),
                ("origin", "http://localhost:7777"),
            ],
            Some(body),
        )
        .await;
    let url = r.body["nextAction"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (credential, parent, ancestors) = challenge_page(&sb, &url).await;
    assert!(credential.starts_with("chc_"), "{credential}");
    assert!(!url.contains(&credential));
    assert_eq!(parent, "http://localhost:7777");
    assert_eq!(ancestors, "http://localhost:7777");
    let complete = |auth: Option<String>| {
        let (sb, url) = (&sb, url.clone());
        async move {
            let mut req = sb
                .http
                .post(format!("{url}/complete"))
                .header("content-type", "application/json");
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            req.body(json!({"outcome": "approved"}).to_string())
                .send()
                .await
                .expect("complete")
                .status()
        }
    };
    // Knowing the id (it is in the frame's src) is not enough.
    assert_eq!(complete(None).await, 401);
    assert_eq!(complete(Some("Bearer chc_guess".into())).await, 401);
    assert_eq!(complete(Some(format!("Bearer {secret}"))).await, 401);
    assert_eq!(sb.public(&id, &secret).await.body["status"], "Created");
    assert_eq!(complete(Some(format!("Bearer {credential}"))).await, 200);
    assert_eq!(sb.public(&id, &secret).await.body["status"], "Captured");
    assert_eq!(complete(Some(format!("Bearer {credential}"))).await, 404);
    let js = sb
        .http
        .get(format!("{}/challenge.js", sb.base))
        .send()
        .await
        .expect("js")
        .text()
        .await
        .unwrap_or_default();
    assert!(!js.contains("\"*\""), "never posts to any origin");
    assert!(js.contains("postMessage(msg, parentOrigin)"));
}

#[tokio::test]
async fn a_challenge_paid_without_an_origin_may_be_framed_by_allowed_pages_and_posts_nowhere() {
    let sb = start().await;
    let (id, secret) = sb.demo(json!({})).await;
    let r = sb.pay(&id, &secret, "4000000000003220").await;
    let url = r.body["nextAction"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (_, parent, ancestors) = challenge_page(&sb, &url).await;
    assert_eq!(parent, "");
    assert_eq!(ancestors, "http://127.0.0.1:* http://localhost:*");
    // The test route completes it with the merchant key, as the buttons would.
    let challenge = url.rsplit('/').next().unwrap_or_default();
    let done = sb
        .test_route(
            Method::POST,
            &format!("/test/challenges/{challenge}/complete"),
            Some(json!({"outcome": "failed"})),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        sb.public(&id, &secret).await.body["lastPaymentError"]["declineCode"],
        "authentication_failed"
    );
}
