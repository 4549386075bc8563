//! The real binary: the first stdout line's exact format (scripts parse it), `--port 0`, `--help`,
//! bad flags, and a clean exit on Ctrl-C even with an event stream open.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_intent-sandbox");

#[tokio::test]
async fn prints_its_address_and_stops_cleanly_on_sigint() {
    let mut child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--secret-key",
            "sk_bin",
            "--heartbeat",
            "0.2",
            "--demo",
            "--webhook-url",
            "http://127.0.0.1:9/hook",
            "--webhook-secret",
            "whsec_bin",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let url = first
        .strip_prefix("intent-sandbox listening on ")
        .unwrap_or_default()
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{first}"
    );
    // Secrets are never printed: where the key came from, and the webhook subscription without its secret.
    let second = lines.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(second, "secret key: from --secret-key (not shown)");
    let third = lines.next().and_then(Result::ok).unwrap_or_default();
    assert!(
        third.starts_with("webhooks: ws_") && third.ends_with("-> http://127.0.0.1:9/hook"),
        "{third}"
    );
    for line in [&first, &second, &third] {
        assert!(
            !line.contains("sk_bin") && !line.contains("whsec_bin"),
            "{line}"
        );
    }

    let http = reqwest::Client::new();
    let created: serde_json::Value = http
        .post(format!("{url}/demo/payment-intents"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = created["paymentIntentId"].as_str().unwrap_or_default();
    let secret = created["clientSessionSecret"].as_str().unwrap_or_default();
    let stream = http
        .get(format!("{url}/payment-intents/public/{id}/events"))
        .header("authorization", format!("Bearer {secret}"))
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), 200);

    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        status.is_some_and(|s| s.success()),
        "did not exit cleanly: {status:?}"
    );
    drop(stream);
}

#[test]
fn help_and_bad_flags() {
    let help = Command::new(BIN).arg("--help").output().expect("help");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--port",
        "--host",
        "--secret-key",
        "--dialect",
        "--token-ttl",
        "--webhook-url",
        "--webhook-secret",
        "--cors-origin",
        "--www-dir",
        "--pkg-dir",
        "--heartbeat",
        "--async-settle-delay",
    ] {
        assert!(text.contains(flag), "{flag} missing from --help");
    }
    let bad = Command::new(BIN).arg("--bogus").output().expect("bad");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--bogus"));
}
