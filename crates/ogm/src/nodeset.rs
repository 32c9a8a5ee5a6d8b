//! `NodeSet`: a lazily built query for nodes of one model.

use boltline::{Record, Value};

use crate::cypher::{Clause, Expr, NodePattern, OrderItem, Projection, Statement};
use crate::filter::{Cond, Order, Q};
use crate::{Error, Executor, Node, Result};

/// The variable nodes of the set are bound to in the rendered Cypher.
pub const NODE_VAR: &str = "n";

/// A query for nodes of model `M`: filters, order and paging, run by one of
/// the terminal methods (`all`, `first`, `get`, `count`, ...). Building it
/// touches no database; [`NodeSet::statement`] shows the Cypher.
pub struct NodeSet<M> {
    filters: Vec<Cond>,
    exprs: Vec<Expr>,
    order: Vec<Order<M>>,
    skip: Option<u64>,
    limit: Option<u64>,
    distinct: bool,
    /// `CALL { WITH n ... }` subqueries and `WITH` transforms, in order.
    stages: Vec<Stage>,
    /// Extra `RETURN` columns.
    annotations: Vec<(String, Expr)>,
    /// Sort keys on expressions (after the property ones).
    order_exprs: Vec<OrderItem>,
}

/// A step between the `MATCH` and the `RETURN`.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    /// A subquery and the variables it returns.
    Subquery(Statement, Vec<String>),
    /// `WITH n, carried..., items [WHERE cond]`.
    Transform(Transform),
}

/// An intermediate `WITH` (neomodel's `intermediate_transform`): new
/// variables computed from the node and earlier ones, optionally
/// aggregated, ordered and filtered, which later stages and the results
/// see ([`NodeSet::intermediate_transform`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transform {
    /// New variables: an expression and its name.
    pub items: Vec<(Expr, String)>,
    /// `WITH DISTINCT`?
    pub distinct: bool,
    /// `ORDER BY` at this point.
    pub order: Vec<OrderItem>,
    /// `WHERE` on the new variables.
    pub where_: Option<Expr>,
}

impl<M> Clone for NodeSet<M> {
    fn clone(&self) -> Self {
        NodeSet {
            filters: self.filters.clone(),
            exprs: self.exprs.clone(),
            order: self.order.clone(),
            skip: self.skip,
            limit: self.limit,
            distinct: self.distinct,
            stages: self.stages.clone(),
            annotations: self.annotations.clone(),
            order_exprs: self.order_exprs.clone(),
        }
    }
}

impl<M> std::fmt::Debug for NodeSet<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeSet")
            .field("filters", &self.filters)
            .field("order", &self.order)
            .field("skip", &self.skip)
            .field("limit", &self.limit)
            .field("distinct", &self.distinct)
            .finish()
    }
}

impl<M: Node> Default for NodeSet<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Node> NodeSet<M> {
    /// All nodes of the model.
    pub fn new() -> Self {
        NodeSet {
            filters: Vec::new(),
            exprs: Vec::new(),
            order: Vec::new(),
            skip: None,
            limit: None,
            distinct: false,
            stages: Vec::new(),
            annotations: Vec::new(),
            order_exprs: Vec::new(),
        }
    }

    /// Adds a column `alias` computed by `expr` (on [`NODE_VAR`] and any
    /// variable of a subquery or transform) to each result: read them with
    /// [`all_annotated`](NodeSet::all_annotated) (neomodel's `annotate`).
    /// [`Rel::count`](crate::Rel::count) and
    /// [`Rel::collect`](crate::Rel::collect) make typical ones.
    pub fn annotate(mut self, alias: impl Into<String>, expr: Expr) -> Self {
        self.annotations.push((alias.into(), expr));
        self
    }

