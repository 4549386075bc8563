//! Figure 4: what one intent snapshot costs the page. A [`Harness`] is the SDK's flow machine
//! (`intent_checkout::core::flow::Checkout`) loaded and following an intent over its event stream; each
//! frame is one `event: intent` SSE frame with the sandbox's real browser view (~800 bytes) and a newer
//! version, fed exactly as the shell feeds a stream chunk: SSE parse, `PaymentIntent::from_json` (once),
//! the core mirror's apply (order check, classification, typed changes), the `status` event built from them,
//! and its `detail` serialised to JSON as the shell does before handing it to JS. The same code runs natively (`src/main.rs`) and in wasm (exports below,
//! timed from JS by `bench/throughput.mjs`).

use intent_checkout::core::flow::{
    wire, Checkout, Config, IntentKind, Output, Reply, RequestId, RetryPolicy,
};
use intent_checkout::core::lifecycle::Dialect;

const VIEW: &str = include_str!("view.json");
const NOW: u64 = 1_800_000_000_000;

/// The browser view with this version (and a tip that changes with it, so the diff finds a field).
pub fn view(version: u64) -> String {
    VIEW.replacen("\"version\":2", &format!("\"version\":{version}"), 1)
        .replacen(
            "\"tipsAmount\":{\"value\":0",
            &format!("\"tipsAmount\":{{\"value\":{}", version % 500),
            1,
        )
}

/// `n` SSE frames with versions `first..first + n`.
pub fn frames(first: u64, n: usize) -> Vec<Vec<u8>> {
    (0..n as u64)
        .map(|i| {
            let v = first + i;
            format!("id: {v}\nevent: intent\ndata: {}\n\n", view(v)).into_bytes()
        })
        .collect()
}

pub struct Harness {
    machine: Checkout,
    stream: RequestId,
    /// Bytes of `detail` JSON produced (keeps the serialisation from being optimised away).
    pub detail_bytes: usize,
    pub events: usize,
}

impl Harness {
    /// A checkout that loaded version 1 and has its event stream open.
    pub fn new() -> Harness {
        let config = Config {
            intent_id: "pi_bench".into(),
            api_origin: "http://127.0.0.1:4242".into(),
            can_refresh: false,
            policy: RetryPolicy::default(),
            seed: 1,
            dialect: Dialect::Dojo,
            accepts_card_details: true,
            kind: IntentKind::Payment,
        };
        let mut machine =
            Checkout::new(config, "cs_bench_token".into(), None, NOW).expect("checkout");
        let _ = machine.start(NOW);
        let mut load = None;
        while let Some(o) = machine.poll_output() {
            if let Output::Send { id, .. } = o {
                load = Some(id);
            }
        }
        let reply = Reply {
            status: 200,
            etag: None,
            body: view(1),
            retry_after_ms: None,
        };
        machine.handle_reply(load.expect("load request"), reply, NOW);
        let mut stream = None;
        while let Some(o) = machine.poll_output() {
            if let Output::Send { id, request } = o {
                if request.stream {
                    stream = Some(id);
                }
            }
        }
        let stream = stream.expect("the flow follows a non-terminal intent");
        machine.handle_stream_open(stream, NOW);
        while machine.poll_output().is_some() {}
        Harness {
            machine,
            stream,
            detail_bytes: 0,
            events: 0,
        }
    }

    /// Feeds one stream chunk; returns the events it produced (their `detail` already serialised).
    pub fn feed(&mut self, chunk: &[u8]) -> usize {
        self.machine.handle_stream_data(self.stream, chunk, NOW);
        let mut n = 0;
        while let Some(o) = self.machine.poll_output() {
            if let Output::Emit(ev) = o {
                self.detail_bytes += ev.detail_json().len();
                n += 1;
            }
        }
        self.events += n;
        n
    }

