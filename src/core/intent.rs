//! The payment intent as the API sends it: Dojo's `PaymentIntent` field names plus the sandbox's omittable
//! additions (`version`, `nextAction`, `lastPaymentError`, `paymentEvents`, `capturedAmount`).
//! [`PaymentIntent::from_json`] decodes and validates, with typed errors naming the field. It reads with the
//! core's light [`crate::core::json`] (no serde_json in the wasm); the derived serde impls are for native use.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::core::json::{self, Items, Kind};

use crate::core::lifecycle::{
    AutoExpireAction, CanonicalStatus, CaptureMode, Dialect, LifecycleError, LifecycleState,
    PaymentError, PaymentEventType, StatusHints,
};
use crate::core::money::{Money, MoneyError};
use crate::core::time::{Duration, TimeError, Timestamp};
use crate::core::token::{ConnectToken, SecretString};

mod details;

pub use details::{
    Collection, Customer, DetailsConfig, IntentConfig, Json, MerchantConfig, PaymentConfig,
};
pub mod setup;

/// Longest string field accepted (ids, references, descriptions, messages, URLs).
pub const MAX_STRING_LEN: usize = 2_048;

/// One payment intent. `status` is the dialect's wire name; field names are Dojo's in every dialect.
///
/// The derived `Deserialize` is for trusted input (the sandbox's own records); anything from the network
/// goes through [`PaymentIntent::from_json`], which validates and names the bad field.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentIntent {
    /// `pi_…`
    pub id: String,
    /// Wire status in the dialect (`Created`, `requires_capture`, `authorised` …).
    pub status: String,
    /// `Auto` (default) or `Manual`.
    #[serde(default)]
    pub capture_mode: CaptureMode,
    /// The amount excluding tips.
    pub amount: Money,
    /// Tips, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tips_amount: Option<Money>,
    /// Total to pay; when absent, `amount + tipsAmount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
    /// Refunded minor units (a plain integer in Dojo's schema).
    #[serde(default)]
    pub refunded_amount: i64,
    /// The connect token's secret. Redacted in `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_session_secret: Option<SecretString>,
    /// Expiry of `clientSessionSecret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_session_secret_expiration_date: Option<Timestamp>,
    /// Checkout settings: title, redirect and cancel URLs, details to collect and show, payment options
    /// (typed: [`PaymentIntent::config`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Json>,
    /// Who pays, as far as the merchant knows (or the customer told): Dojo's `Customer`, checked by
    /// `core::shape` and kept as JSON (typed: [`PaymentIntent::customer`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Json>,
    /// Dojo's `Address` (typed: [`PaymentIntent::billing_address`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Json>,
    /// Dojo's `ShippingDetails` (typed: [`PaymentIntent::shipping_details`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_details: Option<Json>,
    /// The order's items (typed: [`PaymentIntent::item_lines`]; `core::order` has their arithmetic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_lines: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_lines: Option<Json>,
    /// `Card`, `Wallet`, `SavedCard`; `None` when the API does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_methods: Option<Json>,
    /// `merchantConfig` (typed: [`PaymentIntent::merchant_config`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_config: Option<Json>,
    /// Outside `amount`, like tips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashback_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_charge_amount: Option<Money>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// When an unpaid intent is voided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_at: Option<Timestamp>,
    /// What a `Manual` hold does when it runs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_expire_action: Option<AutoExpireAction>,
    /// How long a `Manual` hold lasts, `dd.hh:MM:ss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_expire_in: Option<String>,
    /// Merchant reference, e.g. `Order 234`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Sandbox addition: rises by one per change, starting at 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// Sandbox addition: what the customer must do next (3-D Secure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_action: Option<NextAction>,
    /// Sandbox addition: why the last attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_payment_error: Option<PaymentError>,
    /// Sandbox addition: Dojo payment events, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_events: Vec<PaymentEvent>,
    /// Sandbox addition: captured minor units (may be less than the total after a partial capture).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_amount: Option<i64>,
}

/// `nextAction`: e.g. `{"type": "redirect_to_url", "url": "https://…/3ds"}`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct NextAction {
    /// Kind of action (`redirect_to_url`, `three_d_secure` …).
    #[serde(rename = "type")]
    pub kind: String,
    /// Where to send the customer.
    pub url: String,
}

