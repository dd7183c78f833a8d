//! Singapore NRIC and FIN numbers: a prefix letter (`S`, `T` citizens and
//! permanent residents; `F`, `G`, `M` foreigners), seven digits and a check
//! letter computed mod 11 with weights 2, 7, 6, 5, 4, 3, 2.

use super::digit;

/// Digit weights.
const WEIGHTS: [u32; 7] = [2, 7, 6, 5, 4, 3, 2];
/// Check letters for `S` / `T`, indexed by check value `10 - sum % 11`.
const ST: &[u8; 11] = b"ABCDEFGHIZJ";
/// Check letters for `F` / `G`.
const FG: &[u8; 11] = b"KLMNPQRTUWX";
/// Check letters for `M` (introduced in 2022).
const M: &[u8; 11] = b"KLJNPQRTUWX";

/// Check letter for `first8` (prefix letter and seven digits), or `None`
/// when the prefix is not `S`, `T`, `F`, `G` or `M` or a digit is missing.
pub fn sg_nric_check_char(first8: &[u8]) -> Option<u8> {
    let (&prefix, digits) = first8.split_first()?;
    let digits = digits.get(..7)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (offset, table) = match prefix {
        b'S' => (0, ST),
        b'T' => (4, ST),
        b'F' => (0, FG),
        b'G' => (4, FG),
        b'M' => (3, M),
        _ => return None,
    };
    let sum: u32 = offset
        + digits.iter().zip(WEIGHTS).map(|(&b, w)| digit(b) * w).sum::<u32>();
    Some(table[(10 - sum % 11) as usize])
}

/// `sg_nric` check: nine characters, prefix `S`/`T`/`F`/`G`/`M`, seven
/// digits and the matching check letter. No separators.
pub(super) fn validate_sg_nric(secret: &[u8]) -> bool {
    secret.len() == 9 && sg_nric_check_char(&secret[..8]) == Some(secret[8])
}

#[cfg(test)]
mod tests {
    use super::super::TestRng;
    use super::*;

    #[test]
    fn published_worked_examples() {
        // S1234567: sum 106, 106 mod 11 = 7, check value 3 -> D.
        assert_eq!(sg_nric_check_char(b"S1234567"), Some(b'D'));
        // G5872776: 179 + 4 = 183, mod 11 = 7, check value 3 -> N.
        assert_eq!(sg_nric_check_char(b"G5872776"), Some(b'N'));
        assert_eq!(sg_nric_check_char(b"A1234567"), None);
        assert_eq!(sg_nric_check_char(b"S123456"), None);
        assert_eq!(sg_nric_check_char(b""), None);
        assert_eq!(sg_nric_check_char(b"S12345X7"), None);
    }

    #[test]
    fn nric_table() {
        check_table!(validate_sg_nric;
            "S1234567D" => true,
            "G5872776N" => true,
            "S1234567E" => false,
            "T1234567D" => false,
            "s1234567D" => false,
            "S1234567" => false,
            "S1234567DD" => false,
            "" => false,
            b"S123\xff567D" => false,
        );
    }

    #[test]
    fn one_letter_per_body() {
        let mut rng = TestRng::new(3);
        for _ in 0..300 {
            let mut body = vec![b"STFGM"[rng.below(5) as usize]];
            body.extend(rng.digits(7));
            let ok = (b'A'..=b'Z')
                .filter(|&c| {
                    let mut id = body.clone();
                    id.push(c);
                    validate_sg_nric(&id)
                })
                .count();
            assert_eq!(ok, 1);
        }
    }
}
