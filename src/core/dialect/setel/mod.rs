//! Setel (seed 004): its status names and table. The sandbox serves Setel's statuses on Dojo's paths and
//! bodies, so the wire is Dojo's.

mod lifecycle;

use super::Spec;
use crate::core::time::Duration;

pub(super) const SPEC: Spec = Spec {
    name: "setel",
    statuses: lifecycle::STATUSES,
    table: lifecycle::TABLE,
    refine: lifecycle::refine,
    // Seed 004: a hold lasts 30 minutes; unpaid intents do not expire.
    hold_ttl: Some(Duration::from_mins(30)),
    unpaid_ttl: None,
    wire: &super::dojo::WIRE,
    // The seeds say nothing of Setel's setup intents: none here, and the sandbox refuses to make them in
    // the setel dialect.
    setup: None,
};
