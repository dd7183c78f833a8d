//! The built-in rule packs, embedded from `patterns/*.toml` by `build.rs`.

use super::shape::GroupShape;

/// `(file name, TOML text, the same as JSON)` of every built-in pack, sorted
/// by name. `build.rs` writes the JSON (empty if the TOML does not parse),
/// which start-up parses several times faster than the TOML.
pub(crate) static FILES: &[(&str, &str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// `(id, longest match or 0 if unbounded, capture groups, can match empty,
/// secret group, the bytes it may hold, its shortest and longest length (0
/// if unbounded), the bytes right before and after it)` of every built-in pattern, worked out by `build.rs`
/// with the same parser settings as `rules::compile`, so start-up need not
/// parse 600 regexes.
type ShapeRow = (
    &'static str,
    usize,
    usize,
    bool,
    usize,
    [u64; 4],
    usize,
    usize,
    [u64; 4],
    [u64; 4],
);
static SHAPES: &[ShapeRow] =
    include!(concat!(env!("OUT_DIR"), "/builtin_shapes.rs"));

/// What build.rs worked out of a built-in pattern.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    /// Longest match, 0 if unbounded.
    pub(crate) max: usize,
    pub(crate) groups: usize,
    pub(crate) empty: bool,
    /// The secret group `secret` describes.
    pub(crate) group: usize,
    pub(crate) secret: GroupShape,
}

/// The precomputed shape of a built-in rule.
pub(crate) fn shape(id: &str) -> Option<Shape> {
    static INDEX: std::sync::OnceLock<
        std::collections::HashMap<&'static str, Shape>,
    > = std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| {
            SHAPES
                .iter()
                .map(
                    |&(
                        id,
                        max,
                        groups,
                        empty,
                        group,
                        bytes,
                        least,
                        most,
                        b,
                        a,
                    )| {
                        let secret = GroupShape {
                            bytes,
                            least,
                            most,
                            before: b,
                            after: a,
                        };
                        (id, Shape { max, groups, empty, group, secret })
                    },
                )
                .collect()
        })
        .get(id)
        .copied()
}
