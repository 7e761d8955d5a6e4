//! `aws-region-mismatch`: the key's ARN names another region than the Aura instance's
//! (`[aura] region`). A cross-document rule over each folder of the unit (DESIGN §4):
//! the key is the one in `describe-key` output, else a key ARN named by another document.
//!
//! This rule also reports the AWS side of `unknown-region`: a region no AWS catalogue
//! knows, in `[aura] region` (with `cloud = "aws"`) or in a key ARN. An unknown region is
//! never also a mismatch.

use std::collections::BTreeMap;
use std::path::Path;

use super::{inner_span, key_arns, ArnSource};
use crate::config::Cloud;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::{arn, Text};
use crate::document::Document;
use crate::region::aws as regions;
use crate::rules::shared::UNKNOWN_REGION_ID;
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct RegionMismatch;
pub static RULE: RegionMismatch = RegionMismatch;

static META: RuleMeta = RuleMeta {
    id: "aws-region-mismatch",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "The key's ARN region differs from `aura.region` (for an `mrk-` key, names the replica in that region)",
    docs: r#"## What it checks

With `[aura] region` set in `cmklint.toml`, that the key lives in the Aura instance's region: the region field of the key's ARN (`arn:aws:kms:REGION:…`) must equal it. The key is the one in `aws kms describe-key` output (`KeyMetadata.Arn`); without one, a key ARN named by another document in the same folder (the `KeyId` of rotation status output, a key policy `Resource`). For a multi-Region key (`mrk-…`) whose replica in the Aura region is listed in `MultiRegionConfiguration`, the help names that replica's ARN.

## Why it matters

Aura can only use a key in the same region as the instance. A single-Region key cannot be moved; a multi-Region key works through its replica in the instance's region, whose ARN differs only in the region field — giving Aura the primary's ARN from another region is a common slip.

## Example

```toml
[aura]
cloud = "aws"
region = "eu-west-1"
```

```json
{"KeyMetadata": {"Arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "…": "…"}}
```

## Use instead

```json
{"KeyMetadata": {"Arn": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "…": "…"}}
```

## References

- Neo4j Aura documentation, "Customer Managed Keys" (the key must be in the instance's region)
- AWS KMS Developer Guide, "Multi-Region keys in AWS KMS"
"#,
    fixable: false,
};

/// `unknown-region` severity (shared rule metadata).
fn unknown_region_severity() -> Severity {
    crate::rules::shared::UNKNOWN_REGION.0.severity
}

fn unknown_region_help(region: &str) -> String {
    match regions::suggest(region) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "use an AWS region name such as `eu-west-1`; cmklint's list of AWS regions dates from {} and may lack a region opened since",
            regions::AS_OF
        ),
    }
}

/// One key ARN occurrence in a folder.
struct Occurrence<'a> {
    source: ArnSource,
    text: &'a Text,
    doc: &'a Document,
    region: &'a str,
    region_range: std::ops::Range<usize>,
    key_id: &'a str,
}

impl Rule for RegionMismatch {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, cx: &Context, out: &mut Vec<Diagnostic>) {
        let config = unit.config;
        // `[aura] region` itself.
        let aura_region = config.region();
        let cloud = config.aura.cloud;
        let mut region_usable = aura_region.is_some();
        if let (Some(r), Some(Cloud::Aws)) = (aura_region, cloud) {
            if !regions::is_known(r) {
                region_usable = false;
                if let (Some(src), Some(span)) = (&config.source, config.region_span()) {
                    out.push(
                        Diagnostic::new(
                            UNKNOWN_REGION_ID,
                            unknown_region_severity(),
                            span,
                            format!("`[aura] region` `{r}` is not an AWS region"),
                        )
                        .with_help(unknown_region_help(r))
                        .with_file(src.clone())
                        .with_pointer("/aura/region"),
                    );
                }
            }
        }
        if let (Some(r), None) = (aura_region, cloud) {
            region_usable &= regions::is_known(r);
        }
        if matches!(cloud, Some(Cloud::Azure | Cloud::Gcp)) {
            region_usable = false;
        }

        // Every well-formed key ARN of the unit, grouped by folder.
        let mut by_folder: BTreeMap<Option<&Path>, Vec<Occurrence>> = BTreeMap::new();
        for doc in &unit.documents {
            for (source, text) in key_arns(doc) {
                let Ok(k) = arn::parse_key_arn(&text.value) else {
                    continue; // `aws-arn-invalid`
                };
                if !regions::is_known(k.region) {
                    out.push(
                        Diagnostic::new(
                            UNKNOWN_REGION_ID,
                            unknown_region_severity(),
                            inner_span(text, k.region_range.clone()),
                            format!("key ARN region `{}` is not an AWS region", k.region),
                        )
                        .with_help(unknown_region_help(k.region))
                        .with_file(doc.source.clone()),
                    );
                    continue;
                }
                by_folder
                    .entry(doc.source.path.parent())
                    .or_default()
                    .push(Occurrence {
                        source,
                        text,
                        doc,
                        region: k.region,
                        region_range: k.region_range,
                        key_id: k.key_id,
                    });
            }
        }

        let Some(wanted) = aura_region.filter(|_| region_usable) else {
            if !by_folder.is_empty() {
                let why = match (aura_region, cloud) {
                    (None, _) => "`[aura] region` is not set in cmklint.toml",
                    (Some(_), Some(Cloud::Azure | Cloud::Gcp)) => "`[aura] cloud` is not \"aws\"",
                    _ => "`[aura] region` is not a known AWS region",
                };
                for doc in &unit.documents {
                    if !key_arns(doc).is_empty() {
                        cx.skip(META.id, &doc.source.path, why);
                    }
                }
            }
            return;
        };

        for occurrences in by_folder.values() {
            // The key(s) of this folder: each key id once, from its best source.
            let mut keys: BTreeMap<&str, &Occurrence> = BTreeMap::new();
            for o in occurrences
                .iter()
                .filter(|o| o.source != ArnSource::MultiRegionRelated)
            {
                keys.entry(o.key_id)
                    .and_modify(|best| {
                        if o.source < best.source {
                            *best = o;
                        }
                    })
                    .or_insert(o);
            }
            for o in keys.values() {
                if o.region == wanted {
                    continue;
                }
                let help = if o.key_id.starts_with("mrk-") {
                    let replica = occurrences
                        .iter()
                        .find(|r| r.key_id == o.key_id && r.region == wanted);
                    match replica {
                        Some(r) => format!(
                            "this multi-Region key has a replica in `{wanted}`: give Aura the replica's ARN `{}`",
                            r.text.value
                        ),
                        None => format!(
                            "this is a multi-Region key: create a replica in `{wanted}` with `aws kms replicate-key --key-id {} --replica-region {wanted}` and give Aura the replica's ARN",
                            o.text.value
                        ),
                    }
                } else {
                    format!(
                        "a KMS key cannot move between regions: create a symmetric key in `{wanted}` (`aws kms create-key --region {wanted}`) and give Aura its ARN, or correct `[aura] region` if the instance is elsewhere"
                    )
                };
                let what = match o.source {
                    ArnSource::KeyMetadata => "key",
                    ArnSource::RotationStatus => "key of this rotation status",
                    _ => "key named here",
                };
                out.push(
                    Diagnostic::new(
                        META.id,
                        META.severity,
                        inner_span(o.text, o.region_range.clone()),
                        format!(
                            "{what} is in `{}` but the Aura instance is in `{wanted}`",
                            o.region
                        ),
                    )
                    .with_help(help)
                    .with_file(o.doc.source.clone()),
                );
            }
        }
    }
}
