//! Candidate values in scanned text: emails, phone numbers, IDs and names,
//! normalized as the index normalizes cells, then hashed.
//!
//! Each candidate has an anchor (an email's `@`, otherwise its first
//! word's first byte) and is decided from at most [`CONTEXT`] bytes around
//! it, so a stream that keeps that much on both sides of a round finds
//! exactly the candidates a buffer scan finds.

use super::{
    han, length_bit, tagged_form, ColumnKind, RecordsIndex, ValueHasher,
};
use wide::u8x16;

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
/// hash is in the index: [`walk`]'s, in its order, then the Han names
/// ([`han::names`]), whose anchors are none of the walk's.
pub(crate) fn find(
    index: &RecordsIndex,
    hasher: &ValueHasher,
    hay: &[u8],
    from: usize,
    to: usize,
    mut f: impl FnMut(Candidate),
) {
    // The lengths of each kind's normal forms, names of Han characters
    // included; the walk skips a kind with none of its own (Han names
    // have their own pass).
    let han = index.han_first();
    let mut lengths = [0, 1, 2, 3].map(|k| index.lengths(ColumnKind::ALL[k]));
    let kinds = [0, 1, 2, 3].map(|k| index.kinds[k] && lengths[k] != 0);
    lengths[ColumnKind::Name as usize] |= han.map_or(0, |h| h.lengths());
    // No ID is shorter than the shortest stored one (an ID's normal form
    // is its word without some bytes).
    let id_min = lengths[ColumnKind::Id as usize].trailing_zeros() as usize;
    let mut form = Vec::with_capacity(2 * CONTEXT);
    let mut look =
        |anchor: usize, span: Span, kind: ColumnKind, form: &[u8]| {
            // A length no stored value of the kind has; else one SipHash,
            // and the pre-filter's three bit tests turn away nearly every
            // candidate before the HMAC is computed and the table read.
            if lengths[kind as usize] & length_bit(form.len() - 1) == 0
                || !index.may_contain(hasher.quick(form))
            {
                return;
            }
            let cells = index.find_cells(hasher.stored(form));
            if !cells.is_empty() {
                f(Candidate { anchor, span, kind, cells });
            }
        };
    walk(hay, from, to, (kinds, id_min), &mut form, &mut look);
    if let Some(han) = han {
        han::names(hay, (from, to), han, &mut form, &mut look);
    }
}

/// Calls `f` with every candidate of `kinds` anchored in `from..to` of
/// `hay`: its anchor, span, kind and [`tagged_form`] (built in `form`);
/// IDs only from words of at least `id_min` bytes (4 or more).
///
/// Emails are found from `@` to `@` (`memchr`). IDs, phone numbers and
/// names come from one pass over 64-byte blocks ([`Blocks`]) that marks
/// the first digit of every word and every space between a word that
/// begins with a capital and a capital; only those places are read byte
/// by byte. Candidates are not in order of position; those with the same
/// anchor come in the order of a walk by position (an ID before the phone
/// numbers of its word, a two-word name before the three-word one), so a
/// stable sort by anchor, as `find`'s caller does, gives that walk's list.
pub(crate) fn walk(
    hay: &[u8],
    from: usize,
    to: usize,
    (kinds, id_min): (Kinds, usize),
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
    if from >= to || !(ids || phones || names) {
        return;
    }
    let mut words = DigitWords::new(hay, from, to, (ids, phones), id_min);
    let mut links = NameLinks { from, to, last: None };
    // A word that begins before `from` is not anchored here, but a name
    // that begins before it may link to one that does.
    let before = from > 0 && is_word(hay[from - 1]);
    let mut blocks = Blocks::new(hay, from, before, names);
    // Digit words begin before `to`, so their first digit is within
    // MAX_WORD bytes of it; a name's first word begins before `to` and
    // its last link is within two words of it.
    let digit_stop = if ids || phones {
        hay.len().min(to.saturating_add(MAX_WORD))
    } else {
        from
    };
    let link_stop = if names {
        hay.len().min(to.saturating_add(2 * MAX_WORD + 2))
    } else {
        from
    };
    let mut digits = ids || phones;
    while let Some((at, marks)) = blocks.next(digits) {
        if at >= digit_stop {
            digits = false;
        }
        if at >= link_stop && !digits {
            break;
        }
        for q in bits(at, marks.first_digits) {
            if q >= digit_stop || !words.word(q, &marks, at, form, &mut f) {
                digits = false;
                break;
            }
        }
        for i in bits(at, marks.links) {
            // A link's capital must be in the text the names look at.
            if i + 1 >= link_stop {
                break;
            }
            links.link(hay, i, form, &mut f);
        }
    }
}

