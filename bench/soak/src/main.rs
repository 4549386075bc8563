//! `bench-soak [--checkouts N] [--seed S] [--concurrency C] [--sandbox URL --key K]`: runs the fault
//! soak and prints the figure as markdown. Without `--sandbox` the sandbox runs in this process (its own
//! 2-thread runtime, real TCP on 127.0.0.1). Exits 1 when a correctness figure is not 0.

fn main() {
    let mut args = std::env::args().skip(1);
    let mut checkouts = 1000;
    let mut seed = 7;
    let mut concurrency = 16;
    let mut sandbox: Option<String> = None;
    let mut key = "sk_sandbox_local".to_string();
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--checkouts" => checkouts = val().parse().expect("--checkouts N"),
            "--seed" => seed = val().parse().expect("--seed S"),
            "--concurrency" => concurrency = val().parse().expect("--concurrency C"),
            "--sandbox" => sandbox = Some(val()),
            "--key" => key = val(),
            other => panic!("unknown argument {other}"),
        }
    }
    let mut config = bench_soak::SoakConfig::standard(checkouts, seed);
    config.concurrency = concurrency;
    let target = match sandbox {
        Some(base) => bench_soak::Target::External { base, key },
        None => bench_soak::Target::InProcess,
    };
    let report = match bench_soak::run(config, target) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("soak failed to run: {e}");
            std::process::exit(2);
        }
    };
    print!("{}", report.markdown());
    let ok = report.double_charges == 0
        && report.unresolved().is_empty()
        && report.ledger_mismatches == 0;
    let pay = report.pay_posts();
    let keys = report.distinct_keys();
    println!(
        "SUMMARY {}",
        serde_json::json!({
            "figure": 6,
            "what": format!("Fault soak, {} checkouts, ~20 % faults (double charges / not terminal or resolved)", report.checkouts.len()),
            "value": format!(
                "{} / {}; {:.2} retries per checkout; keys {} new, {} reused",
                report.double_charges,
                report.unresolved().len(),
                report.checkouts.iter().map(|c| c.requests.saturating_sub(bench_soak::FAULT_FREE_REQUESTS)).sum::<u64>() as f64
                    / report.checkouts.len().max(1) as f64,
                keys,
                pay - keys
            ),
            "target": "0 / 0",
            "met": ok,
        })
    );
    if report.double_charges > 0 || !report.unresolved().is_empty() || report.ledger_mismatches > 0
    {
        std::process::exit(1);
    }
}
