//! CLI tests: run the built binary the way a user does, in a throwaway folder, and check
//! exit codes, output formats, config discovery, bad input and the shipped editor and
//! pre-commit files.
//!
//! Broken inputs here are truncated key policies; the rule that reports them is read from
//! the binary's own JSON output rather than hard-coded, so these tests keep their meaning
//! when the syntax rules get more specific.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_cmklint");

/// A key policy as `aws kms get-key-policy --query Policy --output text` prints it after
/// the Aura statements were pasted in correctly.
const GOOD_POLICY: &str = r#"{
    "Version": "2012-10-17",
    "Id": "key-consolepolicy-3",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::382716459021:root"
            },
            "Action": "kms:*",
            "Resource": "*"
        },
        {
            "Sid": "Allow Neo4j Aura to use the key",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::210987654321:root"
            },
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey"
            ],
            "Resource": "*"
        },
        {
            "Sid": "Allow Neo4j Aura to manage grants",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::210987654321:root"
            },
            "Action": [
                "kms:CreateGrant",
                "kms:ListGrants",
                "kms:RevokeGrant"
            ],
            "Resource": "*",
            "Condition": {
                "Bool": {
                    "kms:GrantIsForAWSResource": "true"
                }
            }
        }
    ]
}
"#;

/// The same policy cut off in the middle of the Aura statement (a half-saved file).
fn broken_policy() -> String {
    let cut = GOOD_POLICY
        .find("\"kms:DescribeKey\"")
        .unwrap_or(GOOD_POLICY.len() / 2);
    GOOD_POLICY[..cut].to_string()
}

