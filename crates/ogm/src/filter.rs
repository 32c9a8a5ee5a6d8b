//! Typed filters: property handles, conditions (`Q`) and sort keys.
//!
//! A handle's type says what its property holds, so a filter that makes no
//! sense does not compile: text operators exist only for text properties,
//! `lt`/`gt` only for ordered ones, and values must have the property's type.
//!
//! ```compile_fail
//! # use boltline_ogm::{ElementId, Node};
//! #[derive(Node)]
//! struct Person {
//!     id: ElementId,
//!     name: String,
//!     age: i64,
//! }
//! // An integer property has no `startswith`.
//! let _ = Person::age().startswith("4");
//! ```
//!
//! ```compile_fail
//! # use boltline_ogm::{ElementId, Node};
//! #[derive(Node)]
//! struct Person {
//!     id: ElementId,
//!     age: i64,
//! }
//! // An integer property is not compared with a string.
//! let _ = Person::age().gt("forty");
//! ```
//!
//! ```compile_fail
//! # use boltline_ogm::{ElementId, Node};
//! #[derive(Node)]
//! struct Person {
//!     id: ElementId,
//!     age: i64,
//! }
//! #[derive(Node)]
//! struct Book {
//!     id: ElementId,
//!     title: String,
//! }
//! // A Book condition does not filter people.
//! let _ = Person::nodes().filter(Book::title().exact("Dune"));
//! ```
//!
//! ```
//! # use boltline_ogm::{ElementId, Node};
//! #[derive(Node)]
//! struct Person {
//!     id: ElementId,
//!     name: String,
//!     age: Option<i64>,
//! }
//! let q = Person::name().istartswith("al") & !Person::age().lt(18)
//!     | Person::age().isnull(true);
//! let _ = Person::nodes().filter(q).order_by(Person::name().desc());
//! ```

use std::marker::PhantomData;
use std::ops::{BitAnd, BitOr, Not};

use boltline::Value;

use crate::cypher::{BinOp, Direction, Expr, NodePattern, Pattern, RelPattern};
use crate::property::{Ordered, PropertyType, Textual};

/// The filter handle of a property of model `M` whose values are `T`.
pub struct Prop<M, T> {
    db_name: &'static str,
    _m: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Prop<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, T> Copy for Prop<M, T> {}

impl<M, T> std::fmt::Debug for Prop<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Prop").field(&self.db_name).finish()
    }
}

/// One comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Bin(BinOp),
    /// The binary operator on `toLower` of both sides.
    Folded(BinOp),
    IsNull(bool),
}

impl<M, T: PropertyType> Prop<M, T> {
    /// A handle on the property stored under `db_name` (the derive makes these).
    pub const fn new(db_name: &'static str) -> Self {
        Prop {
            db_name,
            _m: PhantomData,
        }
    }

    /// The property key in the database.
    pub fn db_name(&self) -> &'static str {
        self.db_name
    }

    fn cond(self, op: Op, value: Value) -> Q<M> {
        Q::leaf(Cond::Leaf {
            prop: self.db_name,
            op,
            value,
        })
    }

    fn bin(self, op: BinOp, v: impl Into<T>) -> Q<M> {
        self.cond(Op::Bin(op), v.into().to_value())
    }

    fn folded(self, op: BinOp, v: impl Into<T>) -> Q<M> {
        self.cond(Op::Folded(op), v.into().to_value())
    }

    /// Equal to `v`.
    pub fn exact(self, v: impl Into<T>) -> Q<M> {
        self.bin(BinOp::Eq, v)
    }

    /// Not equal to `v` (a missing property matches neither, as in Cypher).
    pub fn ne(self, v: impl Into<T>) -> Q<M> {
        self.bin(BinOp::Ne, v)
    }

    /// One of `values`.
    pub fn is_in<I>(self, values: I) -> Q<M>
    where
        I: IntoIterator,
        I::Item: Into<T>,
    {
        let list = values.into_iter().map(|v| v.into().to_value()).collect();
        self.cond(Op::Bin(BinOp::In), Value::List(list))
    }

    /// The property is missing (`true`) or present (`false`).
    pub fn isnull(self, null: bool) -> Q<M> {
        self.cond(Op::IsNull(null), Value::Null)
    }

    /// Ascending sort key.
    pub fn asc(self) -> Order<M> {
        Order {
            prop: self.db_name,
            descending: false,
            _m: PhantomData,
        }
    }

    /// Descending sort key.
    pub fn desc(self) -> Order<M> {
        Order {
            prop: self.db_name,
            descending: true,
            _m: PhantomData,
        }
    }
}

