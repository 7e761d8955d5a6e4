//! The fixes of the syntax and splice rules are certain: applied to the hand-made broken
//! key policies of `fixtures/syntax/`, they give JSON that parses (by serde_json, a strict
//! reader) and keeps the Aura statements intact. Applying fixes here mimics `--fix`: take
//! every fix that does not overlap one already taken, apply, lint again, repeat.

use std::path::{Path, PathBuf};

use cmklint::config::Config;
use cmklint::diagnostic::Diagnostic;
use cmklint::engine;
use cmklint::json::apply_edits;
use cmklint::source::Span;
use serde_json::{json, Value};

/// The statements of the fixtures' policy, as the user meant them.
fn expected_statements() -> Vec<Value> {
    vec![
        json!({
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::493726108554:root"},
            "Action": "kms:*",
            "Resource": "*"
        }),
        json!({
            "Sid": "Allow access for Neo4j",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"
            ],
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}
        }),
    ]
}

fn syntax_rule(id: &str) -> bool {
    cmklint::rules::syntax::RULES
        .iter()
        .any(|r| r.meta().id == id && id != "placeholder-value")
}

fn lint(path: &Path, text: &str) -> Vec<Diagnostic> {
    engine::lint_text(path, text, &Config::default())
}

/// Applies fixes until none is left (at most 8 rounds); returns the text and the rules
/// that offered a fix on the way.
fn fix_all(path: &Path, text: &str) -> (String, Vec<&'static str>) {
    let mut t = text.to_string();
    let mut fixed_rules = Vec::new();
    for _ in 0..8 {
        let diags = lint(path, &t);
        let mut chosen: Vec<(Span, String)> = Vec::new();
        for d in &diags {
            let Some(fix) = &d.fix else { continue };
            let mut trial = chosen.clone();
            trial.extend(fix.edits.iter().map(|e| (e.span, e.replacement.clone())));
            if apply_edits(&t, &trial).is_ok() {
                chosen = trial;
                fixed_rules.push(d.rule);
            }
        }
        if chosen.is_empty() {
            break;
        }
        t = apply_edits(&t, &chosen).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    (t, fixed_rules)
}

/// The key policy of a file: itself, or the `Policy` string of `get-key-policy` output.
fn policy_of(value: &Value) -> Value {
    match value.get("Policy").and_then(Value::as_str) {
        Some(inner) => serde_json::from_str(inner)
            .unwrap_or_else(|e| panic!("the fixed Policy string does not parse: {e}")),
        None => value.clone(),
    }
}

fn bad_cases() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let root = Path::new("fixtures/syntax");
    let Ok(rules) = std::fs::read_dir(root) else {
        return out;
    };
    for rule in rules.flatten() {
        let Ok(cases) = std::fs::read_dir(rule.path()) else {
            continue;
        };
        for case in cases.flatten() {
            if !case.file_name().to_string_lossy().starts_with("bad-") {
                continue;
            }
            for file in std::fs::read_dir(case.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if file.path().extension().is_some_and(|e| e == "json") {
                    out.push(file.path());
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fixes_repair_the_fixtures_and_keep_the_aura_statements() {
    let mut repaired = 0;
    for path in bad_cases() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let before = lint(&path, &text);
        let (fixed, fixed_rules) = fix_all(&path, &text);
        let after = lint(&path, &fixed);
        // Nothing a fix was offered for is left.
        for d in &after {
            assert!(
                !fixed_rules.contains(&d.rule),
                "{}: {} remains after its fix:\n{fixed}",
                path.display(),
                d.rule
            );
        }
        // No fix introduced a new finding.
        for d in &after {
            assert!(
                before.iter().any(|b| b.rule == d.rule),
                "{}: the fixes introduced a {} finding: {}\n{fixed}",
                path.display(),
                d.rule,
                d.message
            );
        }
        let syntax: Vec<&Diagnostic> = before.iter().filter(|d| syntax_rule(d.rule)).collect();
        if syntax.is_empty() || syntax.iter().any(|d| d.fix.is_none()) {
            continue;
        }
        repaired += 1;
        assert!(
            after.iter().all(|d| !syntax_rule(d.rule)),
            "{}: syntax findings remain: {:?}",
            path.display(),
            after.iter().map(|d| d.rule).collect::<Vec<_>>()
        );
        let value: Value = serde_json::from_str(&fixed).unwrap_or_else(|e| {
            panic!(
                "{}: the fixed file does not parse: {e}\n{fixed}",
                path.display()
            )
        });
        let policy = policy_of(&value);
        let statements = policy["Statement"].as_array().cloned().unwrap_or_default();
        assert_eq!(
            statements,
            expected_statements(),
            "{}: statements after fixing:\n{fixed}",
            path.display()
        );
        assert_eq!(policy["Version"], "2012-10-17", "{}", path.display());
        // Fixing again changes nothing.
        assert_eq!(fix_all(&path, &fixed).0, fixed, "{}", path.display());
    }
    // comments (2), trailing comma, smart quotes, missing comma (2), nested array,
    // pasted document, outside the array (2).
    assert!(
        repaired >= 10,
        "only {repaired} fixtures were fully repairable"
    );
}

/// All six splice mistakes in one policy, made the way users make them, each reported
/// once by its own rule, with no `json-syntax` noise; fixing them all gives the policy the
/// user meant.
#[test]
fn six_mistakes_in_one_policy() {
    let text = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::493726108554:root"},
            "Action": "kms:*",
            "Resource": "*"
        }
        {
            "Sid": "A missing comma before me",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Encrypt", "kms:Decrypt"],
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}
        },
        [
            {
                "Sid": "Pasted with brackets",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:ReEncrypt*", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}
            }
        ],
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Pasted as a whole policy",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "kms:DescribeKey",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}
                }
            ]
        },
        {
            “Sid”: “Pasted from a chat”,
            “Effect”: “Allow”,
            “Principal”: {“AWS”: “*”},
            “Action”: [“kms:CreateGrant”, “kms:ListGrants”, “kms:RevokeGrant”],
            “Resource”: “*”,
            “Condition”: {“StringEquals”: {“kms:CallerAccount”: “210987654321”}}
        },
    ],
    {
        "Sid": "Pasted after the bracket",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}
    }
}
"#;
    let path = Path::new("six/key-policy.json");
    let diags = lint(path, text);
    let mut rules: Vec<&str> = diags.iter().map(|d| d.rule).collect();
    rules.sort();
    assert_eq!(
        rules,
        vec![
            "json-smart-quotes",
            "json-trailing-comma",
            "splice-missing-comma",
            "splice-nested-array",
            "splice-outside-array",
            "splice-pasted-document",
        ],
        "{:#?}",
        diags
            .iter()
            .map(|d| format!("{} {}", d.rule, d.message))
            .collect::<Vec<_>>()
    );
    assert!(diags.iter().all(|d| d.fix.is_some()));
    let (fixed, _) = fix_all(path, text);
    assert!(lint(path, &fixed).is_empty(), "{fixed}");
    let value: Value = serde_json::from_str(&fixed).unwrap_or_else(|e| panic!("{e}\n{fixed}"));
    let sids: Vec<&str> = value["Statement"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["Sid"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        sids,
        vec![
            "Enable IAM User Permissions",
            "A missing comma before me",
            "Pasted with brackets",
            "Pasted as a whole policy",
            "Pasted from a chat",
            "Pasted after the bracket",
        ]
    );
    let chat = &value["Statement"][4];
    assert_eq!(
        chat["Action"],
        json!(["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"])
    );
    assert_eq!(
        chat["Condition"]["StringEquals"]["kms:CallerAccount"],
        "210987654321"
    );
}
