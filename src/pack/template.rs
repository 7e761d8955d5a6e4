//! Message templates and configuration values.
//!
//! A pack rule's `message` and `help` (and string operands of `equals` / `one_of`) may name
//! values in braces: `{value}` (the value found), `{key}` (the last key of the path),
//! `{path}` (its JSON pointer), `{error}` (what the assertion found wrong), and
//! configuration values such as `{aura.region}`. `{{` and `}}` are literal braces.

use super::path::Selector;
use crate::config::{Cloud, Config};

/// A configuration value a pack rule may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKey {
    Cloud,
    Region,
    Tier,
    AwsAccountId,
    AwsGeneratedStatements,
    AzureApplicationId,
    AzurePrincipalId,
    GcpServiceAccounts,
}

/// Every configuration key a pack can name, as written (`aura.region`).
pub const CONFIG_KEYS: &[(&str, ConfigKey)] = &[
    ("aura.cloud", ConfigKey::Cloud),
    ("aura.region", ConfigKey::Region),
    ("aura.tier", ConfigKey::Tier),
    ("aura.aws.account_id", ConfigKey::AwsAccountId),
    (
        "aura.aws.generated_statements",
        ConfigKey::AwsGeneratedStatements,
    ),
    ("aura.azure.application_id", ConfigKey::AzureApplicationId),
    ("aura.azure.principal_id", ConfigKey::AzurePrincipalId),
    ("aura.gcp.service_accounts", ConfigKey::GcpServiceAccounts),
];

/// A configuration value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigValue {
    Str(String),
    List(Vec<String>),
}

impl ConfigKey {
    pub fn parse(name: &str) -> Option<ConfigKey> {
        CONFIG_KEYS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k)
    }

    pub fn name(self) -> &'static str {
        CONFIG_KEYS
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(n, _)| *n)
            .unwrap_or("aura")
    }

    /// The value in `config`, or `None` when it is not set.
    pub fn get(self, config: &Config) -> Option<ConfigValue> {
        let s = |v: Option<&str>| v.map(|v| ConfigValue::Str(v.to_string()));
        match self {
            ConfigKey::Cloud => s(config.aura.cloud.map(|c| match c {
                Cloud::Aws => "aws",
                Cloud::Azure => "azure",
                Cloud::Gcp => "gcp",
            })),
            ConfigKey::Region => s(config.region()),
            ConfigKey::Tier => s(config.aura.tier.as_deref()),
            ConfigKey::AwsAccountId => s(config.aura.aws.account_id.as_deref()),
            ConfigKey::AwsGeneratedStatements => s(config.aura.aws.generated_statements.as_deref()),
            ConfigKey::AzureApplicationId => s(config.aura.azure.application_id.as_deref()),
            ConfigKey::AzurePrincipalId => s(config.aura.azure.principal_id.as_deref()),
            ConfigKey::GcpServiceAccounts => {
                let list = &config.aura.gcp.service_accounts;
                (!list.is_empty()).then(|| ConfigValue::List(list.clone()))
            }
        }
    }
}

impl ConfigValue {
    /// As text in a message: a list is comma-separated.
    pub fn text(&self) -> String {
        match self {
            ConfigValue::Str(s) => s.clone(),
            ConfigValue::List(l) => l.join(", "),
        }
    }
}

/// A placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    Value,
    Key,
    Path,
    Error,
    /// `{type}`: the JSON type of the value found (`missing` when there is none).
    Type,
    Config(ConfigKey),
    /// A value the rule defines in `vars`, by index.
    Named(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var(Var),
    /// `{/name}`: the value at a path in the same part of the document.
    At(Selector),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// A template that does not parse: the byte range in the decoded text, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// The values a template is rendered with.
pub struct Vars<'a> {
    pub value: &'a str,
    pub key: &'a str,
    pub path: &'a str,
    pub error: &'a str,
    pub config: &'a Config,
    /// Renders the value at a path of the same document part (`{/name}`).
    pub at: &'a dyn Fn(&Selector) -> String,
    /// The JSON type of the value found (`{type}`).
    pub type_name: &'a str,
    /// Renders the rule's `vars` by index (`{name}`).
    pub named: &'a dyn Fn(usize) -> String,
}

