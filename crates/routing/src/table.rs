//! One database's routing table: plain data, pure methods, time passed in.
//!
//! A `ROUTE` reply (bolt/message, "ROUTE", 4.4 and 5.x) carries
//! `rt: {ttl, db, servers: [{addresses, role}]}` with one entry per role
//! `ROUTE`, `READ` and `WRITE`. Nothing here does IO or reads the clock, so
//! every rule (freshness, forgetting a server, dropping a writer) is tested
//! without a server.

use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, Instant};

use boltline_bolt::{AccessMode, Address, Map, Success, Value};

use crate::RoutingError;

/// The routing table of one database: who routes, who reads, who writes,
/// and for how long the answer holds.
#[derive(Clone, PartialEq, Eq)]
pub struct RoutingTable {
    database: String,
    routers: Vec<Address>,
    readers: Vec<Address>,
    writers: Vec<Address>,
    ttl: Duration,
    fetched_at: Instant,
    initialized_without_writers: bool,
}

impl fmt::Debug for RoutingTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoutingTable")
            .field("database", &self.database)
            .field("routers", &Addresses(&self.routers))
            .field("readers", &Addresses(&self.readers))
            .field("writers", &Addresses(&self.writers))
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// Shows addresses as `[a:1, b:2]` (in logs and `Debug`).
pub(crate) struct Addresses<'a>(pub(crate) &'a [Address]);

impl fmt::Debug for Addresses<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, a) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}")?;
        }
        f.write_str("]")
    }
}

