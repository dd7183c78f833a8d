//! JSON bodies: a decoded view of every string and number, scanned as text,
//! with each byte of the view mapped back to the raw body.
//!
//! The view holds one line per value: `"key": "decoded value"` for object
//! members, `"decoded value"` for array elements, numbers bare. Escapes are
//! decoded (`\n`, `\"`, `\uXXXX` with surrogate pairs), so an escaped
//! private key or token is scanned as the text it stands for, with its key
//! name beside it as context. A string that itself holds JSON (tool-call
//! `arguments`) is parsed again, up to [`MAX_LAYERS`] deep, and its values
//! take its place in the view.
//!
//! Each value and key is a [`Seg`]: a range of the view and, for every byte
//! of it, where its escape unit starts in the raw body. A finding in the view
//! maps to the raw bytes of every segment its secret touches, so redaction
//! replaces exactly those bytes, re-encoded for the string layers around
//! them, and the body stays valid JSON with the same structure. Bytes the
//! view adds (quotes, `": "`, newlines) belong to no segment.
//!
//! The parser is iterative (no recursion: any nesting depth parses in
//! bounded stack) and rejects what is not JSON, so the caller can fall back
//! to scanning the body as text.

/// How many JSON-in-string layers are parsed (the body is layer 0).
pub(crate) const MAX_LAYERS: u8 = 3;

/// String values under `"data"`, at least this long and made only of base64
/// characters, are binary attachments (images, PDFs) and are not scanned:
/// random base64 text would match entropy rules by chance, and redacting it
/// would corrupt the attachment.
pub(crate) const MIN_BLOB: usize = 1024;

/// What a segment is in the raw body, which decides how a replacement is
/// encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The inside of a string, `layers` string encodings deep (1 for a
    /// string of the body, 2 for a string inside a string, ...), or plain
    /// text (0 layers: replacements go in as they are).
    Str { layers: u8 },
    /// A number token, inside `layers` strings; redacting part of it turns
    /// the whole number into a string.
    Number { layers: u8 },
}

/// Where a stretch of a segment comes from: from segment byte `d` on, `n`
/// units of `dl` decoded bytes, each from `rl` raw bytes, the first starting
/// at raw offset `r`; after them, up to the next piece, bytes map one to
/// one. An escape is one unit (`\n` is 1/2, `\u00e9` 2/6), and a run of the
/// same kind (CJK text written as `\uXXXX`) one piece, so a body costs 12
/// bytes per run of escapes, not per byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    d: u32,
    r: u32,
    n: u16,
    dl: u8,
    rl: u8,
}

impl Piece {
    /// Segment offset where the units end and the one-to-one tail begins.
    fn units_end(&self) -> usize {
        self.d as usize + self.n as usize * self.dl as usize
    }

    /// Raw start of the unit holding segment byte `i` (at or after `d`).
    fn start(&self, i: usize) -> usize {
        let ue = self.units_end();
        if i < ue {
            self.r as usize
                + (i - self.d as usize) / self.dl as usize * self.rl as usize
        } else {
            self.r as usize + self.n as usize * self.rl as usize + (i - ue)
        }
    }

    /// Raw end of the unit holding segment byte `i`.
    fn end(&self, i: usize) -> usize {
        self.start(i) + if i < self.units_end() { self.rl as usize } else { 1 }
    }
}

/// Appends a piece to a segment's pieces (those from `first` on), merging
/// it into the last one when that one already maps it.
fn add_piece(table: &mut Vec<Piece>, first: usize, p: Piece) {
    if let Some(last) = table[first..].last_mut() {
        if p.n == 0 && last.start(p.d as usize) == p.r as usize {
            return;
        }
        if p.n > 0
            && (last.dl, last.rl) == (p.dl, p.rl)
            && last.units_end() == p.d as usize
            && last.start(p.d as usize) == p.r as usize
            && last.n.checked_add(p.n).is_some()
        {
            last.n += p.n;
            return;
        }
    }
    table.push(p);
}

/// One mapped range of the view. Offsets are 32-bit (bodies over 4 GiB are
/// not read as JSON), and a segment is small, since a body of many short
/// values has one per value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seg {
    /// Start of the segment in the view.
    pub(crate) start: u32,
    /// End of the segment in the view.
    pub(crate) end: u32,
    /// Raw offset one past the segment's last byte.
    pub(crate) raw_end: u32,
    /// Without pieces, byte `i` of the segment is raw byte `raw + i` (no
    /// escapes); with them, `raw` is the index of the first in the view's
    /// table.
    raw: u32,
    pieces: u32,
    pub(crate) kind: Kind,
}

