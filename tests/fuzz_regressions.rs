//! Inputs the fuzz targets (`fuzz/`, run by `scripts/fuzz.sh`) found to crash cmklint,
//! kept so the bugs stay fixed. Each runs the same checks as the target that found it:
//! the parser and the string-literal map on it, and the whole lint with every format.

use std::path::Path;

use cmklint::config::Config;
use cmklint::engine;
use cmklint::fix;
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
    (
        // json_parse: the literal map decoded a lone low surrogate to U+FFFD while the
        // parser keeps the escape's text (and reports it).
        "lone low surrogate",
        "\"\\uDDDD\"",
    ),
    (
        // json_parse: the "document ends here" label took the last byte of a document
        // ending in a multi-byte `”`, a span inside that character.
        "document ending in a smart quote, then more text",
        "\t\"aww:\\u0188[\u{feff}ww100:\\u0188[\u{feff}ww1012\u{201d}aw:\\u0182aw:\\u01800943030ww:\\\"388800s\"u0188[1012",
    ),
    (
        // lint_document: smart quotes around a key of a broken rotation-status document
        // produced `json-smart-quotes`, an id the registry did not know yet.
        "smart quotes in a broken rotation status",
        "{\u{201c}\t\t\t\"location\"\t\t\t\t\t\t\t\t\t\"KeyRotationEnabled\"\r\t\t\t\t\t\t\t\t\ry\t,u",
    ),
    (
        // lint_document: a key ARN ending in `:key` (no `/` and no id) gave
        // `aws-arn-invalid` an inverted span (88..87) and the message "key id ``".
        "key ARN without a key id",
        "{\n    \"KeyRotationEnabled\": false,\n    \"KeyId\": \"arn:aws:kms:eu-west-1:480516237091:key\"\n}\n",
    ),
    (
        // lint_document: a statement the parser recovered from a key pasted without its
        // `{` starts at a typographic quote; `aws-statement-invalid` anchored "statement 3
        // has no `Effect`" on the first byte of that three-byte character.
        "statement recovered at a smart quote",
        concat!(
            "{\n",
            "    \"Version\": \"2012-10-17\",\n",
            "    \"Id\": \"key-consolepolicy-3\",\n",
            "    \"Statement\": [\n",
            "        {\n",
            "            \"Sid\": \"Enable IAM User Permissions\",\n",
            "            \"Effect\": \"Allow\",\n",
            "            \"Principal\": {\n",
            "                \"AWS\": \"arn:aws:iam::493726108554:root\"\n",
            "            },\n",
            "            \"Action\": \"kms:*\",\n",
            "            \"Resource\": \"*\"\n",
            "        },\n",
            "        {\n",
            "            \u{201c}Sid\u{201d}: \u{201c}Allow access for Neo4j\u{201d},\n",
            "            \u{201c}Effect\u{201d}: \u{201c}Allow\u{201d},\n",
            "  //          \u{201c}Principal\u{201d}: {\n",
            "                \u{201c}AWS\u{201d}: \u{201c}*\u{201d}\n",
            "            },\n",
            "      \tcolu      \u{201c}Action\u{201d}: [\n",
            "                \u{201c}kms:Encrypt\u{201d},\n",
            "                \u{201c}kms:Decrypt\u{201d},\n",
            "                \u{201c}kms:ReEncrypt*\u{201d},\n",
            "                \u{201c}kms:GenerateDataKey*\u{201d},\n",
            "                \u{201c}kms:DescribeKey\u{201d},\n",
            "                \u{201c}kms:CreateGrant\u{201d},\n",
            "                \u{201c}kms:ListGrants\u{201d},\n",
            "                \u{201c}kms:RevokeGrant\u{201d}\n",
            "            ],\n",
            "      false      \u{201c}Resource\u{201d}: \u{201c}*\u{201d},\n",
            "            \u{201c}Condition\u{201d}: {\n",
            "                \u{201c}StringEquals\u{201d}: {\n",
            "                    \u{201c}kms:CallerAccount\u{201d}: \u{201c}210987654321\u{201d}\n",
            "                }\n",
            "            }\n",
            "        }\n",
            "    ]\n",
            "}\n",
        ),
    ),
    (
        // A splice-and-mutate search (run alongside `fix_idempotent`, 268,631 inputs):
        // the fix for statements pasted after the `Statement` array took the indent of the
        // line one byte before the gap, which was inside a `“`, and sliced the text there.
        // Minimised from a 1,410-byte key policy with the ARM template and smart quotes.
        "statements pasted after the array, the gap right after a smart quote",
        "Statement:[\u{201c}\n]{Effect\"",
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
            for (span, _) in &issue.labels {
                assert!(spans_ok(input, *span), "{what}: label span {span:?}");
            }
            for (span, _) in issue.fix.iter().flatten() {
                assert!(spans_ok(input, *span), "{what}: fix span {span:?}");
            }
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
        for d in &diags {
            // Every span of a finding lies in its file's text, on character boundaries.
            let text = d.file.as_ref().map_or(*input, |f| f.text.as_str());
            assert!(
                spans_ok(text, d.span),
                "{what}: {} span {:?}",
                d.rule,
                d.span
            );
            for l in &d.labels {
                assert!(
                    spans_ok(text, l.span),
                    "{what}: {} label {:?}",
                    d.rule,
                    l.span
                );
            }
            assert!(
                cmklint::rules::find(d.rule).is_some()
                    || [engine::IO_ERROR, engine::CONFIG_ERROR].contains(&d.rule),
                "{what}: unknown rule id {}",
                d.rule
            );
        }
        for format in FORMATS {
            let _ = render::render(format, &diags, RenderOptions { color: false });
        }
    }
}

