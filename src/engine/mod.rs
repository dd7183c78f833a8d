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
///
/// A digit rule whose every match begins with one of a few literals (its
/// `lead`: a phone number after `tel`, a card after `card`) is *gated*:
/// its lead literals join the keyword search, not as candidates but as
/// gate hits, and a digit run proposes the rule only when one of them
/// starts at most the rule's `max_len` before the run's start and before
/// the run's end. A match that overlaps the run starts there (in the
/// confirm window, which begins `max_len` before the run), so the gate
/// drops only runs where the rule cannot match. Prose is full of digit runs and short of `tel`.
#[derive(Debug)]
pub(crate) struct Prefilters {
    /// Distinct keywords and lead literals, in first-seen order; a
    /// backend's pattern id is the index here.
    pub(crate) keywords: Vec<String>,
    /// For each keyword, the rules that listed it.
    keyword_rules: Vec<Vec<u32>>,
    /// For each keyword, the gates it is a lead literal of.
    keyword_gates: Vec<Vec<u32>>,
    pub(crate) longest_keyword: usize,
    /// Every digit rule.
    digit_rules: Vec<DigitRule>,
    min_digits: usize,
    /// Number of gates, and the farthest a gate looks back from a run.
    gates: usize,
    gate_look: usize,
}

/// A digit rule, with its gate if it has lead literals.
#[derive(Clone, Copy, Debug)]
struct DigitRule {
    rule: u32,
    min_digits: usize,
    /// `(gate, max_len)`: the gate must have a hit starting at most
    /// `max_len` before the run's start and before the run's end.
    gate: Option<(usize, usize)>,
}

/// Where each gate's lead literals were found in one call of an engine,
/// kept in the engine's scratch so a call does not allocate.
#[derive(Debug, Default)]
pub(crate) struct Gates {
    /// Start of every lead-literal hit, per gate.
    hits: Vec<Vec<usize>>,
    /// Per gate, the first hit not yet behind every later run.
    next: Vec<usize>,
    /// Every gate passes (tests compare findings with gates on and off).
    pub(crate) open: bool,
}

impl Gates {
    fn reset(&mut self, gates: usize) {
        self.hits.resize_with(gates, Vec::new);
        self.hits.iter_mut().for_each(Vec::clear);
        self.next.clear();
        self.next.resize(gates, 0);
    }

    /// Whether `gate` has a hit starting in `from..to`. Calls come with
    /// `from` never decreasing, per gate.
    fn any_in(&mut self, gate: usize, from: usize, to: usize) -> bool {
        let hits = &self.hits[gate];
        let next = &mut self.next[gate];
        while *next < hits.len() && hits[*next] < from {
            *next += 1;
        }
        self.open || hits.get(*next).is_some_and(|&s| s < to)
    }
}

impl Prefilters {
    pub(crate) fn new(rules: &RuleSet) -> Prefilters {
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        let mut keyword_gates: Vec<Vec<u32>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        // One pattern per distinct keyword, shared by every rule that
        // lists it.
        let mut slot = |kw: &str| {
            *index.entry(kw.to_string()).or_insert_with(|| {
                keywords.push(kw.to_string());
                keyword_rules.push(Vec::new());
                keyword_gates.push(Vec::new());
                keywords.len() - 1
            })
        };
        let mut slots = Vec::new();
        let mut digit_rules = Vec::new();
        let mut gates = 0;
        let mut gate_look = 0;
        for (i, rule) in rules.rules().iter().enumerate() {
            let i = u32::try_from(i).expect("fewer than 2^32 rules");
            match rule.prefilter() {
                Prefilter::Keywords => {
                    for kw in rule.keywords() {
                        slots.push((slot(kw), i, false));
                    }
                }
                Prefilter::Digits { min_digits } => {
                    let gate = (!rule.lead().is_empty()).then(|| {
                        let g = gates;
                        gates += 1;
                        gate_look = gate_look.max(rule.max_len());
                        for kw in rule.lead() {
                            let g = u32::try_from(g).expect("few gates");
                            slots.push((slot(kw), g, true));
                        }
                        (g, rule.max_len())
                    });
                    digit_rules.push(DigitRule { rule: i, min_digits, gate })
                }
            }
        }
        for (slot, n, gate) in slots {
            let list = if gate {
                &mut keyword_gates[slot]
            } else {
                &mut keyword_rules[slot]
            };
            if !list.contains(&n) {
                list.push(n);
            }
        }
        let min_digits = digit_rules
            .iter()
            .map(|d| d.min_digits)
            .min()
            .unwrap_or(usize::MAX);
        Prefilters {
            longest_keyword: keywords
                .iter()
                .map(|k| k.len())
                .max()
                .unwrap_or(0),
            keywords,
            keyword_rules,
            keyword_gates,
            digit_rules,
            min_digits,
            gates,
            gate_look,
        }
    }

