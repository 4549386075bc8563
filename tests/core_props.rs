//! Property tests of the pure core: lifecycle invariants under random triggers, the mirror under shuffled and
//! duplicated snapshots, and decoders that never panic on arbitrary input.
#![cfg(not(target_arch = "wasm32"))]

use intent_checkout::core::card::{format_for_display, validate_card};
use intent_checkout::core::intent::{NextAction, PaymentIntent};
use intent_checkout::core::json;
use intent_checkout::core::lifecycle::{
    apply, next_deadline, AutoExpireAction, CanonicalStatus, CaptureMode, Dialect, LifecycleState,
    PaymentError, Trigger,
};
use intent_checkout::core::mirror::Mirror;
use intent_checkout::core::money::{Currency, Money, MoneyError, MAX_MINOR_UNITS};
use intent_checkout::core::time::{Duration, Timestamp};
use intent_checkout::core::token::SecretString;
use proptest::prelude::*;

const AMOUNT: i64 = 1000;

/// `n` cases, or fewer when `PROPTEST_CASES` says so (mutation testing runs hundreds of builds).
fn cases(n: u32) -> ProptestConfig {
    let cap = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n);
    ProptestConfig::with_cases(n.min(cap))
}

fn money(v: i64, eur: bool) -> Money {
    Money::from_code(v, if eur { "EUR" } else { "GBP" }).unwrap()
}

fn dialect() -> impl Strategy<Value = Dialect> {
    prop_oneof![
        Just(Dialect::Dojo),
        Just(Dialect::Stripe),
        Just(Dialect::Setel)
    ]
}

fn mode() -> impl Strategy<Value = CaptureMode> {
    prop_oneof![Just(CaptureMode::Auto), Just(CaptureMode::Manual)]
}

/// A trigger as the generator draws it: money amounts are relative to the state they meet, so that
/// captures and refunds are mostly legal and refunds often complete (Refunded is reached), with some
/// absolute, zero, too large and wrong-currency amounts mixed in.
#[derive(Clone, Debug)]
enum Step {
    Plain(Trigger),
    /// Capture this many thousandths of what is left to capture (0 = zero, 1000 = all of it).
    CaptureShare(u16),
    /// Refund this many thousandths of what is left to refund (1000 = the rest).
    RefundShare(u16),
    /// An absolute amount: `(minor units, currency code)`.
    CaptureAbs(i64, &'static str),
    RefundAbs(i64, &'static str),
}

/// Shares that hit the edges: nothing, one unit, half, all but one unit, all.
fn share() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(0u16),
        Just(1),
        Just(500),
        Just(999),
        Just(1000),
        0u16..=1000
    ]
}

fn abs_amount() -> impl Strategy<Value = (i64, &'static str)> {
    (
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(MAX_MINOR_UNITS),
            Just(MAX_MINOR_UNITS + 1),
            -5i64..2_000
        ],
        prop::sample::select(vec!["GBP", "GBP", "GBP", "EUR"]),
    )
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => Just(Step::Plain(Trigger::AttachPaymentMethod)),
        1 => Just(Step::Plain(Trigger::Confirm)),
        3 => Just(Step::Plain(Trigger::Authorise)),
        2 => Just(Step::Plain(Trigger::Decline(PaymentError::new("card_declined")))),
        1 => Just(Step::Plain(Trigger::RequireAction)),
        1 => Just(Step::Plain(Trigger::ActionCompleted)),
        1 => Just(Step::Plain(Trigger::ActionFailed(PaymentError::new("authentication_failed")))),
        2 => Just(Step::Plain(Trigger::Settle)),
        1 => Just(Step::Plain(Trigger::Capture(None))),
        2 => share().prop_map(Step::CaptureShare),
        1 => abs_amount().prop_map(|(v, c)| Step::CaptureAbs(v, c)),
        1 => Just(Step::Plain(Trigger::Reverse)),
        4 => share().prop_map(Step::RefundShare),
        1 => abs_amount().prop_map(|(v, c)| Step::RefundAbs(v, c)),
        1 => Just(Step::Plain(Trigger::Cancel)),
        2 => Just(Step::Plain(Trigger::Expire)),
    ]
}

