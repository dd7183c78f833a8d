//! The built-in rule packs, embedded from `patterns/*.toml` by `build.rs`.

use regex_automata::{dfa::dense::DFA, util::wire::AlignAs};

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

/// A window DFA serialized little-endian, aligned for `DFA::from_bytes`.
type Serialized = AlignAs<[u8], u32>;

/// `(id, pattern, window DFA)` of the built-in rules that have one
/// (`super::window_dfa`).
static DFAS: &[(&str, &str, &Serialized)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_dfas.rs"));

/// The window DFA build.rs made of `pattern` for the built-in rule `id`;
/// `None` when there is none, the rule's pattern is not that one (a user's
/// rule with a built-in id), or the bytes do not deserialize (a big-endian
/// target), which only costs the check it would have made.
pub(crate) fn window_dfa(
    id: &str,
    pattern: &str,
) -> Option<DFA<&'static [u32]>> {
    type Index = std::collections::HashMap<
        &'static str,
        (&'static str, &'static Serialized),
    >;
    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    let index = INDEX
        .get_or_init(|| DFAS.iter().map(|&(i, p, d)| (i, (p, d))).collect());
    let &(stored, bytes) = index.get(id)?;
    if stored != pattern {
        return None;
    }
    DFA::from_bytes(&bytes.bytes).ok().map(|(dfa, _)| dfa)
}
