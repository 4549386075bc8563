//! Following the intent: the stream, its reconnects, polling, 3-D Secure, and stopping when it is final.

use super::*;

#[test]
fn start_loads_settles_ready_and_follows() {
    let h = H::loaded(true, "Created");
    assert!(matches!(h.settled[0].1, Ok(ref s) if s.version == 1));
    assert_eq!(h.kinds(), vec![EventKind::Ready]);
    let (_, s) = h.open_stream().expect("following a non-terminal intent");
    assert_eq!(s.path, format!("/payment-intents/public/{ID}/events"));
    assert_eq!(s.header("Last-Event-ID"), Some("1"));
    h.assert_no_leak();
}

#[test]
fn a_terminal_status_stops_following() {
    let mut h = H::loaded(true, "Created");
    let (sid, _) = h.open_stream().expect("stream");
    h.stream_send(2, "Canceled", "");
    assert!(h.aborted.contains(&sid));
    assert!(h.timers() == 0);
    assert!(h.kinds().contains(&EventKind::Canceled));
    h.c.handle_stream_end(sid, h.now);
    h.drain();
    assert!(
        h.open.is_empty() && h.timers() == 0,
        "no reconnect after terminal"
    );
}

#[test]
fn an_interrupted_stream_resumes_with_last_event_id_then_falls_back_to_polling() {
    let mut h = H::loaded(true, "Created");
    h.stream_send(4, "Created", "");
    let (sid, _) = h.open_stream().expect("stream");
    h.fail(sid);
    let delay = h.fire_next_timer();
    assert_eq!(delay, 500, "first reconnect after the base delay");
    let (_, s) = h.open_stream().expect("reconnected");
    assert_eq!(s.header("Last-Event-ID"), Some("4"));
    // Keeps failing without an event: after a few tries, poll with ETag instead.
    for _ in 0..STREAM_FAILURES_BEFORE_POLLING {
        let (sid, _) = h.open_stream().expect("stream");
        h.reply(
            sid,
            Reply {
                status: 503,
                etag: None,
                body: String::new(),
                retry_after_ms: None,
            },
        );
        if h.open_stream().is_none() && h.open_with(|r| !r.stream).is_empty() {
            h.fire_next_timer();
        }
    }
    let (pid, p) = h.open_get();
    assert!(p.header("If-None-Match").is_none());
    h.reply(
        pid,
        Reply {
            status: 200,
            etag: Some("\"v4\"".into()),
            body: intent(4, "Created"),
            retry_after_ms: None,
        },
    );
    let d1 = h.fire_next_timer();
    let (pid, p) = h.open_get();
    assert_eq!(p.header("If-None-Match"), Some("\"v4\""));
    h.reply(
        pid,
        Reply {
            status: 304,
            etag: None,
            body: String::new(),
            retry_after_ms: None,
        },
    );
    let d2 = h.fire_next_timer();
    assert!(d2 > d1, "no change: the poll backs off ({d1} -> {d2})");
    let (pid, _) = h.open_get();
    h.reply(
        pid,
        Reply {
            status: 200,
            etag: Some("\"v5\"".into()),
            body: intent(5, "Captured"),
            retry_after_ms: None,
        },
    );
    assert!(h.timers() == 0, "terminal: polling stops");
}

#[test]
fn a_silent_stream_is_aborted_and_reopened() {
    let mut h = H::loaded(true, "Created");
    let (sid, _) = h.open_stream().expect("stream");
    h.c.handle_stream_open(sid, h.now);
    h.drain();
    let waited = h.fire_next_timer();
    assert_eq!(waited, RetryPolicy::default().stream_idle_ms);
    assert!(h.aborted.contains(&sid));
    h.fire_next_timer();
    assert!(h.open_stream().is_some());
}

#[test]
fn three_d_secure_emits_the_challenge_and_a_trusted_message_rereads_at_once() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4000000000003220");
    let (id, _) = h.open_pay();
    let url = format!("{ORIGIN}/challenge/ch_abc");
    let na = format!(r#","nextAction":{{"type":"three_d_secure","url":"{url}"}}"#);
    h.reply(id, ok(intent_with(2, "Created", &na)));
    let ra = h
        .events
        .iter()
        .find(|e| e.kind == EventKind::RequiresAction)
        .expect("requires_action");
    assert_eq!(ra.url.as_deref(), Some(url.as_str()));
    assert!(ra
        .detail_json()
        .contains("\"canonical\":\"requires_action\""));
    assert!(
        h.settled.iter().all(|(o, _)| *o != op),
        "still waiting for the customer"
    );

    let msg = r#"{"source":"intent-sandbox","type":"challenge_complete","challengeId":"ch_abc","outcome":"approved"}"#;
    h.c.handle_message("https://evil.example", msg, h.now);
    h.drain();
    assert!(
        h.open_with(|r| !r.stream).is_empty(),
        "a foreign origin is ignored"
    );
    h.c.handle_message(ORIGIN, &msg.replace("ch_abc", "ch_other"), h.now);
    h.drain();
    assert!(
        h.open_with(|r| !r.stream).is_empty(),
        "another challenge is ignored"
    );
    h.c.handle_message(ORIGIN, msg, h.now);
    h.drain();
    let (gid, _) = h.open_get();
    h.reply(gid, ok(intent(3, "Captured")));
    assert!(matches!(h.result(op), Ok(s) if s.version == 3));
    assert_eq!(h.posts().len(), 1);
}