impl Template {
    /// Parses `text`. `allowed` says which placeholders may appear (operands may name
    /// only configuration values).
    pub fn parse(text: &str, allowed: fn(Var) -> bool) -> Result<Template, TemplateError> {
        Template::parse_named(text, allowed, &[])
    }

    /// Parses `text` in which the rule's own values `names` (its `vars`) may also appear.
    pub fn parse_named(
        text: &str,
        allowed: fn(Var) -> bool,
        names: &[&str],
    ) -> Result<Template, TemplateError> {
        if !text.contains(['{', '}']) {
            return Ok(Template::literal(text));
        }
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut rest = text.char_indices().peekable();
        while let Some((i, c)) = rest.next() {
            match c {
                '{' if rest.peek().map(|p| p.1) == Some('{') => {
                    rest.next();
                    lit.push('{');
                }
                '}' if rest.peek().map(|p| p.1) == Some('}') => {
                    rest.next();
                    lit.push('}');
                }
                '{' => {
                    // `{name}` with an identifier-like name is a placeholder; any other
                    // brace (JSON in a help text) is literal text.
                    let close = text[i..].find('}').map(|c| i + c);
                    let name = close
                        .map(|c| &text[i + 1..c])
                        .filter(|n| is_name(n) || is_path(n));
                    let (Some(close), Some(name)) = (close, name) else {
                        lit.push('{');
                        continue;
                    };
                    if is_path(name) && allowed(Var::Value) {
                        let sel = Selector::parse(name).map_err(|e| TemplateError {
                            start: i,
                            end: close + 1,
                            message: format!("`{{{name}}}`: path {e}"),
                        })?;
                        while rest.peek().is_some_and(|(j, _)| *j <= close) {
                            rest.next();
                        }
                        if !lit.is_empty() {
                            pieces.push(Piece::Text(std::mem::take(&mut lit)));
                        }
                        pieces.push(Piece::At(sel));
                        continue;
                    }
                    let var = match name {
                        "value" => Some(Var::Value),
                        "key" => Some(Var::Key),
                        "path" => Some(Var::Path),
                        "error" => Some(Var::Error),
                        "type" => Some(Var::Type),
                        _ => ConfigKey::parse(name)
                            .map(Var::Config)
                            .or_else(|| names.iter().position(|n| *n == name).map(Var::Named)),
                    };
                    let Some(var) = var.filter(|v| allowed(*v)) else {
                        let mut known: Vec<&str> = Vec::new();
                        if allowed(Var::Value) {
                            known.extend(["value", "key", "path", "error", "type"]);
                            known.extend(names.iter().copied());
                        }
                        known.extend(CONFIG_KEYS.iter().map(|(n, _)| *n));
                        let hint = crate::region::did_you_mean(name, &known)
                            .map(|s| format!(" (did you mean `{{{s}}}`?)"))
                            .unwrap_or_default();
                        return Err(TemplateError {
                            start: i,
                            end: close + 1,
                            message: format!(
                                "`{{{name}}}` is not a value this text can name{hint}; it can name {} (write `{{{{` and `}}}}` for literal braces)",
                                known
                                    .iter()
                                    .map(|k| format!("`{{{k}}}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        });
                    };
                    while rest.peek().is_some_and(|(j, _)| *j <= close) {
                        rest.next();
                    }
                    if !lit.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut lit)));
                    }
                    pieces.push(Piece::Var(var));
                }
                _ => {
                    // The run of text up to the next brace, in one go.
                    let from = i + c.len_utf8();
                    let end = text[from..]
                        .find(['{', '}'])
                        .map_or(text.len(), |j| from + j);
                    lit.push_str(&text[i..end]);
                    while rest.peek().is_some_and(|(j, _)| *j < end) {
                        rest.next();
                    }
                }
            }
        }
        if !lit.is_empty() {
            pieces.push(Piece::Text(lit));
        }
        Ok(Template { pieces })
    }

    /// A template that is plain text.
    pub fn literal(text: &str) -> Template {
        Template {
            pieces: vec![Piece::Text(text.to_string())],
        }
    }

    /// The configuration values it names.
    pub fn config_keys(&self) -> impl Iterator<Item = ConfigKey> + '_ {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var(Var::Config(k)) => Some(*k),
            _ => None,
        })
    }

    /// Whether it names anything at all.
    pub fn is_literal(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, Piece::Text(_)))
    }

    /// Renders with `vars`; an unset configuration value renders empty (callers skip the
    /// rule first when a value it needs is not set).
    pub fn render(&self, vars: &Vars) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(Var::Value) => out.push_str(vars.value),
                Piece::Var(Var::Key) => out.push_str(vars.key),
                Piece::Var(Var::Path) => out.push_str(vars.path),
                Piece::Var(Var::Error) => out.push_str(vars.error),
                Piece::Var(Var::Type) => out.push_str(vars.type_name),
                Piece::Var(Var::Named(i)) => out.push_str(&(vars.named)(*i)),
                Piece::Var(Var::Config(k)) => {
                    if let Some(v) = k.get(vars.config) {
                        out.push_str(&v.text());
                    }
                }
                Piece::At(sel) => out.push_str(&(vars.at)(sel)),
            }
        }
        out
    }

    /// Renders a template that names only configuration values.
    pub fn render_config(&self, config: &Config) -> String {
        self.render(&Vars {
            value: "",
            key: "",
            path: "",
            error: "",
            config,
            at: &|_| String::new(),
            type_name: "",
            named: &|_| String::new(),
        })
    }
}

