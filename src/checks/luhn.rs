//! Luhn (mod 10) checksum and payment card issuer (IIN) ranges.

use super::{all_same, compact, digit};

/// Fewest digits the generic `luhn` check accepts.
const LUHN_MIN: usize = 8;
/// Most digits the generic `luhn` check accepts.
const LUHN_MAX: usize = 32;
/// Fewest digits in a payment card number (short Maestro).
const CARD_MIN: usize = 12;
/// Most digits in a payment card number (ISO/IEC 7812).
const CARD_MAX: usize = 19;

/// True when the ASCII digits in `digits` satisfy the Luhn checksum.
fn luhn_ok(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| if i % 2 == 1 { doubled(digit(b)) } else { digit(b) })
        .sum();
    sum.is_multiple_of(10)
}

/// Luhn doubling: `2d`, minus 9 when that has two digits.
fn doubled(d: u32) -> u32 {
    let d = d * 2;
    if d > 9 {
        d - 9
    } else {
        d
    }
}

/// ASCII digit that completes `digits` (ASCII digits, no check digit yet).
///
/// Non-digit bytes in `digits` are skipped, so `"4111 1111"` and
/// `"41111111"` give the same answer. Empty input gives `b'0'`.
pub fn luhn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .filter(|b| b.is_ascii_digit())
        .enumerate()
        // The check digit will sit at position 0, so the rightmost payload
        // digit (position 1) is doubled.
        .map(|(i, &b)| if i % 2 == 0 { doubled(digit(b)) } else { digit(b) })
        .fold(0u32, |acc, d| (acc + d) % 10);
    b'0' + ((10 - sum) % 10) as u8
}

/// `luhn` check: 8 to 32 digits (separators ignored), not all the same
/// digit, with a valid Luhn checksum.
pub(super) fn validate_luhn(secret: &[u8]) -> bool {
    let Some((buf, len)) = compact::<LUHN_MAX>(secret, |b| b.is_ascii_digit())
    else {
        return false;
    };
    let digits = &buf[..len];
    len >= LUHN_MIN && !all_same(digits) && luhn_ok(digits)
}

/// Allowed lengths 12 to 19.
const L12_19: &[usize] = &[12, 13, 14, 15, 16, 17, 18, 19];
/// Allowed lengths 14 to 19.
const L14_19: &[usize] = &[14, 15, 16, 17, 18, 19];
/// Allowed lengths 16 to 19.
const L16_19: &[usize] = &[16, 17, 18, 19];

/// One issuer identification number range.
struct Iin {
    /// Number of leading digits compared.
    width: usize,
    /// Lowest prefix value, inclusive.
    lo: u32,
    /// Highest prefix value, inclusive.
    hi: u32,
    /// Card lengths this range issues.
    lens: &'static [usize],
}

/// Shorthand constructor for the IIN table.
const fn iin(width: usize, lo: u32, hi: u32, lens: &'static [usize]) -> Iin {
    Iin { width, lo, hi, lens }
}

/// Known issuer ranges and the card lengths each issues.
const IINS: &[Iin] = &[
    // Visa
    iin(1, 4, 4, &[13, 16, 19]),
    // Mastercard
    iin(2, 51, 55, &[16]),
    iin(4, 2221, 2720, &[16]),
    // American Express
    iin(2, 34, 34, &[15]),
    iin(2, 37, 37, &[15]),
    // Discover
    iin(4, 6011, 6011, L16_19),
    iin(3, 644, 649, L16_19),
    iin(2, 65, 65, L16_19),
    // JCB
    iin(4, 3528, 3589, L16_19),
    // UnionPay
    iin(2, 62, 62, L16_19),
    // Diners Club
    iin(2, 36, 36, L14_19),
    iin(3, 300, 305, L14_19),
    iin(4, 3095, 3095, L14_19),
    iin(2, 38, 39, L14_19),
    // Mir
    iin(4, 2200, 2204, L16_19),
    // Maestro (and the rest of the 6 range: RuPay, Troy, ...)
    iin(2, 50, 50, L12_19),
    iin(2, 56, 58, L12_19),
    iin(1, 6, 6, L12_19),
];

