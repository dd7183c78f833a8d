//! Validators that confirm or reject the secret bytes of a candidate finding.
//!
//! A rule's regex finds something that *looks* like a card number, an IBAN
//! or a token; a [`Check`] then verifies the structure (check digits, known
//! prefixes, valid dates, decodable parts) so that random digit runs are not
//! reported. [`shannon_entropy`] and [`is_placeholder`] help the engine drop
//! low-information or template values. The `*_check_*` generators compute
//! check characters so tests and fuzzers can build valid fake data.
//!
//! Every function here is pure, allocation-light and total: it accepts
//! arbitrary bytes (empty, huge, non-UTF-8) and never panics.

/// Table test helper: `check_table!(f; input => expected, ...)`.
///
/// Each input is anything that is `AsRef<[u8]>` (`&str`, `b"..."`, `Vec`).
#[cfg(test)]
macro_rules! check_table {
    ($f:expr; $($input:expr => $want:expr),* $(,)?) => {{
        $(
            let owned = &$input;
            let input: &[u8] = AsRef::<[u8]>::as_ref(owned);
            assert_eq!(
                $f(input),
                $want,
                "input {:?}",
                String::from_utf8_lossy(input),
            );
        )*
    }};
}

mod aadhaar;
mod basic_auth;
mod bech32;
mod china_id;
mod entropy;
mod hk_id;
mod iban;
mod jwt;
mod luhn;
mod national_ids;
mod placeholder;
mod sg_nric;
mod ssn;
mod tw_id;
mod uk_nino;
mod uscc;

pub use china_id::china_id_check_char;
pub use entropy::shannon_entropy;
pub use iban::iban_check_digits;
pub use luhn::luhn_check_digit;
pub use placeholder::is_placeholder;
pub use uscc::uscc_check_char;

// Check-character generators of the newer checks, for tests and fuzzers
// that build valid fake data. Until lib.rs re-exports them they are only
// used by their own validators, hence the allow.
pub use self::{
    aadhaar::verhoeff_check_digit,
    bech32::bech32_checksum,
    hk_id::hk_id_check_char,
    national_ids::{
        br_cnpj_check_digits, br_cpf_check_digits, de_tax_id_check_digit,
        es_dni_letter, fr_nir_key, it_fiscal_code_check_char,
        jp_my_number_check_digit, mx_curp_check_digit, pl_pesel_check_digit,
        uk_nhs_check_digit,
    },
    sg_nric::sg_nric_check_char,
    tw_id::tw_id_check_digit,
};

/// A validator applied to the secret bytes of a candidate finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    /// No validation: every candidate passes.
    None,
    /// Luhn (mod 10) checksum over 8 to 32 digits.
    Luhn,
    /// Payment card number: Luhn plus a known issuer prefix and length.
    Card,
    /// International Bank Account Number (ISO 13616, mod 97).
    Iban,
    /// Chinese resident identity card number (GB 11643).
    ChinaId,
    /// Chinese Unified Social Credit Code (GB 32100).
    Uscc,
    /// JSON Web Token with decodable header and payload.
    Jwt,
    /// United States Social Security Number.
    UsSsn,
    /// Legacy 15-digit Chinese resident ID (region and birth date only).
    ChinaId15,
    /// Hong Kong identity card number (mod 11 check character).
    HkId,
    /// Taiwan national ID / resident certificate number.
    TwId,
    /// UK National Insurance number (HMRC prefix and suffix rules).
    UkNino,
    /// Bech32 string with a valid BIP 173 checksum (age, Nostr keys).
    Bech32,
    /// Base64 of `user:password` (Docker, npm, HTTP Basic).
    BasicAuth,
    /// Indian Aadhaar number (Verhoeff check digit).
    Aadhaar,
    /// Singapore NRIC / FIN (mod 11 check letter).
    SgNric,
    /// Japanese My Number (個人番号) check digit.
    JpMyNumber,
    /// Brazilian CPF (two mod 11 check digits).
    BrCpf,
    /// Brazilian CNPJ, numeric or 2026 alphanumeric.
    BrCnpj,
    /// Spanish DNI / NIE control letter.
    EsDni,
    /// Dutch BSN (elfproef).
    NlBsn,
    /// Polish PESEL (birth date and check digit).
    PlPesel,
    /// German tax identification number (ISO 7064 MOD 11,10).
    DeTaxId,
    /// Australian tax file number (mod 11 weights).
    AuTfn,
    /// French NIR social security number (mod 97 key).
    FrNir,
    /// UK NHS number (mod 11 check digit).
    UkNhs,
    /// Italian codice fiscale (check letter).
    ItFiscalCode,
    /// Mexican CURP (birth date and check digit).
    MxCurp,
    /// Holds at least one ASCII digit. Cheaper than spelling it in the
    /// pattern: `[a-z0-9]{0,128}[0-9][a-z0-9]{0,128}` must track every place
    /// the digit may sit, which made one generic rule most of a scan's
    /// regex time.
    HasDigit,
}

