//! The AWS rules, one file each, and the helpers they share (naming a statement, spans
//! inside string literals, whether a document's tree is complete).

mod arn_invalid;
mod aura_access_denied;
mod aura_access_missing;
mod aura_statement_altered;
mod aura_statement_missing;
mod duplicate_sid;
pub mod eval;
pub mod generated;
mod key_rotation_disabled;
mod key_spec;
mod lockout_risk;
mod policy_too_large;
mod region_mismatch;
mod statement_invalid;
mod unknown_action;
mod wildcard_principal;

use super::Rule;
use crate::document::aws::{self as model, AwsDoc, Policy, Statement, Text};
use crate::document::Document;
use crate::source::Span;

/// Every AWS rule, in catalogue order.
pub static RULES: &[&dyn Rule] = &[
    &statement_invalid::RULE,
    &duplicate_sid::RULE,
    &unknown_action::RULE,
    &wildcard_principal::RULE,
    &lockout_risk::RULE,
    &policy_too_large::RULE,
    &aura_statement_missing::RULE,
    &aura_statement_altered::RULE,
    &aura_access_missing::RULE,
    &aura_access_denied::RULE,
    &region_mismatch::RULE,
    &key_spec::RULE,
    &key_rotation_disabled::RULE,
    &arn_invalid::RULE,
];

/// The AWS model of a document.
pub(crate) fn aws(doc: &Document) -> Option<&AwsDoc> {
    model::model(doc)
}

/// The key policy a document holds (directly, or inside `get-key-policy` output), if its
/// tree could be read at all.
pub(crate) fn policy(doc: &Document) -> Option<&Policy> {
    aws(doc)
        .and_then(AwsDoc::policy)
        .filter(|p| p.statement.is_some() || !p.members.is_empty())
}

/// Whether the document (or the policy embedded in it) has syntax errors: its tree may
/// then be partial, so rules that judge something's absence stay silent.
pub(crate) fn has_syntax_issues(doc: &Document) -> bool {
    !doc.parsed.issues.is_empty() || doc.model.embedded().is_some_and(|p| !p.issues.is_empty())
}

/// Whether no syntax issue lies inside `span` (a statement that parsed whole).
pub(crate) fn parsed_whole(doc: &Document, span: Span) -> bool {
    let inside = |s: Span| s.start >= span.start && s.start <= span.end;
    let embedded = doc
        .model
        .embedded()
        .map(|p| p.issues.as_slice())
        .unwrap_or_default();
    !doc.parsed
        .issues
        .iter()
        .chain(embedded)
        .any(|i| inside(i.span))
}

/// How a message names a statement: "statement `Sid`" or "statement 3" (1-based).
pub(crate) fn statement_name(st: &Statement) -> String {
    match &st.sid {
        Some(sid) if !sid.value.trim().is_empty() => format!("statement `{}`", sid.value),
        _ => format!("statement {}", st.index + 1),
    }
}

/// The first character of a span (an object's `{`): a short anchor for a finding about
/// the whole object.
pub(crate) fn head(span: Span) -> Span {
    Span::new(
        span.start,
        (span.start + 1).min(span.end.max(span.start + 1)),
    )
}

/// The span of bytes `range` of a string value, inside its literal. Exact when the
/// literal has no escapes (its text is the value in quotes); otherwise the whole literal.
pub(crate) fn inner_span(text: &Text, range: std::ops::Range<usize>) -> Span {
    if text.span.len() == text.value.len() + 2 && range.end <= text.value.len() {
        Span::new(
            text.span.start + 1 + range.start,
            text.span.start + 1 + range.end,
        )
    } else {
        text.span
    }
}

/// A value contains an IAM policy variable (`${aws:username}`): never judged.
pub(crate) fn has_policy_variable(s: &str) -> bool {
    crate::document::aws::actions::has_variable(s)
}

/// Formats a list of names as "`a`, `b` and `c`".
pub(crate) fn code_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{}`", s.as_ref())).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// Where a key ARN was found, most authoritative first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ArnSource {
    /// `KeyMetadata.Arn` of `describe-key` output: the key itself.
    KeyMetadata,
    /// `KeyId` of `get-key-rotation-status` output.
    RotationStatus,
    /// A `Resource` of a key policy.
    PolicyResource,
    /// A primary or replica in `MultiRegionConfiguration`: a related key.
    MultiRegionRelated,
}

/// The strings of a document that are meant as KMS key ARNs, with where they were found.
/// Wildcard resources (`arn:aws:kms:*:111122223333:key/*`), alias ARNs and values with
/// policy variables are left out.
pub(crate) fn key_arns(doc: &Document) -> Vec<(ArnSource, &Text)> {
    let mut out = Vec::new();
    match aws(doc) {
        Some(AwsDoc::KeyMetadata(md)) => {
            if let Some(a) = &md.arn {
                out.push((ArnSource::KeyMetadata, a));
            }
            if let Some(c) = &md.multi_region_configuration {
                for k in c.primary.iter().chain(c.replicas.iter()) {
                    out.push((ArnSource::MultiRegionRelated, &k.arn));
                }
            }
        }
        Some(AwsDoc::RotationStatus(r)) => {
            if let Some(k) = r.key_id.as_ref().filter(|k| k.value.starts_with("arn:")) {
                out.push((ArnSource::RotationStatus, k));
            }
        }
        Some(d @ (AwsDoc::KeyPolicy(_) | AwsDoc::GetKeyPolicy(_))) => {
            for st in d
                .policy()
                .map(|p| p.statements.as_slice())
                .unwrap_or_default()
            {
                for item in st.resource.iter().flat_map(|r| r.items.iter()) {
                    let v = item.value.as_str();
                    if model::arn::looks_like_kms_arn(v)
                        && !model::arn::is_alias_arn(v)
                        && !v.contains(['*', '?'])
                        && !has_policy_variable(v)
                    {
                        out.push((ArnSource::PolicyResource, item));
                    }
                }
            }
        }
        None => {}
    }
    out
}
