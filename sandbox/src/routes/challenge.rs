//! The 3-D Secure challenge: a small page at a one-time URL (no inline script, for a strict CSP) whose
//! buttons complete the challenge and tell the parent window by `postMessage`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::auth::BaseUrl;
use crate::http::body::{json_object, Fields};
use crate::http::{ok, ApiResult, Problem};
use crate::AppState;

const SCRIPT: &str = r#"// intent-sandbox 3-D Secure challenge: completes the challenge, then tells the parent window.
(function () {
  var root = document.getElementById("challenge");
  var id = root.getAttribute("data-challenge-id");
  var status = document.getElementById("challenge-status");
  function finish(outcome) {
    var buttons = document.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    fetch("/challenge/" + encodeURIComponent(id) + "/complete", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ outcome: outcome })
    }).then(function (res) {
      status.textContent = res.ok ? "Done: " + outcome : "This challenge is no longer available.";
      var msg = { source: "intent-sandbox", type: "challenge_complete", challengeId: id, outcome: outcome };
      if (window.parent && window.parent !== window) window.parent.postMessage(msg, "*");
      if (window.opener) window.opener.postMessage(msg, "*");
    }, function () {
      status.textContent = "Network error; try again.";
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
    });
  }
  document.getElementById("approve").addEventListener("click", function () { finish("approved"); });
  document.getElementById("fail").addEventListener("click", function () { finish("failed"); });
})();
"#;

pub async fn script() -> Response {
    let mut res = SCRIPT.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    res
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

fn html(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'",
        ),
    );
    res
}

pub async fn page(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let found = st.store().challenge_intent(&id).map(|i| {
        (
            i.reference.clone(),
            format!("{} {}", i.total() as f64 / 100.0, i.currency),
        )
    });
    let Some((reference, amount)) = found else {
        return html(
            StatusCode::NOT_FOUND,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Challenge unavailable</title></head><body><p>This 3-D Secure challenge does not exist or was already completed.</p></body></html>".into(),
        );
    };
    let id = escape(&id);
    html(
        StatusCode::OK,
        format!(
            r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>3-D Secure (sandbox)</title>
<style>body{{font:16px system-ui,sans-serif;margin:1.5rem;color:#111}}button{{font-size:1rem;margin:.25rem;padding:.5rem 1rem}}</style>
</head><body>
<main id="challenge" data-challenge-id="{id}">
<h1>Sandbox 3-D Secure</h1>
<p>Approve or fail the authentication of {amount} for <strong>{reference}</strong>.</p>
<button id="approve" type="button" data-testid="challenge-approve">Approve</button>
<button id="fail" type="button" data-testid="challenge-fail">Fail</button>
<p id="challenge-status" role="status" aria-live="polite"></p>
</main>
<script src="/challenge.js"></script>
</body></html>
"#,
            amount = escape(&amount),
            reference = escape(&reference),
        ),
    )
}

/// `POST /challenge/{id}/complete {"outcome": "approved"|"failed"}`; works once per challenge id.
pub async fn complete(
    State(st): State<AppState>,
    Path(id): Path<String>,
    BaseUrl(base): BaseUrl,
    body: Bytes,
) -> ApiResult<Response> {
    let obj = json_object(&body, false)?;
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
        let change = store.complete_challenge(&id, approved, st.clock.now())?;
        let view = store.get(&change.id)?.browser_value(&base);
        (change, view)
    };
    st.publish(&[change]);
    Ok(ok(&json!({
        "challengeId": id,
        "outcome": if approved { "approved" } else { "failed" },
        "intent": view,
    })))
}
