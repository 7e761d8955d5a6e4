//! `aws-aura-access-denied`: a `Deny` statement that applies to Aura's account takes away
//! an action Aura needs — including an organization perimeter such as
//! `StringNotEquals aws:PrincipalOrgID` (Aura's account is not in your organization).

use super::eval::{self, Truth};
use super::{code_list, head, policy, statement_name};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::{actions, arn, EffectKind};
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct AuraAccessDenied;
pub static RULE: AuraAccessDenied = AuraAccessDenied;

static META: RuleMeta = RuleMeta {
    id: "aws-aura-access-denied",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "A `Deny` that applies to Aura's account removes an action it needs (incl. organization perimeters)",
    docs: r#"## What it checks

With `[aura.aws] account_id` set in `cmklint.toml`, that no `Deny` statement applies to Aura's account for an action Aura needs (`kms:Encrypt`, `kms:Decrypt`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`, `kms:DescribeKey`, `kms:CreateGrant`, `kms:ListGrants`, `kms:RevokeGrant`).

A `Deny` applies when its principal takes in Aura's account and each of its conditions holds for a call from that account. Aura's account is not in your AWS organization, so a data perimeter such as `"StringNotEquals": {"aws:PrincipalOrgID": "o-…"}` applies to it. A `Deny` whose conditions cmklint cannot evaluate (an encryption context, a VPC endpoint) is not reported.

## Why it matters

An explicit `Deny` wins over every `Allow`: the Aura statements can be pasted perfectly and Aura is still refused, typically by an organization perimeter added by a security team after the fact.

## Example

```json
{"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
 "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
```

## Use instead

```json
{"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
 "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5", "aws:PrincipalAccount": "210987654321"}}}
```

(All keys under one operator must match for the condition to hold, so the `Deny` no longer applies to calls from account `210987654321`.)

## References

- AWS IAM User Guide, "Policy evaluation logic" (an explicit deny overrides any allow)
- AWS IAM User Guide, "aws:PrincipalOrgID"
"#,
    fixable: false,
};

impl Rule for AuraAccessDenied {
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
        for st in &p.statements {
            if st.effect.as_ref().map(|e| &e.kind) != Some(&EffectKind::Deny) {
                continue;
            }
            if eval::applies_to(st, account) != Truth::True {
                continue;
            }
            let denied: Vec<&str> = actions::AURA_NEEDED
                .iter()
                .copied()
                .filter(|a| actions::expand_full(a).any(|full| eval::grants(st, full)))
                .collect();
            if denied.is_empty() {
                continue;
            }
            let perimeter = st.condition.as_ref().and_then(|c| {
                c.operators
                    .iter()
                    .filter(|op| op.base().contains("Not"))
                    .flat_map(|op| op.entries.iter())
                    .find(|e| {
                        let k = e.key.value.to_ascii_lowercase();
                        k == "aws:principalorgid" || k == "aws:principalorgpaths"
                    })
            });
            let (span, message, help) = match perimeter {
                Some(e) => (
                    e.span,
                    format!(
                        "{} denies {} to Aura's account `{account}`, which is not in your AWS organization",
                        statement_name(st),
                        code_list(&denied)
                    ),
                    format!(
                        "exempt Aura's account: add `\"aws:PrincipalAccount\": \"{account}\"` next to `{}` in the same operator, so the `Deny` no longer matches calls from Aura",
                        e.key.value
                    ),
                ),
                None => (
                    st.principal.as_ref().map_or(head(st.span), |pr| {
                        pr.entries
                            .iter()
                            .find(|e| {
                                e.value == "*"
                                    || arn::principal_account(&e.value) == Some(account)
                            })
                            .map_or(pr.key_span, |e| e.span)
                    }),
                    format!(
                        "{} denies {} to Aura's account `{account}`",
                        statement_name(st),
                        code_list(&denied)
                    ),
                    format!(
                        "exclude Aura's account from this `Deny`, e.g. with `\"Condition\": {{\"StringNotEquals\": {{\"aws:PrincipalAccount\": \"{account}\"}}}}`, or remove the actions Aura needs from it"
                    ),
                ),
            };
            let mut d = Diagnostic::new(META.id, META.severity, span, message).with_help(help);
            if let Some(e) = &st.effect {
                d = d.with_label(e.span, "an explicit Deny overrides every Allow");
            }
            out.push(d);
        }
    }
}
