//! Fixture tests: every case under `fixtures/<group>/<rule-id>/` is linted as a user would
//! (`cmklint check <case>`), through the same engine the binary uses.
//!
//! - `bad-*` cases must produce at least one finding of `<rule-id>`; the rendered output
//!   (concise, then full without colour) is snapshotted as `<rule-id>__<case>`.
//! - `good-*` cases (near-misses) must produce no finding at all.
//!
//! A case is a folder holding the files of one unit (and its own `cmklint.toml` if the
//! rule needs configuration), so cases never see each other's documents.

use std::path::{Path, PathBuf};

use cmklint::engine::{self, Options};
use cmklint::render::{self, Format, RenderOptions};

struct Case {
    rule: String,
    name: String,
    path: PathBuf,
    bad: bool,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let Ok(groups) = std::fs::read_dir("fixtures") else {
        return out;
    };
    let mut groups: Vec<PathBuf> = groups.filter_map(|e| e.ok().map(|e| e.path())).collect();
    groups.sort();
    for g in groups.into_iter().filter(|g| g.is_dir()) {
        let Ok(rules) = std::fs::read_dir(&g) else {
            continue;
        };
        let mut rules: Vec<PathBuf> = rules.filter_map(|e| e.ok().map(|e| e.path())).collect();
        rules.sort();
        for r in rules.into_iter().filter(|r| r.is_dir()) {
            let rule = file_name(&r);
            let Ok(entries) = std::fs::read_dir(&r) else {
                continue;
            };
            let mut entries: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            entries.sort();
            for c in entries {
                let name = file_name(&c);
                let bad = name.starts_with("bad-");
                if !(bad || name.starts_with("good-")) {
                    continue;
                }
                out.push(Case {
                    rule: rule.clone(),
                    name,
                    path: c,
                    bad,
                });
            }
        }
    }
    out
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn lint(path: &Path) -> Vec<cmklint::diagnostic::Diagnostic> {
    engine::run(&Options {
        paths: vec![path.to_path_buf()],
        ..Options::default()
    })
    .diagnostics
}

#[test]
fn bad_fixtures_fire_and_match_snapshots() {
    let opts = RenderOptions { color: false };
    let mut failures = Vec::new();
    for case in cases().into_iter().filter(|c| c.bad) {
        let diags = lint(&case.path);
        if !diags.iter().any(|d| d.rule == case.rule) {
            failures.push(format!(
                "{}: expected a `{}` finding, got: {:?}",
                case.path.display(),
                case.rule,
                diags
                    .iter()
                    .map(|d| format!("{} {}", d.rule, d.message))
                    .collect::<Vec<_>>()
            ));
            continue;
        }
        let rendered = format!(
            "{}\n{}",
            render::render(Format::Concise, &diags, opts),
            render::render(Format::Full, &diags, opts)
        );
        let name = format!("{}__{}", case.rule, case.name);
        insta::with_settings!({ snapshot_path => "snapshots/fixtures", prepend_module_to_snapshot => false, description => case.path.display().to_string() }, {
            insta::assert_snapshot!(name, rendered);
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn good_fixtures_are_clean() {
    let mut failures = Vec::new();
    for case in cases().into_iter().filter(|c| !c.bad) {
        let diags = lint(&case.path);
        if !diags.is_empty() {
            failures.push(format!(
                "{}: expected no finding, got:\n{}",
                case.path.display(),
                render::render(Format::Concise, &diags, RenderOptions { color: false })
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_bad_and_a_good_fixture() {
    let all = cases();
    let mut missing = Vec::new();
    for rule in cmklint::rules::builtin() {
        let id = rule.meta().id;
        for bad in [true, false] {
            if !all.iter().any(|c| c.rule == id && c.bad == bad) {
                missing.push(format!(
                    "{id}: no {} fixture",
                    if bad { "bad-*" } else { "good-*" }
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
