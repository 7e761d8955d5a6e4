//! `--format concise`: `path:line:col: severity: message [rule-id]`, one line each.
//!
//! gcc's shape, so `$gcc` problem matchers, vim's quickfix and Emacs' compilation mode read
//! it unchanged; info findings print as `note` as gcc does.

use std::fmt::Write;

use crate::diagnostic::{Diagnostic, Severity};

pub fn render(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let (start, _) = super::positions(d);
        let sev = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        // Messages are one line by contract; fold any stray newline so a matcher never
        // sees half a finding.
        let message = d.message.replace(['\n', '\r'], " ");
        let _ = writeln!(
            out,
            "{}:{}:{}: {}: {} [{}]",
            d.path_str(),
            start.line,
            start.column,
            sev,
            message,
            d.rule
        );
    }
    out
}
