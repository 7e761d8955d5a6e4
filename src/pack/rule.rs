//! A loaded pack rule and how it runs: find the parts of a document of the rule's kinds,
//! select nodes with the rule's path, check the preconditions, judge each value with the
//! assertion, and report a finding at the node (or, for a missing key, at its nearest
//! existing parent).

use super::assert::{Assertion, Subject};
use super::path::{Deref, Hit, Literal, Resolve, Selector};
use super::schema::show;
use super::template::{ConfigKey, Template, Vars};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::document::Document;
use crate::json::{Node, Value};
use crate::rules::{Context, Rule, RuleMeta};

/// What a precondition looks at.
#[derive(Debug)]
pub enum Target {
    /// A path in the same document part, its wildcards bound to the rule's hit.
    Path(Selector),
    /// A configuration value.
    Config(ConfigKey),
    /// The value the rule's path selected (a condition with neither `path` nor `config`).
    Value,
}

/// A value a rule names in its texts (`vars`): the first string (or other scalar) found
/// at one of `paths`, optionally rewritten by a regex, or `default`.
#[derive(Debug)]
pub struct NamedVar {
    pub name: String,
    pub paths: Vec<Selector>,
    /// A value that does not match is passed over (the next path is tried); one that
    /// matches becomes `replace` with `$1`, `$name` … expanded (default: the whole match,
    /// or the first group when there is one).
    pub pattern: Option<super::assert::Pattern>,
    pub replace: Option<String>,
    pub default: String,
}

/// A label on another node of the finding: at the first value found at `path` that
/// passes `when` (when given).
#[derive(Debug)]
pub struct Label {
    pub path: Selector,
    pub when: Option<Assertion>,
    pub message: Template,
}

/// One outcome of a rule: when every condition holds for a failed value, the finding
/// takes this case's texts and labels (those it gives).
#[derive(Debug)]
pub struct Case {
    pub when: Vec<Condition>,
    pub message: Option<Template>,
    pub help: Option<Template>,
    pub labels: Option<Vec<Label>>,
}

/// One precondition.
#[derive(Debug)]
pub struct Condition {
    pub target: Target,
    pub assertion: Assertion,
    pub default: Option<Node>,
}

/// A rule from a rule pack.
#[derive(Debug)]
pub struct PackRule {
    pub meta: RuleMeta,
    /// Kind ids it applies to.
    pub kinds: Vec<&'static str>,
    pub path: Selector,
    pub when: Vec<Condition>,
    pub assertion: Assertion,
    pub default: Option<Node>,
    pub message: Template,
    pub message_missing: Option<Template>,
    pub help: Template,
    /// Values named in the texts (`vars`).
    pub vars: Vec<NamedVar>,
    /// Outcomes with their own texts, first match wins (`cases`).
    pub cases: Vec<Case>,
    /// Labels on other nodes (`labels`).
    pub labels: Vec<Label>,
    /// The pack file it was loaded from, and the span of its id there.
    pub file: std::sync::Arc<crate::source::SourceFile>,
    pub id_span: crate::source::Span,
    /// [`PackRule::needed_config`], computed once.
    pub needs: std::sync::OnceLock<Vec<ConfigKey>>,
}

/// A part of a document that pack rules of `kind` look at.
pub struct Part<'a> {
    pub kind: &'static str,
    pub root: &'a Node,
    /// The ARM template the part lives in, for resolving `parameters()` / `variables()`.
    pub template: Option<&'a Node>,
    /// Whether values may be unknown at lint time (ARM expressions).
    pub azure: bool,
    /// Whether the document had syntax errors: its tree may lack what the file meant to
    /// say, so nothing is reported missing from it.
    pub broken: bool,
}

/// The parts of a document pack rules see: the document as its kind, plus the parts of
/// other kinds inside it (each vault resource of an ARM template is an `azure-vault`; the
/// policy inside `get-key-policy` output is an `aws-key-policy`).
pub fn parts(doc: &Document) -> Vec<Part<'_>> {
    match doc.root() {
        Some(root) => {
            let embedded = doc.model.embedded();
            let mut out = parts_of(
                doc.model.kind_id(),
                root,
                embedded.and_then(|p| p.root.as_ref()),
            );
            let broken =
                !doc.parsed.issues.is_empty() || embedded.is_some_and(|p| !p.issues.is_empty());
            for p in &mut out {
                p.broken = broken;
            }
            out
        }
        None => Vec::new(),
    }
}

