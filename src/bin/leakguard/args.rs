//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Stops secrets, customer data and proprietary code from leaving inside AI
/// prompts.
///
/// Exit status: 0 clean (or passed through), 1 findings that block, 2 error.
#[derive(Debug, Parser)]
#[command(name = "leakguard", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Config file (default: ./leakguard.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Extra rule file (TOML); repeatable.
    #[arg(long = "rules", global = true, value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rules.
    #[arg(long, global = true)]
    pub no_builtin: bool,
    /// Prefilter engine; `auto` is Hyperscan when this build has it. Both
    /// give the same findings.
    #[arg(long, global = true, value_enum, default_value_t = EngineArg::Auto)]
    pub engine: EngineArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum EngineArg {
    Auto,
    Rust,
    Hyperscan,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories (gitignore-aware, in parallel).
    Scan(ScanArgs),
    /// Redact (or block) leaks from stdin to stdout, streaming.
    Filter(FilterArgs),
    /// List or check the rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Git hooks: run the pre-commit check, install or remove it.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Record existing findings so that only new ones count.
    #[command(subcommand)]
    Baseline(BaselineCommand),
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Scan the added lines of the staged changes; exit 1 if any blocks.
    PreCommit(HookRunArgs),
    /// Write .git/hooks/pre-commit (honours core.hooksPath).
    Install {
        /// Replace a pre-commit hook that leakguard did not write.
        #[arg(long)]
        force: bool,
        /// Keep an existing hook and run it after leakguard.
        #[arg(long, conflicts_with = "force")]
        chain: bool,
    },
    /// Remove the hook leakguard installed (restoring a chained one).
    Uninstall,
}

#[derive(Debug, Args)]
pub struct HookRunArgs {
    /// Baseline file (default: .leakguard-baseline.json at the repo root).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Record every current finding under PATHs (default: the repo root).
    Create(BaselineArgs),
    /// Add new findings, keep existing entries.
    Update(BaselineArgs),
    /// Drop entries whose finding no longer exists.
    Prune(BaselineArgs),
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Baseline file (default: .leakguard-baseline.json at the repo root).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Files or directories (default: the repository root, or `.`).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
    Jsonl,
    Sarif,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Also scan files that .gitignore and .ignore exclude.
    #[arg(long)]
    pub no_ignore: bool,
    /// Skip hidden files and directories (scanned by default: `.env`).
    #[arg(long)]
    pub skip_hidden: bool,
    /// No progress line on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Scan only what the staged changes add (as the pre-commit hook).
    #[arg(long, conflicts_with_all = ["since", "paths"])]
    pub staged: bool,
    /// Scan only what commits since REV (merge base) up to HEAD add.
    #[arg(long, value_name = "REV", conflicts_with = "paths")]
    pub since: Option<String>,
    /// Baseline file (default: .leakguard-baseline.json when present).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Ignore any baseline.
    #[arg(long, conflicts_with = "baseline")]
    pub no_baseline: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Style {
    Placeholder,
    Mask,
    Hash,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Withhold the whole output and exit 1 if anything is found.
    #[arg(long)]
    pub block: bool,
    /// Also write findings as JSON lines to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// How redacted values are written (default from config: placeholder).
    #[arg(long, value_enum)]
    pub style: Option<Style>,
    /// Do not print findings on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the active rules.
    List {
        /// `human` or `json`.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Run every rule's examples and negatives (and of FILEs).
    Check {
        /// More rule files to load and check.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}
