//! An append-only record of every money movement (authorisation, charge, capture, refund, release),
//! kept apart from intent state so a test can prove that nothing was charged twice. A forgotten
//! intent's entries go with it; the totals keep counting them.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::clock::{rfc3339, Millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Movement {
    /// Funds held on the card (Manual capture).
    Authorization,
    /// Funds taken in one step (Auto capture).
    Charge,
    /// Held funds taken.
    Capture,
    /// Held funds given back without being taken (reversal, expiry, the rest of a partial capture).
    Release,
    /// Taken funds given back.
    Refund,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub seq: u64,
    pub intent: String,
    pub movement: Movement,
    pub amount: i64,
    pub currency: &'static str,
    pub at: Millis,
}

#[derive(Default)]
pub struct Ledger {
    entries: std::collections::HashMap<String, Vec<Entry>>,
    seq: u64,
    /// Every movement ever recorded, forgotten intents included.
    all: Totals,
}

#[derive(Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Totals {
    authorized: i64,
    charged: i64,
    captured: i64,
    released: i64,
    refunded: i64,
    /// Money that left the customer: charges + captures − refunds.
    net_collected: i64,
    movements: u64,
}

impl Totals {
    fn add(&mut self, e: &Entry) {
        self.movements += 1;
        match e.movement {
            Movement::Authorization => self.authorized += e.amount,
            Movement::Charge => self.charged += e.amount,
            Movement::Capture => self.captured += e.amount,
            Movement::Release => self.released += e.amount,
            Movement::Refund => self.refunded += e.amount,
        }
        self.net_collected = self.charged + self.captured - self.refunded;
    }
}

impl Ledger {
    pub fn record(
        &mut self,
        intent: &str,
        movement: Movement,
        amount: i64,
        currency: &'static str,
        at: Millis,
    ) {
        if amount <= 0 {
            return;
        }
        self.seq += 1;
        let e = Entry {
            seq: self.seq,
            intent: intent.to_string(),
            movement,
            amount,
            currency,
            at,
        };
        self.all.add(&e);
        self.entries.entry(intent.to_string()).or_default().push(e);
    }

    /// Drops an intent's entries (it was forgotten); the all-time totals keep them.
    pub fn forget(&mut self, intent: &str) {
        self.entries.remove(intent);
    }

    /// The ledger as `GET /test/ledger` shows it, optionally for one intent. The totals of the whole
    /// ledger include forgotten intents.
    pub fn report(&self, only: Option<&str>) -> Value {
        let mut per: BTreeMap<&str, Totals> = BTreeMap::new();
        let mut selected: Vec<&Entry> = match only {
            Some(id) => self
                .entries
                .get(id)
                .map(|v| v.iter().collect())
                .unwrap_or_default(),
            None => self.entries.values().flatten().collect(),
        };
        selected.sort_by_key(|e| e.seq);
        let mut some = Totals::default();
        let mut entries = Vec::new();
        for e in selected {
            per.entry(&e.intent).or_default().add(e);
            some.add(e);
            entries.push(json!({
                "seq": e.seq,
                "paymentIntentId": e.intent,
                "movement": e.movement,
                "amount": {"value": e.amount, "currencyCode": e.currency},
                "createdAt": rfc3339(e.at),
            }));
        }
        let totals = if only.is_some() {
            some
        } else {
            self.all.clone()
        };
        json!({"entries": entries, "intents": per, "totals": totals})
    }
}
