//! Static files as a CDN serves them: the demo page (`www/`) at `/`, the package (`pkg/`) at `/pkg`.
//! Brotli and gzip are written at build time (`scripts/dist.mjs`); a request gets `X.br` or `X.gz` when its
//! `Accept-Encoding` allows and the file exists, with `Content-Encoding` and `Vary: Accept-Encoding`.
//! Caching: files under `pkg/cdn/` have the version in their folder and a content hash in their name, so
//! they never change: `immutable` for a year. Everything else may change at the same URL: `no-cache`, so the
//! browser revalidates (`Last-Modified` → 304).

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;

/// Where the versioned, content-hashed layout lives, under the package folder and its URL.
pub const VERSIONED_DIR: &str = "cdn";

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

fn precompressed(dir: impl AsRef<std::path::Path>) -> ServeDir {
    ServeDir::new(dir).precompressed_br().precompressed_gzip()
}

type CacheRule = fn(&Response) -> Option<HeaderValue>;

// `if_not_present`: the innermost (most specific) folder decides. Only a file found is cached for a year:
// a 404 must not outlive the file's arrival.
fn cache(rule: CacheRule) -> SetResponseHeaderLayer<CacheRule> {
    SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, rule)
}

fn immutable(res: &Response) -> Option<HeaderValue> {
    let value = if res.status().is_success() {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    Some(HeaderValue::from_static(value))
}

fn revalidate(_: &Response) -> Option<HeaderValue> {
    Some(HeaderValue::from_static(REVALIDATE))
}

/// The longest file name (Linux `NAME_MAX`) and path we look up; nothing we serve comes near either.
const MAX_NAME_BYTES: usize = 255;
const MAX_PATH_BYTES: usize = 1024;

/// Bytes `s` stands for once percent-decoded (`%XX` is one byte; a `%` without two hex digits is itself).
fn decoded_len(s: &str) -> usize {
    let b = s.as_bytes();
    let hex = |i: usize| b.get(i).is_some_and(u8::is_ascii_hexdigit);
    let (mut i, mut n) = (0, 0);
    while i < b.len() {
        i += if b.get(i) == Some(&b'%') && hex(i + 1) && hex(i + 2) {
            3
        } else {
            1
        };
        n += 1;
    }
    n
}

/// A path no file can have is a 404 before the file system sees it: the file system refuses a NUL byte
/// or a name or path that long, and ServeDir answers its refusal with a 500 (both found by the HTTP
/// fuzz target). Lengths count `%XX` as the one byte it stands for.
async fn impossible_paths(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.contains("%00")
        || decoded_len(path) > MAX_PATH_BYTES
        || path
            .split('/')
            .any(|name| decoded_len(name) > MAX_NAME_BYTES)
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(req).await
}

pub fn router(st: &AppState) -> Router {
    let pkg = &st.config.pkg_dir;
    let versioned = Router::new()
        .fallback_service(precompressed(pkg.join(VERSIONED_DIR)))
        .layer(cache(immutable));
    let package = Router::new()
        .nest(&format!("/{VERSIONED_DIR}"), versioned)
        .fallback_service(precompressed(pkg))
        .layer(cache(revalidate));
    let site = Router::new()
        .fallback_service(precompressed(&st.config.www_dir))
        .layer(cache(revalidate));
    Router::new()
        .nest("/pkg", package)
        .merge(site)
        // Every static answer may differ by Accept-Encoding (a cache must not hand brotli to a client
        // that did not ask for it).
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        // A script or .wasm is only ever what its Content-Type says (the card frame's included).
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(middleware::from_fn(impossible_paths))
}
