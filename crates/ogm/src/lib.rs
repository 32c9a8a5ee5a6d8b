#![doc = include_str!("../README.md")]

// The derive macros name this crate `::boltline_ogm`; inside it, too.
extern crate self as boltline_ogm;

mod cardinality;
pub mod cypher;
mod database;
mod error;
mod executor;
mod fetch;
mod filter;
mod model;
pub mod neomodel;
mod nodeset;
mod ops;
mod path;
pub(crate) mod property;
#[cfg(feature = "chrono")]
mod property_chrono;
mod registry;
mod rel_handle;
mod rel_manager;
mod rel_merge;
mod rel_statements;
mod relation;

#[doc(hidden)]
pub mod __private;

pub use cardinality::{
    CanDisconnect, Cardinality, NoProps, One, OneOrMore, Optional, RelProps, ZeroOrMore, ZeroOrOne,
};
pub use database::{Database, DbTransaction, ModelSchema};
pub use error::{Error, Result};
pub use executor::Executor;
pub use fetch::{Along, FetchRelated, Then, Traversal, VarScope, WithRel};
pub use filter::{LabelFlag, Order, Prop, Q};
pub use model::{ElementId, Inherits, Node, NodeHooks, PropertyDef, VectorIndex};
pub use nodeset::{Annotated, NodeSet, Transform, NODE_VAR};
pub use ops::{statements, NodeExt};
pub use path::{FromNode, ModelPath};
pub use property::{Email, InvalidEmail, InvalidUuid, Json, Ordered, PropertyType, Textual, Uuid};
pub use rel_handle::RelHandle;
pub use rel_manager::RelationshipManager;
pub use relation::{DeleteCheck, Rel, Relation, RelationField};

/// A property value of the wrong type (or not one of the choices).
pub use boltline::packstream::TypeMismatch;
/// `#[derive(Choices)]`: an enum of unit variants stored as a string
/// (`#[ogm(value = "..")]` renames a variant); reading another string is an
/// [`Error::PropertyType`].
pub use boltline_ogm_macros::Choices;
/// `#[derive(Node)]`: see the crate documentation for its attributes.
pub use boltline_ogm_macros::Node;
/// `#[derive(Relationship)]`: relationship properties ([`RelProps`]).
pub use boltline_ogm_macros::Relationship;

/// The driver this crate runs on.
pub use boltline;
/// Temporal and spatial property types, stored natively.
pub use boltline::packstream::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Point2D, Point3D, Time,
};
pub use boltline::{Map, Value};

/// What models and queries need: `use boltline_ogm::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Database, ElementId, NoProps, Node, NodeExt, NodeHooks, NodeSet, One, OneOrMore, Relation,
        ZeroOrMore, ZeroOrOne, Q,
    };
}

#[cfg(test)]
mod tests;

/// The guide's OGM page (`docs/guide/ogm.md`), compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide/ogm.md")]
pub struct GuideOgm;
