//! Card references: what the isolated card frame gets back instead of keeping the card. A reference is
//! bound to one intent, pays at most once and expires after [`REF_TTL_MS`].

use std::collections::HashMap;

use super::{random_id, Store, StoreError, StoreResult};
use crate::cards::CheckedCard;
use crate::clock::Millis;

/// How long a reference may wait between the frame creating it and the page paying with it. The page
/// pays right after the frame answers; minutes leave room for retries of a payment with no answer.
pub const REF_TTL_MS: Millis = 10 * 60 * 1000;

/// Kept past use until expiry, so a second use is told "used" rather than "unknown".
#[derive(Debug)]
struct Entry {
    intent: String,
    card: CheckedCard,
    expires: Millis,
    used: bool,
}

/// Why a reference cannot pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefError {
    /// No such reference, or it belongs to another intent (the two are not told apart).
    Unknown,
    Expired,
    Used,
}

impl RefError {
    pub fn reason(self) -> &'static str {
        match self {
            RefError::Unknown => "unknown",
            RefError::Expired => "expired",
            RefError::Used => "used",
        }
    }
}

impl Store {
    /// Stores a checked card for the intent `id` behind a new reference.
    pub fn create_card_ref(
        &mut self,
        id: &str,
        card: CheckedCard,
        now: Millis,
    ) -> StoreResult<String> {
        self.get(id)?;
        Ok(self.card_refs.create(id, card, now))
    }

    /// The card behind `reference` if it may pay for the intent `id` now.
    pub fn referenced_card(
        &self,
        reference: &str,
        id: &str,
        now: Millis,
    ) -> StoreResult<CheckedCard> {
        self.card_refs
            .usable(reference, id, now)
            .cloned()
            .map_err(StoreError::PaymentMethodUnusable)
    }

    /// Uses up `reference`; call in the operation that committed its payment.
    pub fn use_card_ref(&mut self, reference: &str) {
        self.card_refs.consume(reference);
    }
}

#[derive(Default, Debug)]
pub struct CardRefs {
    refs: HashMap<String, Entry>,
}

impl CardRefs {
    /// Stores a checked card for `intent` under a new random id and returns the id.
    pub fn create(&mut self, intent: &str, card: CheckedCard, now: Millis) -> String {
        self.refs.retain(|_, e| e.expires > now);
        let id = random_id("pm_sandbox_", 16);
        self.refs.insert(
            id.clone(),
            Entry {
                intent: intent.to_string(),
                card,
                expires: now + REF_TTL_MS,
                used: false,
            },
        );
        id
    }

    /// The card behind `id` if it may pay for `intent` now (nothing is marked used).
    pub fn usable(&self, id: &str, intent: &str, now: Millis) -> Result<&CheckedCard, RefError> {
        let e = self
            .refs
            .get(id)
            .filter(|e| e.intent == intent)
            .ok_or(RefError::Unknown)?;
        if e.used {
            Err(RefError::Used)
        } else if e.expires <= now {
            Err(RefError::Expired)
        } else {
            Ok(&e.card)
        }
    }

    /// Marks `id` used; call in the same store lock that committed the payment.
    pub fn consume(&mut self, id: &str) {
        if let Some(e) = self.refs.get_mut(id) {
            e.used = true;
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.refs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::{check, CardInput};

    const NOW: Millis = 1_790_000_000_000;

    fn card() -> CheckedCard {
        let input = CardInput {
            number: "4242424242424242",
            expiry_month: 12,
            expiry_year: 2034,
            cvc: "123",
            cardholder_name: "A",
        };
        check(&input, NOW).expect("valid test card")
    }

    #[test]
    fn a_reference_pays_once_for_its_own_intent_until_it_expires() {
        let mut refs = CardRefs::default();
        let id = refs.create("pi_a", card(), NOW);
        assert!(id.starts_with("pm_sandbox_"));
        assert!(refs.usable(&id, "pi_a", NOW).is_ok());
        assert_eq!(refs.usable(&id, "pi_b", NOW).err(), Some(RefError::Unknown));
        assert_eq!(
            refs.usable("pm_sandbox_nope", "pi_a", NOW).err(),
            Some(RefError::Unknown)
        );
        assert_eq!(
            refs.usable(&id, "pi_a", NOW + REF_TTL_MS).err(),
            Some(RefError::Expired)
        );
        refs.consume(&id);
        assert_eq!(refs.usable(&id, "pi_a", NOW).err(), Some(RefError::Used));
    }

    #[test]
    fn a_live_reference_outlasts_the_next_one_and_goes_at_its_expiry() {
        let mut refs = CardRefs::default();
        let a = refs.create("pi_a", card(), NOW);
        refs.create("pi_a", card(), NOW + 1);
        assert!(refs.usable(&a, "pi_a", NOW + 1).is_ok());
        // At its expiry instant `a` is expired (see `usable`): the next creation forgets it.
        refs.create("pi_a", card(), NOW + REF_TTL_MS);
        assert_eq!(refs.len(), 2);
    }

    #[test]
    fn expired_references_are_forgotten_when_new_ones_are_made() {
        let mut refs = CardRefs::default();
        refs.create("pi_a", card(), NOW);
        refs.create("pi_a", card(), NOW + REF_TTL_MS + 1);
        assert_eq!(refs.len(), 1);
    }
}
