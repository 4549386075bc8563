//! Property tests of the pure core: lifecycle invariants under random triggers, the mirror under shuffled and
//! duplicated snapshots, and decoders that never panic on arbitrary input.
#![cfg(not(target_arch = "wasm32"))]

use intent_checkout::core::card::{format_for_display, validate_card};
use intent_checkout::core::intent::{NextAction, PaymentIntent};
use intent_checkout::core::json;
use intent_checkout::core::lifecycle::{
    apply, next_deadline, AutoExpireAction, CanonicalStatus, CaptureMode, Dialect, LifecycleState,
    PaymentError, Trigger,
};
use intent_checkout::core::mirror::Mirror;
use intent_checkout::core::money::{Money, MAX_MINOR_UNITS};
use intent_checkout::core::time::{Duration, Timestamp};
use intent_checkout::core::token::SecretString;
use proptest::prelude::*;

const AMOUNT: i64 = 1000;

fn money(v: i64, eur: bool) -> Money {
    Money::from_code(v, if eur { "EUR" } else { "GBP" }).unwrap()
}

fn dialect() -> impl Strategy<Value = Dialect> {
    prop_oneof![
        Just(Dialect::Dojo),
        Just(Dialect::Stripe),
        Just(Dialect::Setel)
    ]
}

fn mode() -> impl Strategy<Value = CaptureMode> {
    prop_oneof![Just(CaptureMode::Auto), Just(CaptureMode::Manual)]
}

fn trigger() -> impl Strategy<Value = Trigger> {
    let amount = (0..AMOUNT + 200, prop::bool::weighted(0.05)).prop_map(|(v, eur)| money(v, eur));
    prop_oneof![
        1 => Just(Trigger::AttachPaymentMethod),
        1 => Just(Trigger::Confirm),
        3 => Just(Trigger::Authorise),
        2 => Just(Trigger::Decline(PaymentError::new("card_declined"))),
        1 => Just(Trigger::RequireAction),
        1 => Just(Trigger::ActionCompleted),
        1 => Just(Trigger::ActionFailed(PaymentError::new("authentication_failed"))),
        2 => Just(Trigger::Settle),
        1 => Just(Trigger::Capture(None)),
        2 => amount.clone().prop_map(|m| Trigger::Capture(Some(m))),
        1 => Just(Trigger::Reverse),
        3 => amount.prop_map(Trigger::Refund),
        1 => Just(Trigger::Cancel),
        2 => Just(Trigger::Expire),
    ]
}

/// Random steps: a trigger and how much time passes before it (up to 40 days).
fn steps() -> impl Strategy<Value = Vec<(Trigger, i64)>> {
    prop::collection::vec((trigger(), 0..40 * 86_400_000i64), 0..40)
}

