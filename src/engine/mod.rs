//! Engines propose candidates; the shared confirm stage in `scan.rs`
//! decides.
//!
//! An engine only finds *where a rule might match*: a keyword occurrence or
//! a digit run. Everything after that (the rule's regex in a window around
//! the hit, capture group, entropy, checks, placeholder filter) is shared,
//! so every backend reports the same findings by construction. The part a
//! faster backend replaces is exactly this prefilter.

mod digits;
mod rust;

use std::ops::Range;

pub(crate) use self::digits::{DigitRuns, MAX_RUN_LEN};
pub(crate) use self::rust::RustEngine;
use crate::{
    finding::Span,
    rules::{RuleError, RuleSet},
};

/// A place where one rule may match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Candidate {
    /// Index of the rule in the rule set.
    pub(crate) rule: u32,
    /// The keyword occurrence or digit run that proposed it.
    pub(crate) hit: Span,
}

/// A prefilter over all rules at once.
pub(crate) trait Engine: Send + Sync + 'static {
    /// Mutable per-thread state.
    type Scratch: Send;

    /// Fresh scratch space for one thread.
    fn new_scratch(&self) -> Self::Scratch;

    /// Reports every candidate whose hit *starts* in `range`; bytes of
    /// `hay` outside `range` are context (a keyword may end after
    /// `range.end`; a digit run that starts before `range.start` is not
    /// reported). May report false positives, never false negatives.
    fn candidates<F: FnMut(Candidate)>(
        &self,
        hay: &[u8],
        range: Range<usize>,
        scratch: &mut Self::Scratch,
        f: F,
    );

    /// Longest hit the engine can report, in bytes.
    fn max_hit_len(&self) -> usize;
}

/// The engine a scanner runs, chosen at build time. Dispatched once per
/// scan into generic code, so the hot loop stays monomorphic.
#[derive(Debug)]
pub(crate) enum AnyEngine {
    Rust(RustEngine),
}

/// Per-thread scratch for [`AnyEngine`].
#[derive(Debug)]
pub(crate) enum AnyScratch {
    Rust(<RustEngine as Engine>::Scratch),
}

impl AnyEngine {
    pub(crate) fn build(rules: &RuleSet) -> Result<AnyEngine, RuleError> {
        Ok(AnyEngine::Rust(RustEngine::new(rules)?))
    }

    pub(crate) fn new_scratch(&self) -> AnyScratch {
        match self {
            AnyEngine::Rust(e) => AnyScratch::Rust(e.new_scratch()),
        }
    }

    pub(crate) fn max_hit_len(&self) -> usize {
        match self {
            AnyEngine::Rust(e) => e.max_hit_len(),
        }
    }

    pub(crate) fn candidates<F: FnMut(Candidate)>(
        &self,
        hay: &[u8],
        range: Range<usize>,
        scratch: &mut AnyScratch,
        f: F,
    ) {
        match (self, scratch) {
            (AnyEngine::Rust(e), AnyScratch::Rust(s)) => {
                e.candidates(hay, range, s, f)
            }
        }
    }
}
