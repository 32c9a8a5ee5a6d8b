//! [`RelHandle`]: one stored relationship, its element id, both ends and
//! its properties, which can be changed in place (neomodel's
//! `StructuredRel` with `save`, `start_node`, `end_node`).

use boltline::{Record, Value};

use crate::cardinality::{Cardinality, Optional, RelProps};
use crate::cypher::{
    Clause, Direction, Expr, NodePattern, Pattern, Projection, RelPattern, SetItem, Statement,
};
use crate::rel_statements::REL;
use crate::{Error, Executor, Node, NodeSet, Rel, Result, NODE_VAR};

/// One relationship between a source `S` and a target `T` as stored: its
/// element id, its ends and its properties (`props`, public: change them,
/// then [`save`](Self::save)). Returned by
/// [`RelationshipManager::relationship`](crate::RelationshipManager::relationship)
/// and [`all_relationships`](crate::RelationshipManager::all_relationships).
pub struct RelHandle<S, T, C, Rev, R> {
    rel: Rel<S, T, C, Rev, R>,
    element_id: String,
    start_id: String,
    end_id: String,
    source_id: String,
    target_id: String,
    /// The relationship's properties.
    pub props: R,
}

impl<S, T, C, Rev, R: std::fmt::Debug> std::fmt::Debug for RelHandle<S, T, C, Rev, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelHandle")
            .field("rel_type", &self.rel.rel_type)
            .field("element_id", &self.element_id)
            .field("start_id", &self.start_id)
            .field("end_id", &self.end_id)
            .field("props", &self.props)
            .finish()
    }
}

impl<S, T, C, Rev, R: Clone> Clone for RelHandle<S, T, C, Rev, R> {
    fn clone(&self) -> Self {
        RelHandle {
            rel: self.rel,
            element_id: self.element_id.clone(),
            start_id: self.start_id.clone(),
            end_id: self.end_id.clone(),
            source_id: self.source_id.clone(),
            target_id: self.target_id.clone(),
            props: self.props.clone(),
        }
    }
}

