//! A language-agnostic, code-aware tokenizer with normalization.
//!
//! It knows no grammar, only what most languages share: identifiers,
//! numbers, quoted strings, `//`, `/* */` and `# ` comments, and punctuation.
//! Identifiers become one token kind (so renaming does not hide a copy), as
//! do strings (so changed messages do not either); numbers keep their
//! value but not their notation (`0x10` is `16u32`); a few
//! keywords reserved in nearly every language keep their own token, because
//! nobody can rename them and they give the structure its shape. Whitespace
//! and comments are dropped (so reformatting does not hide a copy), and so is
//! a trailing comma before a closing bracket, which formatters add and
//! remove.
//!
//! Every step looks at most [`LOOKAHEAD`] bytes past its start and one byte
//! before it, so a stream that holds that much back tokenizes exactly as a
//! buffer does: an unterminated comment or string is not a comment or
//! string (its opening byte is punctuation), which also keeps a stray `/*`
//! in a prompt from hiding the code after it.

/// Bytes a tokenizer step may look at past its start.
pub(crate) const LOOKAHEAD: usize = 4096;

/// Identifiers and numbers longer than this are cut into several tokens.
const MAX_WORD: usize = 256;
/// A quoted string must close within this many bytes.
const MAX_STRING: usize = 1024;

/// One token: where it is and its normalized value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// Offset of the first byte.
    pub(crate) start: usize,
    /// Offset one past the last byte.
    pub(crate) end: usize,
    /// The normalized token, hashed.
    pub(crate) value: u64,
    /// For identifiers, a hash of the name (0 for other tokens): k-grams
    /// encode which identifiers repeat, not what they are called.
    pub(crate) name: u64,
    /// The value with small numbers (below 256) made one class: what a
    /// row of a table keeps from row to row (see `winnow::Roller`).
    pub(crate) shape: u64,
}

/// What one tokenizer step found at `pos`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A token; the next step starts at its end.
    Token(Token),
    /// Whitespace, a comment or a dropped comma up to this offset.
    Skip(usize),
}

// Normalized values of the token classes. Arbitrary odd constants; they
// only need to differ from each other and from hashed punctuation/keywords.
pub(crate) const IDENT: u64 = 0x9e37_79b9_7f4a_7c15;
pub(crate) const NUMBER: u64 = 0xc2b2_ae3d_27d4_eb4f;
pub(crate) const STRING: u64 = 0x1656_67b1_9e37_79f9;

/// Keywords reserved in (nearly) every mainstream language, or in Rust and
/// not used as names elsewhere. Kept short on purpose: a word reserved in
/// one language but a common name in another (`new`, `class`, `this`,
/// `var`) would make renaming visible there (measured: regex-syntax names
/// variables `class`).
#[rustfmt::skip]
const KEYWORDS: &[&[u8]] = &[
    b"if", b"else", b"for", b"while", b"do", b"return", b"break",
    b"continue", b"struct", b"enum", b"fn", b"let", b"const", b"static",
    b"true", b"false", b"self", b"impl", b"pub", b"match", b"mut", b"use",
];

/// A 64-bit mix (splitmix64's finalizer).
pub(crate) fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn word_value(word: &[u8]) -> u64 {
    // FNV-1a, then mixed; only distinctness matters.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in word {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_ident(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit()
}

/// The end of the number starting at `pos` (a digit), at most `stop`:
/// hex, exponents, suffixes (`0x1F`, `1e-3` loses its sign, `10u32`),
/// digit separators, and a `.` only when a digit follows it, so that
/// `0..n` and `x.0.len()` keep their punctuation.
fn number_end(hay: &[u8], pos: usize, stop: usize) -> usize {
    let mut e = pos;
    while e < stop {
        let b = hay[e];
        if b.is_ascii_alphanumeric() || b == b'_' {
            e += 1;
        } else if b == b'.' && e + 1 < stop && hay[e + 1].is_ascii_digit() {
            e += 2;
        } else {
            break;
        }
    }
    e
}

