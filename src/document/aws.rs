//! AWS documents: which AWS KMS kind a file is (DESIGN §3), and its typed, span-carrying
//! model.
//!
//! Four kinds: a key policy, `aws kms get-key-policy` output (the policy inside the `Policy`
//! string is parsed on its own, spans mapped back into the string literal), `aws kms
//! describe-key` output and `aws kms get-key-rotation-status` output. Key policies are
//! recognised narrowly — an S3 bucket policy or an IAM identity policy is not one. A file
//! that does not parse is recognised by text markers so a broken key policy is still
//! reported. This module extracts; it never reports findings.

pub mod actions;
pub mod arn;

use super::{Classified, Model};
use crate::json::{self, Member, Node, Parsed, Str, Value};
use crate::source::{SourceFile, Span};

/// A string value with the span of its literal (quotes included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub value: Str,
    pub span: Span,
}

impl Text {
    fn of(node: &Node) -> Option<Text> {
        node.as_str().map(|s| Text {
            value: Str::from(s),
            span: node.span,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// The typed model of one AWS document.
#[derive(Debug, Clone)]
pub enum AwsDoc {
    /// A key policy document (`{"Version": …, "Statement": […]}`).
    KeyPolicy(Box<Policy>),
    /// `aws kms get-key-policy` output: the policy is a JSON string in `Policy`.
    GetKeyPolicy(Box<KeyPolicyOutput>),
    /// `aws kms describe-key` output.
    KeyMetadata(Box<KeyMetadata>),
    /// `aws kms get-key-rotation-status` output.
    RotationStatus(Box<RotationStatus>),
}

impl AwsDoc {
    pub fn kind_name(&self) -> &'static str {
        match self {
            AwsDoc::KeyPolicy(_) => "AWS key policy",
            AwsDoc::GetKeyPolicy(_) => "AWS get-key-policy output",
            AwsDoc::KeyMetadata(_) => "AWS key metadata",
            AwsDoc::RotationStatus(_) => "AWS key rotation status",
        }
    }

    /// The policy parsed out of a `get-key-policy` `Policy` string, spans mapped.
    pub fn embedded(&self) -> Option<&Parsed> {
        match self {
            AwsDoc::GetKeyPolicy(out) => out.embedded.as_ref(),
            _ => None,
        }
    }

    /// The key policy this document holds (directly or inside `Policy`), if understood.
    pub fn policy(&self) -> Option<&Policy> {
        match self {
            AwsDoc::KeyPolicy(p) => Some(p),
            AwsDoc::GetKeyPolicy(out) => out.policy.as_ref(),
            _ => None,
        }
    }
}

/// The AWS model of a document, if it is an AWS document.
pub fn model(doc: &super::Document) -> Option<&AwsDoc> {
    match &doc.model {
        Model::Aws(d) => Some(d),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Key policy model
// ---------------------------------------------------------------------------------------

/// A key policy document.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The policy object (for an embedded policy: mapped into the outer file).
    pub span: Span,
    /// Every top-level member, in order.
    pub members: Vec<Element>,
    /// `Version`: its key span and value.
    pub version: Option<Member>,
    /// `Statement`: its key, and its value's span and shape.
    pub statement: Option<Element>,
    /// The statements, in order. Statements found inside a nested array or a pasted whole
    /// policy are included with `spliced` set (the splice rules report the nesting).
    pub statements: Vec<Statement>,
    /// `Statement` elements that are neither an object nor an array (a string, a number).
    pub bad_elements: Vec<Node>,
    /// Bytes of the policy text as it would be submitted to `PutKeyPolicy`.
    pub submitted_len: usize,
}

/// A member of an object without its value's content (which stays in the document's tree):
/// its key, and its value's span, type and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub key: Str,
    pub key_span: Span,
    /// The value's span.
    pub span: Span,
    /// The value's type, as [`Node::type_name`] names it (`"array"`, `"string"`, …).
    pub type_name: &'static str,
    /// The items of an array value or the members of an object value; 0 for a scalar.
    pub len: usize,
}

impl Element {
    fn of(m: &Member) -> Element {
        Element {
            key: m.key.clone(),
            key_span: m.key_span,
            span: m.value.span,
            type_name: m.value.type_name(),
            len: match &m.value.value {
                Value::Array(items) => items.len(),
                Value::Object(members) => members.len(),
                _ => 0,
            },
        }
    }

    pub fn is_array(&self) -> bool {
        self.type_name == "array"
    }
}

/// One statement of a key policy.
#[derive(Debug, Clone)]
pub struct Statement {
    /// The statement object.
    pub span: Span,
    /// Position in the flattened statement list (0-based).
    pub index: usize,
    /// Found inside a nested array or a pasted policy rather than directly in `Statement`.
    pub spliced: bool,
    pub sid: Option<Text>,
    pub effect: Option<Effect>,
    pub principal: Option<Principal>,
    pub action: Option<StringList>,
    pub resource: Option<StringList>,
    pub condition: Option<Condition>,
}

/// `Effect`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    pub kind: EffectKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EffectKind {
    Allow,
    Deny,
    /// Anything else, as written (or the value's type for a non-string).
    Other(String),
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone)]
pub struct Principal {
    /// True for `NotPrincipal`.
    pub not: bool,
    pub key_span: Span,
    pub span: Span,
    pub entries: Vec<PrincipalEntry>,
    /// The value's shape is not one IAM accepts (a number, a list at the top level...).
    pub malformed: bool,
}

/// One principal: `"*"`, or one value of `{"AWS": …}`, `{"Service": …}`, ….
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalEntry {
    /// `*` for the bare wildcard `"Principal": "*"`, else the map key (`AWS`, `Service`,
    /// `Federated`, `CanonicalUser`).
    pub kind: Str,
    pub value: Str,
    pub span: Span,
}

impl PrincipalEntry {
    /// Anyone: `"*"` or `{"AWS": "*"}`.
    pub fn is_anyone(&self) -> bool {
        (self.kind == "*" || self.kind == "AWS") && self.value == "*"
    }
}

/// `Action`/`NotAction` or `Resource`/`NotResource`: a string or a list of strings.
#[derive(Debug, Clone)]
pub struct StringList {
    /// True for the `Not…` form.
    pub not: bool,
    pub key: Str,
    pub key_span: Span,
    pub span: Span,
    pub items: Vec<Text>,
    /// Some value is not a string (or the whole value is neither string nor list).
    pub malformed: bool,
}

/// `Condition`: operator → key → values.
#[derive(Debug, Clone)]
pub struct Condition {
    pub key_span: Span,
    pub span: Span,
    pub operators: Vec<ConditionOperator>,
    pub malformed: bool,
}

#[derive(Debug, Clone)]
pub struct ConditionOperator {
    /// As written, e.g. `StringEquals`, `ForAnyValue:StringLike`, `StringEqualsIfExists`.
    pub name: Text,
    pub span: Span,
    pub entries: Vec<ConditionEntry>,
}

#[derive(Debug, Clone)]
pub struct ConditionEntry {
    /// The condition key as written (`kms:CallerAccount`).
    pub key: Text,
    /// The values; booleans and numbers as their text.
    pub values: Vec<Text>,
    pub span: Span,
}

impl ConditionOperator {
    /// The operator without a `ForAnyValue:`/`ForAllValues:` qualifier or `IfExists` suffix.
    pub fn base(&self) -> &str {
        let n = self.name.value.as_str();
        let n = n
            .strip_prefix("ForAnyValue:")
            .or_else(|| n.strip_prefix("ForAllValues:"))
            .unwrap_or(n);
        n.strip_suffix("IfExists").unwrap_or(n)
    }

