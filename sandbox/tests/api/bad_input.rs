//! Bad input of every kind gets a problem+json with the right status and changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn create_rejects_bad_bodies_with_a_param() {
    let sb = start().await;
    let cases: Vec<(String, u16, &str, Option<&str>)> = vec![
        ("{not json".into(), 400, "invalid_json", None),
        ("[1,2]".into(), 400, "invalid_json", None),
        ("".into(), 400, "invalid_json", None),
        (json!({"reference": "x"}).to_string(), 400, "validation_error", Some("amount")),
        (json!({"amount": gbp(100)}).to_string(), 400, "validation_error", Some("reference")),
        (json!({"amount": {"value": "100", "currencyCode": "GBP"}, "reference": "x"}).to_string(), 400, "validation_error", Some("amount.value")),
        (json!({"amount": {"value": 10.5, "currencyCode": "GBP"}, "reference": "x"}).to_string(), 400, "validation_error", Some("amount.value")),
        (json!({"amount": gbp(-1), "reference": "x"}).to_string(), 400, "validation_error", Some("amount.value")),
        (json!({"amount": gbp(0), "reference": "x"}).to_string(), 400, "validation_error", Some("amount.value")),
        (r#"{"amount": {"value": 100000000000000000000000, "currencyCode": "GBP"}, "reference": "x"}"#.into(), 400, "validation_error", Some("amount.value")),
        (json!({"amount": {"value": 9_007_199_254_740_992_i64, "currencyCode": "GBP"}, "reference": "x"}).to_string(), 400, "validation_error", Some("amount.value")),
        (json!({"amount": {"value": 100, "currencyCode": "XYZ"}, "reference": "x"}).to_string(), 422, "unsupported_currency", Some("amount.currencyCode")),
        (json!({"amount": {"value": 100}, "reference": "x"}).to_string(), 400, "validation_error", Some("amount.currencyCode")),
        (json!({"amount": gbp(100), "reference": "x", "captureMode": "Later"}).to_string(), 400, "validation_error", Some("captureMode")),
        (json!({"amount": gbp(100), "reference": "x", "surprise": 1}).to_string(), 400, "validation_error", Some("surprise")),
        (json!({"amount": gbp(100), "reference": "x", "metadata": {"a": 1}}).to_string(), 400, "validation_error", Some("metadata.a")),
        (json!({"amount": gbp(100), "reference": "x", "captureMode": "Manual", "autoExpireIn": "00:00:10"}).to_string(), 400, "validation_error", Some("autoExpireIn")),
        (json!({"amount": gbp(100), "reference": "x".repeat(61)}).to_string(), 400, "validation_error", Some("reference")),
        (json!({"amount": gbp(100), "reference": "x", "config": {"payment": {"tipsAllowed": "yes"}}}).to_string(), 400, "validation_error", Some("config.payment.tipsAllowed")),
    ];
    for (body, status, code, param) in cases {
        let r = sb
            .send(
                Method::POST,
                "/payment-intents",
                Some(format!("Basic {KEY}")),
                &[("version", "2025-09-10")],
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status.as_u16(), status, "{body}: {}", r.body);
        assert_eq!(r.code(), code, "{body}");
        assert_eq!(r.body["param"].as_str(), param, "{body}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.body["status"].as_u64(), Some(u64::from(status)));
        assert_eq!(
            r.body["type"],
            format!("https://intent-checkout.dev/problems/{code}")
        );
        assert!(r.body["title"].as_str().is_some() && r.body["detail"].as_str().is_some());
    }
    assert_eq!(
        sb.send(Method::GET, "/healthz", None, &[], None).await.body["intents"],
        0
    );
}

#[tokio::test]
async fn unknown_intents_are_404_everywhere() {
    let sb = start().await;
    for (method, path) in [
        (Method::GET, "/payment-intents/pi_nope"),
        (Method::DELETE, "/payment-intents/pi_nope"),
        (Method::POST, "/payment-intents/pi_nope/reversal"),
        (
            Method::POST,
            "/payment-intents/pi_nope/refresh-client-session-secret",
        ),
    ] {
        let r = sb.merchant(method, path, None).await;
        assert_eq!((r.status.as_u16(), r.code()), (404, "not_found"), "{path}");
    }
    let r = sb
        .merchant(
            Method::POST,
            "/payment-intents/pi_nope/captures",
            Some(json!({"amount": 1})),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = sb
        .send(
            Method::POST,
            "/demo/payment-intents/pi_nope/captures",
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    let r = sb
        .send(Method::GET, "/challenge/ch_nope", None, &[], None)
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn wrong_methods_get_problem_details() {
    let sb = start().await;
    let r = sb
        .send(Method::PUT, "/payment-intents", None, &[], None)
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (405, "method_not_allowed"));
}

#[tokio::test]
async fn bad_pay_bodies_change_nothing() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let cases: Vec<(String, &str, Option<&str>)> = vec![
        ("nope".into(), "invalid_json", None),
        (json!({}).to_string(), "validation_error", Some("paymentMethod")),
        (json!({"paymentMethod": {}}).to_string(), "validation_error", Some("paymentMethod")),
        (json!({"paymentMethod": {"card": {"number": 4242}}}).to_string(), "validation_error", Some("paymentMethod.card.number")),
        (json!({"paymentMethod": {"card": {"number": "abcd", "expiryMonth": 1, "expiryYear": 2034, "cvc": "123"}}}).to_string(), "validation_error", Some("paymentMethod.card.number")),
        (json!({"paymentMethod": {"card": {"number": "4242424242424242", "expiryMonth": "x", "expiryYear": 2034, "cvc": "123"}}}).to_string(), "validation_error", Some("paymentMethod.card.expiryMonth")),
        (json!({"paymentMethod": {"card": {"number": "4242424242424242", "expiryMonth": 1, "expiryYear": 2034}}}).to_string(), "validation_error", Some("paymentMethod.card.cvc")),
    ];
    for (i, (body, code, param)) in cases.into_iter().enumerate() {
        let r = sb
            .pay_raw(&id, &secret, Some(&format!("b{i}")), body.clone())
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert_eq!(
            (r.code(), r.body["param"].as_str()),
            (code, param),
            "{body}"
        );
    }
    let v = sb.public(&id, &secret).await;
    assert_eq!(
        (v.body["version"].as_u64(), v.body["status"].as_str()),
        (Some(1), Some("Created"))
    );
    let r = sb
        .send(
            Method::POST,
            "/test/clock/advance",
            Some(format!("Basic {KEY}")),
            &[],
            Some(json!({"seconds": -5}).to_string()),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["param"].as_str()),
        (400, Some("seconds"))
    );
}

#[tokio::test]
async fn a_nul_byte_in_a_static_path_is_a_404_not_a_500() {
    let sb = start().await;
    for path in ["/a%00", "/pkg/a%00", "/index.html%00"] {
        for method in [Method::GET, Method::HEAD] {
            let r = sb.send(method.clone(), path, None, &[], None).await;
            assert_eq!(r.status, 404, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn a_static_path_too_long_for_any_file_is_a_404_not_a_500() {
    let sb = start().await;
    let name = "a".repeat(256);
    let deep = "a/".repeat(600);
    let escaped = "%5B".repeat(300);
    for path in [
        format!("/{name}.html"),
        format!("/pkg/{name}.js"),
        format!("/pkg/cdn/{name}"),
        format!("/{deep}"),
        format!("/index{escaped}.html"),
    ] {
        for method in [Method::GET, Method::HEAD] {
            let r = sb.send(method.clone(), &path, None, &[], None).await;
            assert_eq!(r.status, 404, "{method} {}…", &path[..40]);
        }
    }
    // Long but possible names are still looked up: a 255-byte name is an ordinary 404, the page a 200.
    let r = sb
        .send(
            Method::GET,
            &format!("/{}", "a".repeat(255)),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    let r = sb.send(Method::GET, "/index.html", None, &[], None).await;
    assert_eq!(r.status, 200);
}
