//! Everything Dojo's create and update requests carry beyond the amount: stored and returned in Dojo's
//! names and shapes (validated against Dojo's schema), `expireAt` on the test clock, the methods and card
//! schemes a payment may use, item and tax lines that add up, and the customer's details from the page.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;
use crate::schema::{check, dojo_components};

fn full_body() -> Value {
    json!({
        "amount": gbp(2600), "reference": "Order 42", "description": "Coffee",
        "captureMode": "Auto",
        "tipsAmount": gbp(0),
        "customer": {"id": "cu_1", "emailAddress": "ada@example.com", "phoneNumber": "+448000443550",
                     "secret": "cus_secret", "savedCardId": null},
        "billingAddress": {"address1": "The Brunel Building", "address2": "2 Canalside Walk",
                           "city": "London", "postcode": "W2 1DG", "countryCode": "GB", "county": "UK"},
        "shippingDetails": {"name": "Ada Lovelace", "deliveryNotes": "Leave at the door",
                            "address": {"address1": "1 Main St", "city": "Springfield", "state": "IL",
                                        "postcode": "62701", "countryCode": "US"}},
        "cardHolderNotPresent": true,
        "requestSecurity": {"userAgent": "Mozilla/5.0", "ipAddress": "203.0.113.7", "device": "desktop"},
        "itemLines": [
            {"id": "1", "name": "Burger", "quantity": 2, "category": "food", "plu": "B1",
             "amountTotal": gbp(1800),
             "modifiers": [{"id": "m1", "name": "Extra cheese", "quantity": 2, "amountPerModifier": gbp(50)},
                           {"id": "m2", "name": "Student discount", "quantity": 1, "amountPerModifier": gbp(-100)}]},
            {"name": "Fries", "amountTotal": gbp(350)}
        ],
        "taxLines": [{"id": "vat", "caption": "VAT", "subCaption": "20%", "amountTotal": gbp(450), "affectedPlu": "B1"}],
        "paymentMethods": ["Card", "Wallet"],
        "actionLink": {"url": "https://shop.example/invoice.pdf", "action": "DownloadFile", "label": "Invoice",
                       "fileName": "invoice.pdf"},
        "expireAt": "2099-01-01T00:00:00Z",
        "setupIntentId": "si_1",
        "orderDetails": {"availabilityDate": "2099-01-02T10:00:00Z", "isUpdate": false, "id": "o1", "externalId": "E1"},
        "cashbackAmount": gbp(0),
        "serviceChargeAmount": gbp(125),
        "generateRemoteToken": false,
        "metadata": {"till": "3"},
        "config": {
            "title": "Cam's Café", "redirectUrl": "https://shop.example/thanks",
            "cancelUrl": "https://shop.example/cart",
            "customerEmail": {"collectionRequired": true},
            "details": {"showTotal": true, "showReference": true},
            "billingAddress": {"collectionRequired": true},
            "shippingDetails": {"collectionRequired": false},
            "payment": {"tipsAllowed": true, "customAmountAllowed": false}
        }
    })
}

