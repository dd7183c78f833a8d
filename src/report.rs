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
                let v = self.json(path, f);
                serde_json::to_writer(&mut self.w, &v)?;
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
        match self.rules.rules().get(f.rule_index()) {
            Some(rule) => rule.name(),
            None => index_name(f.category()),
        }
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
        line.push(' ');
        line.push_str(&m.to_string());
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

    #[test]
    fn uri_escaping() {
        assert_eq!(sarif_uri("./a b/c.py"), "a%20b/c.py");
        assert_eq!(sarif_uri("客户.txt"), "%E5%AE%A2%E6%88%B7.txt");
    }
}