/// A number's value, whatever its notation: `0x10`, `16`, `0o20`,
/// `1_6` and `16u32` are one token, `17` another. Renaming and
/// reformatting leave numbers alone, and in code that is mostly names and
/// numbers (constant tables, generated bindings) the numbers are what
/// tells one file from another, once names are normalized away.
fn number_value(text: &[u8]) -> (u64, u64) {
    let mut buf = [0u8; MAX_WORD];
    let mut n = 0;
    for &c in text {
        if c != b'_' {
            buf[n] = c.to_ascii_lowercase();
            n += 1;
        }
    }
    let mut t = &buf[..n];
    let (radix, digits) = match t {
        [b'0', b'x', rest @ ..] => (16, rest),
        [b'0', b'o', rest @ ..] => (8, rest),
        [b'0', b'b', rest @ ..] => (2, rest),
        _ => (10, t),
    };
    // Type suffixes (`u8` .. `u128`, `usize`, `i..`, and for decimals
    // `f32`/`f64`); hex digits cannot be told from an `f` suffix.
    let mut digits = digits;
    for suffix in [
        &b"usize"[..],
        b"isize",
        b"u128",
        b"i128",
        b"u64",
        b"i64",
        b"u32",
        b"i32",
        b"u16",
        b"i16",
        b"u8",
        b"i8",
        b"f32",
        b"f64",
    ] {
        if radix == 10 || suffix[0] != b'f' {
            if let Some(d) = digits.strip_suffix(suffix) {
                if !d.is_empty() {
                    digits = d;
                    break;
                }
            }
        }
    }
    let int = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| u128::from_str_radix(d, radix).ok());
    let mut dec = [0u8; 40];
    let small = int.is_some_and(|v| v < 256);
    if let Some(mut v) = int {
        // Decimal digits of the value, least significant first.
        let mut i = 0;
        loop {
            dec[i] = b'0' + (v % 10) as u8;
            i += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        t = &dec[..i];
    }
    let value = mix(NUMBER ^ word_value(t));
    (value, if small { NUMBER } else { value })
}

/// One tokenizer step at `pos` (`pos < hay.len()`).
///
/// The result depends only on `hay[pos - 1..pos + LOOKAHEAD]` (clipped to
/// the haystack), so a caller that keeps `LOOKAHEAD` bytes past `pos`
/// (or has the whole rest of the input) gets the same steps everywhere.
pub(crate) fn step(hay: &[u8], pos: usize) -> Step {
    let end = hay.len().min(pos + LOOKAHEAD);
    let b = hay[pos];
    let at = |i: usize| if i < end { hay[i] } else { 0 };
    if b.is_ascii_whitespace() {
        let n = hay[pos..end]
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .unwrap_or(end - pos);
        return Step::Skip(pos + n);
    }
    let stop = end.min(pos + MAX_WORD);
    // A word longer than MAX_WORD is cut; the rest is read as a new word,
    // the same way wherever the input is cut into rounds. (The rest is
    // not glued to the number before it: after an identifier such as
    // `v1`, `.len` would become a number and every renamed `v1.len()`
    // would differ from `x.len()`.)
    if b.is_ascii_digit() {
        let e = number_end(hay, pos, stop);
        let (value, shape) = number_value(&hay[pos..e]);
        return Step::Token(Token {
            start: pos,
            end: e,
            value,
            name: 0,
            shape,
        });
    }
    if is_ident_start(b) {
        let n = hay[pos..stop].iter().position(|&c| !is_ident(c));
        let t = Token {
            start: pos,
            end: pos + n.unwrap_or(stop - pos),
            value: IDENT,
            name: 0,
            shape: IDENT,
        };
        let text = &hay[t.start..t.end];
        return Step::Token(if text.len() <= 8 && KEYWORDS.contains(&text) {
            let v = word_value(text);
            Token { value: v, shape: v, ..t }
        } else {
            Token { value: IDENT, name: word_value(text) | 1, ..t }
        });
    }
    match (b, at(pos + 1)) {
        (b'/', b'/') | (b'#', b' ' | b'\t' | b'#') => {
            let n = memchr::memchr(b'\n', &hay[pos..end]).unwrap_or(end - pos);
            return Step::Skip(pos + n);
        }
        (b'/', b'*') => {
            if let Some(n) = memchr::memmem::find(&hay[pos + 2..end], b"*/") {
                return Step::Skip(pos + 2 + n + 2);
            }
        }
        (b'"' | b'`' | b'\'', _) => {
            // `"` and `'` strings end on their line (as in most languages;
            // `'` also starts Rust lifetimes and English apostrophes), so an
            // unpaired quote in prose or around a pasted snippet (a JSON
            // value) cannot swallow the code after it; backticks may span
            // lines (JavaScript templates, Go raw strings).
            if let Some(e) = close_quote(hay, pos, end, b != b'`') {
                return Step::Token(Token {
                    start: pos,
                    end: e,
                    value: STRING,
                    name: 0,
                    shape: STRING,
                });
            }
        }
        (b',', _) => {
            // A trailing comma: only whitespace before a closing bracket.
            let next = hay[pos + 1..end]
                .iter()
                .position(|c| !c.is_ascii_whitespace())
                .map(|i| hay[pos + 1 + i]);
            if matches!(next, Some(b')' | b']' | b'}')) {
                return Step::Skip(pos + 1);
            }
        }
        _ => {}
    }
    // Punctuation: one token per byte, so spacing inside operators cannot
    // matter. A UTF-8 character is an identifier byte run (>= 0x80).
    let value = word_value(&[b]);
    Step::Token(Token {
        start: pos,
        end: pos + 1,
        value,
        name: 0,
        shape: value,
    })
}