#[test]
fn lone_surrogates_are_reported_and_kept_as_written() {
    for text in ["\"\\uDBDD\\uDBDD\"", "\"\\uDDDD\"", "\"a\\uD83Dz\""] {
        let parsed = json::parse(text);
        assert!(
            parsed.issues.iter().any(|i| i.rule == "json-syntax"),
            "{text}: {:?}",
            parsed.issues
        );
        let tree = parsed.root.as_ref().and_then(|r| r.as_str());
        let map = json::decode_string_literal(text, Span::new(0, text.len()));
        // The parser keeps the escape's text; the literal map agrees with it.
        assert_eq!(tree, Some(&text[1..text.len() - 1]), "{text}");
        assert_eq!(map.map(|d| d.text).as_deref(), tree, "{text}");
    }
    // A real pair still decodes.
    let pair = "\"\\uD83D\\uDE00\"";
    assert_eq!(
        json::parse(pair).root.as_ref().and_then(|r| r.as_str()),
        Some("\u{1F600}")
    );
}

/// Inputs on which `--fix` was not idempotent (fuzz target `fix_idempotent`): (what the
/// bug was, input).
const FIX_CRASHERS: &[(&str, &str)] = &[(
    "statement pasted after the policy's closing brace, in a policy with other damage",
    "{\n    \"Version\": \"p\"roles/cloudkms.cryptoKeyEncrypterDecrypter\"key-consolepolicy-3\",\n    \"Statement\": [\n        {\n            \"Sid\": \"Enable IAM User Permissions\",\n  \"location\"\"Effect\": \"Allo%\",\n            \"Principal\": {\n                \"AWS\": \"arn:aws:iam::493726108554:roo\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0@\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0t\"\n            },\n            \"Action\": \"kms:*\",\n            \"Resource\": \"*\"\n        }\n    ],\n}{ \n\n   \"Sid\": \"Allow access for Neo4j\",\n    \"Effect\": \"Allow\",\n    \"Principal\": {\n        \"AWS\": \"*\"\n    },\n    \"Action\": [\n        \"kms:Encrypt\",\n        \"kms:Decrypt\",\n        \"kms:ReEncrypt*\",\n        \"kmsaws-region-mismatch\n        \"kms:DescribeKey\",\n        \"kms:CreateGrant\",\n        \"kms:ListGrants\",\n        \"kms:RevokeGrant\"\n    ],\n    \"Resource\": \"*\",\n    \"Condition\": {\n        \"StringEquals\": {\n            \"kms:CallerAccount\": \"210987654321\"\n        }\n    }\n}\n",
)];

