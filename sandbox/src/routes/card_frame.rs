//! The isolated card fields' page, served from the API's origin like a provider's hosted fields:
//! `GET /card-frame/v1?origin=<merchant origin>`. Its one script is the build's versioned, content-hashed
//! `card-frame.js` (named with its integrity in `pkg/integrity.json`, served immutable under `/pkg/cdn/`),
//! with a `Link` preload of that script's `.wasm`, pinned the same way.
//!
//! The merchant origin in the query is not a secret: it is checked against the allowed frame ancestors
//! (`--frame-ancestor`, default local pages) and becomes the page's only `frame-ancestors` and the only
//! `targetOrigin` the frame posts to. Nothing else travels in the URL: the intent and its token arrive
//! over a `MessageChannel` after the handshake (see `src/core/card_frame.rs`).
//!
//! Headers: a strict CSP without `unsafe-inline` (`default-src 'none'`; scripts and fetches from this
//! origin only; the `.wasm` needs `'wasm-unsafe-eval'`; Trusted Types required, so no HTML sink can be
//! used), `nosniff`, `Referrer-Policy: no-referrer`, never a cookie.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::http::layers::origin_matches;
use crate::AppState;

/// The frame protocol version this page speaks (the path's `v1`).
pub const PROTOCOL: u32 = 1;

#[derive(Deserialize)]
pub struct FrameQuery {
    origin: Option<String>,
}

/// A versioned file's path under `/pkg` and its integrity, from the build's `integrity.json`
/// (`card-frame.js`, the frame's script; `card_fields_bg.wasm`, the module it loads).
fn pinned(manifest: &serde_json::Value, file: &str) -> Option<(String, String)> {
    let path = manifest["versioned"][file].as_str()?;
    let integrity = manifest["files"][path].as_str()?;
    let plain = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/+=".contains(&b))
    };
    (path.starts_with("cdn/")
        && !path.contains("..")
        && plain(path)
        && integrity.starts_with("sha384-")
        && plain(integrity))
    .then(|| (path.to_string(), integrity.to_string()))
}

/// The frame's files: the `<script>` tag its page loads and, when the build names it, a `Link` header
/// preloading that script's `.wasm`, so the module downloads alongside the script (from the response's
/// headers on) instead of after the script has run. A header, not a `<link>`: the page holds no element
/// but its script.
struct Files {
    script: String,
    preload: Option<String>,
}

fn files(st: &AppState) -> Option<Files> {
    let text = std::fs::read_to_string(st.config.pkg_dir.join("integrity.json")).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    let (script, integrity) = pinned(&manifest, "card-frame.js")?;
    // card-frame.js fetches it as `new Request(url, {integrity})` (CORS mode, same-origin credentials),
    // which `crossorigin` matches, and checks its integrity then. No `integrity` here: Chromium ignores it
    // on a fetch preload and says so in the console, which must stay clean.
    let preload = pinned(&manifest, "card_fields_bg.wasm")
        .map(|(wasm, _)| format!("</pkg/{wasm}>; rel=preload; as=fetch; crossorigin"));
    Some(Files {
        script: format!("<script src=\"/pkg/{script}\" integrity=\"{integrity}\" defer></script>"),
        preload,
    })
}

fn headers(res: &mut Response, csp: &str) {
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
}

fn html(status: StatusCode, body: String, csp: &str) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers(&mut res, csp);
    res
}

fn refused(status: StatusCode, why: &str) -> Response {
    html(
        status,
        format!("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Card fields unavailable</title></head><body><p>{why}</p></body></html>"),
        "default-src 'none'; frame-ancestors 'none'",
    )
}

/// The page's CSP, with `frame-ancestors` limited to the one merchant origin that asked for it.
pub fn page_csp(ancestor: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; \
         style-src 'self'; base-uri 'none'; form-action 'none'; \
         require-trusted-types-for 'script'; trusted-types 'none'; frame-ancestors {ancestor}"
    )
}

/// `GET /card-frame/v1?origin=…`
pub async fn page(
    State(st): State<AppState>,
    q: Result<Query<FrameQuery>, QueryRejection>,
) -> Response {
    // A query that does not parse (a repeated `origin`, say) names no origin either.
    let origin = q.ok().and_then(|Query(q)| q.origin);
    let Some(origin) = origin.filter(|o| is_origin(o)) else {
        return refused(
            StatusCode::BAD_REQUEST,
            "The card fields need the embedding page's origin.",
        );
    };
    let allowed = st
        .config
        .frame_ancestor_patterns()
        .iter()
        .any(|p| origin_matches(p, &origin));
    if !allowed {
        return refused(
            StatusCode::FORBIDDEN,
            "This page may not show the card fields (its origin is not an allowed frame ancestor).",
        );
    }
    let Some(Files { script, preload }) = files(&st) else {
        return refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "The card fields are not built (run npm run build).",
        );
    };
    // `origin` is a plain origin (checked above: no quotes, spaces or angle brackets).
    let mut res = html(
        StatusCode::OK,
        format!(
            r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Card details</title>
{script}
</head><body><main id="card-fields" data-parent-origin="{origin}" data-protocol="{PROTOCOL}"></main></body></html>
"#,
        ),
        &page_csp(&origin),
    );
    if let Some(v) = preload.and_then(|p| HeaderValue::from_str(&p).ok()) {
        res.headers_mut().insert(header::LINK, v);
    }
    res
}

/// `http(s)://host[:port]` with nothing else: safe to write into a CSP header and an HTML attribute.
fn is_origin(o: &str) -> bool {
    let Some(rest) = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))
    else {
        return false;
    };
    !rest.is_empty()
        && o.len() <= 200
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_plain() {
        assert!(is_origin("http://localhost:4242"));
        assert!(is_origin("https://shop.example"));
        for bad in [
            "localhost:4242",
            "http://",
            "http://a b",
            "http://a\"><script>",
            "http://a;frame-ancestors *",
            "javascript:alert(1)",
            "http://a/path",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }
}