/// The positions of the set bits of `mask`, a block's marks at `at`.
fn bits(at: usize, mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let i = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            at + i
        })
    })
}

/// Bytes per block of [`Blocks`].
const BLOCK: usize = 64;

/// Calls `f` with the `N` bytes of `hay` from `at`, zeros past its end.
#[inline(always)]
pub(super) fn with_block<const N: usize, R>(
    hay: &[u8],
    at: usize,
    f: impl FnOnce(&[u8; N]) -> R,
) -> R {
    match hay.get(at..at + N) {
        Some(block) => f(block.try_into().expect("N bytes")),
        None => {
            let mut padded = [0u8; N];
            let rest = hay.get(at..).unwrap_or_default();
            padded[..rest.len()].copy_from_slice(rest);
            f(&padded)
        }
    }
}

/// All ones in the lanes of `v` below `n`, unsigned: `below(v - lo, n)`
/// tests `lo <= v < lo + n`.
#[inline(always)]
pub(super) fn below(v: u8x16, n: u8) -> u8x16 {
    v.min(u8x16::splat(n - 1)).simd_eq(v)
}

/// One bit per byte of a block (bit `i` for its byte `i`) for each class
/// of byte that the walk's marks are made of.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
struct Classes {
    digit: u64,
    /// [`is_word`].
    word: u64,
    upper: u64,
    space: u64,
}

impl Classes {
    /// The classes of the bytes of `hay` from `at`, up to [`BLOCK`] of
    /// them; bits past the end of `hay` are clear. Capitals and spaces
    /// only serve names: without `names` they are left clear.
    #[inline]
    fn of(hay: &[u8], at: usize, names: bool) -> Classes {
        with_block(hay, at, |block| Classes::of_block(block, names))
    }

    #[inline(always)]
    fn of_block(block: &[u8; BLOCK], names: bool) -> Classes {
        // Sixteen bytes at a time, with vector compares (`wide` picks
        // SSE2 or NEON, or plain code elsewhere).
        let splat = u8x16::splat;
        let mut c = Classes::default();
        for (k, chunk) in block.chunks_exact(16).enumerate() {
            let v = u8x16::from(<[u8; 16]>::try_from(chunk).expect("16"));
            let digit = below(v - splat(b'0'), 10);
            let letter = below((v | splat(0x20)) - splat(b'a'), 26);
            // `-` and `.` are adjacent.
            let punct = below(v - splat(b'-'), 2)
                | v.simd_eq(splat(b'_'))
                | v.simd_eq(splat(b'\''))
                | v.simd_eq(splat(b'+'));
            let bits = |m: u8x16| u64::from(m.to_bitmask()) << (16 * k);
            c.digit |= bits(digit);
            c.word |= bits(digit | letter | punct);
            if names {
                c.upper |= bits(below(v - splat(b'A'), 26));
                c.space |= bits(v.simd_eq(splat(b' ')));
            }
        }
        c
    }
}

/// A block's marks (bit `i` for its byte `i`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Marks {
    /// The first digit of each word that begins in or after the first
    /// block (words are runs of [`is_word`] bytes).
    first_digits: u64,
    /// Spaces followed by a capital and preceded by a word that begins
    /// with a capital: every link of [`NameLinks`] and a few more. The
    /// word before a space at the first block's start counts as such a
    /// word when `hay` has a word byte there.
    links: u64,
    /// The first and the last byte of each word (of the first block: its
    /// bytes from the block's start on); set when `first_digits` is.
    starts: u64,
    ends: u64,
}

/// The marks of `hay` from a position on, block by block. Words that
/// cross blocks are followed by carrying a bit from one block's sums to
/// the next, as in simdjson's string masks.
struct Blocks<'h> {
    hay: &'h [u8],
    at: usize,
    /// The classes of the block at `at`.
    next: Classes,
    /// Whether links are marked (and capitals and spaces classified).
    names: bool,
    /// The byte before `at` is a word byte.
    word_before: bool,
    /// The byte before `at` is in a word that begins with a capital.
    capital_before: bool,
    /// The carries of the two additions of `next` (the second only with
    /// `names`).
    digit_carry: bool,
    capital_carry: bool,
}

