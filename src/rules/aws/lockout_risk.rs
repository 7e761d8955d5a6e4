//! `aws-lockout-risk`: no statement lets the key's account (root) or an administrator
//! change the key policy, so the key could become unmanageable.

use super::{eval, head, policy, statement_name};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::{EffectKind, Statement};
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct LockoutRisk;
pub static RULE: LockoutRisk = LockoutRisk;

static META: RuleMeta = RuleMeta {
    id: "aws-lockout-risk",
    group: Group::Aws,
    severity: Severity::Warning,
    summary: "No statement lets the key's account (root) or an administrator change the key policy",
    docs: r#"## What it checks

That some `Allow` statement grants `kms:PutKeyPolicy` (directly, or through `kms:*`, `kms:Put*` or `*`) to a named AWS principal — the key's account root (`arn:aws:iam::111122223333:root`), an administrator role or user — and that no unconditional `Deny` takes it away from everyone.

## Why it matters

If nobody may change the key policy, nobody can fix it: not to repair Aura's access, not to rotate administrators. AWS calls such a key unmanageable; recovering it needs AWS Support. The default key policy's statement `"Sid": "Enable IAM User Permissions"` exists to prevent exactly this, and is easy to delete while replacing the statements with the ones for Aura.

## Example

```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
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

- AWS KMS Developer Guide, "Default key policy" (allows access to the AWS account and enables IAM policies)
- AWS KMS API Reference, `PutKeyPolicy` (`BypassPolicyLockoutSafetyCheck`)
"#,
    fixable: false,
};

fn is_effect(st: &Statement, kind: &EffectKind) -> bool {
    st.effect.as_ref().map(|e| &e.kind) == Some(kind)
}

/// An `Allow` of `kms:PutKeyPolicy` to a named AWS principal (or to `*` narrowed to an
/// account, organization or principal).
fn lets_admin_manage(st: &Statement) -> bool {
    if !is_effect(st, &EffectKind::Allow) || !eval::grants(st, "kms:PutKeyPolicy") {
        return false;
    }
    let Some(p) = &st.principal else {
        return false;
    };
    if p.not {
        return false;
    }
    p.entries.iter().any(|e| {
        (e.kind == "AWS" && e.value != "*")
            || (e.is_anyone() && eval::narrowing_condition(st).is_some())
    })
}

impl Rule for LockoutRisk {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(p) = policy(doc) else {
            return;
        };
        if p.statements.is_empty() {
            return; // `aws-statement-invalid` reports an empty policy
        }
        let help = "keep the default statement `{\"Sid\": \"Enable IAM User Permissions\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::ACCOUNT-ID:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}` with your own account id, or grant `kms:PutKeyPolicy` to an administrator role";
        // An unconditional Deny of PutKeyPolicy to everyone locks out even the root.
        for st in &p.statements {
            if is_effect(st, &EffectKind::Deny)
                && eval::principal_is_anyone(st)
                && st.condition.is_none()
                && eval::grants(st, "kms:PutKeyPolicy")
            {
                let span = st.effect.as_ref().map_or(head(st.span), |e| e.span);
                out.push(
                    Diagnostic::new(
                        META.id,
                        META.severity,
                        span,
                        format!(
                            "{} denies `kms:PutKeyPolicy` to every principal, so no one could change this key policy again",
                            statement_name(st)
                        ),
                    )
                    .with_help("exclude your administrators from the `Deny` with a condition (e.g. `\"ArnNotLike\": {\"aws:PrincipalArn\": \"arn:aws:iam::ACCOUNT-ID:role/KeyAdmin\"}`), or remove `kms:PutKeyPolicy` from its actions"),
                );
                return;
            }
        }
        if super::has_syntax_issues(doc) {
            cx.skip(
                META.id,
                &doc.source.path,
                "the policy has syntax errors, so its statements may be incomplete",
            );
            return;
        }
        if p.statements.iter().any(lets_admin_manage) {
            return;
        }
        let span = p.statement.as_ref().map_or(head(p.span), |m| m.key_span);
        out.push(
            Diagnostic::new(
                META.id,
                META.severity,
                span,
                "no statement lets the key's account or an administrator change this key policy",
            )
            .with_help(help),
        );
    }
}
