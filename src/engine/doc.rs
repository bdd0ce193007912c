//! The engine's input, read in place: a JSON value, or a YAML tree that reads as JSON as it is
//! (`yaml::tree::reads_in_place`: no alias, tag or merge key, every key a string as written).
//!
//! Why: converting every workload's tree into a `serde_json::Value` (a `String` per scalar, an
//! IndexMap with SipHash keys per mapping) and freeing both was a quarter of a run's instructions,
//! for an engine that reads a few dozen of its nodes. A `Doc` answers the questions `Value` answers
//! (`field`, `as_str`, `as_array`…) with the same results for both kinds; a node is converted only
//! where a value is wanted whole (a message, an equality with the block), and a tree that does not
//! read in place is converted first, as before.

use std::fmt;
use std::ops::Range;

use serde_json::Value;

use super::Field;
use crate::yaml::scalar::{Plain, resolve_plain};
use crate::yaml::tree::{self, Kind, Node, Style};

/// A node of a document: what the engine reads.
#[derive(Clone, Copy, Debug)]
pub enum Doc<'a> {
    Json(&'a Value),
    /// A node of a tree that `reads_in_place`.
    Yaml(&'a Node),
}

/// What a scalar of a tree reads as (the conversion's reading, without its copies).
enum Scalar<'a> {
    Null,
    Bool(bool),
    Number,
    Str(&'a str),
}

fn scalar<'a>(value: &'a str, style: Style) -> Scalar<'a> {
    if style != Style::Plain {
        return Scalar::Str(value);
    }
    match resolve_plain(value) {
        Plain::Null => Scalar::Null,
        Plain::Bool(b) => Scalar::Bool(b),
        Plain::Int(_) | Plain::UInt(_) | Plain::Float(_) => Scalar::Number,
        Plain::Str => Scalar::Str(value),
    }
}

/// A mapping's key as written: in a tree that reads in place every key is a string scalar.
fn key_of(n: &Node) -> &str {
    match &n.kind {
        Kind::Scalar { value, .. } => value,
        _ => "",
    }
}

impl<'a> From<&'a Value> for Doc<'a> {
    fn from(v: &'a Value) -> Self {
        Doc::Json(v)
    }
}

const NULL: Value = Value::Null;

impl<'a> Doc<'a> {
    /// `null`, as `m.get(k).unwrap_or(&Value::Null)` gives it.
    pub(crate) const NULL: Doc<'static> = Doc::Json(&NULL);

    fn scalar(self) -> Option<Scalar<'a>> {
        match self {
            Doc::Json(v) => Some(match v {
                Value::Null => Scalar::Null,
                Value::Bool(b) => Scalar::Bool(*b),
                Value::Number(_) => Scalar::Number,
                Value::String(s) => Scalar::Str(s),
                _ => return None,
            }),
            Doc::Yaml(n) => match &n.kind {
                Kind::Scalar { value, style, .. } => Some(scalar(value, *style)),
                // Never in a tree that reads in place; read as the conversion would fail: null.
                Kind::Alias(_) => Some(Scalar::Null),
                _ => None,
            },
        }
    }

    /// The value at a key of a mapping.
    pub(crate) fn field(self, key: &str) -> Option<Doc<'a>> {
        match self {
            Doc::Json(v) => v.field(key).map(Doc::Json),
            Doc::Yaml(n) => match &n.kind {
                Kind::Map { entries, .. } => entries
                    .iter()
                    .find(|(k, _)| key_of(k) == key)
                    .map(|(_, v)| Doc::Yaml(v)),
                _ => None,
            },
        }
    }

    /// The value at a path of keys.
    pub(crate) fn at(self, keys: &[&str]) -> Option<Doc<'a>> {
        keys.iter().try_fold(self, |d, k| d.field(k))
    }

    /// The value at a path.
    pub(crate) fn get(self, path: &[super::Seg]) -> Option<Doc<'a>> {
        path.iter().try_fold(self, |d, s| match s {
            super::Seg::Key(k) => d.field(k),
            super::Seg::Index(i) => d.as_array()?.get(*i),
        })
    }

    pub(crate) fn as_str(self) -> Option<&'a str> {
        match self.scalar()? {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_bool(self) -> Option<bool> {
        match self.scalar()? {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub(crate) fn is_null(self) -> bool {
        matches!(self.scalar(), Some(Scalar::Null))
    }

    pub(crate) fn is_string(self) -> bool {
        self.as_str().is_some()
    }

    pub(crate) fn is_boolean(self) -> bool {
        self.as_bool().is_some()
    }

    pub(crate) fn is_number(self) -> bool {
        matches!(self.scalar(), Some(Scalar::Number))
    }

    pub(crate) fn is_array(self) -> bool {
        self.as_array().is_some()
    }

    pub(crate) fn is_object(self) -> bool {
        self.as_object().is_some()
    }

    pub(crate) fn as_array(self) -> Option<List<'a>> {
        match self {
            Doc::Json(Value::Array(a)) => Some(List::Json(a)),
            Doc::Yaml(Node {
                kind: Kind::Seq { items, .. },
                ..
            }) => Some(List::Yaml(items)),
            _ => None,
        }
    }

    pub(crate) fn as_object(self) -> Option<Object<'a>> {
        match self {
            Doc::Json(Value::Object(m)) => Some(Object::Json(m)),
            Doc::Yaml(Node {
                kind: Kind::Map { entries, .. },
                ..
            }) => Some(Object::Yaml(entries)),
            _ => None,
        }
    }

    /// The value whole (a copy): for a message, or to compare with a value.
    pub(crate) fn to_value(self) -> Value {
        match self {
            Doc::Json(v) => v.clone(),
            Doc::Yaml(n) => tree::node_value(n).unwrap_or(Value::Null),
        }
    }

    /// Equal to a value, as `Value`'s `==` compares.
    pub(crate) fn eq_value(self, other: &Value) -> bool {
        match self {
            Doc::Json(v) => v == other,
            Doc::Yaml(_) => self.to_value() == *other,
        }
    }
}

