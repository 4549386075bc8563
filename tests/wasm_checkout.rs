//! Whole checkouts in headless Chromium against a running sandbox (`SANDBOX_URL` at compile time; the
//! test runner starts one). Drives the same exports `index.js` wraps: `openCheckout` + `CheckoutCore`.
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_net::http::{Method, RequestBuilder};
use intent_checkout::{open_checkout, CheckoutCore};
use js_sys::{Function, Promise, Reflect};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The key `scripts/test.sh` started the sandbox with (`--secret-key`); the sandbox never prints it.
const SECRET_KEY: &str = match option_env!("SANDBOX_SECRET_KEY") {
    Some(k) => k,
    None => "sk_sandbox_local",
};

fn sandbox() -> &'static str {
    match option_env!("SANDBOX_URL") {
        Some(u) => u,
        None => panic!(
            "SANDBOX_URL is not set: start `intent-sandbox --port 0` and build these tests with \
             SANDBOX_URL=http://127.0.0.1:PORT (npm test does this)"
        ),
    }
}

async fn call(method: Method, path: &str, body: Value, basic: bool) -> (u16, Value) {
    let is_get = method == Method::GET;
    let mut b = RequestBuilder::new(&format!("{}{path}", sandbox()))
        .method(method)
        .header("Content-Type", "application/json");
    if basic {
        b = b.header("Authorization", &format!("Basic {SECRET_KEY}"));
    }
    let req = if is_get {
        b.build()
    } else {
        b.body(body.to_string())
    }
    .expect("request");
    let resp = req.send().await.expect("sandbox reachable");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

struct Demo {
    id: String,
    token: String,
    /// The checkout reads wire statuses in the intent's dialect.
    dialect: String,
}

async fn create_intent(extra: Value) -> Demo {
    let mut body =
        json!({"amount": 1000, "currencyCode": "GBP", "captureMode": "Auto", "dialect": "dojo"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let dialect = body["dialect"].as_str().unwrap_or("dojo").to_string();
    let (status, v) = call(Method::POST, "/demo/payment-intents", body, false).await;
    assert!(status == 200 || status == 201, "demo create: {status} {v}");
    Demo {
        id: v["paymentIntentId"].as_str().expect("id").to_string(),
        token: v["clientSessionSecret"]
            .as_str()
            .expect("secret")
            .to_string(),
        dialect,
    }
}

/// One short turn of the browser's event loop, between two looks at a condition being polled.
async fn tick() {
    let p = Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10);
        }
    });
    let _ = JsFuture::from(p).await;
}

/// Polls `check` until it holds. The guard only turns a hang into a failure; the test waits for the
/// condition, never for a time.
async fn until(what: &str, mut check: impl FnMut() -> bool) {
    let guard = js_sys::Date::now() + 60_000.0;
    while !check() {
        assert!(js_sys::Date::now() < guard, "gave up waiting for {what}");
        tick().await;
    }
}

/// The sandbox's fault counters (`injected`, `delayed`).
async fn faults() -> Value {
    let (st, v) = call(Method::GET, "/test/faults", Value::Null, true).await;
    assert_eq!(st, 200, "faults: {v}");
    v
}

/// A checkout under test: records every event and result, and every token it ever saw.
struct Session {
    core: CheckoutCore,
    events: Rc<RefCell<Vec<(String, Value)>>>,
    transcript: Rc<RefCell<String>>,
    tokens: Rc<RefCell<Vec<String>>>,
    refreshes: Rc<Cell<u32>>,
    _emit: Closure<dyn FnMut(String, String)>,
    _refresh: Option<Closure<dyn FnMut() -> Promise>>,
}

impl Session {
    async fn open(demo: &Demo, with_refresh: bool) -> Session {
        Self::open_with(demo, with_refresh, None).await
    }