/// Random steps and how much time passes before each (up to 40 days, often none).
fn steps() -> impl Strategy<Value = Vec<(Step, i64)>> {
    let gap = prop_oneof![Just(0i64), 0..40 * 86_400_000i64];
    prop::collection::vec((step(), gap), 0..40)
}

/// The intent's total: everyday amounts and the edges (one unit, 2^53 - 1), in currencies with 0, 2 and
/// 3 decimals.
fn total() -> impl Strategy<Value = Money> {
    (
        prop_oneof![
            Just(1i64),
            Just(1000),
            Just(MAX_MINOR_UNITS),
            Just(MAX_MINOR_UNITS - 1),
            1..1_000_000i64
        ],
        prop::sample::select(vec!["GBP", "JPY", "KWD"]),
    )
        .prop_map(|(v, c)| Money::from_code(v, c).unwrap())
}

/// Turns a drawn step into the trigger for `st` (shares are of what is left to capture or refund).
fn resolve(step: &Step, st: &LifecycleState) -> Trigger {
    let of = |left: i64, share: u16| -> Money {
        let v = (i128::from(left) * i128::from(share) / 1000) as i64;
        Money::new(v, st.amount().currency()).unwrap()
    };
    let abs = |v: i64, code: &str| {
        // The intent's currency unless the draw says EUR; amounts that Money refuses become zero.
        let currency = match code {
            "EUR" => Currency::from_code("EUR").unwrap(),
            _ => st.amount().currency(),
        };
        Money::new(v, currency).unwrap_or_else(|_| Money::zero(currency))
    };
    match step {
        Step::Plain(t) => t.clone(),
        Step::CaptureShare(s) => {
            let already = if st.status() == CanonicalStatus::Authorized {
                0
            } else {
                st.captured()
            };
            Trigger::Capture(Some(of(st.amount().minor_units() - already, *s)))
        }
        Step::RefundShare(s) => Trigger::Refund(of(st.captured() - st.refunded(), *s)),
        Step::CaptureAbs(v, c) => Trigger::Capture(Some(abs(*v, c))),
        Step::RefundAbs(v, c) => Trigger::Refund(abs(*v, c)),
    }
}

fn fresh(d: Dialect, m: CaptureMode, max_attempts: u32, capture_on_expiry: bool) -> LifecycleState {
    fresh_with(d, m, max_attempts, capture_on_expiry, money(AMOUNT, false))
}

fn fresh_with(
    d: Dialect,
    m: CaptureMode,
    max_attempts: u32,
    capture_on_expiry: bool,
    total: Money,
) -> LifecycleState {
    let action = if capture_on_expiry {
        AutoExpireAction::Capture
    } else {
        AutoExpireAction::Release
    };
    LifecycleState::new(d, m, total, Timestamp::from_unix_millis(0))
        .with_max_confirmation_attempts(max_attempts)
        .with_auto_expire_action(action)
}

proptest! {
    #![proptest_config(cases(3000))]

    /// `apply` agrees with an independent model of each dialect (`model::Model`, written from the
    /// dialects' prose, not from their tables) on every step: legal or not, and the status, captured,
    /// refunded and attempt count after it. Along the way: statuses stay in the dialect, money stays
    /// within `0 <= refunded <= captured <= total`, terminal states absorb every trigger, and a due
    /// deadline always has a legal Expire.
    #[test]
    fn lifecycle_matches_an_independent_model(
        d in dialect(), m in mode(), max in 1u32..6, cap in any::<bool>(), total in total(), steps in steps(),
    ) {
        let mut st = fresh_with(d, m, max, cap, total);
        let mut model = model::Model::new(d, m == CaptureMode::Manual, total.minor_units(), max, cap);
        let mut now = 0i64;
        for (step, dt) in steps {
            now += dt;
            let trig = resolve(&step, &st);
            let before = st.clone();
            let expected = model.apply(&trig, total.currency().code(), now);
            match apply(&st, trig.clone(), Timestamp::from_unix_millis(now)) {
                Ok(tr) => {
                    prop_assert!(expected.is_ok(), "{:?} {:?} accepted {:?} from {:?}; the model says {:?}", d, m, trig, before.status(), expected);
                    prop_assert!(!before.is_terminal(), "terminal {:?} accepted {:?}", before.status(), trig);
                    prop_assert_eq!(tr.from, before.status());
                    prop_assert_eq!(tr.to, tr.state.status());
                    prop_assert!(d.table().contains(&tr.rule));
                    st = tr.state;
                }
                Err(e) => {
                    prop_assert!(expected.is_err(), "{:?} {:?} refused {:?} from {:?} ({}); the model accepts", d, m, trig, before.status(), e.code());
                    if before.is_terminal() {
                        prop_assert_eq!(e.code(), "terminal_status");
                    }
                    prop_assert_eq!(&st, &before);
                }
            }
            prop_assert_eq!(
                (st.status(), st.captured(), st.refunded(), st.attempts()),
                (model.status(), model.captured, model.refunded, model.attempts),
                "{:?} {:?} after {:?}", d, m, trig
            );
            prop_assert!(d.has_status(st.status()), "{:?} not in {:?}", st.status(), d);
            prop_assert!(d.wire_name(st.status()).is_ok());
            prop_assert!(0 <= st.refunded() && st.refunded() <= st.captured(), "refunded {} captured {}", st.refunded(), st.captured());
            prop_assert!(st.captured() <= st.amount().minor_units());
            if let Some((at, Trigger::Expire)) = next_deadline(&st) {
                // A due deadline always has a legal Expire.
                let far = at.saturating_add(Duration::from_millis(1));
                prop_assert!(apply(&st, Trigger::Expire, far).is_ok());
            }
        }
    }
}

