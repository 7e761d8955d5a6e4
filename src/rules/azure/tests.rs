//! Behaviour of the Azure models and rules on template shapes the fixtures do not all
//! show: symbolic-name resources, nested children, nested deployments, the older
//! `vaults/providers/roleAssignments` form, skipped resources, and one-mistake-one-finding.

use std::path::Path;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::engine::lint_text;

const AURA: &str = "9a0c7e51-4b2d-4f6a-8e3c-1d2b3a4c5d6e";
const CO: &str = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
const CSEU: &str = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

fn config(extra: &str) -> Config {
    let text = format!(
        "[aura]\ncloud = \"azure\"\nregion = \"uksouth\"\n[aura.azure]\nprincipal_id = \"{AURA}\"\n{extra}"
    );
    match Config::parse(Path::new("cmklint.toml"), &text) {
        Ok(c) => c,
        Err(e) => panic!("test config: {}", e.message),
    }
}

fn lint(text: &str) -> Vec<Diagnostic> {
    lint_text(Path::new("azuredeploy.json"), text, &config(""))
}

fn rules(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.rule).collect()
}

/// The text under the primary span of the first finding of `rule`.
fn spanned<'t>(text: &'t str, diags: &[Diagnostic], rule: &str) -> Option<&'t str> {
    diags
        .iter()
        .find(|d| d.rule == rule)
        .and_then(|d| text.get(d.span.start..d.span.end))
}

const GOOD_PROPS: &str = r#""tenantId": "[subscription().tenantId]",
        "sku": {"family": "A", "name": "standard"},
        "enablePurgeProtection": true,
        "enableRbacAuthorization": true,
        "enabledForDiskEncryption": true"#;

fn assignment(role: &str, principal: &str, scope: &str) -> String {
    format!(
        r#"{{
      "type": "Microsoft.Authorization/roleAssignments",
      "apiVersion": "2022-04-01",
      "name": "[guid(resourceGroup().id, '{principal}')]",
      "scope": "{scope}",
      "properties": {{
        "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{role}')]",
        "principalId": "{principal}",
        "principalType": "ServicePrincipal"
      }}
    }}"#
    )
}

#[test]
fn language_version_2_symbolic_resources_are_read() {
    let text = format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0",
  "contentVersion": "1.0.0.0",
  "resources": {{
    "vault": {{
      "type": "Microsoft.KeyVault/vaults",
      "apiVersion": "2023-07-01",
      "name": "kv-aura-prod",
      "location": "westeurope",
      "properties": {{ {GOOD_PROPS} }}
    }},
    "key": {{
      "type": "Microsoft.KeyVault/vaults/keys",
      "apiVersion": "2023-07-01",
      "name": "kv-aura-prod/aura-cmk",
      "properties": {{ "kty": "EC" }}
    }}
  }}
}}"#
    );
    let d = lint(&text);
    assert_eq!(
        spanned(&text, &d, "azure-region-mismatch"),
        Some("\"westeurope\"")
    );
    assert_eq!(spanned(&text, &d, "azure-key-type"), Some("\"EC\""));
}

#[test]
fn nested_child_key_gets_its_vault_name() {
    let text = format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{ "vaultName": {{ "type": "string", "defaultValue": "kv-aura-prod" }} }},
  "resources": [
    {{
      "type": "Microsoft.KeyVault/vaults",
      "apiVersion": "2023-07-01",
      "name": "[parameters('vaultName')]",
      "location": "uksouth",
      "properties": {{ {GOOD_PROPS} }},
      "resources": [
        {{ "type": "keys", "apiVersion": "2023-07-01", "name": "aura-cmk",
           "properties": {{ "kty": "RSA", "keySize": 1024 }} }}
      ]
    }},
    {}
  ]
}}"#,
        assignment(
            CSEU,
            AURA,
            "Microsoft.KeyVault/vaults/kv-aura-prod/keys/aura-cmk"
        )
    );
    let d = lint(&text);
    let key_type = d.iter().find(|d| d.rule == "azure-key-type");
    assert!(key_type.is_some_and(|d| d
        .message
        .contains("key `aura-cmk` in key vault `kv-aura-prod`")));
    // A wrong role is that finding alone: no crypto-officer-missing as well.
    assert!(rules(&d).contains(&"azure-wrong-role"));
    assert!(!rules(&d).contains(&"azure-crypto-officer-missing"));
}

#[test]
fn crypto_officer_at_vault_or_key_scope_satisfies_and_elsewhere_does_not() {
    let template = |scope: &str| {
        format!(
            r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {{ "type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv-aura-prod",
       "location": "uksouth", "properties": {{ {GOOD_PROPS} }} }},
    {{ "type": "Microsoft.KeyVault/vaults/keys", "apiVersion": "2023-07-01",
       "name": "kv-aura-prod/aura-cmk", "properties": {{ "kty": "RSA", "keySize": 3072 }} }},
    {}
  ]
}}"#,
            assignment(CO, AURA, scope)
        )
    };
    for ok in [
        "Microsoft.KeyVault/vaults/kv-aura-prod",
        "Microsoft.KeyVault/vaults/KV-AURA-PROD/keys/aura-cmk",
        "[resourceId('Microsoft.KeyVault/vaults', 'kv-aura-prod')]",
        "[format('Microsoft.KeyVault/vaults/{0}', reference('x').name)]",
    ] {
        let d = lint(&template(ok));
        assert!(d.is_empty(), "{ok}: {:?}", rules(&d));
    }
    let d = lint(&template("Microsoft.KeyVault/vaults/kv-other"));
    assert_eq!(rules(&d), vec!["azure-crypto-officer-missing"]);
    let d = lint(&template("[resourceGroup().id]"));
    assert_eq!(rules(&d), vec!["azure-role-scope-too-broad"]);
}