impl<'h> Blocks<'h> {
    /// Marks from `at`; `before` tells whether the byte before `at` is a
    /// word byte (the word it ends is taken to begin with a capital);
    /// links only with `names`.
    fn new(hay: &'h [u8], at: usize, before: bool, names: bool) -> Blocks<'h> {
        Blocks {
            hay,
            at,
            next: Classes::of(hay, at, names),
            names,
            word_before: before,
            capital_before: before,
            digit_carry: false,
            capital_carry: before,
        }
    }

    /// The next block's position and marks (first digits only with
    /// `digits`), or `None` past the end.
    fn next(&mut self, digits: bool) -> Option<(usize, Marks)> {
        let at = self.at;
        if at >= self.hay.len() {
            return None;
        }
        let c = self.next;
        self.next = Classes::of(self.hay, at + BLOCK, self.names);
        self.at = at + BLOCK;
        let starts = c.word & !(c.word << 1 | u64::from(self.word_before));
        self.word_before = c.word >> 63 == 1;
        let mut marks = Marks::default();
        if digits {
            // Adding a word's start bit to its non-digit bytes carries up
            // to its first digit, or past its end if it has none.
            let others = c.word & !c.digit;
            let (sum, a) = others.overflowing_add(starts);
            let (sum, b) = sum.overflowing_add(u64::from(self.digit_carry));
            self.digit_carry = a | b;
            marks.first_digits = sum & c.digit;
            marks.starts = starts;
            marks.ends = c.word & !(c.word >> 1 | (self.next.word & 1) << 63);
        }
        if self.names {
            // Adding the start bit of each word that begins with a capital
            // to the word bytes clears exactly those words' bytes.
            let (sum, a) = c.word.overflowing_add(starts & c.upper);
            let (sum, b) = sum.overflowing_add(u64::from(self.capital_carry));
            self.capital_carry = a | b;
            let capital = c.word & !sum;
            let after = c.upper >> 1 | (self.next.upper & 1) << 63;
            let before = capital << 1 | u64::from(self.capital_before);
            marks.links = c.space & before & after;
            self.capital_before = capital >> 63 == 1;
        }
        Some((at, marks))
    }
}

/// The IDs and phone numbers of [`walk`]: words of at most [`MAX_WORD`]
/// bytes that begin in `from..to` and hold a digit, each met at its first
/// digit.
struct DigitWords<'h> {
    hay: &'h [u8],
    to: usize,
    kinds: (bool, bool),
    /// The shortest word that may be an ID.
    id_min: usize,
    /// A word boundary at or before the next word.
    p: usize,
}

impl<'h> DigitWords<'h> {
    fn new(
        hay: &'h [u8],
        from: usize,
        to: usize,
        kinds: (bool, bool),
        id_min: usize,
    ) -> DigitWords<'h> {
        let mut p = from;
        // A word that began before `from` is not anchored here.
        while p > 0 && p < to && is_word(hay[p - 1]) {
            p += 1;
        }
        DigitWords { hay, to, kinds, id_min: id_min.max(4), p }
    }

    /// Reports the candidates of the word whose first digit is at `q`, in
    /// the block at `at` with `marks`; false when the word begins at or
    /// after `to`, so that no later one is anchored here either.
    fn word(
        &mut self,
        q: usize,
        marks: &Marks,
        at: usize,
        form: &mut Vec<u8>,
        f: &mut impl FnMut(usize, Span, ColumnKind, &[u8]),
    ) -> bool {
        let (hay, (ids, phones)) = (self.hay, self.kinds);
        // The word's first and last bytes from the marks when they are
        // in this block, else byte by byte.
        let k = q - at;
        let starts = marks.starts & (u64::MAX >> (63 - k));
        let s = if starts != 0 {
            at + 63 - starts.leading_zeros() as usize
        } else {
            word_start(hay, self.p, q)
        };
        if s >= self.to {
            return false;
        }
        let ends = marks.ends >> k;
        let end = if ends != 0 {
            q + ends.trailing_zeros() as usize + 1
        } else {
            q + hay[q..].iter().take_while(|&&b| is_word(b)).count()
        };
        self.p = end;
        if end - s > MAX_WORD {
            // Too long for any candidate.
            return true;
        }
        let word = &hay[s..end];
        if ids && word.len() >= self.id_min {
            // The ID's normal form: uppercase, without `-`, `_`, `.`;
            // none if the word holds a `'` or a `+`.
            form.clear();
            form.push(ColumnKind::Id as u8);
            let mut any = 0;
            for &b in word {
                let c = CLASS[b as usize];
                any |= c;
                if c & ID_DROP == 0 {
                    form.push(b.to_ascii_uppercase());
                }
            }
            if form.len() > 4 && any & ID_BAD == 0 {
                f(s, Span::new(s, end), ColumnKind::Id, form);
            }
        }
        // A phone number holds seven digits or more: a shorter word must
        // be followed by a gap and a word that may be part of one.
        if phones && (word.len() >= 7 || phone_word_follows(hay, end)) {
            phone_spans(hay, s, end, |span| {
                if tagged_form(ColumnKind::Phone, &hay[span], form) {
                    f(s, span, ColumnKind::Phone, form);
                }
            });
        }
        true
    }
}

