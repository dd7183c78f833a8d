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

/// Byte classes, as a table: the walk classifies every byte of a word.
const WORD: u8 = 1;
const DIGIT: u8 = 2;
/// What may follow a name word's capital: `a-z`, `'`, `-`.
const NAME_TAIL: u8 = 4;
/// Word bytes that an ID's normal form drops (`-`, `_`, `.`).
const ID_DROP: u8 = 8;
/// Word bytes that no ID holds (`'`, `+`).
const ID_BAD: u8 = 16;
/// Bytes that may end a name word: `a-z`, `'`, `-`, `.`.
const NAME_END: u8 = 32;

const CLASS: [u8; 256] = {
    let mut t = [0; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let word = c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'-' | b'.' | b'\'' | b'+');
        let mut k = 0;
        if word {
            k |= WORD;
        }
        if c.is_ascii_digit() {
            k |= DIGIT;
        }
        if c.is_ascii_lowercase() || matches!(c, b'\'' | b'-') {
            k |= NAME_TAIL;
        }
        if matches!(c, b'-' | b'_' | b'.') {
            k |= ID_DROP;
        }
        if matches!(c, b'\'' | b'+') {
            k |= ID_BAD;
        }
        if c.is_ascii_lowercase() || matches!(c, b'\'' | b'-' | b'.') {
            k |= NAME_END;
        }
        t[b] = k;
        b += 1;
    }
    t
};

fn is_word(b: u8) -> bool {
    CLASS[b as usize] & WORD != 0
}

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// Which kinds to extract, by [`ColumnKind`] as index.
pub(crate) type Kinds = [bool; 4];

/// Calls `f` with every candidate anchored in `from..to` of `hay` whose
/// hash is in the index, in [`walk`]'s order (by kind, then position).
pub(crate) fn find(
    index: &RecordsIndex,
    hasher: &ValueHasher,
    hay: &[u8],
    from: usize,
    to: usize,
    mut f: impl FnMut(Candidate),
) {
    let kinds = index.kinds;
    let mut form = Vec::with_capacity(2 * CONTEXT);
    walk(hay, from, to, kinds, &mut form, |anchor, span, kind, form| {
        // One SipHash; the pre-filter's three bit tests turn away nearly
        // every candidate before the HMAC is computed and the table read.
        if !index.may_contain(hasher.quick(form)) {
            return;
        }
        let cells = index.find_cells(hasher.stored(form));
        if !cells.is_empty() {
            f(Candidate { anchor, span, kind, cells });
        }
    });
}

/// Calls `f` with every candidate of `kinds` anchored in `from..to` of
/// `hay`: its anchor, span, kind and [`tagged_form`] (built in `form`).
///
/// Three passes, each jumping over text that cannot hold its kind:
/// emails from `@` to `@`, IDs and phone numbers from digit to digit,
/// names from link to link (a space between a lowercase byte and a
/// capital). Candidates come by kind, not by position; those with the
/// same anchor come in the order of the walk by position (an ID before
/// the phone numbers of its word, a two-word name before the three-word
/// one), so a stable sort by anchor, as `find`'s caller does, gives that
/// walk's list.
pub(crate) fn walk(
    hay: &[u8],
    from: usize,
    to: usize,
    kinds: Kinds,
    form: &mut Vec<u8>,
    mut f: impl FnMut(usize, Span, ColumnKind, &[u8]),
) {
    let [emails, phones, ids, names] = kinds;
    if emails {
        for at in memchr::memchr_iter(b'@', &hay[from..to]).map(|i| from + i) {
            if let Some(span) = email_at(hay, at) {
                if tagged_form(ColumnKind::Email, &hay[span], form) {
                    f(at, span, ColumnKind::Email, form);
                }
            }
        }
    }
    if ids || phones {
        digit_words(hay, from, to, (ids, phones), form, &mut f);
    }
    if names {
        name_links(hay, from, to, form, &mut f);
    }
}

