//! Customers, their short-lived customer secrets and their saved cards (Dojo's `/customers` and
//! `/customers/public/{id}/payment-methods`). A customer secret lists and removes that customer's saved
//! cards and nothing else; it expires like a client session secret.

use super::{random_id, RefError, Store, StoreError, StoreResult};
use crate::cards::CheckedCard;
use crate::clock::Millis;
use crate::setup_intent::{CustomerRecord, SavedMethod};

/// What a new or updated customer says about themselves (Dojo's `CreateCustomerRequest` fields the
/// sandbox keeps; `None` leaves a field as it is on update).
#[derive(Debug, Default)]
pub struct CustomerFields {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub vat: Option<String>,
}

/// Why a customer secret cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerSecretError {
    /// Not one the sandbox issued (or its customer was deleted).
    Unknown,
    /// Issued for another customer.
    Foreign,
    Expired,
}

impl Store {
    pub fn customer(&self, id: &str) -> StoreResult<&CustomerRecord> {
        self.customers
            .get(id)
            .ok_or(StoreError::NotFound("the customer"))
    }

    pub fn create_customer(&mut self, f: CustomerFields, now: Millis) -> String {
        let id = random_id("cust_sandbox_", 16);
        self.customers.insert(
            id.clone(),
            CustomerRecord {
                id: id.clone(),
                name: f.name,
                email: f.email,
                phone: f.phone,
                vat: f.vat,
                created_at: now,
                updated_at: now,
                document_version: 0,
                saved: Vec::new(),
            },
        );
        id
    }

    pub fn update_customer(&mut self, id: &str, f: CustomerFields, now: Millis) -> StoreResult<()> {
        let c = self
            .customers
            .get_mut(id)
            .ok_or(StoreError::NotFound("the customer"))?;
        c.name = f.name.or(c.name.take());
        c.email = f.email.or(c.email.take());
        c.phone = f.phone.or(c.phone.take());
        c.vat = f.vat.or(c.vat.take());
        c.updated_at = now.max(c.updated_at);
        c.document_version += 1;
        Ok(())
    }

    /// Deletes the customer, their saved cards and their secrets.
    pub fn delete_customer(&mut self, id: &str) -> StoreResult<()> {
        let c = self
            .customers
            .remove(id)
            .ok_or(StoreError::NotFound("the customer"))?;
        for pm in c.saved {
            self.saved_methods.remove(&pm);
        }
        self.customer_secrets.retain(|_, (owner, _)| owner != id);
        Ok(())
    }

    /// A new customer secret, valid for `ttl_secs`: (secret, expires at).
    pub fn create_customer_secret(
        &mut self,
        id: &str,
        now: Millis,
        ttl_secs: i64,
    ) -> StoreResult<(String, Millis)> {
        self.customer(id)?;
        self.customer_secrets.retain(|_, (_, exp)| *exp > now);
        let secret = random_id("cus_secret_sandbox_", 32);
        let expires = now + ttl_secs * 1000;
        self.customer_secrets
            .insert(secret.clone(), (id.to_string(), expires));
        Ok((secret, expires))
    }

    /// Browser auth for the customer's resources: the secret must be current and this customer's.
    pub fn check_customer_secret(&self, secret: &str, id: &str, now: Millis) -> StoreResult<()> {
        let (owner, expires) = self
            .customer_secrets
            .get(secret)
            .ok_or(StoreError::CustomerSecret(CustomerSecretError::Unknown))?;
        if owner != id {
            return Err(StoreError::CustomerSecret(CustomerSecretError::Foreign));
        }
        if *expires <= now {
            return Err(StoreError::CustomerSecret(CustomerSecretError::Expired));
        }
        Ok(())
    }

    /// The customer's saved cards, oldest first.
    pub fn saved_methods_of(&self, id: &str) -> StoreResult<Vec<&SavedMethod>> {
        let c = self.customer(id)?;
        Ok(c.saved
            .iter()
            .filter_map(|pm| self.saved_methods.get(pm))
            .collect())
    }

    pub fn saved_method(&self, pm: &str) -> Option<&SavedMethod> {
        self.saved_methods.get(pm)
    }

