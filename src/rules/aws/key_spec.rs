//! `aws-key-spec`: the key is not a symmetric encryption key (`KeySpec` ≠
//! `SYMMETRIC_DEFAULT` or `KeyUsage` ≠ `ENCRYPT_DECRYPT`).

use super::aws;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::AwsDoc;
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct KeySpec;
pub static RULE: KeySpec = KeySpec;

static META: RuleMeta = RuleMeta {
    id: "aws-key-spec",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "Key spec not `SYMMETRIC_DEFAULT` or key usage not `ENCRYPT_DECRYPT`",
    docs: r#"## What it checks

In `aws kms describe-key` output, that `KeyMetadata.KeySpec` (or the older `CustomerMasterKeySpec`) is `SYMMETRIC_DEFAULT` and `KeyUsage` is `ENCRYPT_DECRYPT`.

## Why it matters

Aura supports only symmetric encryption KMS keys. An RSA, ECC or HMAC key, or a key for signing, cannot encrypt Aura's data keys, and a key's spec and usage can never be changed after creation: the key has to be replaced.

## Example

```json
{"KeyMetadata": {"KeySpec": "RSA_4096", "KeyUsage": "ENCRYPT_DECRYPT", "…": "…"}}
```

## Use instead

```json
{"KeyMetadata": {"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "…": "…"}}
```

## References

- Neo4j Aura documentation, "Customer Managed Keys" (AWS: symmetric keys only)
- AWS KMS Developer Guide, "Key spec reference"
"#,
    fixable: false,
};

const HELP: &str = "a key's spec and usage cannot be changed: create a new key with `aws kms create-key --key-spec SYMMETRIC_DEFAULT --key-usage ENCRYPT_DECRYPT` (the console's \"Symmetric\" / \"Encrypt and decrypt\") and give Aura its ARN";

impl Rule for KeySpec {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(AwsDoc::KeyMetadata(md)) = aws(doc) else {
            return;
        };
        let usage_bad = md
            .key_usage
            .as_ref()
            .filter(|u| u.value != "ENCRYPT_DECRYPT");
        match md
            .key_spec
            .as_ref()
            .filter(|s| s.value != "SYMMETRIC_DEFAULT")
        {
            Some(spec) => {
                let mut d = Diagnostic::new(
                    META.id,
                    META.severity,
                    spec.span,
                    format!(
                        "key spec is `{}`; Aura needs a symmetric encryption key (`SYMMETRIC_DEFAULT`)",
                        spec.value
                    ),
                )
                .with_help(HELP);
                if let Some(u) = usage_bad {
                    d = d.with_label(u.span, format!("key usage `{}`", u.value));
                }
                out.push(d);
            }
            None => {
                if let Some(u) = usage_bad {
                    out.push(
                        Diagnostic::new(
                            META.id,
                            META.severity,
                            u.span,
                            format!(
                                "key usage is `{}`; Aura needs a key for `ENCRYPT_DECRYPT`",
                                u.value
                            ),
                        )
                        .with_help(HELP),
                    );
                }
            }
        }
    }
}
