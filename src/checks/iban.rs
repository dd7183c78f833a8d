//! International Bank Account Numbers (ISO 13616).

use super::{compact, digit};

/// Longest IBAN ISO 13616 allows.
const IBAN_MAX: usize = 34;

/// IBAN length per country code, from the ISO 13616 (SWIFT) IBAN registry.
///
/// Sorted by country code. Territories that use another country's format
/// (for example Guernsey and Jersey under GB, French overseas departments
/// under FR) are not listed separately because their IBANs use that code.
const COUNTRY_LENGTHS: &[([u8; 2], usize)] = &[
    (*b"AD", 24),
    (*b"AE", 23),
    (*b"AL", 28),
    (*b"AT", 20),
    (*b"AZ", 28),
    (*b"BA", 20),
    (*b"BE", 16),
    (*b"BG", 22),
    (*b"BH", 22),
    (*b"BI", 27),
    (*b"BR", 29),
    (*b"BY", 28),
    (*b"CH", 21),
    (*b"CR", 22),
    (*b"CY", 28),
    (*b"CZ", 24),
    (*b"DE", 22),
    (*b"DJ", 27),
    (*b"DK", 18),
    (*b"DO", 28),
    (*b"EE", 20),
    (*b"EG", 29),
    (*b"ES", 24),
    (*b"FI", 18),
    (*b"FK", 18),
    (*b"FO", 18),
    (*b"FR", 27),
    (*b"GB", 22),
    (*b"GE", 22),
    (*b"GI", 23),
    (*b"GL", 18),
    (*b"GR", 27),
    (*b"GT", 28),
    (*b"HN", 28),
    (*b"HR", 21),
    (*b"HU", 28),
    (*b"IE", 22),
    (*b"IL", 23),
    (*b"IQ", 23),
    (*b"IS", 26),
    (*b"IT", 27),
    (*b"JO", 30),
    (*b"KW", 30),
    (*b"KZ", 20),
    (*b"LB", 28),
    (*b"LC", 32),
    (*b"LI", 21),
    (*b"LT", 20),
    (*b"LU", 20),
    (*b"LV", 21),
    (*b"LY", 25),
    (*b"MC", 27),
    (*b"MD", 24),
    (*b"ME", 22),
    (*b"MK", 19),
    (*b"MN", 20),
    (*b"MR", 27),
    (*b"MT", 31),
    (*b"MU", 30),
    (*b"NI", 28),
    (*b"NL", 18),
    (*b"NO", 15),
    (*b"OM", 23),
    (*b"PK", 24),
    (*b"PL", 28),
    (*b"PS", 29),
    (*b"PT", 25),
    (*b"QA", 29),
    (*b"RO", 24),
    (*b"RS", 22),
    (*b"RU", 33),
    (*b"SA", 24),
    (*b"SC", 31),
    (*b"SD", 18),
    (*b"SE", 24),
    (*b"SI", 19),
    (*b"SK", 24),
    (*b"SM", 27),
    (*b"SO", 23),
    (*b"ST", 25),
    (*b"SV", 28),
    (*b"TL", 23),
    (*b"TN", 24),
    (*b"TR", 26),
    (*b"UA", 29),
    (*b"VA", 22),
    (*b"VG", 24),
    (*b"XK", 20),
    (*b"YE", 30),
];

/// Registered IBAN length for an uppercase country code.
fn country_length(country: &[u8]) -> Option<usize> {
    COUNTRY_LENGTHS
        .binary_search_by(|(code, _)| code[..].cmp(country))
        .ok()
        .map(|i| COUNTRY_LENGTHS[i].1)
}

/// Folds characters into a running remainder mod 97.
///
/// Digits contribute one decimal digit, letters `A`..=`Z` the two digits
/// 10..=35, exactly as if the string were converted to a big number; other
/// bytes are skipped. The remainder never exceeds `96 * 100 + 35`, so no
/// big integers are needed.
fn mod97(rem: u32, chars: &[u8]) -> u32 {
    chars.iter().fold(rem, |rem, &c| match c {
        b'0'..=b'9' => (rem * 10 + digit(c)) % 97,
        b'A'..=b'Z' => (rem * 100 + u32::from(c - b'A') + 10) % 97,
        _ => rem,
    })
}

