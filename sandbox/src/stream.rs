//! Server-Sent Events of one intent (a payment intent, or a setup intent: the sandbox's addition, as for
//! payment intents; Dojo has no stream): `id: <version>`, `event: intent`, `data: <browser view>`;
//! resumes after `Last-Event-ID`, sends `: ping` heartbeats, and closes after a terminal status, or as
//! soon as the secret it was opened with is no longer valid (refreshed, or expired on the sandbox clock).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use tokio::sync::broadcast::error::RecvError;

use crate::AppState;

struct State {
    st: AppState,
    id: String,
    setup: bool,
    secret: String,
    base: String,
    last: Option<u64>,
    previous: Option<Bytes>,
    rx: tokio::sync::broadcast::Receiver<(Arc<str>, u64)>,
    ticks: tokio::sync::watch::Receiver<u64>,
    shutdown: tokio::sync::watch::Receiver<bool>,
    heartbeat: tokio::time::Interval,
    queue: VecDeque<Bytes>,
    done: bool,
}

impl State {
    /// Queues the current snapshot if it is newer than what the client has; marks the end after a
    /// terminal status. Faults may duplicate it or re-send the previous (older) event after it.
    fn snapshot(&mut self) {
        let (frame, version, terminal) = {
            let Some((version, json, terminal)) = self.current() else {
                self.done = true;
                return;
            };
            if self.last.is_some_and(|l| version <= l) {
                self.done |= terminal;
                return;
            }
            let frame = format!("id: {version}\nevent: intent\ndata: {json}\n\n");
            (Bytes::from(frame), version, terminal)
        };
        self.queue.push_back(frame.clone());
        let (dup, reorder) = {
            let mut f = self.st.faults();
            let (pd, pr) = (f.config.duplicate_events, f.config.reorder_events);
            (f.roll(pd), f.roll(pr))
        };
        if dup {
            self.queue.push_back(frame.clone());
        }
        if reorder {
            if let Some(prev) = &self.previous {
                self.queue.push_back(prev.clone());
            }
        }
        self.previous = Some(frame);
        self.last = Some(version);
        self.done |= terminal;
    }
}

impl State {
    /// The intent's version, browser view and whether its stream is done, while the secret is valid.
    fn current(&self) -> Option<(u64, String, bool)> {
        let (store, now) = (self.st.store(), self.st.clock.now());
        if self.setup {
            store.check_setup_secret(&self.secret, &self.id, now).ok()?;
            let s = store.setup(&self.id).ok()?;
            Some((s.version, s.browser_json(&self.base), s.life.is_terminal()))
        } else {
            store.check_secret(&self.secret, &self.id, now).ok()?;
            let i = store.get(&self.id).ok()?;
            Some((i.version, i.browser_json(&self.base), i.stream_done()))
        }
    }
}

/// How long the stream's secret stays valid on the sandbox clock, or `None` once it is not.
fn valid_for(s: &State) -> Option<Duration> {
    let now = s.st.clock.now();
    let store = s.st.store();
    let expires = if s.setup {
        store.check_setup_secret(&s.secret, &s.id, now).ok()?;
        store.setup(&s.id).ok()?.secret_expires
    } else {
        store.check_secret(&s.secret, &s.id, now).ok()?;
        store.get(&s.id).ok()?.secret_expires
    };
    Some(Duration::from_millis((expires - now).max(0) as u64))
}

/// `setup`: `id` is a setup intent's (and `secret` its client session secret).
pub fn events(
    st: AppState,
    id: String,
    setup: bool,
    secret: String,
    last: Option<u64>,
    base: String,
) -> Response {
    // Subscribe before the first snapshot so no change falls between the two.
    let rx = st.changes.subscribe();
    let shutdown = st.shutdown.subscribe();
    let ticks = st.ticks.subscribe();
    let period = Duration::from_secs_f64(st.config.heartbeat_secs);
    let mut state = State {
        st,
        id,
        setup,
        secret,
        base,
        last,
        previous: None,
        rx,
        ticks,
        shutdown,
        heartbeat: tokio::time::interval_at(tokio::time::Instant::now() + period, period),
        queue: VecDeque::new(),
        done: false,
    };
    // An opening comment flushes the headers at once, so a fetch() reader sees the stream open.
    state
        .queue
        .push_back(Bytes::from_static(b": stream open\n\n"));
    state.snapshot();
    let stream = futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(frame) = s.queue.pop_front() {
                return Some((Ok::<Bytes, std::io::Error>(frame), s));
            }
            if s.done || *s.shutdown.borrow() {
                return None;
            }
            let left = valid_for(&s)?;
            tokio::select! {
                msg = s.rx.recv() => match msg {
                    Ok((changed, _)) if *changed == *s.id => s.snapshot(),
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => s.snapshot(),
                    Err(RecvError::Closed) => s.done = true,
                },
                _ = s.heartbeat.tick() => s.queue.push_back(Bytes::from_static(b": ping\n\n")),
                // The secret expires in real time, or the test clock jumps past it: check again.
                _ = tokio::time::sleep(left) => {}
                _ = s.ticks.changed() => {}
                _ = s.shutdown.changed() => s.done = true,
            }
        }
    });
    let mut res = Response::new(Body::from_stream(stream));
    *res.status_mut() = StatusCode::OK;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    res
}