    async fn open_with(demo: &Demo, with_refresh: bool, expires_at: Option<f64>) -> Session {
        let events: Rc<RefCell<Vec<(String, Value)>>> = Rc::default();
        let transcript: Rc<RefCell<String>> = Rc::default();
        let tokens = Rc::new(RefCell::new(vec![demo.token.clone()]));
        let refreshes = Rc::new(Cell::new(0));
        let (ev, tr) = (events.clone(), transcript.clone());
        let emit = Closure::<dyn FnMut(String, String)>::new(move |name: String, json: String| {
            tr.borrow_mut().push_str(&json);
            ev.borrow_mut()
                .push((name, serde_json::from_str(&json).unwrap_or(Value::Null)));
        });
        let options = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&options, &k.into(), v).expect("set");
        set("apiBase", &sandbox().into());
        set("paymentIntentId", &demo.id.as_str().into());
        set("connectToken", &demo.token.as_str().into());
        set("dialect", &demo.dialect.as_str().into());
        // These sessions pay with card details, as a page with fields="inline" does.
        set("acceptsCards", &true.into());
        if let Some(at) = expires_at {
            set("connectTokenExpiresAt", &at.into());
        }
        let refresh = with_refresh.then(|| {
            let (id, count, toks) = (demo.id.clone(), refreshes.clone(), tokens.clone());
            Closure::<dyn FnMut() -> Promise>::new(move || {
                count.set(count.get() + 1);
                let (id, toks) = (id.clone(), toks.clone());
                wasm_bindgen_futures::future_to_promise(async move {
                    let path = format!("/demo/payment-intents/{id}/refresh-client-session-secret");
                    let (_, v) = call(Method::POST, &path, json!({}), false).await;
                    if let Some(t) = v["clientSessionSecret"].as_str() {
                        toks.borrow_mut().push(t.to_string());
                    }
                    js_sys::JSON::parse(&v.to_string())
                })
            })
        });
        if let Some(r) = &refresh {
            set("refreshToken", r.as_ref());
        }
        spy_on_console();
        let core = open_checkout(&options, emit.as_ref().unchecked_ref::<Function>().clone())
            .expect("open");
        Session {
            core,
            events,
            transcript,
            tokens,
            refreshes,
            _emit: emit,
            _refresh: refresh,
        }
    }

    async fn settle(&self, p: Promise) -> Value {
        let text = JsFuture::from(p)
            .await
            .expect("never rejects")
            .as_string()
            .expect("JSON text");
        self.transcript.borrow_mut().push_str(&text);
        serde_json::from_str(&text).expect("JSON")
    }

    async fn start(&self) -> Value {
        let r = self.settle(self.core.start()).await;
        assert!(r.get("error").is_none(), "start: {r}");
        r
    }

    async fn pay(&self, number: &str) -> Value {
        self.settle(self.core.pay(&card(number), None, false)).await
    }

    fn kinds(&self) -> Vec<String> {
        self.events
            .borrow()
            .iter()
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// The first event of `kind`, once it has arrived.
    async fn wait_for(&self, kind: &str) -> Value {
        let find = || {
            self.events
                .borrow()
                .iter()
                .find(|(k, _)| k == kind)
                .map(|(_, v)| v.clone())
        };
        until(
            &format!("a `{kind}` event (saw {:?})", self.kinds()),
            || find().is_some(),
        )
        .await;
        find().unwrap_or(Value::Null)
    }

    /// The token (any of them) appears nowhere the page or a log could see it, and no promise was
    /// rejected unhandled.
    async fn assert_no_leak(&self) {
        // Rejections are reported in the order they happened: once a rejection made now is reported,
        // every earlier one has been.
        let _ = js_sys::eval("Promise.reject(new Error('__sentinel'))");
        until("the sentinel rejection to be reported", || {
            js_sys::eval("window.__unhandled.includes('Error: __sentinel')")
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false)
        })
        .await;
        let _ = js_sys::eval(
            "window.__unhandled = window.__unhandled.filter((r) => r !== 'Error: __sentinel')",
        );
        let transcript = self.transcript.borrow();
        let page = js_sys::eval(
            "JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + location.href + \
             document.cookie + (window.__consoleLog || []).join('\\n')",
        )
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
        let unhandled = js_sys::eval("window.__unhandled.join('; ')")
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        assert!(
            unhandled.is_empty(),
            "unhandled promise rejections: {unhandled}"
        );
        for t in self.tokens.borrow().iter() {
            assert!(
                !transcript.contains(t.as_str()),
                "token in an event or result"
            );
            assert!(
                !page.contains(t.as_str()),
                "token in storage, URL, cookie or console"
            );
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.core.destroy();
    }
}

fn card(number: &str) -> JsValue {
    let cvc = if number.starts_with("37") {
        "1234"
    } else {
        "123"
    };
    let v = json!({"number": number, "expiryMonth": 12, "expiryYear": 2040, "cvc": cvc, "cardholderName": "Ada Lovelace"});
    js_sys::JSON::parse(&v.to_string()).expect("card")
}

