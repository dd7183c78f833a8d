//! The `leakguard` binary, run as a user runs it.

use std::{fs, path::Path};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use crate::{
    gen::{self, Rng, MAKERS},
    parity::corpus,
};

/// The binary with a throwaway fingerprint key and no config from the
/// developer's machine.
pub fn leakguard(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("leakguard").unwrap();
    cmd.current_dir(dir)
        .env("LEAKGUARD_KEY_FILE", dir.join(".lg-key"))
        .env_remove("XDG_CONFIG_HOME");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

pub fn stdout_of(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn scan_exit_codes_dirty_clean_missing() {
    let dir = tempfile::tempdir().unwrap();
    let key = gen::aws_key_id(&mut Rng::new(10)).secret;
    write(
        dir.path(),
        "dirty/app/config.py",
        &format!("x = 1\nAWS_KEY = \"{key}\"\n"),
    );
    write(dir.path(), "clean/readme.md", "nothing to see here\n");

    let (code, out, err) =
        stdout_of(leakguard(dir.path()).args(["scan", "dirty"]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("dirty/app/config.py:2:12: aws-access-key-id"),
        "{out}"
    );
    assert!(!out.contains(&key) && !err.contains(&key));

    leakguard(dir.path()).args(["scan", "clean"]).assert().code(0);
    leakguard(dir.path())
        .args(["scan", "clean", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file or directory: nope"));
}

#[test]
fn no_output_format_prints_a_whole_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = Rng::new(11);
    let mut text = String::new();
    let mut secrets = Vec::new();
    for (make, context) in MAKERS {
        let p = make(&mut r);
        text.push_str(&format!("{context}{}\n", p.text));
        secrets.push(p.secret);
    }
    write(dir.path(), "leaky.env", &text);
    for format in ["human", "json", "jsonl", "sarif"] {
        let (code, out, err) = stdout_of(
            leakguard(dir.path()).args(["scan", "--format", format, "."]),
        );
        assert_eq!(code, 1, "{format}: {err}");
        for s in &secrets {
            assert!(!out.contains(s.as_str()), "{format} printed {s}");
            assert!(!err.contains(s.as_str()), "{format} printed {s}");
        }
    }
}

#[test]
fn json_jsonl_and_sarif_carry_the_fields() {
    let dir = tempfile::tempdir().unwrap();
    let key = gen::aws_key_id(&mut Rng::new(12)).secret;
    let text = format!("# 配置\n密钥={key}\n");
    write(dir.path(), "a.txt", &text);
    let start = text.find(&key).unwrap();

    let (_, out, _) = stdout_of(
        leakguard(dir.path()).args(["scan", "--format", "json", "a.txt"]),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    // `密钥=` also triggers the Chinese secret-assignment rule.
    let f = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "aws-access-key-id")
        .unwrap();
    assert_eq!(f["category"], "secret");
    assert_eq!(f["path"], "a.txt");
    assert_eq!(f["line"], 2);
    assert_eq!(f["column"], 1 + "密钥=".len() as u64);
    assert_eq!(f["start"], start as u64);
    assert_eq!(f["end"], (start + key.len()) as u64);
    assert!(
        f["severity"].is_string()
            && f["fingerprint"].as_str().unwrap().len() == 32
    );
    assert!(f["preview"].as_str().unwrap().contains('…'));

    let (_, out, _) = stdout_of(
        leakguard(dir.path()).args(["scan", "--format", "jsonl", "a.txt"]),
    );
    let lines: Vec<Value> =
        out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.contains(f), "{out}");

    let (_, out, _) = stdout_of(
        leakguard(dir.path()).args(["scan", "--format", "sarif", "a.txt"]),
    );
    let sarif: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "aws-access-key-id")
        .unwrap();
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 2);
    assert_eq!(region["byteOffset"], start as u64);
}

#[test]
fn same_secret_same_fingerprint_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let key = gen::aws_key_id(&mut Rng::new(13)).secret;
    write(dir.path(), "a.txt", &format!("{key}\n"));
    let fp = |dir: &Path| {
        let (_, out, _) = stdout_of(
            leakguard(dir).args(["scan", "--format", "jsonl", "a.txt"]),
        );
        serde_json::from_str::<Value>(&out).unwrap()["fingerprint"].clone()
    };
    assert_eq!(fp(dir.path()), fp(dir.path()));
}

