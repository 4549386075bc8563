//! Setup intents: a card verified and saved now, charged by the merchant later. Every status change is
//! `lifecycle::setup::apply` on the record's `SetupState`; no money moves until the charge, which is a
//! payment intent made from the setup intent (`setupIntentId`) and charged with its saved card.
//!
//! The card's test behaviour picks the trigger as for payments: 4242 saves, 0002/9995 decline (the
//! customer may try another card), 3220 asks for a 3-D Secure challenge, 0077 verifies
//! asynchronously, 0119 is a processing error. The charge is merchant-initiated: no challenge (3220
//! authorises), a declining card declines.

use std::collections::BTreeMap;

use super::timers::Timer;
use super::{random_id, ts, Change, Store, StoreError, StoreResult};
use crate::cards::{Behaviour, CheckedCard};
use crate::clock::Millis;
use crate::intent::PaymentEvent;
use crate::lifecycle::setup::{self, SetupState, SetupStatus, SetupTrigger};
use crate::lifecycle::{CanonicalStatus, Dialect, PaymentError, PaymentEventType};
use crate::setup_intent::SetupRecord;

pub struct NewSetup {
    pub dialect: Dialect,
    pub reference: String,
    pub terms: String,
    pub mit_type: String,
    pub intended: Option<(i64, &'static str)>,
    pub customer: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub expire_at: Option<Millis>,
}

/// What a merchant charge did.
pub struct Charged {
    pub change: Change,
    /// Dojo's `CaptureStatus`: `Successful`, `Declined` or `Failed`.
    pub status: &'static str,
    pub message: String,
}

fn setup_error(e: setup::SetupError, status: &'static str, action: &'static str) -> StoreError {
    match e {
        setup::SetupError::NoSetupIntents { dialect } => StoreError::invalid(
            "dialect",
            format!("the {} dialect has no setup intents", dialect.name()),
        ),
        other => StoreError::Illegal {
            action,
            status,
            reason: Some(other.to_string()),
            lifecycle_code: Some(other.code()),
        },
    }
}

fn event_name(e: PaymentEventType) -> &'static str {
    match e {
        PaymentEventType::Authorized => "Authorized",
        PaymentEventType::Captured => "Captured",
        PaymentEventType::Canceled => "Canceled",
        PaymentEventType::AuthChallenged => "AuthChallenged",
        PaymentEventType::Declined => "Declined",
        _ => "Unknown",
    }
}

impl Store {
    pub fn setup(&self, id: &str) -> StoreResult<&SetupRecord> {
        self.setups
            .get(id)
            .ok_or(StoreError::NotFound("the setup intent"))
    }

    fn setup_mut(&mut self, id: &str) -> StoreResult<&mut SetupRecord> {
        self.setups
            .get_mut(id)
            .ok_or(StoreError::NotFound("the setup intent"))
    }

    pub fn create_setup(&mut self, n: NewSetup, now: Millis, ttl_secs: i64) -> StoreResult<String> {
        if let Some(c) = &n.customer {
            self.customer(c)?;
        }
        let life = SetupState::new(n.dialect, ts(now)).map_err(|e| setup_error(e, "", "create"))?;
        let life = match n.expire_at {
            Some(at) => life.with_expire_at(Some(ts(at))),
            None => life,
        };
        let id = random_id("si_sandbox_", 16);
        let secret = random_id("cs_sandbox_", 32);
        self.setup_secrets
            .insert(secret.clone(), (id.clone(), false));
        self.setups.insert(
            id.clone(),
            SetupRecord {
                id: id.clone(),
                life,
                secret,
                secret_expires: now + ttl_secs * 1000,
                customer: n.customer,
                intended: n.intended,
                terms: n.terms,
                mit_type: n.mit_type,
                reference: n.reference,
                metadata: n.metadata,
                created_at: now,
                updated_at: now,
                version: 1,
                challenge: None,
                pending_card: None,
                saved: None,
                card: None,
                charged: None,
                events: Vec::new(),
            },
        );
        self.schedule_setup_deadline(&id);
        Ok(id)
    }

