//! Unit tests of the fix loop with synthetic diagnostics (the real syntax rules live
//! elsewhere; these linters stand in for them and for broken rules).

use std::cell::Cell;

use super::*;
use crate::diagnostic::{Edit, Fix};

fn diag(rule: &'static str, span: Span, edits: Vec<(Span, &str)>) -> Diagnostic {
    Diagnostic::new(rule, Severity::Error, span, format!("{rule} here")).with_fix(Fix {
        description: format!("fix {rule}"),
        edits: edits
            .into_iter()
            .map(|(span, r)| Edit {
                span,
                replacement: r.to_string(),
            })
            .collect(),
        applicability: Applicability::Safe,
    })
}

/// The parser's own issues, as the engine reports them (no fix).
fn parse_issues(text: &str) -> Vec<Diagnostic> {
    json::parse(text)
        .issues
        .into_iter()
        .map(|i| Diagnostic::new(i.rule, Severity::Error, i.span, i.message))
        .collect()
}

/// A stand-in for the syntax rules: trailing commas, missing commas between objects and
/// typographic quotes outside strings, each with its fix; plus the parser's issues.
fn fake_lint(text: &str) -> Vec<Diagnostic> {
    let mut out = parse_issues(text);
    let b = text.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        if !text.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let c = b[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            let after = i + text[i..].chars().next().map_or(1, char::len_utf8);
            let next = text[after..]
                .find(|ch: char| !ch.is_whitespace())
                .map(|o| b[after + o]);
            match c {
                b'"' => in_string = true,
                b',' if matches!(next, Some(b']' | b'}')) => out.push(diag(
                    "json-trailing-comma",
                    Span::new(i, i + 1),
                    vec![(Span::new(i, i + 1), "")],
                )),
                b'}' if next == Some(b'{') => out.push(diag(
                    "splice-missing-comma",
                    Span::point(i + 1),
                    vec![(Span::point(i + 1), ",")],
                )),
                _ => {}
            }
            for q in ["“", "”"] {
                if text[i..].starts_with(q) {
                    out.push(diag(
                        "json-smart-quotes",
                        Span::new(i, i + q.len()),
                        vec![(Span::new(i, i + q.len()), "\"")],
                    ));
                }
            }
        }
        i += 1;
    }
    out
}

#[test]
fn fixes_trailing_and_missing_commas_and_smart_quotes() {
    let text = "{\n  \"Statement\": [\n    {\"Sid\": \"a\"}\n    {“Sid”: \"b\"},\n  ],\n}\n";
    let r = fix_text(text, &fake_lint);
    assert_eq!(
        r.text,
        "{\n  \"Statement\": [\n    {\"Sid\": \"a\"},\n    {\"Sid\": \"b\"}\n  ]\n}\n"
    );
    assert!(json::parse(&r.text).is_valid());
    let mut rules: Vec<&str> = r.applied.iter().map(|a| a.rule).collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            "json-smart-quotes",
            "json-smart-quotes",
            "json-trailing-comma",
            "json-trailing-comma",
            "splice-missing-comma"
        ]
    );
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    // Independent fixes go in one pass; the second pass finds nothing.
    assert_eq!(r.passes, 1);

    let again = fix_text(&r.text, &fake_lint);
    assert_eq!(again.text, r.text);
    assert!(again.applied.is_empty());
    assert_eq!(again.passes, 0);
}

#[test]
fn more_missing_commas_than_the_findings_cap_are_all_fixed_at_once() {
    // 60 statements pasted one after another without commas: more than the parser reports
    // per rule, and more than it re-parses one by one to verify fixes.
    let statements: Vec<String> = (0..60)
        .map(|i| {
            format!("    {{\"Sid\": \"s{i}\", \"Effect\": \"Allow\", \"Principal\": {{\"AWS\": \"arn:aws:iam::382716459021:root\"}}, \"Action\": \"kms:*\", \"Resource\": \"*\"}}")
        })
        .collect();
    let policy = |sep: &str| {
        format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": [\n{}\n]}}\n",
            statements.join(sep)
        )
    };
    let text = policy("\n");
    let parsed = json::parse(&text);
    assert!(!parsed.issues.is_empty());
    assert!(
        parsed.issues.iter().all(|i| i.fix.is_some()),
        "{:?}",
        parsed.issues
    );
    let config = crate::config::Config::default();
    let lint = |t: &str| engine::lint_text(Path::new("key-policy.json"), t, &config);
    let r = fix_text(&text, &lint);
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    assert_eq!(r.applied.len(), 59, "{} passes", r.passes);
    // The linter reports 25 findings per rule, so 59 commas take three passes.
    assert_eq!(r.passes, 3);
    assert_eq!(r.text, policy(",\n"));
}

