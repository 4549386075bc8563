//! The customer's details with a payment: required by the intent's `config` and of Dojo's shapes before
//! anything is sent, carried in the pay body as the form made them, and part of what makes a retry the
//! same attempt.

use super::*;

const COLLECT_ALL: &str = r#","config":{"customerEmail":{"collectionRequired":true},"billingAddress":{"collectionRequired":true},"shippingDetails":{"collectionRequired":true}}"#;

const DETAILS: &str = r#"{"userEmailAddress":"ada@example.com","billingAddress":{"address1":"1 High St","city":"London","postcode":"sw1a1aa","countryCode":"gb"},"shippingDetails":{"name":"Ada","address":{"address1":"1 Main St","city":"Springfield","state":"il","postcode":"62701","countryCode":"US"}}}"#;

fn loaded_collecting() -> H {
    let mut h = H::build(config(true, Dialect::Dojo), None);
    h.c.start(h.now);
    h.drain();
    let (id, _) = h.last_sent();
    h.reply(id, ok(intent_with(1, "Created", COLLECT_ALL)));
    h
}

impl H {
    fn pay_with(&mut self, number: &str, details: &str) -> OpId {
        let op = self.c.pay_with(&card(number), details, false, self.now);
        self.drain();
        op
    }
}

#[test]
fn required_details_are_checked_before_anything_is_sent() {
    let mut h = loaded_collecting();
    let param = |h: &H, op| match h.result(op) {
        Err(e) if e.code == ErrorCode::ValidationError => (e.param.clone(), e.api_code.clone()),
        other => panic!("expected a validation error, got {other:?}"),
    };
    let op = h.pay("4242424242424242");
    assert_eq!(
        param(&h, op),
        (Some("userEmailAddress".into()), Some("required".into()))
    );
    let op = h.pay_with("4242424242424242", &DETAILS.replace("\"US\"", "\"U1\""));
    assert_eq!(
        param(&h, op),
        (
            Some("shippingDetails.address.countryCode".into()),
            Some("invalid_country".into())
        )
    );
    let op = h.pay_with("4242424242424242", &DETAILS.replace("\"Ada\"", "7"));
    assert_eq!(
        param(&h, op),
        (
            Some("shippingDetails.name".into()),
            Some("wrong_type".into())
        )
    );
    let op = h.pay_with("4242424242424242", "not json");
    assert_eq!(param(&h, op).1.as_deref(), Some("wrong_type"));
    assert!(h.posts().is_empty(), "nothing sent");
    assert!(!h.c.is_paying());
}

#[test]
fn the_details_go_into_the_pay_body_as_the_form_made_them() {
    let mut h = loaded_collecting();
    let op = h.pay_with("4242424242424242", DETAILS);
    let (id, req) = h.open_pay();
    let body: serde_json::Value =
        serde_json::from_str(req.body.as_deref().unwrap_or("")).expect("JSON body");
    assert_eq!(body["userEmailAddress"], "ada@example.com");
    let sent: serde_json::Value = serde_json::from_str(DETAILS).expect("JSON");
    assert_eq!(body["billingAddress"], sent["billingAddress"]);
    assert_eq!(body["shippingDetails"], sent["shippingDetails"]);
    assert_eq!(body["paymentMethod"]["card"]["number"], "4242424242424242");
    h.reply(id, ok(intent(2, "Captured")));
    assert!(h.result(op).is_ok());
}

#[test]
fn changed_details_after_an_unknown_outcome_are_a_new_attempt() {
    let mut h = loaded_collecting();
    let op = h.pay_with("4242424242424242", DETAILS);
    for _ in 0..=RetryPolicy::default().max_retries {
        let (id, _) = h.open_pay();
        h.fail(id);
        let (gid, _) = h.open_get();
        h.reply(gid, ok(intent_with(1, "Created", COLLECT_ALL)));
        if h.c.is_paying() {
            h.fire_next_timer();
        }
    }
    assert_eq!(h.err_code(op), ErrorCode::NetworkError);
    let key = |r: &Request| r.header("Idempotency-Key").map(str::to_string);
    let first = h.posts().first().and_then(|r| key(r));
    h.pay_with("4242424242424242", &DETAILS.replace("Ada", "Ada L"));
    assert_ne!(
        h.posts().last().and_then(|r| key(r)),
        first,
        "other details: another key"
    );
}
