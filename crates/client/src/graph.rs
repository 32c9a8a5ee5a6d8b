//! The nodes and relationships of a result, each once.

use std::collections::HashMap;

use boltline_bolt::packstream::{Node, Path, Relationship};
use boltline_bolt::Value;

/// The distinct nodes and relationships found in a result's values
/// (directly, in lists and maps, and along paths), in the order first seen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    nodes: Vec<Node>,
    relationships: Vec<Relationship>,
    node_index: HashMap<String, usize>,
    rel_index: HashMap<String, usize>,
}

/// Identity of an entity: its element id, or its legacy id on old servers.
fn key(element_id: Option<&String>, id: i64) -> String {
    element_id.cloned().unwrap_or_else(|| format!("#{id}"))
}

impl Graph {
    /// The distinct nodes.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The distinct relationships.
    pub fn relationships(&self) -> &[Relationship] {
        &self.relationships
    }

    /// The node with this element id.
    pub fn node(&self, element_id: &str) -> Option<&Node> {
        self.node_index.get(element_id).map(|&i| &self.nodes[i])
    }

    /// Adds the graph entities in a value.
    pub(crate) fn add_value(&mut self, v: Value) {
        match v {
            Value::Node(n) => self.add_node(n),
            Value::Relationship(r) => self.add_relationship(r),
            Value::Path(p) => self.add_path(p),
            Value::List(l) => l.into_iter().for_each(|v| self.add_value(v)),
            Value::Map(m) => m.into_values().for_each(|v| self.add_value(v)),
            _ => {}
        }
    }

    fn add_node(&mut self, n: Node) {
        let k = key(n.element_id.as_ref(), n.id);
        if !self.node_index.contains_key(&k) {
            self.node_index.insert(k, self.nodes.len());
            self.nodes.push(n);
        }
    }

    fn add_relationship(&mut self, r: Relationship) {
        let k = key(r.element_id.as_ref(), r.id);
        if !self.rel_index.contains_key(&k) {
            self.rel_index.insert(k, self.relationships.len());
            self.relationships.push(r);
        }
    }

    /// A path's relationships arrive unbound; its indices say which nodes
    /// each joins (`[rel, node, rel, node, ...]`, relationship indices
    /// 1-based, negative when traversed against its direction).
    fn add_path(&mut self, p: Path) {
        let mut prev = 0usize;
        for pair in p.indices.chunks(2) {
            let [rel, node] = pair else { break };
            let (Some(r), Some(next)) = (
                usize::try_from(rel.unsigned_abs())
                    .ok()
                    .and_then(|i| i.checked_sub(1))
                    .and_then(|i| p.relationships.get(i)),
                usize::try_from(*node).ok().filter(|&i| i < p.nodes.len()),
            ) else {
                break;
            };
            let (start, end) = if *rel > 0 {
                (&p.nodes[prev], &p.nodes[next])
            } else {
                (&p.nodes[next], &p.nodes[prev])
            };
            self.add_relationship(Relationship {
                id: r.id,
                start_node_id: start.id,
                end_node_id: end.id,
                rel_type: r.rel_type.clone(),
                properties: r.properties.clone(),
                element_id: r.element_id.clone(),
                start_node_element_id: start.element_id.clone(),
                end_node_element_id: end.element_id.clone(),
            });
            prev = next;
        }
        for n in p.nodes {
            self.add_node(n);
        }
    }
}
