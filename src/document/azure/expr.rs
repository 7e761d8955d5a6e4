//! A small evaluator for ARM template expressions (`"[parameters('location')]"`).
//!
//! It evaluates only what can be known offline: literals, `parameters()` and `variables()`
//! with literal values, string functions (`concat`, `format`, `toLower`, ...), the
//! resource id functions and a few logical functions. Anything else (`reference()`,
//! `guid()`, `resourceGroup().location`, ...) is **unknown**; an unknown piece inside a
//! string becomes [`UNKNOWN`] so that the known rest (the GUID at the end of a role
//! definition id, the vault name in a scope) can still be read. The deployment's own
//! subscription and resource group become [`DEPLOYMENT`]: unknown, but the same for every
//! resource of one template. Nothing here reports findings.

use crate::json::{Node, Value};
use crate::source::Span;

/// Marks an unknown piece of text inside an evaluated string.
pub const UNKNOWN: char = '\u{1}';
/// Marks the deployment's own subscription id or resource group name.
pub const DEPLOYMENT: char = '\u{2}';

/// Deepest nesting of calls and of `variables()` indirections evaluated.
const MAX_DEPTH: usize = 32;

/// What an expression evaluates to.
#[derive(Debug, Clone)]
pub enum Ev<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// A string; may contain [`UNKNOWN`] / [`DEPLOYMENT`] markers.
    Str(String),
    /// An object or array from a template (`evaluate` = its strings are expressions) or from
    /// a parameters file (`evaluate` = false: values there are literal).
    Node(&'a Node, bool),
    Unknown,
}

impl Ev<'_> {
    /// The string, if it is one with no unknown piece.
    pub fn known_str(&self) -> Option<&str> {
        match self {
            Ev::Str(s) if !has_marker(s) => Some(s),
            _ => None,
        }
    }

    /// The value as text for `concat`/`format`, unknown pieces marked.
    fn text(&self) -> String {
        match self {
            Ev::Str(s) => s.clone(),
            Ev::Int(i) => i.to_string(),
            Ev::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            Ev::Node(n, _) => match &n.value {
                Value::String(s) => s.to_string(),
                _ => UNKNOWN.to_string(),
            },
            Ev::Null | Ev::Unknown => UNKNOWN.to_string(),
        }
    }
}

/// Whether a string holds an unknown piece.
pub fn has_marker(s: &str) -> bool {
    s.contains([UNKNOWN, DEPLOYMENT])
}

/// Where a parameter or variable value was found; recorded while evaluating so that a
/// finding can say "from parameter `x`".
#[derive(Debug, Clone, PartialEq)]
pub enum Via {
    /// The literal `defaultValue` of a template parameter (span of that value).
    Default { param: String, span: Span },
    /// The value in a parameters file beside the template.
    ParamFile {
        param: String,
        file: std::path::PathBuf,
    },
    /// A template variable (span of its value).
    Variable { name: String, span: Span },
    /// A value the outer template passes to a nested deployment's parameter.
    Passed { param: String },
}

/// The parameters and variables an expression can see.
pub trait Env<'a> {
    /// A parameter's value and where it came from; `None` when it has no known value.
    fn parameter(&self, name: &str) -> Option<(Ev<'a>, Via)>;
    /// A variable's value node (unevaluated).
    fn variable(&self, name: &str) -> Option<&'a Node>;
}

/// Evaluates JSON values and expressions against an [`Env`], recording the parameters
/// and variables consulted.
pub struct Evaluator<'e, 'a> {
    env: &'e dyn Env<'a>,
    pub trace: Vec<Via>,
    depth: usize,
}

impl<'e, 'a> Evaluator<'e, 'a> {
    pub fn new(env: &'e dyn Env<'a>) -> Evaluator<'e, 'a> {
        Evaluator {
            env,
            trace: Vec::new(),
            depth: 0,
        }
    }

    /// The value of a template JSON node: literals as they are, expression strings evaluated.
    pub fn value(&mut self, node: &'a Node) -> Ev<'a> {
        match &node.value {
            Value::Null => Ev::Null,
            Value::Bool(b) => Ev::Bool(*b),
            Value::Number(n) => n.parse::<i64>().map(Ev::Int).unwrap_or(Ev::Unknown),
            Value::String(s) => match expression_body(s) {
                Some(body) => self.expression(body),
                None => Ev::Str(unescape_literal(s).to_string()),
            },
            Value::Array(_) | Value::Object(_) => Ev::Node(node, true),
        }
    }

    /// Evaluates the text between the brackets of an expression string.
    pub fn expression(&mut self, body: &str) -> Ev<'a> {
        let mut p = Parser { s: body, pos: 0 };
        let Some(ast) = p.expr(0) else {
            return Ev::Unknown;
        };
        p.ws();
        if p.pos != body.len() {
            return Ev::Unknown;
        }
        self.eval(&ast)
    }

