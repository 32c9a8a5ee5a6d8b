//! Pooling `boltline-bolt` connections to one server address.

use boltline_bolt::{Address, BoltStream, Connection, ConnectionConfig, Error};

use crate::{Health, ManageConnection};

/// A Bolt connection as the pool lends it.
pub type BoltConnection = Connection<BoltStream>;

/// Opens and maintains Bolt connections to one address.
///
/// - health: defunct → broken; responses still owed, an unfinished result,
///   an open transaction or a failed state → dirty; otherwise clean (reused
///   with no round trip);
/// - reset and liveness check: `RESET`, which the official drivers also use
///   as their liveness check (one round trip, and it leaves the connection
///   in a known state);
/// - close: `GOODBYE`.
#[derive(Debug, Clone)]
pub struct BoltManager {
    address: Address,
    config: ConnectionConfig,
}

impl BoltManager {
    /// A manager for connections to `address`.
    pub fn new(address: Address, config: ConnectionConfig) -> Self {
        BoltManager { address, config }
    }

    /// The server address.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The connection settings.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }
}

impl ManageConnection for BoltManager {
    type Connection = BoltConnection;
    type Error = Error;

    async fn connect(&self) -> Result<BoltConnection, Error> {
        Connection::connect(&self.address, &self.config).await
    }

    fn health(&self, conn: &BoltConnection) -> Health {
        if conn.is_defunct() {
            Health::Broken
        } else if conn.needs_reset() || conn.has_pending_responses() || conn.in_transaction() {
            Health::Dirty
        } else {
            Health::Clean
        }
    }

    async fn reset(&self, conn: &mut BoltConnection) -> Result<(), Error> {
        conn.reset().await
    }

    async fn check_alive(&self, conn: &mut BoltConnection) -> Result<(), Error> {
        conn.reset().await
    }

    async fn close(&self, mut conn: BoltConnection) {
        conn.close().await;
    }
}