    pub fn if_exists(&self) -> bool {
        self.name.value.ends_with("IfExists")
    }
}

/// Statement elements IAM knows (the parser's list: it needs them to recover).
pub use crate::json::STATEMENT_ELEMENTS;

fn extract_policy(root: &Node, submitted_len: usize) -> Policy {
    let mut p = Policy {
        span: root.span,
        members: root
            .as_object()
            .unwrap_or_default()
            .iter()
            .map(Element::of)
            .collect(),
        version: root.member("Version").cloned(),
        statement: root.member("Statement").map(Element::of),
        statements: Vec::new(),
        bad_elements: Vec::new(),
        submitted_len,
    };
    if let Some(st) = root.get("Statement") {
        match &st.value {
            Value::Object(_) => push_statement(&mut p, st, false),
            Value::Array(items) => {
                for item in items {
                    collect_statements(&mut p, item, false, 0);
                }
            }
            _ => {}
        }
    }
    p
}

/// The statements of a standalone JSON value, as saved from the Aura Console: a whole
/// policy, a list of statements (nested lists flattened), or a single statement.
pub fn statements_of(root: &Node) -> Vec<Statement> {
    if root.get("Statement").is_some() {
        return extract_policy(root, 0).statements;
    }
    let mut p = Policy {
        span: root.span,
        members: Vec::new(),
        version: None,
        statement: None,
        statements: Vec::new(),
        bad_elements: Vec::new(),
        submitted_len: 0,
    };
    match &root.value {
        Value::Array(items) => {
            for item in items {
                collect_statements(&mut p, item, false, 0);
            }
        }
        Value::Object(_) => push_statement(&mut p, root, false),
        _ => {}
    }
    p.statements
}

/// Adds `node` (an element of a `Statement` array) to the statements, flattening nested
/// arrays and pasted whole policies.
fn collect_statements(p: &mut Policy, node: &Node, spliced: bool, depth: usize) {
    if depth > 8 {
        return;
    }
    match &node.value {
        Value::Object(_) => {
            if let Some(inner) = node.get("Statement") {
                // A whole policy pasted as one element.
                match &inner.value {
                    Value::Array(items) => {
                        for item in items {
                            collect_statements(p, item, true, depth + 1);
                        }
                    }
                    Value::Object(_) => push_statement(p, inner, true),
                    _ => {}
                }
            } else {
                push_statement(p, node, spliced);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_statements(p, item, true, depth + 1);
            }
        }
        _ => {
            if !spliced {
                p.bad_elements.push(node.clone());
            }
        }
    }
}

fn push_statement(p: &mut Policy, node: &Node, spliced: bool) {
    let index = p.statements.len();
    p.statements.push(extract_statement(node, index, spliced));
}

/// The members of every object of the trees `roots` (the trees statements are read from),
/// by the object's span: [`ObjectIndex::members`] finds a statement's members as written
/// without the model keeping a copy of them.
pub struct ObjectIndex<'a> {
    /// Sorted by span; of equal spans, the first in tree order comes first.
    objects: Vec<(Span, &'a [Member])>,
}

impl<'a> ObjectIndex<'a> {
    pub fn new(roots: impl IntoIterator<Item = &'a Node>) -> ObjectIndex<'a> {
        let mut objects = Vec::new();
        let mut stack: Vec<&Node> = roots.into_iter().collect();
        stack.reverse();
        while let Some(n) = stack.pop() {
            match &n.value {
                Value::Object(members) => {
                    objects.push((n.span, members.as_slice()));
                    stack.extend(members.iter().rev().map(|m| &m.value));
                }
                Value::Array(items) => stack.extend(items.iter().rev()),
                _ => {}
            }
        }
        // Stable: equal spans keep their tree order.
        objects.sort_by_key(|(span, _)| (span.start, span.end));
        ObjectIndex { objects }
    }

    /// The members of the first object (in tree order) whose span is `span`.
    pub fn members(&self, span: Span) -> Option<&'a [Member]> {
        let key = (span.start, span.end);
        let i = self
            .objects
            .partition_point(|(s, _)| (s.start, s.end) < key);
        self.objects
            .get(i)
            .filter(|(s, _)| *s == span)
            .map(|(_, members)| *members)
    }
}

fn extract_statement(node: &Node, index: usize, spliced: bool) -> Statement {
    let members = node.as_object().unwrap_or_default();
    // An element written in the wrong case (`"condition"`) is reported by
    // `aws-statement-invalid`; the other rules read it as meant, so one mistake gives
    // one finding.
    let member = |k: &str| {
        node.member(k).or_else(|| {
            members
                .iter()
                .rev()
                .find(|m| m.key.eq_ignore_ascii_case(k))
                .and_then(|m| node.member(&m.key))
        })
    };
    let sid = member("Sid").and_then(|m| Text::of(&m.value));
    let effect = member("Effect").map(|m| {
        let n = &m.value;
        Effect {
            kind: match n.as_str() {
                Some("Allow") => EffectKind::Allow,
                Some("Deny") => EffectKind::Deny,
                Some(other) => EffectKind::Other(other.to_string()),
                None => EffectKind::Other(n.type_name().to_string()),
            },
            span: n.span,
        }
    });
    let principal = member("Principal")
        .map(|m| extract_principal(m, false))
        .or_else(|| member("NotPrincipal").map(|m| extract_principal(m, true)));
    let list = |k: &str, not_k: &str| {
        member(k)
            .map(|m| extract_list(m, false))
            .or_else(|| member(not_k).map(|m| extract_list(m, true)))
    };
    let action = list("Action", "NotAction");
    let resource = list("Resource", "NotResource");
    let condition = member("Condition").map(extract_condition);
    Statement {
        span: node.span,
        index,
        spliced,
        sid,
        effect,
        principal,
        action,
        resource,
        condition,
    }
}

fn extract_principal(m: &Member, not: bool) -> Principal {
    let mut p = Principal {
        not,
        key_span: m.key_span,
        span: m.value.span,
        entries: Vec::new(),
        malformed: false,
    };
    match &m.value.value {
        Value::String(s) => {
            if s == "*" {
                p.entries.push(PrincipalEntry {
                    kind: Str::from("*"),
                    value: Str::from("*"),
                    span: m.value.span,
                });
            } else {
                p.malformed = true;
            }
        }
        Value::Object(members) => {
            for pm in members {
                match &pm.value.value {
                    Value::String(_) | Value::Array(_) => {
                        if let Value::Array(items) = &pm.value.value {
                            if items.iter().any(|i| i.as_str().is_none()) {
                                p.malformed = true;
                            }
                        }
                        for (v, span) in pm.value.strings() {
                            p.entries.push(PrincipalEntry {
                                kind: pm.key.clone(),
                                value: Str::from(v),
                                span,
                            });
                        }
                    }
                    _ => p.malformed = true,
                }
            }
        }
        _ => p.malformed = true,
    }
    p
}

fn extract_list(m: &Member, not: bool) -> StringList {
    let malformed = match &m.value.value {
        Value::String(_) => false,
        Value::Array(items) => items.iter().any(|i| i.as_str().is_none()),
        _ => true,
    };
    StringList {
        not,
        key: m.key.clone(),
        key_span: m.key_span,
        span: m.value.span,
        items: m
            .value
            .strings()
            .into_iter()
            .map(|(s, span)| Text {
                value: Str::from(s),
                span,
            })
            .collect(),
        malformed,
    }
}

fn scalar_text(n: &Node) -> Option<Text> {
    let value = match &n.value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => Str::from(if *b { "true" } else { "false" }),
        Value::Number(x) => x.clone(),
        _ => return None,
    };
    Some(Text {
        value,
        span: n.span,
    })
}

