//! Property tests of the recovering parser over thousands of small mutations of a real key
//! policy (a deterministic generator, so failures reproduce):
//!
//! - it agrees with serde_json (a strict RFC 8259 parser) on whether the text is valid,
//!   and on the value when it is;
//! - one mistake gives few findings (no cascades);
//! - every fix it offers is certain: applied alone, the text has one issue of that rule
//!   fewer and no new issue; applying all fixes repeatedly ends in valid JSON when every
//!   issue was fixable;
//! - it never panics and stays linear on pathological input.

use super::{apply_edits, parse, Node, Value};
use crate::source::Span;

const POLICY: &str = r#"{
    "Version": "2012-10-17",
    "Id": "key-consolepolicy-3",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::493726108554:root"
            },
            "Action": "kms:*",
            "Resource": "*"
        },
        {
            "Sid": "Allow access for Neo4j",
            "Effect": "Allow",
            "Principal": {
                "AWS": "*"
            },
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey",
                "kms:CreateGrant",
                "kms:ListGrants",
                "kms:RevokeGrant"
            ],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": "210987654321"
                },
                "Bool": {
                    "kms:GrantIsForAWSResource": true
                },
                "NumericLessThan": {
                    "x": -1.5e3
                },
                "Null": {
                    "y": null
                }
            }
        }
    ]
}
"#;

/// xorshift64*: small, deterministic, good enough to pick positions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INSERTS: &[&str] = &[
    ",", "{", "}", "[", "]", ":", "\"", "'", "\u{201c}", "\u{201d}", "//x\n", "/*", "*/", " ",
    "\n", "x", "1", "\\", "{}", "[]", "\"a\": 1", ",,",
];

fn boundary(t: &str, mut i: usize) -> usize {
    while !t.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One small edit of the policy: delete a character, insert a token, or cut a range.
fn mutate(rng: &mut Rng, base: &str) -> String {
    mutate_n(rng, base).0
}

/// A mutated text and the number of edits made.
fn mutate_n(rng: &mut Rng, base: &str) -> (String, usize) {
    let mut t = base.to_string();
    let edits = 1 + rng.below(2);
    for _ in 0..edits {
        let at = boundary(&t, rng.below(t.len()));
        match rng.below(4) {
            0 => {
                let end = t[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                t.replace_range(at..end, "");
            }
            1 | 2 => {
                let s = INSERTS[rng.below(INSERTS.len())];
                t.insert_str(at, s);
            }
            _ => {
                let end = boundary(&t, (at + 1 + rng.below(12)).min(t.len()));
                t.replace_range(at..end, "");
            }
        }
    }
    (t, edits)
}

fn to_serde(n: &Node) -> serde_json::Value {
    match &n.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(s) => serde_json::from_str(s).unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(to_serde).collect()),
        Value::Object(members) => {
            let mut m = serde_json::Map::new();
            for mem in members {
                m.insert(mem.key.to_string(), to_serde(&mem.value));
            }
            serde_json::Value::Object(m)
        }
    }
}

fn counts(text: &str) -> std::collections::BTreeMap<&'static str, usize> {
    let mut m = std::collections::BTreeMap::new();
    for i in parse(text).issues {
        *m.entry(i.rule).or_insert(0) += 1;
    }
    m
}

/// Applies every non-overlapping fix, re-parses, repeats; returns the final text.
fn fix_all(text: &str) -> String {
    let mut t = text.to_string();
    for _ in 0..8 {
        let p = parse(&t);
        let mut chosen: Vec<(Span, String)> = Vec::new();
        for issue in &p.issues {
            let Some(edits) = &issue.fix else { continue };
            let mut trial = chosen.clone();
            trial.extend(edits.iter().cloned());
            if apply_edits(&t, &trial).is_ok() {
                chosen = trial;
            }
        }
        if chosen.is_empty() {
            break;
        }
        match apply_edits(&t, &chosen) {
            Ok(next) => t = next,
            Err(_) => break,
        }
    }
    t
}

#[test]
fn agrees_with_serde_json_and_does_not_cascade() {
    let mut rng = Rng(0x5EED_CAFE_F00D_1234);
    // histogram[edits - 1][issues]
    let mut histogram = [[0usize; 8]; 2];
    let mut worst = (0, String::new());
    for _ in 0..4000 {
        let (t, edits) = mutate_n(&mut rng, POLICY);
        let p = parse(&t);
        let ours_valid = p.issues.iter().all(|i| i.rule == "json-duplicate-key");
        let theirs = serde_json::from_str::<serde_json::Value>(&t);
        assert_eq!(
            ours_valid,
            theirs.is_ok(),
            "validity differs on:\n{t}\nissues: {:?}\nserde_json: {:?}",
            p.issues,
            theirs.err()
        );
        if let (Ok(v), Some(root)) = (&theirs, &p.root) {
            assert_eq!(&to_serde(root), v, "value differs on:\n{t}");
        }
        let n = p.issues.len();
        histogram[edits - 1][n.min(7)] += 1;
        // One edit is one mistake: it may take two findings to name (a stray quote is also
        // a string never closed), never a cascade.
        if n > 2 * edits + 1 && n > worst.0 {
            worst = (n, t.clone());
        }
        // Issues are sorted and inside the text.
        assert!(p
            .issues
            .windows(2)
            .all(|w| w[0].span.start <= w[1].span.start));
        assert!(p
            .issues
            .iter()
            .all(|i| i.span.end <= t.len() && i.span.start <= i.span.end));
    }
    assert!(
        worst.0 == 0,
        "{} issues for:\n{}\n{:?}\nhistogram {histogram:?}",
        worst.0,
        worst.1,
        parse(&worst.1).issues
    );
    // Most single edits are named by exactly one finding.
    let single: usize = histogram[0].iter().sum();
    assert!(
        histogram[0][1] * 10 >= (single - histogram[0][0]) * 8,
        "histogram {histogram:?}"
    );
}

