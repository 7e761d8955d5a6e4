//! Rule packs: every assertion kind on realistic documents, pack validation errors
//! pointing into the pack file, the built-in packs, and user packs through the engine.
//!
//! - `fixtures/packs/assertions/`: a pack with one rule per assertion kind and documents
//!   named `<name>.<kind>.json`. The pack runs on each document as that kind; a `*-bad`
//!   or ARM template document is snapshotted (`packs__<name>`), a `*-good` one must give
//!   no finding.
//! - `fixtures/packs/invalid/*.pack.json`: packs with one mistake each; loading must fail
//!   and the errors are snapshotted (`packs-invalid__<name>`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cmklint::config::Config;
use cmklint::diagnostic::Diagnostic;
use cmklint::engine::{self, Options, CONFIG_ERROR};
use cmklint::pack::{self, Origin, PackRule};
use cmklint::render::{self, Format, RenderOptions};
use cmklint::rules::Context;
use cmklint::source::SourceFile;

fn render_all(diags: &[Diagnostic]) -> String {
    let opts = RenderOptions { color: false };
    format!(
        "{}\n{}",
        render::render(Format::Concise, diags, opts),
        render::render(Format::Full, diags, opts)
    )
}

fn files(dir: &str, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.to_string_lossy().ends_with(suffix));
    out.sort();
    out
}

fn load_pack(path: &Path) -> Result<Vec<PackRule>, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let file = Arc::new(SourceFile::new(path, text));
    let builtin: Vec<&str> = cmklint::rules::builtin()
        .iter()
        .map(|r| r.meta().id)
        .collect();
    pack::load(file, Origin::User, &|id| builtin.contains(&id))
}

/// Runs `rules` on the document at `path` as the kind its name gives.
fn run_on(rules: &[PackRule], path: &Path, config: &Config) -> (Vec<Diagnostic>, Vec<String>) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kind_name = name
        .trim_end_matches(".json")
        .rsplit('.')
        .next()
        .unwrap_or("");
    let Some(kind) = cmklint::document::KINDS.iter().find(|k| k.id == kind_name) else {
        panic!("{name}: `{kind_name}` is not a kind id");
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let source = Arc::new(SourceFile::new(path, text));
    let parsed = cmklint::json::parse(&source.text);
    let Some(root) = parsed.root.as_ref() else {
        panic!("{name} does not parse");
    };
    let parts = pack::parts_of(kind.id, root, None);
    let skipped = Mutex::new(Vec::new());
    let cx = Context::new(config, &skipped);
    let mut out = Vec::new();
    for rule in rules {
        rule.check_parts(&parts, path, &cx, &mut out);
    }
    for d in &mut out {
        d.file = Some(source.clone());
    }
    engine::sort_and_dedup(&mut out);
    (out, skipped.into_inner().unwrap_or_default())
}

fn assertions_config() -> Config {
    let path = Path::new("fixtures/packs/assertions/cmklint.toml");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    match Config::parse(path, &text) {
        Ok(c) => c,
        Err(e) => panic!("{}", e.message),
    }
}

#[test]
fn every_assertion_kind_fires_on_bad_documents_and_not_on_good_ones() {
    let rules = match load_pack(Path::new("fixtures/packs/assertions/assertions.pack.json")) {
        Ok(r) => r,
        Err(e) => panic!("the assertions pack does not load:\n{}", render_all(&e)),
    };
    let config = assertions_config();
    let mut fired: Vec<&str> = Vec::new();
    for doc in files("fixtures/packs/assertions", ".json") {
        let name = doc
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".pack.json") {
            continue;
        }
        let (diags, skipped) = run_on(&rules, &doc, &config);
        assert!(skipped.is_empty(), "{name}: rules skipped: {skipped:?}");
        let stem = name.split('.').next().unwrap_or("");
        if stem.ends_with("-good") {
            assert!(
                diags.is_empty(),
                "{name}: expected no finding, got:\n{}",
                render_all(&diags)
            );
            continue;
        }
        assert!(!diags.is_empty(), "{name}: expected findings");
        fired.extend(diags.iter().map(|d| d.rule));
        insta::with_settings!({ snapshot_path => "snapshots/packs", prepend_module_to_snapshot => false, description => doc.display().to_string() }, {
            insta::assert_snapshot!(format!("packs__{stem}"), render_all(&diags));
        });
    }
    for r in &rules {
        assert!(
            fired.contains(&r.meta.id),
            "rule {} never fired on a bad document",
            r.meta.id
        );
    }
}

