//! The `npm test` share of fuzzing: a few thousand inputs per target (the seeds, then mutants), so a
//! change that makes a target panic or break its property fails here, not only in `npm run bench`
//! (which runs 10 million per target).

use std::time::Duration;

use bench_fuzz::{driver, TARGETS};

#[test]
fn every_target_survives_its_seeds_and_a_few_thousand_mutants() {
    for (name, dir, f) in TARGETS {
        let corpus = driver::load_corpus(&driver::corpus_root().join(dir));
        assert!(!corpus.is_empty(), "{name}: no corpus in corpus/{dir}");
        let r = driver::run(*f, &corpus, 3_000, 7, Duration::from_secs(600));
        assert_eq!(r.inputs, 3_000, "{name}");
        assert_eq!(
            (r.panics, r.violations),
            (0, 0),
            "{name}: {:?} {:?}",
            r.first_panic,
            r.first_violation
        );
    }
}
