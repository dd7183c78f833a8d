//! The few git plumbing calls the hook and `scan --staged/--since` need.

use std::{
    io::{BufRead, BufReader, Read, Write},
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
        "-U0",
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

/// The contents of blobs by object id, in order, from one `cat-file`
/// process (one process per file would cost milliseconds each).
pub fn blobs(root: &Path, ids: &[String]) -> anyhow::Result<Vec<Vec<u8>>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = git(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run git cat-file")?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let request: String = ids.iter().map(|id| format!("{id}\n")).collect();
    // Write from another thread: git answers while we are still writing.
    let writer =
        std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut blobs = Vec::with_capacity(ids.len());
    for id in ids {
        let mut header = String::new();
        out.read_line(&mut header)?;
        let mut parts = header.split_whitespace();
        let (Some(_), Some(kind), Some(size)) =
            (parts.next(), parts.next(), parts.next())
        else {
            bail!("git cat-file: object {id}: {}", header.trim());
        };
        if kind != "blob" {
            bail!("git cat-file: object {id} is a {kind}, not a blob");
        }
        let size: usize = size.parse().context("git cat-file: bad size")?;
        let mut data = vec![0; size + 1];
        out.read_exact(&mut data)?;
        data.pop(); // the newline after each object
        blobs.push(data);
    }
    writer.join().expect("writer thread does not panic")?;
    let status = child.wait()?;
    if !status.success() {
        bail!("git cat-file failed");
    }
    Ok(blobs)
}
