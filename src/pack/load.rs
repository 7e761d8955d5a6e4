//! Loading a rule pack: parse it with spans, validate it against
//! `schemas/rule-pack.schema.json`, then check what a schema cannot (regexes compile,
//! paths parse, placeholders exist, ids are unique and not taken by built-in rules, the
//! documentation has its sections) and compile it. Every mistake is a `config-error`
//! diagnostic pointing at the characters in the pack file; a pack with any mistake is not
//! used at all.

use std::sync::{Arc, OnceLock};

use super::assert::{Assertion, JsonType, Operand, Pattern};

/// Whether regexes are compiled when the pack is loaded: always for user packs (a broken
/// one is an error), for built-in packs only in debug builds (tests): release runs compile
/// a built-in regex on first use.
fn eager(origin: Origin) -> bool {
    origin == Origin::User || cfg!(debug_assertions)
}
use super::path::Selector;
use super::rule::{Case, Condition, Label, NamedVar, PackRule, Target};
use super::schema::{Problem, Schema};
use super::template::{any_var, config_only, ConfigKey, Template};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::CONFIG_ERROR;
use crate::json::{decode_string_literal, Node, Value};
use crate::rules::{Group, RuleMeta};
use crate::source::{SourceFile, Span};

/// The schema every pack is validated against.
pub const PACK_SCHEMA: &str = include_str!("../../schemas/rule-pack.schema.json");

/// Sections every rule's documentation must have (as for built-in rules).
pub const DOC_SECTIONS: &[&str] = &[
    "## What it checks",
    "## Why it matters",
    "## Example",
    "## Use instead",
];

/// Assertion names, for "did you mean" on a misspelt one.
const ASSERTIONS: &[&str] = &[
    "exists",
    "absent",
    "type",
    "equals",
    "one_of",
    "pattern",
    "not_pattern",
    "min",
    "max",
    "schema",
    "ignore_case",
];

const RULE_FIELDS: &[&str] = &[
    "id",
    "severity",
    "summary",
    "kinds",
    "path",
    "when",
    "assert",
    "default",
    "message",
    "message_missing",
    "help",
    "vars",
    "cases",
    "labels",
    "docs",
];

/// Names `{...}` already gives a meaning to, which a rule's `vars` cannot take.
const RESERVED_NAMES: &[&str] = &["value", "key", "path", "error", "type"];

fn pack_schema() -> Option<&'static Schema> {
    static SCHEMA: OnceLock<Option<Schema>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            serde_json::from_str(PACK_SCHEMA)
                .ok()
                .and_then(|json| Schema::compile(&json).ok())
        })
        .as_ref()
}

/// Where the pack comes from: built-in packs are part of cmklint (their rules join the
/// cloud groups), user packs are the user's (group `custom`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    User,
}

/// Collects a pack's mistakes.
struct Errors {
    file: Arc<SourceFile>,
    out: Vec<Diagnostic>,
    origin: Origin,
}

impl Errors {
    fn push(&mut self, span: Span, message: String) {
        self.out.push(
            Diagnostic::new(CONFIG_ERROR, Severity::Error, span, format!("invalid rule pack: {message}"))
                .with_file(self.file.clone())
                .with_help("fix the rule pack; docs/writing-rules.md describes every field, and schemas/rule-pack.schema.json lets an editor check it as you type"),
        );
    }

    fn push_labelled(&mut self, span: Span, message: String, label: Span, text: &str) {
        self.push(span, message);
        if let Some(d) = self.out.pop() {
            self.out.push(d.with_label(label, text));
        }
    }
}

