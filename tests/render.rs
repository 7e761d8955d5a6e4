//! Renderer tests on real output: the engine's diagnostics over the shipped fixtures and
//! over a folder of broken inputs, plus hand-made findings for the edge cases (columns
//! after non-ASCII text, labels, info level, characters the formats must escape).
//!
//! The SARIF log is validated against the official OASIS schema (draft-04) with the
//! `jsonschema` crate. The schema is not in this repository: CI keeps `shared/` beside the
//! clone, so the test reads `../shared/ext/sarif-2.1.0.schema.json` (or the path in
//! `CMKLINT_SARIF_SCHEMA`) and fails with a clear message when it is missing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cmklint::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use cmklint::engine::{self, Options};
use cmklint::render::{self, Format, RenderOptions};
use cmklint::source::{SourceFile, Span};
use serde_json::Value;

const OPTS: RenderOptions = RenderOptions { color: false };

/// A key policy with a smart quote and an emoji before the findings, so character,
/// byte and UTF-16 columns all differ.
const POLICY: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"“🔑”\", \"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\"}\n  ]\n}\n";

fn span_of(text: &str, needle: &str) -> Span {
    let start = text.find(needle).unwrap_or(0);
    Span::new(start, start + needle.len())
}

/// Hand-made findings covering what the engine's fixtures may not: all three levels,
/// a label, a help text with `%`, CR and LF, a path with `,` and `:`.
fn handmade() -> Vec<Diagnostic> {
    let file = Arc::new(SourceFile::new(
        "keys/prod,eu:1/key-policy.json",
        POLICY.to_string(),
    ));
    let action = span_of(POLICY, "\"kms:Decrypt\"");
    let sid = span_of(POLICY, "\"“🔑”\"");
    vec![
        Diagnostic::new(
            "json-syntax",
            Severity::Error,
            action,
            "100% wrong: line one\r\nline two",
        )
        .with_file(file.clone())
        .with_help("replace it, then run `cmklint check` again")
        .with_label(sid, "first seen here")
        .with_fix(Fix {
            description: "replace the action".to_string(),
            edits: vec![Edit {
                span: action,
                replacement: "\"kms:Encrypt\"".to_string(),
            }],
            applicability: Applicability::Safe,
        })
        .with_pointer("/Statement/0/Action"),
        Diagnostic::new(
            "unknown-region",
            Severity::Warning,
            sid,
            "a warning about the Sid",
        )
        .with_file(file.clone())
        .with_pointer("/Statement/0/Sid"),
        Diagnostic::new(
            "unknown-region",
            Severity::Info,
            Span::point(0),
            "a note at the start",
        )
        .with_file(file),
    ]
}

/// The engine's findings over every fixture and over a folder of broken inputs (an
/// invalid config, a binary file, a UTF-16 file, an empty file).
fn engine_output() -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if Path::new("fixtures").is_dir() {
        diags.extend(
            engine::run(&Options {
                paths: vec![PathBuf::from("fixtures")],
                ..Options::default()
            })
            .diagnostics,
        );
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let root = dir.path();
    let write = |rel: &str, bytes: &[u8]| {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    };
    write(
        "bad/cmklint.toml",
        b"[aura]\ncloud = \"aws\"\nregoin = \"eu-west-1\"\n",
    );
    write("bad/x.json", b"{}");
    write("files/binary.json", b"{\"a\": \0\0\0}");
    write("files/utf16.json", b"\xff\xfe{\0}\0");
    write("files/empty.json", b"");
    diags.extend(
        engine::run(&Options {
            paths: vec![root.to_path_buf()],
            ..Options::default()
        })
        .diagnostics,
    );
    diags
}

fn all_diags() -> Vec<Diagnostic> {
    let mut d = engine_output();
    d.extend(handmade());
    d
}

fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("output is not JSON: {e}\n{text}"))
}

