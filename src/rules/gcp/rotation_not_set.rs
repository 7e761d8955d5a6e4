//! `gcp-rotation-not-set`: the crypto key has no automatic rotation: no `rotationPeriod`,
//! or one Cloud KMS would not accept (not a duration in seconds, under 24 hours, over
//! 876,000 hours), which leaves the key without one.
//!
//! Only `ENCRYPT_DECRYPT` keys rotate automatically; a key with another purpose is
//! `gcp-key-purpose` and is not judged here.

use super::common;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct RotationNotSet;

/// Cloud KMS accepts rotation periods from 24 hours to 876,000 hours (REST `CryptoKey`).
const MIN_SECONDS: f64 = 24.0 * 3_600.0;
const MAX_SECONDS: f64 = 876_000.0 * 3_600.0;

static META: RuleMeta = RuleMeta {
    id: "gcp-rotation-not-set",
    group: Group::Gcp,
    severity: Severity::Warning,
    summary: "Crypto key without a `rotationPeriod`",
    docs: r#"## What it checks

That the crypto key (`gcloud kms keys describe --format=json`) has a `rotationPeriod` Cloud KMS accepts: a duration in seconds (`"7776000s"`, 90 days) between 24 hours and 876,000 hours. A period that is missing, not a duration in seconds, or out of that range is reported; messages give it in days.

## Why it matters

Aura does not enforce rotation, but its documentation recommends automatic rotation: setting a rotation period is the one default the Aura guide asks you to change when creating the key. Manual rotation is not recommended for CMKs. Without a rotation period the key material is never renewed.

## Example

```json
{
  "name": "projects/acme-prod/locations/europe-west2/keyRings/neo4j-aura/cryptoKeys/aura-cmk",
  "purpose": "ENCRYPT_DECRYPT"
}
```

## Use instead

```json
{
  "name": "projects/acme-prod/locations/europe-west2/keyRings/neo4j-aura/cryptoKeys/aura-cmk",
  "nextRotationTime": "2024-06-10T09:41:27Z",
  "purpose": "ENCRYPT_DECRYPT",
  "rotationPeriod": "7776000s"
}
```

## Fix

`gcloud kms keys update KEY --keyring KEY_RING --location LOCATION --rotation-period 90d --next-rotation-time 2024-06-10T09:00:00Z`

## References

- https://cloud.google.com/kms/docs/key-rotation
- https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys
"#,
    fixable: false,
};

impl Rule for RotationNotSet {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(key) = common::key(doc) else {
            return;
        };
        if key
            .purpose
            .as_ref()
            .is_some_and(|p| p.value != "ENCRYPT_DECRYPT")
        {
            return; // only ENCRYPT_DECRYPT keys rotate; gcp-key-purpose reports the key
        }
        let label = common::key_label(key);
        let command = {
            let n = key.name.as_ref();
            let part = |s: Option<&crate::document::gcp::Segment>, dflt: &'static str| {
                s.map_or(dflt.to_string(), |s| s.text.clone())
            };
            format!(
                "gcloud kms keys update {} --keyring {} --location {} --rotation-period 90d --next-rotation-time NEXT_TIME",
                part(n.and_then(|n| n.crypto_key.as_ref()), "KEY"),
                part(n.and_then(|n| n.key_ring.as_ref()), "KEY_RING"),
                part(n.and_then(|n| n.location.as_ref()), "LOCATION"),
            )
        };
        let Some(period) = &key.rotation_period else {
            if let Some(span) = key.rotation_period_other {
                out.push(
                    Diagnostic::new(
                        META.id,
                        META.severity,
                        span,
                        format!("`rotationPeriod` of {label} is not a string such as `\"7776000s\"`"),
                    )
                    .with_help(format!("write the period as a string of seconds, `\"7776000s\"` for 90 days, or run `{command}`")),
                );
                return;
            }
            if common::is_broken(doc) {
                cx.skip(META.id, &doc.source.path, "the file has syntax errors");
                return;
            }
            out.push(
                Diagnostic::new(
                    META.id,
                    META.severity,
                    common::key_anchor(key),
                    format!("{label} has no `rotationPeriod`, so its key material is never rotated automatically"),
                )
                .with_help(format!("set a rotation period (90 days is common): `{command}`, or in the console: the key, *Edit rotation period*")),
            );
            return;
        };
        let text = &period.value;
        let message = match common::parse_duration(text) {
            None => format!(
                "`rotationPeriod` `{text}` of {label} is not a duration in seconds such as `7776000s`"
            ),
            Some(s) if s < MIN_SECONDS => format!(
                "`rotationPeriod` `{text}` ({}) of {label} is shorter than the 24 hours Cloud KMS accepts",
                common::describe_seconds(s)
            ),
            Some(s) if s > MAX_SECONDS => format!(
                "`rotationPeriod` `{text}` ({}) of {label} is longer than the 876,000 hours (36,500 days) Cloud KMS accepts",
                common::describe_seconds(s)
            ),
            Some(_) => return,
        };
        out.push(
            Diagnostic::new(META.id, META.severity, period.span, message).with_help(format!(
                "Cloud KMS rejects this period, so the key is left without rotation; write a period between `86400s` (1 day) and `3153600000s` (36,500 days), such as `\"7776000s\"` (90 days), or run `{command}`"
            )),
        );
    }
}
