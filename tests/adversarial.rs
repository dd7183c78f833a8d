//! Hostile input through the binary: each ends with a clear result, in
//! bounded time, under 128 MiB of peak RSS. `bench/adversarial.sh` runs
//! the same kinds at full size (a 1 GiB line) on the release build.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::gen::{self, Rng};

/// The issue's bar for any input: never past 128 MiB of resident memory.
const RSS_LIMIT_KIB: u64 = 128 << 10;

/// One run of the binary, with its peak resident memory.
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub peak_kib: u64,
    pub elapsed: Duration,
}

/// Runs `leakguard args` in `dir`, stdin from `input` (or empty), and
/// measures its peak RSS: with GNU time when installed (the kernel's
/// figure at exit), else by sampling `VmHWM` while it runs.
pub fn run_measured(dir: &Path, args: &[&str], input: Option<&Path>) -> Run {
    let bin = assert_cmd::cargo::cargo_bin("leakguard");
    let rss_file = dir.join(".peak-rss");
    let gnu_time = Path::new("/usr/bin/time");
    let use_time = gnu_time.exists();
    let mut cmd = if use_time {
        let mut c = Command::new(gnu_time);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    cmd.args(args)
        .current_dir(dir)
        .env("LEAKGUARD_KEY_FILE", dir.join(".lg-key"))
        .env_remove("XDG_CONFIG_HOME")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match input {
        Some(p) => cmd.stdin(fs::File::open(p).unwrap()),
        None => cmd.stdin(Stdio::null()),
    };
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let pid = child.id();
    // Drain the pipes on threads so a large output cannot stall the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).unwrap();
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).unwrap();
        v
    });
    let mut sampled = 0;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if !use_time {
            sampled = sampled.max(vm_hwm(pid).unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = started.elapsed();
    let stdout = out_t.join().unwrap();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap()).into_owned();
    let peak_kib = if use_time {
        let text = fs::read_to_string(&rss_file).unwrap_or_default();
        // GNU time writes "Command exited with non-zero status N" first.
        text.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0)
    } else {
        sampled
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
        peak_kib,
        elapsed,
    }
}

fn vm_hwm(pid: u32) -> Option<u64> {
    let s = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn check_bounded(what: &str, r: &Run) {
    eprintln!(
        "{what}: exit {} in {:.2}s, peak RSS {} KiB",
        r.code,
        r.elapsed.as_secs_f64(),
        r.peak_kib
    );
    assert!(r.peak_kib > 0, "{what}: peak RSS not measured");
    assert!(
        r.peak_kib <= RSS_LIMIT_KIB,
        "{what}: peak RSS {} KiB > 128 MiB",
        r.peak_kib
    );
    assert!(
        !r.stderr.contains("panicked") && r.code >= 0,
        "{what}: crashed: {}",
        r.stderr
    );
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Writes `len` bytes of lowercase words and spaces with no newline,
/// `plant` at each given offset.
fn one_line(path: &Path, len: usize, plants: &[(usize, &str)]) {
    let mut f = std::io::BufWriter::new(fs::File::create(path).unwrap());
    let mut r = Rng::new(77);
    let mut block = Vec::with_capacity(1 << 20);
    while block.len() < 1 << 20 {
        let w = 2 + r.below(9);
        for _ in 0..w {
            block.push(b'a' + r.below(26) as u8);
        }
        block.push(b' ');
    }
    block.truncate(1 << 20);
    let mut written = 0;
    let mut plants = plants.to_vec();
    plants.sort();
    let mut next = plants.into_iter().peekable();
    while written < len {
        let mut n = block.len().min(len - written);
        if let Some(&(at, _)) = next.peek() {
            n = n.min(at - written);
        }
        f.write_all(&block[..n]).unwrap();
        written += n;
        if next.peek().is_some_and(|&(at, _)| at == written) {
            let (_, text) = next.next().unwrap();
            let t = format!(" {text} ");
            f.write_all(t.as_bytes()).unwrap();
            written += t.len();
        }
    }
    f.flush().unwrap();
}

fn tmp() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().to_path_buf();
    (d, p)
}

#[test]
fn a_64_mib_single_line_streams_in_bounded_memory() {
    let (_d, dir) = tmp();
    let key = gen::aws_key_id(&mut Rng::new(801)).secret;
    let path = dir.join("line.txt");
    let len = 64 << 20;
    one_line(&path, len, &[(1000, &key), (40 << 20, &key)]);

    let r = run_measured(&dir, &["filter"], Some(&path));
    check_bounded("filter 64 MiB line", &r);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!contains(&r.stdout, key.as_bytes()));
    assert_eq!(r.stdout.iter().filter(|&&b| b == b'\n').count(), 0);
    let placeholders =
        r.stdout.windows(10).filter(|w| w == b"[REDACTED:").count();
    assert_eq!(placeholders, 2);

    let r =
        run_measured(&dir, &["scan", "--format", "jsonl", "line.txt"], None);
    check_bounded("scan 64 MiB line", &r);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let out = String::from_utf8(r.stdout).unwrap();
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.lines().all(|l| l.contains("\"line\":1,")));
    assert!(!out.contains(&key));
}

