//! ARM templates: recognising one and walking its resources into vaults, keys and role
//! assignments.
//!
//! Handles both shapes of `resources` (an array; with `languageVersion` 2.0 an object keyed
//! by symbolic name), child resources nested in `resources` (relative `type` and `name`) or
//! declared at the top level (`Microsoft.KeyVault/vaults/keys` named `vault/key`), the older
//! `Microsoft.KeyVault/vaults/providers/roleAssignments` form, and nested deployments
//! (`Microsoft.Resources/deployments` with an inline `template`, inner or outer expression
//! scope). Resources with `"existing": true` or a condition known to be false are skipped.

use super::expr::{self, Env, Ev, Evaluator, Via};
use super::{
    read_assignment, read_vault, scope_field, AzureDoc, AzureKind, Field, Key, ParameterFile,
    Placement, Reader, Scope, ScopeKind, DEPLOYMENT_MARK,
};
use crate::json::{Node, Value};
use crate::source::Span;

/// Deepest nesting of child resources and nested deployments walked.
const MAX_NESTING: usize = 16;

/// Whether `root` is an ARM deployment template that declares Key Vault resources or role
/// assignments (anywhere, nested included).
pub fn is_template(root: &Node) -> bool {
    let schema_ok = root
        .get_ci("$schema")
        .and_then(Node::as_str)
        .is_some_and(|s| s.to_ascii_lowercase().contains("deploymenttemplate.json"))
        || (root.get_ci("contentVersion").is_some() && root.get_ci("$schema").is_none());
    schema_ok
        && root
            .get_ci("resources")
            .is_some_and(|r| declares_relevant(r, 0))
}

fn resource_list(resources: &Node) -> Vec<&Node> {
    match &resources.value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(members) => members.iter().map(|m| &m.value).collect(),
        _ => Vec::new(),
    }
}

fn declares_relevant(resources: &Node, depth: usize) -> bool {
    if depth > MAX_NESTING {
        return false;
    }
    resource_list(resources).into_iter().any(|r| {
        let ty = r
            .get_ci("type")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        ty.starts_with("microsoft.keyvault/vaults")
            || ty.ends_with("roleassignments")
            || (depth > 0 && ty == "keys")
            || r.get_ci("resources")
                .is_some_and(|c| declares_relevant(c, depth + 1))
            || r.get_ci("properties")
                .and_then(|p| p.get_ci("template"))
                .and_then(|t| t.get_ci("resources"))
                .is_some_and(|c| declares_relevant(c, depth + 1))
    })
}

/// The parameters and variables of one template (or of an inner-scoped nested template).
struct TemplateEnv<'a> {
    parameters: Option<&'a Node>,
    variables: Option<&'a Node>,
    /// Values set from outside: parameters files (top level) or the nested deployment's
    /// `properties.parameters` (evaluated in the outer template).
    supplied: Supplied<'a>,
}

