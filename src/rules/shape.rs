//! What a pattern says about its secret, read off the parsed pattern: the
//! bytes the secret group can hold and its shortest length.
//!
//! `build.rs` includes this file too (`#[path]`), so the table it writes for
//! the built-in rules and a parse at load agree by construction.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Bytes a capture group's match may hold (a 256-bit set) and the fewest it
/// holds; group 0 is the whole match. `None` if the group does not exist.
pub(crate) fn group_bytes(
    hir: &Hir,
    group: usize,
) -> Option<([u64; 4], usize)> {
    let sub = if group == 0 { Some(hir) } else { find_group(hir, group) }?;
    let mut set = [0u64; 4];
    add_bytes(sub, &mut set);
    // A group that can never match has no shortest length: claim none.
    Some((set, sub.properties().minimum_len().unwrap_or(0)))
}

fn find_group(hir: &Hir, group: usize) -> Option<&Hir> {
    match hir.kind() {
        HirKind::Capture(c) if c.index as usize == group => Some(hir),
        HirKind::Capture(c) => find_group(&c.sub, group),
        HirKind::Repetition(r) => find_group(&r.sub, group),
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            v.iter().find_map(|h| find_group(h, group))
        }
        HirKind::Empty
        | HirKind::Literal(_)
        | HirKind::Class(_)
        | HirKind::Look(_) => None,
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
