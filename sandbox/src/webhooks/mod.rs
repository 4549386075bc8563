//! Webhooks as Dojo has them: subscriptions (`subscriptions.rs`) receive the events they name, posted
//! as `{id, type, createdAt, data}` and signed
//! `Intent-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` with every active secret
//! (two `v1` during a rotation). Failed attempts are retried with doubling backoff on the sandbox
//! clock, so a test advances the clock instead of sleeping; every attempt is logged for
//! `/test/webhook-deliveries`.

pub mod subscriptions;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::Notify;

use crate::clock::{rfc3339, Clock, Millis};
use subscriptions::{Subscription, WebhookError};

/// Delivery attempts kept for `/test/webhook-deliveries` (the oldest are dropped beyond it).
const LOG_CAP: usize = 10_000;

pub fn sign(secrets: &[String], t: u64, body: &str) -> String {
    let mut header = format!("t={t}");
    for secret in secrets {
        // ok: HMAC takes a key of any length.
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
        mac.update(format!("{t}.{body}").as_bytes());
        header.push_str(",v1=");
        for b in mac.finalize().into_bytes() {
            header.push_str(&format!("{b:02x}"));
        }
    }
    header
}

/// One event on its way to one subscription.
struct Attempt {
    event_id: String,
    subscription: String,
    body: String,
    number: u32,
}

#[derive(Default)]
struct State {
    subscriptions: BTreeMap<String, Subscription>,
    queue: BTreeMap<(Millis, u64), Attempt>,
    log: VecDeque<Value>,
    seq: u64,
    in_flight: usize,
}

pub struct Webhooks {
    clock: Arc<Clock>,
    max_attempts: u32,
    backoff_ms: u64,
    /// How long secrets active before a rotation stay valid.
    overlap_ms: Millis,
    state: Mutex<State>,
    idle: Notify,
    http: reqwest::Client,
}