#[test]
fn rules_needing_an_absent_config_value_are_skipped_and_say_why() {
    let rules = match load_pack(Path::new("fixtures/packs/assertions/assertions.pack.json")) {
        Ok(r) => r,
        Err(e) => panic!("{}", render_all(&e)),
    };
    let config = Config::default(); // no [aura] cloud or region
    let (diags, skipped) = run_on(
        &rules,
        Path::new("fixtures/packs/assertions/vault-bad.azure-vault.json"),
        &config,
    );
    assert!(!diags.iter().any(|d| d.rule == "test-when-config"));
    assert_eq!(
        skipped,
        vec!["test-when-config: skipped for fixtures/packs/assertions/vault-bad.azure-vault.json: it needs `aura.cloud`, `aura.region` in cmklint.toml".to_string()]
    );
}

#[test]
fn invalid_packs_are_rejected_with_errors_pointing_into_the_pack() {
    let all = files("fixtures/packs/invalid", ".pack.json");
    assert!(all.len() >= 10, "expected the invalid pack fixtures");
    for path in all {
        let name = path
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .trim_end_matches(".pack.json")
                    .to_string()
            })
            .unwrap_or_default();
        let errors = match load_pack(&path) {
            Ok(_) => panic!("{}: the pack loaded but has a mistake", path.display()),
            Err(e) => e,
        };
        for e in &errors {
            assert_eq!(e.rule, CONFIG_ERROR);
            assert_eq!(e.file.as_ref().map(|f| f.path.clone()), Some(path.clone()));
        }
        insta::with_settings!({ snapshot_path => "snapshots/packs", prepend_module_to_snapshot => false, description => path.display().to_string() }, {
            insta::assert_snapshot!(format!("packs-invalid__{name}"), render_all(&errors));
        });
    }
}

#[test]
fn builtin_packs_load_and_their_rules_are_registered() {
    let errors = pack::builtin_errors();
    assert!(
        errors.is_empty(),
        "built-in packs have mistakes:\n{}",
        render_all(errors)
    );
    let registry: Vec<&str> = cmklint::rules::builtin()
        .iter()
        .map(|r| r.meta().id)
        .collect();
    let native: Vec<&str> = cmklint::rules::native()
        .iter()
        .map(|r| r.meta().id)
        .collect();
    for (name, text) in pack::BUILTIN_PACKS {
        // At run time built-in packs skip the schema check (it would cost every run); here
        // they get the full validation a user's pack gets.
        let file = Arc::new(SourceFile::new(*name, (*text).to_string()));
        if let Err(e) = pack::load(file, Origin::User, &|id| native.contains(&id)) {
            panic!("{name} is not a valid rule pack:\n{}", render_all(&e));
        }
        let json: serde_json::Value = match serde_json::from_str(text) {
            Ok(j) => j,
            Err(e) => panic!("{name}: {e}"),
        };
        for rule in json["rules"].as_array().into_iter().flatten() {
            let id = rule["id"].as_str().unwrap_or("");
            assert!(
                registry.contains(&id),
                "{name}: rule {id} is not in the registry"
            );
            assert!(cmklint::rules::find(id).is_some());
        }
    }
    // Ids are unique across the whole registry.
    let mut sorted = registry.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        registry.len(),
        "a rule id is registered twice"
    );
}

