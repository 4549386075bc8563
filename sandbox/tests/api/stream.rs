//! The event stream: snapshot on connect, one event per change, resume with Last-Event-ID,
//! heartbeats, and the end of the stream after a terminal status.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::common::*;

pub struct Frames {
    pub events: Vec<(u64, Value)>,
    pub pings: usize,
    pub ended: bool,
    pub raw: String,
}

/// Reads the stream until it ends or `wait` passes, calling `during` once it is open.
pub async fn read_stream(
    sb: &Sandbox,
    id: &str,
    secret: &str,
    last_event_id: Option<u64>,
    wait: Duration,
    during: impl std::future::Future<Output = ()>,
) -> Frames {
    let mut req = sb
        .http
        .get(format!("{}/payment-intents/public/{id}/events", sb.base))
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
    let mut body = res.bytes_stream();
    let mut raw = String::new();
    let mut ended = false;
    let reader = async {
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(b) => raw.push_str(&String::from_utf8_lossy(&b)),
                Err(_) => break,
            }
        }
        ended = true;
    };
    let both = async {
        tokio::join!(reader, during);
    };
    let _ = tokio::time::timeout(wait, both).await;
    let mut events = Vec::new();
    let mut pings = 0;
    for frame in raw.split("\n\n") {
        if frame.starts_with(": ping") {
            pings += 1;
        }
        let id = frame
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .and_then(|v| v.parse().ok());
        let data = frame.lines().find_map(|l| l.strip_prefix("data: "));
        if let (Some(id), Some(data)) = (id, data) {
            assert!(frame.contains("event: intent"));
            events.push((id, serde_json::from_str(data).unwrap_or(Value::Null)));
        }
    }
    Frames {
        events,
        pings,
        ended,
        raw,
    }
}

#[tokio::test]
async fn snapshot_then_changes_then_close_after_terminal() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    let pay = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        sb.pay(&id, &secret, "4000000000000002").await;
        sb.pay(&id, &secret, "4242424242424242").await;
    };
    let f = read_stream(&sb, &id, &secret, None, Duration::from_secs(5), pay).await;
    assert!(f.ended, "the stream must close after Captured: {}", f.raw);
    let versions: Vec<u64> = f.events.iter().map(|(v, _)| *v).collect();
    assert_eq!(versions, vec![1, 2, 3]);
    assert_eq!(
        f.events[1].1["lastPaymentError"]["declineCode"],
        "generic_decline"
    );
    assert_eq!(f.events[2].1["status"], "Captured");
    assert_eq!(f.events[2].1["version"], 3);
    assert!(!f.raw.contains(&secret));
}

#[tokio::test]
async fn resume_sends_only_newer_versions() {
    let sb = start().await;
    let (id, secret, _) = sb.create(create_body("Auto")).await;
    sb.pay(&id, &secret, "4000000000000002").await;
    // Up to date: no snapshot, just the heartbeat-able open stream, then the next change.
    let pay = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        sb.pay(&id, &secret, "4242424242424242").await;
    };
    let f = read_stream(&sb, &id, &secret, Some(2), Duration::from_secs(5), pay).await;
    let versions: Vec<u64> = f.events.iter().map(|(v, _)| *v).collect();
    assert_eq!(versions, vec![3]);
    // Behind: the current snapshot at once; terminal, so the stream ends.
    let f = read_stream(&sb, &id, &secret, Some(1), Duration::from_secs(5), async {}).await;
    assert_eq!(f.events.len(), 1);
    assert_eq!(f.events[0].0, 3);
    assert!(f.ended);
}

#[tokio::test]
async fn heartbeats_keep_an_idle_stream_alive() {
    let sb = start_with(|c| c.heartbeat_secs = 0.1).await;
    let (id, secret) = sb.demo(json!({})).await;
    let f = read_stream(&sb, &id, &secret, None, Duration::from_millis(550), async {
    })
    .await;
    assert!(f.pings >= 3, "{}", f.raw);
    assert!(!f.ended);
    assert_eq!(f.events.len(), 1);
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
    let sb = start().await;
    let (id, secret) = sb
        .demo(json!({"captureMode": "Manual", "dialect": "setel"}))
        .await;
    sb.pay(&id, &secret, "4242424242424242").await;
    let expire = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        sb.advance(31.0 * 60.0).await;
    };
    let f = read_stream(&sb, &id, &secret, Some(2), Duration::from_secs(5), expire).await;
    assert_eq!(
        f.events.last().map(|e| e.1["status"].clone()),
        Some(json!("expired"))
    );
    assert!(f.ended);
}
