//! Engines propose candidates; the shared confirm stage in `scan.rs`
//! decides.
//!
//! An engine only finds *where a rule might match*: a keyword occurrence or
//! a digit run. Everything after that (the rule's regex in a window around
//! the hit, capture group, entropy, checks, placeholder filter) is shared,
//! so every backend reports the same findings by construction. The part a
//! faster backend replaces is exactly the keyword search; both backends
//! search the same region of the haystack for the same keywords (all
//! occurrences, overlapping, ASCII case-insensitive), so they propose the
//! same candidates for any haystack and range.

mod digits;
#[cfg(feature = "hyperscan")]
mod hyperscan;
mod literals;
mod rust;

use std::{ops::Range, path::Path};

pub(crate) use self::digits::{DigitRuns, MAX_RUN_LEN};
#[cfg(feature = "hyperscan")]
pub(crate) use self::hyperscan::HyperscanEngine;
pub(crate) use self::rust::RustEngine;
use crate::{
    finding::Span,
    rules::{Prefilter, RuleError, RuleErrorKind, RuleSet},
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

/// Which prefilter backend a scanner runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EngineKind {
    /// Hyperscan when the crate was built with the `hyperscan` feature,
    /// else the pure-Rust engine.
    #[default]
    Auto,
    /// The pure-Rust engine (bit-table literal search), always available.
    Rust,
    /// Hyperscan (feature `hyperscan`); building a scanner with it fails
    /// when the feature is off.
    Hyperscan,
}

impl EngineKind {
    /// Whether this build has the Hyperscan backend.
    pub const HYPERSCAN_AVAILABLE: bool = cfg!(feature = "hyperscan");

    /// The backend `Auto` stands for in this build; others are themselves.
    pub fn resolve(self) -> EngineKind {
        match self {
            EngineKind::Auto if EngineKind::HYPERSCAN_AVAILABLE => {
                EngineKind::Hyperscan
            }
            EngineKind::Auto => EngineKind::Rust,
            other => other,
        }
    }
}

/// What every backend needs from the rule set: the distinct keywords, the
/// rules behind each, and the digit rules.
#[derive(Debug)]
pub(crate) struct Prefilters {
    /// Distinct keywords, in first-seen order; a backend's pattern id is
    /// the index here.
    pub(crate) keywords: Vec<String>,
    /// For each keyword, the rules that listed it.
    keyword_rules: Vec<Vec<u32>>,
    pub(crate) longest_keyword: usize,
    /// `(rule, min_digits)` of every digit rule.
    digit_rules: Vec<(u32, usize)>,
    min_digits: usize,
}

impl Prefilters {
    pub(crate) fn new(rules: &RuleSet) -> Prefilters {
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut digit_rules = Vec::new();
        for (i, rule) in rules.rules().iter().enumerate() {
            let i = u32::try_from(i).expect("fewer than 2^32 rules");
            match rule.prefilter() {
                Prefilter::Keywords => {
                    for kw in rule.keywords() {
                        // One pattern per distinct keyword, shared by every
                        // rule that lists it.
                        let slot =
                            *index.entry(kw.as_str()).or_insert_with(|| {
                                keywords.push(kw.clone());
                                keyword_rules.push(Vec::new());
                                keywords.len() - 1
                            });
                        if !keyword_rules[slot].contains(&i) {
                            keyword_rules[slot].push(i);
                        }
                    }
                }
                Prefilter::Digits { min_digits } => {
                    digit_rules.push((i, min_digits))
                }
            }
        }
        let min_digits =
            digit_rules.iter().map(|&(_, m)| m).min().unwrap_or(usize::MAX);
        Prefilters {
            longest_keyword: keywords
                .iter()
                .map(|k| k.len())
                .max()
                .unwrap_or(0),
            keywords,
            keyword_rules,
            digit_rules,
            min_digits,
        }
    }

    /// The part of `hay` a keyword search covers for hits starting in
    /// `range`: a keyword starting before `range.end` may end after it.
    /// Both backends search exactly this region, so they see the same
    /// keyword occurrences.
    pub(crate) fn keyword_region(
        &self,
        hay: &[u8],
        range: &Range<usize>,
    ) -> Range<usize> {
        let start = range.start.min(hay.len());
        let end = (range.end.min(hay.len()) + self.longest_keyword)
            .saturating_sub(1)
            .clamp(start, hay.len());
        start..end
    }

    /// Reports the candidates of keyword `id` found at `hit`.
    #[inline]
    pub(crate) fn keyword_hit<F: FnMut(Candidate)>(
        &self,
        id: usize,
        hit: Span,
        f: &mut F,
    ) {
        for &rule in &self.keyword_rules[id] {
            f(Candidate { rule, hit });
        }
    }

