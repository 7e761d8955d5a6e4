//! JSON Schema on the span tree: every schema error is mapped to the characters of the
//! node its instance path names (for a missing property: the key of the object that
//! lacks it; for a property that is not allowed: that property's key).
//!
//! Used for inline `schema` assertions in rule packs, to validate rule packs themselves
//! against `schemas/rule-pack.schema.json`, and by structural rules through the input
//! schemas in `schemas/` ([`input_schema`]). Validation never fetches anything: references
//! to other documents are refused (cmklint is offline, DESIGN §7).

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{PatternOptions, ValidationError, Validator};
use serde_json::Value as Json;

use crate::json::{escape_pointer_token, Node, Value};
use crate::source::Span;

/// A compiled schema.
pub struct Schema {
    validator: Validator,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schema")
    }
}

/// What a schema error says, in cmklint's words.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A required property is missing from the object at the error's pointer.
    Missing(String),
    /// A property that is not allowed; the error's span is its key.
    Unexpected(String),
    /// Anything else, as a message fragment about the value ("is `x`, expected ...").
    Other(String),
}

/// One schema error, located in the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaError {
    /// Where it points: the value, the unexpected key, or (for a missing property) the key
    /// naming the object that lacks it (or the object's opening brace).
    pub span: Span,
    /// JSON pointer of the instance node in the validated tree (for an unexpected
    /// property: of that property).
    pub pointer: String,
    pub problem: Problem,
}

impl SchemaError {
    /// A message fragment: "`Effect` is missing", "`Foo` is not allowed here",
    /// "is `Alow`, expected one of `Allow`, `Deny`".
    pub fn message(&self) -> String {
        match &self.problem {
            Problem::Missing(p) => format!("`{p}` is missing"),
            Problem::Unexpected(p) => format!("`{p}` is not allowed here"),
            Problem::Other(m) => m.clone(),
        }
    }
}

impl Schema {
    /// Compiles a schema (draft detected from `$schema`, 2020-12 by default). Remote and
    /// file references are refused; regexes use the linear-time `regex` engine.
    pub fn compile(schema: &Json) -> Result<Schema, String> {
        Schema::build(schema).map_err(|e| e.to_string())
    }

    fn build(schema: &Json) -> Result<Schema, ValidationError<'static>> {
        jsonschema::options()
            .offline()
            .with_pattern_options(PatternOptions::regex())
            .build(schema)
            .map(|validator| Schema { validator })
    }

    /// Compiles a schema written in a span tree (an inline schema in a rule pack); a
    /// schema that is not valid is reported at the node that is wrong.
    pub fn compile_node(node: &Node) -> Result<Schema, SchemaError> {
        let e = match Schema::build(&to_json(node)) {
            Ok(s) => return Ok(s),
            Err(e) => e,
        };
        if let ValidationErrorKind::Referencing(jsonschema::ReferencingError::Unretrievable {
            uri,
            ..
        }) = e.kind()
        {
            let span = find_ref(node, uri).unwrap_or(node.span);
            return Err(SchemaError {
                span,
                pointer: String::new(),
                problem: Problem::Other(format!(
                    "refers to `{uri}`, which cmklint does not fetch (it never uses the network or reads other files for a schema); put the definitions under `$defs` in this schema and refer to them as `#/$defs/...`"
                )),
            });
        }
        let mut found = Vec::new();
        collect(node, opening(node), "", &e, &|_| false, &mut found);
        Err(found.into_iter().next().unwrap_or(SchemaError {
            span: node.span,
            pointer: String::new(),
            problem: Problem::Other(e.to_string()),
        }))
    }

    /// Validates the tree under `node`. `base` is the JSON pointer of `node` in its
    /// document (prefixed to every error's pointer); `anchor`, if given, is where a
    /// property missing from `node` itself is reported (the key naming it; by default its
    /// opening brace). Errors on values `unknown` says are unknown at lint time are
    /// dropped: an unknown value never fails.
    pub fn check(
        &self,
        node: &Node,
        base: &str,
        anchor: Option<Span>,
        unknown: &dyn Fn(&Node) -> bool,
    ) -> Vec<SchemaError> {
        let instance = to_json(node);
        let mut out = Vec::new();
        let root_anchor = anchor.unwrap_or_else(|| opening(node));
        for e in self.validator.iter_errors(&instance) {
            collect(node, root_anchor, base, &e, unknown, &mut out);
        }
        out.sort_by_key(|e| (e.span.start, e.span.end));
        out.dedup();
        out
    }

    /// Whether the tree under `node` is valid.
    pub fn is_valid(&self, node: &Node) -> bool {
        self.validator.is_valid(&to_json(node))
    }
}