impl<M, T: Ordered> Prop<M, T> {
    /// Less than `v`.
    pub fn lt(self, v: impl Into<T>) -> Q<M> {
        self.bin(BinOp::Lt, v)
    }
    /// Greater than `v`.
    pub fn gt(self, v: impl Into<T>) -> Q<M> {
        self.bin(BinOp::Gt, v)
    }
    /// At most `v`.
    pub fn lte(self, v: impl Into<T>) -> Q<M> {
        self.bin(BinOp::Lte, v)
    }
    /// At least `v`.
    pub fn gte(self, v: impl Into<T>) -> Q<M> {
        self.bin(BinOp::Gte, v)
    }
}

impl<M, T: Textual> Prop<M, T> {
    /// Equal ignoring case.
    pub fn iexact(self, v: impl Into<T>) -> Q<M> {
        self.folded(BinOp::Eq, v)
    }
    /// Contains `v` (`CONTAINS`).
    pub fn contains(self, v: impl Into<T>) -> Q<M> {
        self.bin(BinOp::Contains, v)
    }
    /// Contains `v`, ignoring case.
    pub fn icontains(self, v: impl Into<T>) -> Q<M> {
        self.folded(BinOp::Contains, v)
    }
    /// Starts with `v` (`STARTS WITH`, which can use an index).
    pub fn startswith(self, v: impl Into<T>) -> Q<M> {
        self.bin(BinOp::StartsWith, v)
    }
    /// Starts with `v`, ignoring case.
    pub fn istartswith(self, v: impl Into<T>) -> Q<M> {
        self.folded(BinOp::StartsWith, v)
    }
    /// Ends with `v` (`ENDS WITH`).
    pub fn endswith(self, v: impl Into<T>) -> Q<M> {
        self.bin(BinOp::EndsWith, v)
    }
    /// Ends with `v`, ignoring case.
    pub fn iendswith(self, v: impl Into<T>) -> Q<M> {
        self.folded(BinOp::EndsWith, v)
    }
    /// Matches the Java regular expression `pattern` as a whole (`=~`).
    pub fn regex(self, pattern: impl Into<T>) -> Q<M> {
        self.bin(BinOp::Regex, pattern)
    }
}

/// A condition tree on properties of one variable.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Leaf {
        prop: &'static str,
        op: Op,
        value: Value,
    },
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    /// Some related node (and relationship) matches: an `EXISTS` subquery.
    Related(Box<RelatedCond>),
    /// The node has (or lacks) an optional label.
    Label {
        label: &'static str,
        present: bool,
    },
}

/// The condition of [`Cond::Related`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RelatedCond {
    pub(crate) rel_type: &'static str,
    pub(crate) direction: Direction,
    pub(crate) target_labels: &'static [&'static str],
    /// On the related node.
    pub(crate) node: Option<Cond>,
    /// On the relationship.
    pub(crate) rel: Option<Cond>,
}

impl Cond {
    pub(crate) fn to_expr(&self, var: &str) -> Expr {
        self.to_expr_at(var, 0)
    }

    /// `depth` numbers the variables of nested `EXISTS` subqueries, which
    /// may not rebind the outer ones.
    fn to_expr_at(&self, var: &str, depth: usize) -> Expr {
        match self {
            Cond::Leaf { prop, op, value } => {
                let lhs = Expr::var(var).prop(*prop);
                match op {
                    Op::Bin(b) => lhs.binary(*b, Expr::Value(value.clone())),
                    Op::Folded(b) => lhs
                        .call("toLower")
                        .binary(*b, Expr::Value(value.clone()).call("toLower")),
                    Op::IsNull(true) => lhs.is_null(),
                    Op::IsNull(false) => lhs.is_not_null(),
                }
            }
            Cond::And(items) => Expr::And(items.iter().map(|c| c.to_expr_at(var, depth)).collect()),
            Cond::Or(items) => Expr::Or(items.iter().map(|c| c.to_expr_at(var, depth)).collect()),
            Cond::Not(c) => c.to_expr_at(var, depth).not(),
            Cond::Label { label, present } => {
                let has = Expr::HasLabels(var.to_owned(), vec![(*label).to_owned()]);
                if *present {
                    has
                } else {
                    has.not()
                }
            }
            Cond::Related(rc) => {
                let m = format!("m{depth}");
                let r = format!("r{depth}");
                let pattern = Pattern::node(NodePattern::var(var)).then(
                    RelPattern::new(Some(&r), rc.rel_type, rc.direction),
                    NodePattern::labelled(&m, rc.target_labels),
                );
                let mut conds = Vec::new();
                if let Some(c) = &rc.node {
                    conds.push(c.to_expr_at(&m, depth + 1));
                }
                if let Some(c) = &rc.rel {
                    conds.push(c.to_expr_at(&r, depth + 1));
                }
                let cond = match conds.len() {
                    0 => None,
                    1 => conds.pop(),
                    _ => Some(Expr::And(conds)),
                };
                Expr::Exists(Box::new(pattern), cond.map(Box::new))
            }
        }
    }
}

