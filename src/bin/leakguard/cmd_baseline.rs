//! `leakguard baseline create|update|prune`.

use std::{
    collections::BTreeSet, fs, path::Path, path::PathBuf, process::ExitCode,
};

use anyhow::{bail, Context};
use ignore::WalkBuilder;
use leakguard::Baseline;

use crate::{
    args::{BaselineCommand, GlobalArgs},
    collect::{self, Counts, Filters},
    git, setup,
};

pub fn run(
    global: &GlobalArgs,
    cmd: &BaselineCommand,
) -> anyhow::Result<ExitCode> {
    let (args, mode) = match cmd {
        BaselineCommand::Create(a) => (a, "create"),
        BaselineCommand::Update(a) => (a, "update"),
        BaselineCommand::Prune(a) => (a, "prune"),
    };
    let setup = setup::load(global, &[], false)?;
    let root = git::toplevel(Path::new(".")).unwrap_or_else(|_| ".".into());
    let path =
        setup::baseline_path(args.file.as_deref(), &setup.config, &root);
    let mut baseline = match mode {
        "create" if path.exists() => bail!(
            "{} exists; use `leakguard baseline update` to add to it",
            path.display()
        ),
        "create" => Baseline::new(),
        "update" if !path.exists() => Baseline::new(),
        _ => Baseline::load(&path)?,
    };

    // Scan everything, baseline not applied, keeping the secret bytes so
    // that entries can be hashed with the baseline's own salt.
    let scanner = setup::repo_scanner(&setup)?;
    let allow_paths = setup::allow_paths(&setup.config)?;
    let filters =
        Filters { allow_paths: allow_paths.as_ref(), baseline: None };
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![".".into()]
    } else {
        args.paths.clone()
    };
    let mut walk = WalkBuilder::new(&paths[0]);
    for p in &paths[1..] {
        walk.add(p);
    }
    walk.hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    let counts = Counts::default();
    let collected = collect::walk(&scanner, walk, &filters, &counts, true);
    if !collected.errors.is_empty() {
        bail!("cannot scan: {}", collected.errors.join("; "));
    }
    let baseline_name = path.file_name().map(|n| n.to_os_string());
    let mut added = 0;
    let mut present = BTreeSet::new();
    for file in &collected.files {
        // The baseline never lists itself.
        if Path::new(&file.path).file_name().map(|n| n.to_os_string())
            == baseline_name
        {
            continue;
        }
        for (f, secret) in file.findings.iter().zip(&file.secrets) {
            if mode == "prune" {
                present.insert(baseline.key_of(f, &file.path, secret));
            } else if baseline.insert(f, &file.path, secret) {
                added += 1;
            }
        }
    }
    let removed = if mode == "prune" {
        baseline.retain_keys(|r, p, h| {
            present.contains(&(r.to_string(), p.to_string(), h.to_string()))
        })
    } else {
        0
    };
    fs::write(&path, baseline.to_json())
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "leakguard: baseline {}: {} entries ({added} added, {removed} removed)",
        path.display(),
        baseline.len()
    );
    Ok(ExitCode::SUCCESS)
}