/// Converts a span tree to a `serde_json` value (duplicate keys: the last one wins, as
/// everywhere in cmklint).
pub fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => n
            .parse::<serde_json::Number>()
            .map(Json::Number)
            .unwrap_or(Json::Null),
        Value::String(s) => Json::String(s.to_string()),
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Object(members) => {
            let mut map = serde_json::Map::new();
            for m in members {
                map.insert(m.key.to_string(), to_json(&m.value));
            }
            Json::Object(map)
        }
    }
}

/// A compact rendering of a value for messages: strings bare, the rest as JSON, long
/// values shortened.
pub fn show(value: &Json) -> String {
    let text = match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    shorten(&text)
}

/// Shortens text for a message (at most 100 characters).
pub fn shorten(text: &str) -> String {
    const MAX: usize = 100;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("{cut}…")
    }
}

/// The span of a `$ref` in a schema whose value ends like `uri` (a reference that could
/// not be resolved).
fn find_ref(node: &Node, uri: &str) -> Option<Span> {
    match &node.value {
        Value::Object(members) => members.iter().find_map(|m| {
            if m.key == "$ref" {
                if let Some(r) = m.value.as_str() {
                    if !r.starts_with('#')
                        && (uri.ends_with(r)
                            || r.ends_with(uri)
                            || uri.contains(r.split('#').next().unwrap_or(r)))
                    {
                        return Some(m.value.span);
                    }
                }
            }
            find_ref(&m.value, uri)
        }),
        Value::Array(items) => items.iter().find_map(|i| find_ref(i, uri)),
        _ => None,
    }
}

/// A node and the span a finding about something missing inside it points at.
struct Located<'a> {
    node: &'a Node,
    anchor: Span,
}

fn opening(node: &Node) -> Span {
    match node.value {
        Value::Object(_) | Value::Array(_) if !node.span.is_empty() => {
            Span::new(node.span.start, node.span.start + 1)
        }
        _ => node.span,
    }
}

/// Follows an (escaped) instance path from `root` (whose anchor is `root_anchor`).
fn locate<'a>(root: &'a Node, root_anchor: Span, path: &str) -> Option<Located<'a>> {
    let mut node = root;
    let mut anchor = root_anchor;
    if path.is_empty() {
        return Some(Located { node, anchor });
    }
    for raw in path.strip_prefix('/')?.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        match &node.value {
            Value::Object(_) => {
                let m = node.member(&token)?;
                anchor = m.key_span;
                node = &m.value;
            }
            Value::Array(items) => {
                node = items.get(token.parse::<usize>().ok()?)?;
                anchor = opening(node);
            }
            _ => return None,
        }
    }
    Some(Located { node, anchor })
}

