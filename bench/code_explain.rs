//! Diagnostics for `bench/code_eval.py --diagnose`: for each line
//! `QUERY_FILE<TAB>ORIGIN_PATH_HASH` on stdin (the hash may be empty),
//! prints what the code index `INDEX` made of the query, as one JSON
//! object per line.

use std::{
    io::{self, BufRead, Write},
    path::Path,
};

use leakguard::{explain_code, CodeIndex};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: code_explain INDEX")?;
    let index = CodeIndex::load(Path::new(&path))?;
    // File ids by the path hash in their label.
    let mut by_hash = std::collections::HashMap::new();
    for id in 0..index.files() as u32 {
        let label = index.file_label(id).unwrap_or_default();
        if let Some(h) = label.split("sha256:").nth(1) {
            by_hash.insert(h.trim_end_matches(')').to_string(), id);
        }
    }
    let mut out = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let line = line?;
        let (file, hash) = line.split_once('\t').unwrap_or((&line, ""));
        let hay = std::fs::read(file)?;
        let origin = by_hash.get(hash).copied();
        let e = explain_code(&index, &hay, origin);
        writeln!(
            out,
            "{{\"file\": {:?}, \"origin_known\": {}, \"tokens\": {}, \
             \"kgrams\": {}, \"tables\": {}, \"hits\": {}, \
             \"origin_hits\": {}, \"origin_chain\": {}, \
             \"best_tokens\": {}, \"best_share\": {}, \
             \"best_has_origin\": {}}}",
            file,
            origin.is_some(),
            e.tokens,
            e.kgrams,
            e.tables,
            e.hits,
            e.origin_hits,
            e.origin_chain,
            e.best_tokens,
            f64::from(e.best_share_permille) / 1000.0,
            e.best_has_origin
        )?;
    }
    Ok(())
}
