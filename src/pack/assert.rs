//! Assertions: what a pack rule demands of the value its path selects.
//!
//! An assertion object holds one or more checks (`exists`, `absent`, `type`, `equals`,
//! `one_of`, `pattern`, `not_pattern`, `min`, `max`, `schema`); all must hold. They are
//! tried in that order and the first that fails is the finding (one mistake, one
//! finding), except `schema`, which reports each schema error at its own node.
//!
//! Presence is judged by `exists` / `absent` alone: the other checks judge a value, so a
//! missing value passes them (unless the rule gives a `default` to judge instead).

use regex::Regex;

use super::schema::{show, Schema};
use super::template::Template;
use crate::config::Config;
use crate::json::{Node, Value};
use crate::source::Span;

/// A JSON type name as in JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    Null,
    Boolean,
    Number,
    Integer,
    String,
    Array,
    Object,
}

impl JsonType {
    pub fn parse(name: &str) -> Option<JsonType> {
        Some(match name {
            "null" => JsonType::Null,
            "boolean" => JsonType::Boolean,
            "number" => JsonType::Number,
            "integer" => JsonType::Integer,
            "string" => JsonType::String,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }

    fn accepts(self, node: &Node) -> bool {
        match (self, &node.value) {
            (JsonType::Null, Value::Null)
            | (JsonType::Boolean, Value::Bool(_))
            | (JsonType::Number, Value::Number(_))
            | (JsonType::String, Value::String(_))
            | (JsonType::Array, Value::Array(_))
            | (JsonType::Object, Value::Object(_)) => true,
            (JsonType::Integer, Value::Number(_)) => {
                node.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        }
    }
}

/// A regular expression and its source, compiled on first use: a built-in pack's regexes
/// cost nothing in a run that never needs them (user packs compile theirs when loaded, to
/// report a broken one; tests compile the built-in ones).
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    regex: std::sync::OnceLock<Option<Regex>>,
}

/// Regexes larger than this (compiled) are refused: a pack must not make a run slow.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl Pattern {
    /// Compiles `source` now.
    pub fn compile(source: &str) -> Result<Pattern, regex::Error> {
        let regex = regex::RegexBuilder::new(source)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()?;
        let cell = std::sync::OnceLock::new();
        let _ = cell.set(Some(regex));
        Ok(Pattern {
            source: source.to_string(),
            regex: cell,
        })
    }

    /// Compiles `source` on first use (a source known to compile).
    pub fn lazy(source: &str) -> Pattern {
        Pattern {
            source: source.to_string(),
            regex: std::sync::OnceLock::new(),
        }
    }

    /// The compiled regex (`None` only for a lazy source that does not compile).
    pub fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| {
                regex::RegexBuilder::new(&self.source)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
    }

    fn is_match(&self, s: &str) -> bool {
        self.regex().is_some_and(|r| r.is_match(s))
    }
}

/// An operand of `equals` / `one_of`: a JSON value from the pack, or a string naming
/// configuration values (`"{aura.region}"`), rendered per unit.
#[derive(Debug, Clone)]
pub enum Operand {
    Json(Node),
    Config(Template),
}

impl Operand {
    /// The operand's value for `config`.
    fn value(&self, config: &Config) -> Node {
        match self {
            Operand::Json(n) => n.clone(),
            Operand::Config(t) => Node::new(
                Value::String(t.render_config(config).into()),
                Span::default(),
            ),
        }
    }