#[test]
fn older_providers_role_assignment_form_is_scoped_to_its_vault() {
    let text = format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {{ "type": "Microsoft.KeyVault/vaults", "apiVersion": "2019-09-01", "name": "kv-aura-prod",
       "location": "uksouth", "properties": {{ {GOOD_PROPS} }} }},
    {{
      "type": "Microsoft.KeyVault/vaults/providers/roleAssignments",
      "apiVersion": "2018-09-01-preview",
      "name": "[concat('kv-aura-prod', '/Microsoft.Authorization/', guid('aura'))]",
      "properties": {{
        "roleDefinitionId": "[concat('/subscriptions/', subscription().subscriptionId, '/providers/Microsoft.Authorization/roleDefinitions/', '{CSEU}')]",
        "principalId": "{AURA}"
      }}
    }}
  ]
}}"#
    );
    let d = lint(&text);
    assert_eq!(rules(&d), vec!["azure-wrong-role"]);
    assert!(d[0].message.contains("on key vault `kv-aura-prod`"));
}

#[test]
fn nested_deployment_with_inner_scope_resolves_passed_parameters() {
    let text = format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{ "region": {{ "type": "string", "defaultValue": "eastus" }} }},
  "resources": [
    {{
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "keyvault",
      "properties": {{
        "mode": "Incremental",
        "expressionEvaluationOptions": {{ "scope": "inner" }},
        "parameters": {{ "location": {{ "value": "[parameters('region')]" }} }},
        "template": {{
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "parameters": {{ "location": {{ "type": "string" }} }},
          "resources": [
            {{ "type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv-aura-prod",
               "location": "[parameters('location')]", "properties": {{ {GOOD_PROPS} }} }}
          ]
        }}
      }}
    }}
  ]
}}"#
    );
    let d = lint(&text);
    assert_eq!(rules(&d), vec!["azure-region-mismatch"]);
    assert!(d[0].message.contains("`eastus`"));
}

#[test]
fn skipped_and_unknown_resources_do_not_fire() {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "deployVault": { "type": "bool", "defaultValue": false },
    "props": { "type": "object" }
  },
  "resources": [
    { "condition": "[parameters('deployVault')]",
      "type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv-off",
      "location": "westeurope", "properties": { "enablePurgeProtection": false } },
    { "type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv-props",
      "location": "[resourceGroup().location]", "properties": "[parameters('props')]" }
  ]
}"#;
    assert!(lint(text).is_empty(), "{:?}", rules(&lint(text)));
}

#[test]
fn unknown_config_region_points_into_the_config() {
    let cfg = match Config::parse(
        Path::new("cmklint.toml"),
        "[aura]\ncloud = \"azure\"\nregion = \"West Europ\"\n",
    ) {
        Ok(c) => c,
        Err(e) => panic!("{}", e.message),
    };
    let text = r#"{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
      "name": "kv", "type": "Microsoft.KeyVault/vaults", "location": "westus",
      "properties": {"enablePurgeProtection": true, "enableRbacAuthorization": true,
                     "enabledForDiskEncryption": true}}"#;
    let d = lint_text(Path::new("keyvault.json"), text, &cfg);
    assert_eq!(rules(&d), vec!["unknown-region"]);
    assert!(d[0]
        .help
        .as_deref()
        .is_some_and(|h| h.contains("`westeurope`")));
    assert_eq!(
        d[0].file.as_ref().map(|f| f.path.clone()),
        Some(Path::new("cmklint.toml").to_path_buf())
    );
}

#[test]
fn no_principal_configured_skips_the_role_rules() {
    let text = format!(
        r#"[{}]"#,
        r#"{"principalId": "p", "principalName": "x", "principalType": "ServicePrincipal",
            "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6",
            "scope": "/subscriptions/s/resourceGroups/rg"}"#
    );
    let d = lint_text(Path::new("ra.json"), &text, &Config::default());
    assert!(d.is_empty(), "{:?}", rules(&d));
}

#[test]
fn network_acls_from_an_object_parameter_point_at_the_expression() {
    let text = format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{
    "networkAcls": {{
      "type": "object",
      "defaultValue": {{ "bypass": "None", "defaultAction": "Deny", "ipRules": [] }}
    }}
  }},
  "resources": [
    {{ "type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv-aura-prod",
       "location": "uksouth",
       "properties": {{ {GOOD_PROPS}, "networkAcls": "[parameters('networkAcls')]" }} }}
  ]
}}"#
    );
    let d = lint(&text);
    assert_eq!(rules(&d), vec!["azure-firewall-bypass-missing"]);
    assert_eq!(
        spanned(&text, &d, "azure-firewall-bypass-missing"),
        Some("\"[parameters('networkAcls')]\"")
    );
    assert!(d[0]
        .message
        .contains("the default of parameter `networkAcls`"));
}