/// The parts of a tree of kind `kind` (see [`parts`]); `embedded` is the policy parsed out
/// of `get-key-policy` output.
pub fn parts_of<'a>(
    kind: &'static str,
    root: &'a Node,
    embedded: Option<&'a Node>,
) -> Vec<Part<'a>> {
    let azure = kind.starts_with("azure-");
    let mut out = vec![Part {
        kind,
        root,
        template: None,
        azure,
        broken: false,
    }];
    match kind {
        "aws-get-key-policy" => {
            if let Some(policy) = embedded {
                out.push(Part {
                    kind: "aws-key-policy",
                    root: policy,
                    template: None,
                    azure: false,
                    broken: false,
                });
            }
        }
        "azure-arm-template" => {
            out[0].template = Some(root);
            let mut vaults = Vec::new();
            arm_resources(root, root, 0, &mut vaults);
            out.extend(vaults.into_iter().map(|(v, scope)| Part {
                kind: "azure-vault",
                root: v,
                template: Some(scope),
                azure: true,
                broken: false,
            }));
        }
        _ => {}
    }
    out
}

/// The kinds of the parts a document of kind `kind` can have (see [`parts_of`]).
fn part_kinds(kind: &'static str) -> &'static [&'static str] {
    match kind {
        "aws-get-key-policy" => &["aws-get-key-policy", "aws-key-policy"],
        "azure-arm-template" => &["azure-arm-template", "azure-vault"],
        "aws-key-policy" => &["aws-key-policy"],
        "aws-key-metadata" => &["aws-key-metadata"],
        "aws-rotation-status" => &["aws-rotation-status"],
        "azure-vault" => &["azure-vault"],
        "azure-role-assignments" => &["azure-role-assignments"],
        "azure-key" => &["azure-key"],
        "gcp-iam-policy" => &["gcp-iam-policy"],
        "gcp-crypto-key" => &["gcp-crypto-key"],
        "gcp-key-ring" => &["gcp-key-ring"],
        _ => &[],
    }
}

/// Collects the `Microsoft.KeyVault/vaults` resources of a template, each with the
/// template its expressions are evaluated in: top-level `resources` (an array, or with
/// `languageVersion` 2.0 an object keyed by symbolic name), nested child resources, and
/// the inline templates of nested deployments (evaluated in the outer template unless
/// `expressionEvaluationOptions.scope` is `inner`).
fn arm_resources<'a>(
    scope: &'a Node,
    node: &'a Node,
    depth: usize,
    out: &mut Vec<(&'a Node, &'a Node)>,
) {
    if depth > 8 {
        return;
    }
    let resources: Vec<&Node> = match node.get_ci("resources").map(|r| &r.value) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Object(members)) => members.iter().map(|m| &m.value).collect(),
        _ => Vec::new(),
    };
    for r in resources {
        let ty = r.get_ci("type").and_then(Node::as_str).unwrap_or("");
        if ty.eq_ignore_ascii_case("Microsoft.KeyVault/vaults") {
            out.push((r, scope));
        }
        arm_resources(scope, r, depth + 1, out);
        let props = r.get_ci("properties");
        if let Some(inner) = props.and_then(|p| p.get_ci("template")) {
            let inner_scope = props
                .and_then(|p| p.get_ci("expressionEvaluationOptions"))
                .and_then(|o| o.get_ci("scope"))
                .and_then(Node::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
            arm_resources(
                if inner_scope { inner } else { scope },
                inner,
                depth + 1,
                out,
            );
        }
    }
}

/// Resolves ARM expressions: `[parameters('x')]` with a literal `defaultValue` and
/// `[variables('x')]` with a literal value are followed; any other expression is unknown.
struct Arm<'a> {
    template: Option<&'a Node>,
}

/// Whether a string is an ARM template expression (`[...]`, not the `[[` escape).
pub fn is_arm_expression(s: &str) -> bool {
    let t = s.trim();
    t.starts_with('[') && t.ends_with(']') && !t.starts_with("[[")
}

