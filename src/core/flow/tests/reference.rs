//! Isolated card fields: paying with a card reference, and a checkout that refuses raw card details.

use super::*;

fn isolated() -> H {
    let mut config = config(true, Dialect::Dojo);
    config.accepts_card_details = false;
    let mut h = H::build(config, None);
    h.c.start(h.now);
    h.drain();
    let (id, _) = h.last_sent();
    h.reply(id, ok(intent(1, "Created")));
    h
}

impl H {
    fn pay_ref(&mut self, id: &str) -> OpId {
        let op = self.c.pay_reference(id, self.now);
        self.drain();
        op
    }
}

#[test]
fn a_card_reference_pays_by_id_under_one_key() {
    let mut h = isolated();
    let op = h.pay_ref("pm_sandbox_1");
    let (id, req) = h.open_pay();
    assert_eq!(
        req.body.as_deref(),
        Some(r#"{"paymentMethod":{"id":"pm_sandbox_1"}}"#)
    );
    assert!(req
        .header("Idempotency-Key")
        .is_some_and(|k| k.starts_with("ick_")));
    h.reply(id, ok(intent(2, "Captured")));
    assert!(matches!(h.result(op), Ok(s) if s.status == "Captured"));
}

#[test]
fn isolated_checkouts_refuse_card_details_without_a_request() {
    let mut h = isolated();
    let op = h.pay("4242424242424242");
    assert_eq!(h.err_code(op), ErrorCode::SdkError);
    assert!(h.posts().is_empty());
    assert!(!h.c.is_paying());
    // An id that is not one is refused too; both leave the checkout usable.
    let bad = h.pay_ref("pm 1\",\"card\":{}");
    assert_eq!(h.err_code(bad), ErrorCode::ValidationError);
    assert!(h.posts().is_empty());
    h.pay_ref("pm_sandbox_2");
    assert_eq!(h.posts().len(), 1);
}

#[test]
fn after_giving_up_the_same_reference_keeps_its_key_and_a_new_one_gets_a_new_key() {
    let mut h = isolated();
    let op = h.pay_ref("pm_a");
    for _ in 0..=RetryPolicy::default().max_retries {
        let (id, _) = h.open_pay();
        h.fail(id);
        let (gid, _) = h.open_get();
        h.reply(gid, ok(intent(1, "Created")));
        if h.c.is_paying() {
            h.fire_next_timer();
        }
    }
    assert_eq!(h.err_code(op), ErrorCode::NetworkError);
    let key = |r: &Request| r.header("Idempotency-Key").map(str::to_string);
    let first = key(h.posts()[0]);
    h.pay_ref("pm_a");
    assert_eq!(key(h.posts().last().copied().expect("sent")), first);
    let (id, _) = h.open_pay();
    h.reply(id, problem(400, "payment_method_unusable"));
    h.pay_ref("pm_b");
    // A failed attempt refreshes the token before the next one goes.
    assert_eq!(h.refreshes, 1);
    h.c.handle_refreshed(Some(("cs_fresh_token".into(), None)), h.now);
    h.drain();
    let last = h.posts().last().copied().expect("sent");
    assert_eq!(
        last.body.as_deref(),
        Some(r#"{"paymentMethod":{"id":"pm_b"}}"#)
    );
    assert_ne!(key(last), first);
}
