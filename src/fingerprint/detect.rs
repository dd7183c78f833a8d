//! Finding indexed code in scanned bytes, incrementally.
//!
//! Every k-gram of the input is hashed and looked up (the index side was
//! winnowed, so a shared run of `w + k - 1` tokens always hits). A hit
//! names files and the k-gram's token offset in each. Hits of one file
//! whose offset in the input minus offset in the file (the diagonal) stays
//! within [`DRIFT`] tokens form a *chain*: a copy matches its file in
//! order and at steady distances, while idioms (derive blocks, `impl
//! Display`, declaration lists) match many places of many files, each a
//! short chain. A chain counts the input tokens its k-grams cover, each
//! file position once, so a repeated pattern in the input cannot grow it.
//! Hits within `k + w` tokens of each other form a region; when it ends,
//! its chains that reach the thresholds become one finding: the longest
//! must cover `min_tokens`, and either `sure_tokens` or `min_share` of
//! the tokens around it (the region and up to `k + w` tokens on each
//! side: a short copy must be most of what is there, a long one may sit
//! in anything).
//!
//! K-grams in more than the index's `max_files` files (boilerplate, kept
//! in a table of their own) are followed by a second, *wide* region
//! tracker that counts them along with the others: struct lists, trait
//! impls and bindings look alike in many files, so a wide region is only
//! reported when its longest chain covers `common_tokens` and
//! `common_share` of the tokens around it, and when it overlaps no
//! finding of the first tracker (whose regions, made of a subset of the
//! hits, close no later).
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
    winnow::{Roller, TABLE},
    CodeIndex, CodeThresholds,
};
use crate::finding::Span;

/// A region longer than this is cut, and a new one starts.
pub(crate) const MAX_REGION: usize = 64 << 10;
/// Bytes without a token or a hit after which the k-gram window restarts
/// and an open region closes.
pub(crate) const MAX_GAP_BYTES: usize = 4 << 10;
/// How far (in tokens) a chain's diagonal may move between two hits: a
/// copy with a few tokens added or removed stays one chain.
const DRIFT: i64 = 8;
/// Open chains a region follows at most; past that the shortest is judged
/// early (only input built to match thousands of places gets there).
const MAX_CHAINS: usize = 4096;
/// Entries of one look-up that are followed (a k-gram in more files than
/// this is boilerplate unless the index was built with `--max-files 0`).
const MAX_ENTRIES: usize = 256;
/// Entries of a common (boilerplate) k-gram that are stored and followed:
/// following 256 made a scan of unrelated code five times slower, as
/// boilerplate matches everywhere (see ARCHITECTURE.md).
pub(crate) const MAX_COMMON_ENTRIES: usize = 32;

/// A matched region that reached the thresholds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CodeHit {
    /// Absolute byte span, from the first to the last matched token.
    pub(crate) span: Span,
    /// Tokens covered by the longest chain.
    pub(crate) tokens: u32,
    /// Those tokens per thousand tokens of the region.
    pub(crate) share_permille: u16,
    /// Indexed files and how many matching k-grams their longest chain
    /// had, the file covering most tokens first.
    pub(crate) files: Vec<(u32, u32)>,
}

/// Hits of one file at a steady diagonal.
#[derive(Clone, Debug)]
struct Chain {
    file: u32,
    /// Input token offset minus file token offset, of the last hit.
    diag: i64,
    last_pos: u32,
    /// Input token index one past the covered tokens.
    covered_end: u64,
    covered: u64,
    kgrams: u32,
    start: usize,
    end: usize,
}

#[derive(Clone, Debug)]
struct Region {
    start: usize,
    end: usize,
    /// Token index of the first token.
    first: u64,
    /// Tokens before `first` counted as its surroundings.
    before: u64,
    /// `k + w`: the most tokens between two hits of one region, and the
    /// surroundings counted on each side.
    gap: u64,
    /// Token index one past the last covered token.
    covered_end: u64,
    /// Chains that may still grow.
    open: Vec<Chain>,
    /// Chains that ended and reached the thresholds.
    done: Vec<Chain>,
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
    /// Token index where the current run of tokens began (after the
    /// last break).
    run_start: u64,
    region: Option<Region>,
    /// The region of the wide tracker (common k-grams counted too).
    wide: Option<Region>,
    /// End of the last finding of the first tracker (absolute), so that
    /// the wide tracker does not report the same copy again.
    strong_end: usize,
}