#[test]
fn a_captured_authorisation_is_not_a_second_success() {
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4242424242424242");
    let (id, _) = h.open_pay();
    h.reply(id, ok(intent(2, "Authorized")));
    assert!(matches!(h.result(op), Ok(s) if s.status == "Authorized"));
    assert!(
        h.open_stream().is_some(),
        "an authorisation is still followed"
    );
    h.stream_send(3, "Captured", "");
    let successes = h
        .kinds()
        .iter()
        .filter(|k| **k == EventKind::Succeeded)
        .count();
    assert_eq!(successes, 1);
    assert_eq!(h.kinds().last(), Some(&EventKind::Status));
}

#[test]
fn polling_shows_a_change_within_a_second_however_long_it_was_quiet() {
    let p = RetryPolicy::default();
    let mut rng = Rng::new(3);
    for step in 1..40 {
        let d = p.poll_delay(step, rng.next_u64());
        assert!(
            d >= p.poll_base_ms && d <= p.poll_max_ms,
            "step {step}: {d} ms"
        );
    }
    assert_eq!(
        p.poll_delay(1, 0),
        p.poll_base_ms,
        "right after a change: the base"
    );
}

#[test]
fn only_streams_that_drop_before_any_event_lead_to_polling() {
    // Each connection delivers an event, then drops: the stream works, so it stays a stream.
    let mut h = H::loaded(true, "Created");
    for v in 2..4 + u64::from(STREAM_FAILURES_BEFORE_POLLING) {
        h.stream_send(v, "Created", "");
        let (sid, _) = h.open_stream().expect("stream");
        h.fail(sid);
        h.fire_next_timer();
    }
    assert!(h.open_stream().is_some(), "still streaming");
    // Connections that drop before any event (a proxy that buffers the stream): poll instead.
    let mut drops = 0;
    while h.open_with(|r| !r.stream).is_empty() {
        match h.open_stream() {
            Some((sid, _)) => {
                h.fail(sid);
                drops += 1;
            }
            None => {
                h.fire_next_timer();
            }
        }
        assert!(
            drops <= STREAM_FAILURES_BEFORE_POLLING + 1,
            "never fell back to polling"
        );
    }
    let (_, poll) = h.open_get();
    assert_eq!(poll.path, format!("/payment-intents/public/{ID}"));
}

impl H {
    /// Drops streams until the machine polls instead; returns the first poll.
    fn until_polling(&mut self) -> (RequestId, Request) {
        while self.open_with(|r| !r.stream).is_empty() {
            match self.open_stream() {
                Some((sid, _)) => self.fail(sid),
                None => {
                    self.fire_next_timer();
                }
            }
        }
        self.open_get()
    }
}

#[test]
fn two_events_in_one_chunk_are_both_taken() {
    // A proxy may deliver several events at once: the last one is where the payment stands.
    let mut h = H::loaded(true, "Created");
    let op = h.pay("4000000000000077");
    let (id, _) = h.open_pay();
    h.reply(id, ok(intent(2, "Created")));
    let (sid, _) = h.open_stream().expect("stream");
    let chunk = format!(
        "id: 3\nevent: intent\ndata: {}\n\nid: 4\nevent: intent\ndata: {}\n\n",
        intent(3, "Created"),
        intent(4, "Captured")
    );
    h.c.handle_stream_data(sid, chunk.as_bytes(), h.now);
    h.drain();
    assert!(matches!(h.result(op), Ok(s) if s.version == 4 && s.status == "Captured"));
}

#[test]
fn a_stream_answered_with_a_plain_body_is_reopened() {
    let mut h = H::loaded(true, "Created");
    let (sid, _) = h.open_stream().expect("stream");
    h.reply(sid, ok(intent(1, "Created")));
    assert!(h.open_stream().is_none());
    h.fire_next_timer();
    assert!(h.open_stream().is_some(), "reconnected");
}

#[test]
fn a_stream_refused_for_good_is_reported() {
    let mut h = H::loaded(true, "Created");
    let (sid, _) = h.open_stream().expect("stream");
    h.reply(sid, problem(404, "not_found"));
    let errors: Vec<_> = h
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Error)
        .collect();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].detail_json().contains("not_found"));
}

#[test]
fn polling_survives_failed_and_garbled_reads() {
    let mut h = H::loaded(true, "Created");
    let (pid, _) = h.until_polling();
    // More failures than any retry budget: polling is how the page follows, it never gives up.
    h.fail(pid);
    for _ in 0..=RetryPolicy::default().max_retries + 1 {
        h.fire_next_timer();
        let (pid, _) = h.open_get();
        h.reply(pid, problem(503, "unavailable"));
    }
    h.fire_next_timer();
    let (pid, _) = h.open_get();
    h.reply(
        pid,
        Reply {
            status: 200,
            etag: None,
            body: "<html>gateway</html>".into(),
            retry_after_ms: None,
        },
    );
    assert!(
        h.kinds().contains(&EventKind::Error),
        "the garbled read is reported"
    );
    h.fire_next_timer();
    let (pid, _) = h.open_get();
    h.reply(pid, ok(intent(2, "Captured")));
    assert!(h.kinds().contains(&EventKind::Succeeded));
}
