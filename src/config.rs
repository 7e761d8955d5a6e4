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

/// Severity names accepted in `[rules.severity]`.
pub const SEVERITY_NAMES: &[&str] = &["error", "warning", "info"];

impl Config {
    /// Parses and validates config text, returning the first problem (in file order).
    /// `path` is used for messages and to resolve relative paths.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        Config::parse_all(path, text).map_err(|mut errors| errors.swap_remove(0))
    }

    /// Parses and validates config text, returning every problem found (never an empty
    /// list on `Err`), sorted by position. Besides unknown keys and wrong types (found by
    /// the TOML deserialiser), it checks what serde cannot: severity names, rule ids and
    /// prefixes in `[rules]`, glob syntax in `[files]` and the `max_size` format.
    pub fn parse_all(path: &Path, text: &str) -> Result<Config, Vec<ConfigError>> {
        let file = std::sync::Arc::new(SourceFile::new(path, text.to_string()));
        let mut config: Config = toml::from_str(text).map_err(|e| {
            vec![ConfigError {
                file: file.clone(),
                span: e.span().map(|r| Span::new(r.start, r.end)),
                message: e.message().trim().to_string(),
            }]
        })?;
        config.path = Some(path.to_path_buf());
        config.source = Some(file.clone());
        let mut errors: Vec<ConfigError> = config
            .problems(text)
            .into_iter()
            .map(|(span, message)| ConfigError {
                file: file.clone(),
                span,
                message,
            })
            .collect();
        if errors.is_empty() {
            Ok(config)
        } else {
            errors.sort_by_key(|e| e.span.map(|s| s.start));
            Err(errors)
        }
    }

    /// What serde cannot check, as (span in the config text, message).
    fn problems(&self, text: &str) -> Vec<(Option<Span>, String)> {
        let spans = SpanFinder::new(text);
        let mut out = Vec::new();
        // Rule packs add ids the registry does not know; their loader checks the ids
        // against the packs' rules with [`Config::rule_id_problems`].
        if self.rules.packs.is_empty() {
            let known: Vec<&'static str> = crate::rules::builtin()
                .iter()
                .map(|r| r.meta().id)
                .collect();
            out.extend(self.id_problems(&spans, &known));
        }
        for (id, sev) in &self.rules.severity {
            if !SEVERITY_NAMES.contains(&sev.as_str()) {
                out.push((
                    spans.value(&["rules", "severity", id]),
                    format!("severity `{sev}` for `{id}` is not one of `error`, `warning`, `info`"),
                ));
            }
        }
        for (key, list) in [
            ("include", &self.files.include),
            ("exclude", &self.files.exclude),
        ] {
            for (i, pat) in list.iter().enumerate() {
                if let Err(e) = globset::Glob::new(pat) {
                    out.push((
                        spans.item(&["files", key], i),
                        format!(
                            "`{pat}` in `[files] {key}` is not a valid glob: {}",
                            e.kind()
                        ),
                    ));
                }
            }
        }
        if parse_size(&self.files.max_size).is_none() {
            out.push((
                spans.value(&["files", "max_size"]),
                format!(
                    "`{}` in `[files] max_size` is not a size; write a number of bytes or a number with a unit such as \"10MiB\", \"512KiB\" or \"2MB\"",
                    self.files.max_size
                ),
            ));
        }
        out
    }

    /// Rule ids and prefixes in `[rules]` that match none of `known` (the built-in rules
    /// plus those of the loaded rule packs), with their spans in the config file.
    pub fn rule_id_problems(&self, known: &[&str]) -> Vec<ConfigError> {
        let Some(file) = &self.source else {
            return Vec::new();
        };
        let spans = SpanFinder::new(&file.text);
        self.id_problems(&spans, known)
            .into_iter()
            .map(|(span, message)| ConfigError {
                file: file.clone(),
                span,
                message,
            })
            .collect()
    }

    fn id_problems(&self, spans: &SpanFinder, known: &[&str]) -> Vec<(Option<Span>, String)> {
        let mut out = Vec::new();
        for (key, list) in [
            ("select", &self.rules.select),
            ("ignore", &self.rules.ignore),
        ] {
            for (i, pat) in list.iter().enumerate() {
                if !known_pattern(pat, known) {
                    out.push((
                        spans.item(&["rules", key], i),
                        format!(
                            "`{pat}` in `[rules] {key}` is neither a rule id nor a prefix of one{}",
                            suggestion(pat, known)
                        ),
                    ));
                }
            }
        }
        for id in self.rules.severity.keys() {
            if !known.contains(&id.as_str()) {
                out.push((
                    spans.key(&["rules", "severity", id]),
                    format!(
                        "`{id}` in `[rules.severity]` is not a rule id{}",
                        suggestion(id, known)
                    ),
                ));
            }
        }
        out
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

/// The JSON Schema of `cmklint.toml` (draft-07), committed as `schemas/cmklint.schema.json`
/// so editors (Taplo, Even Better TOML, JetBrains) can complete and check the file. The
/// rule-id enums come from the registry; a test fails when the committed copy is stale.
pub fn json_schema() -> serde_json::Value {
    use serde_json::json;
    let ids: Vec<&'static str> = crate::rules::builtin()
        .iter()
        .map(|r| r.meta().id)
        .collect();
    let mut patterns: Vec<String> = vec!["all".into(), "aws".into(), "azure".into(), "gcp".into()];
    for id in &ids {
        let mut prefix = String::new();
        for (i, part) in id.split('-').enumerate() {
            if i > 0 {
                prefix.push('-');
            }
            prefix.push_str(part);
            patterns.push(prefix.clone());
        }
    }
    patterns.sort();
    patterns.dedup();
    let rule_pattern = json!({
        "type": "string",
        "enum": patterns,
    });
    let string_list = |description: &str, examples: serde_json::Value| {
        json!({
            "description": description,
            "type": "array",
            "items": { "type": "string" },
            "examples": examples,
        })
    };
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": format!(
            "{}/main/schemas/cmklint.schema.json",
            env!("CARGO_PKG_REPOSITORY").replace("https://github.com/", "https://raw.githubusercontent.com/")
        ),
        "title": "cmklint.toml",
        "description": "Configuration of cmklint, the linter for Neo4j Aura Customer Managed Key setups. The nearest cmklint.toml above a file applies to it; `cmklint check --config PATH` overrides. Generated from the rule registry by `CMKLINT_BLESS=1 cargo test --test config_schema`; do not edit.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "aura": {
                "description": "What the Aura instance needs. Every key is optional; a rule that needs an absent value is skipped (`cmklint check --verbose` says which).",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "cloud": {
                        "description": "The cloud the Aura instance runs in.",
                        "type": "string",
                        "enum": ["aws", "azure", "gcp"],
                    },
                    "region": {
                        "description": "The Aura instance's region in the cloud's own spelling (`eu-west-1`, `westeurope`, `europe-west1`). The key must be in this region.",
                        "type": "string",
                        "examples": ["eu-west-1", "westeurope", "europe-west1"],
                    },
                    "tier": {
                        "description": "The Aura instance type. Customer Managed Keys need a tier that offers them (Business Critical or Virtual Dedicated Cloud).",
                        "type": "string",
                        "examples": ["enterprise-db", "enterprise-ds", "business-critical"],
                    },
                    "aws": {
                        "description": "AWS KMS settings.",
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {
                            "generated_statements": {
                                "description": "Path, relative to this file, of the JSON the Aura Console generated for the key policy, saved as it was shown (an array of statements, one statement, a comma-separated run of statements, or a whole policy). The key policy must contain these statements.",
                                "type": "string",
                                "examples": ["aura-statements.json"],
                            },
                            "account_id": {
                                "description": "The 12-digit AWS account Aura calls KMS from; the key policy must let it use the key.",
                                "type": "string",
                                "pattern": "^[0-9]{12}$",
                                "examples": ["210987654321"],
                            },
                        },
                    },
                    "azure": {
                        "description": "Azure Key Vault settings.",
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {
                            "application_id": {
                                "description": "The Neo4j CMK Application ID shown in the Aura Console (a GUID).",
                                "type": "string",
                                "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                                "examples": ["3f2b8c1e-9a4d-4e7f-b6a2-5c8d1e0f7a93"],
                            },
                            "principal_id": {
                                "description": "Object id of the service principal made from that application (`az ad sp create --id <application id>`); role assignments name it.",
                                "type": "string",
                                "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                                "examples": ["9d41c7a2-6b3e-4f18-a0c5-2e7b9f4d6c15"],
                            },
                        },
                    },
                    "gcp": {
                        "description": "Google Cloud KMS settings.",
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {
                            "service_accounts": {
                                "description": "The three service accounts shown in the Aura Console; each needs Cloud KMS CryptoKey Encrypter/Decrypter and Cloud KMS Viewer on the key.",
                                "type": "array",
                                "items": { "type": "string" },
                                "maxItems": 3,
                                "examples": [[
                                    "neo4j-cmk-1@aura-prod.iam.gserviceaccount.com",
                                    "neo4j-cmk-2@aura-prod.iam.gserviceaccount.com",
                                    "neo4j-cmk-3@aura-prod.iam.gserviceaccount.com"
                                ]],
                            },
                        },
                    },
                },
            },
            "files": {
                "description": "Which files under this file's folder are linted. Hidden folders, target/, node_modules/ and .git/ are always skipped; a file named on the command line is linted unless `exclude` matches it.",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "include": string_list("Glob patterns, relative to this file's folder, of the files to lint. Default: [\"**/*.json\"].", json!([["**/*.json"]])),
                    "exclude": string_list("Glob patterns, relative to this file's folder, of files never to lint, even when named on the command line.", json!([["vendor/**", "**/*.parameters.json"]])),
                    "max_size": {
                        "description": "Largest file linted; a larger one is reported (io-error) and skipped. A number of bytes or a number with a unit: B, KB, KiB, MB, MiB, GB, GiB. Default: \"10MiB\".",
                        "type": "string",
                        "pattern": "^\\s*[0-9]+\\s*([bB]|[kKmMgG]([iI]?[bB])?)?\\s*$",
                        "default": "10MiB",
                    },
                },
            },
            "rules": {
                "description": "Which rules run and at what severity.",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "select": {
                        "description": "Rule ids or dash-separated prefixes to run (`aws`, `splice`, `azure-purge-protection-disabled`); default: all. The most specific of select and ignore wins.",
                        "type": "array",
                        "items": rule_pattern.clone(),
                    },
                    "ignore": {
                        "description": "Rule ids or prefixes not to run.",
                        "type": "array",
                        "items": rule_pattern,
                    },
                    "severity": {
                        "description": "Severity per rule id, replacing its default.",
                        "type": "object",
                        "propertyNames": { "enum": ids },
                        "additionalProperties": {
                            "type": "string",
                            "enum": SEVERITY_NAMES,
                        },
                    },
                    "packs": string_list("Rule packs (declarative rules in JSON), paths relative to this file.", json!([["policies/org.json"]])),
                },
            },
        },
    })
}

