//! The one function that turns a core [`Request`] into a `fetch`, plus the abort guard that owns its
//! `AbortController` (dropping the guard aborts the request: that is how timeouts and `destroy()` work).
//! Straight on web-sys: gloo-net (and the `http` crate behind it) cost 2.6 KB brotli of wasm and glue for
//! the four calls used here (measured with scripts/sizes.mjs, 2026-11-30).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, Headers, ReadableStreamDefaultReader, RequestCache, RequestInit,
    Response,
};

use crate::core::flow::{Method, Request};

/// Owns one request's `AbortController`; aborts it on drop unless the request already finished.
pub struct AbortGuard(Option<AbortController>);

impl AbortGuard {
    pub fn new() -> Option<(AbortGuard, AbortSignal)> {
        let c = AbortController::new().ok()?;
        let signal = c.signal();
        Some((AbortGuard(Some(c)), signal))
    }

    /// The request completed: nothing to abort.
    pub fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

/// Sends `req` to `base + req.path`, adding `Authorization: Bearer <token>` (the token never goes into
/// the URL). `Err(())` means no HTTP answer (network, CORS, abort); any status is an `Ok`.
pub async fn send(
    base: &str,
    req: &Request,
    authorization: &str,
    signal: &AbortSignal,
) -> Result<Response, ()> {
    let mut url = String::with_capacity(base.len() + req.path.len());
    url.push_str(base);
    url.push_str(&req.path);
    let headers = Headers::new().map_err(|_| ())?;
    headers
        .set("Authorization", authorization)
        .map_err(|_| ())?;
    for (k, v) in &req.headers {
        headers.set(k, v).map_err(|_| ())?;
    }
    let init = RequestInit::new();
    init.set_method(match req.method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Delete => "DELETE",
    });
    init.set_headers(&headers);
    // Our own `If-None-Match` must reach the server; the HTTP cache must not answer for it.
    init.set_cache(RequestCache::NoStore);
    init.set_signal(Some(signal));
    if let Some(body) = &req.body {
        init.set_body(&JsValue::from_str(body));
    }
    let window = web_sys::window().ok_or(())?;
    response_of(window.fetch_with_str_and_init(&url, &init)).await
}

/// The `Response` a `fetch` promise resolves to; `Err(())` if it rejected.
pub async fn response_of(promise: js_sys::Promise) -> Result<Response, ()> {
    let value = JsFuture::from(promise).await.map_err(|_| ())?;
    value.dyn_into::<Response>().map_err(|_| ())
}

/// The whole body as text; `Err(())` if reading it failed.
pub async fn text(resp: &Response) -> Result<String, ()> {
    let promise = resp.text().map_err(|_| ())?;
    let value = JsFuture::from(promise).await.map_err(|_| ())?;
    value.as_string().ok_or(())
}

/// A header's value, if present.
pub fn header(resp: &Response, name: &str) -> Option<String> {
    resp.headers().get(name).ok().flatten()
}

/// Reads one chunk of a streamed body: `Ok(Some(bytes))`, `Ok(None)` at the end, `Err` on failure/abort.
pub async fn read_chunk(reader: &ReadableStreamDefaultReader) -> Result<Option<Vec<u8>>, ()> {
    let r = JsFuture::from(reader.read()).await.map_err(|_| ())?;
    let done = js_sys::Reflect::get(&r, &"done".into()).map_err(|_| ())?;
    if done.as_bool() == Some(true) {
        return Ok(None);
    }
    let value = js_sys::Reflect::get(&r, &"value".into()).map_err(|_| ())?;
    let bytes = value.dyn_into::<js_sys::Uint8Array>().map_err(|_| ())?;
    Ok(Some(bytes.to_vec()))
}

pub fn reader_of(resp: &Response) -> Option<ReadableStreamDefaultReader> {
    resp.body()?.get_reader().dyn_into().ok()
}