fn fresh(d: Dialect, m: CaptureMode, max_attempts: u32, capture_on_expiry: bool) -> LifecycleState {
    let action = if capture_on_expiry {
        AutoExpireAction::Capture
    } else {
        AutoExpireAction::Release
    };
    LifecycleState::new(d, m, money(AMOUNT, false), Timestamp::from_unix_millis(0))
        .with_max_confirmation_attempts(max_attempts)
        .with_auto_expire_action(action)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Random trigger sequences never leave the dialect's statuses, never refund more than was captured or
    /// capture more than was authorised, and terminal states absorb every trigger.
    #[test]
    fn lifecycle_invariants(d in dialect(), m in mode(), max in 1u32..6, cap in any::<bool>(), steps in steps()) {
        let mut st = fresh(d, m, max, cap);
        let mut now = 0i64;
        for (trig, dt) in steps {
            now += dt;
            let before = st.clone();
            match apply(&st, trig.clone(), Timestamp::from_unix_millis(now)) {
                Ok(tr) => {
                    prop_assert!(!before.is_terminal(), "terminal {:?} accepted {:?}", before.status(), trig);
                    prop_assert_eq!(tr.from, before.status());
                    prop_assert_eq!(tr.to, tr.state.status());
                    prop_assert!(d.table().contains(&tr.rule));
                    st = tr.state;
                }
                Err(e) => {
                    if before.is_terminal() {
                        prop_assert_eq!(e.code(), "terminal_status");
                    }
                    prop_assert!(!e.code().is_empty());
                }
            }
            prop_assert!(d.has_status(st.status()), "{:?} not in {:?}", st.status(), d);
            prop_assert!(d.wire_name(st.status()).is_ok());
            prop_assert!(0 <= st.refunded() && st.refunded() <= st.captured(), "refunded {} captured {}", st.refunded(), st.captured());
            prop_assert!(st.captured() <= st.amount().minor_units());
            prop_assert!(st.attempts() <= 40);
            if st.status() == CanonicalStatus::Refunded {
                prop_assert_eq!(st.refunded(), st.captured());
            }
            if let Some((at, Trigger::Expire)) = next_deadline(&st) {
                // A due deadline always has a legal Expire.
                let far = at.saturating_add(Duration::from_millis(1));
                prop_assert!(apply(&st, Trigger::Expire, far).is_ok());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// The mirror never goes backwards: shuffled and duplicated snapshots end at the newest one, and the
    /// version it holds never decreases.
    #[test]
    fn mirror_never_goes_backwards(
        d in dialect(), m in mode(), steps in steps(), order in prop::collection::vec(any::<prop::sample::Index>(), 0..80)
    ) {
        let mut st = fresh(d, m, 3, false);
        let mut snaps = vec![snapshot(&st, 1, 0)];
        let mut now = 0;
        for (trig, dt) in steps {
            now += dt;
            if let Ok(tr) = apply(&st, trig, Timestamp::from_unix_millis(now)) {
                st = tr.state;
                let v = snaps.len() as u64 + 1;
                snaps.push(snapshot(&st, v, now));
            }
        }
        let mut mirror = Mirror::new(d);
        let mut seen_max = 0u64;
        let mut feed: Vec<&PaymentIntent> = order.iter().map(|i| &snaps[i.index(snaps.len())]).collect();
        feed.extend(snaps.iter().rev()); // every snapshot at least once, newest first
        for s in feed {
            let changes = mirror.apply_snapshot(s.clone());
            let v = mirror.current().and_then(|c| c.version).unwrap_or(0);
            prop_assert!(v >= seen_max);
            if v == seen_max {
                prop_assert!(changes.is_empty() || seen_max == 0);
            }
            seen_max = v;
        }
        let newest = snaps.last().unwrap();
        prop_assert_eq!(mirror.current(), Some(newest));
        prop_assert_eq!(mirror.status(), newest.canonical_status(d).ok());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Decoding arbitrary bytes never panics.
    #[test]
    fn decode_arbitrary_bytes(d in dialect(), bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = PaymentIntent::from_json(&bytes, d);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// The core's JSON reader accepts exactly what serde_json accepts on JSON-like text (numbers kept to
    /// f64's range, where serde_json refuses more), never panics, and its raw values are JSON again.
    #[test]
    fn json_reader_agrees_with_serde(
        text in prop_oneof![
            r#"[ \[\]{}",:0-9a-z\\.eE+-]{0,24}"#.boxed(),
            prop::collection::vec(
                prop::sample::select(vec![
                    "{", "}", "[", "]", ",", ":", " ", "\"k\"", "\"\\u00e9\\n\"", "\"\\ud800\"", "\"\\q\"",
                    "0", "-1", "1.5e-3", "01", "1.", "true", "null", "nul",
                ]),
                0..16,
            )
            .prop_map(|t| t.concat())
            .boxed(),
        ],
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let ours = json::value(&text).is_some();
        prop_assert_eq!(ours, serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{:?}", text);
        if let Some(items) = json::object(&text).or_else(|| json::array(&text)) {
            for (_, raw) in items {
                prop_assert!(serde_json::from_str::<serde_json::Value>(raw).is_ok());
                let _ = (json::int(raw), json::uint(raw), json::string(raw), json::boolean(raw));
            }
        }
        let lossy = String::from_utf8_lossy(&bytes);
        let _ = (json::members(&lossy), json::string(&lossy), json::int(&lossy), json::str_at(&lossy, "a"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// Decoding JSON-shaped mutations of a valid intent never panics, and what decodes re-encodes and decodes
    /// to the same value.
    #[test]
    fn decode_mutated_documents(
        d in dialect(),
        key in prop::sample::select(vec![
            "id", "status", "captureMode", "amount", "tipsAmount", "totalAmount", "refundedAmount",
            "clientSessionSecret", "clientSessionSecretExpirationDate", "config", "createdAt", "updatedAt",
            "expireAt", "autoExpireAction", "autoExpireIn", "version", "nextAction", "lastPaymentError",
            "paymentEvents", "capturedAmount", "unknownExtra",
        ]),
        value in json_value(),
    ) {
        let mut doc = serde_json::json!({
            "id": "pi_1", "status": "Created", "amount": {"value": 1000, "currencyCode": "GBP"},
            "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z",
        });
        doc[key] = value;
        if let Ok(pi) = PaymentIntent::from_value(&doc, d) {
            let again = PaymentIntent::from_json(pi.to_json().as_bytes(), d);
            prop_assert_eq!(again.as_ref(), Ok(&pi));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// RFC 3339 parsing never panics; formatting round-trips every representable millisecond.
    #[test]
    fn time_round_trip(s in ".{0,40}", ms in Timestamp::MIN.as_unix_millis()..=Timestamp::MAX.as_unix_millis()) {
        let _ = Timestamp::parse_rfc3339(&s);
        let _ = Duration::parse_timespan(&s);
        let t = Timestamp::from_unix_millis(ms);
        prop_assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Ok(t));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Card checks never panic, never echo the number, and Luhn-valid Visa numbers pass.
    #[test]
    fn card_checks(number in "[0-9 \\-a]{0,25}", month in 0u32..14, year in 0u32..3000, cvc in "[0-9a]{0,5}") {
        let now = Timestamp::from_unix_millis(1_800_000_000_000);
        let result = validate_card(&number, month, year, &cvc, now);
        let _ = format_for_display(&number);
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 8 {
            let text = format!("{:?}", result);
            prop_assert!(!text.contains(&digits));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Money arithmetic is checked: no panics, and results stay within bounds.
    #[test]
    fn money_checked(a in -10i64..=MAX_MINOR_UNITS, b in any::<i64>()) {
        if let (Ok(x), Ok(y)) = (Money::from_code(a, "JPY"), Money::from_code(b, "JPY")) {
            if let Ok(s) = x.checked_add(y) { prop_assert_eq!(s.minor_units(), a + b); }
            if let Ok(s) = x.checked_sub(y) { prop_assert_eq!(s.minor_units(), a - b); }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The connect token's secret never appears in `Debug` of anything that holds it.
    #[test]
    fn secret_never_in_debug(secret in "[A-Za-z0-9_]{12,40}") {
        let mut st = fresh(Dialect::Dojo, CaptureMode::Auto, 3, false);
        st = apply(&st, Trigger::Decline(PaymentError::new("card_declined")), Timestamp::from_unix_millis(1)).unwrap().state;
        let mut pi = snapshot(&st, 1, 1);
        pi.client_session_secret = Some(SecretString::new(secret.clone()));
        pi.client_session_secret_expiration_date = Some(Timestamp::from_unix_millis(10_000_000));
        let token = pi.connect_token(Timestamp::from_unix_millis(0)).unwrap();
        let mut mirror = Mirror::new(Dialect::Dojo);
        let changes = mirror.apply_snapshot(pi.clone());
        let text = format!("{pi:?} {token:?} {token} {changes:?} {mirror:?} {:?}", mirror.refresh_needed(&token, Timestamp::from_unix_millis(2)));
        prop_assert!(!text.contains(&secret));
        prop_assert_eq!(token.expose(), secret.as_str());
    }
}

/// A browser-view snapshot of `st`, as the sandbox would serve it.
fn snapshot(st: &LifecycleState, version: u64, updated: i64) -> PaymentIntent {
    let doc = serde_json::json!({
        "id": "pi_prop", "status": st.wire_status(), "amount": {"value": AMOUNT, "currencyCode": "GBP"},
        "captureMode": if st.capture_mode() == CaptureMode::Auto { "Auto" } else { "Manual" },
        "createdAt": "1970-01-01T00:00:00Z", "updatedAt": Timestamp::from_unix_millis(updated).to_rfc3339(),
        "refundedAmount": st.refunded(), "capturedAmount": st.captured(), "version": version,
    });
    let mut pi = PaymentIntent::from_value(&doc, st.dialect()).unwrap();
    if st.status() == CanonicalStatus::RequiresAction {
        pi.next_action = Some(NextAction {
            kind: "redirect_to_url".into(),
            url: "https://acs.example/3ds".into(),
        });
    }
    pi.last_payment_error = st.last_error().cloned();
    pi
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{json, Value};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        ".{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "Created",
            "Captured",
            "succeeded",
            "authorised",
            "Manual",
            "Capture",
            "GBP",
            "JPY",
            "2024-02-29T12:00:00.123456+05:30",
            "6.23:59:59",
            "00:00:55",
        ])
        .prop_map(Value::from),
        Just(json!({"value": 5, "currencyCode": "GBP"})),
        Just(json!({"value": -5, "currencyCode": "GBP"})),
        Just(json!({"type": "redirect_to_url", "url": "https://x"})),
        Just(json!({"code": "card_declined"})),
        Just(json!([{"eventType": "Declined", "createdAt": "2024-01-01T00:00:00Z"}])),
        Just(json!({"payment": {"tipsAllowed": true}})),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
