use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, EventTarget};

/// The SDK version compiled into this module.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    crate::VERSION.to_string()
}

/// Announces that the wasm module is loaded by dispatching `ready` on `target`.
#[wasm_bindgen(js_name = announceReady)]
pub fn announce_ready(target: &EventTarget) -> Result<bool, JsValue> {
    let detail = js_sys::Object::new();
    js_sys::Reflect::set(&detail, &"version".into(), &crate::VERSION.into())?;
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    init.set_bubbles(true);
    init.set_composed(true);
    let event = CustomEvent::new_with_event_init_dict("ready", &init)?;
    target.dispatch_event(&event)
}
