//! The card frame ↔ page protocol, version 1: what the isolated card fields (a page on the API's origin,
//! in an iframe) and the merchant page may say to each other, and the strict decoder both sides run on
//! everything they receive. Nothing that decodes here can carry a card number or a CVC: the only card
//! facts that cross are the brand, completeness, per-field error codes, and the reference the API gave
//! the frame.
//!
//! Transport (the JS on each side; this module only sees the text):
//! 1. The frame posts [`Hello`](Handshake::Hello) to `window.parent` with `targetOrigin` = the merchant
//!    origin its URL named (the API checked it against the allowed frame ancestors and made it the
//!    page's only `frame-ancestors`).
//! 2. The page accepts it only from the iframe's `contentWindow` and the origin derived from `api-base`,
//!    then posts [`Connect`](Handshake::Connect) with one end of a `MessageChannel` to that window and
//!    origin. The frame accepts one connect, only from `window.parent` and the merchant origin.
//! 3. Everything else goes over the port. The page authorises the frame with [`ToFrame::Init`]: the
//!    intent id and its connect token, which the frame uses as `Authorization: Bearer` to create a card
//!    reference at the API. The token therefore never appears in the frame's URL, and a port message
//!    reaches only the frame that owns the other end.
//!
//! Every message is a JSON object with `"v": 1` and a type `"t"`, and exactly the members its type
//! names. Unknown types, missing or extra members, wrong types, out-of-range values and texts longer than
//! [`MAX_MESSAGE`] bytes decode to `None` and are dropped, never half-read.

use std::fmt;

use crate::core::card::Brand;
use crate::core::json::{self, Obj};

/// The protocol version in every message and in the frame's path (`/card-frame/v1`).
pub const VERSION: u64 = 1;

/// Longer texts are not ours (the largest real message, `init` with a full theme, is under 2 KB).
pub const MAX_MESSAGE: usize = 4096;

/// The handshake, posted on `window` before the channel exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handshake {
    /// Frame → page: the frame is loaded and waits for its port.
    Hello,
    /// Page → frame, with the port transferred alongside.
    Connect,
}

/// A card field of the frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Number,
    Expiry,
    Cvc,
    Name,
}

pub const FIELDS: [Field; 4] = [Field::Number, Field::Expiry, Field::Cvc, Field::Name];

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::Expiry => "expiry",
            Field::Cvc => "cvc",
            Field::Name => "name",
        }
    }

    fn from_name(s: &str) -> Option<Field> {
        FIELDS.into_iter().find(|f| f.name() == s)
    }
}

/// Why a field is not valid: `required`, `incomplete` (an unfinished expiry), the core's card error
/// codes, or `invalid` (refused by the API).
pub const FIELD_ERRORS: [&str; 10] = [
    "required",
    "incomplete",
    "incomplete_number",
    "invalid_number",
    "unsupported_brand",
    "invalid_expiry_month",
    "invalid_expiry_year",
    "expired_card",
    "invalid_cvc",
    "invalid",
];

/// One error code per field at most, in form order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub [Option<&'static str>; 4]);

impl FieldErrors {
    pub fn get(&self, f: Field) -> Option<&'static str> {
        self.0[f as usize]
    }

    pub fn set(&mut self, f: Field, code: &str) -> bool {
        match FIELD_ERRORS.iter().find(|c| **c == code) {
            Some(c) => {
                self.0[f as usize] = Some(c);
                true
            }
            None => false,
        }
    }

    fn to_json(&self) -> String {
        let mut o = Obj::new();
        for f in FIELDS {
            if let Some(code) = self.get(f) {
                o = o.str(f.name(), code);
            }
        }
        o.finish()
    }

    fn decode(raw: &str) -> Option<FieldErrors> {
        let mut e = FieldErrors::default();
        for (k, v) in json::members(raw)? {
            let f = Field::from_name(&k)?;
            if e.get(f).is_some() || !e.set(f, &json::string(v)?) {
                return None;
            }
        }
        Some(e)
    }
}

/// Which fields the frame shows: the whole card, or the CVC alone (a saved card paid again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Card,
    Cvc,
}

/// The saved card whose CVC a CVC-only frame collects: its id (the frame sends it with the CVC to the
/// API) and its brand (Amex wants four digits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CvcCard {
    pub id: String,
    pub brand: Brand,
}

fn brand(raw: &str) -> Option<Brand> {
    Brand::from_name(&json::string(raw)?)
}

