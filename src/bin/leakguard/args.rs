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
    /// Build a code fingerprint or customer-records index.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Reverse proxy for LLM APIs: redact or block every prompt before it
    /// leaves.
    #[cfg(feature = "proxy")]
    Proxy(ProxyArgs),
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Fingerprint source trees (gitignore-aware); no source text is kept.
    Code(IndexCodeArgs),
    /// Hash columns of a CSV table under a key; no cell is kept.
    Records(IndexRecordsArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PathsArg {
    /// File numbers only.
    None,
    /// File numbers and a SHA-256 prefix of each path.
    Hash,
    /// Relative paths.
    Plain,
}

#[derive(Debug, Args)]
pub struct IndexCodeArgs {
    /// Files or directories to index.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// The index file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Leave out every k-gram of this index (of public code).
    #[arg(long, value_name = "INDEX")]
    pub exclude_common: Option<PathBuf>,
    /// K-grams found in more than N files are boilerplate, counted only
    /// for long copies (`[code] common_tokens`); 0 treats all alike.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub max_files: usize,
    /// How files are named in the index and in findings.
    #[arg(long, value_enum, default_value_t = PathsArg::Hash)]
    pub paths_as: PathsArg,
    /// k-gram length in tokens.
    #[arg(long, value_name = "K", default_value_t = leakguard::DEFAULT_K)]
    pub k: usize,
    /// Winnowing window in k-grams.
    #[arg(long, value_name = "W", default_value_t = leakguard::DEFAULT_WINDOW)]
    pub window: usize,
    /// Also index files that .gitignore and .ignore exclude.
    #[arg(long)]
    pub no_ignore: bool,
    /// No summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct IndexRecordsArgs {
    /// The CSV table (with a header row).
    #[arg(value_name = "FILE.csv")]
    pub csv: PathBuf,
    /// The index file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Columns to index, as NAME or NAME:KIND (email, phone, id, name);
    /// default: every column whose kind can be told.
    #[arg(long, value_name = "A,B,C", value_delimiter = ',')]
    pub columns: Vec<String>,
    /// The HMAC key (64 hex digits); scans must use the same one. Default:
    /// the fingerprint key.
    #[arg(long, value_name = "K")]
    pub key_file: Option<PathBuf>,
    /// No summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// The index flags of `scan` and `filter` (and later `proxy`).
#[derive(Debug, Default, Args)]
pub struct IndexArgs {
    /// Report copies of the code in this index (category `code`).
    #[arg(long, value_name = "FILE")]
    pub code_index: Option<PathBuf>,
    /// Report values of the customer records in this index (category
    /// `record`).
    #[arg(long, value_name = "FILE")]
    pub records_index: Option<PathBuf>,
    /// The key the records index was built with (default: [records]
    /// key_file, then the fingerprint key).
    #[arg(long, value_name = "FILE")]
    pub records_key_file: Option<PathBuf>,
}

/// A category `--block` can name.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CategoryArg {
    Secret,
    Pii,
    Code,
    Record,
    Custom,
}

#[derive(Debug, Args)]
pub struct ProxyArgs {
    #[command(flatten)]
    pub indexes: IndexArgs,
    /// Address to listen on [config: proxy.listen; default: 127.0.0.1:8787].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Where requests go that no [[proxy.route]] takes (http:// or https://).
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,
    /// Block requests with findings of CATEGORY (repeatable), on every
    /// route; everything else found is redacted.
    #[arg(long, value_enum, value_name = "CATEGORY")]
    pub block: Vec<CategoryArg>,
    /// Put the original values back where the model echoes placeholders.
    #[arg(long)]
    pub restore: bool,
    /// Forward requests that cannot be scanned (too big, compressed)
    /// instead of blocking them.
    #[arg(long)]
    pub fail_open: bool,
    /// Append one JSON line per request to FILE (no secrets, no headers).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Also trust the PEM certificates in FILE for https upstreams, e.g.
    /// an in-house model server's authority [config: proxy.upstream_ca].
    #[arg(long, value_name = "FILE")]
    pub upstream_ca: Option<PathBuf>,
    /// Largest request body scanned, in bytes [default: 33554432].
    #[arg(long, value_name = "BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Seconds to wait for a request body, a free slot or the upstream
    /// [default: 600].
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Requests handled at once [default: 256].
    #[arg(long, value_name = "N")]
    pub max_concurrency: Option<usize>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
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
    #[command(flatten)]
    pub indexes: IndexArgs,
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
    /// How stdin is read: `auto` reads JSON when it starts with `{` or `[`,
    /// else streams text. JSON is held in memory (up to --max-json-bytes)
    /// and every string is scanned decoded.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub format: InputFormat,
    /// Largest JSON input held in memory; a larger input is an error for
    /// `--format json|jsonl` and is streamed as text for `auto`.
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub max_json_bytes: u64,
    #[command(flatten)]
    pub indexes: IndexArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Auto,
    Text,
    Json,
    Jsonl,
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
