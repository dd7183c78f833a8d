//! Output formats for findings: human lines, JSON, JSON lines, SARIF 2.1.0.
//!
//! Every format carries the masked preview and the keyed fingerprint of a
//! secret, never the secret itself.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::{
    finding::{Category, Finding, IndexMatch, Severity},
    rules::RuleSet,
};

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// `path:line:column: rule (category, severity) preview [action]`.
    Human,
    /// One JSON array of finding objects.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// A SARIF 2.1.0 log, for code-scanning dashboards.
    Sarif,
}

impl ReportFormat {
    /// Parses `human`, `json`, `jsonl` or `sarif`.
    pub fn from_name(name: &str) -> Option<ReportFormat> {
        Some(match name {
            "human" => ReportFormat::Human,
            "json" => ReportFormat::Json,
            "jsonl" => ReportFormat::Jsonl,
            "sarif" => ReportFormat::Sarif,
            _ => return None,
        })
    }
}

/// Writes findings in one format. Line formats write as findings come;
/// `json` and `sarif` write everything at [`ReportWriter::finish`].
pub struct ReportWriter<W: Write> {
    w: W,
    format: ReportFormat,
    rules: RuleSet,
    collected: Vec<Value>,
    /// Whether a code or record finding was collected (SARIF then lists
    /// their pseudo-rules after the real ones).
    indexed: bool,
}

impl<W: Write> ReportWriter<W> {
    /// A writer of `format` to `w`; `rules` names the rules in SARIF.
    pub fn new(w: W, format: ReportFormat, rules: &RuleSet) -> Self {
        ReportWriter {
            w,
            format,
            rules: rules.clone(),
            collected: Vec::new(),
            indexed: false,
        }
    }

    /// Reports one finding in the file `path` (or stdin when `None`).
    ///
    /// # Errors
    ///
    /// The underlying writer's errors.
    pub fn finding(
        &mut self,
        path: Option<&str>,
        f: &Finding,
    ) -> io::Result<()> {
        match self.format {
            ReportFormat::Human => writeln!(self.w, "{}", human_line(path, f)),
            ReportFormat::Jsonl => {
                let name = rule_name(&self.rules, f);
                match json_line(name, path, f) {
                    Some(line) => serde_json::to_writer(&mut self.w, &line)?,
                    None => {
                        let v = self.json(path, f);
                        serde_json::to_writer(&mut self.w, &v)?
                    }
                }
                self.w.write_all(b"\n")
            }
            ReportFormat::Json => {
                let v = self.json(path, f);
                self.collected.push(v);
                Ok(())
            }
            ReportFormat::Sarif => {
                let v = self.sarif_result(path, f);
                self.collected.push(v);
                Ok(())
            }
        }
    }

    /// Writes what was collected and returns the writer.
    ///
    /// # Errors
    ///
    /// The underlying writer's errors.
    pub fn finish(mut self) -> io::Result<W> {
        match self.format {
            ReportFormat::Human | ReportFormat::Jsonl => {}
            ReportFormat::Json => {
                let all = Value::Array(std::mem::take(&mut self.collected));
                serde_json::to_writer_pretty(&mut self.w, &all)?;
                self.w.write_all(b"\n")?;
            }
            ReportFormat::Sarif => {
                let log = self.sarif_log();
                serde_json::to_writer_pretty(&mut self.w, &log)?;
                self.w.write_all(b"\n")?;
            }
        }
        self.w.flush()?;
        Ok(self.w)
    }

    /// The rule's name, or the index's for code and record findings.
    fn name(&self, f: &Finding) -> &str {
        rule_name(&self.rules, f)
    }

    fn json(&self, path: Option<&str>, f: &Finding) -> Value {
        let mut v = json!({
            "rule": f.rule_id(),
            "name": self.name(f),
            "category": f.category().as_str(),
            "severity": f.severity().as_str(),
            "confidence": f.confidence().as_str(),
            "action": f.action().as_str(),
            "path": path,
            "line": f.line(),
            "column": f.column(),
            "start": f.secret_span().start,
            "end": f.secret_span().end,
            "match_start": f.span().start,
            "match_end": f.span().end,
            "preview": f.preview(),
            "fingerprint": f.fingerprint().to_string(),
        });
        if let Some(m) = f.index_match() {
            v[f.category().as_str()] = index_json(m);
        }
        v
    }