fn extract_condition(m: &Member) -> Condition {
    let mut c = Condition {
        key_span: m.key_span,
        span: m.value.span,
        operators: Vec::new(),
        malformed: false,
    };
    let Some(ops) = m.value.as_object() else {
        c.malformed = true;
        return c;
    };
    for op in ops {
        let mut entries = Vec::new();
        match op.value.as_object() {
            Some(keys) => {
                for k in keys {
                    let values: Vec<Text> = match &k.value.value {
                        Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
                        _ => scalar_text(&k.value).into_iter().collect(),
                    };
                    entries.push(ConditionEntry {
                        key: Text {
                            value: k.key.clone(),
                            span: k.key_span,
                        },
                        values,
                        span: k.key_span.cover(k.value.span),
                    });
                }
            }
            None => c.malformed = true,
        }
        c.operators.push(ConditionOperator {
            name: Text {
                value: op.key.clone(),
                span: op.key_span,
            },
            span: op.key_span.cover(op.value.span),
            entries,
        });
    }
    c
}

// ---------------------------------------------------------------------------------------
// get-key-policy output
// ---------------------------------------------------------------------------------------

/// `aws kms get-key-policy` output.
#[derive(Debug, Clone)]
pub struct KeyPolicyOutput {
    pub policy_name: Option<Text>,
    /// The `Policy` string literal in the outer file.
    pub literal: Span,
    /// The policy parsed from the decoded string, every span (and every syntax issue's
    /// span) mapped to the outer file.
    pub embedded: Option<Parsed>,
    /// The policy model, if the embedded text yields a tree.
    pub policy: Option<Policy>,
}

