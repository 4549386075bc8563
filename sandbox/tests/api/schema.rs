//! Every merchant response in the dojo dialect validates against Dojo's own OpenAPI schemas
//! (`PaymentIntent`, `Capture`, `Refund`, `Reversal`), read from shared/reference at test time, or from the
//! copy in tests/fixtures when the repository is cloned without shared/ beside it.

use reqwest::Method;
use serde_json::{json, Map, Value};

use crate::common::*;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/dojo-openapi-2025-09-10.yaml"
);

#[test]
fn the_fixture_is_dojos_file_verbatim() {
    let fixture = std::fs::read(FIXTURE).expect("the fixture copy exists");
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/reference/dojo-openapi-2025-09-10.yaml"
    );
    // Without shared/ beside the clone there is nothing to compare with; the copy is then the reference.
    if let Ok(original) = std::fs::read(shared) {
        assert!(
            fixture == original,
            "tests/fixtures differs from shared/reference: copy it again"
        );
    }
}

pub(crate) fn dojo_components() -> Value {
    // shared/ sits beside the repository (developers and CI); DOJO_OPENAPI may point elsewhere; the fixture
    // is a verbatim copy (checked by `the_fixture_is_dojos_file_verbatim`) for clones without shared/.
    let candidates = [
        std::env::var("DOJO_OPENAPI").unwrap_or_default(),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/reference/dojo-openapi-2025-09-10.yaml"
        )
        .into(),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/reference/dojo-openapi-2025-09-10.yaml"
        )
        .into(),
        FIXTURE.into(),
    ];
    let text = candidates
        .iter()
        .filter(|p| !p.is_empty())
        .find_map(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_else(|| {
            panic!("Dojo's OpenAPI file not found in {candidates:?}; set DOJO_OPENAPI")
        });
    let doc: Value = serde_norway::from_str(&text).expect("yaml");
    let mut schemas = doc["components"]["schemas"].clone();
    openapi_to_json_schema(&mut schemas);
    json!({"components": {"schemas": schemas}})
}

/// OpenAPI 3.0's `nullable: true` has no JSON Schema equivalent; rewrite it as "this or null".
/// (`$ref` siblings are ignored in draft 7, so a nullable `$ref` is wrapped too.)
fn openapi_to_json_schema(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for child in o.values_mut() {
                openapi_to_json_schema(child);
            }
            if o.remove("nullable") == Some(Value::Bool(true)) {
                let inner = Value::Object(std::mem::take(o));
                let mut wrapped = Map::new();
                wrapped.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                *o = wrapped;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(openapi_to_json_schema),
        _ => {}
    }
}

pub(crate) fn check(components: &Value, schema: &str, instance: &Value) {
    let mut root = components.clone();
    root["$ref"] = json!(format!("#/components/schemas/{schema}"));
    let validator = jsonschema::draft7::new(&root).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema} invalid: {errors:?}\n{instance:#}"
    );
}

