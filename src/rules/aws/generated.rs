//! The statements the Aura Console generated (`[aura.aws] generated_statements`), read
//! as the user saved them, and their semantic comparison with a key policy's statements.
//!
//! The file is configuration, not a linted input: a JSON array of statements, a single
//! statement, a comma-separated run of statements (the fragment one pastes), or a whole
//! policy. Comparison ignores what does not change the meaning — order of actions, a
//! string versus a one-element list, whitespace, Sids — and names what does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use super::{code_list, statement_name};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::{actions, statements_of, EffectKind, Statement};
use crate::engine::CONFIG_ERROR;
use crate::json;
use crate::source::{SourceFile, Span};

/// The generated statements, loaded.
pub struct Generated {
    /// The path as shown in messages (relative to the working folder where possible).
    pub display: String,
    pub statements: Vec<Statement>,
}

/// Loads `[aura.aws] generated_statements`. `None` when it is not configured; an error
/// diagnostic (`config-error`, on the file or on the config value) when it cannot be used.
pub fn load(config: &Config) -> Option<Result<Generated, Box<Diagnostic>>> {
    let rel = config.aura.aws.generated_statements.as_deref()?;
    let path = match config.base_dir() {
        Some(dir) => dir.join(rel),
        None => PathBuf::from(rel),
    };
    let path = crate::discover::normalize(&path);
    let display = rel.to_string();
    let on_config = |message: String, help: &str| {
        let (file, span) = match &config.source {
            Some(src) => (
                src.clone(),
                config_value_span(&src.text, "generated_statements").unwrap_or_default(),
            ),
            None => (
                Arc::new(SourceFile::new(path.clone(), String::new())),
                Span::point(0),
            ),
        };
        Box::new(
            Diagnostic::new(CONFIG_ERROR, Severity::Error, span, message)
                .with_help(help.to_string())
                .with_file(file)
                .with_pointer("/aura/aws/generated_statements"),
        )
    };
    let text = match std::fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                return Some(Err(on_config(
                    format!("`generated_statements` file `{display}` is not UTF-8 text"),
                    "save the statements the Aura Console generated as UTF-8 text",
                )))
            }
        },
        Err(e) => {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => e.to_string(),
            };
            return Some(Err(on_config(
                format!("cannot read the `generated_statements` file `{display}`: {why}"),
                "save the JSON the Aura Console generated for your key policy to that file, or correct the path (it is relative to cmklint.toml)",
            )));
        }
    };
    let source = Arc::new(SourceFile::from_utf8(path.clone(), text));
    let text = source.text.as_str();
    if text.trim().is_empty() {
        return Some(Err(on_config(
            format!("the `generated_statements` file `{display}` is empty"),
            "paste the JSON the Aura Console generated for your key policy into that file",
        )));
    }
    let parsed = json::parse(text);
    let root = match (parsed.root, parsed.issues.first()) {
        (Some(root), None) => root,
        (_, first) => {
            // The fragment one pastes: `{…},{…}` (perhaps with a trailing comma).
            let trimmed = text.trim_end().trim_end_matches(',');
            let wrapped = json::parse(&format!("[{trimmed}]"));
            match wrapped.root {
                Some(mut root) if wrapped.issues.is_empty() => {
                    root.map_spans(&|s: Span| {
                        Span::new(s.start.saturating_sub(1), s.end.saturating_sub(1))
                    });
                    root
                }
                _ => {
                    let (span, why) = first
                        .map(|i| (i.span, i.message.clone()))
                        .unwrap_or((Span::point(0), "no JSON value".to_string()));
                    return Some(Err(Box::new(
                        Diagnostic::new(
                            CONFIG_ERROR,
                            Severity::Error,
                            span,
                            format!("the `generated_statements` file is not valid JSON: {why}"),
                        )
                        .with_help("save the statements exactly as the Aura Console shows them: a JSON list of statements, one statement, or statements separated by commas")
                        .with_file(source.clone()),
                    )));
                }
            }
        }
    };
    let statements = statements_of(&root);
    if statements.is_empty() {
        return Some(Err(Box::new(
            Diagnostic::new(
                CONFIG_ERROR,
                Severity::Error,
                Span::new(root.span.start, root.span.start + 1),
                "the `generated_statements` file holds no key policy statement",
            )
            .with_help("save the statements the Aura Console generated: objects with `Effect`, `Principal`, `Action` and `Resource`")
            .with_file(source),
        )));
    }
    Some(Ok(Generated {
        display,
        statements,
    }))
}

