//! Turns global flags and `leakguard.toml` into library values.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    sync::Arc,
};

use anyhow::{bail, Context};
use globset::{Glob, GlobSet, GlobSetBuilder};
use leakguard::{
    Action, Baseline, Category, CodeIndex, CodeThresholds, Confidence, Config,
    EngineKind, FingerprintKey, Policy, RecordsIndex, RuleSet, Scanner,
    ScannerBuilder,
};

use crate::args::{EngineArg, GlobalArgs, IndexArgs};

/// The loaded config and rules.
pub struct Setup {
    pub config: Config,
    pub rules: RuleSet,
    pub engine: EngineKind,
}

impl Setup {
    /// A scanner builder with the chosen engine and its database cache;
    /// every command starts from it.
    pub fn builder(&self) -> ScannerBuilder {
        let mut b = ScannerBuilder::new();
        b.engine(self.engine).engine_cache(cache_dir());
        b
    }
}

/// `$XDG_CACHE_HOME/leakguard` or `~/.cache/leakguard`: compiled engine
/// databases, safe to delete.
fn cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache"))
        })
        .map(|base| base.join("leakguard"))
}

/// Loads the config (explicit, or `./leakguard.toml`) and the rule set.
/// `eager` compiles every pattern now (for `rules check`), instead of on
/// first use.
pub fn load(
    global: &GlobalArgs,
    extra: &[PathBuf],
    eager: bool,
) -> anyhow::Result<Setup> {
    let config = match &global.config {
        Some(p) => Config::load(p)?,
        None => match Config::discover(Path::new(".")) {
            Some(p) => Config::load(&p)?,
            None => Config::default(),
        },
    };
    let mut b = RuleSet::builder();
    b.eager(eager);
    config.add_rules(&mut b);
    if global.no_builtin {
        b.builtin(false);
    }
    for p in global.rules.iter().chain(extra) {
        b.add_path(p);
    }
    let rules = b.build()?;
    let engine = match global.engine {
        EngineArg::Auto => EngineKind::Auto,
        EngineArg::Rust => EngineKind::Rust,
        EngineArg::Hyperscan => EngineKind::Hyperscan,
    };
    Ok(Setup { config, rules, engine })
}

/// The per-install fingerprint key: from `LEAKGUARD_KEY_FILE`, the config,
/// or `~/.config/leakguard/key`, created (mode 0600) on first use.
pub fn fingerprint_key(config: &Config) -> anyhow::Result<FingerprintKey> {
    let path = std::env::var_os("LEAKGUARD_KEY_FILE")
        .map(PathBuf::from)
        .or_else(|| config.key_file())
        .or_else(default_key_path);
    let Some(path) = path else {
        return Ok(FingerprintKey::random());
    };
    load_or_create_key(&path)
}

/// Reads the key at `path`, or creates it (mode 0600) when missing.
pub fn load_or_create_key(path: &Path) -> anyhow::Result<FingerprintKey> {
    match fs::read(path) {
        Ok(bytes) => key_from(&bytes).with_context(|| {
            format!("fingerprint key {} is unusable", path.display())
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = FingerprintKey::random();
            if let Err(e) = store_key(path, &key) {
                eprintln!(
                    "leakguard: warning: cannot store fingerprint key at {} \
                     ({e:#}); fingerprints will change between runs",
                    path.display()
                );
            }
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| {
            format!("cannot read fingerprint key {}", path.display())
        }),
    }
}

fn default_key_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config"))
        })?;
    Some(base.join("leakguard").join("key"))
}

/// A key file holds 64 hex digits (32 bytes); longer material is hashed
/// down by using its first 32 bytes of hex.
fn key_from(bytes: &[u8]) -> anyhow::Result<FingerprintKey> {
    let text = std::str::from_utf8(bytes).context("not UTF-8")?.trim();
    match text.get(..64).and_then(FingerprintKey::from_hex) {
        Some(key) if text.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(key),
        _ => bail!("expected at least 64 hex digits"),
    }
}

fn store_key(path: &Path, key: &FingerprintKey) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    writeln!(f, "{}", key.to_hex())?;
    Ok(())
}

