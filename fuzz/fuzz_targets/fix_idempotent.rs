//! Fuzz target 3: `--fix` on one document.
//!
//! Properties: without an applied fix the text is unchanged; with one, the fixed text has
//! no more syntax issues than the original, no fixed rule fires more often than before,
//! and a second fix pass is a no-op (unless the first stopped at its pass limit).
#![no_main]

#[path = "common.rs"]
mod common;

use cmklint::diagnostic::Diagnostic;
use cmklint::{engine, fix, json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The fixer works on the text without its BOM, as the engine hands it over.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let path = common::doc_path();
    // The AWS config: the splice fixes live in key policies.
    let config = &common::configs()[1];
    let lint = |t: &str| engine::lint_text(&path, t, config);

    let first = fix::fix_text(text, &lint);
    if first.applied.is_empty() {
        assert_eq!(first.text, text, "text changed without an applied fix");
        return;
    }
    let issues_before = json::parse(text).issues.len();
    let issues_after = json::parse(&first.text).issues.len();
    assert!(
        issues_after <= issues_before,
        "fixing raised syntax issues from {issues_before} to {issues_after}: {:?}",
        first.applied
    );
    let before = lint(text);
    let after = lint(&first.text);
    let count = |ds: &[Diagnostic], rule: &str| ds.iter().filter(|d| d.rule == rule).count();
    for a in &first.applied {
        assert!(
            count(&after, a.rule) <= count(&before, a.rule),
            "`{}` fires more often after its fix",
            a.rule
        );
    }
    if first.passes < fix::MAX_PASSES {
        let second = fix::fix_text(&first.text, &lint);
        assert!(
            second.applied.is_empty() && second.text == first.text,
            "second fix pass is not a no-op: {:?}",
            second.applied
        );
    }
});
