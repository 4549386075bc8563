//! Native half of figure 4: `bench-throughput [--snapshots N] [--rounds R]`. Prints one JSON line
//! (`bench/throughput.mjs` adds the wasm half and prints the table).

use std::hint::black_box;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let mut n = 20_000usize;
    let mut rounds = 7;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--snapshots" => {
                n = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--snapshots N")
            }
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--rounds R")
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let frames = bench_throughput::frames(2, n);
    let views: Vec<String> = (0..n as u64)
        .map(|i| bench_throughput::view(i + 2))
        .collect();
    let bytes = frames.iter().map(Vec::len).sum::<usize>() / n;

    let mut apply = Vec::new();
    let mut decode = Vec::new();
    let mut core = Vec::new();
    for _ in 0..rounds {
        let mut h = bench_throughput::Harness::new();
        let t = Instant::now();
        for f in &frames {
            black_box(h.feed(black_box(f)));
        }
        let s = t.elapsed().as_secs_f64();
        assert_eq!(h.events, n, "every frame must be applied");
        apply.push(n as f64 / s);

        let t = Instant::now();
        black_box(bench_throughput::decode_all(black_box(&views)));
        decode.push(n as f64 / t.elapsed().as_secs_f64());

        let t = Instant::now();
        let changes = black_box(bench_throughput::core_apply_all(black_box(&views)));
        core.push(n as f64 / t.elapsed().as_secs_f64());
        assert!(changes >= n, "the core mirror must accept every snapshot");
    }
    println!(
        "{{\"snapshots\":{n},\"rounds\":{rounds},\"frameBytes\":{bytes},\"applyPerSec\":{:.0},\"decodePerSec\":{:.0},\"coreApplyPerSec\":{:.0}}}",
        median(apply),
        median(decode),
        median(core)
    );
}
