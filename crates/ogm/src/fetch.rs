//! Nodes with their related nodes, in one query (no N+1): one hop, several
//! hops (`A -> B -> C`), with the relationships, filtered, or several
//! relationships at once, each a pattern comprehension in the same
//! statement.

use std::marker::PhantomData;

use boltline::Value;

use crate::cypher::{Direction, Expr, NodePattern, Pattern, RelPattern, Statement};
use crate::filter::{Cond, Q};
use crate::nodeset::NODE_VAR;
use crate::{Cardinality, Error, Executor, Node, NodeSet, Rel, RelProps, Result};

/// Carries type parameters without owning them.
type Marker<T> = PhantomData<fn() -> T>;

/// Column of the related nodes.
const RELATED: &str = "related";

/// What to fetch along relationships from a node of model `S`, and how the
/// answer is shaped: a [`Rel`] (`Vec<T>`), [`Rel::then`] (each related
/// node with what follows it), [`Rel::with_rel`] (each with its
/// relationship's properties), [`Rel::matching`] (only some), or a pair
/// of them (both, side by side).
pub trait Traversal<S>: Send + Sync {
    /// The shape of the answer for one node.
    type Output;

    /// The expression listing the answer for the node bound to `var`;
    /// `depth` keeps nested variables apart.
    fn list_expr(&self, var: &str, depth: usize) -> Expr;

    /// The answer from the value of [`list_expr`](Traversal::list_expr).
    fn inflate(&self, value: Value) -> Result<Self::Output>;

    /// The paths (from the root, `path` so far) of this traversal's steps,
    /// for [`FetchRelated::unique_variables`]. The default has none.
    fn step_paths(&self, path: &str, out: &mut Vec<String>) {
        let _ = (path, out);
    }

    /// Records in `scope` the conditions each step puts on its nodes, by
    /// path, for [`FetchRelated::unique_variables`]. The default records
    /// none.
    fn collect_conditions(&self, path: &str, scope: &mut VarScope) {
        let _ = (path, scope);
    }

    /// [`list_expr`](Traversal::list_expr) where a step on a path `scope`
    /// shares applies every condition recorded for that path. The default
    /// ignores the scope.
    fn list_expr_scoped(&self, var: &str, depth: usize, path: &str, scope: &VarScope) -> Expr {
        let _ = (path, scope);
        self.list_expr(var, depth)
    }
}

/// The node variables a [`FetchRelated`] shares between its traversals
/// (neomodel's `unique_variables`): the shared paths and the conditions
/// recorded on them. Built by [`FetchRelated::statement`]; opaque.
#[derive(Debug, Clone, Default)]
pub struct VarScope {
    shared: Vec<String>,
    node: Vec<(String, Cond)>,
}

impl VarScope {
    fn record(&mut self, key: &str, cond: &Option<Cond>) {
        if let Some(c) = cond {
            if self.shared.iter().any(|k| k == key)
                && !self.node.iter().any(|(k, c2)| k == key && c2 == c)
            {
                self.node.push((key.to_owned(), c.clone()));
            }
        }
    }

    /// The node condition of the step at `key`: every recorded one when
    /// the path is shared, else the step's own.
    fn node_cond(&self, key: &str, own: &Option<Cond>) -> Option<Cond> {
        if !self.shared.iter().any(|k| k == key) {
            return own.clone();
        }
        let mut all: Vec<Cond> = self
            .node
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, c)| c.clone())
            .collect();
        match all.len() {
            0 => None,
            1 => all.pop(),
            _ => Some(Cond::And(all)),
        }
    }
}

/// One step: a relationship type and direction to nodes with some labels,
/// optionally filtered on the node and the relationship.
#[derive(Debug, Clone)]
struct Step {
    rel_type: &'static str,
    direction: Direction,
    labels: &'static [&'static str],
    node: Option<Cond>,
    rel: Option<Cond>,
}

