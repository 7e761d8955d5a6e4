//! `aws-arn-invalid`: a malformed KMS key ARN (in `describe-key` output, rotation status
//! output, or a key policy `Resource`).

use super::{inner_span, key_arns};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::arn;
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct ArnInvalid;
pub static RULE: ArnInvalid = ArnInvalid;

static META: RuleMeta = RuleMeta {
    id: "aws-arn-invalid",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "A malformed key ARN",
    docs: r#"## What it checks

That every KMS key ARN has the shape `arn:PARTITION:kms:REGION:ACCOUNT-ID:key/KEY-ID`: a known partition (`aws`, `aws-cn`, `aws-us-gov`, …), the service `kms`, a region, a 12-digit account id, and a key id that is a UUID (`1234abcd-12ab-34cd-56ef-1234567890ab`) or a multi-Region key id (`mrk-` and 32 hex digits). It looks at `KeyMetadata.Arn` and the multi-Region primary and replica ARNs of `aws kms describe-key` output, the `KeyId` of `get-key-rotation-status` output, and key ARNs in a key policy's `Resource`. Wildcard resources and alias ARNs are not key ARNs and are not judged; a misspelt region is reported by `unknown-region`.

## Why it matters

Aura asks for the key's ARN. A truncated key id, a missing account digit or an alias ARN where the key ARN belongs is refused when the key is added in the Aura Console or API, or names no key at all in a policy.

## Example

```json
"Arn": "arn:aws:kms:eu-west-1:11112222333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
```

## Use instead

```json
"Arn": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
```

## References

- AWS KMS Developer Guide, "Key identifiers (KeyId)"
- AWS General Reference, "Amazon Resource Names (ARNs)"
"#,
    fixable: false,
};

impl Rule for ArnInvalid {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        for (_, text) in key_arns(doc) {
            if let Err(problem) = arn::parse_key_arn(&text.value) {
                out.push(
                    Diagnostic::new(
                        META.id,
                        META.severity,
                        inner_span(text, problem.range),
                        problem.message,
                    )
                    .with_help("copy the key ARN from `aws kms describe-key --key-id alias/NAME --query KeyMetadata.Arn` or from the key's page in the KMS console (\"ARN\")"),
                );
            }
        }
    }
}
