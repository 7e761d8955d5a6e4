//! `cmklint.toml`: what the Aura instance needs, which files to lint, which rules to run.
//!
//! Loading reports unknown keys and wrong types with the line and column in the config file
//! (exit 2). The nearest `cmklint.toml` above a file applies to it; `--config` overrides.
//! This module reads only config files (and the generated-statements file they name is read
//! by the AWS extraction, not here).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::source::{SourceFile, Span};

pub const CONFIG_FILE_NAME: &str = "cmklint.toml";

/// The whole configuration of one unit.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub aura: Aura,
    #[serde(default)]
    pub files: Files,
    #[serde(default)]
    pub rules: Rules,
    /// Where this config was loaded from (None: built-in default).
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// The config file's text, so findings about config values (an unknown region) can
    /// point into it. Diagnostics on this file are always reported.
    #[serde(skip)]
    pub source: Option<std::sync::Arc<SourceFile>>,
    /// The rules of the packs `[rules] packs` names, loaded with the config by the engine
    /// (`crate::pack::load_user_packs`).
    #[serde(skip)]
    pub pack_rules: crate::pack::PackRules,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aura {
    pub cloud: Option<Cloud>,
    /// The Aura instance's region in the cloud's own spelling (use [`Config::region`]).
    pub region: Option<toml::Spanned<String>>,
    pub tier: Option<String>,
    #[serde(default)]
    pub aws: AuraAws,
    #[serde(default)]
    pub azure: AuraAzure,
    #[serde(default)]
    pub gcp: AuraGcp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    Aws,
    Azure,
    Gcp,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuraAws {
    /// Path (relative to the config file) of the JSON the Aura Console generated.
    pub generated_statements: Option<String>,
    /// The AWS account Aura calls KMS from.
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuraAzure {
    /// The Neo4j CMK Application ID shown in the Aura Console.
    pub application_id: Option<String>,
    /// Object id of the service principal created from that application.
    pub principal_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuraGcp {
    /// The service accounts shown in the Aura Console (three).
    #[serde(default)]
    pub service_accounts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Files {
    #[serde(default = "default_include")]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// e.g. "10MiB", "512KiB", "1000000".
    #[serde(default = "default_max_size")]
    pub max_size: String,
}

impl Default for Files {
    fn default() -> Files {
        Files {
            include: default_include(),
            exclude: Vec::new(),
            max_size: default_max_size(),
        }
    }
}

fn default_include() -> Vec<String> {
    vec!["**/*.json".to_string()]
}

fn default_max_size() -> String {
    "10MiB".to_string()
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Rule ids or prefixes to run; empty = all.
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Per-rule severity overrides.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// User rule packs (paths relative to the config file).
    #[serde(default)]
    pub packs: Vec<String>,
}

/// A config that could not be loaded: where and why.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub file: std::sync::Arc<SourceFile>,
    pub span: Option<Span>,
    pub message: String,
}

impl Config {
    /// Parses config text. `path` is used for messages and to resolve relative paths.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError {
            file: std::sync::Arc::new(SourceFile::new(path, text.to_string())),
            span: e.span().map(|r| Span::new(r.start, r.end)),
            message: e.message().trim().to_string(),
        })?;
        config.path = Some(path.to_path_buf());
        config.source = Some(std::sync::Arc::new(SourceFile::new(path, text.to_string())));
        Ok(config)
    }

    /// `[aura] region`, if set.
    pub fn region(&self) -> Option<&str> {
        self.aura.region.as_ref().map(|r| r.get_ref().as_str())
    }

    /// The span of the `[aura] region` value in the config file.
    pub fn region_span(&self) -> Option<Span> {
        self.aura
            .region
            .as_ref()
            .map(|r| Span::new(r.span().start, r.span().end))
    }

    /// The folder relative paths in this config are resolved against.
    pub fn base_dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    /// Parses `[files] max_size` into bytes.
    pub fn max_size_bytes(&self) -> Option<u64> {
        parse_size(&self.files.max_size)
    }
}

/// "10MiB" → 10485760; accepts B, KB/KiB, MB/MiB, GB/GiB and bare numbers.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "kib" | "k" => 1 << 10,
        "mb" => 1_000_000,
        "mib" | "m" => 1 << 20,
        "gb" => 1_000_000_000,
        "gib" | "g" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB"), Some(10 << 20));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("ten"), None);
    }

    #[test]
    fn unknown_key_has_span() {
        let text = "[aura]\nregion = \"eu-west-1\"\nregoin = \"x\"\n";
        let err = Config::parse(Path::new("cmklint.toml"), text).err();
        let span = err.as_ref().and_then(|e| e.span);
        assert!(err.map(|e| e.message.contains("regoin")).unwrap_or(false));
        assert_eq!(span.map(|s| &text[s.start..s.end]), Some("regoin"));
    }
}