impl Step {
    fn of<S: Node, T: Node, C, Rev, R>(rel: Rel<S, T, C, Rev, R>) -> Self {
        Step {
            rel_type: rel.rel_type,
            direction: rel.direction,
            labels: T::labels(),
            node: None,
            rel: None,
        }
    }

    /// This step's path: the path to its start, then its type, direction
    /// and labels (two traversals along the same relationships from the
    /// root reach the same path).
    fn key(&self, path: &str) -> String {
        format!(
            "{path}/{:?}:{}:{}",
            self.direction,
            self.rel_type,
            self.labels.join(":")
        )
    }

    /// [`comprehension`](Step::comprehension) with the node condition of
    /// its path in `scope`.
    fn comprehension_scoped(
        &self,
        var: &str,
        depth: usize,
        item: Expr,
        key: &str,
        scope: &VarScope,
    ) -> Expr {
        let shared = Step {
            node: scope.node_cond(key, &self.node),
            ..self.clone()
        };
        shared.comprehension(var, depth, item)
    }

    /// `[(var)-[r:TYPE]->(t:Labels) WHERE ... | item(t, r)]`.
    fn comprehension(&self, var: &str, depth: usize, item: Expr) -> Expr {
        let t = format!("t{depth}");
        let r = format!("r{depth}");
        let pattern = Pattern::node(NodePattern::var(var)).then(
            RelPattern::new(Some(&r), self.rel_type, self.direction),
            NodePattern::labelled(&t, self.labels),
        );
        let mut conds = Vec::new();
        if let Some(c) = &self.node {
            conds.push(c.to_expr(&t));
        }
        if let Some(c) = &self.rel {
            conds.push(c.to_expr(&r));
        }
        let cond = match conds.len() {
            0 => None,
            1 => conds.pop(),
            _ => Some(Expr::And(conds)),
        };
        Expr::PatternComprehension(Box::new(pattern), cond.map(Box::new), Box::new(item))
    }
}

fn list(value: Value, model: &'static str) -> Result<Vec<Value>> {
    match value {
        Value::List(items) => Ok(items),
        other => Err(Error::NotANode {
            model,
            found: other.type_name(),
        }),
    }
}

impl<S, T, C, Rev, R> Traversal<S> for Rel<S, T, C, Rev, R>
where
    S: Node,
    T: Node,
    C: Cardinality,
    Rev: Cardinality,
    R: RelProps,
{
    type Output = Vec<T>;

    fn list_expr(&self, var: &str, depth: usize) -> Expr {
        Step::of(*self).comprehension(var, depth, Expr::var(format!("t{depth}")))
    }

    fn inflate(&self, value: Value) -> Result<Vec<T>> {
        list(value, T::NAME)?.into_iter().map(T::inflate).collect()
    }

    fn step_paths(&self, path: &str, out: &mut Vec<String>) {
        out.push(Step::of(*self).key(path));
    }

    fn list_expr_scoped(&self, var: &str, depth: usize, path: &str, scope: &VarScope) -> Expr {
        let step = Step::of(*self);
        let key = step.key(path);
        step.comprehension_scoped(var, depth, Expr::var(format!("t{depth}")), &key, scope)
    }
}

/// The related `T`s of a [`Rel`] restricted by conditions
/// ([`Rel::matching`], [`Along::matching_rel`]); chain on with
/// [`Along::then`] or [`Along::with_rel`].
pub struct Along<S, T, R> {
    step: Step,
    _m: Marker<(S, T, R)>,
}

