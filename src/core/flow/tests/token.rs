//! The connect token: refreshed once per expiry, never in an output, a clear error when it cannot be.

use super::*;

#[test]
fn a_decline_settles_card_declined_and_the_next_attempt_gets_a_fresh_token_and_key() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4000000000000002");
    let (id, _) = h.open_pay();
    let err = r#","lastPaymentError":{"code":"card_declined","declineCode":"generic_decline","message":"The card was declined."}"#;
    h.reply(id, ok(intent_with(2, "Created", err)));
    assert!(
        matches!(h.result(op), Err(e) if e.code == ErrorCode::CardDeclined && e.decline_code.as_deref() == Some("generic_decline"))
    );
    assert!(h.kinds().contains(&EventKind::Failed));
    assert_eq!(h.refreshes, 0);

    h.pay("4242424242424242");
    assert_eq!(
        h.refreshes, 1,
        "a new attempt after a decline refreshes the token first"
    );
    assert_eq!(h.posts().len(), 1, "nothing sent before the refresh");
    h.c.handle_refreshed(Some(("cs_new_token_value".into(), None)), h.now);
    h.drain();
    assert_eq!(h.c.bearer(), Some("cs_new_token_value"));
    let posts = h.posts();
    assert_eq!(posts.len(), 2);
    assert_ne!(
        posts[0].header("Idempotency-Key"),
        posts[1].header("Idempotency-Key"),
        "new attempt, new key"
    );
    assert!(h.kinds().contains(&EventKind::TokenRefreshed));
}

#[test]
fn an_expired_token_is_refreshed_exactly_once_before_requests() {
    let now = 1_700_000_000_000;
    let mut h = H::with_expiry(true, Some(now + 60_000));
    h.c.start(h.now);
    h.drain();
    let (id, _) = h.last_sent();
    h.reply(id, ok(intent(1, "Created")));
    // The stream is open; now the token runs out on our clock.
    h.now += 59_000;
    h.pay("4242424242424242");
    h.c.set_tip(100, h.now); // refused (attempt running) — but must not trigger a second refresh either
    h.drain();
    assert_eq!(h.refreshes, 1);
    assert_eq!(h.posts().len(), 0, "the payment waits for the new token");
    h.c.handle_refreshed(
        Some(("cs_fresh_token_1".into(), Some(h.now + 1_800_000))),
        h.now,
    );
    h.drain();
    assert_eq!(h.posts().len(), 1);
    assert_eq!(h.refreshes, 1);
}

#[test]
fn server_token_expired_refreshes_once_and_replays_with_the_same_key() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.reply(id, problem(401, "token_expired"));
    assert_eq!(h.refreshes, 1);
    h.c.handle_refreshed(Some(("cs_fresh_token_2".into(), None)), h.now);
    h.drain();
    let (id2, _) = h.open_pay();
    let posts = h.posts();
    assert_eq!(
        posts[0].header("Idempotency-Key"),
        posts[1].header("Idempotency-Key")
    );
    // Still refused after the refresh: a clear error, no second refresh, no loop.
    h.reply(id2, problem(401, "token_expired"));
    assert_eq!(h.refreshes, 1);
    assert_eq!(h.err_code(op), ErrorCode::TokenExpired);
    assert_eq!(h.posts().len(), 2);
    assert!(h.kinds().contains(&EventKind::Error));
}

#[test]
fn a_401_for_a_request_sent_before_the_refresh_does_not_refresh_again() {
    let mut h = H::loaded(true, "Created");
    let (sid, _) = h.open_stream().expect("stream");
    h.pay("4242424242424242");
    let (pid, _) = h.open_pay();
    h.reply(pid, problem(401, "token_expired"));
    h.c.handle_refreshed(Some(("cs_fresh_token_3".into(), None)), h.now);
    h.drain();
    h.reply(sid, problem(401, "token_expired")); // the old stream's late 401
    assert_eq!(h.refreshes, 1);
    assert!(
        h.open_stream().is_some(),
        "stream reopened with the new token"
    );
}

#[test]
fn a_failed_refresh_ends_in_token_expired_without_a_loop() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.reply(id, problem(401, "token_expired"));
    h.c.handle_refreshed(None, h.now);
    h.drain();
    assert_eq!(h.err_code(op), ErrorCode::TokenExpired);
    assert_eq!(h.refreshes, 1);
    assert!(h.open.is_empty(), "nothing in flight: {:?}", h.open);
    assert!(h.timers() == 0);
}

#[test]
fn without_a_refresh_callback_token_expired_is_final() {
    let mut h = H::loaded(false, "Created");
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.reply(id, problem(401, "token_expired"));
    assert_eq!(h.refreshes, 0);
    assert_eq!(h.err_code(op), ErrorCode::TokenExpired);
    assert_eq!(h.posts().len(), 1);
}

#[test]
fn the_token_never_appears_in_outputs_events_or_errors() {
    let mut h = H::loaded(true, "Created");
    h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    // A server that echoes the token in its problem detail.
    let body = format!(r#"{{"code":"validation_error","detail":"bad token {TOKEN}","param":"x"}}"#);
    h.reply(
        id,
        Reply {
            status: 400,
            etag: None,
            body,
            retry_after_ms: None,
        },
    );
    let body = intent_with(
        9,
        "Created",
        &format!(r#","clientSessionSecret":"{TOKEN}""#),
    );
    h.stream_send(
        9,
        "Created",
        &body[body.find(",\"clientSessionSecret").unwrap_or(0)..body.len() - 1],
    );
    assert!(
        !format!("{:?}", h.c).contains(TOKEN),
        "Debug of the machine redacts the token"
    );
    h.assert_no_leak();
}

#[test]
fn a_refresh_that_never_settles_ends_in_token_expired() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.reply(id, problem(401, "token_expired"));
    assert_eq!(h.refreshes, 1);
    let stream_timeout = h.open_stream().is_some();
    let mut waited = 0;
    while h.settled.iter().all(|(o, _)| *o != op) {
        waited += h.fire_next_timer();
        assert!(waited <= 60_000, "gave up waiting for the refresh timeout");
    }
    assert_eq!(h.err_code(op), ErrorCode::TokenExpired);
    assert!(waited >= RetryPolicy::default().refresh_timeout_ms || stream_timeout);
    // The late answer changes nothing.
    h.c.handle_refreshed(Some(("cs_too_late_token".into(), None)), h.now);
    h.drain();
    assert_eq!(h.c.bearer(), Some(TOKEN));
    assert_eq!(h.posts().len(), 1);
}
