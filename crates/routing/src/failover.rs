//! Failover: forgetting servers that cannot be reached and writers that no
//! longer lead, from what the connector and its client see.

use boltline_bolt::{Address, ServerErrorKind};

use crate::connector::{lock, TARGET};
use crate::{BoltError, Connector, ErrorAction};

impl Connector {
    /// Removes `address` from every routing table and closes its pool (idle
    /// connections now, the rest as they come back): it could not be
    /// reached. It returns when a later table lists it again.
    pub async fn deactivate(&self, address: &Address) {
        let (pool, tables) = {
            let mut state = self.state();
            let tables = state
                .tables
                .values_mut()
                .map(|t| t.forget(address))
                .filter(|removed| *removed)
                .count();
            (state.pools.remove(address), tables)
        };
        lock(&self.inner.ssr).remove(address);
        if tables > 0 || pool.is_some() {
            tracing::info!(target: TARGET, %address, tables, "server removed from routing tables");
        }
        if let Some(p) = pool {
            p.close().await;
        }
    }

    /// Removes `address` as a writer of `database` (it answered
    /// `NotALeader` or `ForbiddenOnReadOnlyDatabase`); the next write
    /// acquisition refreshes the table if no writer is left. Returns
    /// whether it was a writer.
    pub fn on_write_failure(&self, address: &Address, database: &str) -> bool {
        let removed = self
            .state()
            .tables
            .get_mut(database)
            .is_some_and(|t| t.forget_writer(address));
        if removed {
            tracing::info!(target: TARGET, %address, database, "writer removed from routing table");
        }
        removed
    }

    /// Reacts to an error seen on a connection to `address` acquired for
    /// `database`: a broken connection, or `DatabaseUnavailable` (the
    /// server cannot serve the database now), removes the server everywhere
    /// ([`deactivate`](Connector::deactivate)); `NotALeader` and
    /// `ForbiddenOnReadOnlyDatabase` remove it as a writer
    /// ([`on_write_failure`](Connector::on_write_failure)).
    pub async fn on_error(
        &self,
        address: &Address,
        database: &str,
        error: &BoltError,
    ) -> ErrorAction {
        if error.is_connection_error() {
            self.deactivate(address).await;
            return ErrorAction::ServerRemoved;
        }
        match error.server_error().map(|e| e.kind) {
            Some(ServerErrorKind::NotALeader) => {
                self.on_write_failure(address, database);
                ErrorAction::WriterRemoved
            }
            Some(ServerErrorKind::DatabaseUnavailable) => {
                tracing::info!(target: TARGET, %address, database, "database unavailable on this server");
                self.deactivate(address).await;
                ErrorAction::ServerRemoved
            }
            _ => ErrorAction::None,
        }
    }
}
