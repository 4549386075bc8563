//! Fuzz targets (issue 7, figure 7). Each takes arbitrary bytes, must never panic, and checks a property;
//! a broken property is an `Err` (the drivers count it apart from panics). The same functions back the
//! stable random-input driver (`src/main.rs`) and the cargo-fuzz targets (`fuzz/`, nightly only).

use intent_checkout::core::flow::{
    json, wire, CardInput, Checkout, Config, Delta, IntentKind, Output, Reply, RequestId,
    RetryPolicy, SseParser,
};
use intent_checkout::core::intent::PaymentIntent;
use intent_checkout::core::lifecycle::Dialect;
use intent_checkout::core::mirror::{Applied, Mirror};
use intent_checkout::core::token::SecretString;

pub mod driver;
mod http;

pub use http::http;

pub type TargetFn = fn(&[u8]) -> Result<(), String>;

/// `(name, corpus folder, function)`.
pub const TARGETS: &[(&str, &str, TargetFn)] = &[
    (
        "intent decoder, page (`flow::wire::decode` + `Mirror`, 3 dialects)",
        "intent",
        intent,
    ),
    (
        "intent decoder, core (`PaymentIntent::from_json`, 3 dialects)",
        "intent",
        core_intent,
    ),
    ("SSE parser", "sse", sse),
    ("ProblemDetails decoder", "problem", problem),
    ("checkout flow machine", "flow", flow),
    (
        "sandbox HTTP layer (every route: method, path, headers, body)",
        "http",
        http,
    ),
];

const SECRET: &str = "cs_fuzz_secret_9f3c";

/// The snapshot pipeline the page runs on every snapshot (`flow::wire::decode`, then the `Mirror`).
/// Properties: the page's view never keeps a `clientSessionSecret`, and the same snapshot twice is stale.
pub fn intent(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    let secret = SecretString::new(SECRET.into());
    for d in Dialect::ALL {
        let Ok((pi, view)) = wire::decode(d, &text, &secret) else {
            continue;
        };
        let kept =
            json::members(&view).is_some_and(|m| m.iter().any(|(k, _)| k == "clientSessionSecret"));
        if kept {
            return Err("the page's view kept clientSessionSecret".into());
        }
        let mut mirror = Mirror::new(d);
        if let Applied::Taken(changes) = mirror.apply_snapshot(pi.clone()) {
            let _ = mirror.phase().map(|p| p.canonical());
            let version = pi.version.unwrap_or(0);
            let delta = Delta {
                version,
                previous_version: version,
                changes,
            };
            let _ = delta.to_json();
            if mirror.apply_snapshot(pi) != Applied::Stale {
                return Err(format!("{}: the same snapshot was taken twice", d.name()));
            }
        }
    }
    Ok(())
}

/// The core's validating decoder (what the sandbox and the contract tests use), in every dialect.
/// Property: what it accepts, its own JSON gives back unchanged.
pub fn core_intent(data: &[u8]) -> Result<(), String> {
    for d in [Dialect::Dojo, Dialect::Stripe, Dialect::Setel] {
        if let Ok(pi) = PaymentIntent::from_json(data, d) {
            let again = PaymentIntent::from_json(pi.to_json().as_bytes(), d)
                .map_err(|e| format!("{}: its own JSON does not decode: {}", d.name(), e.code()))?;
            if again != pi {
                return Err(format!(
                    "{}: the JSON round trip changed the intent",
                    d.name()
                ));
            }
        }
    }
    Ok(())
}

/// The SSE parser. The first byte picks chunk boundaries; property: any chunking yields the same events
/// as feeding everything at once.
pub fn sse(data: &[u8]) -> Result<(), String> {
    let Some((&cut, body)) = data.split_first() else {
        return Ok(());
    };
    let whole = SseParser::new().feed(body);
    let mut p = SseParser::new();
    let mut chunked = Vec::new();
    let step = (cut as usize % 7) + 1;
    let mut i = 0;
    let mut n = 0;
    while i < body.len() {
        // Uneven chunks: 1..=step bytes, varying.
        let len = ((n * 31 + cut as usize) % step + 1).min(body.len() - i);
        chunked.extend(p.feed(&body[i..i + len]));
        i += len;
        n += 1;
    }
    if chunked != whole {
        return Err(format!(
            "chunking changed the events: {} at once vs {} in chunks of up to {step}",
            whole.len(),
            chunked.len()
        ));
    }
    Ok(())
}

/// The ProblemDetails (RFC 7807) decoder. The first two bytes are the HTTP status. Property: after
/// `scrub`, no field of the page's error holds the token, even when the server echoed it.
pub fn problem(data: &[u8]) -> Result<(), String> {
    if data.len() < 2 {
        return Ok(());
    }
    let status = u16::from_le_bytes([data[0], data[1]]);
    let mut body = String::from_utf8_lossy(&data[2..]).into_owned();
    if status % 3 == 0 {
        // Echo the token somewhere in the body, as a careless server might.
        let at = (status as usize) % (body.len() + 1);
        let at = (0..=at)
            .rev()
            .find(|i| body.is_char_boundary(*i))
            .unwrap_or(0);
        body.insert_str(at, SECRET);
    }
    let e = wire::problem(
        Dialect::Dojo,
        status,
        &body,
        &SecretString::new(SECRET.into()),
    );
    let json = e.to_json().to_string();
    if json.contains(SECRET) {
        return Err("the token survived scrub".into());
    }
    let _ = e.code.as_str();
    Ok(())
}