/// The generator reaches every status of every dialect, and Refunded in a good share of runs: a
/// property that never meets a state proves nothing about it.
#[test]
fn the_lifecycle_generator_reaches_every_status() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let runs = 3000;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = (dialect(), mode(), 1u32..6, any::<bool>(), total(), steps());
    let mut reached: std::collections::HashMap<(Dialect, CanonicalStatus), usize> =
        Default::default();
    let mut runs_per_dialect: std::collections::HashMap<Dialect, usize> = Default::default();
    for _ in 0..runs {
        let (d, m, max, cap, total, steps) = strategy.new_tree(&mut runner).unwrap().current();
        *runs_per_dialect.entry(d).or_default() += 1;
        let mut st = fresh_with(d, m, max, cap, total);
        let mut seen = std::collections::HashSet::new();
        let mut now = 0;
        for (step, dt) in steps {
            now += dt;
            if let Ok(tr) = apply(&st, resolve(&step, &st), Timestamp::from_unix_millis(now)) {
                st = tr.state;
                seen.insert(st.status());
            }
        }
        for s in seen {
            *reached.entry((d, s)).or_default() += 1;
        }
    }
    for d in Dialect::ALL {
        let n = runs_per_dialect[&d];
        for s in d.statuses() {
            // Setel parses requires_action but no trigger enters it ("not yet supported").
            if (d, s) == (Dialect::Setel, CanonicalStatus::RequiresAction)
                || s == CanonicalStatus::RequiresPaymentMethod
            {
                continue;
            }
            let got = reached.get(&(d, s)).copied().unwrap_or(0);
            assert!(got * 50 >= n, "{d:?} reached {s:?} in {got} of {n} runs");
        }
        let refunded = reached
            .get(&(d, CanonicalStatus::Refunded))
            .copied()
            .unwrap_or(0);
        assert!(
            refunded * 20 >= n,
            "{d:?} reached Refunded in {refunded} of {n} runs"
        );
    }
}

proptest! {
    #![proptest_config(cases(600))]

    /// The mirror never goes backwards: shuffled and duplicated snapshots end at the newest one, and the
    /// version it holds never decreases.
    #[test]
    fn mirror_never_goes_backwards(
        d in dialect(), m in mode(), steps in steps(), order in prop::collection::vec(any::<prop::sample::Index>(), 0..80)
    ) {
        let mut st = fresh(d, m, 3, false);
        let mut snaps = vec![snapshot(&st, 1, 0)];
        let mut now = 0;
        for (step, dt) in steps {
            now += dt;
            if let Ok(tr) = apply(&st, resolve(&step, &st), Timestamp::from_unix_millis(now)) {
                st = tr.state;
                let v = snaps.len() as u64 + 1;
                snaps.push(snapshot(&st, v, now));
            }
        }
        let mut mirror = Mirror::new(d);
        let mut seen_max = 0u64;
        let mut feed: Vec<&PaymentIntent> = order.iter().map(|i| &snaps[i.index(snaps.len())]).collect();
        feed.extend(snaps.iter().rev()); // every snapshot at least once, newest first
        for s in feed {
            let changes = mirror.apply_snapshot(s.clone());
            let v = mirror.current().and_then(|c| c.version).unwrap_or(0);
            prop_assert!(v >= seen_max);
            if v == seen_max {
                prop_assert!(changes.is_empty() || seen_max == 0);
            }
            seen_max = v;
        }
        let newest = snaps.last().unwrap();
        prop_assert_eq!(mirror.current(), Some(newest));
        prop_assert_eq!(mirror.status(), newest.canonical_status(d).ok());
    }
}

