//! Secret hygiene: unique fake secrets (right prefixes, lengths and check
//! digits), generated per run, are planted through every path of the
//! binary (scan in every format, filter, the pre-commit hook in a real git
//! repository, the proxy with its block answers, forwarded bodies, audit
//! log and metrics, and error messages), and no output may hold any 10
//! characters of a secret of which at least 8 are its random part. Masked
//! previews (4 characters each side) and placeholders are what is left.

use std::{
    fs,
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime},
};

use assert_cmd::cargo::CommandCargoExt;

use crate::{
    cli::{leakguard, stdout_of},
    gen::{Planted, Rng, MAKERS},
};

/// The planted values of one run and the windows that must never appear.
struct Secrets {
    planted: Vec<(Planted, &'static str)>,
    /// Every 10-byte window of a secret with at least 8 random bytes.
    windows: Vec<(String, String)>,
    seed: u64,
}

const WINDOW: usize = 10;
const RANDOM_IN_WINDOW: usize = 8;

impl Secrets {
    fn new() -> Secrets {
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        let mut a = Rng::new(seed);
        let mut others: Vec<Rng> =
            (1..=3).map(|i| Rng::new(seed ^ (0x5eed * i))).collect();
        let mut planted = Vec::new();
        let mut windows = Vec::new();
        for (make, context) in MAKERS {
            let p = make(&mut a);
            // The random part: where any of three more draws of the same
            // kind differs (a fixed prefix or separator never does).
            let draws: Vec<String> =
                others.iter_mut().map(|r| make(r).secret).collect();
            let s = p.secret.as_bytes();
            let random: Vec<bool> = (0..s.len())
                .map(|i| {
                    draws.iter().any(|d| d.as_bytes().get(i) != Some(&s[i]))
                })
                .collect();
            for i in 0..s.len().saturating_sub(WINDOW - 1) {
                let n = random[i..i + WINDOW].iter().filter(|&&r| r).count();
                if n >= RANDOM_IN_WINDOW {
                    let w = String::from_utf8_lossy(&s[i..i + WINDOW]);
                    windows.push((w.into_owned(), p.secret.clone()));
                }
            }
            planted.push((p, *context));
        }
        Secrets { planted, windows, seed }
    }

    /// All planted values, one per line with their context.
    fn text(&self) -> String {
        let mut t = String::new();
        for (p, context) in &self.planted {
            t.push_str(&format!("{context}{}\n", p.text));
        }
        t
    }