/// The `--ic-*` values that cross into the frame: a closed set of keys, each value checked against a
/// small grammar (colours, lengths, font families), so no CSS beyond a value can be smuggled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeKey {
    Bg,
    Fg,
    Muted,
    Border,
    Accent,
    Error,
    Focus,
    Radius,
    Font,
    FontSize,
}

const THEME_KEYS: [ThemeKey; 10] = [
    ThemeKey::Bg,
    ThemeKey::Fg,
    ThemeKey::Muted,
    ThemeKey::Border,
    ThemeKey::Accent,
    ThemeKey::Error,
    ThemeKey::Focus,
    ThemeKey::Radius,
    ThemeKey::Font,
    ThemeKey::FontSize,
];

impl ThemeKey {
    /// The member name in a `theme` object; the CSS custom property is `--ic-` + this, kebab-cased.
    pub fn name(self) -> &'static str {
        match self {
            ThemeKey::Bg => "bg",
            ThemeKey::Fg => "fg",
            ThemeKey::Muted => "muted",
            ThemeKey::Border => "border",
            ThemeKey::Accent => "accent",
            ThemeKey::Error => "error",
            ThemeKey::Focus => "focus",
            ThemeKey::Radius => "radius",
            ThemeKey::Font => "font",
            ThemeKey::FontSize => "fontSize",
        }
    }

    fn accepts(self, v: &str) -> bool {
        match self {
            ThemeKey::Radius | ThemeKey::FontSize => is_length(v),
            ThemeKey::Font => is_font_family(v),
            _ => is_colour(v),
        }
    }
}

/// Validated theme values, in [`THEME_KEYS`] order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Theme(pub Vec<(ThemeKey, String)>);

impl Theme {
    fn to_json(&self) -> String {
        let mut o = Obj::new();
        for (k, v) in &self.0 {
            o = o.str(k.name(), v);
        }
        o.finish()
    }

    fn decode(raw: &str) -> Option<Theme> {
        let members = json::members(raw)?;
        if members
            .iter()
            .any(|(k, _)| !THEME_KEYS.iter().any(|t| t.name() == k))
        {
            return None;
        }
        // In key order, each key at most once (no sort: it costs the frame's wasm 3 KB).
        let mut out = Vec::new();
        for key in THEME_KEYS {
            let mut given = members.iter().filter(|(k, _)| k == key.name());
            if let Some((_, v)) = given.next() {
                let value = json::string(v)?;
                if given.next().is_some() || !key.accepts(&value) {
                    return None;
                }
                out.push((key, value));
            }
        }
        Some(Theme(out))
    }
}

/// `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(…)`/`rgba(…)`/`hsl(…)`/`hsla(…)` of numbers, or a
/// colour keyword.
pub fn is_colour(v: &str) -> bool {
    if v.is_empty() || v.len() > 64 {
        return false;
    }
    if let Some(hex) = v.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    for f in ["rgb(", "rgba(", "hsl(", "hsla("] {
        if let Some(args) = v.strip_prefix(f).and_then(|r| r.strip_suffix(')')) {
            // Digits, separators and `deg`: one function call, nothing that could close it early.
            return !args.trim().is_empty()
                && args
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b" .,%/-deg".contains(&b));
        }
    }
    v.len() <= 24 && v.bytes().all(|b| b.is_ascii_alphabetic())
}

/// A non-negative number with `px`, `rem`, `em` or `%` (or a bare `0`).
pub fn is_length(v: &str) -> bool {
    if v == "0" {
        return true;
    }
    let Some(num) = ["px", "rem", "em", "%"]
        .iter()
        .find_map(|u| v.strip_suffix(u))
    else {
        return false;
    };
    let (whole, frac) = match num.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (num, None),
    };
    let digits = |s: &str, max: usize| s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole, 4) && frac.map_or(!whole.is_empty(), |f| !f.is_empty() && digits(f, 3))
}

/// Comma-separated family names: bare (`system-ui`, `-apple-system`, `Segoe UI`) or quoted.
pub fn is_font_family(v: &str) -> bool {
    if v.trim().is_empty() || v.len() > 200 {
        return false;
    }
    v.split(',').all(|family| {
        let f = family.trim();
        let inner = f
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .or_else(|| f.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
            .unwrap_or(f);
        !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b" -_".contains(&b))
    })
}

/// The connect token as it crosses to the frame. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

fn secret(raw: &str) -> Option<Secret> {
    let s = json::string(raw)?;
    let ok = !s.is_empty() && s.len() <= 512 && s.bytes().all(|b| b.is_ascii_graphic());
    ok.then_some(Secret(s))
}

