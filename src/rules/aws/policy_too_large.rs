//! `aws-policy-too-large`: the policy text as it would be submitted is over 32 KB.

use super::{aws, head};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::AwsDoc;
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct PolicyTooLarge;
pub static RULE: PolicyTooLarge = PolicyTooLarge;

/// `PutKeyPolicy`'s limit on the policy document (AWS KMS API Reference).
pub const LIMIT: usize = 32_768;

static META: RuleMeta = RuleMeta {
    id: "aws-policy-too-large",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "Key policy text over 32,768 bytes",
    docs: r#"## What it checks

The size of the key policy as it would be submitted to `PutKeyPolicy`: the file's bytes for a policy file, or the decoded `Policy` string of `aws kms get-key-policy` output. The limit is 32,768 bytes.

## Why it matters

KMS rejects a larger policy (`LimitExceededException`), so the statements for Aura are never applied. Policies grow past the limit when statements are pasted repeatedly or many principals are listed one statement each.

## Example

A 40 KB policy with one statement per IAM role, each granting the same actions.

## Use instead

One statement listing the roles in `"Principal": {"AWS": [ … ]}`, or a grant to the account root (`arn:aws:iam::111122223333:root`) with the per-role permissions in IAM policies; remove statements pasted twice. Pretty-printing counts too: `jq -c . policy.json` submits the same policy in fewer bytes.

## References

- AWS KMS Developer Guide, "Key policies in AWS KMS" (key policy size quota: 32 KB)
- AWS KMS API Reference, `PutKeyPolicy`
"#,
    fixable: false,
};

impl Rule for PolicyTooLarge {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let (len, span, what) = match aws(doc) {
            Some(AwsDoc::KeyPolicy(p)) => (p.submitted_len, head(p.span), "key policy file"),
            Some(AwsDoc::GetKeyPolicy(o)) => match &o.policy {
                Some(p) => (p.submitted_len, head(o.literal), "key policy in `Policy`"),
                None => return,
            },
            _ => return,
        };
        if len <= LIMIT {
            return;
        }
        out.push(
            Diagnostic::new(
                META.id,
                META.severity,
                span,
                format!(
                    "{what} is {len} bytes, over the {LIMIT}-byte limit of `PutKeyPolicy`"
                ),
            )
            .with_help(format!(
                "shrink it by {} bytes or more: merge statements that grant the same actions (list several principals in one `Principal`), remove duplicated statements, or submit it minified (`jq -c`)",
                len - LIMIT
            )),
        );
    }
}
