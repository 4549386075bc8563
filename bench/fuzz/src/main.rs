//! Stable-Rust fuzz driver: `bench-fuzz [--inputs N] [--seconds S] [--seed S] [--only NAME]`.
//! For each target: the corpus in `bench/fuzz/corpus/<target>/` plus generated inputs, mutated
//! (bit flips, byte edits, splices, dictionary tokens, truncation, random bytes), each run under
//! `catch_unwind` so a panic is counted, not fatal. Prints a markdown table. Build it with
//! `CARGO_PROFILE_RELEASE_PANIC=unwind` (the workspace's release profile aborts on panic).

use std::path::PathBuf;
use std::time::Duration;

use bench_fuzz::driver;
use bench_fuzz::TARGETS;

fn main() {
    let mut inputs: u64 = 10_000_000;
    let mut seconds: u64 = 600;
    let mut seed: u64 = 7;
    let mut only: Option<String> = None;
    let mut corpus_root = driver::corpus_root();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--inputs" => inputs = val().parse().expect("--inputs N"),
            "--seconds" => seconds = val().parse().expect("--seconds S"),
            "--seed" => seed = val().parse().expect("--seed S"),
            "--only" => only = Some(val()),
            "--corpus" => corpus_root = PathBuf::from(val()),
            other => panic!("unknown argument {other}"),
        }
    }
    let crash_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-crashes");
    println!("| target | inputs run | seconds | inputs/s | corpus seeds | panics | property violations |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut total_panics = 0;
    let mut total_inputs = 0u64;
    let mut targets = 0;
    let mut notes = Vec::new();
    for (name, dir, f) in TARGETS {
        if only.as_deref().is_some_and(|o| o != *dir) {
            continue;
        }
        targets += 1;
        let corpus = driver::load_corpus(&corpus_root.join(dir));
        let r = driver::run(
            *f,
            &corpus,
            inputs,
            seed ^ (dir.len() as u64 * 0x1234_5678),
            Duration::from_secs(seconds),
        );
        println!(
            "| {name} | {} | {:.1} | {:.0} | {} | **{}** | {} |",
            r.inputs,
            r.seconds,
            r.inputs as f64 / r.seconds.max(1e-9),
            corpus.len(),
            r.panics,
            r.violations
        );
        total_panics += r.panics + r.violations;
        total_inputs += r.inputs;
        for (i, c) in r.crashes.iter().enumerate() {
            let _ = std::fs::create_dir_all(&crash_dir);
            let _ = std::fs::write(crash_dir.join(format!("{dir}-{}.bin", i + 1)), c);
        }
        if let Some(p) = r.first_panic {
            notes.push(format!(
                "- {name}: first panic: {p} (inputs saved in target/fuzz-crashes/)"
            ));
        }
        if let Some(v) = r.first_violation {
            notes.push(format!("- {name}: first property violation: {v}"));
        }
    }
    for n in &notes {
        println!("{n}");
    }
    println!(
        "SUMMARY {{\"figure\": 7, \"what\": \"Fuzzing, stable driver ({total_inputs} inputs over {targets} targets): panics and property violations\", \"value\": \"{total_panics}\", \"target\": \"0\", \"met\": {}}}",
        total_panics == 0
    );
    if total_panics > 0 {
        std::process::exit(1);
    }
}
