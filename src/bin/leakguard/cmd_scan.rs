//! `leakguard scan PATH...`: files and directories, in parallel.

use std::{
    fs::File,
    io::{self, IsTerminal, Read, Write},
    path::{Path, PathBuf},
    process::ExitCode,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use anyhow::bail;
use ignore::{WalkBuilder, WalkState};
use leakguard::{
    Action, Finding, ReportFormat, ReportWriter, Scanner, ScannerBuilder,
    StreamScanner,
};

use crate::{
    args::{GlobalArgs, OutputFormat, ScanArgs},
    setup,
};

/// Files up to this size are read whole; larger ones are streamed.
const READ_WHOLE: u64 = 64 << 20;
/// A NUL byte in the first this many bytes marks a file as binary.
const BINARY_PROBE: usize = 8 << 10;

#[derive(Default)]
struct Counts {
    files: AtomicU64,
    bytes: AtomicU64,
    binary: AtomicU64,
    findings: AtomicU64,
}

pub fn run(global: &GlobalArgs, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let missing: Vec<String> = paths
        .iter()
        .filter(|p| p.symlink_metadata().is_err())
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        bail!("no such file or directory: {}", missing.join(", "));
    }
    let setup = setup::load(global, &[], false)?;
    let scanner = ScannerBuilder::new()
        .policy(setup.config.scan_policy())
        .fingerprint_key(setup::fingerprint_key(&setup.config)?)
        .build(&setup.rules)?;

    let mut walk = WalkBuilder::new(&paths[0]);
    for p in &paths[1..] {
        walk.add(p);
    }
    walk.hidden(args.skip_hidden)
        .git_ignore(!args.no_ignore)
        .git_global(!args.no_ignore)
        .git_exclude(!args.no_ignore)
        .ignore(!args.no_ignore)
        .parents(!args.no_ignore)
        .require_git(false)
        .threads(args.threads.unwrap_or(0))
        .filter_entry(|e| e.file_name() != ".git");

    let started = Instant::now();
    let counts = Arc::new(Counts::default());
    let results: Mutex<Vec<(String, Vec<Finding>)>> = Mutex::new(Vec::new());
    let errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let progress = (!args.quiet && io::stderr().is_terminal())
        .then(|| Progress::start(counts.clone()));

    walk.build_parallel().run(|| {
        let scanner = &scanner;
        let counts = &counts;
        let results = &results;
        let errors = &errors;
        let mut scratch = scanner.scratch();
        let mut buf = Vec::new();
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    errors.lock().unwrap().push(e.to_string());
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let path = entry.path();
            match scan_file(scanner, &mut scratch, &mut buf, path, counts) {
                Ok(findings) if !findings.is_empty() => {
                    counts.findings.fetch_add(findings.len() as u64, Relaxed);
                    let name = path.display().to_string();
                    results.lock().unwrap().push((name, findings));
                }
                Ok(_) => {}
                Err(e) => errors
                    .lock()
                    .unwrap()
                    .push(format!("{}: {e}", path.display())),
            }
            WalkState::Continue
        })
    });
    if let Some(p) = progress {
        p.stop();
    }

    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let format = match args.format {
        OutputFormat::Human => ReportFormat::Human,
        OutputFormat::Json => ReportFormat::Json,
        OutputFormat::Jsonl => ReportFormat::Jsonl,
        OutputFormat::Sarif => ReportFormat::Sarif,
    };
    let mut report = ReportWriter::new(
        io::BufWriter::new(io::stdout().lock()),
        format,
        &setup.rules,
    );
    let mut blocking = 0;
    let mut total = 0;
    for (path, findings) in &results {
        for f in findings {
            total += 1;
            if f.action() == Action::Block {
                blocking += 1;
            }
            report.finding(Some(path), f)?;
        }
    }
    report.finish()?;

    let errors = errors.into_inner().unwrap();
    for e in &errors {
        eprintln!("leakguard: error: {e}");
    }
    if !args.quiet {
        eprintln!(
            "leakguard: {total} finding(s) ({blocking} blocking) in {} file(s); \
             scanned {} files, {} bytes, skipped {} binary, {:.2}s",
            results.len(),
            counts.files.load(Relaxed),
            counts.bytes.load(Relaxed),
            counts.binary.load(Relaxed),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if !errors.is_empty() {
        ExitCode::from(2)
    } else if blocking > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn scan_file(
    scanner: &Scanner,
    scratch: &mut leakguard::Scratch,
    buf: &mut Vec<u8>,
    path: &Path,
    counts: &Counts,
) -> io::Result<Vec<Finding>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    buf.clear();
    let mut findings = Vec::new();
    if len <= READ_WHOLE {
        file.read_to_end(buf)?;
        if is_binary(buf) {
            counts.binary.fetch_add(1, Relaxed);
            return Ok(findings);
        }
        scanner.scan_with(scratch, buf, &mut findings);
    } else {
        let mut head = vec![0u8; BINARY_PROBE];
        let n = read_up_to(&mut file, &mut head)?;
        head.truncate(n);
        if is_binary(&head) {
            counts.binary.fetch_add(1, Relaxed);
            return Ok(findings);
        }
        let reader = io::Cursor::new(head).chain(file);
        StreamScanner::new(scanner)
            .scan(reader, |f| findings.push(f.clone()))?;
    }
    findings.retain(|f| f.action() != Action::Allow);
    counts.files.fetch_add(1, Relaxed);
    counts.bytes.fetch_add(len, Relaxed);
    Ok(findings)
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(BINARY_PROBE)].contains(&0)
}

/// A one-line progress counter on stderr, only when it is a terminal.
struct Progress {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<()>,
}

impl Progress {
    fn start(counts: Arc<Counts>) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            while !flag.load(Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let mut err = io::stderr().lock();
                let _ = write!(
                    err,
                    "\rscanned {} files, {} MB, {} findings",
                    counts.files.load(Relaxed),
                    counts.bytes.load(Relaxed) >> 20,
                    counts.findings.load(Relaxed)
                );
                let _ = err.flush();
            }
        });
        Progress { stop, handle }
    }

    fn stop(self) {
        self.stop.store(true, Relaxed);
        let _ = self.handle.join();
        eprint!("\r\x1b[2K");
    }
}
