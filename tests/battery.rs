//! The bad-input battery: the built `cmklint` binary against inputs that break tools
//! (DESIGN §7). Every input is generated here in a temp folder. For each one: a clear
//! diagnostic or error, no panic (stderr never shows "panicked" or "RUST_BACKTRACE"), no
//! hang (each run is killed after [`HANG_GUARD`]; a guard, not a timing assertion), the
//! other files still linted, and the exit code DESIGN §5 documents (2 for a file that
//! could not be read or a bad config, 1 for findings, 0 for none).
#![cfg(unix)]

use std::fs;
use std::io::Read;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cmklint");
// Generous: a debug build lints the 50 MiB policy in about a minute on a loaded 2-core
// machine; a real hang never ends.
const HANG_GUARD: Duration = Duration::from_secs(300);
const MIB: usize = 1 << 20;

/// A broken AWS key policy (no comma between two statements): always an error finding,
/// so its presence in the output proves the run went on past the bad input.
const WITNESS: &str = r#"{
  "Version": "2012-10-17",
  "Id": "key-consolepolicy-3",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::210987654321:root" },
      "Action": "kms:*",
      "Resource": "*"
    }
    {
      "Sid": "Allow Neo4j Aura to use the key",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::765432109876:root" },
      "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      "Resource": "*"
    }
  ]
}
"#;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// No panic, no crash by signal, stderr free of backtrace hints.
    fn assert_sane(&self, case: &str) {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{case}: panic\n{}",
            self.stderr
        );
        assert!(
            (0..=2).contains(&self.code),
            "{case}: exit code {} (killed by a signal?)\nstderr: {}",
            self.code,
            self.stderr
        );
    }

    /// The witness file was linted and its finding printed.
    fn assert_witness(&self, case: &str) {
        assert!(
            self.stdout
                .lines()
                .any(|l| l.starts_with("ok/witness.json:") && l.contains(": error: ")),
            "{case}: the other file was not linted\nstdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
    }

    /// The concise line reported for `path`, which must mention `needle`.
    fn line_for(&self, path: &str, needle: &str, case: &str) -> String {
        self.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{path}:")) && l.contains(needle))
            .map(str::to_string)
            .unwrap_or_else(|| {
                panic!(
                    "{case}: no line for {path} mentioning {needle:?}\nstdout: {}\nstderr: {}",
                    self.stdout, self.stderr
                )
            })
    }
}

