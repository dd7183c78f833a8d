//! Chinese resident identity card numbers (GB 11643-1999).

use super::{all_same, digit, valid_date};

/// GB 11643 weights for the first 17 digits (2^(17-i) mod 11).
const WEIGHTS: [u32; 17] =
    [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by the weighted sum mod 11.
const CHECK_MAP: &[u8; 11] = b"10X98765432";
/// Valid province-level codes (first two digits).
const PROVINCES: &[u32] = &[
    11, 12, 13, 14, 15, // North
    21, 22, 23, // Northeast
    31, 32, 33, 34, 35, 36, 37, // East
    41, 42, 43, 44, 45, 46, // South central
    50, 51, 52, 53, 54, // Southwest
    61, 62, 63, 64, 65, // Northwest
    71, // Taiwan
    81, 82, 83, // Hong Kong, Macau, residence permits
    91, // Overseas
];

/// GB 11643 check character for `first17`: `b'0'..=b'9'` or `b'X'`.
///
/// Only the first 17 bytes are used; a non-digit byte counts as 0 and a
/// shorter input is weighted from the left as far as it goes.
pub fn china_id_check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| if b.is_ascii_digit() { digit(b) * w } else { 0 })
        .sum();
    CHECK_MAP[(sum % 11) as usize]
}

/// Value of the ASCII decimal number in `digits` (already checked).
fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |acc, &b| acc * 10 + digit(b))
}

/// True when `yyyymmdd` (8 ASCII digits) is a real date in 1900..=2100.
fn valid_birth_date(yyyymmdd: &[u8]) -> bool {
    let year = number(&yyyymmdd[..4]);
    let month = number(&yyyymmdd[4..6]);
    let day = number(&yyyymmdd[6..8]);
    (1900..=2100).contains(&year) && valid_date(year, month, day)
}

/// `china_id` check: 18 characters, 17 digits and a check character
/// (`0`-`9`, `X` or `x`), a valid province code, a real birth date in
/// 1900..=2100 and a matching GB 11643 check character. No separators.
pub(super) fn validate_china_id(secret: &[u8]) -> bool {
    if secret.len() != 18 {
        return false;
    }
    let (body, check) = (&secret[..17], secret[17]);
    body.iter().all(u8::is_ascii_digit)
        && PROVINCES.contains(&number(&body[..2]))
        && valid_birth_date(&body[6..14])
        && check.to_ascii_uppercase() == china_id_check_char(body)
}

/// `china_id15` check: the legacy 15-digit resident ID (1984-2004): 15
/// digits, a mainland province code (11-65), a real birth date `19YYMMDD`
/// and a three-digit sequence that is not `000`, not one repeated digit.
/// It has no check digit, so rules using it should also require a context
/// word. No separators.
pub(super) fn validate_china_id15(secret: &[u8]) -> bool {
    if secret.len() != 15 || !secret.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut date = *b"19000000";
    date[2..].copy_from_slice(&secret[6..12]);
    let province = number(&secret[..2]);
    PROVINCES.contains(&province)
        && province < 70
        && valid_birth_date(&date)
        && &secret[12..] != b"000"
        && !all_same(secret)
}

#[cfg(test)]
mod tests {
    use super::super::TestRng;
    use super::*;

    /// `first17` completed with its check character.
    fn complete(first17: &str) -> String {
        let c = china_id_check_char(first17.as_bytes());
        format!("{first17}{}", c as char)
    }

    #[test]
    fn weights_are_powers_of_two_mod_11() {
        for (i, &w) in WEIGHTS.iter().enumerate() {
            assert_eq!(w, (1u32 << (17 - i)) % 11);
        }
    }

    #[test]
    fn check_char_values() {
        // sum 0 → '1'
        assert_eq!(china_id_check_char(b"00000000000000000"), b'1');
        // first digit 1 → sum 7 → CHECK_MAP[7] = '5'
        assert_eq!(china_id_check_char(b"10000000000000000"), b'5');
        // last digit 1 → sum 2 → 'X'
        assert_eq!(china_id_check_char(b"00000000000000001"), b'X');
        // Extra bytes are ignored, junk counts as zero.
        assert_eq!(
            china_id_check_char(b"10000000000000000999"),
            china_id_check_char(b"10000000000000000")
        );
        assert_eq!(china_id_check_char(b"1\xff"), b'5');
        assert_eq!(china_id_check_char(b""), b'1');
    }

