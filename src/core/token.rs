//! The connect token: the page-side, per-intent secret (Dojo's `clientSessionSecret`, seed 001's
//! "connect token"). One model for the page's flow and for snapshots: it never prints, [`ConnectToken::expose`]
//! is the only way to the value, and [`SecretString::scrub`] is the one place that removes it from text.

use std::fmt;

use crate::core::lifecycle::{CanonicalStatus, LifecycleState};
use crate::core::time::{Duration, Timestamp};

/// A token counts as expired this long before its stated expiry (at most a fifth of its lifetime, so a
/// short-lived token is still usable), so a request never leaves with a token that dies in flight.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// A secret string: `Debug` and `Display` print `[redacted]`. Serialises as the plain string (the sandbox
/// must send it), so only ever serialise it into a response body, never into logs.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(secret: String) -> Self {
        SecretString(secret)
    }
    /// The secret itself, for the `Authorization` header. The name is the warning.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Replaces every occurrence of the secret in `text` (servers sometimes echo input back). Secrets
    /// shorter than 4 characters are not looked for: they would match ordinary text.
    pub fn scrub(&self, text: &mut String) {
        // A plain byte search: `str::replace` pulls ~2 KB of two-way string searching into the wasm.
        let secret = self.0.as_bytes();
        let at = |s: &str| s.as_bytes().windows(secret.len()).position(|w| w == secret);
        if secret.len() < 4 || at(text).is_none() {
            return;
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(i) = at(rest) {
            // A match starts and ends on char boundaries: the secret is itself a `str`.
            out.push_str(rest.get(..i).unwrap_or_default());
            out.push_str("[redacted]");
            rest = rest.get(i + secret.len()..).unwrap_or_default();
        }
        out.push_str(rest);
        *text = out;
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The connect token of one intent: secret, intent id, expiry, and when the page obtained it.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectToken {
    secret: SecretString,
    intent_id: String,
    expires_at: Option<Timestamp>,
    obtained_at: Timestamp,
    margin: Duration,
    /// Already within the margin when obtained (clock skew): only the server's verdict counts.
    obtained_expiring: bool,
}

/// Why a token was not accepted.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TokenError {
    /// Empty secret or empty intent id.
    Empty,
    /// The secret has spaces or control characters: it could not travel in a header.
    Malformed,
}

impl TokenError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        "invalid_token"
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenError::Empty => "connect token or intent id is empty",
            TokenError::Malformed => "connect token is malformed",
        })
    }
}

impl std::error::Error for TokenError {}

/// Why the page must fetch a fresh token before its next attempt.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RefreshReason {
    /// The token belongs to another intent.
    WrongIntent,
    /// The token is expired (or within its margin of it).
    Expired,
    /// Seed 000: "always refresh the token when restarting an unsuccessful payment intent" — an attempt
    /// failed after this token was obtained.
    RestartAfterFailure,
}

impl RefreshReason {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            RefreshReason::WrongIntent => "token_wrong_intent",
            RefreshReason::Expired => "token_expired",
            RefreshReason::RestartAfterFailure => "token_used_by_failed_attempt",
        }
    }
}

impl ConnectToken {
    /// A token for `intent_id`, expiring at `expires_at` (`None`: the page was not told), obtained at
    /// `obtained_at`, with the default [`EXPIRY_MARGIN`].
    pub fn new(
        secret: String,
        intent_id: &str,
        expires_at: Option<Timestamp>,
        obtained_at: Timestamp,
    ) -> Result<Self, TokenError> {
        if secret.is_empty() || intent_id.is_empty() {
            return Err(TokenError::Empty);
        }
        if secret.chars().any(|c| c.is_control() || c == ' ') {
            return Err(TokenError::Malformed);
        }
        let token = ConnectToken {
            secret: SecretString(secret),
            intent_id: intent_id.to_owned(),
            expires_at,
            obtained_at,
            margin: Duration::from_millis(0),
            obtained_expiring: false,
        };
        Ok(token.with_margin(EXPIRY_MARGIN))
    }

    /// The same token with its margin at most `max` (and at most a fifth of its lifetime).
    pub fn with_margin(mut self, max: Duration) -> Self {
        let life = self
            .expires_at
            .map_or(0, |e| e.since(self.obtained_at).as_millis().max(0));
        self.margin = Duration::from_millis(max.as_millis().min(life / 5));
        self.obtained_expiring = false;
        self.obtained_expiring = self.is_expired(self.obtained_at);
        self
    }

    /// The secret, for the `Authorization` header. The only way to the value.
    pub fn expose(&self) -> &str {
        self.secret.expose()
    }
    /// The secret, to scrub text with.
    pub fn secret(&self) -> &SecretString {
        &self.secret
    }
    /// The intent it belongs to.
    pub fn intent_id(&self) -> &str {
        &self.intent_id
    }
    /// Stated expiry, if the page was told.
    pub fn expires_at(&self) -> Option<Timestamp> {
        self.expires_at
    }
    /// When the page obtained it.
    pub fn obtained_at(&self) -> Timestamp {
        self.obtained_at
    }
    /// True from the margin before the stated expiry on (never, without a stated expiry).
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at
            .is_some_and(|e| now >= e.saturating_sub(self.margin))
    }
    /// Refresh before sending: expired by our clock, unless it already was when obtained (then our clock
    /// disagrees with the server's, and the server's 401 decides).
    pub fn should_refresh(&self, now: Timestamp) -> bool {
        !self.obtained_expiring && self.is_expired(now)
    }
}

impl fmt::Debug for ConnectToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConnectToken(")?;
        f.write_str(&self.intent_id)?;
        if let Some(e) = self.expires_at {
            f.write_str(", expires ")?;
            f.write_str(&e.to_rfc3339())?;
        }
        f.write_str(", secret: [redacted])")
    }
}