/// Loads one pack. `taken(id)` says whether a rule id is already used (by a built-in rule
/// or an earlier pack). On success the rules are returned in file order.
pub fn load(
    file: Arc<SourceFile>,
    origin: Origin,
    taken: &dyn Fn(&str) -> bool,
) -> Result<Vec<PackRule>, Vec<Diagnostic>> {
    let mut errors = Errors {
        file: file.clone(),
        out: Vec::new(),
        origin,
    };
    let parsed = crate::json::parse(&file.text);
    for issue in &parsed.issues {
        errors.push(issue.span, issue.message.clone());
    }
    let root = match parsed.root {
        Some(root) if parsed.issues.is_empty() => root,
        _ => {
            if errors.out.is_empty() {
                errors.push(Span::point(0), "the file holds no JSON".to_string());
            }
            return Err(errors.out);
        }
    };

    // 1. The shape, against the pack schema. Built-in packs are checked by a test
    // instead: compiling the schema would cost every run, even a pre-commit hook's.
    let mut bad_rules: Vec<usize> = Vec::new();
    let schema = match origin {
        Origin::User => pack_schema(),
        Origin::Builtin => None,
    };
    match schema {
        Some(schema) => {
            let mut found = schema.check(&root, "", None, &|_| false);
            // Several missing fields of one object are one mistake, one message.
            let mut i = 0;
            while i < found.len() {
                if let Problem::Missing(first) = &found[i].problem {
                    let mut names = vec![first.clone()];
                    let mut j = i + 1;
                    while j < found.len() {
                        match &found[j].problem {
                            Problem::Missing(n) if found[j].pointer == found[i].pointer => {
                                names.push(n.clone());
                                found.remove(j);
                            }
                            _ => j += 1,
                        }
                    }
                    found[i].problem = Problem::Missing(names.join("`, `"));
                }
                i += 1;
            }
            for e in found {
                if let Some(i) = rule_index(&e.pointer) {
                    bad_rules.push(i);
                }
                let message = schema_message(&root, &e.pointer, &e.problem);
                errors.push(e.span, message);
            }
        }
        None if origin == Origin::User => errors.push(
            Span::point(0),
            "cmklint's own rule-pack schema does not compile (a bug in cmklint)".to_string(),
        ),
        None => {}
    }

    // 2. What the schema cannot say, rule by rule.
    let mut rules = Vec::new();
    let mut seen: Vec<(String, Span)> = Vec::new();
    let items = root
        .get("rules")
        .and_then(Node::as_array)
        .unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        if let Some(id_node) = item.get("id") {
            if let Some(id) = id_node.as_str() {
                if let Some((_, first)) = seen.iter().find(|(s, _)| s == id) {
                    errors.push_labelled(
                        id_node.span,
                        format!("rule id `{id}` is used twice in this pack"),
                        *first,
                        "first used here",
                    );
                } else if id == CONFIG_ERROR || id == crate::engine::IO_ERROR {
                    errors.push(
                        id_node.span,
                        format!("rule id `{id}` is reserved by cmklint"),
                    );
                } else if taken(id) {
                    errors.push(
                        id_node.span,
                        format!("rule id `{id}` is already the id of a built-in rule or a rule of another pack; pick another id (for example with your organisation's prefix)"),
                    );
                }
                seen.push((id.to_string(), id_node.span));
            }
        }
        if bad_rules.contains(&i) {
            continue;
        }
        if let Some(rule) = build_rule(&file, item, origin, &mut errors) {
            rules.push(rule);
        }
    }
    if origin == Origin::Builtin {
        // The built-in pack's tree is left to the end of the run, like its rules: freeing
        // it node by node would cost a small run more than linting its input file.
        std::mem::forget(root);
    }
    if errors.out.is_empty() {
        Ok(rules)
    } else {
        Err(errors.out)
    }
}