#[test]
fn a_fix_that_reveals_another_is_followed_by_another_pass() {
    // Like a strict parser: only the first trailing comma is reported.
    let first_only = |t: &str| {
        let mut d: Vec<Diagnostic> = fake_lint(t)
            .into_iter()
            .filter(|d| d.rule == "json-trailing-comma" && d.fix.is_some())
            .take(1)
            .collect();
        d.extend(parse_issues(t));
        d
    };
    let r = fix_text("[[1,],[2,],[3,],]", &first_only);
    assert_eq!(r.text, "[[1],[2],[3]]", "{:?}", r.refused);
    assert_eq!(r.applied.len(), 4);
    assert_eq!(r.passes, 4);
}

#[test]
fn crlf_files_get_crlf_in_replacements_and_keep_every_other_byte() {
    // A fix whose replacement has a line break (as unwrapping a pasted document does).
    let lint = |t: &str| {
        let mut out = parse_issues(t);
        if let Some(i) = t.find("@@") {
            out.push(diag(
                "splice-pasted-document",
                Span::new(i, i + 2),
                vec![(Span::new(i, i + 2), "1,\n    2")],
            ));
        }
        out
    };
    let text = "[\r\n    @@\r\n]  \r\n";
    let r = fix_text(text, &lint);
    assert_eq!(r.text, "[\r\n    1,\r\n    2\r\n]  \r\n");
    let lf = fix_text("[\n    @@\n]\n", &lint);
    assert_eq!(lf.text, "[\n    1,\n    2\n]\n");
}

#[test]
fn overlapping_fixes_are_applied_one_at_a_time() {
    let calls = Cell::new(0);
    let lint = |t: &str| {
        calls.set(calls.get() + 1);
        let mut out = parse_issues(t);
        if let Some(i) = t.find("AB") {
            out.push(diag(
                "x-one",
                Span::new(i, i + 2),
                vec![(Span::new(i, i + 2), "1")],
            ));
            out.push(diag(
                "x-two",
                Span::new(i + 1, i + 2),
                vec![(Span::new(i + 1, i + 2), "2")],
            ));
        }
        out
    };
    let r = fix_text("[AB]", &lint);
    assert_eq!(r.text, "[1]");
    assert_eq!(r.applied.len(), 1);
    assert_eq!(r.applied[0].rule, "x-one");
}

#[test]
fn a_fix_that_breaks_the_parse_is_refused() {
    let text = "{\"a\": [1]}";
    let lint = |t: &str| {
        let mut out = parse_issues(t);
        if let Some(i) = t.find("1]") {
            out.push(diag(
                "aws-bad-fix",
                Span::new(i, i + 1),
                vec![(Span::point(i + 1), ",")],
            ));
        }
        out
    };
    let r = fix_text(text, &lint);
    assert_eq!(r.text, text);
    assert!(r.applied.is_empty());
    assert_eq!(r.refused.len(), 1);
    assert!(
        r.refused[0].reason.contains("more syntax errors"),
        "{:?}",
        r.refused
    );
}

#[test]
fn a_fix_that_does_not_fix_is_refused_and_does_not_loop() {
    // Replaces the comma with itself plus a space: the finding stays where it was.
    let calls = Cell::new(0);
    let lint = |t: &str| {
        calls.set(calls.get() + 1);
        let mut out = parse_issues(t);
        if let Some(i) = t.find(",") {
            out.push(diag(
                "json-trailing-comma",
                Span::new(i, i + 1),
                vec![(Span::new(i, i + 1), ", ")],
            ));
        }
        out
    };
    let r = fix_text("[1,]", &lint);
    assert_eq!(r.text, "[1,]");
    assert_eq!(r.refused.len(), 1);
    assert!(
        r.refused[0].reason.contains("still fire"),
        "{:?}",
        r.refused
    );
    assert!(calls.get() <= 3, "linted {} times", calls.get());
}

