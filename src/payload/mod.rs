//! Payloads: the request bodies AI tools send, scanned as what they mean.
//!
//! An [`Inspector`] scans a body as text, JSON or JSON lines and returns an
//! [`Inspection`]: findings with byte spans of the raw body, and the body
//! with every finding that must not leave redacted. For JSON, every string is
//! scanned decoded, with its key name as context, and JSON held inside a
//! string (tool-call `arguments`) is parsed too; replacements are re-encoded
//! for the string they land in, so a valid body stays valid JSON with the
//! same structure. A body that claims to be JSON but is not is scanned as
//! JSON lines, and lines that are not JSON as text: nothing is left out
//! except binary attachments (base64 images and documents), which are
//! counted in [`Inspection::skipped`].
//!
//! ```
//! use leakguard::{payload::{Format, Inspector}, RedactStyle, RuleSet, Scanner};
//!
//! let scanner = Scanner::new(&RuleSet::builtin()).unwrap();
//! let body = br#"{"messages":[{"role":"user","content":"key:\nAKIAZ3MSJV4WWNKWW5FG"}]}"#;
//! let inspection = Inspector::new(&scanner, RedactStyle::Placeholder)
//!     .inspect(Format::Json, body, &mut scanner.scratch());
//! assert_eq!(inspection.findings()[0].rule_id(), "aws-access-key-id");
//! let out: serde_json::Value =
//!     serde_json::from_slice(inspection.redacted().unwrap()).unwrap();
//! assert_eq!(
//!     out["messages"][0]["content"],
//!     "key:\n[REDACTED:aws-access-key-id:1]"
//! );
//! ```

pub(crate) mod diff;
mod json;
pub(crate) mod restore;

use std::{collections::HashMap, fmt, ops::Range};

use crate::{
    finding::{Action, Finding, Span},
    redact::{group_order, groups, RedactStyle, Redactor},
    scan::{order, LinePos, Scanner, Scratch},
};
use json::{escape, Kind, View};

/// How a body is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Bytes as they are.
    Text,
    /// One JSON value; if it is not JSON, read as [`Format::Jsonl`].
    Json,
    /// One JSON value per line; lines that are not JSON are read as text.
    Jsonl,
}

impl Format {
    /// `Json` when the first byte that is not whitespace opens an object or
    /// an array, else `Text`.
    pub fn sniff(body: &[u8]) -> Format {
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{' | b'[') => Format::Json,
            _ => Format::Text,
        }
    }
}

/// An LLM API request kind, known by its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// OpenAI `/v1/chat/completions`.
    OpenAiChat,
    /// OpenAI `/v1/completions`.
    OpenAiCompletions,
    /// OpenAI `/v1/responses`.
    OpenAiResponses,
    /// OpenAI `/v1/embeddings`.
    OpenAiEmbeddings,
    /// Anthropic `/v1/messages` (and `/v1/messages/count_tokens`).
    AnthropicMessages,
    /// Anything else.
    Other,
}

/// Whose API a request is for, which decides the shape of error answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// OpenAI and the many APIs compatible with it.
    OpenAi,
    /// Anthropic.
    Anthropic,
    /// Not known from the path.
    Unknown,
}

impl Api {
    /// The kind of request at `path` (a query string is ignored; a prefix
    /// such as `/openai` before `/v1` is allowed).
    pub fn from_path(path: &str) -> Api {
        let path = path.split('?').next().unwrap_or("").trim_end_matches('/');
        let ends = |s: &str| path.ends_with(s);
        if ends("/chat/completions") {
            Api::OpenAiChat
        } else if ends("/completions") {
            Api::OpenAiCompletions
        } else if ends("/responses") {
            Api::OpenAiResponses
        } else if ends("/embeddings") {
            Api::OpenAiEmbeddings
        } else if ends("/messages") || ends("/messages/count_tokens") {
            Api::AnthropicMessages
        } else {
            Api::Other
        }
    }

    /// The provider whose error shape callers of this API expect.
    pub fn provider(self) -> Provider {
        match self {
            Api::OpenAiChat
            | Api::OpenAiCompletions
            | Api::OpenAiResponses
            | Api::OpenAiEmbeddings => Provider::OpenAi,
            Api::AnthropicMessages => Provider::Anthropic,
            Api::Other => Provider::Unknown,
        }
    }
}