/// One entry of `paymentEvents`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentEvent {
    /// Dojo event name; unknown names decode as `Unknown`.
    pub event_type: PaymentEventType,
    /// When it happened.
    pub created_at: Timestamp,
    /// Optional detail (decline code, message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Why a payment-intent document was rejected, and where.
#[derive(Clone, PartialEq, Debug)]
pub struct DecodeError {
    /// Dotted path of the field (`amount.currencyCode`, `paymentEvents[2].createdAt`), `$` for the document.
    pub field: String,
    /// What is wrong with it.
    pub kind: DecodeErrorKind,
}

/// What is wrong with a field.
#[derive(Clone, PartialEq, Debug)]
pub enum DecodeErrorKind {
    /// Not JSON at all.
    InvalidJson,
    /// A required field is absent or null.
    Missing,
    /// The JSON type is wrong (string for a number …).
    WrongType,
    /// A string longer than [`MAX_STRING_LEN`] or empty where a value is needed.
    BadLength,
    /// A money problem (negative, too large, unknown currency, currencies that disagree).
    Money(MoneyError),
    /// A date-time that is not RFC 3339 (or a timespan that is not `dd.hh:MM:ss`).
    Time(TimeError),
    /// A status the dialect does not have.
    Status(LifecycleError),
    /// A value out of its range (version 0, refunded more than the total, zero amount).
    OutOfRange,
    /// A setup intent's status the dialect does not have (or a dialect without setup intents).
    Setup(crate::core::lifecycle::setup::SetupError),
}

impl DecodeError {
    fn new(field: &str, kind: DecodeErrorKind) -> Self {
        DecodeError {
            field: field.to_owned(),
            kind,
        }
    }

    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match &self.kind {
            DecodeErrorKind::InvalidJson => "invalid_json",
            DecodeErrorKind::Missing => "missing_field",
            DecodeErrorKind::WrongType => "wrong_type",
            DecodeErrorKind::BadLength => "bad_length",
            DecodeErrorKind::Money(e) => e.code(),
            DecodeErrorKind::Time(e) => e.code(),
            DecodeErrorKind::Status(e) => e.code(),
            DecodeErrorKind::OutOfRange => "out_of_range",
            DecodeErrorKind::Setup(e) => e.code(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.field)?;
        f.write_str(": ")?;
        f.write_str(self.code())
    }
}

impl std::error::Error for DecodeError {}

type Obj<'a> = Items<'a>;

/// The decoders' own result: the error boxed, so each of the many `?` in a decoder moves one pointer
/// instead of a whole `DecodeError`. In the page's wasm PaymentIntent::from_json went from 9.5 to 5.2 KB
/// of code and SetupIntent::from_json from 6.9 to 4.3 (module: 66.8 -> 65.9 KB brotli, 2026-12-01).
type Res<T> = Result<T, Box<DecodeError>>;

fn err(field: &str, kind: DecodeErrorKind) -> Box<DecodeError> {
    Box::new(DecodeError::new(field, kind))
}

fn join(path: &str, key: &str) -> String {
    let mut s = String::with_capacity(path.len() + key.len() + 1);
    s.push_str(path);
    if !path.is_empty() {
        s.push('.');
    }
    s.push_str(key);
    s
}

/// A field as raw JSON, with `null` read as absent. A repeated key means its last value (as serde_json and
/// `JSON.parse` read it).
fn get<'a>(o: &Obj<'a>, key: &str) -> Option<&'a str> {
    json::field(o.clone(), key).filter(|v| *v != "null")
}

fn require<'a>(o: &Obj<'a>, key: &str, path: &str) -> Res<&'a str> {
    get(o, key).ok_or_else(|| err(&join(path, key), DecodeErrorKind::Missing))
}

fn object<'a>(v: &'a str, path: &str) -> Res<Obj<'a>> {
    json::object(v).ok_or_else(|| err(path, DecodeErrorKind::WrongType))
}

/// Any string, unescaped.
fn text(v: &str, path: &str) -> Res<String> {
    json::string(v).ok_or_else(|| err(path, DecodeErrorKind::WrongType))
}

