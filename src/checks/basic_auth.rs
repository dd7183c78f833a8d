//! Base64-encoded `user:password` pairs, as stored in Docker's
//! `config.json` (`"auth"`), `.npmrc` (`_auth`) and HTTP Basic
//! `Authorization` headers.

/// Longest decoded credential accepted.
const MAX_DECODED: usize = 512;

/// Value of a base64 character (standard or URL-safe alphabet).
fn sextet(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decodes base64 (padding optional) into `out`; `None` on a bad
/// character, a bad length or output longer than `out`.
fn decode<'a>(text: &[u8], out: &'a mut [u8]) -> Option<&'a [u8]> {
    let body = match text {
        [head @ .., b'=', b'='] => head,
        [head @ .., b'='] => head,
        _ => text,
    };
    if body.len() % 4 == 1 {
        return None;
    }
    let mut len = 0;
    for chunk in body.chunks(4) {
        let mut acc = 0u32;
        for &c in chunk {
            acc = (acc << 6) | sextet(c)?;
        }
        let bytes = chunk.len() * 6 / 8;
        acc <<= 6 * (4 - chunk.len() as u32);
        for i in 0..bytes {
            *out.get_mut(len)? = (acc >> (16 - 8 * i)) as u8;
            len += 1;
        }
    }
    Some(&out[..len])
}

/// `basic_auth` check: base64 that decodes to `user:password` with a
/// non-empty user and a password of at least three bytes, no control
/// characters, and at most 512 bytes.
pub(super) fn validate_basic_auth(secret: &[u8]) -> bool {
    let mut buf = [0u8; MAX_DECODED];
    let Some(plain) = decode(secret, &mut buf) else {
        return false;
    };
    let Some(colon) = plain.iter().position(|&b| b == b':') else {
        return false;
    };
    let (user, password) = (&plain[..colon], &plain[colon + 1..]);
    !user.is_empty()
        && password.len() >= 3
        && plain.iter().all(|&b| b >= 0x20 && b != 0x7f)
        && !user.contains(&b' ')
        && std::str::from_utf8(plain).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_table() {
        let mut buf = [0u8; 64];
        let cases: &[(&str, Option<&[u8]>)] = &[
            ("", Some(b"")),
            ("YQ==", Some(b"a")),
            ("YQ", Some(b"a")),
            ("YWI=", Some(b"ab")),
            ("YWJj", Some(b"abc")),
            ("YWJjZA", Some(b"abcd")),
            ("Y", None),
            ("YW!j", None),
            ("YQ===", None),
        ];
        for &(input, want) in cases {
            assert_eq!(decode(input.as_bytes(), &mut buf), want, "{input}");
        }
        // Output larger than the buffer is rejected, not truncated.
        let mut small = [0u8; 2];
        assert_eq!(decode(b"YWJj", &mut small), None);
    }

    #[test]
    fn basic_auth_table() {
        check_table!(validate_basic_auth;
            // deploy:Tq84mWz!x
            "ZGVwbG95OlRxODRtV3oheA==" => true,
            "ZGVwbG95OlRxODRtV3oheA" => true,
            // ci-bot@acme.io:ghp style token (URL-safe alphabet also ok)
            "Y2ktYm90QGFjbWUuaW86N2ZLcTJ4OW1QdkIz" => true,
            // no colon
            "ZGVwbG95VHE4NG1XeiF4" => false,
            // empty user ":secret1"
            "OnNlY3JldDE=" => false,
            // short password "u:ab"
            "dTphYg==" => false,
            // control character "u:ab\n12"
            "dTphYgoxMg==" => false,
            // space in user "a b:pass1"
            "YSBiOnBhc3Mx" => false,
            // not base64
            "not base64!" => false,
            "" => false,
            b"\xff\xff\xff\xff" => false,
            "QUFB".repeat(100_000) => false,
        );
    }
}