impl<'a> Resolve<'a> for Arm<'a> {
    fn deref(&self, node: &'a Node) -> Deref<'a> {
        let mut current = node;
        for _ in 0..4 {
            let Some(s) = current.as_str().filter(|s| is_arm_expression(s)) else {
                return if std::ptr::eq(current, node) {
                    Deref::Known { node, via: None }
                } else {
                    Deref::Known {
                        node: current,
                        via: Some(node.span),
                    }
                };
            };
            match self.template.and_then(|t| reference(t, s)) {
                Some(next) => current = next,
                None => return Deref::Unknown,
            }
        }
        Deref::Unknown
    }
}

/// The node `[parameters('x')]` or `[variables('x')]` names in `template`.
fn reference<'a>(template: &'a Node, expr: &str) -> Option<&'a Node> {
    let inner = expr.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    let open = inner.find('(')?;
    let func = inner[..open].trim();
    let arg = inner[open + 1..].strip_suffix(')')?.trim();
    let name = arg.strip_prefix('\'')?.strip_suffix('\'')?;
    if name.contains('\'') {
        return None;
    }
    if func.eq_ignore_ascii_case("parameters") {
        template
            .get_ci("parameters")?
            .get_ci(name)?
            .get_ci("defaultValue")
    } else if func.eq_ignore_ascii_case("variables") {
        template.get_ci("variables")?.get_ci(name)
    } else {
        None
    }
}

/// Whether a node is unknown at lint time in a part.
fn unknown_in(part: &Part<'_>, node: &Node) -> bool {
    part.azure && node.as_str().is_some_and(is_arm_expression)
}

/// Outcome of a precondition.
enum Holds {
    Yes,
    No,
    Unknown,
}

impl PackRule {
    /// Configuration keys the rule needs to run (to render its texts and operands, or to
    /// judge a condition on a configuration value).
    pub fn needed_config(&self) -> Vec<ConfigKey> {
        let mut keys: Vec<ConfigKey> = self.message.config_keys().collect();
        if let Some(m) = &self.message_missing {
            keys.extend(m.config_keys());
        }
        keys.extend(self.help.config_keys());
        keys.extend(self.assertion.config_keys());
        for l in &self.labels {
            keys.extend(l.message.config_keys());
        }
        for case in &self.cases {
            keys.extend(case.message.iter().flat_map(|t| t.config_keys()));
            keys.extend(case.help.iter().flat_map(|t| t.config_keys()));
            for l in case.labels.iter().flatten() {
                keys.extend(l.message.config_keys());
            }
            for c in &case.when {
                keys.extend(c.assertion.config_keys());
                if let Target::Config(k) = c.target {
                    if c.assertion.judges_values() {
                        keys.push(k);
                    }
                }
            }
        }
        for c in &self.when {
            keys.extend(c.assertion.config_keys());
            if let Target::Config(k) = c.target {
                if c.assertion.judges_values() {
                    keys.push(k);
                }
            }
        }
        keys.sort_by_key(|k| k.name());
        keys.dedup();
        keys
    }

