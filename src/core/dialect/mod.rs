//! The dialects: whose payment-intent API we speak. Each one lives in its own folder, with everything that
//! differs between them in one place: its wire status names and transition table (`lifecycle.rs`), and its
//! HTTP shape for the page (`wire.rs`: paths, request bodies, field names, problem mapping).
//!
//! A new dialect is a new folder with a [`Spec`], plus one line in [`Dialect::spec`] (and its variant).
//!
//! Architecture invariant: only the dialects' `wire.rs` know the API's paths and body shapes; the flow asks
//! for a [`Call`] and gets a [`Request`] back.

mod dojo;
mod setel;
mod stripe;

use crate::core::flow::error::CheckoutError;
use crate::core::flow::wire::{Call, IntentKind, Request};
use crate::core::intent::setup::SetupIntent;
use crate::core::intent::{DecodeError, PaymentIntent};
use crate::core::lifecycle::setup::SetupSpec;
use crate::core::lifecycle::table;
use crate::core::lifecycle::{CanonicalStatus, LifecycleError, Rule, StatusHints};
use crate::core::saved::{SavedCard, SavedError};
use crate::core::time::Duration;

/// Whose payment-intent API we speak: the wire names for statuses and the table of transitions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Dialect {
    /// Dojo (seeds 000, 001, 002 and Dojo's OpenAPI).
    Dojo,
    /// Stripe (seed 003).
    Stripe,
    /// Setel (seed 004).
    Setel,
}

/// Everything one dialect says, as data.
pub struct Spec {
    /// `"dojo"`: the sandbox's `--dialect`, the element's `dialect` attribute.
    pub name: &'static str,
    /// Canonical status → wire name pairs. A wire name may serve several canonical statuses; the first pair
    /// with a given wire name is what that name parses to before `refine` looks at the rest of the snapshot.
    pub statuses: &'static [(CanonicalStatus, &'static str)],
    /// Every legal (from, trigger, guard) → to.
    pub table: &'static [Rule],
    /// Picks the canonical status where one wire name covers several.
    pub refine: fn(CanonicalStatus, StatusHints) -> CanonicalStatus,
    /// How long a `Manual` authorisation is held before it expires.
    pub hold_ttl: Option<Duration>,
    /// How long an unpaid intent lives before it is voided.
    pub unpaid_ttl: Option<Duration>,
    /// The HTTP shape the page's flow speaks.
    pub wire: &'static Wire,
    /// Its setup intents (saving a card for later charges), if it has them.
    pub setup: Option<&'static SetupSpec>,
}

/// A dialect's HTTP shape, for the page's flow.
pub struct Wire {
    /// The request for `call` on the intent `id` of `kind`: path (relative to the API base), headers and
    /// body.
    pub request: fn(kind: IntentKind, id: &str, call: &Call<'_>) -> Request,
    /// An error reply mapped onto the page's closed set of codes.
    pub problem: fn(status: u16, body: &str) -> CheckoutError,
    /// The intent in a reply body or a stream event, validated.
    pub intent: fn(text: &str, dialect: Dialect) -> Result<PaymentIntent, DecodeError>,
    /// A setup intent in a reply body or a stream event, validated.
    pub setup_intent: fn(text: &str, dialect: Dialect) -> Result<SetupIntent, DecodeError>,
    /// The customer's saved cards in a reply body.
    pub saved_cards: fn(text: &str) -> Result<Vec<SavedCard>, SavedError>,
    /// The name of the stream events that carry an intent.
    pub stream_event: &'static str,
    /// The challenge id of a 3-D Secure frame's "challenge finished" message, if `data` is one.
    pub challenge_done: fn(data: &str) -> Option<String>,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 3] = [Dialect::Dojo, Dialect::Stripe, Dialect::Setel];

    /// The registration: what each dialect is.
    pub fn spec(self) -> &'static Spec {
        match self {
            Dialect::Dojo => &dojo::SPEC,
            Dialect::Stripe => &stripe::SPEC,
            Dialect::Setel => &setel::SPEC,
        }
    }

    /// `"dojo"`, `"stripe"` or `"setel"` (the sandbox's `--dialect`).
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The inverse of [`Dialect::name`].
    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The transition table: every legal (from, trigger, guard) → to.
    pub fn table(self) -> &'static [Rule] {
        self.spec().table
    }

    /// The HTTP shape the page speaks in this dialect.
    pub fn wire(self) -> &'static Wire {
        self.spec().wire
    }

    /// Its setup intents' statuses and table; `None` for Setel, whose seed says nothing of them.
    pub fn setup(self) -> Option<&'static SetupSpec> {
        self.spec().setup
    }

    /// The canonical statuses this dialect can express.
    pub fn statuses(self) -> impl Iterator<Item = CanonicalStatus> {
        self.spec().statuses.iter().map(|(s, _)| *s)
    }

    /// True if the dialect can express `status`.
    pub fn has_status(self, status: CanonicalStatus) -> bool {
        self.statuses().any(|s| s == status)
    }

    /// The wire name of `status`, exactly as the system spells it.
    pub fn wire_name(self, status: CanonicalStatus) -> Result<&'static str, LifecycleError> {
        table::wire_name(self.spec().statuses, status).ok_or(LifecycleError::StatusNotInDialect {
            dialect: self,
            status,
        })
    }

    /// Parses a wire name (case-sensitive) to its base canonical status.
    pub fn parse_status(self, wire: &str) -> Result<CanonicalStatus, LifecycleError> {
        table::parse_status(self.spec().statuses, wire).ok_or_else(|| {
            LifecycleError::UnknownStatus {
                dialect: self,
                wire: wire.chars().take(64).collect(),
            }
        })
    }

    /// Parses a wire name and refines it with what the rest of the snapshot says (each dialect's
    /// `lifecycle::refine`: e.g. Dojo `Created` with a `nextAction` is `RequiresAction`).
    pub fn resolve_status(
        self,
        wire: &str,
        hints: StatusHints,
    ) -> Result<CanonicalStatus, LifecycleError> {
        let base = self.parse_status(wire)?;
        Ok((self.spec().refine)(base, hints))
    }

    /// True if `status` is in the dialect and no trigger leaves it: every trigger is then rejected.
    pub fn is_terminal(self, status: CanonicalStatus) -> bool {
        self.has_status(status) && !table::leaves(self.table(), status)
    }

    /// True if the table has a path (of length ≥ 0) from `from` to `to`. Polling can miss intermediate
    /// statuses, so the mirror calls a snapshot unexpected only when no path exists.
    pub fn can_reach(self, from: CanonicalStatus, to: CanonicalStatus) -> bool {
        table::can_reach(self.table(), from, to)
    }

    /// How long a `Manual` authorisation is held before `Trigger::Expire` is due:
    /// Dojo 7 days (seeds 000, 002), Setel 30 minutes (seed 004), Stripe 7 days (Stripe's practice; the seed
    /// is silent).
    pub fn default_hold_ttl(self) -> Option<Duration> {
        self.spec().hold_ttl
    }

    /// How long an unpaid intent lives before it is voided: Dojo 30 days (`expireAt` "if null, … 30 days").
    pub fn default_unpaid_ttl(self) -> Option<Duration> {
        self.spec().unpaid_ttl
    }
}
