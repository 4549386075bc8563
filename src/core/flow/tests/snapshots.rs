//! The snapshot pipeline: decoded once, ordered and classified by the mirror, bad ones reported.

use super::*;

#[test]
fn stale_and_duplicate_snapshots_are_dropped() {
    let mut h = H::loaded(true, "Created");
    h.stream_send(
        3,
        "Created",
        r#","tipsAmount":{"value":100,"currencyCode":"GBP"}"#,
    );
    h.stream_send(3, "Created", ""); // duplicate
    h.stream_send(2, "Created", ""); // stale
    let statuses = h
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Status)
        .count();
    assert_eq!(statuses, 1);
    assert_eq!(h.c.intent().map(|i| i.version), Some(3));
    let change = h
        .events
        .last()
        .and_then(|e| e.delta.as_ref().map(|d| d.to_json()))
        .expect("change");
    let change: serde_json::Value = serde_json::from_str(&change).expect("change is JSON");
    assert!(change["fields"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == "tipsAmount")));
}

#[test]
fn an_unknown_status_is_a_typed_error_and_changes_nothing() {
    let mut h = H::loaded(true, "Created");
    let before = h.c.intent();
    let n = h.events.len();
    h.stream_send(2, "Mystery", "");
    let new: Vec<_> = h.events[n..].iter().collect();
    assert_eq!(new.len(), 1, "{new:?}");
    let e = new[0].error.as_ref().expect("error detail");
    assert_eq!(new[0].kind, EventKind::Error);
    assert_eq!(e.code, ErrorCode::ApiError);
    assert!(e.message.contains("status"), "{}", e.message);
    assert!(e.message.contains("unknown_status"), "{}", e.message);
    assert_eq!(h.c.intent(), before);
    // Still following: the next good snapshot is taken.
    h.stream_send(2, "Created", r#","reference":"r2""#);
    assert_eq!(h.c.intent().map(|i| i.version), Some(2));
    h.assert_no_leak();
}

#[test]
fn an_undecodable_poll_or_load_reply_names_the_field() {
    let mut h = H::new(true);
    let op = h.c.start(h.now);
    h.drain();
    let (id, _) = h.last_sent();
    h.reply(
        id,
        ok(format!(r#"{{"id":"{ID}","status":"Created","version":1}}"#)),
    );
    assert!(
        matches!(h.result(op), Err(e) if e.code == ErrorCode::ApiError && e.message.contains("amount"))
    );
    assert!(h.c.intent().is_none());
    h.assert_no_leak();
}

#[test]
fn stale_and_duplicate_snapshots_are_dropped_by_the_mirror() {
    let mut h = H::loaded(true, "Created");
    h.stream_send(3, "Created", r#","reference":"r3""#);
    assert_eq!(h.c.intent().map(|i| i.version), Some(3));
    let n = h.events.len();
    // Same version (duplicate) and an older one (stale): no events, the intent stays at v3.
    h.stream_send(3, "Created", r#","reference":"dup""#);
    h.stream_send(2, "Captured", "");
    assert_eq!(h.events.len(), n, "{:?}", &h.events[n..]);
    let cur = h.c.intent().expect("intent");
    assert_eq!((cur.version, cur.status.as_str()), (3, "Created"));
    assert!(cur.json.contains("r3"));
    // Same version but a later `updatedAt` is newer (the mirror's order).
    h.stream_send(
        3,
        "Created",
        r#","reference":"r3b","updatedAt":"2026-11-23T10:05:00Z""#,
    );
    assert!(h.c.intent().is_some_and(|i| i.json.contains("r3b")));
}

#[test]
fn an_unexpected_transition_is_reported_and_the_snapshot_taken() {
    let mut h = H::loaded(true, "Authorized");
    let n = h.events.len();
    // Dojo has no path from an authorisation back to awaiting payment.
    h.stream_send(2, "Created", "");
    let errs: Vec<_> = h.events[n..]
        .iter()
        .filter_map(|e| e.error.as_ref())
        .collect();
    assert_eq!(errs.len(), 1, "{:?}", &h.events[n..]);
    assert_eq!(errs[0].code, ErrorCode::UnexpectedTransition);
    assert!(h.events[n..].iter().any(|e| e.kind == EventKind::Status));
    let cur = h.c.intent().expect("intent");
    assert_eq!((cur.version, cur.phase), (2, Phase::Payable));
    h.assert_no_leak();
}