/// Copies `fixtures/packs/<name>` to a temporary folder and runs the engine there.
fn run_engine_in(dir: &Path, paths: &[&str]) -> engine::Report {
    engine::run(&Options {
        paths: paths.iter().map(|p| dir.join(p)).collect(),
        ..Options::default()
    })
}

#[test]
fn a_bad_user_pack_fails_the_run_and_points_into_the_pack() {
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let dir = tmp.path().join("instance");
    let write = |rel: &str, text: &str| {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Err(e) = std::fs::write(&p, text) {
            panic!("{e}");
        }
    };
    write(
        "cmklint.toml",
        "[rules]\npacks = [\"policies/org.json\", \"policies/missing.json\"]\n",
    );
    write(
        "policies/org.json",
        "{\n  \"rules\": [\n    {\"id\": \"org-x\", \"severity\": \"fatal\"}\n  ]\n}\n",
    );
    write("vault.json", "{}\n");
    let report = run_engine_in(&dir, &["vault.json"]);
    assert!(report.failed, "a bad pack must fail the run (exit 2)");
    let text = render::render(
        Format::Concise,
        &report.diagnostics,
        RenderOptions { color: false },
    );
    let root = dir.display().to_string();
    let text = text.replace(&root, "<dir>");
    assert!(text.contains("<dir>/policies/org.json:3:33: error: invalid rule pack: rule `org-x`: severity is `fatal`, expected one of `error`, `warning`, `info` [config-error]"), "{text}");
    assert!(text.contains("<dir>/policies/org.json:3:5: error: invalid rule pack: rule `org-x`: the rule has no `summary`, `kinds`, `path`, `assert`, `message`, `help`, `docs` [config-error]"), "{text}");
    assert!(
        text.contains(
            "<dir>/cmklint.toml:2:31: error: cannot read rule pack `policies/missing.json`"
        ),
        "{text}"
    );
}

/// The worked example: ACME's three policies as a pack shared by several instances' nested
/// `cmklint.toml` files, one of which ignores a pack rule and changes another's severity.
#[test]
fn org_policies_example_from_nested_configs() {
    let report = engine::run(&Options {
        paths: vec![PathBuf::from("fixtures/examples/org-policies")],
        ..Options::default()
    });
    assert!(!report.failed, "{}", render_all(&report.diagnostics));
    let found: Vec<(String, &str, String)> = report
        .diagnostics
        .iter()
        .map(|d| (d.path_str(), d.rule, d.severity.to_string()))
        .collect();
    let has = |path: &str, rule: &str, sev: &str| {
        found
            .iter()
            .any(|(p, r, s)| p.ends_with(path) && *r == rule && s == sev)
    };
    assert!(
        has("aws-prod/describe-key.json", "acme-key-region-eu", "error"),
        "{found:?}"
    );
    assert!(
        has(
            "aws-prod/rotation-status.json",
            "acme-rotation-180-days",
            "error"
        ),
        "{found:?}"
    );
    // aws-staging: re-severitied to a warning, and the rotation rule is ignored there.
    assert!(
        has(
            "aws-staging/describe-key.json",
            "acme-key-region-eu",
            "warning"
        ),
        "{found:?}"
    );
    assert!(!found
        .iter()
        .any(|(p, r, _)| p.contains("aws-staging") && *r == "acme-rotation-180-days"));
    assert!(
        has("azure-prod/vault.json", "acme-vault-owner-tag", "warning"),
        "{found:?}"
    );
    assert!(
        has(
            "azure-prod/azuredeploy.json",
            "acme-vault-owner-tag",
            "warning"
        ),
        "{found:?}"
    );
    assert!(
        has("azure-us/vault.json", "acme-vault-region-eu", "error"),
        "{found:?}"
    );
    assert!(
        has(
            "gcp-prod/crypto-key.json",
            "acme-gcp-rotation-180-days",
            "error"
        ),
        "{found:?}"
    );
    // The example's documents are otherwise clean: only the pack's rules fire.
    assert!(
        found.iter().all(|(_, r, _)| r.starts_with("acme-")),
        "{found:?}"
    );
    // Loaded user pack rules are documented like built-in ones (explain, SARIF).
    assert!(cmklint::docs::find("acme-vault-owner-tag").is_some());
    insta::with_settings!({ snapshot_path => "snapshots/packs", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("packs-example__org-policies", render_all(&report.diagnostics));
    });
}

