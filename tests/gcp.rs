//! GCP end to end: the example folder through the binary, folder joins, the unit seen as a
//! whole when only some files are named, findings on `cmklint.toml`, and documents that are
//! linted only beside a key.

use std::path::{Path, PathBuf};
use std::process::Command;

use cmklint::config::Config;
use cmklint::engine::{self, Options};

const EXAMPLE: &str = "fixtures/examples/gcp-one-account-missing-viewer";
const MISSING: &str = "neo4j-cmk-backup@neo4j-aura-prod.iam.gserviceaccount.com";

fn run(paths: &[&str]) -> engine::Report {
    engine::run(&Options {
        paths: paths.iter().map(PathBuf::from).collect(),
        ..Options::default()
    })
}

fn summary(report: &engine::Report) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .map(|d| format!("{} {} {}", d.path_str(), d.rule, d.message))
        .collect()
}

#[test]
fn example_prints_exactly_the_missing_viewer_once() {
    let out = Command::new(env!("CARGO_BIN_EXE_cmklint"))
        .args(["check", EXAMPLE, "--format", "concise", "--color", "never"])
        .output();
    let Ok(out) = out else {
        panic!("could not run cmklint")
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "stdout:\n{stdout}");
    let line = lines[0];
    assert!(
        line.starts_with(&format!("{EXAMPLE}/policy.json:")),
        "{line}"
    );
    assert!(line.contains(MISSING), "{line}");
    assert!(line.contains("`roles/cloudkms.viewer`"), "{line}");
    assert!(line.ends_with("[gcp-role-missing]"), "{line}");
    assert_eq!(out.status.code(), Some(1), "an error-level finding exits 1");
}

#[test]
fn example_finding_points_at_the_viewer_binding() {
    let report = run(&[EXAMPLE]);
    assert_eq!(report.diagnostics.len(), 1, "{:?}", summary(&report));
    let d = &report.diagnostics[0];
    let Some(file) = &d.file else {
        panic!("no file")
    };
    assert_eq!(file.slice(d.span), "\"roles/cloudkms.viewer\"");
    assert_eq!(report.files_linted, 2, "key.json and policy.json");
}

#[test]
fn naming_only_some_files_still_sees_the_whole_unit() {
    // A pre-commit hook that stages only the policy: the key beside it is context.
    let policy = format!("{EXAMPLE}/policy.json");
    let report = run(&[&policy]);
    assert_eq!(summary(&report).len(), 1, "{:?}", summary(&report));
    let help = report.diagnostics[0].help.clone().unwrap_or_default();
    assert!(
        help.contains(
            "add-iam-policy-binding aura-cmk --keyring neo4j-aura --location europe-west2"
        ),
        "the key beside the policy fills in the command: {help}"
    );
    // Staging only the key: the finding belongs to the policy, which is not named.
    let key = format!("{EXAMPLE}/key.json");
    assert!(run(&[&key]).diagnostics.is_empty());
}

#[test]
fn unknown_config_region_is_reported_in_cmklint_toml_once() {
    let dir = "fixtures/gcp/unknown-region/bad-gcp-config-region-typo";
    let key = format!("{dir}/key.json");
    for paths in [vec![dir], vec![key.as_str()]] {
        let report = run(&paths);
        let found: Vec<String> = summary(&report);
        assert_eq!(found.len(), 1, "{found:?}");
        let d = &report.diagnostics[0];
        assert_eq!(d.rule, "unknown-region");
        assert!(d.path_str().ends_with("cmklint.toml"), "{}", d.path_str());
        // The suggestion is in the help, as with AWS and Azure regions.
        let help = d.help.as_deref().unwrap_or_default();
        assert!(help.starts_with("did you mean `europe-west2`? "), "{help}");
    }
}

#[test]
fn policy_without_kms_roles_needs_a_key_beside_it() {
    let text = "{\n  \"etag\": \"ACAB\"\n}\n";
    let config = Config::default();
    assert!(engine::lint_text(Path::new("policy.json"), text, &config).is_empty());
    let alone = run(&["fixtures/gcp/gcp-service-accounts-incomplete/good-etag-only-file-alone"]);
    assert_eq!(alone.files_linted, 0);
    let beside = run(&["fixtures/gcp/gcp-service-accounts-incomplete/bad-no-grants-beside-key"]);
    assert_eq!(beside.files_linted, 2);
    assert_eq!(
        beside
            .diagnostics
            .iter()
            .map(|d| d.rule)
            .collect::<Vec<_>>(),
        vec!["gcp-service-accounts-incomplete"]
    );
}

#[test]
fn rules_that_need_config_say_why_they_skipped() {
    let report = run(&["fixtures/gcp/gcp-service-accounts-incomplete/good-three-accounts"]);
    assert!(report.diagnostics.is_empty());
    let notes = report.notes.join("\n");
    assert!(notes.contains("gcp-role-missing: skipped"), "{notes}");
    assert!(notes.contains("service_accounts"), "{notes}");
    assert!(notes.contains("gcp-region-mismatch: skipped"), "{notes}");
}