/// As `Value` displays itself (compact JSON).
impl fmt::Display for Doc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Doc::Json(v) => v.fmt(f),
            Doc::Yaml(_) => self.to_value().fmt(f),
        }
    }
}

/// A sequence of a document.
#[derive(Clone, Copy, Debug)]
pub enum List<'a> {
    Json(&'a [Value]),
    Yaml(&'a [Node]),
}

impl<'a> From<&'a [Value]> for List<'a> {
    fn from(v: &'a [Value]) -> Self {
        List::Json(v)
    }
}

impl<'a> From<&'a Vec<Value>> for List<'a> {
    fn from(v: &'a Vec<Value>) -> Self {
        List::Json(v)
    }
}

impl<'a> List<'a> {
    pub(crate) const EMPTY: List<'static> = List::Json(&[]);

    pub(crate) fn len(self) -> usize {
        match self {
            List::Json(a) => a.len(),
            List::Yaml(a) => a.len(),
        }
    }

    pub(crate) fn get(self, i: usize) -> Option<Doc<'a>> {
        match self {
            List::Json(a) => a.get(i).map(Doc::Json),
            List::Yaml(a) => a.get(i).map(Doc::Yaml),
        }
    }

    /// The item at `i`, which must exist (as slice indexing).
    pub(crate) fn at(self, i: usize) -> Doc<'a> {
        match self {
            List::Json(a) => Doc::Json(&a[i]),
            List::Yaml(a) => Doc::Yaml(&a[i]),
        }
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = Doc<'a>> {
        (0..self.len()).map(move |i| self.at(i))
    }

    pub(crate) fn slice(self, r: Range<usize>) -> List<'a> {
        match self {
            List::Json(a) => List::Json(&a[r]),
            List::Yaml(a) => List::Yaml(&a[r]),
        }
    }

    /// Equal to a list of values, item by item.
    pub(crate) fn eq_values(self, other: &[Value]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.eq_value(b))
    }
}

/// A mapping of a document.
#[derive(Clone, Copy, Debug)]
pub enum Object<'a> {
    Json(&'a serde_json::Map<String, Value>),
    Yaml(&'a [(Node, Node)]),
}

impl<'a> Object<'a> {
    pub(crate) fn len(self) -> usize {
        match self {
            Object::Json(m) => m.len(),
            Object::Yaml(e) => e.len(),
        }
    }

    /// The entries, in order.
    pub(crate) fn iter(self) -> impl Iterator<Item = (&'a str, Doc<'a>)> {
        let (json, yaml) = match self {
            Object::Json(m) => (Some(m.iter()), None),
            Object::Yaml(e) => (None, Some(e.iter())),
        };
        let json = json
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), Doc::Json(v)));
        let yaml = yaml
            .into_iter()
            .flatten()
            .map(|(k, v)| (key_of(k), Doc::Yaml(v)));
        json.chain(yaml)
    }

    pub(crate) fn field(self, key: &str) -> Option<Doc<'a>> {
        match self {
            Object::Json(m) => m.field(key).map(Doc::Json),
            Object::Yaml(e) => e
                .iter()
                .find(|(k, _)| key_of(k) == key)
                .map(|(_, v)| Doc::Yaml(v)),
        }
    }
}
