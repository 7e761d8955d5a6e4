//! `--format gitlab`: a GitLab Code Quality report, a JSON array of issues with
//! `description`, `check_name`, `fingerprint`, `severity` and `location.path` /
//! `location.lines.begin` (GitLab's subset of the Code Climate format).
//!
//! Severities: an error finding is `major` (it stops Aura from using the key or puts the
//! data at risk and must be fixed before merging), a warning `minor`, an info `info`;
//! a file or config cmklint could not read is `blocker`, since nothing in it was checked.
//! Fingerprints are the same stable hashes as SARIF's (path + rule + JSON pointer).

use serde_json::{json, Value};

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{CONFIG_ERROR, IO_ERROR};

pub fn render(diags: &[Diagnostic]) -> String {
    let fingerprints = super::fingerprints(diags);
    let items: Vec<Value> = diags
        .iter()
        .zip(fingerprints)
        .map(|(d, fp)| {
            let (start, end) = super::positions(d);
            let severity = if d.rule == IO_ERROR || d.rule == CONFIG_ERROR {
                if d.severity == Severity::Error {
                    "blocker"
                } else {
                    "info"
                }
            } else {
                match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                }
            };
            json!({
                "type": "issue",
                "description": d.message,
                "check_name": d.rule,
                "fingerprint": fp,
                "severity": severity,
                "location": {
                    "path": d.path_str(),
                    "lines": { "begin": start.line, "end": end.line },
                },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