/// Runs the binary in `dir` with a hang guard; stdout and stderr are drained by threads
/// so a large output cannot block the child.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + HANG_GUARD;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "cmklint {args:?} hung for {HANG_GUARD:?} in {}",
                    dir.display()
                );
            }
            Err(e) => panic!("cannot wait for cmklint: {e}"),
        }
    };
    Run {
        // A signal (stack overflow, abort) has no code: report it as -1.
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// A temp folder holding `ok/witness.json`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    write(&dir.path().join("ok/witness.json"), WITNESS.as_bytes());
    dir
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir {}: {e}", parent.display()));
    }
    fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn check(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--format", "concise"];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

/// A key policy of about `size` bytes: many statements (with distinct Sids) so that every
/// rule has work to do.
fn big_policy(size: usize) -> String {
    let mut s = String::with_capacity(size + 1024);
    s.push_str("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n");
    let mut i = 0usize;
    while s.len() < size {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(&format!(
            "    {{\n      \"Sid\": \"Statement{i}\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {{ \"AWS\": \"arn:aws:iam::210987654321:role/app-{i}\" }},\n      \"Action\": [\"kms:Encrypt\", \"kms:Decrypt\", \"kms:GenerateDataKey*\"],\n      \"Resource\": \"*\"\n    }}"
        ));
        i += 1;
    }
    s.push_str("\n  ]\n}\n");
    s
}

/// The effective user id, from /proc (no libc); `None` where /proc is missing.
fn euid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

#[test]
fn empty_and_whitespace_files_are_noted_not_failed() {
    let ws = workspace();
    write(&ws.path().join("bad/empty.json"), b"");
    write(&ws.path().join("bad/blank.json"), b"  \n\t\r\n   \n");
    let r = check(ws.path(), &[]);
    r.assert_sane("empty");
    r.assert_witness("empty");
    for f in ["bad/empty.json", "bad/blank.json"] {
        let line = r.line_for(f, "file is empty", "empty");
        assert!(line.contains("warning"), "{line}");
    }
    // A warning about an empty file is not a failure; the witness's error makes it 1.
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn file_over_the_size_limit_is_refused_quickly() {
    let ws = workspace();
    write(
        &ws.path().join("big/policy.json"),
        big_policy(50 * MIB).as_bytes(),
    );
    let r = check(ws.path(), &[]);
    r.assert_sane("50 MiB");
    r.assert_witness("50 MiB");
    r.line_for("big/policy.json", "over the size limit", "50 MiB");
    assert_eq!(r.code, 2, "a file that could not be linted exits 2");
}

#[test]
fn fifty_mib_policy_is_linted_when_the_limit_allows() {
    let ws = workspace();
    let big = big_policy(50 * MIB);
    write(&ws.path().join("big/key-policy.json"), big.as_bytes());
    write(
        &ws.path().join("big/cmklint.toml"),
        b"[files]\nmax_size = \"64MiB\"\n",
    );
    let r = check(ws.path(), &[]);
    r.assert_sane("50 MiB linted");
    r.assert_witness("50 MiB linted");
    assert!(
        !r.stdout.contains("io-error"),
        "the raised limit was not applied\n{}",
        r.stdout
    );
    // It was parsed and classified: the summary counts it with the witness.
    assert!(
        r.stderr.contains("2 files linted"),
        "stderr: {}\nstdout: {}",
        r.stderr,
        r.stdout.chars().take(2000).collect::<String>()
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
}

#[test]
fn a_million_open_brackets_do_not_overflow_the_stack() {
    let ws = workspace();
    let deep = "[".repeat(1_000_000);
    write(&ws.path().join("deep/brackets.json"), deep.as_bytes());
    // The same inside a key policy, so the file is linted rather than passed over.
    let policy = format!(
        "{{\"Version\": \"2012-10-17\", \"Action\": \"kms:Decrypt\", \"Statement\": {}",
        "[".repeat(1_000_000)
    );
    write(&ws.path().join("deep/policy.json"), policy.as_bytes());
    let r = check(ws.path(), &[]);
    r.assert_sane("deep");
    r.assert_witness("deep");
    // The nesting is a syntax finding (other rules may report the file too).
    r.line_for("deep/policy.json", "[json-", "deep");
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn ten_mib_single_string() {
    let ws = workspace();
    let payload = "A".repeat(10 * MIB - 4096);
    // A plain key policy with one huge Sid...
    let policy = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Sid\": \"{payload}\", \"Effect\": \"Allow\", \"Principal\": {{\"AWS\": \"arn:aws:iam::210987654321:root\"}}, \"Action\": \"kms:*\", \"Resource\": \"*\"}}]}}"
    );
    write(&ws.path().join("str/policy.json"), policy.as_bytes());
    // ...and the same as `aws kms get-key-policy` output, where the policy is itself a
    // (10 MiB) JSON string that cmklint decodes and parses on its own.
    let escaped = policy.replace('"', "\\\"");
    let output =
        format!("{{\n    \"Policy\": \"{escaped}\",\n    \"PolicyName\": \"default\"\n}}\n");
    write(
        &ws.path().join("str/get-key-policy.json"),
        output.as_bytes(),
    );
    // ...and an unterminated one.
    write(
        &ws.path().join("str/unterminated.json"),
        format!("{{\"Action\": \"kms:Decrypt\", \"Statement\": [\"{payload}").as_bytes(),
    );
    let r = check(ws.path(), &["--fail-on", "error"]);
    r.assert_sane("10 MiB string");
    r.assert_witness("10 MiB string");
    assert!(!r.stdout.contains("io-error"), "{}", r.stdout);
    r.line_for("str/unterminated.json", "error", "10 MiB string");
    // A finding's line stays printable: no 10 MiB excerpt in concise output.
    assert!(r.stdout.len() < MIB, "output of {} bytes", r.stdout.len());
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn undecodable_files_are_io_errors() {
    let ws = workspace();
    let d = ws.path();
    // Invalid UTF-8 in a string of an otherwise fine key policy.
    let mut bad_utf8 = WITNESS
        .replace("Enable IAM", "Enable \u{1}IAM")
        .into_bytes();
    if let Some(p) = bad_utf8.iter().position(|&b| b == 1) {
        bad_utf8[p] = 0xC3; // a lead byte followed by ASCII: invalid
    }
    write(&d.join("enc/latin1.json"), &bad_utf8);
    // UTF-16 LE with BOM (as PowerShell's `Out-File` writes it).
    let mut utf16 = vec![0xFF, 0xFE];
    for u in WITNESS.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    write(&d.join("enc/utf16.json"), &utf16);
    // UTF-16 BE with BOM.
    let mut utf16be = vec![0xFE, 0xFF];
    for u in WITNESS.encode_utf16() {
        utf16be.extend_from_slice(&u.to_be_bytes());
    }
    write(&d.join("enc/utf16be.json"), &utf16be);
    // NUL bytes inside otherwise readable JSON.
    write(
        &d.join("enc/nul.json"),
        b"{\"Statement\": [\0\0{\"Effect\": \"Allow\"}]}",
    );
    // A binary file named .json (deterministic pseudo-random bytes, NULs included).
    let mut x: u32 = 0x1234_5678;
    let binary: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    write(&d.join("enc/image.json"), &binary);
    // Binary without NUL bytes: high bytes only.
    let high: Vec<u8> = binary.iter().map(|b| b | 0x80).collect();
    write(&d.join("enc/high.json"), &high);

    let r = check(d, &[]);
    r.assert_sane("encodings");
    r.assert_witness("encodings");
    r.line_for("enc/latin1.json", "not valid UTF-8", "invalid UTF-8");
    r.line_for("enc/utf16.json", "UTF-16", "UTF-16 LE");
    r.line_for("enc/utf16be.json", "UTF-16", "UTF-16 BE");
    r.line_for("enc/nul.json", "NUL", "NUL bytes");
    r.line_for("enc/image.json", "io-error", "binary");
    r.line_for("enc/high.json", "not valid UTF-8", "binary without NUL");
    assert_eq!(r.code, 2, "unreadable files exit 2");
}

#[test]
fn a_file_that_vanishes_before_it_is_read() {
    let ws = workspace();
    let d = ws.path();
    // Deterministic: a symlink whose target is gone, found while walking with
    // --follow-links (it is listed, then cannot be opened), and named on the command line.
    fs::create_dir_all(d.join("gone")).unwrap_or_else(|e| panic!("{e}"));
    symlink("removed-after-export.json", d.join("gone/key-policy.json"))
        .unwrap_or_else(|e| panic!("symlink: {e}"));
    let r = check(d, &["--follow-links"]);
    r.assert_sane("dangling symlink, walked");
    r.assert_witness("dangling symlink, walked");
    r.line_for(
        "gone/key-policy.json",
        "io-error",
        "dangling symlink, walked",
    );
    assert_eq!(r.code, 2);

    let r = check(d, &["gone/key-policy.json", "ok"]);
    r.assert_sane("dangling symlink, named");
    r.assert_witness("dangling symlink, named");
    r.line_for(
        "gone/key-policy.json",
        "io-error",
        "dangling symlink, named",
    );
    assert_eq!(r.code, 2);

    // A race, bounded and with a deterministic outcome set: a thread deletes and rewrites
    // files while cmklint runs. Each file is either linted or reported; never a panic.
    let race = d.join("race");
    for i in 0..200 {
        write(&race.join(format!("p{i:03}.json")), WITNESS.as_bytes());
    }
    let stop = Arc::new(AtomicBool::new(false));
    let churn = {
        let stop = stop.clone();
        let race = race.clone();
        std::thread::spawn(move || {
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) && n < 1_000_000 {
                let p = race.join(format!("p{:03}.json", n % 200));
                let _ = fs::remove_file(&p);
                if n % 2 == 1 {
                    let _ = fs::write(&p, WITNESS);
                }
                n += 1;
            }
        })
    };
    let r = check(d, &[]);
    stop.store(true, Ordering::Relaxed);
    let _ = churn.join();
    r.assert_sane("race");
    r.assert_witness("race");
    for line in r.stdout.lines().filter(|l| l.contains("io-error")) {
        assert!(
            line.starts_with("race/")
                && (line.contains("cannot read") || line.contains("file is empty")),
            "unexpected io-error: {line}"
        );
    }
    assert!(r.code == 1 || r.code == 2, "{}", r.stderr);
}

#[test]
fn a_fifo_is_not_read() {
    let ws = workspace();
    let fifo = ws.path().join("pipe/policy.json");
    fs::create_dir_all(ws.path().join("pipe")).unwrap_or_else(|e| panic!("{e}"));
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo not available");
        return;
    }
    // Reading a FIFO would block forever: walked or named, it must not be opened.
    for args in [&[][..], &["pipe/policy.json", "ok"][..]] {
        let r = check(ws.path(), args);
        r.assert_sane("fifo");
        r.assert_witness("fifo");
    }
}

#[test]
fn an_unreadable_file_is_reported() {
    if euid() == Some(0) {
        eprintln!("skipped: running as root, mode 000 does not stop root from reading");
        return;
    }
    let ws = workspace();
    let p = ws.path().join("locked/policy.json");
    write(&p, WITNESS.as_bytes());
    fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap_or_else(|e| panic!("{e}"));
    let r = check(ws.path(), &[]);
    let _ = fs::set_permissions(&p, fs::Permissions::from_mode(0o644));
    r.assert_sane("mode 000");
    r.assert_witness("mode 000");
    r.line_for("locked/policy.json", "permission denied", "mode 000");
    assert_eq!(r.code, 2);
}

#[test]
fn symlink_loops_are_reported_not_followed_forever() {
    let ws = workspace();
    let d = ws.path();
    // A folder link to its own parent, and two file links pointing at each other.
    fs::create_dir_all(d.join("loop/inner")).unwrap_or_else(|e| panic!("{e}"));
    symlink("..", d.join("loop/inner/up")).unwrap_or_else(|e| panic!("{e}"));
    symlink("b.json", d.join("loop/a.json")).unwrap_or_else(|e| panic!("{e}"));
    symlink("a.json", d.join("loop/b.json")).unwrap_or_else(|e| panic!("{e}"));

    // Not following links (the default): the links are passed over.
    let r = check(d, &[]);
    r.assert_sane("loop, not followed");
    r.assert_witness("loop, not followed");
    assert_eq!(r.code, 1, "{}", r.stdout);

    // Following them: the loop is reported once, and the run ends.
    let r = check(d, &["--follow-links"]);
    r.assert_sane("loop, followed");
    r.assert_witness("loop, followed");
    assert!(r.stdout.contains("io-error"), "{}", r.stdout);
    assert_eq!(r.code, 2);

    // Named: the file link loop cannot be opened.
    let r = check(d, &["loop/a.json", "ok"]);
    r.assert_sane("loop, named");
    r.assert_witness("loop, named");
    r.line_for("loop/a.json", "io-error", "loop, named");
    assert_eq!(r.code, 2);
}

#[test]
fn a_folder_named_like_a_json_file_is_walked_not_read() {
    let ws = workspace();
    let d = ws.path();
    write(&d.join("x.json/inner.json"), WITNESS.as_bytes());
    for args in [&[][..], &["x.json", "ok"][..]] {
        let r = check(d, args);
        r.assert_sane("folder x.json");
        r.assert_witness("folder x.json");
        r.line_for("x.json/inner.json", "error", "folder x.json");
        assert!(!r.stdout.contains("io-error"), "{}", r.stdout);
        assert_eq!(r.code, 1);
    }
}

#[test]
fn paths_with_spaces_and_non_ascii_characters() {
    let ws = workspace();
    let d = ws.path();
    let name = "Schlüssel und Richtlinien/ключ политика 鍵.json";
    write(&d.join(name), WITNESS.as_bytes());
    let r = check(d, &[]);
    r.assert_sane("unicode path");
    r.assert_witness("unicode path");
    r.line_for(name, "error", "unicode path");
    let r = run_in(d, &["check", "--format", "json", name]);
    r.assert_sane("unicode path, json");
    let json: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("json output: {e}"));
    let paths: Vec<&str> = json
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["path"].as_str()).collect())
        .unwrap_or_default();
    assert!(paths.contains(&name), "{paths:?}");
}

