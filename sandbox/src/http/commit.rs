//! Committing a change the way every mutating route does: injected latency and 500s before the
//! commit, the store operation and its answer under one lock (with the idempotent answer stored in
//! the same critical section), the change published to streams and webhooks, then the fault plan's
//! verdict on the answer (sent, replaced by a 500, or the connection dropped).

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::idempotency::KeyGuard;
use super::problem::{ApiResult, Problem};
use super::Reply;
use crate::clock::Millis;
use crate::store::{Change, Store, StoreResult};
use crate::AppState;

/// Who is calling, for the fault plan: browser routes always get faults, the others only with
/// `scope: all`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Browser,
    Server,
}

/// What a store operation returns: the change, and whatever it made (a capture id, …).
pub trait Outcome {
    type Made;
    fn split(self) -> (Change, Self::Made);
}

impl Outcome for Change {
    type Made = ();
    fn split(self) -> (Change, ()) {
        (self, ())
    }
}

impl Outcome for (Change, String) {
    type Made = String;
    fn split(self) -> (Change, String) {
        self
    }
}

/// Runs `op` as one committed change and answers with what `render` makes of the store after it.
pub async fn commit<O: Outcome>(
    st: &AppState,
    caller: Caller,
    key: Option<&mut KeyGuard>,
    op: impl FnOnce(&mut Store, Millis) -> StoreResult<O>,
    render: impl FnOnce(&Store, O::Made) -> StoreResult<Reply>,
) -> ApiResult<Response> {
    before_commit(st, caller).await?;
    let (change, reply) = {
        let mut store = st.store();
        let (change, made) = op(&mut store, st.clock.now())?.split();
        let reply = render(&store, made)?;
        if let Some(key) = key {
            key.finish(&mut store, &reply);
        }
        (change, reply)
    };
    st.publish(std::slice::from_ref(&change));
    Ok(deliver(after_commit(st, caller), reply.into_response()))
}

/// Like `commit` for a change that is not a payment intent's (a setup intent, a customer): the same
/// faults, lock and idempotent answer, and no webhook (Dojo sends none for them); a setup intent's
/// stream still hears of it.
pub async fn commit_unpublished<T>(
    st: &AppState,
    caller: Caller,
    key: Option<&mut KeyGuard>,
    op: impl FnOnce(&mut Store, Millis) -> StoreResult<T>,
    render: impl FnOnce(&Store, T) -> StoreResult<Reply>,
) -> ApiResult<Response> {
    before_commit(st, caller).await?;
    let reply = {
        let mut store = st.store();
        let made = op(&mut store, st.clock.now())?;
        let reply = render(&store, made)?;
        if let Some(key) = key {
            key.finish(&mut store, &reply);
        }
        reply
    };
    st.publish(&[]);
    Ok(deliver(after_commit(st, caller), reply.into_response()))
}

/// Like `commit` for a new intent: `make` creates it and answers.
pub async fn create(
    st: &AppState,
    make: impl FnOnce(&mut Store, Millis) -> StoreResult<(Change, Reply)>,
) -> ApiResult<Response> {
    before_commit(st, Caller::Server).await?;
    let (change, reply) = make(&mut st.store(), st.clock.now())?;
    st.publish(std::slice::from_ref(&change));
    Ok(deliver(
        after_commit(st, Caller::Server),
        reply.into_response(),
    ))
}

/// The 429 fault, latency and the 500-before-commit fault; call before taking the store lock to
/// commit.
async fn before_commit(st: &AppState, caller: Caller) -> ApiResult<()> {
    let (latency, fail) = {
        let mut f = st.faults();
        if !f.applies_to(caller == Caller::Browser) {
            return Ok(());
        }
        if let Some(secs) = f.rate_limit() {
            return Err(Problem::rate_limited(secs));
        }
        let latency = f.latency();
        let p = f.config.error_before_commit;
        (latency, f.roll(p))
    };
    if let Some(ms) = latency {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if fail {
        return Err(Problem::injected("before commit: nothing changed"));
    }
    Ok(())
}

/// The 429 fault and latency, for reads.
pub async fn read_latency(st: &AppState, caller: Caller) -> ApiResult<()> {
    let latency = {
        let mut f = st.faults();
        if !f.applies_to(caller == Caller::Browser) {
            return Ok(());
        }
        if let Some(secs) = f.rate_limit() {
            return Err(Problem::rate_limited(secs));
        }
        f.latency()
    };
    if let Some(ms) = latency {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    Ok(())
}

/// What to do with a committed change's answer, as drawn from the fault configuration.
enum AfterCommit {
    Answer,
    Error,
    Drop,
}

fn after_commit(st: &AppState, caller: Caller) -> AfterCommit {
    let mut f = st.faults();
    if !f.applies_to(caller == Caller::Browser) {
        return AfterCommit::Answer;
    }
    let (pe, pd) = (f.config.error_after_commit, f.config.drop_after_commit);
    if f.roll(pe) {
        AfterCommit::Error
    } else if f.roll(pd) {
        AfterCommit::Drop
    } else {
        AfterCommit::Answer
    }
}

/// Turns a committed answer into what the fault plan says the client gets.
fn deliver(after: AfterCommit, res: Response) -> Response {
    match after {
        AfterCommit::Answer => res,
        AfterCommit::Error => {
            Problem::injected("after commit: the change was kept").into_response()
        }
        AfterCommit::Drop => dropped_connection(),
    }
}

/// A response whose body fails at once: hyper aborts the connection, so the client sees a
/// network error rather than an answer.
fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected dropped connection"))
    });
    let mut res = Response::new(Body::from_stream(stream));
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}
