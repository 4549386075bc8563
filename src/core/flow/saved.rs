//! Saved cards and setup intents in the flow: the customer secret and the saved cards it lists and removes
//! (`Call::ListSaved`/`RemoveSaved`, authorised with the customer secret, never the connect token), and
//! the attempts that pay with a saved card, keep a new card on file, or confirm a setup intent. The
//! attempt itself is the payment's (`attempt.rs`): one idempotency key per logical attempt, the consent
//! part of what makes two attempts the same.

use super::error::{invalid, CheckoutError, ErrorCode};
use super::io::{Millis, OpId, Outbox};
use super::jobs::{Job, Purpose};
use super::token::at;
use super::wire::Charge;
use super::wire::{self, IntentKind, Reply};
use super::Live;
use crate::core::json::Obj;
use crate::core::payment_method::PaymentMethod;
use crate::core::saved::{self as model, CustomerSecret, SavedCard};
use crate::core::time::Timestamp;

/// The customer's side: their secret, the saved cards last listed, and the card being removed.
#[derive(Debug)]
pub(super) struct Saved {
    pub(super) customer: CustomerSecret,
    cards: Vec<SavedCard>,
    pub(super) removing: Option<String>,
}

impl Live {
    /// The later of the page's clock and the server's last word on the intent: a saved card counts as
    /// expired once either says so (a page whose clock lags still sees it).
    fn card_clock(&self, now: Millis) -> Timestamp {
        let page = at(now);
        self.mirror.server_time().map_or(page, |s| s.max(page))
    }

    pub(super) fn set_customer(&mut self, customer: CustomerSecret) {
        let same = self
            .saved
            .as_ref()
            .is_some_and(|s| s.customer.customer_id() == customer.customer_id());
        match &mut self.saved {
            Some(s) if same => s.customer = customer,
            _ => {
                self.saved = Some(Saved {
                    customer,
                    cards: Vec::new(),
                    removing: None,
                })
            }
        }
    }

    /// `Authorization: Basic <customer secret>`, for a request the wire marked as the customer's.
    pub(super) fn customer_authorization(&self) -> Option<String> {
        let secret = self.saved.as_ref()?.customer.expose();
        let mut auth = String::with_capacity(secret.len() + 6);
        auth.push_str("Basic ");
        auth.push_str(secret);
        Some(auth)
    }

    fn needs_customer(&self, out: &mut Outbox, op: OpId) -> bool {
        if self.saved.is_some() {
            return true;
        }
        let e = CheckoutError::new(
            ErrorCode::SdkError,
            "saved cards need a customerId and customerSecret",
        );
        out.settle(op, Err(e));
        false
    }

    pub(super) fn list_saved(&mut self, out: &mut Outbox, op: OpId, now: Millis) {
        if self.needs_customer(out, op) {
            self.submit(out, Job::new(Purpose::ListSaved(op)), now);
        }
    }

    pub(super) fn remove_saved(&mut self, out: &mut Outbox, op: OpId, id: &str, now: Millis) {
        if !self.needs_customer(out, op) {
            return;
        }
        if !model::is_api_id(id) {
            return out.settle(
                op,
                Err(invalid(
                    "paymentMethodId",
                    Some("invalid"),
                    "not a saved card",
                )),
            );
        }
        let busy = self.saved.as_ref().is_some_and(|s| s.removing.is_some());
        if busy
            || self
                .attempt
                .running()
                .is_some_and(|(_, c)| c.method == PaymentMethod::SavedCard(id.into()))
        {
            let e = CheckoutError::new(ErrorCode::UnexpectedTransition, "that card is in use");
            return out.settle(op, Err(e));
        }
        if let Some(s) = self.saved.as_mut() {
            s.removing = Some(id.to_string());
        }
        self.submit(out, Job::new(Purpose::RemoveSaved(op)), now);
    }

    /// `{"cards": [...]}`: the saved cards, each marked expired or not.
    fn cards_json(&self, now: Millis) -> String {
        let cards = self.saved.as_ref().map_or(&[][..], |s| &s.cards);
        let list = model::cards_json(cards, self.card_clock(now));
        Obj::new().raw("cards", &list).finish()
    }

