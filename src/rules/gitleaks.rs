//! Gitleaks (and Betterleaks) rule files: `[[rules]]` with `regex`,
//! `keywords`, `secretGroup`, `entropy` and allowlists, converted into
//! leakguard rules so that teams keep their existing custom rules.
//!
//! Gitleaks checks keywords against the whole text, not the match, and
//! runs keyword-less rules over everything. leakguard never runs a regex
//! over a whole input, so: when the regex itself holds literals that every
//! match contains, those become the keywords (exact, as for native rules);
//! otherwise the rule's keywords are used as context words, and the regex
//! runs in a window of its `max_len` around them. A rule with neither is
//! refused with a message saying so.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use serde::Deserialize;

use super::{RuleError, RuleErrorKind, RuleSpec};

/// True when the TOML text is a Gitleaks config (`[[rules]]`).
pub(crate) fn looks_like(text: &str) -> bool {
    // Parsing TOML twice doubled rule loading time; a Gitleaks file always
    // spells out its rules table, so look for that first.
    if !text.contains("[[rules]]") && !text.contains("[[ rules ]]") {
        return false;
    }
    match toml::from_str::<toml::Table>(text) {
        Ok(t) => t.contains_key("rules") && !t.contains_key("rule"),
        Err(_) => false,
    }
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    rules: Vec<GlRule>,
    #[serde(default)]
    allowlist: Option<Allowlist>,
    #[serde(default)]
    allowlists: Vec<Allowlist>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlRule {
    id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    secret_group: Option<usize>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    allowlist: Option<Allowlist>,
    #[serde(default)]
    allowlists: Vec<Allowlist>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Allowlist {
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    /// `secret` (default), `match` or `line`: only secret-targeted regexes
    /// can be applied to a finding's secret.
    #[serde(default)]
    regex_target: Option<String>,
}

/// Converts a Gitleaks config into rule specs.
pub(crate) fn convert(text: &str) -> Result<Vec<RuleSpec>, RuleError> {
    let file: File = toml::from_str(text).map_err(|e| {
        RuleError::new(RuleErrorKind::Parse(format!(
            "gitleaks config: {}",
            e.to_string().trim_end()
        )))
    })?;
    let global: Vec<&Allowlist> =
        file.allowlist.iter().chain(&file.allowlists).collect();
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for r in &file.rules {
        let Some(regex) = &r.regex else {
            // Path-only rules flag files by name; leakguard scans content.
            continue;
        };
        let id = sanitize_id(&r.id);
        let derived = derive_keywords(regex);
        let context = derived.is_none();
        let keywords = derived.unwrap_or_else(|| {
            r.keywords.iter().map(|k| k.to_ascii_lowercase()).collect()
        });
        if keywords.is_empty() {
            errs.push(
                RuleError::invalid(
                    "gitleaks rule has no keywords and its regex has no \
                     literal to find it by; add `keywords`",
                )
                .in_rule(&id),
            );
            continue;
        }
        let mut allow = Vec::new();
        let mut stopwords = Vec::new();
        for a in r
            .allowlist
            .iter()
            .chain(&r.allowlists)
            .chain(global.iter().copied())
        {
            if matches!(a.regex_target.as_deref(), None | Some("secret")) {
                allow.extend(a.regexes.iter().cloned());
            }
            stopwords.extend(a.stopwords.iter().cloned());
        }
        out.push(RuleSpec {
            id,
            name: r.description.clone().unwrap_or_else(|| r.id.clone()),
            category: "secret".into(),
            severity: "high".into(),
            confidence: Some(
                if r.entropy.is_some() { "low" } else { "high" }.into(),
            ),
            keywords,
            pattern: regex.clone(),
            secret_group: r.secret_group.or(Some(0)),
            min_entropy: r.entropy,
            allow,
            stopwords,
            imported: true,
            context_keywords: context,
            ..RuleSpec::default()
        });
    }
    match RuleError::join(errs) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Gitleaks ids are mostly kebab-case already; anything else is folded.
fn sanitize_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Literals every match must contain: a short finite set of prefixes (or
/// suffixes) of at least 3 bytes, lowercased.
fn derive_keywords(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let mut ex = Extractor::new();
        ex.kind(kind).limit_total(256);
        let seq = ex.extract(&hir);
        let Some(lits) = seq.literals() else { continue };
        let mut kws: Vec<String> = lits
            .iter()
            .map(|l| {
                String::from_utf8_lossy(l.as_bytes()).to_ascii_lowercase()
            })
            .collect();
        kws.sort();
        kws.dedup();
        if !kws.is_empty()
            && kws.len() <= 64
            && kws.iter().all(|k| k.len() >= 3)
        {
            return Some(kws);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    const CONFIG: &str = r#"
title = "team rules"

[[rules]]
id = "acme_internal_token"
description = "ACME internal token"
regex = '''\b(acme_[a-z0-9]{24})\b'''
secretGroup = 1
keywords = ["acme_"]

[[rules]]
id = "ctx-secret"
description = "secret near a context word"
regex = '''(?i)vaultpass\s*=\s*([A-Za-z0-9]{16,32})'''
secretGroup = 1
entropy = 3.0
keywords = ["vaultpass"]
[[rules.allowlists]]
regexes = ['''^DUMMY''']
stopwords = ["notreal"]

[[rules]]
id = "hex-only"
regex = '''[0-9a-f]{40}'''

[[rules]]
id = "path-only"
path = '''\.pem$'''

[allowlist]
regexes = ['''ignoreme''']
"#;

    #[test]
    fn converts_rules_and_refuses_unfindable_ones() {
        assert!(looks_like(CONFIG));
        let err =
            RuleSet::from_toml("gl.toml", CONFIG).unwrap_err().to_string();
        assert!(
            err.contains("rule `hex-only`: gitleaks rule has no keywords"),
            "{err}"
        );
        let ok = CONFIG.replace(
            "regex = '''[0-9a-f]{40}'''",
            "regex = '''[0-9a-f]{40}'''\nkeywords = [\"sha\"]",
        );
        let set = RuleSet::from_toml("gl.toml", &ok).unwrap();
        assert_eq!(set.len(), 3, "path-only rules are skipped");
        let r = set.get("acme-internal-token").unwrap();
        assert_eq!(r.keywords(), ["acme_"]);
        assert!(r.keyword_in_match);
        let c = set.get("ctx-secret").unwrap();
        // Derived from the regex (trimmed to keep the case variants few).
        assert!(c.keywords()[0].starts_with("vaultpa"), "{:?}", c.keywords());
        assert!(c.keyword_in_match);
        let h = set.get("hex-only").unwrap();
        assert_eq!(h.keywords(), ["sha"]);
        assert!(!h.keyword_in_match, "context keyword");
        assert_eq!(c.min_entropy(), Some(3.0));

        let scanner = crate::Scanner::new(&set).unwrap();
        let f = scanner.scan(b"t = acme_k2j3h4g5f6d7s8a9q1w2e3r4");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule_id(), "acme-internal-token");
        assert_eq!(scanner.scan(b"vaultpass = Zq3vK8wPbT4xLm9N").len(), 1);
        assert!(scanner.scan(b"vaultpass = DUMMYq3vK8wPbT4xLm").is_empty());
        assert!(scanner.scan(b"vaultpass = aNotReal8wPbT4xLm").is_empty());
        assert!(scanner.scan(b"vaultpass = ignoremeK8wPbT4xLm").is_empty());
    }

    #[test]
    fn ids_are_folded_to_kebab_case() {
        assert_eq!(sanitize_id("AWS_Access Key!"), "aws-access-key");
    }
}
