//! Candidate values in scanned text: emails, phone numbers, IDs and names,
//! normalized as the index normalizes cells, then hashed.
//!
//! Each candidate has an anchor (an email's `@`, otherwise its first
//! word's first byte) and is decided from at most [`CONTEXT`] bytes around
//! it, so a stream that keeps that much on both sides of a round finds
//! exactly the candidates a buffer scan finds.

use super::{tagged_form, ColumnKind, RecordsIndex, ValueHasher};
use crate::{finding::Span, swar};

/// Bytes around an anchor that decide a candidate.
pub(crate) const CONTEXT: usize = 512;

const MAX_LOCAL: usize = 64;
const MAX_DOMAIN: usize = 253;
/// Words longer than this are not part of any candidate.
const MAX_WORD: usize = 64;
/// Words a phone number may be split into (`+1 (555) 010-2345`).
const PHONE_WORDS: usize = 4;

/// A candidate found in the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// Position that decides which round reports it.
    pub(crate) anchor: usize,
    pub(crate) span: Span,
    pub(crate) kind: ColumnKind,
    /// Where its cells are in the index ([`RecordsIndex::cells_in`]).
    pub(crate) cells: std::ops::Range<usize>,
}

/// Bytes that make up words, as a table: this test runs on every byte.
const WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'-' | b'.' | b'\'' | b'+');
        b += 1;
    }
    t
};

fn is_word(b: u8) -> bool {
    WORD[b as usize]
}

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// Calls `f` with every candidate anchored in `from..to` of `hay` whose
/// hash is in the index.
pub(crate) fn find(
    index: &RecordsIndex,
    hasher: &ValueHasher,
    hay: &[u8],
    from: usize,
    to: usize,
    mut f: impl FnMut(Candidate),
) {
    let mut form = Vec::with_capacity(2 * CONTEXT);
    let mut emit = |anchor: usize, span: Span, kind: ColumnKind| {
        if !tagged_form(kind, &hay[span], &mut form) {
            return;
        }
        // The keyed pre-filter first: a SipHash and three bit tests turn
        // away nearly every candidate, so few pay for the HMAC.
        if !index.may_contain(hasher.quick(&form)) {
            return;
        }
        let cells = index.find_cells(hasher.hash_tagged(&form));
        if !cells.is_empty() {
            f(Candidate { anchor, span, kind, cells });
        }
    };
    if index.has_kind(ColumnKind::Email) {
        for at in memchr::memchr_iter(b'@', &hay[from..to]).map(|i| from + i) {
            if let Some(span) = email_at(hay, at) {
                emit(at, span, ColumnKind::Email);
            }
        }
    }
    let ids = index.has_kind(ColumnKind::Id);
    let phones = index.has_kind(ColumnKind::Phone);
    let names = index.has_kind(ColumnKind::Name);
    if !(ids || phones || names) {
        return;
    }
    // Words are maximal runs of word bytes; a candidate starts at a word
    // of at most MAX_WORD bytes that begins in from..to and has a digit
    // (IDs, phones) or begins with an uppercase letter (names). Every
    // such word holds an uppercase letter or a digit within MAX_WORD
    // bytes of its start, so the walk jumps from one of those bytes to
    // the next (most prose is neither) and looks back for the word's
    // start. `p` is always at a word boundary.
    let mut p = from;
    // A word that began before `from` is not anchored here.
    while p > 0 && p < to && is_word(hay[p - 1]) {
        p += 1;
    }
    let limit = hay.len().min(to.saturating_add(MAX_WORD));
    while p < to {
        let Some(q) = next_upper_or_digit(hay, p, limit) else { break };
        let mut s = q;
        while s > p && is_word(hay[s - 1]) {
            s -= 1;
        }
        if s >= to {
            break;
        }
        // The word's end and whether it has a digit, in one pass.
        let mut end = s;
        let mut digit = false;
        while end < hay.len() && is_word(hay[end]) {
            digit |= hay[end].is_ascii_digit();
            end += 1;
        }
        p = end;
        if end - s > MAX_WORD {
            // Too long for any candidate.
            continue;
        }
        let word = &hay[s..end];
        if !digit && !word[0].is_ascii_uppercase() {
            // camelCase: no candidate starts here.
            continue;
        }
        if ids && digit && word.len() >= 4 {
            emit(s, Span::new(s, end), ColumnKind::Id);
        }
        if phones && digit && phone_word(word) && !after_phone_word(hay, s) {
            let mut e = end;
            for _ in 0..PHONE_WORDS {
                let digits =
                    hay[s..e].iter().filter(|b| b.is_ascii_digit()).count();
                if (7..=15).contains(&digits) {
                    emit(s, Span::new(s, e), ColumnKind::Phone);
                }
                match next_word(hay, e, |g| matches!(g, b' ' | b'(' | b')'), 3)
                {
                    Some((ws, we)) if phone_word(&hay[ws..we]) => e = we,
                    _ => break,
                }
            }
        }
        if names && word[0].is_ascii_uppercase() && name_word(word) {
            let mut e = end;
            for _ in 0..2 {
                match next_word(hay, e, |g| g == b' ', 1) {
                    Some((ws, we)) if name_word(&hay[ws..we]) => {
                        e = trim_dot(hay, ws, we);
                        emit(s, Span::new(s, e), ColumnKind::Name);
                    }
                    _ => break,
                }
            }
        }
    }
}

