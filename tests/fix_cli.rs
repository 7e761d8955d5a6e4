//! `cmklint check --fix` / `--diff` end to end, through the built binary.
//!
//! The main case is the one issue 6 names: a realistic AWS key policy into which the Aura
//! statements were pasted with all six splice mistakes made by hand (a `//` comment,
//! typographic quotes, a trailing comma, a missing comma between statements, statements
//! pasted with their own `[ ]`, a whole generated policy pasted as an element). `--fix`
//! must turn it into JSON that Python's `json` module and cmklint accept, with every
//! statement intact, and a second `--fix` must change nothing. The other cases cover what
//! the fix must keep (CRLF, BOM, mode, symlinks), refuse (read-only files) or only show
//! (`--diff`), the policy embedded in `get-key-policy` output, and standard input.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BROKEN_POLICY: &str = r#"{
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
        // Key administrators (platform team)
        {
            "Sid": "Allow access for Key Administrators",
            "Effect": "Allow",
            "Principal": {
                “AWS”: "arn:aws:iam::210987654321:role/KeyAdmin"
            },
            "Action": [
                "kms:Create*",
                "kms:Describe*",
                "kms:Enable*",
                "kms:List*",
                "kms:Put*",
                "kms:Update*",
                "kms:Revoke*",
                "kms:Disable*",
                "kms:Get*",
                "kms:Delete*",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:ScheduleKeyDeletion",
                "kms:CancelKeyDeletion",
            ],
            "Resource": "*"
        }
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
        [
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
        ],
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Allow Neo4j Aura to describe the key",
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": "*"
                    },
                    "Action": "kms:DescribeKey",
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {
                            "kms:CallerAccount": "210987654321"
                        }
                    }
                }
            ]
        }
    ]
}
"#;

