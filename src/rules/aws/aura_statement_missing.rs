//! `aws-aura-statement-missing`: a statement of the Aura-generated JSON
//! (`[aura.aws] generated_statements`) is not in the key policy.

use super::generated::{self, Match};
use super::{head, policy};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::Policy;
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};
use crate::source::Span;

pub struct AuraStatementMissing;
pub static RULE: AuraStatementMissing = AuraStatementMissing;

static META: RuleMeta = RuleMeta {
    id: "aws-aura-statement-missing",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "A statement of the configured Aura-generated JSON is not in the key policy",
    docs: r#"## What it checks

With `[aura.aws] generated_statements = "aura-statements.json"` in `cmklint.toml` (the JSON the Aura Console generated for your key, saved as a file), that each of its statements is in the key policy. The comparison is semantic: the order of actions, a single string versus a one-element list, whitespace and `Sid` do not matter; a missing action or a changed principal, resource or condition does. A statement that keeps the generated `Sid` but differs is reported by `aws-aura-statement-altered` instead.

The file may hold a JSON list of statements, a single statement, a comma-separated run of statements (the fragment one pastes) or a whole policy. If it cannot be read or parsed, a `config-error` says so.

## Why it matters

The Aura Console asks you to add its statements to the key policy. Until every one of them is there, Aura cannot use the key and creating the instance fails or leaves it pending.

## Example

`aura-statements.json` holds the statement `"Sid": "Allow access for Neo4j"`, but the key policy has only the default statement:

```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
  ]
}
```

## Use instead

```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
  ]
}
```

## References

- Neo4j Aura documentation, "Customer Managed Keys" (AWS: edit the key policy)
"#,
    fixable: false,
};

/// Where a missing statement would go: the `]` closing the `Statement` list.
pub(super) fn insertion_point(p: &Policy) -> Span {
    match &p.statement {
        Some(m) if m.is_array() => Span::new(m.span.end.saturating_sub(1), m.span.end),
        Some(m) => m.key_span,
        None => head(p.span),
    }
}

impl Rule for AuraStatementMissing {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(p) = policy(doc) else {
            return;
        };
        let g = match generated::load(cx.config) {
            None => {
                cx.skip(
                    META.id,
                    &doc.source.path,
                    "`[aura.aws] generated_statements` is not set in cmklint.toml",
                );
                return;
            }
            Some(Err(_)) => return, // reported once per unit by `check_unit`
            Some(Ok(g)) => g,
        };
        if super::has_syntax_issues(doc) {
            cx.skip(
                META.id,
                &doc.source.path,
                "the policy has syntax errors, so its statements may be incomplete",
            );
            return;
        }
        for gs in &g.statements {
            let Match::Missing(closest) = generated::find(gs, &p.statements) else {
                continue;
            };
            let name = generated::generated_name(gs, &g.display);
            let mut help = format!(
                "copy the statement from `{}` into the `Statement` list, with a comma after the statement before it",
                g.display
            );
            let mut d = Diagnostic::new(
                META.id,
                META.severity,
                insertion_point(p),
                format!("the Aura-generated statement {name} is not in this key policy"),
            );
            // A statement that is exactly another generated one is not a near miss of this one.
            let closest = closest.filter(|(s, _)| {
                !g.statements
                    .iter()
                    .any(|other| generated::compare(other, s).is_empty())
            });
            if let Some((similar, diffs)) = closest {
                help = format!(
                    "{} is similar but {}; if it is meant to be this statement, replace it with the one in `{}`",
                    super::statement_name(similar),
                    generated::describe(&diffs),
                    g.display
                );
                d = d.with_label(head(similar.span), "similar statement");
            }
            out.push(d.with_help(help));
        }
    }

    fn check_unit(&self, unit: &Unit, _cx: &Context, out: &mut Vec<Diagnostic>) {
        if !unit.documents.iter().any(|d| policy(d).is_some()) {
            return;
        }
        if let Some(Err(d)) = generated::load(unit.config) {
            out.push(*d);
        }
    }
}
