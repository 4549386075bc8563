//! What the merchant does to an intent: capture, refund, reverse, cancel, change the amount or tip.

use super::book::step;
use super::lookup::{RefundDetails, RefundRecord};
use super::{bump, find, money, random_id, Change, Store, StoreError, StoreResult};
use crate::clock::Millis;
use crate::intent::CaptureRecord;
use crate::lifecycle::{CanonicalStatus as S, Trigger, TriggerKind, MAX_AMOUNT};
use intent_checkout::core::order::{self, ItemLine, TaxLine};

/// Why lines were refused, in words (the code travels as the field's problem).
fn lines_detail(code: &str) -> &'static str {
    match code {
        "lines_mismatch" => "the item lines and tax lines must add up to the new amount",
        "currency_mismatch" => "every line must be in the intent's currency",
        _ => "a line costs less than nothing, or the taxes exceed the amount",
    }
}

impl Store {
    /// Captures `amount` (default: the whole authorisation). Returns the change and the capture id.
    pub fn capture(
        &mut self,
        id: &str,
        amount: Option<i64>,
        now: Millis,
    ) -> StoreResult<(Change, String)> {
        let capture_id = random_id("cp_sandbox_", 12);
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        let requested = amount.map(|a| money(a, intent.currency));
        let before = intent.life.captured();
        step(
            intent,
            &mut self.ledger,
            Trigger::Capture(requested),
            &capture_id,
            None,
            now,
        )?;
        intent.captures.push(CaptureRecord {
            id: capture_id.clone(),
            amount: intent.life.captured() - before,
            at: now,
        });
        let change = bump(intent, from, now);
        self.after_step(id, now);
        Ok((self.committed(change), capture_id))
    }

    /// Refunds `amount`, or everything still refundable when `None`, and records the refund.
    pub fn refund(
        &mut self,
        id: &str,
        amount: Option<i64>,
        details: RefundDetails,
        now: Millis,
    ) -> StoreResult<(Change, String)> {
        let refund_id = random_id("rfnd_sandbox_", 12);
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        let amount = amount.unwrap_or(intent.life.captured() - intent.life.refunded());
        let requested = money(amount, intent.currency);
        step(
            intent,
            &mut self.ledger,
            Trigger::Refund(requested),
            &refund_id,
            Some(amount),
            now,
        )?;
        intent.refunds.push(refund_id.clone());
        let currency = intent.currency;
        let change = bump(intent, from, now);
        self.refunds.insert(
            refund_id.clone(),
            RefundRecord {
                payment_intent_id: id.to_string(),
                amount,
                currency,
                reason: details.reason,
                notes: details.notes,
                at: now,
            },
        );
        Ok((self.committed(change), refund_id))
    }

    /// Dojo's reversal (`Reverse`); in dialects without one, releasing a hold is a cancel.
    pub fn reverse(&mut self, id: &str, now: Millis) -> StoreResult<(Change, String)> {
        let reversal_id = random_id("rvs_sandbox_", 12);
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        let status = intent.status();
        let trigger = if intent.allows(status, TriggerKind::Reverse) || status != S::Authorized {
            Trigger::Reverse
        } else {
            Trigger::Cancel
        };
        step(intent, &mut self.ledger, trigger, &reversal_id, None, now)?;
        let change = bump(intent, from, now);
        Ok((self.committed(change), reversal_id))
    }

    pub fn cancel(&mut self, id: &str, now: Millis) -> StoreResult<Change> {
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        if intent.settling {
            return Err(StoreError::illegal("cancel", from).because("a payment is being processed"));
        }
        step(intent, &mut self.ledger, Trigger::Cancel, "", None, now)?;
        let challenge = intent.challenge.take();
        let change = bump(intent, from, now);
        if let Some(c) = challenge {
            self.challenges.remove(&c);
        }
        Ok(self.committed(change))
    }

    /// Sets the base amount (`tips == false`, with the item and tax lines that describe it: they must add
    /// up to it, and none leaves the intent without lines) or the tip; both only while the config allows
    /// and before the customer has paid.
    pub fn set_amount(
        &mut self,
        id: &str,
        tips: bool,
        value: i64,
        currency: &str,
        lines: Option<(Vec<ItemLine>, Vec<TaxLine>)>,
        now: Millis,
    ) -> StoreResult<Change> {
        let intent = find(&mut self.intents, id)?;
        let allowed = if tips {
            intent.tips_allowed
        } else {
            intent.custom_amount_allowed
        };
        if !allowed {
            return Err(StoreError::NotEnabled { tips });
        }
        let param = if tips { "tipsAmount" } else { "amount" };
        if currency != intent.currency {
            return Err(StoreError::invalid(
                &format!("{param}.currencyCode"),
                format!("the currency must be the intent's, {}", intent.currency),
            ));
        }
        let from = intent.wire_status();
        if let Some((items, taxes)) = &lines {
            order::check(money(value, intent.currency), items, taxes)
                .map_err(|e| StoreError::invalid(&e.field, lines_detail(e.code)))?;
        }
        let other = if tips { intent.amount } else { intent.tips };
        let other = other.saturating_add(intent.details.extras());
        let total = value
            .checked_add(other)
            .filter(|t| *t <= MAX_AMOUNT)
            .ok_or_else(|| {
                StoreError::invalid(&format!("{param}.value"), "the total amount is too large")
            })?;
        if intent.settling || intent.challenge.is_some() {
            return Err(StoreError::illegal("change the amount of", from));
        }
        let life = intent
            .life
            .with_amount(money(total, intent.currency))
            .map_err(|e| StoreError::from_lifecycle(&e, from, "change the amount of"))?;
        intent.life = life;
        if tips {
            intent.tips = value;
        } else {
            intent.requested_amount.get_or_insert(intent.amount);
            intent.amount = value;
            if let Some((items, taxes)) = lines {
                intent.details.item_lines = items;
                intent.details.tax_lines = taxes;
            }
        }
        let change = bump(intent, from, now);
        Ok(self.committed(change))
    }
}
