//! Idempotency keys: the same key and body replay the stored answer, another body is a 422, and a key
//! whose first request is still running is a 409. Only committed (2xx) outcomes are stored.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u16,
    pub body: String,
    pub etag: Option<String>,
}

pub enum Begin {
    Fresh,
    Replay(Stored),
    Mismatch,
    InUse,
}

struct Slot {
    fingerprint: [u8; 32],
    done: Option<Stored>,
}

#[derive(Default)]
pub struct Keys {
    slots: HashMap<(&'static str, String, String), Slot>,
}

/// Hashes the body as parsed JSON when it parses, so whitespace and key order do not matter.
pub fn fingerprint(body: &[u8]) -> [u8; 32] {
    let canonical = serde_json::from_slice::<serde_json::Value>(body)
        .map(|v| v.to_string().into_bytes())
        .unwrap_or_else(|_| body.to_vec());
    Sha256::digest(&canonical).into()
}

impl Keys {
    pub fn begin(&mut self, scope: &'static str, intent: &str, key: &str, fp: [u8; 32]) -> Begin {
        let k = (scope, intent.to_string(), key.to_string());
        match self.slots.get(&k) {
            None => {
                self.slots.insert(
                    k,
                    Slot {
                        fingerprint: fp,
                        done: None,
                    },
                );
                Begin::Fresh
            }
            Some(slot) if slot.fingerprint != fp => Begin::Mismatch,
            Some(Slot { done: None, .. }) => Begin::InUse,
            Some(Slot {
                done: Some(stored), ..
            }) => Begin::Replay(stored.clone()),
        }
    }

    pub fn finish(&mut self, scope: &'static str, intent: &str, key: &str, stored: Stored) {
        let k = (scope, intent.to_string(), key.to_string());
        if let Some(slot) = self.slots.get_mut(&k) {
            slot.done = Some(stored);
        }
    }

    /// Forgets a key whose request did not commit, so a retry runs afresh.
    pub fn abandon(&mut self, scope: &'static str, intent: &str, key: &str) {
        self.slots
            .remove(&(scope, intent.to_string(), key.to_string()));
    }
}
