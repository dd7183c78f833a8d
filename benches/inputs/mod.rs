//! Deterministic bench inputs shared by the criterion benches and the
//! latency bench: tiny, prompt-like chat JSON of any size, dense source
//! code, and a mix.

#![allow(dead_code)]

use leakguard::{
    luhn_check_digit, EngineKind, RuleSet, Scanner, ScannerBuilder,
};

/// Deterministic generator (xorshift64*).
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn string(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| {
                alphabet[(self.next() % alphabet.len() as u64) as usize]
                    as char
            })
            .collect()
    }
}

const PROSE: &[&str] = &[
    "Can you help me refactor this module so that the retry logic lives in one place? ",
    "The service returns a 502 when the upstream times out after 30 seconds. ",
    "客户反馈登录页面加载很慢，请帮我分析一下这段代码的性能问题。",
    "Here is the stack trace from production, line 218 in handler.rs panics. ",
    "We store the session in Redis and expire it after 3600 seconds. ",
    "The token refresh fails when the password was changed; the secret key is read from the vault. ",
];

const CODE: &str = r#"
pub fn parse_config(path: &Path) -> Result<Config, Error> {
    let text = std::fs::read_to_string(path)?;
    let mut config = Config::default();
    for (i, line) in text.lines().enumerate() {
        if let Some((k, v)) = line.split_once('=') {
            config.set(k.trim(), v.trim()).map_err(|e| Error::at(i + 1, e))?;
        }
    }
    Ok(config)
}
"#;

pub const TINY: &[u8] = b"Why does `cargo build` fail with E0502 here?";

/// One planted AWS key and card number.
fn plant(r: &mut Rng, out: &mut String) {
    out.push_str(" aws_access_key_id=AKIA");
    out.push_str(&r.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
    let mut card = format!("4{}", r.string(b"0123456789", 14));
    card.push(luhn_check_digit(card.as_bytes()) as char);
    out.push_str(" card ");
    out.push_str(&card);
    out.push(' ');
}

/// A prompt-like body of about `size` bytes: chat JSON with prose, code and
/// Chinese text, and one planted AWS key and one card number per 4 KiB.
/// Returns the text and how many secrets were planted.
pub fn prompt(size: usize, seed: u64) -> (Vec<u8>, usize) {
    let mut r = Rng(seed | 1);
    let mut out = String::from("{\"model\":\"gpt-4o\",\"messages\":[");
    let mut planted = 0;
    let mut next_plant = 0;
    while out.len() < size {
        out.push_str("{\"role\":\"user\",\"content\":\"");
        for _ in 0..4 {
            out.push_str(PROSE[(r.next() % PROSE.len() as u64) as usize]);
        }
        if out.len() >= next_plant && out.len() + 200 < size.max(200) {
            plant(&mut r, &mut out);
            planted += 2;
            next_plant += 4096;
        }
        out.push_str(&CODE.replace('\n', "\\n").replace('"', "\\\""));
        out.push_str("\"},");
    }
    out.push_str("{\"role\":\"user\",\"content\":\"thanks\"}]}");
    (out.into_bytes(), planted)
}

/// About `size` bytes of dense Rust source (this crate's own `src/`, in
/// path order, repeated), with a planted key every 256 KiB.
pub fn code(size: usize, seed: u64) -> (Vec<u8>, usize) {
    let mut files = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    let texts: Vec<String> =
        files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let mut r = Rng(seed | 1);
    let mut out = String::new();
    let mut planted = 0;
    let mut next_plant = 0;
    'fill: loop {
        for t in &texts {
            if out.len() >= size {
                break 'fill;
            }
            if out.len() >= next_plant {
                out.push_str("\n// ");
                plant(&mut r, &mut out);
                out.push('\n');
                planted += 2;
                next_plant += 256 << 10;
            }
            let room = size - out.len();
            let cut = (0..=t.len().min(room))
                .rev()
                .find(|&i| t.is_char_boundary(i))
                .unwrap();
            out.push_str(&t[..cut]);
        }
    }
    (out.into_bytes(), planted)
}

/// `size` bytes alternating 1 MiB of prompts and 1 MiB of code.
pub fn mixed(size: usize, seed: u64) -> (Vec<u8>, usize) {
    let (p, pn) = prompt(1 << 20, seed);
    let (c, cn) = code(1 << 20, seed + 1);
    let mut out = Vec::with_capacity(size + (2 << 20));
    let mut planted = 0;
    while out.len() < size {
        out.extend_from_slice(&p);
        out.push(b'\n');
        out.extend_from_slice(&c);
        out.push(b'\n');
        planted += pn + cn;
    }
    (out, planted)
}

/// The input kinds by name, for the latency bench's `--kind`.
pub fn by_name(name: &str) -> (Vec<u8>, usize) {
    match name {
        "tiny" => (TINY.to_vec(), 0),
        "prompt-4k" => prompt(4 << 10, 2),
        "prompt-1m" => prompt(1 << 20, 3),
        "code-1m" => code(1 << 20, 4),
        "mixed-64m" => mixed(64 << 20, 5),
        _ => panic!("unknown input {name}"),
    }
}

/// The engines this build has.
pub fn engines() -> Vec<EngineKind> {
    let mut v = vec![EngineKind::Rust];
    if EngineKind::HYPERSCAN_AVAILABLE {
        v.push(EngineKind::Hyperscan);
    }
    v
}

pub fn engine_name(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::Hyperscan => "hyperscan",
        _ => "rust",
    }
}

pub fn scanner(rules: &RuleSet, kind: EngineKind) -> Scanner {
    ScannerBuilder::new().engine(kind).build(rules).unwrap()
}

