//! Restoring a streamed answer: however an arbitrary SSE stream is cut into
//! chunks, the restorer writes the same bytes, never panics, and a stream
//! with nothing to restore passes through unchanged.
#![no_main]

use arbitrary::Arbitrary;
use leakguard::{Restorer, SseRestorer};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    stream: &'a [u8],
    originals: Vec<&'a [u8]>,
    cuts: Vec<u16>,
}

fn run(table: &Restorer, chunks: &[&[u8]]) -> Vec<u8> {
    let mut sse = SseRestorer::new(table.clone());
    let mut out = Vec::new();
    for c in chunks {
        sse.push(c, &mut out);
    }
    sse.finish(&mut out);
    out
}

fuzz_target!(|input: Input<'_>| {
    let names: Vec<String> = (0..input.originals.len().min(4))
        .map(|i| format!("[REDACTED:k:{}]", i + 1))
        .collect();
    let table = Restorer::new(
        names.iter().map(String::as_str).zip(input.originals.iter().copied()),
    );
    let whole = run(&table, &[input.stream]);
    let mut bounds: Vec<usize> =
        input.cuts.iter().map(|&c| c as usize % (input.stream.len() + 1)).collect();
    bounds.push(0);
    bounds.push(input.stream.len());
    bounds.sort_unstable();
    bounds.dedup();
    let chunks: Vec<&[u8]> =
        bounds.windows(2).map(|w| &input.stream[w[0]..w[1]]).collect();
    assert_eq!(run(&table, &chunks), whole);
    assert_eq!(run(&Restorer::new([]), &chunks), input.stream);
    let _ = table.restore_json(input.stream);
});
