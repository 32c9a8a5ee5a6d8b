//! Graph structures: nodes, relationships and paths.
//!
//! The property type is a parameter so a node can be decoded straight into a
//! user struct (`Node<Person>`) through serde; it defaults to a map of
//! [`Value`]s. Element ids exist from Bolt 5.0; values decoded from a 4.4
//! server have `None` there.

use crate::{Map, Value};

/// A node snapshot (tag `N`).
#[derive(Debug, Clone, PartialEq)]
pub struct Node<P = Map> {
    /// Legacy numeric id (deprecated by Neo4j in favour of `element_id`).
    pub id: i64,
    /// Labels.
    pub labels: Vec<String>,
    /// Properties.
    pub properties: P,
    /// Element id (Bolt 5.0+).
    pub element_id: Option<String>,
}

/// A relationship snapshot with both end nodes' ids (tag `R`).
#[derive(Debug, Clone, PartialEq)]
pub struct Relationship<P = Map> {
    /// Legacy numeric id.
    pub id: i64,
    /// Legacy numeric id of the start node.
    pub start_node_id: i64,
    /// Legacy numeric id of the end node.
    pub end_node_id: i64,
    /// Relationship type.
    pub rel_type: String,
    /// Properties.
    pub properties: P,
    /// Element id (Bolt 5.0+).
    pub element_id: Option<String>,
    /// Element id of the start node (Bolt 5.0+).
    pub start_node_element_id: Option<String>,
    /// Element id of the end node (Bolt 5.0+).
    pub end_node_element_id: Option<String>,
}

/// A relationship without end nodes, as found inside a [`Path`] (tag `r`).
#[derive(Debug, Clone, PartialEq)]
pub struct UnboundRelationship<P = Map> {
    /// Legacy numeric id.
    pub id: i64,
    /// Relationship type.
    pub rel_type: String,
    /// Properties.
    pub properties: P,
    /// Element id (Bolt 5.0+).
    pub element_id: Option<String>,
}

/// An alternating sequence of nodes and relationships (tag `P`).
///
/// As on the wire: distinct nodes and relationships plus `indices`, which
/// walk the path. Each step is a pair: a relationship index (1-based; negative
/// when traversed against its direction) and the index of the next node.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// Distinct nodes; the first is the path's start.
    pub nodes: Vec<Node>,
    /// Distinct relationships.
    pub relationships: Vec<UnboundRelationship>,
    /// Traversal indices, see the type's docs.
    pub indices: Vec<i64>,
}

/// One hop of a [`Path`], with its relationship bound to its real direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment<'a> {
    /// The node the hop starts at (in path order).
    pub start: &'a Node,
    /// The relationship crossed.
    pub relationship: &'a UnboundRelationship,
    /// The node the hop ends at (in path order).
    pub end: &'a Node,
    /// Whether the relationship points from `start` to `end`.
    pub forward: bool,
}

impl Path {
    /// The path's hops in order, or `None` when `indices` do not describe a
    /// valid walk over `nodes` and `relationships`.
    pub fn segments(&self) -> Option<Vec<Segment<'_>>> {
        if !self.indices.len().is_multiple_of(2) {
            return None;
        }
        let mut current = self.nodes.first()?;
        let mut out = Vec::with_capacity(self.indices.len() / 2);
        for pair in self.indices.chunks_exact(2) {
            let (rel_index, node_index) = (pair[0], pair[1]);
            let forward = rel_index > 0;
            let rel = usize::try_from(rel_index.unsigned_abs())
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| self.relationships.get(i))?;
            let next = usize::try_from(node_index)
                .ok()
                .and_then(|i| self.nodes.get(i))?;
            out.push(Segment {
                start: current,
                relationship: rel,
                end: next,
                forward,
            });
            current = next;
        }
        Some(out)
    }

    /// The nodes along the path in order (a node may repeat), or `None` when
    /// the indices are invalid.
    pub fn node_sequence(&self) -> Option<Vec<&Node>> {
        let segments = self.segments()?;
        let mut nodes = Vec::with_capacity(segments.len() + 1);
        nodes.push(self.nodes.first()?);
        nodes.extend(segments.iter().map(|s| s.end));
        Some(nodes)
    }
}

impl<P> Node<P> {
    /// The element id, or the legacy id rendered as text when the server
    /// (Bolt 4.4) sent none: what the official drivers do.
    pub fn element_id(&self) -> String {
        self.element_id
            .clone()
            .unwrap_or_else(|| self.id.to_string())
    }
}

impl Node<Map> {
    /// A property by name.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.properties.get(key)
    }
}

impl Relationship<Map> {
    /// A property by name.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.properties.get(key)
    }
}
