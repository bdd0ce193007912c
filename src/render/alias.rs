//! Edits that land in a node shared through an anchor (`env: &common …`, `- &server …`) and its
//! aliases (`env: *common`, `- *server`).
//!
//! The text of an anchored node is the value of every alias of it, so an edit there changes all of
//! them. The rule is simple on purpose (such files are rare): when every use of the anchored node
//! (the anchor itself and each alias) gets the same edits, the anchor is edited once and the
//! aliases stay; an alias whose edits differ from the anchor's is expanded, alone, into the value
//! it must have. Nested sharing (an alias inside an anchored node that is itself reused) and merge
//! keys (`<<: *base`) over edited nodes are left to the caller's fallback.

use std::collections::HashMap;

use serde_json::Value;

use super::{Fallback, Op, column, flow::FlowStyle};
use crate::engine::{ContainerEdit, Path, Seg, WorkloadPlan};
use crate::yaml::emit::{self, EmitOptions};
use crate::yaml::tree::{self, Kind, Node};

/// Where an alias sits, for writing its expansion.
enum Place<'a> {
    /// `key: *x` in a block mapping.
    BlockValue(&'a Node),
    /// `- *x` in a block sequence.
    BlockItem,
    /// Inside a flow collection (the collection).
    Flow(&'a Node),
}

struct Use<'a> {
    node: &'a Node,
    id: usize,
    /// Its path in the document (its value's path: it is in no reused node).
    path: Path,
    /// Under a `<<` key.
    merge: bool,
    place: Place<'a>,
}

/// The anchors and aliases of a document.
pub(crate) struct Shared<'a> {
    anchors: HashMap<usize, &'a Node>,
    uses: Vec<Use<'a>>,
    /// Alias index by the byte offset of the alias.
    by_start: HashMap<usize, usize>,
}