#[test]
fn scan_reads_json_files_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let key = gen::aws_key_id(&mut Rng::new(15)).secret;
    // The key's first letter written as a JSON escape: invisible to a
    // text scan, plain once the string is decoded.
    let escaped = format!("\\u{:04x}{}", key.as_bytes()[0], &key[1..]);
    let cell = format!(
        "{{\"cells\": [{{\"source\": [\"import os\\n\", \"k = \\\"{escaped}\\\"\"]}}]}}\n"
    );
    write(dir.path(), "nb.ipynb", &cell);
    write(dir.path(), "nb.txt", &cell);
    let (code, out, err) =
        stdout_of(leakguard(dir.path()).args(["scan", "."]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("nb.ipynb:1:") && out.contains("aws-access-key-id"));
    assert!(!out.contains("nb.txt"), "text files are read as text: {out}");
    assert!(!out.contains(&key[1..]) && !err.contains(&key[1..]));
}

#[test]
fn scan_respects_gitignore_and_skips_binary_but_reads_dotenv() {
    let dir = tempfile::tempdir().unwrap();
    let key = gen::aws_key_id(&mut Rng::new(14)).secret;
    write(dir.path(), ".gitignore", "ignored/\n");
    write(dir.path(), "ignored/a.txt", &format!("{key}\n"));
    write(dir.path(), "bin.dat", &format!("\0\0{key}\n"));
    leakguard(dir.path()).args(["scan", "."]).assert().code(0);
    write(dir.path(), ".env", &format!("AWS={key}\n"));
    let (code, out, _) = stdout_of(leakguard(dir.path()).args(["scan", "."]));
    assert_eq!(code, 1);
    assert!(out.contains(".env:1:5"), "{out}");
    let (code, out, _) = stdout_of(leakguard(dir.path()).args([
        "scan",
        "--no-ignore",
        "ignored",
    ]));
    assert_eq!(code, 1, "{out}");
}

#[test]
fn filter_removes_every_planted_secret_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (text, secrets) = corpus(21, 2 * MAKERS.len());
    let (code, out, err) = stdout_of(
        leakguard(dir.path()).arg("filter").write_stdin(text.clone()),
    );
    assert_eq!(code, 0, "{err}");
    for s in &secrets {
        assert!(!out.contains(s.as_str()), "survived: {s}");
        assert!(!err.contains(s.as_str()), "echoed: {s}");
    }
    assert!(out.contains("[REDACTED:aws-access-key-id:1]"));
    assert!(out.contains("Please review this function"));
    assert!(err.lines().count() >= secrets.len(), "{err}");
}

#[test]
fn filter_redacts_chinese_text_around_mobile_and_resident_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = Rng::new(22);
    let phone = gen::china_mobile(&mut r).secret;
    let id = gen::china_id(&mut r).secret;
    let text = format!("客户张三，手机号{phone}，身份证号{id}，请核实。\n");
    let (code, out, _) =
        stdout_of(leakguard(dir.path()).arg("filter").write_stdin(text));
    assert_eq!(code, 0);
    assert!(!out.contains(&phone) && !out.contains(&id), "{out}");
    assert!(out.starts_with("客户张三，手机号[REDACTED:"), "{out}");
    assert!(out.ends_with("，请核实。\n"), "{out}");
}

#[test]
fn filter_block_withholds_output_and_report_is_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let key = gen::github_pat(&mut Rng::new(23)).secret;
    let text = format!("token {key}\n");
    leakguard(dir.path())
        .args(["filter", "--block"])
        .write_stdin(text.clone())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("blocked"));
    leakguard(dir.path())
        .args(["filter", "--block"])
        .write_stdin("all clean\n")
        .assert()
        .code(0)
        .stdout("all clean\n");
    leakguard(dir.path())
        .args(["filter", "-q", "--style", "mask", "--report", "r.jsonl"])
        .write_stdin(text)
        .assert()
        .code(0)
        .stdout(format!("token {}\n", "*".repeat(key.len())))
        .stderr("");
    let report = fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    let v: Value =
        serde_json::from_str(report.lines().next().unwrap()).unwrap();
    assert_eq!(v["start"], 6);
    assert!(!report.contains(&key));
}