    /// Runs `body` as a `CALL { WITH n ... }` subquery for each node; the
    /// variables it returns (`returns`, which its `RETURN` must name)
    /// become columns of [`all_annotated`](NodeSet::all_annotated) and can
    /// be used by later annotations, transforms and
    /// [`order_by_expr`](NodeSet::order_by_expr). A subquery returning no
    /// row for a node drops the node, as in Cypher (neomodel's `subquery`).
    pub fn subquery(mut self, body: Statement, returns: &[&str]) -> Self {
        let names = returns.iter().map(|r| (*r).to_owned()).collect();
        self.stages.push(Stage::Subquery(body, names));
        self
    }

    /// Adds an intermediate `WITH` carrying the node and earlier
    /// variables plus `t.items` (neomodel's `intermediate_transform`): an
    /// aggregation, a reordering, a filter on computed values. Its
    /// variables become columns of [`all_annotated`](NodeSet::all_annotated).
    pub fn intermediate_transform(mut self, t: Transform) -> Self {
        self.stages.push(Stage::Transform(t));
        self
    }

    /// Adds a sort key on an expression (after the property ones), such
    /// as an annotation's variable.
    pub fn order_by_expr(mut self, expr: Expr, descending: bool) -> Self {
        self.order_exprs.push(OrderItem { expr, descending });
        self
    }

    /// The variables the stages add, in order.
    fn stage_vars(&self) -> Vec<String> {
        let mut vars = Vec::new();
        for s in &self.stages {
            match s {
                Stage::Subquery(_, names) => vars.extend(names.iter().cloned()),
                Stage::Transform(t) => vars.extend(t.items.iter().map(|(_, a)| a.clone())),
            }
        }
        vars
    }

    /// Keeps the nodes for which `cond` (an expression on [`NODE_VAR`])
    /// holds: the way to add conditions the typed API lacks, with values
    /// still as [`Expr::Value`] parameters.
    pub fn filter_expr(mut self, cond: Expr) -> Self {
        self.exprs.push(cond);
        self
    }

    /// Keeps the nodes matching `q` (filters add up with AND).
    pub fn filter(mut self, q: Q<M>) -> Self {
        self.filters.push(q.cond);
        self
    }

    /// Drops the nodes matching `q`.
    pub fn exclude(mut self, q: Q<M>) -> Self {
        self.filters.push((!q).cond);
        self
    }

    /// Adds a sort key (`Person::name().asc()`).
    pub fn order_by(mut self, order: Order<M>) -> Self {
        self.order.push(order);
        self
    }

    /// Drops every sort key given so far (neomodel's `order_by(None)`).
    pub fn clear_order(mut self) -> Self {
        self.order.clear();
        self.order_exprs.clear();
        self
    }

    /// Skips the first `n` nodes.
    pub fn skip(mut self, n: u64) -> Self {
        self.skip = Some(n);
        self
    }

    /// Returns at most `n` nodes.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Returns each node once (`RETURN DISTINCT`), for when later
    /// traversals could repeat them.
    pub fn distinct(mut self) -> Self {
        self.distinct = true;
        self
    }

    fn match_clause(&self, extra: Option<Expr>) -> Statement {
        let mut conds: Vec<Expr> = self.filters.iter().map(|c| c.to_expr(NODE_VAR)).collect();
        conds.extend(self.exprs.iter().cloned());
        conds.extend(extra);
        let where_ = match conds.len() {
            0 => None,
            1 => conds.pop(),
            _ => Some(Expr::And(conds)),
        };
        let mut st = Statement::new().match_(NodePattern::labelled(NODE_VAR, M::labels()), where_);
        let mut carried = vec![NODE_VAR.to_owned()];
        for stage in &self.stages {
            match stage {
                Stage::Subquery(body, names) => {
                    st = st.push(Clause::Call {
                        imports: vec![NODE_VAR.into()],
                        body: body.clauses.clone(),
                    });
                    carried.extend(names.iter().cloned());
                }
                Stage::Transform(t) => {
                    let mut items: Vec<(Expr, Option<String>)> = carried
                        .iter()
                        .map(|v| (Expr::var(v.clone()), None))
                        .collect();
                    items.extend(t.items.iter().map(|(e, a)| (e.clone(), Some(a.clone()))));
                    st = st.push(Clause::With(
                        Projection {
                            distinct: t.distinct,
                            items,
                            order: t.order.clone(),
                            ..Projection::default()
                        },
                        t.where_.clone(),
                    ));
                    carried.extend(t.items.iter().map(|(_, a)| a.clone()));
                }
            }
        }
        st
    }

