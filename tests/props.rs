//! Property tests of the invariants: no redacted secret survives; stream
//! equals buffer under any chunking; spans stay in bounds; bytes outside
//! findings are untouched.

use proptest::prelude::*;

use leakguard::{RedactStyle, Redactor, StreamScanner};

use crate::{
    gen::{Rng, MAKERS},
    parity::{scanner, Chunked},
};

/// Fragments that make inputs dense with keywords, digits, separators and
/// multi-byte text, so candidates and near-misses are everywhere.
const FRAGMENTS: &[&str] = &[
    "AKIA",
    "akia",
    "ASIA",
    "ghp_",
    "glpat-",
    "sk-",
    "sk-proj-",
    "sk_live_",
    "xoxb-",
    "AIza",
    "AKID",
    "LTAI",
    "eyJ",
    "-----BEGIN ",
    "PRIVATE KEY-----",
    "-----END ",
    "password",
    "secret",
    "token",
    "=",
    ": ",
    "\"",
    "'",
    "@",
    "postgres://",
    "mysql://",
    ":",
    "/",
    ".",
    "-",
    " ",
    "\n",
    "\t",
    "密码",
    "身份证",
    "手机号",
    "客户",
    "１",
    "13812345678",
    "4111",
    "1111 ",
    "62",
    "110105",
    "19900101",
    "X",
    "DE",
    "GB82",
    "0",
    "7",
    "99",
    "ABCDEFGHIJ",
    "Zq3v",
    "a1B2c3D4e5",
    "\u{0}",
    "\u{ff}",
];

pub fn dense_text() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(FRAGMENTS).prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..8),
            1 => "[A-Za-z0-9+/]{1,40}".prop_map(|s| s.into_bytes()),
        ],
        0..120,
    )
    .prop_map(|parts| parts.concat())
}

/// Text with secrets planted between fragments, and the planted secrets.
pub fn planted_text() -> impl Strategy<Value = (Vec<u8>, Vec<String>)> {
    (
        prop::collection::vec(dense_text(), 1..6),
        prop::collection::vec((0..MAKERS.len(), any::<u64>()), 1..6),
    )
        .prop_map(|(fillers, picks)| {
            let mut text = Vec::new();
            let mut secrets = Vec::new();
            for (i, (which, seed)) in picks.into_iter().enumerate() {
                text.extend_from_slice(&fillers[i % fillers.len()]);
                let (make, context) = MAKERS[which];
                let planted = make(&mut Rng::new(seed));
                text.extend_from_slice(b"\n");
                text.extend_from_slice(context.as_bytes());
                text.extend_from_slice(planted.text.as_bytes());
                text.extend_from_slice(b"\n");
                secrets.push(planted.secret);
            }
            (text, secrets)
        })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_planted_secret_survives_redaction((text, secrets) in planted_text()) {
        let s = scanner();
        let findings = s.scan(&text);
        for style in [RedactStyle::Placeholder, RedactStyle::Mask, RedactStyle::Hash] {
            let red = Redactor::new(style).redact(&text, &findings);
            for secret in &secrets {
                prop_assert!(
                    !contains(&red, secret.as_bytes()),
                    "survived ({style:?}): {secret}"
                );
            }
        }
    }

    #[test]
    fn spans_in_bounds_and_secret_inside_match(text in dense_text()) {
        let s = scanner();
        for f in s.scan(&text) {
            let (m, sec) = (f.span(), f.secret_span());
            prop_assert!(m.start <= sec.start && sec.end <= m.end);
            prop_assert!(sec.start < sec.end && m.end <= text.len());
            prop_assert!(f.line() >= 1 && f.column() >= 1);
            let newlines = text[..sec.start].iter().filter(|&&b| b == b'\n').count();
            prop_assert_eq!(f.line(), newlines as u64 + 1);
        }
    }

    #[test]
    fn stream_equals_buffer_under_any_chunking(
        (text, _) in planted_text(),
        first in 0usize..300,
        chunk in 1usize..300,
    ) {
        let s = scanner();
        let want = s.scan(&text);
        let mut got = Vec::new();
        let mut stream = StreamScanner::new(&s);
        stream.chunk_size(chunk);
        stream.scan(Chunked::new(&text, first, chunk), |f| got.push(f.clone())).unwrap();
        prop_assert_eq!(&got, &want);

        let want_red = Redactor::new(RedactStyle::Placeholder).redact(&text, &want);
        let mut out = Vec::new();
        stream
            .redact(
                Chunked::new(&text, first, chunk),
                &mut out,
                &mut Redactor::new(RedactStyle::Placeholder),
                |_| {},
            )
            .unwrap();
        prop_assert_eq!(out, want_red);
    }

    #[test]
    fn bytes_outside_findings_are_untouched((text, _) in planted_text()) {
        let s = scanner();
        let findings = s.scan(&text);
        let red = Redactor::new(RedactStyle::Placeholder).redact(&text, &findings);
        // Walk the output: between redacted regions it must repeat the
        // input byte for byte; each region becomes one placeholder.
        let mut spans: Vec<_> = findings.iter().map(|f| f.secret_span()).collect();
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
            prop_assert_eq!(&red[o..o + (start - i)], &text[i..start]);
            o += start - i;
            prop_assert!(red[o..].starts_with(b"[REDACTED:"));
            o += red[o..].iter().position(|&b| b == b']').unwrap() + 1;
            i = end;
        }
        prop_assert_eq!(&red[o..], &text[i..]);
    }
}
