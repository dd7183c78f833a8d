//! Rule files from arbitrary text: loading never panics, and a rule set
//! that loads compiles and runs its own examples without panicking.
#![no_main]

use leakguard::{check_examples, RuleSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match RuleSet::from_toml("fuzz.toml", text) {
        Ok(rules) => {
            let _ = check_examples(&rules);
        }
        // Every error names something: never an empty message.
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
