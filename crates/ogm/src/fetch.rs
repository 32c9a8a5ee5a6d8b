//! Nodes with their related nodes, in one query (no N+1).

use crate::cypher::{Expr, NodePattern, Pattern, RelPattern, Statement};
use crate::nodeset::NODE_VAR;
use crate::{Cardinality, Error, Executor, Node, NodeSet, Rel, RelProps, Result};

/// Column of the related nodes.
const RELATED: &str = "related";

/// A [`NodeSet`] whose nodes come back with their related `T`s, fetched by
/// a pattern comprehension in the same statement:
/// `Book::nodes().fetch_related(Book::author()).all(&db)`.
pub struct FetchRelated<M, T> {
    set: NodeSet<M>,
    pattern: Pattern,
    _t: std::marker::PhantomData<fn() -> T>,
}

impl<M, T> std::fmt::Debug for FetchRelated<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchRelated")
            .field("set", &self.set)
            .field("pattern", &self.pattern)
            .finish()
    }
}

impl<M: Node> NodeSet<M> {
    /// Fetches each node's related nodes along `rel` with it, in the same
    /// query.
    pub fn fetch_related<T, C, Rev, R>(self, rel: Rel<M, T, C, Rev, R>) -> FetchRelated<M, T>
    where
        T: Node,
        C: Cardinality,
        Rev: Cardinality,
        R: RelProps,
    {
        let pattern = Pattern::node(NodePattern::var(NODE_VAR)).then(
            RelPattern::new(None, rel.rel_type(), rel.direction()),
            NodePattern::labelled("m", T::labels()),
        );
        FetchRelated {
            set: self,
            pattern,
            _t: std::marker::PhantomData,
        }
    }
}

impl<M: Node, T: Node> FetchRelated<M, T> {
    /// The statement: the set's, plus a `related` column.
    pub fn statement(&self) -> Statement {
        let list = Expr::PatternComprehension(
            Box::new(self.pattern.clone()),
            None,
            Box::new(Expr::var("m")),
        );
        self.set
            .statement_with(vec![(list, Some(RELATED.to_owned()))])
    }

    /// Each node with its related nodes.
    pub async fn all<E: Executor>(&self, exec: E) -> Result<Vec<(M, Vec<T>)>> {
        let records = exec.run(self.statement().render().into_query()).await?;
        records
            .iter()
            .map(|r| {
                let node = M::inflate(r.get(NODE_VAR).map_err(Error::from_driver)?)?;
                let related = match r.get(RELATED).map_err(Error::from_driver)? {
                    boltline::Value::List(items) => items
                        .into_iter()
                        .map(T::inflate)
                        .collect::<Result<Vec<T>>>()?,
                    other => {
                        return Err(Error::NotANode {
                            model: T::NAME,
                            found: other.type_name(),
                        })
                    }
                };
                Ok((node, related))
            })
            .collect()
    }
}
