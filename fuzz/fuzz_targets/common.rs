//! Shared by the fuzz targets: the configurations every document is linted under.

use std::path::PathBuf;
use std::sync::OnceLock;

use cmklint::config::Config;

/// Where the fuzz configs "live" (a temp folder holding the Aura-generated statements).
fn base() -> &'static PathBuf {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("cmklint-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let statements = r#"[
  {
    "Sid": "Allow Aura to use the key",
    "Effect": "Allow",
    "Principal": { "AWS": "arn:aws:iam::210987654321:root" },
    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
    "Resource": "*"
  },
  {
    "Sid": "Allow Aura to manage grants",
    "Effect": "Allow",
    "Principal": { "AWS": "arn:aws:iam::210987654321:root" },
    "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
    "Resource": "*",
    "Condition": { "Bool": { "kms:GrantIsForAWSResource": "true" } }
  }
]
"#;
        let _ = std::fs::write(dir.join("aura-statements.json"), statements);
        dir
    })
}

const TOMLS: &[&str] = &[
    "",
    r#"[aura]
cloud = "aws"
region = "eu-west-1"
[aura.aws]
generated_statements = "aura-statements.json"
account_id = "210987654321"
"#,
    r#"[aura]
cloud = "azure"
region = "westeurope"
[aura.azure]
application_id = "4a8f3c1e-2b6d-4e9a-8f7c-1d2e3f4a5b6c"
principal_id = "9b1c2d3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e"
"#,
    r#"[aura]
cloud = "gcp"
region = "europe-west1"
[aura.gcp]
service_accounts = [
  "serviceAccount:aura-kms-1@neo4j-aura-prod.iam.gserviceaccount.com",
  "serviceAccount:aura-kms-2@neo4j-aura-prod.iam.gserviceaccount.com",
  "serviceAccount:aura-kms-3@neo4j-aura-prod.iam.gserviceaccount.com",
]
"#,
];

/// The default config and one per cloud with region, account / principal / service
/// accounts and (AWS) the generated statements set.
pub fn configs() -> &'static [Config] {
    static CONFIGS: OnceLock<Vec<Config>> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        let path = base().join("cmklint.toml");
        TOMLS
            .iter()
            .map(|t| match Config::parse(&path, t) {
                Ok(c) => c,
                Err(e) => panic!("fuzz config does not load: {}", e.message),
            })
            .collect()
    })
}

/// The path every fuzzed document is linted as.
pub fn doc_path() -> PathBuf {
    base().join("policy.json")
}
