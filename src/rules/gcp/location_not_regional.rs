//! `gcp-location-not-regional`: the key ring is in `global`, a multi-region (`us`,
//! `europe`, `asia`, `ca`) or a named multi-/dual-region (`nam4`, `eur4`, `asia1`, …).
//!
//! Judged once per key: at the key ring's document when it sits beside the key, else at
//! the key's name. An unknown location is `unknown-region` (also emitted here, so that it
//! is reported whichever of the location rules is enabled; the engine drops duplicates).

use super::common::{self, AuraRegion};
use crate::diagnostic::{Diagnostic, Severity};
use crate::region::gcp::{self as catalogue, LocationKind};
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct LocationNotRegional;

static META: RuleMeta = RuleMeta {
    id: "gcp-location-not-regional",
    group: Group::Gcp,
    severity: Severity::Error,
    summary: "Key ring location `global`, a multi-region (`us`, `europe`, `asia`…) or dual-region (`nam4`, `eur4`…)",
    docs: r#"## What it checks

The location in the key ring's resource name (`projects/P/locations/LOCATION/keyRings/R`, from `gcloud kms keyrings describe` or `gcloud kms keys describe`): it must be a single region. `global`, the multi-regions `us`, `europe`, `asia`, `ca` and the named multi- and dual-regions `nam3`…`nam12`, `eur3`…`eur8`, `asia1` are reported. When `[aura] region` is set the message names the region the key ring must be in.

## Why it matters

Aura requires the key in the region of the instance: the key ring's location type must be *Region*. A key in a multi-region cannot be selected for the instance. The location of a key ring cannot be changed after creation, so the fix is a new key ring and key.

## Example

```json
{
  "createTime": "2024-03-12T09:38:02.514207Z",
  "name": "projects/acme-prod/locations/global/keyRings/neo4j-aura"
}
```

## Use instead

```json
{
  "createTime": "2024-03-12T09:38:02.514207Z",
  "name": "projects/acme-prod/locations/europe-west2/keyRings/neo4j-aura"
}
```

## Fix

`gcloud kms keyrings create KEY_RING --location REGION`, then `gcloud kms keys create KEY --keyring KEY_RING --location REGION --purpose encryption`, grant the roles again and give Aura the new key's resource name.

## References

- https://cloud.google.com/kms/docs/locations
- Aura documentation, Customer Managed Keys, "Create a key ring"
"#,
    fixable: false,
};

impl Rule for LocationNotRegional {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, _cx: &Context, out: &mut Vec<Diagnostic>) {
        common::unknown_regions(unit, out);
        let needed = match common::aura_region(unit.config) {
            AuraRegion::Region(r) => Some(r),
            _ => None,
        };
        for folder in common::folders(unit) {
            for (doc, name) in folder.location_sites() {
                let Some(loc) = name.judgeable_location() else {
                    continue;
                };
                let what = match catalogue::location_kind(&loc.text) {
                    LocationKind::Region | LocationKind::Unknown => continue,
                    LocationKind::Global => "is `global`, not a region".to_string(),
                    LocationKind::MultiRegion(Some(spans)) => {
                        format!("is `{}`, a multi-region ({spans})", loc.text)
                    }
                    LocationKind::MultiRegion(None) => {
                        format!("is `{}`, a multi-region", loc.text)
                    }
                };
                let ring = name.key_ring.as_ref().map_or_else(
                    || "the key ring".to_string(),
                    |r| format!("key ring `{}`", r.text),
                );
                let message = match needed {
                    Some(r) => format!(
                        "location of {ring} {what}; Aura needs the key ring in its instance's region `{r}`"
                    ),
                    None => format!(
                        "location of {ring} {what}; Aura needs the key ring in the single region of its instance"
                    ),
                };
                let region = needed.unwrap_or("REGION");
                let ring_id = name
                    .key_ring
                    .as_ref()
                    .map_or("KEY_RING", |r| r.text.as_str());
                let mut help = format!(
                    "a key ring cannot be moved: create one in the instance's region (`gcloud kms keyrings create {ring_id} --location {region}`), create the key in it, grant Aura's service accounts their roles again and give Aura the new key's resource name"
                );
                if needed.is_none() {
                    help.push_str("; set `[aura] region` in `cmklint.toml` so that cmklint can check the region too");
                }
                out.push(
                    Diagnostic::new(META.id, META.severity, loc.span, message)
                        .with_help(help)
                        .with_file(doc.source.clone()),
                );
            }
        }
    }
}
