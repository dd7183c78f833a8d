//! Errors from loading and validating rules.

use std::fmt;

/// An error from loading rules: one problem, or every problem found in a
/// set of rule files at once.
///
/// Its `Display` names the file and the rule id of each problem, one per
/// line, so a user fixes them all in one go.
#[derive(Clone, Debug)]
pub struct RuleError {
    kind: RuleErrorKind,
    file: Option<String>,
    rule: Option<String>,
}

/// The kind of a [`RuleError`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum RuleErrorKind {
    /// A file could not be read.
    Io(String),
    /// A file is not valid TOML or does not have the rule file's shape.
    Parse(String),
    /// A field has a bad value; the message names the field and value.
    Invalid(String),
    /// The regular expression does not compile.
    Pattern(String),
    /// Two rules share one id.
    DuplicateId,
    /// The prefilter (keyword automaton) could not be built.
    Engine(String),
    /// Several problems, reported together.
    Multiple(Vec<RuleError>),
}

impl RuleError {
    pub(crate) fn new(kind: RuleErrorKind) -> RuleError {
        RuleError { kind, file: None, rule: None }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> RuleError {
        RuleError::new(RuleErrorKind::Invalid(msg.into()))
    }

    pub(crate) fn in_file(mut self, file: &str) -> RuleError {
        if self.file.is_none() {
            self.file = Some(file.to_string());
        }
        self
    }

    pub(crate) fn in_rule(mut self, id: &str) -> RuleError {
        if self.rule.is_none() {
            self.rule = Some(id.to_string());
        }
        self
    }

    /// Joins several errors into one; `None` when there are none.
    pub(crate) fn join(mut errors: Vec<RuleError>) -> Option<RuleError> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(RuleError::new(RuleErrorKind::Multiple(errors))),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &RuleErrorKind {
        &self.kind
    }

    /// The rule file, when known.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// The rule id, when known.
    pub fn rule(&self) -> Option<&str> {
        self.rule.as_deref()
    }

    /// Every single problem, flattened.
    pub fn problems(&self) -> Vec<&RuleError> {
        match &self.kind {
            RuleErrorKind::Multiple(all) => {
                all.iter().flat_map(|e| e.problems()).collect()
            }
            _ => vec![self],
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let RuleErrorKind::Multiple(_) = &self.kind {
            // Flattened: nested groups (one per file or rule) would print
            // "3 problems" above "2 problems" and miscount.
            let all = self.problems();
            write!(f, "{} problems in rules:", all.len())?;
            for e in all {
                write!(f, "\n  {e}")?;
            }
            return Ok(());
        }
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, "rule `{rule}`: ")?;
        }
        match &self.kind {
            RuleErrorKind::Io(m) => write!(f, "cannot read: {m}"),
            RuleErrorKind::Parse(m) => write!(f, "invalid rule file: {m}"),
            RuleErrorKind::Invalid(m) => f.write_str(m),
            RuleErrorKind::Pattern(m) => write!(f, "bad pattern: {m}"),
            RuleErrorKind::DuplicateId => {
                f.write_str("duplicate id (already defined earlier)")
            }
            RuleErrorKind::Engine(m) => write!(f, "cannot build engine: {m}"),
            RuleErrorKind::Multiple(_) => unreachable!("handled above"),
        }
    }
}

impl std::error::Error for RuleError {}
