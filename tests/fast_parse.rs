//! The JSON parser's fast path (valid files) against the recovering parser alone: on every
//! JSON file of the fixtures and tests, and on every JSON document embedded in one of
//! their strings (`aws kms get-key-policy` prints the policy as a string), `json::parse`
//! must equal `json::parse_slow` — same tree, same spans, same findings.

use std::path::Path;

use cmklint::json::{self, Node, Value};

fn json_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "json") {
            out.push(entry.into_path());
        }
    }
}

/// Strings of the tree that hold a JSON document themselves.
fn embedded<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
    match &node.value {
        Value::String(s) if s.trim_start().starts_with(['{', '[']) => out.push(s),
        Value::Array(items) => items.iter().for_each(|n| embedded(n, out)),
        Value::Object(members) => members.iter().for_each(|m| embedded(&m.value, out)),
        _ => {}
    }
}

#[test]
fn fast_path_equals_the_recovering_parser_on_every_json_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    json_files(&root.join("fixtures"), &mut files);
    json_files(&root.join("tests"), &mut files);
    assert!(files.len() > 100, "only {} JSON files found", files.len());
    let (mut texts, mut valid) = (0, 0);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let parsed = json::parse(&text);
        assert_eq!(parsed, json::parse_slow(&text), "{}", path.display());
        texts += 1;
        if parsed.is_valid() {
            valid += 1;
        }
        let mut inner = Vec::new();
        if let Some(r) = &parsed.root {
            embedded(r, &mut inner);
        }
        for s in inner {
            assert_eq!(
                json::parse(s),
                json::parse_slow(s),
                "{}: embedded {s:?}",
                path.display()
            );
            texts += 1;
        }
    }
    // Most fixture files are valid JSON: the fast path was exercised, and so was the
    // fallback.
    assert!(
        valid * 2 > files.len() && valid < files.len(),
        "{valid} of {}",
        files.len()
    );
    assert!(texts >= files.len());
}