proptest! {
    #![proptest_config(cases(2000))]

    /// Decoding arbitrary bytes never panics.
    #[test]
    fn decode_arbitrary_bytes(d in dialect(), bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = PaymentIntent::from_json(&bytes, d);
    }
}

proptest! {
    #![proptest_config(cases(3000))]

    /// The core's JSON reader accepts exactly what serde_json accepts on JSON-like text (numbers kept to
    /// f64's range, where serde_json refuses more), never panics, and its raw values are JSON again.
    #[test]
    fn json_reader_agrees_with_serde(
        text in prop_oneof![
            r#"[ \[\]{}",:0-9a-z\\.eE+-]{0,24}"#.boxed(),
            prop::collection::vec(
                prop::sample::select(vec![
                    "{", "}", "[", "]", ",", ":", " ", "\"k\"", "\"\\u00e9\\n\"", "\"\\ud800\"", "\"\\q\"",
                    "0", "-1", "1.5e-3", "01", "1.", "true", "null", "nul",
                ]),
                0..16,
            )
            .prop_map(|t| t.concat())
            .boxed(),
        ],
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let ours = json::value(&text).is_some();
        prop_assert_eq!(ours, serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{:?}", text);
        if let Some(items) = json::object(&text).or_else(|| json::array(&text)) {
            for (_, raw) in items {
                prop_assert!(serde_json::from_str::<serde_json::Value>(raw).is_ok());
                let _ = (json::int(raw), json::uint(raw), json::string(raw), json::boolean(raw));
            }
        }
        let lossy = String::from_utf8_lossy(&bytes);
        let _ = (json::members(&lossy), json::string(&lossy), json::int(&lossy), json::str_at(&lossy, "a"));
    }
}

proptest! {
    #![proptest_config(cases(1500))]

    /// Decoding JSON-shaped mutations of a valid intent never panics, and what decodes re-encodes and decodes
    /// to the same value.
    #[test]
    fn decode_mutated_documents(
        d in dialect(),
        key in prop::sample::select(vec![
            "id", "status", "captureMode", "amount", "tipsAmount", "totalAmount", "refundedAmount",
            "clientSessionSecret", "clientSessionSecretExpirationDate", "config", "createdAt", "updatedAt",
            "expireAt", "autoExpireAction", "autoExpireIn", "version", "nextAction", "lastPaymentError",
            "paymentEvents", "capturedAmount", "unknownExtra",
        ]),
        value in json_value(),
    ) {
        let mut doc = serde_json::json!({
            "id": "pi_1", "status": "Created", "amount": {"value": 1000, "currencyCode": "GBP"},
            "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z",
        });
        doc[key] = value;
        if let Ok(pi) = PaymentIntent::from_value(&doc, d) {
            let again = PaymentIntent::from_json(pi.to_json().as_bytes(), d);
            prop_assert_eq!(again.as_ref(), Ok(&pi));
        }
    }
}

proptest! {
    #![proptest_config(cases(2000))]

    /// RFC 3339 parsing never panics; formatting round-trips every representable millisecond.
    #[test]
    fn time_round_trip(s in ".{0,40}", ms in Timestamp::MIN.as_unix_millis()..=Timestamp::MAX.as_unix_millis()) {
        let _ = Timestamp::parse_rfc3339(&s);
        let _ = Duration::parse_timespan(&s);
        let t = Timestamp::from_unix_millis(ms);
        prop_assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Ok(t));
    }
}