impl CodeState {
    pub(crate) fn new(k: usize) -> CodeState {
        CodeState {
            pos: 0,
            roller: Roller::new(k),
            recent: VecDeque::with_capacity(k),
            ntok: 0,
            run_start: 0,
            region: None,
            wide: None,
            strong_end: 0,
        }
    }

    fn reset(&mut self) {
        self.pos = 0;
        self.roller.clear();
        self.recent.clear();
        self.ntok = 0;
        self.run_start = 0;
        self.region = None;
        self.wide = None;
        self.strong_end = 0;
    }

    /// The earliest absolute offset a future finding may start at;
    /// `usize::MAX` when none is pending.
    pub(crate) fn hold_from(&self) -> usize {
        let open = [&self.region, &self.wide]
            .iter()
            .filter_map(|r| r.as_ref().map(|r| r.start))
            .min()
            .unwrap_or(usize::MAX);
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
                        (t.value, t.name, t.shape),
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
                self.run_start = self.ntok;
            }
            for wide in [false, true] {
                let pos = self.pos;
                if self
                    .slot(wide)
                    .as_ref()
                    .is_some_and(|r| pos - r.end > MAX_GAP_BYTES)
                {
                    self.close(wide, limits, out);
                }
            }
        }
        if eof {
            self.close(false, limits, out);
            self.close(true, limits, out);
        }
    }

    fn token(
        &mut self,
        index: &CodeIndex,
        limits: &CodeThresholds,
        start: usize,
        end: usize,
        (value, name, shape): (u64, u64, u64),
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
        if let Some(g) = self.roller.push(value, name, shape) {
            // Both hashes of the k-gram: the normalized one (not for a
            // table) and the named one, which the index holds only where
            // the normalized stream has a gap; and for the wide tracker
            // the normalized one among the common k-grams.
            let none = (&[][..], &[][..]);
            let norm =
                if g.norm == TABLE { none } else { index.lookup(g.norm) };
            let named = index.lookup_named(g.named);
            let common = if g.norm == TABLE || !index.has_common() {
                none
            } else {
                index.lookup_common(g.norm)
            };
            let strong = !norm.0.is_empty() || !named.0.is_empty();
            let kstart = self.recent.front().expect("k tokens").0;
            let at = Kat { first: idx + 1 - k as u64, idx, kstart, end };
            if strong {
                self.hit(false, &[norm, named], at, index, limits, out);
            }
            if index.has_common() && (strong || !common.0.is_empty()) {
                let lists = [norm, named, common];
                self.hit(true, &lists, at, index, limits, out);
            }
        }
        for wide in [false, true] {
            if self
                .slot(wide)
                .as_ref()
                .is_some_and(|r| idx + 1 > r.covered_end + gap)
            {
                self.close(wide, limits, out);
            }
        }
    }

    fn slot(&mut self, wide: bool) -> &mut Option<Region> {
        if wide {
            &mut self.wide
        } else {
            &mut self.region
        }
    }

    /// Adds the hits of one k-gram to the region of one tracker.
    fn hit(
        &mut self,
        wide: bool,
        lists: &[(&[u32], &[u32])],
        at: Kat,
        index: &CodeIndex,
        limits: &CodeThresholds,
        out: &mut Vec<CodeHit>,
    ) {
        let k = index.k() as u64;
        let gap = k + index.window() as u64;
        let Kat { first, idx, kstart, end } = at;
        if self.slot(wide).as_ref().is_some_and(|r| {
            first > r.covered_end + gap || end - r.start > MAX_REGION
        }) {
            self.close(wide, limits, out);
        }
        let before = (first - first.min(self.run_start)).min(gap);
        let min = if wide { limits.common_tokens } else { limits.min_tokens };
        let r = self.slot(wide).get_or_insert(Region {
            start: kstart,
            end,
            first,
            before,
            gap,
            covered_end: first,
            open: Vec::new(),
            done: Vec::new(),
        });
        r.covered_end = idx + 1;
        r.end = end;
        // Chains that can no longer grow are judged now, which keeps the
        // open list short.
        let mut i = 0;
        while i < r.open.len() {
            if first > r.open[i].covered_end + gap {
                let c = r.open.swap_remove(i);
                judge(c, min, &mut r.done);
            } else {
                i += 1;
            }
        }
        for (i, (files, pos)) in lists.iter().enumerate() {
            // The third list is the common k-grams'.
            let most = if i == 2 { MAX_COMMON_ENTRIES } else { MAX_ENTRIES };
            for (&f, &p) in files.iter().zip(*pos).take(most) {
                extend(r, f, p, first, k, (kstart, end), min);
            }
        }
    }

    /// Judges the region of one tracker, which ends.
    fn close(
        &mut self,
        wide: bool,
        limits: &CodeThresholds,
        out: &mut Vec<CodeHit>,
    ) {
        let Some(mut r) = self.slot(wide).take() else { return };
        let min = if wide { limits.common_tokens } else { limits.min_tokens };
        for c in r.open.drain(..) {
            judge(c, min, &mut r.done);
        }
        if r.done.is_empty() {
            return;
        }
        // The longest chain decides; the finding spans every chain that
        // reached the thresholds and names their files, longest first.
        r.done.sort_by(|a, b| {
            b.covered.cmp(&a.covered).then(a.file.cmp(&b.file))
        });
        let best = r.done[0].covered;
        let after = self.ntok.saturating_sub(r.covered_end).min(r.gap);
        let around = (r.before + (r.covered_end - r.first) + after).max(1);
        let share = (best as f64 / around as f64).min(1.0);
        let weak = if wide {
            share < limits.common_share
        } else {
            (best as usize) < limits.sure_tokens && share < limits.min_share
        };
        if weak {
            return;
        }
        let start = r.done.iter().map(|c| c.start).min().expect("one");
        let end = r.done.iter().map(|c| c.end).max().expect("one");
        if wide && self.strong_end > start {
            return;
        }
        if !wide {
            self.strong_end = self.strong_end.max(end);
        }
        let mut files: Vec<(u32, u32)> = Vec::new();
        for c in &r.done {
            if !files.iter().any(|f| f.0 == c.file) {
                files.push((c.file, c.kgrams));
            }
        }
        out.push(CodeHit {
            span: Span::new(start, end),
            tokens: u32::try_from(best).unwrap_or(u32::MAX),
            share_permille: (share * 1000.0).round() as u16,
            files,
        });
    }
}

