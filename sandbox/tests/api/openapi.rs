//! Keeps `sandbox/openapi.yaml` true: its operations are exactly the router's, each one answers on a
//! live server, and it lists every problem code and test card the code knows.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use crate::common::*;

fn doc() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
        .expect("openapi.yaml");
    serde_norway::from_str(&text).expect("openapi.yaml parses")
}

fn normalise(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push_str("{}");
            }
            '}' => depth -= 1,
            _ if depth > 0 => {}
            c => out.push(c),
        }
    }
    out
}

fn documented() -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    if let Some(paths) = doc()["paths"].as_object() {
        for (path, item) in paths {
            for m in ["get", "post", "delete", "put", "patch"] {
                if item.get(m).is_some() {
                    ops.insert((m.to_string(), normalise(path)));
                }
            }
        }
    }
    ops
}

/// Reads the `.route("…", get(…).post(…))` calls out of the router's source.
fn routed() -> BTreeSet<(String, String)> {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes/mod.rs"))
        .expect("router source");
    let mut ops = BTreeSet::new();
    let mut rest = src.as_str();
    while let Some(i) = rest.find(".route(") {
        rest = &rest[i + ".route(".len()..];
        let mut depth = 1;
        let mut end = 0;
        for (j, c) in rest.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = j;
                break;
            }
        }
        let call = &rest[..end];
        let path = call.split('"').nth(1).unwrap_or_default();
        for m in ["get", "post", "delete", "put", "patch"] {
            let starts =
                call.starts_with(&format!("\"{path}\", {m}(")) || call.contains(&format!(" {m}("));
            if starts
                || call.contains(&format!(".{m}("))
                || call.contains(&format!("\n{m}("))
                || call.contains(&format!("\t{m}("))
            {
                ops.insert((m.to_string(), normalise(path)));
            }
        }
    }
    ops
}

/// A routed `{}` segment stands for any one documented segment (the demo's `{action}` route serves
/// five documented operations).
fn serves(route: &(String, String), op: &(String, String)) -> bool {
    let (r, o): (Vec<&str>, Vec<&str>) = (route.1.split('/').collect(), op.1.split('/').collect());
    route.0 == op.0 && r.len() == o.len() && r.iter().zip(&o).all(|(r, o)| r == o || *r == "{}")
}

#[test]
fn documented_operations_are_exactly_the_routed_ones() {
    let (doc, code) = (documented(), routed());
    assert!(code.len() > 20, "router parse found too little: {code:?}");
    let missing: Vec<_> = code
        .iter()
        .filter(|r| !doc.iter().any(|o| serves(r, o)))
        .collect();
    // The most specific route wins, as in the router: a documented literal segment is not a wildcard.
    let unrouted: Vec<_> = doc
        .iter()
        .filter(|o| !code.contains(o) && !code.iter().any(|r| serves(r, o)))
        .collect();
    assert!(missing.is_empty(), "routed but not documented: {missing:?}");
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
}

#[test]
fn problem_codes_and_test_cards_are_documented() {
    let d = doc();
    let listed: BTreeSet<&str> = d["components"]["schemas"]["ProblemDetails"]["properties"]["code"]
        ["enum"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let known: BTreeSet<&str> = intent_sandbox::http::problem::CODES
        .iter()
        .copied()
        .collect();
    assert_eq!(listed, known);
    let description = d["info"]["description"]
        .as_str()
        .unwrap_or_default()
        .replace(' ', "");
    // The saved-card CVC cards too (CVC_AGAIN).
    let numbers: Vec<&str> = intent_sandbox::cards::TEST_CARDS
        .iter()
        .map(|(n, _)| *n)
        .chain(intent_sandbox::cards::CVC_AGAIN)
        .collect();
    for number in &numbers {
        assert!(
            description.contains(number),
            "test card {number} not in openapi.yaml"
        );
    }
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .unwrap_or_default()
        .replace(' ', "");
    for number in &numbers {
        assert!(
            readme.contains(number),
            "test card {number} not in sandbox/README.md"
        );
    }
}

#[tokio::test]
async fn every_documented_operation_answers() {
    let sb = start().await;
    for (method, path) in documented() {
        let concrete = path.replace("{}", "pi_unknown");
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let r = sb.send(m, &concrete, None, &[], None).await;
        let ct = r.header("content-type").unwrap_or_default().to_string();
        let routed = ct.starts_with("application/problem+json")
            || ct.starts_with("application/json")
            || ct.starts_with("text/html")
            || ct.starts_with("text/javascript")
            || ct.starts_with("text/css")
            || ct.starts_with("text/event-stream");
        assert!(routed, "{method} {path}: {} {ct}", r.status);
        assert_ne!(r.status, 405, "{method} {path}");
    }
}