    /// Keeps `card` for later, for `customer` if there is one; returns its id.
    pub(super) fn save_card(
        &mut self,
        card: &CheckedCard,
        customer: Option<&str>,
        now: Millis,
    ) -> String {
        let id = random_id("pm_saved_sandbox_", 16);
        self.saved_methods.insert(
            id.clone(),
            SavedMethod {
                id: id.clone(),
                card: card.clone(),
                customer: customer.map(str::to_string),
                created_at: now,
            },
        );
        if let Some(c) = customer.and_then(|c| self.customers.get_mut(c)) {
            c.saved.push(id.clone());
        }
        id
    }

    /// Removes one of the customer's saved cards (a setup intent that saved it can no longer be
    /// charged with it).
    pub fn remove_saved_method(&mut self, customer: &str, pm: &str) -> StoreResult<()> {
        let c = self
            .customers
            .get_mut(customer)
            .ok_or(StoreError::NotFound("the customer"))?;
        let before = c.saved.len();
        c.saved.retain(|m| m != pm);
        if c.saved.len() == before {
            return Err(StoreError::NotFound("the payment method"));
        }
        self.saved_methods.remove(pm);
        Ok(())
    }

    /// The payment intent is the customer's (`customer.id` on create, if that customer exists).
    pub fn link_customer(&mut self, payment_intent: &str, customer: &str) {
        if self.customers.contains_key(customer) {
            self.payment_customers
                .insert(payment_intent.to_string(), customer.to_string());
        }
    }

    /// The saved card `pm` if it may pay for the payment intent `id` now: the intent's customer owns it
    /// and it has not expired (anything else is `PaymentMethodUnusable`, unknown and foreign alike).
    pub fn saved_card_for(&self, id: &str, pm: &str, now: Millis) -> StoreResult<CheckedCard> {
        let unusable = StoreError::PaymentMethodUnusable;
        let customer = self
            .payment_customers
            .get(id)
            .ok_or(unusable(RefError::Unknown))?;
        let m = self
            .saved_methods
            .get(pm)
            .filter(|m| m.customer.as_deref() == Some(customer.as_str()))
            .ok_or(unusable(RefError::Unknown))?;
        if m.expires_at() <= now {
            return Err(unusable(RefError::Expired));
        }
        Ok(m.card.clone())
    }

    /// The saved card `pm` paid by its id alone: as [`Store::saved_card_for`], and refused when the
    /// card pays only with its CVC typed again (the card frame makes a reference from both instead).
    pub fn saved_card_without_cvc(
        &self,
        id: &str,
        pm: &str,
        now: Millis,
    ) -> StoreResult<CheckedCard> {
        let card = self.saved_card_for(id, pm, now)?;
        if card.cvc_again {
            return Err(StoreError::CvcRequired);
        }
        Ok(card)
    }

    /// A card paid with `savePaymentMethod` needs a customer to be saved to.
    pub fn check_can_save(&self, id: &str) -> StoreResult<()> {
        self.get(id)?;
        if self.payment_customers.contains_key(id) {
            Ok(())
        } else {
            Err(StoreError::invalid(
                "savePaymentMethod",
                "the payment intent has no customer to save the card for (`customer.id` on create)",
            ))
        }
    }

    /// After a payment with the customer's consent: keeps the card if the payment went through.
    pub fn save_if_paid(&mut self, id: &str, card: &CheckedCard, now: Millis) {
        let paid = self.get(id).is_ok_and(|i| {
            matches!(
                i.status(),
                crate::lifecycle::CanonicalStatus::Succeeded
                    | crate::lifecycle::CanonicalStatus::Authorized
            )
        });
        let challenged = self.get(id).is_ok_and(|i| i.challenge.is_some());
        match self.payment_customers.get(id).cloned() {
            Some(c) if paid => {
                self.save_card(card, Some(&c), now);
            }
            // Saved once the customer passes the challenge (`save_after_challenge`).
            Some(_) if challenged => {
                self.pending_saves.insert(id.to_string(), card.clone());
            }
            _ => {}
        }
    }

    /// A challenged payment made with `savePaymentMethod` went through: keep its card now.
    pub(super) fn save_after_challenge(&mut self, id: &str, approved: bool, now: Millis) {
        let card = self.pending_saves.remove(id);
        if let (true, Some(card)) = (approved, card) {
            self.save_if_paid(id, &card, now);
        }
    }
}
