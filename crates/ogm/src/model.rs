//! The traits `#[derive(Node)]` implements, and node identity.

use boltline::{Map, Value};

use crate::Result;

/// A node's identity in the database: its element id once saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ElementId(Option<String>);

impl ElementId {
    /// Not saved yet.
    pub const fn unsaved() -> Self {
        ElementId(None)
    }

    /// The element id, if saved.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Whether the node has been saved (or read from the database).
    pub fn is_saved(&self) -> bool {
        self.0.is_some()
    }

    /// Sets or clears the id.
    pub fn set(&mut self, id: Option<String>) {
        self.0 = id;
    }
}

impl From<Option<String>> for ElementId {
    fn from(id: Option<String>) -> Self {
        ElementId(id)
    }
}

/// What the derive knows about one property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertyDef {
    /// The Rust field.
    pub field: &'static str,
    /// The property key in the database (`db_property`, else the field).
    pub db_name: &'static str,
    /// Not an `Option` and without a default.
    pub required: bool,
    /// Has a uniqueness constraint.
    pub unique: bool,
    /// Has a range index.
    pub index: bool,
    /// Has a full-text index.
    pub fulltext: bool,
    /// Has a vector index.
    pub vector: Option<VectorIndex>,
}

/// A vector index on a property (`#[ogm(vector(dimensions = 384))]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VectorIndex {
    /// The vectors' length.
    pub dimensions: u32,
    /// How similarity is measured (default cosine).
    pub similarity: crate::cypher::Similarity,
}

/// Code run around a node's persistence. `#[derive(Node)]` implements it
/// with no-ops, unless the struct says `#[ogm(hooks)]`: then implement it
/// yourself, overriding what you need.
pub trait NodeHooks {
    /// Before a node is created or updated.
    fn pre_save(&mut self) -> Result<()> {
        Ok(())
    }
    /// After it was created or updated.
    fn post_save(&mut self) -> Result<()> {
        Ok(())
    }
    /// After it was created by `save` or `create`.
    fn post_create(&mut self) -> Result<()> {
        Ok(())
    }
    /// Before it is deleted.
    fn pre_delete(&mut self) -> Result<()> {
        Ok(())
    }
    /// After it was deleted.
    fn post_delete(&mut self) -> Result<()> {
        Ok(())
    }
}

/// A model that embeds `P` as its `#[ogm(parent)]` field: it carries
/// `P`'s labels and properties, and `P`'s filters apply to it
/// ([`Q::lift`](crate::Q::lift), [`Order::lift`](crate::Order::lift)).
pub trait Inherits<P: Node>: Node {}

/// A node model: a struct with `#[derive(Node)]`.
///
/// The derive also adds one associated function per property returning its
/// typed filter handle ([`Prop`](crate::Prop)): `Person::name()`.
pub trait Node: NodeHooks + Sized + Send + Sync + 'static {
    /// The model's name (for errors).
    const NAME: &'static str;

    /// Its labels: the primary one (the struct name unless renamed) first.
    fn labels() -> &'static [&'static str];

    /// Its declared properties.
    fn properties() -> &'static [PropertyDef];

    /// The element id, once saved.
    fn element_id(&self) -> Option<&str>;

    /// Sets the element id (after a create, or clears it after a delete).
    fn set_element_id(&mut self, id: Option<String>);

    /// Its optional labels (fields marked `#[ogm(optional_label =
    /// "Retired")]`, a parent's included), each with whether this node
    /// has it. Writes by `save`, `create` and `create_connected` set or
    /// remove them; queries do not require them.
    fn optional_labels(&self) -> Vec<(&'static str, bool)> {
        Vec::new()
    }

    /// Each relationship field's type with its properties' definitions (a
    /// parent's included), for the relationship indexes and constraints of
    /// [`install_labels`](crate::Database::install_labels).
    fn relationship_properties() -> Vec<(&'static str, &'static [PropertyDef])> {
        Vec::new()
    }

    /// The relationships whose far end needs this node (see
    /// [`DeleteCheck`](crate::DeleteCheck)), a parent's included: `delete`
    /// refuses to leave a related node below its minimum.
    fn delete_checks() -> Vec<crate::DeleteCheck> {
        Vec::new()
    }

    /// Sets the optional-label fields from a node's labels.
    fn set_optional_labels(&mut self, labels: &[String]) {
        let _ = labels;
    }

    /// The properties to store: declared ones (validated) plus, for a
    /// semi-structured node, its extra ones.
    fn deflate(&self) -> Result<Map>;

    /// A model from a node's properties and element id, taking the
    /// properties it uses out of the map (a child model lets its parent
    /// take its own; a semi-structured one keeps what is left).
    fn inflate_from(properties: &mut Map, element_id: Option<String>) -> Result<Self>;

    /// A model from a node's properties and element id.
    fn inflate_properties(mut properties: Map, element_id: Option<String>) -> Result<Self> {
        Self::inflate_from(&mut properties, element_id)
    }

    /// A model from a node value.
    fn inflate(value: Value) -> Result<Self> {
        match value {
            Value::Node(n) => {
                let mut m = Self::inflate_properties(n.properties, n.element_id)?;
                m.set_optional_labels(&n.labels);
                Ok(m)
            }
            other => Err(crate::Error::NotANode {
                model: Self::NAME,
                found: other.type_name(),
            }),
        }
    }

    /// All nodes of the model, to filter, order and page
    /// ([`NodeSet`](crate::NodeSet)).
    fn nodes() -> crate::NodeSet<Self> {
        crate::NodeSet::new()
    }

    /// The property keys a `MERGE` identifies nodes by: the unique ones, or
    /// else all required ones.
    fn merge_keys() -> Vec<&'static str> {
        let unique: Vec<_> = Self::properties()
            .iter()
            .filter(|p| p.unique)
            .map(|p| p.db_name)
            .collect();
        if unique.is_empty() {
            Self::properties()
                .iter()
                .filter(|p| p.required)
                .map(|p| p.db_name)
                .collect()
        } else {
            unique
        }
    }
}