/// Twitter's bearer-token keyword is 21 `A`s (case-insensitive), so a run
/// of `a`s is a keyword hit at every byte: candidates must not pile up.
#[test]
fn a_run_of_one_letter_hits_a_keyword_at_every_byte() {
    let (_d, dir) = tmp();
    let path = dir.join("aaaa.txt");
    fs::write(&path, vec![b'a'; 16 << 20]).unwrap();
    let r = run_measured(&dir, &["scan", "aaaa.txt"], None);
    check_bounded("scan 16 MiB of a", &r);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_measured(&dir, &["filter"], Some(&path));
    check_bounded("filter 16 MiB of a", &r);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout.len(), 16 << 20);
}

#[test]
fn million_deep_json_nesting_is_scanned_without_recursion() {
    let (_d, dir) = tmp();
    let key = gen::aws_key_id(&mut Rng::new(802)).secret;
    let depth = 1_000_000;
    let mut body = vec![b'['; depth];
    body.extend_from_slice(format!("\"key {key}\"").as_bytes());
    body.extend(std::iter::repeat_n(b']', depth));
    let path = dir.join("deep.json");
    fs::write(&path, &body).unwrap();
    let r = run_measured(&dir, &["filter", "--format", "json"], Some(&path));
    check_bounded("filter 1M-deep JSON", &r);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!contains(&r.stdout, key.as_bytes()));
    let red = b"\"key [REDACTED:aws-access-key-id:1]\"";
    assert!(r.stdout.starts_with(&body[..depth]));
    assert!(r.stdout.ends_with(&body[body.len() - depth..]));
    assert_eq!(r.stdout.len(), 2 * depth + red.len());

    // Unclosed: not JSON, so read as text; still no crash, key gone.
    let path = dir.join("open.json");
    fs::write(&path, &body[..body.len() - depth / 2]).unwrap();
    let r = run_measured(&dir, &["filter", "--format", "json"], Some(&path));
    check_bounded("filter 1M-deep unclosed JSON", &r);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!contains(&r.stdout, key.as_bytes()));
}

