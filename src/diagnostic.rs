//! The finding type every rule produces and every renderer consumes.
//!
//! A diagnostic carries byte spans only; renderers turn them into lines and columns with the
//! file's [`SourceFile`]. Rules never print; renderers never decide what is wrong.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary span with a short label ("first defined here").
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// How sure a fix is. Only `Safe` fixes are applied by `--fix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// One text replacement: replace `span` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// Imperative summary: "insert `,` between the statements".
    pub description: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Stable rule id (`splice-missing-comma`). Reserved ids for the run itself:
    /// `io-error` (file could not be read or decoded), `config-error`.
    pub rule: &'static str,
    pub severity: Severity,
    /// One sentence on what is wrong with the value found.
    pub message: String,
    /// The file; filled in by the engine when a rule leaves it empty.
    pub file: Option<Arc<SourceFile>>,
    pub span: Span,
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// JSON pointer of the node the finding is about (for fingerprints); filled by the
    /// engine from the tree when a rule leaves it empty.
    pub pointer: Option<String>,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            file: None,
            span,
            labels: Vec::new(),
            help: None,
            fix: None,
            pointer: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fix = Some(fix);
        self
    }

    pub fn with_file(mut self, file: Arc<SourceFile>) -> Diagnostic {
        self.file = Some(file);
        self
    }

    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Diagnostic {
        self.pointer = Some(pointer.into());
        self
    }

    /// The display path of the file, or an empty string.
    pub fn path_str(&self) -> String {
        self.file
            .as_ref()
            .map(|f| f.path.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default()
    }

    /// Sort key: path, start offset, rule id, message.
    pub fn sort_key(&self) -> (String, usize, &'static str, &str) {
        (self.path_str(), self.span.start, self.rule, &self.message)
    }
}
