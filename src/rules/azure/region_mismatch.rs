//! `azure-region-mismatch`: a vault `location` other than the Aura instance's region. Also
//! reports the Azure side of `unknown-region`: a vault location, or an `[aura] region` with
//! `cloud = "azure"`, that no Azure catalogue knows (instead of a mismatch).

use super::{vault_arg, vault_label, via_note, views, with_via_label};
use crate::config::Cloud;
use crate::diagnostic::{Diagnostic, Severity};
use crate::region::azure as regions;
use crate::rules::shared::UNKNOWN_REGION_ID;
use crate::rules::{self, Context, Group, Rule, RuleMeta, Unit};

pub struct RegionMismatch;

pub static RULE: RegionMismatch = RegionMismatch;

static META: RuleMeta = RuleMeta {
    id: "azure-region-mismatch",
    group: Group::Azure,
    severity: Severity::Error,
    summary: "Key Vault `location` is not the Aura instance's region",
    docs: r#"## What it checks

That every Key Vault's `location` is the Aura instance's region (`[aura] region` in `cmklint.toml`). Names are compared after normalising, so the display name `West Europe` equals `westeurope`. A location that is an ARM expression cmklint cannot evaluate (`[resourceGroup().location]`, a parameter without a default) is not judged; a location no Azure catalogue knows is reported as `unknown-region` instead.

## Why it matters

Aura only accepts a key from a vault in the same region as the instance. A key in another region cannot be selected in the Aura Console, and a vault cannot be moved: the vault and key must be created again in the right region.

## Example

```toml
# cmklint.toml
[aura]
cloud = "azure"
region = "uksouth"
```

```json
{ "type": "Microsoft.KeyVault/vaults", "name": "kv-aura-prod", "location": "westeurope", "properties": { } }
```

## Use instead

```json
{ "type": "Microsoft.KeyVault/vaults", "name": "kv-aura-prod", "location": "uksouth", "properties": { } }
```

## Fix

Create the vault and key in the Aura instance's region (ARM `"location": "uksouth"`, CLI `az keyvault create --location uksouth …`), or correct `[aura] region` if the instance is elsewhere.

## References

- Aura documentation, Customer Managed Keys, "Create an Azure key vault" ("ensuring the region matches your Aura database instance region")
"#,
    fixable: false,
};

fn unknown_region_severity() -> Severity {
    rules::find(UNKNOWN_REGION_ID).map_or(Severity::Error, |r| r.meta().severity)
}

fn unknown_region_help(name: &str) -> String {
    let hint = match regions::suggest(name) {
        Some(s) => format!("did you mean `{s}`? "),
        None => String::new(),
    };
    format!(
        "{hint}Azure regions are written like `westeurope` or `West Europe` (`az account list-locations --query \"[].name\" -o tsv` lists them); cmklint's catalogue dates from {} and may miss a region opened since",
        regions::CATALOGUE_DATE
    )
}

impl Rule for RegionMismatch {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, cx: &Context, out: &mut Vec<Diagnostic>) {
        let config = unit.config;
        let views = views(unit);

        // The Aura region, when it is an Azure region cmklint can compare with.
        let mut aura_region: Option<String> = None;
        if let Some(region) = config.region() {
            let known = regions::is_known(region);
            match config.aura.cloud {
                Some(Cloud::Azure) if !known => {
                    if let (Some(source), Some(span)) = (&config.source, config.region_span()) {
                        out.push(
                            Diagnostic::new(
                                UNKNOWN_REGION_ID,
                                unknown_region_severity(),
                                span,
                                format!("`[aura] region` `{region}` is not an Azure region"),
                            )
                            .with_help(unknown_region_help(region))
                            .with_file(source.clone()),
                        );
                    }
                }
                Some(Cloud::Azure) | None if known => aura_region = Some(region.to_string()),
                _ => {}
            }
        }

        for view in views {
            for v in &view.model.vaults {
                let Some(location) = v.location.known() else {
                    continue;
                };
                let Some(at) = v.location.at() else {
                    continue;
                };
                if !regions::is_known(location) {
                    let d = Diagnostic::new(
                        UNKNOWN_REGION_ID,
                        unknown_region_severity(),
                        at.span,
                        format!(
                            "location `{location}` of {} is not an Azure region{}",
                            vault_label(&v.name),
                            via_note(Some(at))
                        ),
                    )
                    .with_help(unknown_region_help(location))
                    .with_file(view.doc.source.clone());
                    out.push(with_via_label(d, Some(at)));
                    continue;
                }
                let Some(region) = &aura_region else {
                    cx.skip(
                        META.id,
                        &view.doc.source.path,
                        "`[aura] region` is not set to an Azure region in cmklint.toml",
                    );
                    continue;
                };
                let (have, want) = (regions::normalize(location), regions::normalize(region));
                if have == want {
                    continue;
                }
                let shown = if have == location.as_str() {
                    format!("`{location}`")
                } else {
                    format!("`{location}` (`{have}`)")
                };
                let message = format!(
                    "{} is in {shown}{}, but the Aura instance is in `{want}`",
                    vault_label(&v.name),
                    via_note(Some(at))
                );
                let help = format!(
                    "Aura only uses a key from a vault in its own region, and a vault cannot be moved: create the vault and key in `{want}` (`\"location\": \"{want}\"`, or `az keyvault create --name {} --resource-group <group> --location {want}`), or correct `[aura] region` in cmklint.toml if the Aura instance is not in `{want}`",
                    vault_arg(&v.name)
                );
                let d = Diagnostic::new(META.id, META.severity, at.span, message)
                    .with_help(help)
                    .with_file(view.doc.source.clone());
                out.push(with_via_label(d, Some(at)));
            }
        }
    }
}
