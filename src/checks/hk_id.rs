//! Hong Kong identity card numbers (HKID).
//!
//! One or two uppercase letters, six digits and a check character (`0`-`9`
//! or `A`), usually written `A123456(3)`. The check is mod 11 over the
//! letters (A = 10 ... Z = 35, a missing first letter counts as 36) and the
//! digits, weighted 9 down to 2.

use super::digit;

/// Value of a leading space in the one-letter form.
const SPACE: u32 = 36;

/// Value of an HKID character: letters 10..=35, digits 0..=9.
fn value(c: u8) -> u32 {
    match c {
        b'A'..=b'Z' => u32::from(c - b'A') + 10,
        b'a'..=b'z' => u32::from(c - b'a') + 10,
        b'0'..=b'9' => digit(c),
        _ => 0,
    }
}

/// HKID check character (`b'0'..=b'9'` or `b'A'`) for `body`: one or two
/// letters followed by six digits (`"A123456"`, `"XA123456"`).
///
/// A body of 7 bytes is taken as the one-letter form; any other length is
/// weighted as the two-letter form from its first 8 bytes. Bytes that are
/// neither letters nor digits count as 0. Never panics.
pub fn hk_id_check_char(body: &[u8]) -> u8 {
    let mut sum = 0;
    let mut weight = 9;
    if body.len() == 7 {
        sum += SPACE * weight;
        weight -= 1;
    }
    for &c in body.iter().take(8) {
        if weight < 2 {
            break;
        }
        sum += value(c) * weight;
        weight -= 1;
    }
    match (11 - sum % 11) % 11 {
        10 => b'A',
        d => b'0' + d as u8,
    }
}

/// `hk_id` check: one or two uppercase letters, six digits and a check
/// character (digit or `A`), optionally in parentheses (`A123456(3)`,
/// `AB987654(A)`) or after one space; the check character must match.
pub(super) fn validate_hk_id(secret: &[u8]) -> bool {
    let mut buf = [0u8; 9];
    let mut len = 0;
    let mut rest = secret;
    // Split off the check character and its optional parentheses.
    let check = match rest {
        [head @ .., b'(', c, b')'] => {
            rest = head;
            *c
        }
        [head @ .., b' ', c] => {
            rest = head;
            *c
        }
        [head @ .., c] => {
            rest = head;
            *c
        }
        [] => return false,
    };
    for &b in rest {
        if len == buf.len() - 1 {
            return false;
        }
        buf[len] = b;
        len += 1;
    }
    let body = &buf[..len];
    let letters = body.iter().take_while(|b| b.is_ascii_uppercase()).count();
    (letters == 1 || letters == 2)
        && body.len() == letters + 6
        && body[letters..].iter().all(u8::is_ascii_digit)
        && (check.is_ascii_digit() || check == b'A')
        && check == hk_id_check_char(body)
}

#[cfg(test)]
mod tests {
    use super::super::TestRng;
    use super::*;

    /// `body` completed with its check character in parentheses.
    fn complete(body: &str) -> String {
        let c = hk_id_check_char(body.as_bytes());
        format!("{body}({})", c as char)
    }

    #[test]
    fn check_char_values() {
        // Worked example from the public algorithm description: A123456
        // gives 36*9 + 10*8 + 1*7 + 2*6 + 3*5 + 4*4 + 5*3 + 6*2 = 481,
        // 481 mod 11 = 8, check 3.
        assert_eq!(hk_id_check_char(b"A123456"), b'3');
        // Two letters: no space term.
        let sum = 10 * 9 + 11 * 8 + 7 + 12 + 15 + 16 + 15 + 12;
        let want = match (11 - sum % 11) % 11 {
            10 => b'A',
            d => b'0' + d as u8,
        };
        assert_eq!(hk_id_check_char(b"AB123456"), want);
        // Odd input never panics.
        let _ = hk_id_check_char(b"");
        let _ = hk_id_check_char(&[0xff; 40]);
    }

    #[test]
    fn hk_id_table() {
        let two = complete("XA987654");
        check_table!(validate_hk_id;
            "A123456(3)" => true,
            "A1234563" => true,
            "A123456 3" => true,
            two => true,
            "A123456(4)" => false,
            "A123456(3" => false,
            "a123456(3)" => false,
            "A12345(3)" => false,
            "A1234567(3)" => false,
            "ABC123456(3)" => false,
            "1123456(3)" => false,
            "A12345X(3)" => false,
            "A123456(B)" => false,
            "A123456()" => false,
            "" => false,
            "()" => false,
            "(3)" => false,
            b"\xff\xff" => false,
            "A".repeat(100_000) => false,
        );
    }

    #[test]
    fn check_a_means_ten() {
        // Find a body whose check is A and confirm it validates.
        let mut rng = TestRng::new(17);
        let mut seen_a = false;
        for _ in 0..2000 {
            let letter = b'A' + rng.below(26) as u8;
            let mut body = vec![letter];
            body.extend(rng.digits(6));
            let c = hk_id_check_char(&body);
            seen_a |= c == b'A';
            let mut id = body.clone();
            id.push(c);
            assert!(validate_hk_id(&id), "{}", String::from_utf8_lossy(&id));
            // Every other check character is rejected.
            for other in b"0123456789A".iter().filter(|&&o| o != c) {
                let mut bad = body.clone();
                bad.push(*other);
                assert!(!validate_hk_id(&bad));
            }
        }
        assert!(seen_a);
    }
}
