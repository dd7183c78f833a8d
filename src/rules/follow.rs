//! What must follow a keyword hit: for a keyword rule whose pattern is a
//! sequence (`A B C D`) where some leading part (`A B`) always ends with
//! one of the rule's keywords, every match has a keyword hit that ends
//! where that part does, and the rest (`C D`) matches from the hit's end.
//! So a candidate whose hit the rest cannot follow, searched anchored at
//! the hit's end, holds no match that another hit of the same match would
//! not propose.
//!
//! In prose and code most keyword hits of the generic rules are words
//! (`token`, `secret`) followed by anything but an assignment; the
//! anchored search dies within a few bytes of the hit, where the capture
//! search would have run over the whole window.

use regex_automata::{
    hybrid::dfa::DFA,
    nfa::thompson::{self, WhichCaptures},
    MatchKind,
};
use regex_syntax::hir::{
    literal::{ExtractKind, Extractor, Seq},
    Capture, Class, ClassBytes, ClassBytesRange, Hir, HirKind, Literal,
    Repetition,
};

/// The rest of `hir` after its shortest leading part whose every match
/// ends with one of `keywords` (lowercase; matched ASCII
/// case-insensitively), if it has one and the rest is not empty. The
/// leading part may end inside an alternation whose every branch has
/// such a part (`<(?:[a-z]*token|name="secret")>`): the rest is then the
/// alternation of the branches' rests, followed by the sequence's.
pub(crate) fn after_keyword(hir: &Hir, keywords: &[String]) -> Option<Hir> {
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Suffix)
        .limit_class(4)
        .limit_repeat(4)
        .limit_literal_len(64)
        .limit_total(256);
    let longest = keywords.iter().map(String::len).max().unwrap_or(0);
    let rest = Splitter { extractor, keywords, longest }.split(hir)?;
    // A rest that matches the empty string everywhere checks nothing.
    let props = rest.properties();
    (props.minimum_len() != Some(0) || !props.look_set().is_empty())
        .then_some(rest)
}

struct Splitter<'a> {
    extractor: Extractor,
    keywords: &'a [String],
    longest: usize,
}

impl Splitter<'_> {
    /// The literals every match of `hir` ends with, lowercased first (so
    /// that `(?i)secret` is one literal, not 64).
    fn ends(&self, hir: &Hir) -> Seq {
        lowercase(hir)
            .map_or_else(Seq::infinite, |h| self.extractor.extract(&h))
    }

    /// Whether every literal of `seq` ends with a keyword (with `whole`)
    /// or may be the end of one (without).
    fn keyword_ends(&self, seq: &Seq, whole: bool) -> bool {
        seq.literals().is_some_and(|ls| {
            !ls.is_empty()
                && ls.iter().all(|l| {
                    let l = l.as_bytes();
                    self.keywords.iter().any(|k| {
                        let k = k.as_bytes();
                        l.ends_with(k) || !whole && k.ends_with(l)
                    })
                })
        })
    }

    /// What follows the shortest leading part of `hir` that ends with a
    /// keyword in every match (empty when that is all of `hir`).
    fn split(&self, hir: &Hir) -> Option<Hir> {
        match hir.kind() {
            HirKind::Concat(parts) => self.split_concat(parts),
            HirKind::Capture(cap) => self.split(&cap.sub),
            HirKind::Alternation(branches) => {
                let rests = branches
                    .iter()
                    .map(|b| self.split(b))
                    .collect::<Option<Vec<_>>>()?;
                Some(Hir::alternation(rests))
            }
            _ => self.keyword_ends(&self.ends(hir), true).then(Hir::empty),
        }
    }

    fn split_concat(&self, parts: &[Hir]) -> Option<Hir> {
        // Literals one byte each: the parser joins a keyword to the
        // literal text after it (`key:`), and the split may fall inside.
        let parts: Vec<Hir> = parts
            .iter()
            .flat_map(|p| match p.kind() {
                HirKind::Literal(Literal(bytes)) => {
                    bytes.iter().map(|&b| Hir::literal([b])).collect()
                }
                _ => vec![p.clone()],
            })
            .collect();
        let rest = |j: usize, first: Option<Hir>| {
            let after = parts[j + 1..].iter().map(loosen);
            Hir::concat(first.into_iter().chain(after).collect())
        };
        // Per part, the literals its matches end with.
        let mut ends: Vec<Seq> = Vec::with_capacity(parts.len());
        for j in 0..parts.len() {
            ends.push(self.ends(&parts[j]));
            // Most parts cannot end a keyword: skip them before crossing.
            if self.keyword_ends(&ends[j], false) {
                // What every match of `parts[..=j]` ends with: part j's
                // literals, the earlier parts' prepended while some are
                // whole and shorter than a keyword. Stopping early is
                // safe: a match still ends with one of them as they are.
                let mut acc = ends[j].clone();
                let mut i = j;
                // At most 64 parts back: look-arounds add nothing to the
                // literals, and a pattern of thousands must not make this
                // quadratic.
                while i > 0
                    && j - i < 64
                    && acc.len().is_some_and(|n| n <= 256)
                    && acc.literals().is_some_and(|ls| {
                        ls.iter()
                            .any(|l| l.is_exact() && l.len() < self.longest)
                    })
                {
                    i -= 1;
                    acc.cross_reverse(&mut ends[i].clone());
                }
                if self.keyword_ends(&acc, true) {
                    return Some(rest(j, None));
                }
            }
            // Or the keyword part ends inside this part, in every match.
            if matches!(
                parts[j].kind(),
                HirKind::Alternation(_) | HirKind::Capture(_)
            ) {
                if let Some(inner) = self.split(&parts[j]) {
                    return Some(rest(j, Some(loosen(&inner))));
                }
            }
        }
        None
    }
}

