//! Runs the core flow in the page: feeds inputs (always with `Date.now()`), then carries out every output.
//!
//! Rules kept here: no `RefCell` borrow is held across an `.await` or across a call into page code (a
//! listener may call `pay()` again); every JS resource (fetch, timer, listener) is owned by a Rust value
//! in `Inner` and released on drop; spawned tasks hold only a `Weak` to `Inner`.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::MessageEvent;

use super::fetch::{self, AbortGuard};
use crate::core::flow::{
    op_result_json, Checkout, Method, Millis, OpId, Output, Reply, Request, RequestId,
};
use crate::core::small_map::SmallMap;

pub fn now() -> Millis {
    js_sys::Date::now() as Millis
}

/// A `window` listener removed on drop.
pub struct Listener {
    target: web_sys::EventTarget,
    kind: &'static str,
    closure: Closure<dyn FnMut(MessageEvent)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.closure.as_ref().unchecked_ref());
    }
}

pub struct Inner {
    pub machine: RefCell<Checkout>,
    api_base: String,
    /// `(name, detailJson)`: the JS side turns it into a `CustomEvent` on the checkout.
    emit: js_sys::Function,
    refresh: Option<js_sys::Function>,
    requests: RefCell<SmallMap<u32, AbortGuard>>,
    /// The one timer, at the core's `poll_timeout`.
    timer: RefCell<Option<(Millis, Timeout)>>,
    /// Resolvers of pending page promises, by op id.
    ops: RefCell<SmallMap<u32, js_sys::Function>>,
    listener: RefCell<Option<Listener>>,
    driving: Cell<bool>,
    /// `(path, Promise<Response>)`: a read the loader started before this checkout existed; the first
    /// request for that path takes its answer instead of fetching again.
    prefetched: RefCell<Option<(String, js_sys::Promise)>>,
    /// The request id of the latest event stream (for the test hook that cuts it).
    stream_req: Cell<Option<u32>>,
    /// Calls from JS into this checkout (user actions, replies, chunks, timers, messages): the
    /// wasm-boundary cost of a checkout, for the size/cost note and tests.
    pub calls_in: Cell<u32>,
}

impl Inner {
    pub fn new(
        machine: Checkout,
        api_base: String,
        emit: js_sys::Function,
        refresh: Option<js_sys::Function>,
        prefetched: Option<(String, js_sys::Promise)>,
    ) -> Rc<Inner> {
        let inner = Rc::new(Inner {
            machine: RefCell::new(machine),
            api_base,
            emit,
            refresh,
            requests: RefCell::default(),
            timer: RefCell::default(),
            ops: RefCell::default(),
            listener: RefCell::default(),
            driving: Cell::new(false),
            prefetched: RefCell::new(prefetched),
            stream_req: Cell::new(None),
            calls_in: Cell::new(0),
        });
        inner.listen_for_challenge();
        inner
    }

    /// Runs one input against the machine (borrow released before any output runs), then drives.
    /// `None` only if the machine were already borrowed, which no code path here allows.
    pub fn input<R>(self: &Rc<Self>, f: impl FnOnce(&mut Checkout, Millis) -> R) -> Option<R> {
        self.calls_in.set(self.calls_in.get().wrapping_add(1));
        let r = {
            let mut m = self.machine.try_borrow_mut().ok()?;
            f(&mut m, now())
        };
        self.drive();
        Some(r)
    }

    /// Registers the resolver of a page promise for `op`.
    pub fn track(&self, op: OpId, resolve: js_sys::Function) {
        self.ops.borrow_mut().insert(op.0, resolve);
    }

    /// Carries out queued outputs, then sets the one timer to the core's next deadline. Re-entrant calls
    /// (a listener calling back into the checkout) only queue; the outermost loop drains.
    pub fn drive(self: &Rc<Self>) {
        if self.driving.replace(true) {
            return;
        }
        loop {
            let out = match self.machine.try_borrow_mut() {
                Ok(mut m) => m.poll_output(),
                Err(_) => None,
            };
            let Some(out) = out else { break };
            self.run(out);
        }
        let deadline = self
            .machine
            .try_borrow()
            .ok()
            .and_then(|m| m.poll_timeout());
        self.arm(deadline);
        self.driving.set(false);
    }

    /// Keeps the timer at `deadline`: unchanged if it already is, dropped (cancelled) if there is none.
    fn arm(self: &Rc<Self>, deadline: Option<Millis>) {
        let armed = self.timer.borrow().as_ref().map(|(at, _)| *at);
        if armed == deadline {
            return;
        }
        let old = self.timer.borrow_mut().take();
        drop(old);
        let Some(at) = deadline else { return };
        let delay = at.saturating_sub(now()).min(i32::MAX as u64) as u32;
        let weak = Rc::downgrade(self);
        let timeout = Timeout::new(delay, move || {
            let Some(inner) = weak.upgrade() else { return };
            // Dropping the firing Timeout inside its own callback is fine: wasm-bindgen defers the
            // closure's destruction until the call returns. Forgetting it makes `drive` arm a new one.
            let spent = inner.timer.borrow_mut().take();
            // `Date.now()` can lag the timer's own clock by a millisecond: the deadline has come.
            inner.input(|m, now| m.handle_timeout(now.max(at)));
            drop(spent);
        });
        *self.timer.borrow_mut() = Some((at, timeout));
    }

