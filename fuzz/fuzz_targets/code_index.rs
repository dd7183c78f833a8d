//! The code tokenizer and index on arbitrary bytes: indexing never panics,
//! the index round-trips through its file format, scanning the same bytes
//! with it gives in-bounds spans, and the stream at an arbitrary chunking
//! reports exactly what the buffer scan reports. Arbitrary bytes given to
//! the index parser are an error or an index, never a panic.
#![no_main]

use std::{io::Read, sync::Arc};

use arbitrary::Arbitrary;
use leakguard::{
    CodeIndex, CodeIndexBuilder, CodeThresholds, RuleSet, ScannerBuilder,
    StreamScanner,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    k: u8,
    w: u8,
    chunk: u16,
    source: Vec<u8>,
    query: Vec<u8>,
}

struct Chunked<'a> {
    data: &'a [u8],
    pos: usize,
    chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.chunk.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fuzz_target!(|input: Input| {
    let _ = CodeIndex::from_bytes(&input.source);
    let mut b = CodeIndexBuilder::new();
    b.kgram(input.k as usize).window(input.w as usize);
    b.add_file("a", &input.source);
    let index = b.build();
    let bytes = index.to_bytes();
    let back = CodeIndex::from_bytes(&bytes).expect("own output parses");
    assert_eq!(back.to_bytes(), bytes);

    let scanner = ScannerBuilder::new()
        .code_index(Arc::new(index))
        .code_thresholds(CodeThresholds {
            min_tokens: 1,
            sure_tokens: 1,
            min_share: 0.0,
            common_tokens: 1,
            common_share: 0.0,
        })
        .build(&RuleSet::from_toml("none", "").unwrap())
        .unwrap();
    let mut hay = input.query.clone();
    hay.extend_from_slice(&input.source);
    let found = scanner.scan(&hay);
    for f in &found {
        assert!(f.span().start < f.span().end && f.span().end <= hay.len());
    }
    let chunk = (input.chunk as usize % 4096).max(1);
    let mut streamed = Vec::new();
    let mut stream = StreamScanner::new(&scanner);
    stream.chunk_size(chunk);
    stream
        .scan(Chunked { data: &hay, pos: 0, chunk }, |f| streamed.push(f.clone()))
        .unwrap();
    assert_eq!(streamed, found);
});
