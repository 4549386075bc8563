#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = bench_fuzz::http(data) {
        panic!("property violated: {e}");
    }
});
