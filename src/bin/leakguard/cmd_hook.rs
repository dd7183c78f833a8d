//! `leakguard hook pre-commit|install|uninstall`.

use std::{fs, io::Write, path::Path, process::ExitCode};

use anyhow::{bail, Context};
use leakguard::Action;

use crate::{
    args::{GlobalArgs, HookCommand, HookRunArgs},
    collect::{self, Counts, Filters},
    git::{self, Changes},
    setup,
};

/// Marks a hook file as ours.
const MARKER: &str = "# leakguard-hook v1";
/// Where an existing hook goes when `--chain` keeps it.
const CHAINED: &str = "pre-commit.leakguard-chained";

pub fn run(
    global: &GlobalArgs,
    cmd: &HookCommand,
) -> anyhow::Result<ExitCode> {
    match cmd {
        HookCommand::PreCommit(args) => pre_commit(global, args),
        HookCommand::Install { force, chain } => install(*force, *chain),
        HookCommand::Uninstall => uninstall(),
    }
}

fn pre_commit(
    global: &GlobalArgs,
    args: &HookRunArgs,
) -> anyhow::Result<ExitCode> {
    // Git runs hooks at the top of the work tree; asking git where that is
    // costs a process start, so only ask when `.git` is not right here.
    let root = if Path::new(".git").exists() {
        ".".into()
    } else {
        git::toplevel(Path::new("."))?
    };
    let setup = setup::load(global, &[], false)?;
    let scanner = setup::repo_scanner(&setup)?;
    let allow_paths = setup::allow_paths(&setup.config)?;
    let baseline =
        setup::load_baseline(args.baseline.as_deref(), &setup.config, &root)?;
    let filters = Filters {
        allow_paths: allow_paths.as_ref(),
        baseline: baseline.as_ref(),
    };
    let counts = Counts::default();
    let collected = collect::git_changes(
        &scanner,
        &root,
        &Changes::Staged,
        &filters,
        &counts,
        false,
    )?;
    let mut err = std::io::stderr().lock();
    let mut blocking = 0;
    for file in &collected.files {
        for f in &file.findings {
            let label = if f.action() == Action::Block {
                blocking += 1;
                ""
            } else {
                "warning: "
            };
            writeln!(
                err,
                "leakguard: {label}{}:{}:{} {} {}",
                file.path,
                f.line(),
                f.column(),
                f.rule_id(),
                f.preview()
            )?;
        }
    }
    // Fail closed: what could not be fully scanned refuses the commit.
    for e in &collected.errors {
        writeln!(err, "leakguard: error: {e}")?;
    }
    if blocking == 0 && !collected.errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    if blocking == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        err,
        "leakguard: commit blocked: {blocking} finding(s) must not be \
         committed.\n\
         \x20 Remove the value and keep it in a secret store or environment \
         variable instead.\n\
         \x20 If it is a false alarm, either\n\
         \x20   - add a `leakguard:allow` comment on that line or the line \
         before, or\n\
         \x20   - accept it with `leakguard baseline update` and commit {}.",
        setup::BASELINE_FILE
    )?;
    Ok(ExitCode::from(1))
}

fn script(chain: bool) -> anyhow::Result<String> {
    let exe = std::env::current_exe().context("cannot locate leakguard")?;
    let exe = exe.display().to_string().replace('\'', r"'\''");
    let mut s = format!(
        "#!/bin/sh\n\
         {MARKER}\n\
         # Installed by `leakguard hook install`: stops secrets and customer\n\
         # data at the commit. Remove with `leakguard hook uninstall`.\n\
         LEAKGUARD='{exe}'\n\
         [ -x \"$LEAKGUARD\" ] || LEAKGUARD=leakguard\n\
         \"$LEAKGUARD\" hook pre-commit || exit $?\n"
    );
    if chain {
        s.push_str(&format!(
            "chained=\"$(dirname \"$0\")/{CHAINED}\"\n\
             if [ -x \"$chained\" ]; then exec \"$chained\" \"$@\"; fi\n"
        ));
    }
    s.push_str("exit 0\n");
    Ok(s)
}

fn install(force: bool, chain: bool) -> anyhow::Result<ExitCode> {
    let hook = git::git_path(Path::new("."), "hooks/pre-commit")?;
    let dir = hook.parent().context("hook path has a parent")?.to_path_buf();
    fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    if let Ok(existing) = fs::read_to_string(&hook) {
        if !existing.contains(MARKER) {
            if chain {
                fs::rename(&hook, dir.join(CHAINED))
                    .context("cannot keep the existing hook")?;
            } else if !force {
                bail!(
                    "{} exists and was not written by leakguard; use --chain \
                     to run it after leakguard, or --force to replace it",
                    hook.display()
                );
            }
        }
    } else if hook.exists() && !force {
        bail!("{} exists but is not readable; use --force", hook.display());
    }
    let chain = chain || dir.join(CHAINED).exists();
    fs::write(&hook, script(chain)?)
        .with_context(|| format!("cannot write {}", hook.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755))?;
    }
    eprintln!("leakguard: installed {}", hook.display());
    Ok(ExitCode::SUCCESS)
}

fn uninstall() -> anyhow::Result<ExitCode> {
    let hook = git::git_path(Path::new("."), "hooks/pre-commit")?;
    match fs::read_to_string(&hook) {
        Ok(text) if text.contains(MARKER) => {
            fs::remove_file(&hook)?;
            let chained = hook.with_file_name(CHAINED);
            if chained.exists() {
                fs::rename(&chained, &hook)?;
                eprintln!("leakguard: removed; restored the previous hook");
            } else {
                eprintln!("leakguard: removed {}", hook.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Ok(_) => bail!(
            "{} was not written by leakguard; leaving it alone",
            hook.display()
        ),
        Err(_) => {
            eprintln!("leakguard: no pre-commit hook installed");
            Ok(ExitCode::SUCCESS)
        }
    }
}