fn extract_policy_output(root: &Node, text: &str) -> Option<KeyPolicyOutput> {
    let lit = root.get("Policy")?;
    lit.as_str()?;
    let decoded = json::decode_string_literal(text, lit.span)?;
    let mut parsed = json::parse(&decoded.text);
    let map = |s: Span| decoded.map_span(s);
    if let Some(r) = parsed.root.as_mut() {
        r.map_spans(&map);
    }
    for issue in &mut parsed.issues {
        issue.span = map(issue.span);
        for (s, _) in &mut issue.labels {
            *s = map(*s);
        }
        if let Some(edits) = &mut issue.fix {
            for (s, replacement) in edits {
                *s = map(*s);
                *replacement = escape_for_string(replacement);
            }
        }
    }
    let policy = parsed
        .root
        .as_ref()
        .filter(|r| r.as_object().is_some())
        .map(|r| extract_policy(r, decoded.text.len()));
    Some(KeyPolicyOutput {
        policy_name: root.get("PolicyName").and_then(Text::of),
        literal: lit.span,
        embedded: Some(parsed),
        policy,
    })
}

/// Escapes text for use inside a JSON string literal (a fix edit inside `Policy`).
fn escape_for_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// describe-key output
// ---------------------------------------------------------------------------------------

/// `KeyMetadata` from `aws kms describe-key`.
#[derive(Debug, Clone, Default)]
pub struct KeyMetadata {
    /// The `KeyMetadata` object (a point at the file start when the file is broken).
    pub span: Span,
    pub arn: Option<Text>,
    pub key_id: Option<Text>,
    pub account_id: Option<Text>,
    pub key_state: Option<Text>,
    pub enabled: Option<bool>,
    /// `KeySpec`, or the deprecated `CustomerMasterKeySpec` when `KeySpec` is absent.
    pub key_spec: Option<Text>,
    pub key_usage: Option<Text>,
    pub origin: Option<Text>,
    pub key_manager: Option<Text>,
    pub multi_region: Option<bool>,
    pub multi_region_configuration: Option<MultiRegionConfiguration>,
    pub deletion_date: Option<Text>,
}

