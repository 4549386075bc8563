//! The page-side checkout flow as a sans-IO state machine (quinn-proto style).
//!
//! Inputs: user actions ([`Checkout::start`], [`Checkout::pay`], [`Checkout::set_tip`], ...), HTTP replies
//! and failures, stream bytes, the timer, token-refresh results and `postMessage`s, each with `now` (unix ms
//! from the shell; the core never reads a clock). Outputs: [`Output`]s drained with
//! [`Checkout::poll_output`] (send/abort a request, call the page's `refreshToken`, emit an event, settle a
//! promise), and one deadline, [`Checkout::poll_timeout`], at which the shell calls
//! [`Checkout::handle_timeout`].
//!
//! The parts, each with its own state as an enum:
//! - [`io`]: the outputs, events and the page's view of the intent;
//! - [`wire`]: what the flow asks of the API, through the checkout's dialect;
//! - `jobs`: requests in flight, retries waiting for their time, and the deadline;
//! - `token`: the connect token and where its refresh stands;
//! - `attempt`: the payment attempt (idempotency key, retries, outcome);
//! - `follow`: following the intent (off, streaming, polling);
//! - `snapshot`: one snapshot from text to the page's events (decode, mirror, events);
//! - `saved`: the customer's saved cards, and paying with one, keeping a new one, confirming a setup
//!   intent.
//!
//! A checkout follows a payment intent or a setup intent ([`Config::kind`]): the same machine, with the
//! setup intent's paths, document and lifecycle.
//!
//! Invariants: one idempotency key per logical payment attempt, reused byte-for-byte on every retry; at
//! most one attempt at a time; at most one token refresh per expiry; neither the token nor the customer
//! secret is ever part of an output (the shell asks [`Checkout::authorization`] for the `Authorization`
//! header of each request it sends). A destroyed checkout holds no token, request or attempt: its state is
//! gone, not flagged.

pub mod backoff;
pub mod error;
pub mod io;
pub mod sse;
pub mod wire;

mod attempt;
mod follow;
mod jobs;
mod saved;
mod snapshot;
mod token;

#[cfg(test)]
mod tests;

use std::rc::Rc;

pub use crate::core::json;
pub use crate::core::mirror::Phase;
pub use crate::core::payment_method::{CardInput, PaymentMethod};
pub use backoff::{RetryPolicy, Rng};
pub use error::{CheckoutError, ErrorCode};
pub use io::{
    op_result_json, Config, Delta, Event, EventKind, Millis, OpId, OpResult, Output, RequestId,
    Snapshot,
};
pub use sse::{SseEvent, SseParser};
pub use wire::{Adjustment, Auth, IntentKind, Method, Reply, Request};

use crate::core::mirror::Mirror;
use crate::core::saved::CustomerSecret;
use crate::core::token::ConnectToken;
use attempt::Attempt;
use follow::Follow;
use io::Outbox;
use jobs::{Job, Jobs, Purpose};
use token::Credentials;

/// One checkout: live until [`Checkout::destroy`], then only an outbox that refuses every action.
#[derive(Debug)]
pub struct Checkout {
    out: Outbox,
    live: Option<Box<Live>>,
}

/// Everything a live checkout holds. Its methods are spread over the flow's parts (`impl Live` in each).
#[derive(Debug)]
struct Live {
    config: Config,
    credentials: Credentials,
    rng: Rng,
    jobs: Jobs,
    /// The core's copy of the intent: it alone orders snapshots and says what changed.
    mirror: Mirror,
    /// The page's view of the mirror's current snapshot.
    view: Option<Rc<Snapshot>>,
    attempt: Attempt,
    follow: Follow,
    /// The customer secret and saved cards, when the page gave a customer.
    saved: Option<saved::Saved>,
}