    fn projection(&self, limit: Option<u64>) -> Projection {
        Projection {
            distinct: self.distinct,
            order: self
                .order
                .iter()
                .map(|o| OrderItem {
                    expr: Expr::var(NODE_VAR).prop(o.prop),
                    descending: o.descending,
                })
                .chain(self.order_exprs.iter().cloned())
                .collect(),
            skip: self.skip,
            limit,
            ..Projection::of(Expr::var(NODE_VAR), Some(NODE_VAR))
        }
    }

    /// The statement returning the nodes (column `n`).
    pub fn statement(&self) -> Statement {
        self.match_clause(None).return_(self.projection(self.limit))
    }

    /// The statement returning the nodes (column `n`) and more columns.
    pub(crate) fn statement_with(&self, extra: Vec<(Expr, Option<String>)>) -> Statement {
        let mut p = self.projection(self.limit);
        p.items.extend(extra);
        self.match_clause(None).return_(p)
    }

    /// The statement counting the nodes (column `count`), paging included.
    pub fn count_statement(&self) -> Statement {
        let mut st = self.match_clause(None);
        let count = Expr::FuncDistinct("count", Box::new(Expr::var(NODE_VAR)));
        if self.skip.is_some() || self.limit.is_some() {
            let paged = Projection {
                order: Vec::new(),
                ..self.projection(self.limit)
            };
            st = st.push(crate::cypher::Clause::With(paged, None));
        }
        st.return_(Projection::of(count, Some("count")))
    }

    /// The statement returning only the nodes' element ids (column `id`),
    /// in the set's order and page.
    pub fn element_ids_statement(&self) -> Statement {
        self.match_clause(None)
            .push(Clause::With(self.projection(self.limit), None))
            .return_(Projection::of(
                Expr::var(NODE_VAR).call("elementId"),
                Some("id"),
            ))
    }

    /// The matching nodes' element ids only, nothing inflated (neomodel's
    /// `lazy=True`); read a node later with `get_by_element_id`.
    pub async fn element_ids<E: Executor>(&self, exec: E) -> Result<Vec<String>> {
        let records = exec
            .run(self.element_ids_statement().render().into_query())
            .await?;
        records
            .iter()
            .map(|r| r.get_as::<String>("id").map_err(Error::from_driver))
            .collect()
    }

    /// Runs `st` and inflates column `n` of each record.
    async fn fetch<E: Executor>(st: Statement, exec: E) -> Result<Vec<M>> {
        let records = exec.run(st.render().into_query()).await?;
        records.iter().map(inflate_column::<M>).collect()
    }

    /// All matching nodes.
    pub async fn all<E: Executor>(&self, exec: E) -> Result<Vec<M>> {
        Self::fetch(self.statement(), exec).await
    }

    /// The first matching node (in the set's order), or `None`.
    pub async fn first_or_none<E: Executor>(&self, exec: E) -> Result<Option<M>> {
        let st = self.match_clause(None).return_(self.projection(Some(1)));
        Ok(Self::fetch(st, exec).await?.pop())
    }

    /// The first matching node; [`Error::DoesNotExist`] if none.
    pub async fn first<E: Executor>(&self, exec: E) -> Result<M> {
        self.first_or_none(exec)
            .await?
            .ok_or(Error::DoesNotExist { model: M::NAME })
    }

    /// The only matching node, or `None`; [`Error::MultipleNodesReturned`]
    /// if several match.
    pub async fn get_or_none<E: Executor>(&self, exec: E) -> Result<Option<M>> {
        // Two rows are enough to tell "several" from "one".
        let st = self.match_clause(None).return_(self.projection(Some(2)));
        let mut found = Self::fetch(st, exec).await?;
        if found.len() > 1 {
            return Err(Error::MultipleNodesReturned { model: M::NAME });
        }
        Ok(found.pop())
    }

