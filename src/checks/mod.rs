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

mod china_id;
mod entropy;
mod iban;
mod jwt;
mod luhn;
mod placeholder;
mod ssn;
mod uscc;

pub use china_id::china_id_check_char;
pub use entropy::shannon_entropy;
pub use iban::iban_check_digits;
pub use luhn::luhn_check_digit;
pub use placeholder::is_placeholder;
pub use uscc::uscc_check_char;

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
        }
    }
}

/// Separator bytes that the numeric checks skip: space, `-` and `.`.
fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.')
}

/// Removes separators from `secret` into a fixed buffer of `N` bytes.
///
/// Returns the buffer and the number of bytes used, or `None` when a
/// non-separator byte fails `keep` or more than `N` bytes remain. The scan
/// stops at the first failure, so huge inputs are cheap to reject.
fn compact<const N: usize>(
    secret: &[u8],
    keep: impl Fn(u8) -> bool,
) -> Option<([u8; N], usize)> {
    let mut buf = [0u8; N];
    let mut len = 0;
    for &b in secret {
        if is_separator(b) {
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
        assert_eq!(Check::ALL.len(), 8);
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
