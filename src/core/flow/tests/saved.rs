//! Setup intents and saved cards in the flow: confirming a setup intent with the customer's consent, the
//! customer secret's requests (its own `Authorization`, never the connect token), paying with a saved card,
//! keeping a new one, and an expired saved card refused before any request.

use super::*;

const SETUP_ID: &str = "si_sandbox_1";
const CUSTOMER_SECRET: &str = "cs_customer_SECRET_abcdef";

fn setup_doc(version: u64, status: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{SETUP_ID}","status":"{status}","version":{version},"intendedAmount":{{"value":2500,"currencyCode":"GBP"}},"terms":"A no-show costs £25.","merchantInitiatedTransactionType":"NoShow","createdAt":"2026-11-23T10:00:00Z","updatedAt":"2026-11-23T10:00:0{version}Z"{extra}}}"#
    )
}

/// Dojo's `CustomerPaymentMethods`: one card valid until 2040, one that expired in 2020.
const CARDS: &str = r#"{"customerId":"cust_1","merchantId":"m_1","savedPaymentMethods":[
  {"id":"pm_saved_ok","cardDetails":{"pan":"424242****4242","expiryDate":"12/40","scheme":"VISA"}},
  {"id":"pm_saved_old","cardDetails":{"pan":"555555****4444","expiryDate":"01/20","scheme":"MASTERCARD"}}]}"#;

fn setup_checkout() -> H {
    let mut config = config(true, Dialect::Dojo);
    config.kind = IntentKind::Setup;
    config.intent_id = SETUP_ID.into();
    config.accepts_card_details = false;
    let mut h = H::build(config, None);
    h.c.start(h.now);
    h.drain();
    let (id, req) = h.last_sent();
    assert_eq!(req.path, format!("/setup-intents/public/{SETUP_ID}"));
    h.reply(id, ok(setup_doc(1, "Created", "")));
    h
}

fn with_customer() -> H {
    let mut h = H::loaded(true, "Created");
    h.c.set_customer("cust_1", CUSTOMER_SECRET.into(), None)
        .expect("a valid customer");
    h
}

impl H {
    fn list_cards(&mut self) -> OpId {
        let op = self.c.list_saved(self.now);
        self.drain();
        let (id, req) = self.last_sent();
        assert_eq!(req.path, "/customers/public/cust_1/payment-methods");
        assert_eq!(req.method, Method::Get);
        assert_eq!(
            self.c.authorization(&req).as_deref(),
            Some(&*format!("Basic {CUSTOMER_SECRET}"))
        );
        self.reply(id, ok(CARDS.into()));
        op
    }

    fn json_of(&self, op: OpId) -> serde_json::Value {
        let text = &self
            .settled_json
            .iter()
            .find(|(o, _)| *o == op)
            .expect("settled with JSON")
            .1;
        serde_json::from_str(text).expect("JSON")
    }

    fn assert_no_customer_secret(&self) {
        assert!(
            !self.transcript.contains(CUSTOMER_SECRET),
            "customer secret leaked into outputs"
        );
    }
}