impl<'a> Shared<'a> {
    /// None when the document has no alias (anchors alone change nothing).
    pub(crate) fn of(text: &str, root: &'a Node) -> Option<Shared<'a>> {
        // Most documents have no `*` at all, and most of those that do have it in a value.
        memchr::memchr(b'*', text.as_bytes())?;
        if !has_alias(root) {
            return None;
        }
        let mut anchors = HashMap::new();
        let mut uses = Vec::new();
        let mut todo: Vec<(&Node, Path, Option<Place>)> = vec![(root, Vec::new(), None)];
        while let Some((n, path, place)) = todo.pop() {
            if n.anchor != 0 {
                anchors.insert(n.anchor, n);
            }
            match &n.kind {
                Kind::Alias(id) => uses.push(Use {
                    node: n,
                    id: *id,
                    merge: path.last() == Some(&Seg::Key("<<".into())),
                    path,
                    place: place.unwrap_or(Place::BlockItem),
                }),
                Kind::Seq { items, flow } => {
                    for (i, item) in items.iter().enumerate() {
                        let mut p = path.clone();
                        p.push(Seg::Index(i));
                        let place = if *flow {
                            Place::Flow(n)
                        } else {
                            Place::BlockItem
                        };
                        todo.push((item, p, Some(place)));
                    }
                }
                Kind::Map { entries, flow } => {
                    for (k, v) in entries {
                        let mut p = path.clone();
                        p.push(Seg::Key(k.as_str().unwrap_or_default().to_string().into()));
                        let place = if *flow {
                            Place::Flow(n)
                        } else {
                            Place::BlockValue(k)
                        };
                        todo.push((v, p, Some(place)));
                    }
                }
                Kind::Scalar { .. } => {}
            }
        }
        if uses.is_empty() {
            return None;
        }
        let by_start = uses
            .iter()
            .enumerate()
            .map(|(i, u)| (u.node.pos.start, i))
            .collect();
        Some(Shared {
            anchors,
            uses,
            by_start,
        })
    }

    /// The anchored node an alias stands for, and the alias's use index.
    fn target(&self, alias: &Node) -> Result<(&'a Node, usize), Fallback> {
        let lost = || Fallback("an alias could not be followed".into());
        let Kind::Alias(id) = alias.kind else {
            return Err(lost());
        };
        let use_index = *self.by_start.get(&alias.pos.start).ok_or_else(lost)?;
        let def = self.anchors.get(&id).copied().ok_or_else(lost)?;
        Ok((def, use_index))
    }

    /// Follows a path through aliases: the node, and the aliases passed (as use indexes).
    fn resolve(&self, root: &'a Node, path: &[Seg]) -> Result<(&'a Node, Vec<usize>), Fallback> {
        let mut hops = Vec::new();
        let mut n = root;
        for seg in path {
            if matches!(n.kind, Kind::Alias(_)) {
                let (def, u) = self.target(n)?;
                hops.push(u);
                n = def;
            }
            n = match (seg, &n.kind) {
                (Seg::Key(k), Kind::Map { .. }) => match n.get(k) {
                    Some(v) => v,
                    None if n.get("<<").is_some() => return Err(merged()),
                    None => return Err(Fallback("a path of the plan is not in the text".into())),
                },
                (Seg::Index(i), Kind::Seq { items, .. }) => items
                    .get(*i)
                    .ok_or_else(|| Fallback("a path of the plan is not in the text".into()))?,
                _ => return Err(Fallback("a path of the plan is not in the text".into())),
            };
        }
        if matches!(n.kind, Kind::Alias(_)) {
            let (def, u) = self.target(n)?;
            hops.push(u);
            n = def;
        }
        Ok((n, hops))
    }

    /// The reused (anchored and aliased) nodes that contain a node.
    fn containing(&self, n: &Node) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .uses
            .iter()
            .filter_map(|u| self.anchors.get(&u.id).map(|d| (u.id, *d)))
            .filter(|(_, d)| {
                d.pos.start <= n.pos.start && n.pos.start < d.pos.end.max(d.pos.start + 1)
            })
            .map(|(id, _)| id)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn has_alias(root: &Node) -> bool {
    let mut todo = vec![root];
    while let Some(n) = todo.pop() {
        match &n.kind {
            Kind::Alias(_) => return true,
            Kind::Seq { items, .. } => todo.extend(items.iter()),
            Kind::Map { entries, .. } => todo.extend(entries.iter().map(|(_, v)| v)),
            Kind::Scalar { .. } => {}
        }
    }
    false
}

fn merged() -> Fallback {
    Fallback("an env list or container comes from a merge key (`<<`)".into())
}

/// What an edit needs from the text: the container, or the env list, it lands in.
struct Resolved<'a, 'e> {
    container: &'a Node,
    /// The node whose text the edit changes: the env list, or the container when it gets one.
    target: &'a Node,
    hops: Vec<usize>,
    edit: &'e ContainerEdit,
}

/// The edits that land in one reused node, with the offset of their target: the anchor's own,
/// and each alias's (by use index).
type Edits<'e> = Vec<(usize, &'e ContainerEdit)>;
type Group<'e> = (Edits<'e>, HashMap<usize, Edits<'e>>);

/// Writes the ops of one edit on its (physical) container.
pub(crate) type EditContainer<'a, 'f> =
    &'f mut dyn FnMut(&'a Node, &ContainerEdit, &mut Vec<Op>) -> Result<(), Fallback>;

/// The part of an edit that says what it does (not where the container is).
fn same(a: &Edits, b: &Edits) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|((ta, ea), (tb, eb))| {
            ta == tb
                && ea.env_present == eb.env_present
                && ea.remove == eb.remove
                && ea.set_value == eb.set_value
                && ea.insert == eb.insert
        })
}