/// Numeric value of the first `width` ASCII digits of `digits`.
fn prefix(digits: &[u8], width: usize) -> u32 {
    digits.iter().take(width).fold(0, |acc, &b| acc * 10 + digit(b))
}

/// `card` check: 12 to 19 digits (separators ignored), not all the same
/// digit, a known issuer prefix and length, and a valid Luhn checksum.
pub(super) fn validate_card(secret: &[u8]) -> bool {
    let Some((buf, len)) = compact::<CARD_MAX>(secret, |b| b.is_ascii_digit())
    else {
        return false;
    };
    let digits = &buf[..len];
    len >= CARD_MIN
        && !all_same(digits)
        && IINS.iter().any(|r| {
            r.lens.contains(&len)
                && (r.lo..=r.hi).contains(&prefix(digits, r.width))
        })
        && luhn_ok(digits)
}

#[cfg(test)]
mod tests {
    use super::super::TestRng;
    use super::*;

    /// `payload` completed with its Luhn check digit.
    fn complete(payload: &str) -> String {
        let c = luhn_check_digit(payload.as_bytes());
        format!("{payload}{}", c as char)
    }

    #[test]
    fn check_digit_known_values() {
        // Textbook example from the Luhn algorithm description.
        assert_eq!(luhn_check_digit(b"7992739871"), b'3');
        assert_eq!(luhn_check_digit(b""), b'0');
        assert_eq!(luhn_check_digit(b"0"), b'0');
        assert_eq!(luhn_check_digit(b"1"), b'8');
        assert_eq!(luhn_check_digit(b"9"), b'1');
        // Separators and junk are skipped.
        assert_eq!(
            luhn_check_digit(b"4111 1111 1111 111"),
            luhn_check_digit(b"411111111111111")
        );
        assert_eq!(luhn_check_digit(b"\xff\xfe"), b'0');
    }

    #[test]
    fn luhn_table() {
        let v = complete("7992739871");
        let card = complete("411111111111111");
        let long = complete(&"12345678".repeat(4)[..31]);
        let too_long = complete(&"12345678".repeat(4));
        check_table!(validate_luhn;
            v => true,
            "79927398710" => false,
            "79927398711" => false,
            card => true,
            card.replace('1', "1 ") => true,
            "7992-7398-713" => true,
            "7992.7398.713" => true,
            " 79927398713 " => true,
            long => true,
            too_long => false,
            "7992739871_3" => false,
            "7992739871/3" => false,
            "79927398713\n" => false,
            "79927398713x" => false,
            "０79927398713" => false,
            // too short
            "18" => false,
            "0000000" => false,
            "1234566" => false,
            // all the same digit (these satisfy Luhn)
            "00000000" => false,
            "0000 0000 0000" => false,
            "" => false,
            "   " => false,
            "-.-" => false,
            b"\xff\xff\xff" => false,
        );
    }

