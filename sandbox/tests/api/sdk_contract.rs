//! The SDK's own decoder reads what the sandbox sends: every browser view, in every dialect and
//! state, parses with `intent_checkout::core::flow::Snapshot`, and the sandbox's terminal statuses
//! are the SDK's.

use intent_checkout::core::flow::{Phase, Snapshot};
use intent_sandbox::lifecycle::{self, Dialect, Status};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[test]
fn every_wire_status_means_the_same_to_the_sdk() {
    use Status as S;
    let all = [
        S::Created,
        S::RequiresAction,
        S::Processing,
        S::Failed,
        S::Authorized,
        S::Captured,
        S::PartiallyRefunded,
        S::Refunded,
        S::Reversed,
        S::Canceled,
        S::Expired,
    ];
    for d in [Dialect::Dojo, Dialect::Stripe, Dialect::Setel] {
        for s in all {
            let wire = lifecycle::wire(d, s);
            let phase = Phase::of_wire(wire);
            // Dojo folds pending states into `Created`; the SDK reads them with nextAction and the
            // missing error, so only the payable/under-way split is checked there.
            let expected = match (d, s) {
                (Dialect::Dojo, S::Created | S::RequiresAction | S::Processing | S::Failed) => {
                    Phase::Payable
                }
                (Dialect::Stripe, S::Failed) => Phase::Payable,
                (_, S::Created) => Phase::Payable,
                (_, S::RequiresAction) => Phase::RequiresAction,
                (_, S::Processing) => Phase::Processing,
                (_, S::Failed) => Phase::Failed,
                (_, S::Authorized) => Phase::Authorized,
                (Dialect::Stripe, S::PartiallyRefunded | S::Refunded) => Phase::Succeeded,
                (Dialect::Dojo, S::PartiallyRefunded) => Phase::Succeeded,
                (_, S::Captured) => Phase::Succeeded,
                (_, S::PartiallyRefunded | S::Refunded) => Phase::Closed,
                (Dialect::Dojo, S::Reversed | S::Expired) => Phase::Closed,
                (Dialect::Stripe, S::Expired) => Phase::Canceled,
                (_, S::Reversed | S::Canceled) => Phase::Canceled,
                (_, S::Expired) => Phase::Expired,
            };
            assert_eq!(phase, expected, "{d:?} {s:?} = {wire}");
            // The stream closes exactly when the SDK stops following.
            assert_eq!(
                lifecycle::is_terminal(s),
                phase.is_terminal(),
                "{d:?} {s:?} = {wire}"
            );
        }
    }
}

#[tokio::test]
async fn the_sdk_decodes_every_browser_view() {
    let sb = start().await;
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
            let snap = Snapshot::parse(&created.body.to_string()).expect("created view parses");
            assert_eq!((snap.version, snap.phase), (1, Phase::Payable));
            assert_eq!(snap.currency.as_deref(), Some("EUR"));
            let paid = sb.pay(&id, &secret, card).await;
            let snap = Snapshot::parse(&paid.body.to_string()).expect("paid view parses");
            assert_eq!(snap.version, 2);
            assert_eq!(
                snap.status,
                paid.body["status"].as_str().unwrap_or_default()
            );
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
                ("4000000000003220", _) => {
                    assert!(snap
                        .next_action_url
                        .as_deref()
                        .is_some_and(|u| u.contains("/challenge/")));
                    Phase::RequiresAction
                }
                ("4000000000000077", _) => {
                    if dialect == "dojo" {
                        Phase::Payable
                    } else {
                        Phase::Processing
                    }
                }
                (_, "Manual") => Phase::Authorized,
                _ => Phase::Succeeded,
            };
            assert_eq!(snap.phase, expected, "{dialect} {mode} {card}");
        }
    }
    let r = sb.test_route(Method::GET, "/test/ledger", None).await;
    assert!(r.body["totals"]["movements"]
        .as_u64()
        .is_some_and(|n| n >= 6));
}