/// Whether `pat` selects at least one known rule: `all`, an id, or a dash-separated prefix.
/// The cloud prefixes are always accepted, even in a build without that cloud's rules.
fn known_pattern(pat: &str, known: &[&str]) -> bool {
    matches!(pat, "all" | "aws" | "azure" | "gcp")
        || known.iter().any(|id| {
            *id == pat || (id.starts_with(pat) && id.as_bytes().get(pat.len()) == Some(&b'-'))
        })
}

/// ` (did you mean `x`?)` when a known id is close to `name`.
fn suggestion(name: &str, known: &[&str]) -> String {
    crate::region::did_you_mean(name, known)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

/// Finds the spans of keys and values in TOML text (serde's spans stop at the first error
/// and are not kept for most fields; this re-reads the text with spans).
struct SpanFinder<'t> {
    root: Option<toml::Spanned<toml::de::DeTable<'t>>>,
}

impl<'t> SpanFinder<'t> {
    fn new(text: &'t str) -> SpanFinder<'t> {
        SpanFinder {
            root: toml::de::DeTable::parse(text).ok(),
        }
    }

    /// The (key span, value) of the entry at `path`.
    fn entry(&self, path: &[&str]) -> Option<(Span, &toml::Spanned<toml::de::DeValue<'t>>)> {
        let mut table = self.root.as_ref()?.get_ref();
        let (last, parents) = path.split_last()?;
        for key in parents {
            let (_, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == *key)?;
            match v.get_ref() {
                toml::de::DeValue::Table(t) => table = t,
                _ => return None,
            }
        }
        let (k, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == *last)?;
        let r = k.span();
        Some((Span::new(r.start, r.end), v))
    }

    fn key(&self, path: &[&str]) -> Option<Span> {
        self.entry(path).map(|(k, _)| k)
    }

    fn value(&self, path: &[&str]) -> Option<Span> {
        self.entry(path).map(|(_, v)| {
            let r = v.span();
            Span::new(r.start, r.end)
        })
    }

    /// The span of item `index` of the array at `path`.
    fn item(&self, path: &[&str], index: usize) -> Option<Span> {
        let (_, v) = self.entry(path)?;
        match v.get_ref() {
            toml::de::DeValue::Array(items) => items.get(index).map(|i| {
                let r = i.span();
                Span::new(r.start, r.end)
            }),
            _ => None,
        }
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

    fn problems(text: &str) -> Vec<(String, String)> {
        match Config::parse_all(Path::new("cmklint.toml"), text) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .map(|e| {
                    let at = e.span.map(|s| text[s.start..s.end].to_string());
                    (at.unwrap_or_default(), e.message)
                })
                .collect(),
        }
    }

    #[test]
    fn semantic_problems_point_at_their_values() {
        let text = "[files]\ninclude = [\"**/*.json\", \"a/{b\"]\nmax_size = \"ten\"\n\n[rules]\nselect = [\"json\", \"jsn-syntax\"]\nignore = [\"all\"]\n[rules.severity]\njson-syntax = \"fatal\"\njson-sintax = \"error\"\n";
        let found = problems(text);
        let at: Vec<&str> = found.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            at,
            vec![
                "\"a/{b\"",
                "\"ten\"",
                "\"jsn-syntax\"",
                "\"fatal\"",
                "json-sintax"
            ],
            "{found:?}"
        );
        assert!(
            found[2].1.contains("did you mean `json-syntax`"),
            "{found:?}"
        );
        assert!(
            found[4].1.contains("did you mean `json-syntax`"),
            "{found:?}"
        );
    }

    #[test]
    fn wrong_types_and_unknown_clouds_have_spans() {
        let found = problems("[aura]\ncloud = \"azur\"\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "\"azur\"");
        assert!(found[0].1.contains("azure"), "{found:?}");
        let found = problems("[files]\nexclude = \"vendor/**\"\n");
        assert_eq!(found[0].0, "\"vendor/**\"", "{found:?}");
    }

    #[test]
    fn a_valid_config_has_no_problems() {
        let text = "[aura]\ncloud = \"aws\"\nregion = \"eu-west-1\"\n[files]\nmax_size = \"2MB\"\n[rules]\nselect = [\"json\", \"all\"]\n[rules.severity]\njson-syntax = \"warning\"\n";
        assert_eq!(problems(text), Vec::<(String, String)>::new());
    }
}
