//! The statements behind relationship operations: each write locks the
//! nodes it checks, counts both ends, and changes the graph only if both
//! ends' cardinalities hold, all in one statement.

use boltline::{Map, Value};

use crate::cardinality::{Cardinality, RelProps};
use crate::cypher::{
    BinOp, Clause, Direction, Expr, NodePattern, Pattern, Projection, RelPattern, SetItem,
    Statement,
};
use crate::filter::Q;
use crate::nodeset::NODE_VAR;
use crate::{Node, Rel};

/// Variables of the relationship statements.
const SRC: &str = "a";
const DST: &str = "b";
pub(crate) const REL: &str = "r";
const LOCK: &str = "__boltline_lock";

impl<S, T, C, Rev, R> Rel<S, T, C, Rev, R>
where
    S: Node,
    T: Node,
    C: Cardinality,
    Rev: Cardinality,
    R: RelProps,
{
    fn step(&self, var: Option<&str>) -> RelPattern {
        RelPattern::new(var, self.rel_type, self.direction)
    }

    /// Where `CREATE` needs a direction, an undirected relationship is
    /// stored from the source.
    fn create_step(&self) -> RelPattern {
        let dir = match self.direction {
            Direction::Either => Direction::Outgoing,
            d => d,
        };
        RelPattern::new(Some(REL), self.rel_type, dir)
    }

    fn path(&self, a: NodePattern, rel: Option<&str>, b: NodePattern) -> Pattern {
        Pattern::node(a).then(self.step(rel), b)
    }

    /// `MATCH (a:S) WHERE elementId(a) = $id`.
    fn match_source(&self, st: Statement, id: &str) -> Statement {
        st.match_(
            NodePattern::labelled(SRC, S::labels()),
            Some(Expr::element_id_is(SRC, id)),
        )
    }

    fn match_target(&self, st: Statement, var: &str, id: &str) -> Statement {
        st.match_(
            NodePattern::labelled(var, T::labels()),
            Some(Expr::element_id_is(var, id)),
        )
    }

    /// Write-locks nodes until the transaction ends, so concurrent
    /// cardinality checks on them run one after the other (setting and
    /// removing a property takes the lock and leaves nothing behind).
    fn lock(st: Statement, vars: &[&str]) -> Statement {
        st.push(Clause::Set(
            vars.iter()
                .map(|v| SetItem::Prop(Expr::var(*v).prop(LOCK), Expr::Bool(true)))
                .collect(),
        ))
        .push(Clause::Remove(
            vars.iter().map(|v| Expr::var(*v).prop(LOCK)).collect(),
        ))
    }

    /// How many `T`s the source has.
    fn count_from_source(&self) -> Expr {
        Expr::CountSubquery(
            Box::new(self.path(
                NodePattern::var(SRC),
                None,
                NodePattern::labelled("", T::labels()).anonymous(),
            )),
            None,
        )
    }

    /// How many `S`s the target has, `a` excluded when `except_source`.
    fn count_to_target(&self, except_source: bool) -> Expr {
        let cond =
            except_source.then(|| Box::new(Expr::var("s").binary(BinOp::Ne, Expr::var(SRC))));
        Expr::CountSubquery(
            Box::new(self.path(
                NodePattern::labelled("s", S::labels()),
                None,
                NodePattern::var(DST),
            )),
            cond,
        )
    }

    fn with(vars: &[&str], extra: Vec<(Expr, &str)>) -> Clause {
        let mut items: Vec<(Expr, Option<String>)> =
            vars.iter().map(|v| (Expr::var(*v), None)).collect();
        items.extend(extra.into_iter().map(|(e, a)| (e, Some(a.to_owned()))));
        Clause::With(
            Projection {
                items,
                ..Projection::default()
            },
            None,
        )
    }

    fn when_ok(body: Vec<Clause>) -> Clause {
        Clause::Foreach {
            var: "_".into(),
            list: Expr::Case(
                Box::new(Expr::var("ok")),
                Box::new(Expr::List(vec![Expr::Bool(true)])),
                Box::new(Expr::List(Vec::new())),
            ),
            body,
        }
    }

    fn returning() -> Clause {
        Clause::Return(Projection {
            distinct: true,
            items: ["ok", "from_source", "to_target"]
                .iter()
                .map(|v| (Expr::var(*v), None))
                .collect(),
            ..Projection::default()
        })
    }

    fn below_max(count: &str, max: Option<i64>) -> Option<Expr> {
        max.map(|m| Expr::var(count).binary(BinOp::Lt, Expr::value(m)))
    }

    /// The statement of `connect`, MERGE-based like neomodel's: the pair
    /// and the relationship's non-null properties (those in `on_create`
    /// excepted) form the pattern, so connecting the same pair again with
    /// the same properties creates nothing. After locking both nodes it
    /// counts the matching relationships (`existing`) and both ends'
    /// relationships; a match is always allowed (it adds none), a new
    /// relationship only if both ends' maxima hold. A new relationship gets
    /// all of `props`; a matched one gets the properties outside
    /// `on_create` (so the null ones are removed) and keeps the rest.
    pub fn connect_statement(
        &self,
        source: &str,
        target: &str,
        props: Map,
        on_create: &[&str],
    ) -> Statement {
        let st = self.match_target(self.match_source(Statement::new(), source), DST, target);
        let mut key: Vec<(String, Expr)> = props
            .iter()
            .filter(|(k, v)| !v.is_null() && !on_create.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), Expr::value(v.clone())))
            .collect();
        // Keys in a stable order: the same connect renders the same text.
        key.sort_by(|a, b| a.0.cmp(&b.0));
        let update: Map = props
            .iter()
            .filter(|(k, _)| !on_create.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let keyed = |var: Option<&str>| {
            let mut step = self.step(var);
            step.props.clone_from(&key);
            step
        };
        let existing = Expr::CountSubquery(
            Box::new(Pattern::node(NodePattern::var(SRC)).then(keyed(None), NodePattern::var(DST))),
            None,
        );
        let room: Vec<Expr> = [
            Self::below_max("from_source", C::MAX),
            Self::below_max("to_target", Rev::MAX),
        ]
        .into_iter()
        .flatten()
        .collect();
        let ok = if room.is_empty() {
            Expr::Bool(true)
        } else {
            Expr::Or(vec![
                Expr::var("existing").binary(BinOp::Gt, Expr::value(0)),
                Expr::And(room),
            ])
        };
        let on_match = if update.is_empty() {
            Vec::new()
        } else {
            vec![SetItem::Merge(REL.into(), Expr::Value(Value::Map(update)))]
        };
        Self::lock(st, &[SRC, DST])
            .push(Self::with(
                &[SRC, DST],
                vec![
                    (self.count_from_source(), "from_source"),
                    (self.count_to_target(false), "to_target"),
                    (existing, "existing"),
                ],
            ))
            .push(Self::with(
                &[SRC, DST, "from_source", "to_target"],
                vec![(ok, "ok")],
            ))
            .push(Self::when_ok(vec![Clause::Merge {
                pattern: Pattern::node(NodePattern::var(SRC))
                    .then(keyed(Some(REL)), NodePattern::var(DST)),
                on_create: vec![SetItem::Replace(REL.into(), Expr::Value(Value::Map(props)))],
                on_match,
            }]))
            .push(Self::returning())
    }

    /// The statement of `connect_parallel`: like `connect` before it was
    /// MERGE-based, a new relationship every time (both ends' maxima
    /// checked after locking both nodes).
    pub fn connect_parallel_statement(&self, source: &str, target: &str, props: Map) -> Statement {
        let st = self.match_target(self.match_source(Statement::new(), source), DST, target);
        let ok: Vec<Expr> = [
            Self::below_max("from_source", C::MAX),
            Self::below_max("to_target", Rev::MAX),
        ]
        .into_iter()
        .flatten()
        .collect();
        Self::lock(st, &[SRC, DST])
            .push(Self::with(
                &[SRC, DST],
                vec![
                    (self.count_from_source(), "from_source"),
                    (self.count_to_target(false), "to_target"),
                ],
            ))
            .push(Self::with(
                &[SRC, DST, "from_source", "to_target"],
                vec![(Expr::And(ok), "ok")],
            ))
            .push(Self::when_ok(vec![
                Clause::Create(vec![Pattern::node(NodePattern::var(SRC))
                    .then(self.create_step(), NodePattern::var(DST))]),
                Clause::Set(vec![SetItem::Replace(
                    REL.into(),
                    Expr::Value(Value::Map(props)),
                )]),
            ]))
            .push(Self::returning())
    }

    /// The statement of [`Rel::create_connected`]: locks the target,
    /// counts its `S`s, and only if its maximum allows one more creates the
    /// source node (`node` properties) and the relationship (`props`), in a
    /// subquery returning the new node's element id (`created`, an empty
    /// list when refused).
    pub fn create_connected_statement(
        &self,
        node: Map,
        flags: &[(&'static str, bool)],
        target: &str,
        props: Map,
    ) -> Statement {
        let st = self.match_target(Statement::new(), DST, target);
        let ok: Vec<Expr> = Self::below_max("to_target", Rev::MAX).into_iter().collect();
        let mut body = vec![
            Clause::Unwind(
                Expr::Case(
                    Box::new(Expr::var("ok")),
                    Box::new(Expr::List(vec![Expr::Bool(true)])),
                    Box::new(Expr::List(Vec::new())),
                ),
                "_".into(),
            ),
            Clause::Create(vec![NodePattern::labelled(SRC, S::labels()).into()]),
            Clause::Set(vec![SetItem::Replace(
                SRC.into(),
                Expr::Value(Value::Map(node)),
            )]),
        ];
        body.extend(crate::ops::statements::label_clauses(SRC, flags, false));
        body.extend([
            Clause::Create(vec![Pattern::node(NodePattern::var(SRC))
                .then(self.create_step(), NodePattern::var(DST))]),
            Clause::Set(vec![SetItem::Replace(
                REL.into(),
                Expr::Value(Value::Map(props)),
            )]),
            Clause::Return(Projection::of(
                Expr::Func("collect", vec![Expr::var(SRC).call("elementId")]),
                Some("created"),
            )),
        ]);
        Self::lock(st, &[DST])
            .push(Self::with(
                &[DST],
                vec![(self.count_to_target(false), "to_target")],
            ))
            .push(Self::with(&[DST, "to_target"], vec![(Expr::And(ok), "ok")]))
            .push(Clause::Call {
                imports: vec![DST.into(), "ok".into()],
                body,
            })
            .return_(Projection {
                items: ["ok", "to_target", "created"]
                    .iter()
                    .map(|v| (Expr::var(*v), None))
                    .collect(),
                ..Projection::default()
            })
    }

    /// The statement of `disconnect`: both ends' minima checked after
    /// locking both nodes.
    pub fn disconnect_statement(&self, source: &str, target: &str) -> Statement {
        let st = self.match_target(self.match_source(Statement::new(), source), DST, target);
        let between = Expr::CountSubquery(
            Box::new(self.path(NodePattern::var(SRC), None, NodePattern::var(DST))),
            None,
        );
        let above_min = |count: &str, min: i64| {
            (min > 0).then(|| {
                Expr::var(count)
                    .binary(BinOp::Minus, Expr::var("between"))
                    .binary(BinOp::Gte, Expr::value(min))
            })
        };
        let ok: Vec<Expr> = [
            above_min("from_source", C::MIN),
            above_min("to_target", Rev::MIN),
        ]
        .into_iter()
        .flatten()
        .collect();
        Self::lock(st, &[SRC, DST])
            .push(Self::with(
                &[SRC, DST],
                vec![
                    (self.count_from_source(), "from_source"),
                    (self.count_to_target(false), "to_target"),
                    (between, "between"),
                ],
            ))
            .push(Self::with(
                &[SRC, DST, "from_source", "to_target"],
                vec![(Expr::And(ok), "ok")],
            ))
            .push(Clause::Match {
                optional: true,
                patterns: vec![self.path(NodePattern::var(SRC), Some(REL), NodePattern::var(DST))],
                where_: Some(Expr::var("ok")),
            })
            .push(Clause::Delete {
                detach: false,
                exprs: vec![Expr::var(REL)],
            })
            .push(Self::returning())
    }

    /// The statement of `disconnect_all` (the far end's cardinality allows
    /// none, so there is nothing to check).
    pub fn disconnect_all_statement(&self, source: &str) -> Statement {
        self.match_source(Statement::new(), source)
            .push(Clause::Match {
                optional: true,
                patterns: vec![self.path(
                    NodePattern::var(SRC),
                    Some(REL),
                    NodePattern::labelled("", T::labels()).anonymous(),
                )],
                where_: None,
            })
            .push(Clause::Delete {
                detach: false,
                exprs: vec![Expr::var(REL)],
            })
            .return_(Projection::of(
                Expr::Func("count", vec![Expr::var(REL)]),
                Some("removed"),
            ))
    }

    /// The statement of `replace`: drops the source's relationships and
    /// connects `target`, if the target's maximum allows it.
    pub fn replace_statement(&self, source: &str, target: &str, props: Map) -> Statement {
        let st = self.match_target(self.match_source(Statement::new(), source), DST, target);
        let ok: Vec<Expr> = Self::below_max("to_target", Rev::MAX).into_iter().collect();
        Self::lock(st, &[SRC, DST])
            .push(Self::with(
                &[SRC, DST],
                vec![
                    (self.count_from_source(), "from_source"),
                    (self.count_to_target(true), "to_target"),
                ],
            ))
            .push(Self::with(
                &[SRC, DST, "from_source", "to_target"],
                vec![(Expr::And(ok), "ok")],
            ))
            .push(Clause::Match {
                optional: true,
                patterns: vec![self.path(
                    NodePattern::var(SRC),
                    Some("old"),
                    NodePattern::labelled("", T::labels()).anonymous(),
                )],
                where_: Some(Expr::var("ok")),
            })
            .push(Clause::Delete {
                detach: false,
                exprs: vec![Expr::var("old")],
            })
            .push(Clause::With(
                Projection {
                    distinct: true,
                    items: [SRC, DST, "from_source", "to_target", "ok"]
                        .iter()
                        .map(|v| (Expr::var(*v), None))
                        .collect(),
                    ..Projection::default()
                },
                None,
            ))
            .push(Self::when_ok(vec![
                Clause::Create(vec![Pattern::node(NodePattern::var(SRC))
                    .then(self.create_step(), NodePattern::var(DST))]),
                Clause::Set(vec![SetItem::Replace(
                    REL.into(),
                    Expr::Value(Value::Map(props)),
                )]),
            ]))
            .push(Self::returning())
    }

    /// The statement of `reconnect`: moves the relationships to `old` onto
    /// `new`, properties kept, if `new`'s maximum allows it.
    pub fn reconnect_statement(&self, source: &str, old: &str, new: &str) -> Statement {
        let st = self.match_target(self.match_source(Statement::new(), source), "o", old);
        let st = self
            .match_target(st, DST, new)
            .push(Clause::Match {
                optional: false,
                patterns: vec![self.path(
                    NodePattern::var(SRC),
                    Some("old"),
                    NodePattern::var("o"),
                )],
                where_: None,
            })
            .push(Self::with(
                &[SRC, DST],
                vec![(Expr::Func("collect", vec![Expr::var("old")]), "olds")],
            ));
        let ok: Vec<Expr> = Self::below_max("to_target", Rev::MAX).into_iter().collect();
        Self::lock(st, &[SRC, DST])
            .push(Self::with(
                &[SRC, DST, "olds"],
                vec![
                    (self.count_from_source(), "from_source"),
                    (self.count_to_target(true), "to_target"),
                ],
            ))
            .push(Self::with(
                &[SRC, DST, "olds", "from_source", "to_target"],
                vec![(Expr::And(ok), "ok")],
            ))
            .push(Clause::Foreach {
                var: "x".into(),
                list: Expr::Case(
                    Box::new(Expr::var("ok")),
                    Box::new(Expr::var("olds")),
                    Box::new(Expr::List(Vec::new())),
                ),
                body: vec![
                    Clause::Create(vec![Pattern::node(NodePattern::var(SRC))
                        .then(self.create_step(), NodePattern::var(DST))]),
                    Clause::Set(vec![SetItem::Replace(
                        REL.into(),
                        Expr::Func("properties", vec![Expr::var("x")]),
                    )]),
                    Clause::Delete {
                        detach: false,
                        exprs: vec![Expr::var("x")],
                    },
                ],
            })
            .push(Self::returning())
    }

    /// The relationships between the source and the target (column `r`).
    pub fn relationships_statement(&self, source: &str, target: &str) -> Statement {
        Statement::new()
            .match_(
                self.path(
                    NodePattern::labelled(SRC, S::labels()),
                    Some(REL),
                    NodePattern::labelled(DST, T::labels()),
                ),
                Some(Expr::And(vec![
                    Expr::element_id_is(SRC, source),
                    Expr::element_id_is(DST, target),
                ])),
            )
            .return_(Projection::of(Expr::var(REL), Some(REL)))
    }

    /// The condition "related to the source" on a `T` set.
    pub(crate) fn related_to_source(&self, source: &str, rel: Option<Q<R>>) -> Expr {
        let pattern = self.path(
            NodePattern::labelled("src", S::labels()),
            rel.is_some().then_some("rel"),
            NodePattern::var(NODE_VAR),
        );
        let mut cond = vec![Expr::element_id_is("src", source)];
        if let Some(q) = rel {
            cond.push(q.to_expr("rel"));
        }
        Expr::Exists(Box::new(pattern), Some(Box::new(Expr::And(cond))))
    }
}
