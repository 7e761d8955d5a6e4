//! Rule documentation is written once, in the registry (`src/rules/`), and generated into
//! `rules/<id>.md`, `rules/README.md` and the rule table of `README.md`. These tests
//! regenerate them in memory and fail when the committed copies are stale:
//!
//! ```sh
//! CMKLINT_BLESS=1 cargo test --test docs   # rewrite the generated files
//! ```
//!
//! They also hold every rule's documentation and messages to the house style (STYLE §8):
//! the required sections in order, one-line summaries, and messages that are one sentence
//! starting lower-case without a trailing period.

use std::path::{Path, PathBuf};

use cmklint::docs::{self, OPTIONAL_SECTIONS, REQUIRED_SECTIONS};
use cmklint::engine::{self, Options};

fn bless() -> bool {
    std::env::var_os("CMKLINT_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

const HOW: &str =
    "regenerate them with `CMKLINT_BLESS=1 cargo test --test docs` and commit the result";

#[test]
fn generated_rule_pages_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected = docs::generated_pages();
    let mut stale = Vec::new();
    for (rel, content) in &expected {
        let path = root.join(rel);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != *content {
            if bless() {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
                }
                std::fs::write(&path, content)
                    .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            } else {
                stale.push(rel.clone());
            }
        }
    }
    // Pages of rules that no longer exist.
    let dir = root.join(docs::RULES_DIR);
    let mut extra = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let rel = format!("{}/{}", docs::RULES_DIR, e.file_name().to_string_lossy());
            if rel.ends_with(".md") && !expected.iter().any(|(p, _)| *p == rel) {
                if bless() {
                    std::fs::remove_file(e.path())
                        .unwrap_or_else(|err| panic!("cannot remove {rel}: {err}"));
                } else {
                    extra.push(rel);
                }
            }
        }
    }
    assert!(
        stale.is_empty() && extra.is_empty(),
        "generated rule documentation is stale: {:?} differ, {:?} belong to no rule; {HOW}",
        stale,
        extra
    );
}

#[test]
fn readme_rule_table_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let Some(updated) = docs::update_readme(&readme) else {
        panic!(
            "README.md lacks the rule table markers `{}` … `{}`",
            docs::README_BEGIN,
            docs::README_END
        );
    };
    if updated != readme {
        if bless() {
            std::fs::write(&path, updated)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        } else {
            panic!("the rule table in README.md is stale; {HOW}");
        }
    }
}

#[test]
fn every_rule_documentation_has_the_required_sections() {
    let mut problems = Vec::new();
    for meta in docs::builtin_all() {
        let headings = docs::headings(meta.docs);
        let required: Vec<&str> = headings
            .iter()
            .copied()
            .filter(|h| REQUIRED_SECTIONS.contains(h))
            .collect();
        if required != REQUIRED_SECTIONS {
            problems.push(format!(
                "{}: sections {:?}, need {:?} in this order",
                meta.id, headings, REQUIRED_SECTIONS
            ));
        }
        for h in &headings {
            if !REQUIRED_SECTIONS.contains(h) && !OPTIONAL_SECTIONS.contains(h) {
                problems.push(format!("{}: unexpected section `## {h}`", meta.id));
            }
        }
        if !meta.docs.starts_with("## What it checks") {
            problems.push(format!(
                "{}: docs must open with `## What it checks`",
                meta.id
            ));
        }
        for name in REQUIRED_SECTIONS {
            if docs::section(meta.docs, name).is_some_and(str::is_empty) {
                problems.push(format!("{}: `## {name}` is empty", meta.id));
            }
        }
        for name in ["Example", "Use instead"] {
            if !docs::section(meta.docs, name).is_some_and(|s| s.contains("```")) {
                problems.push(format!("{}: `## {name}` needs a code block", meta.id));
            }
        }
        if meta.docs.matches("```").count() % 2 != 0 {
            problems.push(format!("{}: unbalanced code fence", meta.id));
        }
        if !meta
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            problems.push(format!("{}: ids are kebab-case", meta.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn summaries_share_one_style() {
    let mut problems = Vec::new();
    for meta in docs::builtin_all() {
        let s = meta.summary;
        // Upper-case start, unless it opens with an identifier in backticks.
        if !s
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c == '`')
        {
            problems.push(format!("{}: summary should start upper-case: {s}", meta.id));
        }
        if s.ends_with('.') || s.contains('\n') || s.len() > 120 {
            problems.push(format!(
                "{}: summary is one line of at most 120 characters without a final period: {s}",
                meta.id
            ));
        }
    }
    let mut ids: Vec<&str> = docs::builtin_all().iter().map(|m| m.id).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    if ids.len() != n {
        problems.push("two rules share an id".to_string());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A message is one sentence on what is wrong: lower-case start (identifiers in backticks
/// and proper nouns such as `AWS` excepted), no trailing period, one line.
fn message_problem(message: &str) -> Option<String> {
    let first = message.chars().next()?;
    let first_word = message.split_whitespace().next().unwrap_or_default();
    let acronym = first_word.len() > 1
        && first_word
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
    if first.is_uppercase() && !acronym && !matches!(first_word, "Aura" | "Azure" | "Google") {
        return Some("starts upper-case".to_string());
    }
    if message.ends_with('.') {
        return Some("ends with a period".to_string());
    }
    if message.contains('\n') {
        return Some("spans several lines".to_string());
    }
    if message.trim() != message {
        return Some("has surrounding whitespace".to_string());
    }
    None
}

#[test]
fn messages_share_one_style() {
    assert!(message_problem("the `Version` is missing").is_none());
    assert!(message_problem("AWS rejects this").is_none());
    assert!(message_problem("Missing comma.").is_some());
    assert!(message_problem("the Sid is duplicated.").is_some());
    // Every message the engine produces over the fixtures and over broken inputs.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let root = dir.path();
    let files: &[(&str, &[u8])] = &[
        ("empty.json", b""),
        ("binary.json", b"{\0}"),
        ("utf16.json", b"\xff\xfe{\0}\0"),
        ("latin1.json", b"{\"a\": \"\xe9\"}"),
        ("conf/cmklint.toml", b"[rules]\nselect = [\"jsn\"]\n"),
        ("conf/x.json", b"{}"),
    ];
    for (rel, bytes) in files {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("write: {e}"));
    }
    let mut paths = vec![root.to_path_buf(), root.join("missing.json")];
    if Path::new("fixtures").is_dir() {
        paths.push(PathBuf::from("fixtures"));
    }
    let report = engine::run(&Options {
        paths,
        ..Options::default()
    });
    assert!(report.diagnostics.len() >= 6);
    let problems: Vec<String> = report
        .diagnostics
        .iter()
        .filter_map(|d| {
            message_problem(&d.message)
                .map(|p| format!("{} [{}]: {p}: {}", d.path_str(), d.rule, d.message))
        })
        .chain(report.diagnostics.iter().filter_map(|d| {
            d.help
                .as_ref()
                .filter(|h| h.trim().is_empty())
                .map(|_| format!("{} [{}]: empty help", d.path_str(), d.rule))
        }))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