fn spy_on_console() {
    let _ = js_sys::eval(
        "if (!window.__consoleLog) { window.__consoleLog = []; window.__unhandled = []; \
         addEventListener('unhandledrejection', (e) => window.__unhandled.push(String(e.reason))); for (const k of ['log','info','warn','error','debug']) { \
         const o = console[k]; console[k] = (...a) => { window.__consoleLog.push(a.map(String).join(' ')); return o.apply(console, a); }; } }",
    );
}

async fn ledger_charges(id: &str) -> usize {
    let (st, v) = call(
        Method::GET,
        &format!("/test/ledger?paymentIntentId={id}"),
        Value::Null,
        true,
    )
    .await;
    assert_eq!(st, 200, "ledger: {v}");
    let entries = v["entries"].as_array().cloned().unwrap_or_default();
    // Money taken from the card: a charge (Auto) or an authorisation (Manual).
    entries
        .iter()
        .filter(|e| e["movement"] == "charge" || e["movement"] == "authorization")
        .count()
}

#[wasm_bindgen_test]
async fn approved_cards_pay_and_the_checkout_stops_following() {
    spy_on_console();
    for number in ["4242424242424242", "5555555555554444", "378282246310005"] {
        let demo = create_intent(json!({})).await;
        let s = Session::open(&demo, false).await;
        let loaded = s.start().await;
        assert_eq!(loaded["intent"]["status"], "Created");
        assert_eq!(loaded["canonical"], "requires_payment_method");
        let r = s.pay(number).await;
        assert!(r.get("error").is_none(), "{number}: {r}");
        assert_eq!(r["intent"]["status"], "Captured", "{number}");
        assert_eq!(r["canonical"], "succeeded");
        // The wasm-boundary cost of a whole checkout: every call from JS into it (open, start, pay,
        // fetch completions, stream chunks, timers).
        let calls = s.core.boundary_calls();
        console_log!("boundary calls for a {number} checkout: {calls}");
        assert!(calls <= 30, "{calls} calls into wasm for one checkout");
        let ev = s.wait_for("succeeded").await;
        assert_eq!(ev["intent"]["id"], demo.id.as_str());
        assert!(s.kinds().contains(&"ready".to_string()));
        s.assert_no_leak().await;
    }
}

#[wasm_bindgen_test]
async fn declined_cards_settle_card_declined_with_the_reason() {
    for (number, reason) in [
        ("4000000000000002", "generic_decline"),
        ("4000000000009995", "insufficient_funds"),
    ] {
        let demo = create_intent(json!({})).await;
        let s = Session::open(&demo, true).await;
        s.start().await;
        let r = s.pay(number).await;
        assert_eq!(r["error"]["code"], "card_declined", "{r}");
        assert_eq!(r["error"]["declineCode"], reason);
        s.wait_for("failed").await;
        // A new attempt after a decline refreshes the token first (Dojo's advice), then succeeds.
        let r = s.pay("4242424242424242").await;
        assert!(r.get("error").is_none(), "retry after decline: {r}");
        assert_eq!(s.refreshes.get(), 1);
        s.wait_for("token_refreshed").await;
        s.assert_no_leak().await;
    }
}

#[wasm_bindgen_test]
async fn a_double_click_sends_one_attempt() {
    let demo = create_intent(json!({})).await;
    let s = Session::open(&demo, false).await;
    s.start().await;
    let first = s.core.pay(&card("4242424242424242"), None, false);
    let second = s.core.pay(&card("4242424242424242"), None, false);
    let second = s.settle(second).await;
    assert_eq!(second["error"]["code"], "unexpected_transition");
    let first = s.settle(first).await;
    assert_eq!(first["intent"]["status"], "Captured");
    assert_eq!(ledger_charges(&demo.id).await, 1);
    s.assert_no_leak().await;
}

#[wasm_bindgen_test]
async fn async_settlement_resolves_when_the_followed_intent_settles() {
    let demo = create_intent(json!({})).await;
    let s = Session::open(&demo, false).await;
    s.start().await;
    let r = s.pay("4000000000000077").await;
    assert_eq!(r["intent"]["status"], "Captured", "{r}");
    s.assert_no_leak().await;
}

#[wasm_bindgen_test]
async fn a_processing_error_retries_the_same_key_then_reports_without_charging() {
    let demo = create_intent(json!({})).await;
    let s = Session::open(&demo, false).await;
    s.start().await;
    let r = s.pay("4000000000000119").await;
    assert_eq!(r["error"]["code"], "api_error", "{r}");
    assert_eq!(r["error"]["apiCode"], "processing_error");
    assert_eq!(ledger_charges(&demo.id).await, 0);
    s.assert_no_leak().await;
}

