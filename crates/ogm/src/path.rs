//! Paths resolved into models (neomodel's `NeomodelPath`).

use boltline::Value;

use crate::{Error, Node, RelProps, Result};

/// A node value resolved into a Rust type: every [`Node`] model (the node
/// must carry all of the model's labels), or your own enum over several
/// models, dispatching on [`boltline::Node::labels`], for paths through
/// nodes of different models.
pub trait FromNode: Sized {
    /// The value from a node.
    fn from_node(node: boltline::Node) -> Result<Self>;
}

impl<M: Node> FromNode for M {
    fn from_node(node: boltline::Node) -> Result<Self> {
        if !M::labels()
            .iter()
            .all(|l| node.labels.iter().any(|n| n == l))
        {
            return Err(Error::NotANode {
                model: M::NAME,
                found: "a node without the model's labels",
            });
        }
        M::inflate(Value::Node(node))
    }
}

/// A path whose nodes are `N`s and whose relationships carry `R`s, in path
/// order: `relationships[i]` joins `nodes[i]` and `nodes[i + 1]`, pointing
/// forward when `forward[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelPath<N, R> {
    /// The nodes in path order (one may repeat).
    pub nodes: Vec<N>,
    /// The relationships' properties in path order.
    pub relationships: Vec<R>,
    /// The relationships' types in path order.
    pub rel_types: Vec<String>,
    /// Whether each relationship points from the node before it to the
    /// node after it.
    pub forward: Vec<bool>,
}

impl<N: FromNode, R: RelProps> ModelPath<N, R> {
    /// From a path value: every node resolved as `N`, every relationship's
    /// properties as `R`.
    pub fn from_value(value: Value) -> Result<Self> {
        let path = match value {
            Value::Path(p) => p,
            other => {
                return Err(Error::NotANode {
                    model: "a path",
                    found: other.type_name(),
                })
            }
        };
        let segments = path.segments().ok_or(Error::NotANode {
            model: "a path",
            found: "a path with invalid indices",
        })?;
        let mut nodes = Vec::with_capacity(segments.len() + 1);
        let first = path.nodes.first().cloned().ok_or(Error::NotANode {
            model: "a path",
            found: "a path without nodes",
        })?;
        nodes.push(N::from_node(first)?);
        let mut relationships = Vec::with_capacity(segments.len());
        let mut rel_types = Vec::with_capacity(segments.len());
        let mut forward = Vec::with_capacity(segments.len());
        for s in &segments {
            relationships.push(R::inflate_properties(s.relationship.properties.clone())?);
            rel_types.push(s.relationship.rel_type.clone());
            forward.push(s.forward);
            nodes.push(N::from_node(s.end.clone())?);
        }
        Ok(ModelPath {
            nodes,
            relationships,
            rel_types,
            forward,
        })
    }
}