/// The span of the value of `key = …` in TOML text (first occurrence).
fn config_value_span(text: &str, key: &str) -> Option<Span> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            let rest_trim = rest.trim_start();
            if let Some(after_eq) = rest_trim.strip_prefix('=') {
                let value = after_eq.trim_start();
                let start = offset + (line.len() - value.len());
                let quote = value.chars().next()?;
                let len = if quote == '"' || quote == '\'' {
                    value[1..]
                        .find(quote)
                        .map_or(value.trim_end().len(), |e| e + 2)
                } else {
                    value.trim_end().len()
                };
                return Some(Span::new(start, start + len));
            }
        }
        offset += line.len();
    }
    None
}

/// One way a policy statement differs from the generated one.
#[derive(Debug, Clone)]
pub struct Difference {
    /// A clause for the message: "lacks `kms:CreateGrant`".
    pub what: String,
    /// Where in the policy statement.
    pub span: Span,
}

fn principal_set(st: &Statement) -> (bool, BTreeSet<(String, String)>) {
    let Some(p) = &st.principal else {
        return (false, BTreeSet::new());
    };
    let set = p
        .entries
        .iter()
        .map(|e| {
            let kind = if e.kind == "*" {
                "AWS"
            } else {
                e.kind.as_str()
            };
            let value = if kind == "AWS"
                && e.value.len() == 12
                && e.value.bytes().all(|b| b.is_ascii_digit())
            {
                // IAM stores a bare account id as the account's root ARN.
                format!("arn:aws:iam::{}:root", e.value)
            } else {
                e.value.to_string()
            };
            (kind.to_string(), value)
        })
        .collect();
    (p.not, set)
}

type Conditions = BTreeMap<(String, String), BTreeSet<String>>;

fn condition_map(st: &Statement) -> Conditions {
    let mut m = Conditions::new();
    if let Some(c) = &st.condition {
        for op in &c.operators {
            for e in &op.entries {
                m.entry((
                    op.name.value.to_string(),
                    e.key.value.as_str().to_ascii_lowercase(),
                ))
                .or_default()
                .extend(e.values.iter().map(|v| v.value.to_string()));
            }
        }
    }
    m
}

/// The condition entry of `st` for (operator, lower-case key), with its original key text.
fn condition_entry_span(st: &Statement, op: &str, key: &str) -> Option<(Span, String)> {
    let c = st.condition.as_ref()?;
    c.operators
        .iter()
        .filter(|o| o.name.value == op)
        .flat_map(|o| o.entries.iter())
        .find(|e| e.key.value.eq_ignore_ascii_case(key))
        .map(|e| (e.span, e.key.value.to_string()))
}

fn shown(values: &BTreeSet<String>) -> String {
    let v: Vec<&String> = values.iter().collect();
    code_list(&v).replace(" and ", " or ")
}

fn action_patterns(st: &Statement) -> (bool, Vec<String>) {
    match &st.action {
        Some(a) => (a.not, a.items.iter().map(|i| i.value.to_string()).collect()),
        None => (false, Vec::new()),
    }
}

/// Whether every action `pattern` stands for is granted by one of `by`.
fn pattern_covered(pattern: &str, by: &[String]) -> bool {
    let mut any = false;
    let all = actions::expand_full(pattern).all(|full| {
        any = true;
        by.iter().any(|b| actions::matches_action(b, full))
    });
    if !any {
        return by.iter().any(|b| b.eq_ignore_ascii_case(pattern));
    }
    all
}