    fn condition(
        &self,
        c: &Condition,
        part: &Part<'_>,
        bindings: &[super::path::Binding],
        config: &Config,
        value: Option<Subject<'_>>,
    ) -> Holds {
        let holds = |subject: Subject<'_>| {
            c.assertion
                .check(subject, config, &|n| unknown_in(part, n))
                .is_empty()
        };
        let yes = |b: bool| if b { Holds::Yes } else { Holds::No };
        match &c.target {
            Target::Value => match value {
                Some(Subject::Present(n, anchor)) => yes(holds(Subject::Present(n, anchor))),
                Some(Subject::Absent { .. }) => yes(absent_holds(c, config, part)),
                None => Holds::Unknown,
            },
            Target::Config(key) => {
                let text;
                let list;
                let node = match key.get(config) {
                    Some(super::template::ConfigValue::Str(s)) => {
                        text = Node::new(Value::String(s.into()), Default::default());
                        Some(&text)
                    }
                    Some(super::template::ConfigValue::List(l)) => {
                        list = Node::new(
                            Value::Array(
                                l.into_iter()
                                    .map(|s| Node::new(Value::String(s.into()), Default::default()))
                                    .collect(),
                            ),
                            Default::default(),
                        );
                        Some(&list)
                    }
                    None => None,
                };
                let ok = match node {
                    Some(n) => holds(Subject::Present(n, n.span)),
                    None => absent_holds(c, config, part),
                };
                yes(ok)
            }
            Target::Path(sel) => {
                let bound = sel.bind(bindings);
                let arm = Arm {
                    template: part.template,
                };
                let resolver: &dyn Resolve<'_> = if part.azure { &arm } else { &Literal };
                let hits = bound.resolve(part.root, resolver);
                if hits.is_empty() {
                    return if absent_holds(c, config, part) {
                        Holds::Yes
                    } else {
                        Holds::No
                    };
                }
                let mut unknown = false;
                for m in &hits {
                    let ok = match &m.hit {
                        Hit::Unknown { .. } => {
                            unknown = true;
                            continue;
                        }
                        Hit::Found { node, anchor, .. } => {
                            if node.is_null() && c.default.is_some() {
                                absent_holds(c, config, part)
                            } else {
                                holds(Subject::Present(node, *anchor))
                            }
                        }
                        Hit::Missing { .. } => absent_holds(c, config, part),
                    };
                    if ok {
                        return Holds::Yes;
                    }
                }
                if unknown {
                    Holds::Unknown
                } else {
                    Holds::No
                }
            }
        }
    }

    fn report(
        &self,
        part: &Part<'_>,
        m: &super::path::Match<'_>,
        subject: Subject<'_>,
        failure: &super::assert::Failure,
        config: &Config,
    ) -> Diagnostic {
        let hit = &m.hit;
        // A null the rule's default stands for reads like a missing key.
        let unset = match hit {
            Hit::Found { node, .. } => node.is_null() && self.default.is_some(),
            Hit::Missing { .. } => true,
            Hit::Unknown { .. } => false,
        };
        let value = match hit {
            Hit::Found { node, .. } if !unset => show(&super::schema::to_json(node)),
            _ => "not set".to_string(),
        };
        let type_name = match hit {
            Hit::Found { node, .. } if !unset => node.type_name(),
            _ => "missing",
        };
        let key = m.last_key();
        let pointer = m.pointer();
        let bindings = m.bindings();
        let at = |sel: &Selector| self.value_at(part, sel, &bindings);
        let named = |i: usize| self.named_value(part, i, &bindings);
        let vars = Vars {
            value: &value,
            key: &key,
            path: &pointer,
            error: &failure.error,
            config,
            at: &at,
            type_name,
            named: &named,
        };
        let case = self.cases.iter().find(|c| {
            c.when.iter().all(|w| {
                matches!(
                    self.condition(w, part, &bindings, config, Some(subject)),
                    Holds::Yes
                )
            })
        });
        let template = match (case.and_then(|c| c.message.as_ref()), &self.message_missing) {
            (Some(t), _) => t,
            (None, Some(m)) if unset => m,
            _ => &self.message,
        };
        let help = case.and_then(|c| c.help.as_ref()).unwrap_or(&self.help);
        // A finding about a whole object or array points at its key, not at every line
        // of it (as a missing key points at its parent's key).
        let span = match (&failure.at, hit) {
            (Some(s), _) => *s,
            (None, Hit::Found { node, anchor, .. })
                if node.as_object().is_some() || node.as_array().is_some() =>
            {
                *anchor
            }
            (None, _) => hit.span(),
        };
        let mut d = Diagnostic::new(
            self.meta.id,
            self.meta.severity,
            span,
            template.render(&vars),
        )
        .with_help(help.render(&vars));
        if let Hit::Found {
            origin: Some(o), ..
        } = hit
        {
            if failure.at.is_none() {
                d = d.with_label(*o, "the value comes from here");
            }
        }
        let labels = case
            .and_then(|c| c.labels.as_deref())
            .unwrap_or(&self.labels);
        for label in labels {
            if let Some(at) = self.label_at(part, label, &bindings, config) {
                d = d.with_label(at, label.message.render(&vars));
            }
        }
        d
    }

    /// Where `label` goes: the first value at its path (bound to the hit's wildcards)
    /// that passes its `when`.
    fn label_at(
        &self,
        part: &Part<'_>,
        label: &Label,
        bindings: &[super::path::Binding],
        config: &Config,
    ) -> Option<crate::source::Span> {
        let arm = Arm {
            template: part.template,
        };
        let resolver: &dyn Resolve<'_> = if part.azure { &arm } else { &Literal };
        label
            .path
            .bind(bindings)
            .resolve(part.root, resolver)
            .into_iter()
            .find_map(|m| match m.hit {
                Hit::Found {
                    node, span, anchor, ..
                } => {
                    let ok = label.when.as_ref().is_none_or(|a| {
                        a.check(Subject::Present(node, anchor), config, &|n| {
                            unknown_in(part, n)
                        })
                        .is_empty()
                    });
                    ok.then_some(if node.as_object().is_some() || node.as_array().is_some() {
                        anchor
                    } else {
                        span
                    })
                }
                _ => None,
            })
    }

    /// The text of the rule's `vars[i]` for a hit (see [`NamedVar`]).
    fn named_value(&self, part: &Part<'_>, i: usize, bindings: &[super::path::Binding]) -> String {
        let Some(var) = self.vars.get(i) else {
            return String::new();
        };
        let arm = Arm {
            template: part.template,
        };
        let resolver: &dyn Resolve<'_> = if part.azure { &arm } else { &Literal };
        for sel in &var.paths {
            for m in sel.bind(bindings).resolve(part.root, resolver) {
                let Hit::Found { node, .. } = m.hit else {
                    continue;
                };
                let text = match &node.value {
                    Value::String(s) => s.to_string(),
                    Value::Number(_) | Value::Bool(_) => show(&super::schema::to_json(node)),
                    _ => continue,
                };
                match &var.pattern {
                    None => return text,
                    Some(re) => {
                        if let Some(caps) = re.regex().and_then(|r| r.captures(&text)) {
                            let mut out = String::new();
                            match &var.replace {
                                Some(r) => caps.expand(r, &mut out),
                                None => out.push_str(
                                    caps.get(1).or(caps.get(0)).map_or("", |g| g.as_str()),
                                ),
                            }
                            return out;
                        }
                    }
                }
            }
        }
        var.default.clone()
    }
}

