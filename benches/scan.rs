//! Scan throughput on prompt-like inputs (tiny, small, medium, large) and
//! rule compilation time. Each input has planted secrets, and the finding
//! count is asserted inside the timed loop, so a broken engine cannot post a
//! fast number.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakguard::{
    luhn_check_digit, RedactStyle, Redactor, RuleSet, Scanner, StreamScanner,
};

/// Deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn string(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| {
                alphabet[(self.next() % alphabet.len() as u64) as usize]
                    as char
            })
            .collect()
    }
}

const PROSE: &[&str] = &[
    "Can you help me refactor this module so that the retry logic lives in one place? ",
    "The service returns a 502 when the upstream times out after 30 seconds. ",
    "客户反馈登录页面加载很慢，请帮我分析一下这段代码的性能问题。",
    "Here is the stack trace from production, line 218 in handler.rs panics. ",
    "We store the session in Redis and expire it after 3600 seconds. ",
];

const CODE: &str = r#"
pub fn parse_config(path: &Path) -> Result<Config, Error> {
    let text = std::fs::read_to_string(path)?;
    let mut config = Config::default();
    for (i, line) in text.lines().enumerate() {
        if let Some((k, v)) = line.split_once('=') {
            config.set(k.trim(), v.trim()).map_err(|e| Error::at(i + 1, e))?;
        }
    }
    Ok(config)
}
"#;

/// A prompt-like body of about `size` bytes: chat JSON with prose, code and
/// Chinese text, and one planted AWS key and one card number per 4 KiB.
/// Returns the text and how many secrets were planted.
fn prompt(size: usize, seed: u64) -> (Vec<u8>, usize) {
    let mut r = Rng(seed | 1);
    let mut out = String::from("{\"model\":\"gpt-4o\",\"messages\":[");
    let mut planted = 0;
    let mut next_plant = 0;
    while out.len() < size {
        out.push_str("{\"role\":\"user\",\"content\":\"");
        for _ in 0..4 {
            out.push_str(PROSE[(r.next() % PROSE.len() as u64) as usize]);
        }
        if out.len() >= next_plant && out.len() + 200 < size.max(200) {
            out.push_str(" aws_access_key_id=AKIA");
            out.push_str(&r.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
            let mut card = format!("4{}", r.string(b"0123456789", 14));
            card.push(luhn_check_digit(card.as_bytes()) as char);
            out.push_str(" card ");
            out.push_str(&card);
            out.push(' ');
            planted += 2;
            next_plant += 4096;
        }
        out.push_str(&CODE.replace('\n', "\\n").replace('"', "\\\""));
        out.push_str("\"},");
    }
    out.push_str("{\"role\":\"user\",\"content\":\"thanks\"}]}");
    (out.into_bytes(), planted)
}

/// Rule sets to compare: the built-in catalog, and, when
/// `LEAKGUARD_BENCH_RULES_DIR` names a folder of rule files (an older pack,
/// say), that too, so both are measured in the same run.
fn scanners() -> Vec<(&'static str, Scanner)> {
    let mut out =
        vec![("builtin", Scanner::new(&RuleSet::builtin()).unwrap())];
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
        out.push(("other-rules", Scanner::new(&rules).unwrap()));
    }
    out
}

fn scan(c: &mut Criterion) {
    for (label, scanner) in scanners() {
        scan_with(c, label, &scanner);
    }
}

fn scan_with(c: &mut Criterion, label: &str, scanner: &Scanner) {
    let mut group = c.benchmark_group(format!("scan-{label}"));
    let tiny = b"Why does `cargo build` fail with E0502 here?".to_vec();
    let inputs = [
        ("tiny", (tiny, 0)),
        ("small-1k", prompt(1 << 10, 1)),
        ("prompt-4k", prompt(4 << 10, 2)),
        ("large-1m", prompt(1 << 20, 3)),
    ];
    for (name, (hay, planted)) in &inputs {
        let expected = scanner.scan(hay).len();
        assert!(expected >= *planted, "{name}: {expected} < {planted}");
        group.throughput(Throughput::Bytes(hay.len() as u64));
        let mut scratch = scanner.scratch();
        let mut out = Vec::new();
        group.bench_function(format!("buffer/{name}"), |b| {
            b.iter(|| {
                scanner.scan_with(&mut scratch, black_box(hay), &mut out);
                assert_eq!(out.len(), expected);
            })
        });
    }
    let (hay, _) = &inputs[3].1;
    let expected = scanner.scan(hay).len();
    group.bench_function("stream-redact/large-1m", |b| {
        let mut out = Vec::with_capacity(hay.len());
        b.iter(|| {
            out.clear();
            let s = StreamScanner::new(scanner)
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

fn compile(c: &mut Criterion) {
    c.bench_function("compile/builtin", |b| {
        b.iter(|| Scanner::new(&RuleSet::builtin()).unwrap())
    });
}

criterion_group!(benches, scan, compile);
criterion_main!(benches);