/// An API id (intent, card reference): letters, digits, `_` and `-`, as the API makes them.
fn id(raw: &str) -> Option<String> {
    let s = json::string(raw)?;
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    ok.then_some(s)
}

/// A language tag (`en`, `de-AT`).
fn locale(raw: &str) -> Option<String> {
    let s = json::string(raw)?;
    let ok =
        (2..=16).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then_some(s)
}

fn small(raw: &str, max: u64) -> Option<u32> {
    json::uint(raw)
        .filter(|n| *n <= max)
        .and_then(|n| u32::try_from(n).ok())
}

/// What the API returned for the card: enough to show "Visa •••• 4242", nothing to pay elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardRef {
    pub id: String,
    pub brand: Brand,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
}

impl CardRef {
    /// Decodes the API's `{id, brand, last4, expiryMonth, expiryYear}` (also used inside `reference`).
    pub fn decode(raw: &str) -> Option<CardRef> {
        let m = exact(raw, &["id", "brand", "last4", "expiryMonth", "expiryYear"])?;
        let last4 = json::string(m[2])?;
        let exp_month = small(m[3], 12).filter(|n| *n >= 1)?;
        let exp_year = small(m[4], 9999).filter(|n| *n >= 2000)?;
        (last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit())).then_some(CardRef {
            id: id(m[0])?,
            brand: brand(m[1]).filter(|b| *b != Brand::Unknown)?,
            last4,
            exp_month,
            exp_year,
        })
    }

    fn to_json(&self) -> String {
        Obj::new()
            .str("id", &self.id)
            .str("brand", self.brand.name())
            .str("last4", &self.last4)
            .int("expiryMonth", i64::from(self.exp_month))
            .int("expiryYear", i64::from(self.exp_year))
            .finish()
    }
}

/// Why the frame could not make a reference (a field the API refused is an `invalid` message instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The token was refused: the page should refresh it (`token`) and ask again.
    TokenExpired,
    /// No answer from the API.
    NetworkError,
    /// Any other refusal.
    ApiError,
}

const FAILURES: [Failure; 3] = [
    Failure::TokenExpired,
    Failure::NetworkError,
    Failure::ApiError,
];

impl Failure {
    pub fn code(self) -> &'static str {
        match self {
            Failure::TokenExpired => "token_expired",
            Failure::NetworkError => "network_error",
            Failure::ApiError => "api_error",
        }
    }
}

/// Page → frame, over the port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToFrame {
    /// Authorises the frame for one intent and sets it up. `saved`: the saved card, in CVC mode only;
    /// `setup`: the intent is a setup intent (its references are made at the setup intent's path).
    Init {
        intent: String,
        setup: bool,
        token: Secret,
        locale: String,
        mode: Mode,
        saved: Option<CvcCard>,
        theme: Theme,
    },
    /// A refreshed connect token.
    Token(Secret),
    Locale(String),
    Theme(Theme),
    /// Validate every field; if all are valid, create a reference. Answered with the same `seq`.
    Tokenize {
        seq: u32,
    },
    Focus(Field),
    /// Clear the number and CVC (another card after a decline).
    Reset,
    /// A payment is in flight: the fields are read-only meanwhile.
    Busy(bool),
}

/// Frame → page, over the port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToPage {
    /// The fields are rendered; the page may show the form.
    Ready {
        height: u32,
    },
    /// After every edit: what the customer would see, never what they typed.
    Change {
        brand: Brand,
        complete: bool,
        empty: bool,
        errors: FieldErrors,
    },
    Focus(Field),
    Blur(Field),
    Resize {
        height: u32,
    },
    /// Enter in a field: the customer wants to pay.
    Submit,
    Reference {
        seq: u32,
        card: CardRef,
    },
    /// The fields are not valid (the frame shows why and focuses the first).
    Invalid {
        seq: u32,
        errors: FieldErrors,
    },
    Failed {
        seq: u32,
        failure: Failure,
    },
}

/// The members of `raw` named by `keys`, in that order, if `raw` is an object with exactly those.
fn exact<'a>(raw: &'a str, keys: &[&str]) -> Option<Vec<&'a str>> {
    let members = json::members(raw)?;
    if members.len() != keys.len() {
        return None;
    }
    keys.iter().map(|k| json::get(&members, k)).collect()
}