/// How `p` (in the policy) differs from `g` (generated). Empty: the same statement.
pub fn compare(g: &Statement, p: &Statement) -> Vec<Difference> {
    let mut out = Vec::new();
    let anchor = super::head(p.span);
    let effect = |s: &Statement| s.effect.as_ref().map(|e| e.kind.clone());
    if effect(g) != effect(p) {
        let name = |e: Option<EffectKind>| match e {
            Some(EffectKind::Allow) => "Allow".to_string(),
            Some(EffectKind::Deny) => "Deny".to_string(),
            Some(EffectKind::Other(s)) => s,
            None => "no Effect".to_string(),
        };
        out.push(Difference {
            what: format!(
                "its `Effect` is `{}` instead of `{}`",
                name(effect(p)),
                name(effect(g))
            ),
            span: p.effect.as_ref().map_or(anchor, |e| e.span),
        });
    }

    let (gn, gp) = principal_set(g);
    let (pn, pp) = principal_set(p);
    if gn != pn || gp != pp {
        let pspan = p.principal.as_ref().map_or(anchor, |x| x.key_span);
        let missing: Vec<&str> = gp.difference(&pp).map(|(_, v)| v.as_str()).collect();
        let extra: Vec<&str> = pp.difference(&gp).map(|(_, v)| v.as_str()).collect();
        let what = if gn != pn {
            format!(
                "it uses `{}` instead of `{}`",
                if pn { "NotPrincipal" } else { "Principal" },
                if gn { "NotPrincipal" } else { "Principal" }
            )
        } else if !missing.is_empty() && !extra.is_empty() {
            format!(
                "its principal is {} instead of {}",
                code_list(&extra),
                code_list(&missing)
            )
        } else if !missing.is_empty() {
            format!("its principal lacks {}", code_list(&missing))
        } else {
            format!("its principal adds {}", code_list(&extra))
        };
        out.push(Difference { what, span: pspan });
    }

    let (ga_not, ga) = action_patterns(g);
    let (pa_not, pa) = action_patterns(p);
    let aspan = p.action.as_ref().map_or(anchor, |a| a.key_span);
    if ga_not != pa_not {
        out.push(Difference {
            what: format!(
                "it uses `{}` instead of `{}`",
                if pa_not { "NotAction" } else { "Action" },
                if ga_not { "NotAction" } else { "Action" }
            ),
            span: aspan,
        });
    } else {
        let lacks: Vec<&String> = ga.iter().filter(|a| !pattern_covered(a, &pa)).collect();
        let adds: Vec<&String> = pa.iter().filter(|a| !pattern_covered(a, &ga)).collect();
        if p.action.is_none() {
            out.push(Difference {
                what: "it has no `Action`".to_string(),
                span: anchor,
            });
        } else if !lacks.is_empty() || !adds.is_empty() {
            let mut parts = Vec::new();
            if !lacks.is_empty() {
                parts.push(format!("lacks {}", code_list(&lacks)));
            }
            if !adds.is_empty() {
                parts.push(format!("adds {}", code_list(&adds)));
            }
            out.push(Difference {
                what: format!("its `Action` {}", parts.join(" and ")),
                span: aspan,
            });
        }
    }

    let res = |s: &Statement| {
        s.resource.as_ref().map(|r| {
            (
                r.not,
                r.items
                    .iter()
                    .map(|i| i.value.clone())
                    .collect::<BTreeSet<_>>(),
            )
        })
    };
    if res(g) != res(p) {
        let shown_res = |s: &Statement| {
            s.resource.as_ref().map_or("nothing".to_string(), |r| {
                let items: Vec<&str> = r.items.iter().map(|i| i.value.as_str()).collect();
                format!("`{}` {}", r.key, code_list(&items))
            })
        };
        out.push(Difference {
            what: format!(
                "its resource is {} instead of {}",
                shown_res(p),
                shown_res(g)
            ),
            span: p.resource.as_ref().map_or(anchor, |r| r.key_span),
        });
    }

    let gc = condition_map(g);
    let pc = condition_map(p);
    if gc != pc {
        let cspan = p.condition.as_ref().map_or(anchor, |c| c.key_span);
        let keys: BTreeSet<&String> = gc.keys().chain(pc.keys()).map(|(_, k)| k).collect();
        for key in keys {
            let gops: Vec<(&String, &BTreeSet<String>)> = gc
                .iter()
                .filter(|((_, k), _)| k == key)
                .map(|((o, _), v)| (o, v))
                .collect();
            let pops: Vec<(&String, &BTreeSet<String>)> = pc
                .iter()
                .filter(|((_, k), _)| k == key)
                .map(|((o, _), v)| (o, v))
                .collect();
            if gops == pops {
                continue;
            }
            let span_of = |op: &str| {
                condition_entry_span(p, op, key)
                    .map(|(s, _)| s)
                    .unwrap_or(cspan)
            };
            let key_text = g
                .condition
                .iter()
                .chain(p.condition.iter())
                .flat_map(|c| c.operators.iter())
                .flat_map(|o| o.entries.iter())
                .find(|e| e.key.value.eq_ignore_ascii_case(key))
                .map_or(key.clone(), |e| e.key.value.to_string());
            let what = match (gops.first(), pops.first()) {
                (Some((go, gv)), None) => {
                    format!("it lacks the condition `{go}` `{key_text}` = {}", shown(gv))
                }
                (None, Some((po, pv))) => {
                    out.push(Difference {
                        what: format!("it adds the condition `{po}` `{key_text}` = {}", shown(pv)),
                        span: span_of(po),
                    });
                    continue;
                }
                (Some((go, gv)), Some((po, pv))) if go != po => {
                    out.push(Difference {
                        what: format!(
                            "its `{key_text}` condition uses `{po}` instead of `{go}`{}",
                            if gv == pv {
                                String::new()
                            } else {
                                format!(" and is {} instead of {}", shown(pv), shown(gv))
                            }
                        ),
                        span: span_of(po),
                    });
                    continue;
                }
                (Some((go, gv)), Some((_, pv))) => {
                    out.push(Difference {
                        what: format!(
                            "its `{key_text}` condition is {} instead of {}",
                            shown(pv),
                            shown(gv)
                        ),
                        span: span_of(go),
                    });
                    continue;
                }
                (None, None) => continue,
            };
            out.push(Difference { what, span: cspan });
        }
    }
    out
}

