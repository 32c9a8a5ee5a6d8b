//! Where OGM statements run: a [`Database`](crate::Database) (each
//! statement in its own retried transaction), an explicit
//! [`DbTransaction`](crate::DbTransaction), or the driver's transactions.

use std::future::Future;

use boltline::{ManagedTransaction, Query, Record, Transaction};

use crate::{Error, Result};

/// Runs one query and returns its records.
///
/// Implemented for `&Database`, `&mut DbTransaction`, and the driver's
/// `&mut Transaction` and `&mut ManagedTransaction`, so every OGM operation
/// can take part in an explicit transaction: `person.save(&mut tx)`.
pub trait Executor: Send {
    /// Runs `query`; all its records, in order.
    fn run(self, query: Query) -> impl Future<Output = Result<Vec<Record>>> + Send;
}

impl Executor for &mut Transaction {
    async fn run(self, query: Query) -> Result<Vec<Record>> {
        let mut result = Transaction::run(self, query)
            .await
            .map_err(Error::from_driver)?;
        result.collect_records().await.map_err(Error::from_driver)
    }
}

impl Executor for &mut ManagedTransaction<'_> {
    async fn run(self, query: Query) -> Result<Vec<Record>> {
        let mut result = ManagedTransaction::run(self, query)
            .await
            .map_err(Error::from_driver)?;
        result.collect_records().await.map_err(Error::from_driver)
    }
}
