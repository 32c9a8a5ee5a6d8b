//! `get_or_create` and `create_or_update` under a given node (neomodel's
//! `relationship=` argument): the node and its relationship from the
//! source are merged as one pattern, so a node counts as existing only if
//! it is already connected to that source, and the source's maximum holds
//! for the nodes the statement adds.

use boltline::{Map, Value};

use crate::cardinality::{Cardinality, RelProps};
use crate::cypher::{BinOp, Clause, Expr, NodePattern, Pattern, Projection, Statement};
use crate::nodeset::NODE_VAR;
use crate::ops::statements::{flag_labels, merge_clauses, merge_pattern, merge_rows};
use crate::{Error, Executor, Node, Rel, RelationshipManager, Result};

const SRC: &str = "a";
const LOCK: &str = "__boltline_lock";

impl<S, T, C, Rev, R> Rel<S, T, C, Rev, R>
where
    S: Node,
    T: Node,
    C: Cardinality,
    Rev: Cardinality,
    R: RelProps,
{
    /// The statement of [`RelationshipManager::get_or_create`] (`update ==
    /// false`) and [`RelationshipManager::create_or_update`]: locks the
    /// source, counts its `T`s (`from_source`) and the rows without a
    /// connected match (`missing`); only if `missing` fits below the
    /// source's maximum does it `MERGE (a)-[:TYPE]->(n:T {keys})` per row,
    /// in a subquery collecting `{i, n}` (`merged`, empty when refused).
    /// A new node has no `S` yet, so the far end's maximum always holds.
    pub fn merge_under_statement(
        &self,
        source: &str,
        rows: Vec<(Map, Vec<(&'static str, bool)>)>,
        update: bool,
    ) -> Statement {
        let labels = flag_labels(&rows);
        let path = |node: NodePattern| {
            Pattern::node(NodePattern::var(SRC)).then(
                crate::cypher::RelPattern::new(None, self.rel_type, self.direction),
                node,
            )
        };
        let from_source = Expr::CountSubquery(
            Box::new(path(NodePattern::labelled("", T::labels()).anonymous())),
            None,
        );
        // A row is missing unless a node with its keys is already connected.
        let mut keyed = NodePattern::labelled("", T::labels()).anonymous();
        for key in T::merge_keys() {
            keyed = keyed.with_prop(key, Expr::var("row").prop("props").prop(key));
        }
        let missing = Expr::Func(
            "sum",
            vec![Expr::Case(
                Box::new(Expr::Exists(Box::new(path(keyed)), None)),
                Box::new(Expr::value(0)),
                Box::new(Expr::value(1)),
            )],
        );
        let ok = match C::MAX {
            None => Expr::Bool(true),
            Some(max) => Expr::var("missing").binary(
                BinOp::Lte,
                Expr::value(max).binary(BinOp::Minus, Expr::var("from_source")),
            ),
        };
        let with = |items: Vec<(Expr, Option<&str>)>| {
            Clause::With(
                Projection {
                    items: items
                        .into_iter()
                        .map(|(e, a)| (e, a.map(str::to_owned)))
                        .collect(),
                    ..Projection::default()
                },
                None,
            )
        };
        let mut body = vec![Clause::Unwind(
            Expr::Case(
                Box::new(Expr::var("ok")),
                Box::new(Expr::var("rows")),
                Box::new(Expr::List(Vec::new())),
            ),
            "row".into(),
        )];
        body.extend(merge_clauses(path(merge_pattern::<T>()), &labels, update));
        body.push(Clause::Return(Projection::of(
            Expr::Func(
                "collect",
                vec![Expr::Map(vec![
                    ("i".into(), Expr::var("row").prop("i")),
                    (NODE_VAR.into(), Expr::var(NODE_VAR)),
                ])],
            ),
            Some("merged"),
        )));
        Statement::new()
            .match_(
                NodePattern::labelled(SRC, S::labels()),
                Some(Expr::element_id_is(SRC, source)),
            )
            // Write-lock the source: concurrent merges under it count one
            // after the other.
            .push(Clause::Set(vec![crate::cypher::SetItem::Prop(
                Expr::var(SRC).prop(LOCK),
                Expr::Bool(true),
            )]))
            .push(Clause::Remove(vec![Expr::var(SRC).prop(LOCK)]))
            .push(with(vec![
                (Expr::var(SRC), None),
                (from_source, Some("from_source")),
            ]))
            .push(Clause::Unwind(Expr::Value(merge_rows(rows)), "row".into()))
            .push(with(vec![
                (Expr::var(SRC), None),
                (Expr::var("from_source"), None),
                (Expr::Func("collect", vec![Expr::var("row")]), Some("rows")),
                (missing, Some("missing")),
            ]))
            .push(with(vec![
                (Expr::var(SRC), None),
                (Expr::var("from_source"), None),
                (Expr::var("rows"), None),
                (Expr::var("missing"), None),
                (ok, Some("ok")),
            ]))
            .push(Clause::Call {
                imports: vec![SRC.into(), "ok".into(), "rows".into()],
                body,
            })
            .return_(Projection {
                items: ["ok", "from_source", "missing", "merged"]
                    .iter()
                    .map(|v| (Expr::var(*v), None))
                    .collect(),
                ..Projection::default()
            })
    }
}

impl<S, T, C, Rev, R> RelationshipManager<'_, S, T, C, Rev, R>
where
    S: Node,
    T: Node,
    C: Cardinality,
    Rev: Cardinality,
    R: RelProps,
{
    /// neomodel's `T.get_or_create(..., relationship=source.rel)`: for each
    /// of `nodes`, the node with the same [merge keys](Node::merge_keys)
    /// already connected to the source by this relationship, or a new one
    /// created connected to it, all in one statement (`MERGE` of the whole
    /// path, as neomodel does: a node with those keys elsewhere in the
    /// graph does not count, and a uniqueness constraint on them then
    /// refuses the new one: [`Error::UniqueProperty`]). New relationships
    /// get no properties. If the source's maximum cannot take the new
    /// nodes, nothing is written: [`Error::CardinalityViolation`]. Hooks do
    /// not run.
    pub async fn get_or_create<E: Executor>(&self, nodes: Vec<T>, exec: E) -> Result<Vec<T>> {
        self.merge_under(nodes, false, exec).await
    }

    /// As [`get_or_create`](RelationshipManager::get_or_create), but the
    /// nodes found get the given properties (neomodel's
    /// `create_or_update(..., relationship=..)`).
    pub async fn create_or_update<E: Executor>(&self, nodes: Vec<T>, exec: E) -> Result<Vec<T>> {
        self.merge_under(nodes, true, exec).await
    }

    async fn merge_under<E: Executor>(
        &self,
        nodes: Vec<T>,
        update: bool,
        exec: E,
    ) -> Result<Vec<T>> {
        if T::merge_keys().is_empty() {
            return Err(Error::NoMergeKey { model: T::NAME });
        }
        let source = self
            .source
            .element_id()
            .ok_or(Error::NotSaved { model: S::NAME })?;
        if nodes.is_empty() {
            return Ok(nodes);
        }
        let len = nodes.len();
        let rows = nodes
            .iter()
            .map(|n| Ok((n.deflate()?, n.optional_labels())))
            .collect::<Result<Vec<_>>>()?;
        let st = self.rel.merge_under_statement(source, rows, update);
        let records = exec.run(st.render().into_query()).await?;
        let r = records
            .first()
            .ok_or(Error::DoesNotExist { model: S::NAME })?;
        let get = |k: &str| r.get_as::<Value>(k).map_err(Error::from_driver);
        if !get("ok")?.as_bool().unwrap_or(false) {
            return Err(Error::CardinalityViolation {
                model: S::NAME,
                relation: self.rel.rel_type,
                detail: format!(
                    "{} refused: the {} has {} {} and {} more were to be created ({} allowed)",
                    if update {
                        "create_or_update"
                    } else {
                        "get_or_create"
                    },
                    S::NAME,
                    get("from_source")?.as_i64().unwrap_or(0),
                    T::NAME,
                    get("missing")?.as_i64().unwrap_or(0),
                    C::NAME,
                ),
            });
        }
        let mut out: Vec<Option<T>> = (0..len).map(|_| None).collect();
        let Value::List(merged) = get("merged")? else {
            return Err(Error::DoesNotExist { model: T::NAME });
        };
        for item in merged {
            let Value::Map(mut m) = item else {
                return Err(Error::DoesNotExist { model: T::NAME });
            };
            let slot = m
                .get("i")
                .and_then(Value::as_i64)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| out.get_mut(i))
                .ok_or(Error::DoesNotExist { model: T::NAME })?;
            let node = m.remove(NODE_VAR).unwrap_or(Value::Null);
            *slot = Some(T::inflate(node)?);
        }
        out.into_iter()
            .map(|n| n.ok_or(Error::DoesNotExist { model: T::NAME }))
            .collect()
    }
}
