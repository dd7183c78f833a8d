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

/// Where each byte of a segment comes from in the raw body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Map {
    /// Byte `i` of the segment is raw byte `shift + i` (no escapes).
    Shift(usize),
    /// Byte `i` of the segment belongs to the escape unit that starts at raw
    /// byte `table[i]`.
    Table(Vec<u32>),
}

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

/// One mapped range of the view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Seg {
    /// Start of the segment in the view.
    pub(crate) start: usize,
    /// End of the segment in the view.
    pub(crate) end: usize,
    /// Raw offset one past the segment's last byte.
    pub(crate) raw_end: usize,
    pub(crate) map: Map,
    pub(crate) kind: Kind,
}

impl Seg {
    /// Raw offset where the unit holding segment byte `i` starts.
    pub(crate) fn raw_start(&self, i: usize) -> usize {
        match &self.map {
            Map::Shift(s) => s + i,
            Map::Table(t) => t.get(i).map_or(self.raw_end, |&r| r as usize),
        }
    }

    /// Raw offset one past the unit holding segment byte `e - 1`.
    pub(crate) fn raw_end(&self, e: usize) -> usize {
        match &self.map {
            Map::Shift(s) => s + e,
            Map::Table(t) => {
                if e == 0 {
                    return self.raw_start(0);
                }
                let unit = t[e - 1];
                t[e..]
                    .iter()
                    .find(|&&r| r != unit)
                    .map_or(self.raw_end, |&r| r as usize)
            }
        }
    }

    /// Raw start of the segment.
    pub(crate) fn raw_first(&self) -> usize {
        self.raw_start(0)
    }
}

/// The decoded view of a body.
#[derive(Clone, Debug, Default)]
pub(crate) struct View {
    /// The text that is scanned.
    pub(crate) text: Vec<u8>,
    /// Mapped ranges of `text`, in order of both view and raw offsets.
    pub(crate) segs: Vec<Seg>,
    /// Binary attachments left out of the view.
    pub(crate) skipped: usize,
}

/// The body is not JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NotJson;

/// Where the bytes being parsed come from: the raw body itself, or the
/// decoded bytes of a string segment.
struct Source<'a> {
    bytes: &'a [u8],
    /// `None`: `bytes` is a slice of the raw body starting at `base`.
    seg: Option<&'a Seg>,
    base: usize,
    /// String layers around `bytes` (0 for the body).
    layers: u8,
}

impl Source<'_> {
    fn raw_start(&self, i: usize) -> usize {
        match self.seg {
            None => self.base + i,
            Some(s) => s.raw_start(i),
        }
    }

    fn raw_end(&self, e: usize) -> usize {
        match self.seg {
            None => self.base + e,
            Some(s) => s.raw_end(e),
        }
    }
}