/// `/rules/3/...` → 3.
fn rule_index(pointer: &str) -> Option<usize> {
    pointer
        .strip_prefix("/rules/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

/// A schema error in a pack, in the words of a pack author.
fn schema_message(root: &Node, pointer: &str, problem: &Problem) -> String {
    let rule_id = rule_index(pointer)
        .and_then(|i| root.pointer(&format!("/rules/{i}/id")))
        .and_then(Node::as_str)
        .map(|id| format!("rule `{id}`: "))
        .unwrap_or_default();
    let parent = pointer.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
    let field = pointer.rsplit('/').next().unwrap_or("");
    let in_assert = parent.ends_with("/assert") || parent.contains("/when");
    let suggest = |name: &str, known: &[&str]| {
        crate::region::did_you_mean(name, known)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default()
    };
    let text = match problem {
        Problem::Unexpected(name)
            if in_assert && !matches!(name.as_str(), "path" | "config" | "default") =>
        {
            format!(
                "unknown assertion `{name}`{}; the assertions are {}",
                suggest(name, ASSERTIONS),
                ASSERTIONS
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        Problem::Unexpected(name)
            if rule_index(pointer).is_some() && parent.matches('/').count() == 2 =>
        {
            format!("unknown rule field `{name}`{}", suggest(name, RULE_FIELDS))
        }
        Problem::Unexpected(name) => format!("unknown field `{name}`"),
        Problem::Missing(name)
            if rule_index(pointer).is_some() && pointer.matches('/').count() == 2 =>
        {
            format!("the rule has no `{name}`")
        }
        Problem::Missing(name) => format!("`{name}` is missing"),
        Problem::Other(_) if field == "path" => {
            let text = root.pointer(pointer).and_then(Node::as_str).unwrap_or("");
            match Selector::parse(text) {
                Err(e) => format!("path {e}"),
                Ok(_) => format!("path `{text}` is not a JSON pointer"),
            }
        }
        Problem::Other(m) => {
            let what = match field {
                "severity" => "severity",
                "id" => "rule id",
                _ if parent.ends_with("/kinds") => "kind",
                "config" => "configuration key",
                "path" => "path",
                _ => "",
            };
            if what.is_empty() {
                format!("`{}` {m}", pointer)
            } else {
                format!("{what} {m}")
            }
        }
    };
    format!("{rule_id}{text}")
}

/// The span of the `i`-th character range of a string literal's decoded text.
fn inner_span(file: &SourceFile, literal: &Node, start: usize, end: usize) -> Span {
    decode_string_literal(&file.text, literal.span)
        .map(|d| d.map_span(Span::new(start, end)))
        .unwrap_or(literal.span)
}

fn build_rule(
    file: &Arc<SourceFile>,
    item: &Node,
    origin: Origin,
    errors: &mut Errors,
) -> Option<PackRule> {
    let before = errors.out.len();
    let s = |key: &str| item.get(key).and_then(Node::as_str).unwrap_or("");
    let id = s("id");
    let prefix = format!("rule `{id}`: ");

    let severity = Severity::parse(s("severity")).unwrap_or(Severity::Error);
    let kinds: Vec<&'static str> = item
        .get("kinds")
        .map(|k| k.strings())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, _)| {
            crate::document::KINDS
                .iter()
                .find(|i| i.id == k)
                .map(|i| i.id)
        })
        .collect();

    let path_node = item.get("path")?;
    let path = match Selector::parse(path_node.as_str().unwrap_or("")) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.push(path_node.span, format!("{prefix}path {e}"));
            None
        }
    };

    let when = build_when(file, item, &prefix, errors);

    let assert_node = item.get("assert")?;
    let assertion = build_assertion(file, assert_node, &prefix, errors);
    let default = item.get("default").cloned();
    if let (Some(a), Some(d)) = (&assertion, item.member("default")) {
        if a.exists == Some(false) {
            errors.push(
                d.key_span,
                format!(
                    "{prefix}a `default` means nothing for a rule that demands the key be absent"
                ),
            );
        }
    }

    let vars = build_vars(item.get("vars"), &prefix, errors);
    let names: Vec<&str> = vars.iter().map(|v| v.name.as_str()).collect();
    let template = |obj: &Node, key: &str, errors: &mut Errors| -> Option<Template> {
        let node = obj.get(key)?;
        match Template::parse_named(node.as_str()?, any_var, &names) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(
                    inner_span(file, node, e.start, e.end),
                    format!("{prefix}{key}: {}", e.message),
                );
                None
            }
        }
    };
    let message = template(item, "message", errors);
    let message_missing = template(item, "message_missing", errors);
    let help = template(item, "help", errors);
    let build_labels = |list: &Node, errors: &mut Errors| -> Vec<Label> {
        let mut out = Vec::new();
        for l in list.as_array().unwrap_or_default() {
            let Some(p) = l.get("path") else { continue };
            let sel = match Selector::parse(p.as_str().unwrap_or("")) {
                Ok(sel) => sel,
                Err(e) => {
                    errors.push(p.span, format!("{prefix}label path {e}"));
                    continue;
                }
            };
            let when = match l.get("when") {
                Some(w) => match build_assertion(file, w, &prefix, errors) {
                    Some(a) => Some(a),
                    None => continue,
                },
                None => None,
            };
            if let Some(message) = template(l, "message", errors) {
                out.push(Label {
                    path: sel,
                    when,
                    message,
                });
            }
        }
        out
    };
    let labels = item
        .get("labels")
        .map(|l| build_labels(l, errors))
        .unwrap_or_default();
    let mut cases = Vec::new();
    for c in item
        .get("cases")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        let when = build_when(file, c, &prefix, errors);
        cases.push(Case {
            when,
            message: template(c, "message", errors),
            help: template(c, "help", errors),
            labels: c.get("labels").map(|l| build_labels(l, errors)),
        });
    }

    let docs_node = item.get("docs")?;
    let docs = docs_node.as_str().unwrap_or("");
    let missing: Vec<&str> = DOC_SECTIONS
        .iter()
        .copied()
        .filter(|sec| !docs.lines().any(|l| l.trim_end() == *sec))
        .collect();
    if !missing.is_empty() {
        errors.push(
            docs_node.span,
            format!(
                "{prefix}docs lack the section{} {}; a rule's documentation has `## What it checks`, `## Why it matters`, `## Example` and `## Use instead`",
                if missing.len() == 1 { "" } else { "s" },
                missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
            ),
        );
    }

    if errors.out.len() > before {
        return None;
    }
    let group = match origin {
        Origin::User => Group::Custom,
        Origin::Builtin => builtin_group(&kinds),
    };
    Some(PackRule {
        meta: RuleMeta {
            id: leak(id),
            group,
            severity,
            summary: leak(s("summary")),
            docs: leak(docs),
            fixable: false,
        },
        kinds,
        path: path?,
        when,
        assertion: assertion?,
        default,
        message: message?,
        message_missing,
        help: help?,
        vars,
        cases,
        labels,
        file: file.clone(),
        id_span: item.get("id").map(|n| n.span).unwrap_or_default(),
        needs: OnceLock::new(),
    })
}