/// A string of at most [`MAX_STRING_LEN`] bytes. An escape takes at most 6 bytes per byte it stands for, so
/// longer raw text is refused before anything is allocated for it.
fn string(v: &str, path: &str) -> Res<String> {
    if json::kind(v) != Some(Kind::String) {
        return Err(err(path, DecodeErrorKind::WrongType));
    }
    if v.len() > 6 * MAX_STRING_LEN + 2 {
        return Err(err(path, DecodeErrorKind::BadLength));
    }
    let s = text(v, path)?;
    if s.len() > MAX_STRING_LEN {
        return Err(err(path, DecodeErrorKind::BadLength));
    }
    Ok(s)
}

fn nonempty(v: &str, path: &str) -> Res<String> {
    let s = string(v, path)?;
    if s.is_empty() {
        return Err(err(path, DecodeErrorKind::BadLength));
    }
    Ok(s)
}

/// A plain integer: fractions, exponents, `-0` and values beyond `i64` are the wrong type.
fn integer(v: &str, path: &str) -> Res<i64> {
    json::int(v).ok_or_else(|| err(path, DecodeErrorKind::WrongType))
}

fn timestamp(v: &str, path: &str) -> Res<Timestamp> {
    let s = text(v, path)?;
    Timestamp::parse_rfc3339(&s).map_err(|e| err(path, DecodeErrorKind::Time(e)))
}

fn money(v: &str, path: &str) -> Res<Money> {
    let o = object(v, path)?;
    let value_path = join(path, "value");
    let value = integer(require(&o, "value", path)?, &value_path)?;
    let code_path = join(path, "currencyCode");
    let code = text(require(&o, "currencyCode", path)?, &code_path)?;
    let currency = crate::core::money::Currency::from_code(&code)
        .map_err(|e| err(&code_path, DecodeErrorKind::Money(e)))?;
    Money::new(value, currency).map_err(|e| err(&value_path, DecodeErrorKind::Money(e)))
}

fn opt<T>(o: &Obj<'_>, key: &str, f: impl Fn(&str, &str) -> Res<T>) -> Res<Option<T>> {
    get(o, key).map(|v| f(v, key)).transpose()
}

/// An enumerated string field: `Ok(None)` when absent, `OutOfRange` for a string not in `names`.
fn choice<T: Copy>(o: &Obj<'_>, key: &str, names: &[(&str, T)]) -> Res<Option<T>> {
    let Some(v) = get(o, key) else {
        return Ok(None);
    };
    let s = text(v, key)?;
    names
        .iter()
        .find(|(n, _)| *n == s)
        .map(|(_, t)| Some(*t))
        .ok_or_else(|| err(key, DecodeErrorKind::OutOfRange))
}

fn same_currency(base: &Money, other: &Option<Money>, field: &str) -> Res<()> {
    match other {
        Some(m) => base
            .same_currency(m)
            .map_err(|e| err(field, DecodeErrorKind::Money(e))),
        None => Ok(()),
    }
}

/// The sandbox's `version`: a positive integer, if present.
fn version(o: &Obj<'_>) -> Res<Option<u64>> {
    match get(o, "version") {
        None => Ok(None),
        Some(v) => match json::uint(v) {
            Some(0) => Err(err("version", DecodeErrorKind::OutOfRange)),
            Some(n) => Ok(Some(n)),
            None if json::kind(v) == Some(Kind::Number) => {
                Err(err("version", DecodeErrorKind::OutOfRange))
            }
            None => Err(err("version", DecodeErrorKind::WrongType)),
        },
    }
}

/// How every intent document starts, payment or setup, checked in this order: strict JSON in UTF-8 (see
/// [`json::value`]), an object, a non-empty `id` and a string `status`. The status is the wire name still:
/// each kind of intent parses it against its own statuses.
fn head(bytes: &[u8]) -> Res<(Obj<'_>, String, String)> {
    let invalid = || err("$", DecodeErrorKind::InvalidJson);
    let utf8 = std::str::from_utf8(bytes).map_err(|_| invalid())?;
    let doc = json::value(utf8).ok_or_else(invalid)?;
    let o = object(doc, "$")?;
    let id = nonempty(require(&o, "id", "")?, "id")?;
    let status = string(require(&o, "status", "")?, "status")?;
    Ok((o, id, status))
}

