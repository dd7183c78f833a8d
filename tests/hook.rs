//! The pre-commit hook, baselines and `scan --staged/--since`, in real
//! temporary git repositories.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Output},
};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

use crate::gen::{self, Rng};

struct Repo {
    dir: tempfile::TempDir,
}

/// A git or leakguard command isolated in `dir`: its own home, no system
/// config, a fixed author and key file.
pub fn env(cmd: &mut Command, dir: &Path) {
    cmd.current_dir(dir)
        .env("HOME", dir.join(".home"))
        .env("XDG_CONFIG_HOME", dir.join(".home"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@acme-corp.cn")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@acme-corp.cn")
        .env("LEAKGUARD_KEY_FILE", dir.join(".home/lg-key"));
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(".home")).unwrap();
        let r = Repo { dir };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) {
        let p = self.path().join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn git(&self, args: &[&str]) -> Output {
        let mut c = Command::new("git");
        env(&mut c, self.path());
        let out = c.args(args).output().unwrap();
        assert!(
            out.status.success() || args[0] == "commit",
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn leakguard(&self, args: &[&str]) -> Output {
        let mut c = Command::cargo_bin("leakguard").unwrap();
        env(&mut c, self.path());
        c.args(args).output().unwrap()
    }

    /// `git add -A && git commit`, returning (success, stderr).
    fn commit(&self, msg: &str) -> (bool, String) {
        self.git(&["add", "-A"]);
        let out = self.git(&["commit", "-q", "-m", msg]);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout {}\nstderr {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn refuses_a_leak_passes_clean_commits() {
    let r = Repo::new();
    let out = r.leakguard(&["hook", "install"]);
    assert!(out.status.success(), "{}", text(&out));
    // The initial commit is checked too.
    let key = gen::aws_key_id(&mut Rng::new(31)).secret;
    r.write("app/config.py", &format!("import os\nAWS_KEY = \"{key}\"\n"));
    let (ok, err) = r.commit("add config");
    assert!(!ok, "leak was committed: {err}");
    assert!(
        err.contains("app/config.py:2:12 aws-access-key-id AKIA…"),
        "{err}"
    );
    assert!(!err.contains(&key), "key echoed: {err}");
    assert!(err.contains("leakguard:allow"), "no help: {err}");

    r.write("app/config.py", "import os\nAWS_KEY = os.environ['AWS_KEY']\n");
    let (ok, err) = r.commit("config from env");
    assert!(ok, "{err}");
}

#[test]
fn allow_comments_and_baselines_let_known_values_through() {
    let r = Repo::new();
    r.leakguard(&["hook", "install"]);
    let mut rng = Rng::new(32);
    let k1 = gen::github_pat(&mut rng).secret;
    let k2 = gen::stripe_live(&mut rng).secret;
    // Same line, and the line before.
    r.write(
        "tests/fixture.py",
        &format!(
            "A = '{k1}'  # leakguard:allow\n# gitleaks:allow\nB = '{k2}'\n"
        ),
    );
    let (ok, err) = r.commit("fixtures");
    assert!(ok, "{err}");

    // A known secret accepted into the baseline.
    let k3 = gen::slack_bot(&mut rng).secret;
    r.write("legacy/settings.ini", &format!("[slack]\ntoken = {k3}\n"));
    let (ok, _) = r.commit("legacy");
    assert!(!ok);
    let out = r.leakguard(&["baseline", "create"]);
    assert!(out.status.success(), "{}", text(&out));
    let base =
        fs::read_to_string(r.path().join(".leakguard-baseline.json")).unwrap();
    assert!(
        base.contains("legacy/settings.ini") && !base.contains(&k3),
        "{base}"
    );
    let (ok, err) = r.commit("legacy with baseline");
    assert!(ok, "{err}");

    // An unrelated edit to that file, moving the secret's line, passes.
    r.write(
        "legacy/settings.ini",
        &format!("; comment\n[general]\nname = x\n[slack]\ntoken = {k3}\n"),
    );
    let (ok, err) = r.commit("unrelated edit");
    assert!(ok, "{err}");

    // A different secret in the same file is still refused.
    let k4 = gen::slack_bot(&mut rng).secret;
    r.write(
        "legacy/settings.ini",
        &format!("[slack]\ntoken = {k3}\nother = {k4}\n"),
    );
    let (ok, err) = r.commit("new secret");
    assert!(!ok && err.contains("legacy/settings.ini:3:"), "{err}");
    r.git(&["reset", "-q", "--hard"]);

    // Prune drops entries whose secret is gone.
    r.write("legacy/settings.ini", "[slack]\ntoken = from-vault\n");
    let out = r.leakguard(&["baseline", "prune"]);
    // (Several rules may have recorded the one secret.)
    assert!(text(&out).contains(": 0 entries"), "{}", text(&out));
}

#[test]
fn odd_paths_renames_deletions_and_binary_files() {
    let r = Repo::new();
    r.write("keep.txt", "hello\n");
    r.commit("init");
    r.leakguard(&["hook", "install"]);
    let key = gen::aws_key_id(&mut Rng::new(33)).secret;
    r.write("dir with space/客户 数据.txt", &format!("x\n密钥={key}\n"));
    let (ok, err) = r.commit("unicode");
    assert!(!ok);
    assert!(err.contains("dir with space/客户 数据.txt:2:"), "{err}");
    r.git(&["reset", "-q"]);
    fs::remove_file(r.path().join("dir with space/客户 数据.txt")).unwrap();

    // Binary content is skipped; deleting or renaming a file adds nothing.
    fs::write(
        r.path().join("blob.bin"),
        [&[0u8, 1, 2][..], key.as_bytes()].concat(),
    )
    .unwrap();
    let (ok, err) = r.commit("binary");
    assert!(ok, "{err}");
    r.git(&["mv", "keep.txt", "moved.txt"]);
    r.git(&["rm", "-q", "blob.bin"]);
    let (ok, err) = r.commit("rename and delete");
    assert!(ok, "{err}");
}

#[test]
fn install_respects_foreign_hooks_and_hooks_path() {
    let r = Repo::new();
    let hooks = r.path().join(".git/hooks");
    fs::create_dir_all(&hooks).unwrap();
    let foreign = "#!/bin/sh\necho foreign-ran >&2\nexit 0\n";
    fs::write(hooks.join("pre-commit"), foreign).unwrap();
    let out = r.leakguard(&["hook", "install"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--chain"));

    let out = r.leakguard(&["hook", "install", "--chain"]);
    assert!(out.status.success(), "{}", text(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = hooks.join("pre-commit.leakguard-chained");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    }
    r.write("a.txt", "fine\n");
    let (ok, err) = r.commit("chained");
    assert!(ok && err.contains("foreign-ran"), "{err}");

    let out = r.leakguard(&["hook", "uninstall"]);
    assert!(out.status.success());
    assert_eq!(fs::read_to_string(hooks.join("pre-commit")).unwrap(), foreign);

    // core.hooksPath is where git looks, so it is where we install.
    r.git(&["config", "core.hooksPath", "ci-hooks"]);
    let out = r.leakguard(&["hook", "install"]);
    assert!(out.status.success(), "{}", text(&out));
    let hook: PathBuf = r.path().join("ci-hooks/pre-commit");
    assert!(fs::read_to_string(hook).unwrap().contains("leakguard-hook"));
}

#[test]
fn scan_staged_and_since_with_sarif() {
    let r = Repo::new();
    r.write("README.md", "# demo\n");
    r.commit("init");
    r.git(&["tag", "base"]);
    let mut rng = Rng::new(34);
    let k1 = gen::gitlab_pat(&mut rng).secret;
    r.write("ci.yml", &format!("stages: [build]\ntoken: {k1}\n"));
    r.commit("ci");
    let k2 = gen::google_api(&mut rng).secret;
    r.write("web/map.js", &format!("const key = \"{k2}\";\n"));
    r.git(&["add", "-A"]);

    let out = r.leakguard(&["scan", "--staged", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{}", text(&out));
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "web/map.js");
    assert_eq!(loc["region"]["startLine"], 1);

    let out = r.leakguard(&["scan", "--since", "base", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\"path\":\"ci.yml\"") && !stdout.contains("map.js"),
        "{stdout}"
    );
    assert!(!stdout.contains(&k1) && !stdout.contains(&k2));
}

#[test]
fn merge_commits_are_checked() {
    let r = Repo::new();
    r.write("a.txt", "base\n");
    r.commit("init");
    r.git(&["checkout", "-q", "-b", "feature"]);
    let key = gen::aws_key_id(&mut Rng::new(35)).secret;
    r.write("feature.env", &format!("AWS={key}\n"));
    // Committed before the hook existed on this branch.
    r.commit("feature");
    r.git(&["checkout", "-q", "main"]);
    r.write("b.txt", "main work\n");
    r.commit("main work");
    r.leakguard(&["hook", "install"]);
    r.git(&["merge", "-q", "--no-ff", "--no-commit", "feature"]);
    let out = r.git(&["commit", "-q", "-m", "merge feature"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "merge with a leak was committed");
    assert!(err.contains("feature.env:1:5 aws-access-key-id"), "{err}");
}
