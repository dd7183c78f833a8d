//! United States Social Security Numbers.

use super::{compact, digit};

/// Numbers published in advertising and documentation, never issued to a
/// person (the Woolworth wallet card, the SSA pamphlet, the obvious run).
const PUBLISHED: &[&[u8; 9]] = &[b"078051120", b"219099999", b"123456789"];

/// Value of the ASCII decimal number in `digits` (already checked).
fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |acc, &b| acc * 10 + digit(b))
}

/// True when every byte of `group` is the same digit (`111`, `22`).
fn repeated(group: &[u8]) -> bool {
    group.windows(2).all(|w| w[0] == w[1])
}

/// `us_ssn` check: exactly 9 digits (spaces, `-` and `.` ignored) with
/// area not 000, 666 or 900-999, group not 00, serial not 0000, not one of
/// the well-known published example numbers, and not a made-up number
/// whose three groups each repeat one digit (`111-22-3333`, a favourite of
/// documentation and test data).
pub(super) fn validate_ssn(secret: &[u8]) -> bool {
    let Some((buf, len)) = compact::<9>(secret, |b| b.is_ascii_digit()) else {
        return false;
    };
    if len != 9 {
        return false;
    }
    let area = number(&buf[..3]);
    let group = number(&buf[3..5]);
    let serial = number(&buf[5..9]);
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !PUBLISHED.contains(&&buf)
        && !(repeated(&buf[..3])
            && repeated(&buf[3..5])
            && repeated(&buf[5..]))
}

#[cfg(test)]
mod tests {
    use super::super::TestRng;
    use super::*;

    #[test]
    fn ssn_table() {
        check_table!(validate_ssn;
            "212-34-5678" => true,
            "212345678" => true,
            "212 34 5678" => true,
            "212.34.5678" => true,
            "001-01-0001" => true,
            "899-99-9999" => true,
            "665-12-3456" => true,
            "667-12-3456" => true,
            " 212-34-5678 " => true,
            // bad area
            "000-12-3456" => false,
            "666-12-3456" => false,
            "900-12-3456" => false,
            "950-12-3456" => false,
            "999-12-3456" => false,
            // bad group / serial
            "212-00-5678" => false,
            "212-34-0000" => false,
            // made-up documentation numbers
            "111-22-3333" => false,
            "555-55-5555" => false,
            // published examples
            "078-05-1120" => false,
            "078051120" => false,
            "219-09-9999" => false,
            "123-45-6789" => false,
            // neighbours of the published ones are fine
            "078-05-1121" => true,
            "123-45-6788" => true,
            // wrong length / junk
            "" => false,
            "---" => false,
            "21234567" => false,
            "2123456789" => false,
            "212-34-567" => false,
            "212/34/5678" => false,
            "212_34_5678" => false,
            "212-34-5678\n" => false,
            "２12-34-5678" => false,
            b"212\xff345678" => false,
            "abc-de-fghi" => false,
            "1".repeat(100_000) => false,
            "-".repeat(100_000) => false,
        );
    }

    #[test]
    fn every_area_rule() {
        for area in 0..1000u32 {
            let s = format!("{area:03}-45-6780");
            let want = area != 0 && area != 666 && area < 900;
            assert_eq!(validate_ssn(s.as_bytes()), want, "{s}");
        }
    }

    #[test]
    fn random_valid_numbers() {
        let mut rng = TestRng::new(9);
        for _ in 0..1000 {
            let area = 1 + rng.below(899);
            let group = 1 + rng.below(99);
            let serial = 1 + rng.below(9999);
            let s = format!("{area:03}-{group:02}-{serial:04}");
            let want = area != 666 && !matches!(s.as_str(), "123-45-6789");
            assert_eq!(validate_ssn(s.as_bytes()), want, "{s}");
        }
    }
}
