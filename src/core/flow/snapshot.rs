//! One snapshot, from text to the page's events: decoded once by the dialect's wire into the core's
//! `PaymentIntent`, ordered and classified by the `Mirror` alone, and announced from the mirror's typed
//! changes. This is the only way an intent reaches the page.

use std::rc::Rc;

use super::error::{CheckoutError, ErrorCode};
use super::io::{Delta, Event, EventKind, Millis, Outbox, Output, Snapshot};
use super::wire::IntentKind;
use super::{wire, Live};
use crate::core::intent::NextAction;
use crate::core::mirror::{Applied, Change, Phase};

/// What became of a decoded snapshot.
pub(super) struct Taken {
    /// The mirror took it (newer than what it had).
    pub(super) accepted: bool,
    /// No snapshot had been taken before it.
    pub(super) first: bool,
    /// Its version (0 without one).
    pub(super) version: u64,
}

impl Live {
    /// Decodes `text` and applies it. `Err` if it does not decode (nothing changes; the caller decides
    /// whether that is fatal). A stale snapshot is dropped silently, a refused one reported.
    pub(super) fn take_snapshot(
        &mut self,
        out: &mut Outbox,
        text: &str,
        now: Millis,
    ) -> Result<Taken, CheckoutError> {
        let secret = self.credentials.token().secret();
        let (applied, json, version, status) = match self.config.kind {
            IntentKind::Payment => {
                let (intent, json) = wire::decode(self.config.dialect, text, secret)?;
                let (version, status) = (intent.version.unwrap_or(0), intent.status.clone());
                (self.mirror.apply_snapshot(intent), json, version, status)
            }
            IntentKind::Setup => {
                let (intent, json) = wire::decode_setup(self.config.dialect, text, secret)?;
                let (version, status) = (intent.version.unwrap_or(0), intent.status.clone());
                (self.mirror.apply_setup(intent), json, version, status)
            }
        };
        let mut taken = Taken {
            accepted: false,
            first: self.view.is_none(),
            version,
        };
        let changes = match applied {
            Applied::Stale => return Ok(taken),
            Applied::Rejected { code } => {
                let mut msg =
                    String::from("the payment API sent a snapshot the checkout refuses (");
                msg.push_str(code);
                msg.push(')');
                self.emit_error(out, CheckoutError::new(ErrorCode::ApiError, &msg));
                return Ok(taken);
            }
            Applied::Taken(changes) => changes,
        };
        taken.accepted = true;
        let phase = self.mirror.phase().unwrap_or(Phase::Payable); // ok: set by the snapshot just taken
        let view = Rc::new(Snapshot {
            json,
            version,
            status,
            phase,
        });
        let old = self.view.replace(view);
        self.announce(out, old.as_deref(), changes);
        self.check_attempt(out, false, now);
        // A dialect's saved card that never changes again (Stripe's `succeeded`) ends following too.
        if phase.is_terminal() || self.mirror.is_terminal() {
            self.stop_following(out);
        }
        Ok(taken)
    }

    /// The events for a taken snapshot: an `error` per unexpected transition (the server is the
    /// authority: the snapshot is taken, the page hears it was odd), `status` for every snapshot after the
    /// first, and the phase's own event when the phase or the challenge changed.
    fn announce(&self, out: &mut Outbox, old: Option<&Snapshot>, changes: Vec<Change>) {
        for c in &changes {
            if let Change::UnexpectedTransition { from, to } = c {
                let mut msg = String::from("the intent moved from ");
                msg.push_str(from.name());
                msg.push_str(" to ");
                msg.push_str(to.name());
                msg.push_str(", which its lifecycle does not allow");
                let err = CheckoutError::new(ErrorCode::UnexpectedTransition, &msg);
                self.emit_error(out, err);
            }
        }
        let (Some(old), Some(new)) = (old, self.view.clone()) else {
            return; // the first snapshot: `ready` or the op's result tells the page
        };
        fn url(a: &Option<NextAction>) -> Option<&str> {
            a.as_ref().map(|a| a.url.as_str())
        }
        let challenge_changed = changes
            .iter()
            .any(|c| matches!(c, Change::NextAction { from, to } if url(from) != url(to)));
        let delta = Rc::new(Delta {
            version: new.version,
            previous_version: old.version,
            changes,
        });
        let event = |kind, url| {
            Output::Emit(Event {
                kind,
                intent: Some(new.clone()),
                delta: Some(delta.clone()),
                error: None,
                url,
            })
        };
        out.push(event(EventKind::Status, None));
        if old.phase == new.phase && !challenge_changed {
            return;
        }
        let kind = match new.phase {
            Phase::RequiresAction => EventKind::RequiresAction,
            // Once per payment: a later capture of an authorisation is a `status` change only.
            Phase::Succeeded | Phase::Authorized if !old.phase.is_paid() => EventKind::Succeeded,
            // A setup intent: the card is saved (once); a later charge is a `status` change.
            Phase::Saved if !old.phase.is_paid() => EventKind::Saved,
            Phase::Failed => EventKind::Failed,
            Phase::Canceled => EventKind::Canceled,
            Phase::Expired | Phase::CardExpired => EventKind::Expired,
            _ => return,
        };
        let url = match kind {
            EventKind::RequiresAction => self.challenge_url(),
            _ => None,
        };
        out.push(event(kind, url));
    }

    /// The current challenge page, if the intent has one.
    fn challenge_url(&self) -> Option<String> {
        self.mirror.next_action().map(|a| a.url.clone())
    }
}
