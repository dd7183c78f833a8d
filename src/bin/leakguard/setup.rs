//! Turns global flags and `leakguard.toml` into library values.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::{bail, Context};
use leakguard::{Config, FingerprintKey, RuleSet};

use crate::args::GlobalArgs;

/// The loaded config and rules.
pub struct Setup {
    pub config: Config,
    pub rules: RuleSet,
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
    Ok(Setup { config, rules })
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
    match fs::read(&path) {
        Ok(bytes) => key_from(&bytes).with_context(|| {
            format!("fingerprint key {} is unusable", path.display())
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = FingerprintKey::random();
            if let Err(e) = store_key(&path, &key) {
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
    if text.len() < 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("expected at least 64 hex digits");
    }
    let mut key = [0u8; 32];
    for (i, k) in key.iter_mut().enumerate() {
        *k = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)?;
    }
    Ok(FingerprintKey::from_bytes(key))
}

fn store_key(path: &Path, key: &FingerprintKey) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let hex: String =
        key.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    writeln!(f, "{hex}")?;
    Ok(())
}