#[test]
fn a_config_with_a_syntax_error() {
    let ws = workspace();
    let d = ws.path();
    write(&d.join("unit/key-policy.json"), WITNESS.as_bytes());
    write(
        &d.join("unit/cmklint.toml"),
        b"[aura]\ncloud = \"aws\"\nregion = \"eu-west-1\n[rules\n",
    );
    let r = check(d, &[]);
    r.assert_sane("config syntax");
    r.assert_witness("config syntax");
    r.line_for(
        "unit/cmklint.toml",
        "invalid configuration",
        "config syntax",
    );
    // The unit the config governs is not linted with a guessed config.
    assert!(!r.stdout.contains("unit/key-policy.json"), "{}", r.stdout);
    assert_eq!(r.code, 2);

    // Named with --config, the same.
    let r = check(d, &["--config", "unit/cmklint.toml", "ok"]);
    r.assert_sane("config syntax, --config");
    r.line_for(
        "unit/cmklint.toml",
        "config-error",
        "config syntax, --config",
    );
    assert_eq!(r.code, 2);
}

/// A rule pack whose regexes would take exponential time in a backtracking engine, on a
/// 1 MiB value that defeats them; and one whose regex is too big to compile.
#[test]
fn rule_pack_with_catastrophic_regex() {
    let ws = workspace();
    let d = ws.path();
    let rule = |id: &str, pattern: &str| {
        serde_json::json!({
            "id": id, "severity": "warning", "summary": "Sids made of a's",
            "kinds": ["aws-key-policy"], "path": "/Statement/*/Sid",
            "assert": {"pattern": pattern},
            "message": "sid {error}", "help": "rename the statement",
            "docs": "## What it checks\n\nSids.\n\n## Why it matters\n\nTest.\n\n## Example\n\n```json\n{}\n```\n\n## Use instead\n\n```json\n{}\n```\n"
        })
    };
    let pack = serde_json::json!({"rules": [
        rule("evil-nested-plus", "^(a+)+$"),
        rule("evil-alternation", "^(a|aa)*c$"),
        rule("evil-dot-star", "^(.*a){12}b$"),
    ]});
    write(
        &d.join("packs/policy/evil.pack.json"),
        pack.to_string().as_bytes(),
    );
    write(
        &d.join("packs/policy/cmklint.toml"),
        b"[rules]\npacks = [\"evil.pack.json\"]\n",
    );
    let sid = format!("{}!", "a".repeat(MIB));
    let policy = WITNESS
        .replacen("Enable IAM User Permissions", &sid, 1)
        .replacen("    }\n    {", "    },\n    {", 1);
    write(&d.join("packs/policy/key-policy.json"), policy.as_bytes());
    let r = check(d, &[]);
    r.assert_sane("catastrophic regex");
    r.assert_witness("catastrophic regex");
    for id in ["evil-nested-plus", "evil-alternation", "evil-dot-star"] {
        r.line_for("packs/policy/key-policy.json", &format!("[{id}]"), id);
    }

    // A regex too big to compile is a configuration error, not a hang.
    let big = serde_json::json!({"rules": [rule("too-big", "^(a{1000}){1000}$")]});
    write(
        &d.join("packs/big/big.pack.json"),
        big.to_string().as_bytes(),
    );
    write(
        &d.join("packs/big/cmklint.toml"),
        b"[rules]\npacks = [\"big.pack.json\"]\n",
    );
    write(&d.join("packs/big/key-policy.json"), WITNESS.as_bytes());
    let r = check(d, &[]);
    r.assert_sane("regex too big");
    r.assert_witness("regex too big");
    r.line_for("packs/big/big.pack.json", "config-error", "regex too big");
    assert_eq!(r.code, 2);
}

