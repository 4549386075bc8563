//! Lifecycle table tests: documented paths per dialect, rejected pairs, timers.
//! Test-only: the parent declares this module under #[cfg(test)].

use super::*;
use CanonicalStatus as S;

fn gbp(v: i64) -> Money {
    Money::from_code(v, "GBP").unwrap()
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms)
}

const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;

fn declined() -> Trigger {
    Trigger::Decline(PaymentError::new("card_declined"))
}

fn action_failed() -> Trigger {
    Trigger::ActionFailed(PaymentError::new("authentication_failed"))
}

/// One step of a walk: at `now`, apply the trigger and expect a status (canonical and wire) or an error code.
enum Step {
    Ok(i64, Trigger, CanonicalStatus, &'static str),
    Err(i64, Trigger, &'static str),
}
use Step::{Err as E, Ok as O};

/// Walks `steps` from a fresh intent (amount 1000 GBP, created at t=0) and returns the final state.
fn check(
    d: Dialect,
    mode: CaptureMode,
    edit: impl FnOnce(LifecycleState) -> LifecycleState,
    steps: Vec<Step>,
) -> LifecycleState {
    let mut st = edit(LifecycleState::new(d, mode, gbp(1000), at(0)));
    for (i, step) in steps.into_iter().enumerate() {
        match step {
            Step::Ok(now, trig, to, wire) => {
                let tr = apply(&st, trig.clone(), at(now)).unwrap_or_else(|e| {
                    panic!("{d:?} step {i} {trig:?} from {:?}: {e}", st.status)
                });
                assert_eq!(
                    (tr.to, tr.state.wire_status()),
                    (to, wire),
                    "{d:?} step {i} {trig:?}"
                );
                assert_eq!(tr.state.status, tr.to);
                st = tr.state;
            }
            Step::Err(now, trig, code) => {
                let e = apply(&st, trig.clone(), at(now)).expect_err("should fail");
                assert_eq!(
                    e.code(),
                    code,
                    "{d:?} step {i} {trig:?} from {:?}: {e}",
                    st.status
                );
            }
        }
    }
    st
}

fn same(s: LifecycleState) -> LifecycleState {
    s
}

#[test]
fn row_counts() {
    // The figures quoted in the issue note.
    assert_eq!(Dialect::Dojo.table().len(), 24);
    assert_eq!(Dialect::Stripe.table().len(), 32);
    assert_eq!(Dialect::Setel.table().len(), 20);
}

#[test]
fn wire_names_are_exact() {
    let names = |d: Dialect| {
        let mut v: Vec<&str> = d.statuses().map(|s| d.wire_name(s).unwrap()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    // Dojo's OpenAPI `PaymentIntentStatus`.
    assert_eq!(
        names(Dialect::Dojo),
        [
            "Authorized",
            "Canceled",
            "Captured",
            "Created",
            "Refunded",
            "Reversed"
        ]
    );
    assert_eq!(
        names(Dialect::Stripe),
        [
            "canceled",
            "processing",
            "requires_action",
            "requires_capture",
            "requires_confirmation",
            "requires_payment_method",
            "succeeded"
        ]
    );
    assert_eq!(
        names(Dialect::Setel),
        [
            "authorised",
            "cancelled",
            "expired",
            "failed",
            "partially_refunded",
            "processing",
            "refunded",
            "requires_action",
            "requires_payment_method",
            "succeeded"
        ]
    );
    for d in Dialect::ALL {
        for s in d.statuses() {
            let wire = d.wire_name(s).unwrap();
            assert!(d.parse_status(wire).is_ok());
        }
        for bad in [
            "",
            "Failed",
            "CREATED",
            "cancelled ",
            "requires_source",
            "\u{0}",
        ] {
            if d.parse_status(bad).is_ok() {
                assert!(d == Dialect::Setel && bad == "cancelled ", "{d:?} {bad:?}");
            }
        }
        assert_eq!(Dialect::from_name(d.name()), Some(d));
    }
    assert_eq!(
        Dialect::Dojo.parse_status("Failed").unwrap_err().code(),
        "unknown_status"
    );
    assert_eq!(
        Dialect::Stripe
            .parse_status("authorised")
            .unwrap_err()
            .code(),
        "unknown_status"
    );
    assert_eq!(
        Dialect::Setel.parse_status("canceled").unwrap_err().code(),
        "unknown_status"
    );
    assert_eq!(
        Dialect::Stripe.wire_name(S::Expired).unwrap_err().code(),
        "status_not_in_dialect"
    );
    // Refinements of folded wire names.
    let hints = |next_action, captured, refunded| StatusHints {
        next_action,
        captured,
        refunded,
    };
    assert_eq!(
        Dialect::Dojo.resolve_status("Created", hints(true, 0, 0)),
        Ok(S::RequiresAction)
    );
    assert_eq!(
        Dialect::Dojo.resolve_status("Created", hints(false, 0, 0)),
        Ok(S::RequiresPaymentMethod)
    );
    assert_eq!(
        Dialect::Dojo.resolve_status("Captured", hints(false, 1000, 1)),
        Ok(S::PartiallyRefunded)
    );
    // At the edges: nothing refunded, or all of it, is not a partial refund.
    assert_eq!(
        Dialect::Dojo.resolve_status("Captured", hints(false, 1000, 0)),
        Ok(S::Succeeded)
    );
    assert_eq!(
        Dialect::Dojo.resolve_status("Captured", hints(false, 1000, 999)),
        Ok(S::PartiallyRefunded)
    );
    assert_eq!(
        Dialect::Dojo.resolve_status("Captured", hints(false, 1000, 1000)),
        Ok(S::Succeeded)
    );
    assert_eq!(
        Dialect::Dojo.resolve_status("Reversed", hints(false, 0, 0)),
        Ok(S::Reversed)
    );
    assert_eq!(
        Dialect::Stripe.resolve_status("succeeded", hints(false, 1000, 0)),
        Ok(S::Succeeded)
    );
    assert_eq!(
        Dialect::Stripe.resolve_status("succeeded", hints(false, 1000, 999)),
        Ok(S::PartiallyRefunded)
    );
    assert_eq!(
        Dialect::Stripe.resolve_status("succeeded", hints(false, 1000, 1000)),
        Ok(S::Refunded)
    );
    assert_eq!(
        Dialect::Stripe.resolve_status("succeeded", hints(false, 1000, 10)),
        Ok(S::PartiallyRefunded)
    );
    assert_eq!(
        Dialect::Setel.resolve_status("requires_action", hints(false, 0, 0)),
        Ok(S::RequiresAction)
    );
}

#[test]
fn dojo_paths() {
    use CaptureMode::{Auto, Manual};
    let d = Dialect::Dojo;
    // Auto: captured at once; partial refunds keep `Captured` until everything is refunded.
    check(
        d,
        Auto,
        same,
        vec![
            O(1, Trigger::Authorise, S::Succeeded, "Captured"),
            E(2, Trigger::Capture(None), "capture_exceeds_authorized"),
            E(2, Trigger::Refund(gbp(1001)), "refund_exceeds_captured"),
            E(2, Trigger::Refund(gbp(0)), "invalid_amount"),
            E(
                2,
                Trigger::Refund(Money::from_code(5, "EUR").unwrap()),
                "currency_mismatch",
            ),
            O(
                2,
                Trigger::Refund(gbp(400)),
                S::PartiallyRefunded,
                "Captured",
            ),
            O(3, Trigger::Refund(gbp(600)), S::Refunded, "Refunded"),
            E(4, Trigger::Refund(gbp(1)), "terminal_status"),
        ],
    );
    // Auto, collected then reversed (seed 000).
    check(
        d,
        Auto,
        same,
        vec![
            O(1, Trigger::Authorise, S::Succeeded, "Captured"),
            O(2, Trigger::Reverse, S::Reversed, "Reversed"),
            E(3, Trigger::Refund(gbp(1)), "terminal_status"),
        ],
    );
    // Manual: held (awaiting collection), several partial captures up to the authorised amount.
    let st = check(
        d,
        Manual,
        same,
        vec![
            O(1, Trigger::Authorise, S::Authorized, "Authorized"),
            E(2, Trigger::Refund(gbp(1)), "illegal_transition"),
            E(
                2,
                Trigger::Capture(Some(gbp(1001))),
                "capture_exceeds_authorized",
            ),
            O(
                2,
                Trigger::Capture(Some(gbp(600))),
                S::Succeeded,
                "Captured",
            ),
            O(
                3,
                Trigger::Capture(Some(gbp(400))),
                S::Succeeded,
                "Captured",
            ),
            E(4, Trigger::Capture(None), "capture_exceeds_authorized"),
            O(5, Trigger::Refund(gbp(1000)), S::Refunded, "Refunded"),
        ],
    );
    assert_eq!((st.captured(), st.refunded()), (1000, 1000));
    // Manual: released by the merchant.
    check(
        d,
        Manual,
        same,
        vec![
            O(1, Trigger::Authorise, S::Authorized, "Authorized"),
            O(2, Trigger::Reverse, S::Reversed, "Reversed"),
            E(3, Trigger::Capture(None), "terminal_status"),
        ],
    );
    // Manual: expires after 7 days and is reversed automatically (the pre-authorised "expired").
    let st = check(
        d,
        Manual,
        same,
        vec![
            O(DAY, Trigger::Authorise, S::Authorized, "Authorized"),
            E(8 * DAY - 1, Trigger::Expire, "not_due"),
            O(8 * DAY, Trigger::Expire, S::Expired, "Reversed"),
            E(9 * DAY, Trigger::Capture(None), "terminal_status"),
        ],
    );
    assert_eq!(st.captured(), 0);
    // Manual with autoExpireAction Capture and a short autoExpireIn.
    let st = check(
        d,
        Manual,
        |s| {
            s.with_auto_expire_action(AutoExpireAction::Capture)
                .with_hold_ttl(Some(Duration::from_secs(55)))
        },
        vec![
            O(0, Trigger::Authorise, S::Authorized, "Authorized"),
            O(55_000, Trigger::Expire, S::Succeeded, "Captured"),
        ],
    );
    assert_eq!(st.captured(), 1000);
    // Declined stays Created, keeps the error, and can be restarted; success clears the error.
    let st = check(
        d,
        Auto,
        same,
        vec![
            O(1, declined(), S::RequiresPaymentMethod, "Created"),
            O(2, declined(), S::RequiresPaymentMethod, "Created"),
            E(3, Trigger::Cancel, "condition_not_met"),
            O(4, Trigger::Authorise, S::Succeeded, "Captured"),
        ],
    );
    assert_eq!(
        (st.attempts(), st.last_error(), st.last_failure_at()),
        (3, None, Some(at(2)))
    );
    // 3-D Secure: the wire status stays Created while challenged.
    check(
        d,
        Manual,
        same,
        vec![
            O(1, Trigger::RequireAction, S::RequiresAction, "Created"),
            E(2, Trigger::Authorise, "illegal_transition"),
            O(2, action_failed(), S::RequiresPaymentMethod, "Created"),
            O(3, Trigger::RequireAction, S::RequiresAction, "Created"),
            O(4, Trigger::ActionCompleted, S::Authorized, "Authorized"),
        ],
    );
    // Cancel before any attempt; void at expireAt (30 days by default).
    check(
        d,
        Auto,
        same,
        vec![
            O(1, Trigger::Cancel, S::Canceled, "Canceled"),
            E(2, Trigger::Authorise, "terminal_status"),
        ],
    );
    check(
        d,
        Auto,
        same,
        vec![
            E(30 * DAY - 1, Trigger::Expire, "not_due"),
            O(30 * DAY, Trigger::Expire, S::Canceled, "Canceled"),
        ],
    );
    check(
        d,
        Auto,
        |s| s.with_expire_at(None),
        vec![E(99 * DAY, Trigger::Expire, "not_due")],
    );
    // Asynchronous payment (sandbox): processing keeps the wire status Created.
    check(
        d,
        Auto,
        same,
        vec![
            O(1, Trigger::Confirm, S::Processing, "Created"),
            E(2, Trigger::Cancel, "illegal_transition"),
            O(2, declined(), S::RequiresPaymentMethod, "Created"),
            O(3, Trigger::Confirm, S::Processing, "Created"),
            O(4, Trigger::Settle, S::Succeeded, "Captured"),
        ],
    );
    // Stripe-only and Setel-only triggers.
    check(
        d,
        Auto,
        same,
        vec![E(1, Trigger::AttachPaymentMethod, "illegal_transition")],
    );
}

#[test]
fn stripe_paths() {
    use CaptureMode::{Auto, Manual};
    let d = Dialect::Stripe;
    check(
        d,
        Auto,
        same,
        vec![
            O(
                1,
                Trigger::AttachPaymentMethod,
                S::RequiresConfirmation,
                "requires_confirmation",
            ),
            O(2, Trigger::Authorise, S::Succeeded, "succeeded"),
            E(3, Trigger::Cancel, "illegal_transition"),
            O(
                3,
                Trigger::Refund(gbp(10)),
                S::PartiallyRefunded,
                "succeeded",
            ),
            O(4, Trigger::Refund(gbp(990)), S::Refunded, "succeeded"),
            E(5, Trigger::Refund(gbp(1)), "terminal_status"),
        ],
    );
    // Decline returns to requires_payment_method with the last error kept.
    let st = check(
        d,
        Auto,
        same,
        vec![O(
            1,
            declined(),
            S::RequiresPaymentMethod,
            "requires_payment_method",
        )],
    );
    assert_eq!(
        st.last_error().map(|e| e.code.as_str()),
        Some("card_declined")
    );
    // Too many confirmations: canceled automatically (limit configurable).
    let st = check(
        d,
        Auto,
        |s| s.with_max_confirmation_attempts(3),
        vec![
            O(
                1,
                declined(),
                S::RequiresPaymentMethod,
                "requires_payment_method",
            ),
            O(
                2,
                Trigger::RequireAction,
                S::RequiresAction,
                "requires_action",
            ),
            O(
                3,
                action_failed(),
                S::RequiresPaymentMethod,
                "requires_payment_method",
            ),
            O(4, declined(), S::Canceled, "canceled"),
            E(5, Trigger::Authorise, "terminal_status"),
        ],
    );
    assert_eq!(st.attempts(), 3);
    // 3-D Secure.
    check(
        d,
        Auto,
        same,
        vec![
            O(
                1,
                Trigger::RequireAction,
                S::RequiresAction,
                "requires_action",
            ),
            O(2, Trigger::ActionCompleted, S::Succeeded, "succeeded"),
        ],
    );
    // Asynchronous method: processing, then settle or fail back to requires_payment_method.
    check(
        d,
        Auto,
        same,
        vec![
            O(1, Trigger::Confirm, S::Processing, "processing"),
            E(2, Trigger::Cancel, "illegal_transition"),
            O(
                2,
                declined(),
                S::RequiresPaymentMethod,
                "requires_payment_method",
            ),
            O(
                3,
                Trigger::RequireAction,
                S::RequiresAction,
                "requires_action",
            ),
            O(4, Trigger::Confirm, S::Processing, "processing"),
            O(5, Trigger::Settle, S::Succeeded, "succeeded"),
        ],
    );
    // Manual: requires_capture, partial capture goes through processing.
    let st = check(
        d,
        Manual,
        same,
        vec![
            O(1, Trigger::Authorise, S::Authorized, "requires_capture"),
            O(
                2,
                Trigger::Capture(Some(gbp(700))),
                S::Processing,
                "processing",
            ),
            O(3, Trigger::Settle, S::Succeeded, "succeeded"),
            E(4, Trigger::Refund(gbp(701)), "refund_exceeds_captured"),
            O(4, Trigger::Refund(gbp(700)), S::Refunded, "succeeded"),
        ],
    );
    assert_eq!(st.captured(), 700);
    // Manual asynchronous payment settles into requires_capture.
    check(
        d,
        Manual,
        same,
        vec![
            O(1, Trigger::Confirm, S::Processing, "processing"),
            O(2, Trigger::Settle, S::Authorized, "requires_capture"),
        ],
    );
    // Cancel before processing/succeeded, including a held authorisation; hold expiry cancels too.
    for setup in [
        vec![],
        vec![Trigger::AttachPaymentMethod],
        vec![Trigger::RequireAction],
    ] {
        let mut st = LifecycleState::new(d, Manual, gbp(1000), at(0));
        for t in setup {
            st = apply(&st, t, at(1)).unwrap().state;
        }
        assert_eq!(
            apply(&st, Trigger::Cancel, at(2))
                .unwrap()
                .state
                .wire_status(),
            "canceled"
        );
    }
    check(
        d,
        Manual,
        same,
        vec![
            O(1, Trigger::Authorise, S::Authorized, "requires_capture"),
            O(2, Trigger::Cancel, S::Canceled, "canceled"),
        ],
    );
    check(
        d,
        Manual,
        same,
        vec![
            O(0, Trigger::Authorise, S::Authorized, "requires_capture"),
            E(7 * DAY - 1, Trigger::Expire, "not_due"),
            O(7 * DAY, Trigger::Expire, S::Canceled, "canceled"),
        ],
    );
    check(
        d,
        Auto,
        same,
        vec![
            E(1, Trigger::Reverse, "illegal_transition"),
            E(1, Trigger::Expire, "illegal_transition"),
        ],
    );
}

#[test]
fn setel_paths() {
    use CaptureMode::{Auto, Manual};
    let d = Dialect::Setel;
    // Direct capture goes straight to processing; refunds accumulate.
    let st = check(
        d,
        Auto,
        same,
        vec![
            O(1, Trigger::Authorise, S::Processing, "processing"),
            E(2, Trigger::Cancel, "illegal_transition"),
            O(2, Trigger::Settle, S::Succeeded, "succeeded"),
            E(3, Trigger::Cancel, "illegal_transition"),
            O(
                3,
                Trigger::Refund(gbp(100)),
                S::PartiallyRefunded,
                "partially_refunded",
            ),
            O(
                4,
                Trigger::Refund(gbp(100)),
                S::PartiallyRefunded,
                "partially_refunded",
            ),
            E(5, Trigger::Cancel, "illegal_transition"),
            E(5, Trigger::Refund(gbp(801)), "refund_exceeds_captured"),
            O(5, Trigger::Refund(gbp(800)), S::Refunded, "refunded"),
            E(6, Trigger::Refund(gbp(1)), "terminal_status"),
        ],
    );
    assert_eq!(st.refunded(), 1000);
    // Wallet transaction.
    check(
        d,
        Auto,
        same,
        vec![O(1, Trigger::Confirm, S::Processing, "processing")],
    );
    // Hold, then capture later.
    check(
        d,
        Manual,
        same,
        vec![
            O(1, Trigger::Authorise, S::Authorized, "authorised"),
            O(2, Trigger::Capture(None), S::Processing, "processing"),
            O(3, Trigger::Settle, S::Succeeded, "succeeded"),
        ],
    );
    // Hold expires after 30 minutes.
    check(
        d,
        Manual,
        same,
        vec![
            O(MIN, Trigger::Authorise, S::Authorized, "authorised"),
            E(31 * MIN - 1, Trigger::Expire, "not_due"),
            O(31 * MIN, Trigger::Expire, S::Expired, "expired"),
            E(32 * MIN, Trigger::Capture(None), "terminal_status"),
        ],
    );
    // Failure, retry, and cancel from failed / authorised / requires_payment_method.
    check(
        d,
        Auto,
        same,
        vec![
            O(1, declined(), S::Failed, "failed"),
            O(2, Trigger::Authorise, S::Processing, "processing"),
            O(3, declined(), S::Failed, "failed"),
            O(4, Trigger::Cancel, S::Canceled, "cancelled"),
        ],
    );
    check(
        d,
        Manual,
        same,
        vec![
            O(1, Trigger::Authorise, S::Authorized, "authorised"),
            O(2, Trigger::Cancel, S::Canceled, "cancelled"),
        ],
    );
    check(
        d,
        Auto,
        same,
        vec![O(1, Trigger::Cancel, S::Canceled, "cancelled")],
    );
    // 3-D Secure is not supported; nor are Stripe's and Dojo's extras.
    check(
        d,
        Auto,
        same,
        vec![
            E(1, Trigger::RequireAction, "illegal_transition"),
            E(1, Trigger::AttachPaymentMethod, "illegal_transition"),
            E(1, Trigger::Reverse, "illegal_transition"),
        ],
    );
    check(
        d,
        Manual,
        same,
        vec![E(1, Trigger::Confirm, "condition_not_met")],
    );
}

/// A sample trigger of each kind.
fn sample(kind: TriggerKind) -> Trigger {
    match kind {
        TriggerKind::AttachPaymentMethod => Trigger::AttachPaymentMethod,
        TriggerKind::Confirm => Trigger::Confirm,
        TriggerKind::Authorise => Trigger::Authorise,
        TriggerKind::Decline => declined(),
        TriggerKind::RequireAction => Trigger::RequireAction,
        TriggerKind::ActionCompleted => Trigger::ActionCompleted,
        TriggerKind::ActionFailed => action_failed(),
        TriggerKind::Settle => Trigger::Settle,
        TriggerKind::Capture => Trigger::Capture(None),
        TriggerKind::Reverse => Trigger::Reverse,
        TriggerKind::Refund => Trigger::Refund(gbp(1)),
        TriggerKind::Cancel => Trigger::Cancel,
        TriggerKind::Expire => Trigger::Expire,
    }
}

/// A state in `status` where every guard of `rule` holds (time far in the future for expiries).
fn state_for(d: Dialect, rule: &Rule) -> LifecycleState {
    let mode = if rule.guard == Guard::ManualCapture {
        CaptureMode::Manual
    } else {
        CaptureMode::Auto
    };
    let mut st = LifecycleState::new(d, mode, gbp(1000), at(0));
    st.status = rule.from;
    st.hold_started_at = Some(at(0));
    match rule.guard {
        Guard::AttemptsExhausted => st.attempts = st.max_attempts,
        Guard::NothingCaptured => st.captured = 0,
        Guard::CaptureOnExpiry => st.auto_expire_action = AutoExpireAction::Capture,
        Guard::RefundCompletes => {
            st.captured = 1000;
            st.refunded = 999;
        }
        _ => {
            if matches!(
                rule.from,
                S::Succeeded | S::PartiallyRefunded | S::Processing
            ) {
                st.captured = if rule.guard == Guard::ManualCapture {
                    500
                } else {
                    1000
                };
            }
        }
    }
    st
}

#[test]
fn every_row_fires_and_every_other_pair_is_rejected() {
    let far = at(365 * DAY);
    for d in Dialect::ALL {
        for rule in d.table() {
            assert!(
                d.has_status(rule.from) && d.has_status(rule.to),
                "{d:?} {rule:?}"
            );
            let st = state_for(d, rule);
            let tr = apply(&st, sample(rule.trigger), far)
                .unwrap_or_else(|e| panic!("{d:?} {rule:?}: {e}"));
            assert_eq!((tr.to, tr.rule), (rule.to, *rule), "{d:?}");
        }
        for status in d.statuses() {
            for kind in TriggerKind::ALL {
                let documented = d
                    .table()
                    .iter()
                    .any(|r| r.from == status && r.trigger == kind);
                if documented {
                    continue;
                }
                let mut st = LifecycleState::new(d, CaptureMode::Auto, gbp(1000), at(0));
                st.status = status;
                let e = apply(&st, sample(kind), far).unwrap_err();
                let want = if d.is_terminal(status) {
                    "terminal_status"
                } else {
                    "illegal_transition"
                };
                assert_eq!(e.code(), want, "{d:?} {status:?} {kind:?}");
            }
        }
    }
}

#[test]
fn terminal_statuses() {
    let terminal = |d: Dialect| {
        d.statuses()
            .filter(|s| d.is_terminal(*s))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        terminal(Dialect::Dojo),
        [S::Refunded, S::Reversed, S::Expired, S::Canceled]
    );
    assert_eq!(terminal(Dialect::Stripe), [S::Refunded, S::Canceled]);
    assert_eq!(
        terminal(Dialect::Setel),
        [S::Canceled, S::Expired, S::Refunded]
    );
    assert!(
        !Dialect::Stripe.is_terminal(S::Expired),
        "not in the dialect"
    );
}

#[test]
fn reachability_and_deadlines() {
    assert!(Dialect::Dojo.can_reach(S::RequiresPaymentMethod, S::Refunded));
    assert!(Dialect::Stripe.can_reach(S::Authorized, S::Succeeded));
    assert!(!Dialect::Dojo.can_reach(S::Refunded, S::Succeeded));
    assert!(!Dialect::Setel.can_reach(S::Succeeded, S::Canceled));
    assert!(Dialect::Setel.can_reach(S::Canceled, S::Canceled));
    let st = LifecycleState::new(Dialect::Setel, CaptureMode::Manual, gbp(5), at(0));
    assert_eq!(next_deadline(&st), None);
    let held = apply(&st, Trigger::Authorise, at(10)).unwrap().state;
    assert_eq!(
        next_deadline(&held),
        Some((at(10 + 30 * MIN), Trigger::Expire))
    );
    let dojo = LifecycleState::new(Dialect::Dojo, CaptureMode::Auto, gbp(5), at(0));
    assert_eq!(next_deadline(&dojo), Some((at(30 * DAY), Trigger::Expire)));
    let paid = apply(&dojo, Trigger::Authorise, at(1)).unwrap().state;
    assert_eq!(next_deadline(&paid), None);
}

#[test]
fn amount_changes_before_payment_only() {
    let st = LifecycleState::new(Dialect::Dojo, CaptureMode::Auto, gbp(1000), at(0));
    assert_eq!(st.with_amount(gbp(1200)).unwrap().amount(), gbp(1200));
    assert_eq!(st.with_amount(gbp(0)).unwrap_err().code(), "invalid_amount");
    assert_eq!(
        st.with_amount(Money::from_code(5, "JPY").unwrap())
            .unwrap_err()
            .code(),
        "currency_mismatch"
    );
    let paid = apply(&st, Trigger::Authorise, at(1)).unwrap().state;
    assert_eq!(
        paid.with_amount(gbp(1)).unwrap_err().code(),
        "amount_locked"
    );
}

#[test]
fn error_display_and_codes() {
    let e = LifecycleError::IllegalTransition {
        dialect: Dialect::Setel,
        from: S::Processing,
        trigger: TriggerKind::Cancel,
    };
    assert_eq!(e.to_string(), "setel: cannot cancel from processing");
    assert_eq!(e.code(), "illegal_transition");
}

#[test]
fn cancel_sets_and_reachability_match_the_seeds() {
    let from = |d: Dialect, k: TriggerKind| {
        let mut v: Vec<S> = d
            .table()
            .iter()
            .filter(|r| r.trigger == k)
            .map(|r| r.from)
            .collect();
        v.dedup();
        v
    };
    // Stripe: "at any point before it's in a processing or succeeded state".
    assert_eq!(
        from(Dialect::Stripe, TriggerKind::Cancel),
        [
            S::RequiresPaymentMethod,
            S::RequiresConfirmation,
            S::RequiresAction,
            S::Authorized
        ]
    );
    // Setel: "at any point except when the status is processing or succeeded" (and not after success).
    assert_eq!(
        from(Dialect::Setel, TriggerKind::Cancel),
        [
            S::RequiresPaymentMethod,
            S::RequiresAction,
            S::Failed,
            S::Authorized
        ]
    );
    // Dojo: only "before any payment attempt" (guarded), never once authorised (that is a reversal).
    assert_eq!(
        from(Dialect::Dojo, TriggerKind::Cancel),
        [S::RequiresPaymentMethod]
    );
    // Every status is reachable from a fresh intent, except Setel's unsupported requires_action.
    for d in Dialect::ALL {
        for s in d.statuses() {
            let reachable = d.can_reach(S::RequiresPaymentMethod, s);
            assert_eq!(
                reachable,
                !(d == Dialect::Setel && s == S::RequiresAction),
                "{d:?} {s:?}"
            );
        }
    }
}