/// The IDs and phone numbers of [`walk`]: words of at most [`MAX_WORD`]
/// bytes that begin in `from..to` and hold a digit. Such a word has a
/// digit within MAX_WORD bytes of its start, so the walk jumps from digit
/// to digit (`swar::find_digit`) and looks back for the word's start.
/// `p` is always at a word boundary.
fn digit_words(
    hay: &[u8],
    from: usize,
    to: usize,
    (ids, phones): (bool, bool),
    form: &mut Vec<u8>,
    f: &mut impl FnMut(usize, Span, ColumnKind, &[u8]),
) {
    let mut p = from;
    // A word that began before `from` is not anchored here.
    while p > 0 && p < to && is_word(hay[p - 1]) {
        p += 1;
    }
    let limit = hay.len().min(to.saturating_add(MAX_WORD));
    while p < to {
        let Some(q) = swar::find_digit(&hay[p..limit]).map(|n| p + n) else {
            break;
        };
        let s = word_start(hay, p, q);
        if s >= to {
            break;
        }
        // The word's end and the classes of its bytes, in one pass.
        let mut end = s;
        let mut any = 0;
        while end < hay.len() {
            let c = CLASS[hay[end] as usize];
            if c & WORD == 0 {
                break;
            }
            any |= c;
            end += 1;
        }
        p = end;
        if end - s > MAX_WORD {
            // Too long for any candidate.
            continue;
        }
        let word = &hay[s..end];
        if ids && word.len() >= 4 && any & ID_BAD == 0 {
            // The ID's normal form: uppercase, without `-`, `_`, `.`.
            form.clear();
            form.push(ColumnKind::Id as u8);
            form.extend(
                word.iter()
                    .filter(|&&b| CLASS[b as usize] & ID_DROP == 0)
                    .map(u8::to_ascii_uppercase),
            );
            if form.len() > 4 {
                f(s, Span::new(s, end), ColumnKind::Id, form);
            }
        }
        if phones {
            phone_spans(hay, s, end, |span| {
                if tagged_form(ColumnKind::Phone, &hay[span], form) {
                    f(s, span, ColumnKind::Phone, form);
                }
            });
        }
    }
}

/// A name word found by [`name_links`]: start, end, and end without a
/// final full stop.
#[derive(Clone, Copy)]
struct NameWord {
    start: usize,
    end: usize,
    trimmed: usize,
}

/// The names of [`walk`]: two or three name words (`Alice`, `O'Brien`,
/// `Johnson.`: a capital, then `a-z`, `'` or `-`, perhaps a final full
/// stop; at most [`MAX_WORD`] bytes) each linked to the next by one space,
/// the middle one of three without a full stop, anchored at the first
/// word's start in `from..to`; the name ends where its last word does,
/// without a full stop.
///
/// Every link is a space between a byte that ends a name word (`a-z`,
/// `'`, `-`, `.`) and a capital, so the walk looks for a space before a
/// capital ([`space_before_capital`]; prose has one per sentence, code
/// fewer), then reads the words on each side. A first word starting
/// before `to` ends within MAX_WORD bytes of it, and the first of three
/// within twice that, so links are looked for that far.
fn name_links(
    hay: &[u8],
    from: usize,
    to: usize,
    form: &mut Vec<u8>,
    f: &mut impl FnMut(usize, Span, ColumnKind, &[u8]),
) {
    let mut emit = |start: usize, e: usize| {
        form.clear();
        form.push(ColumnKind::Name as u8);
        // A name's bytes are letters, `'`, `-`, `.` and spaces: setting
        // bit 5 lowercases the capitals and keeps the others.
        form.extend_from_slice(&hay[start..e]);
        for b in &mut form[1..] {
            *b |= 0x20;
        }
        f(start, Span::new(start, e), ColumnKind::Name, form);
    };
    // The last link found: its two words.
    let mut last: Option<(NameWord, NameWord)> = None;
    let stop = hay.len().min(to.saturating_add(2 * MAX_WORD + 2));
    space_before_capital(&hay[..stop], from, |i| {
        if i == 0 || CLASS[hay[i - 1] as usize] & NAME_END == 0 {
            return;
        }
        // In a run of names, the word before this link was read as the
        // one after the last link.
        let a = match last {
            Some((_, m)) if m.end == i => m,
            _ => match name_word_ending(hay, i) {
                Some(a) => a,
                None => return,
            },
        };
        let Some((end, trimmed)) = capital_word_at(hay, i + 1) else {
            return;
        };
        if trimmed - (i + 1) < 2 {
            return;
        }
        let b = NameWord { start: i + 1, end, trimmed };
        if (from..to).contains(&a.start) {
            emit(a.start, b.trimmed);
        }
        if let Some((x, m)) = last {
            if m.start == a.start
                && m.end == m.trimmed
                && (from..to).contains(&x.start)
            {
                emit(x.start, b.trimmed);
            }
        }
        last = Some((a, b));
    });
}

/// The name word that ends at `i` (a word boundary), if there is one.
fn name_word_ending(hay: &[u8], i: usize) -> Option<NameWord> {
    let floor = i.saturating_sub(MAX_WORD);
    let mut s = i;
    while s > floor && is_word(hay[s - 1]) {
        s -= 1;
    }
    if s > 0 && is_word(hay[s - 1]) || !hay[s].is_ascii_uppercase() {
        // Longer than MAX_WORD, or no capital first.
        return None;
    }
    let (end, trimmed) = capital_word_at(hay, s)?;
    (end == i && trimmed - s >= 2).then_some(NameWord {
        start: s,
        end,
        trimmed,
    })
}