    /// The configuration keys it needs.
    pub fn config_keys(&self) -> Vec<super::template::ConfigKey> {
        match self {
            Operand::Json(_) => Vec::new(),
            Operand::Config(t) => t.config_keys().collect(),
        }
    }
}

/// The checks of one assertion.
#[derive(Debug, Default)]
pub struct Assertion {
    /// `exists: true` / `exists: false` (`absent: true` is `exists: false`).
    pub exists: Option<bool>,
    pub types: Vec<JsonType>,
    pub equals: Option<Operand>,
    pub one_of: Option<Vec<Operand>>,
    pub pattern: Option<Pattern>,
    pub not_pattern: Option<Pattern>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub schema: Option<Schema>,
    /// Compare strings in `equals` / `one_of` ignoring ASCII case.
    pub ignore_case: bool,
}

/// One failed check.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// What is wrong, as a fragment ("does not match `^eu-`"); `{error}` in messages.
    pub error: String,
    /// For a schema error inside the value: where it points.
    pub at: Option<Span>,
}

impl Failure {
    fn new(error: String) -> Failure {
        Failure { error, at: None }
    }
}

/// The value an assertion looks at.
#[derive(Clone, Copy)]
pub enum Subject<'a> {
    /// Present in the document (`anchor`: where a property missing from it is reported).
    Present(&'a Node, Span),
    /// Absent (or null with a rule default); `default` is what the rule says it means.
    Absent { default: Option<&'a Node> },
}

impl Assertion {
    /// Whether it checks values at all (beyond presence).
    pub fn judges_values(&self) -> bool {
        !self.types.is_empty()
            || self.equals.is_some()
            || self.one_of.is_some()
            || self.pattern.is_some()
            || self.not_pattern.is_some()
            || self.min.is_some()
            || self.max.is_some()
            || self.schema.is_some()
    }

    /// Configuration keys its operands name.
    pub fn config_keys(&self) -> Vec<super::template::ConfigKey> {
        let mut keys: Vec<_> = self.equals.iter().flat_map(Operand::config_keys).collect();
        for o in self.one_of.iter().flatten() {
            keys.extend(o.config_keys());
        }
        keys
    }

    /// Checks `subject`. `unknown` says which values inside it are unknown at lint time
    /// (for schema errors); the subject itself is known (callers never judge an unknown
    /// value). Returns the failures (empty: it holds).
    pub fn check(
        &self,
        subject: Subject<'_>,
        config: &Config,
        unknown: &dyn Fn(&Node) -> bool,
    ) -> Vec<Failure> {
        let (value, anchor) = match subject {
            Subject::Present(node, anchor) => {
                if self.exists == Some(false) {
                    return vec![Failure::new("is present".to_string())];
                }
                (node, Some(anchor))
            }
            Subject::Absent { default } => {
                if self.exists == Some(true) {
                    return vec![Failure::new("is missing".to_string())];
                }
                match default {
                    Some(d) => (d, None),
                    None => return Vec::new(),
                }
            }
        };
        let is_default = matches!(subject, Subject::Absent { .. });
        let shown = || {
            let s = show(&super::schema::to_json(value));
            if is_default {
                format!("not set (so `{s}`)")
            } else {
                format!("`{s}`")
            }
        };

        if !self.types.is_empty() && !self.types.iter().any(|t| t.accepts(value)) {
            let names: Vec<&str> = self.types.iter().map(|t| t.name()).collect();
            return vec![Failure::new(format!(
                "is {}, expected {}",
                a(value.type_name()),
                names.iter().map(|n| a(n)).collect::<Vec<_>>().join(" or ")
            ))];
        }
        if let Some(op) = &self.equals {
            let want = op.value(config);
            if !same(value, &want, self.ignore_case) {
                return vec![Failure::new(format!(
                    "is {}, expected `{}`",
                    shown(),
                    show(&super::schema::to_json(&want))
                ))];
            }
        }
        if let Some(ops) = &self.one_of {
            let wants: Vec<Node> = ops.iter().map(|o| o.value(config)).collect();
            if !wants.iter().any(|w| same(value, w, self.ignore_case)) {
                let list: Vec<String> = wants
                    .iter()
                    .map(|w| format!("`{}`", show(&super::schema::to_json(w))))
                    .collect();
                return vec![Failure::new(format!(
                    "is {}, expected one of {}",
                    shown(),
                    list.join(", ")
                ))];
            }
        }
        if let Some(p) = &self.pattern {
            match value.as_str() {
                Some(s) if p.is_match(s) => {}
                Some(_) => {
                    return vec![Failure::new(format!(
                        "{} does not match `{}`",
                        shown(),
                        p.source
                    ))]
                }
                None => {
                    return vec![Failure::new(format!(
                        "is {}, expected a string matching `{}`",
                        a(value.type_name()),
                        p.source
                    ))]
                }
            }
        }
        if let Some(p) = &self.not_pattern {
            if let Some(s) = value.as_str() {
                if p.is_match(s) {
                    return vec![Failure::new(format!("{} matches `{}`", shown(), p.source))];
                }
            }
        }
        if self.min.is_some() || self.max.is_some() {
            let Some(n) = numeric(value) else {
                return vec![Failure::new(format!(
                    "is {}, expected a number",
                    if value.as_str().is_some() {
                        shown()
                    } else {
                        a(value.type_name())
                    }
                ))];
            };
            if let Some(min) = self.min.filter(|m| n < *m) {
                return vec![Failure::new(format!(
                    "is {}, below the minimum {}",
                    shown(),
                    num(min)
                ))];
            }
            if let Some(max) = self.max.filter(|m| n > *m) {
                return vec![Failure::new(format!(
                    "is {}, above the maximum {}",
                    shown(),
                    num(max)
                ))];
            }
        }
        if let Some(schema) = &self.schema {
            return schema
                .check(value, "", anchor, unknown)
                .into_iter()
                .map(|e| Failure {
                    error: e.message(),
                    at: (!is_default).then_some(e.span),
                })
                .collect();
        }
        Vec::new()
    }
}

/// A number, a string holding a number (`"42"`), or a Google duration (`"7776000s"`,
/// seconds).
pub fn numeric(node: &Node) -> Option<f64> {
    match &node.value {
        Value::Number(_) => node.as_f64(),
        Value::String(s) => {
            let t = s.trim();
            let t = t.strip_suffix('s').unwrap_or(t);
            if t.is_empty()
                || !t
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
            {
                return None;
            }
            t.parse::<f64>().ok().filter(|f| f.is_finite())
        }
        _ => None,
    }
}

/// Formats a number without a trailing `.0`.
fn num(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// JSON equality (numbers by value, objects ignoring member order).
pub fn same(a: &Node, b: &Node, ignore_case: bool) -> bool {
    match (&a.value, &b.value) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((a.as_f64(), b.as_f64()), (Some(p), Some(q)) if p == q)
        }
        (Value::String(x), Value::String(y)) => {
            if ignore_case {
                x.eq_ignore_ascii_case(y)
            } else {
                x == y
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q, ignore_case))
        }
        (Value::Object(_), Value::Object(y)) => {
            let keys_a = distinct_keys(a);
            keys_a.len() == distinct_keys(b).len()
                && y.iter().all(|m| {
                    a.get(&m.key)
                        .is_some_and(|v| b.get(&m.key).is_some_and(|w| same(v, w, ignore_case)))
                })
        }
        _ => false,
    }
}

