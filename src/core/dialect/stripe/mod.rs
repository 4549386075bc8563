//! Stripe (seed 003): its status names and table. The sandbox serves Stripe's statuses on Dojo's paths and
//! bodies, so the wire is Dojo's; a Stripe-shaped API (`/v1/payment_intents/…/confirm`, form bodies) would
//! get its own `wire.rs` here.

mod lifecycle;
mod setup;

use super::Spec;
use crate::core::lifecycle::setup::SetupSpec;
use crate::core::time::Duration;

pub(super) const SPEC: Spec = Spec {
    name: "stripe",
    statuses: lifecycle::STATUSES,
    table: lifecycle::TABLE,
    refine: lifecycle::refine,
    // Stripe cancels uncaptured intents after 7 days; unpaid ones live until canceled.
    hold_ttl: Some(Duration::from_days(7)),
    unpaid_ttl: None,
    wire: &super::dojo::WIRE,
    setup: Some(&SETUP),
};

/// SetupIntents do not expire by themselves.
const SETUP: SetupSpec = SetupSpec {
    statuses: setup::STATUSES,
    table: setup::TABLE,
    refine: setup::refine,
    unsaved_ttl: None,
};
