//! Rules test themselves: every example must match, every negative not.

use std::fmt;

use super::{RuleError, RuleSet};
use crate::{policy::Policy, scan::ScannerBuilder, FingerprintKey};

/// A rule example that did not behave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The rule's id.
    pub rule: String,
    /// The file the rule came from.
    pub source: String,
    /// True for a negative that matched, false for an example that did not.
    pub negative: bool,
    /// 0-based index into `examples` or `negatives`.
    pub index: usize,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            write!(
                f,
                "{}: rule `{}`: negatives[{}] matched but must not",
                self.source, self.rule, self.index
            )
        } else {
            write!(
                f,
                "{}: rule `{}`: examples[{}] did not match",
                self.source, self.rule, self.index
            )
        }
    }
}

/// Counts of what [`check_examples`] ran.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExampleReport {
    /// Rules checked.
    pub rules: usize,
    /// Examples run.
    pub examples: usize,
    /// Negatives run.
    pub negatives: usize,
    /// What failed.
    pub failures: Vec<ExampleFailure>,
}

/// Runs every rule's examples and negatives through a scanner of the whole
/// set (so keywords, windows, checks and filters all take part, as in a real
/// scan): an example passes when it yields a finding of its rule, a negative
/// when it yields none.
///
/// # Errors
///
/// When the rules cannot be compiled into a scanner.
pub fn check_examples(rules: &RuleSet) -> Result<ExampleReport, RuleError> {
    let scanner = ScannerBuilder::new()
        .policy(Policy::filter())
        .fingerprint_key(FingerprintKey::from_bytes([0; 32]))
        .build(rules)?;
    let mut scratch = scanner.scratch();
    let mut found = Vec::new();
    let mut report =
        ExampleReport { rules: rules.len(), ..Default::default() };
    for rule in rules.rules() {
        let mut run = |text: &str, negative: bool, index: usize| {
            scanner.scan_with(&mut scratch, text.as_bytes(), &mut found);
            let hit = found.iter().any(|f| f.rule_id() == rule.id());
            if hit == negative {
                report.failures.push(ExampleFailure {
                    rule: rule.id().to_string(),
                    source: rule.source().to_string(),
                    negative,
                    index,
                });
            }
        };
        for (i, e) in rule.examples().iter().enumerate() {
            run(e, false, i);
        }
        for (i, n) in rule.negatives().iter().enumerate() {
            run(n, true, i);
        }
        report.examples += rule.examples().len();
        report.negatives += rule.negatives().len();
    }
    Ok(report)
}