impl Seg {
    /// The piece holding segment byte `i`, from `table`, the view's.
    fn piece(&self, table: &[Piece], i: usize) -> Piece {
        let mine = &table[self.raw as usize..][..self.pieces as usize];
        let k = mine.partition_point(|p| p.d as usize <= i);
        mine[k.max(1) - 1]
    }

    /// Raw offset where the unit holding segment byte `i` starts.
    pub(crate) fn raw_start(&self, table: &[Piece], i: usize) -> usize {
        if self.pieces == 0 {
            self.raw as usize + i
        } else if i >= self.len() {
            self.raw_end as usize
        } else {
            self.piece(table, i).start(i)
        }
    }

    /// Raw offset one past the unit holding segment byte `e - 1`.
    pub(crate) fn raw_end(&self, table: &[Piece], e: usize) -> usize {
        if self.pieces == 0 {
            self.raw as usize + e
        } else if e == 0 {
            self.raw_start(table, 0)
        } else {
            self.piece(table, e - 1).end(e - 1)
        }
    }

    /// Length in the view.
    pub(crate) fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// The segment's range in the view.
    pub(crate) fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// The decoded view of a body.
#[derive(Clone, Debug, Default)]
pub(crate) struct View {
    /// The text that is scanned.
    pub(crate) text: Vec<u8>,
    /// Mapped ranges of `text`, in order of both view and raw offsets.
    pub(crate) segs: Vec<Seg>,
    /// The pieces of the segments that have escapes.
    pub(crate) table: Vec<Piece>,
    /// Binary attachments left out of the view.
    pub(crate) skipped: usize,
    /// Bytes the view may use; past it the body is read as text instead.
    budget: usize,
}

/// The body is not JSON (or its view would cost more than its budget).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NotJson;

/// The view of a body may take this many times the body's size (plus a
/// little): bodies of many tiny values or dense escapes, whose view would be
/// many times larger, are read as text, so memory stays bounded. Ordinary
/// prompts (prose, pasted code) take about 1.5 times.
const BUDGET_FACTOR: usize = 4;

/// Where the bytes being parsed come from: the raw body, or the decoded
/// bytes of a string segment (with that segment's own pieces).
struct Source<'a> {
    bytes: &'a [u8],
    /// For decoded bytes: their segment (starting at 0 in `bytes` and at 0
    /// in `table`) and its pieces.
    seg: Option<(Seg, &'a [Piece])>,
    /// For the raw body: the offset of `bytes[0]`.
    base: usize,
    /// String layers around `bytes` (0 for the body).
    layers: u8,
}

impl Source<'_> {
    fn raw_start(&self, i: usize) -> usize {
        match self.seg {
            None => self.base + i,
            Some((s, t)) => s.raw_start(t, i),
        }
    }

    fn raw_end(&self, e: usize) -> usize {
        match self.seg {
            None => self.base + e,
            Some((s, t)) => s.raw_end(t, e),
        }
    }

    /// Adds pieces mapping source bytes `a..b`, which become segment bytes
    /// from `d` on, taken over unchanged (no escape of this layer).
    fn map_run(
        &self,
        table: &mut Vec<Piece>,
        first: usize,
        d: usize,
        a: usize,
        b: usize,
    ) {
        let same = |d: usize, r: usize| Piece {
            d: d as u32,
            r: r as u32,
            n: 0,
            dl: 1,
            rl: 1,
        };
        match self.seg {
            None => add_piece(table, first, same(d, self.base + a)),
            Some((s, _)) if s.pieces == 0 => {
                add_piece(table, first, same(d, s.raw as usize + a))
            }
            Some((s, t)) => {
                // Follow the source's own pieces.
                let mut x = a;
                while x < b {
                    let p = s.piece(t, x);
                    let at = d + x - a;
                    let ue = p.units_end();
                    if x < ue {
                        let to = ue.min(b);
                        let n = (to - x).div_ceil(p.dl as usize);
                        let r = p.start(x) as u32;
                        add_piece(
                            table,
                            first,
                            Piece { d: at as u32, r, n: n as u16, ..p },
                        );
                        x = to;
                    } else {
                        add_piece(table, first, same(at, p.start(x)));
                        x = t
                            .iter()
                            .map(|q| q.d as usize)
                            .find(|&qd| qd > x)
                            .map_or(b, |qd| qd.min(b));
                    }
                }
            }
        }
    }