enum Supplied<'a> {
    Files(&'a [ParameterFile<'a>]),
    /// Nested deployment: name → value (evaluated in the outer template).
    Outer(Vec<(crate::json::Str, Ev<'a>)>),
}

impl<'a> Env<'a> for TemplateEnv<'a> {
    fn parameter(&self, name: &str) -> Option<(Ev<'a>, Via)> {
        let decl = self.parameters.and_then(|p| p.get_ci(name));
        let default = decl.and_then(|d| d.get_ci("defaultValue"));
        // A default is only usable if it is a literal (not itself an expression).
        let default_ev = default.map(|d| (expr::literal(d), d.span));
        let via_default = |span: Span| Via::Default {
            param: name.to_string(),
            span,
        };
        match &self.supplied {
            Supplied::Files(files) if !files.is_empty() => {
                // Every parameters file beside the template may be the one deployed: the
                // value is known only if they all agree.
                let mut agreed: Option<(Ev<'a>, Via)> = None;
                for f in files.iter() {
                    let (v, via) = match f.parameters.get_ci(name) {
                        Some(entry) => match entry.get_ci("value") {
                            Some(v) => (
                                expr::literal(v),
                                Via::ParamFile {
                                    param: name.to_string(),
                                    file: f.path.to_path_buf(),
                                },
                            ),
                            // A Key Vault secret `reference`: not known offline.
                            None => return None,
                        },
                        None => match &default_ev {
                            Some((v, span)) => (v.clone(), via_default(*span)),
                            None => return None,
                        },
                    };
                    match &agreed {
                        None => agreed = Some((v, via)),
                        Some((prev, _)) if same_value(prev, &v) => {}
                        Some(_) => return None,
                    }
                }
                agreed.filter(|(v, _)| !matches!(v, Ev::Unknown))
            }
            Supplied::Outer(values) => {
                if let Some((_, v)) = values.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    return (!matches!(v, Ev::Unknown)).then(|| {
                        (
                            v.clone(),
                            Via::Passed {
                                param: name.to_string(),
                            },
                        )
                    });
                }
                default_ev
                    .filter(|(v, _)| !matches!(v, Ev::Unknown))
                    .map(|(v, span)| (v, via_default(span)))
            }
            Supplied::Files(_) => default_ev
                .filter(|(v, _)| !matches!(v, Ev::Unknown))
                .map(|(v, span)| (v, via_default(span))),
        }
    }

    fn variable(&self, name: &str) -> Option<&'a Node> {
        self.variables.and_then(|v| v.get_ci(name))
    }
}