fn builtin_group(kinds: &[&str]) -> Group {
    fn cloud<'k>(k: &&'k str) -> &'k str {
        k.split('-').next().unwrap_or("")
    }
    match kinds.first().map(cloud) {
        Some(c) if kinds.iter().all(|k| cloud(k) == c) => match c {
            "aws" => Group::Aws,
            "azure" => Group::Azure,
            "gcp" => Group::Gcp,
            _ => Group::Shared,
        },
        _ => Group::Shared,
    }
}

/// Strings of loaded packs live for the rest of the run (a one-shot CLI); built-in packs
/// are loaded once.
fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// The conditions of an object's `when` (one condition, or an array of them, all of
/// which must hold); none when it has no `when`.
fn build_when(file: &SourceFile, obj: &Node, prefix: &str, errors: &mut Errors) -> Vec<Condition> {
    let Some(w) = obj.get("when") else {
        return Vec::new();
    };
    let conds: Vec<&Node> = match &w.value {
        Value::Array(items) => items.iter().collect(),
        _ => vec![w],
    };
    conds
        .into_iter()
        .filter_map(|c| build_condition(file, c, prefix, errors))
        .collect()
}

fn build_condition(
    file: &SourceFile,
    c: &Node,
    prefix: &str,
    errors: &mut Errors,
) -> Option<Condition> {
    let target = match (c.get("path"), c.get("config")) {
        (Some(p), None) => match Selector::parse(p.as_str().unwrap_or("")) {
            Ok(sel) => Target::Path(sel),
            Err(e) => {
                errors.push(p.span, format!("{prefix}condition path {e}"));
                return None;
            }
        },
        (None, Some(k)) => match k.as_str().and_then(ConfigKey::parse) {
            Some(key) => Target::Config(key),
            None => return None, // the schema reported it
        },
        (Some(_), Some(k)) => {
            errors.push(
                c.member("config").map(|m| m.key_span).unwrap_or(k.span),
                format!("{prefix}a condition looks at a `path` or a `config` value, not both"),
            );
            return None;
        }
        // Neither: the condition judges the value the rule's path selected.
        (None, None) => Target::Value,
    };
    let assertion = build_assertion(file, c, prefix, errors)?;
    if !assertion.judges_values() && assertion.exists.is_none() {
        errors.push(
            Span::new(c.span.start, c.span.start + 1),
            format!(
                "{prefix}the condition checks nothing; add a check such as `equals` or `exists`"
            ),
        );
        return None;
    }
    Some(Condition {
        target,
        assertion,
        default: c.get("default").cloned(),
    })
}