proptest! {
    #![proptest_config(cases(2000))]

    /// Card checks never panic, never echo the number, and Luhn-valid Visa numbers pass.
    #[test]
    fn card_checks(number in "[0-9 \\-a]{0,25}", month in 0u32..14, year in 0u32..3000, cvc in "[0-9a]{0,5}") {
        let now = Timestamp::from_unix_millis(1_800_000_000_000);
        let result = validate_card(&number, month, year, &cvc, now);
        let _ = format_for_display(&number);
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 8 {
            let text = format!("{:?}", result);
            prop_assert!(!text.contains(&digits));
        }
    }
}

proptest! {
    #![proptest_config(cases(2000))]

    /// Money arithmetic agrees with exact (i128) arithmetic: a result exists exactly when both amounts
    /// are valid, the currencies match and the result is within `0..=2^53 - 1`; otherwise the error
    /// says which. Amounts cluster at the edges (0, 1, 2^53 - 1, 2^53, negatives, i64's limits).
    #[test]
    fn money_checked(a in edge_amount(), b in edge_amount(), ca in currency(), cb in currency()) {
        let (x, y) = (Money::from_code(a, ca), Money::from_code(b, cb));
        for (v, m) in [(a, x), (b, y)] {
            match m {
                Ok(m) => prop_assert!((0..=MAX_MINOR_UNITS).contains(&v) && m.minor_units() == v),
                Err(MoneyError::NegativeAmount) => prop_assert!(v < 0),
                Err(MoneyError::TooLarge) => prop_assert!(v > MAX_MINOR_UNITS),
                Err(e) => prop_assert!(false, "{v}: {e}"),
            }
        }
        let (Ok(x), Ok(y)) = (x, y) else { return Ok(()) };
        prop_assert_eq!(x.exponent(), Currency::from_code(ca).unwrap().exponent());
        for (result, exact) in [
            (x.checked_add(y), i128::from(a) + i128::from(b)),
            (x.checked_sub(y), i128::from(a) - i128::from(b)),
        ] {
            match result {
                Ok(r) => {
                    prop_assert_eq!(ca, cb);
                    prop_assert_eq!(i128::from(r.minor_units()), exact);
                    prop_assert_eq!(r.currency(), x.currency());
                }
                Err(MoneyError::CurrencyMismatch { expected, found }) => {
                    prop_assert_ne!(ca, cb);
                    prop_assert_eq!((expected.code(), found.code()), (ca, cb));
                }
                Err(MoneyError::NegativeAmount) => prop_assert!(ca == cb && exact < 0),
                Err(MoneyError::TooLarge) => prop_assert!(ca == cb && exact > i128::from(MAX_MINOR_UNITS)),
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
    }
}

proptest! {
    #![proptest_config(cases(2000))]

    /// Amounts on the wire at their edges (zero, one, 2^53 - 1, 2^53, negatives), in currencies with
    /// 0 to 4 decimals and unknown ones: the decoder accepts exactly the valid ones, totals them
    /// exactly (`amount + tipsAmount`), bounds the refund by the total, and writes them back unchanged.
    #[test]
    fn decode_money_at_the_edges(
        d in dialect(), a in edge_amount(), tips in prop::option::of(edge_amount()), refunded in edge_amount(),
        code in prop::sample::select(vec!["GBP", "JPY", "KWD", "CLF", "XXX", "gbp"]),
        tips_code in prop::sample::select(vec![None, Some("JPY")]),
    ) {
        let mut doc = serde_json::json!({
            "id": "pi_edge", "status": d.wire_name(CanonicalStatus::RequiresPaymentMethod).unwrap(),
            "amount": {"value": a, "currencyCode": code},
            "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z",
            "refundedAmount": refunded,
        });
        if let Some(t) = tips {
            doc["tipsAmount"] = serde_json::json!({"value": t, "currencyCode": tips_code.unwrap_or(code)});
        }
        let known = Currency::from_code(code).is_ok();
        let total = i128::from(a) + i128::from(tips.unwrap_or(0));
        let valid = known
            && (1..=MAX_MINOR_UNITS).contains(&a)
            && tips.map_or(true, |t| (0..=MAX_MINOR_UNITS).contains(&t) && tips_code.map_or(true, |c| c == code))
            && total <= i128::from(MAX_MINOR_UNITS)
            && (0..=total).contains(&i128::from(refunded));
        match PaymentIntent::from_value(&doc, d) {
            Ok(pi) => {
                prop_assert!(valid, "accepted {doc}");
                prop_assert_eq!(i128::from(pi.total().minor_units()), total);
                prop_assert_eq!(pi.total().currency(), Currency::from_code(code).unwrap());
                prop_assert_eq!(pi.refunded_amount, refunded);
                let json = pi.to_json();
                prop_assert!(json.contains(&format!("\"value\":{a},")), "{json}");
                prop_assert_eq!(PaymentIntent::from_json(json.as_bytes(), d), Ok(pi));
            }
            Err(e) => prop_assert!(!valid, "refused {doc}: {e:?}"),
        }
    }
}

/// Amounts at and around every edge money has, and ordinary ones.
fn edge_amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        prop::sample::select(vec![
            0,
            1,
            2,
            999,
            1000,
            MAX_MINOR_UNITS,
            MAX_MINOR_UNITS - 1,
            MAX_MINOR_UNITS + 1,
            MAX_MINOR_UNITS / 2,
            MAX_MINOR_UNITS / 2 + 1,
            -1,
            i64::MAX,
            i64::MIN,
        ]),
        0..=MAX_MINOR_UNITS,
        0i64..100_000,
    ]
}

