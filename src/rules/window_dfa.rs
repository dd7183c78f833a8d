//! The window DFA of a built-in digit rule: a fully compiled DFA of its
//! pattern, which tells in one pass over a candidate's window whether the
//! rule can match there at all, instead of the secret-run check and before
//! the capture search. Digit rules only: a digit run proposes a dozen of
//! them, in short windows; keyword rules' windows are long and overlap, and
//! there the run check's memo reads each byte once where a DFA would read
//! it again for every window (measured in ARCHITECTURE.md).
//!
//! Determinizing costs far more than it saves in a short run (about
//! 0.1-0.6 ms per rule, against a few hundred nanoseconds saved per
//! window), so `build.rs` builds them with this file and embeds them
//! serialized; the crate only deserializes them (the `dfa-search` feature
//! of `regex-automata`, no `dfa-build`). The tests build them again with
//! this file and compare the bytes.

use regex_automata::{
    dfa::{dense, StartKind},
    util::syntax,
};

/// Largest DFA kept, in bytes.
pub(crate) const LIMIT: usize = 64 << 10;

/// The DFA of `pattern`, read as the rule regexes are (bytes, not
/// Unicode: `rules::build_regex`), unanchored, leftmost-first; `None` when
/// it does not parse or needs more than [`LIMIT`] bytes. Read as bytes, a
/// pattern has only ASCII word boundaries, so the DFA has no quit bytes
/// and never gives up on an input.
pub(crate) fn build(pattern: &str) -> Option<dense::DFA<Vec<u32>>> {
    let dfa = dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Unanchored)
                .dfa_size_limit(Some(LIMIT))
                .determinize_size_limit(Some(4 * LIMIT))
                .minimize(false),
        )
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .build(pattern)
        .ok()?;
    (dfa.memory_usage() <= LIMIT).then_some(dfa)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Prefilter, RuleSet};

    /// The embedded DFAs are this file's, built from the rules' patterns
    /// as they are now: every digit rule whose DFA fits has one, byte for
    /// byte the same, and no other rule has one.
    #[test]
    fn embedded_dfas_are_built_from_the_patterns() {
        let rules = RuleSet::builtin();
        let mut with = 0;
        for rule in rules.rules() {
            let digits = matches!(rule.prefilter(), Prefilter::Digits { .. });
            let built = digits.then(|| build(rule.pattern())).flatten();
            let embedded = rule.window_dfa();
            assert_eq!(built.is_some(), embedded.is_some(), "{}", rule.id());
            if let (Some(b), Some(e)) = (built, embedded) {
                let (b, e) =
                    (b.to_bytes_little_endian(), e.to_bytes_little_endian());
                assert!(b.0[b.1..] == e.0[e.1..], "{}", rule.id());
                with += 1;
            }
        }
        // Most digit rules are small enough (16 of 24 when this was written).
        assert!(with >= 12, "{with}");
    }
}