/// The `results` of the SARIF log for `diags`.
fn sarif_results(diags: &[Diagnostic]) -> Vec<Value> {
    let log = parse_json(&render::render(Format::Sarif, diags, OPTS));
    log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn schema_path() -> PathBuf {
    if let Some(p) = std::env::var_os("CMKLINT_SARIF_SCHEMA") {
        return PathBuf::from(p);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `../shared` beside the clone (CI); `../../shared` from a worktree under `wt/`.
    let candidates = [
        root.join("../shared/ext/sarif-2.1.0.schema.json"),
        root.join("../../shared/ext/sarif-2.1.0.schema.json"),
    ];
    for c in &candidates {
        if c.is_file() {
            return c.clone();
        }
    }
    panic!(
        "the SARIF 2.1.0 schema was not found at {}; the SARIF test needs the `shared/` folder beside the repository (or CMKLINT_SARIF_SCHEMA=path/to/sarif-2.1.0.schema.json)",
        candidates[0].display()
    );
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let path = schema_path();
    let schema_text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let schema = parse_json(&schema_text);
    assert_eq!(
        schema["$schema"], "http://json-schema.org/draft-04/schema#",
        "expected the draft-04 OASIS schema"
    );
    let validator = jsonschema::draft4::new(&schema)
        .unwrap_or_else(|e| panic!("the SARIF schema does not compile: {e}"));
    for diags in [all_diags(), Vec::new()] {
        let log = parse_json(&render::render(Format::Sarif, &diags, OPTS));
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "SARIF is invalid:\n{}",
            errors.join("\n")
        );
    }
    // The schema really rejects a bad log (so the check above can fail).
    let mut bad = parse_json(&render::render(Format::Sarif, &handmade(), OPTS));
    bad["runs"][0]["results"][0]["level"] = Value::from("info");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn sarif_lists_every_rule_and_links_results_to_them() {
    let diags = all_diags();
    let log = parse_json(&render::render(Format::Sarif, &diags, OPTS));
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "cmklint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://")));
    let rules = driver["rules"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    for meta in cmklint::docs::all() {
        let Some(r) = rules.iter().find(|r| r["id"] == meta.id) else {
            panic!("rule {} missing from tool.driver.rules", meta.id);
        };
        assert_eq!(r["shortDescription"]["text"], meta.summary);
        // A user pack's rule has no page in cmklint's repository, so no helpUri.
        let custom = meta.group == cmklint::rules::Group::Custom;
        assert_eq!(r.get("helpUri").is_none(), custom, "{}: helpUri", meta.id);
        for field in [
            &r["fullDescription"]["text"],
            &r["help"]["text"],
            &r["help"]["markdown"],
        ] {
            assert!(
                field.as_str().is_some_and(|s| !s.is_empty()),
                "{}: {r}",
                meta.id
            );
        }
        let level = match meta.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        assert_eq!(r["defaultConfiguration"]["level"], level, "{}", meta.id);
    }
    let results = sarif_results(&diags);
    assert_eq!(results.len(), diags.len());
    for (r, d) in results.iter().zip(&diags) {
        assert_eq!(r["ruleId"], d.rule);
        let index = r["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(ids.get(index).copied(), Some(d.rule));
        let level = r["level"].as_str().unwrap_or_default();
        assert!(["error", "warning", "note"].contains(&level), "{r}");
        assert!(r["message"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with(&d.message)));
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_default();
        assert!(!uri.is_empty() && !uri.contains('\\'), "{uri}");
        assert!(r["partialFingerprints"]["cmklint/v1"].is_string());
    }
}

#[test]
fn sarif_columns_are_utf16_and_uris_relative() {
    let log = parse_json(&render::render(Format::Sarif, &handmade(), OPTS));
    let r = &log["runs"][0]["results"][0];
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "keys/prod%2Ceu:1/key-policy.json"
    );
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    // Line 4 is `    {"Sid": "“🔑”", "Effect": "Allow", "Action": "kms:Decrypt"}`: before
    // `"kms:Decrypt"` come 48 characters, 49 UTF-16 code units (the key is a surrogate pair).
    let line4 = POLICY.lines().nth(3).unwrap_or_default();
    let before = &line4[..line4.find("\"kms:Decrypt\"").unwrap_or(0)];
    assert_eq!(before.chars().count(), 48);
    let region = &loc["region"];
    assert_eq!(region["startLine"], 4);
    assert_eq!(region["startColumn"], 50);
    assert_eq!(region["endLine"], 4);
    assert_eq!(region["endColumn"], 50 + "\"kms:Decrypt\"".len());
    assert_eq!(
        r["relatedLocations"][0]["message"]["text"],
        "first seen here"
    );
    // The human formats count characters.
    let concise = render::render(Format::Concise, &handmade(), OPTS);
    assert!(
        concise.starts_with("keys/prod,eu:1/key-policy.json:4:49: error: "),
        "{concise}"
    );
}

#[test]
fn fingerprints_are_stable_when_lines_move() {
    let moved_text = format!("\n\n\n{POLICY}");
    let moved: Vec<Diagnostic> = handmade()
        .into_iter()
        .map(|mut d| {
            let shift = 3;
            d.span = Span::new(d.span.start + shift, d.span.end + shift);
            d.file = Some(Arc::new(SourceFile::new(
                "keys/prod,eu:1/key-policy.json",
                moved_text.clone(),
            )));
            d
        })
        .collect();
    let fp = |diags: &[Diagnostic]| -> Vec<Value> {
        sarif_results(diags)
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    let (before, after) = (fp(&handmade()), fp(&moved));
    assert_eq!(before, after);
    let lines = |diags: &[Diagnostic]| -> Vec<Value> {
        sarif_results(diags)
            .iter()
            .map(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].clone())
            .collect()
    };
    assert_ne!(lines(&handmade()), lines(&moved), "the lines did move");
    // Distinct findings have distinct fingerprints; GitLab uses the same ones.
    let unique: std::collections::HashSet<String> = before.iter().map(Value::to_string).collect();
    assert_eq!(unique.len(), before.len());
    let gitlab = parse_json(&render::render(Format::Gitlab, &handmade(), OPTS));
    assert_eq!(gitlab[0]["fingerprint"], before[0]["cmklint/v1"]);
}