    /// Adds the piece of one escape: source bytes `a..b` decoded to `n`
    /// bytes at segment byte `d`.
    fn map_unit(
        &self,
        table: &mut Vec<Piece>,
        first: usize,
        d: usize,
        (a, b): (usize, usize),
        n: usize,
    ) -> Result<(), NotJson> {
        let r = self.raw_start(a);
        let rl = u8::try_from(self.raw_end(b) - r).map_err(|_| NotJson)?;
        let p = Piece { d: d as u32, r: r as u32, n: 1, dl: n as u8, rl };
        add_piece(table, first, p);
        Ok(())
    }
}

impl View {
    /// Adds the JSON value `raw[range]` (one body, or one line of JSON
    /// lines) to the view.
    ///
    /// # Errors
    ///
    /// When the range does not hold exactly one JSON value, when the body is
    /// too large for 32-bit offsets, or when the view would grow past its
    /// budget; the view is then unchanged.
    pub(crate) fn add_json(
        &mut self,
        raw: &[u8],
        range: std::ops::Range<usize>,
    ) -> Result<(), NotJson> {
        if raw.len() >= u32::MAX as usize {
            return Err(NotJson);
        }
        self.budget = self.cost() + BUDGET_FACTOR * range.len() + (64 << 10);
        let src = Source {
            bytes: &raw[range.clone()],
            seg: None,
            base: range.start,
            layers: 0,
        };
        self.parse(&src)
    }

    /// Adds `raw[range]` as plain text.
    pub(crate) fn add_text(
        &mut self,
        raw: &[u8],
        range: std::ops::Range<usize>,
    ) {
        let start = self.text.len();
        self.text.extend_from_slice(&raw[range.clone()]);
        self.segs.push(Seg {
            start: start as u32,
            end: self.text.len() as u32,
            raw_end: range.end as u32,
            raw: range.start as u32,
            pieces: 0,
            kind: Kind::Str { layers: 0 },
        });
    }

    /// Bytes the view takes.
    pub(crate) fn cost(&self) -> usize {
        self.text.len()
            + self.segs.len() * std::mem::size_of::<Seg>()
            + self.table.len() * std::mem::size_of::<Piece>()
    }

    /// Raw offset where view segment `s`'s byte `i` starts.
    pub(crate) fn raw_start(&self, s: &Seg, i: usize) -> usize {
        s.raw_start(&self.table, i)
    }

    /// Raw offset one past view segment `s`'s byte `e - 1`.
    pub(crate) fn raw_end(&self, s: &Seg, e: usize) -> usize {
        s.raw_end(&self.table, e)
    }

    /// Parses one value from `src` into the view, rolling back on error.
    fn parse(&mut self, src: &Source<'_>) -> Result<(), NotJson> {
        let mark =
            (self.text.len(), self.segs.len(), self.table.len(), self.skipped);
        let r = Parser { src, pos: 0, view: self }.document();
        if r.is_err() {
            self.text.truncate(mark.0);
            self.segs.truncate(mark.1);
            self.table.truncate(mark.2);
            self.skipped = mark.3;
        }
        r
    }

    /// Adds a segment, failing when the view is over its budget.
    fn push(&mut self, seg: Seg) -> Result<(), NotJson> {
        self.segs.push(seg);
        if self.cost() > self.budget {
            return Err(NotJson);
        }
        Ok(())
    }
}

/// An open container.
enum Frame {
    Object,
    Array,
}

