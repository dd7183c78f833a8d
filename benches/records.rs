//! What a customer-records index adds to a scan: the same inputs scanned
//! with the built-in rules, without and with a 5,000-row records index
//! (customer_id, full_name, email, phone), under the same IDs, and with no
//! rules at all, so the records look-up is nearly all that is timed. The
//! finding count is asserted inside the timed loop.
//!
//! Inputs: `prompt-1m` and `code-1m` of benches/inputs (no customer in
//! them), and `customers-1m`, prompt-like lines of which 5% quote a
//! customer of the table (name, email, phone), as bench/code_eval.py and
//! bench/records_speed.py write them.

mod inputs;

use std::{sync::Arc, time::Duration};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakguard::{FingerprintKey, RecordsIndex, RuleSet, ScannerBuilder};

use crate::inputs::{customer_prompts, customers};

fn records(c: &mut Criterion) {
    let key = FingerprintKey::from_bytes([3; 32]);
    let (csv, rows) = customers(5000);
    let index =
        Arc::new(RecordsIndex::from_csv(csv.as_bytes(), &[], &key).unwrap());
    let inputs = [
        ("prompt-1m", inputs::by_name("prompt-1m").0),
        ("code-1m", inputs::by_name("code-1m").0),
        ("customers-1m", customer_prompts(&rows, 1 << 20)),
    ];
    let rule_sets = [
        ("builtin", RuleSet::builtin()),
        ("no-rules", RuleSet::from_toml("none", "").unwrap()),
    ];
    for (label, rules) in &rule_sets {
        let mut group = c.benchmark_group(format!("records-{label}"));
        group.sample_size(30);
        group.measurement_time(Duration::from_secs(3));
        for (name, hay) in &inputs {
            group.throughput(Throughput::Bytes(hay.len() as u64));
            for with in [false, true] {
                let mut b = ScannerBuilder::new();
                b.fingerprint_key(key.clone());
                if with {
                    b.records_index(index.clone());
                }
                let scanner = b.build(rules).unwrap();
                let expected = scanner.scan(hay).len();
                let id = if with { "with-index" } else { "without" };
                inputs::bench_buffer(
                    &mut group,
                    format!("{id}/{name}"),
                    &scanner,
                    hay,
                    expected,
                );
            }
        }
        group.finish();
    }
}

criterion_group!(benches, records);
criterion_main!(benches);