/// Placeholders written into one body and the values they replaced, so a
/// response that echoes a placeholder can be given the original back.
///
/// Built per body, never shared: each placeholder stands for one value and
/// each value gets one placeholder. `Debug` shows placeholders only.
#[derive(Clone, Default)]
pub struct RestoreTable {
    map: HashMap<String, Vec<u8>>,
}

impl RestoreTable {
    /// True when nothing was replaced by a placeholder.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Number of placeholders.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// The original value of `placeholder`.
    pub fn get(&self, placeholder: &[u8]) -> Option<&[u8]> {
        let p = std::str::from_utf8(placeholder).ok()?;
        self.map.get(p).map(Vec::as_slice)
    }

    /// Every placeholder and its original value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    fn insert(&mut self, placeholder: String, original: &[u8]) {
        self.map.entry(placeholder).or_insert_with(|| original.to_vec());
    }
}

impl fmt::Debug for RestoreTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&String> = self.map.keys().collect();
        keys.sort();
        f.debug_struct("RestoreTable").field("placeholders", &keys).finish()
    }
}

/// Scans bodies with one scanner and one redaction style.
#[derive(Clone, Debug)]
pub struct Inspector<'s> {
    scanner: &'s Scanner,
    style: RedactStyle,
    restorable: bool,
}

/// What an [`Inspector`] found in one body.
#[derive(Clone, Debug)]
pub struct Inspection {
    format: Format,
    findings: Vec<Finding>,
    redacted: Option<Vec<u8>>,
    restore: RestoreTable,
    skipped: usize,
}

impl Inspection {
    /// Findings in order, with byte spans of the raw body and line numbers
    /// of the raw body. Preview and fingerprint are those of the decoded
    /// value.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The findings, taken out of the inspection.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// True when any finding's action is [`Action::Block`].
    pub fn blocked(&self) -> bool {
        self.findings.iter().any(|f| f.action() == Action::Block)
    }

    /// The body with every finding whose action is redact or block
    /// replaced; `None` when there was none.
    pub fn redacted(&self) -> Option<&[u8]> {
        self.redacted.as_deref()
    }

    /// Placeholders and the values they replaced; empty unless the
    /// inspector was [`restorable`](Inspector::restorable).
    pub fn restore_table(&self) -> &RestoreTable {
        &self.restore
    }

    /// How the body was read: `Json` falls back to `Jsonl` when the body is
    /// not one JSON value.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Binary attachments (base64 `data:` URLs, long base64 `data` members)
    /// that were not scanned.
    pub fn skipped(&self) -> usize {
        self.skipped
    }
}

/// Where a group's replacement goes: segment, range within it, and the
/// replacement (`None`: the range is removed, its group's text went into
/// an earlier piece).
struct Piece {
    seg: usize,
    range: Range<usize>,
    text: Option<Vec<u8>>,
}