impl Check {
    /// Every check, in declaration order.
    pub const ALL: &'static [Check] = &[
        Check::None,
        Check::Luhn,
        Check::Card,
        Check::Iban,
        Check::ChinaId,
        Check::Uscc,
        Check::Jwt,
        Check::UsSsn,
        Check::ChinaId15,
        Check::HkId,
        Check::TwId,
        Check::UkNino,
        Check::Bech32,
        Check::BasicAuth,
        Check::Aadhaar,
        Check::SgNric,
        Check::JpMyNumber,
        Check::BrCpf,
        Check::BrCnpj,
        Check::EsDni,
        Check::NlBsn,
        Check::PlPesel,
        Check::DeTaxId,
        Check::AuTfn,
        Check::FrNir,
        Check::UkNhs,
        Check::ItFiscalCode,
        Check::MxCurp,
        Check::HasDigit,
    ];

    /// Parses the name used in rule files (exact, lowercase), e.g. `"iban"`.
    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The name used in rule files; `from_name(c.name()) == Some(c)`.
    pub fn name(self) -> &'static str {
        match self {
            Check::None => "none",
            Check::Luhn => "luhn",
            Check::Card => "card",
            Check::Iban => "iban",
            Check::ChinaId => "china_id",
            Check::Uscc => "uscc",
            Check::Jwt => "jwt",
            Check::UsSsn => "us_ssn",
            Check::ChinaId15 => "china_id15",
            Check::HkId => "hk_id",
            Check::TwId => "tw_id",
            Check::UkNino => "uk_nino",
            Check::Bech32 => "bech32",
            Check::BasicAuth => "basic_auth",
            Check::Aadhaar => "aadhaar",
            Check::SgNric => "sg_nric",
            Check::JpMyNumber => "jp_my_number",
            Check::BrCpf => "br_cpf",
            Check::BrCnpj => "br_cnpj",
            Check::EsDni => "es_dni",
            Check::NlBsn => "nl_bsn",
            Check::PlPesel => "pl_pesel",
            Check::DeTaxId => "de_tax_id",
            Check::AuTfn => "au_tfn",
            Check::FrNir => "fr_nir",
            Check::UkNhs => "uk_nhs",
            Check::ItFiscalCode => "it_fiscal_code",
            Check::MxCurp => "mx_curp",
            Check::HasDigit => "has_digit",
        }
    }

    /// True when `secret` passes; never panics on any input.
    pub fn validate(self, secret: &[u8]) -> bool {
        match self {
            Check::None => true,
            Check::Luhn => luhn::validate_luhn(secret),
            Check::Card => luhn::validate_card(secret),
            Check::Iban => iban::validate_iban(secret),
            Check::ChinaId => china_id::validate_china_id(secret),
            Check::Uscc => uscc::validate_uscc(secret),
            Check::Jwt => jwt::validate_jwt(secret),
            Check::UsSsn => ssn::validate_ssn(secret),
            Check::ChinaId15 => china_id::validate_china_id15(secret),
            Check::HkId => hk_id::validate_hk_id(secret),
            Check::TwId => tw_id::validate_tw_id(secret),
            Check::UkNino => uk_nino::validate_uk_nino(secret),
            Check::Bech32 => bech32::validate_bech32(secret),
            Check::BasicAuth => basic_auth::validate_basic_auth(secret),
            Check::Aadhaar => aadhaar::validate_aadhaar(secret),
            Check::SgNric => sg_nric::validate_sg_nric(secret),
            Check::JpMyNumber => national_ids::validate_jp_my_number(secret),
            Check::BrCpf => national_ids::validate_br_cpf(secret),
            Check::BrCnpj => national_ids::validate_br_cnpj(secret),
            Check::EsDni => national_ids::validate_es_dni(secret),
            Check::NlBsn => national_ids::validate_nl_bsn(secret),
            Check::PlPesel => national_ids::validate_pl_pesel(secret),
            Check::DeTaxId => national_ids::validate_de_tax_id(secret),
            Check::AuTfn => national_ids::validate_au_tfn(secret),
            Check::FrNir => national_ids::validate_fr_nir(secret),
            Check::UkNhs => national_ids::validate_uk_nhs(secret),
            Check::ItFiscalCode => {
                national_ids::validate_it_fiscal_code(secret)
            }
            Check::MxCurp => national_ids::validate_mx_curp(secret),
            Check::HasDigit => secret.iter().any(u8::is_ascii_digit),
        }
    }
}

