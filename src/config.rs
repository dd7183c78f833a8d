//! `leakguard.toml`: rule files, inline rules, policies, fingerprint key.

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use crate::{
    finding::{mask_preview, Action, Category},
    fingerprint::CodeThresholds,
    policy::Policy,
    redact::RedactStyle,
    rules::{RuleError, RuleSetBuilder, RuleSpec},
};

/// The file name looked up in the working directory.
pub const CONFIG_FILE: &str = "leakguard.toml";

/// A parsed `leakguard.toml`.
///
/// ```toml
/// rules = ["team-rules.toml"]   # more rule files, relative to this file
/// builtin = true                # include the built-in rules
///
/// [fingerprint]
/// key_file = "/etc/leakguard/key" # 32+ bytes; default: per install
///
/// [filter]                      # policy of `filter` (and `proxy`)
/// style = "placeholder"         # placeholder | mask | hash
/// pii = "block"
/// low_confidence = "report"
/// rules = { "generic-password-assignment" = "report" }
///
/// [scan]                        # policy of `scan` (and `hook`)
/// low_confidence = "block"
///
/// [proxy]                       # `leakguard proxy`; flags override
/// listen = "127.0.0.1:8787"
/// upstream = "https://api.openai.com" # for requests no route takes
/// restore = true
/// audit_log = "leakguard-audit.jsonl"
/// upstream_ca = "corp-ca.pem"   # also trusted for https upstreams
///
/// [[proxy.route]]               # first match wins
/// name = "anthropic"
/// path_prefix = "/v1/messages"  # and/or host = "..."
/// upstream = "https://api.anthropic.com"
/// policy = { pii = "block", code = "block" } # keys as in [filter]
///
/// [allow]
/// paths = ["tests/fixtures/**"] # globs of files never reported
/// secrets = ["AKIA[A-Z2-7]{12}DOCS"] # regexes of whole secrets never reported
///
/// baseline = ".leakguard-baseline.json" # default, relative to the repo
///
/// [code]                        # proprietary-code index (`index code`)
/// index = "code.lgx"
/// min_tokens = 45               # tokens a copy must cover at least
/// sure_tokens = 90              # tokens reported whatever surrounds them
/// min_share = 0.6               # else: share of the tokens around them
/// common_tokens = 100           # counting boilerplate k-grams too: tokens
/// common_share = 0.7            # and share a copy needs
///
/// [records]                     # customer-records index (`index records`)
/// index = "customers.lgr"
/// key_file = "records.key"      # default: the fingerprint key
///
/// [[rule]]                      # inline rules, same format as patterns/
/// id = "acme-internal-token"
/// # ...
/// ```
#[derive(Clone, Debug, Default)]
pub struct Config {
    path: Option<PathBuf>,
    file: ConfigFile,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    rules: Vec<PathBuf>,
    #[serde(default)]
    builtin: Option<bool>,
    #[serde(default)]
    fingerprint: Fingerprint,
    #[serde(default)]
    filter: PolicySection,
    #[serde(default)]
    scan: PolicySection,
    #[serde(default)]
    allow: AllowSection,
    #[serde(default)]
    proxy: ProxySection,
    #[serde(default)]
    baseline: Option<PathBuf>,
    #[serde(default)]
    code: CodeSection,
    #[serde(default)]
    records: RecordsSection,
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeSection {
    index: Option<PathBuf>,
    min_tokens: Option<usize>,
    sure_tokens: Option<usize>,
    min_share: Option<f64>,
    common_tokens: Option<usize>,
    common_share: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordsSection {
    index: Option<PathBuf>,
    key_file: Option<PathBuf>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowSection {
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    secrets: Vec<String>,
}

/// `[proxy]`: settings of `leakguard proxy`; flags override them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProxySection {
    listen: Option<String>,
    upstream: Option<String>,
    restore: Option<bool>,
    fail_open: Option<bool>,
    audit_log: Option<PathBuf>,
    upstream_ca: Option<PathBuf>,
    max_body_bytes: Option<usize>,
    timeout_secs: Option<u64>,
    max_concurrency: Option<usize>,
    #[serde(default)]
    route: Vec<RouteSection>,
}

/// `[[proxy.route]]`: one destination and its policy.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteSection {
    name: Option<String>,
    path_prefix: Option<String>,
    host: Option<String>,
    upstream: String,
    #[serde(default)]
    policy: PolicySection,
}

/// The `[proxy]` settings of a config file; `None` where the file is
/// silent.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ProxySettings {
    /// Address to listen on.
    pub listen: Option<String>,
    /// The default upstream, for requests no route takes.
    pub upstream: Option<String>,
    /// Put original values back into responses.
    pub restore: Option<bool>,
    /// Forward what cannot be scanned instead of blocking it.
    pub fail_open: Option<bool>,
    /// JSONL audit log file, relative to the config file.
    pub audit_log: Option<PathBuf>,
    /// PEM certificates trusted for https upstreams besides the webpki
    /// roots, relative to the config file.
    pub upstream_ca: Option<PathBuf>,
    /// Largest request body scanned.
    pub max_body_bytes: Option<usize>,
    /// Seconds to wait for a request body or an upstream answer.
    pub timeout_secs: Option<u64>,
    /// Requests handled at once.
    pub max_concurrency: Option<usize>,
}

