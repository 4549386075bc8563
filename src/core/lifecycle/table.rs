//! How a transition table is read, written once for both lifecycles: a payment intent's [`Rule`] and a
//! setup intent's [`SetupRule`] differ in their status and trigger types (and the payment rows' guard),
//! not in how their tables are walked.

use super::setup::{SetupRule, SetupStatus, SetupTriggerKind};
use super::{CanonicalStatus, Rule, TriggerKind};

/// One row of a transition table, as the walks below see it.
pub(crate) trait Row: Copy {
    type Status: Copy + Eq;
    type Trigger: Copy + Eq;
    fn from(&self) -> Self::Status;
    fn trigger(&self) -> Self::Trigger;
    fn to(&self) -> Self::Status;
}

impl Row for Rule {
    type Status = CanonicalStatus;
    type Trigger = TriggerKind;
    fn from(&self) -> CanonicalStatus {
        self.from
    }
    fn trigger(&self) -> TriggerKind {
        self.trigger
    }
    fn to(&self) -> CanonicalStatus {
        self.to
    }
}

impl Row for SetupRule {
    type Status = SetupStatus;
    type Trigger = SetupTriggerKind;
    fn from(&self) -> SetupStatus {
        self.from
    }
    fn trigger(&self) -> SetupTriggerKind {
        self.trigger
    }
    fn to(&self) -> SetupStatus {
        self.to
    }
}

/// The wire name of `status` in a dialect's (status, wire name) pairs.
pub(crate) fn wire_name<S: Copy + Eq>(
    statuses: &[(S, &'static str)],
    status: S,
) -> Option<&'static str> {
    statuses.iter().find(|(s, _)| *s == status).map(|(_, w)| *w)
}

/// What a wire name (case-sensitive) parses to: the status of the first pair with that name.
pub(crate) fn parse_status<S: Copy>(statuses: &[(S, &'static str)], wire: &str) -> Option<S> {
    statuses.iter().find(|(_, w)| *w == wire).map(|(s, _)| *s)
}

/// True if some row leaves `status`; a status of the dialect that no row leaves is terminal.
pub(crate) fn leaves<R: Row>(table: &[R], status: R::Status) -> bool {
    table.iter().any(|r| r.from() == status)
}

/// The rows for `trigger` in `from`, in table order (a payment table's guards choose among them).
pub(crate) fn rows<R: Row>(
    table: &[R],
    from: R::Status,
    trigger: R::Trigger,
) -> impl Iterator<Item = &R> {
    table
        .iter()
        .filter(move |r| r.from() == from && r.trigger() == trigger)
}

/// True if the table has a path (of length ≥ 0) from `from` to `to`. Polling can miss intermediate
/// statuses, so the mirror calls a snapshot unexpected only when no path exists.
pub(crate) fn can_reach<R: Row>(table: &[R], from: R::Status, to: R::Status) -> bool {
    let mut seen = Vec::new();
    let mut stack = vec![from];
    while let Some(s) = stack.pop() {
        if s == to {
            return true;
        }
        if seen.contains(&s) {
            continue;
        }
        seen.push(s);
        stack.extend(table.iter().filter(|r| r.from() == s).map(Row::to));
    }
    false
}
