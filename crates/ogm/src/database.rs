//! The database handle: connection, raw Cypher, transactions and schema.

use boltline::{
    AuthToken, Driver, EagerResult, Map, Query, Record, Session, SessionConfig, Transaction, Value,
};

use crate::cypher::{SchemaKind, SchemaStatement};
use crate::nodeset::inflate_named;
use crate::{Error, Executor, Node, Result};

/// A handle on one Neo4j database through a [`Driver`]: cheap to clone,
/// and an [`Executor`] (`&db`) for every OGM operation.
#[derive(Debug, Clone)]
pub struct Database {
    driver: Driver,
    database: Option<String>,
    impersonated_user: Option<String>,
}

impl Database {
    /// Connects to `uri` with `auth` (the home database unless
    /// [`with_database`](Database::with_database)).
    pub fn connect(uri: &str, auth: AuthToken) -> Result<Self> {
        Ok(Self::from_driver(
            Driver::new(uri, auth).map_err(Error::from_driver)?,
        ))
    }

    /// Connects by a URL with credentials and database, as neomodel takes
    /// it: `bolt://user:password@host:7687/database` (user info and path
    /// optional, no percent-decoding).
    pub fn from_url(url: &str) -> Result<Self> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| Error::InvalidUrl("no scheme".into()))?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (auth, host) = match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                (AuthToken::basic(user, password), host)
            }
            None => (AuthToken::none(), authority),
        };
        if host.is_empty() {
            return Err(Error::InvalidUrl("no host".into()));
        }
        let db = Self::connect(&format!("{scheme}://{host}"), auth)?;
        let path = path.trim_end_matches('/');
        Ok(if path.is_empty() {
            db
        } else {
            db.with_database(path)
        })
    }

    /// Uses an existing driver.
    pub fn from_driver(driver: Driver) -> Self {
        Database {
            driver,
            database: None,
            impersonated_user: None,
        }
    }

    /// The same connection, on database `name`.
    pub fn with_database(mut self, name: impl Into<String>) -> Self {
        self.database = Some(name.into());
        self
    }

    /// The same connection, acting as `user` (needs the `IMPERSONATE`
    /// privilege).
    pub fn impersonate(&self, user: impl Into<String>) -> Self {
        Database {
            impersonated_user: Some(user.into()),
            ..self.clone()
        }
    }

    /// The driver.
    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    /// Closes the driver (every clone of this handle shares it).
    pub async fn close(&self) {
        self.driver.close().await;
    }

    fn session_config(&self) -> SessionConfig {
        let mut c = SessionConfig::new();
        if let Some(db) = &self.database {
            c = c.with_database(db.clone());
        }
        if let Some(u) = &self.impersonated_user {
            c = c.with_impersonated_user(u.clone());
        }
        c
    }

    /// Runs a query (in its own retried transaction).
    pub async fn cypher_query(&self, query: impl Into<Query>) -> Result<EagerResult> {
        let mut q = self.driver.execute_query(query);
        if let Some(db) = &self.database {
            q = q.with_database(db.clone());
        }
        if let Some(u) = &self.impersonated_user {
            q = q.with_impersonated_user(u.clone());
        }
        q.run().await.map_err(Error::from_driver)
    }

    /// Runs a query and resolves column `column` of each record into a
    /// model instance.
    pub async fn cypher_query_as<M: Node>(
        &self,
        query: impl Into<Query>,
        column: &str,
    ) -> Result<Vec<M>> {
        let result = self.cypher_query(query).await?;
        result
            .records()
            .iter()
            .map(|r| inflate_named(r, column))
            .collect()
    }

    /// Runs a query and resolves column `column` of each record, a path,
    /// into a [`ModelPath`](crate::ModelPath): nodes as `N` (a model, or
    /// your enum over several), relationships' properties as `R`.
    pub async fn cypher_query_paths<N: crate::FromNode, R: crate::RelProps>(
        &self,
        query: impl Into<Query>,
        column: &str,
    ) -> Result<Vec<crate::ModelPath<N, R>>> {
        let result = self.cypher_query(query).await?;
        result
            .records()
            .iter()
            .map(|r| crate::ModelPath::from_value(r.get(column).map_err(Error::from_driver)?))
            .collect()
    }

    /// Begins an explicit transaction, in which OGM operations run with
    /// `&mut tx` as their executor.
    pub async fn begin(&self) -> Result<DbTransaction> {
        let mut session = self.driver.session(self.session_config());
        let tx = session
            .begin_transaction()
            .await
            .map_err(Error::from_driver)?;
        Ok(DbTransaction {
            session,
            tx: Some(tx),
        })
    }

    /// Creates the constraints and indexes model `M` declares (idempotent:
    /// `IF NOT EXISTS`).
    pub async fn install_labels<M: Node>(&self) -> Result<()> {
        self.install(&ModelSchema::of::<M>()).await
    }

    /// [`install_labels`](Database::install_labels) for every model of the
    /// program, as neomodel's `install_all_labels`: each `#[derive(Node)]`
    /// registers its model (an `abstract_node` excepted), so none is listed.
    /// A constraint or index two models share is created once.
    pub async fn install_all_labels(&self) -> Result<()> {
        self.install_models(&ModelSchema::registered()).await
    }

    /// [`install_labels`](Database::install_labels) for the models listed
    /// (`ModelSchema::of::<M>()`), for a program that installs only some.
    pub async fn install_models(&self, models: &[ModelSchema]) -> Result<()> {
        let mut done: Vec<&SchemaStatement> = Vec::new();
        for m in models {
            for s in &m.statements {
                if done.contains(&s) {
                    continue;
                }
                self.cypher_query(s.render().into_query()).await?;
                done.push(s);
            }
        }
        Ok(())
    }

    async fn install(&self, schema: &ModelSchema) -> Result<()> {
        for s in &schema.statements {
            self.cypher_query(s.render().into_query()).await?;
        }
        Ok(())
    }

    /// `SHOW CONSTRAINTS`: one map per constraint (`name`, `type`,
    /// `labelsOrTypes`, `properties`, ...).
    pub async fn list_constraints(&self) -> Result<Vec<Map>> {
        self.show("SHOW CONSTRAINTS").await
    }

    /// `SHOW INDEXES`, optionally without the built-in token lookup indexes.
    pub async fn list_indexes(&self, exclude_token_lookup: bool) -> Result<Vec<Map>> {
        let mut all = self.show("SHOW INDEXES").await?;
        if exclude_token_lookup {
            all.retain(|m| m.get("type").and_then(Value::as_str) != Some("LOOKUP"));
        }
        Ok(all)
    }

    async fn show(&self, text: &str) -> Result<Vec<Map>> {
        let result = self.cypher_query(text).await?;
        result
            .records()
            .iter()
            .map(|r| r.to_map().map_err(Error::from_driver))
            .collect()
    }

    /// Drops every constraint.
    pub async fn drop_constraints(&self) -> Result<()> {
        for c in self.list_constraints().await? {
            if let Some(name) = c.get("name").and_then(Value::as_str) {
                let st = SchemaStatement::DropConstraint(name.to_owned());
                self.cypher_query(st.render().into_query()).await?;
            }
        }
        Ok(())
    }

    /// Drops every index except the token lookup ones (and those that back
    /// constraints, which go with their constraint).
    pub async fn drop_indexes(&self) -> Result<()> {
        for i in self.list_indexes(true).await? {
            if i.get("owningConstraint").is_some_and(|v| !v.is_null()) {
                continue;
            }
            if let Some(name) = i.get("name").and_then(Value::as_str) {
                let st = SchemaStatement::DropIndex(name.to_owned());
                self.cypher_query(st.render().into_query()).await?;
            }
        }
        Ok(())
    }

    /// Drops every constraint, then every index.
    pub async fn remove_all_labels(&self) -> Result<()> {
        self.drop_constraints().await?;
        self.drop_indexes().await
    }
}

