//! Fuzz target 2: classification and every rule on one document, then every renderer;
//! the properties are in `props/lint.rs`.
#![no_main]

#[path = "common.rs"]
mod common;
#[path = "props/lint.rs"]
mod lint;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        lint::check(text, true);
    }
});