/// The filter handle of an optional label of model `M` (a `bool` field
/// marked `#[ogm(optional_label = "Retired")]`): `Person::retired().is(true)`.
pub struct LabelFlag<M> {
    label: &'static str,
    _m: PhantomData<fn() -> M>,
}

impl<M> Clone for LabelFlag<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for LabelFlag<M> {}

impl<M> std::fmt::Debug for LabelFlag<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LabelFlag").field(&self.label).finish()
    }
}

impl<M> LabelFlag<M> {
    /// A handle on the optional label `label` (the derive makes these).
    pub const fn new(label: &'static str) -> Self {
        LabelFlag {
            label,
            _m: PhantomData,
        }
    }

    /// The label.
    pub fn label(&self) -> &'static str {
        self.label
    }

    /// Nodes that have the label (`true`) or lack it (`false`).
    pub fn is(self, present: bool) -> Q<M> {
        Q::leaf(Cond::Label {
            label: self.label,
            present,
        })
    }
}

/// A condition on nodes of model `M` (neomodel's `Q`): combine with `&`,
/// `|` and `!`.
pub struct Q<M> {
    pub(crate) cond: Cond,
    _m: PhantomData<fn() -> M>,
}

impl<M> Clone for Q<M> {
    fn clone(&self) -> Self {
        Q::leaf(self.cond.clone())
    }
}

impl<M> std::fmt::Debug for Q<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.cond.fmt(f)
    }
}

impl<M> Q<M> {
    pub(crate) fn leaf(cond: Cond) -> Self {
        Q {
            cond,
            _m: PhantomData,
        }
    }

    /// All of the conditions (true when there are none).
    pub fn all(items: impl IntoIterator<Item = Q<M>>) -> Self {
        Q::leaf(Cond::And(items.into_iter().map(|q| q.cond).collect()))
    }

    /// Any of the conditions (false when there are none).
    pub fn any(items: impl IntoIterator<Item = Q<M>>) -> Self {
        Q::leaf(Cond::Or(items.into_iter().map(|q| q.cond).collect()))
    }

    /// The condition, on a model that inherits `M`'s properties.
    pub fn lift<C: crate::Inherits<M>>(self) -> Q<C>
    where
        M: crate::Node,
    {
        Q::leaf(self.cond)
    }

    /// The condition as an expression on variable `var`.
    pub fn to_expr(&self, var: &str) -> Expr {
        self.cond.to_expr(var)
    }
}

impl<M> BitAnd for Q<M> {
    type Output = Q<M>;
    fn bitand(self, rhs: Q<M>) -> Q<M> {
        match self.cond {
            Cond::And(mut items) => {
                items.push(rhs.cond);
                Q::leaf(Cond::And(items))
            }
            c => Q::leaf(Cond::And(vec![c, rhs.cond])),
        }
    }
}

impl<M> BitOr for Q<M> {
    type Output = Q<M>;
    fn bitor(self, rhs: Q<M>) -> Q<M> {
        match self.cond {
            Cond::Or(mut items) => {
                items.push(rhs.cond);
                Q::leaf(Cond::Or(items))
            }
            c => Q::leaf(Cond::Or(vec![c, rhs.cond])),
        }
    }
}

impl<M> Not for Q<M> {
    type Output = Q<M>;
    fn not(self) -> Q<M> {
        Q::leaf(Cond::Not(Box::new(self.cond)))
    }
}

/// A sort key on a property of model `M`.
pub struct Order<M> {
    pub(crate) prop: &'static str,
    pub(crate) descending: bool,
    _m: PhantomData<fn() -> M>,
}

impl<M> Order<M> {
    /// The sort key, on a model that inherits `M`'s properties.
    pub fn lift<C: crate::Inherits<M>>(self) -> Order<C>
    where
        M: crate::Node,
    {
        Order {
            prop: self.prop,
            descending: self.descending,
            _m: PhantomData,
        }
    }
}

impl<M> Clone for Order<M> {
    fn clone(&self) -> Self {
        Order {
            prop: self.prop,
            descending: self.descending,
            _m: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for Order<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Order")
            .field("prop", &self.prop)
            .field("descending", &self.descending)
            .finish()
    }
}
