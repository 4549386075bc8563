//! Idempotency keys: the same key and body replay the stored answer, another body is a 422, and a key
//! whose first request is still running is a 409. Only committed (2xx) outcomes are stored. A key is
//! forgotten 24 hours (of sandbox time) after its first use, as Stripe's are, so memory stays bounded.

use std::collections::{HashMap, VecDeque};

use sha2::{Digest, Sha256};

use crate::clock::Millis;

/// How long a key is remembered.
pub const KEY_TTL_MS: Millis = 24 * 3_600_000;

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

type SlotKey = (&'static str, String, String);

struct Slot {
    fingerprint: [u8; 32],
    done: Option<Stored>,
    since: Millis,
}

#[derive(Default)]
pub struct Keys {
    slots: HashMap<SlotKey, Slot>,
    /// Keys in the order they were first used; the sandbox clock never goes back.
    by_age: VecDeque<(Millis, SlotKey)>,
}

/// Hashes the body as parsed JSON when it parses, so whitespace and key order do not matter.
pub fn fingerprint(body: &[u8]) -> [u8; 32] {
    let canonical = serde_json::from_slice::<serde_json::Value>(body)
        .map(|v| v.to_string().into_bytes())
        .unwrap_or_else(|_| body.to_vec());
    Sha256::digest(&canonical).into()
}

impl Keys {
    pub fn begin(
        &mut self,
        scope: &'static str,
        intent: &str,
        key: &str,
        fp: [u8; 32],
        now: Millis,
    ) -> Begin {
        self.expire(now);
        let k = (scope, intent.to_string(), key.to_string());
        match self.slots.get(&k) {
            None => {
                self.by_age.push_back((now, k.clone()));
                self.slots.insert(
                    k,
                    Slot {
                        fingerprint: fp,
                        done: None,
                        since: now,
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

    /// Forgets keys first used `KEY_TTL_MS` or more ago.
    pub fn expire(&mut self, now: Millis) {
        while let Some((since, _)) = self.by_age.front() {
            if now - since < KEY_TTL_MS {
                break;
            }
            if let Some((since, k)) = self.by_age.pop_front() {
                // A key abandoned and used again later has a newer slot: keep that one.
                if self.slots.get(&k).is_some_and(|s| s.since == since) {
                    self.slots.remove(&k);
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> Stored {
        Stored {
            status: 200,
            body: "{}".into(),
            etag: None,
        }
    }

    #[test]
    fn a_key_is_forgotten_24_hours_after_its_first_use_to_the_millisecond() {
        // The API's clock runs in real time, so only here can the boundary be hit exactly.
        let mut keys = Keys::default();
        let fp = fingerprint(b"{}");
        let t0 = 1_700_000_000_000;
        assert!(matches!(keys.begin("pay", "pi", "k", fp, t0), Begin::Fresh));
        keys.finish("pay", "pi", "k", stored());
        let last = t0 + KEY_TTL_MS - 1;
        assert!(matches!(
            keys.begin("pay", "pi", "k", fp, last),
            Begin::Replay(_)
        ));
        assert!(matches!(
            keys.begin("pay", "pi", "k", fp, t0 + KEY_TTL_MS),
            Begin::Fresh
        ));
        assert_eq!(keys.len(), 1, "the new use only");
    }
}
