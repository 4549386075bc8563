//! 429s (and 503s) with `Retry-After`: the request is retried, and nothing leaves before the server's
//! wait has passed, capped at a minute.

use super::*;

/// A 429 `rate_limited`, with `Retry-After: secs` when given.
fn limited(secs: Option<u64>) -> Reply {
    Reply {
        retry_after_ms: secs.map(|s| s * 1000),
        ..problem(429, "rate_limited")
    }
}

impl H {
    /// Fires timers until a request leaves; returns how long after `from` it left.
    fn until_sent(&mut self, from: Millis) -> Millis {
        let before = self.sent.len();
        while self.sent.len() == before {
            self.fire_next_timer();
        }
        self.now - from
    }
}

#[test]
fn a_load_answered_429_is_sent_again_exactly_when_retry_after_has_passed() {
    let mut h = H::new(true);
    let op = h.c.start(h.now);
    h.drain();
    let (id, _) = h.open_get();
    let t0 = h.now;
    h.reply(id, limited(Some(3)));
    assert!(
        h.open.is_empty(),
        "nothing in flight while the server asks for quiet"
    );
    // The backoff alone (0.5 s) would send sooner: the server's 3 s win.
    assert_eq!(h.until_sent(t0), 3_000);
    let (id, _) = h.open_get();
    h.reply(id, ok(intent(1, "Created")));
    assert!(matches!(h.result(op), Ok(s) if s.version == 1));
}

#[test]
fn without_retry_after_a_429_retries_on_the_backoff() {
    let mut h = H::new(true);
    h.c.start(h.now);
    h.drain();
    let (id, _) = h.open_get();
    let t0 = h.now;
    h.reply(id, limited(None));
    let policy = RetryPolicy::default();
    let waited = h.until_sent(t0);
    assert!(
        (policy.base_ms / 2..=policy.base_ms).contains(&waited),
        "{waited} ms"
    );
}

#[test]
fn a_payment_answered_429_reads_and_pays_again_under_the_same_key_after_retry_after() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    let (id, first) = h.open_pay();
    let t0 = h.now;
    h.reply(id, limited(Some(2)));
    // Not even the read that resolves the outcome goes before the wait is over.
    assert!(h.open_with(|r| !r.stream).is_empty());
    assert_eq!(h.until_sent(t0), 2_000);
    let (gid, _) = h.open_get();
    h.reply(gid, ok(intent(1, "Created")));
    h.until_sent(t0);
    let (id, again) = h.open_pay();
    assert_eq!(
        again.header("Idempotency-Key"),
        first.header("Idempotency-Key")
    );
    h.reply(id, ok(intent(2, "Captured")));
    assert!(matches!(h.result(op), Ok(s) if s.status == "Captured"));
    assert_eq!(h.posts().len(), 2);
    h.assert_no_leak();
}

#[test]
fn every_job_waits_for_retry_after_not_just_the_one_refused() {
    let mut h = H::loaded(true, "Created");
    let (sid, _) = h.open_stream().expect("stream");
    let t0 = h.now;
    // The stream is refused with a 503 and a wait; a payment pressed meanwhile waits too.
    h.reply(
        sid,
        Reply {
            retry_after_ms: Some(5_000),
            ..problem(503, "unavailable")
        },
    );
    let op = h.pay("4242424242424242");
    assert!(h.posts().is_empty(), "the payment waits for the server");
    while h.posts().is_empty() {
        h.fire_next_timer();
    }
    assert!(h.now - t0 >= 5_000, "sent after {} ms", h.now - t0);
    let (id, _) = h.open_pay();
    h.reply(id, ok(intent(2, "Captured")));
    assert!(h.result(op).is_ok());
}

#[test]
fn a_retry_after_beyond_a_minute_waits_a_minute() {
    let mut h = H::new(true);
    h.c.start(h.now);
    h.drain();
    let (id, _) = h.open_get();
    let t0 = h.now;
    h.reply(id, limited(Some(3_600)));
    assert_eq!(h.until_sent(t0), RetryPolicy::default().max_retry_after_ms);
}

#[test]
fn rate_limited_until_the_retries_run_out_fails_with_the_servers_code() {
    let mut h = H::new(true);
    let op = h.c.start(h.now);
    h.drain();
    let policy = RetryPolicy::default();
    for _ in 0..=policy.max_retries {
        let (id, _) = h.open_get();
        h.reply(id, limited(Some(1)));
        if h.settled.is_empty() {
            h.until_sent(h.now);
        }
    }
    let gets = h
        .sent
        .iter()
        .filter(|(_, r)| r.method == Method::Get)
        .count();
    assert_eq!(gets as u32, policy.max_retries + 1);
    assert!(
        matches!(h.result(op), Err(e) if e.api_code.as_deref() == Some("rate_limited") && e.http_status == Some(429))
    );
}

#[test]
fn retry_after_counts_only_delta_seconds() {
    for (header, ms) in [
        ("3", Some(3_000)),
        (" 10 ", Some(10_000)),
        ("0", Some(0)),
        ("", None),
        ("-1", None),
        ("1.5", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ("99999999999", None),
    ] {
        assert_eq!(wire::retry_after_ms(header), ms, "{header:?}");
    }
}
