//! Taiwan national identification numbers and resident certificate numbers.
//!
//! A letter (the household registration area), a digit `1`/`2` (sex) or
//! `8`/`9` (2021 resident certificate), seven digits and a check digit. The
//! letter is converted to a two-digit code (A = 10, B = 11, ..., with the
//! historical codes I = 34, O = 35, W = 32, X = 30, Y = 31, Z = 33); the
//! weighted sum of the code digits (1, 9) and the nine digits (8 ... 1, 1)
//! must be divisible by 10. Older resident certificates use a second letter
//! `A`-`D`, which counts as the last digit of its code.

use super::digit;

/// Two-digit area code of each letter `A`..=`Z`.
const LETTER_CODES: [u32; 26] = [
    10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25,
    26, 27, 28, 29, 32, 30, 31, 33,
];

/// Code of an uppercase letter (0 for anything else).
fn code(c: u8) -> u32 {
    if c.is_ascii_uppercase() {
        LETTER_CODES[usize::from(c - b'A')]
    } else {
        0
    }
}

/// Value of the second character: a digit, or `A`-`D` on old resident
/// certificates (last digit of the letter's code).
fn second(c: u8) -> u32 {
    if c.is_ascii_digit() {
        digit(c)
    } else {
        code(c) % 10
    }
}

/// Check digit (`b'0'..=b'9'`) for the first nine characters of a Taiwan
/// ID (`"A12345678"`). Shorter input is weighted as far as it goes; bytes
/// of the wrong kind count as 0. Never panics.
pub fn tw_id_check_digit(first9: &[u8]) -> u8 {
    let mut sum = 0;
    if let Some(&c) = first9.first() {
        let n = code(c);
        sum += n / 10 + (n % 10) * 9;
    }
    if let Some(&c) = first9.get(1) {
        sum += second(c) * 8;
    }
    for (&c, w) in first9.iter().skip(2).take(7).zip((1..=7).rev()) {
        if c.is_ascii_digit() {
            sum += digit(c) * w;
        }
    }
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// `tw_id` check: ten characters, an uppercase letter, then `1`, `2`, `8`,
/// `9` or `A`-`D`, then eight digits whose last one matches the check
/// digit. No separators.
pub(super) fn validate_tw_id(secret: &[u8]) -> bool {
    secret.len() == 10
        && secret[0].is_ascii_uppercase()
        && matches!(secret[1], b'1' | b'2' | b'8' | b'9' | b'A'..=b'D')
        && secret[2..].iter().all(u8::is_ascii_digit)
        && secret[9] == tw_id_check_digit(&secret[..9])
}

#[cfg(test)]
mod tests {
    use super::super::TestRng;
    use super::*;

    /// `first9` completed with its check digit.
    fn complete(first9: &str) -> String {
        let c = tw_id_check_digit(first9.as_bytes());
        format!("{first9}{}", c as char)
    }

    #[test]
    fn codes_are_a_permutation_of_10_to_35() {
        let mut sorted = LETTER_CODES;
        sorted.sort_unstable();
        assert_eq!(sorted.to_vec(), (10..=35).collect::<Vec<_>>());
    }

    #[test]
    fn check_digit_values() {
        // A123456789: A = 10 -> 1*1 + 0*9; 1*8 + 2*7 + 3*6 + 4*5 + 5*4
        // + 6*3 + 7*2 + 8*1 = 120; 1 + 120 = 121, so the check is 9.
        assert_eq!(tw_id_check_digit(b"A12345678"), b'9');
        assert!(validate_tw_id(b"A123456789"));
        let _ = tw_id_check_digit(b"");
        let _ = tw_id_check_digit(&[0xff; 30]);
    }

    #[test]
    fn tw_id_table() {
        let female = complete("F23198765");
        let resident = complete("A80012345");
        let old_arc = complete("FA1234567");
        check_table!(validate_tw_id;
            "A123456789" => true,
            female => true,
            resident => true,
            old_arc => true,
            "A123456788" => false,
            "a123456789" => false,
            "A323456789" => false,
            "AE23456789" => false,
            "A12345678" => false,
            "A1234567890" => false,
            "A12345678X" => false,
            "1123456789" => false,
            "" => false,
            b"\xff123456789" => false,
        );
    }

    #[test]
    fn one_check_digit_per_body() {
        let mut rng = TestRng::new(5);
        for _ in 0..500 {
            let letter = b'A' + rng.below(26) as u8;
            let mut body = vec![letter, b"1289"[rng.below(4) as usize]];
            body.extend(rng.digits(7));
            let ok = (b'0'..=b'9')
                .filter(|&c| {
                    let mut id = body.clone();
                    id.push(c);
                    validate_tw_id(&id)
                })
                .count();
            assert_eq!(ok, 1);
        }
    }
}
