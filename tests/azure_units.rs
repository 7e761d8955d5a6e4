//! Azure documents joined across files (DESIGN §4): parameters files beside templates,
//! role assignments matched to vaults by scope within a unit and never across units, and
//! findings reported only for the files named on the command line.

use std::path::{Path, PathBuf};

use cmklint::diagnostic::Diagnostic;
use cmklint::engine::{self, Options};

const AURA_OBJ: &str = "9a0c7e51-4b2d-4f6a-8e3c-1d2b3a4c5d6e";
const CO: &str = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
const SUB: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";

fn config() -> String {
    format!("[aura]\ncloud = \"azure\"\nregion = \"uksouth\"\n[aura.azure]\nprincipal_id = \"{AURA_OBJ}\"\n")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    p
}

fn run(paths: Vec<PathBuf>) -> Vec<Diagnostic> {
    engine::run(&Options {
        paths,
        ..Options::default()
    })
    .diagnostics
}

fn rules(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.rule).collect()
}

fn vault(name: &str, rg: &str) -> String {
    format!(
        r#"{{
  "id": "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{name}",
  "location": "uksouth",
  "name": "{name}",
  "properties": {{
    "enablePurgeProtection": true,
    "enableRbacAuthorization": true,
    "enableSoftDelete": true,
    "enabledForDiskEncryption": true,
    "publicNetworkAccess": "Enabled",
    "tenantId": "8a4c2e1f-6b3d-4f7a-9c0e-5d1b2a3c4e6f"
  }},
  "resourceGroup": "{rg}",
  "type": "Microsoft.KeyVault/vaults"
}}"#
    )
}

fn assignments(principal: &str, role: &str, scope: &str) -> String {
    format!(
        r#"[
  {{
    "principalId": "{principal}",
    "principalType": "ServicePrincipal",
    "roleDefinitionId": "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
    "scope": "{scope}"
  }}
]"#
    )
}

fn template(purge: &str) -> String {
    format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{
    "purge": {{ "type": "bool", "defaultValue": true }}
  }},
  "resources": [
    {{
      "type": "Microsoft.KeyVault/vaults",
      "apiVersion": "2023-07-01",
      "name": "kv-aura-prod",
      "location": "[resourceGroup().location]",
      "properties": {{
        "tenantId": "[subscription().tenantId]",
        "sku": {{ "family": "A", "name": "standard" }},
        "enablePurgeProtection": {purge},
        "enableRbacAuthorization": true,
        "enabledForDiskEncryption": true
      }}
    }}
  ]
}}"#
    )
}

fn parameters(purge: &str) -> String {
    format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{ "purge": {{ "value": {purge} }} }}
}}"#
    )
}

#[test]
fn parameters_files_resolve_and_disagreeing_ones_are_unknown() {
    let dir = tempfile::Builder::new()
        .prefix("cmklint-azure")
        .tempdir()
        .unwrap_or_else(|e| panic!("tempdir: {e}"));
    let d = dir.path();
    write(
        d,
        "azuredeploy.json",
        &template("\"[parameters('purge')]\""),
    );
    write(d, "azuredeploy.parameters.json", &parameters("false"));
    let found = run(vec![d.to_path_buf()]);
    assert_eq!(rules(&found), vec!["azure-purge-protection-disabled"]);
    assert!(found[0].message.contains("azuredeploy.parameters.json"));

    // A second environment's file that sets it to true: the deployed value is unknown.
    write(d, "azuredeploy.parameters.prod.json", &parameters("true"));
    assert!(run(vec![d.to_path_buf()]).is_empty());

    // The parameters file alone, named on the command line, produces nothing.
    assert!(run(vec![d.join("azuredeploy.parameters.json")]).is_empty());
}

#[test]
fn a_named_cli_file_is_joined_with_the_rest_of_its_unit() {
    let dir = tempfile::Builder::new()
        .prefix("cmklint-azure")
        .tempdir()
        .unwrap_or_else(|e| panic!("tempdir: {e}"));
    let d = dir.path();
    write(d, "cmklint.toml", &config());
    let v = write(d, "vault/keyvault.json", &vault("kv-aura-prod", "rg-aura"));
    let scope = format!("/subscriptions/{SUB}/resourceGroups/rg-aura/providers/Microsoft.KeyVault/vaults/kv-aura-prod");
    let r = write(
        d,
        "access/role-assignments.json",
        &assignments("someone-else", CO, &scope),
    );
    // Only the vault is named (a pre-commit hook); the assignments are read as context.
    let found = run(vec![v.clone()]);
    assert_eq!(rules(&found), vec!["azure-crypto-officer-missing"]);
    // Naming only the assignments reports nothing: the finding belongs to the vault.
    assert!(run(vec![r.clone()]).is_empty());
    // With Aura's assignment in another file of the same unit, the vault is covered.
    write(
        d,
        "access/aura.json",
        &assignments(AURA_OBJ, CO, &scope.to_uppercase()),
    );
    assert!(run(vec![v]).is_empty());
}

#[test]
fn assignments_are_never_joined_across_units() {
    let dir = tempfile::Builder::new()
        .prefix("cmklint-azure")
        .tempdir()
        .unwrap_or_else(|e| panic!("tempdir: {e}"));
    let d = dir.path();
    // Instance A: a vault and someone else's assignment.
    write(d, "a/cmklint.toml", &config());
    write(d, "a/keyvault.json", &vault("kv-aura-a", "rg-a"));
    write(
        d,
        "a/role-assignments.json",
        &assignments(
            "someone-else",
            CO,
            &format!("/subscriptions/{SUB}/resourceGroups/rg-a"),
        ),
    );
    // Instance B: Aura's subscription-wide Crypto Officer, which would cover A's vault too.
    write(d, "b/cmklint.toml", &config());
    write(
        d,
        "b/role-assignments.json",
        &assignments(AURA_OBJ, CO, &format!("/subscriptions/{SUB}")),
    );
    let found = run(vec![d.to_path_buf()]);
    let a: Vec<_> = found
        .iter()
        .filter(|f| f.path_str().contains("/a/"))
        .map(|f| f.rule)
        .collect();
    assert_eq!(a, vec!["azure-crypto-officer-missing"]);
    let b: Vec<_> = found
        .iter()
        .filter(|f| f.path_str().contains("/b/"))
        .map(|f| f.rule)
        .collect();
    assert_eq!(b, vec!["azure-role-scope-too-broad"]);
}