#[test]
fn rules_list_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = stdout_of(
        leakguard(dir.path()).args(["rules", "list", "--format", "json"]),
    );
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v.as_array().unwrap().len() >= 60);
    leakguard(dir.path())
        .args(["rules", "check"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 failures"));
}

#[test]
fn malformed_rules_exit_2_naming_every_bad_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.toml",
        r#"
[[rule]]
id = "Bad Id"
name = "x"
category = "secret"
severity = "high"
keywords = ["x"]
pattern = 'x('
examples = ["x"]
negatives = ["y"]

[[rule]]
id = "second-bad"
name = "y"
category = "pii"
severity = "extreme"
pattern = 'y{3}'
examples = ["yyy"]
negatives = ["y"]
"#,
    );
    let (code, _, err) = stdout_of(
        leakguard(dir.path()).args(["--rules", "bad.toml", "scan", "."]),
    );
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml: rule `Bad Id`"), "{err}");
    assert!(
        err.contains("bad.toml: rule `second-bad`: severity \"extreme\""),
        "{err}"
    );
    assert!(err.contains("rule `second-bad`: has no keywords"), "{err}");
    leakguard(dir.path())
        .args(["rules", "check", "bad.toml"])
        .assert()
        .code(2);
}

#[test]
fn config_adds_inline_rules_and_policy() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "leakguard.toml",
        r#"
[filter]
rules = { "acme-ticket" = "block" }

[[rule]]
id = "acme-ticket"
name = "ACME internal ticket id"
category = "custom"
severity = "low"
keywords = ["acme-"]
pattern = '\bACME-\d{6}\b'
examples = ["see ACME-123456"]
negatives = ["ACME-12"]
"#,
    );
    write(dir.path(), "notes.txt", "fix ACME-424242 today\n");
    let (code, out, _) =
        stdout_of(leakguard(dir.path()).args(["scan", "notes.txt"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("acme-ticket (custom, low)"), "{out}");
    leakguard(dir.path())
        .arg("filter")
        .write_stdin("fix ACME-424242 today\n")
        .assert()
        .code(1)
        .stdout("");
}

#[test]
fn filter_json_decodes_escapes_and_stays_valid_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = Rng::new(24);
    let key = gen::aws_key_id(&mut r).secret;
    let pat = gen::github_pat(&mut r).secret;
    // The key hidden behind a \u escape, the token inside tool-call
    // arguments (JSON in a JSON string).
    let hidden = format!("\\u{:04x}{}", key.as_bytes()[0], &key[1..]);
    let args = serde_json::json!({ "token": pat }).to_string();
    let body = format!(
        r#"{{"messages":[{{"role":"user","content":"id {hidden}"}},{{"role":"assistant","tool_calls":[{{"function":{{"name":"f","arguments":{}}}}}]}}]}}"#,
        serde_json::to_string(&args).unwrap()
    );
    for format in ["auto", "json"] {
        let (code, out, err) = stdout_of(
            leakguard(dir.path())
                .args(["filter", "--format", format])
                .write_stdin(body.clone()),
        );
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).expect("valid JSON");
        assert_eq!(
            v["messages"][0]["content"],
            "id [REDACTED:aws-access-key-id:1]"
        );
        let inner: Value = serde_json::from_str(
            v["messages"][1]["tool_calls"][0]["function"]["arguments"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert!(inner["token"].as_str().unwrap().starts_with("[REDACTED:"));
        assert!(!out.contains(&pat) && !err.contains(&pat));
    }
    // As text, the escaped key is not seen: that is what JSON mode is for.
    let (_, out, _) = stdout_of(
        leakguard(dir.path())
            .args(["filter", "--format", "text"])
            .write_stdin(body.clone()),
    );
    assert!(out.contains(&hidden));
    // JSON lines, and a JSON input over the memory limit.
    let lines = format!("{{\"a\":\"{key}\"}}\n{{\"b\":\"{pat}\"}}\n");
    let (code, out, _) = stdout_of(
        leakguard(dir.path())
            .args(["filter", "-q", "--format", "jsonl"])
            .write_stdin(lines.clone()),
    );
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 2);
    assert!(!out.contains(&key) && !out.contains(&pat));
    leakguard(dir.path())
        .args(["filter", "--format", "json", "--max-json-bytes", "8"])
        .write_stdin(lines.clone())
        .assert()
        .code(2)
        .stdout("");
    let (code, out, _) = stdout_of(
        leakguard(dir.path())
            .args(["filter", "-q", "--max-json-bytes", "8"])
            .write_stdin(lines),
    );
    assert_eq!(code, 0);
    assert!(!out.contains(&key) && !out.contains(&pat), "{out}");
}