struct Parser<'p, 'a> {
    src: &'p Source<'a>,
    pos: usize,
    view: &'p mut View,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<u8> {
        self.src.bytes.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// One value and nothing but whitespace after it.
    fn document(&mut self) -> Result<(), NotJson> {
        let mut stack: Vec<Frame> = Vec::new();
        // Whether the value that comes next is an object member `"data"`.
        let mut data = false;
        loop {
            self.ws();
            match self.peek().ok_or(NotJson)? {
                open @ (b'{' | b'[') => {
                    self.pos += 1;
                    self.view.text.push(b'\n');
                    self.ws();
                    let (frame, close) = if open == b'{' {
                        (Frame::Object, b'}')
                    } else {
                        (Frame::Array, b']')
                    };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                    } else {
                        stack.push(frame);
                        if open == b'{' {
                            data = self.member_key()?;
                        }
                        continue;
                    }
                }
                b'"' => self.string_value(data)?,
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                    self.view.text.push(b'\n');
                }
                b => {
                    let lit: &[u8] = match b {
                        b't' => b"true",
                        b'f' => b"false",
                        b'n' => b"null",
                        _ => return Err(NotJson),
                    };
                    if !self.src.bytes[self.pos..].starts_with(lit) {
                        return Err(NotJson);
                    }
                    self.pos += lit.len();
                    self.view.text.push(b'\n');
                }
            }
            // After a value: close containers or go to the next element.
            loop {
                self.ws();
                let Some(frame) = stack.last() else {
                    return if self.pos == self.src.bytes.len() {
                        Ok(())
                    } else {
                        Err(NotJson)
                    };
                };
                let close = match frame {
                    Frame::Object => b'}',
                    Frame::Array => b']',
                };
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if let Some(Frame::Object) = stack.last() {
                            data = self.member_key()?;
                        } else {
                            data = false;
                        }
                        break;
                    }
                    Some(b) if b == close => {
                        self.pos += 1;
                        stack.pop();
                    }
                    _ => return Err(NotJson),
                }
            }
        }
    }

    /// `"key":` of an object member, written to the view as `"key": ` so
    /// the value that follows has its name beside it. Returns whether the
    /// key is `data`.
    fn member_key(&mut self) -> Result<bool, NotJson> {
        self.ws();
        if self.peek() != Some(b'"') {
            return Err(NotJson);
        }
        self.view.text.push(b'"');
        let seg = self.string()?;
        let data = &self.view.text[seg.range()] == b"data";
        self.view.push(seg)?;
        self.view.text.extend_from_slice(b"\": ");
        self.ws();
        if self.peek() != Some(b':') {
            return Err(NotJson);
        }
        self.pos += 1;
        Ok(data)
    }

    /// A string value: `"decoded"` and a newline in the view, or, when it
    /// holds JSON, that JSON's values; binary attachments are left out.
    fn string_value(&mut self, data: bool) -> Result<(), NotJson> {
        self.view.text.push(b'"');
        let seg = self.string()?;
        let value = &self.view.text[seg.range()];
        if is_blob(value, data) {
            self.view.text.truncate(seg.start as usize - 1);
            if seg.pieces > 0 {
                self.view.table.truncate(seg.raw as usize);
            }
            self.view.text.push(b'\n');
            self.view.skipped += 1;
            return Ok(());
        }
        let first = value.iter().find(|b| !b.is_ascii_whitespace());
        if matches!(first, Some(b'{' | b'['))
            && self.src.layers + 1 < MAX_LAYERS
        {
            // Parse it as JSON from a copy: the view grows while it parses.
            let bytes = self.view.text.split_off(seg.start as usize);
            let table = if seg.pieces > 0 {
                self.view.table.split_off(seg.raw as usize)
            } else {
                Vec::new()
            };
            let local = Seg {
                start: 0,
                end: seg.end - seg.start,
                raw: if seg.pieces > 0 { 0 } else { seg.raw },
                ..seg
            };
            let inner = Source {
                bytes: &bytes,
                seg: Some((local, &table)),
                base: 0,
                layers: self.src.layers + 1,
            };
            self.view.text.push(b'\n');
            if self.view.parse(&inner).is_ok() {
                return Ok(());
            }
            self.view.text.pop();
            self.view.text.extend_from_slice(&bytes);
            self.view.table.extend_from_slice(&table);
        }
        self.view.push(seg)?;
        self.view.text.extend_from_slice(b"\"\n");
        Ok(())
    }

    /// A number token, as its own segment.
    fn number(&mut self) -> Result<(), NotJson> {
        let start = self.pos;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') =
            self.peek()
        {
            self.pos += 1;
        }
        let token = &self.src.bytes[start..self.pos];
        if !valid_number(token) {
            return Err(NotJson);
        }
        let at = self.view.text.len();
        self.view.text.extend_from_slice(token);
        let (raw, pieces) = match self.src.seg {
            None => (self.src.base + start, 0),
            Some(_) => {
                let t = self.view.table.len();
                self.src.map_run(&mut self.view.table, t, 0, start, self.pos);
                (t, self.view.table.len() - t)
            }
        };
        self.view.push(Seg {
            start: at as u32,
            end: self.view.text.len() as u32,
            raw_end: self.src.raw_end(self.pos) as u32,
            raw: raw as u32,
            pieces: pieces as u32,
            kind: Kind::Number { layers: self.src.layers },
        })
    }

    /// Decodes the string at `pos` (its opening quote) onto the end of the
    /// view's text and returns its segment (not yet pushed).
    fn string(&mut self) -> Result<Seg, NotJson> {
        debug_assert_eq!(self.peek(), Some(b'"'));
        self.pos += 1;
        let content = self.pos;
        let start = self.view.text.len();
        let src = self.src;
        // Where this string's pieces start, once an escape has been seen or
        // from the start when the source is itself decoded.
        let mut table: Option<usize> =
            src.seg.is_some().then_some(self.view.table.len());
        let bytes = src.bytes;
        loop {
            let Some(n) = memchr::memchr2(b'"', b'\\', &bytes[self.pos..])
            else {
                return Err(NotJson);
            };
            let d = self.view.text.len() - start;
            self.view.text.extend_from_slice(&bytes[self.pos..self.pos + n]);
            if let Some(first) = table {
                src.map_run(
                    &mut self.view.table,
                    first,
                    d,
                    self.pos,
                    self.pos + n,
                );
            }
            self.pos += n;
            if bytes[self.pos] == b'"' {
                break;
            }
            // An escape: decode one unit.
            let unit = self.pos;
            let mut buf = [0; 4];
            let decoded = self.escape()?.encode_utf8(&mut buf).as_bytes();
            let first = *table.get_or_insert_with(|| {
                let first = self.view.table.len();
                src.map_run(&mut self.view.table, first, 0, content, unit);
                first
            });
            let d = self.view.text.len() - start;
            src.map_unit(
                &mut self.view.table,
                first,
                d,
                (unit, self.pos),
                decoded.len(),
            )?;
            self.view.text.extend_from_slice(decoded);
        }
        let first_raw = src.raw_start(content);
        let end_raw = src.raw_end(self.pos).max(first_raw);
        self.pos += 1;
        Ok(Seg {
            start: start as u32,
            end: self.view.text.len() as u32,
            raw_end: end_raw as u32,
            raw: table.unwrap_or(first_raw) as u32,
            pieces: table.map_or(0, |t| self.view.table.len() - t) as u32,
            kind: Kind::Str { layers: src.layers + 1 },
        })
    }

    /// Decodes the escape at `pos` (a backslash), moving past it.
    fn escape(&mut self) -> Result<char, NotJson> {
        let bytes = self.src.bytes;
        let b = *bytes.get(self.pos + 1).ok_or(NotJson)?;
        self.pos += 2;
        let c = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let hi = self.hex4()?;
                let c = if (0xd800..0xdc00).contains(&hi)
                    && bytes[self.pos..].starts_with(b"\\u")
                {
                    let save = self.pos;
                    self.pos += 2;
                    let lo = self.hex4()?;
                    if (0xdc00..0xe000).contains(&lo) {
                        0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                    } else {
                        // Not a pair: the second escape stands alone.
                        self.pos = save;
                        0xfffd
                    }
                } else {
                    hi
                };
                return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
            }
            _ => return Err(NotJson),
        };
        Ok(char::from(c))
    }

    fn hex4(&mut self) -> Result<u32, NotJson> {
        let digits =
            self.src.bytes.get(self.pos..self.pos + 4).ok_or(NotJson)?;
        let mut v = 0;
        for &d in digits {
            v = v * 16 + (d as char).to_digit(16).ok_or(NotJson)?;
        }
        self.pos += 4;
        Ok(v)
    }
}

