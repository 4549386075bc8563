//! Webhooks: every status change is posted to `--webhook-url` as `{id, type, createdAt, data}`, signed
//! `Intent-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, retried with backoff.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::clock::rfc3339;

pub struct Webhooks {
    pub url: Option<String>,
    pub secret: String,
    pub max_attempts: u32,
    pub backoff_ms: u64,
    log: Mutex<Vec<Value>>,
    seq: Mutex<u64>,
    http: reqwest::Client,
}

pub fn sign(secret: &str, t: u64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key"); // ok: any key length is valid
    mac.update(format!("{t}.{body}").as_bytes());
    let bytes = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(64);
    for b in bytes {
        hex.push_str(&format!("{b:02x}"));
    }
    format!("t={t},v1={hex}")
}

impl Webhooks {
    pub fn new(url: Option<String>, secret: String, max_attempts: u32, backoff_ms: u64) -> Self {
        Webhooks {
            url,
            secret,
            max_attempts: max_attempts.max(1),
            backoff_ms,
            log: Mutex::new(Vec::new()),
            seq: Mutex::new(0),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .user_agent("intent-sandbox")
                .build()
                .unwrap_or_default(),
        }
    }

    pub fn clear_log(&self) {
        if let Ok(mut log) = self.log.lock() {
            log.clear();
        }
    }

    pub fn deliveries(&self) -> Value {
        let log = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        json!({"url": self.url, "deliveries": log})
    }

    /// Builds the event and delivers it in the background; returns at once.
    pub fn emit(self: &std::sync::Arc<Self>, event_type: &str, at: i64, data: Value) {
        let Some(url) = self.url.clone() else { return };
        let n = match self.seq.lock() {
            Ok(mut s) => {
                *s += 1;
                *s
            }
            Err(_) => return,
        };
        let id = format!("evt_sandbox_{n:08}");
        let body = json!({"id": id, "type": event_type, "createdAt": rfc3339(at), "data": data})
            .to_string();
        let this = self.clone();
        tokio::spawn(async move { this.deliver(url, id, body).await });
    }

    /// One attempt: the receiver's status code, or why there was none.
    async fn post(&self, url: &str, body: &str, signature: &str) -> Result<u16, String> {
        let res = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("intent-signature", signature)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        Ok(res.status().as_u16())
    }

    async fn deliver(&self, url: String, id: String, body: String) {
        for attempt in 1..=self.max_attempts {
            let t = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let signature = sign(&self.secret, t, &body);
            let result = self.post(&url, &body, &signature).await;
            let ok = matches!(result, Ok(code) if (200..300).contains(&code));
            let retry_in = (!ok && attempt < self.max_attempts)
                .then(|| self.backoff_ms.saturating_mul(1 << (attempt - 1).min(20)));
            if let Ok(mut log) = self.log.lock() {
                log.push(json!({
                    "eventId": id,
                    "attempt": attempt,
                    "url": url,
                    "statusCode": result.as_ref().ok(),
                    "error": result.as_ref().err(),
                    "succeeded": ok,
                    "signature": signature,
                    "nextRetryInMs": retry_in,
                    "body": body,
                }));
            }
            match retry_in {
                Some(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
                None => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_matches_a_known_vector() {
        // HMAC-SHA256("key", "1.{}") computed independently with Python's hmac module.
        let s = super::sign("key", 1, "{}");
        assert_eq!(
            s,
            "t=1,v1=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
    }
}
