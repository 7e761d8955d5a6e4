//! `aws-key-rotation-disabled`: automatic rotation is off for a key that can rotate
//! (symmetric, key material from AWS KMS). A cross-document rule: the rotation status is
//! joined with the `describe-key` output beside it, when there is one (DESIGN §4).

use super::aws;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::{AwsDoc, KeyMetadata, RotationStatus};
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct KeyRotationDisabled;
pub static RULE: KeyRotationDisabled = KeyRotationDisabled;

static META: RuleMeta = RuleMeta {
    id: "aws-key-rotation-disabled",
    group: Group::Aws,
    severity: Severity::Warning,
    summary:
        "Automatic key rotation off, for a key that can rotate (symmetric, key material from KMS)",
    docs: r#"## What it checks

In `aws kms get-key-rotation-status` output, that `KeyRotationEnabled` is `true`. When the `aws kms describe-key` output of the same key sits in the same folder, keys that cannot rotate automatically are left alone: asymmetric and HMAC keys, keys with imported key material (`Origin` `EXTERNAL`) and keys in a custom key store.

## Why it matters

Aura does not enforce rotation but recommends automatic rotation of the customer managed key. Rotation replaces the key material once a year (or every `RotationPeriodInDays`) while keeping the key id and ARN, so Aura keeps working and old data stays readable; manual rotation (a new key) is not recommended for Aura because an instance cannot switch keys.

## Example

```json
{"KeyRotationEnabled": false}
```

## Use instead

```json
{"KeyRotationEnabled": true, "KeyId": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "RotationPeriodInDays": 365}
```

## References

- AWS KMS Developer Guide, "Rotate AWS KMS keys"
- Neo4j Aura documentation, "Customer Managed Keys" (key rotation)
"#,
    fixable: false,
};

/// Whether a rotation status and key metadata are about the same key.
fn same_key(rot: &RotationStatus, md: &KeyMetadata) -> bool {
    let Some(rid) = rot.key_id.as_ref().map(|k| k.value.as_str()) else {
        return true;
    };
    let ids = [md.key_id.as_ref(), md.arn.as_ref()];
    let known: Vec<&str> = ids.iter().flatten().map(|t| t.value.as_str()).collect();
    known.is_empty()
        || known.iter().any(|k| {
            *k == rid || rid.ends_with(&format!("/{k}")) || k.ends_with(&format!("/{rid}"))
        })
}

impl Rule for KeyRotationDisabled {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, _cx: &Context, out: &mut Vec<Diagnostic>) {
        for doc in &unit.documents {
            let Some(AwsDoc::RotationStatus(rot)) = aws(doc) else {
                continue;
            };
            let Some((false, span)) = rot.enabled else {
                continue;
            };
            let md = unit.same_folder(doc).find_map(|d: &Document| match aws(d) {
                Some(AwsDoc::KeyMetadata(md)) if same_key(rot, md) => Some(md),
                _ => None,
            });
            let mut key = rot
                .key_id
                .as_ref()
                .map(|k| k.value.to_string())
                .unwrap_or_else(|| "KEY-ID".to_string());
            let mut help = None;
            if let Some(md) = md {
                let is = |t: &Option<crate::document::aws::Text>, v: &str| {
                    t.as_ref().is_none_or(|t| t.value == v)
                };
                if !is(&md.key_spec, "SYMMETRIC_DEFAULT")
                    || !is(&md.origin, "AWS_KMS")
                    || !is(&md.key_manager, "CUSTOMER")
                {
                    continue; // cannot rotate automatically (or AWS rotates it)
                }
                if let Some(arn) = md.arn.as_ref().or(md.key_id.as_ref()) {
                    key = arn.value.to_string();
                }
                let replica_of = md.multi_region_configuration.as_ref().and_then(|c| {
                    c.key_type
                        .as_ref()
                        .filter(|t| t.value == "REPLICA")
                        .and(c.primary.as_ref())
                });
                if let Some(primary) = replica_of {
                    help = Some(format!(
                        "this is a multi-Region replica; rotation is set on the primary key: `aws kms enable-key-rotation --key-id {}{}`",
                        primary.arn.value,
                        primary
                            .region
                            .as_ref()
                            .map(|r| format!(" --region {}", r.value))
                            .unwrap_or_default()
                    ));
                }
            }
            let help = help.unwrap_or_else(|| {
                format!(
                    "turn it on with `aws kms enable-key-rotation --key-id {key}` (console: the key's \"Key rotation\" tab → \"Automatically rotate this KMS key every year\")"
                )
            });
            out.push(
                Diagnostic::new(
                    META.id,
                    META.severity,
                    span,
                    "automatic rotation of the key material is off",
                )
                .with_help(help)
                .with_file(doc.source.clone()),
            );
        }
    }
}