/// A `[[proxy.route]]`: requests whose path starts with `path_prefix`
/// and whose `Host` is `host` (each if given) go to `upstream`, under
/// `policy`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RouteSpec {
    /// A name for logs and metrics (default: the upstream).
    pub name: String,
    /// Path prefix the request must have.
    pub path_prefix: Option<String>,
    /// `Host` header (without port) the request must carry.
    pub host: Option<String>,
    /// Base URL of the destination, `http://` or `https://`.
    pub upstream: String,
    /// The `[filter]` policy with the route's own changes.
    pub policy: Policy,
    /// How redacted values are written.
    pub style: RedactStyle,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fingerprint {
    key_file: Option<PathBuf>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicySection {
    style: Option<String>,
    secret: Option<String>,
    pii: Option<String>,
    custom: Option<String>,
    code: Option<String>,
    record: Option<String>,
    low_confidence: Option<String>,
    #[serde(default)]
    rules: BTreeMap<String, String>,
}

/// An error reading or interpreting `leakguard.toml`.
#[derive(Clone, Debug)]
pub struct ConfigError {
    path: String,
    message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Looks for `leakguard.toml` in `dir`.
    pub fn discover(dir: &Path) -> Option<PathBuf> {
        let p = dir.join(CONFIG_FILE);
        p.is_file().then_some(p)
    }

    /// Reads and checks a config file.
    ///
    /// # Errors
    ///
    /// When the file is unreadable, not TOML, has unknown keys or bad
    /// action and style names.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let err = |message: String| ConfigError {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(format!("cannot read: {e}")))?;
        // Not the TOML error's own text: it quotes the offending line, and
        // a secret pasted into the config would be echoed with it.
        let file: ConfigFile = toml::from_str(&text).map_err(|e| {
            let at = e.span().map_or(String::new(), |r| {
                let before = &text.as_bytes()[..r.start.min(text.len())];
                let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
                let col = before.len()
                    - before
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |i| i + 1)
                    + 1;
                format!("line {line}, column {col}: ")
            });
            err(format!("{at}{}", mask_quoted(e.message().trim_end())))
        })?;
        let config = Config { path: Some(path.to_path_buf()), file };
        let routes = config.file.proxy.route.iter().map(|r| &r.policy);
        for section in
            [&config.file.filter, &config.file.scan].into_iter().chain(routes)
        {
            section.apply(&mut Policy::filter()).map_err(err)?;
            section.style().map_err(err)?;
        }
        for (name, share) in [
            ("min_share", config.file.code.min_share),
            ("common_share", config.file.code.common_share),
        ] {
            if let Some(s) = share {
                if !(0.0..=1.0).contains(&s) {
                    return Err(err(format!(
                        "[code] {name} {s} is not between 0 and 1"
                    )));
                }
            }
        }
        Ok(config)
    }

    /// The policy of `filter` and `proxy`: the defaults of
    /// [`Policy::filter`] with this file's `[filter]` changes.
    pub fn filter_policy(&self) -> Policy {
        let mut p = Policy::filter();
        self.file.filter.apply(&mut p).expect("checked by load");
        p
    }

    /// The policy of `scan` and `hook`.
    pub fn scan_policy(&self) -> Policy {
        let mut p = Policy::scan();
        self.file.scan.apply(&mut p).expect("checked by load");
        p
    }

    /// The redaction style of `[filter]`.
    pub fn redact_style(&self) -> RedactStyle {
        self.file.filter.style().expect("checked by load")
    }

    /// The `[proxy]` settings.
    pub fn proxy_settings(&self) -> ProxySettings {
        let p = &self.file.proxy;
        ProxySettings {
            listen: p.listen.clone(),
            upstream: p.upstream.clone(),
            restore: p.restore,
            fail_open: p.fail_open,
            audit_log: p.audit_log.as_ref().map(|a| self.resolve(a)),
            upstream_ca: p.upstream_ca.as_ref().map(|a| self.resolve(a)),
            max_body_bytes: p.max_body_bytes,
            timeout_secs: p.timeout_secs,
            max_concurrency: p.max_concurrency,
        }
    }

    /// The `[[proxy.route]]` destinations, in file order (the first that
    /// matches a request takes it). Each route's policy is the `[filter]`
    /// policy with the route's own `policy` table (same keys as
    /// `[filter]`) applied on top.
    pub fn proxy_routes(&self) -> Vec<RouteSpec> {
        self.file
            .proxy
            .route
            .iter()
            .map(|r| {
                let mut policy = self.filter_policy();
                r.policy.apply(&mut policy).expect("checked by load");
                let style = match r.policy.style {
                    Some(_) => r.policy.style().expect("checked by load"),
                    None => self.redact_style(),
                };
                RouteSpec {
                    name: r.name.clone().unwrap_or_else(|| r.upstream.clone()),
                    path_prefix: r.path_prefix.clone(),
                    host: r.host.clone(),
                    upstream: r.upstream.clone(),
                    policy,
                    style,
                }
            })
            .collect()
    }

    /// Where the fingerprint key is kept, if the file says.
    pub fn key_file(&self) -> Option<PathBuf> {
        self.file.fingerprint.key_file.as_ref().map(|p| self.resolve(p))
    }

    /// Globs of paths whose findings never count (`[allow] paths`).
    pub fn allow_paths(&self) -> &[String] {
        &self.file.allow.paths
    }

    /// Regexes of secrets that never count (`[allow] secrets`).
    pub fn allow_secrets(&self) -> &[String] {
        &self.file.allow.secrets
    }

    /// The baseline file named by the config, if any.
    pub fn baseline(&self) -> Option<PathBuf> {
        self.file.baseline.as_ref().map(|p| self.resolve(p))
    }

    /// The code index file of `[code]`, if any.
    pub fn code_index(&self) -> Option<PathBuf> {
        self.file.code.index.as_ref().map(|p| self.resolve(p))
    }

    /// The code thresholds: `[code]` values over the defaults.
    pub fn code_thresholds(&self) -> CodeThresholds {
        let d = CodeThresholds::default();
        CodeThresholds {
            min_tokens: self.file.code.min_tokens.unwrap_or(d.min_tokens),
            sure_tokens: self.file.code.sure_tokens.unwrap_or(d.sure_tokens),
            min_share: self.file.code.min_share.unwrap_or(d.min_share),
            common_tokens: self
                .file
                .code
                .common_tokens
                .unwrap_or(d.common_tokens),
            common_share: self
                .file
                .code
                .common_share
                .unwrap_or(d.common_share),
        }
    }

    /// The records index file of `[records]`, if any.
    pub fn records_index(&self) -> Option<PathBuf> {
        self.file.records.index.as_ref().map(|p| self.resolve(p))
    }

    /// The key file of the records index, if `[records]` names one.
    pub fn records_key_file(&self) -> Option<PathBuf> {
        self.file.records.key_file.as_ref().map(|p| self.resolve(p))
    }

    /// Adds this file's rule files and inline rules to a rule set builder.
    pub fn add_rules(&self, b: &mut RuleSetBuilder) {
        if let Some(yes) = self.file.builtin {
            b.builtin(yes);
        }
        for p in &self.file.rules {
            b.add_path(self.resolve(p));
        }
        if !self.file.rule.is_empty() {
            let name = self
                .path
                .as_ref()
                .map_or(CONFIG_FILE.to_string(), |p| p.display().to_string());
            b.add_specs(&name, self.file.rule.clone());
        }
    }

    /// Loads the rule set: built-ins (unless turned off), this file's rules,
    /// then `extra` rule files.
    ///
    /// # Errors
    ///
    /// Every bad rule at once; see [`RuleSetBuilder::build`].
    pub fn rule_set(
        &self,
        extra: &[PathBuf],
    ) -> Result<crate::RuleSet, RuleError> {
        let mut b = crate::RuleSet::builder();
        self.add_rules(&mut b);
        for p in extra {
            b.add_path(p);
        }
        b.build()
    }

    fn resolve(&self, p: &Path) -> PathBuf {
        match self.path.as_ref().and_then(|c| c.parent()) {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }
}