    /// Feeds one chunk and hands each event's name and detail to `emit` (the wasm shell's path).
    pub fn feed_with(&mut self, chunk: &[u8], mut emit: impl FnMut(&str, &str)) -> usize {
        self.machine.handle_stream_data(self.stream, chunk, NOW);
        let mut n = 0;
        while let Some(o) = self.machine.poll_output() {
            if let Output::Emit(ev) = o {
                emit(ev.kind.name(), &ev.detail_json());
                n += 1;
            }
        }
        self.events += n;
        n
    }
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

/// The core's model on its own: `PaymentIntent::from_json` (validating, on `core::json`) and
/// `Mirror::apply_snapshot` (ordering, canonical status, changes): the page's pipeline without the events.
/// Returns the changes.
pub fn core_apply_all(views: &[String]) -> usize {
    use intent_checkout::core::intent::PaymentIntent;
    use intent_checkout::core::lifecycle::Dialect;
    use intent_checkout::core::mirror::Mirror;
    let mut m = Mirror::new(Dialect::Dojo);
    let mut changes = 0;
    for v in views {
        if let Ok(pi) = PaymentIntent::from_json(v.as_bytes(), Dialect::Dojo) {
            changes += m.apply_snapshot(pi).len();
        }
    }
    changes
}

/// Decodes only (no mirror, no event): the intent decoder's share.
pub fn decode_all(views: &[String]) -> u64 {
    views
        .iter()
        .filter_map(|v| wire::intent(Dialect::Dojo, v).ok())
        .map(|pi| pi.version.unwrap_or(0))
        .sum()
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use std::cell::RefCell;

    use wasm_bindgen::prelude::*;

    thread_local! {
        static FRAMES: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
        static VIEWS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    /// Builds `n` frames inside wasm memory (untimed).
    #[wasm_bindgen]
    pub fn prepare(n: u32) {
        let f = super::frames(2, n as usize);
        let v = (0..n as u64).map(|i| super::view(i + 2)).collect();
        FRAMES.with(|x| *x.borrow_mut() = f);
        VIEWS.with(|x| *x.borrow_mut() = v);
    }

    /// Applies every prepared frame to a fresh harness in one call (no boundary per snapshot).
    #[wasm_bindgen(js_name = applyPrepared)]
    pub fn apply_prepared() -> u32 {
        let mut h = super::Harness::new();
        FRAMES.with(|f| {
            for c in f.borrow().iter() {
                h.feed(c);
            }
        });
        h.events as u32
    }

    /// The core's `PaymentIntent` + `Mirror` over every prepared view in one call.
    #[wasm_bindgen(js_name = coreApplyPrepared)]
    pub fn core_apply_prepared() -> u32 {
        VIEWS.with(|v| super::core_apply_all(&v.borrow()) as u32)
    }

    /// Decodes every prepared view in one call.
    #[wasm_bindgen(js_name = decodePrepared)]
    pub fn decode_prepared() -> f64 {
        VIEWS.with(|v| super::decode_all(&v.borrow()) as f64)
    }

    /// The page's path: JS hands each chunk over (one call in) and gets each event back through a JS
    /// callback (one call out, with the detail JSON as a string).
    #[wasm_bindgen]
    pub struct WasmHarness(super::Harness);

    #[wasm_bindgen]
    impl WasmHarness {
        #[wasm_bindgen(constructor)]
        pub fn new() -> WasmHarness {
            WasmHarness(super::Harness::new())
        }

        pub fn feed(&mut self, chunk: &[u8], emit: &js_sys::Function) -> u32 {
            self.0.feed_with(chunk, |name, detail| {
                let _ = emit.call2(
                    &JsValue::NULL,
                    &JsValue::from_str(name),
                    &JsValue::from_str(detail),
                );
            }) as u32
        }
    }

    impl Default for WasmHarness {
        fn default() -> Self {
            Self::new()
        }
    }

    // ----- boundary calls, each doing nothing but crossing -----

    #[wasm_bindgen]
    pub fn noop() {}

    #[wasm_bindgen]
    pub fn add(a: u32, b: u32) -> u32 {
        a.wrapping_add(b)
    }

    /// Bytes in (copied into wasm memory).
    #[wasm_bindgen(js_name = bytesLen)]
    pub fn bytes_len(b: &[u8]) -> u32 {
        b.len() as u32
    }

    /// A JS string in (UTF-8 encoded into wasm memory).
    #[wasm_bindgen(js_name = strLen)]
    pub fn str_len(s: &str) -> u32 {
        s.len() as u32
    }

    /// A string out (decoded into a JS string).
    #[wasm_bindgen(js_name = viewOut)]
    pub fn view_out() -> String {
        super::VIEW.to_string()
    }

    /// wasm calling a JS function with no arguments.
    #[wasm_bindgen(js_name = callJs)]
    pub fn call_js(f: &js_sys::Function) {
        let _ = f.call0(&JsValue::NULL);
    }
}
