//! The Hyperscan and pure-Rust engines give identical findings: on every
//! rule example and negative, the parity corpus, fuzz-like inputs dense with
//! keywords, and under proptest; and the Hyperscan engine's stream equals
//! the Rust engine's buffer scan at several chunk sizes.

use leakguard::{
    EngineKind, Finding, FingerprintKey, Policy, RuleSet, Scanner,
    ScannerBuilder, StreamScanner,
};
use proptest::prelude::*;

use crate::{
    gen::{Rng, MAKERS},
    parity::{corpus, Chunked},
    props::{dense_text, planted_text},
};

fn scanner(kind: EngineKind) -> Scanner {
    let s = ScannerBuilder::new()
        .engine(kind)
        .policy(Policy::filter())
        .fingerprint_key(FingerprintKey::from_bytes([9; 32]))
        .build(&RuleSet::builtin())
        .unwrap();
    assert_eq!(s.engine(), kind);
    s
}

/// The Rust and Hyperscan scanners, compiled once for all tests.
fn pair() -> &'static (Scanner, Scanner) {
    static PAIR: std::sync::OnceLock<(Scanner, Scanner)> =
        std::sync::OnceLock::new();
    PAIR.get_or_init(|| {
        (scanner(EngineKind::Rust), scanner(EngineKind::Hyperscan))
    })
}

fn stream(s: &Scanner, data: &[u8], chunk: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    StreamScanner::new(s)
        .chunk_size(chunk)
        .scan(Chunked::new(data, chunk, chunk), |f| out.push(f.clone()))
        .unwrap();
    out
}

#[test]
fn auto_is_hyperscan() {
    assert_eq!(EngineKind::Auto.resolve(), EngineKind::Hyperscan);
    assert_eq!(
        Scanner::new(&RuleSet::builtin()).unwrap().engine(),
        EngineKind::Hyperscan
    );
}

#[test]
fn every_rule_example_and_negative() {
    let (rust, hs) = pair();
    let rules = RuleSet::builtin();
    let mut all = String::new();
    let mut found = 0;
    for rule in rules.rules() {
        for text in rule.examples().iter().chain(rule.negatives()) {
            let want = rust.scan(text.as_bytes());
            found += want.len();
            assert_eq!(hs.scan(text.as_bytes()), want, "rule {}", rule.id());
            all.push_str(text);
            all.push('\n');
        }
    }
    assert!(found > rules.len(), "{found} findings");
    let want = rust.scan(all.as_bytes());
    assert_eq!(hs.scan(all.as_bytes()), want);
    for chunk in [1, 13, 4096] {
        assert_eq!(stream(hs, all.as_bytes(), chunk), want, "chunk {chunk}");
    }
}

#[test]
fn parity_corpus_buffer_and_stream() {
    let (rust, hs) = pair();
    let (text, secrets) = corpus(5, 3 * MAKERS.len());
    let data = text.as_bytes();
    let want = rust.scan(data);
    assert!(want.len() >= secrets.len());
    assert_eq!(hs.scan(data), want);
    for chunk in [1, 2, 7, 64, 4096, 1 << 20] {
        assert_eq!(stream(hs, data, chunk), want, "chunk {chunk}");
    }
}

/// Keywords of every rule, mangled in case and cut short, between random
/// bytes, digits and separators: what a fuzzer would find.
#[test]
fn fuzz_like_inputs() {
    let (rust, hs) = pair();
    let rules = RuleSet::builtin();
    let keywords: Vec<&str> = rules
        .rules()
        .iter()
        .flat_map(|r| r.keywords().iter().map(String::as_str))
        .collect();
    let mut r = Rng::new(77);
    let mut total = 0;
    for _ in 0..300 {
        let mut hay = Vec::new();
        for _ in 0..r.below(40) {
            match r.below(6) {
                0 | 1 => {
                    let kw = keywords[r.below(keywords.len())].as_bytes();
                    let cut = if r.below(4) == 0 {
                        r.below(kw.len() + 1)
                    } else {
                        kw.len()
                    };
                    for &b in &kw[..cut] {
                        hay.push(if r.below(2) == 0 {
                            b.to_ascii_uppercase()
                        } else {
                            b
                        });
                    }
                }
                2 => hay.extend(
                    {
                        let n = r.below(48);
                        r.string(crate::gen::ALNUM, n)
                    }
                    .bytes(),
                ),
                3 => hay.extend(
                    {
                        let n = r.below(24);
                        r.string("0123456789 -.", n)
                    }
                    .bytes(),
                ),
                4 => hay.extend((0..r.below(8)).map(|_| r.next() as u8)),
                _ => hay.extend_from_slice(" = \"'\n:{}_-".as_bytes()),
            }
        }
        let want = rust.scan(&hay);
        total += want.len();
        assert_eq!(hs.scan(&hay), want, "{:?}", String::from_utf8_lossy(&hay));
    }
    assert!(total > 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn engines_agree_on_dense_text(text in dense_text()) {
        let (rust, hs) = pair();
        prop_assert_eq!(hs.scan(&text), rust.scan(&text));
    }

    #[test]
    fn engines_agree_on_planted_text(
        (text, _) in planted_text(),
        chunk in 1usize..300,
    ) {
        let (rust, hs) = pair();
        let want = rust.scan(&text);
        prop_assert_eq!(hs.scan(&text), want.clone());
        prop_assert_eq!(stream(hs, &text, chunk), want);
    }
}