fn action(name: &str) -> Result<Action, String> {
    Action::from_name(name).ok_or_else(|| {
        format!(
            "action {} is not one of allow, report, redact, block",
            shown(name)
        )
    })
}

/// Values longer than this are masked in errors.
const SHOWN_WHOLE: usize = 16;

/// A value from the config, quoted for an error: whole when short (a typo
/// is easiest fixed when seen), else masked like a finding's preview, since
/// a secret pasted into the wrong place must not be echoed back.
fn shown(v: &str) -> String {
    if v.chars().count() <= SHOWN_WHOLE {
        format!("{v:?}")
    } else {
        format!("{:?}", mask_preview(v.as_bytes()))
    }
}

/// Masks every long `"…"` or `` `…` `` quoted value in a parser message
/// (serde names the value it could not use: `invalid type: string "…"`).
fn mask_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let q = rest.as_bytes()[open] as char;
        let Some(len) = rest[open + 1..].find(q) else { break };
        let inner = &rest[open + 1..open + 1 + len];
        out.push_str(&rest[..open]);
        if inner.chars().count() <= SHOWN_WHOLE {
            out.push(q);
            out.push_str(inner);
            out.push(q);
        } else {
            out.push(q);
            out.push_str(&mask_preview(inner.as_bytes()));
            out.push(q);
        }
        rest = &rest[open + len + 2..];
    }
    out.push_str(rest);
    out
}

