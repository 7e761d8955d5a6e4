//! `azure-soft-delete-disabled`: a vault with `enableSoftDelete` explicitly false.

use super::{check_flag, FlagCheck};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct SoftDeleteDisabled;

pub static RULE: SoftDeleteDisabled = SoftDeleteDisabled;

static META: RuleMeta = RuleMeta {
    id: "azure-soft-delete-disabled",
    group: Group::Azure,
    severity: Severity::Error,
    summary: "Key Vault soft delete is disabled (`enableSoftDelete` false)",
    docs: r#"## What it checks

That no Key Vault sets `properties.enableSoftDelete` to `false`. Absent or `null` means on (the API default), so only an explicit `false` is reported.

## Why it matters

Soft delete keeps a deleted key recoverable during its retention period, and purge protection (which Aura asks for) only works on top of it. A key deleted from a vault without soft delete is gone at once, and with it every Aura instance encrypted with it.

## Example

```json
"properties": {
  "sku": { "family": "A", "name": "standard" },
  "tenantId": "[subscription().tenantId]",
  "enableSoftDelete": false
}
```

## Use instead

```json
"properties": {
  "sku": { "family": "A", "name": "standard" },
  "tenantId": "[subscription().tenantId]",
  "enableSoftDelete": true,
  "softDeleteRetentionInDays": 90,
  "enablePurgeProtection": true
}
```

## Fix

ARM: remove `"enableSoftDelete": false` or set it to `true`. CLI: `az keyvault update --name <vault> --enable-soft-delete true`. Once on, soft delete cannot be turned off.

## References

- Microsoft Learn, "Azure Key Vault soft-delete overview"
"#,
    fixable: false,
};

static CHECK: FlagCheck = FlagCheck {
    meta: &META,
    property: "enableSoftDelete",
    field: |v| &v.enable_soft_delete,
    default_on: |_| true,
    only_explicit_false: true,
    what: "soft delete",
    help: |vault| {
        format!(
            "remove `\"enableSoftDelete\": false` from the vault's `properties` or set it to true; for an existing vault run `az keyvault update --name {vault} --enable-soft-delete true` (purge protection needs soft delete)"
        )
    },
};

impl Rule for SoftDeleteDisabled {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, _cx: &Context, out: &mut Vec<Diagnostic>) {
        check_flag(&CHECK, unit, out);
    }
}
