//! The pool's metrics through the `metrics` facade (feature `metrics`),
//! named after the OpenTelemetry database-client conventions where they
//! have a name (`db.client.connection.*`), `neo4j.client.connection.*`
//! otherwise. Every series carries `db.client.connection.pool.name` (for
//! Bolt pools the server address, see [`ManageConnection::pool_name`]).
//!
//! Without the feature, [`Export`] is an empty type whose methods do
//! nothing and compile away. With it and no recorder installed, each call
//! is one look-up of the (no-op) global recorder: per acquisition and
//! release, never per record.
//!
//! [`ManageConnection::pool_name`]: crate::ManageConnection::pool_name

use std::time::Duration;

/// Where the pool sends its metrics.
#[derive(Debug, Default)]
pub(crate) struct Export {
    #[cfg(feature = "metrics")]
    pool: metrics::SharedString,
}

/// The gauges' figures at one moment.
#[cfg(feature = "metrics")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gauges {
    pub(crate) idle: usize,
    pub(crate) in_use: usize,
    pub(crate) waiting: usize,
    pub(crate) max: usize,
}

#[cfg(feature = "metrics")]
mod on {
    use super::*;
    use metrics::{counter, gauge, histogram};

    const POOL: &str = "db.client.connection.pool.name";

    #[allow(clippy::cast_precision_loss)] // pool sizes are far below 2^52
    fn f(n: usize) -> f64 {
        n as f64
    }

    impl Export {
        pub(crate) fn new(pool: String) -> Export {
            Export {
                pool: metrics::SharedString::from(pool),
            }
        }

        fn pool(&self) -> metrics::SharedString {
            self.pool.clone()
        }

        pub(crate) fn created(&self) {
            counter!("neo4j.client.connection.created", POOL => self.pool()).increment(1);
        }

        pub(crate) fn closed(&self) {
            counter!("neo4j.client.connection.closed", POOL => self.pool()).increment(1);
        }

        pub(crate) fn broken(&self) {
            counter!("neo4j.client.connection.broken", POOL => self.pool()).increment(1);
        }

        pub(crate) fn timed_out(&self) {
            counter!("db.client.connection.timeouts", POOL => self.pool()).increment(1);
        }

        pub(crate) fn waited(&self, waited: Duration) {
            histogram!("db.client.connection.wait_time", POOL => self.pool())
                .record(waited.as_secs_f64());
        }

        pub(crate) fn connect_took(&self, took: Duration) {
            histogram!("db.client.connection.create_time", POOL => self.pool())
                .record(took.as_secs_f64());
        }

        pub(crate) fn gauges(&self, g: Gauges) {
            const STATE: &str = "db.client.connection.state";
            gauge!("db.client.connection.count", POOL => self.pool(), STATE => "idle")
                .set(f(g.idle));
            gauge!("db.client.connection.count", POOL => self.pool(), STATE => "used")
                .set(f(g.in_use));
            gauge!("db.client.connection.pending_requests", POOL => self.pool()).set(f(g.waiting));
            gauge!("db.client.connection.max", POOL => self.pool()).set(f(g.max));
        }
    }
}

#[cfg(not(feature = "metrics"))]
impl Export {
    pub(crate) fn new(_pool: String) -> Export {
        Export {}
    }
    pub(crate) fn created(&self) {}
    pub(crate) fn closed(&self) {}
    pub(crate) fn broken(&self) {}
    pub(crate) fn timed_out(&self) {}
    pub(crate) fn waited(&self, _waited: Duration) {}
    pub(crate) fn connect_took(&self, _took: Duration) {}
}
