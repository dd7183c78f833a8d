//! The records index on arbitrary bytes: a CSV loads or is an error, never
//! a panic; a loaded index round-trips through its file format; arbitrary
//! bytes given to the index parser are an error or an index; scanning
//! arbitrary text with it keeps spans in bounds.
#![no_main]

use std::sync::Arc;

use arbitrary::Arbitrary;
use leakguard::{FingerprintKey, RecordsIndex, RuleSet, ScannerBuilder};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    csv: Vec<u8>,
    file: Vec<u8>,
    text: Vec<u8>,
}

fuzz_target!(|input: Input| {
    let key = FingerprintKey::from_bytes([5; 32]);
    let _ = RecordsIndex::from_bytes(&input.file, &key);
    let Ok(index) = RecordsIndex::from_csv(&input.csv[..], &[], &key) else {
        return;
    };
    let bytes = index.to_bytes();
    let back = RecordsIndex::from_bytes(&bytes, &key).expect("own output parses");
    assert_eq!(back.to_bytes(), bytes);
    let scanner = ScannerBuilder::new()
        .records_index(Arc::new(back))
        .build(&RuleSet::from_toml("none", "").unwrap())
        .unwrap();
    let mut hay = input.text.clone();
    hay.extend_from_slice(&input.csv);
    for f in scanner.scan(&hay) {
        assert!(f.span().start < f.span().end && f.span().end <= hay.len());
    }
});
