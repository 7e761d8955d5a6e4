//! `--format json`: an array of `{path, rule, severity, message, line, column, end_line,
//! end_column, help, fix}` (DESIGN §5). Columns count characters, 1-based.

use serde_json::{json, Value};

use crate::diagnostic::Diagnostic;

pub fn render(diags: &[Diagnostic]) -> String {
    let items: Vec<Value> = diags.iter().map(to_value).collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}

fn to_value(d: &Diagnostic) -> Value {
    let (start, end) = super::positions(d);
    let fix = d.fix.as_ref().map(|f| {
        json!({
            "description": f.description,
            "applicability": match f.applicability {
                crate::diagnostic::Applicability::Safe => "safe",
                crate::diagnostic::Applicability::Unsafe => "unsafe",
            },
            "edits": f.edits.iter().map(|e| json!({
                "start": e.span.start,
                "end": e.span.end,
                "replacement": e.replacement,
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "path": d.path_str(),
        "rule": d.rule,
        "severity": d.severity.as_str(),
        "message": d.message,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "help": d.help,
        "fix": fix,
    })
}
