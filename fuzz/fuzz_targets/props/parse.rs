//! Properties of the span-keeping JSON parser with its splice analysis (fuzz target
//! `json_parse`, and `splice_search`).
//!
//! On any text: no panic; every span (nodes, keys, issues, labels, fix edits) lies inside
//! the text on character boundaries; `pointer_to` finds every node and `pointer` follows
//! the result back; a text `serde_json` accepts gets no syntax issue but duplicate keys and
//! decodes to the same value; string literals decode with their origin map in bounds; the
//! fast path for valid files gives exactly what the recovering parser alone gives.

use cmklint::json::{self, Node, Value};
use cmklint::source::Span;

pub fn check(text: &str) {
    let parsed = json::parse(text);
    // The fast path for valid files changes nothing: same tree, spans and findings as
    // the recovering parser alone.
    assert_eq!(
        parsed,
        json::parse_slow(text),
        "fast path and recovering parser differ"
    );
    assert!(
        parsed.root.is_some() || !parsed.issues.is_empty(),
        "no tree and no issue"
    );
    for issue in &parsed.issues {
        in_text(text, issue.span, issue.rule);
        assert!(
            !issue.message.is_empty(),
            "empty message for {}",
            issue.rule
        );
        for (span, _) in &issue.labels {
            in_text(text, *span, "label");
        }
        if let Some(edits) = &issue.fix {
            for (span, _) in edits {
                in_text(text, *span, "fix edit");
            }
        }
    }
    let Some(root) = &parsed.root else {
        return;
    };
    let mut nodes = 0usize;
    walk(text, root, root, true, &mut nodes);

    // Differential check against serde_json on texts it accepts (its recursion limit is
    // 128; deeper texts are skipped).
    if let Ok(expected) = serde_json::from_str::<serde_json::Value>(text) {
        let others: Vec<_> = parsed
            .issues
            .iter()
            // Valid JSON can still hold a duplicate key, or statements pasted with their
            // own `[` `]` or as a whole policy: findings about its shape, not its syntax.
            .filter(|i| {
                !matches!(
                    i.rule,
                    "json-duplicate-key" | "splice-nested-array" | "splice-pasted-document"
                )
            })
            .map(|i| (i.rule, i.message.clone()))
            .collect();
        assert!(others.is_empty(), "valid JSON got issues: {others:?}");
        assert_eq!(to_serde(root), expected, "tree differs from serde_json");
    }
}

fn in_text(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} outside text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} not on char boundaries"
    );
}

/// Checks spans and pointers of `node` and its children. `unique`: no object on the path
/// from the root has duplicate keys (so `pointer` leads back to this very node).
fn walk(text: &str, root: &Node, node: &Node, unique: bool, nodes: &mut usize) {
    *nodes += 1;
    in_text(text, node.span, "node");
    let pointer = root.pointer_to(node.span);
    assert!(pointer.is_some(), "pointer_to lost node at {:?}", node.span);
    // With a duplicate key on the path the pointer is ambiguous (`pointer` takes the last
    // member, as the cloud APIs do); elsewhere it must lead back to this node.
    if let Some(p) = pointer.as_ref().filter(|_| unique) {
        let found = root.pointer(p);
        assert!(
            found.is_some(),
            "pointer {p:?} from pointer_to does not resolve"
        );
        if !node.span.is_empty() {
            if let Some(found) = found {
                // The innermost node covering the span may be a child with the same span
                // (recovery), never a different, unrelated node.
                assert!(
                    found.span.start >= node.span.start && found.span.end <= node.span.end,
                    "pointer {p:?} leads to {:?}, not {:?}",
                    found.span,
                    node.span
                );
            }
        }
    }
    if let Value::String(s) = &node.value {
        if text.as_bytes().get(node.span.start) == Some(&b'"') {
            if let Some(d) = json::decode_string_literal(text, node.span) {
                assert_eq!(&d.text, s, "decoded literal differs from the tree's string");
                assert_eq!(d.origin.len(), d.text.len() + 1, "origin map length");
                for &o in &d.origin {
                    assert!(o <= text.len(), "origin {o} outside text");
                }
                let all = d.map_span(Span::new(0, d.text.len()));
                assert!(all.end <= text.len());
            }
        }
    }
    match &node.value {
        Value::Array(items) => {
            for item in items {
                walk(text, root, item, unique, nodes);
            }
        }
        Value::Object(members) => {
            let mut keys: Vec<&str> = members.iter().map(|m| m.key.as_str()).collect();
            keys.sort_unstable();
            let before = keys.len();
            keys.dedup();
            let unique_here = unique && keys.len() == before;
            for m in members {
                in_text(text, m.key_span, "key");
                walk(text, root, &m.value, unique_here, nodes);
            }
        }
        _ => {}
    }
}

/// The tree as a serde_json value (duplicate keys: the last wins, as in serde_json).
fn to_serde(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::from_str(n).unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(to_serde).collect()),
        Value::Object(members) => {
            let mut map = serde_json::Map::new();
            for m in members {
                map.insert(m.key.to_string(), to_serde(&m.value));
            }
            serde_json::Value::Object(map)
        }
    }
}