/// A forward lazy DFA of `rest` (no captures, no prefilter, no reverse
/// automaton: it only ever runs anchored at a hit's end); `None` if it
/// cannot be built, which leaves the rule unchecked.
pub(crate) fn compile(rest: &Hir) -> Option<DFA> {
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .which_captures(WhichCaptures::None)
                .nfa_size_limit(Some(super::REGEX_SIZE_LIMIT)),
        )
        .build_from_hir(rest)
        .ok()?;
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(MatchKind::LeftmostFirst)
                .cache_capacity(CACHE)
                // Word boundaries are ASCII here (Unicode is off).
                .unicode_word_boundary(false),
        )
        .build_from_nfa(nfa)
        .ok()
}

/// Each follow DFA's cache, per thread: the anchored searches die
/// within a few bytes and visit few states; a rest whose DFA cannot fit
/// in it gets no check.
const CACHE: usize = 256 << 10;

/// `hir` with counted repetitions of more than [`LOOSE`] copies made
/// unbounded (and at most LOOSE required): a language that holds `hir`'s,
/// so the check stays a necessary condition, from a much smaller
/// automaton (`[A-Za-z0-9+/]{20,2048}` would be 2,048 NFA states).
fn loosen(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Repetition(rep) => {
            let (min, max) = match rep.max {
                Some(max) if max <= LOOSE => (rep.min, rep.max),
                _ => (rep.min.min(LOOSE), None),
            };
            Hir::repetition(Repetition {
                min,
                max,
                sub: Box::new(loosen(&rep.sub)),
                greedy: rep.greedy,
            })
        }
        HirKind::Capture(cap) => Hir::capture(Capture {
            sub: Box::new(loosen(&cap.sub)),
            ..cap.clone()
        }),
        HirKind::Concat(hs) => Hir::concat(hs.iter().map(loosen).collect()),
        HirKind::Alternation(hs) => {
            Hir::alternation(hs.iter().map(loosen).collect())
        }
        _ => hir.clone(),
    }
}

/// Counted repetitions up to this many copies are kept as they are.
const LOOSE: u32 = 16;