impl Checkout {
    /// `intent_id` must be a plain id (letters, digits, `_`, `-`): it goes into request paths.
    pub fn new(
        config: Config,
        token: String,
        token_expires_at: Option<Millis>,
        now: Millis,
    ) -> Result<Checkout, CheckoutError> {
        let id_ok = !config.intent_id.is_empty()
            && config.intent_id.len() <= 128
            && config
                .intent_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !id_ok {
            return Err(CheckoutError::new(
                ErrorCode::SdkError,
                "paymentIntentId is not a valid id",
            ));
        }
        let token =
            token::connect_token(&config, token, token_expires_at, now).ok_or_else(|| {
                CheckoutError::new(ErrorCode::SdkError, "connectToken is missing or malformed")
            })?;
        Ok(Checkout {
            out: Outbox::default(),
            live: Some(Box::new(Live {
                rng: Rng::new(config.seed),
                mirror: Mirror::new(config.dialect),
                credentials: Credentials::new(token),
                config,
                jobs: Jobs::default(),
                view: None,
                attempt: Attempt::default(),
                follow: Follow::Off,
                saved: None,
            })),
        })
    }

    // ----- outputs and read-only views -----

    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    /// When [`Checkout::handle_timeout`] is next due (request timeouts, retries, reconnects, polls, the
    /// refresh timeout), or `None` when nothing waits.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Millis> {
        let live = self.live.as_ref()?;
        let refresh = live.credentials.deadline();
        match (live.jobs.next_deadline(), refresh) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The token for the `Authorization` header of a request just polled. `None` once destroyed.
    pub fn bearer(&self) -> Option<&str> {
        Some(self.live.as_ref()?.credentials.bearer())
    }

    /// The whole `Authorization` header for `request`: `Bearer <connect token>`, or `Basic <customer
    /// secret>` for the customer's saved cards. `None` once destroyed.
    pub fn authorization(&self, request: &Request) -> Option<String> {
        let live = self.live.as_ref()?;
        match request.auth {
            Auth::Customer => live.customer_authorization(),
            Auth::Intent => {
                let token = live.credentials.bearer();
                let mut auth = String::with_capacity(token.len() + 7);
                auth.push_str("Bearer ");
                auth.push_str(token);
                Some(auth)
            }
        }
    }

    pub fn intent(&self) -> Option<Rc<Snapshot>> {
        self.live.as_ref()?.view.clone()
    }

    /// The mirrored intent as the core decoded it (config, accepted brands, order lines), if loaded.
    pub fn mirrored(&self) -> Option<&crate::core::intent::PaymentIntent> {
        self.live.as_ref()?.mirror.current()
    }

    pub fn is_destroyed(&self) -> bool {
        self.live.is_none()
    }

    /// A payment attempt is running (the page's Pay button should stay disabled).
    pub fn is_paying(&self) -> bool {
        self.live.as_ref().is_some_and(|l| l.attempt.is_running())
    }

    // ----- user actions -----

    /// Loads the intent; settles the op with it (or an error), then follows it while it is not terminal.
    pub fn start(&mut self, now: Millis) -> OpId {
        self.action(|live, out, op| live.submit(out, Job::new(Purpose::Load(op)), now))
    }

    /// Starts a payment attempt with a card typed into the page. Refused (settled at once, nothing sent)
    /// while another attempt runs, before the intent is loaded, when the intent is not payable, or when
    /// the checkout takes cards only from isolated fields.
    pub fn pay(&mut self, card: &CardInput, now: Millis) -> OpId {
        self.pay_with(card, "", false, now)
    }

    /// [`Checkout::pay`] with the customer's details as JSON (`{"userEmailAddress", "billingAddress",
    /// "shippingDetails"}`, normalised by the page's form with `core::payer::check_json`): checked for
    /// Dojo's shapes and for what the intent's `config` requires (a `validation_error` naming the field,
    /// nothing sent), then sent with the payment. `keep`: as for [`Checkout::pay_reference_with`].
    pub fn pay_with(&mut self, card: &CardInput, details: &str, keep: bool, now: Millis) -> OpId {
        self.action(|live, out, op| live.pay(out, op, card, details, keep, now))
    }