#[tokio::test]
async fn merchant_responses_validate_against_dojos_schemas() {
    let c = dojo_components();
    // The validator must be strict for this test to mean anything.
    let mut root = c.clone();
    root["$ref"] = json!("#/components/schemas/PaymentIntent");
    let v = jsonschema::draft7::new(&root).expect("schema");
    assert!(!v.is_valid(&json!({"id": "x", "status": "Failed"})));
    assert!(!v.is_valid(&json!({"id": "x", "version": 3})));

    let sb = start().await;
    let get = |id: String| {
        let sb = &sb;
        async move {
            sb.merchant(
                Method::GET,
                &format!("/payment-intents/{id}?returnCanceled=true"),
                None,
            )
            .await
            .body
        }
    };
    // Auto: create, pay, get, refund (partial and full), refresh.
    let mut body = create_body("Auto");
    body["config"] = json!({"payment": {"customAmountAllowed": true, "tipsAllowed": true}});
    body["metadata"] = json!({"location-id": "L1"});
    let (id, secret, created) = sb.create(body).await;
    check(&c, "PaymentIntent", &created);
    let t = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/tips-amount"),
            Some(json!({"tipsAmount": gbp(100)})),
        )
        .await;
    check(&c, "PaymentIntent", &t.body);
    let a = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/amount"),
            Some(json!({"amount": gbp(1200)})),
        )
        .await;
    check(&c, "PaymentIntent", &a.body);
    sb.pay(&id, &secret, "4000000000000002").await;
    check(&c, "PaymentIntent", &get(id.clone()).await);
    sb.pay(&id, &secret, "4242424242424242").await;
    check(&c, "PaymentIntent", &get(id.clone()).await);
    let r = sb
        .merchant_with(
            Method::POST,
            &format!("/payment-intents/{id}/refunds"),
            &[("idempotencyKey", "1")],
            Some(json!({"amount": 100, "refundReason": "x"})),
        )
        .await;
    check(&c, "Refund", &r.body);
    check(&c, "PaymentIntent", &get(id.clone()).await);
    let r = sb
        .merchant_with(
            Method::POST,
            &format!("/payment-intents/{id}/refunds"),
            &[("idempotencyKey", "2")],
            Some(json!({"amount": 1200})),
        )
        .await;
    check(&c, "Refund", &r.body);
    check(&c, "PaymentIntent", &get(id.clone()).await);
    let r = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/refresh-client-session-secret"),
            None,
        )
        .await;
    check(&c, "PaymentIntent", &r.body);

    // Manual with auto-expiry: capture partial, then reversal on another.
    let mut body = create_body("Manual");
    body["autoExpireIn"] = json!("1.00:00:00");
    body["autoExpireAction"] = json!("Release");
    let (m, ms, created) = sb.create(body).await;
    check(&c, "PaymentIntent", &created);
    sb.pay(&m, &ms, "4000000000003220").await;
    check(&c, "PaymentIntent", &get(m.clone()).await);
    let (m2, ms2, _) = sb.create(create_body("Manual")).await;
    sb.pay(&m2, &ms2, "378282246310005").await;
    check(&c, "PaymentIntent", &get(m2.clone()).await);
    let cap = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{m2}/captures"),
            Some(json!({"amount": 300})),
        )
        .await;
    check(&c, "Capture", &cap.body);
    check(&c, "PaymentIntent", &get(m2.clone()).await);
    let (m3, ms3, _) = sb.create(create_body("Manual")).await;
    sb.pay(&m3, &ms3, "5555555555554444").await;
    let rev = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{m3}/reversal"),
            None,
        )
        .await;
    check(&c, "Reversal", &rev.body);
    check(&c, "PaymentIntent", &get(m3.clone()).await);

    // Cancel.
    let (x, _, _) = sb.create(create_body("Auto")).await;
    let del = sb
        .merchant(Method::DELETE, &format!("/payment-intents/{x}"), None)
        .await;
    check(&c, "PaymentIntent", &del.body);
    // Search, refund lookup and the webhook API answer Dojo's schemas too.
    let found = sb
        .merchant(
            Method::POST,
            "/payment-intents/search",
            Some(json!({"cursor": {"limit": 2}})),
        )
        .await;
    // Dojo's `PagedPaymentIntent` is `allOf` this and an empty `additionalProperties: false` object,
    // which no non-empty object satisfies under JSON Schema; its first part is what it means.
    check(&c, "PagedResultOfPaymentIntent", &found.body);
    assert_eq!(found.body["data"].as_array().map(Vec::len), Some(2));
    let refunded = sb
        .merchant_with(
            Method::POST,
            &format!("/payment-intents/{m2}/refunds"),
            &[("idempotencyKey", "lookup")],
            Some(json!({"amount": 100, "notes": "n"})),
        )
        .await;
    let refund_id = refunded.body["refundId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let looked_up = sb
        .merchant(
            Method::GET,
            &format!("/payment-intents/refunds/{refund_id}"),
            None,
        )
        .await;
    check(&c, "Refund", &looked_up.body);
    let events = sb.merchant(Method::GET, "/webhooks/events", None).await;
    for e in events.body.as_array().cloned().unwrap_or_default() {
        check(&c, "WebhookEvents", &e);
    }
    // Dojo's schema wants https URLs (the sandbox takes http:// too, for local receivers).
    let sub = sb
        .merchant(Method::POST, "/webhooks", Some(json!({"url": "https://example.com/hook", "events": ["payment_intent.created"], "description": "schema"})))
        .await;
    check(&c, "Subscription", &sub.body);
    let sid = sub.body["id"].as_str().unwrap_or_default().to_string();
    let secrets = sb
        .merchant(Method::POST, &format!("/webhooks/{sid}/secrets"), None)
        .await;
    check(&c, "SecretsResponse", &secrets.body);
    let list = sb.merchant(Method::GET, "/webhooks", None).await;
    for s in list.body.as_array().cloned().unwrap_or_default() {
        check(&c, "Subscription", &s);
    }

    // Errors are Dojo ProblemDetails too.
    let nf = sb
        .merchant(Method::GET, "/payment-intents/pi_missing", None)
        .await;
    check(&c, "ProblemDetails", &nf.body);
}
