//! Properties of classification and every rule on one document, then every renderer
//! (fuzz target `lint_document`, and `splice_search` without the renderers).
//!
//! The text is linted under the default config and under one config per cloud (region,
//! account / principal / service accounts, generated statements). On any text: no panic;
//! every diagnostic has a known rule id, a message, and spans (primary, labels, fix edits)
//! inside its file's text on character boundaries; every output format renders; JSON and
//! SARIF output are valid JSON.

use cmklint::diagnostic::Diagnostic;
use cmklint::engine;
use cmklint::render::{self, Format, RenderOptions};
use cmklint::rules;
use cmklint::source::Span;

use super::common;

const FORMATS: [Format; 6] = [
    Format::Full,
    Format::Concise,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Gitlab,
];

/// Lints `text` under every fuzz config and checks each finding; with `render`, also
/// renders every output format (the slow part).
pub fn check(text: &str, render: bool) {
    let path = common::doc_path();
    let mut rendered_all = false;
    for config in common::configs() {
        let diags = engine::lint_text(&path, text, config);
        for d in &diags {
            check_diagnostic(d);
        }
        if diags.is_empty() || !render {
            continue;
        }
        // Every format once per input (SARIF carries every rule's documentation and is
        // slow to build); the cheap ones for every config's result.
        let formats: &[Format] = if rendered_all {
            &FORMATS[1..3]
        } else {
            &FORMATS
        };
        let colors: &[bool] = if rendered_all {
            &[false]
        } else {
            &[false, true]
        };
        for &format in formats {
            for &color in colors {
                let out = render::render(format, &diags, RenderOptions { color });
                if matches!(format, Format::Json | Format::Sarif | Format::Gitlab) {
                    if let Err(e) = serde_json::from_str::<serde_json::Value>(&out) {
                        panic!("{format:?} output is not JSON: {e}");
                    }
                }
            }
        }
        rendered_all = true;
    }
}

fn check_diagnostic(d: &Diagnostic) {
    assert!(
        rules::find(d.rule).is_some()
            || d.rule == engine::IO_ERROR
            || d.rule == engine::CONFIG_ERROR,
        "unknown rule id {}",
        d.rule
    );
    assert!(!d.message.is_empty(), "{}: empty message", d.rule);
    let Some(file) = &d.file else {
        panic!("{}: diagnostic without a file", d.rule);
    };
    let text = &file.text;
    in_text(text, d.span, d.rule, "primary");
    for l in &d.labels {
        in_text(text, l.span, d.rule, "label");
    }
    if let Some(fix) = &d.fix {
        for e in &fix.edits {
            in_text(text, e.span, d.rule, "fix edit");
        }
    }
}

fn in_text(text: &str, span: Span, rule: &str, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{rule}: {what} span {span:?} outside text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{rule}: {what} span {span:?} not on char boundaries"
    );
}