fn collect(
    root: &Node,
    root_anchor: Span,
    base: &str,
    e: &ValidationError<'_>,
    unknown: &dyn Fn(&Node) -> bool,
    out: &mut Vec<SchemaError>,
) {
    let path = e.instance_path().as_str();
    let Some(at) = locate(root, root_anchor, path) else {
        return;
    };
    if unknown(at.node) {
        return;
    }
    let pointer = format!("{base}{path}");
    let got = || show(e.instance());
    let push = |out: &mut Vec<SchemaError>, msg: String| {
        out.push(SchemaError {
            span: at.node.span,
            pointer: pointer.clone(),
            problem: Problem::Other(msg),
        })
    };
    match e.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| property.to_string());
            out.push(SchemaError {
                span: at.anchor,
                pointer,
                problem: Problem::Missing(name),
            });
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            for key in unexpected {
                let span = at.node.member(key).map(|m| m.key_span).unwrap_or(at.anchor);
                out.push(SchemaError {
                    span,
                    pointer: format!("{pointer}/{}", escape_pointer_token(key)),
                    problem: Problem::Unexpected(key.clone()),
                });
            }
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                jsonschema::error::TypeKind::Single(t) => a_type(&t.to_string()),
                jsonschema::error::TypeKind::Multiple(set) => {
                    let names: Vec<String> = set.iter().map(|t| a_type(&t.to_string())).collect();
                    names.join(" or ")
                }
            };
            push(
                out,
                format!("is {}, expected {expected}", a_type(at.node.type_name())),
            );
        }
        ValidationErrorKind::Enum { options } => {
            let list = match options.as_ref() {
                Json::Array(items) => items
                    .iter()
                    .map(|o| format!("`{}`", show(o)))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => format!("`{}`", show(other)),
            };
            push(out, format!("is `{}`, expected one of {list}", got()));
        }
        ValidationErrorKind::Constant { expected_value } => {
            push(
                out,
                format!("is `{}`, expected `{}`", got(), show(expected_value)),
            );
        }
        ValidationErrorKind::Pattern { pattern } => {
            push(out, format!("`{}` does not match `{pattern}`", got()));
        }
        ValidationErrorKind::Minimum { limit } => {
            push(out, format!("is {}, below the minimum {limit}", got()));
        }
        ValidationErrorKind::Maximum { limit } => {
            push(out, format!("is {}, above the maximum {limit}", got()));
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            push(out, format!("is {}, expected more than {limit}", got()));
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            push(out, format!("is {}, expected less than {limit}", got()));
        }
        ValidationErrorKind::MinLength { limit } => {
            push(
                out,
                format!("`{}` is shorter than {limit} characters", got()),
            );
        }
        ValidationErrorKind::MaxLength { limit } => {
            push(
                out,
                format!("`{}` is longer than {limit} characters", got()),
            );
        }
        ValidationErrorKind::MinItems { limit } => {
            push(out, format!("has fewer than {limit} items"));
        }
        ValidationErrorKind::MaxItems { limit } => {
            push(out, format!("has more than {limit} items"));
        }
        ValidationErrorKind::MinProperties { limit } => {
            push(out, format!("has fewer than {limit} properties"));
        }
        ValidationErrorKind::MaxProperties { limit } => {
            push(out, format!("has more than {limit} properties"));
        }
        ValidationErrorKind::UniqueItems => push(out, "has duplicate items".to_string()),
        ValidationErrorKind::FalseSchema => {
            // A property a `false` schema forbids: point at its key, like any property
            // that is not allowed.
            match path
                .rsplit_once('/')
                .map(|(_, k)| k.replace("~1", "/").replace("~0", "~"))
            {
                Some(key) if at.anchor != at.node.span && !key.is_empty() => {
                    out.push(SchemaError {
                        span: at.anchor,
                        pointer: pointer.clone(),
                        problem: Problem::Unexpected(key),
                    })
                }
                _ => push(out, "is not allowed here".to_string()),
            }
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // Report the branch that came closest: the one whose errors lie deepest and
            // are fewest, ignoring branches that failed only on the value's type.
            match best_branch(path, context) {
                Some(branch) => {
                    for sub in branch {
                        collect(root, root_anchor, base, sub, unknown, out);
                    }
                }
                None => push(
                    out,
                    format!("`{}` matches none of the allowed forms", got()),
                ),
            }
        }
        _ => push(out, e.to_string()),
    }
}

/// The branch of an `anyOf` / `oneOf` worth reporting: the one that got past the value's
/// type with the fewest errors; failing that, one that lists the allowed values.
fn best_branch<'e>(
    path: &str,
    context: &'e [Vec<ValidationError<'static>>],
) -> Option<&'e Vec<ValidationError<'static>>> {
    let at_value = |errors: &Vec<ValidationError<'static>>, enum_only: bool| {
        errors.iter().any(|e| {
            e.instance_path().as_str() == path
                && match e.kind() {
                    ValidationErrorKind::Enum { .. } => true,
                    ValidationErrorKind::Type { .. } | ValidationErrorKind::Constant { .. } => {
                        !enum_only
                    }
                    _ => false,
                }
        })
    };
    context
        .iter()
        .filter(|errors| !errors.is_empty() && !at_value(errors, false))
        .min_by_key(|errors| errors.len())
        .or_else(|| {
            context
                .iter()
                .find(|errors| errors.len() == 1 && at_value(errors, true))
        })
}

/// "a string", "an object", "an integer".
fn a_type(name: &str) -> String {
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {name}")
    } else {
        format!("a {name}")
    }
}