    #[test]
    fn card_table() {
        let cases: &[(&str, bool)] = &[
            // Visa 13, 16, 19
            ("422222222222", true),
            ("411111111111111", true),
            ("411111111111111111", true),
            ("41111111111111", false), // 15 digits: not a Visa length
            ("4111111111111", false),  // 14 digits
            // Mastercard
            ("510510510510510", true),
            ("555555555555444", true),
            ("222100000000000", true),
            ("272099999999999", true),
            ("272100000000000", false),
            ("222000000000000", false),
            ("51051051051051", false), // 15 digits: not a Mastercard length
            // Amex
            ("37828224631000", true),
            ("34343434343434", true),
            ("3782822463100", false),   // 14 digits
            ("378282246310000", false), // 16 digits
            ("35000000000000", false),  // 35xx is not Amex, too short for JCB
            // Discover
            ("601111111111111", true),
            ("644000000000000", true),
            ("650000000000000000", true),
            ("643000000000000", true), // falls in the broad 6 range
            // JCB
            ("353011133330000", true),
            ("358999999999999", true),
            ("359000000000000", false),
            ("352700000000000", false),
            // UnionPay
            ("620000000000000", true),
            ("620000000000000000", true),
            // Diners
            ("3056930902590", true),
            ("3852000002323", true),
            ("3600000000000", true),
            ("3060000000000", false), // 306 is not a Diners prefix
            ("3095000000000", true),
            // Mir
            ("220000000000000", true),
            ("220500000000000", false),
            // Maestro
            ("50000000000", true),
            ("5600000000000000", true),
            ("58000000000000000", true),
            ("59000000000000000", false),
            ("67000000000", true),
            // Unknown prefixes
            ("100000000000000", false),
            ("700000000000000", false),
            ("800000000000000", false),
            ("900000000000000", false),
            ("000000000000000", false),
        ];
        for &(payload, want) in cases {
            let full = complete(payload);
            assert_eq!(validate_card(full.as_bytes()), want, "{full}");
        }
    }

    #[test]
    fn card_edge_cases() {
        let visa = complete("411111111111111");
        let grouped = format!(
            "{} {} {} {}",
            &visa[..4],
            &visa[4..8],
            &visa[8..12],
            &visa[12..]
        );
        let bad = {
            let mut b = visa.clone().into_bytes();
            b[15] = if b[15] == b'9' { b'0' } else { b[15] + 1 };
            b
        };
        check_table!(validate_card;
            visa => true,
            grouped => true,
            grouped.replace(' ', "-") => true,
            grouped.replace(' ', ".") => true,
            grouped.replace(' ', "/") => false,
            grouped.replace(' ', "\t") => false,
            bad => false,
            "" => false,
            "4" => false,
            "4444444444444444" => false,
            "5555555555555555" => false,
            "0000000000000000" => false,
            b"4111\xff1111" => false,
            "4111１111111111111" => false,
            "4".repeat(10_000) => false,
            " ".repeat(10_000) => false,
            format!("{visa}0") => false,
            format!("{visa}{visa}") => false,
        );
    }

    #[test]
    fn round_trip_and_single_digit_flips() {
        let mut rng = TestRng::new(0x1234_5678);
        for _ in 0..300 {
            let len = 7 + rng.below(25) as usize; // 7..=31 payload digits
            let mut v = rng.digits(len);
            v.push(luhn_check_digit(&v));
            if all_same(&v) {
                continue;
            }
            assert!(validate_luhn(&v), "{}", String::from_utf8_lossy(&v));
            for i in 0..v.len() {
                let orig = v[i];
                for d in b'0'..=b'9' {
                    if d == orig {
                        continue;
                    }
                    v[i] = d;
                    assert!(
                        !validate_luhn(&v),
                        "flip {i} to {} in {}",
                        d as char,
                        String::from_utf8_lossy(&v)
                    );
                }
                v[i] = orig;
            }
        }
    }

    #[test]
    fn card_round_trip_per_issuer() {
        let mut rng = TestRng::new(99);
        for r in IINS {
            for &len in r.lens {
                for _ in 0..5 {
                    let p =
                        r.lo + rng.below(u64::from(r.hi - r.lo + 1)) as u32;
                    let mut v = format!("{p:0w$}", w = r.width).into_bytes();
                    v.extend(rng.digits(len - r.width - 1));
                    v.push(luhn_check_digit(&v));
                    assert!(
                        validate_card(&v),
                        "{}",
                        String::from_utf8_lossy(&v)
                    );
                    let last = v.len() - 1;
                    v[last] = b'0' + (v[last] - b'0' + 1) % 10;
                    assert!(!validate_card(&v));
                }
            }
        }
    }
}
