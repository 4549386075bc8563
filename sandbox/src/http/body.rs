//! JSON request bodies: parsed into an object, read field by field, and every failure names its field
//! as a dotted JSON path (`param`).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use serde_json::{Map, Value};

use super::problem::{ApiResult, Problem};
use crate::lifecycle::{self, CaptureMode, Dialect, CURRENCIES, MAX_AMOUNT, MAX_PART};
use crate::AppState;

/// Parses a JSON object body; an empty body is `{}` when `optional`.
pub fn json_object(body: &Bytes, optional: bool) -> ApiResult<Map<String, Value>> {
    if optional && body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Problem::invalid_json(
            "the request body must be a JSON object",
        )),
        Err(e) => Err(Problem::invalid_json(format!(
            "the request body is not valid JSON: {e}"
        ))),
    }
}

/// The body of a POST, which must say `Content-Type: application/json` (even when empty): a browser
/// cannot send that cross-site without a CORS preflight, which only allowed origins pass. (The guard
/// layer has already read the body, within `--max-body-bytes`.) Only handlers of POST routes take it,
/// so a method a path does not have is still a 405.
pub struct JsonBody(pub Bytes);

impl FromRequest<AppState> for JsonBody {
    type Rejection = Problem;

    async fn from_request(req: Request, _: &AppState) -> ApiResult<Self> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "JSON required",
                "send `Content-Type: application/json` with every POST (even an empty one)",
            ));
        }
        axum::body::to_bytes(req.into_body(), usize::MAX)
            .await
            .map(JsonBody)
            .map_err(|e| Problem::invalid_json(format!("the request body could not be read: {e}")))
    }
}

/// `application/json`, with or without parameters (`; charset=utf-8`).
fn is_json(value: Option<&HeaderValue>) -> bool {
    value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// A POST with nothing to say: an empty body or `{}` (the POST is still JSON, so browsers preflight it).
pub fn no_fields(body: &Bytes) -> ApiResult<()> {
    let obj = json_object(body, true)?;
    Fields::new(&obj, "").only(&[])
}

/// Typed field access that names the field (`param`) when it is wrong.
pub struct Fields<'a> {
    pub obj: &'a Map<String, Value>,
    pub prefix: String,
}

impl<'a> Fields<'a> {
    pub fn new(obj: &'a Map<String, Value>, prefix: &str) -> Self {
        Fields {
            obj,
            prefix: prefix.to_string(),
        }
    }

    pub fn path(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn invalid(&self, key: &str, detail: impl Into<String>) -> Problem {
        Problem::invalid(&self.path(key), detail)
    }

    pub fn only(&self, allowed: &[&str]) -> ApiResult<()> {
        match self.obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(self.invalid(k, format!("unknown field `{}`", self.path(k)))),
            None => Ok(()),
        }
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    /// A field that must be there.
    pub fn required<T>(&self, key: &str, value: Option<T>) -> ApiResult<T> {
        value.ok_or_else(|| self.invalid(key, format!("`{}` is required", self.path(key))))
    }

    pub fn str(&self, key: &str, max: usize) -> ApiResult<Option<&'a str>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s)),
            Some(Value::String(_)) => Err(self.invalid(
                key,
                format!("`{}` must be at most {max} characters", self.path(key)),
            )),
            Some(_) => Err(self.invalid(key, format!("`{}` must be a string", self.path(key)))),
        }
    }

    pub fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => {
                Err(self.invalid(key, format!("`{}` must be true or false", self.path(key))))
            }
        }
    }

    /// An integer in `min..=MAX_AMOUNT` (no strings; `12.0` is an integer, as JSON Schema says).
    pub fn int(&self, key: &str, min: i64) -> ApiResult<Option<i64>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match whole(n) {
                Some(v) if (min..=MAX_AMOUNT).contains(&v) => Ok(Some(v)),
                None if n.is_f64() && !n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
                    Err(self.invalid(key, format!("`{}` must be a whole number", self.path(key))))
                }
                _ => Err(self.invalid(
                    key,
                    format!(
                        "`{}` must be between {min} and {MAX_AMOUNT}",
                        self.path(key)
                    ),
                )),
            },
            Some(_) => Err(self.invalid(key, format!("`{}` must be a number", self.path(key)))),
        }
    }

    pub fn object(&self, key: &str) -> ApiResult<Option<Fields<'a>>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Fields::new(m, &format!("{}.", self.path(key))))),
            Some(_) => Err(self.invalid(key, format!("`{}` must be an object", self.path(key)))),
        }
    }

    /// An amount or a tip: an integer in `min..=MAX_PART`.
    pub fn part(&self, key: &str, min: i64) -> ApiResult<Option<i64>> {
        match self.int(key, min)? {
            Some(v) if v > MAX_PART => Err(self.invalid(
                key,
                format!("`{}` must be between {min} and {MAX_PART}", self.path(key)),
            )),
            v => Ok(v),
        }
    }

    /// Dojo's `Money {value, currencyCode}` for an amount or a tip (`value` in `min..=MAX_PART`).
    pub fn money(&self, key: &str, min: i64) -> ApiResult<Option<(i64, &'static str)>> {
        let Some(m) = self.object(key)? else {
            return Ok(None);
        };
        m.only(&["value", "currencyCode"])?;
        let value = m.required("value", m.part("value", min)?)?;
        let code = m.required("currencyCode", m.str("currencyCode", 10)?)?;
        Ok(Some((value, currency(code, &m.path("currencyCode"))?)))
    }

    /// `Auto` (the default) or `Manual`.
    pub fn capture_mode(&self, key: &str) -> ApiResult<CaptureMode> {
        match self.str(key, 10)? {
            None | Some("Auto") => Ok(CaptureMode::Auto),
            Some("Manual") => Ok(CaptureMode::Manual),
            Some(_) => {
                Err(self.invalid(key, format!("`{}` must be Auto or Manual", self.path(key))))
            }
        }
    }

    /// A dialect name; `default` when absent, null or empty.
    pub fn dialect(&self, key: &str, default: Dialect) -> ApiResult<Dialect> {
        match self.str(key, 10)?.filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(d) => Dialect::from_name(d).ok_or_else(|| {
                self.invalid(
                    key,
                    format!("`{}` must be dojo, stripe or setel", self.path(key)),
                )
            }),
        }
    }
}

/// The number as an `i64` when it is a whole number in range, whether written `12` or `12.0`.
pub fn whole(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
            .map(|f| f as i64)
    })
}

/// A supported currency, or 422 `unsupported_currency` naming `param`.
pub fn currency(code: &str, param: &str) -> ApiResult<&'static str> {
    lifecycle::currency(code).ok_or_else(|| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported_currency",
            "Unsupported currency",
            format!(
                "the sandbox accepts {}; `{code}` is not one of them",
                CURRENCIES.join(", ")
            ),
        )
        .with("param", param)
    })
}