    fn sarif_result(&mut self, path: Option<&str>, f: &Finding) -> Value {
        let level = match f.severity() {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "note",
        };
        let span = f.secret_span();
        let mut message = format!("{} found: {}", self.name(f), f.preview());
        // Index findings point past the rules, at pseudo-rules listed after
        // them.
        let mut rule_index = f.rule_index();
        let mut props = json!({
            "category": f.category().as_str(),
            "confidence": f.confidence().as_str(),
            "action": f.action().as_str(),
        });
        if let Some(m) = f.index_match() {
            self.indexed = true;
            message = format!("{message} ({m})");
            rule_index = self.rules.len()
                + usize::from(f.category() == Category::Record);
            props[f.category().as_str()] = index_json(m);
        }
        json!({
            "ruleId": f.rule_id(),
            "ruleIndex": rule_index,
            "level": level,
            "message": {"text": message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": sarif_uri(path.unwrap_or("<stdin>"))},
                    "region": {
                        "startLine": f.line(),
                        "startColumn": f.column(),
                        "byteOffset": span.start,
                        "byteLength": span.len(),
                    }
                }
            }],
            "partialFingerprints": {"leakguard/v1": f.fingerprint().to_string()},
            "properties": props,
        })
    }

    fn sarif_log(&mut self) -> Value {
        let mut rules: Vec<Value> = self
            .rules
            .rules()
            .iter()
            .map(|r| {
                json!({
                    "id": r.id(),
                    "name": r.name(),
                    "shortDescription": {"text": r.name()},
                    "fullDescription": {"text": r.description().unwrap_or(r.name())},
                    "properties": {
                        "category": r.category().as_str(),
                        "severity": r.severity().as_str(),
                        "confidence": r.confidence().as_str(),
                    }
                })
            })
            .collect();
        if self.indexed {
            for c in [Category::Code, Category::Record] {
                rules.push(json!({
                    "id": c.as_str(),
                    "name": index_name(c),
                    "shortDescription": {"text": index_name(c)},
                    "properties": {"category": c.as_str()},
                }));
            }
        }
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "leakguard",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }},
                "results": std::mem::take(&mut self.collected),
            }]
        })
    }
}

/// One human-readable line, e.g.
/// `src/a.py:3:9: aws-access-key-id (secret, high) AKIA…W5FG [block]`;
/// code and record findings add what the index matched, e.g.
/// `… [block] 120 tokens, 18 lines of src/billing.rs`.
pub fn human_line(path: Option<&str>, f: &Finding) -> String {
    let mut line = format!(
        "{}:{}:{}: {} ({}, {}) {} [{}]",
        path.unwrap_or("<stdin>"),
        f.line(),
        f.column(),
        f.rule_id(),
        f.category(),
        f.severity(),
        f.preview(),
        f.action()
    );
    if let Some(m) = f.index_match() {
        use std::fmt::Write as _;
        write!(line, " {m}").expect("writing to a String cannot fail");
    }
    line
}

fn index_name(c: Category) -> &'static str {
    match c {
        Category::Code => "indexed proprietary code",
        _ => "indexed customer record",
    }
}

/// The `code` or `record` object of a JSON finding.
fn index_json(m: &IndexMatch) -> Value {
    match m {
        IndexMatch::Code { files, tokens, lines, share_permille } => json!({
            "files": files.iter().map(|f| f.as_ref()).collect::<Vec<&str>>(),
            "tokens": tokens,
            "lines": lines,
            "share": f64::from(*share_permille) / 1000.0,
        }),
        IndexMatch::Record { column, kind, row, columns } => json!({
            "column": column.as_ref(),
            "kind": kind.as_str(),
            "row": row,
            "columns": columns,
        }),
    }
}

/// The rule's name, or the index's for code and record findings.
fn rule_name<'a>(rules: &'a RuleSet, f: &Finding) -> &'a str {
    match rules.rules().get(f.rule_index()) {
        Some(rule) => rule.name(),
        None => index_name(f.category()),
    }
}

/// The object of `ReportWriter::json`, written as it is serialized
/// instead of built as a map first (which cost several allocations per
/// field); `None` for an index match under another category's name
/// (none is made), which `json` writes. A test checks both agree.
fn json_line<'a>(
    name: &'a str,
    path: Option<&'a str>,
    f: &'a Finding,
) -> Option<JsonLine<'a>> {
    let (mut code, mut record) = (None, None);
    match (f.index_match(), f.category()) {
        (None, _) => {}
        (Some(m @ IndexMatch::Code { .. }), Category::Code) => code = Some(m),
        (Some(m @ IndexMatch::Record { .. }), Category::Record) => {
            record = Some(m)
        }
        _ => return None,
    }
    Some(JsonLine {
        action: f.action().as_str(),
        category: f.category().as_str(),
        code: code.map(IndexJson),
        column: f.column(),
        confidence: f.confidence().as_str(),
        end: f.secret_span().end,
        fingerprint: f.fingerprint().to_string(),
        line: f.line(),
        match_end: f.span().end,
        match_start: f.span().start,
        name,
        path,
        preview: f.preview(),
        record: record.map(IndexJson),
        rule: f.rule_id(),
        severity: f.severity().as_str(),
        start: f.secret_span().start,
    })
}

