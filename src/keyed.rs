//! Keyed fingerprints of secrets.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::finding::Fingerprint;

/// The key of the HMAC that fingerprints secrets.
///
/// Fingerprints made with one key can be compared (the same secret gives
/// the same fingerprint), while anyone without the key cannot test guesses
/// against them, which matters for short values such as phone numbers. The
/// command-line tool keeps one key per install; a library user should do the
/// same when fingerprints must be stable across runs. The default key is
/// random per process.
#[derive(Clone)]
pub struct FingerprintKey {
    key: [u8; 32],
    /// The HMAC with the key already absorbed: cloning it saves hashing
    /// the padded key twice per finding.
    mac: Hmac<Sha256>,
}

impl FingerprintKey {
    /// A key from 32 bytes of caller-provided material.
    pub fn from_bytes(key: [u8; 32]) -> FingerprintKey {
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(&key)
            .expect("HMAC accepts keys of any length");
        FingerprintKey { key, mac }
    }

    /// A fresh random key from the operating system's generator.
    ///
    /// # Panics
    ///
    /// When the operating system has no random source, which no supported
    /// platform lacks.
    pub fn random() -> FingerprintKey {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key)
            .expect("the operating system provides random bytes");
        FingerprintKey::from_bytes(key)
    }

    /// The raw key bytes, for storing the key.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// A key from exactly 64 hex digits, as [`FingerprintKey::to_hex`]
    /// writes it; `None` for anything else.
    pub fn from_hex(hex: &str) -> Option<FingerprintKey> {
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, k) in key.iter_mut().enumerate() {
            *k = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(FingerprintKey::from_bytes(key))
    }

    /// The key as 64 lowercase hex digits, for key files and baselines.
    pub fn to_hex(&self) -> String {
        self.key.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A subkey for one purpose, independent of the key's other uses:
    /// HMAC-SHA256(key, "leakguard subkey" ‖ 0 ‖ `label`), HMAC used as
    /// the key-derivation function (as HKDF's expand step does).
    pub(crate) fn derive(&self, label: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(b"leakguard subkey\0");
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The fingerprint of `secret` found by rule `rule_id`.
    pub fn fingerprint(&self, rule_id: &str, secret: &[u8]) -> Fingerprint {
        let mut mac = self.mac.clone();
        mac.update(rule_id.as_bytes());
        mac.update(&[0]);
        mac.update(secret);
        let tag = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&tag[..16]);
        Fingerprint(out)
    }
}

impl Default for FingerprintKey {
    fn default() -> FingerprintKey {
        FingerprintKey::random()
    }
}

impl fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FingerprintKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_fingerprint_other_key_differs() {
        let a = FingerprintKey::from_bytes([7; 32]);
        let b = FingerprintKey::from_bytes([8; 32]);
        let fa = a.fingerprint("r", b"secret");
        assert_eq!(fa, a.fingerprint("r", b"secret"));
        assert_ne!(fa, b.fingerprint("r", b"secret"));
        assert_ne!(fa, a.fingerprint("q", b"secret"));
        // The separator keeps ("r", "1secret") and ("r1", "secret") apart.
        assert_ne!(
            a.fingerprint("r1", b"secret"),
            a.fingerprint("r", b"1secret")
        );
        assert_eq!(fa.to_string().len(), 32);
    }

    #[test]
    fn subkeys_differ_by_label_and_key() {
        let a = FingerprintKey::from_bytes([7; 32]);
        let b = FingerprintKey::from_bytes([8; 32]);
        assert_eq!(a.derive("x"), a.derive("x"));
        assert_ne!(a.derive("x"), a.derive("y"));
        assert_ne!(a.derive("x"), b.derive("x"));
        assert_ne!(&a.derive("x"), a.as_bytes());
    }

    #[test]
    fn hex_round_trip() {
        let k = FingerprintKey::random();
        let back = FingerprintKey::from_hex(&k.to_hex()).unwrap();
        assert_eq!(back.as_bytes(), k.as_bytes());
        assert!(FingerprintKey::from_hex(&"g".repeat(64)).is_none());
        assert!(FingerprintKey::from_hex(&"a".repeat(63)).is_none());
    }

    #[test]
    fn debug_hides_the_key() {
        let k = FingerprintKey::from_bytes([0x41; 32]);
        assert!(!format!("{k:?}").contains("65"));
        assert!(!format!("{k:?}").contains('A'));
    }
}
