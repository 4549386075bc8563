//! Bounded memory. An intent whose outcome is settled (terminal, or collected: what ends its event
//! stream) is "finished"; beyond `max_finished` the one that finished longest ago is forgotten with
//! everything that names it (secrets, refunds, ledger entries). Open intents are capped by `max_live`
//! (`create` refuses beyond it); idempotency keys expire after 24 hours of sandbox time (`Keys`).

use super::{Change, Store};
use crate::clock::Millis;

/// Superseded secrets an intent keeps recognising; older ones become unknown.
pub(super) const OLD_SECRETS: usize = 8;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_live: usize,
    pub max_finished: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_live: 100_000,
            max_finished: 10_000,
        }
    }
}

impl Store {
    /// Every committed change passes here: an intent that just finished joins the eviction queue.
    pub(super) fn committed(&mut self, change: Change) -> Change {
        let finished = self
            .intents
            .get(&change.id)
            .is_some_and(|i| i.stream_done() && !i.finished);
        if finished {
            if let Some(i) = self.intents.get_mut(&change.id) {
                i.finished = true;
            }
            self.finished.push_back(change.id.clone());
            while self.finished.len() > self.limits.max_finished {
                if let Some(old) = self.finished.pop_front() {
                    self.forget(&old);
                }
            }
        }
        change
    }

    /// Removes an intent and what refers to it. Its timers find nothing and do nothing.
    fn forget(&mut self, id: &str) {
        let Some(intent) = self.intents.remove(id) else {
            return;
        };
        self.order.remove(&intent.seq);
        self.secrets.remove(&intent.secret);
        for s in &intent.old_secrets {
            self.secrets.remove(s);
        }
        if let Some(c) = &intent.challenge {
            self.challenges.remove(c);
        }
        for r in &intent.refunds {
            self.refunds.remove(r);
        }
        self.ledger.forget(id);
    }

    /// Drops what time has made useless (expired idempotency keys).
    pub(super) fn expire(&mut self, now: Millis) {
        self.keys.expire(now);
    }

    /// Intents held: (not finished, finished).
    pub fn counts(&self) -> (usize, usize) {
        (
            self.intents.len() - self.finished.len(),
            self.finished.len(),
        )
    }
}
