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

A 40 KB policy with one statement per IAM role, each granting the same actions:

```json
"Statement": [
  {"Sid": "Allow use of the key by service role 001", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/service-role/loader-001"}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"},
  {"Sid": "Allow use of the key by service role 002", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/service-role/loader-002"}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"}
]
```

(… and so on, for 80 roles.)

## Use instead

One statement listing the roles, or a grant to the account root (`arn:aws:iam::111122223333:root`) with the per-role permissions in IAM policies; remove statements pasted twice. Pretty-printing counts too: `jq -c . policy.json` submits the same policy in fewer bytes.

```json
"Statement": [
  {"Sid": "Allow use of the key by the service roles", "Effect": "Allow",
   "Principal": {"AWS": ["arn:aws:iam::111122223333:role/service-role/loader-001", "arn:aws:iam::111122223333:role/service-role/loader-002"]},
   "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"}
]
```

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
                    "{what} is {} bytes, over the {}-byte limit of `PutKeyPolicy`",
                    thousands(len),
                    thousands(LIMIT)
                ),
            )
            .with_help(format!(
                "shrink it by {} bytes or more: merge statements that grant the same actions (list several principals in one `Principal`), remove duplicated statements, or submit it minified (`jq -c`)",
                thousands(len - LIMIT)
            )),
        );
    }
}

/// 39406 → "39,406".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
