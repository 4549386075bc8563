//! An append-only record of every money movement (authorisation, charge, capture, refund, release),
//! kept apart from intent state so a test can prove that nothing was charged twice.

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
    entries: Vec<Entry>,
}

#[derive(Default, Serialize)]
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
        let seq = self.entries.len() as u64 + 1;
        self.entries.push(Entry {
            seq,
            intent: intent.to_string(),
            movement,
            amount,
            currency,
            at,
        });
    }

    /// The ledger as `GET /test/ledger` shows it, optionally for one intent.
    pub fn report(&self, only: Option<&str>) -> Value {
        let mut per: BTreeMap<&str, Totals> = BTreeMap::new();
        let mut all = Totals::default();
        let mut entries = Vec::new();
        for e in self
            .entries
            .iter()
            .filter(|e| only.map_or(true, |id| id == e.intent))
        {
            per.entry(&e.intent).or_default().add(e);
            all.add(e);
            entries.push(json!({
                "seq": e.seq,
                "paymentIntentId": e.intent,
                "movement": e.movement,
                "amount": {"value": e.amount, "currencyCode": e.currency},
                "createdAt": rfc3339(e.at),
            }));
        }
        json!({"entries": entries, "intents": per, "totals": all})
    }
}