/// The type and the other members of a v1 message, after the envelope checks.
fn envelope(text: &str) -> Option<(String, Vec<(String, &str)>)> {
    if text.len() > MAX_MESSAGE {
        return None;
    }
    let mut members = json::members(text)?;
    let mut seen = Vec::with_capacity(members.len());
    for (k, _) in &members {
        if seen.contains(&k.as_str()) {
            return None; // a repeated key could mean different things to different readers
        }
        seen.push(k.as_str());
    }
    if json::get(&members, "v").and_then(json::uint) != Some(VERSION) {
        return None;
    }
    let t = json::get(&members, "t").and_then(json::string)?;
    members.retain(|(k, _)| k != "v" && k != "t");
    Some((t, members))
}

/// Reads the members named by `keys` (exactly those) from an envelope's rest.
fn take<'a>(rest: &[(String, &'a str)], keys: &[&str]) -> Option<Vec<&'a str>> {
    if rest.len() != keys.len() {
        return None;
    }
    keys.iter().map(|k| json::get(rest, k)).collect()
}

fn head(t: &str) -> Obj {
    Obj::new().int("v", VERSION as i64).str("t", t)
}

fn field(raw: &str) -> Option<Field> {
    Field::from_name(&json::string(raw)?)
}

impl Handshake {
    pub fn decode(text: &str) -> Option<Handshake> {
        let (t, rest) = envelope(text)?;
        take(&rest, &[])?;
        match t.as_str() {
            "hello" => Some(Handshake::Hello),
            "connect" => Some(Handshake::Connect),
            _ => None,
        }
    }

    pub fn encode(self) -> String {
        head(match self {
            Handshake::Hello => "hello",
            Handshake::Connect => "connect",
        })
        .finish()
    }
}

impl ToFrame {
    pub fn decode(text: &str) -> Option<ToFrame> {
        let (t, rest) = envelope(text)?;
        Some(match t.as_str() {
            "init" => {
                // `brand` and `saved` (CVC mode) and `setup: true` (a setup intent) are present only when
                // they apply.
                let cvc_raw = json::get(&rest, "brand").zip(json::get(&rest, "saved"));
                let setup = match json::get(&rest, "setup") {
                    None => false,
                    Some(raw) => json::boolean(raw).filter(|b| *b)?,
                };
                let mut keys = vec!["intent", "token", "locale", "mode", "theme"];
                keys.extend(cvc_raw.iter().flat_map(|_| ["brand", "saved"]));
                keys.extend(setup.then_some("setup"));
                let m = take(&rest, &keys)?;
                let mode = match json::string(m[3])?.as_str() {
                    "card" => Mode::Card,
                    "cvc" => Mode::Cvc,
                    _ => return None,
                };
                // A CVC needs its card: the id it is sent with, the brand (Amex has four digits). A
                // whole card brings its own.
                let saved = match (mode, cvc_raw) {
                    (Mode::Card, None) => None,
                    (Mode::Cvc, Some((b, saved))) => Some(CvcCard {
                        id: id(saved)?,
                        brand: brand(b).filter(|b| *b != Brand::Unknown)?,
                    }),
                    _ => return None,
                };
                ToFrame::Init {
                    intent: id(m[0])?,
                    setup,
                    token: secret(m[1])?,
                    locale: locale(m[2])?,
                    mode,
                    saved,
                    theme: Theme::decode(m[4])?,
                }
            }
            "token" => ToFrame::Token(secret(take(&rest, &["token"])?[0])?),
            "locale" => ToFrame::Locale(locale(take(&rest, &["locale"])?[0])?),
            "theme" => ToFrame::Theme(Theme::decode(take(&rest, &["theme"])?[0])?),
            "tokenize" => ToFrame::Tokenize {
                seq: small(take(&rest, &["seq"])?[0], u64::from(u32::MAX))?,
            },
            "focus" => ToFrame::Focus(field(take(&rest, &["field"])?[0])?),
            "reset" => {
                take(&rest, &[])?;
                ToFrame::Reset
            }
            "busy" => ToFrame::Busy(json::boolean(take(&rest, &["on"])?[0])?),
            _ => return None,
        })
    }

    pub fn encode(&self) -> String {
        match self {
            ToFrame::Init {
                intent,
                setup,
                token,
                locale,
                mode,
                saved,
                theme,
            } => {
                let o = head("init")
                    .str("intent", intent)
                    .str("token", &token.0)
                    .str("locale", locale)
                    .str(
                        "mode",
                        match mode {
                            Mode::Card => "card",
                            Mode::Cvc => "cvc",
                        },
                    )
                    .raw("theme", &theme.to_json());
                let o = match saved {
                    Some(c) => o.str("brand", c.brand.name()).str("saved", &c.id),
                    None => o,
                };
                if *setup { o.raw("setup", "true") } else { o }.finish()
            }
            ToFrame::Token(t) => head("token").str("token", &t.0).finish(),
            ToFrame::Locale(l) => head("locale").str("locale", l).finish(),
            ToFrame::Theme(t) => head("theme").raw("theme", &t.to_json()).finish(),
            ToFrame::Tokenize { seq } => head("tokenize").int("seq", i64::from(*seq)).finish(),
            ToFrame::Focus(f) => head("focus").str("field", f.name()).finish(),
            ToFrame::Reset => head("reset").finish(),
            ToFrame::Busy(on) => head("busy")
                .raw("on", if *on { "true" } else { "false" })
                .finish(),
        }
    }
}

