//! Decoder tests: fixtures, field errors, round trips.
//! Test-only: the parent declares this module under #[cfg(test)].

use super::*;
use serde_json::{Map, Value};

/// Dojo's own "Auto" example response (OpenAPI, `POST /payment-intents`), with unknown extra fields.
const DOJO_EXAMPLE: &str = r#"{
  "id": "pi_sandbox_G_FeegU8WESxtY_Nct8jqw", "captureMode": "Auto", "cardHolderNotPresent": false,
  "clientSessionSecretExpirationDate": "0001-01-01T00:00:00Z", "status": "Created",
  "paymentMethods": ["Card"], "amount": {"value": 1000, "currencyCode": "GBP"},
  "totalAmount": {"value": 1000, "currencyCode": "GBP"}, "refundedAmount": 0,
  "createdAt": "2024-04-07T23:25:44.802258Z", "updatedAt": "2024-04-07T23:25:44.802258Z",
  "reference": "Order 234", "description": "Demo payment intent", "itemLines": [], "taxLines": [],
  "config": {"branding": {}, "tradingName": "Cam Test Ltd"}, "paymentSource": "api",
  "expireAt": "2024-05-07T23:25:44.8023189Z", "metadata": {"location-id": "rpl_bOppxLvOEsS"},
  "paymentEvents": [], "paymentLink": "https://pay.dojo.tech:443/checkout/pi_x", "terminalSessionHistory": []
}"#;

fn base() -> Value {
    serde_json::json!({
        "id": "pi_1", "status": "Created", "captureMode": "Manual",
        "amount": {"value": 1000, "currencyCode": "GBP"},
        "tipsAmount": {"value": 100, "currencyCode": "GBP"},
        "totalAmount": {"value": 1100, "currencyCode": "GBP"},
        "refundedAmount": 0,
        "clientSessionSecret": "cs_SECRET_value_42",
        "clientSessionSecretExpirationDate": "2030-01-01T00:00:00Z",
        "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": false}},
        "createdAt": "2024-04-07T23:25:44.802258Z", "updatedAt": "2024-04-07T23:25:45Z",
        "expireAt": "2024-05-07T23:25:44Z", "reference": "Order 1", "description": "d",
        "version": 3,
        "nextAction": {"type": "redirect_to_url", "url": "https://acs.example/3ds"},
        "lastPaymentError": {"code": "card_declined", "declineCode": "insufficient_funds"},
        "paymentEvents": [{"eventType": "Declined", "createdAt": "2024-04-07T23:25:45Z"},
                          {"eventType": "SomethingNew", "createdAt": "2024-04-07T23:25:46Z"}]
    })
}

/// Decodes `base()` with `edit` applied and returns the error code and field, or "ok".
fn check(dialect: Dialect, edit: impl FnOnce(&mut Map<String, Value>), expect: (&str, &str)) {
    let mut doc = base();
    if let Some(o) = doc.as_object_mut() {
        edit(o);
    }
    let bytes = serde_json::to_vec(&doc).unwrap();
    let got = match PaymentIntent::from_json(&bytes, dialect) {
        Ok(_) => ("ok".to_owned(), String::new()),
        Err(e) => (e.code().to_owned(), e.field.clone()),
    };
    assert_eq!((got.0.as_str(), got.1.as_str()), expect, "doc {doc}");
}

#[test]
fn decodes_dojo_example() {
    let pi = PaymentIntent::from_json(DOJO_EXAMPLE.as_bytes(), Dialect::Dojo).unwrap();
    assert_eq!(pi.id, "pi_sandbox_G_FeegU8WESxtY_Nct8jqw");
    assert_eq!(pi.amount, Money::from_code(1000, "GBP").unwrap());
    assert_eq!(pi.created_at.to_rfc3339(), "2024-04-07T23:25:44.802Z");
    assert_eq!(
        pi.canonical_status(Dialect::Dojo),
        Ok(CanonicalStatus::RequiresPaymentMethod)
    );
    assert_eq!(pi.config(), Some(IntentConfig::default()));
    assert!(pi.connect_token(Timestamp::from_unix_millis(0)).is_none());
}

