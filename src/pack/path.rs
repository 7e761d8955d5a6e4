//! Selectors: JSON pointers (RFC 6901) in which a segment `*` stands for any key or index
//! and a segment `**` for any number of levels (zero included).
//!
//! Resolving a selector against a tree yields one [`Hit`] per selected place: a node that
//! is there, a key that is missing (with the nearest existing parent, so a finding can
//! point at it), or a value that is unknown at lint time (an ARM expression), which no
//! assertion may fail. Each hit remembers what its wildcards stood for, so a precondition
//! can look at "the same statement" as the rule's path.

use crate::json::{escape_pointer_token, Node, Value};
use crate::source::Span;

/// One segment of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A key, or an index for an array (`0`).
    Key(String),
    /// `*`: every key of an object, every item of an array.
    Any,
    /// `**`: zero or more levels.
    Deep,
}

/// A parsed selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// The selector as written.
    pub text: String,
    pub segments: Vec<Segment>,
}

/// What one wildcard of a hit stood for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// `*` matched this key or index.
    One(String),
    /// `**` matched this sequence of keys and indices.
    Many(Vec<String>),
}

/// How a value looks once unknown values and references are taken into account.
pub enum Deref<'a> {
    /// A value known at lint time; `via` is set when it was found by following a
    /// reference (an ARM parameter's `defaultValue`) and holds the reference's span.
    Known { node: &'a Node, via: Option<Span> },
    /// A value unknown at lint time.
    Unknown,
}

/// Decides which values are unknown and follows references (ARM parameters).
pub trait Resolve<'a> {
    fn deref(&self, node: &'a Node) -> Deref<'a>;
}

/// A resolver for documents with no unknown values.
pub struct Literal;

impl<'a> Resolve<'a> for Literal {
    fn deref(&self, node: &'a Node) -> Deref<'a> {
        Deref::Known { node, via: None }
    }
}

/// One step of the way to a hit: a key (borrowed from the tree) or an array index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok<'a> {
    Key(&'a str),
    Index(usize),
}

impl Tok<'_> {
    fn text(self) -> String {
        match self {
            Tok::Key(k) => k.to_string(),
            Tok::Index(i) => i.to_string(),
        }
    }
}

/// One selected place.
#[derive(Debug, Clone)]
pub enum Hit<'a> {
    /// The value is there. `span` is where a finding points: the value as written in the
    /// document (for a resolved ARM parameter, the expression that names it).
    Found {
        node: &'a Node,
        span: Span,
        /// Where something missing inside the value is reported: the key naming it, or
        /// its opening bracket.
        anchor: Span,
        /// Where the value was found by following a reference (a parameter's default).
        origin: Option<Span>,
    },
    /// `key` is missing from `parent` (or `parent` is `null`). `anchor` is where a finding
    /// points: the key of the parent's member, or the parent's opening bracket.
    Missing {
        parent: &'a Node,
        anchor: Span,
        key: String,
    },
    /// The value (or a value on the way to it) is unknown at lint time; `node` is it as
    /// written (an ARM expression).
    Unknown { node: &'a Node, span: Span },
}

impl Hit<'_> {
    /// The span a finding about this hit points at.
    pub fn span(&self) -> Span {
        match self {
            Hit::Found { span, .. } | Hit::Unknown { span, .. } => *span,
            Hit::Missing { anchor, .. } => *anchor,
        }
    }
}

/// A hit, the way to it, and what the selector's wildcards stood for. The JSON pointer and
/// the bindings are built only when asked for: most hits pass and need neither.
#[derive(Debug, Clone)]
pub struct Match<'a> {
    pub hit: Hit<'a>,
    toks: Vec<Tok<'a>>,
    /// For each wildcard of the selector, the range of `toks` it matched and whether it
    /// is a `**`.
    wild: Vec<(usize, usize, bool)>,
}

impl Match<'_> {
    /// The JSON pointer of the hit (for a missing key: of that key).
    pub fn pointer(&self) -> String {
        let mut p = String::new();
        for t in &self.toks {
            match t {
                Tok::Key(k) => push(&mut p, k),
                Tok::Index(i) => {
                    p.push('/');
                    p.push_str(&i.to_string());
                }
            }
        }
        if let Hit::Missing { key, .. } = &self.hit {
            push(&mut p, key);
        }
        p
    }

    /// The last key or index of the way to the hit (for a missing key: that key).
    pub fn last_key(&self) -> String {
        match &self.hit {
            Hit::Missing { key, .. } => key.clone(),
            _ => self.toks.last().map(|t| t.text()).unwrap_or_default(),
        }
    }

    /// What each wildcard stood for.
    pub fn bindings(&self) -> Vec<Binding> {
        self.wild
            .iter()
            .map(|&(a, b, deep)| {
                let toks = self.toks.get(a..b).unwrap_or_default();
                match toks {
                    [one] if !deep => Binding::One(one.text()),
                    many => Binding::Many(many.iter().map(|t| t.text()).collect()),
                }
            })
            .collect()
    }
}

