//! Operations on nodes: save, delete, refresh, batch create and atomic
//! `MERGE`s. Each builds one statement ([`statements`]) and runs it on an
//! [`Executor`].

use std::future::Future;

use boltline::{Map, Query, Record, Value};

use crate::cypher::{
    BinOp, Clause, Expr, NodePattern, Pattern, Projection, RelPattern, SetItem, Statement,
};
use crate::nodeset::{inflate_column, NODE_VAR};
use crate::{Error, Executor, Node, Result};

/// The statements behind the operations, pure so they can be inspected and
/// tested without a database.
pub mod statements {
    use super::*;

    /// `st` followed by `CREATE (n:Labels) SET n = props`.
    fn create_node<M: Node>(st: Statement, props: Expr) -> Statement {
        st.push(Clause::Create(vec![NodePattern::labelled(
            NODE_VAR,
            M::labels(),
        )
        .into()]))
            .push(Clause::Set(vec![SetItem::Replace(NODE_VAR.into(), props)]))
    }

    fn returning_id() -> Projection {
        Projection::of(Expr::var(NODE_VAR).call("elementId"), Some("id"))
    }

    /// `FOREACH (_ IN CASE WHEN cond THEN [true] ELSE [] END | SET n:Label)`
    /// (or, with `set == false`, `REMOVE` when `cond` is false): an
    /// optional label following a flag, within one statement.
    pub(crate) fn label_clause(var: &str, label: &str, cond: Expr, set: bool) -> Clause {
        let yes = Expr::List(vec![Expr::Bool(true)]);
        let no = Expr::List(Vec::new());
        let (list, body) = if set {
            (
                Expr::Case(Box::new(cond), Box::new(yes), Box::new(no)),
                Clause::Set(vec![SetItem::Labels(var.into(), vec![label.into()])]),
            )
        } else {
            (
                Expr::Case(Box::new(cond), Box::new(no), Box::new(yes)),
                Clause::Remove(vec![Expr::HasLabels(var.into(), vec![label.into()])]),
            )
        };
        Clause::Foreach {
            var: "_".into(),
            list,
            body: vec![body],
        }
    }

