//! Who may call: extractors that run before the handler and answer a problem when the caller is not
//! allowed. `Merchant` (Basic secret key + Dojo's `version` header), `TestKey` (Basic secret key),
//! `Customer` (the intent's client session secret as a Bearer token, for the intent in the path).

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::problem::{ApiResult, Problem};
use crate::AppState;

pub(crate) fn auth_value<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (s, rest) = v.split_once(' ')?;
    s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// Compares digests, not the keys, so neither the time nor an early length check tells how long
/// the key is or how much of it matched.
pub(crate) fn same_key(given: &str, key: &str) -> bool {
    let (a, b) = (Sha256::digest(given), Sha256::digest(key));
    a.ct_eq(&b).into()
}

fn require_key(st: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    match auth_value(headers, "Basic") {
        Some(k) if same_key(k, &st.config.secret_key) => Ok(()),
        Some(_) => Err(Problem::unauthorized("the secret key is not valid")),
        None => Err(Problem::unauthorized(
            "send the merchant secret key as `Authorization: Basic <secret key>`",
        )),
    }
}

/// Dojo's required `version` header (yyyy-mm-dd).
fn require_version(headers: &HeaderMap) -> ApiResult<()> {
    let v = headers.get("version").and_then(|v| v.to_str().ok());
    let ok = v.is_some_and(|v| {
        let b = v.as_bytes();
        b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    });
    if ok {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "version_required",
            "Version header required",
            "send the API version as a `version: 2025-09-10` header",
        ))
    }
}

/// The merchant's server: `Authorization: Basic <secret key>` and a `version` header.
pub struct Merchant;

impl FromRequestParts<AppState> for Merchant {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> ApiResult<Self> {
        require_key(st, &parts.headers)?;
        require_version(&parts.headers)?;
        Ok(Merchant)
    }
}

/// A test driver: `Authorization: Basic <secret key>`.
pub struct TestKey;

impl FromRequestParts<AppState> for TestKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> ApiResult<Self> {
        require_key(st, &parts.headers)?;
        Ok(TestKey)
    }
}

/// The intent id in the path, as a problem when it is missing.
pub async fn path_id(parts: &mut Parts, st: &AppState) -> ApiResult<String> {
    Path::<String>::from_request_parts(parts, st)
        .await
        .map(|Path(id)| id)
        .map_err(|e| Problem::not_found(&format!("the resource ({e})")))
}

/// The page's client session secret (`Authorization: Bearer`), as a problem when it is missing.
pub fn client_secret(parts: &Parts) -> ApiResult<&str> {
    auth_value(&parts.headers, "Bearer").ok_or_else(|| {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "token_invalid",
            "Missing client session secret",
            "send the client session secret as `Authorization: Bearer <secret>`",
        )
    })
}

/// The page: `Authorization: Bearer <client session secret>` of the intent in the path.
pub struct Customer {
    pub id: String,
    /// The secret it was authorised with (a stream ends when it does).
    pub secret: String,
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> ApiResult<Self> {
        let id = path_id(parts, st).await?;
        let secret = client_secret(parts)?;
        st.store().check_secret(secret, &id, st.clock.now())?;
        Ok(Customer {
            id,
            secret: secret.to_string(),
        })
    }
}

/// The demo shop's backend routes exist only with `--demo` (`npm start` sets it); elsewhere they are
/// unknown paths.
pub struct DemoEnabled;

impl FromRequestParts<AppState> for DemoEnabled {
    type Rejection = Problem;

    async fn from_request_parts(_: &mut Parts, st: &AppState) -> ApiResult<Self> {
        if st.config.demo {
            Ok(DemoEnabled)
        } else {
            Err(Problem::not_found(
                "this path (the demo routes need --demo)",
            ))
        }
    }
}

/// The origin the client used, for URLs handed back to it (the 3-D Secure challenge).
pub struct BaseUrl(pub String);

impl FromRequestParts<AppState> for BaseUrl {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> ApiResult<Self> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            });
        // The guard has checked `Host`: it names this server or its public origin.
        let public = st.config.public_origin.as_ref().filter(|o| {
            host.is_some_and(|h| {
                o.split_once("://")
                    .is_some_and(|(_, oh)| oh.eq_ignore_ascii_case(h))
            })
        });
        Ok(BaseUrl(match (public, host, st.bound.get()) {
            (Some(o), _, _) => o.clone(),
            (None, Some(h), _) => format!("http://{h}"),
            (None, None, Some(a)) => format!("http://{a}"),
            (None, None, None) => "http://127.0.0.1".into(),
        }))
    }
}
