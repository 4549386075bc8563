//! The machine's outputs and the values they carry: what the shell must do ([`Output`]), the page's events
//! ([`Event`]) and promise results ([`OpResult`]), and the page's view of the intent ([`Snapshot`]).

use std::rc::Rc;

use super::backoff::RetryPolicy;
use super::error::CheckoutError;
use super::wire::{IntentKind, Request};
use crate::core::json::{self, Obj};
use crate::core::lifecycle::Dialect;
use crate::core::mirror::{Change, Phase};

/// Unix milliseconds, as the shell reads them from `Date.now()`.
pub type Millis = u64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u32);

/// A pending page promise (`createCheckout`'s ready, `pay`, `setTip`, `setAmount`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId(pub u32);

/// What the shell must do. Drained with `Checkout::poll_output`; timers are not outputs: the shell keeps
/// one timer at `Checkout::poll_timeout`.
#[derive(Debug)]
pub enum Output {
    Send {
        id: RequestId,
        request: Request,
    },
    /// Abort a request in flight; its late answer is ignored.
    Abort(RequestId),
    /// Call the page's `refreshToken`; answer with `Checkout::handle_refreshed`.
    RefreshToken,
    Emit(Event),
    Settle {
        op: OpId,
        result: OpResult,
    },
    /// Settle `op` with this JSON text (an answer that is not an intent: the saved cards).
    SettleJson {
        op: OpId,
        json: String,
    },
}

/// Fixed settings of one checkout.
#[derive(Clone)]
pub struct Config {
    pub intent_id: String,
    /// `scheme://host[:port]` of the API: the only origin whose `postMessage`s are trusted.
    pub api_origin: String,
    /// The page gave a `refreshToken` callback.
    pub can_refresh: bool,
    pub policy: RetryPolicy,
    /// Random bits from the shell (`crypto.getRandomValues`) for keys and jitter.
    pub seed: u64,
    /// The API's dialect: its wire statuses and HTTP shape.
    pub dialect: Dialect,
    /// Card details typed into the page may pay (`fields="inline"`). With isolated card fields (the
    /// default) only card references do: a page script handing raw card details is refused.
    pub accepts_card_details: bool,
    /// A payment intent, or a setup intent (`intent_id` is then a setup intent's id).
    pub kind: IntentKind,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("intent_id", &self.intent_id)
            .finish()
    }
}

/// The page's view of the mirrored intent, made once per accepted snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The browser view as received (JSON text), minus any `clientSessionSecret` member.
    pub json: String,
    pub version: u64,
    /// The wire status.
    pub status: String,
    /// The mirror's classification.
    pub phase: Phase,
}

/// What a snapshot changed, from the mirror's typed changes: `{version, previousVersion, status?, fields}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Delta {
    pub version: u64,
    pub previous_version: u64,
    pub changes: Vec<Change>,
}

impl Delta {
    pub fn to_json(&self) -> String {
        let mut o = Obj::new()
            .int("version", self.version as i64)
            .int("previousVersion", self.previous_version as i64);
        let mut fields = String::from("[");
        for c in &self.changes {
            if let Change::Status {
                from_wire, to_wire, ..
            } = c
            {
                // A canonical change under the same wire name (Dojo's challenge) shows as `nextAction`.
                match from_wire {
                    Some(from) if from != to_wire => {
                        let s = Obj::new().str("from", from).str("to", to_wire).finish();
                        o = o.raw("status", &s);
                    }
                    _ => continue,
                }
            }
            if let Some(name) = c.field() {
                if fields.len() > 1 {
                    fields.push(',');
                }
                json::push_str(&mut fields, name);
            }
        }
        fields.push(']');
        o.raw("fields", &fields).finish()
    }
}

/// The page's events, by their DOM names. `ALL` is what the JS side's lists are checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Ready,
    Status,
    RequiresAction,
    Succeeded,
    Failed,
    Canceled,
    Expired,
    TokenRefreshed,
    Error,
    /// A setup intent's card is saved for the merchant's later charge.
    Saved,
}

impl EventKind {
    pub const ALL: [EventKind; 10] = [
        EventKind::Ready,
        EventKind::Status,
        EventKind::RequiresAction,
        EventKind::Succeeded,
        EventKind::Failed,
        EventKind::Canceled,
        EventKind::Expired,
        EventKind::TokenRefreshed,
        EventKind::Error,
        EventKind::Saved,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EventKind::Ready => "ready",
            EventKind::Status => "status",
            EventKind::RequiresAction => "requires_action",
            EventKind::Succeeded => "succeeded",
            EventKind::Failed => "failed",
            EventKind::Canceled => "canceled",
            EventKind::Expired => "expired",
            EventKind::TokenRefreshed => "token_refreshed",
            EventKind::Error => "error",
            EventKind::Saved => "saved",
        }
    }
}

/// An event for the page. Its detail never holds the token (the snapshot's view has no secret member).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub intent: Option<Rc<Snapshot>>,
    /// What the snapshot behind this event changed.
    pub delta: Option<Rc<Delta>>,
    pub error: Option<CheckoutError>,
    /// `requires_action`: the challenge page to show in a frame.
    pub url: Option<String>,
}

impl Event {
    /// The `detail` object as JSON text: `{intent, status, canonical, change?, error?, url?}`.
    pub fn detail_json(&self) -> String {
        let mut o = intent_fields(self.intent.as_deref());
        if let Some(d) = &self.delta {
            o = o.raw("change", &d.to_json());
        }
        if let Some(e) = &self.error {
            o = o.raw("error", &e.to_json());
        }
        o.opt_str("url", self.url.as_deref()).finish()
    }
}

fn intent_fields(s: Option<&Snapshot>) -> Obj {
    let o = Obj::new();
    match s {
        Some(s) => o
            .raw("intent", &s.json)
            .str("status", &s.status)
            .str("canonical", s.phase.canonical()),
        None => o,
    }
}

/// What a page promise settles with: `{intent}` or `{error}` (payment outcomes never reject).
pub type OpResult = Result<Rc<Snapshot>, CheckoutError>;

/// `{"intent": ..., "status", "canonical"}` or `{"error": {...}, "intent"?}` as JSON text.
pub fn op_result_json(r: &OpResult, current: Option<&Snapshot>) -> String {
    match r {
        Ok(s) => intent_fields(Some(s)).finish(),
        Err(e) => intent_fields(current).raw("error", &e.to_json()).finish(),
    }
}

/// The outputs queue and the id counter; outlives the live machine, so a destroyed checkout still settles
/// what is asked of it.
#[derive(Debug, Default)]
pub(super) struct Outbox {
    queue: std::collections::VecDeque<Output>,
    next_id: u32,
}

impl Outbox {
    pub(super) fn pop(&mut self) -> Option<Output> {
        self.queue.pop_front()
    }

    pub(super) fn push(&mut self, o: Output) {
        self.queue.push_back(o);
    }

    /// Ids for requests and ops share one counter (never 0).
    pub(super) fn new_id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1).max(1);
        self.next_id
    }

    pub(super) fn new_op(&mut self) -> OpId {
        OpId(self.new_id())
    }

    pub(super) fn settle(&mut self, op: OpId, result: OpResult) {
        self.push(Output::Settle { op, result });
    }

    pub(super) fn settle_json(&mut self, op: OpId, json: String) {
        self.push(Output::SettleJson { op, json });
    }
}