#[wasm_bindgen_test]
async fn three_d_secure_shows_the_challenge_and_follows_until_it_is_done() {
    for (outcome, dialect) in [("approved", "dojo"), ("failed", "stripe")] {
        let demo = create_intent(json!({"dialect": dialect})).await;
        let s = Session::open(&demo, false).await;
        s.start().await;
        let pay = s.core.pay(&card("4000000000003220"), None, false);
        let ev = s.wait_for("requires_action").await;
        let url = ev["url"].as_str().expect("challenge url").to_string();
        assert!(
            url.starts_with(sandbox()),
            "challenge on the API origin: {url}"
        );
        let challenge = url.rsplit('/').next().expect("id").to_string();
        // What the challenge page's buttons do (the bank's side); their credential is only in the
        // page's HTML, so the test route does it with the merchant key.
        let (st, _) = call(
            Method::POST,
            &format!("/test/challenges/{challenge}/complete"),
            json!({"outcome": outcome}),
            true,
        )
        .await;
        assert_eq!(st, 200);
        let r = s.settle(pay).await;
        if outcome == "approved" {
            assert_eq!(r["canonical"], "succeeded", "{r}");
        } else {
            assert_eq!(r["error"]["code"], "card_declined", "{r}");
            assert_eq!(r["error"]["declineCode"], "authentication_failed");
        }
        s.assert_no_leak().await;
    }
}

#[wasm_bindgen_test]
async fn an_expired_token_is_refreshed_once_mid_flow() {
    let demo = create_intent(json!({})).await;
    let s = Session::open(&demo, true).await;
    s.start().await;
    // Expire the token on the server's clock (TTL 30 min), as if the customer went for coffee.
    let (st, _) = call(
        Method::POST,
        "/test/clock/advance",
        json!({"seconds": 1900}),
        true,
    )
    .await;
    assert_eq!(st, 200);
    let r = s.pay("4242424242424242").await;
    assert!(r.get("error").is_none(), "{r}");
    assert_eq!(s.refreshes.get(), 1, "exactly one refresh for one expiry");
    s.wait_for("token_refreshed").await;
    s.assert_no_leak().await;
}

#[wasm_bindgen_test]
async fn without_a_refresh_callback_expiry_is_a_clear_token_expired() {
    let demo = create_intent(json!({})).await;
    let s = Session::open(&demo, false).await;
    s.start().await;
    call(
        Method::POST,
        "/test/clock/advance",
        json!({"seconds": 1900}),
        true,
    )
    .await;
    let r = s.pay("4242424242424242").await;
    assert_eq!(r["error"]["code"], "token_expired", "{r}");
    let e = s.wait_for("error").await;
    assert_eq!(e["error"]["code"], "token_expired");
    s.assert_no_leak().await;
}

#[wasm_bindgen_test]
async fn an_interrupted_stream_resumes_and_delivers_what_it_missed() {
    let demo = create_intent(json!({})).await;
    let s = Session::open(&demo, false).await;
    s.start().await;
    // Cut the stream once the checkout follows the intent (its request exists).
    until("the stream to open", || s.core.interrupt_stream_for_test()).await;
    // The merchant cancels while the page's stream is down.
    let (st, _) = call(
        Method::POST,
        &format!("/demo/payment-intents/{}/cancel", demo.id),
        json!({}),
        false,
    )
    .await;
    assert_eq!(st, 200);
    let ev = s.wait_for("canceled").await;
    assert_eq!(ev["canonical"], "canceled");
    s.assert_no_leak().await;
}

#[wasm_bindgen_test]
async fn a_server_fault_during_pay_never_charges_twice() {
    for fault in ["errorAfterCommit", "dropAfterCommit"] {
        let demo = create_intent(json!({})).await;
        let s = Session::open(&demo, false).await;
        s.start().await;
        let (st, v) = call(
            Method::POST,
            "/test/faults",
            json!({"seed": 1, fault: 1.0}),
            true,
        )
        .await;
        assert_eq!(st, 200, "{v}");
        let r = s.pay("4242424242424242").await;
        call(Method::POST, "/test/faults", json!({}), true).await;
        assert_eq!(r["intent"]["status"], "Captured", "{fault}: {r}");
        assert_eq!(
            ledger_charges(&demo.id).await,
            1,
            "{fault}: exactly one charge"
        );
        s.assert_no_leak().await;
    }
}

