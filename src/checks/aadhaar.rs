//! Indian Aadhaar numbers: 12 digits, the first not 0 or 1, the last a
//! Verhoeff check digit (dihedral group D5).

use super::{all_same, compact, digit};

/// Multiplication table of the dihedral group D5.
const D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
/// Position permutations (row i is the permutation applied i times).
const P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
/// Group inverses.
const INV: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/// Verhoeff check digit (ASCII) that completes `digits`. Bytes that are
/// not ASCII digits are skipped; empty input gives `b'0'`. Never panics.
pub fn verhoeff_check_digit(digits: &[u8]) -> u8 {
    let c = digits
        .iter()
        .rev()
        .filter(|b| b.is_ascii_digit())
        .enumerate()
        .fold(0u8, |c, (i, &b)| {
            D[usize::from(c)][usize::from(P[(i + 1) % 8][digit(b) as usize])]
        });
    b'0' + INV[usize::from(c)]
}

/// `aadhaar` check: 12 digits (spaces, `-` and `.` ignored), the first one
/// 2-9, not one repeated digit, with a valid Verhoeff check digit.
pub(super) fn validate_aadhaar(secret: &[u8]) -> bool {
    let Some((buf, len)) = compact::<12>(secret, |b| b.is_ascii_digit())
    else {
        return false;
    };
    len == 12
        && buf[0] >= b'2'
        && !all_same(&buf)
        && verhoeff_check_digit(&buf[..11]) == buf[11]
}

#[cfg(test)]
mod tests {
    use super::super::TestRng;
    use super::*;

    #[test]
    fn verhoeff_known_values() {
        // Textbook example: 236 -> check digit 3.
        assert_eq!(verhoeff_check_digit(b"236"), b'3');
        assert_eq!(verhoeff_check_digit(b"12345"), b'1');
        assert_eq!(verhoeff_check_digit(b""), b'0');
        assert_eq!(verhoeff_check_digit(b"2 3-6"), b'3');
    }

    #[test]
    fn aadhaar_table() {
        let mut v = b"23456789012".to_vec();
        v.push(verhoeff_check_digit(&v));
        let id = String::from_utf8(v).unwrap();
        let spaced = format!("{} {} {}", &id[..4], &id[4..8], &id[8..]);
        let mut wrong = id.clone().into_bytes();
        wrong[11] = if wrong[11] == b'0' { b'1' } else { b'0' };
        check_table!(validate_aadhaar;
            id => true,
            spaced => true,
            wrong => false,
            format!("1{}", &id[1..]) => false,
            &id[..11] => false,
            format!("{id}0") => false,
            "222222222222" => false,
            "" => false,
            "2345 6789 01x2" => false,
        );
    }

    #[test]
    fn catches_every_single_digit_error_and_adjacent_swap() {
        let mut rng = TestRng::new(11);
        for _ in 0..300 {
            let mut v = vec![b'2' + rng.below(8) as u8];
            v.extend(rng.digits(10));
            v.push(verhoeff_check_digit(&v));
            assert!(validate_aadhaar(&v) || all_same(&v));
            for i in 1..12 {
                let orig = v[i];
                for d in b'0'..=b'9' {
                    if d != orig {
                        v[i] = d;
                        assert!(!validate_aadhaar(&v));
                    }
                }
                v[i] = orig;
            }
            for i in 1..11 {
                if v[i] != v[i + 1] {
                    v.swap(i, i + 1);
                    assert!(!validate_aadhaar(&v));
                    v.swap(i, i + 1);
                }
            }
        }
    }
}