/// The sandbox's `nextAction` (`{type, url}`), if present.
fn next_action(o: &Obj<'_>) -> Res<Option<NextAction>> {
    let Some(v) = get(o, "nextAction") else {
        return Ok(None);
    };
    let a = object(v, "nextAction")?;
    Ok(Some(NextAction {
        kind: nonempty(require(&a, "type", "nextAction")?, "nextAction.type")?,
        url: nonempty(require(&a, "url", "nextAction")?, "nextAction.url")?,
    }))
}

/// The sandbox's `lastPaymentError` (`{code, declineCode?, message?}`), if present.
fn last_payment_error(o: &Obj<'_>) -> Res<Option<PaymentError>> {
    let Some(v) = get(o, "lastPaymentError") else {
        return Ok(None);
    };
    let e = object(v, "lastPaymentError")?;
    let p = "lastPaymentError";
    Ok(Some(PaymentError {
        code: nonempty(require(&e, "code", p)?, "lastPaymentError.code")?,
        decline_code: get(&e, "declineCode")
            .map(|v| string(v, "lastPaymentError.declineCode"))
            .transpose()?,
        message: get(&e, "message")
            .map(|v| string(v, "lastPaymentError.message"))
            .transpose()?,
    }))
}

impl PaymentIntent {
    /// Decodes and validates one intent for `dialect`. Unknown fields are tolerated; bad JSON, wrong types,
    /// missing fields, unknown statuses and absurd values are errors naming the field. Never panics.
    ///
    /// The JSON is checked strictly (RFC 8259, at most [`json::MAX_DEPTH`] levels) before any field is read,
    /// so malformed JSON anywhere, even in an unknown field, is `invalid_json` at `$`. A repeated key means
    /// its last value. Integer fields take plain integers only (`1.0`, `1e3`, `-0` are `wrong_type`; for
    /// `version`, `out_of_range`). Unlike serde_json, a number beyond `f64` (`1e400`) is valid JSON here,
    /// and the wrong type for the integer field that holds it.
    pub fn from_json(bytes: &[u8], dialect: Dialect) -> Result<PaymentIntent, DecodeError> {
        Self::decode(bytes, dialect).map_err(|e| *e)
    }

