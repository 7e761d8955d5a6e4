//! `aws-wildcard-principal`: an `Allow` to any AWS principal with no condition narrowing
//! it to an account, organization or principal.

use super::{eval, policy, statement_name};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::EffectKind;
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct WildcardPrincipal;
pub static RULE: WildcardPrincipal = WildcardPrincipal;

static META: RuleMeta = RuleMeta {
    id: "aws-wildcard-principal",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "Allow to any principal (`*`, `{\"AWS\": \"*\"}`) with no condition narrowing it to an account, organization or principal",
    docs: r#"## What it checks

That a statement with `"Effect": "Allow"` and `"Principal": "*"` (or `{"AWS": "*"}`) also has a condition that ties it to an account, an organization or a principal: `kms:CallerAccount`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalArn`, `aws:SourceAccount`, `aws:SourceArn` (compared with `StringEquals`, `StringLike`, `ArnEquals` or `ArnLike` to something other than `*`).

## Why it matters

A key policy is a resource policy: `*` there means every AWS principal in every account. Without a narrowing condition anyone on AWS may encrypt and decrypt with the key that protects your Aura data. The statement the Aura Console generates uses `"Principal": {"AWS": "*"}` together with a `kms:CallerAccount` condition naming Aura's account; dropping that condition while pasting opens the key to the world.

## Example

```json
{
  "Sid": "Allow access for Neo4j",
  "Effect": "Allow",
  "Principal": {"AWS": "*"},
  "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
  "Resource": "*"
}
```

## Use instead

```json
{
  "Sid": "Allow access for Neo4j",
  "Effect": "Allow",
  "Principal": {"AWS": "*"},
  "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
  "Resource": "*",
  "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}
}
```

## References

- AWS KMS Developer Guide, "Key policies in AWS KMS" (warning on `*` principals)
- AWS IAM User Guide, "AWS global condition context keys"
"#,
    fixable: false,
};

impl Rule for WildcardPrincipal {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(p) = policy(doc) else {
            return;
        };
        for st in &p.statements {
            if st.effect.as_ref().map(|e| &e.kind) != Some(&EffectKind::Allow) {
                continue;
            }
            let Some(pr) = &st.principal else {
                continue;
            };
            if pr.not {
                continue;
            }
            let Some(entry) = pr.entries.iter().find(|e| e.is_anyone()) else {
                continue;
            };
            if eval::narrowing_condition(st).is_some() {
                continue;
            }
            let account = cx
                .config
                .aura
                .aws
                .account_id
                .as_deref()
                .unwrap_or("ACCOUNT-ID");
            let message = match &st.condition {
                Some(_) => format!(
                    "{} allows any AWS principal in any account; its condition does not narrow it to an account, organization or principal",
                    statement_name(st)
                ),
                None => format!(
                    "{} allows any AWS principal in any account, with no condition narrowing it",
                    statement_name(st)
                ),
            };
            let d = Diagnostic::new(META.id, META.severity, entry.span, message)
            .with_help(format!(
                "add `\"Condition\": {{\"StringEquals\": {{\"kms:CallerAccount\": \"{account}\"}}}}` naming the account that may use the key (for Aura: the account in the statement the Aura Console generated), or name the principal's ARN instead of `*`"
            ));
            out.push(d);
        }
    }
}
