//! The SDK's own pipeline reads what the sandbox sends: every browser view, in every dialect and
//! state, decodes through the dialect's wire (`intent_checkout::core::flow::wire::intent`, the core's
//! `PaymentIntent`) and is ordered and classified by the page's `Mirror`; the sandbox's terminal statuses
//! are the SDK's.

use intent_checkout::core::flow::wire;
use intent_checkout::core::intent::PaymentIntent;
use intent_checkout::core::mirror::{Applied, Mirror, Phase};
use intent_sandbox::lifecycle::{CanonicalStatus as S, Dialect};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[test]
fn every_wire_status_means_the_same_to_the_sdk() {
    for d in Dialect::ALL {
        for s in d.statuses() {
            let wire = d.wire_name(s).unwrap_or_default();
            // The page's phase comes from the core's canonical status (the mirror's), not the wire name.
            let phase = Phase::of(s);
            let expected = match s {
                S::RequiresPaymentMethod | S::RequiresConfirmation => Phase::Payable,
                S::RequiresAction => Phase::RequiresAction,
                S::Processing => Phase::Processing,
                S::Authorized => Phase::Authorized,
                S::Succeeded => Phase::Succeeded,
                S::PartiallyRefunded | S::Refunded | S::Reversed => Phase::Closed,
                S::Expired => Phase::Expired,
                S::Canceled => Phase::Canceled,
                S::Failed => Phase::Failed,
            };
            assert_eq!(phase, expected, "{d:?} {s:?} = {wire}");
            // The stream closes exactly when the SDK stops following.
            let stream_done = d.is_terminal(s) || matches!(s, S::Succeeded | S::PartiallyRefunded);
            assert_eq!(stream_done, phase.is_terminal(), "{d:?} {s:?} = {wire}");
        }
    }
}

#[tokio::test]
async fn the_sdk_decodes_every_browser_view() {
    let sb = start().await;
    // (intent, what its payment must book once every settlement has run)
    let mut bookings: Vec<(String, &[&str], String)> = Vec::new();
    for dialect in ["dojo", "stripe", "setel"] {
        for (mode, card) in [
            ("Auto", "4242424242424242"),
            ("Manual", "4242424242424242"),
            ("Auto", "4000000000000002"),
            ("Auto", "4000000000003220"),
            ("Auto", "4000000000000077"),
        ] {
            let (id, secret) = sb
                .demo(json!({"dialect": dialect, "captureMode": mode, "currencyCode": "EUR"}))
                .await;
            let created = sb.public(&id, &secret).await;
            let d = Dialect::from_name(dialect).unwrap_or(Dialect::Dojo);
            let mut mirror = Mirror::new(d);
            let created = wire::intent(d, &created.body.to_string()).expect("created view decodes");
            assert!(matches!(
                mirror.apply_snapshot(created.clone()),
                Applied::Taken(_)
            ));
            assert_eq!(
                (created.version, mirror.phase()),
                (Some(1), Some(Phase::Payable))
            );
            assert_eq!(created.amount.currency().code(), "EUR");
            let paid = sb.pay(&id, &secret, card).await;
            // The core's intent model decodes the browser view and agrees on the canonical status.
            let snap = wire::intent(d, &paid.body.to_string())
                .unwrap_or_else(|e| panic!("{dialect} {mode} {card}: {e:?}\n{}", paid.body));
            assert_eq!(
                snap.status,
                paid.body["status"].as_str().unwrap_or_default()
            );
            assert_eq!(snap.version, paid.body["version"].as_u64());
            assert!(snap.canonical_status(d).is_ok(), "{dialect} {mode} {card}");
            // The mirror takes it as the newer snapshot: the phase below is the page's.
            assert!(
                matches!(mirror.apply_snapshot(snap.clone()), Applied::Taken(_)),
                "{dialect} {mode} {card}"
            );
            let merchant = sb
                .merchant(Method::GET, &format!("/payment-intents/{id}"), None)
                .await;
            PaymentIntent::from_json(merchant.body.to_string().as_bytes(), d).unwrap_or_else(|e| {
                panic!("merchant {dialect} {mode} {card}: {e:?}\n{}", merchant.body)
            });
            assert_eq!(snap.version, Some(2));
            let expected = match (card, mode) {
                ("4000000000000002", _) => {
                    let e = snap.last_payment_error.clone().expect("error decoded");
                    assert_eq!(e.decline_code.as_deref(), Some("generic_decline"));
                    if dialect == "setel" {
                        Phase::Failed
                    } else {
                        Phase::Payable
                    }
                }
                // Setel skips 3-D Secure: the challenge card pays like 4242.
                ("4000000000003220", "Manual") if dialect == "setel" => Phase::Authorized,
                ("4000000000003220", _) if dialect == "setel" => Phase::Processing,
                ("4000000000003220", _) => {
                    assert!(snap
                        .next_action
                        .as_ref()
                        .is_some_and(|a| a.url.contains("/challenge/")));
                    Phase::RequiresAction
                }
                // Without a `processing` status (Dojo, Setel's Manual) the wire waits as created.
                ("4000000000000077", "Manual") if dialect == "setel" => Phase::Payable,
                ("4000000000000077", _) if dialect == "dojo" => Phase::Payable,
                ("4000000000000077", _) => Phase::Processing,
                (_, "Manual") => Phase::Authorized,
                // Setel's direct capture passes through `processing`.
                _ if dialect == "setel" => Phase::Processing,
                _ => Phase::Succeeded,
            };
            assert_eq!(mirror.phase(), Some(expected), "{dialect} {mode} {card}");
            let booked: &[&str] = match (card, mode) {
                ("4000000000000002", _) => &[],
                // Setel skips 3-D Secure, so its challenge card is collected like 4242.
                ("4000000000003220", _) if dialect != "setel" => &[],
                (_, "Manual") => &["authorization"],
                _ => &["charge"],
            };
            bookings.push((id, booked, format!("{dialect} {mode} {card}")));
        }
    }
    // Payments through `processing` (and deferred ones) settle on a timer: run every due timer now
    // through the test clock instead of racing the sandbox's real-time tick.
    let settled = sb.advance(4.0).await; // > the default 3 s async-settle delay
    assert_eq!(settled.status, 200, "{}", settled.body);
    let mut total = 0;
    for (id, booked, case) in &bookings {
        let ledger = sb.ledger(id).await;
        let entries = ledger["entries"].as_array().cloned().unwrap_or_default();
        let movements: Vec<&str> = entries
            .iter()
            .map(|e| e["movement"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(&movements, booked, "{case}: {ledger}");
        for e in &entries {
            assert_eq!(
                e["amount"]["value"], 1000,
                "{case}: the intent's amount once"
            );
            assert_eq!(e["amount"]["currencyCode"], "EUR", "{case}");
        }
        total += booked.len();
    }
    let r = sb.test_route(Method::GET, "/test/ledger", None).await;
    assert_eq!(r.body["totals"]["movements"].as_u64(), Some(total as u64));
}
