//! The few git plumbing calls the hook and `scan --staged/--since` need.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{bail, Context};
use leakguard::{parse_diff, FileChange};

/// Which changes to read.
#[derive(Clone, Debug)]
pub enum Changes {
    /// The index against HEAD (what `git commit` is about to record).
    Staged,
    /// Commits since the merge base with a revision, up to HEAD.
    Since(String),
}

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(dir);
    c
}

fn run(mut cmd: Command, what: &str) -> anyhow::Result<Vec<u8>> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run git ({what})"))?;
    if !out.status.success() {
        bail!(
            "git {what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

/// The top of the work tree that contains `dir`.
pub fn toplevel(dir: &Path) -> anyhow::Result<PathBuf> {
    let mut c = git(dir);
    c.args(["rev-parse", "--show-toplevel"]);
    let out = run(c, "rev-parse --show-toplevel")?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out).trim_end()))
}

/// A path inside `.git` (honours `core.hooksPath` for `hooks/...`).
pub fn git_path(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let mut c = git(dir);
    c.args(["rev-parse", "--path-format=absolute", "--git-path", name]);
    let out = run(c, "rev-parse --git-path")?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out).trim_end()))
}

/// The files and added lines of a set of changes, paths relative to `root`.
pub fn changes(
    root: &Path,
    which: &Changes,
) -> anyhow::Result<Vec<FileChange>> {
    let mut c = git(root);
    // Settings that would change the output's shape are pinned here.
    c.args([
        "-c",
        "core.quotepath=off",
        "-c",
        "diff.noprefix=false",
        "-c",
        "diff.mnemonicPrefix=false",
        "diff",
        // One line of context: the line before each added run, where an
        // allow comment may sit.
        "-U1",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--full-index",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "-M",
    ]);
    match which {
        Changes::Staged => {
            c.arg("--cached");
        }
        Changes::Since(rev) => {
            c.arg(format!("{rev}...HEAD"));
        }
    }
    c.arg("--");
    let diff = run(c, "diff")?;
    Ok(parse_diff(&diff))
}
