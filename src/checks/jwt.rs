//! JSON Web Tokens in compact serialization (RFC 7519 / RFC 7515).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Longest token the `jwt` check looks at; longer inputs fail.
const MAX_JWT_LEN: usize = 16 * 1024;

/// True for bytes of the unpadded base64url alphabet.
fn is_b64url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// True for JSON insignificant whitespace.
fn is_json_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// `bytes` without leading JSON whitespace.
fn trim_ws(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| !is_json_ws(b));
    start.map_or(&[][..], |i| &bytes[i..])
}

/// Decodes one unpadded base64url part; `None` on any other byte.
fn decode_part(part: &[u8]) -> Option<Vec<u8>> {
    if !part.iter().all(|&b| is_b64url_byte(b)) {
        return None;
    }
    URL_SAFE_NO_PAD.decode(part).ok()
}

/// True when decoded JSON bytes start with `{` after optional whitespace.
fn is_json_object(json: &[u8]) -> bool {
    trim_ws(json).first() == Some(&b'{')
}

/// True when the header holds `"alg"` with the value `"none"` (any case).
fn alg_is_none(header: &[u8]) -> bool {
    const KEY: &[u8] = b"\"alg\"";
    const NONE: &[u8] = b"\"none\"";
    (0..header.len()).filter(|&i| header[i..].starts_with(KEY)).any(|i| {
        let rest = trim_ws(&header[i + KEY.len()..]);
        match rest.split_first() {
            Some((b':', value)) => {
                let value = trim_ws(value);
                value.len() >= NONE.len()
                    && value[..NONE.len()].eq_ignore_ascii_case(NONE)
            }
            _ => false,
        }
    })
}