/// The input schemas shipped in `schemas/`, by document kind.
static INPUT_SCHEMAS: &[(&str, &str)] = &[
    (
        "aws-key-policy",
        include_str!("../../schemas/aws-key-policy.schema.json"),
    ),
    (
        "azure-vault",
        include_str!("../../schemas/azure-key-vault.schema.json"),
    ),
    (
        "gcp-iam-policy",
        include_str!("../../schemas/gcp-iam-policy.schema.json"),
    ),
    (
        "gcp-crypto-key",
        include_str!("../../schemas/gcp-crypto-key.schema.json"),
    ),
];

/// The input schema of a document kind (compiled once per run), if cmklint ships one:
/// `aws-key-policy`, `azure-vault`, `gcp-iam-policy`, `gcp-crypto-key`. Structural rules
/// use it with [`Schema::check`] and report each error at its span.
pub fn input_schema(kind: &str) -> Option<&'static Schema> {
    static COMPILED: OnceLock<Vec<(&'static str, Option<Schema>)>> = OnceLock::new();
    let all = COMPILED.get_or_init(|| {
        INPUT_SCHEMAS
            .iter()
            .map(|(k, text)| {
                let schema = serde_json::from_str::<Json>(text)
                    .ok()
                    .and_then(|json| Schema::compile(&json).ok());
                (*k, schema)
            })
            .collect()
    });
    all.iter()
        .find(|(k, _)| *k == kind)
        .and_then(|(_, s)| s.as_ref())
}

/// The kinds that have an input schema.
pub fn input_schema_kinds() -> impl Iterator<Item = &'static str> {
    INPUT_SCHEMAS.iter().map(|(k, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn tree(text: &str) -> Node {
        match parse(text).root {
            Some(root) => root,
            None => panic!("test JSON does not parse: {text}"),
        }
    }

    fn schema(json: Json) -> Schema {
        match Schema::compile(&json) {
            Ok(s) => s,
            Err(e) => panic!("schema does not compile: {e}"),
        }
    }

    fn errors(s: &Schema, text: &str) -> Vec<(String, String, String)> {
        let root = tree(text);
        s.check(&root, "", None, &|_| false)
            .into_iter()
            .map(|e| {
                (
                    e.pointer.clone(),
                    text[e.span.start..e.span.end].to_string(),
                    e.message(),
                )
            })
            .collect()
    }

    #[test]
    fn errors_point_at_the_node_they_name() {
        let s = schema(serde_json::json!({
            "type": "object",
            "properties": {
                "Statement": {"type": "array", "items": {
                    "type": "object",
                    "required": ["Effect"],
                    "properties": {"Effect": {"enum": ["Allow", "Deny"]}, "Sid": {"type": "string"}},
                    "additionalProperties": false
                }}
            }
        }));
        let text = r#"{"Statement": [{"Effect": "Alow", "Sid": 3}, {"Efect": "Allow"}]}"#;
        assert_eq!(
            errors(&s, text),
            vec![
                (
                    "/Statement/0/Effect".into(),
                    "\"Alow\"".into(),
                    "is `Alow`, expected one of `Allow`, `Deny`".into()
                ),
                (
                    "/Statement/0/Sid".into(),
                    "3".into(),
                    "is a number, expected a string".into()
                ),
                (
                    "/Statement/1".into(),
                    "{".into(),
                    "`Effect` is missing".into()
                ),
                (
                    "/Statement/1/Efect".into(),
                    "\"Efect\"".into(),
                    "`Efect` is not allowed here".into()
                ),
            ]
        );
    }

    #[test]
    fn unknown_values_never_fail() {
        let s = schema(
            serde_json::json!({"properties": {"enablePurgeProtection": {"type": "boolean"}}}),
        );
        let root = tree(r#"{"enablePurgeProtection": "[parameters('p')]"}"#);
        let unknown = |n: &Node| n.as_str().is_some_and(|t| t.starts_with('['));
        assert!(s.check(&root, "", None, &unknown).is_empty());
        assert_eq!(
            s.check(&root, "/properties", None, &|_| false)[0].pointer,
            "/properties/enablePurgeProtection"
        );
    }

    #[test]
    fn refuses_remote_references() {
        let r = Schema::compile(&serde_json::json!({"$ref": "https://example.com/s.json"}));
        assert!(r.is_err());
    }

    #[test]
    fn input_schemas_compile() {
        for kind in input_schema_kinds() {
            assert!(
                input_schema(kind).is_some(),
                "{kind} schema does not compile"
            );
        }
    }
}
