//! Embeds every `patterns/*.toml` rule pack into the crate.
//!
//! Writing the list here, rather than by hand in `src/rules/builtin.rs`,
//! means a new pack file is picked up without touching Rust code.

use std::{env, fs, path::PathBuf};

#[allow(dead_code)]
#[path = "src/rules/shape.rs"]
mod shape;

#[path = "src/rules/window_dfa.rs"]
mod window_dfa;

fn main() {
    println!("cargo:rerun-if-changed=patterns");
    println!("cargo:rerun-if-changed=src/rules/shape.rs");
    println!("cargo:rerun-if-changed=src/rules/window_dfa.rs");
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("patterns");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("patterns/ must exist")
        .map(|e| e.expect("readable patterns/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    // builtin_rules.rs: (name, TOML text, the same as JSON or "" if it
    // does not parse); the TOML stays the source and what errors are
    // reported against. builtin_shapes.rs: (id, `Shape`) of every built-in
    // rule whose pattern parses; anything else is left to the run-time
    // parse, which reports errors. builtin_dfas.rs: (id, pattern, the
    // window DFA serialized little-endian) of every built-in digit rule
    // whose DFA is small enough (`window_dfa::build`).
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let mut out = String::from("&[\n");
    let mut shapes = String::from("&[\n");
    let mut dfas = String::from("&[\n");
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        let text = fs::read_to_string(path).expect("readable rule file");
        let table = toml::from_str::<toml::Table>(&text).ok();
        let json = table
            .as_ref()
            .and_then(|t| serde_json::to_string(t).ok())
            .unwrap_or_default();
        let json_path = out_dir.join(format!("{name}.json"));
        fs::write(&json_path, json).expect("write a pack's JSON");
        out.push_str(&format!(
            "    ({:?}, include_str!({:?}), include_str!({:?})),\n",
            format!("patterns/{name}"),
            path.display().to_string(),
            json_path.display().to_string(),
        ));
        let rules = table.as_ref().and_then(|t| t.get("rule"));
        for rule in rules.and_then(|r| r.as_array()).into_iter().flatten() {
            let (Some(id), Some(pattern)) = (
                rule.get("id").and_then(|v| v.as_str()),
                rule.get("pattern").and_then(|v| v.as_str()),
            ) else {
                continue;
            };
            let digits = rule.get("prefilter").and_then(|v| v.as_str())
                == Some("digits");
            if let Some(dfa) =
                digits.then(|| window_dfa::build(pattern)).flatten()
            {
                let (bytes, pad) = dfa.to_bytes_little_endian();
                let path = out_dir.join(format!("window-dfa-{id}.bin"));
                fs::write(&path, &bytes[pad..]).expect("write a window DFA");
                dfas.push_str(&format!(
                    "    ({id:?}, {pattern:?}, &AlignAs {{ _align: [], \
                     bytes: *include_bytes!({:?}) }}),\n",
                    path.display().to_string(),
                ));
            }
            let Ok(hir) = shape::parse(pattern) else { continue };
            let props = hir.properties();
            let group = rule
                .get("secret_group")
                .and_then(|v| v.as_integer())
                .and_then(|g| usize::try_from(g).ok())
                .unwrap_or(0);
            let Some(g) = shape::group_shape(&hir, group) else { continue };
            let lead =
                if digits { shape::lead_literals(&hir) } else { Vec::new() };
            shapes.push_str(&format!(
                "    ({id:?}, Shape {{ max: {}, groups: {}, empty: {}, \
                 group: {group}, secret: GroupShape {{ bytes: {:?}, \
                 least: {}, before: {:?}, after: {:?} }}, lead: &{:?} }}),\n",
                props.maximum_len().unwrap_or(0),
                props.explicit_captures_len(),
                props.minimum_len() == Some(0),
                g.bytes,
                g.least,
                g.before,
                g.after,
                lead,
            ));
        }
    }
    out.push_str("]\n");
    fs::write(out_dir.join("builtin_rules.rs"), out)
        .expect("write builtin_rules.rs");
    shapes.push_str("]\n");
    fs::write(out_dir.join("builtin_shapes.rs"), shapes)
        .expect("write builtin_shapes.rs");
    dfas.push_str("]\n");
    fs::write(out_dir.join("builtin_dfas.rs"), dfas)
        .expect("write builtin_dfas.rs");
}