/// The first position in `from..to` holding an ASCII uppercase letter or
/// digit, eight bytes at a time (most prose has neither).
fn next_upper_or_digit(hay: &[u8], from: usize, to: usize) -> Option<usize> {
    let flags =
        |x| swar::in_range(x, b'A', b'Z') | swar::in_range(x, b'0', b'9');
    let is = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    swar::find(&hay[from..to], flags, is).map(|n| from + n)
}

/// The end of the word starting at `p`, unless it is longer than
/// [`MAX_WORD`].
fn word_end(hay: &[u8], p: usize) -> Option<usize> {
    let stop = hay.len().min(p + MAX_WORD + 1);
    let n = hay[p..stop].iter().position(|&b| !is_word(b));
    match n {
        Some(n) => Some(p + n),
        None if stop == hay.len() && stop - p <= MAX_WORD => Some(stop),
        None => None,
    }
}

/// The next word after a gap of at most `max_gap` bytes that all satisfy
/// `gap`.
fn next_word(
    hay: &[u8],
    from: usize,
    gap: impl Fn(u8) -> bool,
    max_gap: usize,
) -> Option<(usize, usize)> {
    let mut s = from;
    while s < hay.len() && s - from < max_gap && gap(hay[s]) {
        s += 1;
    }
    if s == from || s >= hay.len() || !is_word(hay[s]) {
        return None;
    }
    Some((s, word_end(hay, s)?))
}

fn phone_word(w: &[u8]) -> bool {
    w.iter().any(u8::is_ascii_digit)
        && w.iter()
            .all(|&b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'))
}

/// True when the word at `p` continues a phone number begun before it, so
/// the number is only tried from its first word.
fn after_phone_word(hay: &[u8], p: usize) -> bool {
    let mut i = p;
    while i > 0 && p - i < 3 && matches!(hay[i - 1], b' ' | b'(' | b')') {
        i -= 1;
    }
    i < p && i > 0 && hay[i - 1].is_ascii_digit()
}

/// `Alice`, `O'Brien`, `Jean-Luc`, `Johnson.` (sentence end).
fn name_word(w: &[u8]) -> bool {
    let w = w.strip_suffix(b".").unwrap_or(w);
    w.len() >= 2
        && w[0].is_ascii_uppercase()
        && w[1..]
            .iter()
            .all(|&b| b.is_ascii_lowercase() || matches!(b, b'\'' | b'-'))
}

fn trim_dot(hay: &[u8], s: usize, e: usize) -> usize {
    if e > s && hay[e - 1] == b'.' {
        e - 1
    } else {
        e
    }
}

/// The email around the `@` at `at`, if it is one.
fn email_at(hay: &[u8], at: usize) -> Option<Span> {
    let mut s = at;
    while s > 0 && at - s < MAX_LOCAL && is_local(hay[s - 1]) {
        s -= 1;
    }
    let mut e = at + 1;
    while e < hay.len() && e - at <= MAX_DOMAIN && is_domain(hay[e]) {
        e += 1;
    }
    // Sentence punctuation after the address is not part of it.
    while e > at + 1 && matches!(hay[e - 1], b'.' | b'-') {
        e -= 1;
    }
    (s < at && hay[at + 1..e].contains(&b'.')).then(|| Span::new(s, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyed::FingerprintKey;

    fn index() -> RecordsIndex {
        let csv = "id,name,email,phone\n\
            CUST-0001,Alice Johnson,alice.j@example.com,+1 (555) 010-2345\n";
        RecordsIndex::from_csv(
            csv.as_bytes(),
            &[],
            &FingerprintKey::from_bytes([2; 32]),
        )
        .unwrap()
    }

    fn found(text: &str) -> Vec<(String, ColumnKind)> {
        let idx = index();
        let mut out = Vec::new();
        let hay = text.as_bytes();
        find(&idx, &idx.hasher(), hay, 0, hay.len(), |c| {
            out.push((text[c.span.start..c.span.end].to_string(), c.kind))
        });
        out
    }

    #[test]
    fn finds_each_kind_in_other_formats() {
        use ColumnKind::*;
        assert_eq!(
            found("mail ALICE.J@Example.com. now"),
            [("ALICE.J@Example.com".to_string(), Email)]
        );
        assert_eq!(
            found("客户alice.j@example.com，谢谢"),
            [("alice.j@example.com".into(), Email)]
        );
        assert_eq!(
            found("call 555.010.2345 or"),
            [("555.010.2345".into(), Phone)]
        );
        assert_eq!(
            found("call (555) 010 2345"),
            [("555) 010 2345".into(), Phone)]
        );
        assert_eq!(
            found("ticket for cust-0001."),
            [("cust-0001.".into(), Id)]
        );
        assert_eq!(
            found("Dear Alice Johnson."),
            [("Alice Johnson".into(), Name)]
        );
        assert!(found("alice johnson bob@example.com 555 010 2346").is_empty());
    }
}
