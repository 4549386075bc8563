//! All sandbox state behind one lock: intents, secrets, 3-D Secure challenges, timers, idempotency
//! keys and the ledger. Every change goes through here and is judged by `lifecycle::next`.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;

use crate::cards::{Behaviour, CheckedCard};
use crate::clock::Millis;
use crate::idempotency::Keys;
use crate::intent::{
    AutoExpireAction, CaptureRecord, CardOnFile, Intent, PaymentError, PaymentEvent,
};
use crate::ledger::{Ledger, Movement};
use crate::lifecycle::{self, Action, CaptureMode, Dialect, Status};
use crate::problem::{ApiResult, Problem};

/// Unpaid intents are voided after 30 days, as Dojo documents for `expireAt`.
pub const INTENT_LIFETIME_MS: Millis = 30 * 86_400_000;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Timer {
    Settle(String),
    Hold(String),
    Expire(String),
}

struct SecretRef {
    intent: String,
    superseded: bool,
}

/// What a committed change did, for the stream and the webhooks.
#[derive(Debug, Clone)]
pub struct Change {
    pub id: String,
    pub from: &'static str,
    pub to: &'static str,
    pub version: u64,
    pub at: Millis,
}

impl Change {
    pub fn status_changed(&self) -> bool {
        self.from != self.to
    }
}

pub struct NewIntent {
    pub dialect: Dialect,
    pub capture_mode: CaptureMode,
    pub amount: i64,
    pub currency: &'static str,
    pub tips: i64,
    pub reference: String,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub custom_amount_allowed: bool,
    pub tips_allowed: bool,
    pub auto_expire_in: Option<i64>,
    pub auto_expire_action: Option<AutoExpireAction>,
    pub expire_at: Option<Millis>,
}

#[derive(Default)]
pub struct Store {
    intents: HashMap<String, Intent>,
    secrets: HashMap<String, SecretRef>,
    challenges: HashMap<String, String>,
    timers: BTreeMap<(Millis, u64), Timer>,
    pub keys: Keys,
    pub ledger: Ledger,
    seq: u64,
}