/// The statements the user meant, in order: the policy's own two, then the Aura ones.
const INTENDED_STATEMENTS: &str = r#"[
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::210987654321:role/KeyAdmin"},
     "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                "kms:CancelKeyDeletion"],
     "Resource": "*"},
    {"Sid": "Allow use of the key for Neo4j Aura", "Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
     "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}},
    {"Sid": "Allow attachment of persistent resources for Neo4j Aura", "Effect": "Allow",
     "Principal": {"AWS": "*"}, "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
     "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}},
    {"Sid": "Allow Neo4j Aura to describe the key", "Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": "kms:DescribeKey", "Resource": "*",
     "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
]"#;

const SIX_RULES: [&str; 6] = [
    "json-comment",
    "json-smart-quotes",
    "json-trailing-comma",
    "splice-missing-comma",
    "splice-nested-array",
    "splice-pasted-document",
];

fn cmklint(dir: &Path, args: &[&str]) -> Output {
    cmklint_with_stdin(dir, args, None)
}

fn cmklint_with_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cmklint"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let Ok(mut child) = cmd.spawn() else {
        panic!("cannot run cmklint")
    };
    if let Some(mut pipe) = child.stdin.take() {
        if let Some(text) = stdin {
            use std::io::Write;
            let _ = pipe.write_all(text.as_bytes());
        }
    }
    match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => panic!("cmklint did not finish: {e}"),
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read(p: &Path) -> Vec<u8> {
    fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn write(p: &Path, bytes: impl AsRef<[u8]>) {
    fs::write(p, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", p.display()));
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"))
}

/// The rule ids of `cmklint check --format json` on `file`.
fn rules_found(dir: &Path, file: &str) -> Vec<String> {
    let o = cmklint(dir, &["check", "--format", "json", file]);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("--format json is not JSON ({e}): {}", stdout(&o)));
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether Python's `json` module accepts the file (None: no python3 here).
fn python_accepts(file: &Path, script: &str) -> Option<Result<(), String>> {
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
        .ok()?;
    Some(if o.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    })
}

const PY_LOAD: &str = "import json,sys; json.load(open(sys.argv[1], encoding='utf-8-sig'))";

fn statements(text: &str) -> Value {
    let doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .unwrap_or_else(|e| panic!("fixed policy is not JSON ({e}):\n{text}"));
    doc["Statement"].clone()
}

fn intended() -> Value {
    serde_json::from_str(INTENDED_STATEMENTS).unwrap_or(Value::Null)
}

#[test]
fn six_splice_mistakes_are_fixed_into_json_that_python_and_cmklint_accept() {
    let dir = tempdir();
    let policy = dir.path().join("key-policy.json");
    write(&policy, BROKEN_POLICY);

    // Before: each of the six mistakes is found, and its help says it is fixable.
    let o = cmklint(
        dir.path(),
        &["check", "--format", "json", "key-policy.json"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let found: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    for rule in SIX_RULES {
        let d = found
            .as_array()
            .and_then(|a| a.iter().find(|d| d["rule"] == rule))
            .unwrap_or_else(|| panic!("{rule} not reported: {}", stdout(&o)));
        let help = d["help"].as_str().unwrap_or_default();
        assert!(
            help.ends_with("(fixable with `cmklint check --fix`)"),
            "{rule}: {help}"
        );
    }

    // Fix: nothing remains, so the exit code is 0.
    let o = cmklint(dir.path(), &["check", "--fix", "key-policy.json"]);
    assert_eq!(
        code(&o),
        0,
        "stdout:\n{}\nstderr:\n{}",
        stdout(&o),
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("applied 6 fixes in 1 file"),
        "{}",
        stderr(&o)
    );
    let fixed = read(&policy);
    let fixed_text = String::from_utf8_lossy(&fixed).into_owned();

    // Python's json module accepts it.
    match python_accepts(&policy, PY_LOAD) {
        Some(r) => {
            r.unwrap_or_else(|e| panic!("python3 rejects the fixed policy: {e}\n{fixed_text}"))
        }
        None => eprintln!("python3 not found; skipped the Python check"),
    }
    // cmklint accepts it.
    assert_eq!(
        rules_found(dir.path(), "key-policy.json"),
        Vec::<String>::new()
    );
    // The statements are the intended ones, Aura's intact.
    assert_eq!(statements(&fixed_text), intended(), "{fixed_text}");
    // Lines the fixes did not touch are byte for byte the same.
    for line in BROKEN_POLICY
        .lines()
        .filter(|l| l.contains("kms:CallerAccount"))
    {
        assert!(fixed_text.contains(line), "lost line {line:?}");
    }

    // A second --fix changes nothing.
    let o = cmklint(dir.path(), &["check", "--fix", "key-policy.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing to fix"), "{}", stderr(&o));
    assert_eq!(read(&policy), fixed);
}

#[test]
fn diff_shows_what_fix_would_write_and_writes_nothing() {
    let dir = tempdir();
    let policy = dir.path().join("key-policy.json");
    write(&policy, BROKEN_POLICY);
    let o = cmklint(dir.path(), &["check", "--diff", "key-policy.json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let diff = stdout(&o);
    assert!(
        diff.starts_with("--- a/key-policy.json\n+++ b/key-policy.json\n@@ -"),
        "{diff}"
    );
    assert!(
        diff.contains("\n-        // Key administrators (platform team)\n"),
        "{diff}"
    );
    assert!(diff.contains("\n-                “AWS”: \"arn:aws:iam::210987654321:role/KeyAdmin\"\n+                \"AWS\": \"arn:aws:iam::210987654321:role/KeyAdmin\"\n"), "{diff}");
    assert_eq!(
        read(&policy),
        BROKEN_POLICY.as_bytes(),
        "--diff wrote the file"
    );
    assert!(stderr(&o).contains("would be applied"), "{}", stderr(&o));

    // The diff applies with `patch` and gives exactly what --fix writes.
    let fixed_dir = tempdir();
    write(&fixed_dir.path().join("key-policy.json"), BROKEN_POLICY);
    let f = cmklint(fixed_dir.path(), &["check", "--fix", "key-policy.json"]);
    assert_eq!(code(&f), 0, "{}", stderr(&f));
    let want = read(&fixed_dir.path().join("key-policy.json"));
    write(&dir.path().join("fix.diff"), &diff);
    match Command::new("patch")
        .args(["-p1", "--quiet", "-i", "fix.diff"])
        .current_dir(dir.path())
        .output()
    {
        Ok(p) => {
            assert!(p.status.success(), "{}", String::from_utf8_lossy(&p.stderr));
            assert_eq!(read(&policy), want);
        }
        Err(_) => eprintln!("patch not found; skipped applying the diff"),
    }

    // Nothing to fix: an empty diff and the usual exit code.
    let o = cmklint(dir.path(), &["check", "--diff", "key-policy.json"]);
    assert_eq!(stdout(&o), "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn crlf_line_endings_and_the_bom_are_kept() {
    let dir = tempdir();
    let lf = dir.path().join("lf.json");
    let crlf = dir.path().join("crlf.json");
    write(&lf, BROKEN_POLICY);
    write(
        &crlf,
        format!("\u{feff}{}", BROKEN_POLICY.replace('\n', "\r\n")),
    );
    let o = cmklint(dir.path(), &["check", "--fix", "lf.json", "crlf.json"]);
    assert_eq!(code(&o), 0, "{}\n{}", stdout(&o), stderr(&o));
    let lf_fixed = String::from_utf8_lossy(&read(&lf)).into_owned();
    let crlf_fixed = String::from_utf8_lossy(&read(&crlf)).into_owned();
    assert_eq!(
        crlf_fixed,
        format!("\u{feff}{}", lf_fixed.replace('\n', "\r\n")),
        "the CRLF + BOM file must be the LF result with CRLF and the BOM"
    );
    assert_eq!(statements(&crlf_fixed), intended());
    if let Some(r) = python_accepts(&crlf, PY_LOAD) {
        r.unwrap_or_else(|e| panic!("python3 rejects the fixed CRLF policy: {e}"));
    }
}

#[cfg(unix)]
#[test]
fn the_file_mode_is_kept_and_no_temporary_file_is_left() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let policy = dir.path().join("key-policy.json");
    write(&policy, BROKEN_POLICY);
    let set = fs::set_permissions(&policy, fs::Permissions::from_mode(0o640));
    assert!(set.is_ok());
    let o = cmklint(dir.path(), &["check", "--fix", "key-policy.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mode = fs::metadata(&policy).map(|m| m.permissions().mode() & 0o777);
    assert_eq!(mode.ok(), Some(0o640));
    let names: Vec<String> = fs::read_dir(dir.path())
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names, ["key-policy.json"]);
}

#[test]
fn a_read_only_file_is_reported_and_not_written() {
    let dir = tempdir();
    let policy = dir.path().join("key-policy.json");
    write(&policy, BROKEN_POLICY);
    let mut perm = fs::metadata(&policy)
        .map(|m| m.permissions())
        .unwrap_or_else(|e| panic!("{e}"));
    perm.set_readonly(true);
    assert!(fs::set_permissions(&policy, perm).is_ok());
    let o = cmklint(
        dir.path(),
        &["check", "--fix", "--format", "concise", "key-policy.json"],
    );
    assert_eq!(code(&o), 2, "{}\n{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains(
            "key-policy.json:1:1: error: file is read-only, so its fixes were not written [io-error]"
        ),
        "{}",
        stdout(&o)
    );
    // The findings are still reported, and the file is untouched.
    assert!(
        stdout(&o).contains("[splice-missing-comma]"),
        "{}",
        stdout(&o)
    );
    assert_eq!(read(&policy), BROKEN_POLICY.as_bytes());
    let entries = fs::read_dir(dir.path()).map(|rd| rd.count()).unwrap_or(0);
    assert_eq!(entries, 1, "a temporary file was left behind");
}

#[cfg(unix)]
#[test]
fn a_symlink_is_fixed_at_its_target_and_stays_a_link() {
    let dir = tempdir();
    let real_dir = dir.path().join("policies");
    assert!(fs::create_dir(&real_dir).is_ok());
    let target = real_dir.join("key-policy.json");
    write(&target, BROKEN_POLICY);
    let link = dir.path().join("current.json");
    assert!(std::os::unix::fs::symlink("policies/key-policy.json", &link).is_ok());

    let o = cmklint(dir.path(), &["check", "--fix", "current.json"]);
    assert_eq!(code(&o), 0, "{}\n{}", stdout(&o), stderr(&o));
    let meta = fs::symlink_metadata(&link).map(|m| m.file_type().is_symlink());
    assert_eq!(meta.ok(), Some(true), "the link was replaced by a file");
    let fixed = String::from_utf8_lossy(&read(&target)).into_owned();
    assert_eq!(statements(&fixed), intended());
}

#[test]
fn the_policy_inside_get_key_policy_output_is_fixed_inside_its_string() {
    // `aws kms get-key-policy --key-id … --policy-name default`, with the Aura statement
    // pasted into the policy text without its comma and with typographic quotes.
    let output = concat!(
        "{\n",
        "    \"Policy\": \"{\\n  \\\"Version\\\" : \\\"2012-10-17\\\",\\n  \\\"Id\\\" : \\\"key-default-1\\\",\\n",
        "  \\\"Statement\\\" : [ {\\n    \\\"Sid\\\" : \\\"Enable IAM User Permissions\\\",\\n",
        "    \\\"Effect\\\" : \\\"Allow\\\",\\n    \\\"Principal\\\" : {\\n      \\\"AWS\\\" : \\\"arn:aws:iam::210987654321:root\\\"\\n    },\\n",
        "    \\\"Action\\\" : \\\"kms:*\\\",\\n    \\\"Resource\\\" : \\\"*\\\"\\n  }\\n",
        "  {\\n    “Sid” : \\\"Allow use of the key for Neo4j Aura\\\",\\n",
        "    \\\"Effect\\\" : \\\"Allow\\\",\\n    \\\"Principal\\\" : {\\n      \\\"AWS\\\" : \\\"*\\\"\\n    },\\n",
        "    \\\"Action\\\" : [ \\\"kms:Encrypt\\\", \\\"kms:Decrypt\\\", \\\"kms:ReEncrypt*\\\", \\\"kms:GenerateDataKey*\\\", \\\"kms:DescribeKey\\\", \\\"kms:CreateGrant\\\", \\\"kms:ListGrants\\\", \\\"kms:RevokeGrant\\\" ],\\n",
        "    \\\"Resource\\\" : \\\"*\\\",\\n",
        "    \\\"Condition\\\" : {\\n      \\\"StringEquals\\\" : {\\n        \\\"kms:CallerAccount\\\" : \\\"210987654321\\\"\\n      }\\n    }\\n  } ]\\n}\",\n",
        "    \"PolicyName\": \"default\"\n",
        "}\n"
    );
    let dir = tempdir();
    let file = dir.path().join("get-key-policy.json");
    write(&file, output);
    let before = rules_found(dir.path(), "get-key-policy.json");
    assert!(
        before.iter().any(|r| r == "splice-missing-comma")
            && before.iter().any(|r| r == "json-smart-quotes"),
        "{before:?}"
    );

    let o = cmklint(dir.path(), &["check", "--fix", "get-key-policy.json"]);
    assert_eq!(code(&o), 0, "{}\n{}", stdout(&o), stderr(&o));
    let fixed = String::from_utf8_lossy(&read(&file)).into_owned();
    // The outer document and the policy inside its string both parse.
    let outer: Value = serde_json::from_str(&fixed)
        .unwrap_or_else(|e| panic!("outer JSON broken ({e}):\n{fixed}"));
    let policy: Value = serde_json::from_str(outer["Policy"].as_str().unwrap_or(""))
        .unwrap_or_else(|e| panic!("embedded policy broken ({e}):\n{fixed}"));
    let sids: Vec<&str> = policy["Statement"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["Sid"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        sids,
        [
            "Enable IAM User Permissions",
            "Allow use of the key for Neo4j Aura"
        ]
    );
    assert_eq!(outer["PolicyName"], "default");
    if let Some(r) = python_accepts(
        &file,
        "import json,sys; json.loads(json.load(open(sys.argv[1]))['Policy'])",
    ) {
        r.unwrap_or_else(|e| panic!("python3 rejects the fixed output: {e}"));
    }
    assert_eq!(
        rules_found(dir.path(), "get-key-policy.json"),
        Vec::<String>::new()
    );
}

#[test]
fn findings_left_after_fixing_are_reported_and_decide_the_exit_code() {
    // A missing comma (fixable) and an action that does not exist (not fixable).
    let text = BROKEN_POLICY.replace("\"kms:Encrypt\",", "\"kms:Encrpyt\",");
    let dir = tempdir();
    let policy = dir.path().join("key-policy.json");
    write(&policy, &text);
    let o = cmklint(
        dir.path(),
        &["check", "--fix", "--format", "concise", "key-policy.json"],
    );
    assert_eq!(code(&o), 1, "{}\n{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("[aws-unknown-action]"), "{out}");
    for rule in SIX_RULES {
        assert!(!out.contains(&format!("[{rule}]")), "{rule} left: {out}");
    }
    assert!(stderr(&o).contains("applied 6 fixes"), "{}", stderr(&o));
}

#[test]
fn fix_on_standard_input_prints_the_fixed_text() {
    let dir = tempdir();
    let o = cmklint_with_stdin(
        dir.path(),
        &["check", "--fix", "--stdin-filename", "key-policy.json"],
        Some(BROKEN_POLICY),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(statements(&stdout(&o)), intended());
    assert!(!dir.path().join("key-policy.json").exists());
}
