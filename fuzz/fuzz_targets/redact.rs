//! Redaction of arbitrary bytes: outside the redacted regions the output is
//! the input byte for byte, each region became one placeholder holding none
//! of its secret, and the stream writes exactly what the buffer path writes
//! at an arbitrary chunk size.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use leakguard::{FingerprintKey, RedactStyle, Redactor, RuleSet, Scanner, ScannerBuilder, StreamScanner};
use libfuzzer_sys::fuzz_target;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        ScannerBuilder::new()
            .fingerprint_key(FingerprintKey::from_bytes([4; 32]))
            .build(&RuleSet::builtin())
            .unwrap()
    })
}

#[derive(Arbitrary, Debug)]
struct Input {
    chunk: u16,
    hay: Vec<u8>,
}

fuzz_target!(|input: Input| {
    let hay = &input.hay[..];
    let s = scanner();
    let found = s.scan(hay);
    let red = Redactor::new(RedactStyle::Placeholder).redact(hay, &found);

    let mut spans: Vec<_> = found.iter().map(|f| f.secret_span()).collect();
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for sp in spans {
        match merged.last_mut() {
            Some(last) if sp.start < last.1 => last.1 = last.1.max(sp.end),
            _ => merged.push((sp.start, sp.end)),
        }
    }
    let (mut i, mut o) = (0, 0);
    for (start, end) in merged {
        assert_eq!(&red[o..o + (start - i)], &hay[i..start]);
        o += start - i;
        let close = o + red[o..].iter().position(|&b| b == b']').unwrap() + 1;
        let placeholder = &red[o..close];
        assert!(placeholder.starts_with(b"[REDACTED:"));
        let secret = &hay[start..end];
        assert!(secret.len() < 4 || !placeholder.windows(secret.len()).any(|w| w == secret));
        o = close;
        i = end;
    }
    assert_eq!(&red[o..], &hay[i..]);

    let mut streamed = Vec::new();
    let mut stream = StreamScanner::new(s);
    stream.chunk_size((input.chunk as usize % 4096).max(1));
    stream
        .redact(hay, &mut streamed, &mut Redactor::new(RedactStyle::Placeholder), |_| {})
        .unwrap();
    assert_eq!(streamed, red);
});