impl PolicySection {
    fn apply(&self, p: &mut Policy) -> Result<(), String> {
        for (c, a) in [
            (Category::Secret, &self.secret),
            (Category::Pii, &self.pii),
            (Category::Custom, &self.custom),
            (Category::Code, &self.code),
            (Category::Record, &self.record),
        ] {
            if let Some(a) = a {
                p.category(c, action(a)?);
            }
        }
        if let Some(a) = &self.low_confidence {
            p.low_confidence(action(a)?);
        }
        for (id, a) in &self.rules {
            p.rule(id, action(a)?);
        }
        Ok(())
    }

    fn style(&self) -> Result<RedactStyle, String> {
        match self.style.as_deref() {
            None | Some("placeholder") => Ok(RedactStyle::Placeholder),
            Some("mask") => Ok(RedactStyle::Mask),
            Some("hash") => Ok(RedactStyle::Hash),
            Some(s) => Err(format!(
                "style {} is not one of placeholder, mask, hash",
                shown(s)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn policies_and_bad_values() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "leakguard.toml",
            "[filter]\npii = \"block\"\nstyle = \"mask\"\n[scan]\nlow_confidence = \"block\"\n",
        );
        let c = Config::load(&p).unwrap();
        assert_eq!(c.redact_style(), RedactStyle::Mask);
        assert_eq!(Config::discover(dir.path()), Some(p));
        let bad = write(dir.path(), "bad.toml", "[filter]\npii = \"drop\"\n");
        let e = Config::load(&bad).unwrap_err().to_string();
        assert!(e.contains("bad.toml") && e.contains("\"drop\""), "{e}");
        let code = write(
            dir.path(),
            "code.toml",
            "[code]\nindex = \"c.lgx\"\nmin_tokens = 60\n[records]\nindex = \"/r.lgr\"\n",
        );
        let c = Config::load(&code).unwrap();
        assert_eq!(c.code_index(), Some(dir.path().join("c.lgx")));
        assert_eq!(c.code_thresholds().min_tokens, 60);
        assert_eq!(
            c.code_thresholds().min_share,
            crate::fingerprint::DEFAULT_MIN_SHARE
        );
        assert_eq!(c.records_index(), Some(PathBuf::from("/r.lgr")));
        let share = write(dir.path(), "s.toml", "[code]\nmin_share = 2.0\n");
        assert!(Config::load(&share).is_err());
        let common = write(
            dir.path(),
            "c.toml",
            "[code]\ncommon_tokens = 150\ncommon_share = 0.9\n",
        );
        let t = Config::load(&common).unwrap().code_thresholds();
        assert_eq!((t.common_tokens, t.common_share), (150, 0.9));
        assert_eq!(t.min_tokens, crate::fingerprint::DEFAULT_MIN_TOKENS);
        let share = write(dir.path(), "s.toml", "[code]\ncommon_share = -1\n");
        let e = Config::load(&share).unwrap_err().to_string();
        assert!(e.contains("common_share"), "{e}");
        let routes = write(
            dir.path(),
            "routes.toml",
            "[filter]\nstyle = \"mask\"\n[proxy]\nrestore = true\n\
             [[proxy.route]]\npath_prefix = \"/v1/messages\"\n\
             upstream = \"https://api.anthropic.com\"\n\
             policy = { pii = \"block\" }\n",
        );
        let c = Config::load(&routes).unwrap();
        assert_eq!(c.proxy_settings().restore, Some(true));
        let r = &c.proxy_routes()[0];
        assert_eq!(r.name, "https://api.anthropic.com");
        assert_eq!(r.style, RedactStyle::Mask);
        assert_eq!(r.path_prefix.as_deref(), Some("/v1/messages"));
        let bad = write(
            dir.path(),
            "badroute.toml",
            "[[proxy.route]]\nupstream = \"x\"\npolicy = { pii = \"drop\" }\n",
        );
        assert!(Config::load(&bad).is_err());
        let typo = write(dir.path(), "typo.toml", "[filtr]\n");
        assert!(Config::load(&typo)
            .unwrap_err()
            .to_string()
            .contains("filtr"));
    }
}
