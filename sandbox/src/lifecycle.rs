//! The seam between the sandbox and the lifecycle rules: which transition is legal, what a status is
//! called on the wire in each dialect, and which statuses end the page's stream.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Dojo,
    Stripe,
    Setel,
}

impl Dialect {
    pub fn parse(s: &str) -> Option<Dialect> {
        match s {
            "dojo" => Some(Dialect::Dojo),
            "stripe" => Some(Dialect::Stripe),
            "setel" => Some(Dialect::Setel),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Dojo => "dojo",
            Dialect::Stripe => "stripe",
            Dialect::Setel => "setel",
        }
    }

    /// How long a Manual authorisation is held before the hold timer fires.
    pub fn hold_secs(self) -> i64 {
        match self {
            Dialect::Setel => 30 * 60,
            Dialect::Dojo | Dialect::Stripe => 7 * 86_400,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CaptureMode {
    Auto,
    Manual,
}

/// The canonical status; each dialect names it (and folds some together) on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Created,
    RequiresAction,
    Processing,
    Failed,
    Authorized,
    Captured,
    PartiallyRefunded,
    Refunded,
    Reversed,
    Canceled,
    Expired,
}

/// What happened to the intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PayApproved,
    PayDeclined,
    PayChallenged,
    PayPending,
    ChallengeApproved,
    ChallengeFailed,
    Settled,
    Capture,
    Refund { full: bool },
    Reverse,
    Cancel,
    HoldExpired { capture: bool },
    IntentExpired,
    ChangeAmount,
}

impl Action {
    pub fn verb(self) -> &'static str {
        match self {
            Action::PayApproved
            | Action::PayDeclined
            | Action::PayChallenged
            | Action::PayPending => "pay",
            Action::ChallengeApproved | Action::ChallengeFailed => "complete a challenge of",
            Action::Settled => "settle",
            Action::Capture => "capture",
            Action::Refund { .. } => "refund",
            Action::Reverse => "reverse",
            Action::Cancel => "cancel",
            Action::HoldExpired { .. } => "expire the hold of",
            Action::IntentExpired => "expire",
            Action::ChangeAmount => "change the amount of",
        }
    }
}

/// One transition table for all dialects: `None` means illegal.
pub fn next(dialect: Dialect, mode: CaptureMode, from: Status, action: Action) -> Option<Status> {
    use Action as A;
    use Status as S;
    let paid = match mode {
        CaptureMode::Auto => S::Captured,
        CaptureMode::Manual => S::Authorized,
    };
    let declined = match dialect {
        Dialect::Setel => S::Failed,
        Dialect::Dojo | Dialect::Stripe => S::Created,
    };
    let payable = matches!(from, S::Created | S::Failed);
    Some(match (from, action) {
        (_, A::PayApproved) if payable => paid,
        (_, A::PayDeclined) if payable => declined,
        (_, A::PayChallenged) if payable => S::RequiresAction,
        (_, A::PayPending) if payable => S::Processing,
        (_, A::ChangeAmount) if payable => from,
        (S::RequiresAction, A::ChallengeApproved) => paid,
        (S::RequiresAction, A::ChallengeFailed) => declined,
        (S::Processing, A::Settled) => paid,
        (S::Authorized, A::Capture) => S::Captured,
        // Dojo allows further partial captures on the same authorisation.
        (S::Captured, A::Capture) if dialect == Dialect::Dojo && mode == CaptureMode::Manual => {
            S::Captured
        }
        (S::Captured | S::PartiallyRefunded, A::Refund { full: true }) => S::Refunded,
        (S::Captured | S::PartiallyRefunded, A::Refund { full: false }) => S::PartiallyRefunded,
        (S::Authorized, A::Reverse) => S::Reversed,
        (S::Captured, A::Reverse) if dialect == Dialect::Dojo => S::Reversed,
        (S::Created | S::Failed | S::RequiresAction, A::Cancel) => S::Canceled,
        (S::Authorized, A::Cancel) if dialect != Dialect::Dojo => S::Canceled,
        (S::Authorized, A::HoldExpired { capture: true }) if dialect == Dialect::Dojo => {
            S::Captured
        }
        (S::Authorized, A::HoldExpired { .. }) => match dialect {
            Dialect::Dojo => S::Reversed,
            Dialect::Stripe => S::Canceled,
            Dialect::Setel => S::Expired,
        },
        (S::Created | S::Failed, A::IntentExpired) => S::Canceled,
        _ => return None,
    })
}

/// The status as the intent's dialect names it.
pub fn wire(dialect: Dialect, status: Status) -> &'static str {
    use Status as S;
    match dialect {
        Dialect::Dojo => match status {
            S::Created | S::RequiresAction | S::Processing | S::Failed => "Created",
            S::Authorized => "Authorized",
            S::Captured | S::PartiallyRefunded => "Captured",
            S::Refunded => "Refunded",
            S::Reversed | S::Expired => "Reversed",
            S::Canceled => "Canceled",
        },
        Dialect::Stripe => match status {
            S::Created | S::Failed => "requires_payment_method",
            S::RequiresAction => "requires_action",
            S::Processing => "processing",
            S::Authorized => "requires_capture",
            S::Captured | S::PartiallyRefunded | S::Refunded => "succeeded",
            S::Reversed | S::Canceled | S::Expired => "canceled",
        },
        Dialect::Setel => match status {
            S::Created => "requires_payment_method",
            S::RequiresAction => "requires_action",
            S::Processing => "processing",
            S::Failed => "failed",
            S::Authorized => "authorised",
            S::Captured => "succeeded",
            S::PartiallyRefunded => "partially_refunded",
            S::Refunded => "refunded",
            S::Reversed | S::Canceled => "cancelled",
            S::Expired => "expired",
        },
    }
}

/// Terminal for the page: the payment's outcome is final, so the event stream closes after it.
pub fn is_terminal(status: Status) -> bool {
    matches!(
        status,
        Status::Captured
            | Status::PartiallyRefunded
            | Status::Refunded
            | Status::Reversed
            | Status::Canceled
            | Status::Expired
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decline_differs_by_dialect() {
        let m = CaptureMode::Auto;
        let d = |dl| next(dl, m, Status::Created, Action::PayDeclined);
        assert_eq!(d(Dialect::Dojo), Some(Status::Created));
        assert_eq!(d(Dialect::Stripe), Some(Status::Created));
        assert_eq!(d(Dialect::Setel), Some(Status::Failed));
        assert_eq!(
            next(Dialect::Setel, m, Status::Failed, Action::PayApproved),
            Some(Status::Captured)
        );
    }

    #[test]
    fn refunded_cannot_be_captured() {
        for dl in [Dialect::Dojo, Dialect::Stripe, Dialect::Setel] {
            assert_eq!(
                next(dl, CaptureMode::Manual, Status::Refunded, Action::Capture),
                None
            );
        }
    }
}
