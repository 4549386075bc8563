//! The isolated card fields' page, served from the API's origin like a provider's hosted fields:
//! `GET /card-frame/v1?origin=<merchant origin>` and its versioned assets under `/card-frame/v1/`.
//!
//! The merchant origin in the query is not a secret: it is checked against the allowed frame ancestors
//! (`--frame-ancestor`, default local pages) and becomes the page's only `frame-ancestors` and the only
//! `targetOrigin` the frame posts to. Nothing else travels in the URL: the intent and its token arrive
//! over a `MessageChannel` after the handshake (see `src/core/card_frame.rs`).
//!
//! Headers: a strict CSP without `unsafe-inline` (`default-src 'none'`; scripts and fetches from this
//! origin only; the `.wasm` needs `'wasm-unsafe-eval'`; Trusted Types required, so no HTML sink can be
//! used), `nosniff`, `Referrer-Policy: no-referrer`, never a cookie. The assets' names carry a hash of
//! their content (the build's `card-frame.json` names them), so they are served as immutable.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::http::layers::origin_matches;
use crate::http::Problem;
use crate::AppState;

/// The frame protocol version this page speaks (the path's `v1`).
pub const PROTOCOL: u32 = 1;

#[derive(Deserialize)]
pub struct FrameQuery {
    origin: Option<String>,
}

/// What the build wrote into `pkg/card-frame.json`.
#[derive(Deserialize)]
struct Manifest {
    script: String,
    integrity: String,
}

fn manifest(st: &AppState) -> Option<Manifest> {
    let text = std::fs::read_to_string(st.config.pkg_dir.join("card-frame.json")).ok()?;
    let m: Manifest = serde_json::from_str(&text).ok()?;
    (asset_name(&m.script) && m.integrity.starts_with("sha384-")).then_some(m)
}

/// `card-frame.<hex>.js` or `.wasm`: the only files the asset route serves.
fn asset_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("card-frame.") else {
        return false;
    };
    let Some((hash, ext)) = rest.split_once('.') else {
        return false;
    };
    (8..=64).contains(&hash.len())
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && matches!(ext, "js" | "wasm")
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
pub async fn page(State(st): State<AppState>, Query(q): Query<FrameQuery>) -> Response {
    let Some(origin) = q.origin.filter(|o| is_origin(o)) else {
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
    let Some(m) = manifest(&st) else {
        return refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "The card fields are not built (run npm run build).",
        );
    };
    // `origin` is a plain origin (checked above: no quotes, spaces or angle brackets).
    html(
        StatusCode::OK,
        format!(
            r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Card details</title>
<script src="/card-frame/v{PROTOCOL}/{script}" integrity="{integrity}" defer></script>
</head><body><main id="card-fields" data-parent-origin="{origin}" data-protocol="{PROTOCOL}"></main></body></html>
"#,
            script = m.script,
            integrity = m.integrity,
        ),
        &page_csp(&origin),
    )
}

/// `GET /card-frame/v1/{file}`: the frame's hashed script and `.wasm`.
pub async fn asset(
    State(st): State<AppState>,
    Path(file): Path<String>,
    req_headers: HeaderMap,
) -> Response {
    let missing = || Problem::not_found("the file").into_response();
    if !asset_name(&file) {
        return missing();
    }
    let Ok(bytes) = tokio::fs::read(st.config.pkg_dir.join(&file)).await else {
        return missing();
    };
    let etag = format!("\"{file}\"");
    let fresh = req_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        bytes.into_response()
    };
    let h = res.headers_mut();
    let kind = if file.ends_with(".wasm") {
        "application/wasm"
    } else {
        "text/javascript; charset=utf-8"
    };
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    // The name changes with the content, so it never needs revalidating.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    // Only the frame (this origin) loads these.
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers(&mut res, "default-src 'none'");
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
    fn only_hashed_frame_assets_are_served() {
        assert!(asset_name("card-frame.0123abcd.js"));
        assert!(asset_name("card-frame.0123abcdef.wasm"));
        for bad in [
            "card-frame.js",
            "card-frame.xyz12345.js",
            "card-frame.0123abcd.html",
            "../card-frame.0123abcd.js",
            "intent_checkout_bg.wasm",
            "card-frame.0123abcd.js/..",
        ] {
            assert!(!asset_name(bad), "{bad}");
        }
    }

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
