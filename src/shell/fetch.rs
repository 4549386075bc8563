//! The one function that turns a core [`Request`] into a `fetch`, plus the abort guard that owns its
//! `AbortController` (dropping the guard aborts the request: that is how timeouts and `destroy()` work).

use gloo_net::http::{Method as HttpMethod, RequestBuilder, Response};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader, RequestCache};

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
    token: &str,
    signal: &AbortSignal,
) -> Result<Response, ()> {
    let mut url = String::with_capacity(base.len() + req.path.len());
    url.push_str(base);
    url.push_str(&req.path);
    let mut auth = String::with_capacity(token.len() + 7);
    auth.push_str("Bearer ");
    auth.push_str(token);
    let mut b = RequestBuilder::new(&url)
        .method(match req.method {
            Method::Get => HttpMethod::GET,
            Method::Post => HttpMethod::POST,
        })
        // Our own `If-None-Match` must reach the server; the HTTP cache must not answer for it.
        .cache(RequestCache::NoStore)
        .abort_signal(Some(signal))
        .header("Authorization", &auth);
    for (k, v) in &req.headers {
        b = b.header(k, v);
    }
    let request = match &req.body {
        Some(body) => b.body(body.as_str()),
        None => b.build(),
    }
    .map_err(|_| ())?;
    request.send().await.map_err(|_| ())
}

/// The `Response` a prefetch `fetch` promise resolves to; `Err(())` if it failed (the core retries).
pub async fn response_of(promise: js_sys::Promise) -> Result<Response, ()> {
    let value = JsFuture::from(promise).await.map_err(|_| ())?;
    let raw = value.dyn_into::<web_sys::Response>().map_err(|_| ())?;
    Ok(Response::from(raw))
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