#[test]
fn a_fix_after_which_its_rule_fires_more_often_is_refused() {
    // `x-member` fires on "ab" and fixes it to "c"; each "c" (as when a syntax fix makes
    // the parser read the rest of a broken file differently) brings two findings of the
    // same rule to light at the end of the text, away from the edit.
    let lint = |t: &str| {
        let mut out = parse_issues(t);
        if let Some(i) = t.find("ab") {
            out.push(diag(
                "x-member",
                Span::new(i, i + 2),
                vec![(Span::new(i, i + 2), "c")],
            ));
        }
        let end = t.len() - 1;
        for _ in 0..2 * t.matches('c').count() {
            out.push(Diagnostic::new(
                "x-member",
                Severity::Error,
                Span::new(end, end + 1),
                "revealed",
            ));
        }
        out
    };
    let text = "[\"ab\", 1, 2, 3]";
    let r = fix_text(text, &lint);
    assert_eq!(r.text, text, "applied {:?}", r.applied);
    assert_eq!(r.refused.len(), 1, "{:?}", r.refused);
    assert!(
        r.refused[0].reason.contains("more often"),
        "{:?}",
        r.refused
    );
}

#[test]
fn a_bad_fix_in_a_batch_does_not_block_the_good_ones() {
    let lint = |t: &str| {
        let mut out = fake_lint(t);
        if let Some(i) = t.find("true") {
            // Breaks the document.
            out.push(diag(
                "x-bad",
                Span::new(i, i + 4),
                vec![(Span::new(i, i + 4), "tru")],
            ));
        }
        out
    };
    let r2 = fix_text("{\"a\": [1,], \"b\": true}", &lint);
    assert_eq!(r2.text, "{\"a\": [1], \"b\": true}");
    assert_eq!(r2.applied.len(), 1);
    assert_eq!(r2.refused.len(), 1);
    assert_eq!(r2.refused[0].rule, "x-bad");
}

#[test]
fn invalid_edits_are_refused() {
    let lint = |t: &str| {
        let mut out = parse_issues(t);
        out.push(diag("x-out", Span::new(0, 1), vec![(Span::new(2, 99), "")]));
        out.push(diag(
            "x-self-overlap",
            Span::new(0, 1),
            vec![(Span::new(0, 2), ""), (Span::new(1, 3), "")],
        ));
        out.push(diag(
            "x-mid-char",
            Span::new(0, 1),
            vec![(Span::new(2, 3), "")],
        ));
        out
    };
    let text = "[\"é\"]";
    let r = fix_text(text, &lint);
    assert_eq!(r.text, text);
    assert_eq!(r.refused.len(), 3, "{:?}", r.refused);
}

#[test]
fn edits_inside_a_string_must_come_escaped() {
    // `aws kms get-key-policy` output: the policy is a JSON string in JSON. The rule that
    // maps the embedded policy's fixes into the outer file escapes their text.
    let text = "{\n    \"Policy\": \"{\\n  “Version”: \\\"2012-10-17\\\",\\n  \\\"Statement\\\": [],\\n}\",\n    \"PolicyName\": \"default\"\n}\n";
    assert!(json::parse(text).is_valid());
    let lint_with = |quote: &'static str| {
        move |t: &str| {
            let mut out = parse_issues(t);
            for q in ["“", "”"] {
                if let Some(i) = t.find(q) {
                    out.push(diag(
                        "json-smart-quotes",
                        Span::new(i, i + q.len()),
                        vec![(Span::new(i, i + q.len()), quote)],
                    ));
                }
            }
            if let Some(i) = t.find("],\\n}") {
                out.push(diag(
                    "json-trailing-comma",
                    Span::new(i + 1, i + 2),
                    vec![(Span::new(i + 1, i + 2), "")],
                ));
            }
            out
        }
    };
    let r = fix_text(text, &lint_with("\\\""));
    assert_eq!(
        r.text,
        "{\n    \"Policy\": \"{\\n  \\\"Version\\\": \\\"2012-10-17\\\",\\n  \\\"Statement\\\": []\\n}\",\n    \"PolicyName\": \"default\"\n}\n"
    );
    let outer = json::parse(&r.text);
    assert!(outer.is_valid());
    let policy = outer
        .root
        .as_ref()
        .and_then(|r| r.get("Policy"))
        .and_then(|p| p.as_str())
        .unwrap_or_default()
        .to_string();
    assert!(json::parse(&policy).is_valid(), "{policy}");

    // An unescaped quote would end the string early: refused, the rest still fixed.
    let r = fix_text(text, &lint_with("\""));
    assert!(r.text.contains("“Version”"), "{}", r.text);
    assert!(r.text.contains("[]\\n}"), "{}", r.text);
    assert_eq!(r.refused.len(), 2, "{:?}", r.refused);
    assert!(
        r.refused[0].reason.contains("not escaped"),
        "{:?}",
        r.refused
    );
    assert!(json::parse(&r.text).is_valid());
}

