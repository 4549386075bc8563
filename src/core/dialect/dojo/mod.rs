//! Dojo (seeds 000, 001, 002 and Dojo's OpenAPI): its status names and table (`lifecycle.rs`) and its HTTP
//! shape (`wire.rs`), which the sandbox serves for every dialect.

mod lifecycle;
mod setup;
mod wire;

use super::{Spec, Wire};
use crate::core::lifecycle::setup::SetupSpec;
use crate::core::time::Duration;

pub(super) const SPEC: Spec = Spec {
    name: "dojo",
    statuses: lifecycle::STATUSES,
    table: lifecycle::TABLE,
    refine: lifecycle::refine,
    // Seeds 000/002: a hold lasts 7 days; an unpaid intent is voided after 30 (`expireAt` "if null").
    hold_ttl: Some(Duration::from_days(7)),
    unpaid_ttl: Some(Duration::from_days(30)),
    wire: &WIRE,
    setup: Some(&SETUP),
};

/// Setup intents: one with no saved card expires like an unpaid payment intent (30 days).
const SETUP: SetupSpec = SetupSpec {
    statuses: setup::STATUSES,
    table: setup::TABLE,
    refine: setup::refine,
    unsaved_ttl: Some(Duration::from_days(30)),
};

pub(super) const WIRE: Wire = Wire {
    request: wire::request,
    problem: wire::problem,
    intent: wire::intent,
    setup_intent: wire::setup_intent,
    saved_cards: crate::core::saved::decode_payment_methods,
    stream_event: "intent",
    challenge_done: wire::challenge_done,
};
