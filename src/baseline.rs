//! Baselines: findings that already exist and are accepted for now.
//!
//! An entry is the rule, the file path and a keyed hash of the secret, not
//! a line number, so edits elsewhere in a file do not churn the baseline.
//! The hash key (salt) is stored in the baseline file itself, because the
//! file is shared by everyone who works on a repository; that reveals
//! nothing new, since a baselined secret is already in the repository.

use std::{collections::BTreeMap, fmt, path::Path};

use serde::{Deserialize, Serialize};

use crate::{finding::Finding, keyed::FingerprintKey};

/// The current file format version.
const VERSION: u32 = 1;

/// A set of accepted findings, saved as JSON.
#[derive(Clone, Debug)]
pub struct Baseline {
    key: FingerprintKey,
    entries: BTreeMap<Entry, Info>,
}

/// What identifies a baselined finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    rule: String,
    path: String,
    hash: String,
}

/// What is kept for people reading the file; not part of the identity.
#[derive(Clone, Debug)]
struct Info {
    line: u64,
    preview: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    salt: String,
    findings: Vec<FileEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    rule: String,
    path: String,
    hash: String,
    line: u64,
    preview: String,
}

/// An error reading a baseline file.
#[derive(Debug)]
pub struct BaselineError(String);

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BaselineError {}

impl Default for Baseline {
    fn default() -> Baseline {
        Baseline::new()
    }
}

impl Baseline {
    /// An empty baseline with a fresh random salt.
    pub fn new() -> Baseline {
        Baseline { key: FingerprintKey::random(), entries: BTreeMap::new() }
    }

    /// Parses a baseline file's text.
    ///
    /// # Errors
    ///
    /// When the text is not a version-1 baseline.
    pub fn from_json(text: &str) -> Result<Baseline, BaselineError> {
        let file: File = serde_json::from_str(text)
            .map_err(|e| BaselineError(format!("invalid baseline: {e}")))?;
        if file.version != VERSION {
            return Err(BaselineError(format!(
                "baseline version {} is not supported (expected {VERSION})",
                file.version
            )));
        }
        let key = FingerprintKey::from_hex(&file.salt).ok_or_else(|| {
            BaselineError("baseline salt must be 64 hex digits".into())
        })?;
        let entries = file
            .findings
            .into_iter()
            .map(|e| {
                (
                    Entry { rule: e.rule, path: e.path, hash: e.hash },
                    Info { line: e.line, preview: e.preview },
                )
            })
            .collect();
        Ok(Baseline { key, entries })
    }

    /// Reads a baseline file.
    ///
    /// # Errors
    ///
    /// When it cannot be read or parsed; the message names the path.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            BaselineError(format!("cannot read {}: {e}", path.display()))
        })?;
        Baseline::from_json(&text)
            .map_err(|e| BaselineError(format!("{}: {}", path.display(), e.0)))
    }

    /// The file's JSON text, entries sorted so diffs stay small.
    pub fn to_json(&self) -> String {
        let file = File {
            version: VERSION,
            salt: self.key.to_hex(),
            findings: self
                .entries
                .iter()
                .map(|(e, i)| FileEntry {
                    rule: e.rule.clone(),
                    path: e.path.clone(),
                    hash: e.hash.clone(),
                    line: i.line,
                    preview: i.preview.clone(),
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file)
            .expect("plain data serializes");
        text.push('\n');
        text
    }

    fn entry(&self, f: &Finding, path: &str, secret: &[u8]) -> Entry {
        Entry {
            rule: f.rule_id().to_string(),
            path: normalize(path),
            hash: self.key.fingerprint(f.rule_id(), secret).to_string(),
        }
    }

    /// True when the finding (whose secret bytes are `secret`, in the file
    /// `path`) is in the baseline.
    pub fn contains(&self, f: &Finding, path: &str, secret: &[u8]) -> bool {
        self.entries.contains_key(&self.entry(f, path, secret))
    }

    /// Adds a finding; returns false when it was already there.
    pub fn insert(&mut self, f: &Finding, path: &str, secret: &[u8]) -> bool {
        let entry = self.entry(f, path, secret);
        let info = Info { line: f.line(), preview: f.preview().to_string() };
        self.entries.insert(entry, info).is_none()
    }

    /// Keeps only the entries for which `keep(rule, path, hash)` is true;
    /// returns how many were removed.
    pub fn retain_keys<F: FnMut(&str, &str, &str) -> bool>(
        &mut self,
        mut keep: F,
    ) -> usize {
        let before = self.entries.len();
        self.entries.retain(|e, _| keep(&e.rule, &e.path, &e.hash));
        before - self.entries.len()
    }

    /// The identity `(rule, path, hash)` a finding would have.
    pub fn key_of(
        &self,
        f: &Finding,
        path: &str,
        secret: &[u8],
    ) -> (String, String, String) {
        let e = self.entry(f, path, secret);
        (e.rule, e.path, e.hash)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Paths are stored relative, with `/`, without a leading `./`.
fn normalize(path: &str) -> String {
    let p = path.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_string()
}
