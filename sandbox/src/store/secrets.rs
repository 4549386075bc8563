//! Client session secrets: one current secret per intent; a refresh supersedes the old one.

use super::retention::OLD_SECRETS;
use super::{bump, find, random_id, Change, Store, StoreError, StoreResult};
use crate::clock::Millis;

pub(super) struct SecretRef {
    intent: String,
    superseded: bool,
}

impl SecretRef {
    pub(super) fn new(intent: &str) -> Self {
        SecretRef {
            intent: intent.to_string(),
            superseded: false,
        }
    }
}

impl Store {
    /// Browser auth: the secret must be current and belong to this intent.
    pub fn check_secret(&self, secret: &str, id: &str, now: Millis) -> StoreResult<()> {
        let r = self.secrets.get(secret).ok_or(StoreError::SecretUnknown)?;
        if r.intent != id {
            return Err(StoreError::SecretForeign);
        }
        let expired = r.superseded || self.get(id).map_or(true, |i| i.secret_expires <= now);
        if expired {
            return Err(StoreError::SecretExpired);
        }
        Ok(())
    }

    pub fn refresh_secret(&mut self, id: &str, now: Millis, ttl_secs: i64) -> StoreResult<Change> {
        let secret = random_id("cs_sandbox_", 32);
        let intent = find(&mut self.intents, id)?;
        let old = std::mem::replace(&mut intent.secret, secret.clone());
        intent.secret_expires = now + ttl_secs * 1000;
        intent.old_secrets.push(old.clone());
        let forgotten = if intent.old_secrets.len() > OLD_SECRETS {
            Some(intent.old_secrets.remove(0))
        } else {
            None
        };
        let change = bump(intent, intent.wire_status(), now);
        if let Some(r) = self.secrets.get_mut(&old) {
            r.superseded = true;
        }
        if let Some(f) = forgotten {
            self.secrets.remove(&f);
        }
        self.secrets.insert(secret, SecretRef::new(id));
        Ok(self.committed(change))
    }
}
