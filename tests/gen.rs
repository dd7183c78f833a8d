//! Fake but well-formed secrets and personal data, generated per test run
//! from a seed, so no credential-shaped value needs to be committed.

use leakguard::{
    china_id_check_char, iban_check_digits, luhn_check_digit, uscc_check_char,
};

/// SplitMix64: small, deterministic, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn string(&mut self, alphabet: &str, len: usize) -> String {
        let a = alphabet.as_bytes();
        (0..len).map(|_| a[self.below(a.len())] as char).collect()
    }
}

pub const UPPER_B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub const ALNUM: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const DIGITS: &str = "0123456789";
pub const B64: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub const B64URL: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc =
                if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn base62(mut n: u32, width: usize) -> String {
    let a = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = a[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out).unwrap()
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// One generated value: what it is, the whole text to plant, and the part
/// that must never survive redaction.
pub struct Planted {
    pub kind: &'static str,
    pub text: String,
    pub secret: String,
}

fn p(kind: &'static str, text: String, secret: String) -> Planted {
    Planted { kind, text, secret }
}

fn same(kind: &'static str, s: String) -> Planted {
    p(kind, s.clone(), s)
}

pub fn aws_key_id(r: &mut Rng) -> Planted {
    same("aws", format!("AKIA{}", r.string(UPPER_B32, 16)))
}

pub fn github_pat(r: &mut Rng) -> Planted {
    let body = r.string(ALNUM, 30);
    let tail = base62(crc32(body.as_bytes()), 6);
    same("github", format!("ghp_{body}{tail}"))
}

fn github_kind(r: &mut Rng, prefix: &str) -> Planted {
    let body = r.string(ALNUM, 30);
    let tail = base62(crc32(body.as_bytes()), 6);
    same("github", format!("{prefix}{body}{tail}"))
}

pub fn github_oauth(r: &mut Rng) -> Planted {
    github_kind(r, "gho_")
}

pub fn github_user_to_server(r: &mut Rng) -> Planted {
    github_kind(r, "ghu_")
}

pub fn github_server_to_server(r: &mut Rng) -> Planted {
    github_kind(r, "ghs_")
}

pub fn github_refresh(r: &mut Rng) -> Planted {
    github_kind(r, "ghr_")
}

pub fn github_fine_grained(r: &mut Rng) -> Planted {
    same(
        "github",
        format!("github_pat_{}_{}", r.string(ALNUM, 22), r.string(ALNUM, 59)),
    )
}

pub fn gitlab_pat(r: &mut Rng) -> Planted {
    same("gitlab", format!("glpat-{}", r.string(ALNUM, 20)))
}

pub fn slack_bot(r: &mut Rng) -> Planted {
    same(
        "slack",
        format!(
            "xoxb-{}-{}-{}",
            r.string(DIGITS, 12),
            r.string(DIGITS, 13),
            r.string(ALNUM, 24)
        ),
    )
}

pub fn stripe_live(r: &mut Rng) -> Planted {
    same("stripe", format!("sk_live_{}", r.string(ALNUM, 24)))
}

pub fn openai_project(r: &mut Rng) -> Planted {
    same(
        "openai",
        format!(
            "sk-proj-{}T3BlbkFJ{}",
            r.string(B64URL.trim_end_matches("-_"), 74),
            r.string(B64URL.trim_end_matches("-_"), 74)
        ),
    )
}

pub fn openai_service_account(r: &mut Rng) -> Planted {
    same("openai", format!("sk-svcacct-{}", r.string(B64URL, 120)))
}

pub fn openai_admin(r: &mut Rng) -> Planted {
    same("openai", format!("sk-admin-{}", r.string(B64URL, 120)))
}

pub fn anthropic_admin(r: &mut Rng) -> Planted {
    same("anthropic", format!("sk-ant-admin01-{}AA", r.string(ALNUM, 93)))
}

pub fn slack_user(r: &mut Rng) -> Planted {
    same(
        "slack",
        format!(
            "xoxp-{}-{}-{}-{}",
            r.string(DIGITS, 12),
            r.string(DIGITS, 12),
            r.string(DIGITS, 13),
            r.string("0123456789abcdef", 32)
        ),
    )
}

pub fn anthropic(r: &mut Rng) -> Planted {
    same("anthropic", format!("sk-ant-api03-{}AA", r.string(ALNUM, 93)))
}

pub fn google_api(r: &mut Rng) -> Planted {
    same("google", format!("AIza{}", r.string(ALNUM, 35)))
}

pub fn tencent_secret_id(r: &mut Rng) -> Planted {
    same("tencent", format!("AKID{}", r.string(ALNUM, 32)))
}

pub fn alibaba_key_id(r: &mut Rng) -> Planted {
    same("alibaba", format!("LTAI5t{}", r.string(ALNUM, 18)))
}

fn pem(r: &mut Rng, label: &str, header: &str) -> Planted {
    let mut body = String::new();
    for _ in 0..12 {
        body.push_str(&r.string(B64, 64));
        body.push('\n');
    }
    let text = format!(
        "-----BEGIN {label}-----\n{header}{body}-----END {label}-----"
    );
    // The whole block is the secret; its body must not survive.
    p("private-key", text, body.lines().nth(3).unwrap().to_string())
}

pub fn private_key(r: &mut Rng) -> Planted {
    pem(r, "RSA PRIVATE KEY", "")
}

pub fn private_key_ec(r: &mut Rng) -> Planted {
    pem(r, "EC PRIVATE KEY", "")
}

pub fn private_key_pkcs8(r: &mut Rng) -> Planted {
    pem(r, "PRIVATE KEY", "")
}

pub fn private_key_openssh(r: &mut Rng) -> Planted {
    pem(r, "OPENSSH PRIVATE KEY", "")
}

pub fn pgp_private_key(r: &mut Rng) -> Planted {
    pem(r, "PGP PRIVATE KEY BLOCK", "Comment: ops signing key\n\n")
}

pub fn postgres_uri(r: &mut Rng) -> Planted {
    let pass = r.string(ALNUM, 18);
    p(
        "postgres",
        format!("postgres://app_user:{pass}@db.internal:5432/orders"),
        pass,
    )
}

fn uri(r: &mut Rng, scheme: &str, port: u16) -> Planted {
    let pass = r.string(ALNUM, 18);
    p(
        "uri",
        format!(
            "{scheme}://svc:{pass}@host-{}.internal:{port}/app",
            r.below(9)
        ),
        pass,
    )
}

pub fn mysql_uri(r: &mut Rng) -> Planted {
    uri(r, "mysql", 3306)
}

pub fn mongodb_uri(r: &mut Rng) -> Planted {
    uri(r, "mongodb+srv", 27017)
}

pub fn redis_uri(r: &mut Rng) -> Planted {
    uri(r, "rediss", 6380)
}

pub fn amqp_uri(r: &mut Rng) -> Planted {
    uri(r, "amqps", 5671)
}

/// A password assignment in code: a low-confidence, entropy-gated rule.
/// Long enough that a random draw stays over the 3.0-bit entropy gate
/// (8 + 1 + 4 characters fell under it now and then: `uD102a1F!0501`).
pub fn password_assignment(r: &mut Rng) -> Planted {
    let pass = format!("{}!{}", r.string(ALNUM, 12), r.string(DIGITS, 4));
    p("password", format!("db_password = \"{pass}\""), pass)
}

pub fn jwt(r: &mut Rng) -> Planted {
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64url(
        format!(r#"{{"sub":"{}","iat":1700000000}}"#, r.string(DIGITS, 8))
            .as_bytes(),
    );
    // A real signature is the canonical encoding of 32 bytes.
    let sig_bytes: Vec<u8> = (0..32).map(|_| r.next() as u8).collect();
    let sig = b64url(&sig_bytes);
    same("jwt", format!("{header}.{payload}.{sig}"))
}

pub fn card(r: &mut Rng) -> Planted {
    let mut digits = format!("4{}", r.string(DIGITS, 14));
    digits.push(luhn_check_digit(digits.as_bytes()) as char);
    same("card", digits)
}

pub fn unionpay_card(r: &mut Rng) -> Planted {
    let mut digits = format!("62{}", r.string(DIGITS, 15));
    digits.push(luhn_check_digit(digits.as_bytes()) as char);
    same("card", digits)
}

pub fn china_id(r: &mut Rng) -> Planted {
    let year = 1950 + r.below(60);
    let month = 1 + r.below(12);
    let day = 1 + r.below(28);
    let first17 =
        format!("110105{year:04}{month:02}{day:02}{}", r.string(DIGITS, 3));
    let check = china_id_check_char(first17.as_bytes()) as char;
    same("china-id", format!("{first17}{check}"))
}

pub fn uscc(r: &mut Rng) -> Planted {
    let first17 =
        format!("91110108{}", r.string("0123456789ABCDEFGHJKLMNPQRTUWXY", 9));
    let check = uscc_check_char(first17.as_bytes()) as char;
    same("uscc", format!("{first17}{check}"))
}

pub fn china_mobile(r: &mut Rng) -> Planted {
    // Allocated mobile prefixes (MIIT number plan).
    const PREFIXES: &[&str] = &[
        "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
        "145", "147", "150", "151", "152", "153", "155", "156", "157", "158",
        "159", "166", "170", "173", "175", "176", "177", "178", "180", "181",
        "182", "183", "184", "185", "186", "187", "188", "189", "191", "193",
        "195", "198", "199",
    ];
    let prefix = PREFIXES[r.below(PREFIXES.len())];
    same("mobile", format!("{prefix}{}", r.string(DIGITS, 8)))
}

pub fn email(r: &mut Rng) -> Planted {
    same(
        "email",
        format!(
            "{}.{}@acme-corp.cn",
            r.string("abcdefghij", 6),
            r.string("klmnop", 5)
        ),
    )
}

pub fn iban(r: &mut Rng) -> Planted {
    let bban = r.string(DIGITS, 18);
    let check = iban_check_digits(b"DE", bban.as_bytes());
    same("iban", format!("DE{}{}{bban}", check[0] as char, check[1] as char))
}

pub fn us_ssn(r: &mut Rng) -> Planted {
    let area = 100 + r.below(565);
    let group = 10 + r.below(89);
    let serial = 1000 + r.below(8999);
    same("ssn", format!("{area:03}-{group:02}-{serial:04}"))
}

pub type Maker = fn(&mut Rng) -> Planted;

/// Every generator, with a context the matching rule expects around it.
pub const MAKERS: &[(Maker, &str)] = &[
    (aws_key_id, "aws_access_key_id = "),
    (github_pat, "GITHUB_TOKEN="),
    (github_oauth, "Authorization: token "),
    (github_user_to_server, "token: "),
    (github_server_to_server, "GH_APP_TOKEN="),
    (github_refresh, "refresh_token="),
    (github_fine_grained, "export GH_TOKEN="),
    (openai_service_account, "OPENAI_API_KEY="),
    (openai_admin, "OPENAI_ADMIN_KEY="),
    (anthropic_admin, "key: "),
    (slack_user, "SLACK_USER_TOKEN="),
    (private_key_ec, "key:\n"),
    (private_key_pkcs8, ""),
    (private_key_openssh, "~/.ssh/id_ed25519:\n"),
    (pgp_private_key, ""),
    (mysql_uri, "SQLALCHEMY_DATABASE_URI = "),
    (mongodb_uri, "MONGO_URI="),
    (redis_uri, "REDIS_URL="),
    (amqp_uri, "BROKER_URL="),
    (password_assignment, ""),
    (gitlab_pat, "gitlab token: "),
    (slack_bot, "SLACK_BOT_TOKEN="),
    (stripe_live, "stripe.api_key = "),
    (openai_project, "OPENAI_API_KEY="),
    (anthropic, "ANTHROPIC_API_KEY="),
    (google_api, "key="),
    (tencent_secret_id, "SecretId: "),
    (alibaba_key_id, "AccessKeyId: "),
    (private_key, ""),
    (postgres_uri, "DATABASE_URL="),
    (jwt, "Authorization: Bearer "),
    (card, "card number: "),
    (unionpay_card, "银行卡号 "),
    (china_id, "身份证号："),
    (uscc, "统一社会信用代码："),
    (china_mobile, "手机号"),
    (email, "contact: "),
    (iban, "IBAN "),
    (us_ssn, "SSN: "),
];
