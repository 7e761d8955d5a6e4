//! Fuzz target 3: `--fix` on one document; the properties are in `props/fix.rs`.
#![no_main]

#[path = "common.rs"]
mod common;
#[path = "props/fix.rs"]
mod fix;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        fix::check(text);
    }
});
