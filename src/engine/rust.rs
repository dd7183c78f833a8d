//! The pure-Rust engine: one aho-corasick automaton over every rule's
//! keywords, plus the shared digit-run pass.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::{engine_error, Candidate, Engine, Prefilters};
use crate::{finding::Span, rules::RuleError};

/// Keyword automaton and digit-rule table, compiled once.
#[derive(Debug)]
pub(crate) struct RustEngine {
    /// `None` when no rule has keywords.
    automaton: Option<AhoCorasick>,
    prefilters: Prefilters,
}

impl RustEngine {
    pub(crate) fn new(
        prefilters: Prefilters,
    ) -> Result<RustEngine, RuleError> {
        let automaton = if prefilters.keywords.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&prefilters.keywords)
                    .map_err(engine_error)?,
            )
        };
        Ok(RustEngine { automaton, prefilters })
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
        let p = &self.prefilters;
        if let Some(ac) = &self.automaton {
            let region = p.keyword_region(hay, &range);
            let base = region.start;
            for m in ac.find_overlapping_iter(&hay[region]) {
                let hit = Span::new(m.start(), m.end()).offset(base);
                p.keyword_hit(m.pattern().as_usize(), hit, &mut f);
            }
        }
        p.digit_hits(hay, range, &mut f);
    }

    fn max_hit_len(&self) -> usize {
        self.prefilters.max_hit_len()
    }
}
