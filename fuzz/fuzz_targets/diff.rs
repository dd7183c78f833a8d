//! Unified diffs from arbitrary bytes: parsing never panics, added ranges
//! are sorted, disjoint and non-empty, and the excerpt holds every added
//! line.
#![no_main]

use leakguard::parse_diff;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|diff: &[u8]| {
    for file in parse_diff(diff) {
        let mut prev_end = 0;
        for r in &file.added {
            assert!(r.start < r.end, "empty range");
            assert!(r.start >= prev_end, "unsorted or overlapping ranges");
            prev_end = r.end;
        }
        let lines = file.text().iter().filter(|&&b| b == b'\n').count() as u64;
        assert!(file.text().is_empty() || file.text().ends_with(b"\n"));
        let added: u64 = file.added.iter().map(|r| r.end - r.start).sum();
        assert!(added <= lines, "{added} added lines, {lines} in excerpt");
    }
});