    fn eval(&mut self, e: &Expr) -> Ev<'a> {
        if self.depth >= MAX_DEPTH {
            return Ev::Unknown;
        }
        self.depth += 1;
        let v = self.eval_inner(e);
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, e: &Expr) -> Ev<'a> {
        match e {
            Expr::Str(s) => Ev::Str(s.clone()),
            Expr::Int(i) => Ev::Int(*i),
            Expr::Call(name, args) => self.call(name, args),
            Expr::Prop(base, prop) => self.property(base, prop),
            Expr::Index(base, index) => {
                let b = self.eval(base);
                let i = self.eval(index);
                match (b, i) {
                    (Ev::Node(n, evaluate), Ev::Str(k)) if !has_marker(&k) => {
                        self.member(n, evaluate, &k)
                    }
                    (Ev::Node(n, evaluate), Ev::Int(i)) => match (n.as_array(), usize::try_from(i))
                    {
                        (Some(items), Ok(i)) => match items.get(i) {
                            Some(item) => self.child(item, evaluate),
                            None => Ev::Unknown,
                        },
                        _ => Ev::Unknown,
                    },
                    _ => Ev::Unknown,
                }
            }
        }
    }

    fn child(&mut self, node: &'a Node, evaluate: bool) -> Ev<'a> {
        if evaluate {
            self.value(node)
        } else {
            literal(node)
        }
    }

    fn member(&mut self, node: &'a Node, evaluate: bool, key: &str) -> Ev<'a> {
        match node.get_ci(key) {
            Some(v) => self.child(v, evaluate),
            None => Ev::Unknown,
        }
    }

    fn property(&mut self, base: &Expr, prop: &str) -> Ev<'a> {
        // The deployment's own resource group and subscription: unknown, but the same for
        // every resource in the template.
        if let Expr::Call(f, args) = base {
            if args.is_empty() {
                let d = DEPLOYMENT;
                let f = f.to_ascii_lowercase();
                let p = prop.to_ascii_lowercase();
                match (f.as_str(), p.as_str()) {
                    ("resourcegroup", "id") => {
                        return Ev::Str(format!("/subscriptions/{d}/resourceGroups/{d}"))
                    }
                    ("resourcegroup", "name") => return Ev::Str(d.to_string()),
                    ("subscription", "id") => return Ev::Str(format!("/subscriptions/{d}")),
                    ("subscription", "subscriptionid") => return Ev::Str(d.to_string()),
                    _ => {}
                }
            }
        }
        match self.eval(base) {
            Ev::Node(n, evaluate) => self.member(n, evaluate, prop),
            _ => Ev::Unknown,
        }
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> Ev<'a> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "parameters" => {
                let Some(n) = self.arg_str(args, 0) else {
                    return Ev::Unknown;
                };
                match self.env.parameter(&n) {
                    Some((v, via)) => {
                        self.trace.push(via);
                        v
                    }
                    None => Ev::Unknown,
                }
            }
            "variables" => {
                let Some(n) = self.arg_str(args, 0) else {
                    return Ev::Unknown;
                };
                match self.env.variable(&n) {
                    Some(node) => {
                        self.trace.push(Via::Variable {
                            name: n,
                            span: node.span,
                        });
                        self.value(node)
                    }
                    None => Ev::Unknown,
                }
            }
            "concat" => {
                let vals: Vec<Ev> = args.iter().map(|a| self.eval(a)).collect();
                if vals
                    .iter()
                    .any(|v| matches!(v, Ev::Node(n, _) if n.as_array().is_some()))
                {
                    return Ev::Unknown; // array concatenation
                }
                Ev::Str(vals.iter().map(Ev::text).collect())
            }
            "format" => {
                let vals: Vec<Ev> = args.iter().map(|a| self.eval(a)).collect();
                let Some(fmt) = vals.first().and_then(Ev::known_str) else {
                    return Ev::Unknown;
                };
                format_string(fmt, &vals[1..]).map_or(Ev::Unknown, Ev::Str)
            }
            "tolower" | "toupper" | "string" | "trim" => match self.eval_arg(args, 0) {
                Ev::Str(s) => Ev::Str(match lower.as_str() {
                    "tolower" => s.to_lowercase(),
                    "toupper" => s.to_uppercase(),
                    "trim" => s.trim().to_string(),
                    _ => s,
                }),
                v @ (Ev::Int(_) | Ev::Bool(_)) if lower == "string" => Ev::Str(v.text()),
                _ => Ev::Unknown,
            },
            "bool" => match self.eval_arg(args, 0) {
                Ev::Bool(b) => Ev::Bool(b),
                Ev::Str(s) if s.eq_ignore_ascii_case("true") => Ev::Bool(true),
                Ev::Str(s) if s.eq_ignore_ascii_case("false") => Ev::Bool(false),
                Ev::Int(i) => Ev::Bool(i != 0),
                _ => Ev::Unknown,
            },
            "true" if args.is_empty() => Ev::Bool(true),
            "false" if args.is_empty() => Ev::Bool(false),
            "not" => match self.eval_arg(args, 0) {
                Ev::Bool(b) => Ev::Bool(!b),
                _ => Ev::Unknown,
            },
            "and" | "or" => {
                let vals: Vec<Option<bool>> = args
                    .iter()
                    .map(|a| match self.eval(a) {
                        Ev::Bool(b) => Some(b),
                        _ => None,
                    })
                    .collect();
                let decisive = lower == "or";
                if vals.contains(&Some(decisive)) {
                    Ev::Bool(decisive)
                } else if vals.iter().all(Option::is_some) && !vals.is_empty() {
                    Ev::Bool(!decisive)
                } else {
                    Ev::Unknown
                }
            }
            "equals" => {
                let a = self.eval_arg(args, 0);
                let b = self.eval_arg(args, 1);
                match (&a, &b) {
                    (Ev::Bool(x), Ev::Bool(y)) => Ev::Bool(x == y),
                    (Ev::Int(x), Ev::Int(y)) => Ev::Bool(x == y),
                    _ => match (a.known_str(), b.known_str()) {
                        (Some(x), Some(y)) => Ev::Bool(x == y),
                        _ => Ev::Unknown,
                    },
                }
            }
            "if" => match self.eval_arg(args, 0) {
                Ev::Bool(true) => self.eval_arg(args, 1),
                Ev::Bool(false) => self.eval_arg(args, 2),
                _ => Ev::Unknown,
            },
            "resourceid" | "subscriptionresourceid" | "tenantresourceid" => {
                let vals: Vec<String> = args.iter().map(|a| self.eval(a).text()).collect();
                resource_id(&lower, &vals).map_or(Ev::Unknown, Ev::Str)
            }
            "extensionresourceid" => {
                let vals: Vec<String> = args.iter().map(|a| self.eval(a).text()).collect();
                let Some((base, rest)) = vals.split_first() else {
                    return Ev::Unknown;
                };
                match provider_path(rest) {
                    Some(p) => Ev::Str(format!("{}/providers/{p}", base.trim_end_matches('/'))),
                    None => Ev::Unknown,
                }
            }
            _ => Ev::Unknown,
        }
    }

    fn eval_arg(&mut self, args: &[Expr], i: usize) -> Ev<'a> {
        match args.get(i) {
            Some(a) => self.eval(a),
            None => Ev::Unknown,
        }
    }

    fn arg_str(&mut self, args: &[Expr], i: usize) -> Option<String> {
        match self.eval_arg(args, i) {
            Ev::Str(s) if !has_marker(&s) => Some(s),
            _ => None,
        }
    }
}