    /// The clauses that set (and, when `remove`, take off) optional labels
    /// by their flags.
    pub(crate) fn label_clauses(
        var: &str,
        flags: &[(&'static str, bool)],
        remove: bool,
    ) -> Vec<Clause> {
        let mut out = Vec::new();
        for (label, on) in flags {
            out.push(label_clause(var, label, Expr::value(*on), true));
            if remove {
                out.push(label_clause(var, label, Expr::value(*on), false));
            }
        }
        out
    }

    /// `CREATE (n:Labels) SET n = $p0 RETURN elementId(n) AS id`, plus the
    /// optional labels whose flag is set.
    pub fn create<M: Node>(props: Map, flags: &[(&'static str, bool)]) -> Statement {
        let mut st = create_node::<M>(Statement::new(), Expr::Value(Value::Map(props)));
        st.clauses.extend(label_clauses(NODE_VAR, flags, false));
        st.return_(returning_id())
    }

    /// `MATCH (n:Labels) WHERE elementId(n) = $p0 SET n += $p1 RETURN ...`:
    /// declared properties are written (`null` removes one), undeclared
    /// ones stay.
    /// Optional labels are set or taken off by their flags.
    pub fn update<M: Node>(id: &str, props: Map, flags: &[(&'static str, bool)]) -> Statement {
        let mut st = Statement::new()
            .match_(
                NodePattern::labelled(NODE_VAR, M::labels()),
                Some(Expr::element_id_is(NODE_VAR, id)),
            )
            .push(Clause::Set(vec![SetItem::Merge(
                NODE_VAR.into(),
                Expr::Value(Value::Map(props)),
            )]));
        st.clauses.extend(label_clauses(NODE_VAR, flags, true));
        st.return_(returning_id())
    }

    /// `MATCH (n) WHERE elementId(n) = $p0 DETACH DELETE n`.
    pub fn delete(id: &str) -> Statement {
        Statement::new()
            .match_(
                NodePattern::var(NODE_VAR),
                Some(Expr::element_id_is(NODE_VAR, id)),
            )
            .push(Clause::Delete {
                detach: true,
                exprs: vec![Expr::var(NODE_VAR)],
            })
    }

    /// The statement of [`NodeExt::delete`] for model `M`: the plain
    /// [`delete`] when no relationship's far end needs `M`'s nodes (see
    /// [`Node::delete_checks`]); else one statement that locks the related
    /// nodes, checks that none would fall below its minimum (column `c{i}`
    /// true for check `i` when one would), and detaches and deletes the node
    /// only if all hold (column `ok`).
    pub fn delete_checked<M: Node>(id: &str) -> Statement {
        let checks = M::delete_checks();
        if checks.is_empty() {
            return delete(id);
        }
        let mut st = Statement::new().match_(
            NodePattern::var(NODE_VAR),
            Some(Expr::element_id_is(NODE_VAR, id)),
        );
        let mut flags = Vec::with_capacity(checks.len());
        for (i, c) in checks.iter().enumerate() {
            let t = format!("t{i}");
            let related = Pattern::node(NodePattern::var(NODE_VAR)).then(
                RelPattern::new(None, c.rel_type, c.direction),
                NodePattern::labelled(&t, c.target_labels),
            );
            st = st.push(Clause::Foreach {
                var: "x".into(),
                list: Expr::PatternComprehension(
                    Box::new(related.clone()),
                    None,
                    Box::new(Expr::var(t.clone())),
                ),
                body: vec![
                    Clause::Set(vec![SetItem::Prop(
                        Expr::var("x").prop(LOCK),
                        Expr::Bool(true),
                    )]),
                    Clause::Remove(vec![Expr::var("x").prop(LOCK)]),
                ],
            });
            let sources = Pattern::node(NodePattern::labelled(format!("s{i}"), c.source_labels))
                .then(
                    RelPattern::new(None, c.rel_type, c.direction),
                    NodePattern::var(t.clone()),
                );
            let short =
                Expr::CountSubquery(Box::new(sources), None).binary(BinOp::Lte, Expr::value(c.min));
            flags.push((
                Expr::Exists(Box::new(related), Some(Box::new(short))),
                format!("c{i}"),
            ));
        }
        let names: Vec<String> = flags.iter().map(|(_, n)| n.clone()).collect();
        let mut items = vec![(Expr::var(NODE_VAR), None)];
        items.extend(flags.into_iter().map(|(e, n)| (e, Some(n))));
        st = st.push(Clause::With(
            Projection {
                items,
                ..Projection::default()
            },
            None,
        ));
        let mut items: Vec<(Expr, Option<String>)> = std::iter::once(NODE_VAR.to_owned())
            .chain(names.iter().cloned())
            .map(|v| (Expr::var(v), None))
            .collect();
        items.push((
            !Expr::Or(names.iter().map(|n| Expr::var(n.clone())).collect()),
            Some("ok".into()),
        ));
        st = st
            .push(Clause::With(
                Projection {
                    items,
                    ..Projection::default()
                },
                None,
            ))
            .push(Clause::Foreach {
                var: "_".into(),
                list: Expr::Case(
                    Box::new(Expr::var("ok")),
                    Box::new(Expr::List(vec![Expr::Bool(true)])),
                    Box::new(Expr::List(Vec::new())),
                ),
                body: vec![Clause::Delete {
                    detach: true,
                    exprs: vec![Expr::var(NODE_VAR)],
                }],
            });
        let mut ret = vec![(Expr::var("ok"), None)];
        ret.extend(names.into_iter().map(|n| (Expr::var(n), None)));
        st.return_(Projection {
            items: ret,
            ..Projection::default()
        })
    }

    /// The lock property (set and removed in the same statement).
    const LOCK: &str = "__boltline_lock";

    /// The node with this element id and the model's labels, as column `n`.
    pub fn by_id<M: Node>(id: &str) -> Statement {
        Statement::new()
            .match_(
                NodePattern::labelled(NODE_VAR, M::labels()),
                Some(Expr::element_id_is(NODE_VAR, id)),
            )
            .return_(Projection::of(Expr::var(NODE_VAR), Some(NODE_VAR)))
    }

    /// Rows `{i, props, flags}` for `UNWIND`: `flags` maps each optional
    /// label to whether the row's node has it.
    fn rows_with_flags(rows: Vec<(Map, Vec<(&'static str, bool)>)>) -> Value {
        Value::List(
            rows.into_iter()
                .enumerate()
                .map(|(i, (p, flags))| {
                    let mut row = Map::with_capacity(3);
                    row.insert(
                        "i".into(),
                        Value::Integer(i64::try_from(i).unwrap_or(i64::MAX)),
                    );
                    row.insert("props".into(), Value::Map(p));
                    if !flags.is_empty() {
                        let f = flags
                            .into_iter()
                            .map(|(l, on)| (l.to_owned(), Value::Boolean(on)))
                            .collect();
                        row.insert("flags".into(), Value::Map(f));
                    }
                    Value::Map(row)
                })
                .collect(),
        )
    }

    fn row_props() -> Expr {
        Expr::var("row").prop("props")
    }

    fn unwind(rows: Value) -> Statement {
        Statement::new().push(Clause::Unwind(Expr::Value(rows), "row".into()))
    }

    fn returning_row(node: Expr, alias: &str) -> Clause {
        Clause::Return(Projection {
            items: vec![
                (Expr::var("row").prop("i"), Some("i".into())),
                (node, Some(alias.into())),
            ],
            ..Projection::default()
        })
    }

    /// A batch `CREATE`: one node per row, in one statement, returning
    /// each row's index and the new node's element id (the caller has the
    /// properties already).
    /// Each node's optional labels come with its row (`flags`, one entry
    /// per optional label of the model, or none at all).
    pub fn create_many<M: Node>(rows: Vec<(Map, Vec<(&'static str, bool)>)>) -> Statement {
        let labels: Vec<&'static str> = rows
            .first()
            .map(|(_, f)| f.iter().map(|(l, _)| *l).collect())
            .unwrap_or_default();
        let mut st = create_node::<M>(unwind(rows_with_flags(rows)), row_props());
        for l in labels {
            let cond = Expr::var("row").prop("flags").prop(l);
            st.clauses.push(label_clause(NODE_VAR, l, cond, true));
        }
        st.clauses
            .push(returning_row(Expr::var(NODE_VAR).call("elementId"), "id"));
        st
    }

    /// A batch `MERGE` on the model's [merge keys](Node::merge_keys): new
    /// nodes get all properties; existing ones are left alone
    /// (`update == false`, get-or-create) or get the given properties
    /// (`update == true`, create-or-update).
    ///
    /// Optional labels come with each row (`flags`, as for
    /// [`create_many`]): a new node gets those whose flag is set; with
    /// `update`, an existing one gets them set or taken off too, while
    /// get-or-create leaves an existing node's labels alone (a transient
    /// marker property, set on creation and removed in the same
    /// statement, tells the two apart).
    pub fn merge_many<M: Node>(
        rows: Vec<(Map, Vec<(&'static str, bool)>)>,
        update: bool,
    ) -> Statement {
        let labels = flag_labels(&rows);
        let pattern = merge_pattern::<M>();
        let mut st = unwind(rows_with_flags(rows));
        st.clauses
            .extend(merge_clauses(pattern.into(), &labels, update));
        st.clauses
            .push(returning_row(Expr::var(NODE_VAR), NODE_VAR));
        st
    }

    /// The optional labels the rows carry flags for.
    pub(crate) fn flag_labels(rows: &[(Map, Vec<(&'static str, bool)>)]) -> Vec<&'static str> {
        rows.first()
            .map(|(_, f)| f.iter().map(|(l, _)| *l).collect())
            .unwrap_or_default()
    }

    /// `(n:Labels {key: row.props.key, ..})` on the model's merge keys.
    pub(crate) fn merge_pattern<M: Node>() -> NodePattern {
        let mut pattern = NodePattern::labelled(NODE_VAR, M::labels());
        for key in M::merge_keys() {
            pattern = pattern.with_prop(key, row_props().prop(key));
        }
        pattern
    }

    /// The rows of [`merge_many`] as `UNWIND`'s value.
    pub(crate) fn merge_rows(rows: Vec<(Map, Vec<(&'static str, bool)>)>) -> Value {
        rows_with_flags(rows)
    }

    /// `MERGE pattern` for the current `row` (new nodes get all its
    /// properties; existing ones get them too with `update`), then the
    /// optional labels' clauses (see [`merge_many`]).
    pub(crate) fn merge_clauses(
        pattern: Pattern,
        labels: &[&'static str],
        update: bool,
    ) -> Vec<Clause> {
        let on_match = if update {
            vec![SetItem::Merge(NODE_VAR.into(), row_props())]
        } else {
            Vec::new()
        };
        let marker = !update && !labels.is_empty();
        let mut on_create = vec![SetItem::Replace(NODE_VAR.into(), row_props())];
        if marker {
            on_create.push(SetItem::Prop(
                Expr::var(NODE_VAR).prop(CREATED),
                Expr::Bool(true),
            ));
        }
        let mut out = vec![Clause::Merge {
            pattern,
            on_create,
            on_match,
        }];
        for l in labels {
            let flag = Expr::var("row").prop("flags").prop(*l);
            let cond = if marker {
                Expr::And(vec![
                    flag.clone(),
                    Expr::var(NODE_VAR).prop(CREATED).is_not_null(),
                ])
            } else {
                flag.clone()
            };
            out.push(label_clause(NODE_VAR, l, cond, true));
            if update {
                out.push(label_clause(NODE_VAR, l, flag, false));
            }
        }
        if marker {
            out.push(Clause::Remove(vec![Expr::var(NODE_VAR).prop(CREATED)]));
        }
        out
    }

    /// The transient property marking nodes a `MERGE` just created.
    const CREATED: &str = "__boltline_created";
}

fn single_id(records: &[Record]) -> Result<Option<String>> {
    match records.first() {
        Some(r) => Ok(Some(r.get_as("id").map_err(Error::from_driver)?)),
        None => Ok(None),
    }
}

/// Rows of `RETURN row.i AS i, n AS n`, put back in input order.
fn in_order<M: Node>(records: &[Record], len: usize) -> Result<Vec<M>> {
    by_input_index::<M, M>(records, len, inflate_column)
}

/// Rows of `RETURN row.i AS i, elementId(n) AS id`, in input order.
fn ids_in_order<M: Node>(records: &[Record], len: usize) -> Result<Vec<String>> {
    by_input_index::<M, String>(records, len, |r| r.get_as("id").map_err(Error::from_driver))
}

/// One value per input row of a batch statement, read from each record by
/// `value` and placed by the record's `i` column; a row missing from the
/// answer (or an index out of range) is `DoesNotExist` for model `M`.
fn by_input_index<M: Node, T>(
    records: &[Record],
    len: usize,
    value: impl Fn(&Record) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out: Vec<Option<T>> = (0..len).map(|_| None).collect();
    for r in records {
        let i: i64 = r.get_as("i").map_err(Error::from_driver)?;
        let slot = usize::try_from(i)
            .ok()
            .and_then(|i| out.get_mut(i))
            .ok_or(Error::DoesNotExist { model: M::NAME })?;
        *slot = Some(value(r)?);
    }
    out.into_iter()
        .map(|m| m.ok_or(Error::DoesNotExist { model: M::NAME }))
        .collect()
}

/// Persistence operations for every [`Node`] model.
pub trait NodeExt: Node {
    /// Creates the node (if it has no element id) or updates its declared
    /// properties, running the `pre_save`/`post_create`/`post_save` hooks.
    /// An update of a node that no longer exists is
    /// [`Error::DoesNotExist`]; a uniqueness violation is
    /// [`Error::UniqueProperty`].
    fn save<E: Executor>(&mut self, exec: E) -> impl Future<Output = Result<()>> + Send {
        async move {
            self.pre_save()?;
            let props = self.deflate()?;
            match self.element_id() {
                None => {
                    let records = exec
                        .run(
                            statements::create::<Self>(props, &self.optional_labels())
                                .render()
                                .into_query(),
                        )
                        .await?;
                    let id =
                        single_id(&records)?.ok_or(Error::DoesNotExist { model: Self::NAME })?;
                    self.set_element_id(Some(id));
                    self.post_create()?;
                }
                Some(id) => {
                    let st = statements::update::<Self>(id, props, &self.optional_labels());
                    let records = exec.run(st.render().into_query()).await?;
                    if records.is_empty() {
                        return Err(Error::DoesNotExist { model: Self::NAME });
                    }
                }
            }
            self.post_save()
        }
    }

    /// Deletes the node and its relationships; it becomes unsaved.
    fn delete<E: Executor>(&mut self, exec: E) -> impl Future<Output = Result<()>> + Send {
        async move {
            let id = self
                .element_id()
                .ok_or(Error::NotSaved { model: Self::NAME })?
                .to_owned();
            self.pre_delete()?;
            let records = exec
                .run(
                    statements::delete_checked::<Self>(&id)
                        .render()
                        .into_query(),
                )
                .await?;
            if let Some(r) = records.first() {
                if !r.get_as::<bool>("ok").map_err(Error::from_driver)? {
                    let checks = Self::delete_checks();
                    let broken = checks
                        .iter()
                        .enumerate()
                        .find(|(i, _)| r.get_as::<bool>(&format!("c{i}")).unwrap_or(false))
                        .map(|(_, c)| c);
                    let (relation, detail) = match broken {
                        Some(c) => (
                            c.rel_type,
                            format!(
                                "delete refused: a {} would be left with fewer than {} {} ({})",
                                c.target,
                                c.min,
                                Self::NAME,
                                c.cardinality
                            ),
                        ),
                        None => ("", "delete refused".to_owned()),
                    };
                    return Err(Error::CardinalityViolation {
                        model: Self::NAME,
                        relation,
                        detail,
                    });
                }
            }
            self.set_element_id(None);
            self.post_delete()
        }
    }

    /// Reloads the node's properties from the database.
    fn refresh<E: Executor>(&mut self, exec: E) -> impl Future<Output = Result<()>> + Send {
        async move {
            let id = self
                .element_id()
                .ok_or(Error::NotSaved { model: Self::NAME })?;
            let records = exec
                .run(statements::by_id::<Self>(id).render().into_query())
                .await?;
            let r = records
                .first()
                .ok_or(Error::DoesNotExist { model: Self::NAME })?;
            *self = inflate_column(r)?;
            Ok(())
        }
    }

    /// The node with this element id.
    fn get_by_element_id<E: Executor>(
        id: &str,
        exec: E,
    ) -> impl Future<Output = Result<Self>> + Send {
        let st = statements::by_id::<Self>(id);
        async move {
            let records = exec.run(st.render().into_query()).await?;
            let r = records
                .first()
                .ok_or(Error::DoesNotExist { model: Self::NAME })?;
            inflate_column(r)
        }
    }

    /// Creates all `nodes` in one statement (`pre_save`/`post_create`/
    /// `post_save` run for each); they come back with their element ids.
    fn create<E: Executor>(
        mut nodes: Vec<Self>,
        exec: E,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send {
        async move {
            let mut props = Vec::with_capacity(nodes.len());
            for n in &mut nodes {
                n.pre_save()?;
                props.push((n.deflate()?, n.optional_labels()));
            }
            let records = exec
                .run(statements::create_many::<Self>(props).render().into_query())
                .await?;
            let ids = ids_in_order::<Self>(&records, nodes.len())?;
            for (n, id) in nodes.iter_mut().zip(ids) {
                n.set_element_id(Some(id));
                n.post_create()?;
                n.post_save()?;
            }
            Ok(nodes)
        }
    }

    /// For each of `nodes`, the existing node with the same
    /// [merge keys](Node::merge_keys), or a new one: one atomic `MERGE` per
    /// node in a single statement. It is race-free when the keys have a
    /// uniqueness constraint (`install_labels`). Hooks do not run.
    fn get_or_create<E: Executor>(
        nodes: Vec<Self>,
        exec: E,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send {
        async move { merge(nodes, false, exec).await }
    }

    /// As [`get_or_create`](NodeExt::get_or_create), but existing nodes get
    /// the given properties.
    fn create_or_update<E: Executor>(
        nodes: Vec<Self>,
        exec: E,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send {
        async move { merge(nodes, true, exec).await }
    }

    /// The node's labels in the database.
    fn labels_in_db<E: Executor>(
        &self,
        exec: E,
    ) -> impl Future<Output = Result<Vec<String>>> + Send {
        let id = self.element_id().map(str::to_owned);
        async move {
            let id = id.ok_or(Error::NotSaved { model: Self::NAME })?;
            let st = Statement::new()
                .match_(
                    NodePattern::var(NODE_VAR),
                    Some(Expr::element_id_is(NODE_VAR, id)),
                )
                .return_(Projection::of(
                    Expr::var(NODE_VAR).call("labels"),
                    Some("labels"),
                ));
            let records = exec.run(st.render().into_query()).await?;
            let r = records
                .first()
                .ok_or(Error::DoesNotExist { model: Self::NAME })?;
            r.get_as("labels").map_err(Error::from_driver)
        }
    }

    /// Runs your Cypher with `$self` bound to this node's element id
    /// (match it with `WHERE elementId(n) = $self`).
    fn cypher<E: Executor>(
        &self,
        query: Query,
        exec: E,
    ) -> impl Future<Output = Result<Vec<Record>>> + Send {
        let id = self.element_id().map(str::to_owned);
        async move {
            let id = id.ok_or(Error::NotSaved { model: Self::NAME })?;
            exec.run(query.param("self", id)).await
        }
    }
}

impl<M: Node> NodeExt for M {}

async fn merge<M: Node, E: Executor>(nodes: Vec<M>, update: bool, exec: E) -> Result<Vec<M>> {
    if M::merge_keys().is_empty() {
        return Err(Error::NoMergeKey { model: M::NAME });
    }
    let rows = nodes
        .iter()
        .map(|n| Ok((n.deflate()?, n.optional_labels())))
        .collect::<Result<Vec<_>>>()?;
    let st = statements::merge_many::<M>(rows, update);
    let records = exec.run(st.render().into_query()).await?;
    in_order(&records, nodes.len())
}
