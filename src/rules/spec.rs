//! `RuleSpec`: a rule exactly as written in TOML, before validation.

use serde::Deserialize;

/// A rule file: any number of `[[rule]]` tables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    pub(crate) rule: Vec<RuleSpec>,
}

/// One `[[rule]]` table. Fields stay strings here so that validation can
/// name the bad value; [`Rule`](super::Rule) holds the parsed form.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleSpec {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) category: String,
    pub(crate) severity: String,
    #[serde(default)]
    pub(crate) confidence: Option<String>,
    #[serde(default)]
    pub(crate) keywords: Vec<String>,
    #[serde(default)]
    pub(crate) prefilter: Option<String>,
    #[serde(default)]
    pub(crate) min_digits: Option<usize>,
    pub(crate) pattern: String,
    #[serde(default)]
    pub(crate) secret_group: Option<usize>,
    #[serde(default)]
    pub(crate) min_entropy: Option<f64>,
    #[serde(default)]
    pub(crate) check: Option<String>,
    #[serde(default)]
    pub(crate) max_len: Option<usize>,
    #[serde(default)]
    pub(crate) placeholder_filter: Option<bool>,
    #[serde(default)]
    pub(crate) noise_filter: Option<bool>,
    #[serde(default)]
    pub(crate) action: Option<String>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) references: Vec<String>,
    #[serde(default)]
    pub(crate) examples: Vec<String>,
    #[serde(default)]
    pub(crate) negatives: Vec<String>,
    /// Regexes: a secret in which one matches is not reported.
    #[serde(default)]
    pub(crate) allow: Vec<String>,
    /// Substrings: a secret containing one (ASCII case-insensitive) is not
    /// reported.
    #[serde(default)]
    pub(crate) stopwords: Vec<String>,
    /// Set for rules converted from another scanner's format: examples are
    /// optional, and keywords may be context words outside the match.
    #[serde(skip)]
    pub(crate) imported: bool,
    /// Keywords are context words that need not occur inside the match.
    #[serde(skip)]
    pub(crate) context_keywords: bool,
}
