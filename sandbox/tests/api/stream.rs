//! The event stream: snapshot on connect, one event per change, resume with Last-Event-ID,
//! heartbeats, and the end of the stream after a terminal status.

use std::pin::Pin;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use serde_json::{json, Value};

use crate::common::*;

#[derive(Debug)]
pub enum Frame {
    /// An `intent` event: its id (the version) and data.
    Event(u64, Value),
    Ping,
    /// Any other comment (`: stream open`).
    Comment,
}

/// An open event stream, read frame by frame: a test waits for the frame it expects before it makes
/// the next change, so back-to-back changes cannot merge into one snapshot behind its back.
pub struct EventStream {
    body: Pin<Box<dyn Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buf: String,
    /// Everything received so far.
    pub raw: String,
}

impl EventStream {
    /// Opens the stream; once this returns the server is subscribed to the intent's changes.
    pub async fn open(sb: &Sandbox, id: &str, secret: &str, last_event_id: Option<u64>) -> Self {
        let path = format!("/payment-intents/public/{id}/events");
        Self::open_at(sb, &path, secret, last_event_id).await
    }

    /// Opens the stream at `path` (a payment intent's or a setup intent's).
    pub async fn open_at(
        sb: &Sandbox,
        path: &str,
        secret: &str,
        last_event_id: Option<u64>,
    ) -> Self {
        let mut req = sb
            .http
            .get(format!("{}{path}", sb.base))
            .header("authorization", format!("Bearer {secret}"));
        if let Some(v) = last_event_id {
            req = req.header("last-event-id", v.to_string());
        }
        let res = req.send().await.expect("stream");
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/event-stream")
        );
        EventStream {
            body: Box::pin(res.bytes_stream()),
            buf: String::new(),
            raw: String::new(),
        }
    }

    /// The next frame, or `None` once the server has closed the stream.
    pub async fn next_frame(&mut self) -> Option<Frame> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let frame: String = self.buf.drain(..end + 2).collect();
                return Some(parse(&frame));
            }
            // A guard against a hang, not a wait: every caller expects a frame or the end.
            let chunk = tokio::time::timeout(Duration::from_secs(60), self.body.next())
                .await
                .unwrap_or_else(|_| panic!("no frame within 60 s; so far: {}", self.raw));
            match chunk {
                Some(Ok(b)) => {
                    let text = String::from_utf8_lossy(&b);
                    self.raw.push_str(&text);
                    self.buf.push_str(&text);
                }
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// The next `intent` event, skipping comments; `None` at the end of the stream.
    pub async fn next_event(&mut self) -> Option<(u64, Value)> {
        loop {
            match self.next_frame().await? {
                Frame::Event(v, data) => return Some((v, data)),
                Frame::Ping | Frame::Comment => {}
            }
        }
    }

    /// The versions of the next `n` events.
    pub async fn versions(&mut self, n: usize) -> Vec<u64> {
        let mut out = Vec::new();
        for _ in 0..n {
            let (v, _) = self
                .next_event()
                .await
                .unwrap_or_else(|| panic!("the stream ended early: {}", self.raw));
            out.push(v);
        }
        out
    }

    /// Reads to the end; fails if an event comes first.
    pub async fn assert_ends(&mut self) {
        while let Some(f) = self.next_frame().await {
            assert!(
                !matches!(f, Frame::Event(..)),
                "an event after the last one: {}",
                self.raw
            );
        }
    }
}

fn parse(frame: &str) -> Frame {
    if frame.starts_with(": ping") {
        return Frame::Ping;
    }
    let id = frame
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .and_then(|v| v.parse().ok());
    let data = frame.lines().find_map(|l| l.strip_prefix("data: "));
    match (id, data) {
        (Some(id), Some(data)) => {
            assert!(frame.contains("event: intent"), "{frame}");
            Frame::Event(id, serde_json::from_str(data).unwrap_or(Value::Null))
        }
        _ => Frame::Comment,
    }
}

