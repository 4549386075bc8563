//! Dojo's HTTP shape for the page (`/payment-intents/public/{id}` and `/setup-intents/public/{id}` with
//! the connect token as a bearer, `/customers/public/{id}/payment-methods` with the customer secret), as
//! the sandbox serves it in every dialect: paths, headers, request bodies and their field names, the
//! problem replies, the intent documents and the 3-D Secure frame's message.
//!
//! Where Dojo's own browser API differs, ours keeps the secret out of the URL: Dojo's Connect-E puts the
//! client session secret in the path (`/api/payments/{token}`) and confirms a setup intent by paying with
//! its secret; here the secret is the `Authorization` header, and a setup intent is confirmed at
//! `/setup-intents/public/{id}/confirm` with Dojo's own consent field, `mitConsentGiven`.

use crate::core::flow::error::{CheckoutError, ErrorCode};
use crate::core::flow::wire::{Adjustment, Auth, Call, IntentKind, Method, Request};
use crate::core::intent::setup::SetupIntent;
use crate::core::intent::{DecodeError, PaymentIntent};
use crate::core::json::{self, Obj};
use crate::core::lifecycle::Dialect;
use crate::core::payer::Payer;
use crate::core::payment_method::PaymentMethod;

/// A customer's saved payment methods, or one of them.
fn customer_path(customer: &str, method: Option<&str>) -> String {
    let mut path = String::from("/customers/public/");
    path.push_str(customer);
    path.push_str("/payment-methods");
    if let Some(m) = method {
        path.push('/');
        path.push_str(m);
    }
    path
}

pub(super) fn request(kind: IntentKind, id: &str, call: &Call<'_>) -> Request {
    let mut path = String::from(match kind {
        IntentKind::Payment => "/payment-intents/public/",
        IntentKind::Setup => "/setup-intents/public/",
    });
    path.push_str(id);
    let get = |path: String, headers: Vec<(&'static str, String)>, stream: bool| Request {
        method: Method::Get,
        path,
        headers,
        body: None,
        stream,
        auth: Auth::Intent,
    };
    match *call {
        Call::ListSaved { customer } => Request {
            auth: Auth::Customer,
            ..get(customer_path(customer, None), Vec::new(), false)
        },
        Call::RemoveSaved { customer, method } => Request {
            method: Method::Delete,
            auth: Auth::Customer,
            ..get(customer_path(customer, Some(method)), Vec::new(), false)
        },
        Call::Read => get(path, Vec::new(), false),
        Call::Poll { etag } => {
            let headers = etag
                .map(|e| vec![("If-None-Match", e.to_string())])
                .unwrap_or_default();
            get(path, headers, false)
        }
        Call::Follow { last_version } => {
            path.push_str("/events");
            let mut headers = vec![("Accept", "text/event-stream".to_string())];
            if let Some(v) = last_version {
                headers.push(("Last-Event-ID", json::uint_string(v)));
            }
            get(path, headers, true)
        }
        Call::Pay { key, charge } => {
            path.push_str(match kind {
                IntentKind::Payment => "/payments",
                IntentKind::Setup => "/confirm",
            });
            Request {
                method: Method::Post,
                path,
                headers: vec![
                    ("Content-Type", "application/json".into()),
                    ("Idempotency-Key", key.to_string()),
                ],
                body: Some(pay_body(kind, &charge.method, &charge.payer, charge.keep)),
                stream: false,
                auth: Auth::Intent,
            }
        }
        Call::Adjust {
            what,
            currency,
            minor,
        } => {
            let (suffix, field) = match what {
                Adjustment::Tip => ("/tips-amount", "tipsAmount"),
                Adjustment::Amount => ("/amount", "amount"),
            };
            path.push_str(suffix);
            let money = Obj::new()
                .str("currencyCode", currency)
                .int("value", minor)
                .finish();
            Request {
                method: Method::Post,
                path,
                headers: vec![("Content-Type", "application/json".into())],
                body: Some(Obj::new().raw(field, &money).finish()),
                stream: false,
                auth: Auth::Intent,
            }
        }
    }
}

/// `{"paymentMethod": {"card": {...}} | {"id": "pm_…"} | {"savedCardId": "pm_…"}, "userEmailAddress"?,
/// "billingAddress"?, "shippingDetails"?}` (the customer's details in the names Dojo's client API pays
/// with; `savedCardId` is a customer's saved card), with Dojo's consent fields when the card is to be
/// kept: `savePaymentMethod` on a payment, `mitConsentGiven` on a setup intent. Holds card data: never
/// logged.
fn pay_body(kind: IntentKind, method: &PaymentMethod, payer: &Payer, keep: bool) -> String {
    let method = match method {
        PaymentMethod::Card(card) => {
            let card = Obj::new()
                .str("number", &card.number)
                .int("expiryMonth", i64::from(card.expiry_month))
                .int("expiryYear", i64::from(card.expiry_year))
                .str("cvc", &card.cvc)
                .str("cardholderName", &card.cardholder_name)
                .finish();
            Obj::new().raw("card", &card).finish()
        }
        PaymentMethod::CardReference(id) => Obj::new().str("id", id).finish(),
        PaymentMethod::SavedCard(id) => Obj::new().str("savedCardId", id).finish(),
    };
    let body = payer.write(Obj::new().raw("paymentMethod", &method));
    match (kind, keep) {
        (IntentKind::Setup, _) => body.raw("mitConsentGiven", "true"),
        (IntentKind::Payment, true) => body.raw("savePaymentMethod", "true"),
        (IntentKind::Payment, false) => body,
    }
    .finish()
}