/// A throwaway folder the binary runs in.
struct Sandbox {
    dir: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}")),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Sandbox {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        std::fs::write(&p, content).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        self
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .current_dir(self.dir.path())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("FORCE_COLOR");
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(self.command(args), None)
    }

    fn run_with(&self, mut c: Command, stdin: Option<&[u8]>) -> Run {
        c.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = c
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(input)
                .unwrap_or_else(|e| panic!("write stdin: {e}"));
        }
        let out: Output = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("wait: {e}"));
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(
            !run.stderr.contains("panicked"),
            "the binary panicked:\n{}",
            run.stderr
        );
        run
    }
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The rule ids the binary reports for a truncated key policy.
fn broken_policy_rules() -> Vec<String> {
    let sb = Sandbox::new();
    sb.write("key-policy.json", broken_policy());
    let run = sb.run(&["check", "--format", "json"]);
    let mut ids: Vec<String> = run
        .json()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d["rule"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids.dedup();
    assert!(!ids.is_empty(), "a truncated key policy must be reported");
    ids
}

/// `[rules.severity]` setting every rule a truncated policy triggers to `severity`.
fn severity_config(severity: &str) -> String {
    let mut s = String::from("[rules.severity]\n");
    for id in broken_policy_rules() {
        s.push_str(&format!("{id} = \"{severity}\"\n"));
    }
    s
}

fn concise_re() -> regex::Regex {
    regex::Regex::new(r"^(.+?):(\d+):(\d+): (error|warning|note): (.*) \[([a-z0-9-]+)\]$")
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_clean_folder_exits_0() {
    let sb = Sandbox::new();
    sb.write("keys/prod/key-policy.json", GOOD_POLICY).write(
        "package.json",
        "{\"name\": \"x\", \"version\": \"1.0.0\"}\n",
    );
    let run = sb.run(&["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.trim(), "cmklint: 1 file linted, no findings");
}

#[test]
fn an_error_finding_exits_1_in_concise_form() {
    let sb = Sandbox::new();
    sb.write("keys/key-policy.json", broken_policy())
        .write("keys/other.json", GOOD_POLICY);
    let run = sb.run(&["check", "keys"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let re = concise_re();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(!lines.is_empty());
    for line in &lines {
        let c = re
            .captures(line)
            .unwrap_or_else(|| panic!("not concise: {line}"));
        assert_eq!(&c[1], "keys/key-policy.json");
        assert_eq!(&c[4], "error");
    }
    assert!(
        run.stderr.contains("2 files linted") && run.stderr.contains("error"),
        "{}",
        run.stderr
    );
}

#[test]
fn fail_on_and_exit_zero() {
    let sb = Sandbox::new();
    sb.write("key-policy.json", broken_policy());
    assert_eq!(sb.run(&["check"]).code, 1);
    assert_eq!(sb.run(&["check", "--exit-zero"]).code, 0);

    sb.write("cmklint.toml", severity_config("warning"));
    let run = sb.run(&["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(": warning: "), "{}", run.stdout);
    assert_eq!(sb.run(&["check", "--fail-on", "warning"]).code, 1);
    assert_eq!(sb.run(&["check", "--fail-on", "info"]).code, 1);
    assert_eq!(
        sb.run(&["check", "--fail-on", "warning", "--exit-zero"])
            .code,
        0
    );

    sb.write("cmklint.toml", severity_config("info"));
    let run = sb.run(&["check", "--fail-on", "warning"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains(": note: "), "{}", run.stdout);
    assert_eq!(sb.run(&["check", "--fail-on", "info"]).code, 1);

    let run = sb.run(&["check", "--fail-on", "fatal"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("fatal"), "{}", run.stderr);
}

#[test]
fn every_format_on_real_output() {
    let sb = Sandbox::new();
    sb.write("keys/key-policy.json", broken_policy())
        .write("keys/good.json", GOOD_POLICY);

    let json = sb.run(&["check", "--format", "json"]);
    assert_eq!(json.code, 1);
    let items = json.json().as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty());
    for d in &items {
        assert_eq!(d["path"], "keys/key-policy.json");
        for key in [
            "rule",
            "severity",
            "message",
            "line",
            "column",
            "end_line",
            "end_column",
        ] {
            assert!(!d[key].is_null(), "{key} missing in {d}");
        }
    }

    let sarif = sb.run(&["check", "--format", "sarif"]);
    assert_eq!(sarif.code, 1);
    let log = sarif.json();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(results.len(), items.len());
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "keys/key-policy.json"
    );

    let github = sb.run(&["check", "--format", "github"]);
    assert_eq!(github.code, 1);
    assert_eq!(github.stdout.lines().count(), items.len());
    for line in github.stdout.lines() {
        assert!(
            line.starts_with("::error file=keys/key-policy.json,line="),
            "{line}"
        );
        assert!(line.contains(",title="), "{line}");
    }

    let gitlab = sb.run(&["check", "--format", "gitlab"]);
    assert_eq!(gitlab.code, 1);
    let issues = gitlab.json().as_array().cloned().unwrap_or_default();
    assert_eq!(issues.len(), items.len());
    assert_eq!(issues[0]["location"]["path"], "keys/key-policy.json");
    assert_eq!(issues[0]["check_name"], items[0]["rule"]);

    let full = sb.run(&["check", "--format", "full", "--color", "never"]);
    assert_eq!(full.code, 1);
    assert!(
        full.stdout.contains("keys/key-policy.json"),
        "{}",
        full.stdout
    );
    assert!(
        full.stdout
            .contains(items[0]["rule"].as_str().unwrap_or("?")),
        "{}",
        full.stdout
    );
    assert!(!full.stdout.contains('\u{1b}'));

    // Without a terminal the default is concise.
    let default = sb.run(&["check"]);
    let concise = sb.run(&["check", "--format", "concise"]);
    assert_eq!(default.stdout, concise.stdout);
    assert!(concise_re().is_match(concise.stdout.lines().next().unwrap_or_default()));
}

#[test]
fn colour_flag_beats_no_color_which_beats_detection() {
    let sb = Sandbox::new();
    sb.write("key-policy.json", broken_policy());
    let esc = |args: &[&str], no_color: Option<&str>| {
        let mut c = sb.command(args);
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        sb.run_with(c, None).stdout.contains('\u{1b}')
    };
    let full = ["check", "--format", "full"];
    fn with(extra: &'static str) -> Vec<&'static str> {
        vec!["check", "--format", "full", "--color", extra]
    }
    assert!(esc(&with("always"), None));
    assert!(esc(&with("always"), Some("1")), "the flag beats NO_COLOR");
    assert!(!esc(&with("never"), None));
    assert!(!esc(&with("auto"), Some("1")));
    // stdout is a pipe here, so `auto` means no colour.
    assert!(!esc(&with("auto"), None));
    assert!(!esc(&full, Some("1")));
}

#[test]
fn nearest_config_wins_and_each_instance_has_its_own() {
    let sb = Sandbox::new();
    let warn = severity_config("warning");
    let info = severity_config("info");
    // Two Aura instances side by side, plus a nested folder with its own config, and
    // a folder governed by the root config.
    sb.write("cmklint.toml", &info)
        .write("instances/prod/cmklint.toml", &warn)
        .write("instances/prod/key-policy.json", broken_policy())
        .write("instances/prod/legacy/cmklint.toml", "")
        .write("instances/prod/legacy/key-policy.json", broken_policy())
        .write("instances/staging/key-policy.json", broken_policy());
    let run = sb.run(&["check", "--format", "json"]);
    let sev = |path: &str| -> Vec<String> {
        run.json()
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|d| d["path"] == path)
            .filter_map(|d| d["severity"].as_str().map(str::to_string))
            .collect()
    };
    let all = |v: Vec<String>, s: &str| !v.is_empty() && v.iter().all(|x| x == s);
    assert!(
        all(sev("instances/prod/key-policy.json"), "warning"),
        "{}",
        run.stdout
    );
    assert!(
        all(sev("instances/prod/legacy/key-policy.json"), "error"),
        "{}",
        run.stdout
    );
    assert!(
        all(sev("instances/staging/key-policy.json"), "info"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1, "the legacy error fails the run");

    // Naming one file finds its nearest config too.
    let run = sb.run(&[
        "check",
        "--format",
        "json",
        "instances/prod/key-policy.json",
    ]);
    let items = run.json().as_array().cloned().unwrap_or_default();
    assert!(
        items.iter().all(|d| d["severity"] == "warning"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 0);

    // --config overrides the nearest one for every file.
    sb.write("elsewhere/strict.toml", "");
    let run = sb.run(&[
        "check",
        "--format",
        "json",
        "--config",
        "elsewhere/strict.toml",
    ]);
    let items = run.json().as_array().cloned().unwrap_or_default();
    assert!(items.len() >= 3);
    assert!(
        items.iter().all(|d| d["severity"] == "error"),
        "{}",
        run.stdout
    );
    let run = sb.run(&["check", "--config", "missing.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("missing.toml"), "{}", run.stdout);
}

#[test]
fn a_unit_of_many_folders_reports_its_config_once() {
    // One config over a whole repository: more files than one batch of a unit holds.
    let sb = Sandbox::new();
    sb.write(
        "cmklint.toml",
        "[aura]\ncloud = \"aws\"\nregion = \"eu-west-9\"\n",
    );
    for i in 0..300 {
        sb.write(
            &format!("keys/instance-{i:03}/key-policy.json"),
            GOOD_POLICY,
        );
    }
    sb.write("keys/instance-299/half-saved.json", broken_policy());
    let run = sb.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("301 files linted"), "{}", run.stderr);
    let found: Vec<(String, String)> = run
        .json()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|d| {
            Some((
                d["path"].as_str()?.to_string(),
                d["rule"].as_str()?.to_string(),
            ))
        })
        .collect();
    // The config's unknown region once, however many batches saw it; the cut-off file's
    // findings; nothing on the 300 good policies.
    let config: Vec<&(String, String)> =
        found.iter().filter(|(p, _)| p == "cmklint.toml").collect();
    assert_eq!(
        config,
        [&("cmklint.toml".to_string(), "unknown-region".to_string())],
        "{}",
        run.stdout
    );
    assert!(
        found
            .iter()
            .all(|(p, _)| p == "cmklint.toml" || p == "keys/instance-299/half-saved.json"),
        "{}",
        run.stdout
    );
    assert!(
        found.iter().any(|(_, r)| r == "json-syntax"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_bad_config_exits_2_with_line_and_column() {
    let sb = Sandbox::new();
    sb.write(
        "bad/cmklint.toml",
        "[aura]\ncloud = \"aws\"\nregoin = \"eu-west-1\"\n",
    )
    .write("bad/key-policy.json", broken_policy())
    .write("good/key-policy.json", broken_policy())
    .write("typo/cmklint.toml", "[aura]\ncloud = \"azur\"\n")
    .write("typo/key-policy.json", GOOD_POLICY)
    .write(
        "semantic/cmklint.toml",
        "[files]\nexclude = [\"a/{b\"]\nmax_size = \"ten\"\n\n[rules.severity]\njson-syntax = \"fatal\"\n",
    )
    .write("semantic/key-policy.json", GOOD_POLICY);
    let run = sb.run(&["check"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let out = &run.stdout;
    for expected in [
        "bad/cmklint.toml:3:1: error: invalid configuration: unknown field `regoin`",
        "typo/cmklint.toml:2:9: error: invalid configuration: unknown variant `azur`",
        // Every problem serde cannot see is reported, not just the first.
        "semantic/cmklint.toml:2:12: error: invalid configuration: `a/{b` in `[files] exclude` is not a valid glob",
        "semantic/cmklint.toml:3:12: error: invalid configuration: `ten` in `[files] max_size` is not a size",
        "semantic/cmklint.toml:6:15: error: invalid configuration: severity `fatal` for `json-syntax` is not one of `error`, `warning`, `info` [config-error]",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
    }
    // The files under the bad config are not linted; the others are.
    assert!(!out.contains("bad/key-policy.json"), "{out}");
    assert!(!out.contains("typo/key-policy.json"), "{out}");
    assert!(out.contains("good/key-policy.json:"), "{out}");
    assert!(
        run.stderr.contains("problems in configuration"),
        "{}",
        run.stderr
    );

    // Unknown rule ids get a suggestion.
    sb.write("good/cmklint.toml", "[rules]\nignore = [\"json-sintax\"]\n");
    let run = sb.run(&["check", "good", "--format", "json"]);
    assert_eq!(run.code, 2);
    let items = run.json();
    assert_eq!(items[0]["rule"], "config-error");
    assert_eq!(
        (items[0]["line"].clone(), items[0]["column"].clone()),
        (Value::from(2), Value::from(11))
    );
    assert!(items[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("did you mean `json-syntax`?")));
}

#[test]
fn bad_files_are_reported_and_the_others_still_linted() {
    let sb = Sandbox::new();
    sb.write("keys/binary.json", b"{\"Statement\": \x00\x00\x01\x02}")
        .write("keys/latin1.json", b"{\"Sid\": \"Cl\xe9\"}")
        .write("keys/utf16.json", b"\xff\xfe{\x00}\x00")
        .write("keys/empty.json", b"")
        .write("keys/big.json", format!("[{}0]", "0, ".repeat(1000)))
        .write("keys/cmklint.toml", "[files]\nmax_size = \"2KiB\"\n")
        .write("keys/key-policy.json", broken_policy())
        .write("keys/good.json", GOOD_POLICY);
    #[cfg(unix)]
    std::os::unix::fs::symlink(sb.path("keys/gone.json"), sb.path("keys/dangling.json"))
        .unwrap_or_else(|e| panic!("symlink: {e}"));
    let mut args = vec!["check", "--format", "json", "keys"];
    if cfg!(unix) {
        args.push("keys/dangling.json");
    }
    let run = sb.run(&args);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let items = run.json().as_array().cloned().unwrap_or_default();
    let find = |path: &str| -> Vec<Value> {
        items
            .iter()
            .filter(|d| d["path"] == path)
            .cloned()
            .collect()
    };
    for (path, severity, words) in [
        ("keys/binary.json", "error", "binary"),
        ("keys/latin1.json", "error", "UTF-8"),
        ("keys/utf16.json", "error", "UTF-16"),
        ("keys/empty.json", "warning", "empty"),
        ("keys/big.json", "error", "size limit"),
    ] {
        let found = find(path);
        assert_eq!(found.len(), 1, "{path}: {found:?}");
        assert_eq!(found[0]["rule"], "io-error");
        assert_eq!(found[0]["severity"], severity);
        assert!(
            found[0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(words)),
            "{path}: {}",
            found[0]
        );
        assert!(found[0]["help"].is_string(), "{path} needs help");
    }
    if cfg!(unix) {
        let found = find("keys/dangling.json");
        assert_eq!(found.len(), 1, "{items:?}");
        assert_eq!(found[0]["rule"], "io-error");
    }
    // The broken policy beside them is still linted; the good one is clean.
    assert!(find("keys/key-policy.json")
        .iter()
        .any(|d| d["rule"] != "io-error"));
    assert!(find("keys/good.json").is_empty());
    let summary = sb.run(&["check", "keys"]).stderr;
    assert!(summary.contains("2 files linted"), "{summary}");
    assert!(
        summary.contains("5 files not linted (io-error)"),
        "{summary}"
    );
}

#[test]
fn stdin_is_linted_as_the_named_file_under_its_config() {
    let sb = Sandbox::new();
    sb.write("prod/cmklint.toml", severity_config("warning"))
        .write("prod/key-policy.json", GOOD_POLICY);
    let mut c = sb.command(&["check", "--stdin-filename", "prod/key-policy.json"]);
    c.arg("--format").arg("concise");
    let run = sb.run_with(c, Some(broken_policy().as_bytes()));
    assert_eq!(run.code, 0, "warnings only: {}{}", run.stdout, run.stderr);
    let first = run.stdout.lines().next().unwrap_or_default();
    let c = concise_re()
        .captures(first)
        .unwrap_or_else(|| panic!("not concise: {}", run.stdout));
    assert_eq!(&c[1], "prod/key-policy.json");
    assert_eq!(&c[4], "warning", "the file's nearest config applies");
    assert!(run.stderr.contains("1 file linted"), "{}", run.stderr);

    // The good file on disk is not what was linted; with good input, nothing is found.
    let c = sb.command(&["check", "--stdin-filename", "prod/key-policy.json"]);
    let run = sb.run_with(c, Some(GOOD_POLICY.as_bytes()));
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));

    // Input that is not UTF-8 is an io-error on the named file.
    let c = sb.command(&["check", "--stdin-filename", "x.json"]);
    let run = sb.run_with(c, Some(b"{\"a\": \"\xe9\"}"));
    assert_eq!(run.code, 2);
    assert!(
        run.stdout
            .starts_with("x.json:1:1: error: standard input: file is not valid UTF-8"),
        "{}",
        run.stdout
    );
}

#[test]
fn discovery_skips_hidden_and_vendor_folders_and_honours_excludes() {
    let sb = Sandbox::new();
    let bad = broken_policy();
    sb.write(".hidden/key-policy.json", &bad)
        .write("node_modules/pkg/key-policy.json", &bad)
        .write("target/key-policy.json", &bad)
        .write("vendor/key-policy.json", &bad)
        .write("policy.txt", &bad)
        .write("cmklint.toml", "[files]\nexclude = [\"vendor/**\"]\n");
    let run = sb.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "");
    // Named explicitly: linted even if `include` does not match, unless excluded.
    let run = sb.run(&[
        "check",
        "policy.txt",
        ".hidden/key-policy.json",
        "vendor/key-policy.json",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("policy.txt:"), "{}", run.stdout);
    assert!(
        run.stdout.contains(".hidden/key-policy.json:"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("vendor/"), "{}", run.stdout);
    // A path that does not exist is a failure of the run.
    let run = sb.run(&["check", "nope.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("nope.json"), "{}", run.stdout);
}

#[test]
fn verbose_says_which_files_were_not_linted() {
    let sb = Sandbox::new();
    sb.write("package.json", "{\"name\": \"x\"}\n");
    let run = sb.run(&["check", "--verbose", "package.json"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("package.json: not linted"),
        "{}",
        run.stderr
    );
    let quiet = sb.run(&["check", "package.json"]);
    assert!(!quiet.stderr.contains("not linted"), "{}", quiet.stderr);
}

#[test]
fn rules_and_explain() {
    let sb = Sandbox::new();
    let run = sb.run(&["rules"]);
    assert_eq!(run.code, 0);
    for rule in cmklint::rules::builtin() {
        let m = rule.meta();
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(&format!("{} ", m.id))
                    && l.contains(m.severity.as_str())
                    && l.ends_with(m.summary)),
            "{} missing from:\n{}",
            m.id,
            run.stdout
        );
    }
    let run = sb.run(&["explain", "json-syntax"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("# json-syntax\n"));
    assert!(run.stdout.contains("## Why it matters"));
    let run = sb.run(&["explain", "config-error"]);
    assert_eq!(run.code, 0);
    let run = sb.run(&["explain", "json-sintax"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `json-syntax`?"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    let run = sb.run(&["check", "--no-such-flag"]);
    assert_eq!(run.code, 2);
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let sb = Sandbox::new();
    for i in 0..200 {
        sb.write(&format!("k{i:03}/key-policy.json"), broken_policy());
    }
    let mut child = sb
        .command(&["check", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("error"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1));
}

/// The shipped VS Code problem matcher, applied as written to real concise output.
#[test]
fn the_vscode_problem_matcher_reads_concise_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("editors/vscode/cmklint-problem-matcher.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let matcher: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let pattern = &matcher["pattern"];
    let regexp = pattern["regexp"].as_str().unwrap_or_default();
    let re = regex::Regex::new(regexp).unwrap_or_else(|e| panic!("{e}"));
    let group = |name: &str| pattern[name].as_u64().unwrap_or(0) as usize;

    let sb = Sandbox::new();
    sb.write("warn/cmklint.toml", severity_config("warning"))
        .write("warn/key-policy.json", broken_policy())
        .write("info/cmklint.toml", severity_config("info"))
        .write("info/key-policy.json", broken_policy())
        .write("err/key policy, copy.json", broken_policy());
    let json = sb.run(&["check", "--format", "json"]).json();
    let expected = json.as_array().cloned().unwrap_or_default();
    let run = sb.run(&["check", "--format", "concise"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), expected.len());
    let mut severities = Vec::new();
    for (line, d) in lines.iter().zip(&expected) {
        let c = re
            .captures(line)
            .unwrap_or_else(|| panic!("the matcher misses: {line}"));
        let get = |name: &str| c.get(group(name)).map(|m| m.as_str()).unwrap_or_default();
        assert_eq!(get("file"), d["path"].as_str().unwrap_or_default());
        assert_eq!(get("line"), d["line"].to_string());
        assert_eq!(get("column"), d["column"].to_string());
        assert_eq!(get("message"), d["message"].as_str().unwrap_or_default());
        assert_eq!(get("code"), d["rule"].as_str().unwrap_or_default());
        severities.push(get("severity").to_string());
    }
    severities.sort();
    severities.dedup();
    assert_eq!(severities, vec!["error", "note", "warning"]);

    // The README's tasks.json uses the same regexp.
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let escaped = serde_json::to_string(regexp).unwrap_or_default();
    assert!(
        readme.contains(&format!("\"regexp\": {escaped}")),
        "README's VS Code task must use the shipped regexp {escaped}"
    );
}

#[test]
fn the_pre_commit_hook_definition() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(".pre-commit-hooks.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .collect();
    for expected in [
        "- id: cmklint",
        "  entry: cmklint check",
        "  language: rust",
        "  types: [json]",
        "  pass_filenames: true",
    ] {
        assert!(
            lines.contains(&expected),
            "missing `{expected}` in:\n{text}"
        );
    }
    // The entry names the binary this crate builds.
    assert!(BIN.ends_with("cmklint") || BIN.ends_with("cmklint.exe"));
}

fn findings(run: &Run) -> Vec<(String, String)> {
    run.json()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or_default().to_string(),
                d["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// `gcloud kms keyrings describe --format=json` output for a key ring in `location`.
fn gcp_key_ring(location: &str) -> String {
    format!(
        "{{\n  \"createTime\": \"2024-03-12T09:38:02.514207Z\",\n  \"name\": \"projects/acme-graph-prod/locations/{location}/keyRings/neo4j-aura\"\n}}\n"
    )
}

/// `gcloud kms keys describe --format=json` output for a key in `location`.
fn gcp_key(location: &str) -> String {
    format!(
        r#"{{
  "createTime": "2024-03-12T09:41:27.183912Z",
  "destroyScheduledDuration": "2592000s",
  "name": "projects/acme-graph-prod/locations/{location}/keyRings/neo4j-aura/cryptoKeys/aura-cmk",
  "nextRotationTime": "2024-06-10T09:41:27.183912Z",
  "primary": {{
    "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
    "createTime": "2024-03-12T09:41:27.183912Z",
    "generateTime": "2024-03-12T09:41:27.183912Z",
    "name": "projects/acme-graph-prod/locations/{location}/keyRings/neo4j-aura/cryptoKeys/aura-cmk/cryptoKeyVersions/1",
    "protectionLevel": "SOFTWARE",
    "state": "ENABLED"
  }},
  "purpose": "ENCRYPT_DECRYPT",
  "rotationPeriod": "7776000s",
  "versionTemplate": {{
    "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
    "protectionLevel": "SOFTWARE"
  }}
}}
"#
    )
}

const GCP_ACCOUNTS: &str = "[aura.gcp]\nservice_accounts = [\n  \"neo4j-cmk-dbaas@neo4j-aura-prod.iam.gserviceaccount.com\",\n  \"neo4j-cmk-backup@neo4j-aura-prod.iam.gserviceaccount.com\",\n  \"neo4j-cmk-console@neo4j-aura-prod.iam.gserviceaccount.com\",\n]\n";

/// `gcloud kms keys get-iam-policy --format=json` output granting the three accounts
/// only `role`.
fn gcp_policy(role: &str) -> String {
    format!(
        r#"{{
  "bindings": [
    {{
      "members": [
        "serviceAccount:neo4j-cmk-dbaas@neo4j-aura-prod.iam.gserviceaccount.com",
        "serviceAccount:neo4j-cmk-backup@neo4j-aura-prod.iam.gserviceaccount.com",
        "serviceAccount:neo4j-cmk-console@neo4j-aura-prod.iam.gserviceaccount.com"
      ],
      "role": "{role}"
    }}
  ],
  "etag": "BwYh3Xo2Jk8=",
  "version": 1
}}
"#
    )
}

#[test]
fn each_instance_folder_is_checked_against_its_own_region() {
    let sb = Sandbox::new();
    let cfg = |region: &str| format!("[aura]\ncloud = \"gcp\"\nregion = \"{region}\"\n");
    sb.write("instances/eu/cmklint.toml", cfg("europe-west1"))
        .write("instances/eu/keyring.json", gcp_key_ring("europe-west1"))
        .write("instances/us/cmklint.toml", cfg("us-central1"))
        .write("instances/us/keyring.json", gcp_key_ring("us-central1"))
        .write("instances/mixed-up/cmklint.toml", cfg("europe-west2"))
        .write(
            "instances/mixed-up/keyring.json",
            gcp_key_ring("europe-west1"),
        )
        .write("instances/typo/cmklint.toml", cfg("europe-west-1"))
        .write("instances/typo/keyring.json", gcp_key_ring("europe-west1"));
    let run = sb.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let mut got = findings(&run);
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "instances/mixed-up/keyring.json".to_string(),
                "gcp-region-mismatch".to_string()
            ),
            (
                "instances/typo/cmklint.toml".to_string(),
                "unknown-region".to_string()
            ),
        ],
        "{}",
        run.stdout
    );
    // The unknown region points at the value in the config file, with a suggestion.
    let concise = sb.run(&["check", "instances/typo"]);
    assert!(
        concise
            .stdout
            .starts_with("instances/typo/cmklint.toml:3:10: error: "),
        "{}",
        concise.stdout
    );
    let json = sb
        .run(&["check", "instances/typo", "--format", "json"])
        .json();
    // The suggestion is in the message or the help.
    let text = format!("{} {}", json[0]["message"], json[0]["help"]);
    assert!(text.contains("`europe-west1`"), "did you mean: {json}");
}

#[test]
fn a_named_file_is_judged_with_its_whole_unit_and_only_it_is_reported() {
    let sb = Sandbox::new();
    // A policy without any Cloud KMS role is a key's IAM policy only because the key's
    // description sits beside it; pre-commit names only the staged policy.
    sb.write("cmklint.toml", GCP_ACCOUNTS)
        .write("ring/key.json", gcp_key("europe-west1"))
        .write("ring/policy.json", gcp_policy("roles/viewer"));
    let whole = sb.run(&["check", "--format", "json"]);
    let expected = findings(&whole);
    assert_eq!(expected.len(), 6, "3 accounts x 2 roles: {}", whole.stdout);
    assert!(expected
        .iter()
        .all(|(p, r)| p == "ring/policy.json" && r == "gcp-role-missing"));
    let run = sb.run(&["check", "--format", "json", "ring/policy.json"]);
    assert_eq!(
        findings(&run),
        expected,
        "the key beside it was read as context"
    );
    assert_eq!(run.code, 1);
    // Naming only the key reports nothing about the policy.
    let run = sb.run(&["check", "--format", "json", "ring/key.json"]);
    assert_eq!(findings(&run), Vec::new(), "{}", run.stdout);
    assert_eq!(run.code, 0);
}

#[test]
fn verbose_says_why_a_rule_was_skipped() {
    let sb = Sandbox::new();
    sb.write("ring/key.json", gcp_key("europe-west1")).write(
        "ring/policy.json",
        gcp_policy("roles/cloudkms.cryptoKeyEncrypterDecrypter"),
    );
    let run = sb.run(&["check", "--verbose"]);
    assert!(
        run.stderr.lines().any(|l| l
            .starts_with("note: gcp-role-missing: skipped for ring/policy.json:")
            && l.contains("service_accounts")),
        "{}",
        run.stderr
    );
    let quiet = sb.run(&["check"]);
    assert!(!quiet.stderr.contains("skipped"), "{}", quiet.stderr);
    // With the accounts configured, the rule runs and finds the missing Viewer role.
    sb.write("cmklint.toml", GCP_ACCOUNTS);
    let run = sb.run(&["check", "--verbose", "--format", "json"]);
    assert!(
        !run.stderr.contains("gcp-role-missing: skipped"),
        "{}",
        run.stderr
    );
    assert_eq!(findings(&run).len(), 3, "{}", run.stdout);
}

/// `aws kms describe-key` output for a key in `region`.
fn describe_key(region: &str, origin: &str) -> String {
    format!(
        r#"{{
    "KeyMetadata": {{
        "AWSAccountId": "382716459021",
        "KeyId": "7f3c9a12-5b84-4e6d-9c21-0a8e4f6b3d57",
        "Arn": "arn:aws:kms:{region}:382716459021:key/7f3c9a12-5b84-4e6d-9c21-0a8e4f6b3d57",
        "CreationDate": "2025-03-11T09:42:17.512000+00:00",
        "Enabled": true,
        "Description": "Neo4j Aura CMK",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Enabled",
        "Origin": "{origin}",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": [
            "SYMMETRIC_DEFAULT"
        ],
        "MultiRegion": false
    }}
}}
"#
    )
}

/// `aws kms get-key-rotation-status` output for the key above.
fn rotation_status(region: &str, enabled: bool) -> String {
    format!(
        "{{\n    \"KeyRotationEnabled\": {enabled},\n    \"KeyId\": \"arn:aws:kms:{region}:382716459021:key/7f3c9a12-5b84-4e6d-9c21-0a8e4f6b3d57\"\n}}\n"
    )
}

#[test]
fn each_aws_instance_folder_is_checked_against_its_own_region() {
    let sb = Sandbox::new();
    let cfg = |region: &str| format!("[aura]\ncloud = \"aws\"\nregion = \"{region}\"\n");
    sb.write("instances/eu/cmklint.toml", cfg("eu-west-1"))
        .write(
            "instances/eu/describe-key.json",
            describe_key("eu-west-1", "AWS_KMS"),
        )
        .write("instances/us/cmklint.toml", cfg("us-east-1"))
        .write(
            "instances/us/describe-key.json",
            describe_key("us-east-1", "AWS_KMS"),
        )
        .write("instances/mixed-up/cmklint.toml", cfg("eu-west-1"))
        .write(
            "instances/mixed-up/describe-key.json",
            describe_key("us-east-1", "AWS_KMS"),
        )
        .write("instances/typo/cmklint.toml", cfg("eu-west1"))
        .write(
            "instances/typo/describe-key.json",
            describe_key("eu-west-1", "AWS_KMS"),
        );
    let run = sb.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let mut got = findings(&run);
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "instances/mixed-up/describe-key.json".to_string(),
                "aws-region-mismatch".to_string()
            ),
            (
                "instances/typo/cmklint.toml".to_string(),
                "unknown-region".to_string()
            ),
        ],
        "{}",
        run.stdout
    );
    // The unknown region points at the value in the config file.
    let concise = sb.run(&["check", "instances/typo"]);
    assert!(
        concise
            .stdout
            .starts_with("instances/typo/cmklint.toml:3:10: error: "),
        "{}",
        concise.stdout
    );
    let json = sb
        .run(&["check", "instances/typo", "--format", "json"])
        .json();
    // The suggestion is in the message or the help.
    let text = format!("{} {}", json[0]["message"], json[0]["help"]);
    assert!(text.contains("`eu-west-1`"), "did you mean: {json}");
}

#[test]
fn an_aws_rotation_status_is_judged_with_the_key_beside_it() {
    let sb = Sandbox::new();
    // Imported key material cannot rotate automatically: rotation off is fine, but only
    // the describe-key output beside the rotation status says so.
    sb.write(
        "key/describe-key.json",
        describe_key("eu-west-1", "EXTERNAL"),
    )
    .write(
        "key/rotation-status.json",
        rotation_status("eu-west-1", false),
    )
    .write(
        "other/describe-key.json",
        describe_key("eu-west-1", "AWS_KMS"),
    )
    .write(
        "other/rotation-status.json",
        rotation_status("eu-west-1", false),
    );
    // As pre-commit would call it, with only the rotation status staged.
    let run = sb.run(&["check", "--format", "json", "key/rotation-status.json"]);
    assert_eq!(findings(&run), Vec::new(), "{}", run.stdout);
    assert_eq!(run.code, 0);
    let run = sb.run(&["check", "--format", "json", "other/rotation-status.json"]);
    assert_eq!(
        findings(&run),
        vec![(
            "other/rotation-status.json".to_string(),
            "aws-key-rotation-disabled".to_string()
        )],
        "{}",
        run.stdout
    );
    // Naming only the describe-key output reports nothing about the rotation file.
    let run = sb.run(&["check", "--format", "json", "other/describe-key.json"]);
    assert_eq!(findings(&run), Vec::new(), "{}", run.stdout);
}

#[test]
fn verbose_says_why_an_aws_rule_was_skipped() {
    let sb = Sandbox::new();
    sb.write("key-policy.json", GOOD_POLICY);
    let run = sb.run(&["check", "--verbose"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.lines().any(|l| l
            .starts_with("note: aws-aura-access-missing: skipped for key-policy.json:")
            && l.contains("account_id")),
        "{}",
        run.stderr
    );
    let quiet = sb.run(&["check"]);
    assert!(!quiet.stderr.contains("skipped"), "{}", quiet.stderr);
    // With the account configured, the rule runs and the policy satisfies it.
    sb.write(
        "cmklint.toml",
        "[aura.aws]\naccount_id = \"210987654321\"\n",
    );
    let run = sb.run(&["check", "--verbose"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        !run.stderr.contains("aws-aura-access-missing: skipped"),
        "{}",
        run.stderr
    );
}