/// Builds a rule's `vars`: name → `{"path": …, "pattern": …, "replace": …, "default": …}`.
fn build_vars(node: Option<&Node>, prefix: &str, errors: &mut Errors) -> Vec<NamedVar> {
    let mut out = Vec::new();
    let Some(members) = node.and_then(Node::as_object) else {
        return out;
    };
    for m in members {
        let name = m.key.as_str();
        if RESERVED_NAMES.contains(&name) || ConfigKey::parse(name).is_some() {
            errors.push(
                m.key_span,
                format!(
                    "{prefix}`{name}` already names a value in texts; give this one another name"
                ),
            );
            continue;
        }
        let v = &m.value;
        let paths: Vec<&Node> = match v.get("path").map(|p| &p.value) {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(_) => v.get("path").into_iter().collect(),
            None => Vec::new(),
        };
        let mut sels = Vec::new();
        for p in paths {
            match Selector::parse(p.as_str().unwrap_or("")) {
                Ok(sel) => sels.push(sel),
                Err(e) => errors.push(p.span, format!("{prefix}`{name}` path {e}")),
            }
        }
        let pattern = match v.get("pattern") {
            Some(p) => {
                let src = p.as_str().unwrap_or("");
                let compiled = if eager(errors.origin) {
                    Pattern::compile(src)
                } else {
                    Ok(Pattern::lazy(src))
                };
                match compiled {
                    Ok(re) => Some(re),
                    Err(e) => {
                        errors.push(
                            p.span,
                            format!(
                                "{prefix}`{name}` pattern `{src}` is not a valid regular expression: {}",
                                regex_error(&e)
                            ),
                        );
                        // Still named, so the texts that use it are not a second error.
                        None
                    }
                }
            }
            None => None,
        };
        out.push(NamedVar {
            name: name.to_string(),
            paths: sels,
            pattern,
            replace: v.get("replace").and_then(Node::as_str).map(str::to_string),
            default: v
                .get("default")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
        });
    }
    out
}

