//! National identity and tax numbers that carry a check digit: Japan's My
//! Number, Brazil's CPF and CNPJ, Spain's DNI/NIE, the Dutch BSN, the
//! Polish PESEL, the German tax ID, the Australian TFN, the French NIR, the
//! UK NHS number, the Italian codice fiscale and the Mexican CURP.
//!
//! Each validator takes the secret bytes of a finding, ignores the usual
//! separators of that format and never panics.

use super::{all_same, compact, digit, strip, valid_date};

/// Exactly `N` ASCII digits once spaces, `-` and `.` are removed.
fn digits_exact<const N: usize>(secret: &[u8]) -> Option<[u8; N]> {
    let (buf, len) = compact::<N>(secret, |b| b.is_ascii_digit())?;
    (len == N && !all_same(&buf)).then_some(buf)
}

/// Weighted sum of ASCII digits.
fn weighted(digits: &[u8], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(&b, &w)| digit(b) * w).sum()
}

// ---------------------------------------------------------------- Japan

/// Check digit of a Japanese My Number (個人番号) for its first 11 digits
/// (ASCII digits; other bytes count as 0).
pub fn jp_my_number_check_digit(first11: &[u8]) -> u8 {
    // P_n is the n-th digit from the right; Q_n = n + 1 (n <= 6), n - 5.
    let sum: u32 = first11
        .iter()
        .take(11)
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let n = i as u32 + 1;
            let q = if n <= 6 { n + 1 } else { n - 5 };
            if b.is_ascii_digit() {
                digit(b) * q
            } else {
                0
            }
        })
        .sum();
    let r = sum % 11;
    b'0' + if r <= 1 { 0 } else { (11 - r) as u8 }
}

/// `jp_my_number` check: 12 digits (spaces, `-`, `.` ignored), not one
/// repeated digit, the last one the My Number check digit.
pub(super) fn validate_jp_my_number(secret: &[u8]) -> bool {
    digits_exact::<12>(secret)
        .is_some_and(|d| jp_my_number_check_digit(&d[..11]) == d[11])
}

// --------------------------------------------------------------- Brazil

/// Mod-11 check digit used by CPF and CNPJ: 0 when the remainder is < 2.
fn mod11_digit(sum: u32) -> u8 {
    let r = sum % 11;
    if r < 2 {
        0
    } else {
        (11 - r) as u8
    }
}

/// The two check digits (ASCII) of a CPF for its first nine digits.
pub fn br_cpf_check_digits(first9: &[u8]) -> [u8; 2] {
    let d1 = mod11_digit(weighted(first9, &[10, 9, 8, 7, 6, 5, 4, 3, 2]));
    let mut ten = [b'0'; 10];
    for (t, &b) in ten.iter_mut().zip(first9) {
        *t = if b.is_ascii_digit() { b } else { b'0' };
    }
    ten[9] = b'0' + d1;
    let d2 = mod11_digit(weighted(&ten, &[11, 10, 9, 8, 7, 6, 5, 4, 3, 2]));
    [b'0' + d1, b'0' + d2]
}

/// `br_cpf` check: 11 digits (`.`, `-`, space ignored), not one repeated
/// digit, with both CPF check digits.
pub(super) fn validate_br_cpf(secret: &[u8]) -> bool {
    digits_exact::<11>(secret)
        .is_some_and(|d| br_cpf_check_digits(&d[..9]) == d[9..])
}

/// Value of a CNPJ character: digits and (from 2026) uppercase letters,
/// both as their ASCII code minus 48.
fn cnpj_value(b: u8) -> u32 {
    u32::from(b.saturating_sub(b'0'))
}