    fn decode(bytes: &[u8], dialect: Dialect) -> Res<PaymentIntent> {
        let (o, id, status) = head(bytes)?;
        dialect
            .parse_status(&status)
            .map_err(|e| err("status", DecodeErrorKind::Status(e)))?;
        let capture_mode = choice(
            &o,
            "captureMode",
            &[("Auto", CaptureMode::Auto), ("Manual", CaptureMode::Manual)],
        )?
        .unwrap_or(CaptureMode::Auto);
        let amount = money(require(&o, "amount", "")?, "amount")?;
        if amount.is_zero() {
            return Err(err("amount.value", DecodeErrorKind::OutOfRange));
        }
        let tips_amount = opt(&o, "tipsAmount", money)?;
        same_currency(&amount, &tips_amount, "tipsAmount.currencyCode")?;
        let total_amount = opt(&o, "totalAmount", money)?;
        same_currency(&amount, &total_amount, "totalAmount.currencyCode")?;
        let total = match (total_amount, tips_amount) {
            (Some(t), _) => t,
            (None, Some(tips)) => amount
                .checked_add(tips)
                .map_err(|e| err("tipsAmount.value", DecodeErrorKind::Money(e)))?,
            (None, None) => amount,
        };
        let bounded = |v: &str, path: &str| -> Res<i64> {
            let n = integer(v, path)?;
            if n < 0 {
                Err(err(
                    path,
                    DecodeErrorKind::Money(MoneyError::NegativeAmount),
                ))
            } else if n > total.minor_units() {
                Err(err(path, DecodeErrorKind::OutOfRange))
            } else {
                Ok(n)
            }
        };
        let refunded_amount = opt(&o, "refundedAmount", bounded)?.unwrap_or(0);
        let captured_amount = opt(&o, "capturedAmount", bounded)?;
        if let Some(c) = captured_amount {
            if refunded_amount > c {
                return Err(err("refundedAmount", DecodeErrorKind::OutOfRange));
            }
        }
        let client_session_secret = opt(&o, "clientSessionSecret", string)?.map(SecretString::new);
        let client_session_secret_expiration_date =
            opt(&o, "clientSessionSecretExpirationDate", timestamp)?;
        let created_at = timestamp(require(&o, "createdAt", "")?, "createdAt")?;
        let updated_at = timestamp(require(&o, "updatedAt", "")?, "updatedAt")?;
        let expire_at = opt(&o, "expireAt", timestamp)?;
        let auto_expire_action = choice(
            &o,
            "autoExpireAction",
            &[
                ("Release", AutoExpireAction::Release),
                ("Capture", AutoExpireAction::Capture),
            ],
        )?;
        let auto_expire_in = opt(&o, "autoExpireIn", string)?;
        if let Some(span) = &auto_expire_in {
            Duration::parse_timespan(span)
                .map_err(|e| err("autoExpireIn", DecodeErrorKind::Time(e)))?;
        }
        let reference = opt(&o, "reference", string)?;
        let description = opt(&o, "description", string)?;
        let version = version(&o)?;
        let next_action = next_action(&o)?;
        let last_payment_error = last_payment_error(&o)?;
        let mut payment_events = Vec::new();
        if let Some(v) = get(&o, "paymentEvents") {
            let items =
                json::array(v).ok_or_else(|| err("paymentEvents", DecodeErrorKind::WrongType))?;
            for (i, (_, item)) in items.enumerate() {
                let mut path = String::from("paymentEvents[");
                json::push_uint(&mut path, i as u64);
                path.push(']');
                let e = object(item, &path)?;
                let type_path = join(&path, "eventType");
                let name = text(require(&e, "eventType", &path)?, &type_path)?;
                payment_events.push(PaymentEvent {
                    event_type: PaymentEventType::from_name(&name),
                    created_at: timestamp(
                        require(&e, "createdAt", &path)?,
                        &join(&path, "createdAt"),
                    )?,
                    message: get(&e, "message")
                        .map(|v| string(v, &join(&path, "message")))
                        .transpose()?,
                });
            }
        }
        let mut pi = PaymentIntent {
            id,
            status,
            capture_mode,
            amount,
            tips_amount,
            total_amount,
            refunded_amount,
            client_session_secret,
            client_session_secret_expiration_date,
            config: None,
            created_at,
            updated_at,
            expire_at,
            auto_expire_action,
            auto_expire_in,
            reference,
            description,
            version,
            next_action,
            last_payment_error,
            payment_events,
            captured_amount,
            customer: None,
            billing_address: None,
            shipping_details: None,
            item_lines: None,
            tax_lines: None,
            payment_methods: None,
            merchant_config: None,
            cashback_amount: None,
            service_charge_amount: None,
        };
        details::decode(&o, &mut pi)?;
        Ok(pi)
    }