/// A name word found by [`NameLinks`]: start, end, and end without a
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
/// `'`, `-`, `.`) and a capital, after a word that begins with a capital
/// ([`Marks::links`]); the words on each side are read there. A first
/// word starting before `to` ends within MAX_WORD bytes of it, and the
/// first of three within twice that, so links are looked for that far.
struct NameLinks {
    from: usize,
    to: usize,
    /// The last link found: its two words.
    last: Option<(NameWord, NameWord)>,
}

impl NameLinks {
    /// Reads the link at `i` (links come in order of position).
    fn link(
        &mut self,
        hay: &[u8],
        i: usize,
        form: &mut Vec<u8>,
        f: &mut impl FnMut(usize, Span, ColumnKind, &[u8]),
    ) {
        if i == 0 || CLASS[hay[i - 1] as usize] & NAME_END == 0 {
            return;
        }
        let mut emit = |start: usize, e: usize| {
            form.clear();
            form.push(ColumnKind::Name as u8);
            // A name's bytes are letters, `'`, `-`, `.` and spaces:
            // setting bit 5 lowercases the capitals and keeps the others.
            form.extend_from_slice(&hay[start..e]);
            for b in &mut form[1..] {
                *b |= 0x20;
            }
            f(start, Span::new(start, e), ColumnKind::Name, form);
        };
        // In a run of names, the word before this link was read as the
        // one after the last link.
        let a = match self.last {
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
        let anchored = self.from..self.to;
        if anchored.contains(&a.start) {
            emit(a.start, b.trimmed);
        }
        if let Some((x, m)) = self.last {
            if m.start == a.start
                && m.end == m.trimmed
                && anchored.contains(&x.start)
            {
                emit(x.start, b.trimmed);
            }
        }
        self.last = Some((a, b));
    }
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
    let ends = hay.get(we).is_none_or(|&b| !is_word(b));
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

/// True when the text at `end` holds a gap of one to three bytes of
/// [`phone_spans`] (` `, `(`, `)`) and then a byte that may begin a phone
/// word (a digit, `+`, `-`, `.`).
fn phone_word_follows(hay: &[u8], end: usize) -> bool {
    let gap = hay[end..]
        .iter()
        .take(3)
        .take_while(|&&b| matches!(b, b' ' | b'(' | b')'))
        .count();
    gap > 0
        && hay.get(end + gap).is_some_and(|&b| {
            b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.')
        })
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
        walk(hay, from, to, (kinds, 4), &mut form, |a, span, kind, form| {
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

    /// Every byte value at every place of a block, whole or cut short by
    /// the end of the text, gets the classes of a byte test.
    #[test]
    fn classes_are_the_byte_tests() {
        for b in 0..=255u8 {
            for place in 0..BLOCK {
                let mut hay = [b'#'; BLOCK + 3];
                hay[place + 1] = b;
                for len in [hay.len(), place + 2] {
                    let c = Classes::of(&hay[..len], 1, true);
                    let d = Classes::of(&hay[..len], 1, false);
                    assert_eq!((d.digit, d.word), (c.digit, c.word));
                    assert_eq!((d.upper, d.space), (0, 0));
                    let at = |m: u64| m >> place & 1 == 1;
                    assert_eq!(at(c.digit), b.is_ascii_digit(), "{b}");
                    assert_eq!(at(c.word), is_word(b), "{b}");
                    assert_eq!(at(c.upper), b.is_ascii_uppercase(), "{b}");
                    assert_eq!(at(c.space), b == b' ', "{b}");
                    // `#` is in no class, nor are the zeros past the end.
                    let others = !(1u64 << place);
                    let all = c.digit | c.word | c.upper | c.space;
                    assert_eq!(all & others, 0);
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 1000,
            ..Default::default()
        })]
        /// The marks of [`Blocks`] from any position: the first digit of
        /// every word that begins there or later, and the spaces between
        /// a word that begins with a capital and a capital, by a byte
        /// loop (a word cut by the start counts as beginning with one).
        #[test]
        fn marks_are_first_digits_and_capital_links(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    text("[A-Za-z0-9_.'+\\-]{1,90}"),
                    text("[ ,\n@]{1,3}"),
                    text(" [A-Z][a-z0-9]{0,5}"),
                ],
                0..60,
            ),
            from in 0usize..1000,
        ) {
            let text = parts.concat();
            let hay = text.as_bytes();
            let from = from.min(hay.len());
            let (mut digits, mut links) = (Vec::new(), Vec::new());
            let mut blocks = Blocks::new(hay, from, from > 0 && is_word(hay[from - 1]), true);
            while let Some((at, marks)) = blocks.next(true) {
                digits.extend(bits(at, marks.first_digits));
                links.extend(bits(at, marks.links));
            }
            // The start of the word holding `i`, or `from` if it began before.
            let start = |i: usize| {
                let s = word_start(hay, 0, i);
                if s < from { None } else { Some(s) }
            };
            let want_digits: Vec<usize> = (from..hay.len())
                .filter(|&i| {
                    hay[i].is_ascii_digit()
                        && start(i).is_some_and(|s| {
                            !hay[s..i].iter().any(u8::is_ascii_digit)
                        })
                })
                .collect();
            proptest::prop_assert_eq!(digits, want_digits);
            let want_links: Vec<usize> = (from..hay.len().saturating_sub(1))
                .filter(|&i| {
                    hay[i] == b' '
                        && hay[i + 1].is_ascii_uppercase()
                        && i > 0
                        && is_word(hay[i - 1])
                        && start(i - 1).is_none_or(|s| hay[s].is_ascii_uppercase())
                })
                .collect();
            proptest::prop_assert_eq!(links, want_links);
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

    /// Names of Han characters, from a table with a `姓名` column, in
    /// Chinese text that puts no space around them; through the file
    /// format, and found with the Latin name of another row.
    #[test]
    fn finds_han_names_in_running_text() {
        let csv = "客户编号,姓名,手机\n\
            C100001,王小明,13812345678\n\
            C100002,李娜,13987654321\n\
            C100003,欧阳晓峰,13700001111\n\
            C100004,王 伟,13700002222\n\
            C100005,Alice Johnson,13700003333\n";
        let key = FingerprintKey::from_bytes([6; 32]);
        let built = RecordsIndex::from_csv(csv.as_bytes(), &[], &key).unwrap();
        let idx = RecordsIndex::from_bytes(&built.to_bytes(), &key).unwrap();
        // The Latin name's length, and the Han names' (2, 3 and 4
        // characters), kept apart through the file.
        for i in [&built, &idx] {
            assert_eq!(i.lengths(ColumnKind::Name), length_bit(13));
            let han = i.han_first().expect("Han names").lengths();
            assert_eq!(han, length_bit(6) | length_bit(9) | length_bit(12));
        }
        let text = "请联系王小明，李娜也来了。欧阳晓峰说王伟不在；\
                    王小、张三和小明没来。Dear Alice Johnson, 王小明";
        let hay = text.as_bytes();
        let mut got = Vec::new();
        find(&idx, &idx.hasher(), hay, 0, hay.len(), |c| {
            let cells = idx.cells_in(c.cells);
            got.push((&text[c.span.start..c.span.end], c.kind, cells[0].0));
        });
        got.sort_by_key(|g| text.find(g.0));
        use ColumnKind::Name;
        assert_eq!(
            got,
            [
                ("王小明", Name, 0),
                ("王小明", Name, 0),
                ("李娜", Name, 1),
                ("欧阳晓峰", Name, 2),
                ("王伟", Name, 3),
                ("Alice Johnson", Name, 4),
            ]
        );
        // Anchored in the range only: the last name, then none.
        let last = text.rfind("王小明").unwrap();
        let mut n = 0;
        find(&idx, &idx.hasher(), hay, last, hay.len(), |_| n += 1);
        assert_eq!(n, 1);
        find(&idx, &idx.hasher(), hay, last + 1, hay.len(), |_| n += 1);
        assert_eq!(n, 1);
        // A table without Han names has no first characters to look for.
        assert!(index().han_first().is_none());
    }
}