/// Calls `f` with every position `i` in `from..` of `hay` where a space is
/// followed by an ASCII capital, in order: sixteen-byte blocks without one
/// are skipped by a vector test, the others read eight bytes at a time.
fn space_before_capital(hay: &[u8], from: usize, mut f: impl FnMut(usize)) {
    // The places in the eight bytes at `j` (`hay` holds `j + 9` bytes).
    let mut word = |j: usize| {
        let x = u64::from_le_bytes(hay[j..j + 8].try_into().expect("8"));
        let y = u64::from_le_bytes(hay[j + 1..j + 9].try_into().expect("8"));
        let mut m =
            swar::in_range(x, b' ', b' ') & swar::in_range(y, b'A', b'Z');
        while m != 0 {
            f(j + (m.trailing_zeros() / 8) as usize);
            m &= m - 1;
        }
    };
    let mut j = from;
    // Blocks with no space before a capital are skipped with a vector test
    // (see `swar::any`) of their spaces and the bytes after them.
    while let Some(block) = hay.get(j..j + swar::BLOCK + 1) {
        let (spaces, next) = (&block[..swar::BLOCK], &block[1..]);
        let spaces: &[u8; swar::BLOCK] = spaces.try_into().expect("a block");
        let next: &[u8; swar::BLOCK] = next.try_into().expect("a block");
        let any = spaces.iter().zip(next).fold(0u8, |acc, (&a, &b)| {
            acc | u8::from(a == b' ') & u8::from(b.is_ascii_uppercase())
        });
        if any == 0 {
            j += swar::BLOCK;
            continue;
        }
        for _ in 0..swar::BLOCK / 8 {
            word(j);
            j += 8;
        }
    }
    while j + 9 <= hay.len() {
        word(j);
        j += 8;
    }
    while j + 1 < hay.len() {
        if hay[j] == b' ' && hay[j + 1].is_ascii_uppercase() {
            f(j);
        }
        j += 1;
    }
}

/// When the word at `s` (which begins with a capital) is the capital and
/// bytes that may follow a name's capital (`a-z`, `'`, `-`), perhaps with
/// a final full stop, and at most [`MAX_WORD`] bytes: its end and its end
/// without the full stop. Such a word is a name word when the latter is at
/// least two bytes past `s`.
fn capital_word_at(hay: &[u8], s: usize) -> Option<(usize, usize)> {
    let stop = hay.len().min(s + MAX_WORD + 1);
    let mut t = s + 1;
    while t < stop && CLASS[hay[t] as usize] & NAME_TAIL != 0 {
        t += 1;
    }
    let we = if hay.get(t) == Some(&b'.') { t + 1 } else { t };
    let ends = hay.get(we).map_or(true, |&b| !is_word(b));
    (ends && we - s <= MAX_WORD).then_some((we, t))
}

/// The start of the word holding `q`, not before `p` (a word boundary).
fn word_start(hay: &[u8], p: usize, q: usize) -> usize {
    let mut s = q;
    while s > p && is_word(hay[s - 1]) {
        s -= 1;
    }
    s
}

