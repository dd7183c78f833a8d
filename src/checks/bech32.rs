//! Bech32 strings (BIP 173): a human-readable part, the separator `1`,
//! data characters and a six-character BCH checksum. Used by age secret
//! keys (`AGE-SECRET-KEY-1...`) and Nostr private keys (`nsec1...`).

/// The 32 data characters, indexed by value.
const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
/// BCH generator coefficients.
const GEN: [u32; 5] =
    [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
/// Longest string accepted (age plugin identities exceed BIP 173's 90).
const MAX_LEN: usize = 1023;

/// Value of a data character (either case), if it is one.
fn value(c: u8) -> Option<u32> {
    let c = c.to_ascii_lowercase();
    CHARSET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// One step of the checksum polynomial.
fn step(chk: u32, v: u32) -> u32 {
    let top = chk >> 25;
    let mut chk = ((chk & 0x01ff_ffff) << 5) ^ v;
    for (i, g) in GEN.iter().enumerate() {
        if (top >> i) & 1 == 1 {
            chk ^= g;
        }
    }
    chk
}

/// The six lowercase checksum characters for human-readable part `hrp` and
/// data characters `data` (both ASCII, either case; data bytes outside the
/// charset count as `q`, value 0). Never panics.
pub fn bech32_checksum(hrp: &[u8], data: &[u8]) -> [u8; 6] {
    let mut chk = 1;
    for &c in hrp {
        chk = step(chk, u32::from(c.to_ascii_lowercase() >> 5));
    }
    chk = step(chk, 0);
    for &c in hrp {
        chk = step(chk, u32::from(c.to_ascii_lowercase() & 31));
    }
    for &c in data {
        chk = step(chk, value(c).unwrap_or(0));
    }
    for _ in 0..6 {
        chk = step(chk, 0);
    }
    chk ^= 1;
    let mut out = [0u8; 6];
    for (i, o) in out.iter_mut().enumerate() {
        *o = CHARSET[((chk >> (5 * (5 - i))) & 31) as usize];
    }
    out
}

/// `bech32` check: printable ASCII of one case only, a non-empty
/// human-readable part before the last `1`, at least six data characters
/// from the bech32 charset after it, and a valid BIP 173 checksum.
pub(super) fn validate_bech32(secret: &[u8]) -> bool {
    if secret.len() > MAX_LEN
        || !secret.iter().all(|&c| (33..=126).contains(&c))
        || (secret.iter().any(u8::is_ascii_lowercase)
            && secret.iter().any(u8::is_ascii_uppercase))
    {
        return false;
    }
    let Some(sep) = secret.iter().rposition(|&c| c == b'1') else {
        return false;
    };
    let (hrp, data) = (&secret[..sep], &secret[sep + 1..]);
    if hrp.is_empty()
        || data.len() < 6
        || !data.iter().all(|&c| value(c).is_some())
    {
        return false;
    }
    let (payload, check) = data.split_at(data.len() - 6);
    let want = bech32_checksum(hrp, payload);
    check.iter().zip(want).all(|(&c, w)| c.to_ascii_lowercase() == w)
}

#[cfg(test)]
mod tests {
    use super::super::TestRng;
    use super::*;

    /// `hrp` + `1` + `data` + checksum.
    fn complete(hrp: &str, data: &str) -> String {
        let c = bech32_checksum(hrp.as_bytes(), data.as_bytes());
        format!("{hrp}1{data}{}", std::str::from_utf8(&c).unwrap())
    }

    #[test]
    fn bip173_test_vectors() {
        // Valid strings listed in BIP 173.
        check_table!(validate_bech32;
            "A12UEL5L" => true,
            "a12uel5l" => true,
            "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw" => true,
            "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"
                => true,
            "?1ezyfcl" => true,
            // Invalid ones: no separator, empty hrp, bad checksum, mixed.
            "pzry9x0s0muk" => false,
            "1pzry9x0s0muk" => false,
            "x1b4n0q5v" => false,
            "li1dgmt3" => false,
            "A1G7SGD8" => false,
            "10a06t8" => false,
            "1qzzfhee" => false,
            "A12uEL5L" => false,
            "" => false,
            b"a1\xff2uel5l" => false,
            "a".repeat(100_000) => false,
        );
    }

    #[test]
    fn age_shaped_keys_round_trip() {
        let mut rng = TestRng::new(73);
        for _ in 0..200 {
            let data: String = (0..52)
                .map(|_| CHARSET[rng.below(32) as usize] as char)
                .collect();
            let key = complete("age-secret-key-", &data).to_ascii_uppercase();
            assert_eq!(key.len(), 74);
            assert!(validate_bech32(key.as_bytes()), "{key}");
            // Flip one data character: the checksum catches it.
            let mut bad = key.clone().into_bytes();
            let i = 16 + rng.below(52) as usize;
            bad[i] = if bad[i] == b'Q' { b'P' } else { b'Q' };
            assert!(!validate_bech32(&bad));
        }
    }
}
