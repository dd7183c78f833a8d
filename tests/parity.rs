//! One corpus, every path: buffer scan, stream scan and stream redaction at
//! many chunk sizes and at every cut point around each secret must agree.

use std::io::Read;

use leakguard::{
    Finding, FingerprintKey, Policy, RedactStyle, Redactor, RuleSet, Scanner,
    ScannerBuilder, StreamScanner,
};

use crate::gen::{Rng, MAKERS};

pub fn scanner() -> Scanner {
    ScannerBuilder::new()
        .policy(Policy::filter())
        .fingerprint_key(FingerprintKey::from_bytes([9; 32]))
        .build(&RuleSet::builtin())
        .unwrap()
}

/// Reads `data` in pieces: first up to `first`, then `chunk` at a time.
pub struct Chunked<'a> {
    data: &'a [u8],
    pos: usize,
    first: usize,
    chunk: usize,
}

impl<'a> Chunked<'a> {
    pub fn new(data: &'a [u8], first: usize, chunk: usize) -> Chunked<'a> {
        Chunked { data, pos: 0, first, chunk }
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let limit = if self.pos < self.first {
            self.first - self.pos
        } else {
            self.chunk
        };
        let n = limit.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A prompt-like corpus: prose, code, Chinese text and JSON, with every
/// kind of planted secret. Returns the text and the planted secrets.
pub fn corpus(seed: u64, rounds: usize) -> (String, Vec<String>) {
    let mut r = Rng::new(seed);
    let filler = [
        "Please review this function and tell me why the test fails.\n",
        "fn main() { let x = vec![1, 2, 3]; println!(\"{:?}\", x); }\n",
        "客户说系统登录失败，请帮忙看一下日志。\n",
        "{\"role\": \"user\", \"content\": \"summarize the meeting notes\"}\n",
        "version 1.2.3 released on 2024-05-06, build 20240506, port 8080\n",
        "def handler(event):\n    return {'status': 200, 'id': 123456}\n",
    ];
    let mut text = String::new();
    let mut secrets = Vec::new();
    for i in 0..rounds {
        text.push_str(filler[i % filler.len()]);
        let (make, context) = MAKERS[i % MAKERS.len()];
        let planted = make(&mut r);
        text.push_str(context);
        text.push_str(&planted.text);
        text.push('\n');
        secrets.push(planted.secret);
        text.push_str(filler[(i * 7 + 3) % filler.len()]);
    }
    (text, secrets)
}

pub fn stream_findings(
    s: &Scanner,
    data: &[u8],
    first: usize,
    chunk: usize,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut stream = StreamScanner::new(s);
    stream.chunk_size(chunk.max(1));
    stream
        .scan(Chunked::new(data, first, chunk), |f| out.push(f.clone()))
        .unwrap();
    out
}

pub fn stream_redacted(
    s: &Scanner,
    data: &[u8],
    first: usize,
    chunk: usize,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut stream = StreamScanner::new(s);
    stream.chunk_size(chunk.max(1));
    stream
        .redact(
            Chunked::new(data, first, chunk),
            &mut out,
            &mut Redactor::new(RedactStyle::Placeholder),
            |_| {},
        )
        .unwrap();
    out
}

#[test]
fn stream_equals_buffer_at_every_chunk_size() {
    let s = scanner();
    let (text, secrets) = corpus(1, 2 * MAKERS.len());
    let data = text.as_bytes();
    let (want, _) = stream_equals_buffer(&s, data);
    assert!(want.len() >= secrets.len(), "{} findings", want.len());
}

/// Asserts that streams at chunk sizes from 1 byte to 1 MiB report the
/// buffer scan's findings and write its redaction; returns both.
pub fn stream_equals_buffer(
    s: &Scanner,
    data: &[u8],
) -> (Vec<Finding>, Vec<u8>) {
    let want = s.scan(data);
    let want_red = Redactor::new(RedactStyle::Placeholder).redact(data, &want);
    for chunk in [1, 2, 7, 64, 4096, 1 << 20] {
        assert_eq!(stream_findings(s, data, 0, chunk), want, "chunk {chunk}");
        assert_eq!(
            stream_redacted(s, data, 0, chunk),
            want_red,
            "chunk {chunk}"
        );
    }
    (want, want_red)
}

#[test]
fn stream_equals_buffer_with_a_cut_at_every_offset_of_each_secret() {
    let s = scanner();
    let mut r = Rng::new(2);
    for (make, context) in MAKERS {
        let planted = make(&mut r);
        let text =
            format!("prefix line\n{context}{}\nsuffix 结束\n", planted.text);
        let data = text.as_bytes();
        let want = s.scan(data);
        assert!(!want.is_empty(), "{} not found", planted.kind);
        let want_red =
            Redactor::new(RedactStyle::Placeholder).redact(data, &want);
        // One cut at every offset (the secret split between two reads)...
        for cut in 0..=data.len() {
            assert_eq!(
                stream_findings(&s, data, cut, 4096),
                want,
                "{} cut {cut}",
                planted.kind
            );
            assert_eq!(
                stream_redacted(&s, data, cut, 4096),
                want_red,
                "{} cut {cut}",
                planted.kind
            );
        }
        // ...and small reads from every offset of the first 8 bytes on.
        for first in 0..8 {
            for chunk in [1, 2, 7] {
                assert_eq!(
                    stream_findings(&s, data, first, chunk),
                    want,
                    "{} first {first} chunk {chunk}",
                    planted.kind
                );
            }
        }
    }
}

#[test]
fn every_planted_secret_is_found_and_redacted() {
    let s = scanner();
    let (text, secrets) = corpus(3, 3 * MAKERS.len());
    let findings = s.scan(text.as_bytes());
    let red = Redactor::new(RedactStyle::Placeholder)
        .redact(text.as_bytes(), &findings);
    let red = String::from_utf8(red).unwrap();
    for secret in &secrets {
        assert!(text.contains(secret.as_str()));
        assert!(!red.contains(secret.as_str()), "survived: {secret}");
    }
    // Bytes outside findings are untouched: the filler is all still there.
    assert!(red.contains("客户说系统登录失败，请帮忙看一下日志。"));
}

#[test]
fn inline_allow_decides_the_same_in_stream_and_buffer() {
    let s = ScannerBuilder::new()
        .policy(Policy::scan())
        .inline_allow(true)
        .fingerprint_key(FingerprintKey::from_bytes([9; 32]))
        .build(&RuleSet::builtin())
        .unwrap();
    let mut r = Rng::new(5);
    let mut text = String::new();
    for i in 0..40 {
        let (make, context) = MAKERS[i % MAKERS.len()];
        let p = make(&mut r);
        match i % 4 {
            0 => text
                .push_str(&format!("{context}{} # leakguard:allow\n", p.text)),
            1 => text.push_str(&format!(
                "// gitleaks:allow\n{context}{}\n",
                p.text
            )),
            2 => text.push_str(&format!("{context}{}\n", p.text)),
            _ => text.push_str(&format!(
                "{context}{}{}leakguard:allow\n",
                p.text,
                " ".repeat(1000 + i)
            )),
        }
    }
    let data = text.as_bytes();
    let want = s.scan(data);
    assert!(!want.is_empty());
    let allowed_free = scanner().scan(data);
    assert!(want.len() < allowed_free.len());
    for chunk in [1, 7, 64, 4096] {
        assert_eq!(stream_findings(&s, data, 0, chunk), want, "chunk {chunk}");
    }
}

/// Found by proptest in CI: a generated EC key whose base64 body held
/// `xXXx` was dropped as a placeholder, and its lines survived redaction.
#[test]
fn regression_key_bodies_with_placeholder_words_are_found() {
    let s = scanner();
    let mut body = String::new();
    let mut r = Rng::new(77);
    for i in 0..12 {
        let mut line = r.string(crate::gen::B64, 64);
        if i == 5 {
            line.replace_range(10..20, "ZxXXxSaMPl");
        }
        body.push_str(&line);
        body.push('\n');
    }
    let text = format!(
        "key:\n-----BEGIN EC PRIVATE KEY-----\n{body}-----END EC PRIVATE KEY-----\n"
    );
    let found = s.scan(text.as_bytes());
    assert!(
        found.iter().any(|f| f.rule_id() == "private-key-ec"),
        "{found:?}"
    );
    let red = Redactor::new(RedactStyle::Placeholder)
        .redact(text.as_bytes(), &found);
    let red = String::from_utf8(red).unwrap();
    for line in body.lines() {
        assert!(!red.contains(line), "survived: {line}");
    }
}
