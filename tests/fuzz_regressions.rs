//! Inputs the fuzz targets (`fuzz/`, run by `scripts/fuzz.sh`) found to crash cmklint,
//! kept so the bugs stay fixed. Each runs the same checks as the target that found it:
//! the parser and the string-literal map on it, and the whole lint with every format.

use std::path::Path;

use cmklint::config::Config;
use cmklint::engine;
use cmklint::json;
use cmklint::render::{self, Format, RenderOptions};
use cmklint::source::Span;

/// (what the bug was, input).
const CRASHERS: &[(&str, &str)] = &[
    (
        // json_parse: a high surrogate escape followed by an escape that is not a low
        // surrogate overflowed the code point arithmetic (parser and literal map).
        "high surrogate followed by another high surrogate",
        "\"\\uDBDD\\uDBDD\\uD",
    ),
    (
        "high surrogate followed by another high surrogate, closed",
        "\"\\uDBDD\\uDBDD\"",
    ),
];

const FORMATS: [Format; 6] = [
    Format::Full,
    Format::Concise,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Gitlab,
];

fn spans_ok(text: &str, span: Span) -> bool {
    span.start <= span.end
        && span.end <= text.len()
        && text.is_char_boundary(span.start)
        && text.is_char_boundary(span.end)
}

#[test]
fn fuzz_crashers_are_handled() {
    for (what, input) in CRASHERS {
        let parsed = json::parse(input);
        assert!(
            parsed.root.is_some() || !parsed.issues.is_empty(),
            "{what}: no tree and no issue"
        );
        for issue in &parsed.issues {
            assert!(
                spans_ok(input, issue.span),
                "{what}: issue span {:?}",
                issue.span
            );
        }
        // The literal map decodes a string as the parser does.
        if let Some(root) = &parsed.root {
            if let (Some(s), Some(d)) =
                (root.as_str(), json::decode_string_literal(input, root.span))
            {
                assert_eq!(d.text, s, "{what}: literal map and parser disagree");
            }
        }
        let config = Config::default();
        let diags = engine::lint_text(Path::new("policy.json"), input, &config);
        for format in FORMATS {
            let _ = render::render(format, &diags, RenderOptions { color: false });
        }
    }
}

#[test]
fn lone_surrogates_decode_to_replacement_characters() {
    let text = "\"\\uDBDD\\uDBDD\"";
    let parsed = json::parse(text);
    let root = parsed.root.as_ref().and_then(|r| r.as_str());
    // Whatever the parser makes of it, it is not a panic and the map agrees.
    if let Some(s) = root {
        assert!(s.chars().all(|c| c == '\u{fffd}'), "{s:?}");
        let d = json::decode_string_literal(text, Span::new(0, text.len()));
        assert_eq!(d.map(|d| d.text).as_deref(), Some(s));
    } else {
        assert!(!parsed.issues.is_empty());
    }
}
