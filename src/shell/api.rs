//! The `#[wasm_bindgen]` surface. Coarse on purpose: one call per user action; results and events cross
//! as JSON text that `www/sdk/index.js` parses once. Every method takes `&self` and queues an input.

use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, EventTarget};

use super::driver::{now, parse_time, Inner};
use crate::core::flow::{
    self, CardInput, Checkout, CheckoutError, Config, ErrorCode, IntentKind, Millis, OpId,
    RetryPolicy,
};
use crate::core::lifecycle::Dialect;

/// The SDK version compiled into this module.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    crate::VERSION.to_string()
}

/// A message from the isolated card frame: its canonical text if the frame protocol accepts it
/// (`core::card_frame`), `undefined` to drop it. The page parses only what this returns.
#[wasm_bindgen(js_name = acceptFromFrame)]
pub fn accept_from_frame(text: &str) -> Option<String> {
    crate::core::card_frame::accept_for_page(text)
}

/// Announces that the wasm module is loaded by dispatching `ready` on `target`.
#[wasm_bindgen(js_name = announceReady)]
pub fn announce_ready(target: &EventTarget) -> Result<bool, JsValue> {
    let detail = js_sys::Object::new();
    Reflect::set(&detail, &"version".into(), &crate::VERSION.into())?;
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    init.set_bubbles(true);
    init.set_composed(true);
    let event = CustomEvent::new_with_event_init_dict("ready", &init)?;
    target.dispatch_event(&event)
}

/// One checkout's engine. JS owns it through `index.js`'s `Checkout`; `destroy()` releases everything.
#[wasm_bindgen]
pub struct CheckoutCore {
    inner: Rc<Inner>,
}

fn error_json(code: ErrorCode, message: &str) -> JsValue {
    JsValue::from_str(&CheckoutError::new(code, message).to_json().to_string())
}

fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).and_then(|v| v.as_string())
}

/// Opens a checkout: `options` = `{apiBase, paymentIntentId | setupIntentId, connectToken,
/// connectTokenExpiresAt?, refreshToken?, dialect?, prefetched?, acceptsCards?}` (a `setupIntentId`
/// follows and confirms a setup intent instead; dialect `dojo` by default; `prefetched` =
/// `{path, response}`, a `fetch` of the intent already under way; `acceptsCards: true` lets `pay` take card
/// details typed into the page, `fields="inline"`; without it only `payReference` pays); `emit(name,
/// detailJson)` receives every event.
/// Throws a `CheckoutError` JSON text (code `sdk_error`) for bad options. Call `start()` next.
#[wasm_bindgen(js_name = openCheckout)]
pub fn open_checkout(options: &JsValue, emit: Function) -> Result<CheckoutCore, JsValue> {
    let bad = |m: &str| error_json(ErrorCode::SdkError, m);
    let api_base = get_string(options, "apiBase").ok_or_else(|| bad("apiBase is required"))?;
    let api_base = api_base.trim_end_matches('/').to_string();
    let url = web_sys::Url::new(&api_base).map_err(|_| bad("apiBase is not a URL"))?;
    let scheme = url.protocol();
    if scheme != "https:" && scheme != "http:" {
        return Err(bad("apiBase must be an http(s) URL"));
    }
    let (kind, intent_id) = match get_string(options, "setupIntentId") {
        Some(id) => (IntentKind::Setup, id),
        None => (
            IntentKind::Payment,
            get_string(options, "paymentIntentId")
                .ok_or_else(|| bad("paymentIntentId or setupIntentId is required"))?,
        ),
    };
    let token =
        get_string(options, "connectToken").ok_or_else(|| bad("connectToken is required"))?;
    let expires = get(options, "connectTokenExpiresAt").and_then(|v| parse_time(&v));
    let refresh = match get(options, "refreshToken") {
        None => None,
        Some(f) => Some(
            f.dyn_into::<Function>()
                .map_err(|_| bad("refreshToken must be a function"))?,
        ),
    };
    // No silent default for a name we do not know: a typo would make every snapshot unreadable.
    let dialect = match get_string(options, "dialect") {
        None => Dialect::Dojo,
        Some(name) => {
            Dialect::from_name(&name).ok_or_else(|| bad("dialect must be dojo, stripe or setel"))?
        }
    };
    let config = Config {
        dialect,
        intent_id,
        api_origin: url.origin(),
        can_refresh: refresh.is_some(),
        policy: RetryPolicy::default(),
        seed: random_seed(),
        accepts_card_details: get(options, "acceptsCards").and_then(|v| v.as_bool()) == Some(true),
        kind,
    };
    let machine = Checkout::new(config, token, expires, now())
        .map_err(|e| JsValue::from_str(&e.to_json().to_string()))?;
    // `{path, response}`: the intent's first read, started by the loader while this module compiled.
    let prefetched = get(options, "prefetched").and_then(|p| {
        let path = get_string(&p, "path")?;
        let response = get(&p, "response")?.dyn_into::<Promise>().ok()?;
        Some((path, response))
    });
    Ok(CheckoutCore {
        inner: Inner::new(machine, api_base, emit, refresh, prefetched),
    })
}

