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

// The driver's futures are large (a query's result handling, retries);
// each executor boxes its work so that an OGM operation's own future stays
// small, whatever the driver does inside (deeply nested awaits of large
// futures overflow a 2 MB thread stack in debug builds).

impl Executor for &mut Transaction {
    async fn run(self, query: Query) -> Result<Vec<Record>> {
        Box::pin(async move {
            let mut result = Transaction::run(self, query)
                .await
                .map_err(Error::from_driver)?;
            result.collect_records().await.map_err(Error::from_driver)
        })
        .await
    }
}

impl Executor for &mut ManagedTransaction<'_> {
    async fn run(self, query: Query) -> Result<Vec<Record>> {
        Box::pin(async move {
            let mut result = ManagedTransaction::run(self, query)
                .await
                .map_err(Error::from_driver)?;
            result.collect_records().await.map_err(Error::from_driver)
        })
        .await
    }
}
