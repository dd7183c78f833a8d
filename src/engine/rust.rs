//! The pure-Rust engine: one aho-corasick automaton over every rule's
//! keywords, plus the shared digit-run pass.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::{Candidate, DigitRuns, Engine, MAX_RUN_LEN};
use crate::{
    finding::Span,
    rules::{Prefilter, RuleError, RuleErrorKind, RuleSet},
};

/// Keyword automaton and digit-rule table, compiled once.
#[derive(Debug)]
pub(crate) struct RustEngine {
    /// `None` when no rule has keywords.
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern, the rules that listed it.
    keyword_rules: Vec<Vec<u32>>,
    longest_keyword: usize,
    /// `(rule, min_digits)` of every digit rule.
    digit_rules: Vec<(u32, usize)>,
    min_digits: usize,
}

impl RustEngine {
    pub(crate) fn new(rules: &RuleSet) -> Result<RustEngine, RuleError> {
        let mut keywords: Vec<&str> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut digit_rules = Vec::new();
        for (i, rule) in rules.rules().iter().enumerate() {
            let i = u32::try_from(i).expect("fewer than 2^32 rules");
            match rule.prefilter() {
                Prefilter::Keywords => {
                    for kw in rule.keywords() {
                        // One automaton pattern per distinct keyword, shared
                        // by every rule that lists it.
                        let slot =
                            *index.entry(kw.as_str()).or_insert_with(|| {
                                keywords.push(kw.as_str());
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
        let automaton = if keywords.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&keywords)
                    .map_err(|e| {
                        RuleError::new(RuleErrorKind::Engine(e.to_string()))
                    })?,
            )
        };
        let min_digits =
            digit_rules.iter().map(|&(_, m)| m).min().unwrap_or(usize::MAX);
        Ok(RustEngine {
            automaton,
            keyword_rules,
            longest_keyword: keywords
                .iter()
                .map(|k| k.len())
                .max()
                .unwrap_or(0),
            digit_rules,
            min_digits,
        })
    }
}

/// The automaton keeps its search state on the stack, so there is nothing
/// to reuse between scans yet.
#[derive(Debug, Default)]
pub(crate) struct RustScratch;

impl Engine for RustEngine {
    type Scratch = RustScratch;

    fn new_scratch(&self) -> RustScratch {
        RustScratch
    }

    fn candidates<F: FnMut(Candidate)>(
        &self,
        hay: &[u8],
        range: Range<usize>,
        _scratch: &mut RustScratch,
        mut f: F,
    ) {
        let range = range.start.min(hay.len())..range.end.min(hay.len());
        if let Some(ac) = &self.automaton {
            // A keyword starting before `range.end` may end after it.
            let end = (range.end + self.longest_keyword)
                .saturating_sub(1)
                .clamp(range.start, hay.len());
            let region = &hay[range.start..end];
            for m in ac.find_overlapping_iter(region) {
                let hit = Span::new(m.start(), m.end()).offset(range.start);
                for &rule in &self.keyword_rules[m.pattern().as_usize()] {
                    f(Candidate { rule, hit });
                }
            }
        }
        if !self.digit_rules.is_empty() {
            for (hit, digits) in DigitRuns::new(hay, range, self.min_digits) {
                for &(rule, min) in &self.digit_rules {
                    if digits >= min {
                        f(Candidate { rule, hit });
                    }
                }
            }
        }
    }

    fn max_hit_len(&self) -> usize {
        self.longest_keyword.max(if self.digit_rules.is_empty() {
            0
        } else {
            MAX_RUN_LEN
        })
    }
}