/// ASCII digits for positions 3-4 of the IBAN of `country` and `bban`.
///
/// Letters are upper-cased and other non-alphanumeric bytes skipped, so
/// `iban_check_digits(b"gb", b"WEST 1234")` is the same as for `b"GB"` and
/// `b"WEST1234"`. The result is always in `02..=98`.
pub fn iban_check_digits(country: &[u8], bban: &[u8]) -> [u8; 2] {
    let mut rem = 0;
    for part in [bban, country] {
        for &c in part {
            rem = mod97(rem, &[c.to_ascii_uppercase()]);
        }
    }
    rem = mod97(rem, b"00");
    let check = 98 - rem;
    [b'0' + (check / 10) as u8, b'0' + (check % 10) as u8]
}

/// `iban` check: registered country code, its exact length, check digits
/// in `02..=98`, uppercase alphanumeric BBAN and mod 97 equal to 1.
///
/// Spaces, `-` and `.` are ignored (IBANs are printed in groups of four);
/// lowercase letters are rejected.
pub(super) fn validate_iban(secret: &[u8]) -> bool {
    let Some((buf, len)) = compact::<IBAN_MAX>(secret, |b| {
        b.is_ascii_digit() || b.is_ascii_uppercase()
    }) else {
        return false;
    };
    let iban = &buf[..len];
    if len < 5 {
        return false;
    }
    let (country, check) = (&iban[..2], &iban[2..4]);
    if !country.iter().all(u8::is_ascii_uppercase)
        || !check.iter().all(u8::is_ascii_digit)
        || country_length(country) != Some(len)
    {
        return false;
    }
    let check_value = digit(check[0]) * 10 + digit(check[1]);
    if !(2..=98).contains(&check_value) {
        return false;
    }
    let rem = mod97(0, &iban[4..]);
    mod97(rem, &iban[..4]) == 1
}

#[cfg(test)]
mod tests {
    use super::super::TestRng;
    use super::*;

    /// Builds a format-valid IBAN string from a country and BBAN.
    fn make(country: &str, bban: &str) -> String {
        let cd = iban_check_digits(country.as_bytes(), bban.as_bytes());
        format!("{country}{}{}{bban}", cd[0] as char, cd[1] as char)
    }

    /// Groups an IBAN in blocks of four separated by `sep`.
    fn grouped(iban: &str, sep: &str) -> String {
        let chunks: Vec<&str> = iban
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect();
        chunks.join(sep)
    }

    #[test]
    fn table_is_sorted_unique_and_sane() {
        for w in COUNTRY_LENGTHS.windows(2) {
            assert!(w[0].0 < w[1].0, "{:?} {:?}", w[0].0, w[1].0);
        }
        for (code, len) in COUNTRY_LENGTHS {
            assert!(code.iter().all(u8::is_ascii_uppercase));
            assert!((15..=IBAN_MAX).contains(len), "{code:?}");
        }
        for (code, len) in [
            ("DE", 22),
            ("GB", 22),
            ("FR", 27),
            ("ES", 24),
            ("IT", 27),
            ("NL", 18),
            ("BE", 16),
            ("CH", 21),
            ("NO", 15),
            ("RU", 33),
        ] {
            assert_eq!(country_length(code.as_bytes()), Some(len), "{code}");
        }
        assert_eq!(country_length(b"US"), None);
        assert_eq!(country_length(b"de"), None);
        assert_eq!(country_length(b""), None);
    }

    #[test]
    fn sepa_countries_present() {
        let sepa = [
            "AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES",
            "FI", "FR", "GB", "GI", "GR", "HR", "HU", "IE", "IS", "IT", "LI",
            "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL", "PT", "RO", "SE",
            "SI", "SK", "SM", "VA", "AL", "MD", "ME", "MK", "RS",
        ];
        for code in sepa {
            assert!(country_length(code.as_bytes()).is_some(), "{code}");
        }
    }

    #[test]
    fn check_digits_known_value() {
        // Worked example from the ISO 13616 / ECBS documentation.
        assert_eq!(&iban_check_digits(b"GB", b"WEST12345698765432"), b"82");
        assert_eq!(
            &iban_check_digits(b"gb", b"west 1234 5698 7654 32"),
            b"82"
        );
        assert!(validate_iban(b"GB82WEST12345698765432"));
    }

