//! Stage "render": finished diagnostics in, text out. One file per format.
//!
//! Renderers only format; they never decide what is wrong or which exit code applies.
//! Positions are computed here from byte spans: characters for humans, GitHub and JSON,
//! UTF-16 code units for SARIF (declared in its `columnKind`).

pub mod concise;
pub mod full;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod sarif;

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::source::Position;

/// Output formats of `cmklint check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphical report with the source snippet, labels and help (default on a terminal).
    Full,
    /// One gcc-style line per finding: `path:line:col: error: message [rule-id]`.
    Concise,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// GitLab Code Quality report (JSON).
    Gitlab,
}

/// Options every renderer may use.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub color: bool,
}

/// Renders `diags` in `format`.
pub fn render(format: Format, diags: &[Diagnostic], opts: RenderOptions) -> String {
    match format {
        Format::Full => full::render(diags, opts),
        Format::Concise => concise::render(diags),
        Format::Json => json::render(diags),
        Format::Sarif => sarif::render(diags),
        Format::Github => github::render(diags),
        Format::Gitlab => gitlab::render(diags),
    }
}

/// Start and end positions of a diagnostic's primary span (1-based).
pub fn positions(d: &Diagnostic) -> (Position, Position) {
    match &d.file {
        Some(f) => (f.position(d.span.start), f.position(d.span.end)),
        None => {
            let p = Position {
                line: 1,
                column: 1,
                column_utf16: 1,
            };
            (p, p)
        }
    }
}

/// Fingerprints that stay the same when lines move: a hash of the path, the rule and the
/// JSON pointer of the value the finding is about (or, without a tree, the trimmed text of
/// the finding's line). Findings that would share a fingerprint are numbered in order.
/// Used for SARIF `partialFingerprints` and GitLab's `fingerprint`.
pub fn fingerprints(diags: &[Diagnostic]) -> Vec<String> {
    let mut seen: HashMap<u64, usize> = HashMap::new();
    diags
        .iter()
        .map(|d| {
            let anchor = match (&d.pointer, &d.file) {
                (Some(p), _) => format!("pointer:{p}"),
                (None, Some(f)) => {
                    let line = f.position(d.span.start).line;
                    format!("line:{}", f.line_text(line).trim())
                }
                (None, None) => String::new(),
            };
            let h = fnv1a(&[
                d.path_str().as_bytes(),
                d.rule.as_bytes(),
                anchor.as_bytes(),
            ]);
            let n = seen.entry(h).or_insert(0);
            *n += 1;
            format!("{h:016x}:{n}")
        })
        .collect()
}

/// 64-bit FNV-1a over the parts, each followed by a 0 byte. Stable across Rust versions
/// and platforms (unlike `DefaultHasher`), which fingerprints must be.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(std::iter::once(&0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::Severity;
    use crate::source::{SourceFile, Span};

    fn diag(text: &str, at: &str, pointer: Option<&str>) -> Diagnostic {
        let file = Arc::new(SourceFile::new("p/key-policy.json", text.to_string()));
        let start = text.find(at).unwrap_or(0);
        let mut d = Diagnostic::new(
            "json-syntax",
            Severity::Error,
            Span::new(start, start + at.len()),
            "m",
        )
        .with_file(file);
        d.pointer = pointer.map(str::to_string);
        d
    }

    #[test]
    fn fingerprints_survive_moved_lines_and_number_duplicates() {
        let a = diag("{\n  \"Sid\": 1\n}", "1", Some("/Sid"));
        let b = diag("\n\n\n{\n    \"Sid\": 1\n}", "1", Some("/Sid"));
        let c = diag("{\n  \"Sid\": 1\n}", "1", Some("/Other"));
        assert_eq!(fingerprints(std::slice::from_ref(&a)), fingerprints(&[b]));
        assert_ne!(fingerprints(std::slice::from_ref(&a)), fingerprints(&[c]));
        let twice = fingerprints(&[a.clone(), a]);
        assert_ne!(twice[0], twice[1]);
        // Without a pointer the line's text anchors it.
        let x = diag("[1 2]", "2", None);
        let y = diag("\n\n  [1 2]", "2", None);
        assert_eq!(fingerprints(&[x]), fingerprints(&[y]));
    }
}