    fn run(self: &Rc<Self>, out: Output) {
        match out {
            Output::Send { id, request } => self.send(id, request),
            Output::Abort(id) => {
                // Dropping the guard aborts the fetch; its task then reports a failure the core ignores.
                let guard = self.requests.borrow_mut().remove(&id.0);
                drop(guard);
            }
            Output::RefreshToken => self.refresh_token(),
            Output::Emit(event) => {
                let detail = event.detail_json();
                let _ = self.emit.call2(
                    &JsValue::NULL,
                    &JsValue::from_str(event.kind.name()),
                    &JsValue::from_str(&detail),
                );
            }
            Output::Settle { op, result } => {
                let json = {
                    let m = self.machine.borrow();
                    op_result_json(&result, m.intent().as_deref())
                };
                let resolve = self.ops.borrow_mut().remove(&op.0);
                if let Some(resolve) = resolve {
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(&json));
                }
            }
            Output::SettleJson { op, json } => {
                let resolve = self.ops.borrow_mut().remove(&op.0);
                if let Some(resolve) = resolve {
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(&json));
                }
            }
        }
    }

    fn send(self: &Rc<Self>, id: RequestId, request: Request) {
        let Some((guard, signal)) = AbortGuard::new() else {
            self.input(|m, now| m.handle_failure(id, now));
            return;
        };
        // `Bearer <connect token>`, or `Basic <customer secret>` for the customer's saved cards.
        let token = self
            .machine
            .borrow()
            .authorization(&request)
            .unwrap_or_default();
        self.requests.borrow_mut().insert(id.0, guard);
        if request.stream {
            self.stream_req.set(Some(id.0));
        }
        let weak = Rc::downgrade(self);
        let base = self.api_base.clone();
        let prefetched = self.take_prefetched(&request);
        spawn_local(async move {
            let result = match prefetched {
                Some(p) => fetch::response_of(p).await,
                None => fetch::send(&base, &request, &token, &signal).await,
            };
            drop(token);
            let Ok(resp) = result else {
                finish(&weak, id, |m, now| m.handle_failure(id, now));
                return;
            };
            let status = resp.status();
            if request.stream && status == 200 {
                read_stream(&weak, id, &resp).await;
                return;
            }
            let etag = fetch::header(&resp, "etag");
            let retry_after_ms = fetch::header(&resp, "retry-after")
                .as_deref()
                .and_then(crate::core::flow::wire::retry_after_ms);
            let body = fetch::text(&resp).await;
            match body {
                Ok(body) => finish(&weak, id, move |m, now| {
                    let reply = Reply {
                        status,
                        etag,
                        body,
                        retry_after_ms,
                    };
                    m.handle_reply(id, reply, now)
                }),
                Err(_) => finish(&weak, id, |m, now| m.handle_failure(id, now)),
            }
        });
    }

    /// The prefetched answer, if `request` is the plain read it was made for (used once).
    fn take_prefetched(&self, request: &Request) -> Option<js_sys::Promise> {
        let plain_read =
            request.method == Method::Get && !request.stream && request.headers.is_empty();
        let mut slot = self.prefetched.borrow_mut();
        match slot.take() {
            Some((path, p)) if plain_read && path == request.path => Some(p),
            other => {
                *slot = other;
                None
            }
        }
    }

    fn refresh_token(self: &Rc<Self>) {
        let Some(f) = self.refresh.clone() else {
            self.input(|m, now| m.handle_refreshed(None, now));
            return;
        };
        let weak = Rc::downgrade(self);
        spawn_local(async move {
            // The page's callback may throw, return a value, or return a promise.
            let value = match f.call0(&JsValue::NULL) {
                Ok(v) => match v.dyn_into::<js_sys::Promise>() {
                    Ok(p) => JsFuture::from(p).await.ok(),
                    Err(v) => Some(v),
                },
                Err(_) => None,
            };
            let parsed = value.and_then(|v| parse_token(&v));
            if let Some(inner) = weak.upgrade() {
                inner.input(move |m, now| m.handle_refreshed(parsed, now));
            }
        });
    }

    /// 3-D Secure: the challenge page posts `challenge_complete` to its parent; the core checks the
    /// origin and the challenge id.
    fn listen_for_challenge(self: &Rc<Self>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let weak: Weak<Inner> = Rc::downgrade(self);
        let closure = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(inner) = weak.upgrade() else { return };
            let data = e.data();
            let text = match data.as_string() {
                Some(s) => s,
                None => match js_sys::JSON::stringify(&data) {
                    Ok(s) => s.into(),
                    Err(_) => return,
                },
            };
            let ours = text
                .as_bytes()
                .windows(18)
                .any(|w| w == b"challenge_complete");
            if text.len() > 4096 || !ours {
                return; // not ours: skip the boundary work
            }
            let origin = e.origin();
            inner.input(move |m, now| m.handle_message(&origin, &text, now));
        });
        let target: web_sys::EventTarget = window.into();
        if target
            .add_event_listener_with_callback("message", closure.as_ref().unchecked_ref())
            .is_ok()
        {
            *self.listener.borrow_mut() = Some(Listener {
                target,
                kind: "message",
                closure,
            });
        }
    }

    /// Requests, the timer, the listener and unsettled page promises still held.
    pub fn live_resources(&self) -> u32 {
        let count = self.requests.borrow().len()
            + self.ops.borrow().len()
            + usize::from(self.timer.borrow().is_some())
            + usize::from(self.listener.borrow().is_some());
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// Aborts the open event stream and reports it as a network failure, as a dropped connection would.
    pub fn interrupt_stream(self: &Rc<Self>) -> bool {
        let Some(id) = self.stream_req.get() else {
            return false;
        };
        let guard = self.requests.borrow_mut().remove(&id);
        let Some(guard) = guard else { return false };
        drop(guard);
        self.input(|m, now| m.handle_failure(RequestId(id), now));
        true
    }

    /// `destroy()`: the core forgets everything; then every JS resource is released here.
    pub fn shut_down(self: &Rc<Self>) {
        self.input(|m, _| m.destroy());
        let requests = std::mem::take(&mut *self.requests.borrow_mut());
        drop(requests);
        let timer = self.timer.borrow_mut().take();
        drop(timer);
        let listener = self.listener.borrow_mut().take();
        drop(listener);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Guards drop with their map, the timer and the listener with their slots.
        self.machine.get_mut().destroy();
    }
}

