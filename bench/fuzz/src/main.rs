//! Stable-Rust fuzz driver: `bench-fuzz [--inputs N] [--seconds S] [--seed S] [--only NAME]`.
//! For each target: the corpus in `bench/fuzz/corpus/<target>/` plus generated inputs, mutated
//! (bit flips, byte edits, splices, dictionary tokens, truncation, random bytes), each run under
//! `catch_unwind` so a panic is counted, not fatal. Prints a markdown table. Build it with
//! `CARGO_PROFILE_RELEASE_PANIC=unwind` (the workspace's release profile aborts on panic).

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bench_fuzz::TARGETS;

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

const DICT: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"null",
    b"true",
    b"-1",
    b"0",
    b"1e999",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"0.5",
    b"\"version\":",
    b"\"status\":",
    b"\"nextAction\":",
    b"{\"url\":\"",
    b"\"lastPaymentError\":",
    b"\"amount\":",
    b"\"currencyCode\":",
    b"\"clientSessionSecret\":\"cs_x\"",
    b"\"Created\"",
    b"\"Captured\"",
    b"\"requires_action\"",
    b"\\u0000",
    b"\\ud800",
    b"\xc3\xa9",
    b"\xff",
    b"\xe2\x82",
    b"\r",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"data:",
    b"data: ",
    b"id: ",
    b"id:\x00",
    b"event: intent",
    b": ping",
    b"retry: 5",
    b"\"code\":\"",
    b"\"type\":\"https://x/problems/",
    b"#",
    b"/",
    b"\"detail\":",
    b"\"title\":",
    b"\"param\":",
    b"token_expired",
    b"card_declined",
    b"illegal_transition",
];

/// The seeded generator the sandbox and the soak use too (`fastrand`), with the two draws the
/// mutator makes.
struct Rng(fastrand::Rng);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0.u64(..)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.0.usize(..n)
        }
    }
}

fn mutate(rng: &mut Rng, corpus: &[Vec<u8>], out: &mut Vec<u8>) {
    out.clear();
    if corpus.is_empty() || rng.below(10) == 0 {
        // Pure random bytes, biased to printable.
        let n = rng.below(300);
        for _ in 0..n {
            let b = rng.next() as u8;
            out.push(if rng.below(4) == 0 {
                b
            } else {
                0x20 + b % 0x5f
            });
        }
        return;
    }
    out.extend_from_slice(&corpus[rng.below(corpus.len())]);
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        let len = out.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                out.insert(i, rng.next() as u8);
            }
            3 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(16)).min(len);
                out.drain(a..b);
            }
            4 if len > 0 => {
                // Duplicate a range.
                let a = rng.below(len);
                let b = (a + 1 + rng.below(32)).min(len);
                let piece = out[a..b].to_vec();
                let at = rng.below(out.len() + 1);
                out.splice(at..at, piece);
            }
            5 => {
                let t = DICT[rng.below(DICT.len())];
                let at = rng.below(len + 1);
                out.splice(at..at, t.iter().copied());
            }
            6 => {
                // Splice with another seed.
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let a = rng.below(other.len());
                    let b = (a + 1 + rng.below(64)).min(other.len());
                    let at = rng.below(len + 1);
                    out.splice(at..at, other[a..b].iter().copied());
                }
            }
            7 if len > 0 => out.truncate(rng.below(len)),
            _ => {
                // Deep nesting now and then (recursion limits).
                if rng.below(50) == 0 {
                    let depth = 1 + rng.below(400);
                    let at = rng.below(len + 1);
                    let nest: Vec<u8> = std::iter::repeat_n(b'[', depth).collect();
                    out.splice(at..at, nest);
                }
            }
        }
        if out.len() > 64 * 1024 {
            out.truncate(64 * 1024);
        }
    }
}

fn load_corpus(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn main() {
    let mut inputs: u64 = 1_000_000;
    let mut seconds: u64 = 60;
    let mut seed: u64 = 7;
    let mut only: Option<String> = None;
    let mut corpus_root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
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
    panic::set_hook(Box::new(|info| {
        let msg = format!("{info}");
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(msg);
    }));
    let crash_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-crashes");
    println!("| target | inputs run | seconds | inputs/s | corpus seeds | panics | property violations |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut total_panics = 0;
    let mut total_inputs = 0u64;
    let mut notes = Vec::new();
    for (name, dir, f) in TARGETS {
        if only.as_deref().is_some_and(|o| o != *dir) {
            continue;
        }
        let corpus = load_corpus(&corpus_root.join(dir));
        let mut rng = Rng(fastrand::Rng::with_seed(
            seed ^ (dir.len() as u64 * 0x1234_5678),
        ));
        let t0 = Instant::now();
        let budget = Duration::from_secs(seconds);
        let (mut n, mut panics, mut violations) = (0u64, 0u64, 0u64);
        let mut buf = Vec::new();
        let mut first_panic: Option<String> = None;
        let mut first_violation: Option<String> = None;
        // The seeds themselves first, then mutants.
        let mut seeds = corpus.iter();
        while n < inputs && (n % 1024 != 0 || t0.elapsed() < budget) {
            match seeds.next() {
                Some(s) => {
                    buf.clear();
                    buf.extend_from_slice(s);
                }
                None => mutate(&mut rng, &corpus, &mut buf),
            }
            n += 1;
            match panic::catch_unwind(AssertUnwindSafe(|| f(&buf))) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    violations += 1;
                    first_violation.get_or_insert(e);
                }
                Err(_) => {
                    panics += 1;
                    let msg = LAST_PANIC
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .take()
                        .unwrap_or_default();
                    if panics <= 5 {
                        let _ = std::fs::create_dir_all(&crash_dir);
                        let _ = std::fs::write(crash_dir.join(format!("{dir}-{panics}.bin")), &buf);
                    }
                    first_panic.get_or_insert(msg);
                }
            }
        }
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "| {name} | {n} | {secs:.1} | {:.0} | {} | **{panics}** | {violations} |",
            n as f64 / secs.max(1e-9),
            corpus.len()
        );
        total_panics += panics;
        total_inputs += n;
        if let Some(p) = first_panic {
            notes.push(format!(
                "- {name}: first panic: {p} (inputs saved in target/fuzz-crashes/)"
            ));
        }
        if let Some(v) = first_violation {
            notes.push(format!("- {name}: first property violation: {v}"));
        }
    }
    for n in &notes {
        println!("{n}");
    }
    println!(
        "SUMMARY {{\"figure\": 7, \"what\": \"Fuzzing, stable driver ({total_inputs} inputs over {} targets): panics\", \"value\": \"{total_panics}\", \"target\": \"0\", \"met\": {}}}",
        TARGETS.len(),
        total_panics == 0
    );
    if total_panics > 0 {
        std::process::exit(1);
    }
}
