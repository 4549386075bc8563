//! Bounded memory: idempotency keys expire after 24 hours of sandbox time, and finished intents beyond
//! the cap are forgotten oldest first, with what names them.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

async fn health(sb: &Sandbox) -> serde_json::Value {
    sb.send(Method::GET, "/healthz", None, &[], None).await.body
}

#[tokio::test]
async fn idempotency_keys_expire_after_a_day_of_sandbox_time() {
    // A secret that outlives the day, so the same page can try again.
    let sb = start_with(|c| c.token_ttl_secs = 3 * 86_400).await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let body = card("4000000000000002").to_string();
    let first = sb.pay_raw(&id, &secret, Some("k1"), body.clone()).await;
    assert_eq!(first.status, 200);
    assert_eq!(health(&sb).await["idempotencyKeys"], 1);
    sb.advance(23.0 * 3600.0).await;
    let replay = sb.pay_raw(&id, &secret, Some("k1"), body.clone()).await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    sb.advance(3600.0).await;
    assert_eq!(health(&sb).await["idempotencyKeys"], 0);
    // The key is new again: the decline runs afresh instead of replaying.
    let again = sb.pay_raw(&id, &secret, Some("k1"), body).await;
    assert_eq!(
        (again.status.as_u16(), again.header("idempotent-replayed")),
        (200, None)
    );
}

#[tokio::test]
async fn finished_intents_beyond_the_cap_are_forgotten_oldest_first() {
    let sb = start_with(|c| c.max_terminal_intents = 2).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (id, secret, _) = sb.create(create_body("Auto")).await;
        sb.pay(&id, &secret, "4242424242424242").await;
        let r = sb
            .merchant_with(
                Method::POST,
                &format!("/payment-intents/{id}/refunds"),
                &[("idempotencyKey", "r")],
                Some(json!({"amount": 1000})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        ids.push((
            id,
            secret,
            r.body["refundId"].as_str().unwrap_or_default().to_string(),
        ));
    }
    let (open, _, _) = sb.create(create_body("Auto")).await;
    let h = health(&sb).await;
    assert_eq!(
        (
            h["intents"].as_u64(),
            h["finishedIntents"].as_u64(),
            h["openIntents"].as_u64()
        ),
        (Some(3), Some(2), Some(1)),
        "{h}"
    );
    // The first one is gone everywhere: merchant view, browser view, refund lookup, ledger.
    let (gone, gone_secret, gone_refund) = &ids[0];
    assert_eq!(
        sb.merchant(Method::GET, &format!("/payment-intents/{gone}"), None)
            .await
            .status,
        404
    );
    assert_eq!(sb.public(gone, gone_secret).await.status, 401);
    assert_eq!(
        sb.merchant(
            Method::GET,
            &format!("/payment-intents/refunds/{gone_refund}"),
            None
        )
        .await
        .status,
        404
    );
    assert_eq!(
        sb.ledger(gone).await["entries"].as_array().map(Vec::len),
        Some(0)
    );
    // The all-time totals still count it; the kept ones are all there.
    let all = sb.test_route(Method::GET, "/test/ledger", None).await.body;
    assert_eq!(all["totals"]["charged"], 3000);
    for (id, _, refund) in &ids[1..] {
        assert_eq!(
            sb.merchant(Method::GET, &format!("/payment-intents/{id}"), None)
                .await
                .status,
            200
        );
        let r = sb
            .merchant(
                Method::GET,
                &format!("/payment-intents/refunds/{refund}"),
                None,
            )
            .await;
        assert_eq!(r.body["paymentIntentId"], id.as_str());
    }
    assert_eq!(
        sb.merchant(Method::GET, &format!("/payment-intents/{open}"), None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn finished_intents_do_not_count_against_the_open_cap() {
    let sb = start_with(|c| c.max_live_intents = 2).await;
    let (done, _, _) = sb.create(create_body("Auto")).await;
    let r = sb
        .merchant(Method::DELETE, &format!("/payment-intents/{done}"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The canceled one is finished: two open intents still fit.
    sb.create(create_body("Auto")).await;
    sb.create(create_body("Auto")).await;
    let r = sb
        .merchant(Method::POST, "/payment-intents", Some(create_body("Auto")))
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (429, "too_many_intents"));
    assert_eq!((health(&sb).await["openIntents"].as_u64()), Some(2));
}
