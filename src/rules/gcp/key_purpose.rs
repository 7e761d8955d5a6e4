//! `gcp-key-purpose`: the crypto key's `purpose` is not `ENCRYPT_DECRYPT`.

use super::common;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct KeyPurpose;

static META: RuleMeta = RuleMeta {
    id: "gcp-key-purpose",
    group: Group::Gcp,
    severity: Severity::Error,
    summary: "Crypto key `purpose` is not `ENCRYPT_DECRYPT`",
    docs: r#"## What it checks

That the crypto key (`gcloud kms keys describe --format=json`) has `purpose` `ENCRYPT_DECRYPT`, a symmetric encryption key. `ASYMMETRIC_DECRYPT`, `ASYMMETRIC_SIGN`, `RAW_ENCRYPT_DECRYPT`, `MAC` and other purposes are reported. A key without `purpose` is taken as the API default, `ENCRYPT_DECRYPT`.

## Why it matters

Aura needs a symmetric encrypt/decrypt key on Google Cloud. A key with another purpose cannot be used for Aura's data, and a key's purpose cannot be changed after it is created.

## Example

```json
{
  "name": "projects/acme-prod/locations/europe-west2/keyRings/neo4j-aura/cryptoKeys/aura-cmk",
  "purpose": "ASYMMETRIC_DECRYPT"
}
```

## Use instead

```json
{
  "name": "projects/acme-prod/locations/europe-west2/keyRings/neo4j-aura/cryptoKeys/aura-cmk",
  "purpose": "ENCRYPT_DECRYPT"
}
```

## Fix

`gcloud kms keys create KEY --keyring KEY_RING --location LOCATION --purpose encryption`, grant the roles and give Aura the new key's resource name.

## References

- https://cloud.google.com/kms/docs/algorithms
- Aura documentation, Customer Managed Keys (key requirements)
"#,
    fixable: false,
};

impl Rule for KeyPurpose {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(key) = common::key(doc) else {
            return;
        };
        let Some(purpose) = &key.purpose else {
            return;
        };
        if purpose.value == "ENCRYPT_DECRYPT" {
            return;
        }
        let n = key.name.as_ref();
        let part = |s: Option<&crate::document::gcp::Segment>, dflt: &'static str| {
            s.map_or(dflt.to_string(), |s| s.text.clone())
        };
        let ring = part(n.and_then(|n| n.key_ring.as_ref()), "KEY_RING");
        let location = part(n.and_then(|n| n.location.as_ref()), "LOCATION");
        out.push(
            Diagnostic::new(
                META.id,
                META.severity,
                purpose.span,
                format!(
                    "{} has purpose `{}`, but Aura needs a symmetric `ENCRYPT_DECRYPT` key",
                    common::key_label(key),
                    purpose.value
                ),
            )
            .with_help(format!(
                "a key's purpose cannot be changed: create a symmetric key (`gcloud kms keys create KEY --keyring {ring} --location {location} --purpose encryption`), grant Aura's service accounts their roles on it and give Aura its resource name"
            )),
        );
    }
}