/// Reads a key file that must exist (the key of a records index).
pub fn read_key(path: &Path) -> anyhow::Result<FingerprintKey> {
    let bytes = fs::read(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    key_from(&bytes)
        .with_context(|| format!("key file {} is unusable", path.display()))
}

/// The scanner of `scan`, `hook` and `baseline`: scan policy, inline allow
/// comments honoured, `[allow] secrets` applied.
pub fn repo_scanner(setup: &Setup) -> anyhow::Result<Scanner> {
    repo_scanner_with(setup, &Indexes::default())
}

/// [`repo_scanner`] that also looks up `indexes`.
pub fn repo_scanner_with(
    setup: &Setup,
    indexes: &Indexes,
) -> anyhow::Result<Scanner> {
    let mut b = setup.builder();
    b.policy(setup.config.scan_policy())
        .inline_allow(true)
        .allow_secrets(setup.config.allow_secrets())
        .fingerprint_key(fingerprint_key(&setup.config)?);
    indexes.apply(&mut b);
    Ok(b.build(&setup.rules)?)
}

/// The code and records indexes a scanner looks up.
#[derive(Default)]
pub struct Indexes {
    pub code: Option<Arc<CodeIndex>>,
    pub thresholds: CodeThresholds,
    pub records: Option<Arc<RecordsIndex>>,
}

impl Indexes {
    /// Gives the indexes to a scanner builder.
    pub fn apply(&self, b: &mut ScannerBuilder) {
        b.code_thresholds(self.thresholds);
        if let Some(c) = &self.code {
            b.code_index(c.clone());
        }
        if let Some(r) = &self.records {
            b.records_index(r.clone());
        }
    }

    /// Whether a finding of these indexes can block under `policy`.
    pub fn can_block(&self, policy: &Policy) -> bool {
        let blocks = |c, conf| policy.index_action(c, conf) == Action::Block;
        self.code.is_some() && blocks(Category::Code, Confidence::High)
            || self.records.is_some()
                && (blocks(Category::Record, Confidence::High)
                    || blocks(Category::Record, Confidence::Low))
    }
}

/// Loads the indexes that flags (first) or `[code]` and `[records]` in the
/// config name: for `scan`, `filter` and `proxy`. A missing, corrupt or
/// wrong-version file, or a wrong key, is an error.
pub fn load_indexes(
    config: &Config,
    args: &IndexArgs,
) -> anyhow::Result<Indexes> {
    let mut out =
        Indexes { thresholds: config.code_thresholds(), ..Indexes::default() };
    if let Some(p) = args.code_index.clone().or_else(|| config.code_index()) {
        out.code = Some(Arc::new(CodeIndex::load(&p)?));
    }
    let records =
        args.records_index.clone().or_else(|| config.records_index());
    if let Some(p) = records {
        let key_file = args
            .records_key_file
            .clone()
            .or_else(|| config.records_key_file());
        let key = match key_file {
            Some(k) => read_key(&k)?,
            None => fingerprint_key(config)?,
        };
        out.records = Some(Arc::new(RecordsIndex::load(&p, &key)?));
    }
    Ok(out)
}

/// `[allow] paths` compiled; `None` when there are none.
pub fn allow_paths(config: &Config) -> anyhow::Result<Option<GlobSet>> {
    if config.allow_paths().is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in config.allow_paths() {
        b.add(
            Glob::new(g)
                .with_context(|| format!("bad [allow] path glob {g:?}"))?,
        );
    }
    Ok(Some(b.build()?))
}

/// The default baseline file name, at the repository root.
pub const BASELINE_FILE: &str = ".leakguard-baseline.json";

/// Where the baseline lives: the flag, the config, or the default under
/// `root`.
pub fn baseline_path(
    explicit: Option<&Path>,
    config: &Config,
    root: &Path,
) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| config.baseline())
        .unwrap_or_else(|| root.join(BASELINE_FILE))
}

/// Loads the baseline: an explicit file must exist; the default one is
/// optional.
pub fn load_baseline(
    explicit: Option<&Path>,
    config: &Config,
    root: &Path,
) -> anyhow::Result<Option<Baseline>> {
    let path = baseline_path(explicit, config, root);
    if explicit.is_none() && !path.exists() {
        return Ok(None);
    }
    Ok(Some(Baseline::load(&path)?))
}