#[test]
fn rules_section_accepts_pack_ids_and_still_rejects_unknown_ones() {
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let dir = tmp.path();
    let pack = std::fs::read_to_string("fixtures/examples/org-policies/policies/org.json")
        .unwrap_or_default();
    let _ = std::fs::write(dir.join("org.json"), pack);
    let _ = std::fs::write(dir.join("vault.json"), "{}\n");
    let _ = std::fs::write(
        dir.join("cmklint.toml"),
        "[rules]\npacks = [\"org.json\"]\nselect = [\"acme\", \"aws\"]\nignore = [\"acme-vault-owner-tag\"]\n[rules.severity]\nacme-key-region-eu = \"info\"\n",
    );
    let report = run_engine_in(dir, &["vault.json"]);
    assert!(!report.failed, "{}", render_all(&report.diagnostics));

    let _ = std::fs::write(
        dir.join("cmklint.toml"),
        "[rules]\npacks = [\"org.json\"]\nignore = [\"acme-vault-ownr-tag\"]\n",
    );
    let report = run_engine_in(dir, &["vault.json"]);
    assert!(report.failed);
    let text = render::render(
        Format::Concise,
        &report.diagnostics,
        RenderOptions { color: false },
    );
    assert!(
        text.contains("`acme-vault-ownr-tag` in `[rules] ignore` is neither a rule id nor a prefix of one (did you mean `acme-vault-owner-tag`?)"),
        "{text}"
    );
}