/// Reports a finished request: disarms its abort guard first (so dropping it does not abort).
fn finish(weak: &Weak<Inner>, id: RequestId, f: impl FnOnce(&mut Checkout, Millis)) {
    let Some(inner) = weak.upgrade() else { return };
    let guard = inner.requests.borrow_mut().remove(&id.0);
    if let Some(g) = guard {
        g.disarm();
    }
    inner.input(f);
}

async fn read_stream(weak: &Weak<Inner>, id: RequestId, resp: &web_sys::Response) {
    let Some(reader) = fetch::reader_of(resp) else {
        finish(weak, id, |m, now| m.handle_failure(id, now));
        return;
    };
    match weak.upgrade() {
        Some(inner) => {
            inner.input(|m, now| m.handle_stream_open(id, now));
        }
        None => return,
    }
    loop {
        let chunk = fetch::read_chunk(&reader).await;
        let Some(inner) = weak.upgrade() else { return };
        if !inner.requests.borrow().contains_key(&id.0) {
            // Aborted by the core (terminal status, idle timeout, destroy): the abort already tore the
            // body down. No `reader.cancel()`: its promise would reject with nobody listening.
            return;
        }
        match chunk {
            Ok(Some(bytes)) => {
                inner.input(|m, now| m.handle_stream_data(id, &bytes, now));
            }
            Ok(None) => {
                drop(inner);
                finish(weak, id, |m, now| m.handle_stream_end(id, now));
                return;
            }
            Err(()) => {
                drop(inner);
                finish(weak, id, |m, now| m.handle_failure(id, now));
                return;
            }
        }
    }
}

/// `refreshToken` may resolve to the token string, or to the merchant server's JSON
/// (`{clientSessionSecret, clientSessionSecretExpirationDate}`) or `{connectToken, expiresAt}`.
pub fn parse_token(v: &JsValue) -> Option<(String, Option<Millis>)> {
    if let Some(s) = v.as_string() {
        return Some((s, None));
    }
    if !v.is_object() {
        return None;
    }
    let get = |k: &str| {
        js_sys::Reflect::get(v, &JsValue::from_str(k))
            .ok()
            .filter(|x| !x.is_undefined())
    };
    let token = get("clientSessionSecret")
        .or_else(|| get("connectToken"))?
        .as_string()?;
    let expires = get("clientSessionSecretExpirationDate").or_else(|| get("expiresAt"));
    Some((token, expires.and_then(|e| parse_time(&e))))
}

/// An ISO date string or unix milliseconds.
pub fn parse_time(v: &JsValue) -> Option<Millis> {
    let ms = match v.as_f64() {
        Some(n) => n,
        None => js_sys::Date::parse(&v.as_string()?),
    };
    (ms.is_finite() && ms > 0.0).then_some(ms as Millis)
}
