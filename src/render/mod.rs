//! Stage "render": finished diagnostics in, text out. One file per format.
//!
//! Renderers only format; they never decide what is wrong or which exit code applies.

pub mod concise;
pub mod full;
pub mod json;

use crate::diagnostic::Diagnostic;
use crate::source::Position;

/// Output formats of `cmklint check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette's graphical report with a source snippet (default on a terminal).
    Full,
    /// One gcc-style line per finding: `path:line:col: error: message [rule-id]`.
    Concise,
    /// A JSON array of findings.
    Json,
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