fn distinct_keys(n: &Node) -> Vec<&str> {
    let mut keys: Vec<&str> = n
        .as_object()
        .unwrap_or_default()
        .iter()
        .map(|m| m.key.as_str())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// "a string", "an object".
fn a(name: &str) -> String {
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {name}")
    } else {
        format!("a {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn node(text: &str) -> Node {
        match parse(text).root {
            Some(root) => root,
            None => panic!("test JSON does not parse: {text}"),
        }
    }

    fn run(a: &Assertion, value: Option<&str>) -> Vec<String> {
        let config = Config::default();
        let n = value.map(node);
        let subject = match &n {
            Some(n) => Subject::Present(n, n.span),
            None => Subject::Absent { default: None },
        };
        a.check(subject, &config, &|_| false)
            .into_iter()
            .map(|f| f.error)
            .collect()
    }

    fn re(s: &str) -> Option<Pattern> {
        Pattern::compile(s).ok()
    }

    #[test]
    fn presence() {
        let exists = Assertion {
            exists: Some(true),
            ..Assertion::default()
        };
        assert_eq!(run(&exists, None), vec!["is missing"]);
        assert!(run(&exists, Some("null")).is_empty());
        let absent = Assertion {
            exists: Some(false),
            ..Assertion::default()
        };
        assert_eq!(run(&absent, Some("1")), vec!["is present"]);
        assert!(run(&absent, None).is_empty());
        // Value checks pass on a missing value.
        let eq = Assertion {
            equals: Some(Operand::Json(node("true"))),
            ..Assertion::default()
        };
        assert!(run(&eq, None).is_empty());
    }

    #[test]
    fn values() {
        let eq = Assertion {
            equals: Some(Operand::Json(node("true"))),
            ..Assertion::default()
        };
        assert_eq!(run(&eq, Some("false")), vec!["is `false`, expected `true`"]);
        assert!(run(&eq, Some("true")).is_empty());

        let one = Assertion {
            one_of: Some(vec![
                Operand::Json(node("\"RSA\"")),
                Operand::Json(node("\"RSA-HSM\"")),
            ]),
            ignore_case: true,
            ..Assertion::default()
        };
        assert!(run(&one, Some("\"rsa-hsm\"")).is_empty());
        assert_eq!(
            run(&one, Some("\"EC\"")),
            vec!["is `EC`, expected one of `RSA`, `RSA-HSM`"]
        );

        let pat = Assertion {
            pattern: re("^eu-"),
            ..Assertion::default()
        };
        assert_eq!(
            run(&pat, Some("\"us-east-1\"")),
            vec!["`us-east-1` does not match `^eu-`"]
        );
        assert_eq!(
            run(&pat, Some("3")),
            vec!["is a number, expected a string matching `^eu-`"]
        );
        let not = Assertion {
            not_pattern: re("^global$"),
            ..Assertion::default()
        };
        assert_eq!(
            run(&not, Some("\"global\"")),
            vec!["`global` matches `^global$`"]
        );
        assert!(run(&not, Some("3")).is_empty());

        let ty = Assertion {
            types: vec![JsonType::Integer],
            ..Assertion::default()
        };
        assert!(run(&ty, Some("3.0")).is_empty());
        assert_eq!(
            run(&ty, Some("\"3\"")),
            vec!["is a string, expected an integer"]
        );

        let range = Assertion {
            min: Some(1.0),
            max: Some(15552000.0),
            ..Assertion::default()
        };
        assert!(run(&range, Some("\"7776000s\"")).is_empty());
        assert_eq!(
            run(&range, Some("\"31536000s\"")),
            vec!["is `31536000s`, above the maximum 15552000"]
        );
        assert_eq!(run(&range, Some("0")), vec!["is `0`, below the minimum 1"]);
        assert_eq!(
            run(&range, Some("\"soon\"")),
            vec!["is `soon`, expected a number"]
        );
    }

    #[test]
    fn default_is_judged_when_absent() {
        let eq = Assertion {
            equals: Some(Operand::Json(node("true"))),
            ..Assertion::default()
        };
        let config = Config::default();
        let d = node("false");
        let f = eq.check(Subject::Absent { default: Some(&d) }, &config, &|_| false);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].error, "is not set (so `false`), expected `true`");
    }

    #[test]
    fn equality() {
        assert!(same(
            &node(r#"{"a": 1, "b": [1.0]}"#),
            &node(r#"{"b": [1], "a": 1}"#),
            false
        ));
        assert!(!same(
            &node(r#"{"a": 1}"#),
            &node(r#"{"a": 1, "b": 2}"#),
            false
        ));
        assert!(!same(&node("\"A\""), &node("\"a\""), false));
    }
}