    /// Reports the digit-run candidates starting in `range`.
    pub(crate) fn digit_hits<F: FnMut(Candidate)>(
        &self,
        hay: &[u8],
        range: Range<usize>,
        f: &mut F,
    ) {
        if self.digit_rules.is_empty() {
            return;
        }
        let range = range.start.min(hay.len())..range.end.min(hay.len());
        for (hit, digits) in DigitRuns::new(hay, range, self.min_digits) {
            for &(rule, min) in &self.digit_rules {
                if digits >= min {
                    f(Candidate { rule, hit });
                }
            }
        }
    }

    /// Longest hit, keyword or digit run.
    pub(crate) fn max_hit_len(&self) -> usize {
        self.longest_keyword.max(if self.digit_rules.is_empty() {
            0
        } else {
            MAX_RUN_LEN
        })
    }
}

fn engine_error(e: impl std::fmt::Display) -> RuleError {
    RuleError::new(RuleErrorKind::Engine(e.to_string()))
}

/// The engine a scanner runs, chosen when it is built. Dispatched once per
/// scan into generic code, so the hot loop stays monomorphic.
#[derive(Debug)]
pub(crate) enum AnyEngine {
    Rust(RustEngine),
    #[cfg(feature = "hyperscan")]
    Hyperscan(HyperscanEngine),
}

/// Per-thread scratch for [`AnyEngine`].
#[derive(Debug)]
pub(crate) enum AnyScratch {
    Rust(<RustEngine as Engine>::Scratch),
    #[cfg(feature = "hyperscan")]
    Hyperscan(<HyperscanEngine as Engine>::Scratch),
}

#[cfg(feature = "hyperscan")]
impl AnyScratch {
    fn kind(&self) -> EngineKind {
        match self {
            AnyScratch::Rust(_) => EngineKind::Rust,
            AnyScratch::Hyperscan(_) => EngineKind::Hyperscan,
        }
    }
}

impl AnyEngine {
    /// Builds the backend `kind` resolves to. `cache` is a directory where
    /// a backend may keep compiled databases between runs (Hyperscan).
    pub(crate) fn build(
        rules: &RuleSet,
        kind: EngineKind,
        cache: Option<&Path>,
    ) -> Result<AnyEngine, RuleError> {
        let prefilters = Prefilters::new(rules);
        match kind.resolve() {
            #[cfg(feature = "hyperscan")]
            EngineKind::Hyperscan => Ok(AnyEngine::Hyperscan(
                HyperscanEngine::new(prefilters, cache)?,
            )),
            #[cfg(not(feature = "hyperscan"))]
            EngineKind::Hyperscan => {
                let _ = cache;
                Err(engine_error(
                    "this build has no Hyperscan engine (feature `hyperscan`)",
                ))
            }
            _ => Ok(AnyEngine::Rust(RustEngine::new(prefilters)?)),
        }
    }

    /// The backend in use.
    pub(crate) fn kind(&self) -> EngineKind {
        match self {
            AnyEngine::Rust(_) => EngineKind::Rust,
            #[cfg(feature = "hyperscan")]
            AnyEngine::Hyperscan(_) => EngineKind::Hyperscan,
        }
    }

    pub(crate) fn new_scratch(&self) -> AnyScratch {
        match self {
            AnyEngine::Rust(e) => AnyScratch::Rust(e.new_scratch()),
            #[cfg(feature = "hyperscan")]
            AnyEngine::Hyperscan(e) => AnyScratch::Hyperscan(e.new_scratch()),
        }
    }

    pub(crate) fn max_hit_len(&self) -> usize {
        match self {
            AnyEngine::Rust(e) => e.max_hit_len(),
            #[cfg(feature = "hyperscan")]
            AnyEngine::Hyperscan(e) => e.max_hit_len(),
        }
    }

    pub(crate) fn candidates<F: FnMut(Candidate)>(
        &self,
        hay: &[u8],
        range: Range<usize>,
        scratch: &mut AnyScratch,
        f: F,
    ) {
        #[cfg(feature = "hyperscan")]
        if self.kind() != scratch.kind() {
            // A scratch made by a scanner with the other backend.
            *scratch = self.new_scratch();
        }
        match (self, scratch) {
            (AnyEngine::Rust(e), AnyScratch::Rust(s)) => {
                e.candidates(hay, range, s, f)
            }
            #[cfg(feature = "hyperscan")]
            (AnyEngine::Hyperscan(e), AnyScratch::Hyperscan(s)) => {
                e.candidates(hay, range, s, f)
            }
            #[cfg(feature = "hyperscan")]
            _ => unreachable!("scratch replaced above"),
        }
    }
}