/// Removes the separators the numeric checks skip (space, `-` and `.`)
/// from `secret` into a fixed buffer of `N` bytes.
///
/// Returns the buffer and the number of bytes used, or `None` when a
/// non-separator byte fails `keep` or more than `N` bytes remain. The scan
/// stops at the first failure, so huge inputs are cheap to reject.
fn compact<const N: usize>(
    secret: &[u8],
    keep: impl Fn(u8) -> bool,
) -> Option<([u8; N], usize)> {
    strip::<N>(secret, b" -.", keep)
}

/// Like [`compact`], for formats with their own separators: the bytes in
/// `skip` are dropped instead of space, `-` and `.`.
fn strip<const N: usize>(
    secret: &[u8],
    skip: &[u8],
    keep: impl Fn(u8) -> bool,
) -> Option<([u8; N], usize)> {
    let mut buf = [0u8; N];
    let mut len = 0;
    for &b in secret {
        if skip.contains(&b) {
            continue;
        }
        if !keep(b) || len == N {
            return None;
        }
        buf[len] = b;
        len += 1;
    }
    Some((buf, len))
}

/// True when `day` exists in `month` of `year` (Gregorian calendar).
fn valid_date(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100))
        || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Value of an ASCII digit; callers have already checked `b` is a digit.
fn digit(b: u8) -> u32 {
    u32::from(b.wrapping_sub(b'0'))
}

/// True when every byte of `bytes` is equal (vacuously true when empty).
fn all_same(bytes: &[u8]) -> bool {
    bytes.windows(2).all(|w| w[0] == w[1])
}

/// Tiny deterministic PRNG (xorshift64*) for round-trip tests.
#[cfg(test)]
pub(crate) struct TestRng(u64);

#[cfg(test)]
impl TestRng {
    /// Creates a generator from a non-zero seed.
    pub(crate) fn new(seed: u64) -> Self {
        TestRng(seed | 1)
    }

