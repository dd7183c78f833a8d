//! Per-call latency of the library on one input kind, as percentiles, and
//! throughput in MB/s: the figures criterion's means hide.
//!
//! ```text
//! cargo bench --bench latency -- [--engine rust|hyperscan] [--kind prompt-4k] [--iters 20000] [--records]
//! ```
//!
//! Kinds: tiny, prompt-4k, prompt-1m, code-1m, mixed-64m. `--records`
//! scans with a 5,000-row customer-records index (the records bench's
//! table). Each call's finding count is checked. Also usable under
//! `valgrind --tool=callgrind` with a small `--iters` for instruction
//! counts.

mod inputs;

use std::{hint::black_box, sync::Arc, time::Instant};

use leakguard::{
    EngineKind, FingerprintKey, RecordsIndex, RuleSet, ScannerBuilder,
};

fn main() {
    let mut engine = None;
    let mut kind = "prompt-4k".to_string();
    let mut iters: usize = 20_000;
    let mut records = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--engine" => {
                engine = Some(match args.next().as_deref() {
                    Some("rust") => EngineKind::Rust,
                    Some("hyperscan") => EngineKind::Hyperscan,
                    other => panic!("unknown engine {other:?}"),
                })
            }
            "--kind" => kind = args.next().expect("--kind NAME"),
            "--iters" => {
                iters = args.next().expect("--iters N").parse().unwrap()
            }
            "--records" => records = true,
            _ => {} // `cargo bench` passes --bench
        }
    }
    let (hay, planted) = inputs::by_name(&kind);
    let rules = RuleSet::builtin();
    let engines = engine.map_or_else(inputs::engines, |e| vec![e]);
    let key = FingerprintKey::from_bytes([3; 32]);
    let index = records.then(|| {
        let (csv, _) = inputs::customers(5000);
        Arc::new(RecordsIndex::from_csv(csv.as_bytes(), &[], &key).unwrap())
    });
    for kind_e in engines {
        let mut b = ScannerBuilder::new();
        b.engine(kind_e);
        if let Some(index) = &index {
            b.fingerprint_key(key.clone()).records_index(index.clone());
        }
        let scanner = b.build(&rules).unwrap();
        let mut scratch = scanner.scratch();
        let mut out = Vec::new();
        scanner.scan_with(&mut scratch, &hay, &mut out);
        let expected = out.len();
        assert!(expected >= planted, "{expected} < {planted}");
        // Warm up: every rule the input touches compiles its regex.
        for _ in 0..iters.min(100) {
            scanner.scan_with(&mut scratch, black_box(&hay), &mut out);
        }
        let mut times = Vec::with_capacity(iters);
        let all = Instant::now();
        for _ in 0..iters {
            let t = Instant::now();
            scanner.scan_with(&mut scratch, black_box(&hay), &mut out);
            times.push(t.elapsed().as_nanos() as u64);
            assert_eq!(out.len(), expected);
        }
        let total = all.elapsed().as_secs_f64();
        times.sort_unstable();
        let pct = |p: f64| {
            times[((times.len() as f64 * p) as usize).min(times.len() - 1)]
                as f64
                / 1e3
        };
        println!(
            "{:<17} {kind:<10} {:>9} B  findings {expected:>5}  p50 {:>9.1} µs  p99 {:>9.1} µs  max {:>9.1} µs  {:>8.1} MB/s",
            format!(
                "{}{}",
                inputs::engine_name(kind_e),
                if records { "+records" } else { "" }
            ),
            hay.len(),
            pct(0.50),
            pct(0.99),
            pct(1.0),
            (hay.len() * iters) as f64 / 1e6 / total,
        );
    }
}
