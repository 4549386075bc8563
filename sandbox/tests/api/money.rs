//! Every money movement, booked exactly: each case pays, captures, refunds, reverses or lets time pass,
//! then the ledger must hold exactly the expected movements for that intent, in order, and its totals
//! must add up. A change that books one movement too few, too many or of the wrong size fails here.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

#[derive(Clone, Copy, Debug)]
enum Step {
    Pay(&'static str),
    /// Completes the pending 3-D Secure challenge (approved or not).
    Challenge(bool),
    Capture(Option<i64>),
    Refund(Option<i64>),
    Reverse,
    Cancel,
    /// Moves the test clock on (seconds); due timers run before it answers.
    Advance(f64),
}

use Step::*;

const DAY: f64 = 86_400.0;
const OK: u16 = 200;

struct Case {
    name: &'static str,
    dialect: &'static str,
    mode: &'static str,
    amount: i64,
    tips: i64,
    /// Each step with the HTTP status it must answer.
    steps: &'static [(Step, u16)],
    /// The wire status at the end.
    status: &'static str,
    /// The intent's ledger: (movement, amount), in order.
    booked: &'static [(&'static str, i64)],
}

const CASES: &[Case] = &[
    Case {
        name: "dojo auto: one charge",
        dialect: "dojo",
        mode: "Auto",
        amount: 1000,
        tips: 0,
        steps: &[(Pay("4242424242424242"), OK)],
        status: "Captured",
        booked: &[("charge", 1000)],
    },
    Case {
        name: "dojo auto: the tip is charged with the amount",
        dialect: "dojo",
        mode: "Auto",
        amount: 1000,
        tips: 250,
        steps: &[(Pay("4242424242424242"), OK)],
        status: "Captured",
        booked: &[("charge", 1250)],
    },
    Case {
        name: "dojo auto: a decline books nothing, the next card is charged once",
        dialect: "dojo",
        mode: "Auto",
        amount: 1000,
        tips: 0,
        steps: &[
            (Pay("4000000000000002"), OK),
            (Pay("4000000000009995"), OK),
            (Pay("5555555555554444"), OK),
        ],
        status: "Captured",
        booked: &[("charge", 1000)],
    },
    Case {
        name: "dojo auto: reversing a captured payment refunds all of it",
        dialect: "dojo",
        mode: "Auto",
        amount: 1000,
        tips: 0,
        steps: &[(Pay("4242424242424242"), OK), (Reverse, OK)],
        status: "Reversed",
        booked: &[("charge", 1000), ("refund", 1000)],
    },
    Case {
        name: "dojo auto: partial refunds, then the rest",
        dialect: "dojo",
        mode: "Auto",
        amount: 1000,
        tips: 0,
        steps: &[
            (Pay("4242424242424242"), OK),
            (Refund(Some(300)), OK),
            (Reverse, 409),
            (Refund(Some(1)), OK),
            (Refund(None), OK),
            (Refund(Some(1)), 409),
        ],
        status: "Refunded",
        booked: &[
            ("charge", 1000),
            ("refund", 300),
            ("refund", 1),
            ("refund", 699),
        ],
    },
    Case {
        name: "dojo auto: 3-D Secure approved charges once, failed charges nothing",
        dialect: "dojo",
        mode: "Auto",
        amount: 1000,
        tips: 0,
        steps: &[
            (Pay("4000000000003220"), OK),
            (Challenge(false), OK),
            (Pay("4000000000003220"), OK),
            (Challenge(true), OK),
        ],
        status: "Captured",
        booked: &[("charge", 1000)],
    },
    Case {
        name: "dojo auto: an asynchronous card is charged when it settles",
        dialect: "dojo",
        mode: "Auto",
        amount: 1000,
        tips: 0,
        steps: &[(Pay("4000000000000077"), OK), (Advance(4.0), OK)],
        status: "Captured",
        booked: &[("charge", 1000)],
    },
    Case {
        name: "dojo manual: held, then captured in full",
        dialect: "dojo",
        mode: "Manual",
        amount: 1000,
        tips: 0,
        steps: &[(Pay("4242424242424242"), OK), (Capture(None), OK)],
        status: "Captured",
        booked: &[("authorization", 1000), ("capture", 1000)],
    },
    Case {
        name: "dojo manual: reversing a hold releases it",
        dialect: "dojo",
        mode: "Manual",
        amount: 1000,
        tips: 0,
        steps: &[(Pay("4242424242424242"), OK), (Reverse, OK), (Reverse, 409)],
        status: "Reversed",
        booked: &[("authorization", 1000), ("release", 1000)],
    },
    Case {
        name:
            "dojo manual: reversing a part-captured payment refunds the capture, releases the rest",
        dialect: "dojo",
        mode: "Manual",
        amount: 1000,
        tips: 0,
        steps: &[
            (Pay("4242424242424242"), OK),
            (Capture(Some(600)), OK),
            (Reverse, OK),
        ],
        status: "Reversed",
        booked: &[
            ("authorization", 1000),
            ("capture", 600),
            ("release", 400),
            ("refund", 600),
        ],
    },
    Case {
        name: "dojo manual: the hold still stands after six days",
        dialect: "dojo",
        mode: "Manual",
        amount: 1000,
        tips: 0,
        steps: &[(Pay("4242424242424242"), OK), (Advance(6.0 * DAY), OK)],
        status: "Authorized",
        booked: &[("authorization", 1000)],
    },
    Case {
        name: "dojo manual: the 7-day lapse releases the held money",
        dialect: "dojo",
        mode: "Manual",
        amount: 1000,
        tips: 0,
        steps: &[
            (Pay("4242424242424242"), OK),
            (Advance(7.0 * DAY + 1.0), OK),
            (Capture(None), 409),
        ],
        status: "Reversed",
        booked: &[("authorization", 1000), ("release", 1000)],
    },
    Case {
        name: "stripe manual: capture settles through processing",
        dialect: "stripe",
        mode: "Manual",
        amount: 1000,
        tips: 0,
        steps: &[
            (Pay("4242424242424242"), OK),
            (Capture(None), OK),
            (Advance(0.0), OK),
        ],
        status: "succeeded",
        booked: &[("authorization", 1000), ("capture", 1000)],
    },
    Case {
        name: "stripe manual: cancelling a hold releases it",
        dialect: "stripe",
        mode: "Manual",
        amount: 1000,
        tips: 0,
        steps: &[(Pay("4242424242424242"), OK), (Cancel, OK)],
        status: "canceled",
        booked: &[("authorization", 1000), ("release", 1000)],
    },
    Case {
        name: "stripe manual: a reversal of a hold cancels it and releases it; before paying it is refused",
        dialect: "stripe",
        mode: "Manual",
        amount: 1000,
        tips: 0,
        steps: &[
            (Reverse, 409),
            (Pay("4242424242424242"), OK),
            (Reverse, OK),
        ],
        status: "canceled",
        booked: &[("authorization", 1000), ("release", 1000)],
    },
    Case {
        name: "stripe manual: a hold lapses after 7 days",
        dialect: "stripe",
        mode: "Manual",
        amount: 1000,
        tips: 0,
        steps: &[
            (Pay("4242424242424242"), OK),
            (Advance(7.0 * DAY + 1.0), OK),
        ],
        status: "canceled",
        booked: &[("authorization", 1000), ("release", 1000)],
    },
    Case {
        name: "stripe auto: refunds leave `succeeded` but are booked",
        dialect: "stripe",
        mode: "Auto",
        amount: 1000,
        tips: 0,
        steps: &[
            (Pay("4242424242424242"), OK),
            (Refund(Some(400)), OK),
            (Refund(None), OK),
        ],
        status: "succeeded",
        booked: &[("charge", 1000), ("refund", 400), ("refund", 600)],
    },
    Case {
        name: "setel auto: a direct capture is charged when processing ends",
        dialect: "setel",
        mode: "Auto",
        amount: 5000,
        tips: 0,
        steps: &[(Pay("4242424242424242"), OK), (Advance(0.0), OK)],
        status: "succeeded",
        booked: &[("charge", 5000)],
    },
    Case {
        name: "setel manual: a hold lapses after 30 minutes",
        dialect: "setel",
        mode: "Manual",
        amount: 5000,
        tips: 0,
        steps: &[(Pay("4242424242424242"), OK), (Advance(31.0 * 60.0), OK)],
        status: "expired",
        booked: &[("authorization", 5000), ("release", 5000)],
    },
    Case {
        name: "setel manual: capture, then a partial refund",
        dialect: "setel",
        mode: "Manual",
        amount: 5000,
        tips: 0,
        steps: &[
            (Pay("4242424242424242"), OK),
            (Capture(None), OK),
            (Advance(0.0), OK),
            (Refund(Some(1)), OK),
        ],
        status: "partially_refunded",
        booked: &[("authorization", 5000), ("capture", 5000), ("refund", 1)],
    },
];

