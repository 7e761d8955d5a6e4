//! `azure-key-type`: a key that is not RSA (or RSA-HSM) of 2048, 3072 or 4096 bits.

use super::{vault_arg, via_note, views, with_via_label};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::azure::{Field, Key};
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct KeyType;

pub static RULE: KeyType = KeyType;

static META: RuleMeta = RuleMeta {
    id: "azure-key-type",
    group: Group::Azure,
    severity: Severity::Error,
    summary: "Key is not RSA / RSA-HSM of 2048, 3072 or 4096 bits",
    docs: r#"## What it checks

That every Key Vault key (an ARM `Microsoft.KeyVault/vaults/keys` resource, or `az keyvault key show` output) has `kty` `RSA` or `RSA-HSM`, and a size of 2048, 3072 or 4096 bits: `keySize` in ARM (absent means 2048, the Key Vault default), or the bit length of the JWK modulus `n` in CLI output.

## Why it matters

Aura supports only RSA keys of 2048, 3072 or 4096 bits for Azure. An elliptic-curve key, or an RSA key of another size, cannot be used as the instance's Customer Managed Key, and a key's type and size cannot be changed after it is created.

## Example

```json
{
  "type": "Microsoft.KeyVault/vaults/keys",
  "apiVersion": "2023-07-01",
  "name": "kv-aura-prod/aura-cmk",
  "properties": { "kty": "EC", "curveName": "P-256" }
}
```

## Use instead

```json
{
  "type": "Microsoft.KeyVault/vaults/keys",
  "apiVersion": "2023-07-01",
  "name": "kv-aura-prod/aura-cmk",
  "properties": { "kty": "RSA", "keySize": 3072, "keyOps": ["wrapKey", "unwrapKey"] }
}
```

## Fix

Create a new key: ARM `"kty": "RSA", "keySize": 3072`; CLI `az keyvault key create --vault-name <vault> --name <key> --kty RSA --size 3072`; portal: the key vault > Keys > Generate/Import > Key type RSA, RSA key size 2048, 3072 or 4096.

## References

- Aura documentation, Customer Managed Keys (key requirements: Azure RSA 2048, 3072 or 4096)
- Microsoft Learn, "About keys" (key types and sizes)
"#,
    fixable: false,
};

const SIZES: [u32; 3] = [2048, 3072, 4096];

fn key_label(k: &Key) -> String {
    match (k.name.known(), k.vault.known()) {
        (Some(n), Some(v)) => format!("key `{n}` in key vault `{v}`"),
        (Some(n), None) => format!("key `{n}`"),
        _ => "the key".to_string(),
    }
}

fn help(k: &Key) -> String {
    format!(
        "Aura needs an RSA key of 2048, 3072 or 4096 bits, and a key's type cannot be changed: create a new key (`\"kty\": \"RSA\", \"keySize\": 3072` in ARM, or `az keyvault key create --vault-name {} --name {} --kty RSA --size 3072`, or in the portal Keys > Generate/Import > RSA) and give Aura its key identifier",
        vault_arg(&k.vault),
        k.name.known().map_or("<key-name>", String::as_str)
    )
}

impl Rule for KeyType {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, _cx: &Context, out: &mut Vec<Diagnostic>) {
        for view in views(unit) {
            for k in &view.model.keys {
                let file = view.doc.source.clone();
                if let Field::Known(kty, at) = &k.kty {
                    let t = kty.to_ascii_uppercase();
                    if t != "RSA" && t != "RSA-HSM" {
                        let d = Diagnostic::new(
                            META.id,
                            META.severity,
                            at.span,
                            format!(
                                "{} is of type `{kty}`{}, not an RSA key",
                                key_label(k),
                                via_note(Some(at))
                            ),
                        )
                        .with_help(help(k))
                        .with_file(file);
                        out.push(with_via_label(d, Some(at)));
                        continue;
                    }
                }
                if let Field::Known(size, at) = &k.key_size {
                    if !SIZES.contains(size) {
                        let d = Diagnostic::new(
                            META.id,
                            META.severity,
                            at.span,
                            format!(
                                "{} is {size} bits long{}, not 2048, 3072 or 4096",
                                key_label(k),
                                via_note(Some(at))
                            ),
                        )
                        .with_help(help(k))
                        .with_file(file);
                        out.push(with_via_label(d, Some(at)));
                        continue;
                    }
                }
                if let Some((bits, span)) = k.modulus_bits {
                    if !SIZES.contains(&bits) {
                        out.push(
                            Diagnostic::new(
                                META.id,
                                META.severity,
                                span,
                                format!(
                                    "{} has a {bits}-bit RSA modulus, not 2048, 3072 or 4096 bits",
                                    key_label(k)
                                ),
                            )
                            .with_help(help(k))
                            .with_file(file),
                        );
                    }
                }
            }
        }
    }
}
