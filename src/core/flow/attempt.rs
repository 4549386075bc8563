//! The payment attempt: one [`PaymentMethod`] under one idempotency key, sent until the server answers or
//! the retries run out, then decided by the intent's snapshots. What pays is opaque here: the wire turns it
//! into a body, and the attempt only compares methods (the same one after an unknown outcome keeps its key).

use std::fmt;

use super::error::{invalid, CheckoutError, ErrorCode};
use super::io::{EventKind, Millis, OpId, OpResult, Outbox};
use super::jobs::{Job, Purpose};
use super::wire::{Adjustment, Charge};
use super::{validate_card, Live};
use crate::core::mirror::Phase;
use crate::core::payer::Payer;
use crate::core::payment_method::{CardInput, PaymentMethod};

#[derive(Debug)]
pub(super) enum Attempt {
    /// No payment running; how the last one ended decides how the next one starts.
    Idle(Last),
    Running(Running),
}

impl Default for Attempt {
    fn default() -> Self {
        Attempt::Idle(Last::None)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Last {
    None,
    /// Declined or failed: the next attempt refreshes the token first (Dojo: "always refresh the token
    /// when restarting an unsuccessful payment intent").
    Failed,
    /// Gave up without learning the outcome: the same method (and details and consent) retries under the
    /// same key.
    Unknown {
        key: String,
        charge: Charge,
        /// The version the first try under this key started from (see `Running::declines_since`).
        declines_since: u64,
    },
}

pub(super) struct Running {
    op: OpId,
    key: String,
    charge: Charge,
    /// The intent version when the attempt started: a read past it means the payment reached the server.
    start_version: u64,
    /// Only errors after this version belong to the attempt: its start, or under a key kept from an
    /// unknown outcome that key's first start (the server may since have declined it, and replays that).
    declines_since: u64,
    stage: Stage,
}

#[derive(Debug)]
enum Stage {
    /// The POST is in flight, being resolved by a read, or waiting to be sent again.
    Sending {
        /// Sends of the POST after the first (the reads in between do not count).
        retries: u32,
        /// The last retryable error, reported if the retries run out.
        error: Option<CheckoutError>,
    },
    /// The POST was answered; the outcome comes from snapshots (3-D Secure, async settlement).
    Awaiting,
}

impl fmt::Debug for Running {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Running")
            .field("key", &self.key)
            .field("stage", &self.stage)
            .finish()
    }
}

/// How an attempt ended.
enum End {
    Paid,
    Failed,
    /// No answer: keep the key, so the same method goes again under it.
    Unknown,
}

impl Attempt {
    pub(super) fn is_running(&self) -> bool {
        matches!(self, Attempt::Running(_))
    }

    /// The key and the charge of the running attempt.
    pub(super) fn running(&self) -> Option<(&str, &Charge)> {
        match self {
            Attempt::Running(r) => Some((&r.key, &r.charge)),
            Attempt::Idle(_) => None,
        }
    }

    pub(super) fn remember_error(&mut self, err: Option<CheckoutError>) {
        if let (Attempt::Running(r), Some(e)) = (self, err) {
            if let Stage::Sending { error, .. } = &mut r.stage {
                *error = Some(e);
            }
        }
    }

    /// The page promise of a running attempt; the attempt (and its card data) is dropped.
    pub(super) fn shut_down(&mut self) -> Option<OpId> {
        match std::mem::take(self) {
            Attempt::Running(r) => Some(r.op),
            Attempt::Idle(_) => None,
        }
    }
}

fn refused(message: &str) -> CheckoutError {
    CheckoutError::new(ErrorCode::UnexpectedTransition, message)
}

impl Live {
    /// Pays with card details typed into the page (`fields="inline"`), checked first: an invalid card
    /// costs no request. Then as every method pays (`pay_by`).
    pub(super) fn pay(
        &mut self,
        out: &mut Outbox,
        op: OpId,
        card: &CardInput,
        details: &str,
        keep: bool,
        now: Millis,
    ) {
        if self.refuses_card_details(out, op) || self.payable(out, op).is_none() {
            return;
        }
        if let Err(e) = validate_card(card, now) {
            return out.settle(op, Err(e));
        }
        self.pay_by(out, op, Some(PaymentMethod::card(card)), details, keep, now);
    }

