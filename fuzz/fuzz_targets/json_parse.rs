//! Fuzz target 1: the span-keeping JSON parser with its splice analysis; the properties
//! are in `props/parse.rs`.
#![no_main]

#[path = "props/parse.rs"]
mod parse;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        parse::check(text);
    }
});
