//! The small fault soak that runs inside `npm test` (issue 7): 100 checkouts through the SDK's flow
//! machine and a real HTTP shell against an in-process sandbox with ~20 % injected faults, fixed seed.

#[test]
fn a_hundred_faulty_checkouts_charge_once_and_all_end_terminal_or_resolved() {
    let config = bench_soak::SoakConfig::standard(100, 7);
    let report = bench_soak::run(config, bench_soak::Target::InProcess).expect("soak runs");
    println!("{}", report.markdown());
    assert_eq!(report.checkouts.len(), 100);
    assert_eq!(report.double_charges, 0, "double charges in the ledger");
    assert_eq!(
        report.ledger_mismatches, 0,
        "outcomes the ledger contradicts"
    );
    assert!(
        report.unresolved().is_empty(),
        "checkouts not terminal or resolved: {:?}",
        report
            .unresolved()
            .iter()
            .map(|c| (&c.intent_id, &c.detail))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        report.version_regressions(),
        0,
        "stale or duplicate status events reached the page"
    );
    // One card per checkout: every retry, including the customer's re-presses, reuses the one key.
    assert_eq!(
        report.multi_key_checkouts(),
        0,
        "a checkout paid under two keys"
    );
    assert!(
        report.injected_faults > 0,
        "no fault was injected: the soak proves nothing"
    );
    // 429s are retried, and only once their Retry-After has passed.
    assert!(report.rate_limited() > 0, "no 429 reached a page");
    assert_eq!(report.early_requests(), 0, "a request ignored Retry-After");
    assert!(report.count(bench_soak::Outcome::Succeeded) > 0);
}
