//! The code tokenizer on arbitrary bytes: every step moves forward within
//! bounds, and each step sees no more than the bytes the stream keeps
//! (one before, `LOOKAHEAD` after), so stream and buffer tokenize alike.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(broken) = leakguard::check_tokenizer(data) {
        panic!("{broken}");
    }
});
