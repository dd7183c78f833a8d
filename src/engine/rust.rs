//! The pure-Rust engine: one literal search over every rule's keywords
//! ([`Literals`]), plus the shared digit-run pass.

use std::ops::Range;

use super::{literals::Literals, Candidate, Engine, Gates, Prefilters};
use crate::rules::RuleError;

/// Keyword tables and digit-rule table, compiled once.
#[derive(Debug)]
pub(crate) struct RustEngine {
    /// `None` when no rule has keywords.
    literals: Option<Literals>,
    prefilters: Prefilters,
}

impl RustEngine {
    pub(crate) fn new(
        prefilters: Prefilters,
    ) -> Result<RustEngine, RuleError> {
        let literals = (!prefilters.keywords.is_empty())
            .then(|| Literals::new(&prefilters.keywords));
        Ok(RustEngine { literals, prefilters })
    }
}

/// The search keeps its state on the stack; only the gates' hits are
/// kept between calls.
#[derive(Debug, Default)]
pub(crate) struct RustScratch {
    pub(crate) gates: Gates,
}

impl Engine for RustEngine {
    type Scratch = RustScratch;

    fn new_scratch(&self) -> RustScratch {
        RustScratch::default()
    }

    fn candidates<F: FnMut(Candidate)>(
        &self,
        hay: &[u8],
        range: Range<usize>,
        scratch: &mut RustScratch,
        mut f: F,
    ) {
        let p = &self.prefilters;
        let gates = &mut scratch.gates;
        p.reset(gates);
        if let Some(l) = &self.literals {
            let region = p.keyword_region(hay, &range);
            l.find(hay, region, |id, hit| {
                p.keyword_hit(id, hit, &range, gates, &mut f)
            });
        }
        p.digit_hits(hay, range, gates, &mut f);
    }

    fn max_hit_len(&self) -> usize {
        self.prefilters.max_hit_len()
    }
}
