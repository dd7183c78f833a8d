//! What a pattern says about its secret, read off the parsed pattern: the
//! bytes the secret group can hold, its shortest length, and the bytes that
//! can come right before and after it inside a match.
//!
//! `build.rs` includes this file too (`#[path]`), so the table it writes for
//! the built-in rules and a parse at load agree by construction.

use regex_syntax::hir::{Class, Hir, HirKind};

/// A capture group's shape. Byte sets are 256-bit; a full set means
/// "anything" (the group may begin or end the match, so what is next to it
/// lies outside the match and is not constrained).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct GroupShape {
    /// Bytes the group's match may hold.
    pub(crate) bytes: [u64; 4],
    /// Fewest bytes it holds.
    pub(crate) least: usize,
    /// The byte right before the group, when the match has one there.
    pub(crate) before: [u64; 4],
    /// The byte right after the group, when the match has one there.
    pub(crate) after: [u64; 4],
}

const ANY: [u64; 4] = [!0; 4];

/// Parses a rule pattern as every reading of it here does (bytes, not
/// Unicode, as the rule regexes are compiled), so `build.rs`'s table and
/// a parse at load see the same pattern. The error is the parser's
/// message.
pub(crate) fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .nest_limit(100)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// The shape of `group` (0 is the whole match); `None` if it does not exist.
pub(crate) fn group_shape(hir: &Hir, group: usize) -> Option<GroupShape> {
    let (sub, before, after) = if group == 0 {
        (hir, ANY, ANY)
    } else {
        let (sub, before, after) = locate(hir, group)?;
        (sub, before.or_any(), after.or_any())
    };
    let mut bytes = [0u64; 4];
    add_bytes(sub, &mut bytes);
    // A group that can never match has no shortest length: claim none.
    let least = sub.properties().minimum_len().unwrap_or(0);
    Some(GroupShape { bytes, least, before, after })
}

/// Bytes next to the group within some part of the pattern; `open` when
/// the group may sit at that part's edge, so the part's context adds more.
#[derive(Clone, Copy)]
struct Side {
    set: [u64; 4],
    open: bool,
}

impl Side {
    fn or_any(self) -> [u64; 4] {
        if self.open {
            ANY
        } else {
            self.set
        }
    }

    fn add(&mut self, set: [u64; 4]) {
        self.set.iter_mut().zip(set).for_each(|(a, b)| *a |= b);
    }
}

/// The group's own HIR and what may precede and follow it inside `hir`.
fn locate(hir: &Hir, group: usize) -> Option<(&Hir, Side, Side)> {
    let edge = Side { set: [0; 4], open: true };
    match hir.kind() {
        HirKind::Capture(c) if c.index as usize == group => {
            Some((hir, edge, edge))
        }
        HirKind::Capture(c) => locate(&c.sub, group),
        HirKind::Alternation(v) => v.iter().find_map(|h| locate(h, group)),
        HirKind::Repetition(r) => {
            let (g, mut before, mut after) = locate(&r.sub, group)?;
            if r.max != Some(1) {
                // Another round of the repetition may come before or after.
                if before.open {
                    before.add(ends(&r.sub, true).0);
                }
                if after.open {
                    after.add(ends(&r.sub, false).0);
                }
            }
            Some((g, before, after))
        }
        HirKind::Concat(v) => {
            let (i, (g, mut before, mut after)) = v
                .iter()
                .enumerate()
                .find_map(|(i, h)| Some((i, locate(h, group)?)))?;
            for h in v[..i].iter().rev() {
                if !before.open {
                    break;
                }
                let (set, empty) = ends(h, true);
                before.add(set);
                before.open = empty;
            }
            for h in &v[i + 1..] {
                if !after.open {
                    break;
                }
                let (set, empty) = ends(h, false);
                after.add(set);
                after.open = empty;
            }
            Some((g, before, after))
        }
        HirKind::Empty
        | HirKind::Literal(_)
        | HirKind::Class(_)
        | HirKind::Look(_) => None,
    }
}