/// Maps an RFC 7807 problem reply (or a bare status) onto the closed set of codes.
pub(super) fn problem(status: u16, body: &str) -> CheckoutError {
    let members = json::members(body).unwrap_or_default();
    let text = |k: &str| json::get(&members, k).and_then(json::string);
    let api_code = text("code")
        .or_else(|| text("type").and_then(|t| t.rsplit(['/', '#']).next().map(str::to_string)));
    let code = match (status, api_code.as_deref()) {
        (_, Some("token_expired" | "token_invalid")) => ErrorCode::TokenExpired,
        (_, Some("card_declined")) | (402, _) => ErrorCode::CardDeclined,
        (_, Some("validation_error" | "invalid_json" | "unsupported_currency")) | (400, _) => {
            ErrorCode::ValidationError
        }
        (_, Some("illegal_transition")) => ErrorCode::UnexpectedTransition,
        _ => ErrorCode::ApiError,
    };
    let message = text("detail")
        .or_else(|| text("title"))
        .unwrap_or_else(|| "the payment API returned an error".to_string());
    CheckoutError {
        code,
        message,
        decline_code: text("declineCode").or_else(|| text("decline_code")),
        param: text("param"),
        api_code,
        http_status: Some(status),
    }
}

/// Dojo's `PaymentIntent` field names (with the sandbox's additions), statuses in `dialect`.
pub(super) fn intent(text: &str, dialect: Dialect) -> Result<PaymentIntent, DecodeError> {
    PaymentIntent::from_json(text.as_bytes(), dialect)
}

/// Dojo's `SetupIntentPublicResponse` field names (with the sandbox's additions).
pub(super) fn setup_intent(text: &str, dialect: Dialect) -> Result<SetupIntent, DecodeError> {
    SetupIntent::from_json(text.as_bytes(), dialect)
}

/// The sandbox's challenge page posts `{source: "intent-sandbox", type: "challenge_complete", challengeId}`.
pub(super) fn challenge_done(data: &str) -> Option<String> {
    let msg = json::members(data)?;
    let field = |k: &str| json::get(&msg, k).and_then(json::string);
    if field("source").as_deref() != Some("intent-sandbox")
        || field("type").as_deref() != Some("challenge_complete")
    {
        return None;
    }
    field("challengeId")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::flow::wire::Charge;
    use crate::core::payment_method::CardInput;

    #[test]
    fn problems_map_onto_the_closed_set() {
        for (status, body, want, api) in [
            (
                401,
                r#"{"code":"token_expired"}"#,
                ErrorCode::TokenExpired,
                Some("token_expired"),
            ),
            (402, "", ErrorCode::CardDeclined, None),
            (
                400,
                r#"{"type":"https://e.example/x#invalid_json"}"#,
                ErrorCode::ValidationError,
                Some("invalid_json"),
            ),
            (
                409,
                r#"{"code":"illegal_transition","detail":"no"}"#,
                ErrorCode::UnexpectedTransition,
                Some("illegal_transition"),
            ),
            (500, "not json", ErrorCode::ApiError, None),
            // A saved card paid without the CVC the API wants: the request's fault, not a decline.
            (
                400,
                r#"{"code":"cvc_required","param":"paymentMethod.savedCardId"}"#,
                ErrorCode::ValidationError,
                Some("cvc_required"),
            ),
        ] {
            let e = problem(status, body);
            assert_eq!(
                (e.code, e.api_code.as_deref()),
                (want, api),
                "{status} {body}"
            );
            assert_eq!(e.http_status, Some(status));
        }
        let e = problem(
            402,
            r#"{"detail":"d","decline_code":"insufficient_funds","param":"card"}"#,
        );
        assert_eq!(e.message, "d");
        assert_eq!(e.decline_code.as_deref(), Some("insufficient_funds"));
        assert_eq!(e.param.as_deref(), Some("card"));
    }

    #[test]
    fn the_pay_body_is_dojos_card_shape() {
        let method = PaymentMethod::card(&CardInput {
            number: "4242 4242 4242 4242".into(),
            expiry_month: 1,
            expiry_year: 31,
            cvc: "123".into(),
            cardholder_name: "A \"B\"".into(),
        });
        let r = request(
            IntentKind::Payment,
            "pi_1",
            &Call::Pay {
                key: "ick_1",
                charge: &Charge::new(method, Payer::default(), false),
            },
        );
        assert_eq!(r.path, "/payment-intents/public/pi_1/payments");
        assert_eq!(r.header("idempotency-key"), Some("ick_1"));
        assert_eq!(
            r.body.as_deref(),
            Some(
                r#"{"paymentMethod":{"card":{"number":"4242424242424242","expiryMonth":1,"expiryYear":2031,"cvc":"123","cardholderName":"A \"B\""}}}"#
            )
        );
    }

    #[test]
    fn a_card_reference_pays_by_id() {
        let method = PaymentMethod::card_reference("pm_sandbox_1").expect("an id");
        let r = request(
            IntentKind::Payment,
            "pi_1",
            &Call::Pay {
                key: "ick_1",
                charge: &Charge::new(method, Payer::default(), false),
            },
        );
        assert_eq!(
            r.body.as_deref(),
            Some(r#"{"paymentMethod":{"id":"pm_sandbox_1"}}"#)
        );
    }

    #[test]
    fn only_the_sandboxs_challenge_message_counts() {
        let ok = r#"{"source":"intent-sandbox","type":"challenge_complete","challengeId":"ch_1"}"#;
        assert_eq!(challenge_done(ok).as_deref(), Some("ch_1"));
        assert_eq!(challenge_done(&ok.replace("intent-sandbox", "x")), None);
        assert_eq!(challenge_done(&ok.replace("challenge_complete", "x")), None);
        assert_eq!(challenge_done("not json"), None);
    }
}