/// Every JSON file under `fixtures/` (recursively).
fn all_json(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            all_json(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// The input schemas accept every well-formed document of their kind among the fixtures
/// that no rule flags (the `good-*` cases and the examples): a schema that rejects real
/// CLI output would make a structural rule cry wolf.
#[test]
fn input_schemas_accept_the_good_fixtures() {
    let mut files = Vec::new();
    all_json(Path::new("fixtures"), &mut files);
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in files {
        let shown = path.to_string_lossy().replace('\\', "/");
        let clean =
            shown.contains("/good-") || shown.contains("/examples/") || shown.contains("-good.");
        if !clean {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let source = SourceFile::new(&path, text);
        let parsed = cmklint::json::parse(&source.text);
        if !parsed.issues.is_empty() {
            continue;
        }
        let model = match cmklint::document::classify(&source, &parsed) {
            cmklint::document::Classified::Kind(m)
            | cmklint::document::Classified::NeedsSibling(m) => m,
            cmklint::document::Classified::NotOurs => continue,
        };
        let Some(root) = parsed.root.as_ref() else {
            continue;
        };
        let embedded = model.embedded().and_then(|p| p.root.as_ref());
        for part in pack::parts_of(model.kind_id(), root, embedded) {
            let Some(schema) = pack::schema::input_schema(part.kind) else {
                continue;
            };
            checked += 1;
            let unknown = |n: &cmklint::json::Node| {
                part.azure && n.as_str().is_some_and(pack::is_arm_expression)
            };
            for e in schema.check(part.root, "", None, &unknown) {
                failures.push(format!(
                    "{shown} ({}): {} {}",
                    part.kind,
                    e.pointer,
                    e.message()
                ));
            }
        }
    }
    assert!(
        checked >= 50,
        "only {checked} fixtures have an input schema kind"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Structural mistakes in an AWS key policy, each reported at its node.
#[test]
fn aws_key_policy_schema_names_each_structural_mistake_at_its_node() {
    let text = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Allow access for Neo4j",
            "Effect": "allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Encrypt"],
            "NotAction": "kms:Decrypt",
            "Resource": "*",
            "Condtion": {}
        },
        {
            "Sid": "No effect",
            "Principal": {"Aws": "arn:aws:iam::210987654321:root"},
            "Action": "kms:*"
        }
    ]
}"#;
    let root = match cmklint::json::parse(text).root {
        Some(r) => r,
        None => panic!("does not parse"),
    };
    let schema = match pack::schema::input_schema("aws-key-policy") {
        Some(s) => s,
        None => panic!("no aws-key-policy schema"),
    };
    let got: Vec<String> = schema
        .check(&root, "", None, &|_| false)
        .into_iter()
        .map(|e| {
            format!(
                "{} `{}`: {}",
                e.pointer,
                &text[e.span.start..e.span.end],
                e.message()
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            "/Statement/0/Effect `\"allow\"`: is `allow`, expected one of `Allow`, `Deny`",
            "/Statement/0/NotAction `\"NotAction\"`: `NotAction` is not allowed here",
            "/Statement/0/Condtion `\"Condtion\"`: `Condtion` is not allowed here",
            "/Statement/1 `{`: `Effect` is missing",
            "/Statement/1 `{`: `Resource` is missing",
            "/Statement/1/Principal/Aws `\"Aws\"`: `Aws` is not allowed here",
        ]
    );
}

/// The AWS key policy schema and the structural rule `aws-statement-invalid` agree: every
/// place the rule reports is one the schema reports too (the rule words it better, so it
/// reports; the schema is the published reference of the same grammar).
#[test]
fn aws_key_policy_schema_agrees_with_aws_statement_invalid() {
    let Some(schema) = pack::schema::input_schema("aws-key-policy") else {
        panic!("no aws-key-policy schema");
    };
    let mut cases = 0;
    for case in files("fixtures/aws/aws-statement-invalid", "") {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.starts_with("bad-") {
            continue;
        }
        let report = engine::run(&Options {
            paths: vec![case.clone()],
            ..Options::default()
        });
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.rule == "aws-statement-invalid")
        {
            let Some(file) = &d.file else { continue };
            let parsed = cmklint::json::parse(&file.text);
            let model = match cmklint::document::classify(file, &parsed) {
                cmklint::document::Classified::Kind(m) => m,
                _ => continue,
            };
            let Some(root) = parsed.root.as_ref() else {
                continue;
            };
            let embedded = model.embedded().and_then(|p| p.root.as_ref());
            let errors: Vec<_> = pack::parts_of(model.kind_id(), root, embedded)
                .into_iter()
                .filter(|p| p.kind == "aws-key-policy")
                .flat_map(|p| schema.check(p.root, "", None, &|_| false))
                .collect();
            let overlaps = errors.iter().any(|e| {
                e.span.start < d.span.end.max(d.span.start + 1)
                    && d.span.start < e.span.end.max(e.span.start + 1)
            });
            assert!(
                overlaps,
                "{}: aws-statement-invalid at {:?} ({}) but the schema reports {:?}",
                file.path.display(),
                d.span,
                d.message,
                errors
                    .iter()
                    .map(|e| (e.span, e.message()))
                    .collect::<Vec<_>>()
            );
            cases += 1;
        }
    }
    assert!(
        cases >= 3,
        "expected aws-statement-invalid findings in its bad fixtures"
    );
}

/// A pack file inside the unit that names it is configuration, never linted as a document:
/// a broken pack is one `config-error`, not also a syntax finding because its text mentions
/// `Microsoft.KeyVault`.
#[test]
fn a_pack_inside_its_unit_is_not_linted_as_a_document() {
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let dir = tmp.path();
    let _ = std::fs::write(
        dir.join("cmklint.toml"),
        "[rules]\npacks = [\"org.json\"]\n",
    );
    let _ = std::fs::write(
        dir.join("org.json"),
        "{\"rules\": [{\"id\": \"acme-x\", \"summary\": \"type Microsoft.KeyVault/vaults with \\\"Statement\\\"\",}]}\n",
    );
    let vault = std::fs::read_to_string("fixtures/examples/org-policies/azure-us/vault.json")
        .unwrap_or_default();
    let _ = std::fs::write(dir.join("vault.json"), vault);
    let report = run_engine_in(dir, &[""]);
    assert!(report.failed);
    let on_pack: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.path_str().ends_with("org.json"))
        .map(|d| d.rule)
        .collect();
    assert_eq!(
        on_pack,
        vec![CONFIG_ERROR],
        "{}",
        render_all(&report.diagnostics)
    );
}