// ---------------------------------------------------------------- --fix under faults

/// The witness with its missing comma put back: what `--fix` should write.
fn witness_fixed() -> String {
    WITNESS.replacen("    }\n    {", "    },\n    {", 1)
}

fn read(p: &Path) -> Vec<u8> {
    fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

fn fix(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--fix", "--format", "concise"];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

#[test]
fn fix_reports_a_read_only_file_and_still_fixes_the_others() {
    let ws = workspace();
    let d = ws.path();
    let locked = d.join("locked/key-policy.json");
    write(&locked, WITNESS.as_bytes());
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o444))
        .unwrap_or_else(|e| panic!("{e}"));
    let r = fix(d, &[]);
    r.assert_sane("fix, read-only");
    r.line_for("locked/key-policy.json", "read-only", "fix, read-only");
    assert_eq!(
        read(&locked),
        WITNESS.as_bytes(),
        "a read-only file was written"
    );
    assert_eq!(
        read(&d.join("ok/witness.json")),
        witness_fixed().as_bytes(),
        "the writable file was not fixed"
    );
    let mode = fs::metadata(&locked).map(|m| m.permissions().mode() & 0o777);
    assert_eq!(mode.ok(), Some(0o444), "the mode changed");
    let left: Vec<_> = fs::read_dir(d.join("locked"))
        .map(|rd| rd.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(left.len(), 1, "temporary files left: {left:?}");
    assert_eq!(r.code, 2, "a file that could not be written exits 2");
}

#[test]
fn fix_never_shows_a_reader_a_truncated_file() {
    // A reader polls the file while `--fix` replaces it: it must only ever see the whole
    // old text or the whole new one (atomic rename), never an empty or partial file.
    let ws = workspace();
    let d = ws.path().to_path_buf();
    // A large policy, so a non-atomic write would be caught half-way.
    let statements: Vec<String> = (0..2000)
        .map(|i| {
            format!(
                "    {{\n      \"Sid\": \"S{i}\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {{ \"AWS\": \"arn:aws:iam::210987654321:root\" }},\n      \"Action\": \"kms:*\",\n      \"Resource\": \"*\"\n    }}"
            )
        })
        .collect();
    // One missing comma, in the middle.
    let old = format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{}\n{}\n  ]\n}}\n",
        statements[..1000].join(",\n"),
        statements[1000..].join(",\n")
    );
    let new = format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{}\n  ]\n}}\n",
        statements.join(",\n")
    );
    let path = d.join("big/key-policy.json");
    write(&path, old.as_bytes());
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (stop, path) = (stop.clone(), path.clone());
        let (old, new) = (old.clone(), new.clone());
        std::thread::spawn(move || {
            let (mut reads, mut bad) = (0usize, Vec::new());
            while !stop.load(Ordering::Relaxed) && reads < 10_000_000 {
                if let Ok(b) = fs::read(&path) {
                    reads += 1;
                    if b != old.as_bytes() && b != new.as_bytes() && bad.len() < 3 {
                        bad.push(b.len());
                    }
                }
            }
            (reads, bad)
        })
    };
    let r = fix(&d, &["big"]);
    stop.store(true, Ordering::Relaxed);
    let (reads, bad) = reader.join().unwrap_or_else(|_| panic!("reader thread"));
    r.assert_sane("fix, concurrent reader");
    assert!(
        bad.is_empty(),
        "a reader saw a partial file of {bad:?} bytes ({reads} reads)"
    );
    assert_eq!(read(&path), new.as_bytes(), "{}", r.stdout);
}