#[test]
fn field_errors() {
    use Dialect::*;
    check(Dojo, |_| {}, ("ok", ""));
    check(
        Dojo,
        |o| drop(o.insert("surprise".into(), Value::from(1))),
        ("ok", ""),
    );
    check(Dojo, |o| drop(o.remove("id")), ("missing_field", "id"));
    check(
        Dojo,
        |o| drop(o.insert("id".into(), Value::Null)),
        ("missing_field", "id"),
    );
    check(
        Dojo,
        |o| drop(o.insert("id".into(), Value::from(7))),
        ("wrong_type", "id"),
    );
    check(
        Dojo,
        |o| drop(o.insert("id".into(), Value::from(""))),
        ("bad_length", "id"),
    );
    check(
        Dojo,
        |o| drop(o.insert("status".into(), "Failed".into())),
        ("unknown_status", "status"),
    );
    check(
        Dojo,
        |o| drop(o.insert("status".into(), "created".into())),
        ("unknown_status", "status"),
    );
    check(
        Stripe,
        |o| drop(o.insert("status".into(), "requires_capture".into())),
        ("ok", ""),
    );
    check(
        Stripe,
        |o| drop(o.insert("status".into(), "authorised".into())),
        ("unknown_status", "status"),
    );
    check(
        Setel,
        |o| drop(o.insert("status".into(), "authorised".into())),
        ("ok", ""),
    );
    check(
        Setel,
        |o| drop(o.insert("status".into(), "canceled".into())),
        ("unknown_status", "status"),
    );
    check(
        Dojo,
        |o| drop(o.insert("captureMode".into(), "Later".into())),
        ("out_of_range", "captureMode"),
    );
    check(
        Dojo,
        |o| drop(o.remove("amount")),
        ("missing_field", "amount"),
    );
    check(
        Dojo,
        |o| {
            drop(o.insert(
                "amount".into(),
                serde_json::json!({"value": -5, "currencyCode": "GBP"}),
            ))
        },
        ("negative_amount", "amount.value"),
    );
    check(
        Dojo,
        |o| {
            drop(o.insert(
                "amount".into(),
                serde_json::json!({"value": 0, "currencyCode": "GBP"}),
            ))
        },
        ("out_of_range", "amount.value"),
    );
    check(
        Dojo,
        |o| {
            drop(o.insert(
                "amount".into(),
                serde_json::json!({"value": 1e30, "currencyCode": "GBP"}),
            ))
        },
        ("wrong_type", "amount.value"),
    );
    check(
        Dojo,
        |o| {
            o.insert(
                "amount".into(),
                serde_json::json!({"value": 9_007_199_254_740_992i64, "currencyCode": "GBP"}),
            );
        },
        ("amount_too_large", "amount.value"),
    );
    check(
        Dojo,
        |o| {
            drop(o.insert(
                "amount".into(),
                serde_json::json!({"value": 5, "currencyCode": "ZZZ"}),
            ))
        },
        ("unknown_currency", "amount.currencyCode"),
    );
    check(
        Dojo,
        |o| drop(o.insert("amount".into(), serde_json::json!({"value": 5}))),
        ("missing_field", "amount.currencyCode"),
    );
    check(
        Dojo,
        |o| {
            drop(o.insert(
                "tipsAmount".into(),
                serde_json::json!({"value": 5, "currencyCode": "EUR"}),
            ))
        },
        ("currency_mismatch", "tipsAmount.currencyCode"),
    );
    check(
        Dojo,
        |o| drop(o.insert("refundedAmount".into(), (-1).into())),
        ("negative_amount", "refundedAmount"),
    );
    check(
        Dojo,
        |o| drop(o.insert("refundedAmount".into(), 1101.into())),
        ("out_of_range", "refundedAmount"),
    );
    check(
        Dojo,
        |o| drop(o.insert("refundedAmount".into(), "5".into())),
        ("wrong_type", "refundedAmount"),
    );
    check(
        Dojo,
        |o| drop(o.insert("createdAt".into(), "yesterday".into())),
        ("invalid_timestamp", "createdAt"),
    );
    check(
        Dojo,
        |o| drop(o.remove("updatedAt")),
        ("missing_field", "updatedAt"),
    );
    check(
        Dojo,
        |o| drop(o.insert("version".into(), 0.into())),
        ("out_of_range", "version"),
    );
    check(
        Dojo,
        |o| drop(o.insert("version".into(), (-3).into())),
        ("out_of_range", "version"),
    );
    check(
        Dojo,
        |o| drop(o.insert("version".into(), "3".into())),
        ("wrong_type", "version"),
    );
    check(
        Dojo,
        |o| {
            drop(o.insert(
                "config".into(),
                serde_json::json!({"payment": {"tipsAllowed": "yes"}}),
            ))
        },
        ("wrong_type", "config.payment.tipsAllowed"),
    );
    check(
        Dojo,
        |o| {
            drop(o.insert(
                "nextAction".into(),
                serde_json::json!({"type": "redirect_to_url"}),
            ))
        },
        ("missing_field", "nextAction.url"),
    );
    check(
        Dojo,
        |o| {
            drop(o.insert(
                "lastPaymentError".into(),
                serde_json::json!({"message": "x"}),
            ))
        },
        ("missing_field", "lastPaymentError.code"),
    );
    check(
        Dojo,
        |o| {
            drop(o.insert(
                "paymentEvents".into(),
                serde_json::json!([{"eventType": "Declined"}]),
            ))
        },
        ("missing_field", "paymentEvents[0].createdAt"),
    );
    check(
        Dojo,
        |o| drop(o.insert("autoExpireIn".into(), "soon".into())),
        ("invalid_timestamp", "autoExpireIn"),
    );
    check(
        Dojo,
        |o| drop(o.insert("reference".into(), "x".repeat(5000).into())),
        ("bad_length", "reference"),
    );
}

