//! Browser layer smoke test: the wasm module runs in Chromium and dispatches `ready` from Rust.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn announce_ready_dispatches_a_bubbling_ready_event_with_the_version() {
    let target = web_sys::EventTarget::new().expect("EventTarget");
    let seen: Rc<RefCell<Option<web_sys::CustomEvent>>> = Rc::default();
    let sink = seen.clone();
    let listener =
        Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e| *sink.borrow_mut() = Some(e));
    target
        .add_event_listener_with_callback("ready", listener.as_ref().unchecked_ref())
        .expect("listener");

    intent_checkout::announce_ready(&target).expect("dispatch");

    let event = seen
        .borrow_mut()
        .take()
        .expect("`ready` was dispatched synchronously");
    assert!(event.bubbles() && event.composed());
    let version = js_sys::Reflect::get(&event.detail(), &"version".into()).expect("detail.version");
    assert_eq!(
        version.as_string().as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
}