impl ToPage {
    pub fn decode(text: &str) -> Option<ToPage> {
        let (t, rest) = envelope(text)?;
        let height = |raw: &str| small(raw, 10_000);
        let seq = |raw: &str| small(raw, u64::from(u32::MAX));
        Some(match t.as_str() {
            "ready" => ToPage::Ready {
                height: height(take(&rest, &["height"])?[0])?,
            },
            "resize" => ToPage::Resize {
                height: height(take(&rest, &["height"])?[0])?,
            },
            "change" => {
                let m = take(&rest, &["brand", "complete", "empty", "errors"])?;
                ToPage::Change {
                    brand: brand(m[0])?,
                    complete: json::boolean(m[1])?,
                    empty: json::boolean(m[2])?,
                    errors: FieldErrors::decode(m[3])?,
                }
            }
            "focus" => ToPage::Focus(field(take(&rest, &["field"])?[0])?),
            "blur" => ToPage::Blur(field(take(&rest, &["field"])?[0])?),
            "submit" => {
                take(&rest, &[])?;
                ToPage::Submit
            }
            "reference" => {
                let m = take(&rest, &["seq", "card"])?;
                ToPage::Reference {
                    seq: seq(m[0])?,
                    card: CardRef::decode(m[1])?,
                }
            }
            "invalid" => {
                let m = take(&rest, &["seq", "errors"])?;
                let errors = FieldErrors::decode(m[1])?;
                if errors == FieldErrors::default() {
                    return None;
                }
                ToPage::Invalid {
                    seq: seq(m[0])?,
                    errors,
                }
            }
            "failed" => {
                let m = take(&rest, &["seq", "code"])?;
                let code = json::string(m[1])?;
                ToPage::Failed {
                    seq: seq(m[0])?,
                    failure: FAILURES.into_iter().find(|f| f.code() == code)?,
                }
            }
            _ => return None,
        })
    }

    pub fn encode(&self) -> String {
        match self {
            ToPage::Ready { height } => head("ready").int("height", i64::from(*height)).finish(),
            ToPage::Resize { height } => head("resize").int("height", i64::from(*height)).finish(),
            ToPage::Change {
                brand,
                complete,
                empty,
                errors,
            } => head("change")
                .str("brand", brand.name())
                .raw("complete", if *complete { "true" } else { "false" })
                .raw("empty", if *empty { "true" } else { "false" })
                .raw("errors", &errors.to_json())
                .finish(),
            ToPage::Focus(f) => head("focus").str("field", f.name()).finish(),
            ToPage::Blur(f) => head("blur").str("field", f.name()).finish(),
            ToPage::Submit => head("submit").finish(),
            ToPage::Reference { seq, card } => head("reference")
                .int("seq", i64::from(*seq))
                .raw("card", &card.to_json())
                .finish(),
            ToPage::Invalid { seq, errors } => head("invalid")
                .int("seq", i64::from(*seq))
                .raw("errors", &errors.to_json())
                .finish(),
            ToPage::Failed { seq, failure } => head("failed")
                .int("seq", i64::from(*seq))
                .str("code", failure.code())
                .finish(),
        }
    }
}

/// What a side's JS calls on every text it receives: the canonical re-encoding of a valid message
/// (so JS parses only what this module accepted), or `None` to drop it.
pub fn accept_for_page(text: &str) -> Option<String> {
    match Handshake::decode(text) {
        Some(Handshake::Hello) => Some(Handshake::Hello.encode()),
        Some(Handshake::Connect) => None,
        None => ToPage::decode(text).map(|m| m.encode()),
    }
}

pub fn accept_for_frame(text: &str) -> Option<String> {
    match Handshake::decode(text) {
        Some(Handshake::Connect) => Some(Handshake::Connect.encode()),
        Some(Handshake::Hello) => None,
        None => ToFrame::decode(text).map(|m| m.encode()),
    }
}

#[cfg(test)]
mod tests;
