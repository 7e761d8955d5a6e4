//! `gcp-resource-name-invalid`: a crypto key's or key ring's `name` is not a well-formed
//! Cloud KMS resource name. The problems themselves are found while extracting the model
//! (`document::gcp::parse_resource_name`); this rule reports them.

use crate::diagnostic::{Diagnostic, Severity};
use crate::document::gcp::GcpDoc;
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct ResourceNameInvalid;

static META: RuleMeta = RuleMeta {
    id: "gcp-resource-name-invalid",
    group: Group::Gcp,
    severity: Severity::Error,
    summary: "Malformed crypto key or key ring resource name",
    docs: r#"## What it checks

That the `name` of a crypto key is `projects/PROJECT_ID/locations/LOCATION/keyRings/KEY_RING/cryptoKeys/KEY` and that of a key ring `projects/PROJECT_ID/locations/LOCATION/keyRings/KEY_RING`: the collection words spelt as Cloud KMS spells them (`keyRings`, `cryptoKeys`, case-sensitive), no missing or empty parts, no trailing `/`, no `//cloudkms.googleapis.com/` prefix, a lower-case location, a project id of lower-case letters, digits and hyphens (or a project number), and key ring and key ids of 1 to 63 letters, digits, `_` or `-`.

## Why it matters

The key's resource name is what you paste into the Aura Console's *Encryption Key Resource Name* field. A name that is not exactly the one Cloud KMS uses does not identify the key, and Aura cannot find it.

## Example

```json
{
  "name": "projects/acme-prod/locations/europe-west2/keyrings/neo4j-aura/cryptoKeys/aura-cmk",
  "purpose": "ENCRYPT_DECRYPT"
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

Copy the name again from the console (the key's *More*, *Copy resource name*) or from `gcloud kms keys describe KEY --keyring KEY_RING --location LOCATION --format='value(name)'`.

## References

- https://cloud.google.com/kms/docs/resource-hierarchy
"#,
    fixable: false,
};

impl Rule for ResourceNameInvalid {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let name = match &doc.model {
            crate::document::Model::Gcp(GcpDoc::Key(k)) => k.name.as_ref(),
            crate::document::Model::Gcp(GcpDoc::KeyRing(r)) => r.name.as_ref(),
            _ => None,
        };
        let Some(problem) = name.and_then(|n| n.problem.as_ref()) else {
            return;
        };
        out.push(
            Diagnostic::new(
                META.id,
                META.severity,
                problem.span,
                problem.message.clone(),
            )
            .with_help(problem.help.clone()),
        );
    }
}