#[test]
fn fix_crashers_are_fixed_once_and_for_all() {
    for (what, input) in FIX_CRASHERS {
        let config = Config::default();
        let lint = |t: &str| engine::lint_text(Path::new("policy.json"), t, &config);
        let first = fix::fix_text(input, &lint);
        let second = fix::fix_text(&first.text, &lint);
        assert!(
            second.applied.is_empty() && second.text == first.text,
            "{what}: first pass {:?}, second pass {:?}, after the first:\n{}",
            first.applied,
            second.applied,
            first.text
        );
    }
}

/// Inputs found by the fuzz target `fix_idempotent` (or the random search run alongside it)
/// on which a round of fixes made a fixed rule fire more often or applied a wrong fix:
/// (what the bug was, input, the rules `--fix` may apply to it).
const FIX_PASS_CRASHERS: &[(&str, &str, &[&str])] = &[
    (
        // `json-trailing-comma` and `gcp-member-format` fixed in one pass: removing the
        // comma before a stray `]` made the parser read three more bindings' members.
        "trailing comma before a stray `]` fixed together with a member",
        include_str!("regressions/fix-batch-reveals-more-members.json"),
        &["gcp-member-format"],
    ),
    (
        // A comma before a stray `]` between two bindings is a separator: no fix.
        "trailing comma before a stray `]`",
        include_str!("regressions/fix-comma-before-stray-bracket.json"),
        &[],
    ),
    (
        // `"serv "https://schema…"`: the `//` of the URL is no comment to remove.
        "comment inside a URL that lost its opening quote",
        include_str!("regressions/fix-comment-inside-url.json"),
        &[],
    ),
    (
        // Removing a real `//` comment makes the document a GCP policy; the member
        // findings that appear are fixed in the next pass, not counted against it.
        "comment removal that reveals a policy's members",
        include_str!("regressions/fix-comment-reveals-gcp-policy.json"),
        &["json-comment", "gcp-member-format"],
    ),
];

#[test]
fn no_fix_pass_makes_its_rule_fire_more_often() {
    let config = Config::default();
    let lint = |t: &str| engine::lint_text(Path::new("policy.json"), t, &config);
    let count = |ds: &[cmklint::diagnostic::Diagnostic], rule: &str| {
        ds.iter().filter(|d| d.rule == rule).count()
    };
    for (what, input, allowed) in FIX_PASS_CRASHERS {
        let mut current = input.to_string();
        let mut applied = Vec::new();
        for _ in 0..fix::MAX_PASSES {
            let step = fix::fix_text_passes(&current, &lint, 1);
            if step.applied.is_empty() {
                break;
            }
            let before = lint(&current);
            let after = lint(&step.text);
            for a in &step.applied {
                assert!(
                    count(&after, a.rule) <= count(&before, a.rule),
                    "{what}: `{}` fires {} times before its fix and {} after:\n{}",
                    a.rule,
                    count(&before, a.rule),
                    count(&after, a.rule),
                    step.text
                );
                applied.push(a.rule);
            }
            current = step.text;
        }
        assert!(
            applied.iter().all(|r| allowed.contains(r)),
            "{what}: applied {applied:?}, expected only {allowed:?}"
        );
        let whole = fix::fix_text(input, &lint);
        let second = fix::fix_text(&whole.text, &lint);
        assert!(
            second.applied.is_empty() && second.text == whole.text,
            "{what}: a second run applied {:?}",
            second.applied
        );
    }
}