fn same_value(a: &Ev, b: &Ev) -> bool {
    match (a, b) {
        (Ev::Bool(x), Ev::Bool(y)) => x == y,
        (Ev::Int(x), Ev::Int(y)) => x == y,
        (Ev::Null, Ev::Null) => true,
        _ => match (a.known_str(), b.known_str()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// The parent of a nested child resource.
#[derive(Clone)]
struct Parent {
    /// Full type, e.g. `Microsoft.KeyVault/vaults`.
    ty: String,
    /// Full name as evaluated, e.g. `kv-aura` (may hold unknown marks).
    name: String,
}

/// Walks a template into a model.
pub fn extract(root: &Node, files: &[ParameterFile]) -> Option<AzureDoc> {
    let env = TemplateEnv {
        parameters: root.get_ci("parameters"),
        variables: root.get_ci("variables"),
        supplied: Supplied::Files(files),
    };
    let schema = root
        .get_ci("$schema")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    let d = DEPLOYMENT_MARK.to_string();
    let (deploy_kind, placement) = if schema.contains("subscriptiondeploymenttemplate") {
        (
            ScopeKind::Subscription,
            Placement {
                subscription: Some(d),
                resource_group: None,
            },
        )
    } else if schema.contains("managementgroupdeploymenttemplate") {
        (ScopeKind::ManagementGroup, Placement::default())
    } else if schema.contains("tenantdeploymenttemplate") {
        (ScopeKind::Root, Placement::default())
    } else {
        (
            ScopeKind::ResourceGroup,
            Placement {
                subscription: Some(d.clone()),
                resource_group: Some(d),
            },
        )
    };
    let mut doc = AzureDoc::empty(AzureKind::Template);
    let resources = root.get_ci("resources")?;
    let mut w = Walker {
        doc: &mut doc,
        deploy: Scope {
            kind: deploy_kind,
            placement,
        },
    };
    w.resources(&env, resources, None, 0);
    Some(doc)
}

struct Walker<'d> {
    doc: &'d mut AzureDoc,
    /// What a top-level role assignment without `scope` applies to.
    deploy: Scope,
}

impl Walker<'_> {
    fn resources<'a>(
        &mut self,
        env: &TemplateEnv<'a>,
        resources: &'a Node,
        parent: Option<&Parent>,
        depth: usize,
    ) {
        if depth > MAX_NESTING {
            return;
        }
        for r in resource_list(resources) {
            self.resource(env, r, parent, depth);
        }
    }

    fn resource<'a>(
        &mut self,
        env: &TemplateEnv<'a>,
        r: &'a Node,
        parent: Option<&Parent>,
        depth: usize,
    ) {
        if r.as_object().is_none() {
            return;
        }
        if r.get_ci("existing").and_then(Node::as_bool) == Some(true) {
            return;
        }
        let mut ev = Evaluator::new(env);
        if let Some(c) = r.get_ci("condition") {
            if matches!(ev.value(c), Ev::Bool(false)) {
                return;
            }
        }
        let Some(ty_node) = r.get_ci("type") else {
            return;
        };
        let Some(ty) = ty_node.as_str() else {
            return;
        };
        let name_node = r.get_ci("name");
        let name = name_node
            .map(|n| match ev.value(n) {
                Ev::Str(s) => s,
                _ => expr::UNKNOWN.to_string(),
            })
            .unwrap_or_else(|| expr::UNKNOWN.to_string());
        let name_span = name_node.map(|n| n.span).unwrap_or(ty_node.span);
        // A nested child's type and name are relative to its parent's.
        let relative = !ty.split('/').next().unwrap_or("").contains('.');
        let (full_ty, full_name) = match (parent, relative) {
            (Some(p), true) => (format!("{}/{}", p.ty, ty), format!("{}/{}", p.name, name)),
            _ => (ty.to_string(), name.clone()),
        };
        let lower = full_ty.to_ascii_lowercase();
        let segs: Vec<&str> = full_name.split('/').collect();
        let seg = |i: usize| -> Option<String> {
            segs.get(i)
                .filter(|s| !s.is_empty() && !expr::has_marker(s))
                .map(|s| s.to_string())
        };
        let name_field = |v: Option<String>| match v {
            Some(s) => Field::Known(
                s,
                super::At {
                    span: name_span,
                    via: None,
                },
            ),
            None => Field::Unknown(name_span),
        };
        let mut reader = Reader {
            ev: Evaluator::new(env),
            evaluate: true,
            span_override: None,
        };
        match lower.as_str() {
            "microsoft.keyvault/vaults" => {
                let v = read_vault(&mut reader, r, name_field(seg(0)), self.deploy_placement());
                self.doc.vaults.push(v);
            }
            "microsoft.keyvault/vaults/keys" => {
                let props = r.get_ci("properties");
                let field = |reader: &mut Reader<'_, 'a>, k: &str| {
                    match props {
                        Some(p) if p.as_object().is_some() => p.get_ci(k),
                        _ => None,
                    }
                    .map_or(Field::Missing(None), |n| reader.string(Some(n)))
                };
                let kty = field(&mut reader, "kty");
                let key_size = match props.filter(|p| p.as_object().is_some()) {
                    Some(p) => reader.uint(p.get_ci("keySize")),
                    None => Field::Missing(None),
                };
                let identifier = props
                    .and_then(|p| p.get_ci("keyUriWithVersion"))
                    .and_then(|n| n.as_str().map(|s| (s.to_string(), n.span)))
                    .filter(|(s, _)| expr::expression_body(s).is_none());
                self.doc.keys.push(Key {
                    vault: name_field(seg(0)),
                    name: name_field(seg(1)),
                    anchor: name_span,
                    placement: self.deploy_placement(),
                    kty,
                    key_size,
                    modulus_bits: None,
                    identifier,
                });
            }
            "microsoft.authorization/roleassignments" => {
                let scope_node = r.get_ci("scope");
                let (scope, anchor) = match scope_node {
                    Some(n) => (scope_field(reader.partial(Some(n))), n.span),
                    None if parent.is_some() => (Field::Unknown(ty_node.span), ty_node.span),
                    None => (
                        Field::Known(
                            self.deploy.clone(),
                            super::At {
                                span: ty_node.span,
                                via: None,
                            },
                        ),
                        ty_node.span,
                    ),
                };
                let implicit = scope_node.is_none() && parent.is_none();
                self.assignment(&mut reader, r, scope, anchor, implicit);
            }
            "microsoft.keyvault/vaults/providers/roleassignments"
            | "microsoft.keyvault/vaults/keys/providers/roleassignments" => {
                let is_key = lower.contains("/keys/");
                let vault = seg(0).map(|s| s.to_lowercase());
                let kind = if is_key {
                    ScopeKind::Key(vault, seg(1).map(|s| s.to_lowercase()))
                } else {
                    ScopeKind::Vault(vault)
                };
                let scope = Field::Known(
                    Scope {
                        kind,
                        placement: self.deploy_placement(),
                    },
                    super::At {
                        span: name_span,
                        via: None,
                    },
                );
                self.assignment(&mut reader, r, scope, name_span, false);
            }
            "microsoft.resources/deployments" => {
                self.nested_deployment(env, r, depth);
            }
            _ => {}
        }
        if let Some(children) = r.get_ci("resources") {
            let me = Parent {
                ty: full_ty,
                name: full_name,
            };
            self.resources(env, children, Some(&me), depth + 1);
        }
    }

    fn deploy_placement(&self) -> Placement {
        match self.deploy.kind {
            ScopeKind::ResourceGroup => self.deploy.placement.clone(),
            // Vaults deployed by a subscription-level template live in some resource group.
            _ => Placement {
                subscription: self.deploy.placement.subscription.clone(),
                resource_group: None,
            },
        }
    }

    fn assignment<'a>(
        &mut self,
        reader: &mut Reader<'_, 'a>,
        r: &'a Node,
        scope: Field<Scope>,
        anchor: Span,
        implicit: bool,
    ) {
        let Some(props) = r.get_ci("properties").filter(|p| p.as_object().is_some()) else {
            return;
        };
        let mut a = read_assignment(reader, props, scope, anchor);
        a.scope_implicit = implicit;
        self.doc.assignments.push(a);
    }

    fn nested_deployment<'a>(&mut self, env: &TemplateEnv<'a>, r: &'a Node, depth: usize) {
        let Some(props) = r.get_ci("properties") else {
            return;
        };
        let Some(inner) = props.get_ci("template").filter(|t| t.as_object().is_some()) else {
            return; // templateLink: not available offline
        };
        let Some(resources) = inner.get_ci("resources") else {
            return;
        };
        // Where the nested deployment deploys to.
        let mut ev = Evaluator::new(env);
        let mut text = |k: &str| {
            r.get_ci(k).map(|n| match ev.value(n) {
                Ev::Str(s) if !expr::has_marker(&s) => Some(s),
                _ => None,
            })
        };
        let rg = text("resourceGroup");
        let sub = text("subscriptionId");
        let mut deploy = self.deploy.clone();
        if rg.is_some() || sub.is_some() {
            deploy = Scope {
                kind: ScopeKind::ResourceGroup,
                placement: Placement {
                    subscription: match sub {
                        Some(s) => s,
                        None => self.deploy.placement.subscription.clone(),
                    },
                    resource_group: match rg {
                        Some(g) => g,
                        None => self.deploy.placement.resource_group.clone(),
                    },
                },
            };
        }
        let inner_scope = props
            .get_ci("expressionEvaluationOptions")
            .and_then(|o| o.get_ci("scope"))
            .and_then(Node::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        let saved = std::mem::replace(&mut self.deploy, deploy);
        if inner_scope {
            let mut supplied = Vec::new();
            if let Some(ps) = props.get_ci("parameters").and_then(Node::as_object) {
                for m in ps {
                    if let Some(v) = m.value.get_ci("value") {
                        let mut ev = Evaluator::new(env);
                        supplied.push((m.key.clone(), ev.value(v)));
                    }
                }
            }
            let inner_env = TemplateEnv {
                parameters: inner.get_ci("parameters"),
                variables: inner.get_ci("variables"),
                supplied: Supplied::Outer(supplied),
            };
            self.resources(&inner_env, resources, None, depth + 1);
        } else {
            self.resources(env, resources, None, depth + 1);
        }
        self.deploy = saved;
    }
}