impl Executor for &Database {
    async fn run(self, query: Query) -> Result<Vec<Record>> {
        // Boxed: see the executors in `executor.rs`.
        Ok(Box::pin(self.cypher_query(query)).await?.into_records())
    }
}

/// The schema commands of one model, for
/// [`Database::install_models`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSchema {
    /// The model's name.
    pub model: &'static str,
    /// Its `CREATE CONSTRAINT`/`CREATE INDEX` commands.
    pub statements: Vec<SchemaStatement>,
}

impl ModelSchema {
    /// The constraints and indexes `M` declares, on its primary label:
    /// named `{label}_{property}_unique`, `_index`, `_fulltext` or `_vector`;
    /// and those its relationships' properties declare
    /// (`#[derive(Relationship)]` fields with the same options), on the
    /// relationship type: `{TYPE}_{property}_...`.
    pub fn of<M: Node>() -> Self {
        let label = M::labels().first().copied().unwrap_or(M::NAME);
        let mut statements = Vec::new();
        push_schema(&mut statements, label, M::properties(), false);
        for (rel_type, props) in M::relationship_properties() {
            push_schema(&mut statements, rel_type, props, true);
        }
        ModelSchema {
            model: M::NAME,
            statements,
        }
    }

    /// The schemas of every model registered in the program: each
    /// `#[derive(Node)]` registers its model (an `abstract_node`, which
    /// has no label to install on, excepted), ordered by model name.
    pub fn registered() -> Vec<ModelSchema> {
        crate::registry::registered()
    }
}

