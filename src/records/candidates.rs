//! Candidate values in scanned text: emails, phone numbers, IDs and names,
//! normalized as the index normalizes cells, then hashed.
//!
//! Each candidate has an anchor (an email's `@`, otherwise its first
//! word's first byte) and is decided from at most [`CONTEXT`] bytes around
//! it, so a stream that keeps that much on both sides of a round finds
//! exactly the candidates a buffer scan finds.

use super::{normalize, ColumnKind, RecordsIndex, ValueHasher};
use crate::finding::Span;

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
    pub(crate) hash: u64,
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
    let mut buf = [0u8; FAST_FORM];
    let mut emit = |anchor: usize, span: Span, kind: ColumnKind| {
        let hash = match fast_form(kind, &hay[span], &mut buf) {
            Some(Some(v)) => hasher.hash(kind, v),
            Some(None) => return,
            None => {
                let Ok(text) = std::str::from_utf8(&hay[span]) else {
                    return;
                };
                let Some(v) = normalize(kind, text) else { return };
                hasher.hash(kind, &v)
            }
        };
        if !index.lookup(hash).is_empty() {
            f(Candidate { anchor, span, kind, hash });
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
    let mut p = from;
    // A word that began before `from` is not anchored here.
    while p > 0 && p < to && is_word(hay[p - 1]) {
        p += 1;
    }
    while p < to {
        if !is_word(hay[p]) {
            // Skip to the next word byte.
            p += hay[p..to].iter().position(|&b| is_word(b)).unwrap_or(to - p);
            continue;
        }
        let Some(end) = word_end(hay, p) else {
            // Too long for any candidate: skip all of it.
            p += hay[p..]
                .iter()
                .position(|&b| !is_word(b))
                .unwrap_or(hay.len() - p);
            continue;
        };
        let word = &hay[p..end];
        let digit = word.iter().any(u8::is_ascii_digit);
        // Most words (lowercase, no digit) cannot start any candidate.
        if !digit && !word[0].is_ascii_uppercase() {
            p = end;
            continue;
        }
        if ids && digit && word.len() >= 4 {
            emit(p, Span::new(p, end), ColumnKind::Id);
        }
        if phones && digit && phone_word(word) && !after_phone_word(hay, p) {
            let mut e = end;
            for _ in 0..PHONE_WORDS {
                let digits =
                    hay[p..e].iter().filter(|b| b.is_ascii_digit()).count();
                if (7..=15).contains(&digits) {
                    emit(p, Span::new(p, e), ColumnKind::Phone);
                }
                match next_word(hay, e, |g| matches!(g, b' ' | b'(' | b')'), 3)
                {
                    Some((s, ne)) if phone_word(&hay[s..ne]) => e = ne,
                    _ => break,
                }
            }
        }
        if names && word[0].is_ascii_uppercase() && name_word(word) {
            let mut e = end;
            for _ in 0..2 {
                match next_word(hay, e, |g| g == b' ', 1) {
                    Some((s, ne)) if name_word(&hay[s..ne]) => {
                        e = trim_dot(hay, s, ne);
                        emit(p, Span::new(p, e), ColumnKind::Name);
                    }
                    _ => break,
                }
            }
        }
        p = end;
    }
}

/// Longest candidate [`fast_form`] handles: three name words.
const FAST_FORM: usize = 3 * (MAX_WORD + 1);

/// The normal form of an ASCII name or ID candidate, written into `buf`
/// without the `String`s [`normalize`] builds (names and IDs are most of
/// the candidates in prose): `Some(Some(form))`, `Some(None)` when it is
/// not a value of that kind, or `None` when this fast path does not apply
/// and [`normalize`] must decide. A test checks both agree.
fn fast_form<'b>(
    kind: ColumnKind,
    text: &[u8],
    buf: &'b mut [u8; FAST_FORM],
) -> Option<Option<&'b str>> {
    if text.len() > FAST_FORM
        || !text.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
        || text.first() == Some(&b' ')
        || text.last() == Some(&b' ')
        || text.windows(2).any(|w| w == b"  ")
    {
        return None;
    }
    let n = match kind {
        ColumnKind::Name => {
            for (o, b) in buf.iter_mut().zip(text) {
                *o = b.to_ascii_lowercase();
            }
            if text.len() < 3 {
                return Some(None);
            }
            text.len()
        }
        ColumnKind::Id => {
            let mut n = 0;
            for &b in text {
                if !matches!(b, b'-' | b'_' | b'.' | b'/' | b' ') {
                    buf[n] = b.to_ascii_uppercase();
                    n += 1;
                }
            }
            let v = &buf[..n];
            if n < 4
                || !v.iter().any(u8::is_ascii_digit)
                || !v.iter().all(u8::is_ascii_alphanumeric)
            {
                return Some(None);
            }
            n
        }
        _ => return None,
    };
    Some(Some(std::str::from_utf8(&buf[..n]).expect("ASCII")))
}

/// The end of the word starting at `p`, unless it is longer than
/// [`MAX_WORD`].
fn word_end(hay: &[u8], p: usize) -> Option<usize> {
    let stop = hay.len().min(p + MAX_WORD + 1);
    let n = hay[p..stop].iter().position(|&b| !is_word(b));
    match n {
        Some(n) => Some(p + n),
        None if stop == hay.len() => Some(stop),
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
    fn the_fast_forms_are_the_normal_forms() {
        let cases = [
            "Alice Johnson",
            "Mary-Ann O'Brien Smith",
            "Mr. Smith",
            "Al",
            "Jo",
            "ABC",
            "cust-0001.",
            "A1B2",
            "x_9/y.z",
            "12-34",
            "1234",
            "abc1+2",
            "AB'12",
            "Ünïcode Name",
            "two  spaces",
            " lead",
            "ok1 two",
            "A-1",
            "--12--",
        ];
        let mut buf = [0u8; FAST_FORM];
        for text in cases {
            for kind in [ColumnKind::Name, ColumnKind::Id] {
                let slow = normalize(kind, text);
                match fast_form(kind, text.as_bytes(), &mut buf) {
                    Some(fast) => {
                        assert_eq!(fast, slow.as_deref(), "{kind:?} {text}")
                    }
                    None => assert!(
                        !text.is_ascii()
                            || text.contains("  ")
                            || text.starts_with(' ')
                    ),
                }
            }
        }
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