    /// The part of `hay` a keyword search covers for hits starting in
    /// `range`: a keyword starting before `range.end` may end after it.
    /// With gates it also covers the lead literals of every run starting in
    /// `range`: from `gate_look` before the range to past the longest run
    /// after it. Both backends search exactly this region, so they see the
    /// same keyword occurrences.
    pub(crate) fn keyword_region(
        &self,
        hay: &[u8],
        range: &Range<usize>,
    ) -> Range<usize> {
        let start = range.start.min(hay.len()).saturating_sub(self.gate_look);
        let ahead = if self.gates > 0 { MAX_RUN_LEN } else { 0 };
        let end = (range.end.min(hay.len()) + ahead + self.longest_keyword)
            .saturating_sub(1)
            .clamp(start, hay.len());
        start..end
    }

    /// Clears the gates for a call searching for hits in a new range.
    pub(crate) fn reset(&self, gates: &mut Gates) {
        gates.reset(self.gates);
    }

    /// Reports the candidates of keyword `id` found at `hit`, if it starts
    /// in `range`, and notes it for the gates it opens.
    #[inline]
    pub(crate) fn keyword_hit<F: FnMut(Candidate)>(
        &self,
        id: usize,
        hit: Span,
        range: &Range<usize>,
        gates: &mut Gates,
        f: &mut F,
    ) {
        if range.contains(&hit.start) {
            for &rule in &self.keyword_rules[id] {
                f(Candidate { rule, hit });
            }
        }
        for &g in &self.keyword_gates[id] {
            gates.hits[g as usize].push(hit.start);
        }
    }

    /// Reports the digit-run candidates starting in `range`; the gates
    /// must hold every lead-literal hit of the call's keyword region.
    pub(crate) fn digit_hits<F: FnMut(Candidate)>(
        &self,
        hay: &[u8],
        range: Range<usize>,
        gates: &mut Gates,
        f: &mut F,
    ) {
        if self.digit_rules.is_empty() {
            return;
        }
        // Backends report hits by start or by end: order them by start.
        for hits in &mut gates.hits {
            hits.sort_unstable();
        }
        let range = range.start.min(hay.len())..range.end.min(hay.len());
        for (hit, digits) in DigitRuns::new(hay, range, self.min_digits) {
            for d in &self.digit_rules {
                if digits < d.min_digits {
                    continue;
                }
                if let Some((g, look)) = d.gate {
                    let from = hit.start.saturating_sub(look);
                    if !gates.any_in(g, from, hit.end) {
                        continue;
                    }
                }
                f(Candidate { rule: d.rule, hit });
            }
        }
    }

    /// How far past a range's end a call reads: the longest hit, keyword
    /// or digit run, or with gates a lead literal starting inside the
    /// longest run.
    pub(crate) fn max_hit_len(&self) -> usize {
        if self.gates > 0 {
            return MAX_RUN_LEN + self.longest_keyword;
        }
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

impl AnyScratch {
    /// The gates of this scratch (tests open them all).
    #[cfg(test)]
    pub(crate) fn gates(&mut self) -> &mut Gates {
        match self {
            AnyScratch::Rust(s) => &mut s.gates,
            #[cfg(feature = "hyperscan")]
            AnyScratch::Hyperscan(s) => &mut s.gates,
        }
    }
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
