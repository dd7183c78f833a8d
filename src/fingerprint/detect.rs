//! Finding indexed code in scanned bytes, incrementally.
//!
//! Every k-gram of the input is hashed and looked up (the index side was
//! winnowed, so a shared run of `w + k - 1` tokens always hits). Hits whose
//! tokens lie within `GAP` tokens of each other form one region; a region
//! becomes a finding when it reaches the thresholds.
//!
//! The state moves strictly forward through the input and each tokenizer
//! step looks at a bounded number of bytes, so feeding the input in rounds
//! (as the stream does) gives the same regions as one call over a buffer.
//! [`CodeState::hold_from`] tells the stream how far back a finding may
//! still start; regions are capped at [`MAX_REGION`] bytes and gaps at
//! [`MAX_GAP_BYTES`], so that stays bounded.

use std::collections::VecDeque;

use super::{
    token::{step, Step},
    winnow::Roller,
    CodeIndex, CodeThresholds,
};
use crate::finding::Span;

/// A region longer than this is cut, and a new one starts.
pub(crate) const MAX_REGION: usize = 64 << 10;
/// Bytes without a token or a hit after which the k-gram window restarts
/// and an open region closes.
pub(crate) const MAX_GAP_BYTES: usize = 4 << 10;

/// A matched region that reached the thresholds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CodeHit {
    /// Absolute byte span, from the first to the last matched token.
    pub(crate) span: Span,
    /// Tokens covered by indexed k-grams.
    pub(crate) tokens: u32,
    /// Covered tokens per thousand tokens of the region.
    pub(crate) share_permille: u16,
    /// Indexed files and how many distinct matching k-grams each had,
    /// the file covering most tokens first.
    pub(crate) files: Vec<(u32, u32)>,
}

#[derive(Clone, Debug)]
struct Region {
    start: usize,
    end: usize,
    /// Token index of the first token.
    first: u64,
    /// Token index one past the last covered token.
    covered_end: u64,
    /// Per indexed file: (id, distinct matching k-grams, tokens they
    /// cover, token index one past the last of them).
    files: Vec<(u32, u32, u64, u64)>,
    /// Hashes already counted in this region.
    seen: Vec<u64>,
}

/// The per-input state of the code detector (kept in a scanner's scratch).
#[derive(Clone, Debug)]
pub(crate) struct CodeState {
    /// Absolute offset of the next tokenizer step.
    pos: usize,
    roller: Roller,
    /// Spans of the last k tokens (absolute).
    recent: VecDeque<(usize, usize)>,
    ntok: u64,
    region: Option<Region>,
}

impl CodeState {
    pub(crate) fn new(k: usize) -> CodeState {
        CodeState {
            pos: 0,
            roller: Roller::new(k),
            recent: VecDeque::with_capacity(k),
            ntok: 0,
            region: None,
        }
    }

    fn reset(&mut self) {
        self.pos = 0;
        self.roller.clear();
        self.recent.clear();
        self.ntok = 0;
        self.region = None;
    }

    /// The earliest absolute offset a future finding may start at;
    /// `usize::MAX` when none is pending.
    pub(crate) fn hold_from(&self) -> usize {
        let open = self.region.as_ref().map_or(usize::MAX, |r| r.start);
        let kgram = self.recent.front().map_or(usize::MAX, |r| r.0);
        open.min(kgram)
    }