#[tokio::test]
async fn every_create_field_is_stored_and_returned_in_dojos_shape() {
    let c = dojo_components();
    let sb = start().await;
    let body = full_body();
    let (id, secret, created) = sb.create(body.clone()).await;
    check(&c, "PaymentIntent", &created);
    let got = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await
        .body;
    check(&c, "PaymentIntent", &got);
    for key in [
        "billingAddress",
        "shippingDetails",
        "cardHolderNotPresent",
        "requestSecurity",
        "itemLines",
        "taxLines",
        "paymentMethods",
        "actionLink",
        "setupIntentId",
        "orderDetails",
        "cashbackAmount",
        "serviceChargeAmount",
        "metadata",
    ] {
        assert_eq!(got[key], body[key], "{key}");
    }
    assert_eq!(got["expireAt"], "2099-01-01T00:00:00.000Z");
    // `Customer` in a PaymentIntent has no secret or saved card.
    assert_eq!(
        got["customer"],
        json!({"id": "cu_1", "emailAddress": "ada@example.com", "phoneNumber": "+448000443550"})
    );
    let mut config = body["config"].clone();
    config["payment"] = json!({"customAmountAllowed": false, "tipsAllowed": true});
    assert_eq!(got["config"], config);
    // Service charge is outside `amount` and part of what is paid.
    assert_eq!(got["totalAmount"], gbp(2725));
    assert_eq!(
        got["merchantConfig"]["supportedPaymentMethods"]["cardSchemes"],
        json!([
            "VISA",
            "MASTERCARD",
            "MAESTRO",
            "DISCOVER",
            "DCI",
            "AMEX",
            "JCB",
            "UNIONPAY"
        ])
    );
    // The page sees its settings, the order and the customer's contact, never the merchant's internals.
    let view = sb.public(&id, &secret).await.body;
    assert_eq!(view["config"], config);
    assert_eq!(view["itemLines"], body["itemLines"]);
    assert_eq!(view["taxLines"], body["taxLines"]);
    assert_eq!(view["customer"], json!({"emailAddress": "ada@example.com"}));
    assert_eq!(view["billingAddress"], body["billingAddress"]);
    assert_eq!(view["serviceChargeAmount"], gbp(125));
    for private in [
        "metadata",
        "requestSecurity",
        "orderDetails",
        "actionLink",
        "setupIntentId",
    ] {
        assert!(view.get(private).is_none(), "{private} in the browser view");
    }
    // Dojo's defaults when nothing is said.
    let (plain, _, plain_body) = sb.create(create_body("Auto")).await;
    check(&c, "PaymentIntent", &plain_body);
    assert_eq!(plain_body["paymentMethods"], json!(["Card"]));
    assert_eq!(plain_body["itemLines"], json!([]));
    assert_eq!(plain_body["cardHolderNotPresent"], false);
    assert!(plain_body.get("customer").is_none(), "{plain}");
}