    /// Browser auth: the secret must be current and this setup intent's.
    pub fn check_setup_secret(&self, secret: &str, id: &str, now: Millis) -> StoreResult<()> {
        let (owner, superseded) = self
            .setup_secrets
            .get(secret)
            .ok_or(StoreError::SecretUnknown)?;
        if owner != id {
            return Err(StoreError::SecretForeign);
        }
        if *superseded || self.setup(id).map_or(true, |s| s.secret_expires <= now) {
            return Err(StoreError::SecretExpired);
        }
        Ok(())
    }

    pub fn refresh_setup_secret(
        &mut self,
        id: &str,
        now: Millis,
        ttl_secs: i64,
    ) -> StoreResult<()> {
        let secret = random_id("cs_sandbox_", 32);
        let s = self.setup_mut(id)?;
        let old = std::mem::replace(&mut s.secret, secret.clone());
        s.secret_expires = now + ttl_secs * 1000;
        s.version += 1;
        s.updated_at = now.max(s.updated_at);
        if let Some(r) = self.setup_secrets.get_mut(&old) {
            r.1 = true;
        }
        self.setup_secrets.insert(secret, (id.to_string(), false));
        // A stream opened with the old secret ends when it hears of this.
        self.setups_changed.push(id.to_string());
        Ok(())
    }

    /// One step of the setup lifecycle, recording Dojo's event and bumping the version.
    fn setup_step(
        &mut self,
        id: &str,
        trigger: SetupTrigger,
        action: &'static str,
        now: Millis,
    ) -> StoreResult<()> {
        let s = self.setup_mut(id)?;
        let t = setup::apply(&s.life, trigger, ts(now))
            .map_err(|e| setup_error(e, s.wire_status(), action))?;
        s.life = t.state;
        if let Some(e) = t.event {
            let txn = s.card.as_ref().map(|c| c.1.clone()).unwrap_or_default();
            s.events.push(PaymentEvent {
                event_type: event_name(e),
                at: now,
                transaction_id: txn,
                amount: None,
            });
        }
        s.version += 1;
        s.updated_at = now.max(s.updated_at);
        self.schedule_setup_deadline(id);
        self.setups_changed.push(id.to_string());
        Ok(())
    }

    /// Keeps the verified card: a saved payment method (the customer's, if the setup intent has one),
    /// and its expiry becomes the setup intent's `CardExpire` deadline.
    fn keep_card(&mut self, id: &str, card: &CheckedCard, now: Millis) -> StoreResult<()> {
        let customer = self.setup(id)?.customer.clone();
        let pm = self.save_card(card, customer.as_deref(), now);
        let expires = self.saved_methods.get(&pm).map(|m| m.expires_at());
        let s = self.setup_mut(id)?;
        s.saved = Some(pm);
        s.life = s.life.clone().with_card_expiry(expires.map(ts));
        self.schedule_setup_deadline(id);
        Ok(())
    }

    /// Checks that the setup intent takes a card now (before faults or the card's behaviour).
    pub fn check_confirmable(&self, id: &str, now: Millis) -> StoreResult<()> {
        let s = self.setup(id)?;
        setup::apply(&s.life, SetupTrigger::Authorise, ts(now))
            .map(|_| ())
            .map_err(|e| setup_error(e, s.wire_status(), "confirm"))
    }

