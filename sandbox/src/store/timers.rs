//! What the sandbox clock runs: a `processing` payment settling, a deferred authorisation, and the
//! deadlines `lifecycle::next_deadline` names. A timer whose intent moved on does nothing.

use super::book::step;
use super::{bump, Change, Store};
use crate::clock::Millis;
use crate::lifecycle::{self, CanonicalStatus as S, Trigger};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Timer {
    /// `processing` ends (`Settle`).
    Settle(String),
    /// An asynchronous payment in a dialect without `processing` is authorised now.
    Deferred(String),
    /// A deadline from `lifecycle::next_deadline` (hold or void).
    Expire(String),
    /// A setup intent's deadline (`lifecycle::setup::next_deadline`: expiry, or its card's expiry).
    SetupDeadline(String),
    /// A setup intent's asynchronous verification succeeds.
    SetupSettle(String),
}

impl Store {
    pub(super) fn schedule(&mut self, at: Millis, timer: Timer) {
        self.seq += 1;
        self.timers.insert((at, self.seq), timer);
    }

    /// Schedules the intent's next lifecycle deadline, if it has one.
    pub(super) fn schedule_deadline(&mut self, id: &str) {
        let due = self
            .intents
            .get(id)
            .and_then(|i| lifecycle::next_deadline(&i.life))
            .map(|(at, _)| at.as_unix_millis());
        if let Some(at) = due {
            self.schedule(at, Timer::Expire(id.to_string()));
        }
    }

    /// Schedules what a new status needs: a settle for `processing`, the next deadline.
    pub(super) fn after_step(&mut self, id: &str, now: Millis) {
        if self
            .intents
            .get(id)
            .is_some_and(|i| i.status() == S::Processing)
        {
            self.schedule(now, Timer::Settle(id.to_string()));
        }
        self.schedule_deadline(id);
    }

    /// Runs every timer due at `now`, and drops what expired by then.
    pub fn run_due(&mut self, now: Millis) -> Vec<Change> {
        self.expire(now);
        let mut changes = Vec::new();
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let timer = entry.remove();
            if let Some(c) = self.fire(timer, now) {
                changes.push(self.committed(c));
            }
        }
        changes
    }

    fn fire(&mut self, timer: Timer, now: Millis) -> Option<Change> {
        let (id, trigger) = match timer {
            // Setup intents change no payment intent: nothing to publish.
            t @ (Timer::SetupDeadline(_) | Timer::SetupSettle(_)) => {
                self.fire_setup(t, now);
                return None;
            }
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
        let txn = intent.transaction_id();
        step(intent, &mut self.ledger, trigger, &txn, None, now).ok()?;
        let change = bump(intent, from, now);
        self.after_step(&id, now);
        Some(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_due_at_the_same_millisecond_are_all_kept() {
        // Two payments settling in the same millisecond: losing either timer leaves it processing.
        let mut store = Store::default();
        store.schedule(1_000, Timer::Settle("pi_a".into()));
        store.schedule(1_000, Timer::Settle("pi_b".into()));
        let due: Vec<&Timer> = store.timers.values().collect();
        assert_eq!(
            due,
            [&Timer::Settle("pi_a".into()), &Timer::Settle("pi_b".into())]
        );
    }
}