/// The bytes a match of `hir` may end with (`last`) or begin with, and
/// whether it may be empty. Look-arounds count as empty.
fn ends(hir: &Hir, last: bool) -> ([u64; 4], bool) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => ([0; 4], true),
        HirKind::Literal(l) => {
            let b = if last { l.0.last() } else { l.0.first() };
            let mut set = [0; 4];
            b.into_iter().for_each(|&b| set_byte(&mut set, b));
            (set, b.is_none())
        }
        HirKind::Class(_) => {
            let mut set = [0; 4];
            add_bytes(hir, &mut set);
            (set, false)
        }
        HirKind::Capture(c) => ends(&c.sub, last),
        HirKind::Repetition(r) => {
            let (set, empty) = ends(&r.sub, last);
            (set, empty || r.min == 0)
        }
        HirKind::Concat(v) => {
            let mut side = Side { set: [0; 4], open: true };
            let mut parts: Box<dyn Iterator<Item = &Hir>> = if last {
                Box::new(v.iter().rev())
            } else {
                Box::new(v.iter())
            };
            while side.open {
                let Some(h) = parts.next() else { break };
                let (set, empty) = ends(h, last);
                side.add(set);
                side.open = empty;
            }
            (side.set, side.open)
        }
        HirKind::Alternation(v) => {
            let mut side = Side { set: [0; 4], open: false };
            for h in v {
                let (set, empty) = ends(h, last);
                side.add(set);
                side.open |= empty;
            }
            (side.set, side.open)
        }
    }
}

fn set_byte(set: &mut [u64; 4], b: u8) {
    set[usize::from(b >> 6)] |= 1 << (b & 63);
}

fn add_bytes(hir: &Hir, set: &mut [u64; 4]) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => l.0.iter().for_each(|&b| set_byte(set, b)),
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                (r.start()..=r.end()).for_each(|b| set_byte(set, b));
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                (lo.min(0x80)..hi.min(0x7f) + 1)
                    .for_each(|b| set_byte(set, b as u8));
                if hi >= 0x80 {
                    // Any byte of a multi-byte UTF-8 sequence.
                    (0x80..=0xff).for_each(|b| set_byte(set, b));
                }
            }
        }
        HirKind::Capture(c) => add_bytes(&c.sub, set),
        HirKind::Repetition(r) => add_bytes(&r.sub, set),
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            v.iter().for_each(|h| add_bytes(h, set))
        }
    }
}

/// Most literals a lead set may have: more would mostly be noise hits.
const MAX_LEAD: usize = 64;

/// Literals one of which begins every match, ASCII-lowercased, each at
/// least two bytes and not starting with a digit; empty when the pattern
/// has no such set. A digit rule with a lead set (a phone number after
/// `tel`, an ID after `DNI`) needs one of them shortly before its run.
///
/// They come from regex-syntax's prefix extraction, which the regex crate
/// trusts for its own prefilters: every match starts with one of the
/// literals it returns, exact or not. Lowercasing only widens what the
/// keyword search (ASCII case-insensitive) accepts; a literal cut inside a
/// UTF-8 character keeps the characters before the cut, still a prefix of
/// each match it stood for; and one literal that begins another stands
/// for both.
pub(crate) fn lead_literals(hir: &Hir) -> Vec<String> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let seq = extractor.extract(hir);
    let Some(literals) = seq.literals() else { return Vec::new() };
    let mut all = Vec::with_capacity(literals.len());
    for literal in literals {
        let bytes = literal.as_bytes();
        let whole = match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()])
                .expect("valid up to there"),
        };
        let s = whole.to_ascii_lowercase();
        if s.len() < 2 || s.as_bytes()[0].is_ascii_digit() {
            return Vec::new();
        }
        all.push(s);
    }
    all.sort_unstable();
    all.dedup();
    // Sorted, a literal comes right after the ones that begin it.
    let mut kept: Vec<String> = Vec::new();
    for s in all {
        if !kept.iter().any(|k| s.starts_with(k.as_str())) {
            kept.push(s);
        }
    }
    if kept.len() > MAX_LEAD {
        return Vec::new();
    }
    kept
}