/// A built-in pack's rules join the group of the cloud their kinds belong to, so
/// `select = ["azure"]` takes them with the Rust rules; a user's rules are `custom`.
#[test]
fn builtin_pack_rules_join_their_cloud_group() {
    let text = std::fs::read_to_string("fixtures/packs/assertions/assertions.pack.json")
        .unwrap_or_default();
    let file = Arc::new(SourceFile::new("rules/packs/test.json", text));
    let rules = match pack::load(file.clone(), Origin::Builtin, &|_| false) {
        Ok(r) => r,
        Err(e) => panic!("{}", render_all(&e)),
    };
    let group = |id: &str| {
        rules
            .iter()
            .find(|r| r.meta.id == id)
            .map(|r| r.meta.group.as_str())
    };
    assert_eq!(group("test-exists"), Some("azure"));
    assert_eq!(group("test-when-path"), Some("aws"));
    assert_eq!(group("test-max"), Some("gcp"));
    let user = match pack::load(file, Origin::User, &|_| false) {
        Ok(r) => r,
        Err(e) => panic!("{}", render_all(&e)),
    };
    assert!(user.iter().all(|r| r.meta.group.as_str() == "custom"));
}

/// `fixtures/packs/features/`: vars (fallback paths, a regex rewrite, a default), cases
/// with their own texts and labels, labels with a `when`, `{type}`, conditions on the
/// value found, and what is never reported missing (a key written in another case, any
/// key of a broken file).
#[test]
fn vars_cases_and_labels_shape_the_findings() {
    let rules = match load_pack(Path::new("fixtures/packs/features/features.pack.json")) {
        Ok(r) => r,
        Err(e) => panic!("the features pack does not load:\n{}", render_all(&e)),
    };
    let config = Config::default();
    let run = |name: &str| -> Vec<(String, String, Vec<String>)> {
        let path = PathBuf::from(format!("fixtures/packs/features/{name}"));
        let (diags, skipped) = run_on(&rules, &path, &config);
        assert!(skipped.is_empty(), "{name}: {skipped:?}");
        diags
            .iter()
            .map(|d| {
                let text = |s: cmklint::source::Span| {
                    d.file
                        .as_ref()
                        .and_then(|f| f.text.get(s.start..s.end))
                        .unwrap_or("")
                        .to_string()
                };
                (
                    format!("{} @ {}", d.message, text(d.span)),
                    d.help.clone().unwrap_or_default(),
                    d.labels
                        .iter()
                        .map(|l| format!("{} @ {}", l.message, text(l.span)))
                        .collect(),
                )
            })
            .collect()
    };
    // A case by value; a var falls back to its default when its pattern finds nothing
    // … and here the rule's label, whose `when` holds.
    assert_eq!(
        run("key-disabled.aws-key-metadata.json"),
        vec![(
            "key 7f3c9a12-5b84-4e6d-9c21-0a8e4f6b3d57 is `Disabled` @ \"Disabled\"".to_string(),
            "enable key 7f3c9a12-5b84-4e6d-9c21-0a8e4f6b3d57".to_string(),
            vec!["`Enabled` is false too @ false".to_string()],
        )]
    );
    // The first case whose conditions all hold, with its own labels; `key_id` falls back
    // to the second path (no `KeyId`).
    let arn = "arn:aws:kms:eu-west-1:111122223333:key/7f3c9a12-5b84-4e6d-9c21-0a8e4f6b3d57";
    assert_eq!(
        run("key-deleted.aws-key-metadata.json"),
        vec![(
            format!("key {arn} is deleted on 2025-08-01T10:00:00+00:00 @ \"PendingDeletion\""),
            format!("cancel the deletion of {arn}"),
            vec!["deleted then @ \"2025-08-01T10:00:00+00:00\"".to_string()],
        )]
    );
    // No case: the rule's texts; a var's default; a regex var's default.
    assert_eq!(
        run("key-creating.aws-key-metadata.json"),
        vec![(
            "key state is `Creating` in an unknown account @ \"Creating\"".to_string(),
            "enable key KEY-ID".to_string(),
            vec![],
        )]
    );
    let messages = |name: &str| -> Vec<String> { run(name).into_iter().map(|f| f.0).collect() };
    assert_eq!(
        messages("policy-missing.aws-key-policy.json"),
        vec!["no `Version` @ {"]
    );
    assert_eq!(
        messages("policy-number.aws-key-policy.json"),
        vec!["`Version` is a number @ 2012"]
    );
    assert_eq!(
        messages("policy-old.aws-key-policy.json"),
        vec!["`Version` is `2008-10-17` @ \"2008-10-17\""]
    );
    // `version` is another mistake (another rule's), not a missing `Version`.
    assert!(messages("policy-other-case.aws-key-policy.json").is_empty());
}

