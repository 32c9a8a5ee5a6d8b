//! Cardinalities: how many nodes one end of a relationship may have.
//!
//! Each relationship declares the cardinality of both ends (see
//! [`Relation`](crate::Relation)); writes check both in the same statement
//! that changes the graph, and operations a cardinality forbids do not
//! compile (there is no `disconnect` on [`One`]).

use crate::Result;

/// How many related nodes one end may have.
pub trait Cardinality: Send + Sync + 'static {
    /// For messages.
    const NAME: &'static str;
    /// The fewest.
    const MIN: i64;
    /// The most, if bounded.
    const MAX: Option<i64>;
    /// What `single` returns: the node, or an `Option` where none is valid.
    type Single<T>;
    /// The answer of `single` from up to two nodes found; `None` when the
    /// nodes found break the cardinality.
    fn single<T>(found: Vec<T>) -> Option<Self::Single<T>>;
}

/// Cardinalities whose end may lose a node (`disconnect`).
pub trait CanDisconnect: Cardinality {}

/// Cardinalities that allow no node at all (`disconnect_all`, and the far
/// end of `replace`/`reconnect`).
pub trait Optional: CanDisconnect {}

/// Any number (the default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZeroOrMore;
/// At most one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZeroOrOne;
/// Exactly one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct One;
/// At least one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OneOrMore;

impl Cardinality for ZeroOrMore {
    const NAME: &'static str = "ZeroOrMore";
    const MIN: i64 = 0;
    const MAX: Option<i64> = None;
    type Single<T> = Option<T>;
    fn single<T>(found: Vec<T>) -> Option<Option<T>> {
        Some(found.into_iter().next())
    }
}

impl Cardinality for ZeroOrOne {
    const NAME: &'static str = "ZeroOrOne";
    const MIN: i64 = 0;
    const MAX: Option<i64> = Some(1);
    type Single<T> = Option<T>;
    fn single<T>(found: Vec<T>) -> Option<Option<T>> {
        (found.len() <= 1).then(|| found.into_iter().next())
    }
}

impl Cardinality for One {
    const NAME: &'static str = "One";
    const MIN: i64 = 1;
    const MAX: Option<i64> = Some(1);
    type Single<T> = T;
    fn single<T>(found: Vec<T>) -> Option<T> {
        if found.len() == 1 {
            found.into_iter().next()
        } else {
            None
        }
    }
}

impl Cardinality for OneOrMore {
    const NAME: &'static str = "OneOrMore";
    const MIN: i64 = 1;
    const MAX: Option<i64> = None;
    type Single<T> = T;
    fn single<T>(found: Vec<T>) -> Option<T> {
        found.into_iter().next()
    }
}

impl CanDisconnect for ZeroOrMore {}
impl CanDisconnect for ZeroOrOne {}
impl CanDisconnect for OneOrMore {}
impl Optional for ZeroOrMore {}
impl Optional for ZeroOrOne {}

/// Properties of a relationship: `#[derive(Relationship)]`, or [`NoProps`].
pub trait RelProps: Sized + Send + Sync + 'static {
    /// The model's name (for errors).
    const NAME: &'static str;
    /// Its declared properties (for relationship indexes and
    /// constraints in [`install_labels`](crate::Database::install_labels)).
    fn properties() -> &'static [crate::PropertyDef] {
        &[]
    }
    /// The stored names of the properties set only when `connect` creates
    /// the relationship (`#[ogm(on_create)]`): left out of its MERGE
    /// pattern and kept when a later `connect` finds the relationship, so a
    /// "connected at" timestamp does not make every `connect` a new
    /// relationship.
    fn on_create() -> &'static [&'static str] {
        &[]
    }
    /// The properties to store.
    fn deflate(&self) -> Result<boltline::Map>;
    /// From a relationship's properties.
    fn inflate_properties(properties: boltline::Map) -> Result<Self>;
}

/// A relationship without properties.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoProps;

impl RelProps for NoProps {
    const NAME: &'static str = "NoProps";
    fn deflate(&self) -> Result<boltline::Map> {
        Ok(boltline::Map::new())
    }
    fn inflate_properties(_: boltline::Map) -> Result<Self> {
        Ok(NoProps)
    }
}
