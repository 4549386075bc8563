//! The stable-Rust driver's engine: seeded mutation of a corpus (bit flips, byte edits, splices,
//! dictionary tokens, truncation, deep nesting, random bytes) and a loop that runs a target on the
//! seeds and then on mutants, counting panics and property violations. `src/main.rs` runs it for
//! `npm run bench`; `tests/smoke.rs` runs a few thousand inputs per target in `npm test`.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::TargetFn;

pub const DICT: &[&[u8]] = &[
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
    // The HTTP target: fields the routes read, and the byte that ends the path.
    b"\xff",
    b"\"paymentMethod\":{\"card\":{\"number\":\"4242424242424242\"",
    b"\"outcome\":\"approved\"",
    b"\"seconds\":",
    b"\"latencyMs\":60000",
    b"\"tipsAmount\":{\"value\":",
    b"9007199254740991",
    b"9007199254740992",
    b"?returnCanceled=true",
    b"/../",
    b"%00",
];

/// The seeded generator the sandbox and the soak use too (`fastrand`), with the two draws the
/// mutator makes.
pub struct Rng(fastrand::Rng);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0.u64(..)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.0.usize(..n)
        }
    }
}

pub fn mutate(rng: &mut Rng, corpus: &[Vec<u8>], out: &mut Vec<u8>) {
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

pub fn load_corpus(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

/// The corpus folder of the targets, in the source tree.
pub fn corpus_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// What one target's run found.
#[derive(Debug, Default)]
pub struct Run {
    pub inputs: u64,
    pub seconds: f64,
    pub panics: u64,
    pub violations: u64,
    pub first_panic: Option<String>,
    pub first_violation: Option<String>,
    /// The first few inputs that panicked, to save for a reproduction.
    pub crashes: Vec<Vec<u8>>,
}

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Runs `f` on the seeds, then on mutants, until `inputs` have run or `budget` has passed. Each input
/// runs under `catch_unwind`: a panic is counted, not fatal.
pub fn run(f: TargetFn, corpus: &[Vec<u8>], inputs: u64, seed: u64, budget: Duration) -> Run {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("{info}"));
    }));
    let mut rng = Rng(fastrand::Rng::with_seed(seed));
    let t0 = Instant::now();
    let mut r = Run::default();
    let mut buf = Vec::new();
    let mut seeds = corpus.iter();
    while r.inputs < inputs && (r.inputs % 1024 != 0 || t0.elapsed() < budget) {
        match seeds.next() {
            Some(s) => {
                buf.clear();
                buf.extend_from_slice(s);
            }
            None => mutate(&mut rng, corpus, &mut buf),
        }
        r.inputs += 1;
        match panic::catch_unwind(AssertUnwindSafe(|| f(&buf))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                r.violations += 1;
                r.first_violation.get_or_insert(e);
            }
            Err(_) => {
                r.panics += 1;
                let msg = LAST_PANIC
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .unwrap_or_default();
                if r.crashes.len() < 5 {
                    r.crashes.push(buf.clone());
                }
                r.first_panic.get_or_insert(msg);
            }
        }
    }
    r.seconds = t0.elapsed().as_secs_f64();
    panic::set_hook(hook);
    r
}
