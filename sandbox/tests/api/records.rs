//! Dojo's search (filters, cursor paging), refund lookup and receipts (the test outbox).

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

async fn search(sb: &Sandbox, body: Value) -> Reply {
    sb.merchant(Method::POST, "/payment-intents/search", Some(body))
        .await
}

fn ids(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|i| i["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn search_filters_and_pages_newest_first() {
    let sb = start().await;
    let mut made = Vec::new();
    for n in 0..5 {
        let (id, secret, _) = sb.create(create_body("Auto")).await;
        if n % 2 == 0 {
            sb.pay(&id, &secret, "4242424242424242").await;
        }
        made.push(id);
    }
    let newest_first: Vec<String> = made.iter().rev().cloned().collect();
    let all = search(&sb, json!({})).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(ids(&all.body), newest_first);
    assert!(all.body["after"].is_null() && all.body["before"].is_null());

    let captured = search(&sb, json!({"statuses": ["Captured"]})).await;
    assert_eq!(
        ids(&captured.body),
        vec![made[4].clone(), made[2].clone(), made[0].clone()]
    );

    // Pages of two: forward with `after`, back with `before`.
    let p1 = search(&sb, json!({"cursor": {"limit": 2}})).await.body;
    assert_eq!(ids(&p1), newest_first[..2].to_vec());
    assert!(p1["before"].is_null());
    let p2 = search(&sb, json!({"cursor": {"limit": 2, "after": p1["after"]}}))
        .await
        .body;
    assert_eq!(ids(&p2), newest_first[2..4].to_vec());
    let p3 = search(&sb, json!({"cursor": {"limit": 2, "after": p2["after"]}}))
        .await
        .body;
    assert_eq!(ids(&p3), newest_first[4..].to_vec());
    assert!(p3["after"].is_null());
    let back = search(&sb, json!({"cursor": {"limit": 2, "before": p2["before"]}}))
        .await
        .body;
    assert_eq!(ids(&back), newest_first[..2].to_vec());
    assert!(back["before"].is_null());
    // Paging back to the first page still leads on to the rest: no payment drops out of the list.
    let on = search(&sb, json!({"cursor": {"limit": 2, "after": back["after"]}}))
        .await
        .body;
    assert_eq!(ids(&on), newest_first[2..4].to_vec());

    // A window of creation times: everything up to now, nothing after.
    let later = "2999-01-01T00:00:00Z";
    assert_eq!(
        ids(&search(&sb, json!({"startDate": later})).await.body).len(),
        0
    );
    assert_eq!(
        ids(&search(&sb, json!({"endDate": later})).await.body).len(),
        5
    );
    // A window that ends before it starts is empty.
    let inverted = json!({"startDate": later, "endDate": "2000-01-01T00:00:00Z"});
    assert_eq!(ids(&search(&sb, inverted).await.body).len(), 0);

    for (body, param) in [
        (json!({"statuses": ["Paid"]}), "statuses.0"),
        (json!({"startDate": "yesterday"}), "startDate"),
        (json!({"cursor": {"limit": 101}}), "cursor.limit"),
        (json!({"cursor": {"after": "x"}}), "cursor.after"),
        (
            json!({"cursor": {"after": p1["after"], "before": p2["before"]}}),
            "cursor",
        ),
    ] {
        let r = search(&sb, body.clone()).await;
        assert_eq!(
            (r.status.as_u16(), r.body["param"].as_str()),
            (400, Some(param)),
            "{body}"
        );
    }
}

#[tokio::test]
async fn refunds_are_found_by_id() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    let r = sb
        .merchant_with(
            Method::POST,
            &format!("/payment-intents/{id}/refunds"),
            &[("idempotencyKey", "a")],
            Some(json!({"amount": 300, "refundReason": "damaged", "notes": "box"})),
        )
        .await;
    let refund_id = r.body["refundId"].as_str().unwrap_or_default().to_string();
    let found = sb
        .merchant(
            Method::GET,
            &format!("/payment-intents/refunds/{refund_id}"),
            None,
        )
        .await;
    assert_eq!(found.status, 200);
    assert_eq!(
        found.body,
        json!({"paymentIntentId": id, "refundId": refund_id, "refundReason": "damaged", "notes": "box"})
    );
    let missing = sb
        .merchant(Method::GET, "/payment-intents/refunds/rfnd_nope", None)
        .await;
    assert_eq!(
        (missing.status.as_u16(), missing.code()),
        (404, "not_found")
    );
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
}

#[tokio::test]
async fn receipts_go_to_the_test_outbox() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    let r = sb
        .merchant(
            Method::POST,
            &format!("/payment-intents/{id}/receipt"),
            Some(json!({"emails": ["ada@example.com", "b@example.org"]})),
        )
        .await;
    assert_eq!(r.status, 204);
    let outbox = sb
        .test_route(Method::GET, "/test/receipts", None)
        .await
        .body;
    assert_eq!(outbox["receipts"][0]["paymentIntentId"], id.as_str());
    assert_eq!(
        outbox["receipts"][0]["emails"],
        json!(["ada@example.com", "b@example.org"])
    );
    assert_eq!(outbox["receipts"][0]["paymentStatus"], "Captured");
    for (body, status) in [
        (json!({"emails": []}), 400),
        (json!({"emails": ["not-an-address"]}), 400),
        // The spec's pattern: a domain of letters, digits and hyphens (found by schemathesis).
        (json!({"emails": ["ada@example.com*"]}), 400),
        (
            json!({"emails": ["ada@example.com", "a b@example.com"]}),
            400,
        ),
        (json!({}), 400),
    ] {
        let r = sb
            .merchant(
                Method::POST,
                &format!("/payment-intents/{id}/receipt"),
                Some(body),
            )
            .await;
        assert_eq!(r.status.as_u16(), status);
    }
    let r = sb
        .merchant(
            Method::POST,
            "/payment-intents/pi_nope/receipt",
            Some(json!({"emails": ["a@b.co"]})),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        sb.test_route(Method::GET, "/test/receipts", None)
            .await
            .body["receipts"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}
