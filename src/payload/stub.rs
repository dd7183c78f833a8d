//! TEMPORARY stand-in for the lead's payload adapter API (issue #5), so the
//! proxy builds before it lands on main. Deleted when main is merged.
#![allow(missing_docs, dead_code)]

use crate::{Finding, RedactStyle, Redactor, Scanner, Scratch};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Jsonl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    OpenAiChat,
    OpenAiCompletions,
    OpenAiResponses,
    OpenAiEmbeddings,
    AnthropicMessages,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    OpenAi,
    Anthropic,
    Unknown,
}

impl Api {
    pub fn from_path(path: &str) -> Api {
        let p = path.split('?').next().unwrap_or("");
        if p.ends_with("/chat/completions") {
            Api::OpenAiChat
        } else if p.ends_with("/completions") {
            Api::OpenAiCompletions
        } else if p.ends_with("/responses") {
            Api::OpenAiResponses
        } else if p.ends_with("/embeddings") {
            Api::OpenAiEmbeddings
        } else if p.ends_with("/messages") {
            Api::AnthropicMessages
        } else {
            Api::Other
        }
    }
    pub fn provider(self) -> Provider {
        match self {
            Api::AnthropicMessages => Provider::Anthropic,
            Api::Other => Provider::Unknown,
            _ => Provider::OpenAi,
        }
    }
}

pub struct Inspector<'s> {
    scanner: &'s Scanner,
    style: RedactStyle,
    restorable: bool,
}

impl<'s> Inspector<'s> {
    pub fn new(scanner: &'s Scanner, style: RedactStyle) -> Self {
        Inspector { scanner, style, restorable: false }
    }
    pub fn restorable(&mut self, yes: bool) -> &mut Self {
        self.restorable = yes;
        self
    }
    pub fn inspect(
        &self,
        _format: Format,
        body: &[u8],
        scratch: &mut Scratch,
    ) -> Inspection {
        let mut findings = Vec::new();
        self.scanner.scan_with(scratch, body, &mut findings);
        let mut table = RestoreTable::default();
        let mut red = Redactor::new(self.style);
        let any = findings.iter().any(Redactor::applies_to);
        let redacted = any.then(|| {
            let mut r2 = Redactor::new(self.style);
            for f in findings.iter().filter(|f| Redactor::applies_to(f)) {
                let secret = &body[f.secret_span()];
                let p = r2.replacement(f, secret);
                if self.restorable && !table.0.iter().any(|(k, _)| *k == p) {
                    table.0.push((p, secret.to_vec()));
                }
            }
            red.redact(body, &findings)
        });
        Inspection { findings, redacted, table }
    }
}

pub struct Inspection {
    findings: Vec<Finding>,
    redacted: Option<Vec<u8>>,
    table: RestoreTable,
}

impl Inspection {
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
    pub fn blocked(&self) -> bool {
        self.findings.iter().any(|f| f.action() == crate::Action::Block)
    }
    pub fn redacted(&self) -> Option<&[u8]> {
        self.redacted.as_deref()
    }
    pub fn restore_table(&self) -> &RestoreTable {
        &self.table
    }
    pub fn format(&self) -> Format {
        Format::Text
    }
}

#[derive(Default)]
pub struct RestoreTable(Vec<(String, Vec<u8>)>);

impl RestoreTable {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn get(&self, placeholder: &[u8]) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|(k, _)| k.as_bytes() == placeholder)
            .map(|(_, v)| v.as_slice())
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }
}