/// The end of the string opened by the quote at `pos`, if it closes within
/// [`MAX_STRING`] bytes (on the same line for `'`, which also starts Rust
/// lifetimes and English apostrophes, and for `"`).
fn close_quote(
    hay: &[u8],
    pos: usize,
    end: usize,
    one_line: bool,
) -> Option<usize> {
    let q = hay[pos];
    let stop = end.min(pos + MAX_STRING);
    let mut i = pos + 1;
    while i < stop {
        match hay[i] {
            b'\\' => i += 2,
            b'\n' if one_line => return None,
            c if c == q => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Calls `f` for every token of `hay`, in order.
pub(crate) fn tokens(hay: &[u8], mut f: impl FnMut(Token)) {
    let mut pos = 0;
    while pos < hay.len() {
        match step(hay, pos) {
            Step::Token(t) => {
                pos = t.end;
                f(t);
            }
            Step::Skip(next) => pos = next,
        }
    }
}

/// Checks the tokenizer's promises on `hay`, for the fuzz target
/// `tokenizer`: every step moves forward and stays in bounds, a token
/// starts where its step starts, and each step gives the same result when
/// it sees only `hay[pos - 1..pos + LOOKAHEAD]`, the locality the stream
/// relies on. Returns the first broken promise.
#[doc(hidden)]
pub fn check_tokenizer(hay: &[u8]) -> Result<usize, String> {
    let mut pos = 0;
    let mut count = 0;
    while pos < hay.len() {
        let lo = pos.saturating_sub(1);
        let hi = hay.len().min(pos + LOOKAHEAD);
        let whole = step(hay, pos);
        let local = match step(&hay[lo..hi], pos - lo) {
            Step::Token(t) => Step::Token(Token {
                start: t.start + lo,
                end: t.end + lo,
                ..t
            }),
            Step::Skip(n) => Step::Skip(n + lo),
        };
        if whole != local {
            return Err(format!("at {pos}: {whole:?} alone {local:?}"));
        }
        pos = match whole {
            Step::Token(t) if t.start == pos && pos < t.end && t.end <= hi => {
                count += 1;
                t.end
            }
            Step::Skip(n) if pos < n && n <= hi => n,
            other => return Err(format!("at {pos}: {other:?}")),
        };
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_promises_hold_on_code_and_junk() {
        for hay in [
            &b"fn main() { let v1 = x.len(); /* c */ \"s\\\"\" 0x1F }"[..],
            b"'unterminated \n /* open",
            b"\xff\x00\x80 // tail",
            b"",
        ] {
            check_tokenizer(hay).unwrap();
        }
        let long = "x".repeat(3 * LOOKAHEAD) + " \"" + &"y".repeat(2000);
        assert!(check_tokenizer(long.as_bytes()).unwrap() > 3);
    }

    fn values(s: &str) -> Vec<u64> {
        let mut v = Vec::new();
        tokens(s.as_bytes(), |t| v.push(t.value));
        v
    }

    #[test]
    fn renaming_literals_and_layout_do_not_change_tokens() {
        let a = "fn total(items: &[u32]) -> u32 {\n    // sum them\n    \
                 items.iter().sum::<u32>() + 42 // done\n}\n";
        let b = "fn   x9 (q:&[ T ])->T{ /* other\ncomment */ q . iter ( ) \
                 . sum :: < T > ( ) + 0x2a }";
        assert_eq!(values(a), values(b));
        assert_ne!(values(a), values(&a.replace("42", "7")));
        assert_eq!(values("1_000u32 0o17 0b1"), values("1000 15 1usize"));
        assert_eq!(values("x1.len() 0..n"), values("x.len() 0 .. n"));
        let c = "fn total(items: &[u32]) -> u32 { items.iter().sum() - 42 }";
        assert_ne!(values(a), values(c));
    }

    #[test]
    fn strings_comments_and_trailing_commas() {
        assert_eq!(values("f(\"a, b\", 'c')"), values("f(\"xyz\", 'd',)"));
        assert_eq!(values("call(a, b,\n)"), values("call(a, b)"));
        assert_eq!(values("x = 1 # note\ny"), values("x = 1\ny"));
        // Rust attributes and C preprocessor lines are code.
        assert_eq!(values("#[derive(Debug)]").len(), 7);
        // An unterminated comment or string hides nothing.
        assert_eq!(values("/* a b c").len(), 5);
        assert_eq!(values("\" a b").len(), 3);
        // Keywords are kept apart from identifiers.
        assert_ne!(values("if x"), values("iff x"));
    }

    #[test]
    fn spans_cover_the_source_in_order() {
        let src = "let s = \"héllo\"; // 注释\nlet n = 0x1F_u8;";
        let mut last = 0;
        let mut n = 0;
        tokens(src.as_bytes(), |t| {
            assert!(t.start >= last && t.end > t.start);
            last = t.end;
            n += 1;
        });
        assert_eq!(n, 10);
    }
}