/// Builds the checks of an assertion (or condition) object.
fn build_assertion(
    file: &SourceFile,
    a: &Node,
    prefix: &str,
    errors: &mut Errors,
) -> Option<Assertion> {
    let before = errors.out.len();
    let mut out = Assertion::default();
    let member_span = |key: &str| a.member(key).map(|m| m.key_span).unwrap_or(a.span);

    match (
        a.get("exists").and_then(Node::as_bool),
        a.get("absent").and_then(Node::as_bool),
    ) {
        (Some(true), Some(true)) => {
            errors.push(
                member_span("absent"),
                format!("{prefix}`exists: true` and `absent: true` contradict each other"),
            );
        }
        (e, Some(true)) => out.exists = e.map(|_| false).or(Some(false)),
        (e, _) => out.exists = e,
    }
    if let Some(t) = a.get("type") {
        out.types = t
            .strings()
            .into_iter()
            .filter_map(|(n, _)| JsonType::parse(n))
            .collect();
    }
    let operand = |n: &Node, errors: &mut Errors| -> Option<Operand> {
        match n.as_str() {
            Some(s) if s.contains('{') || s.contains('}') => {
                match Template::parse(s, config_only) {
                    Ok(t) if t.is_literal() => Some(Operand::Json(Node::new(
                        Value::String(t.render_config(&crate::config::Config::default()).into()),
                        n.span,
                    ))),
                    Ok(t) => Some(Operand::Config(t)),
                    Err(e) => {
                        errors.push(
                            inner_span(file, n, e.start, e.end),
                            format!("{prefix}{}", e.message),
                        );
                        None
                    }
                }
            }
            _ => Some(Operand::Json(n.clone())),
        }
    };
    if let Some(e) = a.get("equals") {
        out.equals = operand(e, errors);
    }
    if let Some(list) = a.get("one_of").and_then(Node::as_array) {
        out.one_of = Some(list.iter().filter_map(|n| operand(n, errors)).collect());
    }
    for key in ["pattern", "not_pattern"] {
        let Some(node) = a.get(key) else { continue };
        let Some(src) = node.as_str() else { continue };
        let compiled = if eager(errors.origin) {
            Pattern::compile(src)
        } else {
            Ok(Pattern::lazy(src))
        };
        match compiled {
            Ok(p) => {
                if key == "pattern" {
                    out.pattern = Some(p);
                } else {
                    out.not_pattern = Some(p);
                }
            }
            Err(e) => errors.push(
                node.span,
                format!(
                    "{prefix}{key} `{src}` is not a valid regular expression: {}",
                    regex_error(&e)
                ),
            ),
        }
    }
    out.min = a.get("min").and_then(Node::as_f64);
    out.max = a.get("max").and_then(Node::as_f64);
    if let (Some(min), Some(max)) = (out.min, out.max) {
        if min > max {
            errors.push(
                member_span("max"),
                format!("{prefix}`max` ({max}) is below `min` ({min}); no value can pass"),
            );
        }
    }
    if let Some(s) = a.get("schema") {
        match Schema::compile_node(s) {
            Ok(schema) => out.schema = Some(schema),
            Err(e) => errors.push(
                e.span,
                format!(
                    "{prefix}schema is not a valid JSON Schema: `{}` {}",
                    if e.pointer.is_empty() {
                        "$ref"
                    } else {
                        e.pointer.rsplit('/').next().unwrap_or("")
                    },
                    e.message()
                ),
            ),
        }
    }
    out.ignore_case = a
        .get("ignore_case")
        .and_then(Node::as_bool)
        .unwrap_or(false);
    if out.exists == Some(false) && out.judges_values() {
        errors.push(
            member_span(if a.get("absent").is_some() { "absent" } else { "exists" }),
            format!("{prefix}a key that must be absent has no value to check; drop the other checks or the absence check"),
        );
    }
    (errors.out.len() == before).then_some(out)
}

/// The useful line of a regex error (the crate's message spans several lines).
fn regex_error(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find(|l| l.starts_with("error:"))
            .map(|l| l.trim_start_matches("error:").trim().to_string())
            .unwrap_or_else(|| text.trim().to_string()),
        regex::Error::CompiledTooBig(limit) => format!("it compiles to more than {limit} bytes"),
        other => other.to_string(),
    }
}