/// The schema commands of `props` on `target` (a label, or a relationship
/// type when `relationship`), skipping any already in `out` (two
/// relationship fields of a model may share a type).
fn push_schema(
    out: &mut Vec<SchemaStatement>,
    target: &str,
    props: &[crate::PropertyDef],
    relationship: bool,
) {
    for p in props {
        let kinds = [
            (p.unique, SchemaKind::Unique, "unique"),
            (p.index, SchemaKind::Index, "index"),
            (p.fulltext, SchemaKind::FullText, "fulltext"),
        ];
        let vector = p.vector.map(|v| SchemaKind::Vector {
            dimensions: v.dimensions,
            similarity: v.similarity,
        });
        let kinds = kinds.into_iter().chain(vector.map(|k| (true, k, "vector")));
        for (on, kind, suffix) in kinds {
            if on {
                let st = SchemaStatement::Create {
                    kind,
                    name: format!("{target}_{}_{suffix}", p.db_name),
                    label: target.to_owned(),
                    property: p.db_name.to_owned(),
                    relationship,
                };
                if !out.contains(&st) {
                    out.push(st);
                }
            }
        }
    }
}

/// An explicit transaction on a [`Database`]: pass `&mut tx` to OGM
/// operations, then [`commit`](DbTransaction::commit). Dropping it
/// uncommitted rolls back.
#[derive(Debug)]
#[must_use = "a transaction rolls back unless committed"]
pub struct DbTransaction {
    session: Session,
    tx: Option<Transaction>,
}

impl DbTransaction {
    fn tx(&mut self) -> Result<&mut Transaction> {
        self.tx
            .as_mut()
            .ok_or(Error::Driver(boltline::Error::TransactionClosed(
                "committed or rolled back",
            )))
    }

    /// Runs raw Cypher in the transaction.
    pub async fn cypher_query(&mut self, query: impl Into<Query>) -> Result<Vec<Record>> {
        Executor::run(self.tx()?, query.into()).await
    }

    /// Commits.
    pub async fn commit(mut self) -> Result<()> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await.map_err(Error::from_driver)?;
        }
        self.session.close().await.map_err(Error::from_driver)
    }

    /// Rolls back.
    pub async fn rollback(mut self) -> Result<()> {
        if let Some(tx) = self.tx.take() {
            tx.rollback().await.map_err(Error::from_driver)?;
        }
        self.session.close().await.map_err(Error::from_driver)
    }
}

impl Executor for &mut DbTransaction {
    async fn run(self, query: Query) -> Result<Vec<Record>> {
        Box::pin(Executor::run(self.tx()?, query)).await
    }
}