#[test]
fn github_annotations_are_escaped() {
    let out = render::render(Format::Github, &handmade(), OPTS);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(
        lines[0],
        "::error file=keys/prod%2Ceu%3A1/key-policy.json,line=4,col=49,endLine=4,endColumn=62,title=json-syntax::100%25 wrong: line one%0D%0Aline two%0Ahelp: replace it, then run `cmklint check` again"
    );
    assert!(lines[1].starts_with("::warning file=keys/prod%2Ceu%3A1/key-policy.json,line=4,"));
    assert!(lines[2].starts_with(
        "::notice file=keys/prod%2Ceu%3A1/key-policy.json,line=1,col=1,endLine=1,endColumn=1,title=unknown-region::"
    ));
    // Every engine finding becomes exactly one well-formed command line.
    let diags = engine_output();
    let out = render::render(Format::Github, &diags, OPTS);
    let re = regex::Regex::new(
        r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[a-z0-9-]+::[^\r\n]+$",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.lines().count(), diags.len());
    for line in out.lines() {
        assert!(re.is_match(line), "{line}");
    }
}

#[test]
fn gitlab_code_quality_shape() {
    let diags = all_diags();
    let report = parse_json(&render::render(Format::Gitlab, &diags, OPTS));
    let items = report.as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), diags.len());
    let mut fingerprints = Vec::new();
    for (item, d) in items.iter().zip(&diags) {
        assert_eq!(item["description"], d.message.as_str());
        assert_eq!(item["check_name"], d.rule);
        let sev = item["severity"].as_str().unwrap_or_default();
        assert!(
            ["info", "minor", "major", "critical", "blocker"].contains(&sev),
            "{item}"
        );
        assert_eq!(item["location"]["path"], d.path_str().as_str());
        assert!(item["location"]["lines"]["begin"]
            .as_u64()
            .is_some_and(|l| l >= 1));
        fingerprints.push(item["fingerprint"].as_str().unwrap_or_default().to_string());
    }
    let n = fingerprints.len();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), n, "fingerprints must be unique");
    let hand = parse_json(&render::render(Format::Gitlab, &handmade(), OPTS));
    assert_eq!(hand[0]["severity"], "major");
    assert_eq!(hand[1]["severity"], "minor");
    assert_eq!(hand[2]["severity"], "info");
    assert_eq!(hand[0]["location"]["lines"]["begin"], 4);
}

#[test]
fn json_shape() {
    let diags = all_diags();
    let out = parse_json(&render::render(Format::Json, &diags, OPTS));
    let items = out.as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), diags.len());
    for item in &items {
        let obj = item.as_object().cloned().unwrap_or_default();
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            vec![
                "column",
                "end_column",
                "end_line",
                "fix",
                "help",
                "line",
                "message",
                "path",
                "rule",
                "severity"
            ]
        );
        assert!(["error", "warning", "info"].contains(&item["severity"].as_str().unwrap_or("")));
    }
    let hand = parse_json(&render::render(Format::Json, &handmade(), OPTS));
    assert_eq!(hand[0]["path"], "keys/prod,eu:1/key-policy.json");
    assert_eq!(
        (hand[0]["line"].clone(), hand[0]["column"].clone()),
        (Value::from(4), Value::from(49))
    );
    assert_eq!(hand[0]["end_column"], 62);
    assert_eq!(hand[2]["severity"], "info");
    assert_eq!(hand[1]["help"], Value::Null);
}

#[test]
fn concise_shape() {
    let diags = all_diags();
    let out = render::render(Format::Concise, &diags, OPTS);
    let re = regex::Regex::new(r"^(.+):(\d+):(\d+): (error|warning|note): (.+) \[([a-z0-9-]+)\]$")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.lines().count(), diags.len());
    for (line, d) in out.lines().zip(&diags) {
        let Some(c) = re.captures(line) else {
            panic!("not gcc-shaped: {line}");
        };
        assert_eq!(&c[1], d.path_str());
        assert_eq!(&c[6], d.rule);
    }
    let hand = render::render(Format::Concise, &handmade(), OPTS);
    assert!(
        hand.ends_with(
            "keys/prod,eu:1/key-policy.json:1:1: note: a note at the start [unknown-region]\n"
        ),
        "{hand}"
    );
    // A message's newline never splits a finding over two lines.
    assert!(
        hand.contains("100% wrong: line one  line two [json-syntax]"),
        "{hand}"
    );
}