    /// [`PaymentIntent::from_json`] on a document already parsed by serde_json (native convenience for tests
    /// and the sandbox; serde_json is not in the wasm).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_value(
        doc: &serde_json::Value,
        dialect: Dialect,
    ) -> Result<PaymentIntent, DecodeError> {
        let text = serde_json::to_vec(doc)
            .map_err(|_| DecodeError::new("$", DecodeErrorKind::InvalidJson))?;
        Self::from_json(&text, dialect)
    }

    /// JSON for the browser view (all additions included). Native only, like serde_json.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn to_json(&self) -> String {
        // ok: every field serialises infallibly (string keys, no custom errors), so the fallback is unused.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The merchant view: the same intent without the sandbox's additions, so it validates against Dojo's
    /// `PaymentIntent` schema (`additionalProperties: false`).
    pub fn merchant_view(&self) -> PaymentIntent {
        PaymentIntent {
            version: None,
            next_action: None,
            last_payment_error: None,
            payment_events: Vec::new(),
            captured_amount: None,
            ..self.clone()
        }
    }

    /// The total to pay: `totalAmount`, else `amount + tipsAmount`, else `amount`.
    pub fn total(&self) -> Money {
        match (self.total_amount, self.tips_amount) {
            (Some(t), _) => t,
            (None, Some(tips)) => self.amount.checked_add(tips).unwrap_or(self.amount),
            (None, None) => self.amount,
        }
    }

    /// Captured minor units: `capturedAmount` if the server sent it, else the total once collected.
    pub fn captured(&self, dialect: Dialect) -> i64 {
        if let Some(c) = self.captured_amount {
            return c;
        }
        let base = dialect.parse_status(&self.status);
        let collected = matches!(
            base,
            Ok(CanonicalStatus::Succeeded
                | CanonicalStatus::PartiallyRefunded
                | CanonicalStatus::Refunded)
        ) || (base == Ok(CanonicalStatus::Processing)
            && self.capture_mode == CaptureMode::Auto);
        if collected {
            self.total().minor_units()
        } else {
            0
        }
    }

    /// The canonical status, refined by `nextAction` and the refund amounts (see `Dialect::resolve_status`).
    pub fn canonical_status(&self, dialect: Dialect) -> Result<CanonicalStatus, LifecycleError> {
        dialect.resolve_status(
            &self.status,
            StatusHints {
                next_action: self.next_action.is_some(),
                captured: self.captured(dialect),
                refunded: self.refunded_amount,
            },
        )
    }

    /// The connect token in this snapshot, if it has one, obtained at `now`. Without an expiration date the
    /// token is taken as already expired (Dojo sends `0001-01-01T00:00:00Z` for "none").
    pub fn connect_token(&self, now: Timestamp) -> Option<ConnectToken> {
        let secret = self.client_session_secret.as_ref()?;
        let expires = self
            .client_session_secret_expiration_date
            .unwrap_or(Timestamp::MIN);
        ConnectToken::new(secret.expose().to_owned(), &self.id, Some(expires), now).ok()
    }

    /// Rebuilds the lifecycle state this snapshot describes, so [`crate::core::lifecycle::apply`] and
    /// [`crate::core::lifecycle::next_deadline`] can run on it. The server is the authority; attempts are
    /// counted from `Declined`/`AuthChallenged` events (at least 1 when an error or a payment is recorded).
    pub fn lifecycle_state(&self, dialect: Dialect) -> Result<LifecycleState, LifecycleError> {
        let status = self.canonical_status(dialect)?;
        let total = self.total();
        let captured = self.captured(dialect).min(total.minor_units());
        let events = |t: PaymentEventType| {
            self.payment_events
                .iter()
                .filter(move |e| e.event_type == t)
        };
        let mut attempts = events(PaymentEventType::Declined).count()
            + events(PaymentEventType::AuthChallenged).count();
        let made_attempt = self.last_payment_error.is_some()
            || !matches!(
                status,
                CanonicalStatus::RequiresPaymentMethod
                    | CanonicalStatus::RequiresConfirmation
                    | CanonicalStatus::Canceled
            );
        if attempts == 0 && made_attempt {
            attempts = 1;
        }
        let hold_started_at = if status == CanonicalStatus::Authorized {
            Some(
                events(PaymentEventType::Authorized)
                    .next_back()
                    .map(|e| e.created_at)
                    .unwrap_or(self.updated_at),
            )
        } else {
            None
        };
        let last_failure_at = self.last_payment_error.as_ref().map(|_| {
            events(PaymentEventType::Declined)
                .next_back()
                .map(|e| e.created_at)
                .unwrap_or(self.updated_at)
        });
        let hold_ttl = match &self.auto_expire_in {
            Some(span) => Duration::parse_timespan(span).ok(),
            None => dialect.default_hold_ttl(),
        };
        let mut state = LifecycleState::new(dialect, self.capture_mode, total, self.created_at)
            .with_hold_ttl(hold_ttl)
            .with_auto_expire_action(self.auto_expire_action.unwrap_or_default());
        if self.expire_at.is_some() {
            state = state.with_expire_at(self.expire_at);
        }
        state.status = status;
        state.captured = captured;
        state.refunded = self.refunded_amount.clamp(0, captured);
        state.attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
        state.hold_started_at = hold_started_at;
        state.last_error = self.last_payment_error.clone();
        state.last_failure_at = last_failure_at;
        Ok(state)
    }
}

#[cfg(test)]
mod tests;
