//! Chinese Unified Social Credit Codes (GB 32100-2015).

/// The 31 code characters: digits and letters without I, O, Z, S, V.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// GB 32100 weights for the first 17 characters (3^i mod 31).
const WEIGHTS: [u32; 17] =
    [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/// Valid registration authority codes (first character).
const AUTHORITIES: &[u8] = b"123456789ABCDEFGY";

/// Value of a code character (its index in the alphabet).
fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// GB 32100 check character for the first 17 characters of a USCC.
///
/// Only the first 17 bytes are used; lowercase letters are upper-cased and
/// bytes outside the code alphabet count as 0.
pub fn uscc_check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| value(c.to_ascii_uppercase()).unwrap_or(0) * w)
        .sum();
    ALPHABET[((31 - sum % 31) % 31) as usize]
}

/// `uscc` check: 18 uppercase code characters, a valid registration
/// authority, six digits of region code at positions 3-8 and a matching
/// GB 32100 check character. No separators.
pub(super) fn validate_uscc(secret: &[u8]) -> bool {
    secret.len() == 18
        && secret.iter().all(|&c| value(c).is_some())
        && AUTHORITIES.contains(&secret[0])
        && secret[2..8].iter().all(u8::is_ascii_digit)
        && secret[17] == uscc_check_char(&secret[..17])
}

#[cfg(test)]
mod tests {
    use super::super::TestRng;
    use super::*;

    /// `first17` completed with its check character.
    fn complete(first17: &str) -> String {
        let c = uscc_check_char(first17.as_bytes());
        format!("{first17}{}", c as char)
    }

    #[test]
    fn alphabet_and_weights() {
        assert_eq!(ALPHABET.len(), 31);
        for bad in *b"IOZSV" {
            assert!(!ALPHABET.contains(&bad));
        }
        for (i, &w) in WEIGHTS.iter().enumerate() {
            assert_eq!(w, 3u32.pow(i as u32) % 31);
        }
        assert!(AUTHORITIES.iter().all(|&a| value(a).is_some()));
    }

    #[test]
    fn check_char_values() {
        assert_eq!(uscc_check_char(b"00000000000000000"), b'0');
        // first char 1 → sum 1 → 30 → 'Y'
        assert_eq!(uscc_check_char(b"10000000000000000"), b'Y');
        // Lowercase letters count as their uppercase form.
        assert_eq!(
            uscc_check_char(b"91350100m000100y4"),
            uscc_check_char(b"91350100M000100Y4")
        );
        assert_eq!(uscc_check_char(b""), b'0');
        assert_eq!(uscc_check_char(b"\xff\xfe"), b'0');
        // Extra bytes beyond 17 are ignored.
        assert_eq!(
            uscc_check_char(b"9131000012345678XZZZZ"),
            uscc_check_char(b"9131000012345678X")
        );
    }

    #[test]
    fn uscc_table() {
        let base = complete("91310000MA1FL0000");
        let mut wrong = base.clone().into_bytes();
        wrong[17] = if wrong[17] == b'0' { b'1' } else { b'0' };
        check_table!(validate_uscc;
            base => true,
            complete("12100000400000000") => true,
            complete("Y1110000000000000") => true,
            complete("G2440300MA5F00000") => true,
            complete("51110108MJ0000000") => true,
            wrong => false,
            base.to_lowercase() => false,
            // authority code outside 1-9, A-G, Y
            complete("01310000MA1FL0000") => false,
            complete("H1310000MA1FL0000") => false,
            complete("X1310000MA1FL0000") => false,
            // region code must be digits
            complete("913A0000MA1FL0000") => false,
            complete("9131000AMA1FL0000") => false,
            // letters outside the alphabet
            format!("{}I", &base[..17]) => false,
            complete("91310000MA1FO0000") => false,
            complete("91310000MA1FS0000") => false,
            complete("91310000MA1FZ0000") => false,
            complete("91310000MA1FV0000") => false,
            complete("91310000MA1FI0000") => false,
            // wrong shape
            &base[..17] => false,
            format!("{base}0") => false,
            format!("{} ", &base[..17]) => false,
            format!("9131-0000MA1FL000{}", &base[17..]) => false,
            "" => false,
            [0xffu8; 18] => false,
            [b'9'; 18] => false,
            "9".repeat(100_000) => false,
        );
    }

    #[test]
    fn round_trip_and_single_char_flips() {
        let mut rng = TestRng::new(31);
        for _ in 0..300 {
            let mut v = Vec::with_capacity(18);
            v.push(AUTHORITIES[rng.below(AUTHORITIES.len() as u64) as usize]);
            v.push(ALPHABET[rng.below(31) as usize]);
            v.extend(rng.digits(6));
            for _ in 0..9 {
                v.push(ALPHABET[rng.below(31) as usize]);
            }
            v.push(uscc_check_char(&v));
            let shown = String::from_utf8_lossy(&v).into_owned();
            assert!(validate_uscc(&v), "{shown}");
            for i in 0..18 {
                let orig = v[i];
                for &c in ALPHABET {
                    if c != orig {
                        v[i] = c;
                        assert!(!validate_uscc(&v), "{shown} @{i}");
                    }
                }
                v[i] = orig;
            }
        }
    }
}