impl<S, T, R> std::fmt::Debug for Along<S, T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.step.fmt(f)
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
    fn along(self) -> Along<S, T, R> {
        Along {
            step: Step::of(self),
            _m: PhantomData,
        }
    }

    /// Only the related nodes matching `q`.
    pub fn matching(self, q: Q<T>) -> Along<S, T, R> {
        self.along().matching(q)
    }

    /// Each related node with what `next` fetches from it: `A -> B -> C`
    /// in one query.
    pub fn then<N: Traversal<T>>(self, next: N) -> Then<S, T, R, N> {
        self.along().then(next)
    }

    /// Each related node with its relationship's properties.
    pub fn with_rel(self) -> WithRel<S, T, R> {
        self.along().with_rel()
    }

    /// Only along relationships matching `q` (on their properties).
    pub fn matching_rel(self, q: Q<R>) -> Along<S, T, R> {
        self.along().matching_rel(q)
    }
}

impl<S: Node, T: Node, R: RelProps> Along<S, T, R> {
    /// Only the related nodes matching `q` (added to earlier conditions).
    pub fn matching(mut self, q: Q<T>) -> Self {
        self.step.node = Some(match self.step.node.take() {
            Some(c) => Cond::And(vec![c, q.cond]),
            None => q.cond,
        });
        self
    }

    /// Only along relationships matching `q` (on their properties).
    pub fn matching_rel(mut self, q: Q<R>) -> Self {
        self.step.rel = Some(match self.step.rel.take() {
            Some(c) => Cond::And(vec![c, q.cond]),
            None => q.cond,
        });
        self
    }

    /// Each related node with what `next` fetches from it.
    pub fn then<N: Traversal<T>>(self, next: N) -> Then<S, T, R, N> {
        Then {
            step: self.step,
            next,
            _m: PhantomData,
        }
    }

    /// Each related node with its relationship's properties.
    pub fn with_rel(self) -> WithRel<S, T, R> {
        WithRel {
            step: self.step,
            _m: PhantomData,
        }
    }
}

impl<S: Node, T: Node, R: RelProps> Traversal<S> for Along<S, T, R> {
    type Output = Vec<T>;

    fn list_expr(&self, var: &str, depth: usize) -> Expr {
        self.step
            .comprehension(var, depth, Expr::var(format!("t{depth}")))
    }

    fn inflate(&self, value: Value) -> Result<Vec<T>> {
        list(value, T::NAME)?.into_iter().map(T::inflate).collect()
    }

    fn step_paths(&self, path: &str, out: &mut Vec<String>) {
        out.push(self.step.key(path));
    }

    fn collect_conditions(&self, path: &str, scope: &mut VarScope) {
        scope.record(&self.step.key(path), &self.step.node);
    }

    fn list_expr_scoped(&self, var: &str, depth: usize, path: &str, scope: &VarScope) -> Expr {
        let key = self.step.key(path);
        self.step
            .comprehension_scoped(var, depth, Expr::var(format!("t{depth}")), &key, scope)
    }
}

/// Each related `T` with what `N` fetches from it ([`Rel::then`]).
pub struct Then<S, T, R, N> {
    step: Step,
    next: N,
    _m: Marker<(S, T, R)>,
}

impl<S, T, R, N: std::fmt::Debug> std::fmt::Debug for Then<S, T, R, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Then")
            .field("step", &self.step)
            .field("next", &self.next)
            .finish()
    }
}

impl<S: Node, T: Node, R: RelProps, N: Traversal<T>> Traversal<S> for Then<S, T, R, N> {
    type Output = Vec<(T, N::Output)>;

    fn list_expr(&self, var: &str, depth: usize) -> Expr {
        let t = format!("t{depth}");
        let inner = self.next.list_expr(&t, depth + 1);
        self.step
            .comprehension(var, depth, Expr::List(vec![Expr::var(t), inner]))
    }

    fn step_paths(&self, path: &str, out: &mut Vec<String>) {
        let key = self.step.key(path);
        self.next.step_paths(&key, out);
        out.push(key);
    }

    fn collect_conditions(&self, path: &str, scope: &mut VarScope) {
        let key = self.step.key(path);
        scope.record(&key, &self.step.node);
        self.next.collect_conditions(&key, scope);
    }

