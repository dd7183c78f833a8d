//! Detection of placeholder and template values posing as secrets.

/// Substrings (lowercase) that mark a value as a placeholder or template.
const MARKERS: &[&[u8]] = &[
    b"example",
    b"****",
    b"placeholder",
    b"your_",
    b"your-",
    b"yourkey",
    b"changeme",
    b"change_me",
    b"redacted",
    b"dummy",
    b"sample",
    b"${",
    b"{{",
    b"<",
    b">",
    b"%(",
    b"$(",
    b"...",
];

/// Shortest value that the low-variety and run rules apply to.
const MIN_PATTERN_LEN: usize = 6;

/// True when a candidate secret looks like a placeholder/template rather
/// than a real value.
///
/// Flags: empty values; values containing (ASCII case-insensitively) a
/// marker such as `example`, `****`, `your_`, `changeme`,
/// `redacted`, `${`, `{{`, `<`, `>` or `...`; five `x` or `X` in a row;
/// one byte repeated; at most
/// two distinct bytes in 6 or more; and whole-value ascending or descending
/// runs of 6 or more letters or digits (`123456`, `abcdef`, `9876543210`).
///
/// It deliberately errs toward keeping real-looking secrets: words like
/// `test`, `demo` or `key` are *not* markers, because real credentials
/// often contain them. Pure function; never panics.
pub fn is_placeholder(secret: &[u8]) -> bool {
    secret.is_empty()
        || has_marker(secret)
        || has_x_run(secret)
        || distinct_bytes_at_most(secret, 1)
        || (secret.len() >= MIN_PATTERN_LEN
            && (distinct_bytes_at_most(secret, 2) || is_run(secret)))
}

/// True when `secret` holds `xxxxx` or `XXXXX`. Placeholders write their
/// x's in one case; in random tokens a mixed-case run such as `xXXx` turns
/// up by chance (about once per 1,400 base64 key bodies for four letters),
/// and five of one case almost never do.
fn has_x_run(secret: &[u8]) -> bool {
    secret.windows(5).any(|w| w == b"xxxxx" || w == b"XXXXX")
}

/// Per byte, the markers (bit `j` for `MARKERS[j]`) that start with it,
/// ignoring ASCII case: markers are lowercase, so both cases of a letter
/// get its bits.
const FIRST: [u32; 256] = {
    assert!(MARKERS.len() <= 32);
    let mut t = [0u32; 256];
    let mut j = 0;
    while j < MARKERS.len() {
        let b = MARKERS[j][0];
        t[b as usize] |= 1 << j;
        t[b.to_ascii_uppercase() as usize] |= 1 << j;
        j += 1;
    }
    t
};

/// True when `secret` contains any marker, ignoring ASCII case. One pass
/// that looks only at the markers starting with each byte: testing each
/// marker at each offset was ~15,000 instructions per secret, 2% of a
/// scan of prompts.
fn has_marker(secret: &[u8]) -> bool {
    secret.iter().enumerate().any(|(i, &b)| {
        let mut bits = FIRST[usize::from(b)];
        while bits != 0 {
            let m = MARKERS[bits.trailing_zeros() as usize];
            if secret[i..]
                .get(..m.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(m))
            {
                return true;
            }
            bits &= bits - 1;
        }
        false
    })
}

/// True when `bytes` holds at most `limit` distinct byte values.
fn distinct_bytes_at_most(bytes: &[u8], limit: usize) -> bool {
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &b in bytes {
        if !seen[usize::from(b)] {
            seen[usize::from(b)] = true;
            distinct += 1;
            if distinct > limit {
                return false;
            }
        }
    }
    true
}

/// Next character in a run: digits wrap `9` to `0`, letters stop at `z`.
fn successor(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'8' | b'a'..=b'y' => Some(b + 1),
        b'9' => Some(b'0'),
        _ => None,
    }
}

