//! The built-in rule packs, embedded from `patterns/*.toml` by `build.rs`.

/// `(file name, TOML text)` of every built-in pack, sorted by name.
pub(crate) static FILES: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// `(id, longest match or 0 if unbounded, capture groups, can match empty)`
/// of every built-in pattern, worked out by `build.rs` with the same parser
/// settings as `rules::compile`, so start-up need not parse 600 regexes.
pub(crate) static SHAPES: &[(&str, usize, usize, bool)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_shapes.rs"));

/// The precomputed shape of a built-in rule.
pub(crate) fn shape(id: &str) -> Option<(usize, usize, bool)> {
    static INDEX: std::sync::OnceLock<
        std::collections::HashMap<&'static str, (usize, usize, bool)>,
    > = std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| {
            SHAPES.iter().map(|&(id, m, g, e)| (id, (m, g, e))).collect()
        })
        .get(id)
        .copied()
}
