//! The records index on arbitrary bytes: a CSV loads or is an error, never
//! a panic; a loaded index round-trips through its file format; arbitrary
//! bytes given to the index parser are an error or an index; scanning
//! arbitrary text with it keeps spans in bounds. The text's lines are also
//! the name column of a second table, scanned over the same text, so its
//! names (Han ones included) are found and looked up.
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

fn scan_in_bounds(index: RecordsIndex, hay: &[u8]) {
    let scanner = ScannerBuilder::new()
        .records_index(Arc::new(index))
        .build(&RuleSet::from_toml("none", "").unwrap())
        .unwrap();
    for f in scanner.scan(hay) {
        assert!(f.span().start < f.span().end && f.span().end <= hay.len());
    }
}

fuzz_target!(|input: Input| {
    let key = FingerprintKey::from_bytes([5; 32]);
    let _ = RecordsIndex::from_bytes(&input.file, &key);
    let names = format!("姓名\n{}", String::from_utf8_lossy(&input.text));
    if let Ok(index) = RecordsIndex::from_csv(names.as_bytes(), &[], &key) {
        let back = RecordsIndex::from_bytes(&index.to_bytes(), &key)
            .expect("own output parses");
        scan_in_bounds(back, &input.text);
    }
    let Ok(index) = RecordsIndex::from_csv(&input.csv[..], &[], &key) else {
        return;
    };
    let bytes = index.to_bytes();
    let back = RecordsIndex::from_bytes(&bytes, &key).expect("own output parses");
    assert_eq!(back.to_bytes(), bytes);
    let mut hay = input.text.clone();
    hay.extend_from_slice(&input.csv);
    scan_in_bounds(back, &hay);
});