    fn list_expr_scoped(&self, var: &str, depth: usize, path: &str, scope: &VarScope) -> Expr {
        let t = format!("t{depth}");
        let key = self.step.key(path);
        let inner = self.next.list_expr_scoped(&t, depth + 1, &key, scope);
        self.step.comprehension_scoped(
            var,
            depth,
            Expr::List(vec![Expr::var(t), inner]),
            &key,
            scope,
        )
    }

    fn inflate(&self, value: Value) -> Result<Self::Output> {
        list(value, T::NAME)?
            .into_iter()
            .map(|pair| {
                let mut it = list(pair, T::NAME)?.into_iter();
                match (it.next(), it.next()) {
                    (Some(node), Some(rest)) => Ok((T::inflate(node)?, self.next.inflate(rest)?)),
                    _ => Err(Error::NotANode {
                        model: T::NAME,
                        found: "a short list",
                    }),
                }
            })
            .collect()
    }
}

/// Each related `T` with its relationship's properties `R`
/// ([`Rel::with_rel`]).
pub struct WithRel<S, T, R> {
    step: Step,
    _m: Marker<(S, T, R)>,
}

impl<S, T, R> std::fmt::Debug for WithRel<S, T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.step.fmt(f)
    }
}

impl<S: Node, T: Node, R: RelProps> Traversal<S> for WithRel<S, T, R> {
    type Output = Vec<(R, T)>;

    fn list_expr(&self, var: &str, depth: usize) -> Expr {
        let item = Expr::List(vec![
            Expr::var(format!("r{depth}")),
            Expr::var(format!("t{depth}")),
        ]);
        self.step.comprehension(var, depth, item)
    }

    fn step_paths(&self, path: &str, out: &mut Vec<String>) {
        out.push(self.step.key(path));
    }

    fn collect_conditions(&self, path: &str, scope: &mut VarScope) {
        scope.record(&self.step.key(path), &self.step.node);
    }

    fn list_expr_scoped(&self, var: &str, depth: usize, path: &str, scope: &VarScope) -> Expr {
        let item = Expr::List(vec![
            Expr::var(format!("r{depth}")),
            Expr::var(format!("t{depth}")),
        ]);
        let key = self.step.key(path);
        self.step
            .comprehension_scoped(var, depth, item, &key, scope)
    }

    fn inflate(&self, value: Value) -> Result<Self::Output> {
        list(value, T::NAME)?
            .into_iter()
            .map(|pair| {
                let mut it = list(pair, T::NAME)?.into_iter();
                match (it.next(), it.next()) {
                    (Some(Value::Relationship(rel)), Some(node)) => {
                        Ok((R::inflate_properties(rel.properties)?, T::inflate(node)?))
                    }
                    (Some(other), _) => Err(Error::NotANode {
                        model: R::NAME,
                        found: other.type_name(),
                    }),
                    _ => Err(Error::NotANode {
                        model: T::NAME,
                        found: "a short list",
                    }),
                }
            })
            .collect()
    }
}

/// Two traversals side by side: `(Book::author(), Book::publisher())`.
impl<S, A: Traversal<S>, B: Traversal<S>> Traversal<S> for (A, B) {
    type Output = (A::Output, B::Output);

    fn list_expr(&self, var: &str, depth: usize) -> Expr {
        Expr::List(vec![
            self.0.list_expr(var, depth),
            self.1.list_expr(var, depth),
        ])
    }

    fn step_paths(&self, path: &str, out: &mut Vec<String>) {
        self.0.step_paths(path, out);
        self.1.step_paths(path, out);
    }

    fn collect_conditions(&self, path: &str, scope: &mut VarScope) {
        self.0.collect_conditions(path, scope);
        self.1.collect_conditions(path, scope);
    }

    fn list_expr_scoped(&self, var: &str, depth: usize, path: &str, scope: &VarScope) -> Expr {
        Expr::List(vec![
            self.0.list_expr_scoped(var, depth, path, scope),
            self.1.list_expr_scoped(var, depth, path, scope),
        ])
    }