#[test]
fn key_and_key_ring_are_judged_once() {
    // Both name the `global` location; only the key ring reports it.
    let report = run(&["fixtures/gcp/gcp-location-not-regional/bad-global-key-ring"]);
    let found = summary(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("keyring.json gcp-location-not-regional"),
        "{found:?}"
    );
}

#[test]
fn member_format_fix_inserts_the_prefix() {
    let dir = "fixtures/gcp/gcp-member-format/bad-member-without-prefix";
    let report = run(&[dir]);
    assert_eq!(report.diagnostics.len(), 1, "{:?}", summary(&report));
    let d = &report.diagnostics[0];
    let (Some(fix), Some(file)) = (&d.fix, &d.file) else {
        panic!("no fix")
    };
    let mut text = file.text.clone();
    for e in fix.edits.iter().rev() {
        text.replace_range(e.span.start..e.span.end, &e.replacement);
    }
    assert!(text
        .contains("\"serviceAccount:neo4j-cmk-console@neo4j-aura-prod.iam.gserviceaccount.com\""));
    let config = Config::parse(
        Path::new(&format!("{dir}/cmklint.toml")),
        &std::fs::read_to_string(format!("{dir}/cmklint.toml")).unwrap_or_default(),
    );
    let Ok(config) = config else { panic!("config") };
    let after = engine::lint_text(Path::new("policy.json"), &text, &config);
    assert!(
        after.is_empty(),
        "{:?}",
        after.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}

/// Every GCP fixture, truncated at many points and with characters of its strings replaced
/// by awkward ones, is linted without a panic (with and without `[aura.gcp]`).
#[test]
fn mangled_gcp_documents_never_panic() {
    let configured = Config::parse(
        Path::new("cmklint.toml"),
        "[aura]\ncloud = \"gcp\"\nregion = \"europe-west2\"\n[aura.gcp]\nservice_accounts = [\"neo4j-cmk-dbaas@neo4j-aura-prod.iam.gserviceaccount.com\"]\n",
    );
    let Ok(configured) = configured else {
        panic!("config")
    };
    let configs = [Config::default(), configured];
    let mut files = Vec::new();
    for entry in walk(Path::new("fixtures/gcp")) {
        if entry.extension().is_some_and(|e| e == "json") {
            files.push(std::fs::read_to_string(&entry).unwrap_or_default());
        }
    }
    assert!(files.len() > 20, "fixtures not found");
    let mut linted = 0;
    for text in &files {
        let cuts: Vec<usize> = (0..text.len())
            .step_by(37)
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        for cut in cuts {
            for c in &configs {
                engine::lint_text(Path::new("policy.json"), &text[..cut], c);
            }
        }
        // Replace characters inside string values (odd positions between quotes).
        let quotes: Vec<usize> = text.match_indices('"').map(|(i, _)| i).collect();
        for pair in quotes.chunks(2).filter(|p| p.len() == 2) {
            let (s, e) = (pair[0] + 1, pair[1]);
            for at in (s..e).step_by(19) {
                for rep in ["/", " ", "É", ":", "\\u0041"] {
                    let mut t = text.clone();
                    if t.is_char_boundary(at) && t.is_char_boundary(at + 1) {
                        t.replace_range(at..at + 1, rep);
                    }
                    for c in &configs {
                        engine::lint_text(Path::new("policy.json"), &t, c);
                        linted += 1;
                    }
                }
            }
        }
    }
    assert!(linted > 1000);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn templated_members_neither_grant_nor_break_a_rule() {
    let dir = "fixtures/examples/gcp-one-account-missing-viewer";
    let text = std::fs::read_to_string(format!("{dir}/policy.json")).unwrap_or_default();
    let config_text = std::fs::read_to_string(format!("{dir}/cmklint.toml")).unwrap_or_default();
    let Ok(config) = Config::parse(Path::new("cmklint.toml"), &config_text) else {
        panic!("config")
    };
    let before = engine::lint_text(Path::new("policy.json"), &text, &config);
    assert_eq!(before.len(), 1, "the example's one finding");
    // The missing account's place taken by a Terraform template: unknown, so no finding.
    let templated = text.replacen(
        "\"serviceAccount:neo4j-cmk-dbaas@neo4j-aura-prod.iam.gserviceaccount.com\",\n        \"serviceAccount:neo4j-cmk-console",
        "\"serviceAccount:${aura_backup_sa}\",\n        \"serviceAccount:neo4j-cmk-console",
        1,
    );
    assert_ne!(templated, text);
    let after = engine::lint_text(Path::new("policy.json"), &templated, &config);
    let rules: Vec<&str> = after.iter().map(|d| d.rule).collect();
    assert!(
        !rules.contains(&"gcp-role-missing") && !rules.contains(&"gcp-member-format"),
        "{rules:?}"
    );
}