impl fmt::Display for Addresses<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Removes repeated addresses, keeping the first occurrence (and so the
/// server's order, which the official drivers also keep).
fn dedup(addresses: impl IntoIterator<Item = Address>) -> Vec<Address> {
    let mut seen = BTreeSet::new();
    addresses
        .into_iter()
        .filter(|a| seen.insert(a.clone()))
        .collect()
}

impl RoutingTable {
    /// A table fetched at `now`. Repeated addresses within a role are kept
    /// once, in first-seen order.
    pub fn new(
        database: impl Into<String>,
        routers: impl IntoIterator<Item = Address>,
        readers: impl IntoIterator<Item = Address>,
        writers: impl IntoIterator<Item = Address>,
        ttl: Duration,
        now: Instant,
    ) -> RoutingTable {
        let writers = dedup(writers);
        RoutingTable {
            database: database.into(),
            routers: dedup(routers),
            readers: dedup(readers),
            initialized_without_writers: writers.is_empty(),
            writers,
            ttl,
            fetched_at: now,
        }
    }

    /// Reads the `rt` dictionary of a `ROUTE` reply. `requested` is the
    /// database asked for: the table's name when the reply has no `db`
    /// (servers send one from Bolt 4.4 on; for the home database, asked for
    /// with `db` absent, the name comes only from the reply). A home
    /// database's table without `db` gets the empty name (see
    /// [`RoutingTable::is_unnamed`]): no database can be called that.
    ///
    /// A negative `ttl` counts as 0 (stale at once). Roles other than
    /// `ROUTE`, `READ` and `WRITE` are ignored; a role listed twice has its
    /// addresses joined. Anything else malformed is an
    /// [`RoutingError::InvalidRoutingTable`], never a panic.
    pub fn parse(
        rt: &Map,
        requested: Option<&str>,
        now: Instant,
    ) -> Result<RoutingTable, RoutingError> {
        let bad = |reason: String| RoutingError::InvalidRoutingTable(reason);
        let ttl = match rt.get("ttl") {
            Some(Value::Integer(secs)) => Duration::from_secs(u64::try_from(*secs).unwrap_or(0)),
            Some(other) => {
                return Err(bad(format!(
                    "`ttl` is a {}, not an integer",
                    other.type_name()
                )))
            }
            None => return Err(bad("`ttl` is missing".into())),
        };
        let database = match rt.get("db") {
            Some(Value::String(db)) => db.clone(),
            // No name: the requested database's table, or, for the home
            // database, a table whose name the server did not give (testkit's
            // routers and some proxies send none; the official drivers
            // accept it as the home database's table).
            None | Some(Value::Null) => requested.unwrap_or_default().to_owned(),
            Some(other) => {
                return Err(bad(format!(
                    "`db` is a {}, not a string",
                    other.type_name()
                )))
            }
        };
        let servers = match rt.get("servers") {
            Some(Value::List(servers)) => servers,
            Some(other) => {
                return Err(bad(format!(
                    "`servers` is a {}, not a list",
                    other.type_name()
                )))
            }
            None => return Err(bad("`servers` is missing".into())),
        };
        let (mut routers, mut readers, mut writers) = (Vec::new(), Vec::new(), Vec::new());
        for server in servers {
            let server = server.as_map().ok_or_else(|| {
                bad(format!(
                    "a server entry is a {}, not a map",
                    server.type_name()
                ))
            })?;
            let role = server
                .get("role")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("a server entry has no `role` string".into()))?;
            let addresses = server
                .get("addresses")
                .and_then(Value::as_list)
                .ok_or_else(|| bad(format!("the {role} entry has no `addresses` list")))?;
            let target = match role {
                "ROUTE" => &mut routers,
                "READ" => &mut readers,
                "WRITE" => &mut writers,
                // A role this client does not know: ignore it, as a newer
                // server may add roles.
                _ => continue,
            };
            for a in addresses {
                let text = a.as_str().ok_or_else(|| {
                    bad(format!(
                        "a {role} address is a {}, not a string",
                        a.type_name()
                    ))
                })?;
                let address =
                    Address::parse(text).map_err(|e| bad(format!("{role} address: {e}")))?;
                target.push(address);
            }
        }
        Ok(RoutingTable::new(
            database, routers, readers, writers, ttl, now,
        ))
    }

    /// Reads a `ROUTE` reply's `SUCCESS` (see [`RoutingTable::parse`]).
    pub fn from_route_reply(
        reply: &Success,
        requested: Option<&str>,
        now: Instant,
    ) -> Result<RoutingTable, RoutingError> {
        let rt = reply.routing_table().ok_or_else(|| {
            RoutingError::InvalidRoutingTable("the ROUTE reply has no `rt` map".into())
        })?;
        RoutingTable::parse(rt, requested, now)
    }

    /// The database this table is for; empty when it is the home
    /// database's and the server did not name it.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// Whether this is the home database's table and the server did not
    /// name the database (its [`database`](RoutingTable::database) is
    /// empty). Work on it then names no database either, so that the
    /// server picks the home database itself.
    pub fn is_unnamed(&self) -> bool {
        self.database.is_empty()
    }

    /// Servers that answer `ROUTE`.
    pub fn routers(&self) -> &[Address] {
        &self.routers
    }

    /// Servers for reading.
    pub fn readers(&self) -> &[Address] {
        &self.readers
    }

    /// Servers for writing (normally the one leader).
    pub fn writers(&self) -> &[Address] {
        &self.writers
    }

    /// Readers for [`AccessMode::Read`], writers for [`AccessMode::Write`].
    pub fn servers_for(&self, mode: AccessMode) -> &[Address] {
        match mode {
            AccessMode::Read => &self.readers,
            AccessMode::Write => &self.writers,
        }
    }

    /// How long the table holds after it was fetched.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// When it was fetched.
    pub fn fetched_at(&self) -> Instant {
        self.fetched_at
    }

    /// When it expires; `None` when the TTL is too large to represent (it
    /// never expires).
    pub fn expires_at(&self) -> Option<Instant> {
        self.fetched_at.checked_add(self.ttl)
    }

    /// Whether the TTL has run out at `now` (a TTL of 0 runs out at once).
    pub fn is_expired(&self, now: Instant) -> bool {
        self.expires_at().is_some_and(|at| now >= at)
    }

    /// Whether the table can serve `mode` at `now`: not expired, at least
    /// one router, and at least one server for the mode. A stale table is
    /// fetched again before use.
    pub fn is_fresh(&self, mode: AccessMode, now: Instant) -> bool {
        !self.is_expired(now) && !self.routers.is_empty() && !self.servers_for(mode).is_empty()
    }

    /// Whether the table expired more than `delay` ago and, unused, can be
    /// dropped from memory (the official drivers wait 30 s past the TTL).
    pub fn should_purge(&self, now: Instant, delay: Duration) -> bool {
        self.expires_at()
            .and_then(|at| at.checked_add(delay))
            .is_some_and(|at| now >= at)
    }

    /// Whether the table had no writer when fetched. Discovery then asks the
    /// initial address first (as the official drivers do): a router without
    /// a leader in view may be cut off from the rest of the cluster.
    pub fn initialized_without_writers(&self) -> bool {
        self.initialized_without_writers
    }

    /// Whether the server appears in any role.
    pub fn contains(&self, address: &Address) -> bool {
        self.routers.contains(address)
            || self.readers.contains(address)
            || self.writers.contains(address)
    }

    /// Every server, once.
    pub fn servers(&self) -> BTreeSet<&Address> {
        self.routers
            .iter()
            .chain(&self.readers)
            .chain(&self.writers)
            .collect()
    }

    /// Removes the server from every role (it could not be reached).
    /// Returns whether it was present.
    pub fn forget(&mut self, address: &Address) -> bool {
        let before = self.routers.len() + self.readers.len() + self.writers.len();
        self.routers.retain(|a| a != address);
        self.readers.retain(|a| a != address);
        self.writers.retain(|a| a != address);
        before != self.routers.len() + self.readers.len() + self.writers.len()
    }

    /// Removes the server as a writer only (it answered `NotALeader` or
    /// `ForbiddenOnReadOnlyDatabase`: it still serves reads and routing).
    /// Returns whether it was a writer.
    pub fn forget_writer(&mut self, address: &Address) -> bool {
        let before = self.writers.len();
        self.writers.retain(|a| a != address);
        before != self.writers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(port: u16) -> Address {
        Address::new("h", port)
    }

    #[test]
    fn new_dedups_in_order_and_notes_missing_writers() {
        let now = Instant::now();
        let t = RoutingTable::new("db", [a(2), a(1), a(2)], [a(3)], [], Duration::ZERO, now);
        assert_eq!(t.routers(), [a(2), a(1)]);
        assert!(t.initialized_without_writers());
        assert_eq!(format!("{t:?}").matches("h:2").count(), 1);
    }
}
