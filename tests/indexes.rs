//! Code and records indexes: found in buffers and streams alike, kept free
//! of source text and plaintext cells, and wired through the binary.

use std::{fs, sync::Arc};

use proptest::prelude::*;

use leakguard::{
    Category, CodeIndex, CodeIndexBuilder, CodeThresholds, ColumnSpec,
    Finding, FingerprintKey, IndexMatch, PathStorage, Policy, RecordsIndex,
    RuleSet, Scanner, ScannerBuilder,
};

use crate::{
    cli::{leakguard, stdout_of},
    gen::{Rng, ALNUM, DIGITS},
    parity::{corpus, stream_equals_buffer, stream_findings},
};

const WORDS: &[&str] = &[
    "let", "mut", "fn", "if", "return", "for", "while", "match", "self",
    "buf", "len", "total", "items", "ctx", "next", "parse", "value", "out",
];
const PUNCT: &[&str] =
    &["(", ")", "{", "}", "[", "]", ";", ".", "=", "+", "-", "<", ">", "&"];

/// Generated source: lines of identifiers, numbers and punctuation, no two
/// files alike.
pub fn source(r: &mut Rng, lines: usize) -> String {
    let mut s = String::new();
    for _ in 0..lines {
        s.push_str(&" ".repeat(r.below(3) * 4));
        for _ in 0..3 + r.below(8) {
            match r.below(4) {
                0 | 1 => s.push_str(WORDS[r.below(WORDS.len())]),
                2 => s.push_str(PUNCT[r.below(PUNCT.len())]),
                _ => s.push_str(&r.below(1000).to_string()),
            }
            s.push(' ');
        }
        s.push('\n');
    }
    s
}

fn code_index(files: &[String]) -> CodeIndex {
    let mut b = CodeIndexBuilder::new();
    b.kgram(12).window(8).paths(PathStorage::Plain);
    for (i, f) in files.iter().enumerate() {
        b.add_file(&format!("src/file{i}.rs"), f.as_bytes());
    }
    b.build()
}

const CSV_HEADER: &str = "customer_id,full_name,email,phone\n";

fn customers(r: &mut Rng, n: usize) -> (String, Vec<[String; 4]>) {
    let first = ["Alice", "Bruno", "Chen", "Dana", "Emeka", "Farah"];
    let last = ["Novak", "Okafor", "Silva", "Tanaka", "Weber", "Yilmaz"];
    let mut csv = CSV_HEADER.to_string();
    let mut rows = Vec::new();
    for i in 0..n {
        let row = [
            format!("CUST-{:06}", 100_000 + i),
            format!("{} {}", first[r.below(6)], last[r.below(6)]),
            format!("user{i}.{}@example.net", r.below(1000)),
            format!("+1 (555) {:03}-{:04}", r.below(1000), r.below(10000)),
        ];
        csv.push_str(&row.join(","));
        csv.push('\n');
        rows.push(row);
    }
    (csv, rows)
}

fn key() -> FingerprintKey {
    FingerprintKey::from_bytes([6; 32])
}

fn scanner(code: CodeIndex, records: RecordsIndex) -> Scanner {
    ScannerBuilder::new()
        .policy(Policy::filter())
        .fingerprint_key(key())
        .code_index(Arc::new(code))
        .code_thresholds(CodeThresholds {
            min_tokens: 30,
            sure_tokens: 30,
            min_share: 0.5,
            ..CodeThresholds::default()
        })
        .records_index(Arc::new(records))
        .build(&RuleSet::builtin())
        .unwrap()
}