#[test]
fn every_fix_is_certain() {
    let mut rng = Rng(0xF1C5_0000_0000_0001);
    let mut fixes = 0;
    let mut fully_fixable = 0;
    for _ in 0..1500 {
        let t = mutate(&mut rng, POLICY);
        let p = parse(&t);
        let before = counts(&t);
        for issue in p.issues.iter().filter(|i| i.fix.is_some()) {
            fixes += 1;
            let edits = issue.fix.clone().unwrap_or_default();
            let fixed = match apply_edits(&t, &edits) {
                Ok(f) => f,
                Err(e) => panic!("fix of {} does not apply ({e}) on:\n{t}", issue.rule),
            };
            let after = counts(&fixed);
            let get = |m: &std::collections::BTreeMap<&str, usize>, r: &str| {
                m.get(r).copied().unwrap_or(0)
            };
            assert!(
                get(&after, issue.rule) < get(&before, issue.rule),
                "fix of {} leaves it in place:\n{t}\n=>\n{fixed}",
                issue.rule
            );
            for (rule, n) in &after {
                assert!(
                    *n <= get(&before, rule),
                    "fix of {} adds a {rule} issue:\n{t}\n=>\n{fixed}",
                    issue.rule
                );
            }
        }
        if !p.issues.is_empty() && p.issues.iter().all(|i| i.fix.is_some()) {
            fully_fixable += 1;
            let fixed = fix_all(&t);
            assert!(
                serde_json::from_str::<serde_json::Value>(&fixed).is_ok(),
                "all issues fixable, but the result does not parse:\n{t}\n=>\n{fixed}"
            );
        }
    }
    assert!(fixes > 30, "only {fixes} fixes offered");
    assert!(
        fully_fixable > 20,
        "only {fully_fixable} fully fixable texts"
    );
}

#[test]
fn pathological_inputs_stay_fast_and_small() {
    let cases: Vec<String> = vec![
        "[".repeat(200_000),
        "{".repeat(200_000),
        "{\"a\":".repeat(100_000),
        "]".repeat(200_000),
        "}".repeat(200_000),
        ",".repeat(200_000),
        "\"".repeat(200_001),
        "/*".repeat(100_000),
        "//\n".repeat(100_000),
        "\u{201c}".repeat(100_000),
        "[1 ".repeat(100_000),
        "{\"Statement\": [".to_string() + &"{\"Sid\":\"a\"} ".repeat(50_000) + "]}",
        "{\"Statement\": [{\"Sid\":\"a\"}]".to_string() + &", {\"Sid\":\"b\"}".repeat(50_000) + "}",
        "{\"Statement\": [".to_string() + &"[".repeat(255) + &"]".repeat(255) + "]}",
        "x".repeat(300_000),
        "{\"a\": 1 ".repeat(60_000),
    ];
    for t in &cases {
        let start = std::time::Instant::now();
        let p = parse(t);
        let elapsed = start.elapsed();
        assert!(
            p.issues.len() <= 60,
            "{} issues for {:?}…",
            p.issues.len(),
            t.chars().take(40).collect::<String>()
        );
        // Generous: linear work on a few hundred KB, even unoptimised.
        assert!(
            elapsed.as_secs() < 10,
            "{elapsed:?} for {:?}…",
            t.chars().take(40).collect::<String>()
        );
    }
}

/// The fast path (`fast.rs`) changes nothing: on every mutation, and on every mutation
/// of a policy with escapes, non-ASCII text and numbers, `parse` equals the recovering
/// parser alone.
#[test]
fn fast_path_agrees_with_the_recovering_parser() {
    const ODD: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"caf\u{e9} \\u00e9 \\ud83d\\ude00 \\\"q\\\" \u{201c}x\u{201d}\", \"Principal\": {\"AWS\": [\"arn:aws:iam::111122223333:root\"]}, \"Action\": [\"kms:Decrypt\"], \"Resource\": \"*\", \"Condition\": {\"NumericLessThan\": {\"n\": [-0, 1e5, 1.5E-3, 0.25]}, \"Bool\": {\"b\": false}, \"Null\": {\"x\": null}}}]\n}\n";
    let mut rng = Rng(0xFA57_0000_D1FF_0001);
    let mut fast = 0;
    for round in 0..6000 {
        let base = if round % 2 == 0 { POLICY } else { ODD };
        let t = if round < 2 {
            base.to_string()
        } else {
            mutate(&mut rng, base)
        };
        let p = parse(&t);
        assert_eq!(p, super::parse_slow(&t), "fast and slow differ on:\n{t}");
        if super::fast::parse(&t).is_some() {
            fast += 1;
        }
    }
    // Both kinds of input were seen: texts the fast path took and texts it left.
    assert!(fast > 100 && fast < 5900, "{fast} of 6000 on the fast path");
}