impl Selector {
    /// Parses a selector; the error says what is wrong in a sentence fragment.
    pub fn parse(text: &str) -> Result<Selector, String> {
        if text.is_empty() {
            return Ok(Selector {
                text: String::new(),
                segments: Vec::new(),
            });
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!(
                "`{text}` does not start with `/`; a path is a JSON pointer such as `/properties/enablePurgeProtection` (or `\"\"` for the whole document)"
            ));
        };
        let mut segments = Vec::new();
        for raw in rest.split('/') {
            let seg = match raw {
                "*" => Segment::Any,
                "**" => Segment::Deep,
                _ if raw.contains('*') => {
                    return Err(format!(
                        "segment `{raw}` mixes `*` with other characters; a wildcard must be a whole segment, `*` (any key or index) or `**` (any depth)"
                    ))
                }
                _ => Segment::Key(unescape(raw)?),
            };
            if seg == Segment::Deep && segments.last() == Some(&Segment::Deep) {
                continue; // `**/**` is `**`
            }
            segments.push(seg);
        }
        Ok(Selector {
            text: text.to_string(),
            segments,
        })
    }

    /// Number of wildcard segments.
    pub fn wildcards(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| !matches!(s, Segment::Key(_)))
            .count()
    }

    /// This selector with its wildcards replaced, in order, by what the wildcards of
    /// another selector's hit stood for (a `*` takes a `*`'s key, a `**` a `**`'s keys).
    /// Wildcards without a matching binding stay free.
    pub fn bind(&self, bindings: &[Binding]) -> Selector {
        let mut out = Vec::new();
        let mut next = bindings.iter();
        for seg in &self.segments {
            match seg {
                Segment::Key(_) => out.push(seg.clone()),
                Segment::Any => match next.next() {
                    Some(Binding::One(k)) => out.push(Segment::Key(k.clone())),
                    _ => out.push(Segment::Any),
                },
                Segment::Deep => match next.next() {
                    Some(Binding::Many(ks)) => {
                        out.extend(ks.iter().map(|k| Segment::Key(k.clone())))
                    }
                    _ => out.push(Segment::Deep),
                },
            }
        }
        Selector {
            text: self.text.clone(),
            segments: out,
        }
    }

    /// Every place this selector names in the tree under `root`.
    pub fn resolve<'a>(&self, root: &'a Node, resolver: &dyn Resolve<'a>) -> Vec<Match<'a>> {
        let mut out = Vec::new();
        self.for_each(root, resolver, &mut |hit, partial| {
            out.push(partial.to_match(hit));
        });
        out
    }

    /// Calls `f` for every place this selector names, without building a [`Match`] for
    /// it: most hits pass their checks and need no pointer, bindings or copy of the way.
    pub fn for_each<'a>(
        &self,
        root: &'a Node,
        resolver: &dyn Resolve<'a>,
        f: &mut dyn FnMut(Hit<'a>, &Partial<'_, 'a>),
    ) {
        let mut walk = Walk {
            segments: &self.segments,
            resolver,
            sink: f,
        };
        let mut state = State {
            toks: Vec::new(),
            wild: Vec::new(),
            deep: false,
        };
        let anchor = opening(root);
        walk.step(root, anchor, 0, &mut state);
    }
}

fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => {
                    return Err(format!(
                        "segment `{raw}` has a `~` that is not `~0` (for `~`) or `~1` (for `/`)"
                    ))
                }
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// The opening bracket of a container (a one-character span), or the whole value.
fn opening(node: &Node) -> Span {
    match node.value {
        Value::Object(_) | Value::Array(_) if !node.span.is_empty() => {
            Span::new(node.span.start, node.span.start + 1)
        }
        _ => node.span,
    }
}

struct State<'a> {
    toks: Vec<Tok<'a>>,
    /// For each wildcard entered so far, the range of `toks` it matched (a `**` grows
    /// its range as the walk descends) and whether it is a `**`.
    wild: Vec<(usize, usize, bool)>,
    /// Below a `**`: a missing key is not reported (every node would miss it).
    deep: bool,
}