#[tokio::test]
async fn every_movement_is_booked_exactly_once() {
    let sb = start().await;
    for case in CASES {
        check(&sb, case).await;
    }
}

async fn check(sb: &Sandbox, case: &Case) {
    let name = case.name;
    let (id, secret) = sb
        .demo(json!({"dialect": case.dialect, "captureMode": case.mode,
            "amount": case.amount, "tipsAmount": case.tips}))
        .await;
    let demo = |what: &str| format!("/demo/payment-intents/{id}/{what}");
    let mut challenge = None;
    for (n, (step, expected)) in case.steps.iter().enumerate() {
        let r = match *step {
            Pay(number) => {
                let r = sb.pay(&id, &secret, number).await;
                challenge = r.body["nextAction"]["url"]
                    .as_str()
                    .and_then(|u| u.rsplit('/').next())
                    .map(str::to_string);
                r
            }
            Challenge(approved) => {
                let ch = challenge.take().expect("a pending challenge");
                let outcome = if approved { "approved" } else { "failed" };
                let path = format!("/test/challenges/{ch}/complete");
                sb.test_route(Method::POST, &path, Some(json!({ "outcome": outcome })))
                    .await
            }
            Capture(amount) => post(sb, &demo("captures"), amount).await,
            Refund(amount) => post(sb, &demo("refunds"), amount).await,
            Reverse => post(sb, &demo("reversal"), None).await,
            Cancel => post(sb, &demo("cancel"), None).await,
            Advance(secs) => sb.advance(secs).await,
        };
        assert_eq!(
            r.status.as_u16(),
            *expected,
            "{name}: step {n} {step:?}: {}",
            r.body
        );
    }
    let got = sb
        .merchant(
            Method::GET,
            &format!("/payment-intents/{id}?returnCanceled=true"),
            None,
        )
        .await;
    assert_eq!(got.body["status"], case.status, "{name}: {}", got.body);
    let ledger = sb.ledger(&id).await;
    let booked: Vec<(String, i64)> = ledger["entries"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    assert_eq!(e["amount"]["currencyCode"], "GBP", "{name}");
                    (
                        e["movement"].as_str().unwrap_or_default().to_string(),
                        e["amount"]["value"].as_i64().unwrap_or(-1),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let expected: Vec<(String, i64)> = case
        .booked
        .iter()
        .map(|(m, v)| (m.to_string(), *v))
        .collect();
    assert_eq!(booked, expected, "{name}");
    check_totals(name, &ledger["totals"], &booked, &got.body);
}

/// The totals are the sum of the entries, and they agree with what the intent says it collected.
fn check_totals(name: &str, totals: &Value, booked: &[(String, i64)], intent: &Value) {
    let sum = |m: &str| -> i64 { booked.iter().filter(|(k, _)| k == m).map(|(_, v)| v).sum() };
    for (field, movement) in [
        ("authorized", "authorization"),
        ("charged", "charge"),
        ("captured", "capture"),
        ("released", "release"),
        ("refunded", "refund"),
    ] {
        assert_eq!(
            totals[field].as_i64(),
            Some(sum(movement)),
            "{name}: {field}"
        );
    }
    let net = sum("charge") + sum("capture") - sum("refund");
    assert_eq!(totals["netCollected"].as_i64(), Some(net), "{name}");
    assert_eq!(
        totals["movements"].as_u64(),
        Some(booked.len() as u64),
        "{name}"
    );
    // A hold is taken at most once and never gives back more than it held.
    assert!(
        sum("capture") + sum("release") <= sum("authorization"),
        "{name}"
    );
    assert!(sum("refund") <= sum("charge") + sum("capture"), "{name}");
    // The intent's own refunded amount, where it reports one, is what the ledger refunded.
    if let Some(refunded) = intent["refundedAmount"].as_i64() {
        if !matches!(intent["status"].as_str(), Some("Reversed")) {
            assert_eq!(refunded, sum("refund"), "{name}: {intent}");
        }
    }
}

async fn post(sb: &Sandbox, path: &str, amount: Option<i64>) -> Reply {
    let body = amount.map_or_else(|| json!({}), |a| json!({ "amount": a }));
    sb.send(Method::POST, path, None, &[], Some(body.to_string()))
        .await
}

#[tokio::test]
async fn the_ledger_numbers_movements_in_the_order_they_happened() {
    let sb = start().await;
    let (a, a_secret, _) = sb.create(create_body("Auto")).await;
    let (b, b_secret, _) = sb.create(create_body("Auto")).await;
    sb.pay(&a, &a_secret, "4242424242424242").await;
    sb.pay(&b, &b_secret, "4242424242424242").await;
    let r = sb
        .merchant_with(
            Method::POST,
            &format!("/payment-intents/{a}/refunds"),
            &[("idempotencyKey", "r")],
            Some(json!({"amount": 400})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let all = sb.test_route(Method::GET, "/test/ledger", None).await.body;
    let entries: Vec<(u64, String, String, i64)> = all["entries"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| {
                    (
                        e["seq"].as_u64().unwrap_or(0),
                        e["paymentIntentId"].as_str().unwrap_or("").to_string(),
                        e["movement"].as_str().unwrap_or("").to_string(),
                        e["amount"]["value"].as_i64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let want = |seq: u64, id: &str, movement: &str, value: i64| {
        (seq, id.to_string(), movement.to_string(), value)
    };
    assert_eq!(
        entries,
        [
            want(1, &a, "charge", 1000),
            want(2, &b, "charge", 1000),
            want(3, &a, "refund", 400),
        ]
    );
}