#[test]
fn offsets_map_through_edits() {
    let edits = vec![
        (Span::point(2), ",".to_string()),
        (Span::new(5, 7), "".to_string()),
    ];
    assert_eq!(map_offset(&edits, 1, false), 1);
    assert_eq!(map_offset(&edits, 2, false), 2);
    assert_eq!(map_offset(&edits, 2, true), 3);
    assert_eq!(map_offset(&edits, 5, false), 6);
    assert_eq!(map_offset(&edits, 6, false), 6);
    assert_eq!(map_offset(&edits, 7, false), 6);
    assert_eq!(map_offset(&edits, 9, false), 8);
    assert_eq!(map_span(&edits, Span::new(8, 9)), Span::new(7, 8));
}

#[test]
fn fixable_findings_say_so_in_their_help() {
    let mut d = vec![
        diag(
            "json-trailing-comma",
            Span::point(0),
            vec![(Span::point(0), "")],
        )
        .with_help("remove the comma"),
        diag("json-comment", Span::point(0), vec![(Span::point(0), "")]),
        Diagnostic::new("aws-x", Severity::Error, Span::point(0), "m").with_help("do it"),
    ];
    d[1].help = None;
    mark_fixable(&mut d);
    mark_fixable(&mut d);
    assert_eq!(
        d[0].help.as_deref(),
        Some("remove the comma (fixable with `cmklint check --fix`)")
    );
    assert_eq!(d[1].help.as_deref(), Some(FIXABLE_HINT));
    assert_eq!(d[2].help.as_deref(), Some("do it"));
}

mod files {
    use super::*;
    use std::fs;

    #[test]
    fn bom_and_crlf_are_kept_and_a_second_run_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("policy.json");
        let original = "\u{feff}{\r\n  \"Statement\": [\r\n    {\"Sid\": \"a\"}\r\n    {\"Sid\": \"b\"},\r\n  ]\r\n}\r\n";
        fs::write(&p, original).unwrap();
        let plan = plan_file(&p, None, &fake_lint).unwrap();
        assert!(plan.changes());
        plan.write().unwrap();
        let written = fs::read_to_string(&p).unwrap();
        assert_eq!(
            written,
            "\u{feff}{\r\n  \"Statement\": [\r\n    {\"Sid\": \"a\"},\r\n    {\"Sid\": \"b\"}\r\n  ]\r\n}\r\n"
        );
        let diff = plan.diff();
        assert!(
            diff.contains("-    {\"Sid\": \"a\"}\r\n-    {\"Sid\": \"b\"},\r\n+    {\"Sid\": \"a\"},\r\n+    {\"Sid\": \"b\"}\r\n"),
            "{diff:?}"
        );
        assert!(diff.starts_with("--- a/"), "{diff:?}");
        assert!(!diff.contains("a//"), "{diff:?}");

        let again = plan_file(&p, None, &fake_lint).unwrap();
        assert!(!again.changes());
        again.write().unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), written);
    }

    #[test]
    fn read_only_file_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("policy.json");
        fs::write(&p, "[1,]").unwrap();
        let mut perm = fs::metadata(&p).unwrap().permissions();
        perm.set_readonly(true);
        fs::set_permissions(&p, perm).unwrap();
        let plan = plan_file(&p, None, &fake_lint).unwrap();
        assert!(plan.changes());
        let err = plan.write().unwrap_err();
        assert!(matches!(err, WriteError::ReadOnly(_)));
        assert_eq!(fs::read_to_string(&p).unwrap(), "[1,]");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_fixed_at_its_target_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        fs::write(&real, "[1,]").unwrap();
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        let plan = plan_file(&link, None, &fake_lint).unwrap();
        plan.write().unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "[1]");
    }

    #[test]
    fn standard_input_is_planned_but_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("absent.json");
        let plan = plan_file(&p, Some("[1,]"), &fake_lint).unwrap();
        assert_eq!(plan.fixed, b"[1]");
        plan.write().unwrap();
        assert!(!p.exists());
    }
}