#[wasm_bindgen]
impl CheckoutCore {
    /// Loads the intent and starts following it. Resolves to `{intent}` or `{error}` (JSON text).
    pub fn start(&self) -> Promise {
        self.op(|m, now| m.start(now))
    }

    /// Pays with a card `{number, expiryMonth, expiryYear, cvc, cardholderName}` and, optionally, the
    /// customer's details as JSON `{userEmailAddress?, billingAddress?, shippingDetails?}` (checked for
    /// Dojo's shapes and what the intent's `config` requires, then sent with the card). Resolves to
    /// `{intent}` or `{error}` (JSON text); never rejects. `keep` as for `payReference`.
    pub fn pay(&self, card: &JsValue, details: Option<String>, keep: bool) -> Promise {
        let card = card_from_js(card);
        let details = details.unwrap_or_default();
        self.op(move |m, now| m.pay_with(&card, &details, keep, now))
    }

    /// Pays with the card reference the isolated card frame returned (`pm_…`), and the customer's
    /// details as for `pay`; `keep`: the customer agreed to keep the card (a payment's "save this card";
    /// required to confirm a setup intent). Resolves like `pay`.
    #[wasm_bindgen(js_name = payReference)]
    pub fn pay_reference(&self, id: &str, details: Option<String>, keep: bool) -> Promise {
        let id = id.to_string();
        let details = details.unwrap_or_default();
        self.op(move |m, now| m.pay_reference_with(&id, &details, keep, now))
    }

    /// Pays with one of the customer's saved cards (`pm_…` from `listSaved`), with the customer's
    /// details as for `pay`. Resolves like `pay`.
    #[wasm_bindgen(js_name = paySaved)]
    pub fn pay_saved(&self, id: &str, details: Option<String>) -> Promise {
        let id = id.to_string();
        let details = details.unwrap_or_default();
        self.op(move |m, now| m.pay_saved(&id, &details, now))
    }

    /// The customer whose saved cards this checkout lists, removes and pays with: their id and a
    /// customer secret from the merchant's server (`expiresAt`: ISO date or unix ms). Kept in memory
    /// only, like the connect token. Returns a `CheckoutError` JSON text for bad values.
    #[wasm_bindgen(js_name = setCustomer)]
    pub fn set_customer(
        &self,
        customer_id: &str,
        secret: String,
        expires_at: &JsValue,
    ) -> Option<String> {
        let expires = parse_time(expires_at);
        let mut m = self.inner.machine.try_borrow_mut().ok()?;
        m.set_customer(customer_id, secret, expires)
            .err()
            .map(|e| e.to_json().to_string())
    }

    /// The customer's saved cards: resolves to `{"cards": [{id, brand, last4, expiryMonth, expiryYear,
    /// expired}]}` or `{error}` (JSON text).
    #[wasm_bindgen(js_name = listSaved)]
    pub fn list_saved(&self) -> Promise {
        self.op(|m, now| m.list_saved(now))
    }

    /// Removes one of the customer's saved cards: resolves to the cards left, as `listSaved`.
    #[wasm_bindgen(js_name = removeSaved)]
    pub fn remove_saved(&self, id: &str) -> Promise {
        let id = id.to_string();
        self.op(move |m, now| m.remove_saved(&id, now))
    }