    /// Fails when `out` holds any window of any secret.
    fn assert_absent(&self, what: &str, out: &[u8]) {
        for (w, secret) in &self.windows {
            let hit = out.windows(w.len()).position(|x| x == w.as_bytes());
            if let Some(at) = hit {
                let from = at.saturating_sub(60);
                let to = (at + 60).min(out.len());
                panic!(
                    "{what} shows `{w}` of secret `{secret}` (seed {}): ...{}...",
                    self.seed,
                    String::from_utf8_lossy(&out[from..to])
                );
            }
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

#[test]
fn the_windows_catch_a_secret() {
    let s = Secrets::new();
    assert!(s.windows.len() > 100, "{}", s.windows.len());
    // Every secret of 12 or more characters is watched (SSNs, phone
    // numbers and the like are shorter or mostly fixed digits).
    for (p, _) in &s.planted {
        let covered = s.windows.iter().any(|(_, sec)| *sec == p.secret);
        assert!(covered || p.secret.len() < 12, "{}: {}", p.kind, p.secret);
    }
    let aws = &s.planted[0].0.secret;
    let r = std::panic::catch_unwind(|| s.assert_absent("x", aws.as_bytes()));
    assert!(r.is_err());
}

#[test]
fn scan_in_every_format_shows_no_secret() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/leaky.env", &s.text());
    for format in ["human", "json", "jsonl", "sarif"] {
        let out = leakguard(dir.path())
            .args(["scan", "--format", format, "."])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        s.assert_absent(&format!("scan {format} stdout"), &out.stdout);
        s.assert_absent(&format!("scan {format} stderr"), &out.stderr);
    }
    // Baselines hold keyed hashes, not values.
    let _ = leakguard(dir.path()).args(["baseline", "create"]).output();
    let baseline = fs::read(dir.path().join(".leakguard-baseline.json"));
    if let Ok(b) = baseline {
        s.assert_absent("baseline file", &b);
    }
}

#[test]
fn filter_output_report_and_stderr_show_no_secret() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.jsonl");
    for extra in [&[][..], &["--block"][..], &["--style", "mask"][..]] {
        let mut cmd = leakguard(dir.path());
        cmd.arg("filter")
            .args(extra)
            .arg("--report")
            .arg(&report)
            .write_stdin(s.text());
        let out = cmd.output().unwrap();
        assert!(out.status.code().is_some(), "{extra:?}");
        s.assert_absent(&format!("filter {extra:?} stdout"), &out.stdout);
        s.assert_absent(&format!("filter {extra:?} stderr"), &out.stderr);
        s.assert_absent("filter --report", &fs::read(&report).unwrap());
    }
    // A chat body, as JSON, with the values JSON-escaped inside.
    let body = serde_json::json!({"model": "m", "messages": [
        {"role": "user", "content": s.text()}]})
    .to_string();
    let out = leakguard(dir.path())
        .args(["filter", "--format", "json"])
        .write_stdin(body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["messages"][0]["content"].is_string());
    s.assert_absent("filter json stdout", &out.stdout);
    s.assert_absent("filter json stderr", &out.stderr);
}

#[test]
fn the_pre_commit_hook_shows_no_secret() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join(".home")).unwrap();
    let git = |args: &[&str]| {
        let mut c = Command::new("git");
        crate::hook::env(&mut c, d);
        c.args(args);
        c.output().unwrap()
    };
    assert!(git(&["init", "-q", "-b", "main"]).status.success());
    let mut hook = Command::cargo_bin("leakguard").unwrap();
    hook.current_dir(d)
        .env("LEAKGUARD_KEY_FILE", d.join(".home/lg-key"))
        .args(["hook", "install"]);
    assert!(hook.output().unwrap().status.success());
    write(d, "config/app.env", &s.text());
    assert!(git(&["add", "."]).status.success());
    let out = git(&["commit", "-q", "-m", "add config"]);
    assert!(!out.status.success(), "the hook let the secrets through");
    s.assert_absent("git commit stdout", &out.stdout);
    s.assert_absent("git commit stderr", &out.stderr);
    for format in ["human", "sarif"] {
        let out = leakguard(d)
            .args(["scan", "--staged", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        s.assert_absent("scan --staged stdout", &out.stdout);
        s.assert_absent("scan --staged stderr", &out.stderr);
    }
}

#[test]
fn error_messages_show_no_secret() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let aws = &s.planted[0].0.secret;
    let gh = &s.planted[1].0.secret;
    // A secret pasted where a config value goes, in a broken config, and
    // as a file name that does not exist.
    let configs = [
        format!("[filter]\nstyle = \"{aws}\"\n"),
        format!("[filter]\npii = \"{gh}\"\n"),
        format!("[proxy]\nlisten = \"{aws}\"\n"),
        format!("api_key = {aws}\n"),
        format!("[filter\ntoken = \"{gh}\"\n"),
    ];
    for (i, text) in configs.iter().enumerate() {
        write(d, "leakguard.toml", text);
        let (code, out, err) =
            stdout_of(leakguard(d).args(["filter"]).write_stdin("hello\n"));
        // `[proxy] listen` is read by the proxy alone.
        assert_eq!(code, if i == 2 { 0 } else { 2 }, "config {i}: {err}");
        s.assert_absent(&format!("config error {i}"), out.as_bytes());
        s.assert_absent(&format!("config error {i}"), err.as_bytes());
        // No --listen: config 2's listen address is the error; the others
        // fail before binding. The timeout only guards against a hang.
        let (_, out, err) =
            stdout_of(leakguard(d).timeout(Duration::from_secs(60)).args([
                "proxy",
                "--upstream",
                "http://127.0.0.1:9",
            ]));
        s.assert_absent(&format!("proxy config error {i}"), out.as_bytes());
        s.assert_absent(&format!("proxy config error {i}"), err.as_bytes());
    }
    fs::remove_file(d.join("leakguard.toml")).unwrap();
    // (File paths are shown as given: `--rules <path>` names its file.)
    let (code, _, err) = stdout_of(leakguard(d).args([
        "proxy",
        "--upstream",
        &format!("http://{gh}:x@[bad"),
    ]));
    assert_eq!(code, 2, "{err}");
    s.assert_absent("bad upstream URL", err.as_bytes());
}

// ---- the proxy binary, with a stand-in upstream on loopback ----

/// What the stand-in upstream received, raw (request line, headers, body).
type Received = Arc<Mutex<Vec<Vec<u8>>>>;

/// A minimal HTTP/1.1 upstream: records each request and answers with a
/// chat completion echoing the request body's length.
fn standin() -> (SocketAddr, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Received = Arc::default();
    let s = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let s = s.clone();
            std::thread::spawn(move || serve(stream, s));
        }
    });
    (addr, seen)
}

fn serve(stream: TcpStream, seen: Received) {
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut r = BufReader::new(stream.try_clone().unwrap());
    loop {
        let (raw, _) = match read_message(&mut r) {
            Some(m) => m,
            None => return,
        };
        seen.lock().unwrap().push(raw.clone());
        let body = format!(
            r#"{{"object":"chat.completion","choices":[{{"index":0,"message":{{"role":"assistant","content":"got {} bytes"}},"finish_reason":"stop"}}]}}"#,
            raw.len()
        );
        let resp = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if (&stream).write_all(resp.as_bytes()).is_err() {
            return;
        }
    }
}