    #[test]
    fn iban_table() {
        let de = make("DE", "370400440532013000");
        let gb = make("GB", "WEST12345698765432");
        let be = make("BE", "539007547034");
        let no = make("NO", "86011117947");
        let ru = make("RU", "04452560040702810412345678901");
        let lc = make("LC", "HEMM000100010012001200023015");
        let mut wrong_cd = de.clone().into_bytes();
        wrong_cd[3] = if wrong_cd[3] == b'9' { b'0' } else { wrong_cd[3] + 1 };
        check_table!(validate_iban;
            de => true,
            gb => true,
            be => true,
            no => true,
            ru => true,
            lc => true,
            grouped(&de, " ") => true,
            grouped(&gb, "-") => true,
            grouped(&gb, ".") => true,
            format!("  {de}  ") => true,
            grouped(&gb, "/") => false,
            grouped(&gb, "\t") => false,
            wrong_cd => false,
            // lowercase is rejected
            de.to_lowercase() => false,
            gb.replace("WEST", "west") => false,
            // wrong length for the country
            format!("{de}0") => false,
            &de[..de.len() - 1] => false,
            // unknown country
            make("US", "37040044053201300") => false,
            make("XX", "37040044053201300") => false,
            // country code must be letters
            make("D1", "37040044053201300") => false,
            // check digits 00, 01 and 99 are never issued
            "DE00370400440532013000" => false,
            "DE01370400440532013000" => false,
            "DE99370400440532013000" => false,
            // structural junk
            "" => false,
            "DE" => false,
            "DE89" => false,
            "DE8" => false,
            "89DE370400440532013000" => false,
            "DEXX370400440532013000" => false,
            b"DE89\xff70400440532013000" => false,
            "DE89３7040044053201300" => false,
            "D".repeat(100_000) => false,
            "-".repeat(100_000) => false,
        );
    }

    #[test]
    fn check_digits_always_in_range() {
        let mut rng = TestRng::new(3);
        for _ in 0..2000 {
            let n = 1 + rng.below(30) as usize;
            let bban = rng.digits(n);
            let cd = iban_check_digits(b"DE", &bban);
            let v = digit(cd[0]) * 10 + digit(cd[1]);
            assert!(cd.iter().all(u8::is_ascii_digit));
            assert!((2..=98).contains(&v), "{v}");
        }
        // Junk input still yields two digits.
        let cd = iban_check_digits(b"\xff", b"");
        assert!(cd.iter().all(u8::is_ascii_digit));
    }

    #[test]
    fn round_trip_every_country_and_single_flips() {
        let mut rng = TestRng::new(0xabcd);
        const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for &(code, len) in COUNTRY_LENGTHS {
            for round in 0..4 {
                let mut bban = Vec::with_capacity(len - 4);
                for _ in 0..len - 4 {
                    // Half the rounds use digits only, half mix letters in.
                    let n = if round % 2 == 0 { 10 } else { 36 };
                    bban.push(ALNUM[rng.below(n) as usize]);
                }
                let cd = iban_check_digits(&code, &bban);
                let mut v = code.to_vec();
                v.extend_from_slice(&cd);
                v.extend_from_slice(&bban);
                let shown = String::from_utf8_lossy(&v).into_owned();
                assert!(validate_iban(&v), "{shown}");
                // Replacing any digit (check digits or BBAN) by another
                // digit breaks the checksum.
                for i in 2..v.len() {
                    let orig = v[i];
                    if !orig.is_ascii_digit() {
                        continue;
                    }
                    for d in b'0'..=b'9' {
                        if d != orig {
                            v[i] = d;
                            assert!(!validate_iban(&v), "{shown} @{i}");
                        }
                    }
                    v[i] = orig;
                }
                // Replacing a letter by another letter also breaks it.
                for i in 4..v.len() {
                    let orig = v[i];
                    if orig.is_ascii_uppercase() {
                        v[i] = if orig == b'Z' { b'A' } else { orig + 1 };
                        assert!(!validate_iban(&v), "{shown} @{i}");
                        v[i] = orig;
                    }
                }
            }
        }
    }
}