/// `hir` with every byte it can match lowercased (ASCII); `None` for a
/// Unicode class, which byte patterns do not have.
fn lowercase(hir: &Hir) -> Option<Hir> {
    Some(match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => hir.clone(),
        HirKind::Literal(Literal(bytes)) => {
            Hir::literal(bytes.to_ascii_lowercase())
        }
        HirKind::Class(Class::Bytes(class)) => {
            // Each range without its capitals, and those made lowercase.
            let mut ranges = Vec::with_capacity(2 * class.ranges().len());
            for r in class.iter() {
                let (s, e) = (r.start(), r.end());
                if s < b'A' {
                    ranges.push(ClassBytesRange::new(s, e.min(b'@')));
                }
                if e > b'Z' {
                    ranges.push(ClassBytesRange::new(s.max(b'['), e));
                }
                let (cs, ce) = (s.max(b'A'), e.min(b'Z'));
                if cs <= ce {
                    ranges.push(ClassBytesRange::new(cs | 0x20, ce | 0x20));
                }
            }
            Hir::class(Class::Bytes(ClassBytes::new(ranges)))
        }
        HirKind::Class(Class::Unicode(_)) => return None,
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            sub: Box::new(lowercase(&rep.sub)?),
            ..rep.clone()
        }),
        HirKind::Capture(cap) => Hir::capture(Capture {
            sub: Box::new(lowercase(&cap.sub)?),
            ..cap.clone()
        }),
        HirKind::Concat(hs) => {
            Hir::concat(hs.iter().map(lowercase).collect::<Option<_>>()?)
        }
        HirKind::Alternation(hs) => {
            Hir::alternation(hs.iter().map(lowercase).collect::<Option<_>>()?)
        }
    })
}

#[cfg(test)]
mod tests {
    use regex_automata::{Anchored, Input};

    use super::*;
    use crate::rules::shape::parse;

    fn rest(pattern: &str, keywords: &[&str]) -> Option<DFA> {
        let kw: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        Some(compile(&after_keyword(&parse(pattern).unwrap(), &kw)?).unwrap())
    }

    fn follows(dfa: &DFA, text: &str) -> bool {
        let input = Input::new(text).anchored(Anchored::Yes);
        dfa.try_search_fwd(&mut dfa.create_cache(), &input).unwrap().is_some()
    }

    #[test]
    fn splits_after_the_part_that_ends_with_a_keyword() {
        let kw = ["secret", "api_key", "api-key", "apikey"];
        let re = rest(r"(?i)[a-z_]{0,20}(?:secret|api[_-]?key)s?=(\w+)", &kw)
            .unwrap();
        assert!(follows(&re, "=abc") && follows(&re, "S=1"));
        assert!(!follows(&re, " =abc") && !follows(&re, "x=1"));
        // `key` ends every branch: the shortest leading part is taken.
        let re = rest(r"(?:api|app)key:(\d+)", &["key"]).unwrap();
        assert!(follows(&re, ":12") && !follows(&re, "key:12"));
        // Several parts make up the keyword (`as ` `(?:the|my)` ` `).
        let kw = ["as the ", "as my "];
        let re = rest(r"use (\S+) as (?:the|my) (?:key|token)", &kw).unwrap();
        assert!(follows(&re, "key") && !follows(&re, "my key"));
        // The keyword part ends inside an alternation, in every branch.
        let re = rest(
            r#"<(?:[a-z]{0,9}(?:secret|token)[0-9]?|id="[a-z]{0,9}token")>(\w+)<"#,
            &["secret", "token"],
        )
        .unwrap();
        assert!(follows(&re, ">abc<") && follows(&re, "1>abc<"));
        assert!(follows(&re, "\">abc<") && !follows(&re, " >abc<"));
    }

    #[test]
    fn no_split_unless_every_match_ends_with_a_keyword() {
        // `token` is not a keyword of the rule.
        assert!(rest(r"(?:secret|token)=(\w+)", &["secret"]).is_none());
        // `tokens` does not end with one.
        let kw = ["secret", "token"];
        assert!(rest(r"x(?:secret|tokens)=(\w+)", &kw).is_none());
        // The keyword sits inside one branch of an alternation only.
        assert!(rest(r"a(?:secret=|b)(\w+)|c", &["secret"]).is_none());
        assert!(rest(r"<(?:x|secret)>(\w+)", &["secret"]).is_none());
        // Nothing follows the keyword.
        assert!(rest(r"(?:x|y)secret", &["secret"]).is_none());
        // Not a sequence.
        assert!(rest(r"secret", &["secret"]).is_none());
    }
}
