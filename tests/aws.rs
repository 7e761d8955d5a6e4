//! AWS behaviour the fixture harness cannot show: the example folder, the generated
//! statements file as configuration, findings about the config file when only some files
//! are named, cross-document context, and what is not an AWS document.

use std::path::{Path, PathBuf};

use cmklint::diagnostic::Diagnostic;
use cmklint::engine::{self, Options, Report};

fn run(paths: &[PathBuf]) -> Report {
    engine::run(&Options {
        paths: paths.to_vec(),
        ..Options::default()
    })
}

fn rules(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.rule).collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Err(e) = std::fs::write(&p, text) {
        panic!("write {}: {e}", p.display());
    }
    p
}

fn tempdir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    }
}

const POLICY: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::480516237091:root"},
            "Action": "kms:*",
            "Resource": "*"
        },
        {
            "Sid": "Allow access for Neo4j",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}
        }
    ]
}
"#;

#[test]
fn example_folder_lints_clean_and_skips_the_generated_statements() {
    let report = run(&[PathBuf::from("fixtures/examples/aws-key")]);
    assert!(
        report.diagnostics.is_empty(),
        "{:?}",
        report
            .diagnostics
            .iter()
            .map(|d| format!("{} {}: {}", d.path_str(), d.rule, d.message))
            .collect::<Vec<_>>()
    );
    // key policy, get-key-policy output, describe-key, rotation status; not the
    // generated statements (configuration) nor cmklint.toml.
    assert_eq!(report.files_linted, 4);
    assert!(!report.failed);
}

#[test]
fn generated_statements_saved_as_a_whole_policy_are_not_linted() {
    let dir = tempdir();
    write(
        dir.path(),
        "cmklint.toml",
        "[aura.aws]\ngenerated_statements = \"aura.json\"\n",
    );
    // A whole policy without the root statement: linted, it would be a lockout risk.
    write(
        dir.path(),
        "aura.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}]}"#,
    );
    write(dir.path(), "key-policy.json", POLICY);
    let report = run(&[dir.path().to_path_buf()]);
    assert!(
        report.diagnostics.is_empty(),
        "{:?}",
        rules(&report.diagnostics)
    );
    assert_eq!(report.files_linted, 1);
}

#[test]
fn unreadable_generated_statements_are_a_config_error_on_the_config_value() {
    let dir = tempdir();
    let toml =
        "[aura]\ncloud = \"aws\"\n\n[aura.aws]\ngenerated_statements = \"aura-statement.json\"\n";
    write(dir.path(), "cmklint.toml", toml);
    let policy = write(dir.path(), "key-policy.json", POLICY);
    // Named alone, as a pre-commit hook would: the config finding is still reported.
    let report = run(&[policy]);
    let d: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "config-error")
        .collect();
    assert_eq!(d.len(), 1, "{:?}", rules(&report.diagnostics));
    assert!(
        d[0].message.contains("aura-statement.json"),
        "{}",
        d[0].message
    );
    assert!(d[0].path_str().ends_with("cmklint.toml"));
    assert_eq!(
        &toml[d[0].span.start..d[0].span.end],
        "\"aura-statement.json\""
    );
    assert!(
        report.failed,
        "a config input that cannot be read is exit 2"
    );
    assert!(!rules(&report.diagnostics).contains(&"aws-aura-statement-missing"));
}

#[test]
fn invalid_generated_statements_point_into_that_file() {
    let dir = tempdir();
    write(
        dir.path(),
        "cmklint.toml",
        "[aura.aws]\ngenerated_statements = \"aura.json\"\n",
    );
    let bad = "[{\"Sid\": \"Allow access for Neo4j\" \"Effect\": \"Allow\"}]";
    write(dir.path(), "aura.json", bad);
    write(dir.path(), "key-policy.json", POLICY);
    let report = run(&[dir.path().to_path_buf()]);
    let d: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "config-error")
        .collect();
    assert_eq!(d.len(), 1, "{:?}", rules(&report.diagnostics));
    assert!(d[0].path_str().ends_with("aura.json"));
    assert!(bad[d[0].span.start..].starts_with("\"Effect\""));
}

