//! `azure-firewall-bypass-missing`: a vault that blocks public access without letting
//! trusted Microsoft services through.

use super::{vault_arg, vault_label, via_inline, views, with_via_label};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::azure::{Field, Vault};
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct FirewallBypassMissing;

pub static RULE: FirewallBypassMissing = FirewallBypassMissing;

static META: RuleMeta = RuleMeta {
    id: "azure-firewall-bypass-missing",
    group: Group::Azure,
    severity: Severity::Error,
    summary: "Key Vault blocks public access without `bypass: AzureServices` for trusted Microsoft services",
    docs: r#"## What it checks

A Key Vault whose public access is restricted — `publicNetworkAccess` is `Disabled`, or the firewall's `networkAcls.defaultAction` is `Deny` — must keep `networkAcls.bypass` at `AzureServices`. An absent `bypass` is `AzureServices` (the API default); an explicit `None` is reported. Values from ARM expressions cmklint cannot evaluate are not judged.

## Why it matters

Aura reaches the key as a trusted Microsoft service. With public access disabled, or limited to selected networks, the Aura documentation asks to tick "Allow trusted Microsoft services to bypass this firewall"; without it Aura cannot reach the key and the instance cannot start or becomes unavailable.

## Example

```json
"properties": {
  "publicNetworkAccess": "Enabled",
  "networkAcls": {
    "defaultAction": "Deny",
    "bypass": "None",
    "ipRules": [{ "value": "203.0.113.0/24" }]
  }
}
```

## Use instead

```json
"properties": {
  "publicNetworkAccess": "Enabled",
  "networkAcls": {
    "defaultAction": "Deny",
    "bypass": "AzureServices",
    "ipRules": [{ "value": "203.0.113.0/24" }]
  }
}
```

## Fix

ARM: `"networkAcls": { "bypass": "AzureServices", … }`. CLI: `az keyvault update --name <vault> --bypass AzureServices`. Portal: the key vault > Networking > Firewalls and virtual networks > Exception > Allow trusted Microsoft services to bypass this firewall.

## References

- Aura documentation, Customer Managed Keys, "Create an Azure key vault" (Networking)
- Microsoft Learn, "Configure Azure Key Vault networking settings"
"#,
    fixable: false,
};

/// Why public access is restricted, if it is known to be.
fn restriction(v: &Vault) -> Option<String> {
    if let Field::Known(pna, at) = &v.public_network_access {
        if pna.eq_ignore_ascii_case("disabled") {
            return Some(format!(
                "blocks public network access (`publicNetworkAccess` is `{pna}`{})",
                via_inline(Some(at))
            ));
        }
    }
    if let Field::Known(da, at) = &v.default_action {
        if da.eq_ignore_ascii_case("deny") {
            return Some(format!(
                "denies network access by default (`defaultAction` is `{da}`{})",
                via_inline(Some(at))
            ));
        }
    }
    None
}

impl Rule for FirewallBypassMissing {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, _cx: &Context, out: &mut Vec<Diagnostic>) {
        for view in views(unit) {
            for v in &view.model.vaults {
                let Field::Known(bypass, at) = &v.bypass else {
                    continue; // absent means AzureServices; unknown is not judged
                };
                if bypass
                    .split(',')
                    .any(|b| b.trim().eq_ignore_ascii_case("AzureServices"))
                {
                    continue;
                }
                let Some(why) = restriction(v) else {
                    continue;
                };
                let message = format!(
                    "{} {why} without letting trusted Microsoft services bypass its firewall (`bypass` is `{bypass}`{})",
                    vault_label(&v.name),
                    via_inline(Some(at)),
                );
                let help = format!(
                    "set `\"bypass\": \"AzureServices\"` in the vault's `networkAcls` so that Aura can reach the key; for an existing vault run `az keyvault update --name {} --bypass AzureServices`, or in the portal open the key vault > Networking > Firewalls and virtual networks > Exception > Allow trusted Microsoft services to bypass this firewall",
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