    /// Starts a payment attempt with the card reference the isolated card frame got from the API.
    /// Refused as `pay` is, and with `validation_error` for an id that is not one.
    pub fn pay_reference(&mut self, id: &str, now: Millis) -> OpId {
        self.pay_reference_with(id, "", false, now)
    }

    /// [`Checkout::pay_reference`] with the customer's details, as [`Checkout::pay_with`] takes them, and,
    /// when `keep`, the customer's consent to keep the card on file (a payment: "save this card", saved to
    /// the intent's customer; a setup intent: required, its consent to the merchant's later charges).
    pub fn pay_reference_with(&mut self, id: &str, details: &str, keep: bool, now: Millis) -> OpId {
        let method = PaymentMethod::card_reference(id);
        self.action(|live, out, op| live.pay_by(out, op, method, details, keep, now))
    }

    /// Pays with one of the customer's saved cards (no CVC; the API may ask for it: then a CVC-only
    /// reference from the card frame pays instead), with the customer's details as `pay_with` takes
    /// them. Refused without a request if the card is known to have expired.
    pub fn pay_saved(&mut self, id: &str, details: &str, now: Millis) -> OpId {
        let method = PaymentMethod::saved_card(id);
        self.action(|live, out, op| live.pay_by(out, op, method, details, false, now))
    }

    /// The customer secret (and whose it is) for the saved cards; replaces an earlier one.
    pub fn set_customer(
        &mut self,
        customer_id: &str,
        secret: String,
        expires_at: Option<Millis>,
    ) -> Result<(), CheckoutError> {
        let secret = CustomerSecret::new(secret, customer_id, expires_at.map(token::at))
            .ok_or_else(|| {
                CheckoutError::new(
                    ErrorCode::SdkError,
                    "customerId or customerSecret is missing or malformed",
                )
            })?;
        match self.live.as_mut() {
            Some(live) => {
                live.set_customer(secret);
                Ok(())
            }
            None => Err(destroyed_error()),
        }
    }

    /// Lists the customer's saved cards: settles with `{"cards": [...]}` (`SettleJson`).
    pub fn list_saved(&mut self, now: Millis) -> OpId {
        self.action(|live, out, op| live.list_saved(out, op, now))
    }

    /// Removes one of the customer's saved cards: settles with the cards left.
    pub fn remove_saved(&mut self, id: &str, now: Millis) -> OpId {
        self.action(|live, out, op| live.remove_saved(out, op, id, now))
    }

    pub fn set_tip(&mut self, minor: i64, now: Millis) -> OpId {
        self.action(|live, out, op| live.adjust(out, op, Adjustment::Tip, minor, now))
    }

    pub fn set_amount(&mut self, minor: i64, now: Millis) -> OpId {
        self.action(|live, out, op| live.adjust(out, op, Adjustment::Amount, minor, now))
    }

    /// Gives up waiting for the current attempt (e.g. the customer closed the 3-D Secure frame). The pay
    /// promise settles with `sdk_error`; the intent is still followed, so a late success still shows.
    pub fn cancel(&mut self, _now: Millis) {
        if let Some(live) = self.live.as_mut() {
            live.cancel_attempt(&mut self.out);
        }
    }

    /// Stops everything: aborts requests, forgets the token and card data; pending promises settle with
    /// `sdk_error`. What is left is the outbox.
    pub fn destroy(&mut self) {
        if let Some(live) = self.live.take() {
            live.shut_down(&mut self.out);
        }
    }

    // ----- I/O inputs -----

    pub fn handle_reply(&mut self, id: RequestId, reply: Reply, now: Millis) {
        if let Some(live) = self.live.as_mut() {
            live.on_reply(&mut self.out, id, reply, now);
        }
    }

    /// No answer: connection refused, reset, CORS, or the body read failed.
    pub fn handle_failure(&mut self, id: RequestId, now: Millis) {
        if let Some(live) = self.live.as_mut() {
            live.on_failure(&mut self.out, id, now);
        }
    }

