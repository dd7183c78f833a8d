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
/// case-insensitively), if it has one and the rest is not empty.
pub(crate) fn after_keyword(hir: &Hir, keywords: &[String]) -> Option<Hir> {
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    // Literals one byte each: the parser joins a keyword to the literal
    // text after it (`key:`), and the split may fall inside.
    let parts: Vec<Hir> = parts
        .iter()
        .flat_map(|p| match p.kind() {
            HirKind::Literal(Literal(bytes)) => {
                bytes.iter().map(|&b| Hir::literal([b])).collect()
            }
            _ => vec![p.clone()],
        })
        .collect();
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Suffix)
        .limit_class(4)
        .limit_repeat(4)
        .limit_literal_len(64)
        .limit_total(256);
    let longest = keywords.iter().map(String::len).max().unwrap_or(0);
    // Per part, the literals its matches end with (lowercased first, so
    // that `(?i)secret` is one literal, not 64).
    let mut ends: Vec<Seq> = Vec::with_capacity(parts.len());
    // The rest must not be empty: a check that always passes costs a
    // search for nothing.
    for j in 0..parts.len().saturating_sub(1) {
        ends.push(extractor.extract(&lowercase(&parts[j])?));
        // Most parts cannot end a keyword: skip them before any crossing.
        let may_end = ends[j].literals().is_some_and(|ls| {
            ls.iter().all(|l| {
                let l = l.as_bytes();
                keywords.iter().any(|k| {
                    l.ends_with(k.as_bytes()) || k.as_bytes().ends_with(l)
                })
            })
        });
        if !may_end {
            continue;
        }
        // What every match of `parts[..=j]` ends with: part j's literals,
        // the earlier parts' prepended while some are whole and shorter
        // than a keyword. Stopping early is safe: a match still ends with
        // one of the literals as they are.
        let mut acc = ends[j].clone();
        let mut i = j;
        while i > 0
            && acc.len().is_some_and(|n| n <= 256)
            && acc.literals().is_some_and(|ls| {
                ls.iter().any(|l| l.is_exact() && l.len() < longest)
            })
        {
            i -= 1;
            acc.cross_reverse(&mut ends[i].clone());
        }
        let all = acc.literals().is_some_and(|ls| {
            !ls.is_empty()
                && ls.iter().all(|l| {
                    keywords
                        .iter()
                        .any(|k| l.as_bytes().ends_with(k.as_bytes()))
                })
        });
        if all {
            return Some(Hir::concat(
                parts[j + 1..].iter().map(loosen).collect(),
            ));
        }
    }
    None
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
                .cache_capacity(1 << 20)
                // Word boundaries are ASCII here (Unicode is off).
                .unicode_word_boundary(false),
        )
        .build_from_nfa(nfa)
        .ok()
}

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
    }

    #[test]
    fn no_split_unless_every_match_ends_with_a_keyword() {
        // `token` is not a keyword of the rule.
        assert!(rest(r"(?:secret|token)=(\w+)", &["secret"]).is_none());
        // `tokens` does not end with one.
        let kw = ["secret", "token"];
        assert!(rest(r"x(?:secret|tokens)=(\w+)", &kw).is_none());
        // The keyword sits inside an alternation of the whole pattern.
        assert!(rest(r"a(?:secret=|b)(\w+)|c", &["secret"]).is_none());
        // Nothing follows the keyword.
        assert!(rest(r"(?:x|y)secret", &["secret"]).is_none());
        // Not a sequence.
        assert!(rest(r"secret", &["secret"]).is_none());
    }
}