/// Reads one HTTP message (head and a Content-Length body); returns the
/// raw bytes and the body.
fn read_message(r: &mut impl BufRead) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut raw = Vec::new();
    let mut len = 0;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        raw.extend_from_slice(line.as_bytes());
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().ok()?;
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    raw.extend_from_slice(&body);
    Some((raw, body))
}

/// One request on a fresh connection; the whole raw answer.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

struct Proxy {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_proxy(dir: &Path, args: &[&str]) -> Proxy {
    let mut child = Command::cargo_bin("leakguard")
        .unwrap()
        .current_dir(dir)
        .env("LEAKGUARD_KEY_FILE", dir.join(".lg-key"))
        .env_remove("XDG_CONFIG_HOME")
        .args(["proxy", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let stderr: Arc<Mutex<Vec<u8>>> = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        let mut line = String::new();
        let n = err.read_line(&mut line).unwrap();
        stderr.lock().unwrap().extend_from_slice(line.as_bytes());
        assert!(n > 0 && Instant::now() < deadline, "proxy did not start");
        if let Some(a) =
            line.trim().strip_prefix("leakguard: proxy listening on http://")
        {
            break a.parse().unwrap();
        }
    };
    let sink = stderr.clone();
    std::thread::spawn(move || {
        let mut buf = [0; 4096];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    Proxy { child, addr, stderr }
}

#[test]
fn the_proxy_shows_no_secret_anywhere() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (up, seen) = standin();
    // Anthropic's path blocks secrets and personal data; the rest redacts.
    write(
        d,
        "leakguard.toml",
        &format!(
            "[[proxy.route]]\nname = \"strict\"\npath_prefix = \"/v1/messages\"\n\
             upstream = \"http://{up}\"\n\
             policy = {{ secret = \"block\", pii = \"block\" }}\n"
        ),
    );
    let audit = d.join("audit.jsonl");
    let proxy = start_proxy(
        d,
        &[
            "--upstream",
            &format!("http://{up}"),
            "--audit-log",
            audit.to_str().unwrap(),
        ],
    );
    let text = s.text();
    let openai = serde_json::json!({"model": "gpt-4o", "messages": [
        {"role": "system", "content": text},
        {"role": "user", "content": "see above"},
        {"role": "tool", "tool_call_id": "c1", "content": text}]})
    .to_string();
    let anthropic = serde_json::json!({"model": "claude", "max_tokens": 10,
        "messages": [{"role": "user", "content": text}]})
    .to_string();

    let redacted = request(
        proxy.addr,
        "POST",
        "/v1/chat/completions",
        "authorization: Bearer test-token\r\n",
        &openai,
    );
    assert!(
        redacted.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&redacted)
    );
    s.assert_absent("proxy answer (redacted request)", &redacted);

    let blocked = request(
        proxy.addr,
        "POST",
        "/v1/messages",
        "x-api-key: test-key\r\nanthropic-version: 2023-06-01\r\n",
        &anthropic,
    );
    assert!(
        blocked.starts_with(b"HTTP/1.1 403"),
        "{}",
        String::from_utf8_lossy(&blocked)
    );
    s.assert_absent("proxy block answer (headers and body)", &blocked);

    // Text bodies too, and a body that is not JSON.
    let plain = request(
        proxy.addr,
        "POST",
        "/v1/completions",
        "",
        &format!("{text}\n{{not json"),
    );
    s.assert_absent("proxy answer (text body)", &plain);

    let metrics = request(proxy.addr, "GET", "/metrics", "", "");
    assert!(metrics.starts_with(b"HTTP/1.1 200"));
    s.assert_absent("/metrics", &metrics);

    let forwarded = seen.lock().unwrap().clone();
    assert_eq!(forwarded.len(), 2, "one redacted JSON body, one text body");
    for f in &forwarded {
        s.assert_absent("body forwarded upstream", f);
    }
    drop(proxy);
    let log = fs::read(&audit).unwrap();
    assert!(log.len() > 100, "audit log: {}", String::from_utf8_lossy(&log));
    s.assert_absent("audit log", &log);
}

#[test]
fn the_proxy_stderr_shows_no_secret() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let (up, _) = standin();
    let proxy = start_proxy(
        dir.path(),
        &["--upstream", &format!("http://{up}"), "--block", "secret"],
    );
    let body = serde_json::json!({"messages": [{"role": "user", "content": s.text()}]}).to_string();
    let out = request(proxy.addr, "POST", "/v1/chat/completions", "", &body);
    assert!(out.starts_with(b"HTTP/1.1 403"));
    s.assert_absent("block answer", &out);
    std::thread::sleep(Duration::from_millis(200));
    let err = proxy.stderr.lock().unwrap().clone();
    s.assert_absent("proxy stderr", &err);
}
