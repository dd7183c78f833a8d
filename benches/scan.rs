//! Scan throughput per engine and input kind (tiny, 4 KiB prompt, 1 MiB
//! prompt, 1 MiB dense code, 64 MiB mixed), stream redaction, and rule
//! compilation per engine. Each input has planted secrets, and the finding
//! count is asserted inside the timed loop, so a broken engine cannot post
//! a fast number.
//!
//! `LEAKGUARD_BENCH_RULES_DIR` names a folder of rule files (an older pack,
//! say) to measure as well, in the same run.

mod inputs;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakguard::{
    EngineKind, RedactStyle, Redactor, RuleSet, ScannerBuilder, StreamScanner,
};

use crate::inputs::{engine_name, engines, scanner};

/// Rule sets to compare: the built-in catalog and, when asked, another.
fn rule_sets() -> Vec<(&'static str, RuleSet)> {
    let mut out = vec![("builtin", RuleSet::builtin())];
    if let Some(dir) = std::env::var_os("LEAKGUARD_BENCH_RULES_DIR") {
        let mut b = RuleSet::builder();
        b.builtin(false);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                b.add_path(path);
            }
        }
        let rules = b.build().unwrap();
        eprintln!("comparison rule set: {} rules", rules.len());
        out.push(("other-rules", rules));
    }
    out
}

fn scan(c: &mut Criterion) {
    let kinds = ["tiny", "prompt-4k", "prompt-1m", "code-1m", "mixed-64m"];
    let inputs: Vec<_> =
        kinds.iter().map(|k| (*k, inputs::by_name(k))).collect();
    for (label, rules) in rule_sets() {
        for engine in engines() {
            let scanner = scanner(&rules, engine);
            let mut group = c.benchmark_group(format!(
                "scan-{label}-{}",
                engine_name(engine)
            ));
            for (name, (hay, planted)) in &inputs {
                let expected = scanner.scan(hay).len();
                assert!(
                    expected >= *planted,
                    "{name}: {expected} < {planted}"
                );
                group.throughput(Throughput::Bytes(hay.len() as u64));
                if hay.len() > 16 << 20 {
                    group.sample_size(10);
                    group.measurement_time(Duration::from_secs(10));
                } else {
                    group.sample_size(50);
                    group.measurement_time(Duration::from_secs(3));
                }
                inputs::bench_buffer(
                    &mut group,
                    format!("buffer/{name}"),
                    &scanner,
                    hay,
                    expected,
                );
            }
            let (hay, _) = &inputs[2].1;
            let expected = scanner.scan(hay).len();
            group.throughput(Throughput::Bytes(hay.len() as u64));
            group.sample_size(50);
            group.measurement_time(Duration::from_secs(3));
            group.bench_function("stream-redact/prompt-1m", |b| {
                let mut out = Vec::with_capacity(hay.len());
                b.iter(|| {
                    out.clear();
                    let s = StreamScanner::new(&scanner)
                        .redact(
                            &hay[..],
                            &mut out,
                            &mut Redactor::new(RedactStyle::Placeholder),
                            |_| {},
                        )
                        .unwrap();
                    assert_eq!(s.findings as usize, expected);
                })
            });
            group.finish();
        }
    }
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for engine in engines() {
        group.bench_function(
            format!("builtin/{}", engine_name(engine)),
            |b| {
                b.iter(|| {
                    ScannerBuilder::new()
                        .engine(engine)
                        .build(&RuleSet::builtin())
                        .unwrap()
                })
            },
        );
    }
    // With the database cache warm, as the CLI starts.
    if EngineKind::HYPERSCAN_AVAILABLE {
        let dir = std::env::temp_dir().join("leakguard-bench-cache");
        group.bench_function("builtin/hyperscan-cached", |b| {
            b.iter(|| {
                ScannerBuilder::new()
                    .engine(EngineKind::Hyperscan)
                    .engine_cache(Some(dir.clone()))
                    .build(&RuleSet::builtin())
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, scan, compile);
criterion_main!(benches);
