//! Relationships of a model: the field type, its static description
//! ([`Rel`], for filters) and the manager that reads and writes them for one
//! node ([`RelationshipManager`]).
//!
//! ```no_run
//! use boltline_ogm::prelude::*;
//!
//! #[derive(Node)]
//! struct Book {
//!     id: ElementId,
//!     title: String,
//!     #[ogm(rel = "AUTHOR")]
//!     author: Relation<Author, One>,
//! }
//!
//! #[derive(Node)]
//! struct Author {
//!     id: ElementId,
//!     name: String,
//!     #[ogm(rel = "AUTHOR", incoming)]
//!     books: Relation<Book, ZeroOrMore, One>,
//! }
//!
//! # async fn demo(db: &Database, book: &Book, a: &Author, b: &Author) -> boltline_ogm::Result<()> {
//! Book::author().of(book).connect(a, db).await?;
//! Book::author().of(book).reconnect(a, b, db).await?; // One: move, never disconnect
//! let author: Author = Book::author().of(book).single(db).await?;
//! let by_her = Book::nodes().filter(Book::author().any(Author::name().exact("Ursula"))).all(db).await?;
//! # let _ = (author, by_her);
//! # Ok(())
//! # }
//! ```
//!
//! A book must keep its one author, so `disconnect` does not compile:
//!
//! ```compile_fail
//! use boltline_ogm::prelude::*;
//!
//! #[derive(Node)]
//! struct Book {
//!     id: ElementId,
//!     #[ogm(rel = "AUTHOR")]
//!     author: Relation<Author, One>,
//! }
//!
//! #[derive(Node)]
//! struct Author {
//!     id: ElementId,
//! }
//!
//! # async fn demo(db: &Database, book: &Book, a: &Author) -> boltline_ogm::Result<()> {
//! Book::author().of(book).disconnect(a, db).await?;
//! # Ok(())
//! # }
//! ```

use std::marker::PhantomData;

use crate::cardinality::{Cardinality, NoProps, RelProps, ZeroOrMore};
use crate::cypher::Direction;
use crate::filter::{Cond, RelatedCond, Q};
use crate::{Node, RelationshipManager};

/// Carries type parameters without owning them (`Send`, `Sync`, `Copy`).
type Marker<T> = PhantomData<fn() -> T>;

/// The type of a relationship field in a `#[derive(Node)]` struct:
/// `author: Relation<Author, One>` with `#[ogm(rel = "AUTHOR")]`.
///
/// `C` is how many `T`s one node of this model may have, `Rev` how many
/// nodes of this model one `T` may have (the far end's cardinality, checked
/// too), `R` the relationship's properties. The field holds no data
/// (`Relation::default()`); the derive turns it into an associated
/// function returning its [`Rel`]: `Book::author()`.
pub struct Relation<T, C = ZeroOrMore, Rev = ZeroOrMore, R = NoProps>(Marker<(T, C, Rev, R)>);

impl<T, C, Rev, R> Default for Relation<T, C, Rev, R> {
    fn default() -> Self {
        Relation(PhantomData)
    }
}

impl<T, C, Rev, R> Clone for Relation<T, C, Rev, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, C, Rev, R> Copy for Relation<T, C, Rev, R> {}

impl<T, C, Rev, R> PartialEq for Relation<T, C, Rev, R> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T, C, Rev, R> std::fmt::Debug for Relation<T, C, Rev, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Relation")
    }
}

/// The types a relationship field declares (the derive reads them).
pub trait RelationField {
    /// The related model.
    type Target: Node;
    /// How many targets one source may have.
    type Card: Cardinality;
    /// How many sources one target may have.
    type Rev: Cardinality;
    /// The relationship's properties.
    type Props: RelProps;
}

impl<T: Node, C: Cardinality, Rev: Cardinality, R: RelProps> RelationField
    for Relation<T, C, Rev, R>
{
    type Target = T;
    type Card = C;
    type Rev = Rev;
    type Props = R;
}

/// A relationship whose far end has a minimum (`Rev` of `One` or
/// `OneOrMore`): deleting a source node must not leave a target below it.
/// The derive lists these per model ([`Node::delete_checks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteCheck {
    /// The relationship type.
    pub rel_type: &'static str,
    /// Its direction, seen from the source.
    pub direction: Direction,
    /// The source model's labels (the nodes a target counts).
    pub source_labels: &'static [&'static str],
    /// The target model's labels.
    pub target_labels: &'static [&'static str],
    /// The target model's name.
    pub target: &'static str,
    /// How many sources a target needs at least.
    pub min: i64,
    /// The far end's cardinality, for messages.
    pub cardinality: &'static str,
}