/// Whether `{/a/b}` is meant as a path placeholder: a pointer without spaces or quotes.
fn is_path(name: &str) -> bool {
    name.starts_with('/') && !name.contains([' ', '"', '\'', '{'])
}

/// Whether `{name}` is meant as a placeholder: a word or dotted words.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Any placeholder.
pub fn any_var(_: Var) -> bool {
    true
}

/// Configuration values only.
pub fn config_only(v: Var) -> bool {
    matches!(v, Var::Config(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_renders_and_rejects() {
        let mut config = Config::default();
        config.aura.cloud = Some(Cloud::Aws);
        let t = match Template::parse("key in {value}, not {aura.cloud} {{x}}", any_var) {
            Ok(t) => t,
            Err(e) => panic!("{e:?}"),
        };
        let vars = Vars {
            value: "us-east-1",
            key: "",
            path: "",
            error: "",
            config: &config,
            at: &|s| format!("<{}>", s.text),
            type_name: "string",
            named: &|i| format!("#{i}"),
        };
        let named =
            Template::parse("vault {/name} in {/properties/x}", any_var).map(|t| t.render(&vars));
        assert_eq!(
            named.ok().as_deref(),
            Some("vault </name> in </properties/x>")
        );
        assert!(Template::parse("{/name}", config_only).is_err());
        assert!(Template::parse("{/a*}", any_var).is_err());
        assert_eq!(t.render(&vars), "key in us-east-1, not aws {x}");
        assert_eq!(t.config_keys().collect::<Vec<_>>(), vec![ConfigKey::Cloud]);

        let e = Template::parse("in {aura.regoin} now", any_var).err();
        let e = e.map(|e| {
            (
                e.start,
                e.end,
                e.message.contains("did you mean `{aura.region}`"),
            )
        });
        assert_eq!(e, Some((3, 16, true)));
        // Braces that are not around a name are text (JSON in a help text).
        let json = Template::parse(r#"set {"kms:CallerAccount": "1"} or {value"#, any_var);
        assert_eq!(
            json.map(|t| t.render(&vars)).ok().as_deref(),
            Some(r#"set {"kms:CallerAccount": "1"} or {value"#)
        );
        assert!(Template::parse("{value}", config_only).is_err());
        assert!(Template::parse("{aura.region}", config_only).is_ok());
        // The rule's own values and the value's type.
        let own = Template::parse_named("{key_id} is a {type}", any_var, &["ring", "key_id"]);
        assert_eq!(
            own.map(|t| t.render(&vars)).ok().as_deref(),
            Some("#1 is a string")
        );
        assert!(Template::parse("{key_id}", any_var).is_err());
        assert!(Template::parse_named("{ring}", config_only, &["ring"]).is_err());
    }
}