    /// The card brands the intent takes (`visa`, `amex`, …; every brand until the intent is loaded), as
    /// one comma-separated string.
    #[wasm_bindgen(js_name = acceptedBrands)]
    pub fn accepted_brands(&self) -> String {
        use crate::core::card::{Brand, ALL_BRANDS};
        let m = self.inner.machine.try_borrow().ok();
        let brands = match m.as_ref().and_then(|m| m.mirrored()) {
            Some(i) => i.accepted_brands(),
            None => ALL_BRANDS
                .into_iter()
                .filter(|b| *b != Brand::Unknown)
                .collect(),
        };
        let mut names = String::new();
        for b in brands {
            if !names.is_empty() {
                names.push(',');
            }
            names.push_str(b.name());
        }
        names
    }

    /// The customer's details as the page's form has them (`{userEmailAddress?, billingAddress?,
    /// shippingDetails?}`, JSON) → `{"valid", "errors": {"billingAddress.postcode": "invalid_postcode", …},
    /// "details": {…}}`: what the intent's `config` requires and each country's address rules
    /// (`core::payer::check_json`), with the details normalised for `pay`. One call per submit.
    #[wasm_bindgen(js_name = checkDetails)]
    pub fn check_details(&self, details: &str) -> String {
        let collect = self
            .inner
            .machine
            .try_borrow()
            .ok()
            .and_then(|m| m.mirrored().map(|i| i.collect()))
            .unwrap_or_default();
        crate::core::payer::check_json(details, collect)
    }

    #[wasm_bindgen(js_name = setTip)]
    pub fn set_tip(&self, minor: f64) -> Promise {
        let v = to_minor(minor);
        self.op(move |m, now| m.set_tip(v, now))
    }

    #[wasm_bindgen(js_name = setAmount)]
    pub fn set_amount(&self, minor: f64) -> Promise {
        let v = to_minor(minor);
        self.op(move |m, now| m.set_amount(v, now))
    }

    /// The mirrored intent view (JSON text, no token), or `undefined` before it is loaded.
    pub fn intent(&self) -> Option<String> {
        self.inner
            .calls_in
            .set(self.inner.calls_in.get().wrapping_add(1));
        let m = self.inner.machine.try_borrow().ok()?;
        let s = m.intent()?;
        Some(flow::op_result_json(&Ok(s), None))
    }

    /// Stops waiting for the current payment attempt (its promise settles with `sdk_error`).
    pub fn cancel(&self) {
        self.inner.input(|m, now| m.cancel(now));
    }

    /// Aborts requests, clears timers and listeners, forgets the token. Idempotent.
    pub fn destroy(&self) {
        self.inner.shut_down();
    }

    /// Calls from JS into this checkout so far (user actions, fetch results, stream chunks, timers).
    #[wasm_bindgen(js_name = boundaryCalls)]
    pub fn boundary_calls(&self) -> u32 {
        self.inner.calls_in.get()
    }
}

impl CheckoutCore {
    /// Runs an op-producing input, registering the promise's resolver before anything can settle it.
    fn op(&self, f: impl FnOnce(&mut Checkout, Millis) -> OpId) -> Promise {
        let mut resolver: Option<Function> = None;
        let promise = Promise::new(&mut |resolve, _reject| resolver = Some(resolve));
        let inner = &self.inner;
        inner.input(|m, now| {
            let op = f(m, now);
            if let Some(r) = resolver.take() {
                inner.track(op, r);
            }
        });
        promise
    }

    /// Test hook: cuts the event stream as a network failure would (the flow resumes it).
    #[doc(hidden)]
    pub fn interrupt_stream_for_test(&self) -> bool {
        self.inner.interrupt_stream()
    }

    /// Test hook: the JS resources this checkout still holds (requests, its timer, its listener,
    /// unsettled page promises). 0 after `destroy()`.
    #[doc(hidden)]
    pub fn live_resources_for_test(&self) -> u32 {
        self.inner.live_resources()
    }
}

fn to_minor(v: f64) -> i64 {
    // Minor units are integers; anything else is sent as -1 and refused by the core as invalid.
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        v as i64
    } else {
        -1
    }
}