/// The whole checkout flow machine, fed an arbitrary sequence of inputs (replies with fuzzed status and
/// body, stream bytes, failures, timer firings, refreshes, messages, pay, destroy). Properties: no
/// panic, and the token never appears in anything the machine hands to the page.
pub fn flow(data: &[u8]) -> Result<(), String> {
    let config = Config {
        intent_id: "pi_fuzz".into(),
        api_origin: "http://127.0.0.1:4242".into(),
        can_refresh: data.first().is_some_and(|b| b & 1 == 1),
        policy: RetryPolicy::default(),
        seed: 42,
        dialect: Dialect::Dojo,
        accepts_card_details: true,
        kind: IntentKind::Payment,
    };
    let mut now = 1_800_000_000_000u64;
    let Ok(mut m) = Checkout::new(config, SECRET.into(), Some(now + 600_000), now) else {
        return Err("a valid checkout was refused".into());
    };
    let mut requests: Vec<RequestId> = Vec::new();
    let mut leaks = 0;
    let mut drain = |m: &mut Checkout, requests: &mut Vec<RequestId>| {
        while let Some(o) = m.poll_output() {
            match o {
                Output::Send { id, request } => {
                    if request.path.contains(SECRET)
                        || request.headers.iter().any(|(_, v)| v.contains(SECRET))
                    {
                        leaks += 1;
                    }
                    requests.push(id)
                }
                Output::Emit(ev) => {
                    if ev.detail_json().contains(SECRET) {
                        leaks += 1;
                    }
                }
                Output::Settle { result, .. } => {
                    let text = intent_checkout::core::flow::op_result_json(&result, None);
                    if text.contains(SECRET) {
                        leaks += 1;
                    }
                }
                _ => {}
            }
        }
    };
    let start = m.start(now);
    let _ = start;
    drain(&mut m, &mut requests);
    let mut rest = data.get(1..).unwrap_or_default();
    let card = CardInput {
        number: "4242424242424242".into(),
        expiry_month: 12,
        expiry_year: 2030,
        cvc: "123".into(),
        cardholder_name: "Fuzz".into(),
    };
    while let Some((&op, tail)) = rest.split_first() {
        // Each step: one opcode byte, one length byte, then that many payload bytes.
        let (len, tail) = match tail.split_first() {
            Some((&l, t)) => ((l as usize) * 2, t),
            None => (0, tail),
        };
        let len = len.min(tail.len());
        let (payload, tail) = tail.split_at(len);
        rest = tail;
        now += (op as u64 % 16) * 97;
        let pick = |v: &Vec<RequestId>| -> Option<RequestId> {
            (!v.is_empty()).then(|| v[(op as usize / 8) % v.len()])
        };
        let text = String::from_utf8_lossy(payload).into_owned();
        match op % 11 {
            0 | 1 => {
                if let Some(id) = pick(&requests) {
                    let status = [200, 200, 201, 304, 400, 401, 402, 404, 409, 429, 500, 503]
                        [(op as usize / 11) % 12];
                    let body = if payload.first().is_some_and(|b| b & 3 == 0) {
                        format!(
                            "{{\"id\":\"pi_fuzz\",\"version\":{},\"status\":\"{}\",\"amount\":{{\"value\":1000,\"currencyCode\":\"GBP\"}},\"createdAt\":\"2026-11-23T10:00:00Z\",\"updatedAt\":\"2026-11-23T10:00:00Z\"}}",
                            payload.len() as u64 + (op as u64),
                            ["Created", "Captured", "Authorized", "Canceled", "requires_action", "failed", "x"]
                                [payload.len() % 7]
                        )
                    } else {
                        text.clone()
                    };
                    m.handle_reply(
                        id,
                        Reply {
                            status,
                            etag: None,
                            body,
                            // Now and then a Retry-After, up to over an hour (the flow caps it).
                            retry_after_ms: (op & 0x20 != 0)
                                .then(|| u64::from(payload.len() as u8) * 20_000),
                        },
                        now,
                    );
                }
            }
            2 => {
                if let Some(id) = pick(&requests) {
                    m.handle_failure(id, now)
                }
            }
            3 => {
                if let Some(id) = pick(&requests) {
                    m.handle_stream_open(id, now)
                }
            }
            4 | 5 => {
                if let Some(id) = pick(&requests) {
                    m.handle_stream_data(id, payload, now)
                }
            }
            6 => {
                if let Some(id) = pick(&requests) {
                    m.handle_stream_end(id, now)
                }
            }
            7 => {
                // The shell's one timer fires: the clock jumps to the machine's deadline.
                if let Some(at) = m.poll_timeout() {
                    now = now.max(at);
                    m.handle_timeout(now);
                }
            }
            8 => {
                let r = (!payload.is_empty()).then(|| (text.clone(), Some(now + 60_000)));
                m.handle_refreshed(r, now)
            }
            9 => {
                if op & 0x80 != 0 {
                    m.handle_message("http://127.0.0.1:4242", &text, now)
                } else {
                    let _ = m.pay(&card, now);
                }
            }
            _ => match op / 11 % 6 {
                0 => m.destroy(),
                1 => m.cancel(now),
                2 => {
                    let _ = m.set_tip(i64::from(op) - 50, now);
                }
                _ => {
                    let _ = m.pay(&card, now);
                }
            },
        }
        drain(&mut m, &mut requests);
    }
    if leaks > 0 {
        return Err(format!("the token reached the page {leaks} times"));
    }
    Ok(())
}
