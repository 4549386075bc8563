//! Dojo (seeds 000, 001, 002 and Dojo's OpenAPI): its status names and table (`lifecycle.rs`) and its HTTP
//! shape (`wire.rs`), which the sandbox serves for every dialect.

mod lifecycle;
mod wire;

use super::{Spec, Wire};
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
};

pub(super) const WIRE: Wire = Wire {
    request: wire::request,
    problem: wire::problem,
    intent: wire::intent,
    stream_event: "intent",
    challenge_done: wire::challenge_done,
};