impl View {
    /// Adds the JSON value `raw[range]` (one body, or one line of JSON
    /// lines) to the view.
    ///
    /// # Errors
    ///
    /// When the range does not hold exactly one JSON value, or the body is
    /// too large for 32-bit offsets; the view is then unchanged.
    pub(crate) fn add_json(
        &mut self,
        raw: &[u8],
        range: std::ops::Range<usize>,
    ) -> Result<(), NotJson> {
        if raw.len() > u32::MAX as usize {
            return Err(NotJson);
        }
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
            start,
            end: start + range.len(),
            raw_end: range.end,
            map: Map::Shift(range.start),
            kind: Kind::Str { layers: 0 },
        });
    }

    /// Parses one value from `src` into the view, rolling back on error.
    fn parse(&mut self, src: &Source<'_>) -> Result<(), NotJson> {
        let (text, segs, skipped) =
            (self.text.len(), self.segs.len(), self.skipped);
        let r = Parser { src, pos: 0, view: self }.document();
        if r.is_err() {
            self.text.truncate(text);
            self.segs.truncate(segs);
            self.skipped = skipped;
        }
        r
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
        let data = &self.view.text[seg.start..seg.end] == b"data";
        self.view.segs.push(seg);
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
        let mut seg = self.string()?;
        let value = &self.view.text[seg.start..seg.end];
        if is_blob(value, data) {
            self.view.text.truncate(seg.start - 1);
            self.view.text.push(b'\n');
            self.view.skipped += 1;
            return Ok(());
        }
        let first = value.iter().find(|b| !b.is_ascii_whitespace());
        if matches!(first, Some(b'{' | b'['))
            && self.src.layers + 1 < MAX_LAYERS
        {
            // Parse it as JSON from a copy: the view grows while it parses.
            let bytes = self.view.text.split_off(seg.start);
            let start = seg.start;
            seg.start = 0;
            seg.end = bytes.len();
            let inner = Source {
                bytes: &bytes,
                seg: Some(&seg),
                base: 0,
                layers: self.src.layers + 1,
            };
            self.view.text.push(b'\n');
            if self.view.parse(&inner).is_ok() {
                return Ok(());
            }
            self.view.text.pop();
            self.view.text.extend_from_slice(&bytes);
            seg.start = start;
            seg.end = start + bytes.len();
        }
        self.view.segs.push(seg);
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
        let map = match self.src.seg {
            None => Map::Shift(self.src.base + start),
            Some(s) => Map::Table(
                (start..self.pos).map(|i| s.raw_start(i) as u32).collect(),
            ),
        };
        self.view.segs.push(Seg {
            start: at,
            end: at + token.len(),
            raw_end: self.src.raw_end(self.pos),
            map,
            kind: Kind::Number { layers: self.src.layers },
        });
        Ok(())
    }

    /// Decodes the string at `pos` (its opening quote) onto the end of the
    /// view's text and returns its segment (not yet pushed).
    fn string(&mut self) -> Result<Seg, NotJson> {
        debug_assert_eq!(self.peek(), Some(b'"'));
        self.pos += 1;
        let content = self.pos;
        let start = self.view.text.len();
        // Raw starts of each decoded byte, once an escape has been seen or
        // when the source is itself decoded.
        let mut table: Option<Vec<u32>> = None;
        if self.src.seg.is_some() {
            table = Some(Vec::new());
        }
        let bytes = self.src.bytes;
        loop {
            let Some(n) = memchr::memchr2(b'"', b'\\', &bytes[self.pos..])
            else {
                return Err(NotJson);
            };
            let run = self.pos..self.pos + n;
            self.view.text.extend_from_slice(&bytes[run.clone()]);
            if let Some(t) = table.as_mut() {
                t.extend(run.map(|i| self.src.raw_start(i) as u32));
            }
            self.pos += n;
            if bytes[self.pos] == b'"' {
                break;
            }
            // An escape: decode one unit.
            let unit = self.pos;
            let decoded = self.escape()?;
            let t = table.get_or_insert_with(|| {
                (content..unit).map(|i| self.src.raw_start(i) as u32).collect()
            });
            let raw = self.src.raw_start(unit) as u32;
            t.extend(std::iter::repeat(raw).take(decoded.len()));
            self.view.text.extend_from_slice(&decoded);
        }
        let end_raw = self.src.raw_end(self.pos);
        let first_raw = self.src.raw_start(content);
        self.pos += 1;
        Ok(Seg {
            start,
            end: self.view.text.len(),
            raw_end: end_raw.max(first_raw),
            map: match table {
                Some(t) => Map::Table(t),
                None => Map::Shift(first_raw),
            },
            kind: Kind::Str { layers: self.src.layers + 1 },
        })
    }

    /// Decodes the escape at `pos` (a backslash), moving past it.
    fn escape(&mut self) -> Result<Vec<u8>, NotJson> {
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
                let c = char::from_u32(c).unwrap_or('\u{fffd}');
                return Ok(c.to_string().into_bytes());
            }
            _ => return Err(NotJson),
        };
        Ok(vec![c])
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