#[test]
fn fragment_with_trailing_comma_is_read_as_statements() {
    let dir = tempdir();
    write(
        dir.path(),
        "cmklint.toml",
        "[aura.aws]\ngenerated_statements = \"aura.json\"\n",
    );
    let fragment = r#"{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::480516237091:root"}, "Action": "kms:*", "Resource": "*"},
{"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}},
"#;
    write(dir.path(), "aura.json", fragment);
    write(dir.path(), "key-policy.json", POLICY);
    let report = run(&[dir.path().to_path_buf()]);
    // The policy's statement has more actions than the fragment's: altered, named.
    let altered: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "aws-aura-statement-altered")
        .collect();
    assert_eq!(altered.len(), 1, "{:?}", rules(&report.diagnostics));
    assert!(
        altered[0].message.contains("adds `kms:ReEncrypt*`"),
        "{}",
        altered[0].message
    );
    assert!(!rules(&report.diagnostics).contains(&"config-error"));
}

#[test]
fn config_region_finding_is_reported_when_only_a_document_is_named() {
    let dir = tempdir();
    write(
        dir.path(),
        "cmklint.toml",
        "[aura]\ncloud = \"aws\"\nregion = \"us-east1\"\n",
    );
    let policy = write(dir.path(), "key-policy.json", POLICY);
    let report = run(&[policy]);
    assert_eq!(rules(&report.diagnostics), vec!["unknown-region"]);
    assert!(report.diagnostics[0].path_str().ends_with("cmklint.toml"));
    assert_eq!(
        report.diagnostics[0].help.as_deref(),
        Some("did you mean `us-east-1`?")
    );
}

#[test]
fn rotation_status_is_joined_with_describe_key_read_as_context() {
    let case = Path::new("fixtures/aws/aws-key-rotation-disabled/good-imported-key-material");
    // Naming only the rotation status: the describe-key beside it (Origin EXTERNAL) is
    // still read, so no finding.
    let report = run(&[case.join("rotation-status.json")]);
    assert!(
        report.diagnostics.is_empty(),
        "{:?}",
        rules(&report.diagnostics)
    );
    // And findings land only on named files.
    let bad = Path::new("fixtures/aws/aws-region-mismatch/bad-single-region-key");
    let report = run(&[bad.join("cmklint.toml")]);
    assert!(
        report.diagnostics.is_empty(),
        "{:?}",
        rules(&report.diagnostics)
    );
}