#[tokio::test]
async fn snapshot_then_changes_then_close_after_terminal() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let mut s = EventStream::open(&sb, &id, &secret, None).await;
    assert_eq!(s.next_event().await.map(|e| e.0), Some(1));
    sb.pay(&id, &secret, "4000000000000002").await;
    let (v, declined) = s.next_event().await.expect("the decline");
    assert_eq!(v, 2);
    assert_eq!(
        declined["lastPaymentError"]["declineCode"],
        "generic_decline"
    );
    sb.pay(&id, &secret, "4242424242424242").await;
    let (v, captured) = s.next_event().await.expect("the capture");
    assert_eq!(v, 3);
    assert_eq!(captured["status"], "Captured");
    assert_eq!(captured["version"], 3);
    s.assert_ends().await; // the stream closes after Captured
    assert!(!s.raw.contains(&secret));
}

#[tokio::test]
async fn back_to_back_changes_reach_the_stream_as_the_newest_snapshot() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let mut s = EventStream::open(&sb, &id, &secret, Some(1)).await;
    // Two commits may reach the stream as one frame (the newest snapshot): versions only grow, and
    // the last one is the final state.
    sb.pay(&id, &secret, "4000000000000002").await;
    sb.pay(&id, &secret, "4242424242424242").await;
    let mut seen = Vec::new();
    while let Some((v, data)) = s.next_event().await {
        seen.push((v, data["status"].clone()));
    }
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    assert_eq!(seen.last(), Some(&(3, json!("Captured"))), "{}", s.raw);
}

#[tokio::test]
async fn resume_sends_only_newer_versions() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    sb.pay(&id, &secret, "4000000000000002").await;
    // Up to date: no snapshot, just the open stream, then the next change.
    let mut s = EventStream::open(&sb, &id, &secret, Some(2)).await;
    sb.pay(&id, &secret, "4242424242424242").await;
    assert_eq!(s.next_event().await.map(|e| e.0), Some(3));
    s.assert_ends().await;
    // Behind: the current snapshot at once; terminal, so the stream ends.
    let mut s = EventStream::open(&sb, &id, &secret, Some(1)).await;
    assert_eq!(s.next_event().await.map(|e| e.0), Some(3));
    s.assert_ends().await;
}

#[tokio::test]
async fn heartbeats_keep_an_idle_stream_alive() {
    let sb = start_with(|c| c.heartbeat_secs = 0.1).await;
    let (id, secret) = sb.demo(json!({})).await;
    let mut s = EventStream::open(&sb, &id, &secret, None).await;
    assert_eq!(s.next_event().await.map(|e| e.0), Some(1));
    let mut pings = 0;
    while pings < 3 {
        match s.next_frame().await {
            Some(Frame::Ping) => pings += 1,
            other => panic!("only pings on an idle stream, got {other:?}: {}", s.raw),
        }
    }
}

#[tokio::test]
async fn stream_needs_the_intents_secret() {
    let sb = start().await;
    let (a, _) = sb.demo(json!({})).await;
    let (_, sb_secret) = sb.demo(json!({})).await;
    let r = sb
        .send(
            reqwest::Method::GET,
            &format!("/payment-intents/public/{a}/events"),
            Some(format!("Bearer {sb_secret}")),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn clock_driven_changes_reach_the_stream() {
    // The secret must outlive the 30-minute hold, or the stream rightly ends with it.
    let sb = start_with(|c| c.token_ttl_secs = 3600).await;
    let (id, secret) = sb
        .demo(json!({"captureMode": "Manual", "dialect": "setel"}))
        .await;
    sb.pay(&id, &secret, "4242424242424242").await;
    let mut s = EventStream::open(&sb, &id, &secret, Some(2)).await;
    sb.advance(31.0 * 60.0).await;
    let (v, expired) = s.next_event().await.expect("the expiry");
    assert_eq!((v, &expired["status"]), (3, &json!("expired")));
    s.assert_ends().await;
}
