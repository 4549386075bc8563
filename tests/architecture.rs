//! Architecture invariants that a grep can prove (see ARCHITECTURE.md).
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable src dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_core_knows_nothing_of_the_browser_or_the_clock() {
    let forbidden = [
        "web_sys",
        "js_sys",
        "gloo",
        "wasm_bindgen",
        "SystemTime",
        "Instant::now",
    ];
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core"),
        &mut files,
    );
    assert!(!files.is_empty(), "src/core has Rust files");
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let text = fs::read_to_string(file).expect("readable source");
            forbidden
                .iter()
                .filter(|word| text.contains(*word))
                .map(|word| format!("{} mentions {word}", file.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn no_closure_is_leaked_with_forget() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    for file in files {
        let text = fs::read_to_string(&file).expect("readable source");
        assert!(
            !text.contains(".forget()"),
            "{} calls .forget(): own the Closure instead",
            file.display()
        );
    }
}

#[test]
fn the_sandbox_store_knows_no_http() {
    // The store speaks in domain terms (`StoreError`); `sandbox/src/http` turns them into problems.
    let forbidden = [
        "axum",
        "StatusCode",
        "Problem",
        "crate::http",
        "crate::routes",
        "hyper",
        "tower",
    ];
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sandbox/src/store"),
        &mut files,
    );
    assert!(files.len() > 1, "sandbox/src/store is a folder of modules");
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let text = fs::read_to_string(file).expect("readable source");
            forbidden
                .iter()
                .filter(|word| text.contains(*word))
                .map(|word| format!("{} mentions {word}", file.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(offenders.is_empty(), "{offenders:#?}");
}