/// `MultiRegionConfiguration` of a multi-Region key.
#[derive(Debug, Clone, Default)]
pub struct MultiRegionConfiguration {
    /// `PRIMARY` or `REPLICA`.
    pub key_type: Option<Text>,
    pub primary: Option<RegionalKey>,
    pub replicas: Vec<RegionalKey>,
}

/// One key of a multi-Region set: its ARN and region.
#[derive(Debug, Clone)]
pub struct RegionalKey {
    pub arn: Text,
    pub region: Option<Text>,
}

fn extract_key_metadata(md: &Node) -> KeyMetadata {
    let t = |k: &str| md.get(k).and_then(Text::of);
    let regional = |n: &Node| {
        n.get("Arn").and_then(Text::of).map(|arn| RegionalKey {
            arn,
            region: n.get("Region").and_then(Text::of),
        })
    };
    let mrc = md
        .get("MultiRegionConfiguration")
        .map(|c| MultiRegionConfiguration {
            key_type: c.get("MultiRegionKeyType").and_then(Text::of),
            primary: c.get("PrimaryKey").and_then(regional),
            replicas: c
                .get("ReplicaKeys")
                .and_then(Node::as_array)
                .map(|a| a.iter().filter_map(regional).collect())
                .unwrap_or_default(),
        });
    KeyMetadata {
        span: md.span,
        arn: t("Arn"),
        key_id: t("KeyId"),
        account_id: t("AWSAccountId"),
        key_state: t("KeyState"),
        enabled: md.get("Enabled").and_then(Node::as_bool),
        key_spec: t("KeySpec").or_else(|| t("CustomerMasterKeySpec")),
        key_usage: t("KeyUsage"),
        origin: t("Origin"),
        key_manager: t("KeyManager"),
        multi_region: md.get("MultiRegion").and_then(Node::as_bool),
        multi_region_configuration: mrc,
        deletion_date: t("DeletionDate"),
    }
}

// ---------------------------------------------------------------------------------------
// get-key-rotation-status output
// ---------------------------------------------------------------------------------------

/// `aws kms get-key-rotation-status` output.
#[derive(Debug, Clone, Default)]
pub struct RotationStatus {
    pub span: Span,
    /// `KeyRotationEnabled` and the span of its value.
    pub enabled: Option<(bool, Span)>,
    /// `KeyId` (newer CLI versions print the key ARN here).
    pub key_id: Option<Text>,
    pub rotation_period_days: Option<(f64, Span)>,
    pub next_rotation_date: Option<Text>,
}