impl fmt::Display for ConnectToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Must the page get a fresh token before the next attempt on this intent? `None` means the token is fine.
/// Order: wrong intent, expiry, then seed 000's rule — the intent is waiting for a new attempt
/// (`RequiresPaymentMethod`/`RequiresConfirmation`) and its last attempt failed at or after the time the
/// token was obtained.
pub fn refresh_needed(
    token: &ConnectToken,
    intent_id: &str,
    state: &LifecycleState,
    now: Timestamp,
) -> Option<RefreshReason> {
    if token.intent_id != intent_id {
        return Some(RefreshReason::WrongIntent);
    }
    if token.is_expired(now) {
        return Some(RefreshReason::Expired);
    }
    let restarting = matches!(
        state.status(),
        CanonicalStatus::RequiresPaymentMethod | CanonicalStatus::RequiresConfirmation
    );
    match state.last_failure_at() {
        Some(failed) if restarting && failed >= token.obtained_at => {
            Some(RefreshReason::RestartAfterFailure)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lifecycle::{apply, CaptureMode, Dialect, PaymentError, Trigger};
    use crate::core::money::Money;

    const SECRET: &str = "cs_live_SUPERSECRET_1234567890";

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms)
    }

    fn token(obtained: i64) -> ConnectToken {
        ConnectToken::new(SECRET.to_owned(), "pi_1", Some(t(1_000_000)), t(obtained)).unwrap()
    }

    #[test]
    fn never_prints_the_secret() {
        let tok = token(0);
        let dbg = format!("{tok:?} {tok} {:?} {}", tok.secret, tok.secret);
        assert!(!dbg.contains(SECRET), "{dbg}");
        assert!(dbg.contains("[redacted]") && dbg.contains("pi_1"), "{dbg}");
        assert_eq!(tok.expose(), SECRET);
        assert_eq!(
            ConnectToken::new(String::new(), "pi_1", None, t(0))
                .unwrap_err()
                .code(),
            "invalid_token"
        );
    }

    #[test]
    fn expiry_has_a_margin() {
        let tok = token(0);
        assert!(!tok.is_expired(t(1_000_000 - 30_001)));
        assert!(tok.is_expired(t(1_000_000 - 30_000)));
        assert!(tok.is_expired(t(2_000_000)));
    }

    #[test]
    fn a_short_lived_token_gets_a_fifth_of_its_life_as_margin() {
        let tok = ConnectToken::new(SECRET.into(), "pi_1", Some(t(60_000)), t(0)).unwrap();
        assert!(!tok.should_refresh(t(47_999)));
        assert!(
            tok.should_refresh(t(48_000)),
            "12 s margin for a 60 s token"
        );
        let no_expiry = ConnectToken::new(SECRET.into(), "pi_1", None, t(0)).unwrap();
        assert!(!no_expiry.is_expired(t(i64::MAX)));
        let policy = tok.clone().with_margin(Duration::from_secs(5));
        assert!(!policy.should_refresh(t(54_999)) && policy.should_refresh(t(55_000)));
    }

    #[test]
    fn a_token_expiring_when_obtained_is_left_to_the_server() {
        // Our clock is ahead of the server's: refreshing at once would loop; the server's 401 decides.
        let tok = ConnectToken::new(SECRET.into(), "pi_1", Some(t(1_000)), t(5_000)).unwrap();
        assert!(tok.is_expired(t(5_000)));
        assert!(!tok.should_refresh(t(9_000)));
    }

    #[test]
    fn malformed_secrets_are_refused_and_scrubbing_removes_every_copy() {
        for bad in ["a b", "a\nb", "tab\there"] {
            assert_eq!(
                ConnectToken::new(bad.into(), "pi_1", None, t(0)),
                Err(TokenError::Malformed)
            );
        }
        let tok = token(0);
        let mut text = format!("echo {SECRET} and {SECRET}!");
        tok.secret().scrub(&mut text);
        assert_eq!(text, "echo [redacted] and [redacted]!");
        let mut short = String::from("abc abc");
        SecretString::new("abc".into()).scrub(&mut short);
        assert_eq!(short, "abc abc", "too short to look for");
    }

    #[test]
    fn refresh_rule() {
        let gbp = Money::from_code(1000, "GBP").unwrap();
        let fresh = LifecycleState::new(Dialect::Dojo, CaptureMode::Auto, gbp, t(0));
        let declined = apply(
            &fresh,
            Trigger::Decline(PaymentError::new("card_declined")),
            t(500),
        )
        .unwrap()
        .state;
        let check = |tok: &ConnectToken, id: &str, st: &LifecycleState, now: i64, want| {
            assert_eq!(refresh_needed(tok, id, st, t(now)), want);
        };
        check(&token(100), "pi_1", &fresh, 200, None);
        check(
            &token(100),
            "pi_2",
            &fresh,
            200,
            Some(RefreshReason::WrongIntent),
        );
        check(
            &token(100),
            "pi_1",
            &fresh,
            999_999,
            Some(RefreshReason::Expired),
        );
        // Token obtained before the failure: the restart needs a fresh one.
        check(
            &token(100),
            "pi_1",
            &declined,
            600,
            Some(RefreshReason::RestartAfterFailure),
        );
        check(
            &token(500),
            "pi_1",
            &declined,
            600,
            Some(RefreshReason::RestartAfterFailure),
        );
        // Token obtained after the failure: fine.
        check(&token(501), "pi_1", &declined, 600, None);
        // Paid intent: no restart, no refresh.
        let paid = apply(&declined, Trigger::Authorise, t(700)).unwrap().state;
        check(&token(100), "pi_1", &paid, 800, None);
    }
}