    /// The customer's details (`{"userEmailAddress", "billingAddress", "shippingDetails"}`, JSON): each
    /// of Dojo's shape, and those the intent's `config` collects present; the first problem is a
    /// `validation_error` with the field as `param` and the rule's code as `apiCode`.
    pub(super) fn payer(&self, details: &str) -> Result<Payer, CheckoutError> {
        let collect = self
            .mirror
            .current()
            .map(|i| i.collect())
            .unwrap_or_default();
        Payer::from_json(details, collect).map_err(|first| {
            invalid(
                &first.field,
                Some(first.code),
                "the customer details are not valid",
            )
        })
    }

    /// An isolated checkout takes no card details from the page (they never pass through the merchant's
    /// page): true, with `op` settled with why, if this one refuses them.
    pub(super) fn refuses_card_details(&self, out: &mut Outbox, op: OpId) -> bool {
        if self.config.accepts_card_details {
            return false;
        }
        let e = CheckoutError::new(
            ErrorCode::SdkError,
            "this checkout takes cards only from its isolated card fields",
        );
        out.settle(op, Err(e));
        true
    }

    /// The intent's version if a payment may start now; otherwise `op` is settled with why not.
    pub(super) fn payable(&self, out: &mut Outbox, op: OpId) -> Option<u64> {
        if self.attempt.is_running() {
            out.settle(op, Err(refused("a payment is already in progress")));
            return None;
        }
        let Some(view) = self.view.clone() else {
            out.settle(op, Err(refused("the payment intent is not loaded yet")));
            return None;
        };
        if !view.phase.is_payable() {
            let mut e = refused("the payment intent cannot be paid now");
            e.api_code = Some(view.status.clone());
            out.settle(op, Err(e));
            return None;
        }
        Some(view.version)
    }

    pub(super) fn start_attempt(
        &mut self,
        out: &mut Outbox,
        op: OpId,
        charge: Charge,
        start_version: u64,
        now: Millis,
    ) {
        let last = match std::mem::take(&mut self.attempt) {
            Attempt::Idle(last) => last,
            Attempt::Running(_) => Last::None, // ok: the caller refused a second attempt already
        };
        let fresh_token_first = last == Last::Failed || self.credentials.failed();
        let (key, declines_since) = match last {
            // The same method after an unknown outcome: the same logical attempt, so the same key.
            Last::Unknown {
                key,
                charge: c,
                declines_since,
            } if c == charge => (key, declines_since),
            _ => (self.rng.idempotency_key(), start_version),
        };
        self.attempt = Attempt::Running(Running {
            op,
            key,
            charge,
            start_version,
            declines_since,
            stage: Stage::Sending {
                retries: 0,
                error: None,
            },
        });
        let mut job = Job::new(Purpose::Pay);
        if fresh_token_first && self.config.can_refresh {
            self.begin_refresh(out, now);
            job.refreshed = true;
            self.jobs.parked.push(job);
        } else {
            self.credentials.retry_after_failure();
            self.submit(out, job, now);
        }
    }

    /// `setTip` / `setAmount`: only while the intent is payable and no attempt runs.
    pub(super) fn adjust(
        &mut self,
        out: &mut Outbox,
        op: OpId,
        what: Adjustment,
        minor: i64,
        now: Millis,
    ) {
        let bad = match what {
            Adjustment::Tip => minor < 0,
            Adjustment::Amount => minor <= 0,
        };
        if bad {
            let param = match what {
                Adjustment::Tip => "tipsAmount",
                Adjustment::Amount => "amount",
            };
            let e = invalid(
                param,
                None,
                "the amount must be a positive integer in minor units",
            );
            return out.settle(op, Err(e));
        }
        let payable = self.view.as_ref().is_some_and(|v| v.phase.is_payable());
        if self.attempt.is_running() || !payable {
            return out.settle(op, Err(refused("the amount cannot change now")));
        }
        self.submit(out, Job::new(Purpose::Adjust(op, what, minor)), now);
    }

    /// The page gave up on the attempt; the intent is still followed.
    pub(super) fn cancel_attempt(&mut self, out: &mut Outbox) {
        if !self.attempt.is_running() {
            return;
        }
        if let Attempt::Running(r) =
            std::mem::replace(&mut self.attempt, Attempt::Idle(Last::Failed))
        {
            self.jobs.cancel(out, |p| {
                matches!(p, Purpose::Pay | Purpose::Resolve | Purpose::ReRead)
            });
            let e = CheckoutError::new(
                ErrorCode::SdkError,
                "the payment attempt was canceled by the page",
            );
            out.settle(r.op, Err(e));
        }
    }