/// Calls `f` with the phone numbers that start at the word `s..end`: it
/// and up to three more phone words, while they hold 7 to 15 digits. A
/// number is only tried from its first word.
fn phone_spans(hay: &[u8], s: usize, end: usize, mut f: impl FnMut(Span)) {
    if !phone_word(&hay[s..end]) || after_phone_word(hay, s) {
        return;
    }
    let mut e = end;
    for _ in 0..PHONE_WORDS {
        let digits = hay[s..e].iter().filter(|b| b.is_ascii_digit()).count();
        if (7..=15).contains(&digits) {
            f(Span::new(s, e));
        }
        match next_word(hay, e, |g| matches!(g, b' ' | b'(' | b')'), 3) {
            Some((ws, we)) if phone_word(&hay[ws..we]) => e = we,
            _ => break,
        }
    }
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

    /// Candidates: anchor, span, kind, tagged form.
    type Listed = Vec<(usize, Span, ColumnKind, Vec<u8>)>;

    /// The walk that [`walk`] replaced, its eight-byte search written
    /// byte at a time (each word read once per name it is part of, each
    /// form built by [`tagged_form`]): the definition of the candidates,
    /// which [`walk`] must list exactly.
    fn reference(hay: &[u8], from: usize, to: usize, kinds: Kinds) -> Listed {
        let mut out = Vec::new();
        let mut emit = |anchor: usize, span: Span, kind: ColumnKind| {
            let mut form = Vec::new();
            if tagged_form(kind, &hay[span], &mut form) {
                out.push((anchor, span, kind, form));
            }
        };
        let [emails, phones, ids, names] = kinds;
        if emails {
            for at in memchr::memchr_iter(b'@', &hay[from..to]) {
                if let Some(span) = email_at(hay, from + at) {
                    emit(from + at, span, ColumnKind::Email);
                }
            }
        }
        let mut p = from;
        while p > 0 && p < to && is_word(hay[p - 1]) {
            p += 1;
        }
        while p < to {
            let limit = hay.len().min(to + MAX_WORD);
            let Some(q) = (p..limit).find(|&i| {
                hay[i].is_ascii_uppercase() || hay[i].is_ascii_digit()
            }) else {
                break;
            };
            let s = word_start(hay, p, q);
            if s >= to {
                break;
            }
            let mut end = s;
            while end < hay.len() && is_word(hay[end]) {
                end += 1;
            }
            p = end;
            if end - s > MAX_WORD {
                continue;
            }
            let word = &hay[s..end];
            let digit = word.iter().any(u8::is_ascii_digit);
            if !digit && !word[0].is_ascii_uppercase() {
                continue;
            }
            if ids && digit && word.len() >= 4 {
                emit(s, Span::new(s, end), ColumnKind::Id);
            }
            if phones && digit {
                // Shared with `walk`: phones are read as before.
                phone_spans(hay, s, end, |span| {
                    emit(s, span, ColumnKind::Phone)
                });
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
        out
    }

    /// [`walk`]'s candidates in `range`, stably sorted by anchor as
    /// [`find`]'s consumer sorts them (the reference lists them by
    /// anchor already, emails first).
    fn walked(hay: &[u8], range: (usize, usize), kinds: Kinds) -> Listed {
        let (from, to) = range;
        let mut out = Vec::new();
        let mut form = Vec::new();
        walk(hay, from, to, kinds, &mut form, |a, span, kind, form| {
            out.push((a, span, kind, form.to_vec()))
        });
        by_anchor(out)
    }

    /// The reference's list, stably sorted by anchor.
    fn by_anchor(mut listed: Listed) -> Listed {
        listed.sort_by_key(|c| c.0);
        listed
    }

    /// Strings matching the regex `re`.
    fn text(re: &str) -> proptest::string::RegexGeneratorStrategy<String> {
        proptest::string::string_regex(re).expect("a valid regex")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 2000,
            ..Default::default()
        })]

        /// The walk lists exactly the reference's candidates, with their
        /// tagged forms, in the same order, for any range and kinds.
        #[test]
        fn walk_lists_the_reference_candidates(
            parts in proptest::collection::vec(
                (
                    proptest::prop_oneof![
                        // Capitalized words, with or without a full stop.
                        3 => text("[A-Z][a-z'\\-]{0,6}\\.?"),
                        1 => text("[.@()+\\-_'a-z0-9A-Z,;é\n]{0,3}"),
                        // Digit groups, phone parts, long words.
                        1 => text("[0-9]{1,4}|\\+1|\\([0-9]{3}\\)|[A-Za-z0-9.\\-_]{1,70}"),
                        1 => text("[a-z0-9.]{1,8}@[a-z]{1,6}\\.[a-z]{2,3}"),
                    ],
                    proptest::sample::select(&[" ", " ", " ", "", "  ", ", ", "\n"][..]),
                ),
                0..40,
            ),
            cut in (0usize..1000, 0usize..1000),
            kinds in proptest::array::uniform4(proptest::bool::weighted(0.8)),
        ) {
            let text: String =
                parts.iter().flat_map(|(w, g)| [w.as_str(), g]).collect();
            let hay = text.as_bytes();
            let (a, b) = (cut.0 % (hay.len() + 1), cut.1 % (hay.len() + 1));
            let (from, to) = (a.min(b), a.max(b));
            let want = by_anchor(reference(hay, from, to, kinds));
            proptest::prop_assert_eq!(walked(hay, (from, to), kinds), want);
            let all = by_anchor(reference(hay, 0, hay.len(), kinds));
            proptest::prop_assert_eq!(walked(hay, (0, hay.len()), kinds), all);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 300,
            ..Default::default()
        })]

        /// `find` reports exactly the walk's candidates whose tagged form
        /// is a stored cell's: the pre-filter and the table drop none of
        /// them and add nothing.
        #[test]
        fn find_reports_every_walked_candidate_that_is_stored(
            rows in proptest::collection::vec(
                (
                    text("[A-Z][a-z]{1,5} [A-Z][a-z'\\-]{1,6}"),
                    text("[a-z]{1,6}\\.[a-z]{1,4}@[a-z]{2,5}\\.com"),
                    text("\\+1 \\([2-9][0-9]{2}\\) [0-9]{3}-[0-9]{4}"),
                    text("[A-Z]{2,4}-[0-9]{3,6}"),
                ),
                1..12,
            ),
            picks in proptest::collection::vec(
                (0usize..64, 0usize..5, text("[A-Za-z ,.;]{0,12}")),
                0..24,
            ),
        ) {
            let mut csv = String::from("id,name,email,phone\n");
            for (name, email, phone, id) in &rows {
                csv += &format!("{id},{name},{email},\"{phone}\"\n");
            }
            let idx = RecordsIndex::from_csv(
                csv.as_bytes(),
                &[],
                &FingerprintKey::from_bytes([3; 32]),
            )
            .unwrap();
            let mut stored = std::collections::HashSet::new();
            let mut form = Vec::new();
            for (name, email, phone, id) in &rows {
                for (kind, cell) in [
                    (ColumnKind::Name, name),
                    (ColumnKind::Email, email),
                    (ColumnKind::Phone, phone),
                    (ColumnKind::Id, id),
                ] {
                    if tagged_form(kind, cell.as_bytes(), &mut form) {
                        stored.insert(form.clone());
                    }
                }
            }
            // Stored values (a row's cell, or a stranger's) among filler.
            let mut text = String::new();
            for (row, col, filler) in &picks {
                let (name, email, phone, id) = &rows[row % rows.len()];
                let cell = match col {
                    0 => name.as_str(),
                    1 => email,
                    2 => phone,
                    3 => id,
                    _ => "Ann Stranger wrote to ann@example.org, 555 010 9999",
                };
                text += cell;
                text += " ";
                text += filler;
                text += " ";
            }
            let hay = text.as_bytes();
            let want: Vec<(usize, Span, ColumnKind)> =
                walked(hay, (0, hay.len()), [true; 4])
                    .into_iter()
                    .filter(|c| stored.contains(&c.3))
                    .map(|c| (c.0, c.1, c.2))
                    .collect();
            let mut got = Vec::new();
            find(&idx, &idx.hasher(), hay, 0, hay.len(), |c| {
                got.push((c.anchor, c.span, c.kind));
            });
            got.sort_by_key(|c| c.0);
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn walk_reads_runs_of_names_like_the_reference() {
        let text = "Customer Alice Johnson wrote; Friday. The Export \
            Manager said Mr. O'brien-smith. Ann Lee  Bob Day A. Bc De";
        let hay = text.as_bytes();
        let all = [true; 4];
        let got = walked(hay, (0, hay.len()), all);
        assert_eq!(got, by_anchor(reference(hay, 0, hay.len(), all)));
        let names: Vec<&str> =
            got.iter().map(|c| &text[c.1.start..c.1.end]).collect();
        assert_eq!(
            names,
            [
                "Customer Alice",
                "Customer Alice Johnson",
                "Alice Johnson",
                "Friday. The",
                "Friday. The Export",
                "The Export",
                "The Export Manager",
                "Export Manager",
                "Mr. O'brien-smith",
                "O'brien-smith. Ann",
                "O'brien-smith. Ann Lee",
                "Ann Lee",
                "Bob Day",
                "Bc De",
            ]
        );
        for to in 0..hay.len() {
            assert_eq!(
                walked(hay, (0, to), all),
                by_anchor(reference(hay, 0, to, all))
            );
        }
    }

    /// Name words up to and past [`MAX_WORD`] bytes: a three-word name
    /// whose first word starts just before `to` ends far past it.
    #[test]
    fn long_name_words_like_the_reference() {
        let long = |n: usize| format!("L{}", "o".repeat(n - 1));
        let text = format!(
            "x {} {} {} {} {}. {} {}",
            long(64),
            long(64),
            long(64),
            long(65),
            long(40),
            long(64),
            long(2)
        );
        let hay = text.as_bytes();
        let all = [false, false, false, true];
        let names = walked(hay, (0, hay.len()), all);
        assert_eq!(names.len(), 6, "{names:?}");
        for from in [0, 2, 66] {
            for to in from..hay.len() {
                assert_eq!(
                    walked(hay, (from, to), all),
                    by_anchor(reference(hay, from, to, all))
                );
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