    fn inflate(&self, value: Value) -> Result<Self::Output> {
        let mut it = list(value, "a pair of traversals")?.into_iter();
        match (it.next(), it.next()) {
            (Some(a), Some(b)) => Ok((self.0.inflate(a)?, self.1.inflate(b)?)),
            _ => Err(Error::NotANode {
                model: "a pair of traversals",
                found: "a short list",
            }),
        }
    }
}

/// A [`NodeSet`] whose nodes come back with what a [`Traversal`] fetches
/// from each, in the same statement:
/// `Book::nodes().fetch_related(Book::author()).all(&db)`.
pub struct FetchRelated<M, H> {
    set: NodeSet<M>,
    traversal: H,
    unique: Vec<String>,
}

impl<M, H: std::fmt::Debug> std::fmt::Debug for FetchRelated<M, H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchRelated")
            .field("set", &self.set)
            .field("traversal", &self.traversal)
            .field("unique", &self.unique)
            .finish()
    }
}

impl<M: Node> NodeSet<M> {
    /// Fetches with each node what `traversal` reaches from it, in the
    /// same query: a relationship (`Book::author()`), several hops
    /// (`Book::author().then(Author::country())`), the relationships
    /// (`.with_rel()`), filtered ones (`.matching(q)`), or a pair of them.
    pub fn fetch_related<H: Traversal<M>>(self, traversal: H) -> FetchRelated<M, H> {
        FetchRelated {
            set: self,
            traversal,
            unique: Vec::new(),
        }
    }

    /// Another name for [`fetch_related`](NodeSet::fetch_related)
    /// (neomodel's `traverse`).
    pub fn traverse<H: Traversal<M>>(self, traversal: H) -> FetchRelated<M, H> {
        self.fetch_related(traversal)
    }
}

impl<M: Node, H: Traversal<M>> FetchRelated<M, H> {
    /// neomodel's `unique_variables`: the nodes on `path`'s steps are the
    /// same in every traversal that reaches them. Each traversal builds
    /// its own pattern, so by default a condition on one
    /// (`Supplier::coffees().matching(q)`) does not restrict another along
    /// the same relationship (`Supplier::coffees().then(Coffee::species())`
    /// still fetches the species of every coffee); with
    /// `.unique_variables(Supplier::coffees())` the coffees of both are
    /// those matching `q`, as if one variable were reused. A path of
    /// several hops (`Supplier::coffees().then(Coffee::species())`) shares
    /// each of its steps. Conditions on relationships are not shared (as
    /// in neomodel, whose relationship variables are never reused).
    pub fn unique_variables<P: Traversal<M>>(mut self, path: P) -> Self {
        path.step_paths("", &mut self.unique);
        self
    }

    /// The statement: the set's, plus a `related` column.
    pub fn statement(&self) -> Statement {
        let list = if self.unique.is_empty() {
            self.traversal.list_expr(NODE_VAR, 0)
        } else {
            let mut scope = VarScope {
                shared: self.unique.clone(),
                node: Vec::new(),
            };
            self.traversal.collect_conditions("", &mut scope);
            self.traversal.list_expr_scoped(NODE_VAR, 0, "", &scope)
        };
        self.set
            .statement_with(vec![(list, Some(RELATED.to_owned()))])
    }

    /// Each node with what the traversal fetched from it.
    pub async fn all<E: Executor>(&self, exec: E) -> Result<Vec<(M, H::Output)>> {
        let records = exec.run(self.statement().render().into_query()).await?;
        records
            .iter()
            .map(|r| {
                let node = M::inflate(r.get(NODE_VAR).map_err(Error::from_driver)?)?;
                let related = self
                    .traversal
                    .inflate(r.get(RELATED).map_err(Error::from_driver)?)?;
                Ok((node, related))
            })
            .collect()
    }
}
