//! Properties of the fix loop over many broken variants of a real key policy, with the
//! real rules (`fix::fix_text` + `engine::lint_text`, no binary):
//!
//! - a fixed text never has more syntax issues than the broken one;
//! - fixing is idempotent: fixing the fixed text changes nothing;
//! - when the only mistakes are the splice mistakes `--fix` repairs, the result is valid
//!   JSON with the original statements.
//!
//! The variants come from a small deterministic generator (no external crates), so a
//! failure names its seed and is reproducible.

use std::path::Path;

use cmklint::config::Config;
use cmklint::engine;
use cmklint::fix::fix_text;
use cmklint::json;

const POLICY: &str = r#"{
    "Version": "2012-10-17",
    "Id": "key-consolepolicy-3",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::210987654321:root"
            },
            "Action": "kms:*",
            "Resource": "*"
        },
        {
            "Sid": "Allow use of the key for Neo4j Aura",
            "Effect": "Allow",
            "Principal": {
                "AWS": "*"
            },
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey"
            ],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": "210987654321"
                }
            }
        },
        {
            "Sid": "Allow attachment of persistent resources for Neo4j Aura",
            "Effect": "Allow",
            "Principal": {
                "AWS": "*"
            },
            "Action": [
                "kms:CreateGrant",
                "kms:ListGrants",
                "kms:RevokeGrant"
            ],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": "210987654321"
                }
            }
        }
    ]
}
"#;

/// A tiny linear congruential generator: deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Byte offsets of every occurrence of `needle` in `text`.
fn all(text: &str, needle: &str) -> Vec<usize> {
    text.match_indices(needle).map(|(i, _)| i).collect()
}

/// One of the splice mistakes `--fix` repairs, made at a random place.
fn splice_mistake(text: &str, rng: &mut Rng) -> String {
    let mut t = text.to_string();
    match rng.below(6) {
        // Missing comma between two statements.
        0 => {
            let at = all(&t, "        },\n        {");
            if let Some(&i) = at.get(rng.below(at.len())) {
                t.replace_range(i + 9..i + 10, "");
            }
        }
        // Trailing comma after the last element of an array or object.
        1 => {
            let at: Vec<usize> = all(&t, "\"\n")
                .into_iter()
                .filter(|&i| t[i + 2..].trim_start().starts_with([']', '}']))
                .collect();
            if let Some(&i) = at.get(rng.below(at.len())) {
                t.insert(i + 1, ',');
            }
        }
        // A `//` comment on its own line before a statement.
        2 => {
            let at = all(&t, "        {\n            \"Sid\"");
            if let Some(&i) = at.get(rng.below(at.len())) {
                t.insert_str(i, "        // pasted from the Aura Console\n");
            }
        }
        // Typographic quotes around a key.
        3 => {
            let at = all(&t, "\"Effect\"");
            if let Some(&i) = at.get(rng.below(at.len())) {
                t.replace_range(i..i + 8, "“Effect”");
            }
        }
        // The last statement pasted with its own brackets.
        4 => {
            if let (Some(open), Some(close)) = (
                t.rfind(",\n        {\n            \"Sid\""),
                t.rfind("        }\n    ]"),
            ) {
                t.replace_range(close..close + 9, "        }\n        ]\n");
                t.insert_str(open + 2, "        [\n");
            }
        }
        // The last statement pasted as a whole generated policy.
        _ => {
            if let (Some(open), Some(close)) = (
                t.rfind(",\n        {\n            \"Sid\""),
                t.rfind("        }\n    ]"),
            ) {
                t.replace_range(close..close + 9, "        }\n        ]}\n");
                t.insert_str(
                    open + 2,
                    "        {\"Version\": \"2012-10-17\", \"Statement\": [\n",
                );
            }
        }
    }
    t
}

/// Any damage at all: a deleted, doubled or replaced byte of JSON punctuation.
fn random_damage(text: &str, rng: &mut Rng) -> String {
    let mut t = text.to_string();
    let marks: Vec<usize> = t
        .char_indices()
        .filter(|(_, c)| matches!(c, '{' | '}' | '[' | ']' | ',' | ':' | '"'))
        .map(|(i, _)| i)
        .collect();
    let Some(&i) = marks.get(rng.below(marks.len())) else {
        return t;
    };
    let c = t[i..].chars().next().unwrap_or(' ');
    match rng.below(4) {
        0 => {
            t.remove(i);
        }
        1 => t.insert(i, c),
        2 => t.replace_range(i..i + c.len_utf8(), "“"),
        _ => t.insert_str(i, "/* x */"),
    }
    t
}

fn lint(t: &str) -> Vec<cmklint::diagnostic::Diagnostic> {
    engine::lint_text(Path::new("key-policy.json"), t, &Config::default())
}

fn statements(text: &str) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|v| v["Statement"].clone())
        .unwrap_or(serde_json::Value::Null)
}

fn check_common(seed: u64, broken: &str, fixed: &str) {
    let before = json::parse(broken).issues.len();
    let after = json::parse(fixed).issues.len();
    assert!(
        after <= before,
        "seed {seed}: {before} syntax issues became {after}\n{broken}\n---\n{fixed}"
    );
    let again = fix_text(fixed, &lint);
    assert_eq!(
        again.text, fixed,
        "seed {seed}: a second fix changed the text"
    );
}

#[test]
fn splice_mistakes_are_always_repaired_to_the_original_statements() {
    let want = statements(POLICY);
    assert!(want.is_array());
    let mut repaired = 0;
    for seed in 0..120u64 {
        let mut rng = Rng(seed);
        let mut broken = POLICY.to_string();
        for _ in 0..1 + rng.below(3) {
            broken = splice_mistake(&broken, &mut rng);
        }
        if broken == POLICY {
            continue;
        }
        let r = fix_text(&broken, &lint);
        check_common(seed, &broken, &r.text);
        assert!(
            json::parse(&r.text).is_valid(),
            "seed {seed}: not repaired (refused: {:?})\n{broken}\n---\n{}",
            r.refused,
            r.text
        );
        assert_eq!(statements(&r.text), want, "seed {seed}\n{}", r.text);
        repaired += 1;
    }
    assert!(repaired > 100, "only {repaired} variants were broken");
}

#[test]
fn random_damage_never_makes_things_worse_and_fixing_is_idempotent() {
    let mut changed = 0;
    for seed in 0..300u64 {
        let mut rng = Rng(seed ^ 0x5eed);
        let mut broken = POLICY.to_string();
        for _ in 0..1 + rng.below(3) {
            broken = random_damage(&broken, &mut rng);
        }
        let r = fix_text(&broken, &lint);
        check_common(seed, &broken, &r.text);
        if r.text != broken {
            changed += 1;
        }
    }
    assert!(changed > 0, "no damaged variant was fixed at all");
}