#[test]
fn not_json_and_not_objects() {
    for bad in [
        &b""[..],
        b"nul",
        b"[]",
        b"42",
        b"\"str\"",
        b"{",
        b"\xff\xfe",
    ] {
        let e = PaymentIntent::from_json(bad, Dialect::Dojo).unwrap_err();
        assert_eq!(e.field, "$");
        assert!(matches!(e.code(), "invalid_json" | "wrong_type"), "{e}");
    }
}

#[test]
fn round_trip_and_views() {
    let bytes = serde_json::to_vec(&base()).unwrap();
    let pi = PaymentIntent::from_json(&bytes, Dialect::Dojo).unwrap();
    assert_eq!(pi.payment_events[1].event_type, PaymentEventType::Unknown);
    assert_eq!(
        pi.canonical_status(Dialect::Dojo),
        Ok(CanonicalStatus::RequiresAction)
    );
    let again = PaymentIntent::from_json(pi.to_json().as_bytes(), Dialect::Dojo).unwrap();
    assert_eq!(again, pi);
    let merchant: Value = serde_json::from_str(&pi.merchant_view().to_json()).unwrap();
    let keys: Vec<&str> = merchant
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    for addition in [
        "version",
        "nextAction",
        "lastPaymentError",
        "paymentEvents",
        "capturedAmount",
    ] {
        assert!(!keys.contains(&addition), "{addition} in merchant view");
    }
    // Every key of the merchant view is a property of Dojo's PaymentIntent schema.
    let dojo_props = [
        "id",
        "captureMode",
        "clientSessionSecret",
        "clientSessionSecretExpirationDate",
        "status",
        "amount",
        "tipsAmount",
        "totalAmount",
        "refundedAmount",
        "createdAt",
        "updatedAt",
        "reference",
        "description",
        "config",
        "autoExpireAction",
        "expireAt",
        "autoExpireIn",
    ];
    for k in keys {
        assert!(dojo_props.contains(&k), "{k} is not in Dojo's schema");
    }
}

#[test]
fn secret_never_in_debug() {
    let bytes = serde_json::to_vec(&base()).unwrap();
    let pi = PaymentIntent::from_json(&bytes, Dialect::Dojo).unwrap();
    let now = Timestamp::from_unix_millis(0);
    let dbg = format!("{pi:?} {:?}", pi.connect_token(now));
    assert!(!dbg.contains("cs_SECRET_value_42"), "{dbg}");
    assert_eq!(
        pi.connect_token(now).unwrap().expose(),
        "cs_SECRET_value_42"
    );
    assert!(
        pi.to_json().contains("cs_SECRET_value_42"),
        "the browser view carries the secret"
    );
}

#[test]
fn lifecycle_state_from_snapshot() {
    let bytes = serde_json::to_vec(&base()).unwrap();
    let pi = PaymentIntent::from_json(&bytes, Dialect::Dojo).unwrap();
    let st = pi.lifecycle_state(Dialect::Dojo).unwrap();
    assert_eq!(st.status(), CanonicalStatus::RequiresAction);
    assert_eq!(st.amount().minor_units(), 1100);
    assert_eq!(st.attempts(), 1);
    assert_eq!(
        st.last_failure_at(),
        Some(Timestamp::parse_rfc3339("2024-04-07T23:25:45Z").unwrap())
    );
    let mut refunded = pi.clone();
    refunded.status = "Captured".into();
    refunded.next_action = None;
    refunded.refunded_amount = 100;
    assert_eq!(
        refunded.canonical_status(Dialect::Dojo),
        Ok(CanonicalStatus::PartiallyRefunded)
    );
    refunded.status = "Refunded".into();
    refunded.refunded_amount = 1100;
    assert_eq!(
        refunded.canonical_status(Dialect::Dojo),
        Ok(CanonicalStatus::Refunded)
    );
    let mut stripe = refunded.clone();
    stripe.status = "succeeded".into();
    assert_eq!(
        stripe.canonical_status(Dialect::Stripe),
        Ok(CanonicalStatus::Refunded)
    );
    stripe.refunded_amount = 0;
    assert_eq!(
        stripe.canonical_status(Dialect::Stripe),
        Ok(CanonicalStatus::Succeeded)
    );
}