/// `prefix` + 22 url-safe characters from the OS random source.
pub fn random_id(prefix: &str, bytes: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut buf = vec![0u8; bytes];
    if getrandom::fill(&mut buf).is_err() {
        // The OS source failing is not recoverable for secrets; fall back to a time-based mix so
        // the server keeps answering (ids stay unique via the prefix counter in the caller).
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (t >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    let mut s = String::with_capacity(prefix.len() + bytes * 4 / 3 + 1);
    s.push_str(prefix);
    for chunk in buf.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            s.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    s
}

impl Store {
    pub fn len(&self) -> usize {
        self.intents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.intents.is_empty()
    }

    pub fn get(&self, id: &str) -> ApiResult<&Intent> {
        self.intents
            .get(id)
            .ok_or_else(|| Problem::not_found("the payment intent"))
    }

    fn schedule(&mut self, at: Millis, timer: Timer) {
        self.seq += 1;
        self.timers.insert((at, self.seq), timer);
    }

    pub fn create(&mut self, n: NewIntent, now: Millis, ttl_secs: i64) -> &Intent {
        let id = random_id("pi_sandbox_", 16);
        let secret = random_id("cs_sandbox_", 32);
        let expire_at = n.expire_at.unwrap_or(now + INTENT_LIFETIME_MS);
        let intent = Intent {
            id: id.clone(),
            dialect: n.dialect,
            status: Status::Created,
            capture_mode: n.capture_mode,
            currency: n.currency,
            amount: n.amount,
            requested_amount: None,
            tips: n.tips,
            authorized: 0,
            captured: 0,
            refunded: 0,
            custom_amount_allowed: n.custom_amount_allowed,
            tips_allowed: n.tips_allowed,
            created_at: now,
            updated_at: now,
            expire_at,
            auto_expire_in: n.auto_expire_in,
            auto_expire_action: n.auto_expire_action,
            reference: n.reference,
            description: n.description,
            metadata: n.metadata,
            secret: secret.clone(),
            secret_expires: now + ttl_secs * 1000,
            version: 1,
            challenge: None,
            last_error: None,
            events: Vec::new(),
            captures: Vec::new(),
            card: None,
        };
        self.secrets.insert(
            secret,
            SecretRef {
                intent: id.clone(),
                superseded: false,
            },
        );
        self.schedule(expire_at, Timer::Expire(id.clone()));
        self.intents.entry(id).or_insert(intent)
    }

    /// Browser auth: the secret must be current and belong to this intent.
    pub fn check_secret(&self, secret: &str, id: &str, now: Millis) -> ApiResult<()> {
        let Some(r) = self.secrets.get(secret) else {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "token_invalid",
                "Invalid client session secret",
                "the client session secret is not valid",
            ));
        };
        if r.intent != id {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Forbidden",
                "the client session secret belongs to another payment intent",
            ));
        }
        let expired = r.superseded || self.get(id).map_or(true, |i| i.secret_expires <= now);
        if expired {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "token_expired",
                "Client session secret expired",
                "the client session secret has expired or was replaced; ask the merchant server to refresh it",
            ));
        }
        Ok(())
    }

    pub fn refresh_secret(&mut self, id: &str, now: Millis, ttl_secs: i64) -> ApiResult<Change> {
        let secret = random_id("cs_sandbox_", 32);
        let intent = find(&mut self.intents, id)?;
        let old = std::mem::replace(&mut intent.secret, secret.clone());
        intent.secret_expires = now + ttl_secs * 1000;
        let change = bump(intent, intent.wire_status(), now);
        if let Some(r) = self.secrets.get_mut(&old) {
            r.superseded = true;
        }
        self.secrets.insert(
            secret,
            SecretRef {
                intent: id.to_string(),
                superseded: false,
            },
        );
        Ok(change)
    }

    /// Checks that a payment may start now (before faults, latency or the card's behaviour).
    pub fn check_payable(&self, id: &str) -> ApiResult<()> {
        let i = self.get(id)?;
        legal(i, Action::PayApproved).map(|_| ())
    }

    pub fn pay(
        &mut self,
        id: &str,
        card: &CheckedCard,
        now: Millis,
        settle_ms: Millis,
    ) -> ApiResult<Change> {
        // Only a 3-D Secure card needs a challenge id; skip the random draw otherwise.
        let challenge = match card.behaviour {
            Behaviour::ThreeDSecure => random_id("ch_", 16),
            _ => String::new(),
        };
        let txn = random_id("txn_", 12);
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        let action = match card.behaviour {
            Behaviour::Approve => Action::PayApproved,
            Behaviour::Decline { .. } => Action::PayDeclined,
            Behaviour::ThreeDSecure => Action::PayChallenged,
            Behaviour::AsyncSettle => Action::PayPending,
            Behaviour::ProcessingError => return Err(Problem::processing_error()),
        };
        intent.status = legal(intent, action)?;
        intent.card = Some(CardOnFile {
            brand: card.brand,
            masked: card.masked.clone(),
            expiry: card.expiry.clone(),
            cardholder_name: card.cardholder_name.clone(),
            transaction_id: txn.clone(),
            at: now,
        });
        intent.last_error = None;
        let mut hold = None;
        let mut settle = false;
        match card.behaviour {
            Behaviour::Approve => {
                hold = paid(intent, &mut self.ledger, &txn, now);
            }
            Behaviour::Decline {
                decline_code,
                message,
            } => {
                intent.last_error = Some(PaymentError {
                    code: "card_declined",
                    decline_code,
                    message,
                });
                event(intent, "Declined", &txn, None, now);
            }
            Behaviour::ThreeDSecure => {
                intent.challenge = Some(challenge.clone());
                event(intent, "AuthChallenged", &txn, None, now);
            }
            Behaviour::AsyncSettle | Behaviour::ProcessingError => settle = true,
        }
        let change = bump(intent, from, now);
        if !challenge.is_empty() && intent.challenge.as_deref() == Some(challenge.as_str()) {
            self.challenges.insert(challenge, id.to_string());
        }
        if let Some(at) = hold {
            self.schedule(at, Timer::Hold(id.to_string()));
        }
        if settle {
            self.schedule(now + settle_ms, Timer::Settle(id.to_string()));
        }
        Ok(change)
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
    ) -> ApiResult<Change> {
        let unavailable = || {
            Problem::new(
                StatusCode::NOT_FOUND,
                "challenge_unavailable",
                "Challenge unavailable",
                "this 3-D Secure challenge does not exist or was already completed",
            )
        };
        let id = self.challenges.remove(challenge).ok_or_else(unavailable)?;
        let intent = find(&mut self.intents, &id)?;
        if intent.challenge.as_deref() != Some(challenge) {
            return Err(unavailable());
        }
        let from = intent.wire_status();
        let action = if approved {
            Action::ChallengeApproved
        } else {
            Action::ChallengeFailed
        };
        intent.status = legal(intent, action)?;
        intent.challenge = None;
        let txn = intent
            .card
            .as_ref()
            .map(|c| c.transaction_id.clone())
            .unwrap_or_default();
        let mut hold = None;
        if approved {
            hold = paid(intent, &mut self.ledger, &txn, now);
        } else {
            intent.last_error = Some(PaymentError {
                code: "card_declined",
                decline_code: "authentication_failed",
                message: "3-D Secure authentication failed.",
            });
            event(intent, "Declined", &txn, None, now);
        }
        let change = bump(intent, from, now);
        if let Some(at) = hold {
            self.schedule(at, Timer::Hold(id));
        }
        Ok(change)
    }

    /// Captures `amount` (default: all that is still held). Returns the change and the capture id.
    pub fn capture(
        &mut self,
        id: &str,
        amount: Option<i64>,
        now: Millis,
    ) -> ApiResult<(Change, String)> {
        let capture_id = random_id("cp_sandbox_", 12);
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        let to = legal(intent, Action::Capture)?;
        let remaining = intent.authorized - intent.captured;
        let amount = amount.unwrap_or(remaining);
        if amount < 1 || amount > remaining {
            return Err(Problem::invalid(
                "amount",
                format!("the capture amount must be between 1 and {remaining}"),
            ));
        }
        intent.status = to;
        intent.captured += amount;
        self.ledger
            .record(id, Movement::Capture, amount, intent.currency, now);
        // Outside Dojo a partial capture releases the rest of the hold at once.
        if intent.dialect != Dialect::Dojo && intent.captured < intent.authorized {
            let rest = intent.authorized - intent.captured;
            self.ledger
                .record(id, Movement::Release, rest, intent.currency, now);
            intent.authorized = intent.captured;
        }
        intent.captures.push(CaptureRecord {
            id: capture_id.clone(),
            amount,
            at: now,
        });
        let txn = capture_id.clone();
        event(intent, "Captured", &txn, Some(amount), now);
        Ok((bump(intent, from, now), capture_id))
    }

    pub fn refund(&mut self, id: &str, amount: i64, now: Millis) -> ApiResult<(Change, String)> {
        let refund_id = random_id("rfnd_sandbox_", 12);
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        // Judge legality first: refunding an uncaptured intent is a 409 whatever the amount.
        legal(intent, Action::Refund { full: false })?;
        let refundable = intent.captured - intent.refunded;
        if amount < 1 || amount > refundable {
            return Err(Problem::invalid(
                "amount",
                format!("the refund amount must be between 1 and {refundable}"),
            ));
        }
        let full = amount == refundable;
        intent.status = legal(intent, Action::Refund { full })?;
        intent.refunded += amount;
        self.ledger
            .record(id, Movement::Refund, amount, intent.currency, now);
        event(intent, "Refunded", &refund_id, Some(amount), now);
        Ok((bump(intent, from, now), refund_id))
    }

    pub fn reverse(&mut self, id: &str, now: Millis) -> ApiResult<(Change, String)> {
        let reversal_id = random_id("rvs_sandbox_", 12);
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        intent.status = legal(intent, Action::Reverse)?;
        give_back(intent, &mut self.ledger, now);
        event(intent, "Reversed", &reversal_id, None, now);
        Ok((bump(intent, from, now), reversal_id))
    }

    pub fn cancel(&mut self, id: &str, now: Millis) -> ApiResult<Change> {
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        intent.status = legal(intent, Action::Cancel)?;
        give_back(intent, &mut self.ledger, now);
        if let Some(c) = intent.challenge.take() {
            self.challenges.remove(&c);
        }
        let intent = find(&mut self.intents, id)?;
        event(intent, "Canceled", "", None, now);
        Ok(bump(intent, from, now))
    }

    /// Sets the base amount (`tips == false`) or the tip; both only while the config allows and
    /// before any payment attempt is under way.
    pub fn set_amount(
        &mut self,
        id: &str,
        tips: bool,
        value: i64,
        currency: &str,
        now: Millis,
    ) -> ApiResult<Change> {
        let intent = find(&mut self.intents, id)?;
        let allowed = if tips {
            intent.tips_allowed
        } else {
            intent.custom_amount_allowed
        };
        if !allowed {
            return Err(Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Not allowed for this payment intent",
                if tips {
                    "tips are not enabled for this payment intent (config.payment.tipsAllowed)"
                } else {
                    "custom amounts are not enabled for this payment intent (config.payment.customAmountAllowed)"
                },
            ));
        }
        let param = if tips { "tipsAmount" } else { "amount" };
        if currency != intent.currency {
            return Err(Problem::invalid(
                &format!("{param}.currencyCode"),
                format!("the currency must be the intent's, {}", intent.currency),
            ));
        }
        let from = intent.wire_status();
        legal(intent, Action::ChangeAmount)?;
        let other = if tips { intent.amount } else { intent.tips };
        if value
            .checked_add(other)
            .map_or(true, |t| t > crate::routes::MAX_AMOUNT)
        {
            return Err(Problem::invalid(
                &format!("{param}.value"),
                "the total amount is too large",
            ));
        }
        if tips {
            intent.tips = value;
        } else {
            intent.requested_amount.get_or_insert(intent.amount);
            intent.amount = value;
        }
        Ok(bump(intent, from, now))
    }

    /// Runs every timer due at `now`; stale timers (the intent moved on) do nothing.
    pub fn run_due(&mut self, now: Millis) -> Vec<Change> {
        let mut changes = Vec::new();
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let timer = entry.remove();
            if let Some(c) = self.fire(timer, now) {
                changes.push(c);
            }
        }
        changes
    }

    fn fire(&mut self, timer: Timer, now: Millis) -> Option<Change> {
        match timer {
            Timer::Settle(id) => {
                let intent = self.intents.get_mut(&id)?;
                let from = intent.wire_status();
                intent.status = legal(intent, Action::Settled).ok()?;
                let txn = intent
                    .card
                    .as_ref()
                    .map(|c| c.transaction_id.clone())
                    .unwrap_or_default();
                let hold = paid(intent, &mut self.ledger, &txn, now);
                let change = bump(intent, from, now);
                if let Some(at) = hold {
                    self.schedule(at, Timer::Hold(id));
                }
                Some(change)
            }
            Timer::Hold(id) => {
                let intent = self.intents.get_mut(&id)?;
                let from = intent.wire_status();
                if intent.status == Status::Captured && intent.captured < intent.authorized {
                    // A Dojo partial capture: the rest of the hold lapses quietly.
                    let rest = intent.authorized - intent.captured;
                    self.ledger
                        .record(&id, Movement::Release, rest, intent.currency, now);
                    intent.authorized = intent.captured;
                    return None;
                }
                let capture = intent.auto_expire_action == Some(AutoExpireAction::Capture);
                intent.status = legal(intent, Action::HoldExpired { capture }).ok()?;
                let rest = intent.authorized - intent.captured;
                if intent.status == Status::Captured {
                    intent.captured += rest;
                    self.ledger
                        .record(&id, Movement::Capture, rest, intent.currency, now);
                    event(intent, "Captured", "", Some(rest), now);
                } else {
                    self.ledger
                        .record(&id, Movement::Release, rest, intent.currency, now);
                    intent.authorized = intent.captured;
                    event(intent, "Reversed", "", None, now);
                }
                Some(bump(intent, from, now))
            }
            Timer::Expire(id) => {
                let intent = self.intents.get_mut(&id)?;
                let from = intent.wire_status();
                intent.status = legal(intent, Action::IntentExpired).ok()?;
                event(intent, "Canceled", "", None, now);
                Some(bump(intent, from, now))
            }
        }
    }
}