#[tokio::test]
async fn create_refuses_what_breaks_the_schema_or_the_rules_naming_the_field() {
    let sb = start().await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"customer": {"emailAddress": "ada@example"}}),
            "customer.emailAddress",
        ),
        (json!({"customer": {"nickname": "x"}}), "customer.nickname"),
        (
            json!({"billingAddress": {"city": "London"}}),
            "billingAddress.countryCode",
        ),
        (
            json!({"billingAddress": {"countryCode": "UK"}}),
            "billingAddress.countryCode",
        ),
        (
            json!({"billingAddress": {"countryCode": "GB", "city": "x".repeat(101)}}),
            "billingAddress.city",
        ),
        (
            json!({"shippingDetails": {"name": 7}}),
            "shippingDetails.name",
        ),
        (
            json!({"itemLines": [{"name": "Tea", "amountTotal": gbp(999)}]}),
            "itemLines",
        ),
        (
            json!({"itemLines": [{"amountTotal": {"value": 1000, "currencyCode": "EUR"}}]}),
            "itemLines[0].amountTotal.currencyCode",
        ),
        (
            json!({"itemLines": [{"quantity": 0, "amountTotal": gbp(1000)}]}),
            "itemLines[0].quantity",
        ),
        (
            json!({"taxLines": [{"amountTotal": gbp(1001)}]}),
            "taxLines",
        ),
        (
            json!({"taxLines": [{"caption": "VAT"}]}),
            "taxLines[0].amountTotal",
        ),
        (json!({"paymentMethods": ["Cash"]}), "paymentMethods"),
        (json!({"paymentMethods": []}), "paymentMethods"),
        (json!({"expireAt": "2000-01-01T00:00:00Z"}), "expireAt"),
        (json!({"expireAt": "tomorrow"}), "expireAt"),
        (
            json!({"config": {"redirectUrl": "javascript:alert(1)"}}),
            "config.redirectUrl",
        ),
        (
            json!({"config": {"cancelUrl": "/cart"}}),
            "config.cancelUrl",
        ),
        (
            json!({"config": {"title": "t".repeat(101)}}),
            "config.title",
        ),
        (
            json!({"config": {"customerEmail": {"collectionRequired": "yes"}}}),
            "config.customerEmail.collectionRequired",
        ),
        (json!({"config": {"branding": {}}}), "config.branding"),
        (
            json!({"actionLink": {"url": "https://x.example"}}),
            "actionLink.label",
        ),
        (
            json!({"actionLink": {"url": "ftp://x.example", "label": "x"}}),
            "actionLink.url",
        ),
        (
            json!({"orderDetails": {"availabilityDate": "soon"}}),
            "orderDetails.availabilityDate",
        ),
        (
            json!({"requestSecurity": {"ipAddress": "1".repeat(71)}}),
            "requestSecurity.ipAddress",
        ),
        (
            json!({"serviceChargeAmount": {"value": 1, "currencyCode": "EUR"}}),
            "serviceChargeAmount.currencyCode",
        ),
        (
            json!({"cashbackAmount": {"value": -1, "currencyCode": "GBP"}}),
            "cashbackAmount.value",
        ),
    ];
    for (extra, param) in cases {
        let mut body = create_body("Auto");
        for (k, v) in extra.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        let r = sb
            .merchant(Method::POST, "/payment-intents", Some(body))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.body["param"].as_str()),
            (400, Some(param)),
            "{extra}: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn an_amount_change_carries_its_lines_or_clears_them() {
    let sb = start().await;
    let mut body = create_body("Auto");
    body["config"] = json!({"payment": {"customAmountAllowed": true}});
    body["itemLines"] = json!([{"name": "Tea", "amountTotal": gbp(1000)}]);
    let (id, secret, _) = sb.create(body).await;
    let path = format!("/payment-intents/{id}/amount");
    let bad = sb
        .merchant(
            Method::POST,
            &path,
            Some(json!({"amount": gbp(1500), "itemLines": [{"amountTotal": gbp(1400)}]})),
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["param"].as_str()),
        (400, Some("itemLines")),
        "{}",
        bad.body
    );
    let ok = sb
        .merchant(
            Method::POST,
            &path,
            Some(json!({"amount": gbp(1500), "itemLines": [{"amountTotal": gbp(1400)}], "taxLines": [{"amountTotal": gbp(100)}]})),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["itemLines"], json!([{"amountTotal": gbp(1400)}]));
    assert_eq!(ok.body["taxLines"][0]["amountTotal"], gbp(100));
    // The customer's own amount (customAmountAllowed) has no lines: the old ones no longer describe it.
    let r = sb
        .send(
            Method::POST,
            &format!("/payment-intents/public/{id}/amount"),
            Some(format!("Bearer {secret}")),
            &[],
            Some(json!({"amount": gbp(2000)}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["itemLines"], json!([]));
    assert_eq!(r.body["totalAmount"], gbp(2000));
}

#[tokio::test]
async fn an_unpaid_intent_is_voided_at_its_expire_at_on_the_test_clock() {
    let sb = start().await;
    let now = sb.test_route(Method::GET, "/test/clock", None).await.body;
    let now_ms = now["unixMillis"].as_i64().expect("the clock's unix millis");
    let at =
        intent_checkout::core::time::Timestamp::from_unix_millis(now_ms + 120_000).to_rfc3339();
    let mut body = create_body("Auto");
    body["expireAt"] = json!(at);
    let (id, secret, created) = sb.create(body).await;
    assert_eq!(created["expireAt"], json!(at));
    sb.advance(119.0).await;
    assert_eq!(sb.public(&id, &secret).await.body["status"], "Created");
    sb.advance(1.0).await;
    let view = sb.public(&id, &secret).await.body;
    assert_eq!(view["status"], "Canceled");
    let updated = view["updatedAt"].as_str().expect("updatedAt");
    let ms = |t: &str| {
        intent_checkout::core::time::Timestamp::parse_rfc3339(t)
            .expect("time")
            .as_unix_millis()
    };
    assert!(
        ms(updated) >= ms(&at),
        "voided at or after expireAt: {view}"
    );
    let paid = sb.pay(&id, &secret, "4242424242424242").await;
    assert_eq!(paid.status, 409, "{}", paid.body);
}

#[tokio::test]
async fn refused_schemes_and_methods_are_problems_not_declines() {
    let sb = start_with(|c| c.card_schemes = vec!["VISA".into(), "MASTERCARD".into()]).await;
    let (id, secret, created) = sb.create(create_body("Auto")).await;
    assert_eq!(
        created["merchantConfig"]["supportedPaymentMethods"]["cardSchemes"],
        json!(["VISA", "MASTERCARD"])
    );
    let amex = sb.pay(&id, &secret, "378282246310005").await;
    assert_eq!(amex.status, 400, "{}", amex.body);
    assert_eq!(amex.code(), "card_scheme_not_accepted");
    assert_eq!(amex.body["cardScheme"], "AMEX");
    let view = sb.public(&id, &secret).await.body;
    assert_eq!(view["status"], "Created");
    assert!(view["lastPaymentError"].is_null(), "not a decline: {view}");
    assert_eq!(view["paymentEvents"], json!([]), "nothing was attempted");
    // The same holds for a card reference from the isolated frame: the scheme is checked at pay time.
    let pm = sb
        .send(
            Method::POST,
            &format!("/payment-intents/public/{id}/payment-methods"),
            Some(format!("Bearer {secret}")),
            &[],
            Some(json!({"card": {"number": "378282246310005", "expiryMonth": 12, "expiryYear": 2034, "cvc": "1234"}}).to_string()),
        )
        .await;
    assert_eq!(pm.status, 201, "{}", pm.body);
    let by_ref = sb
        .pay_raw(
            &id,
            &secret,
            Some("ref-amex"),
            json!({"paymentMethod": {"id": pm.body["id"]}}).to_string(),
        )
        .await;
    assert_eq!(by_ref.code(), "card_scheme_not_accepted", "{}", by_ref.body);
    assert_eq!(sb.pay(&id, &secret, "4242424242424242").await.status, 200);
    // An intent that takes no cards.
    let mut body = create_body("Auto");
    body["paymentMethods"] = json!(["Wallet"]);
    let (w, ws, _) = sb.create(body).await;
    let r = sb.pay(&w, &ws, "4242424242424242").await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "payment_method_not_accepted"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn the_customers_details_are_checked_kept_and_shown_to_the_merchant() {
    let sb = start().await;
    let mut body = create_body("Auto");
    body["config"] = json!({
        "customerEmail": {"collectionRequired": true},
        "billingAddress": {"collectionRequired": true},
        "shippingDetails": {"collectionRequired": true}
    });
    let (id, secret, _) = sb.create(body).await;
    let pay = |extra: Value, key: &'static str| {
        let mut b = card("4242424242424242");
        for (k, v) in extra.as_object().into_iter().flatten() {
            b[k] = v.clone();
        }
        let (sb, id, secret) = (&sb, id.clone(), secret.clone());
        async move { sb.pay_raw(&id, &secret, Some(key), b.to_string()).await }
    };
    let missing = pay(json!({}), "k1").await;
    assert_eq!(
        (missing.status.as_u16(), missing.body["param"].as_str()),
        (400, Some("userEmailAddress"))
    );
    let billing = json!({"address1": "1 High St", "city": "London", "postcode": "sw1a1aa", "countryCode": "gb"});
    let shipping = json!({"name": "Ada", "address": {"address1": "1 Main St", "city": "Springfield",
                                                     "state": "il", "postcode": "62701", "countryCode": "US"}});
    let bad_postcode = pay(
        json!({"userEmailAddress": "ada@example.com", "billingAddress": {"address1": "1 High St", "city": "London", "postcode": "12345", "countryCode": "GB"}, "shippingDetails": shipping}),
        "k2",
    )
    .await;
    assert_eq!(
        bad_postcode.body["param"], "billingAddress.postcode",
        "{}",
        bad_postcode.body
    );
    assert_eq!(bad_postcode.body["reason"], "invalid_postcode");
    let ok = pay(
        json!({"userEmailAddress": "ada@example.com", "billingAddress": billing, "shippingDetails": shipping}),
        "k3",
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let got = sb
        .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
        .await
        .body;
    check(&dojo_components(), "PaymentIntent", &got);
    assert_eq!(got["customer"]["emailAddress"], "ada@example.com");
    assert_eq!(
        got["billingAddress"],
        json!({"address1": "1 High St", "city": "London", "postcode": "SW1A 1AA", "countryCode": "GB"})
    );
    assert_eq!(got["shippingDetails"]["address"]["state"], "IL");
    assert_eq!(got["shippingDetails"]["name"], "Ada");
}

#[tokio::test]
async fn the_amount_cannot_change_while_a_payment_waits_for_its_challenge_or_settlement() {
    let sb = start().await;
    for card in ["4000000000003220", "4000000000000077"] {
        let mut body = create_body("Auto");
        body["config"] = json!({"payment": {"customAmountAllowed": true}});
        let (id, secret, _) = sb.create(body).await;
        let paid = sb.pay(&id, &secret, card).await;
        assert_eq!(paid.status, 200, "{card}: {}", paid.body);
        let r = sb
            .merchant(
                Method::POST,
                &format!("/payment-intents/{id}/amount"),
                Some(json!({"amount": gbp(1)})),
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (409, "illegal_transition"),
            "{card}: {}",
            r.body
        );
        assert_eq!(
            sb.public(&id, &secret).await.body["amount"]["value"],
            1000,
            "{card}"
        );
    }
}