#[test]
fn fix_refuses_what_it_cannot_replace_safely_and_leaves_it_whole() {
    let ws = workspace();
    let d = ws.path();
    // A file with a second hard link: replacing it would split the links.
    let linked = d.join("links/key-policy.json");
    write(&linked, WITNESS.as_bytes());
    fs::hard_link(&linked, d.join("links/backup.txt")).unwrap_or_else(|e| panic!("{e}"));
    // A symbolic link to a read-only target: refused, the target untouched, the link kept.
    let target = d.join("targets/key-policy.json");
    write(&target, WITNESS.as_bytes());
    fs::set_permissions(&target, fs::Permissions::from_mode(0o444))
        .unwrap_or_else(|e| panic!("{e}"));
    fs::create_dir_all(d.join("current")).unwrap_or_else(|e| panic!("{e}"));
    symlink(
        "../targets/key-policy.json",
        d.join("current/key-policy.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // A chain of two links to a writable file: fixed at the end of the chain.
    let end = d.join("chain/real.json");
    write(&end, WITNESS.as_bytes());
    symlink("real.json", d.join("chain/one.json")).unwrap_or_else(|e| panic!("{e}"));
    symlink("one.json", d.join("chain/two.json")).unwrap_or_else(|e| panic!("{e}"));
    // A dangling link named on the command line.
    fs::create_dir_all(d.join("gone")).unwrap_or_else(|e| panic!("{e}"));
    symlink("nowhere.json", d.join("gone/key-policy.json")).unwrap_or_else(|e| panic!("{e}"));

    let r = fix(
        d,
        &[
            "links/key-policy.json",
            "current/key-policy.json",
            "chain/two.json",
            "gone/key-policy.json",
            "ok",
        ],
    );
    r.assert_sane("fix, links");
    r.line_for("links/key-policy.json", "hard links", "fix, hard link");
    assert_eq!(read(&linked), WITNESS.as_bytes());
    r.line_for(
        "current/key-policy.json",
        "read-only",
        "fix, link to read-only",
    );
    assert_eq!(read(&target), WITNESS.as_bytes());
    let still_link =
        fs::symlink_metadata(d.join("current/key-policy.json")).map(|m| m.file_type().is_symlink());
    assert_eq!(still_link.ok(), Some(true));
    assert_eq!(read(&end), witness_fixed().as_bytes(), "{}", r.stdout);
    for link in ["chain/one.json", "chain/two.json"] {
        let m = fs::symlink_metadata(d.join(link)).map(|m| m.file_type().is_symlink());
        assert_eq!(m.ok(), Some(true), "{link} was replaced by a file");
    }
    r.line_for("gone/key-policy.json", "io-error", "fix, dangling link");
    assert_eq!(read(&d.join("ok/witness.json")), witness_fixed().as_bytes());
    assert_eq!(r.code, 2);
}
