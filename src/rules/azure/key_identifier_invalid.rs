//! `azure-key-identifier-invalid`: a key identifier that is not
//! `https://VAULT.vault.azure.net/keys/NAME/VERSION`.

use super::views;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::azure::{parse_key_identifier, KeyIdProblem, VAULT_DNS_SUFFIXES};
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct KeyIdentifierInvalid;

pub static RULE: KeyIdentifierInvalid = KeyIdentifierInvalid;

static META: RuleMeta = RuleMeta {
    id: "azure-key-identifier-invalid",
    group: Group::Azure,
    severity: Severity::Error,
    summary:
        "Key identifier is not `https://VAULT.vault.azure.net/keys/NAME/VERSION`, or has no version",
    docs: r#"## What it checks

That a key identifier — `key.kid` in `az keyvault key show` output, `keyUriWithVersion` of a key resource — has the form `https://VAULT.vault.azure.net/keys/NAME/VERSION`: HTTPS, a Key Vault host (`vault.azure.net`, or the sovereign clouds' `vault.azure.cn`, `vault.usgovcloudapi.net`, `vault.microsoftazure.de`), the `keys` collection, a key name, and the 32-character version, with nothing after it.

## Why it matters

The Aura Console asks for the Key Identifier of a key *version* (the portal shows it after you click into the key version). A base identifier without its version, a secret's identifier, or a Managed HSM key is not what Aura takes, and the key cannot be added.

## Example

```json
{ "key": { "kid": "https://kv-aura-prod.vault.azure.net/keys/aura-cmk", "kty": "RSA" } }
```

## Use instead

```json
{ "key": { "kid": "https://kv-aura-prod.vault.azure.net/keys/aura-cmk/4f1c5a0e9b7d4c2a8e6f3b1d0c9a8e7f", "kty": "RSA" } }
```

## Fix

Copy the identifier of the current key version: portal: the key vault > Keys > the key > the current version > Key Identifier; CLI: `az keyvault key show --vault-name <vault> --name <key> --query key.kid -o tsv`.

## References

- Microsoft Learn, "About keys, secrets, and certificates" (object identifiers)
- Aura documentation, Customer Managed Keys, "Create a key"
"#,
    fixable: false,
};

fn problem_text(id: &str, p: &KeyIdProblem) -> String {
    match p {
        KeyIdProblem::NotHttps => format!("key identifier `{id}` is not an `https://` URL"),
        KeyIdProblem::Host(h) if h.to_ascii_lowercase().contains(".managedhsm.") => {
            format!("key identifier `{id}` names a Managed HSM (`{h}`), not a key vault")
        }
        KeyIdProblem::Host(h) => {
            format!("key identifier `{id}` has host `{h}`, which is not a Key Vault host")
        }
        KeyIdProblem::VaultName(v) => {
            format!("key identifier `{id}` has vault name `{v}`, which is not 3-24 letters, digits and hyphens")
        }
        KeyIdProblem::NotAKey(c) if c.is_empty() => {
            format!("key identifier `{id}` names no key (`/keys/NAME/VERSION` is missing)")
        }
        KeyIdProblem::NotAKey(c) => {
            format!("key identifier `{id}` points into `/{c}/`, not to a key")
        }
        KeyIdProblem::KeyName(n) => {
            format!("key identifier `{id}` has key name `{n}`, which is not 1-127 letters, digits and hyphens")
        }
        KeyIdProblem::NoVersion => {
            format!("key identifier `{id}` has no version")
        }
        KeyIdProblem::Version(v) => {
            format!(
                "key identifier `{id}` has version `{v}`, which is not 32 hexadecimal characters"
            )
        }
        KeyIdProblem::Trailing(t) => {
            format!("key identifier `{id}` has `{t}` after the version")
        }
    }
}

impl Rule for KeyIdentifierInvalid {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, _cx: &Context, out: &mut Vec<Diagnostic>) {
        for view in views(unit) {
            for k in &view.model.keys {
                let Some((id, span)) = &k.identifier else {
                    continue;
                };
                let Err(problem) = parse_key_identifier(id) else {
                    continue;
                };
                let vault = k.vault.known().map_or("<vault-name>", String::as_str);
                let key = k.name.known().map_or("<key-name>", String::as_str);
                let help = match problem {
                    KeyIdProblem::Host(_) | KeyIdProblem::NotHttps => format!(
                        "Aura takes a key from Azure Key Vault: create an RSA key in a key vault and give Aura the identifier of its current version, `https://<vault>.{}/keys/<key>/<version>` (`az keyvault key show --vault-name <vault> --name {key} --query key.kid -o tsv`)",
                        VAULT_DNS_SUFFIXES[0]
                    ),
                    _ => format!(
                        "Aura takes the identifier of a key version, `https://<vault>.{}/keys/<key>/<version>`: in the portal open the key > its current version > Key Identifier, or run `az keyvault key show --vault-name {vault} --name {key} --query key.kid -o tsv`",
                        VAULT_DNS_SUFFIXES[0]
                    ),
                };
                out.push(
                    Diagnostic::new(META.id, META.severity, *span, problem_text(id, &problem))
                        .with_help(help)
                        .with_file(view.doc.source.clone()),
                );
            }
        }
    }
}
