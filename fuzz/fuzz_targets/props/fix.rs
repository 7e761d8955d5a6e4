//! Properties of `--fix` on one document (fuzz target `fix_idempotent`, and
//! `splice_search`).
//!
//! Properties, pass by pass: without an applied fix the text is unchanged; with one, the
//! fixed text has no more syntax issues than the pass started from, and no rule fixed in
//! the pass fires more often than before it. A second run over a whole run's output is a
//! no-op (unless the first stopped at its pass limit).

use cmklint::diagnostic::Diagnostic;
use cmklint::{engine, fix, json};

use super::common;

/// Fixes `text` pass by pass and as a whole, as a key policy under the AWS fuzz config.
pub fn check(text: &str) {
    // The fixer works on the text without its BOM, as the engine hands it over.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let path = common::doc_path();
    // The AWS config: the splice fixes live in key policies.
    let config = &common::configs()[1];
    let lint = |t: &str| engine::lint_text(&path, t, config);

    // Pass by pass, as `fix_text` runs them: a syntax fix may change how the parser
    // recovers the rest of a broken document and bring other rules' findings to light, so
    // "fires no more often" holds for each pass, against the text that pass started from.
    let count = |ds: &[Diagnostic], rule: &str| ds.iter().filter(|d| d.rule == rule).count();
    let mut current = text.to_string();
    for _ in 0..fix::MAX_PASSES {
        let step = fix::fix_text_passes(&current, &lint, 1);
        if step.applied.is_empty() {
            assert_eq!(step.text, current, "text changed without an applied fix");
            break;
        }
        let issues_before = json::parse(&current).issues.len();
        let issues_after = json::parse(&step.text).issues.len();
        assert!(
            issues_after <= issues_before,
            "fixing raised syntax issues from {issues_before} to {issues_after}: {:?}",
            step.applied
        );
        let before = lint(&current);
        let after = lint(&step.text);
        for a in &step.applied {
            assert!(
                count(&after, a.rule) <= count(&before, a.rule),
                "`{}` fires more often after its fix",
                a.rule
            );
        }
        current = step.text;
    }
    // Fixing what a whole run left is a no-op.
    let whole = fix::fix_text(text, &lint);
    if whole.passes < fix::MAX_PASSES {
        let second = fix::fix_text(&whole.text, &lint);
        assert!(
            second.applied.is_empty() && second.text == whole.text,
            "second fix pass is not a no-op: {:?}",
            second.applied
        );
    }
}