    /// An answer to a customer request. A refused secret is `customer_secret_invalid`, never a reason to
    /// refresh the connect token.
    pub(super) fn on_customer_reply(
        &mut self,
        out: &mut Outbox,
        job: Job,
        reply: Reply,
        now: Millis,
    ) {
        let (op, removing) = match job.purpose {
            Purpose::ListSaved(op) => (op, false),
            Purpose::RemoveSaved(op) => (op, true),
            _ => return,
        };
        let status = reply.status;
        if (200..300).contains(&status) {
            let listed = if removing {
                Ok(None)
            } else {
                wire::saved_cards(self.config.dialect, &reply.body).map(Some)
            };
            let Some(saved) = self.saved.as_mut() else {
                return;
            };
            match listed {
                Ok(Some(cards)) => saved.cards = cards,
                Ok(None) => {
                    if let Some(id) = saved.removing.take() {
                        saved.cards.retain(|c| c.id != id);
                    }
                }
                Err(e) => return out.settle(op, Err(e)),
            }
            return out.settle_json(op, self.cards_json(now));
        }
        if status >= 500 || status == 429 {
            return self.retry_after(out, job, reply.retry_after_ms, None, now);
        }
        if let Some(s) = self.saved.as_mut() {
            s.removing = None;
        }
        let secret = self.saved.as_ref().map(|s| s.customer.secret().clone());
        let mut e = wire::problem(
            self.config.dialect,
            status,
            &reply.body,
            self.credentials.token().secret(),
        );
        if let Some(secret) = secret {
            e = e.scrub(&secret);
        }
        if matches!(status, 401 | 403) {
            e.code = ErrorCode::CustomerSecretInvalid;
        }
        out.settle(op, Err(e));
    }

    /// Pays (or, for a setup intent, confirms) with `method` and the customer's details (JSON, as
    /// `pay_with` takes them). `keep`: the customer's consent to keep the
    /// card (required to confirm a setup intent; "save this card" on a payment). A saved card the page
    /// knows to be expired, or to need its CVC typed again, is refused without a request.
    pub(super) fn pay_by(
        &mut self,
        out: &mut Outbox,
        op: OpId,
        method: Option<PaymentMethod>,
        details: &str,
        keep: bool,
        now: Millis,
    ) {
        let Some(method) = method else {
            let e = invalid(
                "paymentMethod.id",
                Some("invalid"),
                "not a payment method id",
            );
            return out.settle(op, Err(e));
        };
        if self.config.kind == IntentKind::Setup && !keep {
            let e = invalid(
                "mitConsentGiven",
                Some("required"),
                "the customer must agree to the terms to save the card",
            );
            return out.settle(op, Err(e));
        }
        if let PaymentMethod::SavedCard(id) = &method {
            let clock = self.card_clock(now);
            let card = self
                .saved
                .as_ref()
                .and_then(|s| s.cards.iter().find(|c| &c.id == id));
            if card.is_some_and(|c| c.is_expired(clock)) {
                let e = invalid(
                    "paymentMethod.savedCardId",
                    Some("expired_card"),
                    "this saved card has expired",
                );
                return out.settle(op, Err(e));
            }
            // Its CVC goes from the card frame to the API, which pays by the reference it makes.
            if card.is_some_and(|c| c.cvc_required) {
                let e = invalid(
                    "paymentMethod.savedCardId",
                    Some("cvc_required"),
                    "this saved card pays only with its security code typed again",
                );
                return out.settle(op, Err(e));
            }
        }
        if matches!(method, PaymentMethod::Card(_)) && self.refuses_card_details(out, op) {
            return;
        }
        let Some(version) = self.payable(out, op) else {
            return;
        };
        let payer = match self.payer(details) {
            Ok(p) => p,
            Err(e) => return out.settle(op, Err(e)),
        };
        // A saved card is on file already: there is nothing more to keep.
        let keep = keep && !matches!(method, PaymentMethod::SavedCard(_));
        self.start_attempt(
            out,
            op,
            Charge {
                method,
                payer,
                keep,
            },
            version,
            now,
        );
    }
}
