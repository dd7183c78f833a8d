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