/// Mostly the same currency (so arithmetic happens), with 0, 2, 3 and 4 decimals.
fn currency() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["JPY", "JPY", "GBP", "KWD", "CLF"])
}

proptest! {
    #![proptest_config(cases(300))]

    /// The connect token's secret never appears in `Debug` of anything that holds it.
    #[test]
    fn secret_never_in_debug(secret in "[A-Za-z0-9_]{12,40}") {
        let mut st = fresh(Dialect::Dojo, CaptureMode::Auto, 3, false);
        st = apply(&st, Trigger::Decline(PaymentError::new("card_declined")), Timestamp::from_unix_millis(1)).unwrap().state;
        let mut pi = snapshot(&st, 1, 1);
        pi.client_session_secret = Some(SecretString::new(secret.clone()));
        pi.client_session_secret_expiration_date = Some(Timestamp::from_unix_millis(10_000_000));
        let token = pi.connect_token(Timestamp::from_unix_millis(0)).unwrap();
        let mut mirror = Mirror::new(Dialect::Dojo);
        let changes = mirror.apply_snapshot(pi.clone());
        let text = format!("{pi:?} {token:?} {token} {changes:?} {mirror:?} {:?}", mirror.refresh_needed(&token, Timestamp::from_unix_millis(2)));
        prop_assert!(!text.contains(&secret));
        prop_assert_eq!(token.expose(), secret.as_str());
    }
}