    #[test]
    fn birth_dates() {
        check_table!(valid_birth_date;
            "19900101" => true,
            "19000101" => true,
            "21001231" => true,
            "18991231" => false,
            "21010101" => false,
            "20000229" => true,  // divisible by 400
            "19000229" => false, // divisible by 100, not 400
            "21000229" => false,
            "20240229" => true,
            "20230229" => false,
            "20230228" => true,
            "20230431" => false,
            "20230430" => true,
            "20231231" => true,
            "20231232" => false,
            "20230001" => false,
            "20231301" => false,
            "20230100" => false,
        );
    }

    #[test]
    fn china_id_table() {
        let base = complete("11010119900307123");
        let x_id = {
            // Find a fake number whose check character is 'X'.
            let mut s = String::new();
            for seq in 0..1000 {
                let c = complete(&format!("44030519851120{seq:03}"));
                if c.ends_with('X') {
                    s = c;
                    break;
                }
            }
            s
        };
        assert!(x_id.ends_with('X'));
        check_table!(validate_china_id;
            base => true,
            x_id => true,
            x_id.replace('X', "x") => true,
            x_id.replace('X', "0") => false,
            complete("91000020001231000") => true,
            complete("83000019000101000") => true,
            complete("65000021001231000") => true,
            complete("11000020000229000") => true,
            // invalid province codes
            complete("10010119900307123") => false,
            complete("16010119900307123") => false,
            complete("24010119900307123") => false,
            complete("47010119900307123") => false,
            complete("55010119900307123") => false,
            complete("72010119900307123") => false,
            complete("84010119900307123") => false,
            complete("90010119900307123") => false,
            complete("00010119900307123") => false,
            // invalid dates
            complete("11010118991231123") => false,
            complete("11010121010101123") => false,
            complete("11010119000229123") => false,
            complete("11010120230229123") => false,
            complete("11010120231301123") => false,
            complete("11010120230100123") => false,
            // wrong shape
            &base[..17] => false,
            format!("{base}0") => false,
            format!(" {}", &base[..17]) => false,
            base.replacen('1', "-", 1) => false,
            format!("{}Y", &base[..17]) => false,
            format!("{}X", &base[..16]) => false,
            "" => false,
            [0xffu8; 18] => false,
            [b'9'; 18] => false,
            "1".repeat(100_000) => false,
            "１１０１０１１９９００３０７１２３" => false,
        );
    }

    #[test]
    fn china_id15_table() {
        check_table!(validate_china_id15;
            "110105900307123" => true,
            "440305851120456" => true,
            "650102000229001" => false, // 1900 is not a leap year ...
            "650102960229001" => true,  // ... but 1996 is
            "650102970229001" => false,
            "110105901307123" => false,
            "110105900332123" => false,
            "110105900300123" => false,
            "110105900307000" => false,
            "710105900307123" => false,
            "810105900307123" => false,
            "100105900307123" => false,
            "11010590030712" => false,
            "1101059003071234" => false,
            "11010590030712X" => false,
            "110105 90030712" => false,
            "" => false,
            [b'1'; 15] => false,
        );
    }

    #[test]
    fn round_trip_and_single_digit_flips() {
        let mut rng = TestRng::new(2024);
        for _ in 0..300 {
            let p = PROVINCES[rng.below(PROVINCES.len() as u64) as usize];
            let year = 1900 + rng.below(201) as u32;
            let month = 1 + rng.below(12) as u32;
            let day = 1 + rng.below(28) as u32;
            let mut v = format!("{p:02}").into_bytes();
            v.extend(rng.digits(4));
            v.extend(format!("{year:04}{month:02}{day:02}").into_bytes());
            v.extend(rng.digits(3));
            v.push(china_id_check_char(&v));
            let shown = String::from_utf8_lossy(&v).into_owned();
            assert!(validate_china_id(&v), "{shown}");
            for i in 0..17 {
                let orig = v[i];
                for d in b'0'..=b'9' {
                    if d != orig {
                        v[i] = d;
                        assert!(!validate_china_id(&v), "{shown} @{i}");
                    }
                }
                v[i] = orig;
            }
            let orig = v[17];
            for &c in CHECK_MAP {
                if c != orig {
                    v[17] = c;
                    assert!(!validate_china_id(&v), "{shown} check");
                }
            }
        }
    }
}