    /// Next value in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) % n
    }

    /// A random ASCII digit.
    pub(crate) fn digit(&mut self) -> u8 {
        b'0' + self.below(10) as u8
    }

    /// `n` random ASCII digits.
    pub(crate) fn digits(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.digit()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &c in Check::ALL {
            assert_eq!(Check::from_name(c.name()), Some(c));
        }
        assert_eq!(Check::ALL.len(), 29);
        // Names are unique.
        let mut names: Vec<&str> =
            Check::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Check::ALL.len());
    }

    #[test]
    fn from_name_table() {
        let cases: &[(&str, Option<Check>)] = &[
            ("none", Some(Check::None)),
            ("luhn", Some(Check::Luhn)),
            ("card", Some(Check::Card)),
            ("iban", Some(Check::Iban)),
            ("china_id", Some(Check::ChinaId)),
            ("uscc", Some(Check::Uscc)),
            ("jwt", Some(Check::Jwt)),
            ("us_ssn", Some(Check::UsSsn)),
            ("china_id15", Some(Check::ChinaId15)),
            ("hk_id", Some(Check::HkId)),
            ("tw_id", Some(Check::TwId)),
            ("uk_nino", Some(Check::UkNino)),
            ("bech32", Some(Check::Bech32)),
            ("basic_auth", Some(Check::BasicAuth)),
            ("aadhaar", Some(Check::Aadhaar)),
            ("sg_nric", Some(Check::SgNric)),
            ("jp_my_number", Some(Check::JpMyNumber)),
            ("br_cpf", Some(Check::BrCpf)),
            ("br_cnpj", Some(Check::BrCnpj)),
            ("es_dni", Some(Check::EsDni)),
            ("nl_bsn", Some(Check::NlBsn)),
            ("pl_pesel", Some(Check::PlPesel)),
            ("de_tax_id", Some(Check::DeTaxId)),
            ("au_tfn", Some(Check::AuTfn)),
            ("fr_nir", Some(Check::FrNir)),
            ("uk_nhs", Some(Check::UkNhs)),
            ("it_fiscal_code", Some(Check::ItFiscalCode)),
            ("mx_curp", Some(Check::MxCurp)),
            ("has_digit", Some(Check::HasDigit)),
            ("hk-id", None),
            ("HK_ID", None),
            ("", None),
            ("IBAN", None),
            (" iban", None),
            ("ssn", None),
            ("china-id", None),
            ("é", None),
        ];
        for &(name, want) in cases {
            assert_eq!(Check::from_name(name), want, "name {name:?}");
        }
    }

    #[test]
    fn has_digit_needs_one_ascii_digit() {
        check_table!(|s| Check::HasDigit.validate(s);
            "" => false,
            "abcdef" => false,
            "abc1def" => true,
            "9" => true,
            "٣" => false,
            b"\xff0" => true,
        );
    }

    #[test]
    fn none_accepts_everything() {
        check_table!(|s| Check::None.validate(s);
            "" => true,
            b"\xff\x00" => true,
            "anything" => true,
        );
    }

    #[test]
    fn dispatch_reaches_each_validator() {
        // A value valid for one check is rejected by unrelated ones.
        let mut card = b"411111111111111".to_vec();
        card.push(luhn_check_digit(&card));
        assert!(Check::Luhn.validate(&card));
        assert!(Check::Card.validate(&card));
        assert!(!Check::Iban.validate(&card));
        assert!(!Check::ChinaId.validate(&card));
        assert!(!Check::Uscc.validate(&card));
        assert!(!Check::Jwt.validate(&card));
        assert!(!Check::UsSsn.validate(&card));
        assert!(Check::UsSsn.validate(b"212-34-5678"));
        // Each new check accepts its own sample and rejects the card.
        let samples: &[(Check, &[u8])] = &[
            (Check::ChinaId15, b"110105900307123"),
            (Check::HkId, b"A123456(3)"),
            (Check::TwId, b"A123456789"),
            (Check::UkNino, b"AB123456C"),
            (Check::Bech32, b"a12uel5l"),
            (Check::BasicAuth, b"ZGVwbG95OlRxODRtV3oheA=="),
            (Check::SgNric, b"S1234567D"),
            (Check::BrCpf, b"529.982.247-25"),
            (Check::BrCnpj, b"11.222.333/0001-81"),
            (Check::EsDni, b"12345678Z"),
            (Check::NlBsn, b"123456782"),
            (Check::PlPesel, b"44051401359"),
            (Check::DeTaxId, b"86095742719"),
            (Check::AuTfn, b"123456782"),
            (Check::UkNhs, b"9434765919"),
            (Check::ItFiscalCode, b"RSSMRA85T10A562S"),
        ];
        for &(c, sample) in samples {
            assert!(c.validate(sample), "{}", c.name());
            assert!(!c.validate(&card), "{}", c.name());
        }
    }

    #[test]
    fn no_check_panics_on_odd_input() {
        let mut rng = TestRng::new(0xdead_beef);
        let mut inputs: Vec<Vec<u8>> = vec![
            Vec::new(),
            vec![0],
            vec![0xff; 40],
            "é".repeat(20).into_bytes(),
            b"...".to_vec(),
            b"- - -".to_vec(),
            b"a.b.c".to_vec(),
            b"..".to_vec(),
            vec![b'9'; 1 << 20],
            vec![b' '; 1 << 20],
            vec![b'A'; 1 << 15],
        ];
        for len in 0..64 {
            let v = (0..len).map(|_| rng.below(256) as u8).collect();
            inputs.push(v);
        }
        for input in &inputs {
            for &c in Check::ALL {
                let _ = c.validate(input);
            }
            let _ = shannon_entropy(input);
            let _ = is_placeholder(input);
            let _ = luhn_check_digit(input);
            let _ = china_id_check_char(input);
            let _ = uscc_check_char(input);
            let _ = iban_check_digits(input, input);
            let _ = hk_id_check_char(input);
            let _ = tw_id_check_digit(input);
            let _ = bech32_checksum(input, input);
            let _ = verhoeff_check_digit(input);
            let _ = sg_nric_check_char(input);
        }
    }

    #[test]
    fn compact_skips_separators_and_bounds_length() {
        let ok = compact::<4>(b"1-2 3.4", |b| b.is_ascii_digit());
        assert_eq!(ok.map(|(b, n)| b[..n].to_vec()), Some(b"1234".to_vec()));
        assert!(compact::<4>(b"12345", |b| b.is_ascii_digit()).is_none());
        assert!(compact::<4>(b"12a", |b| b.is_ascii_digit()).is_none());
        assert_eq!(compact::<4>(b"", |_| true).map(|(_, n)| n), Some(0));
    }
}
