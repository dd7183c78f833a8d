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

use crate::inputs::Rng;

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Wei",
    "Fang",
    "Min",
    "Jing",
    "Li",
    "Hiroshi",
    "Yuki",
    "Ana",
    "Carlos",
    "Sofia",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Wang",
    "Chen",
    "Tanaka",
    "Silva",
];

struct Row {
    name: String,
    email: String,
    phone: String,
}

fn pick<'a>(r: &mut Rng, from: &[&'a str]) -> &'a str {
    from[(r.next() % from.len() as u64) as usize]
}

fn customers(n: usize) -> (String, Vec<Row>) {
    let mut r = Rng(11);
    let mut csv = String::from("customer_id,full_name,email,phone\n");
    let mut rows = Vec::new();
    for i in 0..n {
        let (first, last) = (pick(&mut r, FIRST), pick(&mut r, LAST));
        let row = Row {
            name: format!("{first} {last}"),
            email: format!("{first}.{last}{i}@example-mail.com")
                .to_lowercase(),
            phone: format!(
                "+1 ({}) {}-{:04}",
                200 + r.next() % 800,
                200 + r.next() % 800,
                r.next() % 10_000
            ),
        };
        csv.push_str(&format!(
            "CUST-{},{},{},{}\n",
            100_000 + i,
            row.name,
            row.email,
            row.phone
        ));
        rows.push(row);
    }
    (csv, rows)
}

/// About `size` bytes of prompt-like lines; one in twenty quotes a
/// customer of `rows`.
fn customer_prompts(rows: &[Row], size: usize) -> Vec<u8> {
    let mut r = Rng(5);
    let mut out = String::new();
    while out.len() < size {
        if r.next().is_multiple_of(20) {
            let c = &rows[(r.next() % rows.len() as u64) as usize];
            out.push_str(&format!(
                "Customer {} wrote from {} about order {}; call back on {} \
                 before Friday. The Export Manager said the Quarterly \
                 Report is late.\n",
                c.name,
                c.email,
                r.next() % 1_000_000,
                c.phone
            ));
        } else {
            out.push_str(
                "Please summarize the meeting notes and list the action \
                 items for the Platform Team; keep it short and polite.\n",
            );
        }
    }
    out.into_bytes()
}

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
