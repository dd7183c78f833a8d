//! What a customer-records index adds to a scan: the same inputs scanned
//! with the built-in rules, without and with a 5,000-row records index
//! (customer_id, full_name, email, phone), under the same IDs, and with no
//! rules at all, so the records look-up is nearly all that is timed. The
//! finding count is asserted inside the timed loop.
//!
//! Inputs: `prompt-1m` and `code-1m` of benches/inputs (no customer in
//! them), and `customers-1m`, prompt-like lines of which 5% quote a
//! customer of the table (name, email, phone), as bench/code_eval.py and
//! bench/records_speed.py write them; and `customers-zh-1m`, Chinese
//! request lines of which 5% quote a customer (name, phone) of a Chinese
//! table of 5,000 rows (客户编号, 姓名, 手机, 邮箱) that the `-zh` index
//! holds, as `bench/records_speed.py --chinese` writes them.

mod inputs;

use std::{sync::Arc, time::Duration};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakguard::{FingerprintKey, RecordsIndex, RuleSet, ScannerBuilder};

use crate::inputs::{
    customer_prompts, customer_prompts_zh, customers, customers_zh,
};

fn records(c: &mut Criterion) {
    let key = FingerprintKey::from_bytes([3; 32]);
    let (csv, rows) = customers(5000);
    let index =
        Arc::new(RecordsIndex::from_csv(csv.as_bytes(), &[], &key).unwrap());
    let (csv_zh, rows_zh) = customers_zh(5000);
    let index_zh = Arc::new(
        RecordsIndex::from_csv(csv_zh.as_bytes(), &[], &key).unwrap(),
    );
    // Each input with the index of its table.
    let inputs = [
        ("prompt-1m", inputs::by_name("prompt-1m").0, &index),
        ("code-1m", inputs::by_name("code-1m").0, &index),
        ("customers-1m", customer_prompts(&rows, 1 << 20), &index),
        ("customers-zh-1m", customer_prompts_zh(&rows_zh, 1 << 20), &index_zh),
    ];
    let rule_sets = [
        ("builtin", RuleSet::builtin()),
        ("no-rules", RuleSet::from_toml("none", "").unwrap()),
    ];
    for (label, rules) in &rule_sets {
        let mut group = c.benchmark_group(format!("records-{label}"));
        group.sample_size(30);
        group.measurement_time(Duration::from_secs(3));
        for (name, hay, index) in &inputs {
            group.throughput(Throughput::Bytes(hay.len() as u64));
            for with in [false, true] {
                let mut b = ScannerBuilder::new();
                b.fingerprint_key(key.clone());
                if with {
                    b.records_index(Arc::clone(index));
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