fn extract_rotation(root: &Node) -> RotationStatus {
    RotationStatus {
        span: root.span,
        enabled: root
            .get("KeyRotationEnabled")
            .and_then(|n| n.as_bool().map(|b| (b, n.span))),
        key_id: root.get("KeyId").and_then(Text::of),
        rotation_period_days: root
            .get("RotationPeriodInDays")
            .and_then(|n| n.as_f64().map(|d| (d, n.span))),
        next_rotation_date: root.get("NextRotationDate").and_then(Text::of),
    }
}

// ---------------------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------------------

/// Recognises AWS documents by content.
pub fn classify(source: &SourceFile, parsed: &Parsed) -> Classified {
    if let Some(root) = &parsed.root {
        if let Some(doc) = classify_tree(source, root) {
            return Classified::Kind(Model::Aws(doc));
        }
    }
    if parsed.root.is_none() || !parsed.issues.is_empty() {
        if let Some(doc) = classify_markers(source, parsed.root.as_ref()) {
            return Classified::Kind(Model::Aws(doc));
        }
    }
    Classified::NotOurs
}

fn classify_tree(source: &SourceFile, root: &Node) -> Option<AwsDoc> {
    root.as_object()?;
    if let Some(md) = root.get("KeyMetadata").filter(|n| n.as_object().is_some()) {
        return Some(AwsDoc::KeyMetadata(Box::new(extract_key_metadata(md))));
    }
    if root.get("KeyRotationEnabled").is_some() {
        return Some(AwsDoc::RotationStatus(Box::new(extract_rotation(root))));
    }
    if root.get("Policy").and_then(Node::as_str).is_some() {
        let out = extract_policy_output(root, &source.text)?;
        // `aws s3api get-bucket-policy` prints `{"Policy": "…"}` too, without PolicyName.
        let inner_is_key_policy = out
            .embedded
            .as_ref()
            .and_then(|p| p.root.as_ref())
            .is_some_and(looks_like_key_policy);
        if out.policy_name.is_some() || inner_is_key_policy {
            return Some(AwsDoc::GetKeyPolicy(Box::new(out)));
        }
        return None;
    }
    if root.get("Statement").is_some() && looks_like_key_policy(root) {
        return Some(AwsDoc::KeyPolicy(Box::new(extract_policy(
            root,
            source.text.len(),
        ))));
    }
    None
}

/// An object with `Statement` that names a principal and a KMS action (or `*`), and no
/// action of another service: a key policy, not an S3 bucket policy or an IAM identity
/// policy.
pub fn looks_like_key_policy(root: &Node) -> bool {
    let Some(st) = root.get("Statement") else {
        return false;
    };
    let mut seen = Seen::default();
    scan(st, &mut seen, 0);
    seen.principal && (seen.kms_action || (seen.wildcard_action && !seen.other_action))
}

#[derive(Default)]
struct Seen {
    principal: bool,
    kms_action: bool,
    wildcard_action: bool,
    other_action: bool,
}

