//! [`RelationshipManager`]: one node's relationship, read and changed.

use boltline::Value;

use crate::cardinality::{CanDisconnect, Cardinality, Optional, RelProps};
use crate::cypher::Statement;
use crate::filter::Q;
use crate::rel_handle::RelHandle;
use crate::{Error, Executor, Node, NodeSet, Rel, Result};

/// The relationship `rel` of one node, `source`: read and change it.
/// Every operation is one statement on the [`Executor`] it is given.
pub struct RelationshipManager<'a, S, T, C, Rev, R> {
    pub(crate) source: &'a S,
    pub(crate) rel: Rel<S, T, C, Rev, R>,
}

impl<S, T, C, Rev, R> std::fmt::Debug for RelationshipManager<'_, S, T, C, Rev, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelationshipManager")
            .field("rel", &self.rel)
            .finish()
    }
}

/// `ok, from_source, to_target` of a write's single row.
struct Outcome {
    ok: bool,
    from_source: i64,
    to_target: i64,
}

impl<S, T, C, Rev, R> RelationshipManager<'_, S, T, C, Rev, R>
where
    S: Node,
    T: Node,
    C: Cardinality,
    Rev: Cardinality,
    R: RelProps,
{
    fn source_id(&self) -> Result<String> {
        self.source
            .element_id()
            .map(str::to_owned)
            .ok_or(Error::NotSaved { model: S::NAME })
    }

    fn target_id(target: &T) -> Result<String> {
        target
            .element_id()
            .map(str::to_owned)
            .ok_or(Error::NotSaved { model: T::NAME })
    }

    fn violation(&self, detail: String) -> Error {
        Error::CardinalityViolation {
            model: S::NAME,
            relation: self.rel.rel_type,
            detail,
        }
    }

    async fn write<E: Executor>(&self, st: Statement, exec: E, what: &str) -> Result<Outcome> {
        let records = exec.run(st.render().into_query()).await?;
        let r = records
            .first()
            .ok_or(Error::DoesNotExist { model: S::NAME })?;
        let get = |k: &str| r.get_as::<Value>(k).map_err(Error::from_driver);
        let out = Outcome {
            ok: get("ok")?.as_bool().unwrap_or(false),
            from_source: get("from_source")?.as_i64().unwrap_or(0),
            to_target: get("to_target")?.as_i64().unwrap_or(0),
        };
        if out.ok {
            Ok(out)
        } else {
            Err(self.violation(format!(
                "{what} refused: the {} has {} {} ({} allowed), the {} has {} {} ({} allowed)",
                S::NAME,
                out.from_source,
                T::NAME,
                C::NAME,
                T::NAME,
                out.to_target,
                S::NAME,
                Rev::NAME,
            )))
        }
    }

    /// The related nodes as a [`NodeSet`]: filter, exclude, order, page and
    /// `get` them like any set, in one statement.
    pub fn nodes(&self) -> Result<NodeSet<T>> {
        Ok(NodeSet::new().filter_expr(self.rel.related_to_source(&self.source_id()?, None)))
    }

    /// The related nodes whose relationship matches `q` (on the
    /// relationship's properties).
    pub fn match_rel(&self, q: Q<R>) -> Result<NodeSet<T>> {
        Ok(NodeSet::new().filter_expr(self.rel.related_to_source(&self.source_id()?, Some(q))))
    }

    /// All related nodes.
    pub async fn all<E: Executor>(&self, exec: E) -> Result<Vec<T>> {
        self.nodes()?.all(exec).await
    }

    /// The related node: `T` where the cardinality requires one (an
    /// [`Error::CardinalityViolation`] if the graph has none or, for `One`,
    /// several), else `Option<T>`.
    pub async fn single<E: Executor>(&self, exec: E) -> Result<C::Single<T>> {
        let found = self.nodes()?.limit(2).all(exec).await?;
        let n = found.len();
        C::single(found).ok_or_else(|| {
            self.violation(format!(
                "found {n}{} {}, expected {}",
                if n > 1 { "+" } else { "" },
                T::NAME,
                C::NAME
            ))
        })
    }

    /// Whether the source is connected to `target`.
    pub async fn is_connected<E: Executor>(&self, target: &T, exec: E) -> Result<bool> {
        let st = self
            .rel
            .relationships_statement(&self.source_id()?, &Self::target_id(target)?);
        Ok(!exec.run(st.render().into_query()).await?.is_empty())
    }

    /// The relationships to `target`: each a [`RelHandle`] with its element
    /// id, both ends and its properties (`.props`), which can be changed
    /// and saved in place.
    pub async fn all_relationships<E: Executor>(
        &self,
        target: &T,
        exec: E,
    ) -> Result<Vec<RelHandle<S, T, C, Rev, R>>> {
        let (source, target) = (self.source_id()?, Self::target_id(target)?);
        let st = self.rel.relationships_statement(&source, &target);
        let records = exec.run(st.render().into_query()).await?;
        records
            .iter()
            .map(|r| RelHandle::from_record(self.rel, r, &source, &target))
            .collect()
    }

    /// The first relationship to `target`, if any.
    pub async fn relationship<E: Executor>(
        &self,
        target: &T,
        exec: E,
    ) -> Result<Option<RelHandle<S, T, C, Rev, R>>> {
        Ok(self
            .all_relationships(target, exec)
            .await?
            .into_iter()
            .next())
    }

    /// Connects `target` with default properties.
    pub async fn connect<E: Executor>(&self, target: &T, exec: E) -> Result<()>
    where
        R: Default,
    {
        self.connect_with(target, R::default(), exec).await
    }

    /// Connects `target` with `props`, MERGE-based as in neomodel: if a
    /// relationship to `target` with the same non-null properties exists
    /// (those marked `#[ogm(on_create)]` aside), nothing is created, its
    /// null properties are removed and its `on_create` ones kept; else a
    /// new one is created, refused with [`Error::CardinalityViolation`] if
    /// either end is full. Connecting twice leaves one relationship; see
    /// [`connect_parallel`](Self::connect_parallel) for another one.
    pub async fn connect_with<E: Executor>(&self, target: &T, props: R, exec: E) -> Result<()> {
        let st = self.rel.connect_statement(
            &self.source_id()?,
            &Self::target_id(target)?,
            props.deflate()?,
            R::on_create(),
        );
        self.write(st, exec, "connect").await.map(drop)
    }

    /// Adds a relationship to `target` even if an identical one exists (a
    /// parallel relationship, for models that record one per event);
    /// refused with [`Error::CardinalityViolation`] if either end is full.
    pub async fn connect_parallel<E: Executor>(&self, target: &T, props: R, exec: E) -> Result<()> {
        let st = self.rel.connect_parallel_statement(
            &self.source_id()?,
            &Self::target_id(target)?,
            props.deflate()?,
        );
        self.write(st, exec, "connect").await.map(drop)
    }

    /// Replaces every relationship of the source with one to `target`.
    pub async fn replace<E: Executor>(&self, target: &T, props: R, exec: E) -> Result<()>
    where
        Rev: Optional,
    {
        let st = self.rel.replace_statement(
            &self.source_id()?,
            &Self::target_id(target)?,
            props.deflate()?,
        );
        self.write(st, exec, "replace").await.map(drop)
    }

    /// Moves the relationship from `old` to `new`, keeping its properties
    /// ([`Error::NotConnected`] if there is none to `old`).
    pub async fn reconnect<E: Executor>(&self, old: &T, new: &T, exec: E) -> Result<()>
    where
        Rev: Optional,
    {
        let st = self.rel.reconnect_statement(
            &self.source_id()?,
            &Self::target_id(old)?,
            &Self::target_id(new)?,
        );
        match self.write(st, exec, "reconnect").await {
            Err(Error::DoesNotExist { .. }) => Err(Error::NotConnected {
                model: S::NAME,
                relation: self.rel.rel_type,
            }),
            r => r.map(drop),
        }
    }

    /// Disconnects `target`; refused if it would leave either end below its
    /// minimum (`OneOrMore`).
    pub async fn disconnect<E: Executor>(&self, target: &T, exec: E) -> Result<()>
    where
        C: CanDisconnect,
        Rev: CanDisconnect,
    {
        let st = self
            .rel
            .disconnect_statement(&self.source_id()?, &Self::target_id(target)?);
        self.write(st, exec, "disconnect").await.map(drop)
    }

    /// Disconnects every related `T`; how many relationships went.
    pub async fn disconnect_all<E: Executor>(&self, exec: E) -> Result<u64>
    where
        C: Optional,
        Rev: Optional,
    {
        let st = self.rel.disconnect_all_statement(&self.source_id()?);
        let records = exec.run(st.render().into_query()).await?;
        let r = records
            .first()
            .ok_or(Error::DoesNotExist { model: S::NAME })?;
        let n: i64 = r.get_as("removed").map_err(Error::from_driver)?;
        Ok(u64::try_from(n).unwrap_or(0))
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
    /// Creates `source` (unsaved) already connected to `target`, in one
    /// statement: the way to create a node whose relationship is required
    /// (`One`, `OneOrMore`) without a moment in which it has none. The
    /// target is locked and its own maximum (`Rev`) checked first: if it
    /// is full, nothing is created and the answer is
    /// [`Error::CardinalityViolation`]. Runs the `pre_save`,
    /// `post_create` and `post_save` hooks like [`save`](crate::NodeExt::save).
    ///
    /// `save` itself does not refuse a new node without its required
    /// relationship (as in neomodel, the minimum is checked when it is
    /// read: [`RelationshipManager::single`] reports the violation);
    /// creating through this method is how the minimum holds from the
    /// start.
    pub async fn create_connected<E: Executor>(
        self,
        source: &mut S,
        target: &T,
        props: R,
        exec: E,
    ) -> Result<()> {
        if source.element_id().is_some() {
            return Err(Error::AlreadySaved { model: S::NAME });
        }
        let target_id = target
            .element_id()
            .ok_or(Error::NotSaved { model: T::NAME })?;
        source.pre_save()?;
        let st = self.create_connected_statement(
            source.deflate()?,
            &source.optional_labels(),
            target_id,
            props.deflate()?,
        );
        let records = exec.run(st.render().into_query()).await?;
        let r = records
            .first()
            .ok_or(Error::DoesNotExist { model: T::NAME })?;
        let created: Vec<String> = r.get_as("created").map_err(Error::from_driver)?;
        let Some(id) = created.into_iter().next() else {
            let to_target = r
                .get_as::<Value>("to_target")
                .map_err(Error::from_driver)?
                .as_i64()
                .unwrap_or(0);
            return Err(Error::CardinalityViolation {
                model: S::NAME,
                relation: self.rel_type,
                detail: format!(
                    "create refused: the {} has {to_target} {} ({} allowed)",
                    T::NAME,
                    S::NAME,
                    Rev::NAME
                ),
            });
        };
        source.set_element_id(Some(id));
        source.post_create()?;
        source.post_save()
    }
}
