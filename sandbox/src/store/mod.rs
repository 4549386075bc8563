//! All sandbox state behind one lock: intents, secrets, 3-D Secure challenges, timers, idempotency
//! keys and the ledger. Every status change is `lifecycle::apply` on the intent's lifecycle state
//! (`book::step`). The store answers in domain terms (`StoreError`): it knows no HTTP.
//!
//! - `secrets`: issuing and checking client session secrets.
//! - `payments`: card payments and 3-D Secure challenges.
//! - `merchant_ops`: capture, refund, reverse, cancel, amounts.
//! - `timers`: what the clock runs (settlement, deferred authorisation, deadlines).
//! - `book`: one lifecycle step, the money it moved and the payment event it names.
//! - `card_refs`: cards the isolated card frame handed over, behind single-use references.
//! - `challenge_guards`: what binds an open 3-D Secure challenge to the page that paid.
//! - `lookup`: search, refunds by id, the receipt outbox.
//! - `setups`: setup intents (a card saved for the merchant's later charge) and the charge itself.
//! - `customers`: customers, customer secrets and saved cards.
//! - `retention`: what bounds memory (finished intents beyond a cap are forgotten oldest first).

mod book;
mod card_refs;
mod challenge_guards;
mod customers;
mod error;
mod lookup;
mod merchant_ops;
mod payments;
mod retention;
mod secrets;
mod setups;
mod timers;

use std::collections::{BTreeMap, HashMap, VecDeque};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::clock::Millis;
use crate::idempotency::Keys;
use crate::intent::Intent;
use crate::ledger::Ledger;
use crate::lifecycle::{
    self, AutoExpireAction, CaptureMode, Dialect, Duration, LifecycleState, Money, Timestamp,
};

pub use card_refs::{RefError, REF_TTL_MS};
pub use challenge_guards::{ChallengeGuards, Guard};
pub use customers::{CustomerFields, CustomerSecretError};
pub use error::{StoreError, StoreResult};
pub use lookup::{Found, Page, Receipt, RefundDetails, RefundRecord, Search};
pub use retention::Limits;
use secrets::SecretRef;
pub use setups::{Charged, NewSetup};
use timers::Timer;

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
    /// A new intent (`from` is empty).
    pub fn created(&self) -> bool {
        self.from.is_empty()
    }

    pub fn status_changed(&self) -> bool {
        !self.created() && self.from != self.to
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
    /// Made by the demo's routes (which act only on such intents).
    pub demo: bool,
    pub details: crate::details::Details,
}

#[derive(Default)]
pub struct Store {
    limits: Limits,
    intents: HashMap<String, Intent>,
    secrets: HashMap<String, SecretRef>,
    challenges: HashMap<String, String>,
    timers: BTreeMap<(Millis, u64), Timer>,
    /// Creation order (`Intent::seq`) to id, for search paging.
    order: BTreeMap<u64, String>,
    /// Finished intents, in the order they finished: the front is forgotten first.
    finished: VecDeque<String>,
    refunds: HashMap<String, RefundRecord>,
    outbox: VecDeque<Receipt>,
    pub keys: Keys,
    pub ledger: Ledger,
    card_refs: card_refs::CardRefs,
    /// Completion credentials and paying origins of open 3-D Secure challenges.
    pub challenge_guards: ChallengeGuards,
    seq: u64,
    setups: HashMap<String, crate::setup_intent::SetupRecord>,
    /// A setup intent's client session secrets: secret → (setup intent, superseded).
    setup_secrets: HashMap<String, (String, bool)>,
    /// Open 3-D Secure challenges of setup intents: challenge → setup intent.
    setup_challenges: HashMap<String, String>,
    customers: HashMap<String, crate::setup_intent::CustomerRecord>,
    /// Customer secrets: secret → (customer, expires at).
    customer_secrets: HashMap<String, (String, Millis)>,
    saved_methods: HashMap<String, crate::setup_intent::SavedMethod>,
    /// Payment intents made from a setup intent (`setupIntentId`): payment intent → setup intent.
    charges: HashMap<String, String>,
    /// Payment intents made for a known customer (`customer.id`): payment intent → customer.
    payment_customers: HashMap<String, String>,
    /// Cards to keep once a challenged payment made with `savePaymentMethod` passes its challenge.
    pending_saves: HashMap<String, crate::cards::CheckedCard>,
    /// Setup intents changed since the streams were last told (`take_setup_changes`).
    setups_changed: Vec<String>,
}

/// `prefix` + the url-safe base64 of `bytes` bytes from the OS random source.
pub fn random_id(prefix: &str, bytes: usize) -> String {
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
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(&buf))
}

impl Store {
    pub fn new(limits: Limits) -> Self {
        Store {
            limits,
            ..Store::default()
        }
    }

    pub fn len(&self) -> usize {
        self.intents.len()
    }

    /// The setup intents that changed since the last call (their streams send the new snapshot).
    pub fn take_setup_changes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.setups_changed)
    }

    pub fn is_empty(&self) -> bool {
        self.intents.is_empty()
    }

    pub fn get(&self, id: &str) -> StoreResult<&Intent> {
        self.intents
            .get(id)
            .ok_or(StoreError::NotFound("the payment intent"))
    }

    /// Creates an intent; the change is its creation (`Change::created`).
    pub fn create(&mut self, n: NewIntent, now: Millis, ttl_secs: i64) -> StoreResult<Change> {
        if self.intents.len() - self.finished.len() >= self.limits.max_live {
            return Err(StoreError::TooManyIntents(self.limits.max_live));
        }
        self.seq += 1;
        let seq = self.seq;
        let id = random_id("pi_sandbox_", 16);
        let secret = random_id("cs_sandbox_", 32);
        let extras = n.details.extras();
        let total = money(
            n.amount.saturating_add(n.tips).saturating_add(extras),
            n.currency,
        );
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
            old_secrets: Vec::new(),
            refunds: Vec::new(),
            demo: n.demo,
            seq,
            finished: false,
            secret_expires: now + ttl_secs * 1000,
            version: 1,
            challenge: None,
            events: Vec::new(),
            captures: Vec::new(),
            card: None,
            details: n.details,
        };
        self.secrets.insert(secret, SecretRef::new(&id));
        if let Some((at, _)) = lifecycle::next_deadline(&intent.life) {
            self.schedule(at.as_unix_millis(), Timer::Expire(id.clone()));
        }
        let change = Change {
            id: id.clone(),
            from: "",
            to: intent.wire_status(),
            version: intent.version,
            at: now,
        };
        self.intents.insert(id.clone(), intent);
        self.order.insert(seq, id);
        Ok(change)
    }
}

/// The intent, borrowed apart from the rest of the store (so the ledger can be borrowed beside it).
fn find<'a>(intents: &'a mut HashMap<String, Intent>, id: &str) -> StoreResult<&'a mut Intent> {
    intents
        .get_mut(id)
        .ok_or(StoreError::NotFound("the payment intent"))
}

fn ts(ms: Millis) -> Timestamp {
    Timestamp::from_unix_millis(ms)
}

/// Amounts reaching here were validated by the routes (supported currency, 0..=MAX_AMOUNT); a value
/// the core still refuses becomes zero, which every money trigger then rejects as invalid.
fn money(minor: i64, currency: &str) -> Money {
    Money::from_code(minor, currency)
        .or_else(|_| Money::from_code(0, currency))
        .unwrap_or_else(|_| zero_gbp())
}

fn zero_gbp() -> Money {
    Money::from_code(0, "GBP").expect("GBP") // ok: GBP is in ISO 4217 and zero is in range
}

/// Records a committed change: the version rises by one.
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
