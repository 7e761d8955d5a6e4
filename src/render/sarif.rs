//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! `tool.driver.rules` lists every rule (short and full description, help text and
//! markdown, help URI, default level), so a viewer can explain a finding without cmklint.
//! Columns are UTF-16 code units, declared in the run's `columnKind`, as GitHub code
//! scanning expects. `partialFingerprints` hash path + rule + JSON pointer, so a finding
//! keeps its identity when lines above it move. Validated against the OASIS schema in the
//! tests (`tests/render.rs`).

use std::path::Path;

use serde_json::{json, Map, Value};

use crate::diagnostic::{Diagnostic, Severity};
use crate::docs;
use crate::rules::RuleMeta;

/// The `partialFingerprints` key; bump the version if the hashed parts ever change.
pub const FINGERPRINT_KEY: &str = "cmklint/v1";

pub fn render(diags: &[Diagnostic]) -> String {
    let mut s = serde_json::to_string_pretty(&log(diags)).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

/// The SARIF log as a JSON value.
pub fn log(diags: &[Diagnostic]) -> Value {
    let mut ids: Vec<&str> = docs::all().iter().map(|m| m.id).collect();
    let mut descriptors: Vec<Value> = docs::all().into_iter().map(descriptor).collect();
    // A finding of a rule the registry does not know (a rule pack's) still needs a
    // descriptor for its `ruleIndex` to be valid.
    for d in diags {
        if !ids.contains(&d.rule) {
            ids.push(d.rule);
            descriptors.push(json!({
                "id": d.rule,
                "shortDescription": { "text": d.rule },
                "defaultConfiguration": { "level": level(d.severity) },
            }));
        }
    }
    let fingerprints = crate::render::fingerprints(diags);
    let results: Vec<Value> = diags
        .iter()
        .zip(fingerprints)
        .map(|(d, fp)| result(d, &ids, fp))
        .collect();
    json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cmklint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": descriptors,
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(m: &RuleMeta) -> Value {
    let mut d = descriptor_fields(m);
    // A user's pack rule has no page in cmklint's repository.
    if m.group == crate::rules::Group::Custom {
        if let Some(o) = d.as_object_mut() {
            o.remove("helpUri");
        }
    }
    d
}

fn descriptor_fields(m: &RuleMeta) -> Value {
    json!({
        "id": m.id,
        "shortDescription": { "text": m.summary },
        "fullDescription": { "text": docs::full_description(m) },
        "help": {
            "text": m.docs.trim(),
            "markdown": docs::page(m),
        },
        "helpUri": docs::url(m.id),
        "defaultConfiguration": { "level": level(m.severity) },
        "properties": {
            "tags": [m.group.as_str()],
            "fixable": m.fixable,
        },
    })
}

fn result(d: &Diagnostic, ids: &[&str], fingerprint: String) -> Value {
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(d.rule));
    if let Some(i) = ids.iter().position(|id| *id == d.rule) {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("level".into(), json!(level(d.severity)));
    let text = match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    r.insert("message".into(), json!({ "text": text }));
    if let Some(file) = &d.file {
        let artifact = artifact_location(&file.path);
        let region = |span: crate::source::Span| {
            let (s, e) = (file.position(span.start), file.position(span.end));
            json!({
                "startLine": s.line,
                "startColumn": s.column_utf16,
                "endLine": e.line,
                "endColumn": e.column_utf16,
            })
        };
        r.insert(
            "locations".into(),
            json!([{ "physicalLocation": {
                "artifactLocation": artifact.clone(),
                "region": region(d.span),
            }}]),
        );
        if !d.labels.is_empty() {
            let related: Vec<Value> = d
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    json!({
                        "id": i,
                        "message": { "text": l.message },
                        "physicalLocation": {
                            "artifactLocation": artifact.clone(),
                            "region": region(l.span),
                        },
                    })
                })
                .collect();
            r.insert("relatedLocations".into(), json!(related));
        }
    }
    if let (Some(fix), Some(file)) = (&d.fix, &d.file) {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                let (s, end) = (file.position(e.span.start), file.position(e.span.end));
                json!({
                    "deletedRegion": {
                        "startLine": s.line,
                        "startColumn": s.column_utf16,
                        "endLine": end.line,
                        "endColumn": end.column_utf16,
                    },
                    "insertedContent": { "text": e.replacement },
                })
            })
            .collect();
        r.insert(
            "fixes".into(),
            json!([{
                "description": { "text": fix.description },
                "artifactChanges": [{
                    "artifactLocation": artifact_location(&file.path),
                    "replacements": replacements,
                }],
            }]),
        );
    }
    r.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint }),
    );
    if let Some(p) = &d.pointer {
        r.insert("properties".into(), json!({ "jsonPointer": p }));
    }
    Value::Object(r)
}

/// A relative path becomes a relative URI against `%SRCROOT%` (the folder cmklint ran in,
/// normally the repository root); an absolute one becomes a `file://` URI.
fn artifact_location(path: &Path) -> Value {
    let p = path.to_string_lossy().replace('\\', "/");
    if path.is_absolute() {
        let p = if p.starts_with('/') {
            p
        } else {
            format!("/{p}")
        };
        json!({ "uri": format!("file://{}", encode_uri_path(&p)) })
    } else {
        json!({ "uri": encode_uri_path(&p), "uriBaseId": "%SRCROOT%" })
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, `/` and `:`.
fn encode_uri_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(encode_uri_path("a b/ü.json"), "a%20b/%C3%BC.json");
        assert_eq!(
            artifact_location(Path::new("x/y.json")),
            json!({"uri": "x/y.json", "uriBaseId": "%SRCROOT%"})
        );
    }
}
