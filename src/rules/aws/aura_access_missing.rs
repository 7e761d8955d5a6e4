//! `aws-aura-access-missing`: the `Allow` statements that apply to Aura's account
//! (`[aura.aws] account_id`) do not grant every action Aura needs.

use super::aura_statement_missing::insertion_point;
use super::eval::{self, Truth};
use super::generated::{self, Match};
use super::{code_list, policy, statement_name};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::{actions, EffectKind, Statement};
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct AuraAccessMissing;
pub static RULE: AuraAccessMissing = AuraAccessMissing;

static META: RuleMeta = RuleMeta {
    id: "aws-aura-access-missing",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "Aura's account lacks an action it needs (Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey, grants)",
    docs: r#"## What it checks

With `[aura.aws] account_id` set in `cmklint.toml` (the AWS account Aura calls KMS from, shown in the statement the Aura Console generates), that the `Allow` statements applying to that account together grant `kms:Encrypt`, `kms:Decrypt`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`, `kms:DescribeKey`, `kms:CreateGrant`, `kms:ListGrants` and `kms:RevokeGrant`.

A statement applies to Aura's account when its principal is in that account (`arn:aws:iam::ACCOUNT:root`, a role or user ARN in it, or the bare account id), or is `*` narrowed to it by `kms:CallerAccount` / `aws:PrincipalAccount`. Action wildcards count (`kms:*`, `kms:ReEncrypt*`). When `generated_statements` is set and a generated statement is missing or altered, those rules report instead.

## Why it matters

Aura uses the key through these operations: the data keys for storage (`GenerateDataKey*`, `Encrypt`, `Decrypt`, `ReEncrypt*`), checking the key (`DescribeKey`) and grants for the AWS services that hold the data (`CreateGrant`, `ListGrants`, `RevokeGrant`). Any one missing and the instance cannot be created or cannot read its data.

## Example

```json
{"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"},
 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
 "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
```

## Use instead

```json
{"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"},
 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
 "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
```

## References

- Neo4j Aura documentation, "Customer Managed Keys"
- AWS KMS Developer Guide, "Allowing users in other accounts to use a KMS key"
"#,
    fixable: false,
};

/// Whether the Aura statements rules already report this policy.
fn statement_rules_report(cx: &Context, statements: &[Statement]) -> bool {
    match generated::load(cx.config) {
        Some(Ok(g)) => g
            .statements
            .iter()
            .any(|gs| !matches!(generated::find(gs, statements), Match::Present)),
        Some(Err(_)) => true,
        None => false,
    }
}

impl Rule for AuraAccessMissing {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(p) = policy(doc) else {
            return;
        };
        let Some(account) = cx.config.aura.aws.account_id.as_deref() else {
            cx.skip(
                META.id,
                &doc.source.path,
                "`[aura.aws] account_id` is not set in cmklint.toml",
            );
            return;
        };
        if super::has_syntax_issues(doc) {
            cx.skip(
                META.id,
                &doc.source.path,
                "the policy has syntax errors, so its statements may be incomplete",
            );
            return;
        }
        if statement_rules_report(cx, &p.statements) {
            return;
        }
        let applying: Vec<&Statement> = p
            .statements
            .iter()
            .filter(|st| st.effect.as_ref().map(|e| &e.kind) == Some(&EffectKind::Allow))
            .filter(|st| eval::applies_to(st, account) != Truth::False)
            .collect();
        let missing: Vec<&str> = actions::AURA_NEEDED
            .iter()
            .copied()
            .filter(|a| !eval::union_covers(&applying, a))
            .collect();
        if missing.is_empty() {
            return;
        }
        let target = applying
            .iter()
            .find(|st| eval::principal_includes(st, account) == Truth::True)
            .or(applying.first());
        let d = match target {
            None => Diagnostic::new(
                META.id,
                META.severity,
                insertion_point(p),
                format!("no statement allows Aura's account `{account}` to use this key"),
            )
            .with_help(format!(
                "add the statement the Aura Console generated: `\"Effect\": \"Allow\"` of {} to Aura's account (`\"Principal\": {{\"AWS\": \"*\"}}` with `\"Condition\": {{\"StringEquals\": {{\"kms:CallerAccount\": \"{account}\"}}}}`)",
                code_list(actions::AURA_NEEDED)
            )),
            Some(st) => {
                let span = st
                    .action
                    .as_ref()
                    .map_or(super::head(st.span), |a| a.key_span);
                Diagnostic::new(
                    META.id,
                    META.severity,
                    span,
                    format!(
                        "no statement allows Aura's account `{account}` to use {} on this key",
                        code_list(&missing)
                    ),
                )
                .with_help(format!(
                    "add {} to the `Action` list of {}",
                    code_list(&missing),
                    statement_name(st)
                ))
            }
        };
        out.push(d);
    }
}