/// Plans the text edits of a document that has aliases.
pub(crate) fn plan<'a>(
    text: &str,
    root: &'a Node,
    shared: &Shared<'a>,
    plans: &[WorkloadPlan],
    ops: &mut Vec<Op>,
    edit_container: EditContainer<'a, '_>,
) -> Result<(), Fallback> {
    let mut groups: HashMap<usize, Group> = HashMap::new();
    for plan in plans {
        for edit in plan.edits() {
            let r = resolve_edit(root, shared, edit)?;
            let containing = shared.containing(r.target);
            match (containing.as_slice(), r.hops.as_slice()) {
                ([], []) => edit_container(r.container, r.edit, ops)?,
                ([id], hops) if hops.len() <= 1 => {
                    let g = groups.entry(*id).or_default();
                    match hops.first() {
                        None => g.0.push((r.target.pos.start, r.edit)),
                        Some(&u) => {
                            if shared.uses.get(u).is_none_or(|x| x.id != *id) {
                                return Err(nested());
                            }
                            g.1.entry(u).or_default().push((r.target.pos.start, r.edit));
                        }
                    }
                    if hops.is_empty() {
                        edit_container(r.container, r.edit, ops)?;
                    }
                }
                _ => return Err(nested()),
            }
        }
    }
    let mut edited: Option<Value> = None;
    for (id, (def_edits, alias_edits)) in &mut groups {
        def_edits.sort_by_key(|(t, _)| *t);
        for (ui, u) in shared.uses.iter().enumerate().filter(|(_, u)| u.id == *id) {
            if u.merge {
                return Err(merged());
            }
            let mut mine = alias_edits.remove(&ui).unwrap_or_default();
            mine.sort_by_key(|(t, _)| *t);
            if same(def_edits, &mine) {
                continue;
            }
            // This alias must differ from its anchor: it becomes the value it must have.
            if !shared.containing(u.node).is_empty() {
                return Err(nested());
            }
            if edited.is_none() {
                let doc = tree::Document {
                    root: Some(root.clone()),
                    in_place: None,
                };
                let mut v = tree::to_value(&doc, &tree::Limits::default())
                    .map_err(|e| Fallback(format!("the document's aliases: {e}")))?;
                crate::engine::apply(&mut v, plans);
                edited = Some(v);
            }
            let value = edited
                .as_ref()
                .and_then(|v| crate::engine::get(v, &u.path))
                .ok_or_else(|| Fallback("an alias's value is not in the document".into()))?;
            ops.push(expand(text, root, u, value)?);
        }
    }
    Ok(())
}

fn nested() -> Fallback {
    Fallback("an env list is shared through nested anchors and aliases".into())
}

fn resolve_edit<'a, 'e>(
    root: &'a Node,
    shared: &Shared<'a>,
    edit: &'e ContainerEdit,
) -> Result<Resolved<'a, 'e>, Fallback> {
    let (container, mut hops) = shared.resolve(root, &edit.path)?;
    let target = if edit.env_present {
        match container.get("env") {
            Some(env) if matches!(env.kind, Kind::Alias(_)) => {
                let (def, u) = shared.target(env)?;
                hops.push(u);
                def
            }
            Some(env) => env,
            None if container.get("<<").is_some() => return Err(merged()),
            None => return Err(Fallback("env not found".into())),
        }
    } else {
        container
    };
    Ok(Resolved {
        container,
        target,
        hops,
        edit,
    })
}

/// The op that writes an alias's value in its place.
fn expand(text: &str, root: &Node, u: &Use, value: &Value) -> Result<Op, Fallback> {
    let eol = crate::yaml::stream::line_ending(text);
    let (start, end) = (u.node.pos.start, u.node.pos.end);
    let opts = EmitOptions {
        indent: super::indent_step(text, root),
        indent_sequences: false,
        eol,
    };
    let block = |v: &Value| {
        matches!(v, Value::Array(a) if !a.is_empty())
            || matches!(v, Value::Object(m) if !m.is_empty())
    };
    let out = match &u.place {
        Place::Flow(parent) => {
            let mut s = String::new();
            FlowStyle::of(text, parent).inline(value, &mut s);
            s
        }
        Place::BlockValue(key) if block(value) => {
            let col = column(text, key.pos.start);
            let rendered =
                emit::emit_map_entry(key.as_str().unwrap_or_default(), value, col, &opts);
            // Replace from the key: the entry is written again, without its indentation.
            let body = rendered.get(col..).unwrap_or_default();
            let body = body.strip_suffix(eol).unwrap_or(body);
            return Ok(Op {
                start: key.pos.start,
                end,
                text: body.to_string(),
            });
        }
        Place::BlockItem if block(value) => {
            let dash = super::dash_of(text, u.node)?;
            let dash_col = column(text, dash);
            let content_col = column(text, start);
            let rendered =
                emit::emit_seq_items(std::slice::from_ref(value), dash_col, content_col, &opts);
            let body = rendered
                .get(content_col.max(dash_col + 2)..)
                .unwrap_or_default();
            let body = body.strip_suffix(eol).unwrap_or(body);
            return Ok(Op {
                start,
                end,
                text: body.to_string(),
            });
        }
        _ => {
            let mut s = String::new();
            FlowStyle::default().inline(value, &mut s);
            s
        }
    };
    Ok(Op {
        start,
        end,
        text: out,
    })
}