fn card_from_js(card: &JsValue) -> CardInput {
    let text = |k: &str| match get(card, k) {
        Some(v) => v
            .as_string()
            .or_else(|| v.as_f64().map(|n| flow::json::uint_string(n as u64)))
            .unwrap_or_default(),
        None => String::new(),
    };
    let num = |k: &str| -> u32 {
        let v = text(k);
        v.trim().parse::<u32>().unwrap_or(0)
    };
    CardInput {
        number: text("number"),
        expiry_month: num("expiryMonth"),
        // Two-digit years are the core's business (27 is 2027); '' stays 0 (`required`).
        expiry_year: num("expiryYear"),
        cvc: text("cvc"),
        cardholder_name: text("cardholderName"),
    }
}

fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    let ok = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if ok {
        u64::from_le_bytes(bytes)
    } else {
        (js_sys::Math::random() * (u64::MAX as f64)) as u64 ^ now()
    }
}

/// Checks card fields for the widget's inline errors, all fields at once:
/// `{"valid", "brand", "errors": {field: code}}` (fields and codes: `core::card_form::check`).
#[wasm_bindgen(js_name = validateCard)]
pub fn validate_card(card: &JsValue, now_ms: Option<f64>) -> String {
    let card = card_from_js(card);
    let t = now_ms.map_or_else(now, |n| n as Millis);
    crate::core::card_form::check_json(&card, t)
}

/// The inline card fields' rules, one call per edit: `{"valid", "brand", "number", "errors"}`
/// (`core::card_form::field_state_json`, the same function the isolated frame's module exports). The
/// inline fields (`fields="inline"`) ask this module, so the page loads no second wasm for them: the card
/// fields' module is 13.6 KB brotli, these two exports ~0.4 KB (2026-12-01).
#[wasm_bindgen(js_name = fieldState)]
pub fn field_state(
    number: &str,
    expiry_month: u32,
    expiry_year: u32,
    cvc: &str,
    name: &str,
    now_ms: f64,
) -> String {
    crate::core::card_form::field_state_json(number, expiry_month, expiry_year, cvc, name, now_ms)
}

/// A saved card's CVC alone, for the inline fields: `{"valid", "errors": {"cvc"?: code}}`
/// (`core::card_form::cvc_state_json`).
#[wasm_bindgen(js_name = cvcState)]
pub fn cvc_state(cvc: &str, brand: &str) -> String {
    crate::core::card_form::cvc_state_json(cvc, brand)
}

/// The card brand of a (partial) number: `visa`, `mastercard`, `amex`, `discover`, `diners`, `jcb`,
/// `maestro`, `unionpay` or `unknown`.
#[wasm_bindgen(js_name = cardBrand)]
pub fn card_brand(number: &str) -> String {
    crate::core::card_form::brand(number).to_string()
}

/// A (partial) card number grouped for display: 4-4-4-4, Amex 4-6-5, cut at the brand's longest length.
#[wasm_bindgen(js_name = formatCardNumber)]
pub fn format_card_number(number: &str) -> String {
    crate::core::card::format_for_display(number)
}

/// How `country` (ISO 3166-1 alpha-2) writes addresses, for the page's address form: `{"postcode",
/// "postcodeName", "state", "stateName", "states"?, "city", "bigFirst"}` (`core::address::format_json`).
#[wasm_bindgen(js_name = addressFormat)]
pub fn address_format(country: &str) -> String {
    crate::core::address::format_json(&country.to_ascii_uppercase())
}

/// The assigned ISO 3166-1 alpha-2 codes, two letters each, in one string (the form's country list).
#[wasm_bindgen(js_name = countryCodes)]
pub fn country_codes() -> String {
    crate::core::address::COUNTRIES.to_string()
}

/// Minor-unit digits of an ISO 4217 currency (GBP 2, JPY 0, KWD 3), or `undefined` if unknown.
#[wasm_bindgen(js_name = currencyExponent)]
pub fn currency_exponent(code: &str) -> Option<u8> {
    crate::core::money::Currency::from_code(code)
        .ok()
        .map(|c| c.exponent())
}
