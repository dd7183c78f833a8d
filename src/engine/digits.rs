//! The shared prefilter of rules without keywords: runs of digits.
//!
//! Cards, resident IDs, phones and IBANs have no literal to look for, but
//! they all hold a run of digits. One pass finds maximal runs of ASCII
//! digits in which a single ` `, `-` or `.` may sit between two digits
//! (`4111 1111 1111 1111`, `123-45-6789`), and every digit rule whose
//! `min_digits` the run reaches is tried around it. This replaces one regex
//! pass per rule with one byte loop for all of them.

use std::ops::Range;

use crate::{finding::Span, swar::find_digit};

/// Runs longer than this are not candidates: no rule's number is this long,
/// and the bound keeps the streaming hold-back finite.
pub(crate) const MAX_RUN_LEN: usize = 96;

fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.')
}

/// An iterator over the digit runs that start in a range of a haystack.
pub(crate) struct DigitRuns<'h> {
    hay: &'h [u8],
    pos: usize,
    end: usize,
    min_digits: usize,
}

impl<'h> DigitRuns<'h> {
    /// Runs with at least `min_digits` digits starting in `range`. Bytes
    /// before `range.start` decide whether a run there really starts there.
    pub(crate) fn new(
        hay: &'h [u8],
        range: Range<usize>,
        min_digits: usize,
    ) -> DigitRuns<'h> {
        let mut pos = range.start;
        // A run that began before the range belongs to an earlier call:
        // skip its tail.
        if pos > 0 && pos < hay.len() && continues_run(hay, pos) {
            pos = skip_run(hay, pos).0;
        }
        DigitRuns { hay, pos, end: range.end.min(hay.len()), min_digits }
    }
}

/// True when position `pos` (holding a digit or separator) continues a run
/// that started before it.
fn continues_run(hay: &[u8], pos: usize) -> bool {
    let prev = hay[pos - 1];
    let cur = hay[pos];
    if prev.is_ascii_digit() {
        return cur.is_ascii_digit()
            || (is_sep(cur)
                && hay.get(pos + 1).is_some_and(u8::is_ascii_digit));
    }
    // A separator before us continues a run only between two digits.
    cur.is_ascii_digit()
        && is_sep(prev)
        && pos >= 2
        && hay[pos - 2].is_ascii_digit()
}

/// From a position inside a run, returns (end of the run, digits seen).
fn skip_run(hay: &[u8], mut pos: usize) -> (usize, usize) {
    let mut digits = 0;
    while pos < hay.len() {
        let b = hay[pos];
        if b.is_ascii_digit() {
            digits += 1;
            pos += 1;
        } else if is_sep(b)
            && pos > 0
            && hay[pos - 1].is_ascii_digit()
            && hay.get(pos + 1).is_some_and(u8::is_ascii_digit)
        {
            pos += 1;
        } else {
            break;
        }
    }
    (pos, digits)
}

impl Iterator for DigitRuns<'_> {
    /// The run and its digit count.
    type Item = (Span, usize);

    fn next(&mut self) -> Option<(Span, usize)> {
        let hay = self.hay;
        while self.pos < self.end {
            // Find the next digit; digit-free text is the common case.
            let off = find_digit(&hay[self.pos..self.end])?;
            let start = self.pos + off;
            let (end, digits) = skip_run(hay, start);
            self.pos = end;
            if digits >= self.min_digits && end - start <= MAX_RUN_LEN {
                return Some((Span::new(start, end), digits));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(hay: &str, range: Range<usize>, min: usize) -> Vec<&str> {
        DigitRuns::new(hay.as_bytes(), range, min)
            .map(|(s, _)| &hay[s.start..s.end])
            .collect()
    }

    #[test]
    fn find_digit_agrees_with_a_byte_loop() {
        let mut bytes: Vec<u8> = (0..=255).collect();
        bytes.extend(b"abcdefghijklmnop/:9");
        for start in 0..bytes.len() {
            for end in start..bytes.len().min(start + 40) {
                let s = &bytes[start..end];
                assert_eq!(
                    find_digit(s),
                    s.iter().position(u8::is_ascii_digit),
                    "{s:?}"
                );
            }
        }
        // Digits among high bytes and after every offset in a word.
        for i in 0..24 {
            let mut s = vec![0xffu8; 24];
            s[i] = b'0' + (i % 10) as u8;
            assert_eq!(find_digit(&s), Some(i));
            s[i] = b'/';
            assert_eq!(find_digit(&s), None);
        }
    }

    #[test]
    fn finds_runs_with_single_separators() {
        let h = "card 4111 1111 1111 1111, ssn 123-45-6789; v1.2 x 12  34";
        assert_eq!(
            runs(h, 0..h.len(), 1),
            ["4111 1111 1111 1111", "123-45-6789", "1.2", "12", "34"]
        );
        assert_eq!(
            runs(h, 0..h.len(), 9),
            ["4111 1111 1111 1111", "123-45-6789"]
        );
    }

    #[test]
    fn next_to_chinese_text() {
        let h = "手机号13812345678谢谢";
        assert_eq!(runs(h, 0..h.len(), 6), ["13812345678"]);
    }

    #[test]
    fn a_run_belongs_to_the_range_where_it_starts() {
        let h = "ab 123456 cd";
        // Starting inside the run: not reported.
        assert!(runs(h, 5..h.len(), 1).is_empty());
        assert!(runs(h, 7..h.len(), 1).is_empty());
        // Range ending right after the run start: reported whole.
        assert_eq!(runs(h, 0..4, 1), ["123456"]);
        // Separator case: "12-34", range starts at '3'.
        let h = "12-34, 5";
        assert_eq!(runs(h, 3..h.len(), 1), ["5"]);
        assert_eq!(runs(h, 2..h.len(), 1), ["5"]);
    }

    #[test]
    fn overlong_runs_are_skipped_whole() {
        let long = "7".repeat(MAX_RUN_LEN + 1);
        let h = format!("{long} 1 x 123456");
        assert_eq!(runs(&h, 0..h.len(), 6), ["123456"]);
        assert!(runs(&h, 0..h.len(), 1).iter().all(|r| r.len() < 10));
    }

    #[test]
    fn every_split_point_gives_the_same_runs() {
        let h = "x 12 345-678.9 1 22 33333 4-4 end 9";
        let whole = runs(h, 0..h.len(), 1);
        for cut in 0..=h.len() {
            let mut parts = runs(h, 0..cut, 1);
            parts.extend(runs(h, cut..h.len(), 1));
            assert_eq!(parts, whole, "cut at {cut}");
        }
    }
}