/// The outcome of looking for one generated statement in a policy.
pub enum Match<'a> {
    /// An equivalent statement is there.
    Present,
    /// A statement with the generated `Sid` is there but differs.
    Altered(&'a Statement, Vec<Difference>),
    /// No statement with that `Sid` and none equivalent; the closest similar one, if any.
    Missing(Option<(&'a Statement, Vec<Difference>)>),
}

/// Looks for the generated statement `g` among `policy`.
pub fn find<'a>(g: &Statement, policy: &'a [Statement]) -> Match<'a> {
    if policy.iter().any(|p| compare(g, p).is_empty()) {
        return Match::Present;
    }
    if let Some(sid) = g.sid.as_ref().filter(|s| !s.value.trim().is_empty()) {
        let best = policy
            .iter()
            .filter(|p| {
                p.sid
                    .as_ref()
                    .is_some_and(|s| s.value.trim() == sid.value.trim())
            })
            .map(|p| (p, compare(g, p)))
            .min_by_key(|(_, d)| d.len());
        if let Some((p, d)) = best {
            return Match::Altered(p, d);
        }
    }
    // Similar: same effect and principal, some action in common.
    let closest = policy
        .iter()
        .map(|p| (p, compare(g, p)))
        .filter(|(p, d)| {
            d.len() <= 2
                && shares_action(g, p)
                && principal_set(p) == principal_set(g)
                && p.effect.as_ref().map(|e| &e.kind) == g.effect.as_ref().map(|e| &e.kind)
        })
        .min_by_key(|(_, d)| d.len());
    Match::Missing(closest)
}

/// Whether some action of `g` is granted by `p` too.
fn shares_action(g: &Statement, p: &Statement) -> bool {
    let (_, ga) = action_patterns(g);
    let (_, pa) = action_patterns(p);
    ga.iter().any(|a| pattern_covered(a, &pa))
}

/// How messages name a generated statement: "`Sid`" or "statement 2 of `file`".
pub fn generated_name(g: &Statement, display: &str) -> String {
    match &g.sid {
        Some(s) if !s.value.trim().is_empty() => format!("`{}`", s.value),
        _ => format!("{} of `{display}`", statement_name(g)),
    }
}

/// Joins difference clauses into one message tail.
pub fn describe(diffs: &[Difference]) -> String {
    let parts: Vec<&str> = diffs.iter().map(|d| d.what.as_str()).collect();
    match parts.len() {
        0 => String::new(),
        1 => parts[0].to_string(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(text: &str) -> Statement {
        let parsed = json::parse(text);
        let Some(root) = parsed.root else {
            panic!("parse")
        };
        statements_of(&root).remove(0)
    }

    #[test]
    fn order_and_single_string_do_not_matter() {
        let g = st(
            r#"{"Sid":"a","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"210987654321"}}}"#,
        );
        let p = st(
            r#"{"Effect":"Allow","Principal":"*","Action":["kms:Decrypt","kms:Encrypt"],"Resource":["*"],"Condition":{"StringEquals":{"kms:calleraccount":["210987654321"]}}}"#,
        );
        assert!(compare(&g, &p).is_empty());
    }

    #[test]
    fn differences_are_named() {
        let g = st(
            r#"{"Sid":"a","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:CreateGrant"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"210987654321"}}}"#,
        );
        let p = st(
            r#"{"Sid":"a","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}"#,
        );
        let d = describe(&compare(&g, &p));
        assert_eq!(
            d,
            "its `Action` lacks `kms:CreateGrant` and its `kms:CallerAccount` condition is `111122223333` instead of `210987654321`"
        );
    }

    #[test]
    fn wildcards_cover() {
        let g = st(
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":["kms:ReEncryptFrom","kms:ReEncryptTo"],"Resource":"*"}"#,
        );
        let p = st(
            r#"{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"kms:ReEncrypt*","Resource":"*"}"#,
        );
        assert!(compare(&g, &p).is_empty());
    }

    #[test]
    fn config_value_spans() {
        let t = "[aura.aws]\ngenerated_statements = \"aura.json\"\n";
        let s = config_value_span(t, "generated_statements");
        assert_eq!(s.map(|s| &t[s.start..s.end]), Some("\"aura.json\""));
    }
}
