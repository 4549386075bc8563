//! The card fields' wasm module: what `www/sdk/card-fields.js` asks while the customer types in the
//! isolated frame (on the API's origin; the page's inline fields ask the page's module, which exports the
//! same two functions and carries the card rules already). It carries the core's card
//! rules (one implementation: the sandbox checks with the same code) and the card frame protocol's
//! decoder, and nothing of the checkout flow: the intent, the token and the payment stay in the page.
//!
//! One call per user action: every edit is one [`field_state`] (format, brand, errors at once).

use intent_checkout::core::card_form as form;
use intent_checkout::core::card_frame;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::*;

/// The fields as typed → `{"valid", "brand", "number", "errors": {field: code}}`
/// (`core::card_form::field_state_json`; the page's module exports the same for the inline fields).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = fieldState))]
pub fn field_state(
    number: &str,
    expiry_month: u32,
    expiry_year: u32,
    cvc: &str,
    name: &str,
    now_ms: f64,
) -> String {
    form::field_state_json(number, expiry_month, expiry_year, cvc, name, now_ms)
}

/// A saved card's CVC alone → `{"valid", "errors": {"cvc"?: code}}` (`core::card_form::cvc_state_json`).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = cvcState))]
pub fn cvc_state(cvc: &str, brand: &str) -> String {
    form::cvc_state_json(cvc, brand)
}

/// A message from the page: its canonical text if the protocol accepts it, `undefined` to drop it.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = acceptForFrame))]
pub fn accept_for_frame(text: &str) -> Option<String> {
    card_frame::accept_for_frame(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    const NOV_2026: f64 = 1_795_392_000_000.0;

    fn parse(s: &str) -> Value {
        serde_json::from_str(s).unwrap_or(Value::Null)
    }

    #[test]
    fn one_call_formats_brands_and_checks_every_field() {
        let v = parse(&field_state(
            "4242424242424242",
            12,
            34,
            "123",
            "Ada",
            NOV_2026,
        ));
        assert_eq!(
            v,
            json!({"valid": true, "brand": "visa", "number": "4242 4242 4242 4242", "errors": {}})
        );
        let v = parse(&field_state("3782 8224", 10, 2026, "12", "", NOV_2026));
        assert_eq!(v["brand"], "amex");
        assert_eq!(v["number"], "3782 8224");
        assert_eq!(
            v["errors"],
            json!({"number": "incomplete_number", "expiry": "expired_card", "cvc": "invalid_cvc", "cardholderName": "required"})
        );
        let empty = parse(&field_state("", 0, 0, "", "", NOV_2026));
        assert_eq!(empty["errors"]["number"], "required");
        assert_eq!(empty["valid"], false);
    }

    #[test]
    fn a_cvc_alone_is_checked_for_its_cards_brand() {
        assert_eq!(
            parse(&cvc_state("1234", "amex")),
            json!({"valid": true, "errors": {}})
        );
        assert_eq!(
            parse(&cvc_state("123", "amex")),
            json!({"valid": false, "errors": {"cvc": "invalid_cvc"}})
        );
        assert_eq!(parse(&cvc_state(" ", "visa"))["errors"]["cvc"], "required");
        assert_eq!(parse(&cvc_state("123", "nonsense"))["valid"], true);
    }

    #[test]
    fn only_protocol_messages_pass() {
        assert!(accept_for_frame(r#"{"v":1,"t":"reset"}"#).is_some());
        assert!(accept_for_frame(r#"{"v":1,"t":"reset","x":1}"#).is_none());
    }
}
