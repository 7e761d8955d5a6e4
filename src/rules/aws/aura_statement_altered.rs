//! `aws-aura-statement-altered`: a statement with the `Sid` of an Aura-generated one is
//! in the key policy but differs from it.

use super::generated::{self, Match};
use super::{parsed_whole, policy, statement_name};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct AuraStatementAltered;
pub static RULE: AuraStatementAltered = AuraStatementAltered;

static META: RuleMeta = RuleMeta {
    id: "aws-aura-statement-altered",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "A statement with an Aura-generated `Sid` differs from the generated one (names what is missing or changed)",
    docs: r#"## What it checks

With `[aura.aws] generated_statements` set in `cmklint.toml`, that a key policy statement carrying the `Sid` of an Aura-generated statement means the same as it. The comparison is semantic — the order of actions, a single string versus a one-element list and whitespace do not matter — and the finding names each difference: an action missing or added, a changed principal, resource or effect, a condition missing, added or with another value.

## Why it matters

A statement edited while pasting (an action dropped, the account in `kms:CallerAccount` replaced by your own, the condition removed) keeps its familiar `Sid`, so it looks right in review, but Aura is refused what it needs — or, with the condition removed, anyone may use the key.

## Example

```json
{"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"},
 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
 "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}}
```

## Use instead

```json
{"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"},
 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
 "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
```

## References

- Neo4j Aura documentation, "Customer Managed Keys" (AWS: edit the key policy)
"#,
    fixable: false,
};

impl Rule for AuraStatementAltered {
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
            Some(Err(_)) => return, // reported by `aws-aura-statement-missing`
            Some(Ok(g)) => g,
        };
        for gs in &g.statements {
            let Match::Altered(st, diffs) = generated::find(gs, &p.statements) else {
                continue;
            };
            if !parsed_whole(doc, st.span) || diffs.is_empty() {
                continue;
            }
            let mut d = Diagnostic::new(
                META.id,
                META.severity,
                diffs[0].span,
                format!(
                    "{} differs from the Aura-generated one: {}",
                    statement_name(st),
                    generated::describe(&diffs)
                ),
            )
            .with_help(format!(
                "replace the statement with the one in `{}`, as the Aura Console generated it",
                g.display
            ));
            for extra in &diffs[1..] {
                if extra.span != diffs[0].span {
                    d = d.with_label(extra.span, extra.what.clone());
                }
            }
            out.push(d);
        }
    }
}
