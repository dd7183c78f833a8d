//! The built-in rule packs, embedded from `patterns/*.toml` by `build.rs`.

/// `(file name, TOML text)` of every built-in pack, sorted by name.
pub(crate) static FILES: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
