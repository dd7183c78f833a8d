//! Shannon entropy over byte frequencies.

/// Shannon entropy in bits per byte (0.0 for empty input).
///
/// Computed from the frequency of each of the 256 byte values, so the result
/// lies in `0.0..=8.0`. A random 40-character base64 token scores around 5;
/// English words and repeated characters score much lower.
pub fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u64; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    let h: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    // One distinct byte gives -0.0; clamp so callers see a plain 0.0.
    if h > 0.0 {
        h
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn known_values() {
        let cases: &[(&[u8], f64)] = &[
            (b"", 0.0),
            (b"a", 0.0),
            (b"aaaaaaaa", 0.0),
            (b"ab", 1.0),
            (b"abab", 1.0),
            (b"abcd", 2.0),
            (b"aabb", 1.0),
            (b"01234567", 3.0),
            (b"0123456789abcdef", 4.0),
            (b"\xff\x00", 1.0),
        ];
        for &(input, want) in cases {
            let got = shannon_entropy(input);
            assert!(close(got, want), "{input:?}: got {got}, want {want}");
        }
    }

    #[test]
    fn zero_is_positive_zero() {
        assert!(shannon_entropy(b"zzzz").is_sign_positive());
        assert!(shannon_entropy(b"").is_sign_positive());
    }

    #[test]
    fn skewed_distribution() {
        // p = 3/4, 1/4 → 0.811278...
        let got = shannon_entropy(b"aaab");
        let want = -(0.75f64 * 0.75f64.log2() + 0.25 * 0.25f64.log2());
        assert!(close(got, want));
    }

    #[test]
    fn all_bytes_is_eight_bits() {
        let all: Vec<u8> = (0..=255u8).collect();
        assert!(close(shannon_entropy(&all), 8.0));
        let many: Vec<u8> =
            all.iter().cycle().take(256 * 1000).copied().collect();
        assert!(close(shannon_entropy(&many), 8.0));
    }

    #[test]
    fn order_does_not_matter_and_bounds_hold() {
        let a = shannon_entropy(b"hello world");
        let b = shannon_entropy(b"dlrow olleh");
        assert!(close(a, b));
        let mut rng = super::super::TestRng::new(7);
        for len in 1..200 {
            let v: Vec<u8> = (0..len).map(|_| rng.below(256) as u8).collect();
            let h = shannon_entropy(&v);
            assert!((0.0..=8.0).contains(&h), "{h}");
            assert!(h <= (len as f64).log2() + 1e-9);
        }
    }

    #[test]
    fn huge_input() {
        let v = vec![b'x'; 1 << 22];
        assert_eq!(shannon_entropy(&v), 0.0);
    }
}