    /// The customer gives a card and consents to the merchant's later charges.
    pub fn confirm_setup(
        &mut self,
        id: &str,
        card: &CheckedCard,
        now: Millis,
        settle_ms: Millis,
    ) -> StoreResult<()> {
        self.check_confirmable(id, now)?;
        let txn = random_id("txn_", 12);
        self.setup_mut(id)?.card = Some((card.clone(), txn, now));
        match card.behaviour {
            Behaviour::Approve => {
                self.setup_step(id, SetupTrigger::Authorise, "confirm", now)?;
                self.keep_card(id, card, now)?;
            }
            Behaviour::Decline {
                decline_code,
                message,
            } => {
                let e = PaymentError {
                    code: "card_declined".into(),
                    decline_code: Some(decline_code.into()),
                    message: Some(message.into()),
                };
                self.setup_step(id, SetupTrigger::Decline(e), "confirm", now)?;
            }
            Behaviour::ThreeDSecure => {
                let challenge = random_id("ch_", 16);
                self.setup_step(id, SetupTrigger::RequireAction, "confirm", now)?;
                let s = self.setup_mut(id)?;
                s.challenge = Some(challenge.clone());
                s.pending_card = Some(card.clone());
                self.setup_challenges.insert(challenge, id.to_string());
            }
            Behaviour::AsyncSettle => {
                self.setup_step(id, SetupTrigger::Confirm, "confirm", now)?;
                self.setup_mut(id)?.pending_card = Some(card.clone());
                self.schedule(now + settle_ms, Timer::SetupSettle(id.to_string()));
            }
            Behaviour::ProcessingError => return Err(StoreError::ProcessingError),
        }
        Ok(())
    }

    /// Stores a checked card from the isolated card frame for the setup intent `id` behind a new
    /// single-use reference (as `create_card_ref` does for payment intents).
    pub fn create_setup_card_ref(
        &mut self,
        id: &str,
        card: CheckedCard,
        now: Millis,
    ) -> StoreResult<String> {
        self.setup(id)?;
        Ok(self.card_refs.create(id, card, now))
    }

    /// The setup intent a pending challenge belongs to, if the challenge is still open.
    pub fn setup_challenge(&self, challenge: &str) -> Option<&SetupRecord> {
        self.setup_challenges
            .get(challenge)
            .and_then(|id| self.setups.get(id))
    }

    /// Completes a setup intent's 3-D Secure challenge; returns the setup intent's id.
    pub fn complete_setup_challenge(
        &mut self,
        challenge: &str,
        approved: bool,
        now: Millis,
    ) -> StoreResult<String> {
        let id = self
            .setup_challenges
            .remove(challenge)
            .ok_or(StoreError::ChallengeUnavailable)?;
        let s = self.setup_mut(&id)?;
        if s.challenge.as_deref() != Some(challenge) {
            return Err(StoreError::ChallengeUnavailable);
        }
        s.challenge = None;
        let card = s.pending_card.take();
        if approved {
            self.setup_step(
                &id,
                SetupTrigger::ActionCompleted,
                "complete a challenge of",
                now,
            )?;
            if let Some(card) = card {
                self.keep_card(&id, &card, now)?;
            }
        } else {
            let e = PaymentError {
                code: "card_declined".into(),
                decline_code: Some("authentication_failed".into()),
                message: Some("3-D Secure authentication failed.".into()),
            };
            self.setup_step(
                &id,
                SetupTrigger::ActionFailed(e),
                "complete a challenge of",
                now,
            )?;
        }
        Ok(id)
    }

    /// The merchant voids the setup intent: `Canceled` before a card is saved, `Closed` after.
    pub fn cancel_setup(&mut self, id: &str, now: Millis) -> StoreResult<()> {
        let saved = self.setup(id)?.life.status() == SetupStatus::Saved;
        let trigger = if saved {
            SetupTrigger::Close
        } else {
            SetupTrigger::Cancel
        };
        self.setup_step(id, trigger, "cancel", now)?;
        if let Some(c) = self.setup_mut(id)?.challenge.take() {
            self.setup_challenges.remove(&c);
        }
        Ok(())
    }

    fn schedule_setup_deadline(&mut self, id: &str) {
        let due = self
            .setups
            .get(id)
            .and_then(|s| setup::next_deadline(&s.life))
            .map(|(at, _)| at.as_unix_millis());
        if let Some(at) = due {
            self.schedule(at, Timer::SetupDeadline(id.to_string()));
        }
    }