/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
fn valid_number(t: &[u8]) -> bool {
    let digits = |t: &[u8], i: &mut usize| {
        let s = *i;
        while t.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > s
    };
    let mut i = usize::from(t.first() == Some(&b'-'));
    if t.get(i) == Some(&b'0') {
        i += 1;
    } else if !digits(t, &mut i) {
        return false;
    }
    if t.get(i) == Some(&b'.') {
        i += 1;
        if !digits(t, &mut i) {
            return false;
        }
    }
    if matches!(t.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(t.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(t, &mut i) {
            return false;
        }
    }
    i == t.len()
}

/// A binary attachment: a `data:` URL of a non-text type with base64
/// content, or a long base64 value of a `data` member (Anthropic images and
/// documents).
fn is_blob(value: &[u8], data_member: bool) -> bool {
    let b64 = |v: &[u8]| {
        v.iter().all(|&b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))
    };
    if let Some(rest) = value.strip_prefix(b"data:") {
        let Some(comma) = memchr::memchr(b',', rest) else {
            return false;
        };
        let head = &rest[..comma];
        return head.ends_with(b";base64")
            && !head.starts_with(b"text/")
            && !head.starts_with(b"application/json")
            && b64(&rest[comma + 1..]);
    }
    data_member && value.len() >= MIN_BLOB && b64(value)
}

/// JSON string escaping of `bytes` (without the quotes), `layers` times.
pub(crate) fn escape(bytes: &[u8], layers: u8) -> Vec<u8> {
    let mut cur = bytes.to_vec();
    for _ in 0..layers {
        let mut out = Vec::with_capacity(cur.len() + 2);
        for &b in &cur {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0..=0x1f | 0x7f => {
                    out.extend_from_slice(format!("\\u{b:04x}").as_bytes())
                }
                _ => out.push(b),
            }
        }
        cur = out;
    }
    cur
}
