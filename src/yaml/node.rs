//! The node types both YAML parsers build: [`super::fast`] (the line-based fast path) and
//! [`super::tree`] (the full parser). They live here, below both, so neither parser depends on the
//! other for its types; `tree` re-exports them, so `yaml::tree::Node` and the rest stay valid.

/// Limits for one document.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum nesting of collections.
    pub max_depth: usize,
    /// Maximum number of nodes aliases may expand to in one document (each use counted).
    pub max_nodes: usize,
    /// Maximum size of one document in bytes.
    pub max_document_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_nodes: 2_000_000,
            max_document_bytes: 64 << 20,
        }
    }
}

/// Where a node is: byte offsets in the document text and its 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Byte offset of the node's first character.
    pub start: usize,
    /// Byte offset just after the node's content (for block collections: after their last child).
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, in characters.
    pub col: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Scalar {
        value: String,
        style: Style,
        tag: Option<Box<String>>,
    },
    Seq {
        items: Vec<Node>,
        flow: bool,
    },
    Map {
        entries: Vec<(Node, Node)>,
        flow: bool,
    },
    /// `*name`: refers to an anchored node (by the parser's anchor id).
    Alias(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    /// Anchor id (0 = none).
    pub anchor: usize,
    pub kind: Kind,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map { entries, .. } => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn is_block_seq(&self) -> bool {
        matches!(self.kind, Kind::Seq { flow: false, .. })
    }

    /// True when the subtree has an alias or an anchor (editing it textually would be unsafe).
    pub fn has_alias_or_anchor(&self) -> bool {
        if self.anchor != 0 {
            return true;
        }
        match &self.kind {
            Kind::Alias(_) => true,
            Kind::Scalar { .. } => false,
            Kind::Seq { items, .. } => items.iter().any(Node::has_alias_or_anchor),
            Kind::Map { entries, .. } => entries
                .iter()
                .any(|(k, v)| k.has_alias_or_anchor() || v.has_alias_or_anchor()),
        }
    }
}

/// A parse error, located in the document text (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub line: usize,
    pub col: usize,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.col
        )
    }
}

impl std::error::Error for YamlError {}

/// A parsed document: its tree (None for an empty document) and the anchors it defines.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub root: Option<Node>,
    /// Whether the tree reads as JSON in place ([`super::tree::reads_in_place`]), when the parser
    /// knew it as it built the tree (the fast path: one walk of every workload less).
    pub in_place: Option<bool>,
}
