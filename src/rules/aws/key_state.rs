//! `aws-key-state`: the key is not `Enabled` (disabled, pending deletion, …).

use super::aws;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::AwsDoc;
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct KeyState;
pub static RULE: KeyState = KeyState;

static META: RuleMeta = RuleMeta {
    id: "aws-key-state",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "Key state not `Enabled` (disabled or pending deletion: the data becomes unreadable)",
    docs: r#"## What it checks

In `aws kms describe-key` output, that `KeyMetadata.KeyState` is `Enabled`.

## Why it matters

Aura encrypts the instance's data with this key. A disabled key makes the data unreadable until the key is enabled again; a key pending deletion is deleted at the end of its waiting period, and then the data is lost for good. A key pending import, or unavailable in a custom key store, cannot be used either.

## Example

```json
{"KeyMetadata": {"KeyState": "PendingDeletion", "DeletionDate": "2025-08-01T10:00:00+00:00", "Enabled": false, "…": "…"}}
```

## Use instead

```json
{"KeyMetadata": {"KeyState": "Enabled", "Enabled": true, "…": "…"}}
```

## References

- AWS KMS Developer Guide, "Key states of AWS KMS keys"
"#,
    fixable: false,
};

impl Rule for KeyState {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(AwsDoc::KeyMetadata(md)) = aws(doc) else {
            return;
        };
        let key = md
            .key_id
            .as_ref()
            .or(md.arn.as_ref())
            .map_or("KEY-ID".to_string(), |k| k.value.clone());
        let Some(state) = &md.key_state else {
            return;
        };
        let (message, help) = match state.value.as_str() {
            "Enabled" => return,
            "Disabled" => (
                "key is disabled; Aura cannot read or write the instance's data with it".to_string(),
                format!("enable it with `aws kms enable-key --key-id {key}` (console: Key actions → Enable)"),
            ),
            "PendingDeletion" => (
                match &md.deletion_date {
                    Some(d) => format!(
                        "key is scheduled for deletion on {}; after that the data encrypted with it is lost for good",
                        d.value
                    ),
                    None => "key is scheduled for deletion; after that the data encrypted with it is lost for good".to_string(),
                },
                format!(
                    "cancel the deletion with `aws kms cancel-key-deletion --key-id {key}`, then `aws kms enable-key --key-id {key}`"
                ),
            ),
            "PendingReplicaDeletion" => (
                "key is a multi-Region primary waiting for its replicas to be deleted, after which it is deleted".to_string(),
                format!("cancel the deletion of the replicas and of this key (`aws kms cancel-key-deletion --key-id {key}` in each Region)"),
            ),
            "PendingImport" => (
                "key has no key material yet (`PendingImport`) and cannot encrypt".to_string(),
                "import the key material (`aws kms import-key-material`), or use a key whose material AWS KMS generates".to_string(),
            ),
            "Unavailable" => (
                "key is unavailable: its custom key store is disconnected".to_string(),
                "reconnect the custom key store (`aws kms connect-custom-key-store`)".to_string(),
            ),
            "Creating" | "Updating" => (
                format!("key state is `{}`; it cannot be used until it is `Enabled`", state.value),
                "wait for the operation to finish and run `aws kms describe-key` again".to_string(),
            ),
            other => (
                format!("key state is `{other}`, not `Enabled`"),
                format!("enable the key (`aws kms enable-key --key-id {key}`)"),
            ),
        };
        out.push(Diagnostic::new(META.id, META.severity, state.span, message).with_help(help));
    }
}