    /// The only matching node: [`Error::DoesNotExist`] if none,
    /// [`Error::MultipleNodesReturned`] if several.
    pub async fn get<E: Executor>(&self, exec: E) -> Result<M> {
        self.get_or_none(exec)
            .await?
            .ok_or(Error::DoesNotExist { model: M::NAME })
    }

    /// How many nodes match.
    pub async fn count<E: Executor>(&self, exec: E) -> Result<u64> {
        let records = exec
            .run(self.count_statement().render().into_query())
            .await?;
        let n: i64 = match records.first() {
            Some(r) => r.get_as("count").map_err(Error::from_driver)?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The statement of [`all_annotated`](NodeSet::all_annotated): column
    /// `n`, then the stages' variables and the annotations.
    pub fn annotated_statement(&self) -> Statement {
        let mut extra: Vec<(Expr, Option<String>)> = self
            .stage_vars()
            .into_iter()
            .map(|v| (Expr::var(v.clone()), Some(v)))
            .collect();
        extra.extend(
            self.annotations
                .iter()
                .map(|(a, e)| (e.clone(), Some(a.clone()))),
        );
        self.statement_with(extra)
    }

    /// All matching nodes, each with the values of its annotations,
    /// subqueries and transforms (by name), in one query.
    pub async fn all_annotated<E: Executor>(&self, exec: E) -> Result<Vec<Annotated<M>>> {
        let records = exec
            .run(self.annotated_statement().render().into_query())
            .await?;
        records
            .iter()
            .map(|r| {
                let mut values = r.to_map().map_err(Error::from_driver)?;
                let node = match values.remove(NODE_VAR) {
                    Some(v) => M::inflate(v)?,
                    None => return Err(Error::DoesNotExist { model: M::NAME }),
                };
                Ok(Annotated { node, values })
            })
            .collect()
    }

    /// Whether no node matches.
    pub async fn is_empty<E: Executor>(&self, exec: E) -> Result<bool> {
        Ok(self.first_or_none(exec).await?.is_none())
    }

    /// Whether `node` (saved) is in the set; an unsaved node never is.
    pub async fn contains<E: Executor>(&self, node: &M, exec: E) -> Result<bool> {
        let Some(id) = node.element_id() else {
            return Ok(false);
        };
        let st = self
            .match_clause(Some(Expr::element_id_is(NODE_VAR, id)))
            .return_(Projection {
                limit: Some(1),
                ..Projection::of(Expr::var(NODE_VAR), Some(NODE_VAR))
            });
        Ok(!exec.run(st.render().into_query()).await?.is_empty())
    }
}

/// Column `n` of a record as a model.
pub(crate) fn inflate_column<M: Node>(r: &Record) -> Result<M> {
    inflate_named(r, NODE_VAR)
}

/// Column `column` of a record as a model.
pub(crate) fn inflate_named<M: Node>(r: &Record, column: &str) -> Result<M> {
    let v: Value = r.get(column).map_err(Error::from_driver)?;
    M::inflate(v)
}

/// A node with the extra values of its query
/// ([`NodeSet::all_annotated`]).
#[derive(Debug, Clone)]
pub struct Annotated<M> {
    /// The node.
    pub node: M,
    /// The annotations', subqueries' and transforms' values, by name.
    pub values: boltline::Map,
}

impl<M> Annotated<M> {
    /// The value named `name`, converted (a missing name reads as
    /// `null`, so `Option<T>` gives `None`); a value of another type is
    /// [`Error::AnnotationType`].
    pub fn get<T: crate::PropertyType>(&self, name: &str) -> Result<T> {
        let v = self.values.get(name).cloned().unwrap_or(Value::Null);
        T::from_value(v).map_err(|source| Error::AnnotationType {
            name: name.to_owned(),
            source,
        })
    }
}