    /// The stream's headers arrived with status 200: from now on the idle timeout applies.
    pub fn handle_stream_open(&mut self, id: RequestId, now: Millis) {
        if let Some(live) = self.live.as_mut() {
            let idle = live.config.policy.stream_idle_ms;
            live.jobs.rearm(id, now + idle);
        }
    }

    pub fn handle_stream_data(&mut self, id: RequestId, bytes: &[u8], now: Millis) {
        if let Some(live) = self.live.as_mut() {
            live.on_stream_data(&mut self.out, id, bytes, now);
        }
    }

    /// The stream body ended (the server closes it after a terminal status).
    pub fn handle_stream_end(&mut self, id: RequestId, now: Millis) {
        if let Some(live) = self.live.as_mut() {
            if let Some(flight) = live.jobs.take(id) {
                live.on_stream_down(&mut self.out, flight.got_event(), now);
            }
        }
    }

    /// The deadline from [`Checkout::poll_timeout`] passed: runs everything due by `now`.
    pub fn handle_timeout(&mut self, now: Millis) {
        if let Some(live) = self.live.as_mut() {
            live.on_timeout(&mut self.out, now);
        }
    }

    /// The page's `refreshToken` settled: `Some((token, expiresAt))` or `None` (threw, returned nothing).
    pub fn handle_refreshed(&mut self, result: Option<(String, Option<Millis>)>, now: Millis) {
        if let Some(live) = self.live.as_mut() {
            live.on_refreshed(&mut self.out, result, now);
        }
    }

    /// A `postMessage` reached the page. Only the API origin's "challenge finished" for the current
    /// challenge counts; it triggers an immediate re-read.
    pub fn handle_message(&mut self, origin: &str, data: &str, now: Millis) {
        if let Some(live) = self.live.as_mut() {
            live.on_message(&mut self.out, origin, data, now);
        }
    }

    /// Runs a user action that settles a page promise: refused with `sdk_error` once destroyed.
    fn action(&mut self, f: impl FnOnce(&mut Live, &mut Outbox, OpId)) -> OpId {
        let op = self.out.new_op();
        match self.live.as_mut() {
            Some(live) => f(live, &mut self.out, op),
            None => self.out.settle(op, Err(destroyed_error())),
        }
        op
    }

    /// Test-only: how many deadlines are pending (request timeouts, waiting retries, the refresh timeout).
    #[cfg(test)]
    fn pending_timers(&self) -> usize {
        self.live.as_ref().map_or(0, |l| {
            l.jobs.deadlines() + usize::from(l.credentials.deadline().is_some())
        })
    }
}

impl Live {
    fn emit(&self, out: &mut Outbox, kind: EventKind, error: Option<CheckoutError>) {
        out.push(Output::Emit(Event {
            kind,
            intent: self.view.clone(),
            delta: None,
            error,
            url: None,
        }));
    }

    fn emit_error(&self, out: &mut Outbox, error: CheckoutError) {
        self.emit(out, EventKind::Error, Some(error));
    }

    fn token(&self) -> &ConnectToken {
        self.credentials.token()
    }

    /// Every request aborted, every pending promise settled with `sdk_error`; the token and any card
    /// data are dropped with `self`.
    fn shut_down(mut self: Box<Self>, out: &mut Outbox) {
        let mut ops = self.jobs.shut_down(out);
        ops.extend(self.attempt.shut_down());
        let mut settled: Vec<OpId> = Vec::new();
        for op in ops {
            if !settled.contains(&op) {
                settled.push(op);
                out.settle(op, Err(destroyed_error()));
            }
        }
    }
}

fn destroyed_error() -> CheckoutError {
    CheckoutError::new(ErrorCode::SdkError, "the checkout was destroyed")
}

/// Checks before sending, so an obvious typo costs no request (the server checks again). The first
/// problem becomes a `validation_error` whose `param` names the field.
pub fn validate_card(card: &CardInput, now: Millis) -> Result<(), CheckoutError> {
    match crate::core::card_form::check(card, now).first() {
        None => Ok(()),
        Some((field, code)) => Err(error::invalid(
            field,
            Some(*code),
            "the card details are not valid",
        )),
    }
}
