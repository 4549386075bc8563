//! The 3-D Secure challenge: a small page at a one-time URL (no inline script or style, for a strict
//! CSP) whose buttons complete the challenge and tell the paying page by `postMessage`.
//!
//! Hardened like the card frame: only the origin that paid may frame it (`frame-ancestors`, from the pay
//! request's `Origin`; the allowed frame ancestors when there was none), completing it needs the
//! credential that only this page's HTML carries (not its URL, and the page is not readable from other
//! origins: these routes send no CORS headers), and the result goes to that origin, never to `"*"`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::auth::{auth_value, same_key, BaseUrl, TestKey};
use crate::http::body::{json_object, Fields, JsonBody};
use crate::http::{ok, ApiResult, Problem};
use crate::AppState;

const SCRIPT: &str = r#"// intent-sandbox 3-D Secure challenge: completes the challenge, then tells the paying page.
(function () {
  var root = document.getElementById("challenge");
  var id = root.getAttribute("data-challenge-id");
  var credential = root.getAttribute("data-credential");
  var parentOrigin = root.getAttribute("data-parent-origin");
  root.removeAttribute("data-credential");
  var status = document.getElementById("challenge-status");
  function finish(outcome) {
    var buttons = document.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    fetch("/challenge/" + encodeURIComponent(id) + "/complete", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + credential },
      body: JSON.stringify({ outcome: outcome })
    }).then(function (res) {
      status.textContent = res.ok ? "Done: " + outcome : "This challenge is no longer available.";
      if (!parentOrigin) return;
      var msg = { source: "intent-sandbox", type: "challenge_complete", challengeId: id, outcome: outcome };
      if (window.parent && window.parent !== window) window.parent.postMessage(msg, parentOrigin);
      if (window.opener) window.opener.postMessage(msg, parentOrigin);
    }, function () {
      status.textContent = "Network error; try again.";
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
    });
  }
  document.getElementById("approve").addEventListener("click", function () { finish("approved"); });
  document.getElementById("fail").addEventListener("click", function () { finish("failed"); });
  // The buttons come disabled: a click before this script ran would have done nothing, for good.
  var ready = document.querySelectorAll("button");
  for (var i = 0; i < ready.length; i++) ready[i].disabled = false;
})();
"#;

const STYLE: &str = "body{font:16px system-ui,sans-serif;margin:1.5rem;color:#111;background:#fff}\
button{font-size:1rem;margin:.25rem;padding:.5rem 1rem}\n";

/// Headers every challenge response carries besides its CSP.
fn harden(res: &mut Response) {
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    harden(&mut res);
    res
}

pub async fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}

pub async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '&' => "&amp;".into(),
            '"' => "&quot;".into(),
            '\'' => "&#39;".into(),
            c => c.to_string(),
        })
        .collect()
}

fn html(status: StatusCode, body: String, ancestors: &str) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    harden(&mut res);
    res
}

pub async fn page(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let found = {
        let store = st.store();
        let intent = store
            .challenge_intent(&id)
            .map(|i| {
                (
                    i.reference.clone(),
                    format!("{} {}", i.total() as f64 / 100.0, i.currency),
                )
            })
            // A setup intent's challenge authenticates the card for the amount it means to charge.
            .or_else(|| {
                store.setup_challenge(&id).map(|s| {
                    let amount = s.intended.map_or_else(
                        || "a saved card".to_string(),
                        |(v, c)| format!("{} {c}", v as f64 / 100.0),
                    );
                    (s.reference.clone(), amount)
                })
            });
        let guard = store
            .challenge_guards
            .get(&id)
            .map(|g| (g.credential.clone(), g.parent.clone()));
        intent.zip(guard)
    };
    let Some(((reference, amount), (credential, parent))) = found else {
        return html(
            StatusCode::NOT_FOUND,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Challenge unavailable</title></head><body><p>This 3-D Secure challenge does not exist or was already completed.</p></body></html>".into(),
            "'none'",
        );
    };
    // The paying page alone may frame it; without a known one, any allowed merchant page.
    let ancestors = parent
        .clone()
        .unwrap_or_else(|| st.config.frame_ancestor_patterns().join(" "));
    let id = escape(&id);
    html(
        StatusCode::OK,
        format!(
            r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>3-D Secure (sandbox)</title>
<link rel="stylesheet" href="/challenge.css">
</head><body>
<main id="challenge" data-challenge-id="{id}" data-credential="{credential}" data-parent-origin="{parent}">
<h1>Sandbox 3-D Secure</h1>
<p>Approve or fail the authentication of {amount} for <strong>{reference}</strong>.</p>
<button id="approve" type="button" data-testid="challenge-approve" disabled>Approve</button>
<button id="fail" type="button" data-testid="challenge-fail" disabled>Fail</button>
<p id="challenge-status" role="status" aria-live="polite"></p>
</main>
<script src="/challenge.js"></script>
</body></html>
"#,
            amount = escape(&amount),
            reference = escape(&reference),
            credential = escape(&credential),
            parent = escape(parent.as_deref().unwrap_or("")),
        ),
        &ancestors,
    )
}

/// `POST /challenge/{id}/complete {"outcome": "approved"|"failed"}` with the page's credential as
/// `Authorization: Bearer`; works once per challenge id.
pub async fn complete(
    State(st): State<AppState>,
    Path(id): Path<String>,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let admitted = {
        let store = st.store();
        let guard = store
            .challenge_guards
            .get(&id)
            .ok_or(crate::store::StoreError::ChallengeUnavailable)?;
        auth_value(&headers, "Bearer").is_some_and(|c| same_key(c, &guard.credential))
    };
    if !admitted {
        return Err(Problem::unauthorized(
            "completing a challenge needs the credential its page carries",
        ));
    }
    finish(&st, &id, &base, &body)
}

/// `POST /test/challenges/{id}/complete` (merchant key): what the page's buttons do, for automated
/// tests that cannot press them (the wasm layer runs on another origin).
pub async fn complete_for_test(
    State(st): State<AppState>,
    _: TestKey,
    Path(id): Path<String>,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    finish(&st, &id, &base, &body)
}

fn finish(st: &AppState, id: &str, base: &str, body: &Bytes) -> ApiResult<Response> {
    let obj = json_object(body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["outcome"])?;
    let approved = match f.str("outcome", 20)? {
        Some("approved") => true,
        Some("failed") => false,
        _ => {
            return Err(Problem::invalid(
                "outcome",
                "`outcome` must be approved or failed",
            ))
        }
    };
    let (change, view) = {
        let mut store = st.store();
        if store.setup_challenge(id).is_some() {
            let setup = store.complete_setup_challenge(id, approved, st.clock.now())?;
            store.challenge_guards.close(id);
            let view = serde_json::from_str(&store.setup(&setup)?.browser_json(base))
                .unwrap_or(serde_json::Value::Null);
            (None, view)
        } else {
            let change = store.complete_challenge(id, approved, st.clock.now())?;
            store.challenge_guards.close(id);
            let view = store.get(&change.id)?.browser_value(base);
            (Some(change), view)
        }
    };
    st.publish(change.as_slice());
    Ok(ok(&json!({
        "challengeId": id,
        "outcome": if approved { "approved" } else { "failed" },
        "intent": view,
    })))
}
