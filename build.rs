//! Embeds every `patterns/*.toml` rule pack into the crate.
//!
//! Writing the list here, rather than by hand in `src/rules/builtin.rs`,
//! means a new pack file is picked up without touching Rust code.

use std::{env, fs, path::PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=patterns");
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("patterns");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("patterns/ must exist")
        .map(|e| e.expect("readable patterns/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        out.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            format!("patterns/{name}"),
            path.display().to_string()
        ));
    }
    out.push_str("]\n");
    let dest =
        PathBuf::from(env::var("OUT_DIR").unwrap()).join("builtin_rules.rs");
    fs::write(dest, out).expect("write builtin_rules.rs");
}