/// The way to a hit while the walk is there (see [`Selector::for_each`]).
pub struct Partial<'s, 'a> {
    toks: &'s [Tok<'a>],
    wild: &'s [(usize, usize, bool)],
}

impl<'a> Partial<'_, 'a> {
    /// The hit as a [`Match`] that outlives the walk.
    pub fn to_match(&self, hit: Hit<'a>) -> Match<'a> {
        Match {
            hit,
            toks: self.toks.to_vec(),
            wild: self.wild.to_vec(),
        }
    }
}

struct Walk<'s, 'a> {
    segments: &'s [Segment],
    resolver: &'s dyn Resolve<'a>,
    sink: &'s mut dyn FnMut(Hit<'a>, &Partial<'_, 'a>),
}

impl<'a> Walk<'_, 'a> {
    fn emit(&mut self, hit: Hit<'a>, st: &State<'a>) {
        (self.sink)(
            hit,
            &Partial {
                toks: &st.toks,
                wild: &st.wild,
            },
        );
    }

    /// Applies `segments[i..]` to `raw`. `anchor` is where a missing key below `raw` is
    /// reported (the key naming `raw`, or its opening bracket).
    fn step(&mut self, raw: &'a Node, anchor: Span, i: usize, st: &mut State<'a>) {
        let (node, origin) = match self.resolver.deref(raw) {
            Deref::Known { node, via } => (node, via.map(|_| node.span)),
            Deref::Unknown => {
                if i == self.segments.len() || !st.deep {
                    self.emit(
                        Hit::Unknown {
                            node: raw,
                            span: raw.span,
                        },
                        st,
                    );
                }
                return;
            }
        };
        let Some(seg) = self.segments.get(i) else {
            self.emit(
                Hit::Found {
                    node,
                    span: raw.span,
                    anchor,
                    origin,
                },
                st,
            );
            return;
        };
        match seg {
            Segment::Key(key) => match &node.value {
                Value::Object(_) => match node.member(key) {
                    Some(m) => {
                        st.toks.push(Tok::Key(&m.key));
                        self.step(&m.value, m.key_span, i + 1, st);
                        st.toks.pop();
                    }
                    None => self.missing(node, anchor, key, st),
                },
                Value::Array(items) => match key.parse::<usize>() {
                    Ok(n) if n < items.len() => {
                        st.toks.push(Tok::Index(n));
                        self.step(&items[n], opening(&items[n]), i + 1, st);
                        st.toks.pop();
                    }
                    Ok(_) => self.missing(node, anchor, key, st),
                    Err(_) => {}
                },
                Value::Null => self.missing(node, anchor, key, st),
                _ => {}
            },
            Segment::Any => self.children(node, st, |w, child, child_anchor, st| {
                let at = st.toks.len() - 1;
                st.wild.push((at, at + 1, false));
                w.step(child, child_anchor, i + 1, st);
                st.wild.pop();
            }),
            Segment::Deep => {
                let at = st.toks.len();
                st.wild.push((at, at, true));
                let was_deep = st.deep;
                st.deep = true;
                self.deep(node, anchor, i, st);
                st.deep = was_deep;
                st.wild.pop();
            }
        }
    }

    /// `**` at `node` (already resolved): the rest of the selector here, then `**` again
    /// in every known child.
    fn deep(&mut self, node: &'a Node, anchor: Span, i: usize, st: &mut State<'a>) {
        if let Some(w) = st.wild.last_mut() {
            w.1 = st.toks.len();
        }
        self.step(node, anchor, i + 1, st);
        self.children(node, st, |w, child, child_anchor, st| {
            if let Deref::Known { node: child, .. } = w.resolver.deref(child) {
                w.deep(child, child_anchor, i, st);
            }
        });
    }

    /// Calls `f` for each member value or item of `node` with its anchor, its key or index
    /// pushed on the way.
    fn children(
        &mut self,
        node: &'a Node,
        st: &mut State<'a>,
        mut f: impl FnMut(&mut Self, &'a Node, Span, &mut State<'a>),
    ) {
        match &node.value {
            Value::Object(members) => {
                for m in members {
                    st.toks.push(Tok::Key(&m.key));
                    f(self, &m.value, m.key_span, st);
                    st.toks.pop();
                }
            }
            Value::Array(items) => {
                for (n, item) in items.iter().enumerate() {
                    st.toks.push(Tok::Index(n));
                    f(self, item, opening(item), st);
                    st.toks.pop();
                }
            }
            _ => {}
        }
    }

    fn missing(&mut self, parent: &'a Node, anchor: Span, key: &str, st: &State<'a>) {
        if st.deep {
            return;
        }
        self.emit(
            Hit::Missing {
                parent,
                anchor,
                key: key.to_string(),
            },
            st,
        );
    }
}

