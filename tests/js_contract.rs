//! The JS side's closed lists come from the Rust definitions, not from copies: `www/sdk/codes.js` is
//! generated from `ErrorCode::ALL`, `EventKind::ALL` and each dialect's wire (run
//! `BLESS=1 cargo test --test js_contract` after changing them), and the hand-written types and texts are
//! checked against the same lists.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::Path;

use intent_checkout::core::flow::wire::{self, Call};
use intent_checkout::core::flow::{ErrorCode, EventKind, IntentKind};
use intent_checkout::core::lifecycle::Dialect;

fn sdk(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("www/sdk")
        .join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn codes() -> Vec<&'static str> {
    ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

fn events() -> Vec<&'static str> {
    EventKind::ALL.iter().map(|e| e.name()).collect()
}

fn js_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    format!("Object.freeze([{}])", quoted.join(", "))
}

/// Each dialect's path for the page's read of an intent, `{id}` standing for the id.
fn intent_paths() -> String {
    let entries: Vec<String> = Dialect::ALL
        .iter()
        .map(|d| {
            let path = wire::request(*d, IntentKind::Payment, "{id}", &Call::Read).path;
            format!("{}: '{path}'", d.name())
        })
        .collect();
    format!("Object.freeze({{ {} }})", entries.join(", "))
}

fn generated() -> String {
    format!(
        "// Generated from the Rust definitions (`ErrorCode::ALL`, `EventKind::ALL` in src/core/flow) by\n\
         // tests/js_contract.rs: `BLESS=1 cargo test --test js_contract` rewrites it. Do not edit.\n\n\
         /** The closed set of `CheckoutError.code` values. */\n\
         export const ERROR_CODES = {};\n\n\
         /** Every event a checkout dispatches, by its DOM name. */\n\
         export const EVENTS = {};\n\n\
         /** Where each dialect's API serves the page's read of an intent (`{{id}}`: the intent id), from its\n\
          * Rust wire: the loader starts this request while the module compiles. */\n\
         export const INTENT_PATHS = {};\n",
        js_list(&codes()),
        js_list(&events()),
        intent_paths(),
    )
}

#[test]
fn codes_js_is_generated_from_the_rust_lists() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/sdk/codes.js");
    let want = generated();
    if std::env::var_os("BLESS").is_some() {
        fs::write(&path, &want).expect("write www/sdk/codes.js");
    }
    let have = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "www/sdk/codes.js is out of date: run `BLESS=1 cargo test --test js_contract`"
    );
}

#[test]
fn the_js_entries_use_the_generated_lists() {
    // A copy of a list is a line naming two of its members.
    let copies = |text: &str, names: &[&str]| -> Vec<String> {
        text.lines()
            .filter(|l| {
                names
                    .iter()
                    .filter(|n| l.contains(&format!("'{n}'")))
                    .count()
                    > 1
            })
            .map(str::to_string)
            .collect()
    };
    let index = sdk("index.js");
    assert!(
        index.contains("from './codes.js'"),
        "index.js imports codes.js"
    );
    assert_eq!(copies(&index, &codes()), Vec::<String>::new());
    let element = sdk("element.js");
    assert!(
        element.contains("from './codes.js'"),
        "element.js imports codes.js"
    );
    assert_eq!(copies(&element, &events()), Vec::<String>::new());
}

/// The members of `type Name = | 'a' | 'b';` or the keys of `interface Name { a: …; b: … }`.
fn ts_names(text: &str, start: &str) -> Vec<String> {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` is declared"));
    let rest = &text[from + start.len()..];
    if start.starts_with("export type") {
        let end = rest.find(';').expect("the union ends");
        rest[..end]
            .split('|')
            .map(|s| s.trim().trim_matches('\'').to_string())
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        let end = rest.find("\n}").expect("the interface ends");
        rest[..end]
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("/**") && !l.starts_with('*') && l.contains(':'))
            .filter_map(|l| l.split(':').next())
            .map(|k| k.trim().to_string())
            .collect()
    }
}

#[test]
fn the_types_and_texts_name_every_code_and_event() {
    let index_ts = sdk("index.d.ts");
    assert_eq!(ts_names(&index_ts, "export type ErrorCode ="), codes());
    assert_eq!(
        ts_names(&index_ts, "export interface CheckoutEventMap {"),
        events()
    );
    // The element's events are the Checkout's (same details) with its own `ready` and `redirect`
    // (before it follows the intent's redirectUrl/cancelUrl): derived, not listed.
    let element_ts = sdk("element.d.ts");
    assert_eq!(
        ts_names(
            &element_ts,
            "export interface IntentCheckoutEventMap extends Omit<CheckoutEventMap, 'ready'> {"
        ),
        ["ready", "redirect"]
    );
    // English explains every code the page can show (`card_declined` shows the decline reason, falling
    // back to `generic_decline`); tests/e2e/locales.test.mjs holds every other language to English's keys.
    let messages = sdk("messages.js");
    let from = messages.find("const en = {").expect("the English table");
    let table = &messages[from..from + messages[from..].find("\n};").expect("table end")];
    for code in codes().into_iter().filter(|c| *c != "card_declined") {
        assert!(
            table.contains(&format!("\n  {code}:")),
            "English has no text for {code}"
        );
    }
}