#[test]
fn truncated_json_escapes_end_cleanly() {
    let (_d, dir) = tmp();
    let key = gen::aws_key_id(&mut Rng::new(803)).secret;
    let bodies = [
        format!(r#"{{"messages":[{{"content":"{key} \u00"#),
        format!(r#"{{"messages":[{{"content":"{key} \"#),
        format!(r#"{{"messages":[{{"content":"{key} \uD83D"#),
        format!(r#"{{"messages":[{{"content":"{key} \uD83D\u"}}]}}"#),
        format!(r#"{{"messages":[{{"content":"\ud800 {key}"}}]}}"#),
        format!(r#"{{"a":"{key}\x"}}"#),
    ];
    for (i, body) in bodies.iter().enumerate() {
        let path = dir.join(format!("t{i}.json"));
        fs::write(&path, body).unwrap();
        for format in ["json", "auto"] {
            let r = run_measured(
                &dir,
                &["filter", "--format", format],
                Some(&path),
            );
            check_bounded(&format!("truncated escape {i} ({format})"), &r);
            assert_eq!(r.code, 0, "{body}: {}", r.stderr);
            assert!(!contains(&r.stdout, key.as_bytes()), "{body}");
            assert!(contains(&r.stdout, b"[REDACTED:aws-access-key-id:1]"));
        }
    }
}

#[test]
fn invalid_utf8_and_nul_bytes_are_scanned_as_bytes() {
    let (_d, dir) = tmp();
    let key = gen::aws_key_id(&mut Rng::new(804)).secret;
    let mut input = b"\xff\xfe\x00\xc3\x28 head \x00 ".to_vec();
    input.extend_from_slice(key.as_bytes());
    input.extend_from_slice(b" \x00\x80\xbf tail \xed\xa0\x80\n");
    let path = dir.join("bytes.bin");
    fs::write(&path, &input).unwrap();
    let r = run_measured(&dir, &["filter"], Some(&path));
    check_bounded("filter invalid UTF-8 + NUL", &r);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let i =
        input.windows(key.len()).position(|w| w == key.as_bytes()).unwrap();
    let mut want = input[..i].to_vec();
    want.extend_from_slice(b"[REDACTED:aws-access-key-id:1]");
    want.extend_from_slice(&input[i + key.len()..]);
    assert_eq!(r.stdout, want, "bytes outside the finding are untouched");

    // `scan` skips files with a NUL in the first 8 KiB as binary (as git
    // does) and says so; past 8 KiB a NUL is just a byte.
    let r = run_measured(&dir, &["scan", "bytes.bin"], None);
    check_bounded("scan NUL file", &r);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("skipped 1 binary"), "{}", r.stderr);
    let mut late = vec![b' '; 9000];
    late.extend_from_slice(&input);
    fs::write(dir.join("late.txt"), &late).unwrap();
    let r = run_measured(&dir, &["scan", "late.txt"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

/// UTF-16 is not decoded: an ASCII secret in UTF-16LE has a NUL after each
/// character, which no rule matches. `filter` passes such text through and
/// `scan` skips it as binary. Documented in the README (Limits); this test
/// pins the behaviour so a change to it is deliberate.
#[test]
fn utf16_text_is_bytes_and_its_ascii_secrets_are_not_seen() {
    let (_d, dir) = tmp();
    let key = gen::aws_key_id(&mut Rng::new(805)).secret;
    let text = format!("aws_access_key_id = {key}\n");
    let mut utf16 = vec![0xff, 0xfe];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let path = dir.join("utf16.txt");
    fs::write(&path, &utf16).unwrap();
    let r = run_measured(&dir, &["filter"], Some(&path));
    check_bounded("filter UTF-16LE", &r);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, utf16);
    let r = run_measured(&dir, &["scan", "utf16.txt"], None);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("skipped 1 binary"), "{}", r.stderr);
}

/// Every few bytes a keyword of many rules: the work per byte must stay
/// constant, so 8x the input takes about 8x the time (allowing for noise
/// on a shared machine, far below the 64x of a quadratic cost).
#[test]
fn input_dense_with_keywords_stays_linear() {
    let (_d, dir) = tmp();
    let unit = b"password=key token secret api_key ";
    let mut times = Vec::new();
    for (name, mib) in [("small.txt", 1), ("big.txt", 8)] {
        let len = mib << 20;
        let data: Vec<u8> = unit.iter().copied().cycle().take(len).collect();
        let path = dir.join(name);
        fs::write(&path, &data).unwrap();
        let r = run_measured(&dir, &["filter"], Some(&path));
        check_bounded(&format!("filter {mib} MiB of keywords"), &r);
        assert_eq!(r.code, 0);
        assert_eq!(r.stdout.len(), len);
        let r = run_measured(&dir, &["scan", name], None);
        check_bounded(&format!("scan {mib} MiB of keywords"), &r);
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        times.push(r.elapsed.as_secs_f64());
    }
    assert!(
        times[1] < 24.0 * times[0] + 5.0,
        "8 MiB took {:.2}s, 1 MiB {:.2}s",
        times[1],
        times[0]
    );
}

/// Patterns that are exponential for a backtracking engine (shared with
/// bench/adversarial.sh).
const BACKTRACKING_RULES: &str = include_str!("data/backtracking-rules.toml");

/// Patterns that take exponential time in a backtracking engine, with a
/// keyword that hits at every byte: the regex engine is linear, each
/// candidate's window is bounded, and a rule matching at every byte must
/// not make the stream's de-duplication quadratic.
#[test]
fn catastrophic_backtracking_patterns_run_in_linear_time() {
    let (_d, dir) = tmp();
    fs::write(dir.join("bt.toml"), BACKTRACKING_RULES).unwrap();
    let mut input = vec![b'a'; 256 << 10];
    input.push(b'!');
    input.extend(std::iter::repeat_n(b'x', 256 << 10));
    let path = dir.join("aaaa.txt");
    fs::write(&path, &input).unwrap();
    let args = ["--no-builtin", "--rules", "bt.toml"];
    let r = run_measured(
        &dir,
        &[&args[..], &["filter", "--report", "/dev/null"]].concat(),
        Some(&path),
    );
    check_bounded("filter backtracking rules", &r);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.elapsed < Duration::from_secs(60), "{:?}", r.elapsed);
    let r =
        run_measured(&dir, &[&args[..], &["scan", "aaaa.txt"]].concat(), None);
    check_bounded("scan backtracking rules", &r);
    assert!(r.elapsed < Duration::from_secs(60), "{:?}", r.elapsed);
    // A match at every byte: the report is capped, and says so (exit 2).
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("more findings not reported"), "{}", r.stderr);
}

#[test]
fn a_malformed_rule_file_names_every_bad_rule_and_exits_2() {
    let (_d, dir) = tmp();
    let bad = r#"
[[rule]]
id = "bad-regex"
name = "unclosed group"
category = "secret"
severity = "high"
keywords = ["abc"]
pattern = '''abc(('''
examples = ["abc"]
negatives = ["xyz"]

[[rule]]
id = "bad-category"
name = "unknown category"
category = "nonsense"
severity = "high"
keywords = ["def"]
pattern = '''def[0-9]+'''
examples = ["def12"]
negatives = ["def"]

[[rule]]
id = "empty-match"
name = "matches nothing at all"
category = "secret"
severity = "high"
keywords = ["ghi"]
pattern = '''(?:ghi)?'''
examples = ["ghi"]
negatives = ["xyz"]

[[rule]]
id = "huge-repetition"
name = "too big to compile"
category = "secret"
severity = "high"
keywords = ["jkl"]
pattern = '''jkl(?:[a-z]{1000}){1000}'''
max_len = 1000
examples = ["jkl"]
negatives = ["xyz"]
"#;
    fs::write(dir.join("bad.toml"), bad).unwrap();
    for args in [
        &["--rules", "bad.toml", "filter"][..],
        &["--rules", "bad.toml", "scan", "."][..],
        // Without the built-in pack: checking it compiles all 631
        // regexes and runs their examples, which alone peaks far above
        // 128 MiB (compiled regex state, not this file's doing).
        &["--no-builtin", "rules", "check", "bad.toml"][..],
    ] {
        let r = run_measured(&dir, args, None);
        check_bounded("malformed rules", &r);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        for id in ["bad-regex", "bad-category", "empty-match"] {
            assert!(
                r.stderr.contains(&format!("`{id}`")),
                "{args:?} {id}: {}",
                r.stderr
            );
        }
        assert!(r.stderr.contains("bad.toml"), "{}", r.stderr);
    }
    // Not TOML at all, and a rule that is not a table.
    for (name, text) in [
        ("garbage.toml", "[[rule]\nid = \"x\x00\""),
        ("shape.toml", "rule = 3\n"),
    ] {
        fs::write(dir.join(name), text).unwrap();
        let r = run_measured(&dir, &["--rules", name, "filter"], None);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(name), "{}", r.stderr);
    }
}