/// The value of a parameters-file JSON node: literal only, never evaluated.
pub fn literal(node: &Node) -> Ev<'_> {
    match &node.value {
        Value::Null => Ev::Null,
        Value::Bool(b) => Ev::Bool(*b),
        Value::Number(n) => n.parse::<i64>().map(Ev::Int).unwrap_or(Ev::Unknown),
        // A string that looks like an expression is not evaluated by ARM in a parameters
        // file, but it is surely not what the author meant either: treat it as unknown.
        Value::String(s) if expression_body(s).is_some() => Ev::Unknown,
        Value::String(s) => Ev::Str(unescape_literal(s).to_string()),
        Value::Array(_) | Value::Object(_) => Ev::Node(node, false),
    }
}

/// The text between the brackets if `s` is an ARM expression (`[...]`, not `[[...`).
pub fn expression_body(s: &str) -> Option<&str> {
    let t = s.trim();
    if t.starts_with("[[") {
        return None;
    }
    t.strip_prefix('[')?.strip_suffix(']')
}

/// A literal string that starts with `[[` stands for one `[`.
fn unescape_literal(s: &str) -> &str {
    if s.starts_with("[[") {
        &s[1..]
    } else {
        s
    }
}

/// `format('{0}/{1}', a, b)`; `None` for format specifiers it does not handle.
fn format_string(fmt: &str, args: &[Ev]) -> Option<String> {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut idx = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    idx.push(d);
                }
                let i: usize = idx.trim().parse().ok()?;
                out.push_str(&args.get(i)?.text());
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// `Microsoft.KeyVault/vaults/keys`, [`kv`, `k`] → `Microsoft.KeyVault/vaults/kv/keys/k`.
fn provider_path(args: &[String]) -> Option<String> {
    let (ty, names) = args.split_first()?;
    let segs: Vec<&str> = ty.split('/').collect();
    if segs.len() < 2 || segs.len() - 1 != names.len() {
        return None;
    }
    let mut out = segs[0].to_string();
    for (t, n) in segs[1..].iter().zip(names) {
        out.push('/');
        out.push_str(t);
        out.push('/');
        out.push_str(n);
    }
    Some(out)
}