/// Benchmarks scanning `hay` into a reused buffer, checking the finding
/// count on every call.
pub fn bench_buffer<M: criterion::measurement::Measurement>(
    group: &mut criterion::BenchmarkGroup<'_, M>,
    id: String,
    scanner: &Scanner,
    hay: &[u8],
    expected: usize,
) {
    let mut scratch = scanner.scratch();
    let mut out = Vec::new();
    group.bench_function(id, |b| {
        b.iter(|| {
            scanner.scan_with(
                &mut scratch,
                std::hint::black_box(hay),
                &mut out,
            );
            assert_eq!(out.len(), expected);
        })
    });
}

pub const FIRST: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Wei",
    "Fang",
    "Min",
    "Jing",
    "Li",
    "Hiroshi",
    "Yuki",
    "Ana",
    "Carlos",
    "Sofia",
];
pub const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Wang",
    "Chen",
    "Tanaka",
    "Silva",
];

/// A customer of [`customers`]' table.
pub struct Row {
    pub name: String,
    pub email: String,
    pub phone: String,
}

fn pick<'a>(r: &mut Rng, from: &[&'a str]) -> &'a str {
    from[(r.next() % from.len() as u64) as usize]
}

/// A customer table of `n` rows (customer_id, full_name, email, phone)
/// as CSV, with its rows.
pub fn customers(n: usize) -> (String, Vec<Row>) {
    let mut r = Rng(11);
    let mut csv = String::from("customer_id,full_name,email,phone\n");
    let mut rows = Vec::new();
    for i in 0..n {
        let (first, last) = (pick(&mut r, FIRST), pick(&mut r, LAST));
        let row = Row {
            name: format!("{first} {last}"),
            email: format!("{first}.{last}{i}@example-mail.com")
                .to_lowercase(),
            phone: format!(
                "+1 ({}) {}-{:04}",
                200 + r.next() % 800,
                200 + r.next() % 800,
                r.next() % 10_000
            ),
        };
        csv.push_str(&format!(
            "CUST-{},{},{},{}\n",
            100_000 + i,
            row.name,
            row.email,
            row.phone
        ));
        rows.push(row);
    }
    (csv, rows)
}

/// A Chinese customer table of `n` rows (客户编号, 姓名, 手机, 邮箱), names
/// of two to four Han characters (one of about a hundred surnames, one or
/// two of sixty given characters), all different.
pub fn customers_zh(n: usize) -> (String, Vec<Row>) {
    const SURNAMES: &str =
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许\
        韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金\
        石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃\
        武戴莫孔向汤";
    const GIVEN: &str =
        "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍\
        红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣瑶雪晨晓峰";
    let surnames: Vec<String> = SURNAMES
        .chars()
        .map(String::from)
        .chain(["欧阳", "司马", "诸葛", "上官"].map(String::from))
        .collect();
    let given: Vec<char> = GIVEN.chars().collect();
    let mut r = Rng(13);
    let mut csv = String::from("客户编号,姓名,手机,邮箱\n");
    let mut rows = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while rows.len() < n {
        let mut name =
            surnames[(r.next() % surnames.len() as u64) as usize].clone();
        for _ in 0..1 + r.next() % 2 {
            name.push(given[(r.next() % given.len() as u64) as usize]);
        }
        if !seen.insert(name.clone()) {
            continue;
        }
        let i = rows.len();
        let row = Row {
            name,
            email: format!("u{i}@example.cn"),
            phone: format!("13{:09}", r.next() % 1_000_000_000),
        };
        csv.push_str(&format!(
            "C{},{},{},{}\n",
            200_000 + i,
            row.name,
            row.phone,
            row.email
        ));
        rows.push(row);
    }
    (csv, rows)
}

/// About `size` bytes of Chinese request lines; one in twenty quotes a
/// customer of `rows` (name and phone), with no space around the name.
pub fn customer_prompts_zh(rows: &[Row], size: usize) -> Vec<u8> {
    const FILLER: [&str; 4] = [
        "请帮我总结一下这次会议的要点，并列出下一步的行动项。\n",
        "这个函数在处理空输入时会崩溃，能帮我看看原因吗？\n",
        "我们的平台团队下周要上线新版本，测试报告还没写完。\n",
        "产品经理说季度报告延迟了，市场部希望尽快拿到数据。\n",
    ];
    let mut r = Rng(7);
    let mut out = String::new();
    while out.len() < size {
        if r.next().is_multiple_of(20) {
            let c = &rows[(r.next() % rows.len() as u64) as usize];
            out.push_str(&format!(
                "客户{}来电说订单{:06}还没发货，请回电{}。\n",
                c.name,
                r.next() % 1_000_000,
                c.phone
            ));
        } else {
            out.push_str(FILLER[(r.next() % 4) as usize]);
        }
    }
    out.into_bytes()
}

/// About `size` bytes of prompt-like lines; one in twenty quotes a
/// customer of `rows`.
pub fn customer_prompts(rows: &[Row], size: usize) -> Vec<u8> {
    let mut r = Rng(5);
    let mut out = String::new();
    while out.len() < size {
        if r.next().is_multiple_of(20) {
            let c = &rows[(r.next() % rows.len() as u64) as usize];
            out.push_str(&format!(
                "Customer {} wrote from {} about order {}; call back on {} \
                 before Friday. The Export Manager said the Quarterly \
                 Report is late.\n",
                c.name,
                c.email,
                r.next() % 1_000_000,
                c.phone
            ));
        } else {
            out.push_str(
                "Please summarize the meeting notes and list the action \
                 items for the Platform Team; keep it short and polite.\n",
            );
        }
    }
    out.into_bytes()
}