/// `base()` as JSON text with `members` (raw JSON) added last, or first.
fn with_raw(members: &str, first: bool) -> String {
    let text = serde_json::to_string(&base()).unwrap();
    let inner = &text[1..text.len() - 1];
    if first {
        format!("{{{members},{inner}}}")
    } else {
        format!("{{{inner},{members}}}")
    }
}

/// The decode's outcome as ("ok" | error code, field).
fn outcome(text: &str) -> (String, String) {
    match PaymentIntent::from_json(text.as_bytes(), Dialect::Dojo) {
        Ok(_) => ("ok".into(), String::new()),
        Err(e) => (e.code().into(), e.field),
    }
}

/// The outcome when serde_json reads the text first (what `from_json` did before it had its own reader).
fn serde_outcome(text: &str) -> (String, String) {
    match serde_json::from_str::<Value>(text) {
        Ok(doc) => match PaymentIntent::from_value(&doc, Dialect::Dojo) {
            Ok(_) => ("ok".into(), String::new()),
            Err(e) => (e.code().into(), e.field),
        },
        Err(_) => ("invalid_json".into(), "$".into()),
    }
}

fn expect(code: &str, field: &str) -> (String, String) {
    (code.into(), field.into())
}

#[test]
fn integer_fields_take_plain_integers_only() {
    for (members, code, field) in [
        (r#""refundedAmount":100"#, "ok", ""),
        (r#""refundedAmount":1e2"#, "wrong_type", "refundedAmount"),
        (r#""refundedAmount":100.0"#, "wrong_type", "refundedAmount"),
        (r#""refundedAmount":-0"#, "wrong_type", "refundedAmount"),
        (r#""capturedAmount":1.5"#, "wrong_type", "capturedAmount"),
        (
            r#""amount":{"value":1000.0,"currencyCode":"GBP"}"#,
            "wrong_type",
            "amount.value",
        ),
        (
            r#""amount":{"value":1E3,"currencyCode":"GBP"}"#,
            "wrong_type",
            "amount.value",
        ),
        (
            r#""amount":{"value":9223372036854775808,"currencyCode":"GBP"}"#,
            "wrong_type",
            "amount.value",
        ),
        (
            r#""amount":{"value":123456789012345678901234567890,"currencyCode":"GBP"}"#,
            "wrong_type",
            "amount.value",
        ),
        (r#""version":3.0"#, "out_of_range", "version"),
        (r#""version":3e0"#, "out_of_range", "version"),
        (r#""version":-0"#, "out_of_range", "version"),
        (
            r#""version":18446744073709551616"#,
            "out_of_range",
            "version",
        ),
        (r#""version":1e19"#, "out_of_range", "version"),
        (r#""version":18446744073709551615"#, "ok", ""),
        (r#""version":true"#, "wrong_type", "version"),
    ] {
        let text = with_raw(members, false);
        assert_eq!(outcome(&text), expect(code, field), "{members}");
        assert_eq!(
            serde_outcome(&text),
            expect(code, field),
            "serde: {members}"
        );
    }
    // The one difference: serde_json refuses numbers beyond f64 as invalid JSON; here they are valid JSON
    // and the wrong type for an integer field (or out of range for `version`).
    let huge = with_raw(r#""refundedAmount":1e400"#, false);
    assert_eq!(outcome(&huge), expect("wrong_type", "refundedAmount"));
    assert_eq!(serde_outcome(&huge), expect("invalid_json", "$"));
    let huge = with_raw(r#""version":-1e400"#, false);
    assert_eq!(outcome(&huge), expect("out_of_range", "version"));
}

#[test]
fn repeated_keys_mean_their_last_value_like_serde() {
    for (members, first, code, field) in [
        (r#""status":"Failed""#, false, "unknown_status", "status"),
        (r#""status":"Failed""#, true, "ok", ""),
        (r#""status":"Captured","status":"Created""#, false, "ok", ""),
        (
            r#""amount":{"value":5,"currencyCode":"GBP","value":-1}"#,
            false,
            "negative_amount",
            "amount.value",
        ),
        (r#""nextAction":null"#, false, "ok", ""),
        (r#""id":null"#, false, "missing_field", "id"),
        (r#""id":7"#, true, "ok", ""),
    ] {
        let text = with_raw(members, first);
        assert_eq!(outcome(&text), expect(code, field), "{members}");
        assert_eq!(
            serde_outcome(&text),
            expect(code, field),
            "serde: {members}"
        );
    }
}

#[test]
fn malformed_json_anywhere_is_invalid_json() {
    let deep = |n: usize| {
        with_raw(
            &format!(r#""extra":{}{}"#, "[".repeat(n), "]".repeat(n)),
            false,
        )
    };
    // The intent object itself is one level.
    let ok = deep(json::MAX_DEPTH - 1);
    assert_eq!(outcome(&ok), expect("ok", ""));
    assert_eq!(serde_outcome(&ok), expect("ok", ""));
    let too_deep = deep(json::MAX_DEPTH);
    assert_eq!(outcome(&too_deep), expect("invalid_json", "$"));
    assert_eq!(serde_outcome(&too_deep), expect("invalid_json", "$"));
    let hostile = with_raw(&format!(r#""extra":{}"#, "[{\"a\":".repeat(200_000)), false);
    assert_eq!(outcome(&hostile), expect("invalid_json", "$"));
    for members in [
        r#""extra":[1,]"#,
        r#""extra":"\x""#,
        r#""extra":01"#,
        r#""extra":"\ud800""#,
        r#""extra":"unterminated"#,
        r#""extra":tru"#,
        r#""extra":{"a" 1}"#,
        r#""reference":"tab	inside""#,
    ] {
        let text = with_raw(members, false);
        assert_eq!(outcome(&text), expect("invalid_json", "$"), "{members}");
        assert_eq!(
            serde_outcome(&text),
            expect("invalid_json", "$"),
            "serde: {members}"
        );
    }
    let text = with_raw(r#""a":1"#, false);
    assert_eq!(outcome(&(text.clone() + " \n\t")), expect("ok", ""));
    assert_eq!(outcome(&(text.clone() + "x")), expect("invalid_json", "$"));
    assert_eq!(outcome(&(text.clone() + "{}")), expect("invalid_json", "$"));
    let mut bytes = with_raw(r#""reference":"é""#, false).into_bytes();
    let at = bytes.iter().position(|&b| b == 0xC3).unwrap();
    bytes[at + 1] = 0x28;
    let e = PaymentIntent::from_json(&bytes, Dialect::Dojo).unwrap_err();
    assert_eq!((e.code(), e.field.as_str()), ("invalid_json", "$"));
}

#[test]
fn escaped_strings_keys_and_lengths() {
    let text = with_raw(r#""r\u0065ference":"Order \u0031 \ud83d\ude00\n""#, false);
    let pi = PaymentIntent::from_json(text.as_bytes(), Dialect::Dojo).unwrap();
    assert_eq!(pi.reference.as_deref(), Some("Order 1 😀\n"));
    assert_eq!(
        pi,
        PaymentIntent::from_value(&serde_json::from_str(&text).unwrap(), Dialect::Dojo).unwrap()
    );
    // Lengths count the unescaped text.
    let escaped = |n: usize| with_raw(&format!(r#""reference":"{}""#, r"\u0041".repeat(n)), false);
    let pi = PaymentIntent::from_json(escaped(MAX_STRING_LEN).as_bytes(), Dialect::Dojo).unwrap();
    assert_eq!(pi.reference.map(|r| r.len()), Some(MAX_STRING_LEN));
    assert_eq!(
        outcome(&escaped(MAX_STRING_LEN + 1)),
        expect("bad_length", "reference")
    );
    let long = with_raw(
        &format!(r#""description":"{}""#, "x".repeat(1_000_000)),
        false,
    );
    assert_eq!(outcome(&long), expect("bad_length", "description"));
    let bad_escape = with_raw(r#""reference":"\ud800\ue000""#, false);
    assert_eq!(outcome(&bad_escape), expect("invalid_json", "$"));
}

#[test]
fn event_names_agree_with_serde() {
    use PaymentEventType::*;
    for t in [
        Created,
        Authorized,
        Captured,
        Reversed,
        Refunded,
        Canceled,
        AuthChallenged,
        Declined,
        ManualAuthReady,
        Error,
        Unknown,
    ] {
        let name = serde_json::to_value(t).unwrap();
        assert_eq!(PaymentEventType::from_name(name.as_str().unwrap()), t);
    }
    for other in ["SomethingNew", "", "created"] {
        let via_serde: PaymentEventType = serde_json::from_value(Value::from(other)).unwrap();
        assert_eq!(
            (PaymentEventType::from_name(other), via_serde),
            (Unknown, Unknown)
        );
    }
}