/// `resourceId([subscriptionId], [resourceGroupName], type, names...)` and friends.
fn resource_id(func: &str, args: &[String]) -> Option<String> {
    // The type is the first argument with a `/` in a provider namespace; the names follow.
    let ty_at = args.iter().position(|a| {
        a.split('/').next().is_some_and(|ns| ns.contains('.')) && !a.starts_with('/')
    })?;
    let path = provider_path(&args[ty_at..])?;
    let lead = &args[..ty_at];
    let d = DEPLOYMENT.to_string();
    match func {
        "resourceid" => {
            let (sub, rg) = match lead {
                [] => (d.clone(), d),
                [rg] => (d, rg.clone()),
                [sub, rg] => (sub.clone(), rg.clone()),
                _ => return None,
            };
            Some(format!(
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/{path}"
            ))
        }
        "subscriptionresourceid" => {
            let sub = match lead {
                [] => d,
                [sub] => sub.clone(),
                _ => return None,
            };
            Some(format!("/subscriptions/{sub}/providers/{path}"))
        }
        _ => lead.is_empty().then(|| format!("/providers/{path}")),
    }
}

/// The expression syntax tree.
#[derive(Debug, Clone)]
enum Expr {
    Str(String),
    Int(i64),
    Call(String, Vec<Expr>),
    Prop(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
}

struct Parser<'s> {
    s: &'s str,
    pos: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(&b) = self.s.as_bytes().get(self.pos) {
            match b {
                // What `char::is_whitespace` calls white space in ASCII.
                b' ' | b'\t'..=b'\r' => self.pos += 1,
                _ if b.is_ascii() => return,
                _ => match self.s[self.pos..].chars().next() {
                    Some(c) if c.is_whitespace() => self.pos += c.len_utf8(),
                    _ => return,
                },
            }
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.s[self.pos..].starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.ws();
        let rest = &self.s[self.pos..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 || rest.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        self.pos += len;
        Some(rest[..len].to_string())
    }

    fn expr(&mut self, depth: usize) -> Option<Expr> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        let rest = &self.s[self.pos..];
        let mut e = if rest.starts_with('\'') {
            Expr::Str(self.string()?)
        } else if rest.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
            let len = rest
                .char_indices()
                .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
                .map_or(rest.len(), |(i, _)| i);
            let n = rest[..len].parse().ok()?;
            self.pos += len;
            Expr::Int(n)
        } else {
            let mut name = self.ident()?;
            // User-defined functions are `namespace.function(...)`.
            while self.s[self.pos..].starts_with('.') {
                self.pos += 1;
                name.push('.');
                name.push_str(&self.ident()?);
            }
            if !self.eat('(') {
                return None;
            }
            let mut args = Vec::new();
            if !self.eat(')') {
                loop {
                    args.push(self.expr(depth + 1)?);
                    if self.eat(')') {
                        break;
                    }
                    if !self.eat(',') {
                        return None;
                    }
                }
            }
            Expr::Call(name, args)
        };
        loop {
            if self.eat('.') {
                let p = self.ident()?;
                e = Expr::Prop(Box::new(e), p);
            } else if self.eat('[') {
                let i = self.expr(depth + 1)?;
                if !self.eat(']') {
                    return None;
                }
                e = Expr::Index(Box::new(e), Box::new(i));
            } else {
                return Some(e);
            }
        }
    }

    /// A single-quoted string; `''` stands for one quote.
    fn string(&mut self) -> Option<String> {
        let mut out = String::new();
        let mut at = self.pos + 1;
        loop {
            let quote = at + self.s.get(at..)?.find('\'')?;
            out.push_str(&self.s[at..quote]);
            if self.s[quote + 1..].starts_with('\'') {
                out.push('\'');
                at = quote + 2;
                continue;
            }
            self.pos = quote + 1;
            return Some(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    struct TestEnv<'a> {
        params: &'a Node,
        vars: &'a Node,
    }

    impl<'a> Env<'a> for TestEnv<'a> {
        fn parameter(&self, name: &str) -> Option<(Ev<'a>, Via)> {
            let v = self.params.get_ci(name)?;
            let via = Via::ParamFile {
                param: name.to_string(),
                file: "p.json".into(),
            };
            Some((literal(v), via))
        }
        fn variable(&self, name: &str) -> Option<&'a Node> {
            self.vars.get_ci(name)
        }
    }

    /// Evaluates each body and returns `Some(string)` for string results, `None` otherwise;
    /// booleans come back as "true"/"false" prefixed with `bool:`.
    fn eval_all(bodies: &[&str]) -> Vec<Option<String>> {
        let p = parse(r#"{"kv": "kv-aura", "on": true, "cfg": {"loc": "uksouth"}}"#).root;
        let v = parse(
            r#"{"role": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '14b46e9e-c2b7-41b4-b07b-48a6ebf60603')]", "name": "[parameters('kv')]", "map": {"officer": "x"}, "loop": "[concat(variables('loop'), 'x')]"}"#,
        )
        .root;
        let (Some(p), Some(v)) = (p, v) else {
            panic!("test JSON did not parse");
        };
        let env = TestEnv {
            params: &p,
            vars: &v,
        };
        bodies
            .iter()
            .map(|b| match Evaluator::new(&env).expression(b) {
                Ev::Str(s) => Some(s),
                Ev::Bool(b) => Some(format!("bool:{b}")),
                _ => None,
            })
            .collect()
    }

    fn one(body: &str) -> Option<String> {
        eval_all(&[body]).pop().flatten()
    }

    #[test]
    fn parameters_and_variables_resolve() {
        assert_eq!(one("parameters('kv')").as_deref(), Some("kv-aura"));
        assert_eq!(one("variables('name')").as_deref(), Some("kv-aura"));
        assert_eq!(one("parameters('cfg').loc").as_deref(), Some("uksouth"));
        assert_eq!(one("variables('map')[ 'officer' ]").as_deref(), Some("x"));
        assert_eq!(one("parameters('on')").as_deref(), Some("bool:true"));
        assert_eq!(one("not(parameters('on'))").as_deref(), Some("bool:false"));
        assert_eq!(one("parameters('missing')"), None);
    }

    #[test]
    fn strings_and_ids() {
        assert_eq!(
            one("format('{0}/{1}', parameters('kv'), 'key-1')").as_deref(),
            Some("kv-aura/key-1")
        );
        assert_eq!(
            one("concat(parameters('kv'), '/', 'it''s')").as_deref(),
            Some("kv-aura/it's")
        );
        assert_eq!(
            one("concat( 'a' ,\t'b',\u{2003}'''', '')").as_deref(),
            Some("ab'")
        );
        assert_eq!(one("concat('a', 'b)"), None);
        let role = one("variables('role')").unwrap_or_default();
        assert!(role.ends_with("/roleDefinitions/14b46e9e-c2b7-41b4-b07b-48a6ebf60603"));
        let id = one("resourceId('Microsoft.KeyVault/vaults/keys', parameters('kv'), 'k')")
            .unwrap_or_default();
        assert!(id.ends_with("/providers/Microsoft.KeyVault/vaults/kv-aura/keys/k"));
        assert!(has_marker(&id));
        let partly = one("format('{0}/k', reference('x').name)").unwrap_or_default();
        assert!(partly.starts_with(UNKNOWN) && partly.ends_with("/k"));
    }

    #[test]
    fn unknowns_stay_unknown() {
        assert_eq!(one("resourceGroup().location"), None);
        assert_eq!(one("guid(resourceGroup().id)"), None);
        assert_eq!(one("parameters("), None);
        // A variable that refers to itself ends at the depth limit, unknown.
        assert!(one("variables('loop')").is_some_and(|s| s.starts_with(UNKNOWN)));
        assert!(expression_body("[[not an expression]").is_none());
        assert_eq!(
            expression_body("[parameters('x')]"),
            Some("parameters('x')")
        );
    }
}
