//! All sandbox state behind one lock: intents, secrets, 3-D Secure challenges, timers, idempotency
//! keys and the ledger. Every status change is `lifecycle::apply` on the intent's lifecycle state.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;

use crate::cards::{Behaviour, CheckedCard};
use crate::clock::Millis;
use crate::idempotency::Keys;
use crate::intent::{CaptureRecord, CardOnFile, Intent, PaymentEvent};
use crate::ledger::{Ledger, Movement};
use crate::lifecycle::{
    self, AutoExpireAction, CanonicalStatus as S, CaptureMode, Dialect, Duration, LifecycleError,
    LifecycleState, Money, PaymentError, PaymentEventType, Timestamp, Trigger,
};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Timer {
    /// `processing` ends (`Settle`).
    Settle(String),
    /// An asynchronous payment in a dialect without `processing` is authorised now.
    Deferred(String),
    /// A deadline from `lifecycle::next_deadline` (hold or void).
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

    /// Schedules the intent's next lifecycle deadline, if it has one.
    fn schedule_deadline(&mut self, id: &str) {
        let due = self
            .intents
            .get(id)
            .and_then(|i| lifecycle::next_deadline(&i.life))
            .map(|(at, _)| at.as_unix_millis());
        if let Some(at) = due {
            self.schedule(at, Timer::Expire(id.to_string()));
        }
    }

    pub fn create(&mut self, n: NewIntent, now: Millis, ttl_secs: i64) -> &Intent {
        let id = random_id("pi_sandbox_", 16);
        let secret = random_id("cs_sandbox_", 32);
        let total = money(n.amount.saturating_add(n.tips), n.currency);
        let mut life = LifecycleState::new(n.dialect, n.capture_mode, total, ts(now));
        if let Some(at) = n.expire_at {
            life = life.with_expire_at(Some(ts(at)));
        }
        if let Some(secs) = n.auto_expire_in {
            life = life.with_hold_ttl(Some(Duration::from_secs(secs)));
        }
        if let Some(action) = n.auto_expire_action {
            life = life.with_auto_expire_action(action);
        }
        let intent = Intent {
            id: id.clone(),
            life,
            currency: n.currency,
            amount: n.amount,
            requested_amount: None,
            tips: n.tips,
            held: 0,
            booked: 0,
            settling: false,
            custom_amount_allowed: n.custom_amount_allowed,
            tips_allowed: n.tips_allowed,
            created_at: now,
            updated_at: now,
            auto_expire_in: n.auto_expire_in,
            auto_expire_action: n.auto_expire_action,
            reference: n.reference,
            description: n.description,
            metadata: n.metadata,
            secret: secret.clone(),
            secret_expires: now + ttl_secs * 1000,
            version: 1,
            challenge: None,
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
        if let Some((at, _)) = lifecycle::next_deadline(&intent.life) {
            self.schedule(at.as_unix_millis(), Timer::Expire(id.clone()));
        }
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
    pub fn check_payable(&self, id: &str, now: Millis) -> ApiResult<()> {
        let i = self.get(id)?;
        if i.settling {
            return Err(Problem::illegal("pay", i.wire_status())
                .with("reason", "a payment is already being processed"));
        }
        lifecycle::apply(&i.life, Trigger::Authorise, ts(now))
            .map(|_| ())
            .map_err(|e| problem(&e, i, "pay"))
    }

    pub fn pay(
        &mut self,
        id: &str,
        card: &CheckedCard,
        now: Millis,
        settle_ms: Millis,
    ) -> ApiResult<Change> {
        self.check_payable(id, now)?;
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
            Behaviour::ProcessingError => return Err(Problem::processing_error()),
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
        let trigger = if approved {
            Trigger::ActionCompleted
        } else {
            Trigger::ActionFailed(PaymentError {
                code: "card_declined".into(),
                decline_code: Some("authentication_failed".into()),
                message: Some("3-D Secure authentication failed.".into()),
            })
        };
        let txn = intent
            .card
            .as_ref()
            .map(|c| c.transaction_id.clone())
            .unwrap_or_default();
        step(intent, &mut self.ledger, trigger, &txn, None, now)?;
        intent.challenge = None;
        let change = bump(intent, from, now);
        self.after_step(&id, now);
        Ok(change)
    }

    /// Schedules what a new status needs: a settle for `processing`, the next deadline.
    fn after_step(&mut self, id: &str, now: Millis) {
        if self
            .intents
            .get(id)
            .is_some_and(|i| i.status() == S::Processing)
        {
            self.schedule(now, Timer::Settle(id.to_string()));
        }
        self.schedule_deadline(id);
    }

    /// Captures `amount` (default: the whole authorisation). Returns the change and the capture id.
    pub fn capture(
        &mut self,
        id: &str,
        amount: Option<i64>,
        now: Millis,
    ) -> ApiResult<(Change, String)> {
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
        Ok((change, capture_id))
    }

    pub fn refund(&mut self, id: &str, amount: i64, now: Millis) -> ApiResult<(Change, String)> {
        let refund_id = random_id("rfnd_sandbox_", 12);
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        let requested = money(amount, intent.currency);
        step(
            intent,
            &mut self.ledger,
            Trigger::Refund(requested),
            &refund_id,
            Some(amount),
            now,
        )?;
        Ok((bump(intent, from, now), refund_id))
    }

    /// Dojo's reversal (`Reverse`); in dialects without one, releasing a hold is a cancel.
    pub fn reverse(&mut self, id: &str, now: Millis) -> ApiResult<(Change, String)> {
        let reversal_id = random_id("rvs_sandbox_", 12);
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        let reversible = intent
            .life
            .dialect()
            .table()
            .iter()
            .any(|r| r.from == intent.status() && r.trigger == lifecycle::TriggerKind::Reverse);
        let trigger = if reversible || intent.status() != S::Authorized {
            Trigger::Reverse
        } else {
            Trigger::Cancel
        };
        step(intent, &mut self.ledger, trigger, &reversal_id, None, now)?;
        Ok((bump(intent, from, now), reversal_id))
    }

    pub fn cancel(&mut self, id: &str, now: Millis) -> ApiResult<Change> {
        let intent = find(&mut self.intents, id)?;
        let from = intent.wire_status();
        if intent.settling {
            return Err(
                Problem::illegal("cancel", from).with("reason", "a payment is being processed")
            );
        }
        step(intent, &mut self.ledger, Trigger::Cancel, "", None, now)?;
        if let Some(c) = intent.challenge.take() {
            self.challenges.remove(&c);
        }
        let intent = find(&mut self.intents, id)?;
        Ok(bump(intent, from, now))
    }

    /// Sets the base amount (`tips == false`) or the tip; both only while the config allows and
    /// before the customer has paid.
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
        let other = if tips { intent.amount } else { intent.tips };
        let total = value
            .checked_add(other)
            .filter(|t| *t <= crate::routes::MAX_AMOUNT)
            .ok_or_else(|| {
                Problem::invalid(&format!("{param}.value"), "the total amount is too large")
            })?;
        if intent.settling || intent.challenge.is_some() {
            return Err(Problem::illegal("change the amount of", from));
        }
        let life = intent
            .life
            .with_amount(money(total, intent.currency))
            .map_err(|e| problem(&e, intent, "change the amount of"))?;
        intent.life = life;
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
        let (id, trigger) = match timer {
            Timer::Settle(id) => (id, Trigger::Settle),
            Timer::Expire(id) => (id, Trigger::Expire),
            Timer::Deferred(id) => {
                let intent = self.intents.get_mut(&id)?;
                if !intent.settling {
                    return None;
                }
                intent.settling = false;
                (id, Trigger::Authorise)
            }
        };
        let intent = self.intents.get_mut(&id)?;
        let from = intent.wire_status();
        let txn = intent
            .card
            .as_ref()
            .map(|c| c.transaction_id.clone())
            .unwrap_or_default();
        step(intent, &mut self.ledger, trigger, &txn, None, now).ok()?;
        let change = bump(intent, from, now);
        self.after_step(&id, now);
        Some(change)
    }
}

fn ts(ms: Millis) -> Timestamp {
    Timestamp::from_unix_millis(ms)
}

/// Amounts reaching here were validated by the routes (supported currency, 0..=MAX_MINOR_UNITS); a value
/// the core still refuses becomes zero, which every money trigger then rejects as invalid.
fn money(minor: i64, currency: &str) -> Money {
    Money::from_code(minor, currency)
        .or_else(|_| Money::from_code(0, currency))
        .unwrap_or_else(|_| zero_gbp())
}

fn zero_gbp() -> Money {
    Money::from_code(0, "GBP").expect("GBP") // ok: GBP is in ISO 4217 and zero is in range
}

/// A lifecycle refusal as the client sees it.
fn problem(e: &LifecycleError, intent: &Intent, verb: &str) -> Problem {
    match e {
        LifecycleError::InvalidAmount => {
            Problem::invalid("amount", "the amount must be at least 1")
        }
        LifecycleError::CaptureExceedsAuthorized { available, .. } => Problem::invalid(
            "amount",
            format!("the capture amount must be between 1 and {available}"),
        ),
        LifecycleError::RefundExceedsCaptured { available, .. } => Problem::invalid(
            "amount",
            format!("the refund amount must be between 1 and {available}"),
        ),
        LifecycleError::Money(m) => Problem::invalid("amount.currencyCode", m.to_string()),
        other => Problem::illegal(verb, intent.wire_status())
            .with("reason", other.to_string())
            .with("lifecycleCode", other.code()),
    }
}

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

/// Applies one trigger through the lifecycle table, then books the money it moved and records the
/// payment event the table names.
fn step(
    intent: &mut Intent,
    ledger: &mut Ledger,
    trigger: Trigger,
    txn: &str,
    event_amount: Option<i64>,
    now: Millis,
) -> ApiResult<()> {
    let verb = match trigger {
        Trigger::Capture(_) => "capture",
        Trigger::Refund(_) => "refund",
        Trigger::Reverse => "reverse",
        Trigger::Cancel => "cancel",
        Trigger::Expire => "expire",
        Trigger::Settle => "settle",
        Trigger::ActionCompleted | Trigger::ActionFailed(_) => "complete a challenge of",
        _ => "pay",
    };
    let t =
        lifecycle::apply(&intent.life, trigger, ts(now)).map_err(|e| problem(&e, intent, verb))?;
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
    let can_capture_more = intent
        .life
        .dialect()
        .table()
        .iter()
        .any(|r| r.from == after && r.trigger == lifecycle::TriggerKind::Capture);
    if intent.held > 0 && !can_capture_more && after != S::Processing {
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
        event(intent, event_name(e), txn, amount, now);
    }
    Ok(())
}

fn find<'a>(intents: &'a mut HashMap<String, Intent>, id: &str) -> ApiResult<&'a mut Intent> {
    intents
        .get_mut(id)
        .ok_or_else(|| Problem::not_found("the payment intent"))
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