impl PackRule {
    /// The value at `sel` (its wildcards bound to the hit's) in a part, for `{/name}` in
    /// a message: the first value found (an ARM expression that cannot be resolved is
    /// shown as written), or `-` when there is none.
    fn value_at(
        &self,
        part: &Part<'_>,
        sel: &Selector,
        bindings: &[super::path::Binding],
    ) -> String {
        let arm = Arm {
            template: part.template,
        };
        let resolver: &dyn Resolve<'_> = if part.azure { &arm } else { &Literal };
        for m in sel.bind(bindings).resolve(part.root, resolver) {
            match m.hit {
                Hit::Found { node, .. } => return show(&super::schema::to_json(node)),
                Hit::Unknown { node, .. } => return show(&super::schema::to_json(node)),
                Hit::Missing { .. } => {}
            }
        }
        "-".to_string()
    }
}

/// Whether an object has `key` in another case.
fn has_key_ignoring_case(parent: &Node, key: &str) -> bool {
    parent
        .as_object()
        .unwrap_or_default()
        .iter()
        .any(|m| m.key != key && m.key.eq_ignore_ascii_case(key))
}

/// Whether a condition holds for a missing value: presence checks as usual, value checks
/// judge the condition's default, and without one a missing value does not meet them.
fn absent_holds(c: &Condition, config: &Config, part: &Part<'_>) -> bool {
    if c.assertion.exists == Some(true) {
        return false;
    }
    match &c.default {
        Some(d) => c
            .assertion
            .check(Subject::Absent { default: Some(d) }, config, &|n| {
                unknown_in(part, n)
            })
            .is_empty(),
        None => !c.assertion.judges_values(),
    }
}

impl Rule for PackRule {
    fn meta(&self) -> &RuleMeta {
        &self.meta
    }

    fn check(&self, doc: &Document, cx: &Context, out: &mut Vec<Diagnostic>) {
        // Cheap first: most rules do not apply to most documents.
        let kind = doc.model.kind_id();
        if !self.kinds.iter().any(|k| part_kinds(kind).contains(k)) {
            return;
        }
        self.check_parts(&parts(doc), &doc.source.path, cx, out);
    }
}