/// `jwt` check: `header.payload.signature` in unpadded base64url, at most
/// 16 KiB. The header must decode to a JSON object containing `"alg"`, the
/// payload to a JSON object; the signature must decode and may be empty
/// only for `"alg":"none"` tokens.
pub(super) fn validate_jwt(secret: &[u8]) -> bool {
    if secret.len() > MAX_JWT_LEN {
        return false;
    }
    let mut parts = secret.split(|&b| b == b'.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Some(header) = decode_part(h) else {
        return false;
    };
    if !is_json_object(&header) || !header.windows(5).any(|w| w == b"\"alg\"")
    {
        return false;
    }
    match decode_part(p) {
        Some(payload) if is_json_object(&payload) => {}
        _ => return false,
    }
    if s.is_empty() {
        alg_is_none(&header)
    } else {
        decode_part(s).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// base64url without padding.
    fn enc(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A fake token from raw header/payload JSON and signature bytes.
    fn token(header: &str, payload: &str, sig: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            enc(header.as_bytes()),
            enc(payload.as_bytes()),
            enc(sig)
        )
    }

    const HS: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
    const BODY: &str = r#"{"sub":"user-0000","name":"Test User","iat":1}"#;

    #[test]
    fn jwt_table() {
        let sig = [0x5au8; 32];
        let good = token(HS, BODY, &sig);
        let spaced = token(" \n{ \"alg\" : \"RS256\" }", "\t{}", &sig);
        let none_empty =
            format!("{}.{}.", enc(br#"{"alg":"none"}"#), enc(BODY.as_bytes()));
        let none_spaced = format!(
            "{}.{}.",
            enc(br#"{"typ":"alg", "alg" :  "NONE"}"#),
            enc(BODY.as_bytes())
        );
        let hs_empty =
            format!("{}.{}.", enc(HS.as_bytes()), enc(BODY.as_bytes()));
        let long_payload = format!(r#"{{"pad":"{}"}}"#, "a".repeat(20_000));
        check_table!(validate_jwt;
            good => true,
            spaced => true,
            none_empty => true,
            none_spaced => true,
            token(r#"{"alg":"none"}"#, BODY, &sig) => true,
            hs_empty => false,
            // alg "none" must be the value of "alg"
            format!(
                "{}.{}.",
                enc(br#"{"alg":"HS256","x":"none"}"#),
                enc(BODY.as_bytes())
            ) => false,
            format!(
                "{}.{}.",
                enc(br#"{"alg":"nonesuch"}"#),
                enc(BODY.as_bytes())
            ) => false,
            // header must be an object with "alg"
            token(r#"{"typ":"JWT"}"#, BODY, &sig) => false,
            token(r#"["alg"]"#, BODY, &sig) => false,
            token(r#"x{"alg":"HS256"}"#, BODY, &sig) => false,
            token("", BODY, &sig) => false,
            // payload must be an object
            token(HS, "[1,2]", &sig) => false,
            token(HS, "", &sig) => false,
            token(HS, "  ", &sig) => false,
            // padding and standard-alphabet bytes are rejected
            format!("{good}=") => false,
            good.replacen('e', "+", 1) => false,
            format!("{}/", &good[..good.len() - 1]) => false,
            // wrong number of parts
            format!("{good}.") => false,
            format!("{good}.abc") => false,
            &good[..good.rfind('.').unwrap_or(0)] => false,
            "a.b" => false,
            ".." => false,
            "..." => false,
            "" => false,
            // junk
            b"\xff.\xff.\xff" => false,
            format!("{good}\n") => false,
            format!(" {good}") => false,
            // size cap
            token(HS, &long_payload, &sig) => false,
        );
    }

    #[test]
    fn signature_length_one_mod_four_fails() {
        let base = token(HS, BODY, &[]);
        // 1, 5 or 9 base64 characters cannot encode whole bytes.
        for sig in ["A", "AAAAA", "AAAAAAAAA"] {
            let t = format!("{base}{sig}");
            assert!(!validate_jwt(t.as_bytes()), "{t}");
        }
        let t = format!("{base}AAAA");
        assert!(validate_jwt(t.as_bytes()));
    }

    #[test]
    fn size_cap_boundary() {
        let prefix = format!("{}.", enc(HS.as_bytes()));
        let sig = ".AAAA";
        // Build a payload so the whole token is exactly MAX_JWT_LEN bytes.
        let room = MAX_JWT_LEN - prefix.len() - sig.len();
        // Encoded length of n bytes is ceil(4n/3); pick the padding text
        // length that lands exactly on `room` characters.
        let mut found = false;
        for n in 0..room {
            let payload = format!(r#"{{"p":"{}"}}"#, "a".repeat(n));
            let e = enc(payload.as_bytes());
            if e.len() == room {
                let t = format!("{prefix}{e}{sig}");
                assert_eq!(t.len(), MAX_JWT_LEN);
                assert!(validate_jwt(t.as_bytes()));
                let over = format!("{prefix}{e}{sig}AAAA");
                assert!(!validate_jwt(over.as_bytes()));
                found = true;
                break;
            }
            if e.len() > room {
                break;
            }
        }
        assert!(found);
    }

    #[test]
    fn huge_and_binary_inputs() {
        assert!(!validate_jwt(&vec![b'a'; 1 << 20]));
        assert!(!validate_jwt(&vec![b'.'; 1 << 20]));
        let mut rng = super::super::TestRng::new(5);
        for len in 0..300 {
            let v: Vec<u8> = (0..len).map(|_| rng.below(256) as u8).collect();
            assert!(!validate_jwt(&v));
        }
    }

    #[test]
    fn alg_none_parsing() {
        check_table!(alg_is_none;
            br#"{"alg":"none"}"# => true,
            br#"{"alg" : "None"}"# => true,
            b"{\"alg\"\n:\n\"NONE\"}" => true,
            br#"{"alg":"HS256"}"# => false,
            br#"{"alg":none}"# => false,
            br#"{"alg""none"}"# => false,
            br#"{"alg":"#  => false,
            br#""alg""# => false,
            b"" => false,
        );
    }
}