/// A finding as `ReportWriter::json` makes it: the fields in the order
/// of its map's keys (sorted), so both serialize to the same bytes.
#[derive(serde::Serialize)]
struct JsonLine<'a> {
    action: &'a str,
    category: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<IndexJson<'a>>,
    column: u64,
    confidence: &'a str,
    end: usize,
    fingerprint: String,
    line: u64,
    match_end: usize,
    match_start: usize,
    name: &'a str,
    path: Option<&'a str>,
    preview: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<IndexJson<'a>>,
    rule: &'a str,
    severity: &'a str,
    start: usize,
}

/// [`index_json`]'s object, keys sorted likewise.
struct IndexJson<'a>(&'a IndexMatch);

impl serde::Serialize for IndexJson<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(4))?;
        match self.0 {
            IndexMatch::Code { files, tokens, lines, share_permille } => {
                let files: Vec<&str> =
                    files.iter().map(|f| f.as_ref()).collect();
                m.serialize_entry("files", &files)?;
                m.serialize_entry("lines", lines)?;
                m.serialize_entry(
                    "share",
                    &(f64::from(*share_permille) / 1000.0),
                )?;
                m.serialize_entry("tokens", tokens)?;
            }
            IndexMatch::Record { column, kind, row, columns } => {
                m.serialize_entry("column", column.as_ref())?;
                m.serialize_entry("columns", columns)?;
                m.serialize_entry("kind", kind.as_str())?;
                m.serialize_entry("row", row)?;
            }
        }
        m.end()
    }
}

/// SARIF wants URIs: relative paths with `/`, reserved bytes escaped.
fn sarif_uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::{
        finding::{Action, Confidence, Fingerprint, Span},
        records::ColumnKind,
    };
    use std::sync::Arc;

    fn finding(
        rule: usize,
        category: usize,
        index: Option<IndexMatch>,
        text: &str,
        nums: (u64, u64, usize),
    ) -> Finding {
        let (line, column, at) = nums;
        Finding {
            rule_index: rule,
            rule_id: text.into(),
            category: Category::ALL[category % Category::ALL.len()],
            severity: Severity::ALL[category % Severity::ALL.len()],
            confidence: Confidence::ALL[rule % Confidence::ALL.len()],
            span: Span::new(at, at + 40),
            secret: Span::new(at + 3, at + 20),
            line,
            column,
            preview: format!("{text}…\u{1b}\""),
            fingerprint: Fingerprint([category as u8; 16]),
            action: Action::ALL[rule % Action::ALL.len()],
            index_match: index.map(Arc::new),
        }
    }

    proptest::proptest! {
        /// JSON lines written field by field are `json`'s objects.
        #[test]
        fn json_lines_are_the_json_objects(
            rule in 0usize..400,
            category in 0usize..5,
            index in 0usize..3,
            text in "[a-z\"\\\\é\u{0}\n-]{0,12}",
            nums in (0u64..u64::MAX, 0u64..1000, 0usize..1 << 40),
            path in proptest::option::of("[a-z/ \"é]{0,8}"),
            small in (0u32..100_000, 0u16..2000),
        ) {
            let rules = RuleSet::builtin();
            let index = match index {
                0 => None,
                1 => Some(IndexMatch::Code {
                    files: vec![text.as_str().into(), "b.rs".into()],
                    tokens: small.0,
                    lines: small.0 / 7,
                    share_permille: small.1,
                }),
                _ => Some(IndexMatch::Record {
                    column: text.as_str().into(),
                    kind: ColumnKind::ALL[small.1 as usize % 4],
                    row: small.0,
                    columns: small.1,
                }),
            };
            let f = finding(rule, category, index, &text, nums);
            let mut w = ReportWriter::new(Vec::new(), ReportFormat::Jsonl, &rules);
            let want = serde_json::to_string(&w.json(path.as_deref(), &f)).unwrap();
            w.finding(path.as_deref(), &f).unwrap();
            let got = String::from_utf8(w.finish().unwrap()).unwrap();
            proptest::prop_assert_eq!(got, want + "\n");
        }
    }

    #[test]
    fn uri_escaping() {
        assert_eq!(sarif_uri("./a b/c.py"), "a%20b/c.py");
        assert_eq!(sarif_uri("客户.txt"), "%E5%AE%A2%E6%88%B7.txt");
    }
}