impl<'s> Inspector<'s> {
    /// An inspector redacting in `style`.
    pub fn new(scanner: &'s Scanner, style: RedactStyle) -> Inspector<'s> {
        Inspector { scanner, style, restorable: false }
    }

    /// Keep, per body, a table from each placeholder to the value it
    /// replaced (for restoring placeholders a model echoes back).
    pub fn restorable(&mut self, yes: bool) -> &mut Self {
        self.restorable = yes;
        self
    }

    /// Scans `body` read as `format`.
    pub fn inspect(
        &self,
        format: Format,
        body: &[u8],
        scratch: &mut Scratch,
    ) -> Inspection {
        let mut view = View::default();
        let format = match format {
            Format::Text => {
                view.add_text(body, 0..body.len());
                Format::Text
            }
            Format::Json if view.add_json(body, 0..body.len()).is_ok() => {
                Format::Json
            }
            Format::Json | Format::Jsonl => {
                jsonl(&mut view, body);
                Format::Jsonl
            }
        };
        let mut found = Vec::new();
        let mut redactor = Redactor::new(self.style);
        let mut restore = RestoreTable::default();
        self.scanner.scan_with(scratch, &view.text, &mut found);
        let redacted = found.iter().any(Redactor::applies_to).then(|| {
            self.rewrite(&view, body, &found, &mut redactor, &mut restore)
        });
        let findings = to_raw(&view, body, found);
        Inspection {
            format,
            findings,
            redacted,
            restore,
            skipped: view.skipped,
        }
    }

    /// The raw body with every group of overlapping secrets replaced,
    /// encoded for the string (or number) each piece lands in.
    fn rewrite(
        &self,
        view: &View,
        raw: &[u8],
        found: &[Finding],
        redactor: &mut Redactor,
        restore: &mut RestoreTable,
    ) -> Vec<u8> {
        let mut queue: Vec<&Finding> =
            found.iter().filter(|f| Redactor::applies_to(f)).collect();
        queue.sort_by(|a, b| group_order(a, b));
        let mut pieces: Vec<Piece> = Vec::new();
        for (span, first) in groups(&queue, usize::MAX, 0).0 {
            let text =
                redactor.replacement(first, &view.text[..][first.secret]);
            let parts = pieces_of(view, span);
            if self.restorable
                && self.style != RedactStyle::Mask
                && parts.len() == 1
            {
                restore.insert(text.clone(), &view.text[span.start..span.end]);
            }
            let mut text = Some(text.into_bytes());
            for (seg, range) in parts {
                pieces.push(Piece { seg, range, text: text.take() });
            }
        }
        let mut edits: Vec<(Range<usize>, Vec<u8>)> = Vec::new();
        let mut i = 0;
        while i < pieces.len() {
            let seg = &view.segs[pieces[i].seg];
            let mut j = i + 1;
            while j < pieces.len() && pieces[j].seg == pieces[i].seg {
                j += 1;
            }
            match seg.kind {
                Kind::Number { layers } => {
                    // The whole number becomes a string.
                    let mut text = view.text[seg.range()].to_vec();
                    for p in pieces[i..j].iter().rev() {
                        let with = p.text.clone().unwrap_or_default();
                        text.splice(p.range.clone(), with);
                    }
                    let mut quoted = b"\"".to_vec();
                    quoted.extend(escape(&text, 1));
                    quoted.push(b'"');
                    edits.push((
                        view.raw_start(seg, 0)..seg.raw_end as usize,
                        escape(&quoted, layers),
                    ));
                }
                Kind::Str { layers } => {
                    for p in &pieces[i..j] {
                        let with = p.text.as_deref().unwrap_or_default();
                        edits.push((
                            view.raw_start(seg, p.range.start)
                                ..view.raw_end(seg, p.range.end),
                            escape(with, layers),
                        ));
                    }
                }
            }
            i = j;
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut pos = 0;
        for (range, with) in edits {
            let start = range.start.max(pos);
            out.extend_from_slice(&raw[pos..start]);
            out.extend_from_slice(&with);
            pos = range.end.max(start);
        }
        out.extend_from_slice(&raw[pos..]);
        out
    }
}

/// Reads each line as JSON, or as text when it is not.
fn jsonl(view: &mut View, body: &[u8]) {
    let mut start = 0;
    while start < body.len() {
        let end = memchr::memchr(b'\n', &body[start..])
            .map_or(body.len(), |n| start + n + 1);
        let line = start..end;
        let content = body[line.clone()].trim_ascii();
        if content.is_empty() || view.add_json(body, line.clone()).is_err() {
            view.add_text(body, line);
        } else {
            view.text.push(b'\n');
        }
        start = end;
    }
}

/// The parts of segments that view span `span` covers: segment index and
/// range within the segment.
fn pieces_of(view: &View, span: Span) -> Vec<(usize, Range<usize>)> {
    let first = view.segs.partition_point(|s| s.end as usize <= span.start);
    view.segs[first..]
        .iter()
        .enumerate()
        .take_while(|(_, s)| (s.start as usize) < span.end)
        .filter_map(|(i, s)| {
            let r = s.range();
            let a = span.start.max(r.start) - r.start;
            let b = span.end.min(r.end) - r.start;
            (a < b).then_some((first + i, a..b))
        })
        .collect()
}

/// The raw range that view span `span` maps to (from its first to its last
/// segment piece), or `None` when it touches no segment.
fn raw_span(view: &View, span: Span) -> Option<Span> {
    let parts = pieces_of(view, span);
    let (fs, fr) = parts.first()?;
    let (ls, lr) = parts.last()?;
    Some(Span::new(
        view.raw_start(&view.segs[*fs], fr.start),
        view.raw_end(&view.segs[*ls], lr.end),
    ))
}

/// Findings moved from view offsets to raw offsets, with raw lines and
/// columns. A finding whose secret lies only in bytes the view added
/// (quotes, separators) refers to nothing in the body and is dropped.
fn to_raw(view: &View, raw: &[u8], found: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = found
        .into_iter()
        .filter_map(|mut f| {
            let secret = raw_span(view, f.secret)?;
            let span = raw_span(view, f.span).unwrap_or(secret);
            f.secret = secret;
            f.span = Span::new(
                span.start.min(secret.start),
                span.end.max(secret.end),
            );
            Some(f)
        })
        .collect();
    out.sort_by_key(|f| f.secret.start);
    let mut lines = LinePos::START;
    for f in &mut out {
        lines.advance(raw, 0, f.secret.start);
        f.line = lines.line;
        f.column = (f.secret.start - lines.line_start) as u64 + 1;
    }
    out.sort_by(order);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;
    use serde_json::Value;

    const AWS: &str = "AKIAZ3MSJV4WWNKWW5FG";

    fn scanner() -> &'static Scanner {
        static S: std::sync::OnceLock<Scanner> = std::sync::OnceLock::new();
        S.get_or_init(|| Scanner::new(&RuleSet::builtin()).unwrap())
    }

    fn inspect(format: Format, body: &str) -> Inspection {
        let s = scanner();
        Inspector::new(s, RedactStyle::Placeholder).restorable(true).inspect(
            format,
            body.as_bytes(),
            &mut s.scratch(),
        )
    }

    fn json(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).expect("valid JSON")
    }

