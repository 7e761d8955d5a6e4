//! Syntax and splicing rules. Their findings are made by the parser and splice analysis
//! (`crate::json`); this file holds their metadata and documentation.

use super::{Group, MetaOnly, Rule, RuleMeta};
use crate::diagnostic::Severity;

pub static JSON_SYNTAX: MetaOnly = MetaOnly(RuleMeta {
    id: "json-syntax",
    group: Group::Syntax,
    severity: Severity::Error,
    summary: "Invalid JSON not named by a more specific rule",
    docs: "## What it checks\n\nThat the file is valid JSON (RFC 8259). A mistake that a more specific rule can name (a missing comma between pasted statements, a trailing comma, a comment, typographic quotes) is reported by that rule instead.\n\n## Why it matters\n\nAWS KMS, Azure Resource Manager and Google Cloud reject a document that does not parse, so the key policy or template is never applied and Aura cannot use the key.\n\n## Example\n\n```json\n{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"a\" \"Effect\": \"Allow\"}]}\n```\n\n## Use instead\n\n```json\n{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"a\", \"Effect\": \"Allow\"}]}\n```\n",
    fixable: false,
});

/// Every syntax rule, in catalogue order.
pub static RULES: &[&dyn Rule] = &[&JSON_SYNTAX];