impl<S, T, C, Rev, R> RelHandle<S, T, C, Rev, R>
where
    S: Node,
    T: Node,
    C: Cardinality,
    Rev: Cardinality,
    R: RelProps,
{
    /// From a record's column `r`, read for the pair `source` - `target`.
    pub(crate) fn from_record(
        rel: Rel<S, T, C, Rev, R>,
        record: &Record,
        source_id: &str,
        target_id: &str,
    ) -> Result<Self> {
        Self::from_value(
            rel,
            record.get(REL).map_err(Error::from_driver)?,
            source_id,
            target_id,
        )
    }

    /// From a relationship value read for the pair `source` - `target`.
    pub(crate) fn from_value(
        rel: Rel<S, T, C, Rev, R>,
        value: Value,
        source_id: &str,
        target_id: &str,
    ) -> Result<Self> {
        let r = match value {
            Value::Relationship(r) => r,
            other => {
                return Err(Error::NotANode {
                    model: R::NAME,
                    found: other.type_name(),
                })
            }
        };
        let missing = || Error::DoesNotExist { model: R::NAME };
        Ok(RelHandle {
            rel,
            element_id: r.element_id.ok_or_else(missing)?,
            start_id: r.start_node_element_id.ok_or_else(missing)?,
            end_id: r.end_node_element_id.ok_or_else(missing)?,
            source_id: source_id.to_owned(),
            target_id: target_id.to_owned(),
            props: R::inflate_properties(r.properties)?,
        })
    }

    /// The relationship's element id.
    pub fn element_id(&self) -> &str {
        &self.element_id
    }

    /// The element id of its start node (the direction it is stored in).
    pub fn start_node_id(&self) -> &str {
        &self.start_id
    }

    /// The element id of its end node.
    pub fn end_node_id(&self) -> &str {
        &self.end_id
    }

    /// The element id of the `S` end (the node it was read from).
    pub fn source_id(&self) -> &str {
        &self.source_id
    }

    /// The element id of the `T` end.
    pub fn target_id(&self) -> &str {
        &self.target_id
    }

    /// The properties, the handle dropped.
    pub fn into_props(self) -> R {
        self.props
    }

    /// Reads the `S` end.
    pub async fn source<E: Executor>(&self, exec: E) -> Result<S> {
        NodeSet::<S>::new()
            .filter_expr(Expr::element_id_is(NODE_VAR, self.source_id.clone()))
            .get(exec)
            .await
    }

    /// Reads the `T` end.
    pub async fn target<E: Executor>(&self, exec: E) -> Result<T> {
        NodeSet::<T>::new()
            .filter_expr(Expr::element_id_is(NODE_VAR, self.target_id.clone()))
            .get(exec)
            .await
    }

    /// `MATCH ()-[r:TYPE]->() WHERE elementId(r) = $id`.
    fn matched(&self) -> Statement {
        Statement::new().match_(
            Pattern::node(NodePattern::var("").anonymous()).then(
                RelPattern::new(Some(REL), self.rel.rel_type, Direction::Outgoing),
                NodePattern::var("").anonymous(),
            ),
            Some(Expr::element_id_is(REL, self.element_id.clone())),
        )
    }

    /// The statement of [`save`](Self::save): the properties replaced.
    pub fn save_statement(&self) -> Result<Statement> {
        Ok(self
            .matched()
            .push(Clause::Set(vec![SetItem::Replace(
                REL.into(),
                Expr::Value(Value::Map(self.props.deflate()?)),
            )]))
            .return_(Projection::of(Expr::var(REL), Some(REL))))
    }

    /// The statement of [`refresh`](Self::refresh).
    pub fn refresh_statement(&self) -> Statement {
        self.matched()
            .return_(Projection::of(Expr::var(REL), Some(REL)))
    }

    /// The statement of [`delete`](Self::delete).
    pub fn delete_statement(&self) -> Statement {
        self.matched()
            .push(Clause::Delete {
                detach: false,
                exprs: vec![Expr::var(REL)],
            })
            .return_(Projection::of(Expr::CountStar, Some("removed")))
    }

    async fn one_row<E: Executor>(&mut self, st: Statement, exec: E) -> Result<()> {
        let records = exec.run(st.render().into_query()).await?;
        let record = records
            .first()
            .ok_or(Error::DoesNotExist { model: R::NAME })?;
        let fresh = Self::from_record(self.rel, record, &self.source_id, &self.target_id)?;
        *self = fresh;
        Ok(())
    }

    /// Writes `props` to the stored relationship in place (its element id
    /// kept), then reads it back; [`Error::DoesNotExist`] if it is gone.
    pub async fn save<E: Executor>(&mut self, exec: E) -> Result<()> {
        let st = self.save_statement()?;
        self.one_row(st, exec).await
    }

    /// Reads the properties again; [`Error::DoesNotExist`] if it is gone.
    pub async fn refresh<E: Executor>(&mut self, exec: E) -> Result<()> {
        let st = self.refresh_statement();
        self.one_row(st, exec).await
    }

    /// Deletes this relationship; [`Error::DoesNotExist`] if it was gone.
    /// Only where neither end has a minimum (a `One` or `OneOrMore` end
    /// goes through the manager's checked `reconnect`/`disconnect`).
    pub async fn delete<E: Executor>(self, exec: E) -> Result<()>
    where
        C: Optional,
        Rev: Optional,
    {
        let records = exec
            .run(self.delete_statement().render().into_query())
            .await?;
        let removed = match records.first() {
            Some(r) => r
                .get_as::<Value>("removed")
                .map_err(Error::from_driver)?
                .as_i64()
                .unwrap_or(0),
            None => 0,
        };
        if removed == 0 {
            return Err(Error::DoesNotExist { model: R::NAME });
        }
        Ok(())
    }
}