/// The two check digits (ASCII) of a CNPJ for its first 12 characters
/// (digits, or uppercase letters in the 2026 alphanumeric format).
pub fn br_cnpj_check_digits(first12: &[u8]) -> [u8; 2] {
    const W1: [u32; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    const W2: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let sum1: u32 =
        first12.iter().zip(W1).map(|(&b, w)| cnpj_value(b) * w).sum();
    let d1 = mod11_digit(sum1);
    let sum2: u32 =
        first12.iter().zip(W2).map(|(&b, w)| cnpj_value(b) * w).sum::<u32>()
            + u32::from(d1) * W2[12];
    [b'0' + d1, b'0' + mod11_digit(sum2)]
}

/// `br_cnpj` check: 14 characters once `.`, `/`, `-` and spaces are
/// removed: 12 digits or uppercase letters (not one repeated character),
/// then the two CNPJ check digits.
pub(super) fn validate_br_cnpj(secret: &[u8]) -> bool {
    let Some((buf, len)) = strip::<14>(secret, b"./- ", |b| {
        b.is_ascii_digit() || b.is_ascii_uppercase()
    }) else {
        return false;
    };
    len == 14
        && !all_same(&buf[..12])
        && buf[12..].iter().all(u8::is_ascii_digit)
        && br_cnpj_check_digits(&buf[..12]) == buf[12..]
}

// ---------------------------------------------------------------- Spain

/// DNI / NIE control letters, indexed by the number mod 23.
const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Control letter of a Spanish DNI (8 digits) or NIE (`X`/`Y`/`Z` and 7
/// digits); `None` for any other shape.
pub fn es_dni_letter(number: &[u8]) -> Option<u8> {
    let (lead, rest) = match number.split_first()? {
        (b'X', rest) => (0, rest),
        (b'Y', rest) => (1, rest),
        (b'Z', rest) => (2, rest),
        _ => (0, number),
    };
    let want = if rest.len() == number.len() { 8 } else { 7 };
    if rest.len() != want || !rest.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = rest.iter().fold(lead, |acc, &b| acc * 10 + digit(b));
    Some(DNI_LETTERS[(n % 23) as usize])
}

/// `es_dni` check: a DNI (8 digits) or NIE (`X`/`Y`/`Z` + 7 digits) and
/// its control letter, uppercase; one space or `-` before the letter is
/// allowed. The number must not be one repeated digit.
pub(super) fn validate_es_dni(secret: &[u8]) -> bool {
    let Some((&letter, body)) = secret.split_last() else {
        return false;
    };
    let body = match body {
        [head @ .., b' ' | b'-'] => head,
        _ => body,
    };
    !all_same(body) && es_dni_letter(body) == Some(letter)
}

// ---------------------------------------------------------- Netherlands

/// `nl_bsn` check: 9 digits (spaces, `-`, `.` ignored), not one repeated
/// digit, passing the "elfproef": 9*d1 + 8*d2 + ... + 2*d8 - d9 is a
/// multiple of 11.
pub(super) fn validate_nl_bsn(secret: &[u8]) -> bool {
    digits_exact::<9>(secret).is_some_and(|d| {
        let sum = weighted(&d[..8], &[9, 8, 7, 6, 5, 4, 3, 2]);
        (sum + 11 * 9 - digit(d[8])).is_multiple_of(11)
    })
}

// --------------------------------------------------------------- Poland

/// Check digit (ASCII) of a PESEL for its first ten digits.
pub fn pl_pesel_check_digit(first10: &[u8]) -> u8 {
    let sum = weighted(first10, &[1, 3, 7, 9, 1, 3, 7, 9, 1, 3]);
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// Value of two ASCII digits.
fn two(d: &[u8]) -> u32 {
    digit(d[0]) * 10 + digit(d[1])
}

/// `pl_pesel` check: 11 digits, a real birth date (the month carries the
/// century: +80 for 1800s, +20 for 2000s, +40, +60) and the check digit.
pub(super) fn validate_pl_pesel(secret: &[u8]) -> bool {
    digits_exact::<11>(secret).is_some_and(|d| {
        let (yy, mm, dd) = (two(&d[0..2]), two(&d[2..4]), two(&d[4..6]));
        let (century, month) = match mm {
            1..=12 => (1900, mm),
            21..=32 => (2000, mm - 20),
            41..=52 => (2100, mm - 40),
            61..=72 => (2200, mm - 60),
            81..=92 => (1800, mm - 80),
            _ => return false,
        };
        valid_date(century + yy, month, dd)
            && pl_pesel_check_digit(&d[..10]) == d[10]
    })
}

// -------------------------------------------------------------- Germany

/// Check digit (ASCII) of a German tax identification number
/// (Steuer-IdNr) for its first ten digits: ISO 7064 MOD 11,10.
pub fn de_tax_id_check_digit(first10: &[u8]) -> u8 {
    let mut product = 10;
    for &b in first10.iter().take(10) {
        let mut sum = (digit(b) % 10 + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    let check = 11 - product;
    b'0' + if check == 10 { 0 } else { check as u8 }
}

/// `de_tax_id` check: 11 digits, the first not 0; in the first ten digits
/// exactly one digit occurs twice or three times (never three in a row)
/// and every other digit at most once; and the MOD 11,10 check digit.
pub(super) fn validate_de_tax_id(secret: &[u8]) -> bool {
    let Some(d) = digits_exact::<11>(secret) else {
        return false;
    };
    let mut counts = [0u8; 10];
    for &b in &d[..10] {
        counts[digit(b) as usize] += 1;
    }
    let repeated = counts.iter().filter(|&&c| c > 1).count();
    let max = counts.iter().copied().max().unwrap_or(0);
    let triple_run = d[..10].windows(3).any(|w| w[0] == w[1] && w[1] == w[2]);
    d[0] != b'0'
        && repeated == 1
        && (max == 2 || max == 3)
        && !triple_run
        && de_tax_id_check_digit(&d[..10]) == d[10]
}

// ------------------------------------------------------------ Australia

/// `au_tfn` check: an Australian tax file number of 9 digits (weights 1, 4,
/// 3, 7, 5, 8, 6, 9, 10) or 8 digits (10, 7, 8, 4, 6, 3, 5, 1) whose
/// weighted sum is a multiple of 11; spaces, `-`, `.` ignored.
pub(super) fn validate_au_tfn(secret: &[u8]) -> bool {
    let Some((buf, len)) = compact::<9>(secret, |b| b.is_ascii_digit()) else {
        return false;
    };
    let d = &buf[..len];
    let weights: &[u32] = match len {
        9 => &[1, 4, 3, 7, 5, 8, 6, 9, 10],
        8 => &[10, 7, 8, 4, 6, 3, 5, 1],
        _ => return false,
    };
    !all_same(d) && weighted(d, weights).is_multiple_of(11)
}

// --------------------------------------------------------------- France

/// Key (two ASCII digits) of a French NIR (social security number) for its
/// first 13 characters; Corsican departments `2A` / `2B` count as 19 / 18.
/// `None` when the 13 characters are not of that shape.
pub fn fr_nir_key(first13: &[u8]) -> Option<[u8; 2]> {
    if first13.len() != 13 {
        return None;
    }
    let mut n: u64 = 0;
    for (i, &b) in first13.iter().enumerate() {
        let v = match (i, b) {
            (_, b'0'..=b'9') => u64::from(digit(b)),
            (6, b'A' | b'B') if first13[5] == b'2' => 0,
            _ => return None,
        };
        n = n * 10 + v;
    }
    match first13[6] {
        b'A' => n -= 1_000_000,
        b'B' => n -= 2_000_000,
        _ => {}
    }
    let key = 97 - n % 97;
    Some([b'0' + (key / 10) as u8, b'0' + (key % 10) as u8])
}

/// `fr_nir` check: 15 characters once spaces are removed: sex digit (1, 2,
/// 3, 4, 7 or 8), year, month (01-12, or 20-99 for unknown months),
/// department (digits, `2A` or `2B`), commune, order number and the key.
pub(super) fn validate_fr_nir(secret: &[u8]) -> bool {
    let Some((buf, len)) = strip::<15>(secret, b" ", |b| {
        b.is_ascii_digit() || b == b'A' || b == b'B'
    }) else {
        return false;
    };
    if len != 15 || !buf[..5].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let month = two(&buf[3..5]);
    matches!(buf[0], b'1' | b'2' | b'3' | b'4' | b'7' | b'8')
        && ((1..=12).contains(&month) || (20..=99).contains(&month))
        && !all_same(&buf[7..13])
        && fr_nir_key(&buf[..13]).is_some_and(|k| k == buf[13..])
}

// ------------------------------------------------------------------- UK

/// Check digit (ASCII) of an NHS number for its first nine digits, or
/// `None` when the weighted sum gives the unused value 10.
pub fn uk_nhs_check_digit(first9: &[u8]) -> Option<u8> {
    let sum = weighted(first9, &[10, 9, 8, 7, 6, 5, 4, 3, 2]);
    match 11 - sum % 11 {
        11 => Some(b'0'),
        10 => None,
        d => Some(b'0' + d as u8),
    }
}

/// `uk_nhs` check: 10 digits (spaces, `-`, `.` ignored), not one repeated
/// digit, with a valid NHS mod-11 check digit.
pub(super) fn validate_uk_nhs(secret: &[u8]) -> bool {
    digits_exact::<10>(secret)
        .is_some_and(|d| uk_nhs_check_digit(&d[..9]) == Some(d[9]))
}

// ---------------------------------------------------------------- Italy

/// Values of odd-position (1st, 3rd, ...) characters, indexed by digit or
/// letter (`0`/`A`, `1`/`B`, ...).
const CF_ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16,
    10, 22, 25, 24, 23,
];
/// Letters that replace digits in codes changed for homonyms (omocodia).
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";

/// Index of a codice fiscale character: digits 0-9, letters 0-25.
fn cf_index(b: u8) -> usize {
    match b {
        b'0'..=b'9' => usize::from(b - b'0'),
        b'A'..=b'Z' => usize::from(b - b'A'),
        _ => 0,
    }
}

/// Check letter of an Italian codice fiscale for its first 15 characters.
pub fn it_fiscal_code_check_char(first15: &[u8]) -> u8 {
    let sum: u32 =
        first15
            .iter()
            .take(15)
            .enumerate()
            .map(|(i, &b)| {
                if i % 2 == 0 {
                    CF_ODD[cf_index(b)]
                } else {
                    cf_index(b) as u32
                }
            })
            .sum();
    b'A' + (sum % 26) as u8
}

/// `it_fiscal_code` check: 16 uppercase characters shaped like a codice
/// fiscale (letters for surname, name, month, place letter and check;
/// digits or omocodia letters elsewhere), a real month letter, a day of
/// 1-31 or 41-71, and the matching check letter.
pub(super) fn validate_it_fiscal_code(secret: &[u8]) -> bool {
    if secret.len() != 16 {
        return false;
    }
    let numeric = |b: u8| b.is_ascii_digit() || OMOCODIA.contains(&b);
    let value = |b: u8| match b {
        b'0'..=b'9' => digit(b),
        _ => OMOCODIA.iter().position(|&o| o == b).unwrap_or(0) as u32,
    };
    let letters = [0, 1, 2, 3, 4, 5, 8, 11, 15];
    let numbers = [6, 7, 9, 10, 12, 13, 14];
    if !letters.iter().all(|&i| secret[i].is_ascii_uppercase())
        || !numbers.iter().all(|&i| numeric(secret[i]))
        || !b"ABCDEHLMPRST".contains(&secret[8])
    {
        return false;
    }
    let day = value(secret[9]) * 10 + value(secret[10]);
    ((1..=31).contains(&day) || (41..=71).contains(&day))
        && it_fiscal_code_check_char(&secret[..15]) == secret[15]
}

// --------------------------------------------------------------- Mexico

/// CURP character values: digits 0-9, then `A`-`N`, `Ñ` (written `&`
/// here, absent from ASCII text), `O`-`Z`.
const CURP_CHARS: &[u8; 37] = b"0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ";

/// Check digit (ASCII) of a Mexican CURP for its first 17 characters.
pub fn mx_curp_check_digit(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .take(17)
        .enumerate()
        .map(|(i, &b)| {
            let v =
                CURP_CHARS.iter().position(|&c| c == b).unwrap_or(0) as u32;
            v * (18 - i as u32)
        })
        .sum();
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// `mx_curp` check: 18 characters: four letters, a birth date `YYMMDD`
/// (real month and day), sex `H`/`M`/`X`, two state letters, three
/// consonants, a digit or letter, and the check digit.
pub(super) fn validate_mx_curp(secret: &[u8]) -> bool {
    if secret.len() != 18
        || !secret[..4].iter().all(u8::is_ascii_uppercase)
        || !secret[4..10].iter().all(u8::is_ascii_digit)
        || !matches!(secret[10], b'H' | b'M' | b'X')
        || !secret[11..16].iter().all(u8::is_ascii_uppercase)
        || !secret[16].is_ascii_alphanumeric()
        || secret[16].is_ascii_lowercase()
    {
        return false;
    }
    let (yy, mm, dd) =
        (two(&secret[4..6]), two(&secret[6..8]), two(&secret[8..10]));
    // The homoclave is a digit for births before 2000, a letter after.
    let year = if secret[16].is_ascii_digit() { 1900 + yy } else { 2000 + yy };
    valid_date(year, mm, dd)
        && mx_curp_check_digit(&secret[..17]) == secret[17]
}

#[cfg(test)]
mod tests {
    use super::super::TestRng;
    use super::*;

    /// Appends generated check bytes to `body`.
    fn with(body: &str, check: &[u8]) -> String {
        format!("{body}{}", std::str::from_utf8(check).unwrap())
    }

    #[test]
    fn jp_my_number() {
        // 12345678901: weighted sum 212, 212 mod 11 = 3, check 11 - 3.
        assert_eq!(jp_my_number_check_digit(b"12345678901"), b'8');
        let id =
            with("12345678901", &[jp_my_number_check_digit(b"12345678901")]);
        check_table!(validate_jp_my_number;
            id.as_str() => true,
            format!("{} {} {}", &id[..4], &id[4..8], &id[8..]) => true,
            with("12345678901", b"0") => false,
            "1234567890" => false,
            "111111111111" => false,
            "" => false,
        );
        // r <= 1 gives 0.
        let mut rng = TestRng::new(8);
        for _ in 0..500 {
            let body = rng.digits(11);
            let c = jp_my_number_check_digit(&body);
            assert!(c.is_ascii_digit());
            let mut id = body.clone();
            id.push(c);
            assert!(validate_jp_my_number(&id) || all_same(&id));
        }
    }

    #[test]
    fn br_cpf() {
        // Widely published valid test CPF: 529.982.247-25.
        assert_eq!(br_cpf_check_digits(b"529982247"), *b"25");
        check_table!(validate_br_cpf;
            "529.982.247-25" => true,
            "52998224725" => true,
            "529.982.247-26" => false,
            "111.111.111-11" => false,
            "529.982.247-2" => false,
            "529/982/247-25" => false,
            "" => false,
        );
    }

    #[test]
    fn br_cnpj() {
        // Widely published valid test CNPJ: 11.222.333/0001-81.
        assert_eq!(br_cnpj_check_digits(b"112223330001"), *b"81");
        // Alphanumeric format (2026): letters count as ASCII - 48.
        let alnum =
            with("12ABC34501DE", &br_cnpj_check_digits(b"12ABC34501DE"));
        check_table!(validate_br_cnpj;
            "11.222.333/0001-81" => true,
            "11222333000181" => true,
            alnum.as_str() => true,
            "11.222.333/0001-82" => false,
            "00.000.000/0000-00" => false,
            "11.222.333/0001-8" => false,
            "11.222.333/0001-8A" => false,
            "11.222.333\\0001-81" => false,
            "" => false,
        );
    }

    #[test]
    fn es_dni() {
        // 12345678 mod 23 = 14 -> Z; X1234567 -> 1234567 mod 23 = 19 -> L.
        assert_eq!(es_dni_letter(b"12345678"), Some(b'Z'));
        assert_eq!(es_dni_letter(b"X1234567"), Some(b'L'));
        assert_eq!(
            es_dni_letter(b"Y1234567"),
            Some(DNI_LETTERS[11234567 % 23])
        );
        assert_eq!(es_dni_letter(b"1234567"), None);
        assert_eq!(es_dni_letter(b"A1234567"), None);
        assert_eq!(es_dni_letter(b""), None);
        check_table!(validate_es_dni;
            "12345678Z" => true,
            "12345678-Z" => true,
            "12345678 Z" => true,
            "X1234567L" => true,
            "12345678A" => false,
            "12345678z" => false,
            "1234567Z" => false,
            "00000000T" => false,
            "" => false,
            "Z" => false,
        );
    }

    #[test]
    fn nl_bsn() {
        // Random numbers that pass the elfproef.
        let mut rng = TestRng::new(31);
        let mut found = Vec::new();
        while found.len() < 20 {
            let d = rng.digits(9);
            let sum = weighted(&d[..8], &[9, 8, 7, 6, 5, 4, 3, 2]);
            if sum % 11 < 10 && digit(d[8]) == sum % 11 && !all_same(&d) {
                found.push(d);
            }
        }
        for d in &found {
            assert!(validate_nl_bsn(d));
            let mut bad = d.clone();
            bad[8] = b'0' + ((digit(bad[8]) + 1) % 10) as u8;
            assert!(!validate_nl_bsn(&bad));
        }
        check_table!(validate_nl_bsn;
            "111222333" => true,
            "123456782" => true,
            "1234.56.782" => true,
            "123456781" => false,
            "000000000" => false,
            "12345678" => false,
            "" => false,
        );
    }

    #[test]
    fn pl_pesel() {
        // Published structure example: born 1944-05-14, PESEL 44051401359.
        assert_eq!(pl_pesel_check_digit(b"4405140135"), b'9');
        let y2k = with("0221150123", &[pl_pesel_check_digit(b"0221150123")]);
        check_table!(validate_pl_pesel;
            "44051401359" => true,
            y2k.as_str() => true,
            "44051401358" => false,
            "44133101359" => false,
            "44023001354" => false,
            "4405140135" => false,
            "" => false,
        );
    }

    #[test]
    fn de_tax_id() {
        // Published example numbers: 86095742719 and 65929970489.
        check_table!(validate_de_tax_id;
            "86095742719" => true,
            "65929970489" => true,
            "86095742718" => false,
            "06095742719" => false,
            "12345678903" => false,
            "11122233344" => false,
            "8609574271" => false,
            "" => false,
        );
        assert_eq!(de_tax_id_check_digit(b"8609574271"), b'9');
    }

    #[test]
    fn au_tfn() {
        // 123 456 782: 1+8+9+28+25+48+42+72+20 = 253 = 23 * 11.
        check_table!(validate_au_tfn;
            "123456782" => true,
            "123 456 782" => true,
            "123456783" => false,
            "12345678" => false,
            "000000000" => false,
            "" => false,
        );
    }

    #[test]
    fn fr_nir() {
        // 1 84 12 76 451 089: key 97 - (1841276451089 mod 97).
        let body = "1841276451089";
        let key = fr_nir_key(body.as_bytes()).unwrap();
        let n: u64 = body.parse().unwrap();
        assert_eq!(
            u64::from(key[0] - b'0') * 10 + u64::from(key[1] - b'0'),
            97 - n % 97
        );
        let nir = with(body, &key);
        let corsica =
            with("284052A123456", &fr_nir_key(b"284052A123456").unwrap());
        let spaced = format!(
            "{} {} {} {} {} {} {}",
            &nir[..1],
            &nir[1..3],
            &nir[3..5],
            &nir[5..7],
            &nir[7..10],
            &nir[10..13],
            &nir[13..]
        );
        check_table!(validate_fr_nir;
            nir.as_str() => true,
            spaced.as_str() => true,
            corsica.as_str() => true,
            with("5841276451089", &key) => false,
            with("1841576451089", &fr_nir_key(b"1841576451089").unwrap()) => false,
            format!("{}{}", &nir[..13], "00") => false,
            "18412764510" => false,
            "" => false,
        );
        assert_eq!(fr_nir_key(b"184127645108"), None);
        assert_eq!(fr_nir_key(b"1841276C51089"), None);
    }

    #[test]
    fn uk_nhs() {
        // Published example: 943 476 5919.
        assert_eq!(uk_nhs_check_digit(b"943476591"), Some(b'9'));
        check_table!(validate_uk_nhs;
            "9434765919" => true,
            "943 476 5919" => true,
            "943-476-5919" => true,
            "9434765918" => false,
            "0000000000" => false,
            "943476591" => false,
            "" => false,
        );
        // A sum whose check would be 10 has no valid number.
        let mut rng = TestRng::new(4);
        for _ in 0..500 {
            let d = rng.digits(9);
            if uk_nhs_check_digit(&d).is_none() {
                for c in b'0'..=b'9' {
                    let mut id = d.clone();
                    id.push(c);
                    assert!(!validate_uk_nhs(&id));
                }
            }
        }
    }

    #[test]
    fn it_fiscal_code() {
        // Widely published sample: RSSMRA85T10A562S.
        assert_eq!(it_fiscal_code_check_char(b"RSSMRA85T10A562"), b'S');
        check_table!(validate_it_fiscal_code;
            "RSSMRA85T10A562S" => true,
            "RSSMRA85T10A562T" => false,
            "RSSMRA85Z10A562S" => false,
            "RSSMRA85T99A562S" => false,
            "rssmra85t10a562s" => false,
            "RSSMRA85T10A562" => false,
            "" => false,
        );
        // Omocodia: digits replaced by letters keep a valid code.
        let omo = "RSSMRA85T10A56N";
        let code = with(omo, &[it_fiscal_code_check_char(omo.as_bytes())]);
        assert!(validate_it_fiscal_code(code.as_bytes()));
    }

    #[test]
    fn mx_curp() {
        let body = "GOMA900515HDFRRN0";
        let curp = with(body, &[mx_curp_check_digit(body.as_bytes())]);
        let body2k = "LOPM040229MJCPRRA";
        let curp2k = with(body2k, &[mx_curp_check_digit(body2k.as_bytes())]);
        let mut wrong = curp.clone().into_bytes();
        wrong[17] = if wrong[17] == b'0' { b'1' } else { b'0' };
        check_table!(validate_mx_curp;
            curp.as_str() => true,
            curp2k.as_str() => true,
            wrong => false,
            with("GOMA900230HDFRRN0", &[mx_curp_check_digit(b"GOMA900230HDFRRN0")]) => false,
            with("GOMA900515ZDFRRN0", &[mx_curp_check_digit(b"GOMA900515ZDFRRN0")]) => false,
            &curp[..17] => false,
            "" => false,
        );
    }

    #[test]
    fn nothing_panics_on_junk() {
        let mut rng = TestRng::new(99);
        for len in 0..40 {
            for _ in 0..50 {
                let v: Vec<u8> =
                    (0..len).map(|_| rng.below(256) as u8).collect();
                let _ = validate_jp_my_number(&v);
                let _ = validate_br_cpf(&v);
                let _ = validate_br_cnpj(&v);
                let _ = validate_es_dni(&v);
                let _ = validate_nl_bsn(&v);
                let _ = validate_pl_pesel(&v);
                let _ = validate_de_tax_id(&v);
                let _ = validate_au_tfn(&v);
                let _ = validate_fr_nir(&v);
                let _ = validate_uk_nhs(&v);
                let _ = validate_it_fiscal_code(&v);
                let _ = validate_mx_curp(&v);
                let _ = jp_my_number_check_digit(&v);
                let _ = br_cpf_check_digits(&v);
                let _ = br_cnpj_check_digits(&v);
                let _ = es_dni_letter(&v);
                let _ = pl_pesel_check_digit(&v);
                let _ = de_tax_id_check_digit(&v);
                let _ = fr_nir_key(&v);
                let _ = uk_nhs_check_digit(&v);
                let _ = it_fiscal_code_check_char(&v);
                let _ = mx_curp_check_digit(&v);
            }
        }
    }
}