/// A prompt with secrets (the parity corpus), copied code, customer
/// values and unrelated code.
fn mixed(r: &mut Rng) -> (String, Scanner, Vec<String>) {
    let files: Vec<String> = (0..4).map(|_| source(r, 30)).collect();
    let (csv, rows) = customers(r, 50);
    let records = RecordsIndex::from_csv(csv.as_bytes(), &[], &key()).unwrap();
    let (text, _) = corpus(11, 12);
    let copied = files[2].lines().skip(5).take(12).collect::<Vec<_>>();
    let mut prompt = String::new();
    prompt.push_str(&text[..text.len() / 2]);
    prompt.push_str("\nthis fails:\n");
    prompt.push_str(&copied.join("\n"));
    prompt.push_str(&format!(
        "\ncustomer {} ({}) phone {}\n",
        rows[7][1], rows[7][2], rows[7][3]
    ));
    prompt.push_str(&source(r, 10));
    prompt.push_str(&format!("ticket {} by {}\n", rows[9][0], rows[30][2]));
    prompt.push_str(&text[text.len() / 2..]);
    let planted =
        vec![copied.join("\n"), rows[7][2].clone(), rows[30][2].clone()];
    (prompt, scanner(code_index(&files), records), planted)
}

#[test]
fn code_and_record_findings_are_the_same_in_stream_and_buffer() {
    let mut r = Rng::new(21);
    let (prompt, s, planted) = mixed(&mut r);
    let data = prompt.as_bytes();
    let (want, want_red) = stream_equals_buffer(&s, data);
    let code: Vec<&Finding> =
        want.iter().filter(|f| f.category() == Category::Code).collect();
    let records: Vec<&Finding> =
        want.iter().filter(|f| f.category() == Category::Record).collect();
    assert_eq!(code.len(), 1, "{want:#?}");
    let Some(IndexMatch::Code { files, tokens, .. }) = code[0].index_match()
    else {
        panic!("{:?}", code[0]);
    };
    assert_eq!(&*files[0], "src/file2.rs");
    assert!(*tokens >= 30);
    // The email and phone of row 7 (together: high confidence), the ID of
    // row 9 and the email of row 30.
    let cols: Vec<String> = records
        .iter()
        .map(|f| match f.index_match() {
            Some(IndexMatch::Record { column, row, .. }) => {
                format!("{column}:{row}")
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(cols.contains(&"email:7".to_string()), "{cols:?}");
    assert!(cols.contains(&"phone:7".to_string()), "{cols:?}");
    assert!(cols.contains(&"customer_id:9".to_string()), "{cols:?}");
    assert!(cols.contains(&"email:30".to_string()), "{cols:?}");
    let row7 = records.iter().find(|f| {
        matches!(f.index_match(), Some(IndexMatch::Record { row: 7, .. }))
    });
    assert!(matches!(
        row7.unwrap().index_match(),
        Some(IndexMatch::Record { columns: 3.., .. })
    ));

    let red = String::from_utf8(want_red).unwrap();
    for p in &planted {
        assert!(!red.contains(p.as_str()), "survived: {p}");
    }
    // A cut at every offset around the copied code's start and end.
    let at = prompt.find(&planted[0]).unwrap();
    for cut in (at.saturating_sub(40)..at + 40)
        .chain(at + planted[0].len() - 40..at + planted[0].len() + 40)
    {
        assert_eq!(stream_findings(&s, data, cut, 4096), want, "cut {cut}");
    }
}

#[test]
fn a_long_copy_is_cut_into_bounded_regions() {
    let mut r = Rng::new(3);
    let big = source(&mut r, 6000);
    let (csv, _) = customers(&mut r, 3);
    let records = RecordsIndex::from_csv(csv.as_bytes(), &[], &key()).unwrap();
    let s = scanner(code_index(std::slice::from_ref(&big)), records);
    let found = s.scan(big.as_bytes());
    assert!(found.len() >= 2, "{}", found.len());
    assert!(found.iter().all(|f| f.span().len() <= 64 << 10));
    assert_eq!(stream_findings(&s, big.as_bytes(), 0, 1000), found);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Winnowing's guarantee: any run of at least w + k - 1 tokens shared
    /// with an indexed file is found, wherever it sits in the query.
    #[test]
    fn shared_runs_of_w_plus_k_minus_1_tokens_are_found(
        seed in any::<u64>(),
        k in 5usize..20,
        w in 1usize..12,
        at in 0usize..1000,
    ) {
        let mut r = Rng::new(seed);
        let file = source(&mut r, 40);
        let mut b = CodeIndexBuilder::new();
        b.kgram(k).window(w);
        b.add_file("a.rs", file.as_bytes());
        let index = Arc::new(b.build());
        let toks: Vec<&str> = file.split_whitespace().collect();
        let run = w + k - 1;
        prop_assume!(toks.len() > run);
        let start = at % (toks.len() - run);
        let shared = toks[start..start + run].join(" ");
        let query = format!("{}\n{shared}\n{}", source(&mut r, 3), source(&mut r, 3));
        let s = ScannerBuilder::new()
            .code_index(index)
            .code_thresholds(CodeThresholds {
                min_tokens: k,
                sure_tokens: k,
                min_share: 0.0,
                ..CodeThresholds::default()
            })
            .build(&RuleSet::from_toml("none", "").unwrap())
            .unwrap();
        let found = s.scan(query.as_bytes());
        prop_assert!(
            found.iter().any(|f| f.category() == Category::Code),
            "k={k} w={w} run {shared:?}"
        );
    }

    /// Neither index holds what it was built from: no source line, no
    /// cell, no normalized cell.
    #[test]
    fn indexes_hold_no_source_text_and_no_cell(seed in any::<u64>()) {
        let mut r = Rng::new(seed);
        let files: Vec<String> = (0..3).map(|_| source(&mut r, 20)).collect();
        let bytes = code_index(&files).to_bytes();
        let mut b = CodeIndexBuilder::new();
        b.paths(PathStorage::Hashed);
        for f in &files {
            b.add_file("x.rs", f.as_bytes());
        }
        let hashed = b.build().to_bytes();
        for line in files.iter().flat_map(|f| f.lines()).map(str::trim) {
            if line.len() >= 8 {
                let l = line.as_bytes();
                prop_assert!(!bytes.windows(l.len()).any(|w| w == l), "{line}");
                prop_assert!(!hashed.windows(l.len()).any(|w| w == l), "{line}");
            }
        }
        let (csv, rows) = customers(&mut r, 20);
        let idx = RecordsIndex::from_csv(csv.as_bytes(), &[], &key()).unwrap();
        let bytes = idx.to_bytes();
        for row in &rows {
            let digits: String = row[3].chars().filter(char::is_ascii_digit).collect();
            for cell in row.iter().chain([&row[2].to_lowercase(), &digits[1..].to_string()]) {
                let c = cell.as_bytes();
                prop_assert!(!bytes.windows(c.len()).any(|w| w == c), "{cell}");
            }
        }
    }
}

/// A cell of each kind in one of the shapes the scan looks for (names of
/// two or three capitalized ASCII words; IDs of one word with a digit),
/// with its column.
fn varied_cell(r: &mut Rng, i: usize) -> (usize, String) {
    // A random length, then that many characters.
    let d = |r: &mut Rng, min: usize, extra: usize| {
        let n = min + r.below(extra);
        r.string(DIGITS, n)
    };
    let s = |r: &mut Rng, alphabet: &str, min: usize, extra: usize| {
        let n = min + r.below(extra);
        r.string(alphabet, n)
    };
    let word = |r: &mut Rng| {
        let mut w = r.string("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1);
        w.push_str(&s(r, "abcdefghijklmnopqrstuvwxyz", 1, 8));
        if r.below(8) == 0 {
            w.push_str("'s");
        }
        w
    };
    match r.below(4) {
        0 => {
            let form = match r.below(4) {
                0 => format!("CUST-{}", d(r, 4, 6)),
                1 => d(r, 4, 12),
                2 => format!("{}{}", r.string("abcxyzABCXYZ", 2), d(r, 6, 1)),
                _ => format!("id_{}.{}-{}", d(r, 2, 1), d(r, 3, 1), i),
            };
            (0, form)
        }
        1 if r.below(3) == 0 => {
            // A name of Han characters (Extension A's first and the last
            // of the unified ideographs among them).
            const HAN: &[char] = &[
                '王', '李', '张', '欧', '阳', '晓', '峰', '娜', '明', '㐀',
                '鿿',
            ];
            let n = 2 + r.below(3);
            (1, (0..n).map(|_| HAN[r.below(HAN.len())]).collect())
        }
        1 => {
            let n = 2 + r.below(2);
            (1, (0..n).map(|_| word(r)).collect::<Vec<_>>().join(" "))
        }
        2 => {
            let local = format!(
                "{}{}{}",
                s(r, ALNUM, 1, 8),
                [".", "_", "+", "-", ""][r.below(5)],
                i
            );
            let domain = format!(
                "{}.{}",
                s(r, "abcdefghij-", 1, 8).trim_matches('-'),
                ["com", "co.uk", "io", "cn"][r.below(4)]
            );
            let domain = if domain.starts_with('.') {
                format!("x{domain}")
            } else {
                domain
            };
            (2, format!("{local}@{domain}"))
        }
        _ => {
            let (a, b, c) = (d(r, 3, 1), d(r, 3, 1), d(r, 4, 1));
            let form = match r.below(6) {
                0 => format!("+1 ({a}) {b}-{c}"),
                1 => format!("{a}-{b}-{c}"),
                2 => format!("{a}.{b}.{c}"),
                3 => format!("({a}) {b} {c}"),
                4 => format!("1{}", d(r, 10, 1)),
                _ => format!("+44 {} {}", d(r, 4, 1), d(r, 6, 1)),
            };
            (3, form)
        }
    }
}

/// Random words around a quoted value: prose, capitalized words, numbers,
/// Chinese, punctuation.
fn filler(r: &mut Rng) -> String {
    const POOL: &[&str] = &[
        "the",
        "customer",
        "wrote",
        "Please",
        "Call",
        "Dear",
        "order",
        "42",
        "2024-05-01",
        "客户",
        "Über",
        "x@y",
        "(",
        ")",
        "-",
        "#7",
        "Mr.",
        "Team",
        "ID",
        "v1.2.3",
    ];
    let n = r.below(12);
    (0..n).map(|_| POOL[r.below(POOL.len())]).collect::<Vec<_>>().join(" ")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Recall of indexed values: every cell of the table, quoted in random
    /// text (between separators that end a word), is reported as a record
    /// of its column, in a buffer and in a stream; and the index holds
    /// no cell, raw or normalized.
    #[test]
    fn every_indexed_cell_quoted_in_text_is_found(seed in any::<u64>()) {
        let mut r = Rng::new(seed);
        let columns = ["customer_id:id", "full_name:name", "email:email", "phone:phone"];
        let mut rows: Vec<[String; 4]> = Vec::new();
        let mut csv = CSV_HEADER.to_string();
        for i in 0..12 {
            let mut row: [String; 4] = Default::default();
            // One cell of each kind per row, shapes drawn at random.
            while row.iter().any(String::is_empty) {
                let (c, v) = varied_cell(&mut r, i);
                row[c] = v;
            }
            csv.push_str(&row.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(","));
            csv.push('\n');
            rows.push(row);
        }
        let spec: Vec<ColumnSpec> = columns.iter().map(|c| ColumnSpec::parse(c).unwrap()).collect();
        let idx = RecordsIndex::from_csv(csv.as_bytes(), &spec, &key()).unwrap();
        prop_assert_eq!(idx.cells(), 48);
        let bytes = idx.to_bytes();
        for row in &rows {
            let digits: String = row[3].chars().filter(char::is_ascii_digit).collect();
            let normal = [
                row[0].replace(['-', '_', '.', '/'], "").to_uppercase(),
                row[1].to_lowercase(),
                row[2].to_lowercase(),
                digits[digits.len().saturating_sub(10)..].to_string(),
            ];
            for cell in row.iter().chain(&normal) {
                let c = cell.as_bytes();
                // Shorter strings turn up in 300 random bytes by chance.
                if c.len() >= 6 {
                    prop_assert!(!bytes.windows(c.len()).any(|w| w == c), "{}", cell);
                }
            }
        }
        let s = ScannerBuilder::new()
            .fingerprint_key(key())
            .records_index(Arc::new(idx))
            .build(&RuleSet::from_toml("none", "").unwrap())
            .unwrap();
        const BEFORE: &[&str] = &[", ", ": ", "\n", "; ", " — ", "，", "「", " <", "\t", "客户"];
        const AFTER: &[&str] = &[", ", ": ", "\n", "; ", ". ", "」", "> ", "!", "来电"];
        for (i, row) in rows.iter().enumerate() {
            for (col, cell) in row.iter().enumerate() {
                let quoted = if col == 2 && r.below(2) == 0 { cell.to_uppercase() } else { cell.clone() };
                let mut text = filler(&mut r);
                text.push_str(BEFORE[r.below(BEFORE.len())]);
                let at = text.len();
                text.push_str(&quoted);
                let end = text.len();
                text.push_str(AFTER[r.below(AFTER.len())]);
                text.push_str(&filler(&mut r));
                let found = s.scan(text.as_bytes());
                let hit = |f: &Finding| {
                    // On the quote (an ID's word may take a sentence's
                    // full stop with it).
                    f.span().start >= at && f.span().end <= end + 1
                        && matches!(f.index_match(), Some(IndexMatch::Record { column, .. })
                            if &**column == columns[col].split(':').next().unwrap())
                };
                prop_assert!(found.iter().any(hit), "row {} col {} {:?} in {:?}: {:?}", i, col, quoted, text, found);
                let chunk = 1 + r.below(100);
                prop_assert_eq!(stream_findings(&s, text.as_bytes(), 0, chunk), found);
            }
        }
    }
}

// The binary.

#[test]
fn cli_indexes_code_and_finds_copies_in_scan_and_filter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut r = Rng::new(8);
    let files: Vec<String> = (0..3).map(|_| source(&mut r, 40)).collect();
    for (i, f) in files.iter().enumerate() {
        fs::create_dir_all(d.join("repo/src")).unwrap();
        fs::write(d.join(format!("repo/src/m{i}.rs")), f).unwrap();
    }
    fs::write(d.join("repo/.gitignore"), "src/m2.rs\n").unwrap();
    let (code, _, err) = stdout_of(leakguard(d).args([
        "index",
        "code",
        "repo",
        "--out",
        "code.lgx",
        "--paths-as",
        "plain",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("indexed 2 files"), "{err}");
    let index = fs::read(d.join("code.lgx")).unwrap();
    for line in files[0].lines().map(str::trim).filter(|l| l.len() >= 8) {
        assert!(!index.windows(line.len()).any(|w| w == line.as_bytes()));
    }

    let snippet: String =
        files[1].lines().skip(10).take(15).collect::<Vec<_>>().join("\n");
    let prompt = format!("Please fix:\n{snippet}\n");
    fs::write(d.join("prompt.txt"), &prompt).unwrap();
    let ignored: String =
        files[2].lines().skip(10).take(15).collect::<Vec<_>>().join("\n");
    fs::write(d.join("ignored.txt"), &ignored).unwrap();
    let (code, out, _) = stdout_of(leakguard(d).args([
        "--no-builtin",
        "scan",
        "prompt.txt",
        "ignored.txt",
        "--code-index",
        "code.lgx",
        "--format",
        "json",
    ]));
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 1, "{out}");
    assert_eq!(arr[0]["category"], "code");
    assert_eq!(arr[0]["path"], "prompt.txt");
    assert_eq!(arr[0]["code"]["files"][0], "repo/src/m1.rs");
    assert!(arr[0]["code"]["tokens"].as_u64().unwrap() >= 40);
    assert!(!out.contains(snippet.lines().nth(3).unwrap().trim()));

    // filter blocks code by default and writes nothing.
    let (code, out, err) = stdout_of(
        leakguard(d)
            .args(["--no-builtin", "filter", "--code-index", "code.lgx"])
            .write_stdin(prompt.clone()),
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("code (code, high)") && err.contains("repo/src/m1.rs"),
        "{err}"
    );

    // The index can also come from leakguard.toml, with thresholds.
    fs::write(
        d.join("leakguard.toml"),
        "[code]\nindex = \"code.lgx\"\nmin_tokens = 100000\n",
    )
    .unwrap();
    let (code, _, err) =
        stdout_of(leakguard(d).args(["--no-builtin", "scan", "prompt.txt"]));
    assert_eq!(code, 0, "{err}");
    fs::remove_file(d.join("leakguard.toml")).unwrap();

    // SARIF names the pseudo-rule.
    let (_, out, _) = stdout_of(leakguard(d).args([
        "--no-builtin",
        "scan",
        "prompt.txt",
        "--code-index",
        "code.lgx",
        "--format",
        "sarif",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let run = &v["runs"][0];
    let i = run["results"][0]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(run["tool"]["driver"]["rules"][i]["id"], "code");
}

#[test]
fn cli_indexes_records_and_finds_one_customer_email() {
    // The check of issue 7: a 5,000-row table, one customer's email in a
    // prompt is a `record`, an unknown email is not.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (csv, rows) = customers(&mut Rng::new(4), 5000);
    fs::write(d.join("customers.csv"), &csv).unwrap();
    let (code, _, err) = stdout_of(leakguard(d).args([
        "index",
        "records",
        "customers.csv",
        "--out",
        "c.lgr",
        "--columns",
        "email,phone,customer_id:id",
        "--key-file",
        "rec.key",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("5000 rows"), "{err}");
    // No cell, in its own form or normalized, is in the index.
    let index = fs::read(d.join("c.lgr")).unwrap();
    let finder = |s: &str| memchr::memmem::find(&index, s.as_bytes());
    for row in &rows {
        let digits: String =
            row[3].chars().filter(char::is_ascii_digit).collect();
        let normalized =
            [row[0].replace('-', ""), row[1].to_lowercase(), digits];
        for cell in row.iter().chain(&normalized) {
            assert_eq!(finder(cell), None, "{cell}");
        }
    }
    let email = &rows[4321][2];
    fs::write(d.join("p.txt"), format!("reply to {email} today\n")).unwrap();
    fs::write(d.join("q.txt"), "reply to nobody@example.net today\n").unwrap();
    let scan = |file: &str| {
        stdout_of(leakguard(d).args([
            "--no-builtin",
            "scan",
            file,
            "--records-index",
            "c.lgr",
            "--records-key-file",
            "rec.key",
            "--format",
            "jsonl",
        ]))
    };
    let (code, out, _) = scan("p.txt");
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["category"], "record");
    assert_eq!(v["record"]["column"], "email");
    assert_eq!(v["record"]["row"], 4321);
    assert!(!out.contains(email.as_str()));
    assert_eq!(scan("q.txt").0, 0);

    // filter redacts records.
    let (code, out, _) = stdout_of(
        leakguard(d)
            .args([
                "--no-builtin",
                "filter",
                "-q",
                "--records-index",
                "c.lgr",
                "--records-key-file",
                "rec.key",
            ])
            .write_stdin(format!("mail {email} now")),
    );
    assert_eq!(code, 0);
    assert_eq!(out, "mail [REDACTED:record:1] now");

    // Another key is refused.
    let (code, _, err) = stdout_of(leakguard(d).args([
        "--no-builtin",
        "scan",
        "p.txt",
        "--records-index",
        "c.lgr",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("another key"), "{err}");
}

#[test]
fn cli_finds_and_redacts_han_names_of_a_chinese_table() {
    // A table with a `姓名` column: names of two to four Han characters
    // are found where Chinese text puts no space around them.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("客户.csv"),
        "客户编号,姓名,手机\nC100001,王小明,13812345678\n\
         C100002,李娜,13987654321\nC100003,欧阳晓峰,13700001111\n\
         C100004,阿卜杜拉·艾买提,13700002222\n",
    )
    .unwrap();
    let (code, _, err) = stdout_of(leakguard(d).args([
        "index",
        "records",
        "客户.csv",
        "--out",
        "c.lgr",
        "--key-file",
        "rec.key",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("姓名 (name)"), "{err}");
    // The name joined by a middle dot is stored but cannot be found: the
    // warning counts it and does not show it.
    assert!(err.contains("warning: 1 name cell(s) cannot be found"), "{err}");
    assert!(!err.contains("阿卜杜拉"), "{err}");
    let index = fs::read(d.join("c.lgr")).unwrap();
    for name in ["王小明", "李娜", "欧阳晓峰", "王", "李", "欧"] {
        assert_eq!(memchr::memmem::find(&index, name.as_bytes()), None);
    }
    let args = ["--records-index", "c.lgr", "--records-key-file", "rec.key"];
    let (code, out, _) = stdout_of(
        leakguard(d)
            .args(["--no-builtin", "filter", "-q"])
            .args(args)
            .write_stdin("请把合同发给李娜和欧阳晓峰，张伟不用。"),
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "请把合同发给[REDACTED:record:1]和[REDACTED:record:2]，张伟不用。"
    );
    // In a JSON body whose client escaped every character (Python's
    // `json.dumps`), the names are found decoded and redacted in place.
    let body = r#"{"messages":[{"role":"user","content":"\u8bf7\u8054\u7cfb\u674e\u5a1c\u548c\u5f20\u4f1f"}]}"#;
    let (code, out, _) = stdout_of(
        leakguard(d)
            .args(["--no-builtin", "filter", "-q"])
            .args(args)
            .write_stdin(body),
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        r#"{"messages":[{"role":"user","content":"\u8bf7\u8054\u7cfb[REDACTED:record:1]\u548c\u5f20\u4f1f"}]}"#
    );
    // A lone name is reported (low confidence, as a Latin one); with the
    // row's phone number beside it, both block.
    let scan = |text: &str| {
        fs::write(d.join("p.txt"), text).unwrap();
        let (code, out, _) = stdout_of(
            leakguard(d)
                .args(["--no-builtin", "scan", "p.txt", "--format", "jsonl"])
                .args(args),
        );
        assert!(!out.contains("王小明"), "{out}");
        let lines: Vec<serde_json::Value> =
            out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        (code, lines)
    };
    let (code, v) = scan("客户王小明来电\n");
    assert_eq!((code, v.len()), (0, 1), "{v:?}");
    assert_eq!(v[0]["record"]["column"], "姓名");
    assert_eq!(v[0]["record"]["row"], 0);
    assert_eq!(v[0]["confidence"], "low");
    let (code, v) = scan("客户王小明来电，手机13812345678\n");
    assert_eq!((code, v.len()), (1, 2), "{v:?}");
    assert_eq!(v[0]["record"]["column"], "姓名");
    assert_eq!(v[0]["record"]["columns"], 2);
    assert_eq!(v[0]["action"], "block");
}

#[test]
fn cli_bad_index_files_exit_2_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("p.txt"), "fn main() {}\n").unwrap();
    fs::write(d.join("junk.lgx"), "not an index at all").unwrap();
    let mut b = CodeIndexBuilder::new();
    b.add_file("a.rs", source(&mut Rng::new(1), 30).as_bytes());
    let mut good = b.build().to_bytes();
    fs::write(d.join("cut.lgx"), &good[..good.len() - 7]).unwrap();
    good[8] = 9;
    fs::write(d.join("v9.lgx"), &good).unwrap();
    for (file, want) in [
        ("missing.lgx", "cannot read code index"),
        ("junk.lgx", "not a leakguard code index"),
        ("cut.lgx", "truncated or corrupt"),
        ("v9.lgx", "version 9 is not supported"),
    ] {
        let (code, _, err) = stdout_of(leakguard(d).args([
            "scan",
            "p.txt",
            "--code-index",
            file,
        ]));
        assert_eq!(code, 2, "{file}: {err}");
        assert!(err.contains(want) && err.contains(file), "{file}: {err}");
        let (code, _, _) = stdout_of(
            leakguard(d)
                .args(["filter", "--code-index", file])
                .write_stdin("x"),
        );
        assert_eq!(code, 2, "{file}");
    }
    let (code, _, err) = stdout_of(
        leakguard(d).args(["index", "records", "nope.csv", "--out", "r.lgr"]),
    );
    assert_eq!(code, 2);
    assert!(err.contains("nope.csv"), "{err}");
    let _ = ColumnSpec::parse("email");
}
