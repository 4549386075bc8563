//! JSON request bodies: parsed into an object, read field by field, and every failure names its field
//! as a dotted JSON path (`param`).

use axum::body::Bytes;
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::problem::{ApiResult, Problem};
use crate::lifecycle::{self, CaptureMode, Dialect, CURRENCIES, MAX_AMOUNT};

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

    /// An integer in `min..=MAX_AMOUNT` (no floats, no strings).
    pub fn int(&self, key: &str, min: i64) -> ApiResult<Option<i64>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(v) if (min..=MAX_AMOUNT).contains(&v) => Ok(Some(v)),
                Some(_) | None if n.is_f64() => {
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

    /// Dojo's `Money {value, currencyCode}`.
    pub fn money(&self, key: &str, min: i64) -> ApiResult<Option<(i64, &'static str)>> {
        let Some(m) = self.object(key)? else {
            return Ok(None);
        };
        m.only(&["value", "currencyCode"])?;
        let value = m.required("value", m.int("value", min)?)?;
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

    /// A dialect name; `default` when absent or blank.
    pub fn dialect(&self, key: &str, default: Dialect) -> ApiResult<Dialect> {
        match self.str(key, 10)?.filter(|s| !s.trim().is_empty()) {
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