/// A regex var rewrites the value with `replace`; the account comes from the ARN.
#[test]
fn a_var_pattern_rewrites_the_value() {
    let rules = match load_pack(Path::new("fixtures/packs/features/features.pack.json")) {
        Ok(r) => r,
        Err(e) => panic!("{}", render_all(&e)),
    };
    let text = r#"{"KeyMetadata": {"Arn": "arn:aws:kms:eu-west-1:111122223333:key/k", "KeyState": "Unavailable"}}"#;
    let root = cmklint::json::parse(text).root;
    let Some(root) = root.as_ref() else {
        panic!("does not parse")
    };
    let parts = pack::parts_of("aws-key-metadata", root, None);
    let skipped = Mutex::new(Vec::new());
    let config = Config::default();
    let cx = Context::new(&config, &skipped);
    let mut out = Vec::new();
    for r in &rules {
        r.check_parts(&parts, Path::new("k.json"), &cx, &mut out);
    }
    let messages: Vec<&str> = out.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages, vec!["key state is `Unavailable` in 111122223333"]);
}

/// Nothing is reported missing from a file with syntax errors (its tree may have lost it).
#[test]
fn nothing_is_missing_from_a_broken_file() {
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let dir = tmp.path().to_path_buf();
    let pack =
        std::fs::read_to_string("fixtures/packs/features/features.pack.json").unwrap_or_default();
    std::fs::write(dir.join("features.pack.json"), pack).unwrap_or_default();
    std::fs::write(
        dir.join("cmklint.toml"),
        "[rules]\npacks = [\"features.pack.json\"]\n",
    )
    .unwrap_or_default();
    let broken =
        std::fs::read_to_string("fixtures/packs/features/policy-broken.aws-key-policy.json")
            .unwrap_or_default();
    std::fs::write(dir.join("policy.json"), &broken).unwrap_or_default();
    std::fs::write(
        dir.join("whole.json"),
        "{\n    \"Statement\": [\n        {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}\n    ]\n}\n",
    )
    .unwrap_or_default();
    let report = run_engine_in(&dir, &["."]);
    let ids: Vec<(String, String)> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.starts_with("org-"))
        .map(|d| {
            (
                d.rule.to_string(),
                d.file
                    .as_ref()
                    .and_then(|f| f.path.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        vec![("org-policy-version".to_string(), "whole.json".to_string())]
    );
}
