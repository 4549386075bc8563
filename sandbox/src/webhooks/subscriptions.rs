//! Dojo's webhook subscriptions: a URL, the events it wants, and signing secrets. A new secret starts
//! inactive; activating it starts a rotation in which the secrets active before stay valid for the
//! overlap (on the sandbox clock), so receivers can switch without dropping a delivery.

use serde::Serialize;

use crate::clock::{rfc3339, Millis};
use crate::store::random_id;

/// Events the sandbox sends, by model (`GET /webhooks/events`).
pub const CATALOGUE: &[(&str, &[&str])] = &[(
    "PaymentIntent",
    &["payment_intent.created", "payment_intent.status_updated"],
)];

pub const MAX_SUBSCRIPTIONS: usize = 20;
pub const MAX_SECRETS: usize = 5;

/// What a subscription request may not do, in domain terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookError {
    NotFound(&'static str),
    /// A field is wrong; `param` is its JSON path.
    Invalid {
        param: String,
        detail: String,
    },
    /// The request conflicts with what exists (same URL, too many, the last active secret).
    Conflict(String),
}

pub struct Secret {
    pub id: String,
    pub value: String,
    pub created_at: Millis,
    pub active: bool,
    /// Set when a newer secret was activated: valid until then (the rotation overlap).
    pub retires_at: Option<Millis>,
}

impl Secret {
    fn new(value: String, active: bool, now: Millis) -> Self {
        Secret {
            id: random_id("sc_", 16),
            value,
            created_at: now,
            active,
            retires_at: None,
        }
    }

    pub fn is_active(&self, now: Millis) -> bool {
        self.active && self.retires_at.map_or(true, |at| now < at)
    }
}

pub struct Subscription {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub secrets: Vec<Secret>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SecretView<'a> {
    id: &'a str,
    value: &'a str,
    created_at: String,
    is_active: bool,
}

impl Subscription {
    pub fn new(
        url: String,
        events: Vec<String>,
        description: Option<String>,
        secret: Option<String>,
        now: Millis,
    ) -> Self {
        let value = secret.unwrap_or_else(|| random_id("whsec_", 24));
        Subscription {
            id: random_id("ws_", 16),
            url,
            events,
            description,
            secrets: vec![Secret::new(value, true, now)],
            created_at: now,
            updated_at: now,
        }
    }

    pub fn wants(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }

    /// The values deliveries are signed with now.
    pub fn signing_secrets(&self, now: Millis) -> Vec<String> {
        self.secrets
            .iter()
            .filter(|s| s.is_active(now))
            .map(|s| s.value.clone())
            .collect()
    }

    fn secrets_json(&self, now: Millis) -> serde_json::Value {
        let views: Vec<SecretView<'_>> = self
            .secrets
            .iter()
            .map(|s| SecretView {
                id: &s.id,
                value: &s.value,
                created_at: rfc3339(s.created_at),
                is_active: s.is_active(now),
            })
            .collect();
        serde_json::to_value(views).unwrap_or_default()
    }

    /// Dojo's `Subscription`.
    pub fn json(&self, now: Millis) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "accountId": "acc_sandbox",
            "events": self.events,
            "url": self.url,
            "description": self.description,
            "secrets": self.secrets_json(now),
            "createdAt": rfc3339(self.created_at),
            "updatedAt": rfc3339(self.updated_at),
        })
    }

    /// Dojo's `SecretsResponse`.
    pub fn secrets_response(&self, now: Millis) -> serde_json::Value {
        serde_json::json!({"id": self.id, "secrets": self.secrets_json(now)})
    }

    pub fn generate_secret(&mut self, now: Millis) -> Result<(), WebhookError> {
        if self.secrets.len() >= MAX_SECRETS {
            return Err(WebhookError::Conflict(format!(
                "a subscription has at most {MAX_SECRETS} secrets; delete one first"
            )));
        }
        self.secrets
            .push(Secret::new(random_id("whsec_", 24), false, now));
        self.updated_at = now;
        Ok(())
    }

    /// Activates `secret`; the other active secrets stay valid for `overlap_ms` more.
    pub fn activate(
        &mut self,
        secret: &str,
        now: Millis,
        overlap_ms: Millis,
    ) -> Result<(), WebhookError> {
        if !self.secrets.iter().any(|s| s.id == secret) {
            return Err(WebhookError::NotFound("the secret"));
        }
        for s in &mut self.secrets {
            if s.id == secret {
                s.active = true;
                s.retires_at = None;
            } else if s.is_active(now) && s.retires_at.is_none() {
                s.retires_at = Some(now + overlap_ms);
            }
        }
        self.updated_at = now;
        Ok(())
    }

    pub fn delete_secret(&mut self, secret: &str, now: Millis) -> Result<(), WebhookError> {
        let i = self
            .secrets
            .iter()
            .position(|s| s.id == secret)
            .ok_or(WebhookError::NotFound("the secret"))?;
        let others_active = self
            .secrets
            .iter()
            .any(|s| s.id != secret && s.is_active(now));
        if self.secrets[i].is_active(now) && !others_active {
            return Err(WebhookError::Conflict(
                "this is the subscription's only active secret; activate another first".into(),
            ));
        }
        self.secrets.remove(i);
        self.updated_at = now;
        Ok(())
    }
}

/// Checks a subscription's fields; `None` fields are not being changed.
pub fn check(url: Option<&str>, events: Option<&[String]>) -> Result<(), WebhookError> {
    if let Some(url) = url {
        if !url_shape(url) {
            return Err(WebhookError::Invalid {
                param: "url".into(),
                detail: "`url` must be http(s)://host[:port][/path] (host of letters, digits, dots and hyphens; path of visible ASCII)".into(),
            });
        }
    }
    if let Some(events) = events {
        if events.is_empty() {
            return Err(WebhookError::Invalid {
                param: "events".into(),
                detail: "`events` must name at least one event (see GET /webhooks/events)".into(),
            });
        }
        let known = |e: &String| CATALOGUE.iter().any(|(_, es)| es.contains(&e.as_str()));
        if let Some(i) = events.iter().position(|e| !known(e)) {
            return Err(WebhookError::Invalid {
                param: format!("events.{i}"),
                detail: format!(
                    "`{}` is not an event the sandbox sends (see GET /webhooks/events)",
                    events[i]
                ),
            });
        }
    }
    Ok(())
}

/// `^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[!-~]*)?$`, at most 2048 characters (openapi.yaml's
/// `WebhookUrl`).
fn url_shape(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    url.len() <= 2048
        && !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && port.map_or(true, |p| {
            (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
        })
        && path.bytes().all(|b| (0x21..=0x7e).contains(&b))
}