impl PackRule {
    /// Runs the rule on the parts of one document (`path` names it in skip notes). The
    /// diagnostics carry spans in that document and no file (the engine adds it).
    pub fn check_parts(
        &self,
        parts: &[Part<'_>],
        path: &std::path::Path,
        cx: &Context,
        out: &mut Vec<Diagnostic>,
    ) {
        let parts: Vec<&Part<'_>> = parts
            .iter()
            .filter(|p| self.kinds.contains(&p.kind))
            .collect();
        if parts.is_empty() {
            return;
        }
        let config = cx.config;
        let missing: Vec<&str> = self
            .needs
            .get_or_init(|| self.needed_config())
            .iter()
            .filter(|k| k.get(config).is_none())
            .map(|k| k.name())
            .collect();
        if !missing.is_empty() {
            cx.skip(
                self.meta.id,
                path,
                &format!("it needs `{}` in cmklint.toml", missing.join("`, `")),
            );
            return;
        }
        let has_path_conditions = self
            .when
            .iter()
            .any(|c| matches!(c.target, Target::Path(_)));
        let has_value_conditions = self.when.iter().any(|c| matches!(c.target, Target::Value));
        for part in parts {
            // Conditions on configuration values hold or not for the whole part.
            let config_ok = self
                .when
                .iter()
                .filter(|c| matches!(c.target, Target::Config(_)))
                .all(|c| matches!(self.condition(c, part, &[], config, None), Holds::Yes));
            if !config_ok {
                continue;
            }
            let arm = Arm {
                template: part.template,
            };
            let resolver: &dyn Resolve<'_> = if part.azure { &arm } else { &Literal };
            // Each hit is judged where the walk finds it; only a failing one is turned
            // into a match (its pointer and bindings are built for the report alone).
            self.path
                .for_each(part.root, resolver, &mut |hit, partial| {
                    let subject = match &hit {
                        Hit::Unknown { .. } => return,
                        Hit::Found { node, .. } if node.is_null() && self.default.is_some() => {
                            Subject::Absent {
                                default: self.default.as_ref(),
                            }
                        }
                        Hit::Found { node, anchor, .. } => Subject::Present(node, *anchor),
                        Hit::Missing { parent, key, .. } => {
                            // Nothing is missing from a broken file's partial tree, nor a key
                            // written in another case (`version` for `Version`: a misspelt
                            // key is another finding, not this one).
                            if part.broken || has_key_ignoring_case(parent, key) {
                                return;
                            }
                            Subject::Absent {
                                default: self.default.as_ref(),
                            }
                        }
                    };
                    if has_value_conditions {
                        let value_ok = self
                            .when
                            .iter()
                            .filter(|c| matches!(c.target, Target::Value))
                            .all(|c| {
                                matches!(
                                    self.condition(c, part, &[], config, Some(subject)),
                                    Holds::Yes
                                )
                            });
                        if !value_ok {
                            return;
                        }
                    }
                    let mut matched = None;
                    if has_path_conditions {
                        let m = partial.to_match(hit.clone());
                        let bindings = m.bindings();
                        let path_ok = self
                            .when
                            .iter()
                            .filter(|c| matches!(c.target, Target::Path(_)))
                            .all(|c| {
                                matches!(
                                    self.condition(c, part, &bindings, config, Some(subject)),
                                    Holds::Yes
                                )
                            });
                        if !path_ok {
                            return;
                        }
                        matched = Some(m);
                    }
                    let failures = self
                        .assertion
                        .check(subject, config, &|n| unknown_in(part, n));
                    if failures.is_empty() {
                        return;
                    }
                    let m = matched.unwrap_or_else(|| partial.to_match(hit.clone()));
                    for f in &failures {
                        out.push(self.report(part, &m, subject, f, config));
                    }
                });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_kinds_cover_every_kind_and_what_parts_of_derives() {
        for k in crate::document::KINDS {
            assert!(part_kinds(k.id).contains(&k.id), "{}", k.id);
        }
        let text = r#"{"resources": [{"type": "Microsoft.KeyVault/vaults", "properties": {}}], "Policy": "{}"}"#;
        let root = match crate::json::parse(text).root {
            Some(r) => r,
            None => panic!("does not parse"),
        };
        for kind in ["azure-arm-template", "aws-get-key-policy"] {
            for p in parts_of(
                crate::document::KINDS
                    .iter()
                    .find(|k| k.id == kind)
                    .map(|k| k.id)
                    .unwrap_or(""),
                &root,
                Some(&root),
            ) {
                assert!(part_kinds(kind).contains(&p.kind), "{kind} -> {}", p.kind);
            }
        }
    }
}