/// Appends `/token` (escaped) to a pointer.
fn push(pointer: &mut String, token: &str) {
    pointer.push('/');
    if token.contains(['~', '/']) {
        pointer.push_str(&escape_pointer_token(token));
    } else {
        pointer.push_str(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn tree(text: &str) -> Node {
        match parse(text).root {
            Some(root) => root,
            None => panic!("test JSON does not parse: {text}"),
        }
    }

    fn sel(text: &str) -> Selector {
        match Selector::parse(text) {
            Ok(s) => s,
            Err(e) => panic!("bad selector {text}: {e}"),
        }
    }

    /// Each hit as `kind pointer = text-at-span`.
    fn hits(text: &str, selector: &str) -> Vec<String> {
        let root = tree(text);
        sel(selector)
            .resolve(&root, &Literal)
            .iter()
            .map(|m| {
                let span = m.hit.span();
                let kind = match m.hit {
                    Hit::Found { .. } => "found",
                    Hit::Missing { .. } => "missing",
                    Hit::Unknown { .. } => "unknown",
                };
                format!("{kind} {} = {}", m.pointer(), &text[span.start..span.end])
            })
            .collect()
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(sel("").segments, vec![]);
        assert_eq!(
            sel("/a~1b/*/**/**/c~0").segments,
            vec![
                Segment::Key("a/b".into()),
                Segment::Any,
                Segment::Deep,
                Segment::Key("c~".into())
            ]
        );
        assert!(Selector::parse("a/b").is_err());
        assert!(Selector::parse("/a*").is_err());
        assert!(Selector::parse("/a~2").is_err());
    }

    #[test]
    fn literal_paths_and_missing_keys() {
        let t = r#"{"properties": {"sku": {"name": "standard"}}, "tags": null}"#;
        assert_eq!(
            hits(t, "/properties/sku/name"),
            vec!["found /properties/sku/name = \"standard\""]
        );
        // A missing key points at the key of its nearest existing parent.
        assert_eq!(
            hits(t, "/properties/enablePurgeProtection"),
            vec!["missing /properties/enablePurgeProtection = \"properties\""]
        );
        assert_eq!(
            hits(t, "/properties/networkAcls/bypass"),
            vec!["missing /properties/networkAcls = \"properties\""]
        );
        // null counts as absent; at the root the anchor is the opening brace.
        assert_eq!(
            hits(t, "/tags/owner"),
            vec!["missing /tags/owner = \"tags\""]
        );
        assert_eq!(hits(t, "/location"), vec!["missing /location = {"]);
        // A key on a string selects nothing (that is a structural problem).
        assert!(hits(t, "/properties/sku/name/x").is_empty());
    }

    #[test]
    fn wildcards_and_bindings() {
        let t = r#"{"Statement": [{"Effect": "Allow"}, {"Effect": "Deny", "Sid": "b"}]}"#;
        assert_eq!(
            hits(t, "/Statement/*/Sid"),
            vec![
                "missing /Statement/0/Sid = {",
                "found /Statement/1/Sid = \"b\""
            ]
        );
        assert_eq!(
            hits(t, "/Statement/5"),
            vec!["missing /Statement/5 = \"Statement\""]
        );
        let root = tree(t);
        let m = sel("/Statement/*/Sid").resolve(&root, &Literal);
        let bound = sel("/Statement/*/Effect").bind(&m[1].bindings());
        assert_eq!(
            bound.resolve(&root, &Literal)[0].pointer(),
            "/Statement/1/Effect"
        );
    }

    #[test]
    fn deep_wildcard_matches_any_depth_and_never_reports_missing() {
        let t =
            r#"{"location": "x", "resources": [{"location": "y", "r": [{"location": "z"}]}, {}]}"#;
        assert_eq!(
            hits(t, "/**/location"),
            vec![
                "found /location = \"x\"",
                "found /resources/0/location = \"y\"",
                "found /resources/0/r/0/location = \"z\"",
            ]
        );
        let root = tree(t);
        let m = sel("/**/location").resolve(&root, &Literal);
        assert_eq!(
            m[2].bindings(),
            vec![Binding::Many(vec![
                "resources".into(),
                "0".into(),
                "r".into(),
                "0".into()
            ])]
        );
    }
}