fn scan(node: &Node, seen: &mut Seen, depth: usize) {
    if depth > 16 {
        return;
    }
    match &node.value {
        Value::Array(items) => items.iter().for_each(|i| scan(i, seen, depth + 1)),
        Value::Object(members) => {
            for m in members {
                match m.key.as_str() {
                    "Principal" | "NotPrincipal" => {
                        seen.principal = true;
                        // An `Action` written inside the principal (its `}` misplaced)
                        // still says what the policy is for.
                        scan(&m.value, seen, depth + 1);
                    }
                    "Action" | "NotAction" => {
                        for (a, _) in m.value.strings() {
                            if a.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("kms:")) {
                                seen.kms_action = true;
                            } else if a == "*" {
                                seen.wildcard_action = true;
                            } else {
                                seen.other_action = true;
                            }
                        }
                    }
                    // A pasted whole policy or a nested statement list.
                    "Statement" => scan(&m.value, seen, depth + 1),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// Recognises a file that does not parse (or only partly) by the text of its kind.
fn classify_markers(source: &SourceFile, root: Option<&Node>) -> Option<AwsDoc> {
    let text = source.text.as_str();
    let obj = root.filter(|r| r.as_object().is_some());
    if text.contains("\"KeyMetadata\"") {
        let md = obj
            .and_then(|r| r.get("KeyMetadata"))
            .filter(|n| n.as_object().is_some())
            .map(extract_key_metadata)
            .unwrap_or_default();
        return Some(AwsDoc::KeyMetadata(Box::new(md)));
    }
    if text.contains("\"KeyRotationEnabled\"") {
        return Some(AwsDoc::RotationStatus(Box::new(
            obj.map(extract_rotation).unwrap_or_default(),
        )));
    }
    if text.contains("\"Policy\"") && text.contains("\"PolicyName\"") {
        let out = obj
            .and_then(|r| extract_policy_output(r, text))
            .unwrap_or(KeyPolicyOutput {
                policy_name: None,
                literal: Span::point(0),
                embedded: None,
                policy: None,
            });
        return Some(AwsDoc::GetKeyPolicy(Box::new(out)));
    }
    if text.contains("\"Statement\"") && markers_look_like_key_policy(text) {
        let policy = match obj {
            Some(r) => extract_policy(r, text.len()),
            None => Policy {
                span: Span::new(0, text.len()),
                members: Vec::new(),
                version: None,
                statement: None,
                statements: Vec::new(),
                bad_elements: Vec::new(),
                submitted_len: text.len(),
            },
        };
        return Some(AwsDoc::KeyPolicy(Box::new(policy)));
    }
    None
}

/// `kms:` somewhere, or a `"Principal"` with no action of another service (`"s3:…"`).
fn markers_look_like_key_policy(text: &str) -> bool {
    if text.to_ascii_lowercase().contains("\"kms:") {
        return true;
    }
    if !text.contains("\"Principal\"") && !text.contains("\"NotPrincipal\"") {
        return false;
    }
    !has_foreign_action(text)
}

/// Whether the text holds a string like `"s3:GetObject"`: a service prefix other than
/// `kms`, `aws` (global condition keys) or `arn`.
fn has_foreign_action(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(off) = text.get(i..).and_then(|t| t.find('"')) {
        let start = i + off + 1;
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_lowercase() || b[j].is_ascii_digit() || b[j] == b'-') {
            j += 1;
        }
        if j > start && b.get(j) == Some(&b':') {
            let prefix = &text[start..j];
            let next = b.get(j + 1).copied().unwrap_or(b' ');
            if !matches!(prefix, "kms" | "aws" | "arn")
                && (next.is_ascii_alphabetic() || next == b'*')
            {
                return true;
            }
        }
        i = start;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_text(text: &str) -> Option<AwsDoc> {
        let source = SourceFile::new("x.json", text.to_string());
        let parsed = json::parse(text);
        match classify(&source, &parsed) {
            Classified::Kind(Model::Aws(d)) => Some(d),
            _ => None,
        }
    }

    const KEY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Id": "key-default-1",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "kms:*",
      "Resource": "*"
    }
  ]
}"#;

    #[test]
    fn key_policy_with_its_action_inside_the_principal_is_recognised() {
        // Valid JSON with the principal's `}` after `Action`: still a key policy, so the
        // statement rules can say what is wrong.
        let t = KEY_POLICY.replace(
            "\"arn:aws:iam::111122223333:root\"},\n      \"Action\": \"kms:*\",",
            "\"arn:aws:iam::111122223333:root\",\n      \"Action\": \"kms:*\"},",
        );
        assert_ne!(t, KEY_POLICY);
        assert!(matches!(classify_text(&t), Some(AwsDoc::KeyPolicy(_))));
    }

    #[test]
    fn key_policy_is_recognised() {
        let Some(AwsDoc::KeyPolicy(p)) = classify_text(KEY_POLICY) else {
            panic!("not a key policy")
        };
        assert_eq!(p.statements.len(), 1);
        let st = &p.statements[0];
        assert_eq!(
            st.sid.as_ref().map(Text::as_str),
            Some("Enable IAM User Permissions")
        );
        assert_eq!(
            st.effect.as_ref().map(|e| &e.kind),
            Some(&EffectKind::Allow)
        );
        let pr = st
            .principal
            .as_ref()
            .map(|p| p.entries.clone())
            .unwrap_or_default();
        assert_eq!(pr[0].kind, "AWS");
        assert_eq!(
            &KEY_POLICY[pr[0].span.start..pr[0].span.end],
            "\"arn:aws:iam::111122223333:root\""
        );
    }

    #[test]
    fn s3_bucket_policy_and_identity_policy_are_not_key_policies() {
        let s3 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
        assert!(classify_text(s3).is_none());
        let identity = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#;
        assert!(classify_text(identity).is_none());
        let pkg = r#"{"name": "x", "version": "1.0.0", "scripts": {"test": "jest"}"#;
        assert!(classify_text(pkg).is_none());
        let broken_s3 = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject" "Resource":"*"}]}"#;
        assert!(classify_text(broken_s3).is_none());
    }

    #[test]
    fn broken_key_policy_is_recognised_by_markers() {
        let broken = KEY_POLICY.replace("\"Effect\": \"Allow\",", "\"Effect\": \"Allow\"");
        assert!(matches!(classify_text(&broken), Some(AwsDoc::KeyPolicy(_))));
    }

    #[test]
    fn get_key_policy_output_maps_spans_into_the_string() {
        let text = "{\n    \"Policy\": \"{\\n  \\\"Version\\\" : \\\"2012-10-17\\\",\\n  \\\"Statement\\\" : [ {\\n    \\\"Sid\\\" : \\\"Enable IAM User Permissions\\\",\\n    \\\"Effect\\\" : \\\"Allow\\\",\\n    \\\"Principal\\\" : {\\n      \\\"AWS\\\" : \\\"arn:aws:iam::111122223333:root\\\"\\n    },\\n    \\\"Action\\\" : \\\"kms:*\\\",\\n    \\\"Resource\\\" : \\\"*\\\"\\n  } ]\\n}\",\n    \"PolicyName\": \"default\"\n}\n";
        let Some(AwsDoc::GetKeyPolicy(out)) = classify_text(text) else {
            panic!("not get-key-policy output")
        };
        let Some(p) = out.policy else {
            panic!("no policy")
        };
        let sid = p.statements[0]
            .sid
            .clone()
            .map(|t| t.span)
            .unwrap_or_default();
        assert_eq!(
            &text[sid.start..sid.end],
            "\\\"Enable IAM User Permissions\\\""
        );
    }

    #[test]
    fn embedded_syntax_issues_are_mapped() {
        let text = "{\"Policy\": \"{\\\"Statement\\\": [{\\\"Action\\\": \\\"kms:*\\\" \\\"Principal\\\": \\\"*\\\"}]}\", \"PolicyName\": \"default\"}";
        let Some(doc) = classify_text(text) else {
            panic!("not recognised")
        };
        let issues = doc.embedded().map(|p| p.issues.clone()).unwrap_or_default();
        assert_eq!(issues.len(), 1);
        let s = issues[0].span;
        assert!(
            text[s.start..].starts_with("\\\"Principal"),
            "{:?}",
            &text[s.start..]
        );
    }

    #[test]
    fn s3_get_bucket_policy_output_is_not_ours() {
        let text = r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"}"#;
        assert!(classify_text(text).is_none());
    }

    #[test]
    fn describe_key_and_rotation() {
        let dk = r#"{"KeyMetadata": {"Arn": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "KeyState": "Enabled", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT"}}"#;
        let Some(AwsDoc::KeyMetadata(md)) = classify_text(dk) else {
            panic!("describe-key")
        };
        assert_eq!(
            md.key_spec.map(|t| t.value).as_deref(),
            Some("SYMMETRIC_DEFAULT")
        );
        let rot = r#"{"KeyRotationEnabled": false}"#;
        let Some(AwsDoc::RotationStatus(r)) = classify_text(rot) else {
            panic!("rotation")
        };
        assert_eq!(r.enabled.map(|e| e.0), Some(false));
    }

    #[test]
    fn nested_arrays_and_pasted_policies_are_flattened() {
        let text = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"a","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
            [{"Sid":"b","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*"}],
            {"Version":"2012-10-17","Statement":[{"Sid":"c","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*"}]}
        ]}"#;
        let Some(AwsDoc::KeyPolicy(p)) = classify_text(text) else {
            panic!("policy")
        };
        let sids: Vec<(Str, bool)> = p
            .statements
            .iter()
            .map(|s| {
                (
                    s.sid.clone().map(|t| t.value).unwrap_or_default(),
                    s.spliced,
                )
            })
            .collect();
        assert_eq!(
            sids,
            vec![("a".into(), false), ("b".into(), true), ("c".into(), true)]
        );
    }
}