    /// Tokenizes every step starting before absolute offset `to` (from
    /// where the last call stopped; `from == 0` starts a new input).
    /// `hay[0]` is at absolute `base`; unless `eof`, `hay` must extend
    /// [`LOOKAHEAD`](super::token::LOOKAHEAD) bytes past `to`. Regions that
    /// end are judged and pushed to `out`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run(
        &mut self,
        index: &CodeIndex,
        limits: &CodeThresholds,
        hay: &[u8],
        base: usize,
        from: usize,
        to: usize,
        eof: bool,
        out: &mut Vec<CodeHit>,
    ) {
        if from == 0 {
            self.reset();
        }
        while self.pos < to {
            match step(hay, self.pos - base) {
                Step::Token(t) => {
                    self.pos = base + t.end;
                    self.token(
                        index,
                        limits,
                        base + t.start,
                        base + t.end,
                        (t.value, t.name),
                        out,
                    );
                }
                Step::Skip(next) => self.pos = base + next,
            }
            // Far from the last token or hit, nothing can join them.
            if self
                .recent
                .front()
                .is_some_and(|r| self.pos - r.0 > MAX_GAP_BYTES)
            {
                self.roller.clear();
                self.recent.clear();
            }
            if self
                .region
                .as_ref()
                .is_some_and(|r| self.pos - r.end > MAX_GAP_BYTES)
            {
                self.close(limits, out);
            }
        }
        if eof {
            self.close(limits, out);
        }
    }

    fn token(
        &mut self,
        index: &CodeIndex,
        limits: &CodeThresholds,
        start: usize,
        end: usize,
        (value, name): (u64, u64),
        out: &mut Vec<CodeHit>,
    ) {
        let k = index.k();
        let idx = self.ntok;
        self.ntok += 1;
        self.recent.push_back((start, end));
        if self.recent.len() > k {
            self.recent.pop_front();
        }
        let gap = (k + index.window()) as u64;
        if let Some(h) = self.roller.push(value, name) {
            let files = index.lookup(h);
            if !files.is_empty() {
                let first = idx + 1 - k as u64;
                let kstart = self.recent.front().expect("k tokens").0;
                if self.region.as_ref().is_some_and(|r| {
                    first > r.covered_end + gap || end - r.start > MAX_REGION
                }) {
                    self.close(limits, out);
                }
                let r = self.region.get_or_insert(Region {
                    start: kstart,
                    end,
                    first,
                    covered_end: first,
                    files: Vec::new(),
                    seen: Vec::new(),
                });
                r.covered_end = idx + 1;
                r.end = end;
                // Coverage counts per file and per distinct k-gram: a copy
                // matches one file all along, while a false alarm collects
                // common idioms from many files, or repeats one k-gram of
                // periodic code (constant tables).
                if !r.seen.contains(&h) {
                    r.seen.push(h);
                    for &f in files {
                        let i = match r.files.iter().position(|e| e.0 == f) {
                            Some(i) => i,
                            None => {
                                r.files.push((f, 0, 0, first));
                                r.files.len() - 1
                            }
                        };
                        let e = &mut r.files[i];
                        e.1 += 1;
                        e.2 += idx + 1 - first.max(e.3);
                        e.3 = idx + 1;
                    }
                }
            }
        }
        if self.region.as_ref().is_some_and(|r| idx + 1 > r.covered_end + gap)
        {
            self.close(limits, out);
        }
    }

    fn close(&mut self, limits: &CodeThresholds, out: &mut Vec<CodeHit>) {
        let Some(mut r) = self.region.take() else { return };
        // The file with the most covered tokens decides.
        r.files.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        let covered = r.files.first().map_or(0, |f| f.2);
        let span_tokens = (r.covered_end - r.first).max(1);
        let share = covered as f64 / span_tokens as f64;
        if (covered as usize) < limits.min_tokens || share < limits.min_share {
            return;
        }
        out.push(CodeHit {
            span: Span::new(r.start, r.end),
            tokens: u32::try_from(covered).unwrap_or(u32::MAX),
            share_permille: (share * 1000.0).round() as u16,
            files: r.files.iter().map(|f| (f.0, f.1)).collect(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::{CodeIndexBuilder, PathStorage};

    const FILE: &str = "fn parse_header(buf: &[u8]) -> Option<Header> {\n    \
        if buf.len() < 12 { return None; }\n    let magic = &buf[..8];\n    \
        if magic != b\"LGCODEIX\" { return None; }\n    let version = \
        u32::from_le_bytes(buf[8..12].try_into().ok()?);\n    \
        Some(Header { magic: magic.to_vec(), version })\n}\n";

    fn index() -> CodeIndex {
        let mut b = CodeIndexBuilder::new();
        b.kgram(10).window(5).paths(PathStorage::Plain);
        b.add_file("src/header.rs", FILE.as_bytes());
        b.build()
    }

    fn find(index: &CodeIndex, hay: &[u8]) -> Vec<CodeHit> {
        let limits = CodeThresholds { min_tokens: 20, min_share: 0.5 };
        let mut out = Vec::new();
        let mut st = CodeState::new(index.k());
        st.run(index, &limits, hay, 0, 0, hay.len(), true, &mut out);
        out
    }

    #[test]
    fn finds_a_renamed_copy_inside_prose() {
        let idx = index();
        let copy = FILE
            .replace("parse_header", "read_hdr")
            .replace("buf", "bytes")
            .replace("magic", "m");
        let hay = format!("Why does this not compile?\n\n{copy}\nThanks!");
        let hits = find(&idx, hay.as_bytes());
        assert_eq!(hits.len(), 1, "{hits:?}");
        let h = &hits[0];
        assert_eq!(h.files[0].0, 0);
        // The region lies in the copy and covers most of it (winnowing
        // keeps only some k-grams, so its ends may fall a few tokens in).
        let at = hay.find("fn read_hdr").unwrap();
        assert!(h.span.start >= at && h.span.end <= at + copy.len());
        assert!(h.span.len() * 10 >= copy.len() * 7, "{h:?}");
        assert!(h.tokens > 60);
    }

    #[test]
    fn unrelated_code_is_not_found() {
        let idx = index();
        let other = "def main():\n    total = 0\n    for x in range(10):\n\
                     \x20       total += x * x\n    print(total)\n";
        assert!(find(&idx, other.as_bytes()).is_empty());
    }
}
