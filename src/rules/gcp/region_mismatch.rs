//! `gcp-region-mismatch`: the key ring is in a region other than `[aura] region`.
//!
//! Only a region is compared: a multi-region is `gcp-location-not-regional`, an unknown
//! location or an unknown `[aura] region` is `unknown-region` (emitted here too, so that
//! it is reported whichever of the location rules is enabled; the engine drops
//! duplicates).

use super::common::{self, AuraRegion};
use crate::diagnostic::{Diagnostic, Severity};
use crate::region::gcp::{self as catalogue, LocationKind};
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct RegionMismatch;

static META: RuleMeta = RuleMeta {
    id: "gcp-region-mismatch",
    group: Group::Gcp,
    severity: Severity::Error,
    summary: "Key ring location differs from `[aura] region`",
    docs: r#"## What it checks

That the region in the key ring's resource name (from `gcloud kms keyrings describe` or `gcloud kms keys describe`) is `[aura] region`, the region of the Aura instance. Needs `[aura] region`; skipped without it, or when `[aura] cloud` names another cloud.

## Why it matters

Aura only offers keys in the instance's own region: a key in another region cannot be chosen when the instance is created, and a key ring's location cannot be changed afterwards.

## Example

```toml
[aura]
cloud = "gcp"
region = "europe-west2"
```

```json
{
  "name": "projects/acme-prod/locations/europe-west1/keyRings/neo4j-aura/cryptoKeys/aura-cmk",
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

`gcloud kms keyrings create KEY_RING --location europe-west2`, create the key in it, grant Aura's service accounts their roles and give Aura the new key's resource name.

## References

- https://cloud.google.com/kms/docs/locations
- Aura documentation, Customer Managed Keys
"#,
    fixable: false,
};

impl Rule for RegionMismatch {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, cx: &Context, out: &mut Vec<Diagnostic>) {
        common::unknown_regions(unit, out);
        let folders = common::folders(unit);
        let wanted = match common::aura_region(unit.config) {
            AuraRegion::Region(r) => r,
            other => {
                let why = match other {
                    AuraRegion::NotSet => "`[aura] region` is not set",
                    AuraRegion::OtherCloud => "`[aura] cloud` names another cloud",
                    _ => "`[aura] region` is not a Google Cloud region",
                };
                for folder in &folders {
                    for (doc, _) in folder.location_sites() {
                        cx.skip(META.id, &doc.source.path, why);
                    }
                }
                return;
            }
        };
        for folder in &folders {
            for (doc, name) in folder.location_sites() {
                let Some(loc) = name.judgeable_location() else {
                    continue;
                };
                if catalogue::location_kind(&loc.text) != LocationKind::Region || loc.text == wanted
                {
                    continue;
                }
                let ring = name.key_ring.as_ref().map_or_else(
                    || "the key ring".to_string(),
                    |r| format!("key ring `{}`", r.text),
                );
                let ring_id = name
                    .key_ring
                    .as_ref()
                    .map_or("KEY_RING", |r| r.text.as_str());
                let message = format!(
                    "{ring} is in `{}`, not in the Aura instance's region `{wanted}`",
                    loc.text
                );
                let help = format!(
                    "a key ring cannot be moved: create one in `{wanted}` (`gcloud kms keyrings create {ring_id} --location {wanted}`), create the key in it, grant Aura's service accounts their roles and give Aura the new key's resource name; or, if the instance is in `{}`, correct `[aura] region` in `cmklint.toml`",
                    loc.text
                );
                out.push(
                    Diagnostic::new(META.id, META.severity, loc.span, message)
                        .with_help(help)
                        .with_file(doc.source.clone()),
                );
            }
        }
    }
}
