//! United Kingdom National Insurance numbers (NINO).
//!
//! Two prefix letters, six digits and a suffix letter `A`-`D`
//! (`QQ 12 34 56 C` is the format HMRC prints). There is no check digit;
//! HMRC's allocation rules exclude some letters and prefixes.

use super::{all_same, compact};

/// Letters never used as the first prefix letter.
const BAD_FIRST: &[u8] = b"DFIQUV";
/// Letters never used as the second prefix letter.
const BAD_SECOND: &[u8] = b"DFIOQUV";
/// Prefixes that are not allocated.
const BAD_PREFIXES: &[&[u8; 2]] =
    &[b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"];

/// `uk_nino` check: two uppercase prefix letters allowed by HMRC's rules,
/// six digits (not one repeated digit) and a suffix `A`-`D`; spaces, `-`
/// and `.` are ignored.
pub(super) fn validate_uk_nino(secret: &[u8]) -> bool {
    let Some((buf, len)) = compact::<9>(secret, |b| b.is_ascii_alphanumeric())
    else {
        return false;
    };
    if len != 9 {
        return false;
    }
    let (first, second) = (buf[0], buf[1]);
    let digits = &buf[2..8];
    first.is_ascii_uppercase()
        && second.is_ascii_uppercase()
        && !BAD_FIRST.contains(&first)
        && !BAD_SECOND.contains(&second)
        && !BAD_PREFIXES.contains(&&[first, second])
        && digits.iter().all(u8::is_ascii_digit)
        && !all_same(digits)
        && matches!(buf[8], b'A'..=b'D')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nino_table() {
        check_table!(validate_uk_nino;
            "AB123456C" => true,
            "AB 12 34 56 C" => true,
            "JG-10-38-27-D" => true,
            "ZY 90 11 73 A" => true,
            "OA 12 34 56 B" => true,
            // bad letters
            "DA123456C" => false,
            "FA123456C" => false,
            "QA123456C" => false,
            "AD123456C" => false,
            "AO123456C" => false,
            "AV123456C" => false,
            // unallocated prefixes
            "BG123456C" => false,
            "GB123456C" => false,
            "KN123456C" => false,
            "NK123456C" => false,
            "NT123456C" => false,
            "TN123456C" => false,
            "ZZ123456C" => false,
            // suffix and shape
            "AB123456E" => false,
            "AB123456" => false,
            "AB1234567C" => false,
            "ab123456c" => false,
            "AB111111C" => false,
            "A1123456C" => false,
            "AB12345CC" => false,
            "AB/12/34/56/C" => false,
            "" => false,
            b"\xffB123456C" => false,
            "A".repeat(100_000) => false,
        );
    }

    #[test]
    fn every_prefix_rule() {
        for first in b'A'..=b'Z' {
            for second in b'A'..=b'Z' {
                let s =
                    [first, second, b'2', b'0', b'3', b'8', b'4', b'1', b'B'];
                let want = !b"DFIQUV".contains(&first)
                    && !b"DFIOQUV".contains(&second)
                    && !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]
                        .contains(&std::str::from_utf8(&s[..2]).unwrap());
                assert_eq!(validate_uk_nino(&s), want, "{:?}", s);
            }
        }
    }
}
