//! One lifecycle step: `lifecycle::apply` decides, then the ledger books the money the transition
//! moved and the intent records the payment event the table names.

use super::{ts, StoreError, StoreResult};
use crate::clock::Millis;
use crate::intent::{Intent, PaymentEvent};
use crate::ledger::{Ledger, Movement};
use crate::lifecycle::{self, CanonicalStatus as S, PaymentEventType, Trigger};

fn event_name(e: PaymentEventType) -> &'static str {
    match e {
        PaymentEventType::Created => "Created",
        PaymentEventType::Authorized => "Authorized",
        PaymentEventType::Captured => "Captured",
        PaymentEventType::Reversed => "Reversed",
        PaymentEventType::Refunded => "Refunded",
        PaymentEventType::Canceled => "Canceled",
        PaymentEventType::AuthChallenged => "AuthChallenged",
        PaymentEventType::Declined => "Declined",
        PaymentEventType::ManualAuthReady => "ManualAuthReady",
        PaymentEventType::Error => "Error",
        PaymentEventType::Unknown => "Unknown",
    }
}

fn verb(trigger: &Trigger) -> &'static str {
    match trigger {
        Trigger::Capture(_) => "capture",
        Trigger::Refund(_) => "refund",
        Trigger::Reverse => "reverse",
        Trigger::Cancel => "cancel",
        Trigger::Expire => "expire",
        Trigger::Settle => "settle",
        Trigger::ActionCompleted | Trigger::ActionFailed(_) => "complete a challenge of",
        _ => "pay",
    }
}

/// Applies one trigger through the lifecycle table, then books the money it moved and records the
/// payment event the table names. Nothing changes when the table refuses.
pub(super) fn step(
    intent: &mut Intent,
    ledger: &mut Ledger,
    trigger: Trigger,
    txn: &str,
    event_amount: Option<i64>,
    now: Millis,
) -> StoreResult<()> {
    let action = verb(&trigger);
    let t = lifecycle::apply(&intent.life, trigger, ts(now))
        .map_err(|e| StoreError::from_lifecycle(&e, intent.wire_status(), action))?;
    let before = std::mem::replace(&mut intent.life, t.state);
    let (id, cur) = (intent.id.clone(), intent.currency);
    let after = intent.life.status();
    // Money, booked from what the transition did: a hold starts on entering `authorized`; what is
    // captured is booked once collected (a capture from the hold, or a charge); a hold that can no
    // longer be captured is released; refunds are deltas; reversing a collection refunds it.
    let collected = |st: S| matches!(st, S::Succeeded | S::PartiallyRefunded | S::Refunded);
    if after == S::Authorized && before.status() != S::Authorized {
        intent.held = intent.life.amount().minor_units();
        ledger.record(&id, Movement::Authorization, intent.held, cur, now);
    }
    if collected(after) && intent.life.captured() > intent.booked {
        let delta = intent.life.captured() - intent.booked;
        if intent.held > 0 {
            ledger.record(&id, Movement::Capture, delta, cur, now);
            intent.held = (intent.held - delta).max(0);
        } else {
            ledger.record(&id, Movement::Charge, delta, cur, now);
        }
        intent.booked = intent.life.captured();
    }
    if intent.held > 0
        && !intent.allows(after, lifecycle::TriggerKind::Capture)
        && after != S::Processing
    {
        ledger.record(&id, Movement::Release, intent.held, cur, now);
        intent.held = 0;
    }
    if matches!(after, S::Reversed | S::Canceled | S::Expired) && collected(before.status()) {
        let taken = intent.booked - before.refunded();
        ledger.record(&id, Movement::Refund, taken, cur, now);
    }
    let refunded = intent.life.refunded() - before.refunded();
    if refunded > 0 {
        ledger.record(&id, Movement::Refund, refunded, cur, now);
    }
    if let Some(e) = t.event {
        let amount = event_amount.or(match e {
            PaymentEventType::Captured => Some(intent.life.captured()),
            PaymentEventType::Authorized => Some(intent.life.amount().minor_units()),
            _ => None,
        });
        intent.events.push(PaymentEvent {
            event_type: event_name(e),
            at: now,
            transaction_id: txn.to_string(),
            amount,
        });
    }
    Ok(())
}