impl DeleteCheck {
    /// The check for `rel`, if its far end has a minimum.
    pub fn of<S, T, C, Rev, R>(rel: Rel<S, T, C, Rev, R>) -> Option<Self>
    where
        S: Node,
        T: Node,
        C: Cardinality,
        Rev: Cardinality,
        R: RelProps,
    {
        (Rev::MIN > 0).then(|| DeleteCheck {
            rel_type: rel.rel_type,
            direction: rel.direction,
            source_labels: S::labels(),
            target_labels: T::labels(),
            target: T::NAME,
            min: Rev::MIN,
            cardinality: Rev::NAME,
        })
    }
}

/// A relationship of model `S` to model `T`: its type and direction, and
/// both ends' cardinalities.
pub struct Rel<S, T, C, Rev, R> {
    pub(crate) rel_type: &'static str,
    pub(crate) direction: Direction,
    _m: Marker<(S, T, C, Rev, R)>,
}

impl<S, T, C, Rev, R> Clone for Rel<S, T, C, Rev, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S, T, C, Rev, R> Copy for Rel<S, T, C, Rev, R> {}

impl<S, T, C, Rev, R> std::fmt::Debug for Rel<S, T, C, Rev, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rel")
            .field("rel_type", &self.rel_type)
            .field("direction", &self.direction)
            .finish()
    }
}

impl<S, T, C, Rev, R> Rel<S, T, C, Rev, R>
where
    S: Node,
    T: Node,
    C: Cardinality,
    Rev: Cardinality,
    R: RelProps,
{
    /// The relationship of type `rel_type` in `direction` from `S`.
    pub const fn new(rel_type: &'static str, direction: Direction) -> Self {
        Rel {
            rel_type,
            direction,
            _m: PhantomData,
        }
    }

    /// The relationship type.
    pub fn rel_type(&self) -> &'static str {
        self.rel_type
    }

    /// Its direction, seen from `S`.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// The manager of this relationship for `source`.
    pub fn of(self, source: &S) -> RelationshipManager<'_, S, T, C, Rev, R> {
        RelationshipManager { source, rel: self }
    }

    fn related(self, node: Option<Q<T>>, rel: Option<Q<R>>) -> Q<S> {
        Q::leaf(Cond::Related(Box::new(RelatedCond {
            rel_type: self.rel_type,
            direction: self.direction,
            target_labels: T::labels(),
            node: node.map(|q| q.cond),
            rel: rel.map(|q| q.cond),
        })))
    }

    /// `S` nodes with at least one related `T` matching `q`, as an
    /// `EXISTS` subquery in the same statement (no N+1 queries).
    pub fn any(self, q: Q<T>) -> Q<S> {
        self.related(Some(q), None)
    }

    /// `S` nodes with at least one such relationship.
    pub fn exists(self) -> Q<S> {
        self.related(None, None)
    }

    /// `S` nodes with a relationship matching `rel` to a `T` matching
    /// `node` (if given).
    pub fn any_with(self, rel: Q<R>, node: Option<Q<T>>) -> Q<S> {
        self.related(node, Some(rel))
    }

    fn pattern_from_set(self, target: &str) -> crate::cypher::Pattern {
        crate::cypher::Pattern::node(crate::cypher::NodePattern::var(crate::NODE_VAR)).then(
            crate::cypher::RelPattern::new(None, self.rel_type, self.direction),
            crate::cypher::NodePattern::labelled(target, T::labels()),
        )
    }

    /// For [`NodeSet::annotate`](crate::NodeSet::annotate): how many `T`s
    /// each node of the set has (`COUNT { MATCH (n)-[:TYPE]->(:T) }`).
    pub fn count(self) -> crate::cypher::Expr {
        let p = self.pattern_from_set("");
        let p = crate::cypher::Pattern {
            start: p.start,
            steps: p
                .steps
                .into_iter()
                .map(|(r, n)| (r, n.anonymous()))
                .collect(),
        };
        crate::cypher::Expr::CountSubquery(Box::new(p), None)
    }

    /// For [`NodeSet::annotate`](crate::NodeSet::annotate): the values of
    /// property `prop` of each node's related `T`s, as a list.
    pub fn collect<V>(self, prop: crate::Prop<T, V>) -> crate::cypher::Expr
    where
        V: crate::PropertyType,
    {
        crate::cypher::Expr::PatternComprehension(
            Box::new(self.pattern_from_set("c")),
            None,
            Box::new(crate::cypher::Expr::var("c").prop(prop.db_name())),
        )
    }
}
