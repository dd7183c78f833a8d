//! JSON payload inspection of arbitrary bytes: spans stay in the body; a
//! redacted secret that occurs once in the body is gone from the output;
//! and when the body is JSON the redacted body is JSON of the same shape (a
//! redacted number may become a string).
#![no_main]

use std::sync::OnceLock;

use leakguard::{
    payload::{Format, Inspector},
    Action, FingerprintKey, RedactStyle, RuleSet, Scanner, ScannerBuilder,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        ScannerBuilder::new()
            .fingerprint_key(FingerprintKey::from_bytes([5; 32]))
            .build(&RuleSet::builtin())
            .unwrap()
    })
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

fn same_shape(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_shape(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_shape(v, w))
        }
        (Value::Number(_), Value::String(_)) => true,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

fuzz_target!(|body: &[u8]| {
    let s = scanner();
    for format in [Format::Json, Format::Jsonl, Format::Text] {
        let i = Inspector::new(s, RedactStyle::Placeholder)
            .restorable(true)
            .inspect(format, body, &mut s.scratch());
        for f in i.findings() {
            let (m, sec) = (f.span(), f.secret_span());
            assert!(m.start <= sec.start && sec.end <= m.end && m.end <= body.len());
            // No redacted secret survives: raw secret bytes found once in
            // the body (so not also somewhere unflagged) are not in the
            // output. Short ones could recur by chance in placeholders.
            let secret = &body[sec.start..sec.end];
            if let Some(out) = i.redacted() {
                if matches!(f.action(), Action::Redact | Action::Block)
                    && secret.len() >= 8
                    && count(body, secret) == 1
                    && !secret.windows(8).any(|w| w == b"REDACTED")
                {
                    assert_eq!(count(out, secret), 0, "a redacted secret survived");
                }
            }
        }
        if format != Format::Json {
            continue;
        }
        let Ok(v) = serde_json::from_slice::<Value>(body) else { continue };
        assert_eq!(i.format(), Format::Json);
        if let Some(out) = i.redacted() {
            let w: Value = serde_json::from_slice(out).expect("redacted JSON parses");
            assert!(same_shape(&v, &w));
        }
    }
});