    /// A setup timer: the deadline `next_deadline` names (expiry, or the saved card's expiry), or an
    /// asynchronous verification that succeeded. A timer whose setup intent moved on does nothing.
    pub(super) fn fire_setup(&mut self, timer: Timer, now: Millis) {
        match timer {
            Timer::SetupDeadline(id) => {
                let due = self
                    .setups
                    .get(&id)
                    .and_then(|s| setup::next_deadline(&s.life))
                    .filter(|(at, _)| at.as_unix_millis() <= now);
                if let Some((_, trigger)) = due {
                    let _ = self.setup_step(&id, trigger, "expire", now);
                }
            }
            Timer::SetupSettle(id) => {
                let card = self.setups.get_mut(&id).and_then(|s| s.pending_card.take());
                if let Some(card) = card {
                    if self
                        .setup_step(&id, SetupTrigger::Settle, "settle", now)
                        .is_ok()
                    {
                        let _ = self.keep_card(&id, &card, now);
                    }
                }
            }
            _ => {}
        }
    }

    /// A new payment intent made from the setup intent `setup_id` (`setupIntentId`): it must hold a
    /// saved card, and it is charged only through `charge`.
    pub fn check_chargeable_setup(&self, setup_id: &str) -> StoreResult<()> {
        let s = self.setup(setup_id)?;
        if s.life.status() != SetupStatus::Saved || s.saved.is_none() {
            return Err(StoreError::illegal("charge", s.wire_status())
                .because("the setup intent has no saved card to charge"));
        }
        Ok(())
    }

    pub fn link_charge(&mut self, payment_intent: &str, setup_id: &str) {
        self.charges
            .insert(payment_intent.to_string(), setup_id.to_string());
    }

    /// `POST /payment-intents/{id}/charge`: the merchant charges the saved card of the setup intent the
    /// payment intent was made from. The payment follows the card's behaviour without a challenge
    /// (merchant-initiated); a collected or authorised charge completes the setup intent.
    pub fn charge(&mut self, id: &str, now: Millis, settle_ms: Millis) -> StoreResult<Charged> {
        let setup_id = self.charges.get(id).cloned().ok_or_else(|| {
            StoreError::illegal("charge", self.get(id).map_or("", |i| i.wire_status())).because(
                "only a payment intent made from a setup intent (setupIntentId) can be charged",
            )
        })?;
        self.check_chargeable_setup(&setup_id)?;
        let pm = self.setup(&setup_id)?.saved.clone().unwrap_or_default();
        let mut card = self
            .saved_methods
            .get(&pm)
            .map(|m| m.card.clone())
            .ok_or_else(|| {
                StoreError::illegal("charge", "Authorized")
                    .because("the saved card was removed by the customer")
            })?;
        if card.behaviour == Behaviour::ThreeDSecure {
            card.behaviour = Behaviour::Approve;
        }
        // Merchant-initiated: no customer is present to give details.
        let payer = intent_checkout::core::payer::PayerDetails::default();
        let change = self.pay(id, &card, payer, now, settle_ms)?;
        let intent = self.get(id)?;
        let (total, currency, status) = (intent.total(), intent.currency, intent.status());
        let error = intent.life.last_error().cloned();
        let paid = matches!(
            status,
            CanonicalStatus::Succeeded | CanonicalStatus::Authorized | CanonicalStatus::Processing
        );
        if paid {
            // Dojo completes the setup intent; Stripe's `succeeded` SetupIntent stays as it is.
            let life = &self.setup(&setup_id)?.life;
            if setup::apply(life, SetupTrigger::Charge, ts(now)).is_ok() {
                self.setup_step(&setup_id, SetupTrigger::Charge, "charge", now)?;
            }
            self.setup_mut(&setup_id)?.charged = Some((total, currency, id.to_string()));
        }
        let (status, message) = match (paid, error) {
            (true, _) => ("Successful", change.to.to_string()),
            (false, Some(e)) => ("Declined", e.message.unwrap_or(e.code)),
            (false, None) => ("Failed", change.to.to_string()),
        };
        Ok(Charged {
            change,
            status,
            message,
        })
    }
}