#[test]
fn other_json_is_not_linted() {
    let dir = tempdir();
    write(
        dir.path(),
        "bucket-policy.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}]}"#,
    );
    write(
        dir.path(),
        "get-bucket-policy.json",
        r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::site/*\"}]}"}"#,
    );
    write(
        dir.path(),
        "identity-policy.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}"#,
    );
    write(
        dir.path(),
        "package.json",
        "{\"name\": \"x\", \"version\": \"1.0.0\",}",
    );
    let report = run(&[dir.path().to_path_buf()]);
    assert!(
        report.diagnostics.is_empty(),
        "{:?}",
        rules(&report.diagnostics)
    );
    assert_eq!(report.files_linted, 0);
}

#[test]
fn broken_key_policy_is_recognised_and_absence_is_not_judged() {
    let dir = tempdir();
    // A missing comma between the pasted statements.
    let broken = POLICY.replace(
        "        },\n        {\n            \"Sid\": \"Allow access",
        "        }\n        {\n            \"Sid\": \"Allow access",
    );
    assert_ne!(broken, POLICY);
    write(dir.path(), "key-policy.json", &broken);
    let report = run(&[dir.path().to_path_buf()]);
    let r = rules(&report.diagnostics);
    assert!(!r.is_empty(), "a broken key policy must be reported");
    assert!(
        r.iter()
            .all(|id| id.starts_with("json-") || id.starts_with("splice-")),
        "{r:?}"
    );
}

#[test]
fn embedded_policy_syntax_error_points_inside_the_string() {
    let dir = tempdir();
    let text = "{\n    \"Policy\": \"{\\n  \\\"Version\\\" : \\\"2012-10-17\\\",\\n  \\\"Statement\\\" : [ {\\n    \\\"Sid\\\" : \\\"Enable IAM User Permissions\\\"\\n    \\\"Effect\\\" : \\\"Allow\\\",\\n    \\\"Principal\\\" : {\\\"AWS\\\" : \\\"arn:aws:iam::480516237091:root\\\"},\\n    \\\"Action\\\" : \\\"kms:*\\\",\\n    \\\"Resource\\\" : \\\"*\\\"\\n  } ]\\n}\",\n    \"PolicyName\": \"default\"\n}\n";
    write(dir.path(), "get-key-policy.json", text);
    let report = run(&[dir.path().to_path_buf()]);
    let syntax: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.starts_with("json-") || d.rule.starts_with("splice-"))
        .collect();
    assert!(!syntax.is_empty(), "{:?}", rules(&report.diagnostics));
    let at = &text[syntax[0].span.start..];
    assert!(
        at.starts_with("\\\"Effect"),
        "points at {:?}",
        &at[..at.len().min(20)]
    );
}

#[test]
fn odd_shapes_do_not_panic_and_are_reported_or_ignored() {
    let config = {
        let text = "[aura]\ncloud = \"aws\"\nregion = \"eu-west-1\"\n\n[aura.aws]\naccount_id = \"210987654321\"\n";
        match cmklint::config::Config::parse(Path::new("cmklint.toml"), text) {
            Ok(c) => c,
            Err(e) => panic!("{}", e.message),
        }
    };
    let inputs = [
        r#"{"Statement": 5, "Principal": 1, "kms:x": 1}"#,
        r#"{"Statement": [1, "x", null, [[[{"Principal": "*", "Action": "kms:*"}]]]], "Version": 2012}"#,
        r#"{"Statement": {"Effect": 1, "Principal": {"AWS": [1, {}], "Svc": "x"}, "Action": [null, "kms:*"], "Resource": {}, "Condition": []}}"#,
        r#"{"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "210987654321"}, "NotAction": "kms:Sign", "Resource": "*", "Condition": {"StringNotEquals": 3, "Null": {"kms:CallerAccount": [true, 1]}}}]}"#,
        r#"{"Policy": "{\"Statement\": [\uD800 \\", "PolicyName": "default"}"#,
        r#"{"Policy": "\\u00", "PolicyName": 3}"#,
        r#"{"KeyMetadata": {"Arn": "arn:", "MultiRegionConfiguration": {"PrimaryKey": 1, "ReplicaKeys": [{"Arn": 2}, {"Arn": "arn:aws:kms:xx-1:1:key/"}]}, "KeySpec": 7}}"#,
        r#"{"KeyMetadata": [], "KeyRotationEnabled": "false"}"#,
        r#"{"KeyRotationEnabled": null, "KeyId": "arn:aws:kms:eu-west-1:480516237091:key/é"}"#,
        "{\"Statement\": [{\"Action\": \"kms:é*\", \"Principal\": \"*\", \"Resource\": \"arn:aws:kms:é:1:key/x\"}]}",
    ];
    for (i, text) in inputs.iter().enumerate() {
        let diags = engine::lint_text(Path::new(&format!("odd-{i}.json")), text, &config);
        for d in &diags {
            assert!(
                d.span.start <= d.span.end && d.span.end <= text.len(),
                "odd-{i}: {} {:?}",
                d.rule,
                d.span
            );
            assert!(
                text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end),
                "odd-{i}: {} {:?}",
                d.rule,
                d.span
            );
        }
    }
}