impl Webhooks {
    pub fn new(clock: Arc<Clock>, max_attempts: u32, backoff_ms: u64) -> Self {
        Webhooks {
            clock,
            max_attempts: max_attempts.max(1),
            backoff_ms,
            overlap_ms: 24 * 3_600_000,
            state: Mutex::default(),
            idle: Notify::new(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .user_agent("intent-sandbox")
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One line per subscription for the start-up banner: id and URL, never the secret.
    pub fn describe(&self) -> Vec<String> {
        self.state()
            .subscriptions
            .values()
            .map(|s| format!("webhooks: {} -> {}", s.id, s.url))
            .collect()
    }

    /// Forgets deliveries and the log (`/test/reset`); subscriptions stay, like the server's flags.
    pub fn reset(&self) {
        let mut st = self.state();
        st.queue.clear();
        st.log.clear();
    }

    // ----- subscriptions -----

    pub fn subscribe(&self, sub: Subscription) -> Result<Value, WebhookError> {
        let mut st = self.state();
        if st.subscriptions.len() >= subscriptions::MAX_SUBSCRIPTIONS {
            return Err(WebhookError::Conflict(format!(
                "at most {} subscriptions",
                subscriptions::MAX_SUBSCRIPTIONS
            )));
        }
        if st.subscriptions.values().any(|s| s.url == sub.url) {
            return Err(WebhookError::Conflict(
                "a subscription to this URL exists; update it instead".into(),
            ));
        }
        let v = sub.json(self.clock.now());
        st.subscriptions.insert(sub.id.clone(), sub);
        Ok(v)
    }

    pub fn list(&self) -> Value {
        let now = self.clock.now();
        Value::Array(
            self.state()
                .subscriptions
                .values()
                .map(|s| s.json(now))
                .collect(),
        )
    }

    /// Runs `f` on one subscription (with the sandbox clock's now).
    pub fn with<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut Subscription, Millis) -> Result<T, WebhookError>,
    ) -> Result<T, WebhookError> {
        let now = self.clock.now();
        let mut st = self.state();
        let sub = st
            .subscriptions
            .get_mut(id)
            .ok_or(WebhookError::NotFound("the subscription"))?;
        f(sub, now)
    }

    /// Changes URL, events or description; a URL another subscription has is a conflict.
    pub fn update(
        &self,
        id: &str,
        url: Option<String>,
        events: Option<Vec<String>>,
        description: Option<Option<String>>,
    ) -> Result<Value, WebhookError> {
        let now = self.clock.now();
        let mut st = self.state();
        if let Some(u) = &url {
            if st.subscriptions.values().any(|s| &s.url == u && s.id != id) {
                return Err(WebhookError::Conflict(
                    "another subscription has this URL".into(),
                ));
            }
        }
        let sub = st
            .subscriptions
            .get_mut(id)
            .ok_or(WebhookError::NotFound("the subscription"))?;
        if let Some(u) = url {
            sub.url = u;
        }
        if let Some(e) = events {
            sub.events = e;
        }
        if let Some(d) = description {
            sub.description = d;
        }
        sub.updated_at = now;
        Ok(sub.json(now))
    }

    pub fn unsubscribe(&self, id: &str) -> Result<(), WebhookError> {
        let mut st = self.state();
        st.subscriptions
            .remove(id)
            .ok_or(WebhookError::NotFound("the subscription"))?;
        st.queue.retain(|_, a| a.subscription != id);
        Ok(())
    }

    pub fn overlap_ms(&self) -> Millis {
        self.overlap_ms
    }

    // ----- deliveries -----

    /// Queues `event_type` for every subscription that wants it; `deliver_due` sends it.
    /// Returns whether anything was queued.
    pub fn emit(&self, event_type: &str, at: Millis, data: Value) -> bool {
        let mut st = self.state();
        let wanting: Vec<String> = st
            .subscriptions
            .values()
            .filter(|s| s.wants(event_type))
            .map(|s| s.id.clone())
            .collect();
        if wanting.is_empty() {
            return false;
        }
        st.seq += 1;
        let event_id = format!("evt_sandbox_{:08}", st.seq);
        let body =
            json!({"id": event_id, "type": event_type, "createdAt": rfc3339(at), "data": data})
                .to_string();
        for subscription in wanting {
            st.seq += 1;
            let key = (self.clock.now(), st.seq);
            st.queue.insert(
                key,
                Attempt {
                    event_id: event_id.clone(),
                    subscription,
                    body: body.clone(),
                    number: 1,
                },
            );
        }
        true
    }

    /// Whether an attempt is due on the sandbox clock.
    pub fn has_due(&self) -> bool {
        let now = self.clock.now();
        self.state()
            .queue
            .keys()
            .next()
            .is_some_and(|(at, _)| *at <= now)
    }

    /// Sends every attempt due now (retries that fall due meanwhile too) and records the outcomes.
    pub async fn deliver_due(&self) {
        loop {
            let now = self.clock.now();
            let batch: Vec<(Attempt, String, Vec<String>)> = {
                let mut st = self.state();
                let mut batch = Vec::new();
                while let Some(entry) = st.queue.first_entry() {
                    if entry.key().0 > now {
                        break;
                    }
                    batch.push(entry.remove());
                }
                let batch: Vec<_> = batch
                    .into_iter()
                    .filter_map(|a| {
                        let sub = st.subscriptions.get(&a.subscription)?;
                        Some((a, sub.url.clone(), sub.signing_secrets(now)))
                    })
                    .collect();
                st.in_flight += batch.len();
                batch
            };
            if batch.is_empty() {
                return;
            }
            let sends = batch.into_iter().map(|(a, url, secrets)| async move {
                let t = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                let signature = sign(&secrets, t, &a.body);
                let result = self.post(&url, &a.body, &signature).await;
                (a, url, signature, result)
            });
            let results = futures_util::future::join_all(sends).await;
            let now = self.clock.now();
            let mut st = self.state();
            for (a, url, signature, result) in results {
                let ok = matches!(result, Ok(code) if (200..300).contains(&code));
                let retry_in = (!ok && a.number < self.max_attempts)
                    .then(|| self.backoff_ms.saturating_mul(1 << (a.number - 1).min(20)));
                st.log.push_back(json!({
                    "eventId": a.event_id,
                    "subscriptionId": a.subscription,
                    "attempt": a.number,
                    "url": url,
                    "statusCode": result.as_ref().ok(),
                    "error": result.as_ref().err(),
                    "succeeded": ok,
                    "signature": signature,
                    "nextRetryInMs": retry_in,
                    "nextRetryAt": retry_in.map(|ms| rfc3339(now + ms as Millis)),
                    "body": a.body,
                }));
                while st.log.len() > LOG_CAP {
                    st.log.pop_front();
                }
                if let Some(ms) = retry_in {
                    st.seq += 1;
                    let key = (now + ms as Millis, st.seq);
                    st.queue.insert(
                        key,
                        Attempt {
                            number: a.number + 1,
                            ..a
                        },
                    );
                }
                st.in_flight -= 1;
            }
            drop(st);
            self.idle.notify_waiters();
        }
    }

    /// Resolves once no attempt is being sent (by this or any other task).
    pub async fn idle(&self) {
        loop {
            let notified = self.idle.notified();
            if self.state().in_flight == 0 {
                return;
            }
            notified.await;
        }
    }

    pub fn deliveries(&self) -> Value {
        let st = self.state();
        json!({
            "deliveries": st.log.iter().collect::<Vec<_>>(),
            "pending": st.queue.len(),
        })
    }

    /// One attempt: the receiver's status code, or why there was none.
    async fn post(&self, url: &str, body: &str, signature: &str) -> Result<u16, String> {
        if url.starts_with("https://") {
            return Err("the sandbox delivers over http:// only (it has no TLS client)".into());
        }
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
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_matches_a_known_vector() {
        // HMAC-SHA256("key", "1.{}") computed independently with Python's hmac module.
        let s = super::sign(&["key".into()], 1, "{}");
        assert_eq!(
            s,
            "t=1,v1=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
    }
}
