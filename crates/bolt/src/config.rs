//! How to open a connection.

use std::time::Duration;

use boltline_packstream::Map;

use crate::chunk::DEFAULT_MAX_MESSAGE_SIZE;
use crate::{AuthToken, BoltAgent, NotificationFilter, TlsConfig};

/// Default records per `PULL`, as in the official drivers.
pub const DEFAULT_FETCH_SIZE: i64 = 1000;

/// Settings for opening a connection. Build with [`ConnectionConfig::new`]
/// and the `with_*` methods.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// Identifies the application (`HELLO`'s `user_agent`).
    pub user_agent: String,
    /// Identifies the driver (`bolt_agent`, 5.3+).
    pub bolt_agent: BoltAgent,
    /// Credentials.
    pub auth: AuthToken,
    /// TLS, or `None` for plain TCP.
    pub tls: Option<TlsConfig>,
    /// Routing context for `HELLO`: `Some` asks the server to route
    /// (`neo4j://`), `None` not to (`bolt://`).
    pub routing_context: Option<Map>,
    /// Connection-wide notification filter (5.2+).
    pub notification_filter: NotificationFilter,
    /// Limit on establishing the transport: DNS, TCP connect and the TLS
    /// handshake together (default 30 s). `None` waits forever.
    pub connect_timeout: Option<Duration>,
    /// Limit on the Bolt version handshake and authentication (`HELLO`,
    /// `LOGON`) once the transport is up (default 30 s), counted apart from
    /// [`connect_timeout`](ConnectionConfig::connect_timeout): a server that
    /// accepts TCP and never answers fails within it (the driver sets it to
    /// its connection timeout). `None` waits forever.
    pub handshake_timeout: Option<Duration>,
    /// Limit on waiting for the server while a request is outstanding
    /// (between any two chunks). `None` uses the server's
    /// `connection.recv_timeout_seconds` hint, if it sends one.
    pub read_timeout: Option<Duration>,
    /// TCP keep-alive idle time; `None` disables keep-alive probes.
    pub keep_alive: Option<Duration>,
    /// Default records per `PULL` (`-1`: everything at once).
    pub fetch_size: i64,
    /// Largest message accepted from the server, in bytes.
    pub max_message_size: usize,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            user_agent: concat!("boltline/", env!("CARGO_PKG_VERSION")).to_owned(),
            bolt_agent: BoltAgent::default(),
            auth: AuthToken::none(),
            tls: None,
            routing_context: None,
            notification_filter: NotificationFilter::default(),
            connect_timeout: Some(Duration::from_secs(30)),
            handshake_timeout: Some(Duration::from_secs(30)),
            read_timeout: None,
            keep_alive: Some(Duration::from_secs(60)),
            fetch_size: DEFAULT_FETCH_SIZE,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
        }
    }
}

impl ConnectionConfig {
    /// Defaults: no auth, plain TCP, 30 s connect timeout, fetch size 1000.
    pub fn new() -> Self {
        ConnectionConfig::default()
    }

    /// Sets the credentials.
    pub fn with_auth(mut self, auth: AuthToken) -> Self {
        self.auth = auth;
        self
    }

    /// Sets the application's user agent.
    pub fn with_user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Enables TLS.
    pub fn with_tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Sets the routing context (`Some` asks for server-side routing).
    pub fn with_routing_context(mut self, context: Option<Map>) -> Self {
        self.routing_context = context;
        self
    }

    /// Sets the notification filter.
    pub fn with_notification_filter(mut self, filter: NotificationFilter) -> Self {
        self.notification_filter = filter;
        self
    }

    /// Sets the connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets [`handshake_timeout`](ConnectionConfig::handshake_timeout).
    pub fn with_handshake_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Sets the read timeout (overrides the server's hint).
    pub fn with_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Sets TCP keep-alive.
    pub fn with_keep_alive(mut self, idle: Option<Duration>) -> Self {
        self.keep_alive = idle;
        self
    }

    /// Sets the default fetch size.
    pub fn with_fetch_size(mut self, n: i64) -> Self {
        self.fetch_size = n;
        self
    }

    /// Sets the largest accepted message.
    pub fn with_max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_and_redacted_debug() {
        let c = ConnectionConfig::new()
            .with_auth(AuthToken::basic("neo4j", "hunter2"))
            .with_fetch_size(10)
            .with_read_timeout(Some(Duration::from_secs(1)));
        assert_eq!(c.fetch_size, 10);
        assert_eq!(c.read_timeout, Some(Duration::from_secs(1)));
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
