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

/// Source files of `dir`, skipping test modules (`tests.rs`, `tests/`), as (path relative to the crate,
/// text).
fn sources(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join(dir), &mut files);
    files
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(root).unwrap_or(&f).display().to_string();
            let text = fs::read_to_string(&f).expect("readable source");
            (rel, text)
        })
        .filter(|(rel, _)| !rel.ends_with("/tests.rs") && !rel.contains("/tests/"))
        .collect()
}

/// The code of a file before its `#[cfg(test)]` module, without comment lines.
fn code_lines(text: &str) -> Vec<&str> {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect()
}

#[test]
fn only_the_dialects_wire_knows_the_api_paths() {
    let paths = [
        "\"/payment-intents",
        "\"/payments\"",
        "\"/events\"",
        "\"/tips-amount\"",
        "\"/amount\"",
        "\"/challenge",
    ];
    let mut offenders = Vec::new();
    for (file, text) in sources("src") {
        let is_wire = file.starts_with("src/core/dialect/") && file.ends_with("/wire.rs");
        for line in code_lines(&text) {
            if !is_wire && paths.iter().any(|p| line.contains(p)) {
                offenders.push(format!("{file}: {}", line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "API paths outside src/core/dialect/*/wire.rs: {offenders:#?}"
    );
}

#[test]
fn serde_json_is_not_in_the_wasm() {
    // Every Cargo.toml table the wasm build reads must leave serde_json out: it is a native-only
    // dependency (and a dev-dependency of the browser tests), so no page code can reach it.
    let manifest = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .expect("Cargo.toml");
    let mut table = String::new();
    let mut offenders = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            table = line.to_string();
            continue;
        }
        let shipped = table == "[dependencies]"
            || (table.contains("wasm32")
                && table.ends_with(".dependencies]")
                && !table.contains("not("));
        if shipped && line.starts_with("serde_json") {
            offenders.push(table.clone());
        }
    }
    assert!(offenders.is_empty(), "serde_json in {offenders:?}");
    let shell: Vec<String> = sources("src/shell")
        .into_iter()
        .filter(|(_, text)| text.contains("serde_json"))
        .map(|(f, _)| f)
        .collect();
    assert!(shell.is_empty(), "the shell names serde_json: {shell:?}");
}

#[test]
fn the_flow_and_the_shell_read_in_parts() {
    // quinn/rustls style: each part fits on a screen or two, state in its own module.
    let mut long = Vec::new();
    for dir in ["src/core/flow", "src/core/dialect", "src/shell"] {
        for (file, text) in sources(dir) {
            let n = code_lines(&text).len();
            if n > 400 {
                long.push(format!("{file}: {n} lines"));
            }
        }
    }
    assert!(long.is_empty(), "split these: {long:#?}");
}

/// The `import … from './x.js'` and `import './x.js'` lines of a JS module (its static imports).
fn js_imports(file: &str) -> Vec<String> {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .expect("readable module");
    text.lines()
        .filter(|l| l.starts_with("import ") || l.starts_with("export ") && l.contains(" from "))
        .filter_map(|l| l.split(['\'', '"']).nth(1).map(str::to_string))
        .collect()
}

#[test]
fn the_card_frame_carries_no_flow_and_the_page_no_card_fields() {
    // The card fields' wasm: card rules and the frame protocol, nothing of the checkout.
    let fields = sources("fields/src");
    assert!(!fields.is_empty(), "fields/src has Rust files");
    for (path, text) in &fields {
        for word in [
            "core::flow",
            "shell",
            "core::dialect",
            "core::mirror",
            "core::intent",
        ] {
            assert!(
                !code_lines(text).iter().any(|l| l.contains(word)),
                "{path} uses {word}"
            );
        }
    }
    // The frame's script: its own fields, their texts, styles and wasm glue only.
    for import in js_imports("www/sdk/card-frame.js") {
        assert!(
            [
                "./card_fields.js",
                "./card-fields.js",
                "./card-messages.js",
                "./i18n.js",
                "./field-styles.js"
            ]
            .contains(&import.as_str()),
            "the frame imports {import}"
        );
    }
    // What the page bundles in isolated mode reaches no card field module statically (the inline fields
    // are a separate module, imported on demand by inline.js only).
    let page = [
        "www/sdk/intent-checkout.js",
        "www/sdk/script-base.js",
        "www/sdk/element.js",
        "www/sdk/index.js",
        "www/sdk/card-frame-host.js",
        "www/sdk/inline.js",
        "www/sdk/styles.js",
        "www/sdk/messages.js",
    ];
    for file in page {
        for import in js_imports(file) {
            assert!(
                ![
                    "./card-fields.js",
                    "./card-messages.js",
                    "./inline-fields.js",
                    "./card_fields.js"
                ]
                .contains(&import.as_str()),
                "{file} imports {import}"
            );
        }
    }
}

#[test]
fn end_to_end_clicks_wait_for_the_pointer() {
    // A bare Playwright click is lost when a cross-origin frame has just loaded, moved or hidden (see
    // ARCHITECTURE.md); the harness's `click`/`checkBox` wait until the target hears the pointer.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    let mut checked = 0;
    for entry in fs::read_dir(&dir).expect("readable tests/e2e").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".test.mjs") {
            continue;
        }
        checked += 1;
        let text = fs::read_to_string(entry.path()).expect("readable test file");
        for (n, line) in text.lines().enumerate() {
            for bare in [".click(", ".check(", ".dblclick(", ".tap(", ".setChecked("] {
                assert!(
                    !line.contains(bare),
                    "tests/e2e/{name}:{}: `{bare}` — use the harness's click/checkBox",
                    n + 1
                );
            }
        }
    }
    assert!(checked > 10, "found the end-to-end test files");
}

#[test]
fn no_panic_outside_tests() {
    // A panic inside wasm kills the checkout for the rest of the page's life: outside `#[cfg(test)]`
    // code returns a typed error, or the line before says why it cannot fail ("cannot fail").
    let mut files = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("fields/src"), &mut files);
    let mut checked = 0;
    for path in files {
        let shown = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        if shown.contains("/tests/") || shown.ends_with("tests.rs") {
            continue;
        }
        checked += 1;
        let text = fs::read_to_string(&path).expect("readable source");
        let mut previous = "";
        for (n, line) in text.lines().enumerate() {
            // Everything after the file's test module is test code.
            if line.trim() == "#[cfg(test)]" {
                break;
            }
            let code = line.split("//").next().unwrap_or_default();
            for word in [
                ".unwrap()",
                ".expect(",
                "panic!",
                "todo!",
                "unimplemented!",
                "unreachable!",
            ] {
                assert!(
                    !code.contains(word) || previous.contains("cannot fail"),
                    "{shown}:{}: `{word}` outside tests",
                    n + 1
                );
            }
            previous = line;
        }
    }
    assert!(checked > 20, "read the sources");
}