    /// Same keys and array lengths everywhere; strings stay strings.
    fn same_shape(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter().all(|(k, v)| {
                        y.get(k).is_some_and(|w| same_shape(v, w))
                    })
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len()
                    && x.iter().zip(y).all(|(v, w)| same_shape(v, w))
            }
            (Value::Number(_), Value::String(_)) => true,
            _ => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }

    #[test]
    fn escapes_do_not_hide_a_key() {
        // \u0041 is 'A', \/ is '/', and the newline is escaped.
        let body = format!(
            r#"{{"model":"m","messages":[{{"role":"user","content":"see\n\u0041{}\n"}}]}}"#,
            &AWS[1..]
        );
        let i = inspect(Format::Json, &body);
        assert_eq!(i.format(), Format::Json);
        let f = &i.findings()[0];
        assert_eq!(f.rule_id(), "aws-access-key-id");
        // The raw span starts at the escape that decodes to 'A'.
        assert_eq!(&body[f.secret_span().start..][..6], r"\u0041");
        assert_eq!(f.secret_span().end, body.find("\\n\"").unwrap());
        let out = json(i.redacted().unwrap());
        assert!(same_shape(&json(body.as_bytes()), &out));
        assert_eq!(
            out["messages"][0]["content"],
            "see\n[REDACTED:aws-access-key-id:1]\n"
        );
        assert_eq!(
            i.restore_table().get(b"[REDACTED:aws-access-key-id:1]"),
            Some(AWS.as_bytes())
        );
    }

    #[test]
    fn escaped_private_key_is_found_whole() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAwJ9fQw1V0nQGv3Jx7Yk2r8sZpL0aBcDeFgHiJkLmNoPqRsTu\nVwXyZ0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV\n-----END RSA PRIVATE KEY-----";
        let body = serde_json::json!({"messages": [{"role": "system", "content": format!("key:\n{pem}\nend")}]}).to_string();
        assert!(!body.contains('\n'), "escaped in the raw body");
        let i = inspect(Format::Json, &body);
        assert!(
            i.findings().iter().any(|f| f.rule_id().contains("private-key")),
            "{:?}",
            i.findings()
        );
        let out = json(i.redacted().unwrap());
        let content = out["messages"][0]["content"].as_str().unwrap();
        assert!(!content.contains("MIIEow"), "{content}");
        assert!(content.starts_with("key:\n[REDACTED:"));
    }

    #[test]
    fn tool_call_arguments_are_json_in_json() {
        let args = serde_json::json!({"cmd": format!("export AWS_ACCESS_KEY_ID={AWS}"), "n": 1}).to_string();
        let body = serde_json::json!({"messages": [{"role": "assistant", "tool_calls": [{"function": {"name": "sh", "arguments": args}}]}]}).to_string();
        let i = inspect(Format::Json, &body);
        assert_eq!(i.findings().len(), 1, "{:?}", i.findings());
        let out = json(i.redacted().unwrap());
        assert!(same_shape(&json(body.as_bytes()), &out));
        let inner: Value = serde_json::from_str(
            out["messages"][0]["tool_calls"][0]["function"]["arguments"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            inner["cmd"],
            "export AWS_ACCESS_KEY_ID=[REDACTED:aws-access-key-id:1]"
        );
        assert_eq!(inner["n"], 1);
    }

    #[test]
    fn key_name_is_context() {
        let body = r#"{"config":{"password":"Tr0ub4dor-xQ93-lmv"}}"#;
        let i = inspect(Format::Json, body);
        assert!(
            i.findings().iter().any(|f| f.rule_id().contains("password")),
            "{:?}",
            i.findings()
        );
        let out = json(i.redacted().unwrap());
        assert!(!out.to_string().contains("Tr0ub4dor"));
    }

    #[test]
    fn a_number_becomes_a_string_when_redacted() {
        // A Visa test-range number with a valid Luhn digit, as a number.
        let card = "4111111111111111";
        let body =
            format!(r#"{{"customer":{{"card":{card},"n":[1,2.5e3,-0]}}}}"#);
        let i = inspect(Format::Json, &body);
        let f =
            i.findings().iter().find(|f| f.category() == crate::Category::Pii);
        let f = f.expect("card found");
        assert_eq!(&body[f.secret_span().start..f.secret_span().end], card);
        let out = json(i.redacted().unwrap());
        assert!(same_shape(&json(body.as_bytes()), &out));
        assert!(out["customer"]["card"]
            .as_str()
            .unwrap()
            .starts_with("[REDACTED:"));
        assert_eq!(
            out["customer"]["n"],
            json(body.as_bytes())["customer"]["n"]
        );
    }

    #[test]
    fn not_json_falls_back_to_lines_and_text() {
        let body = format!("{{\"a\":\"{AWS}\"}}\nplain {AWS}\n{{broken\n");
        let i = inspect(Format::Json, &body);
        assert_eq!(i.format(), Format::Jsonl);
        assert_eq!(i.findings().len(), 2);
        assert_eq!(i.findings()[1].line(), 2);
        let out = String::from_utf8(i.redacted().unwrap().to_vec()).unwrap();
        assert!(!out.contains(AWS));
        assert!(out.ends_with("{broken\n"));
        let text = inspect(Format::Text, &body);
        assert_eq!(text.findings().len(), 2);
    }

    #[test]
    fn base64_attachments_are_skipped() {
        let blob = "QUtJQV".repeat(400);
        let body = format!(
            r#"{{"content":[{{"type":"image","source":{{"type":"base64","media_type":"image/png","data":"{blob}"}}}},{{"type":"image_url","image_url":{{"url":"data:image/png;base64,{blob}"}}}},{{"type":"text","text":"{AWS}"}}]}}"#
        );
        let i = inspect(Format::Json, &body);
        assert_eq!(i.skipped(), 2);
        assert_eq!(i.findings().len(), 1);
        // A short `data` value or a text data URL is scanned.
        let small = format!(
            r#"{{"data":"{AWS}","u":"data:text/plain;base64,{AWS}"}}"#
        );
        assert_eq!(inspect(Format::Json, &small).skipped(), 0);
    }

    #[test]
    fn deep_nesting_and_truncation_do_not_crash() {
        let deep = "[".repeat(1_000_000) + &"]".repeat(1_000_000);
        let i = inspect(Format::Json, &deep);
        assert_eq!(i.format(), Format::Json);
        let open = "{\"a\":".repeat(100_000);
        assert_eq!(inspect(Format::Json, &open).format(), Format::Jsonl);
        for cut in
            [r#"{"a":"\u00"#, r#"{"a":"\"#, r#"{"a":"x"#, r#"{"a":1."#, "[1,]"]
        {
            let i = inspect(Format::Json, cut);
            assert_eq!(i.format(), Format::Jsonl, "{cut}");
        }
    }

    #[test]
    fn many_tiny_values_are_read_as_text_in_bounded_memory() {
        // One segment per two bytes would cost ~12 times the body.
        let body = format!("[{}\"{AWS}\"]", "0,".repeat(500_000));
        let i = inspect(Format::Json, &body);
        assert_eq!(i.format(), Format::Jsonl);
        assert_eq!(i.findings().len(), 1);
        let mut v = View::default();
        assert!(v.add_json(body.as_bytes(), 0..body.len()).is_err());
        assert_eq!((v.text.len(), v.segs.len(), v.table.len()), (0, 0, 0));
        // Ordinary JSON stays well inside the budget.
        // Ordinary prompts, also as Python's json.dumps writes them (every
        // non-ASCII character escaped), stay well inside the budget.
        let code = "    let x = compute(1, 2);\n".repeat(20_000);
        let cjk = "客户的手机号码".repeat(20_000);
        let ok = serde_json::json!({"messages": [
            {"role": "user", "content": code},
            {"role": "user", "content": cjk}]})
        .to_string();
        let mut ascii = String::new();
        for c in ok.chars() {
            if c.is_ascii() {
                ascii.push(c);
            } else {
                ascii.push_str(&format!("\\u{:04x}", c as u32));
            }
        }
        for body in [&ok, &ascii] {
            let mut v = View::default();
            v.add_json(body.as_bytes(), 0..body.len()).unwrap();
            assert!(v.cost() < 2 * body.len(), "{} {}", v.cost(), body.len());
        }
    }

    #[test]
    fn surrogates_and_lone_escapes_decode() {
        let body = r#"["\ud83d\ude00 \ud800 x", "\u00e9"]"#;
        let mut v = View::default();
        v.add_json(body.as_bytes(), 0..body.len()).unwrap();
        let text = String::from_utf8(v.text.clone()).unwrap();
        assert!(text.contains("😀 \u{fffd} x"), "{text}");
        assert!(text.contains('é'));
        // Each decoded byte of the emoji maps to the 12-byte pair.
        let seg = &v.segs[0];
        assert_eq!(v.raw_start(seg, 0), 2);
        assert_eq!(v.raw_end(seg, 4), 14);
    }

    #[test]
    fn pasted_code_in_a_json_string_matches_the_code_index() {
        // The view wraps the snippet in quotes; an indexed copy is still
        // found, and blocks, with its span inside the string.
        let source = include_str!("diff.rs");
        let mut b = crate::fingerprint::CodeIndexBuilder::new();
        b.add_file("src/payload/diff.rs", source.as_bytes());
        let scanner = crate::ScannerBuilder::new()
            .code_index(std::sync::Arc::new(b.build()))
            .build(&RuleSet::builtin())
            .unwrap();
        let snippet: Vec<&str> = source.lines().skip(60).take(25).collect();
        let body = serde_json::json!({"messages": [{"role": "user",
            "content": format!("I don't get why this fails:\n{}", snippet.join("\n"))}]})
        .to_string();
        let i = Inspector::new(&scanner, RedactStyle::Placeholder).inspect(
            Format::Json,
            body.as_bytes(),
            &mut scanner.scratch(),
        );
        let code: Vec<_> = i
            .findings()
            .iter()
            .filter(|f| f.category() == crate::Category::Code)
            .collect();
        assert_eq!(code.len(), 1, "{:?}", i.findings());
        assert!(i.blocked());
        let content = body.find("I don't").unwrap();
        assert!(code[0].secret_span().start > content);
        assert!(code[0].secret_span().end < body.len() - 4);
    }

    #[test]
    fn api_from_path() {
        assert_eq!(Api::from_path("/v1/chat/completions"), Api::OpenAiChat);
        assert_eq!(
            Api::from_path("/openai/v1/completions?x=1"),
            Api::OpenAiCompletions
        );
        assert_eq!(Api::from_path("/v1/responses"), Api::OpenAiResponses);
        assert_eq!(Api::from_path("/v1/embeddings"), Api::OpenAiEmbeddings);
        assert_eq!(Api::from_path("/v1/messages"), Api::AnthropicMessages);
        assert_eq!(
            Api::from_path("/v1/messages/count_tokens"),
            Api::AnthropicMessages
        );
        assert_eq!(Api::from_path("/v1/models"), Api::Other);
        assert_eq!(Api::AnthropicMessages.provider(), Provider::Anthropic);
        assert_eq!(Format::sniff(b"  {\"a\":1}"), Format::Json);
        assert_eq!(Format::sniff(b"hello"), Format::Text);
    }

    #[test]
    fn restore_table_debug_shows_no_secret() {
        let i = inspect(Format::Text, &format!("k {AWS}"));
        assert_eq!(i.restore_table().len(), 1);
        let dbg = format!("{:?}", i.restore_table());
        assert!(!dbg.contains(AWS) && dbg.contains("[REDACTED:"), "{dbg}");
    }
}