#[wasm_bindgen_test]
async fn tips_and_amounts_change_through_the_checkout() {
    let demo = create_intent(json!({"tipsAllowed": true, "customAmountAllowed": true})).await;
    let s = Session::open(&demo, false).await;
    s.start().await;
    let r = s.settle(s.core.set_tip(200.0)).await;
    assert_eq!(r["intent"]["tipsAmount"]["value"], 200, "{r}");
    assert_eq!(r["intent"]["totalAmount"]["value"], 1200);
    let r = s.settle(s.core.set_amount(1.5)).await;
    assert_eq!(r["error"]["code"], "validation_error");
    s.assert_no_leak().await;
}

#[wasm_bindgen_test]
fn form_helpers_answer_in_one_call() {
    assert_eq!(intent_checkout::currency_exponent("JPY"), Some(0));
    assert_eq!(intent_checkout::currency_exponent("KWD"), Some(3));
    assert_eq!(intent_checkout::currency_exponent("XYZ"), None);
    assert_eq!(intent_checkout::card_brand("3782 8224"), "amex");
    let v: Value =
        serde_json::from_str(&intent_checkout::validate_card(&card("4242"), None)).expect("JSON");
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"]["number"], "incomplete_number");
    let v: Value = serde_json::from_str(&intent_checkout::validate_card(
        &card("4242424242424242"),
        None,
    ))
    .expect("JSON");
    assert_eq!(v["valid"], true, "{v}");
}

#[wasm_bindgen_test]
async fn a_token_about_to_expire_is_refreshed_before_the_request_leaves() {
    let demo = create_intent(json!({})).await;
    // The page says the token dies in 3 s (e.g. `clientSessionSecretExpirationDate` from its server).
    let expires = js_sys::Date::now() + 3_000.0;
    let s = Session::open_with(&demo, true, Some(expires)).await;
    s.start().await;
    until("the token's stated expiry", || {
        js_sys::Date::now() >= expires
    })
    .await;
    let r = s.pay("4242424242424242").await;
    assert!(r.get("error").is_none(), "{r}");
    assert_eq!(
        s.refreshes.get(),
        1,
        "one refresh, before the payment was sent"
    );
    s.wait_for("token_refreshed").await;
    s.assert_no_leak().await;
}

#[wasm_bindgen_test]
async fn destroy_mid_payment_settles_the_promise_and_leaves_nothing_running() {
    let demo = create_intent(json!({})).await;
    let s = Session::open(&demo, false).await;
    s.start().await;
    // A second checkout follows the same intent: a change that reaches it would have reached the
    // destroyed one, so its event is the moment "nothing reached the destroyed one" is proven.
    let witness = Session::open(&demo, false).await;
    witness.start().await;
    // Slow the sandbox down so the payment is still in flight when the page destroys the checkout
    // (the server drops an aborted request before it commits; the delay only keeps it in flight).
    call(
        Method::POST,
        "/test/faults",
        json!({"latencyMs": 60_000}),
        true,
    )
    .await;
    let pay = s.core.pay(&card("4242424242424242"), None, false);
    // The payment is in flight once the sandbox has started delaying it.
    let guard = js_sys::Date::now() + 60_000.0;
    while faults().await["delayed"].as_u64() < Some(1) {
        assert!(
            js_sys::Date::now() < guard,
            "the payment never reached the sandbox"
        );
        tick().await;
    }
    s.core.destroy();
    assert_eq!(
        s.core.live_resources_for_test(),
        0,
        "requests, timer or listener left"
    );
    let r = s.settle(pay).await;
    assert_eq!(r["error"]["code"], "sdk_error", "{r}");
    call(Method::POST, "/test/faults", json!({}), true).await;
    let before = s.events.borrow().len();
    let calls = s.core.boundary_calls();
    // The merchant cancels; once the live checkout has seen it, the destroyed one would have too.
    let (st, v) = call(
        Method::POST,
        &format!("/demo/payment-intents/{}/cancel", demo.id),
        json!({}),
        false,
    )
    .await;
    assert_eq!(st, 200, "cancel: {v}");
    witness.wait_for("canceled").await;
    assert_eq!(s.events.borrow().len(), before, "no event after destroy");
    assert_eq!(
        s.core.boundary_calls(),
        calls,
        "no callback into wasm after destroy"
    );
    assert_eq!(
        ledger_charges(&demo.id).await,
        0,
        "the aborted payment took no money"
    );
    let settled = s
        .settle(s.core.pay(&card("4242424242424242"), None, false))
        .await;
    assert_eq!(settled["error"]["code"], "sdk_error");
    s.assert_no_leak().await;
}
