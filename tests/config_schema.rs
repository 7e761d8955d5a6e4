//! `schemas/cmklint.schema.json` and the `Config` struct must agree: the committed schema
//! is the one `cmklint::config::json_schema()` generates (`CMKLINT_BLESS=1 cargo test
//! --test config_schema` rewrites it), every key the schema names loads, every key the
//! loader accepts is in the schema, and the schema accepts what the loader accepts.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cmklint::config::{json_schema, Config};
use serde_json::Value;

fn bless() -> bool {
    std::env::var_os("CMKLINT_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

fn schema_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/cmklint.schema.json")
}

#[test]
fn committed_schema_is_up_to_date() {
    let mut expected =
        serde_json::to_string_pretty(&json_schema()).unwrap_or_else(|e| panic!("{e}"));
    expected.push('\n');
    let path = schema_file();
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != expected {
        if bless() {
            std::fs::write(&path, &expected)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        } else {
            panic!(
                "{} is stale; regenerate it with `CMKLINT_BLESS=1 cargo test --test config_schema` and commit it",
                path.display()
            );
        }
    }
}

/// Every table of the schema with fixed properties: (TOML path, property names).
fn tables(schema: &Value, path: Vec<String>, out: &mut Vec<(Vec<String>, BTreeSet<String>)>) {
    let Some(props) = schema["properties"].as_object() else {
        return;
    };
    out.push((path.clone(), props.keys().cloned().collect()));
    for (k, v) in props {
        if v["type"] == "object" {
            let mut p = path.clone();
            p.push(k.clone());
            tables(v, p, out);
        }
    }
}

/// The keys the loader accepts in the table at `path`: serde's "unknown field" error
/// lists them.
fn accepted_keys(path: &[String]) -> BTreeSet<String> {
    let header = if path.is_empty() {
        String::new()
    } else {
        format!("[{}]\n", path.join("."))
    };
    let text = format!("{header}zz_unknown_key = 1\n");
    let err = match Config::parse(Path::new("cmklint.toml"), &text) {
        Ok(_) => panic!("an unknown key in [{}] was accepted", path.join(".")),
        Err(e) => e.message,
    };
    // "expected `a`", "expected `a` or `b`", "expected one of `a`, `b`, `c`".
    let list = err
        .split("expected ")
        .nth(1)
        .unwrap_or_else(|| panic!("unexpected message: {err}"));
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn schema_and_loader_accept_the_same_keys() {
    let schema = json_schema();
    let mut all = Vec::new();
    tables(&schema, Vec::new(), &mut all);
    assert!(all.len() >= 7, "{all:?}");
    for (path, keys) in all {
        assert_eq!(
            keys,
            accepted_keys(&path),
            "keys of [{}] differ between schema and loader",
            path.join(".")
        );
    }
}

/// A value for every property, taken from the schema (first enum value, first example,
/// default), so the sample names every key the schema has.
fn sample(schema: &Value) -> Value {
    if let Some(props) = schema["properties"].as_object() {
        return Value::Object(props.iter().map(|(k, v)| (k.clone(), sample(v))).collect());
    }
    if let Some(first) = schema["enum"].get(0) {
        return first.clone();
    }
    if let Some(first) = schema["examples"].get(0) {
        return first.clone();
    }
    if let Some(d) = schema.get("default") {
        return d.clone();
    }
    match schema["type"].as_str() {
        Some("array") => Value::Array(vec![sample(&schema["items"])]),
        Some("object") => {
            let key = schema["propertyNames"]["enum"][0]
                .as_str()
                .unwrap_or("x")
                .to_string();
            let mut m = serde_json::Map::new();
            m.insert(key, sample(&schema["additionalProperties"]));
            Value::Object(m)
        }
        _ => Value::from("x"),
    }
}

/// Writes a JSON object of strings, arrays of strings and tables as TOML (JSON string
/// escapes are valid TOML basic-string escapes).
fn write_toml(out: &mut String, path: &[String], value: &Value) {
    let Some(obj) = value.as_object() else {
        return;
    };
    if !path.is_empty() {
        out.push_str(&format!("[{}]\n", path.join(".")));
    }
    for (k, v) in obj {
        if !v.is_object() {
            out.push_str(&format!("{k} = {v}\n"));
        }
    }
    for (k, v) in obj {
        if v.is_object() {
            let mut p = path.to_vec();
            p.push(k.clone());
            write_toml(out, &p, v);
        }
    }
}

fn toml_to_json(text: &str) -> Value {
    let v: toml::Value = toml::from_str(text).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(v).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_full_sample_config_loads_and_validates() {
    let schema = json_schema();
    let mut full = sample(&schema);
    // A pack file need not exist to load the config, but pack ids are checked by the
    // pack loader; keep the sample about the struct.
    full["rules"]["packs"] = Value::Array(Vec::new());
    let mut text = String::new();
    write_toml(&mut text, &[], &full);
    for key in [
        "cloud",
        "region",
        "tier",
        "generated_statements",
        "account_id",
        "application_id",
        "principal_id",
        "service_accounts",
        "include",
        "exclude",
        "max_size",
        "select",
        "ignore",
        "severity",
        "packs",
    ] {
        assert!(text.contains(key), "sample lacks {key}:\n{text}");
    }
    let config = Config::parse(Path::new("cmklint.toml"), &text)
        .unwrap_or_else(|e| panic!("the sample does not load: {}\n{text}", e.message));
    assert_eq!(config.region(), full["aura"]["region"].as_str());
    let validator = jsonschema::draft7::new(&schema).unwrap_or_else(|e| panic!("{e}"));
    assert!(validator.is_valid(&toml_to_json(&text)), "{text}");
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let validator = jsonschema::draft7::new(&json_schema()).unwrap_or_else(|e| panic!("{e}"));
    for bad in [
        "[aura]\nregoin = \"eu-west-1\"\n",
        "[aura]\ncloud = \"azur\"\n",
        "[files]\nmax_size = \"ten\"\n",
        "[files]\nexclude = \"vendor/**\"\n",
        "[rules.severity]\njson-syntax = \"fatal\"\n",
        "[rules.severity]\njson-sintax = \"error\"\n",
        "[rules]\nselect = [\"jsn\"]\n",
    ] {
        assert!(
            Config::parse(Path::new("cmklint.toml"), bad).is_err(),
            "loader accepted {bad}"
        );
        assert!(
            !validator.is_valid(&toml_to_json(bad)),
            "schema accepted {bad}"
        );
    }
    for good in [
        "",
        "[aura]\ncloud = \"aws\"\nregion = \"eu-west-1\"\n[aura.aws]\naccount_id = \"210987654321\"\n",
        "[files]\nmax_size = \"512KiB\"\n[rules]\nselect = [\"json\"]\nignore = [\"json-syntax\"]\n",
    ] {
        assert!(Config::parse(Path::new("cmklint.toml"), good).is_ok(), "{good}");
        assert!(validator.is_valid(&toml_to_json(good)), "schema rejected {good}");
    }
}