    /// The POST was answered with the intent (already taken): the snapshots decide from here.
    pub(super) fn on_pay_answered(&mut self, out: &mut Outbox, now: Millis) {
        if let Attempt::Running(r) = &mut self.attempt {
            r.stage = Stage::Awaiting;
        }
        self.check_attempt(out, true, now);
    }

    /// A read after a payment without an answer: a version past the attempt's start means the payment
    /// reached the server; otherwise the same key goes again after a backoff.
    pub(super) fn on_resolved(&mut self, out: &mut Outbox, version: u64, now: Millis) {
        let Attempt::Running(r) = &mut self.attempt else {
            return;
        };
        if version > r.start_version {
            r.stage = Stage::Awaiting;
            self.check_attempt(out, true, now);
            return;
        }
        let Stage::Sending { retries, error } = &mut r.stage else {
            return;
        };
        *retries += 1;
        if *retries > self.config.policy.max_retries {
            let e = error.take().unwrap_or_else(|| {
                CheckoutError::new(ErrorCode::NetworkError, "the payment could not be sent")
            });
            self.end_attempt(out, Err(e), End::Unknown);
            return;
        }
        let delay = self.config.policy.delay(*retries, self.rng.next_u64());
        self.jobs.wait(now + delay, Job::new(Purpose::Pay));
    }

    /// Settles the attempt if the current intent decides it.
    pub(super) fn check_attempt(&mut self, out: &mut Outbox, from_pay_reply: bool, now: Millis) {
        let (Attempt::Running(r), Some(view)) = (&self.attempt, self.view.clone()) else {
            return;
        };
        if !matches!(r.stage, Stage::Awaiting) {
            return;
        }
        let declined = self
            .mirror
            .last_error()
            .cloned()
            .filter(|_| view.version > r.declines_since);
        match (view.phase, declined) {
            (
                Phase::Succeeded
                | Phase::Authorized
                | Phase::Closed
                | Phase::Saved
                | Phase::Charged,
                _,
            ) => self.end_attempt(out, Ok(view), End::Paid),
            (Phase::Payable | Phase::Failed, Some(pe)) => {
                let message = pe.message.as_deref().unwrap_or("the card was declined");
                let mut e = CheckoutError::new(ErrorCode::CardDeclined, message);
                e.api_code = Some(pe.code);
                e.decline_code = pe.decline_code;
                let e = e.scrub(self.token().secret());
                self.end_attempt(out, Err(e.clone()), End::Failed);
                if view.phase != Phase::Failed {
                    // Dojo and Stripe go back to payable on a decline: the page still hears `failed`.
                    self.emit(out, EventKind::Failed, Some(e));
                }
            }
            (Phase::Canceled | Phase::Expired | Phase::CardExpired, _) => {
                let e = refused("the payment intent is no longer payable");
                self.end_attempt(out, Err(e), End::Failed);
            }
            // Requires action, processing, or (Dojo folds both into `Created`) payable without an
            // error: the payment is under way; the followed intent will decide.
            _ => {
                if from_pay_reply && !self.follow.is_on() {
                    self.start_following(out, now);
                }
            }
        }
    }

    /// The POST failed for good (a client error, the token, the retries).
    pub(super) fn attempt_failed(&mut self, out: &mut Outbox, err: CheckoutError) {
        self.end_attempt(out, Err(err), End::Failed);
    }

    /// The outcome could not be learned.
    pub(super) fn attempt_unknown(&mut self, out: &mut Outbox, err: CheckoutError) {
        self.end_attempt(out, Err(err), End::Unknown);
    }

    fn end_attempt(&mut self, out: &mut Outbox, result: OpResult, how: End) {
        let Attempt::Running(r) = std::mem::take(&mut self.attempt) else {
            return;
        };
        self.jobs
            .cancel(out, |p| matches!(p, Purpose::Pay | Purpose::Resolve));
        self.attempt = Attempt::Idle(match how {
            End::Paid => Last::None,
            End::Failed => Last::Failed,
            End::Unknown => Last::Unknown {
                key: r.key,
                charge: r.charge,
                declines_since: r.declines_since,
            },
        });
        if let Err(e) = &result {
            if e.code != ErrorCode::CardDeclined {
                self.emit_error(out, e.clone());
            }
        }
        out.settle(r.op, result);
    }
}