#[test]
fn a_setup_intent_is_confirmed_only_with_consent_and_ends_saved() {
    let mut h = setup_checkout();
    assert_eq!(h.kinds(), [EventKind::Ready]);
    let refused = h.c.pay_reference_with("pm_ref_1", "", false, h.now);
    h.drain();
    match h.result(refused) {
        Err(e) => assert_eq!(
            (e.code, e.param.as_deref()),
            (ErrorCode::ValidationError, Some("mitConsentGiven"))
        ),
        Ok(_) => panic!("confirmed without consent"),
    }
    assert!(h.open_with(|r| r.method == Method::Post).is_empty());
    let op = h.c.pay_reference_with("pm_ref_1", "", true, h.now);
    h.drain();
    let (id, req) = h.open_get_or_post("/confirm");
    assert_eq!(
        req.path,
        format!("/setup-intents/public/{SETUP_ID}/confirm")
    );
    assert_eq!(
        req.body.as_deref(),
        Some(r#"{"paymentMethod":{"id":"pm_ref_1"},"mitConsentGiven":true}"#)
    );
    assert!(req.header("Idempotency-Key").is_some());
    assert_eq!(
        h.c.authorization(&req).as_deref(),
        Some(&*format!("Bearer {TOKEN}"))
    );
    let card = r#","paymentDetails":{"paymentMethodId":"pm_saved_9","card":{"cardNumber":"424242****4242","expiryDate":"12/40","cardType":"VISA"}}"#;
    h.reply(id, ok(setup_doc(2, "Authorized", card)));
    assert!(matches!(h.result(op), Ok(s) if s.status == "Authorized"));
    assert_eq!(h.kinds().last(), Some(&EventKind::Saved));
    // The merchant's charge later is a status change, not a second `saved`.
    h.stream_send_setup(
        3,
        "Completed",
        r#","chargedAmount":{"value":2500,"currencyCode":"GBP"}"#,
    );
    assert_eq!(
        h.kinds().iter().filter(|k| **k == EventKind::Saved).count(),
        1
    );
    assert_eq!(h.kinds().last(), Some(&EventKind::Status));
    assert!(h.open_stream().is_none(), "a charged setup intent is final");
    h.assert_no_leak();
}

impl H {
    fn stream_send_setup(&mut self, version: u64, status: &str, extra: &str) {
        let (id, _) = self.open_stream().expect("stream open");
        let frame = format!(
            "id: {version}\nevent: intent\ndata: {}\n\n",
            setup_doc(version, status, extra)
        );
        self.c.handle_stream_data(id, frame.as_bytes(), self.now);
        self.drain();
    }
}

#[test]
fn a_declined_setup_can_be_tried_again_with_another_card() {
    let mut h = setup_checkout();
    let op = h.c.pay_reference_with("pm_ref_1", "", true, h.now);
    h.drain();
    let (id, _) = h.open_get_or_post("/confirm");
    let declined =
        r#","lastPaymentError":{"code":"card_declined","declineCode":"insufficient_funds"}"#;
    h.reply(id, ok(setup_doc(2, "Created", declined)));
    assert_eq!(h.err_code(op), ErrorCode::CardDeclined);
    assert_eq!(h.kinds().last(), Some(&EventKind::Failed));
}

#[test]
fn the_customer_secret_lists_and_removes_cards_and_never_leaks() {
    let mut h = with_customer();
    let op = h.list_cards();
    let cards = h.json_of(op);
    let ids: Vec<_> = cards["cards"]
        .as_array()
        .expect("cards")
        .iter()
        .map(|c| {
            (
                c["id"].as_str(),
                c["last4"].as_str(),
                c["expired"].as_bool(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            (Some("pm_saved_ok"), Some("4242"), Some(false)),
            (Some("pm_saved_old"), Some("4444"), Some(true))
        ]
    );
    let op = h.c.remove_saved("pm_saved_old", h.now);
    h.drain();
    let (id, req) = h.last_sent();
    assert_eq!(
        (req.method, req.path.as_str()),
        (
            Method::Delete,
            "/customers/public/cust_1/payment-methods/pm_saved_old"
        )
    );
    h.reply(
        id,
        Reply {
            status: 204,
            etag: None,
            body: String::new(),
            retry_after_ms: None,
        },
    );
    assert_eq!(h.json_of(op)["cards"].as_array().map(Vec::len), Some(1));
    // A refused secret is the customer's problem, not the connect token's: no refresh.
    let op = h.c.list_saved(h.now);
    h.drain();
    let (id, _) = h.last_sent();
    h.reply(id, problem(401, "customer_secret_invalid"));
    assert_eq!(h.err_code(op), ErrorCode::CustomerSecretInvalid);
    assert_eq!(h.refreshes, 0);
    h.assert_no_customer_secret();
    h.assert_no_leak();
}

#[test]
fn without_a_customer_saved_cards_are_refused_without_a_request() {
    let mut h = H::loaded(true, "Created");
    let sent = h.sent.len();
    let op = h.c.list_saved(h.now);
    h.drain();
    assert_eq!(h.err_code(op), ErrorCode::SdkError);
    assert_eq!(h.sent.len(), sent);
    assert!(h
        .c
        .set_customer("cust 1", CUSTOMER_SECRET.into(), None)
        .is_err());
}

#[test]
fn a_saved_card_pays_by_id_and_an_expired_one_is_refused_first() {
    let mut h = with_customer();
    h.list_cards();
    let posts = h.posts().len();
    let op = h.c.pay_saved("pm_saved_old", "", h.now);
    h.drain();
    match h.result(op) {
        Err(e) => assert_eq!(e.api_code.as_deref(), Some("expired_card")),
        Ok(_) => panic!("an expired card paid"),
    }
    assert_eq!(h.posts().len(), posts);
    let op = h.c.pay_saved("pm_saved_ok", "", h.now);
    h.drain();
    let (id, req) = h.open_pay();
    assert_eq!(
        req.body.as_deref(),
        Some(r#"{"paymentMethod":{"savedCardId":"pm_saved_ok"}}"#)
    );
    // The payment itself goes with the connect token.
    assert!(h
        .c
        .authorization(&req)
        .is_some_and(|a| a.starts_with("Bearer ")));
    h.reply(id, ok(intent(2, "Captured")));
    assert!(matches!(h.result(op), Ok(s) if s.status == "Captured"));
    h.assert_no_customer_secret();
}

#[test]
fn a_saved_card_that_needs_its_cvc_is_not_paid_by_id_alone() {
    let mut h = with_customer();
    let op = h.c.list_saved(h.now);
    h.drain();
    let (id, _) = h.last_sent();
    let doc = r#"{"savedPaymentMethods":[{"id":"pm_saved_cvc","cvcRequired":true,
      "cardDetails":{"pan":"371449*****8431","expiryDate":"2040-12-31","scheme":"AMEX"}}]}"#;
    h.reply(id, ok(doc.into()));
    assert_eq!(h.json_of(op)["cards"][0]["cvcRequired"], true);
    let posts = h.posts().len();
    let op = h.c.pay_saved("pm_saved_cvc", "", h.now);
    h.drain();
    match h.result(op) {
        Err(e) => assert_eq!(
            (e.code, e.api_code.as_deref(), e.param.as_deref()),
            (
                ErrorCode::ValidationError,
                Some("cvc_required"),
                Some("paymentMethod.savedCardId")
            )
        ),
        Ok(_) => panic!("paid without its CVC"),
    }
    assert_eq!(h.posts().len(), posts, "refused without a request");
    // The card frame's reference for it (the CVC went from the frame to the API) pays as any other.
    let op = h.c.pay_reference_with("pm_ref_cvc", "", false, h.now);
    h.drain();
    let (id, req) = h.open_pay();
    assert_eq!(
        req.body.as_deref(),
        Some(r#"{"paymentMethod":{"id":"pm_ref_cvc"}}"#)
    );
    h.reply(id, ok(intent(2, "Captured")));
    assert!(matches!(h.result(op), Ok(s) if s.status == "Captured"));
    h.assert_no_customer_secret();
}

#[test]
fn save_this_card_sends_dojos_consent_field() {
    let mut h = H::loaded(true, "Created");
    h.c.pay_reference_with("pm_ref_2", "", true, h.now);
    h.drain();
    let (_, req) = h.open_pay();
    assert_eq!(
        req.body.as_deref(),
        Some(r#"{"paymentMethod":{"id":"pm_ref_2"},"savePaymentMethod":true}"#)
    );
}

#[test]
fn save_this_card_and_a_saved_card_carry_the_customers_details() {
    let email = r#"{"userEmailAddress":"ada@example.com"}"#;
    let mut h = H::loaded(true, "Created");
    h.c.pay_reference_with("pm_ref_3", email, true, h.now);
    h.drain();
    let (_, req) = h.open_pay();
    assert_eq!(
        req.body.as_deref(),
        Some(
            r#"{"paymentMethod":{"id":"pm_ref_3"},"userEmailAddress":"ada@example.com","savePaymentMethod":true}"#
        )
    );
    let mut h = with_customer();
    h.list_cards();
    h.c.pay_saved("pm_saved_ok", email, h.now);
    h.drain();
    let (_, req) = h.open_pay();
    assert_eq!(
        req.body.as_deref(),
        Some(
            r#"{"paymentMethod":{"savedCardId":"pm_saved_ok"},"userEmailAddress":"ada@example.com"}"#
        )
    );
}