/// Adds a hit of file `file` at file token offset `pos` to the chain it
/// continues, or starts one.
fn extend(
    r: &mut Region,
    file: u32,
    pos: u32,
    first: u64,
    k: u64,
    (start, end): (usize, usize),
    min: usize,
) {
    let diag = first as i64 - i64::from(pos);
    let next = r.open.iter_mut().find(|c| {
        c.file == file && pos >= c.last_pos && (diag - c.diag).abs() <= DRIFT
    });
    if let Some(c) = next {
        if pos == c.last_pos {
            // The same k-gram of the file, by its other hash.
            return;
        }
        c.covered += (first + k).saturating_sub(first.max(c.covered_end));
        c.covered_end = first + k;
        c.diag = diag;
        c.last_pos = pos;
        c.kgrams += 1;
        c.end = end;
        return;
    }
    if r.open.len() >= MAX_CHAINS {
        let (i, _) = r
            .open
            .iter()
            .enumerate()
            .min_by_key(|(_, c)| c.covered)
            .expect("full");
        let c = r.open.swap_remove(i);
        judge(c, min, &mut r.done);
    }
    r.open.push(Chain {
        file,
        diag,
        last_pos: pos,
        covered_end: first + k,
        covered: k,
        kgrams: 1,
        start,
        end,
    });
}

/// Keeps a finished chain that covers at least `min` tokens.
fn judge(c: Chain, min: usize, done: &mut Vec<Chain>) {
    if c.covered as usize >= min {
        done.push(c);
    }
}

/// Where a k-gram is: its first token's index, its last token's index,
/// and its absolute byte span.
#[derive(Clone, Copy)]
struct Kat {
    first: u64,
    idx: u64,
    kstart: usize,
    end: usize,
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
        let limits = CodeThresholds {
            min_tokens: 20,
            sure_tokens: 40,
            min_share: 0.5,
            ..CodeThresholds::default()
        };
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