/// True when the whole value is one ascending or descending run of ASCII
/// letters or digits (letters compared case-insensitively).
fn is_run(secret: &[u8]) -> bool {
    let step = |a: u8, b: u8| {
        successor(a.to_ascii_lowercase()) == Some(b.to_ascii_lowercase())
    };
    secret.windows(2).all(|w| step(w[0], w[1]))
        || secret.windows(2).all(|w| step(w[1], w[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The one-pass search finds a marker exactly when testing each
        /// marker at each offset does.
        #[test]
        fn marker_search_is_the_definition(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "exa", "mple", "EXAMPLE", "Your", "_", "-", "KEY",
                    "chAnge", "me", "**", "*", "..", ".", "$", "{", "<",
                    ">", "%", "(", "x9", "SAMple", "dummY", "Redacted",
                    "placeHOLDER", "yourkey", "red", "acted", "a",
                ]),
                0..12,
            ),
        ) {
            let secret = pieces.concat().into_bytes();
            let naive = MARKERS.iter().any(|m| {
                secret.windows(m.len()).any(|w| w.eq_ignore_ascii_case(m))
            });
            proptest::prop_assert_eq!(has_marker(&secret), naive);
        }
    }

    #[test]
    fn markers() {
        check_table!(is_placeholder;
            "sk_live_EXAMPLE0000abcd" => true,
            "AKIAIOSFODNN7EXAMPLE" => true,
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" => true,
            "ghp_XXXXXyzQ81" => true,
            "ghp_xXXxyzQ81aB3" => false,
            "pass****word" => true,
            "placeholder-token" => true,
            "YOUR_API_KEY" => true,
            "your-secret-here" => true,
            "insert-yourkey-here" => true,
            "changeme" => true,
            "Change_Me_123" => true,
            "[REDACTED]" => true,
            "dummy-password-9" => true,
            "Sample9f8e7d" => true,
            "${API_TOKEN}" => true,
            "{{ secrets.TOKEN }}" => true,
            "<token>" => true,
            "abc>def" => true,
            "%(password)s" => true,
            "$(cat secret.txt)" => true,
            "sk-abc...xyz" => true,
        );
    }

    #[test]
    fn real_looking_values_are_kept() {
        check_table!(is_placeholder;
            "test" => false,
            "demo" => false,
            "key" => false,
            "sk_test_9fQ2xLk8VbN3mR7tZ1wPq4Jc" => false,
            "demo-key-9fQ2xLk8" => false,
            "mytestpassword" => false,
            "xxx1" => false,       // three x are not a marker
            "x.y.z" => false,      // two dots are not an ellipsis
            "a1b2c3" => false,
            "abcdex" => false,     // broken run
            "12345" => false,      // run shorter than 6
            "aab" => false,        // two distinct but short
            "abcabc" => false,     // three distinct
            "0123456789a" => false,
            "hunter2" => false,
            "Tr0ub4dor&3" => false,
            "é" => false,
            b"\xff\xfe" => false,
        );
    }

    #[test]
    fn structural_rules() {
        check_table!(is_placeholder;
            "" => true,
            "a" => true,
            "zz" => true,
            "0000000000000000" => true,
            b"\xff\xff\xff" => true,
            "abab" => false,
            "ababab" => true,
            "aaaaab" => true,
            "101010101" => true,
            "0123456789" => true,
            "1234567890" => true,
            "123456" => true,
            "987654" => true,
            "9876543210" => true,
            "abcdefgh" => true,
            "ABCDEFGH" => true,
            "AbCdEf" => true,
            "zyxwvu" => true,
            "uvwxyz" => true,
            "vwxyza" => false,    // letters do not wrap
            "789012" => true,     // digits wrap 9 -> 0
            "12345a" => false,
            "123 456" => false,
        );
    }

    #[test]
    fn huge_inputs() {
        assert!(is_placeholder(&vec![b'a'; 1 << 20]));
        let mut rng = super::super::TestRng::new(11);
        let mut v: Vec<u8> =
            (0..1 << 16).map(|_| b'A' + rng.below(20) as u8).collect();
        assert!(!is_placeholder(&v));
        v.extend_from_slice(b"...");
        assert!(is_placeholder(&v));
    }
}
