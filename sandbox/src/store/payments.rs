//! Card payments and 3-D Secure challenges. The card's test behaviour picks the lifecycle trigger.

use super::book::step;
use super::timers::Timer;
use super::{bump, find, random_id, ts, Change, Store, StoreError, StoreResult};
use crate::cards::{Behaviour, CheckedCard};
use crate::clock::Millis;
use crate::intent::{CardOnFile, Intent};
use crate::lifecycle::{self, CanonicalStatus as S, PaymentError, Trigger};
use intent_checkout::core::payer::PayerDetails;

impl Store {
    /// Checks that a payment may start now (before faults, latency or the card's behaviour).
    pub fn check_payable(&self, id: &str, now: Millis) -> StoreResult<()> {
        let i = self.get(id)?;
        if i.settling {
            return Err(StoreError::illegal("pay", i.wire_status())
                .because("a payment is already being processed"));
        }
        lifecycle::apply(&i.life, Trigger::Authorise, ts(now))
            .map(|_| ())
            .map_err(|e| StoreError::from_lifecycle(&e, i.wire_status(), "pay"))
    }

    /// Refuses a card of Dojo scheme `scheme` (`VISA` …) the intent does not take: not a decline, nothing
    /// is attempted.
    pub fn check_card(&self, id: &str, scheme: &'static str) -> StoreResult<()> {
        match self.get(id)?.details.card_refusal(scheme) {
            Some(r) => Err(StoreError::Refused(r)),
            None => Ok(()),
        }
    }

    /// Pays with `card`; the customer's details (checked by the caller against the intent's config) are
    /// kept on the intent with the attempt, whatever its outcome.
    pub fn pay(
        &mut self,
        id: &str,
        card: &CheckedCard,
        payer: PayerDetails,
        now: Millis,
        settle_ms: Millis,
    ) -> StoreResult<Change> {
        self.check_payable(id, now)?;
        self.check_card(id, card.brand)?;
        // Only a 3-D Secure card needs a challenge id; skip the random draw otherwise.
        let challenge = match card.behaviour {
            Behaviour::ThreeDSecure => random_id("ch_", 16),
            _ => String::new(),
        };
        let txn = random_id("txn_", 12);
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        let trigger = match card.behaviour {
            Behaviour::Approve => Trigger::Authorise,
            Behaviour::Decline {
                decline_code,
                message,
            } => Trigger::Decline(PaymentError {
                code: "card_declined".into(),
                decline_code: Some(decline_code.into()),
                message: Some(message.into()),
            }),
            Behaviour::ThreeDSecure => Trigger::RequireAction,
            Behaviour::AsyncSettle => Trigger::Confirm,
            Behaviour::ProcessingError => return Err(StoreError::ProcessingError),
        };
        // An asynchronous card where the dialect cannot say `processing` (Dojo; Setel's Manual): the
        // wire keeps its status and the authorisation arrives later.
        let deferred = card.behaviour == Behaviour::AsyncSettle
            && lifecycle::apply(&intent.life, Trigger::Confirm, ts(now)).is_err();
        // Setel skips 3-D Secure ("not yet supported"): the challenge card then pays like 4242.
        let (trigger, challenged) = match trigger {
            Trigger::RequireAction
                if lifecycle::apply(&intent.life, Trigger::RequireAction, ts(now)).is_err() =>
            {
                (Trigger::Authorise, false)
            }
            Trigger::RequireAction => (Trigger::RequireAction, true),
            t => (t, false),
        };
        intent.details.take_payer(payer);
        intent.card = Some(CardOnFile {
            brand: card.brand,
            masked: card.masked.clone(),
            expiry: card.expiry.clone(),
            cardholder_name: card.cardholder_name.clone(),
            transaction_id: txn.clone(),
            at: now,
        });
        if deferred {
            intent.settling = true;
        } else {
            step(intent, &mut self.ledger, trigger, &txn, None, now)?;
            if challenged {
                intent.challenge = Some(challenge.clone());
            }
        }
        let change = bump(intent, from, now);
        let processing = intent.status() == S::Processing;
        if challenged {
            self.challenges.insert(challenge, id.to_string());
        }
        if deferred {
            self.schedule(now + settle_ms, Timer::Deferred(id.to_string()));
        } else if processing {
            // Card 0077 settles after the configured delay; a synchronous card in a dialect that
            // passes through `processing` (Setel's direct capture) settles on the next tick.
            let at = if card.behaviour == Behaviour::AsyncSettle {
                now + settle_ms
            } else {
                now
            };
            self.schedule(at, Timer::Settle(id.to_string()));
        }
        self.schedule_deadline(id);
        Ok(self.committed(change))
    }

    /// The intent a pending challenge belongs to, if the challenge is still open.
    pub fn challenge_intent(&self, challenge: &str) -> Option<&Intent> {
        self.challenges
            .get(challenge)
            .and_then(|id| self.intents.get(id))
    }

    pub fn complete_challenge(
        &mut self,
        challenge: &str,
        approved: bool,
        now: Millis,
    ) -> StoreResult<Change> {
        let id = self
            .challenges
            .remove(challenge)
            .ok_or(StoreError::ChallengeUnavailable)?;
        let intent = find(&mut self.intents, &id)?;
        if intent.challenge.as_deref() != Some(challenge) {
            return Err(StoreError::ChallengeUnavailable);
        }
        let from = intent.wire_status();
        let trigger = if approved {
            Trigger::ActionCompleted
        } else {
            Trigger::ActionFailed(PaymentError {
                code: "card_declined".into(),
                decline_code: Some("authentication_failed".into()),
                message: Some("3-D Secure authentication failed.".into()),
            })
        };
        let txn = intent.transaction_id();
        step(intent, &mut self.ledger, trigger, &txn, None, now)?;
        intent.challenge = None;
        let change = bump(intent, from, now);
        self.after_step(&id, now);
        self.save_after_challenge(&id, approved, now);
        Ok(self.committed(change))
    }
}
