//! `leakguard index code|records`: build the indexes that `scan`, `filter`
//! and `proxy` look up.

use std::{
    fs::File,
    io::{self, Read},
    path::Path,
    process::ExitCode,
    time::Instant,
};

use anyhow::{bail, Context};
use ignore::WalkBuilder;
use leakguard::{
    CodeIndex, CodeIndexBuilder, ColumnSpec, PathStorage, RecordsIndex,
};

use crate::{
    args::{
        GlobalArgs, IndexCodeArgs, IndexCommand, IndexRecordsArgs, PathsArg,
    },
    setup,
};

/// Files larger than this are not source code worth indexing (generated
/// bundles, data); they are skipped.
const MAX_FILE: u64 = 8 << 20;
/// A NUL byte in the first this many bytes marks a file as binary.
const BINARY_PROBE: usize = 8 << 10;

pub fn run(
    global: &GlobalArgs,
    cmd: &IndexCommand,
) -> anyhow::Result<ExitCode> {
    match cmd {
        IndexCommand::Code(a) => code(a),
        IndexCommand::Records(a) => records(global, a),
    }
}

fn code(args: &IndexCodeArgs) -> anyhow::Result<ExitCode> {
    for p in &args.paths {
        if p.symlink_metadata().is_err() {
            bail!("no such file or directory: {}", p.display());
        }
    }
    let started = Instant::now();
    let mut b = CodeIndexBuilder::new();
    b.kgram(args.k).window(args.window).max_files(args.max_files).paths(
        match args.paths_as {
            PathsArg::None => PathStorage::None,
            PathsArg::Hash => PathStorage::Hashed,
            PathsArg::Plain => PathStorage::Plain,
        },
    );
    if let Some(common) = &args.exclude_common {
        b.exclude_common(&CodeIndex::load(common)?)?;
    }
    let mut walk = WalkBuilder::new(&args.paths[0]);
    for p in &args.paths[1..] {
        walk.add(p);
    }
    walk.git_ignore(!args.no_ignore)
        .git_global(!args.no_ignore)
        .git_exclude(!args.no_ignore)
        .ignore(!args.no_ignore)
        .parents(!args.no_ignore)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    let (mut bytes, mut skipped) = (0u64, 0u64);
    let mut source = Vec::new();
    for entry in walk.build() {
        let entry = entry?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        source.clear();
        File::open(path)
            .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut source))
            .with_context(|| format!("cannot read {}", path.display()))?;
        let probe = &source[..source.len().min(BINARY_PROBE)];
        if source.len() as u64 > MAX_FILE || memchr::memchr(0, probe).is_some()
        {
            skipped += 1;
            continue;
        }
        bytes += source.len() as u64;
        let name = path.strip_prefix("./").unwrap_or(path);
        b.add_file(&name.to_string_lossy(), &source);
    }
    let index = b.build();
    write_atomically(&args.out, &index.to_bytes())?;
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "leakguard: indexed {} files ({} bytes, {} skipped) into {} \
             fingerprints (k={}, w={}) in {:.2}s; wrote {}",
            index.files(),
            bytes,
            skipped,
            index.fingerprints(),
            index.k(),
            index.window(),
            secs,
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn records(
    global: &GlobalArgs,
    args: &IndexRecordsArgs,
) -> anyhow::Result<ExitCode> {
    let key = match &args.key_file {
        Some(k) => setup::load_or_create_key(k)?,
        None => {
            let setup = setup::load(global, &[], false)?;
            setup::fingerprint_key(&setup.config)?
        }
    };
    let columns = args
        .columns
        .iter()
        .map(|c| ColumnSpec::parse(c.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    let file = File::open(&args.csv)
        .with_context(|| format!("cannot open {}", args.csv.display()))?;
    let index =
        RecordsIndex::from_csv(io::BufReader::new(file), &columns, &key)
            .with_context(|| format!("cannot index {}", args.csv.display()))?;
    write_atomically(&args.out, &index.to_bytes())?;
    if !args.quiet {
        let cols: Vec<String> =
            index.columns().map(|(n, k)| format!("{n} ({k})")).collect();
        eprintln!(
            "leakguard: indexed {} rows, {} cells of columns {}; wrote {}",
            index.rows(),
            index.cells(),
            cols.join(", "),
            args.out.display()
        );
        let lost = index.lost_names();
        if lost > 0 {
            eprintln!(
                "leakguard: warning: {lost} name cell(s) cannot be found in \
                 text: a scan looks for names of two or three ASCII words or \
                 of two to six Han characters (one word, four, letters \
                 outside ASCII and mixed scripts are stored but not found)"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to a temporary file beside `path`, then renames it into place, so
/// a reader never sees half an index.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