fn find<'a>(intents: &'a mut HashMap<String, Intent>, id: &str) -> ApiResult<&'a mut Intent> {
    intents
        .get_mut(id)
        .ok_or_else(|| Problem::not_found("the payment intent"))
}

fn legal(intent: &Intent, action: Action) -> ApiResult<Status> {
    lifecycle::next(intent.dialect, intent.capture_mode, intent.status, action)
        .ok_or_else(|| Problem::illegal(action.verb(), intent.wire_status()))
}

fn bump(intent: &mut Intent, from: &'static str, now: Millis) -> Change {
    intent.version += 1;
    intent.updated_at = now.max(intent.updated_at);
    Change {
        id: intent.id.clone(),
        from,
        to: intent.wire_status(),
        version: intent.version,
        at: now,
    }
}

fn event(intent: &mut Intent, kind: &'static str, txn: &str, amount: Option<i64>, now: Millis) {
    intent.events.push(PaymentEvent {
        event_type: kind,
        at: now,
        transaction_id: txn.to_string(),
        amount,
    });
}

/// Money moves for a successful authorisation; returns when the hold lapses (Manual only).
fn paid(intent: &mut Intent, ledger: &mut Ledger, txn: &str, now: Millis) -> Option<Millis> {
    let total = intent.total();
    intent.last_error = None;
    match intent.capture_mode {
        CaptureMode::Auto => {
            intent.authorized = total;
            intent.captured = total;
            ledger.record(&intent.id, Movement::Charge, total, intent.currency, now);
            event(intent, "Captured", txn, Some(total), now);
            None
        }
        CaptureMode::Manual => {
            intent.authorized = total;
            ledger.record(
                &intent.id,
                Movement::Authorization,
                total,
                intent.currency,
                now,
            );
            event(intent, "Authorized", txn, Some(total), now);
            let hold = match (intent.dialect, intent.auto_expire_in) {
                (Dialect::Dojo, Some(secs)) => secs,
                (d, _) => d.hold_secs(),
            };
            Some(now + hold * 1000)
        }
    }
}

/// Releases what is held and refunds what was taken, for reversal and cancellation.
fn give_back(intent: &mut Intent, ledger: &mut Ledger, now: Millis) {
    let held = intent.authorized - intent.captured;
    ledger.record(&intent.id, Movement::Release, held, intent.currency, now);
    let taken = intent.captured - intent.refunded;
    ledger.record(&intent.id, Movement::Refund, taken, intent.currency, now);
    intent.authorized = intent.captured;
}
