//! The built-in rule packs, embedded from `patterns/*.toml` by `build.rs`.

use super::shape::GroupShape;

/// `(file name, TOML text, the same as JSON)` of every built-in pack, sorted
/// by name. `build.rs` writes the JSON (empty if the TOML does not parse),
/// which start-up parses several times faster than the TOML.
pub(crate) static FILES: &[(&str, &str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// What build.rs worked out of a built-in pattern, with the same parser
/// settings as `rules::compile`, so start-up need not parse 600 regexes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    /// Longest match, 0 if unbounded.
    pub(crate) max: usize,
    /// Explicit capture groups.
    pub(crate) groups: usize,
    /// Whether the pattern can match the empty string.
    pub(crate) empty: bool,
    /// The secret group `secret` describes.
    pub(crate) group: usize,
    pub(crate) secret: GroupShape,
    /// A digit rule's lead literals ([`super::shape::lead_literals`]);
    /// empty for keyword rules, which do not use them.
    pub(crate) lead: &'static [&'static str],
}

/// `(id, shape)` of every built-in pattern.
static SHAPES: &[(&str, Shape)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_shapes.rs"));

/// The precomputed shape of a built-in rule.
pub(crate) fn shape(id: &str) -> Option<Shape> {
    static INDEX: std::sync::OnceLock<
        std::collections::HashMap<&'static str, Shape>,
    > = std::sync::OnceLock::new();
    INDEX.get_or_init(|| SHAPES.iter().copied().collect()).get(id).copied()
}