/// A browser-view snapshot of `st`, as the sandbox would serve it.
fn snapshot(st: &LifecycleState, version: u64, updated: i64) -> PaymentIntent {
    let doc = serde_json::json!({
        "id": "pi_prop", "status": st.wire_status(), "amount": {"value": AMOUNT, "currencyCode": "GBP"},
        "captureMode": if st.capture_mode() == CaptureMode::Auto { "Auto" } else { "Manual" },
        "createdAt": "1970-01-01T00:00:00Z", "updatedAt": Timestamp::from_unix_millis(updated).to_rfc3339(),
        "refundedAmount": st.refunded(), "capturedAmount": st.captured(), "version": version,
    });
    let mut pi = PaymentIntent::from_value(&doc, st.dialect()).unwrap();
    if st.status() == CanonicalStatus::RequiresAction {
        pi.next_action = Some(NextAction {
            kind: "redirect_to_url".into(),
            url: "https://acs.example/3ds".into(),
        });
    }
    pi.last_payment_error = st.last_error().cloned();
    pi
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{json, Value};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        ".{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "Created",
            "Captured",
            "succeeded",
            "authorised",
            "Manual",
            "Capture",
            "GBP",
            "JPY",
            "2024-02-29T12:00:00.123456+05:30",
            "6.23:59:59",
            "00:00:55",
        ])
        .prop_map(Value::from),
        Just(json!({"value": 5, "currencyCode": "GBP"})),
        Just(json!({"value": -5, "currencyCode": "GBP"})),
        Just(json!({"type": "redirect_to_url", "url": "https://x"})),
        Just(json!({"code": "card_declined"})),
        Just(json!([{"eventType": "Declined", "createdAt": "2024-01-01T00:00:00Z"}])),
        Just(json!({"payment": {"tipsAllowed": true}})),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An independent model of the three dialects, written from their documented behaviour (the prose
/// in `lifecycle/{dojo,stripe,setel}.rs` and the seeds) as plain control flow: it never reads a
/// transition table, so a wrong row, guard or effect in the core shows up as a disagreement.
mod model {
    use intent_checkout::core::lifecycle::{CanonicalStatus as S, Dialect, Trigger};

    const DAY: i64 = 86_400_000;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum St {
        Open,
        Confirming,
        Challenged,
        Processing,
        Held,
        Collected,
        Failed,
        Reversed,
        Canceled,
        Expired,
    }

    #[derive(Clone, Debug)]
    pub struct Model {
        dialect: Dialect,
        manual: bool,
        st: St,
        total: i64,
        pub captured: i64,
        pub refunded: i64,
        pub attempts: u32,
        max_attempts: u32,
        capture_on_expiry: bool,
        hold_since: i64,
    }

    impl Model {
        pub fn new(
            dialect: Dialect,
            manual: bool,
            total: i64,
            max: u32,
            capture_on_expiry: bool,
        ) -> Self {
            Model {
                dialect,
                manual,
                st: St::Open,
                total,
                captured: 0,
                refunded: 0,
                attempts: 0,
                max_attempts: max.max(1),
                capture_on_expiry,
                hold_since: 0,
            }
        }

        /// The canonical status the model is in.
        pub fn status(&self) -> S {
            match self.st {
                St::Open => S::RequiresPaymentMethod,
                St::Confirming => S::RequiresConfirmation,
                St::Challenged => S::RequiresAction,
                St::Processing => S::Processing,
                St::Held => S::Authorized,
                St::Collected if self.refunded == 0 => S::Succeeded,
                St::Collected if self.refunded < self.captured => S::PartiallyRefunded,
                St::Collected => S::Refunded,
                St::Failed => S::Failed,
                St::Reversed => S::Reversed,
                St::Canceled => S::Canceled,
                St::Expired => S::Expired,
            }
        }

        /// Applies one trigger at `now` (ms since creation); `Err` with a reason when it is refused,
        /// leaving the model unchanged.
        pub fn apply(&mut self, t: &Trigger, currency: &str, now: i64) -> Result<(), &'static str> {
            let mut next = self.clone();
            next.step(t, currency, now)?;
            *self = next;
            Ok(())
        }

        fn step(&mut self, t: &Trigger, currency: &str, now: i64) -> Result<(), &'static str> {
            use Dialect::*;
            let (d, st) = (self.dialect, self.st);
            if matches!(st, St::Reversed | St::Canceled | St::Expired)
                || (st == St::Collected && self.captured > 0 && self.refunded == self.captured)
            {
                return Err("finished");
            }
            // Where a new payment attempt can start (Setel: also after a failure).
            let open = matches!(st, St::Open | St::Confirming) || (d == Setel && st == St::Failed);
            match t {
                Trigger::AttachPaymentMethod if d == Stripe && st == St::Open => {
                    self.st = St::Confirming;
                }
                Trigger::Authorise if open => {
                    self.attempts += 1;
                    if self.manual {
                        self.hold(now);
                    } else {
                        self.captured = self.total;
                        // Setel's direct capture passes through processing.
                        self.st = if d == Setel {
                            St::Processing
                        } else {
                            St::Collected
                        };
                    }
                }
                // Asynchronous methods; Setel's wallet payments are direct capture only.
                Trigger::Confirm if open && !(d == Setel && self.manual) => {
                    self.attempts += 1;
                    self.captured = if self.manual { 0 } else { self.total };
                    self.st = St::Processing;
                }
                Trigger::Confirm if st == St::Challenged && d == Stripe => {
                    if !self.manual {
                        self.captured = self.total;
                    }
                    self.st = St::Processing;
                }
                Trigger::RequireAction if open && d != Setel => {
                    self.attempts += 1;
                    self.st = St::Challenged;
                }
                Trigger::Decline(_) if open || st == St::Processing => {
                    if open {
                        self.attempts += 1;
                    }
                    self.captured = 0;
                    self.fail(d);
                }
                Trigger::ActionCompleted if st == St::Challenged && d != Setel => {
                    if self.manual {
                        self.hold(now);
                    } else {
                        self.captured = self.total;
                        self.st = St::Collected;
                    }
                }
                Trigger::ActionFailed(_) if st == St::Challenged && d != Setel => {
                    self.captured = 0;
                    self.fail(d);
                }
                Trigger::Settle if st == St::Processing => {
                    if self.captured > 0 {
                        self.st = St::Collected;
                    } else if d == Setel {
                        return Err("nothing to collect");
                    } else {
                        self.hold(now);
                    }
                }
                Trigger::Capture(amount)
                    if st == St::Held || (d == Dojo && st == St::Collected) =>
                {
                    let already = if st == St::Held { 0 } else { self.captured };
                    let left = self.total - already;
                    let want = match amount {
                        Some(m) if m.currency().code() != currency => return Err("currency"),
                        Some(m) => m.minor_units(),
                        None => left,
                    };
                    if want <= 0 || want > left {
                        return Err("capture amount");
                    }
                    // Dojo captures more of a hold only in Manual mode, and never after a refund.
                    if st == St::Collected && (!self.manual || self.refunded > 0) {
                        return Err("no further capture");
                    }
                    self.captured = already + want;
                    // Stripe and Setel collect a capture asynchronously.
                    self.st = if d == Dojo {
                        St::Collected
                    } else {
                        St::Processing
                    };
                }
                Trigger::Refund(m) if st == St::Collected => {
                    if m.currency().code() != currency {
                        return Err("currency");
                    }
                    let x = m.minor_units();
                    if x == 0 || x > self.captured - self.refunded {
                        return Err("refund amount");
                    }
                    self.refunded += x;
                }
                // Dojo reverses a hold or a collected, unrefunded payment; it has no cancel for them.
                Trigger::Reverse
                    if d == Dojo
                        && (st == St::Held || (st == St::Collected && self.refunded == 0)) =>
                {
                    self.st = St::Reversed;
                }
                Trigger::Cancel => match (d, st) {
                    // Dojo: only before any payment attempt.
                    (Dojo, St::Open) if self.attempts == 0 => self.st = St::Canceled,
                    (Stripe, St::Open | St::Confirming | St::Challenged | St::Held) => {
                        self.st = St::Canceled
                    }
                    (Setel, St::Open | St::Challenged | St::Failed | St::Held) => {
                        self.st = St::Canceled
                    }
                    _ => return Err("cannot cancel"),
                },
                Trigger::Expire => self.expire(now)?,
                _ => return Err("not in this status"),
            }
            Ok(())
        }

        /// A hold starts now (or goes on, if one was running).
        fn hold(&mut self, now: i64) {
            if self.st != St::Held {
                self.hold_since = now;
            }
            self.st = St::Held;
        }

        /// A declined or failed attempt: Dojo restarts, Stripe restarts until the attempts run
        /// out, Setel fails.
        fn fail(&mut self, d: Dialect) {
            self.st = match d {
                Dialect::Dojo => St::Open,
                Dialect::Stripe if self.attempts >= self.max_attempts => St::Canceled,
                Dialect::Stripe => St::Open,
                Dialect::Setel => St::Failed,
            };
        }

        /// Time-driven endings: holds run out (Dojo and Stripe 7 days, Setel 30 minutes); Dojo voids
        /// an unpaid intent after 30 days.
        fn expire(&mut self, now: i64) -> Result<(), &'static str> {
            use Dialect::*;
            match (self.dialect, self.st) {
                (d, St::Held) => {
                    let ttl = if d == Setel { 30 * 60_000 } else { 7 * DAY };
                    if now < self.hold_since.saturating_add(ttl) {
                        return Err("not due");
                    }
                    self.st = match d {
                        Dojo if self.capture_on_expiry => {
                            self.captured = self.total;
                            St::Collected
                        }
                        Dojo | Setel => St::Expired,
                        Stripe => St::Canceled,
                    };
                }
                (Dojo, St::Open | St::Challenged) if now >= 30 * DAY => self.st = St::Canceled,
                _ => return Err("no deadline"),
            }
            Ok(())
        }
    }
}
