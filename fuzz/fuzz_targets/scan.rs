//! Buffer scan of arbitrary bytes: spans in bounds, lines right, and the
//! stream at an arbitrary chunking reports exactly the same findings.
#![no_main]

use std::{io::Read, sync::OnceLock};

use arbitrary::Arbitrary;
use leakguard::{FingerprintKey, RuleSet, Scanner, ScannerBuilder, StreamScanner};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    first: u16,
    chunk: u16,
    hay: Vec<u8>,
}

struct Chunked<'a> {
    data: &'a [u8],
    pos: usize,
    first: usize,
    chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let limit = if self.pos < self.first { self.first - self.pos } else { self.chunk };
        let n = limit.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        ScannerBuilder::new()
            .fingerprint_key(FingerprintKey::from_bytes([3; 32]))
            .build(&RuleSet::builtin())
            .unwrap()
    })
}

fuzz_target!(|input: Input| {
    let s = scanner();
    let hay = &input.hay;
    let found = s.scan(hay);
    for f in &found {
        let (m, sec) = (f.span(), f.secret_span());
        assert!(m.start <= sec.start && sec.end <= m.end && m.end <= hay.len());
        let nl = hay[..sec.start].iter().filter(|&&b| b == b'\n').count();
        assert_eq!(f.line(), nl as u64 + 1);
    }
    // A warm scratch gives the same answer as a fresh one.
    let mut scratch = s.scratch();
    let mut again = Vec::new();
    s.scan_with(&mut scratch, b"AKIAZ3MSJV4WWNKWW5FG password=hunter2hunter2", &mut again);
    s.scan_with(&mut scratch, hay, &mut again);
    assert_eq!(again, found);
    let chunk = (input.chunk as usize % 4096).max(1);
    let reader = Chunked { data: hay, pos: 0, first: input.first as usize, chunk };
    let mut streamed = Vec::new();
    let mut stream = StreamScanner::new(s);
    stream.chunk_size(chunk);
    stream.scan(reader, |f| streamed.push(f.clone())).unwrap();
    assert_eq!(streamed, found);
});
