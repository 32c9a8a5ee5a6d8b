//! Driver configuration: a builder with the official drivers' defaults.

use std::fmt;
use std::num::NonZeroU64;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use boltline_bolt::{NotificationFilter, TlsConfig};
use boltline_pool::Clock;
use boltline_routing::Resolve;

use crate::{Error, Result};

/// Which certificates to trust when encryption is turned on for a `bolt://`
/// or `neo4j://` URI with [`ConfigBuilder::with_encryption`]. (`+s` and
/// `+ssc` schemes choose the trust themselves and must not be combined with
/// this.)
#[derive(Clone)]
#[non_exhaustive]
pub enum TrustedCertificates {
    /// Mozilla's roots compiled in, with host-name verification (like `+s`).
    System,
    /// Any certificate (like `+ssc`): for self-signed development servers.
    All,
    /// The CA certificates of a PEM file.
    CaFile(PathBuf),
    /// A TLS configuration built with [`TlsConfig::builder`] (client
    /// certificates, several CAs, a server name override).
    Custom(TlsConfig),
}

impl fmt::Debug for TrustedCertificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustedCertificates::System => f.write_str("System"),
            TrustedCertificates::All => f.write_str("All"),
            TrustedCertificates::CaFile(p) => f.debug_tuple("CaFile").field(p).finish(),
            TrustedCertificates::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

impl TrustedCertificates {
    pub(crate) fn tls_config(&self) -> Result<TlsConfig> {
        let tls = match self {
            TrustedCertificates::System => TlsConfig::webpki_roots(),
            TrustedCertificates::All => TlsConfig::trust_any(),
            TrustedCertificates::CaFile(p) => TlsConfig::with_ca_file(p),
            TrustedCertificates::Custom(t) => Ok(t.clone()),
        };
        tls.map_err(|e| Error::InvalidConfig(format!("TLS: {e}")))
    }
}

/// How many records a result fetches per batch (`PULL`).
///
/// Checked when made: a batch of records is never empty, so a zero or
/// negative size cannot be expressed.
///
/// ```
/// use std::num::NonZeroU64;
/// use boltline::FetchSize;
///
/// assert_eq!(FetchSize::records(0), None);
/// assert_eq!(
///     FetchSize::records(500),
///     Some(FetchSize::Records(NonZeroU64::new(500).unwrap()))
/// );
/// assert_eq!(FetchSize::default(), FetchSize::records(1000).unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FetchSize {
    /// Every record in one batch.
    All,
    /// At most this many records per batch.
    Records(NonZeroU64),
}

impl FetchSize {
    /// Batches of `n` records; `None` for 0.
    pub fn records(n: u64) -> Option<FetchSize> {
        NonZeroU64::new(n).map(FetchSize::Records)
    }

    /// The size as Bolt's `PULL` sends it: `-1` for all, sizes beyond
    /// `i64::MAX` capped (no server returns that many anyway).
    pub(crate) fn wire(self) -> i64 {
        match self {
            FetchSize::All => -1,
            FetchSize::Records(n) => i64::try_from(n.get()).unwrap_or(i64::MAX),
        }
    }
}

impl Default for FetchSize {
    /// 1000 records per batch.
    fn default() -> Self {
        FetchSize::Records(NonZeroU64::new(1000).expect("1000 is not zero"))
    }
}

impl From<NonZeroU64> for FetchSize {
    fn from(n: NonZeroU64) -> Self {
        FetchSize::Records(n)
    }
}

/// The driver's settings. Build with [`Config::builder`]; the defaults are
/// those of the official drivers.
#[derive(Clone)]
pub struct Config {
    pub(crate) max_connection_pool_size: usize,
    pub(crate) connection_acquisition_timeout: Duration,
    pub(crate) max_connection_lifetime: Option<Duration>,
    pub(crate) liveness_check_timeout: Option<Duration>,
    pub(crate) connection_timeout: Option<Duration>,
    pub(crate) keep_alive: Option<Duration>,
    pub(crate) fetch_size: FetchSize,
    pub(crate) max_message_size: usize,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) max_transaction_retry_time: Duration,
    pub(crate) user_agent: Option<String>,
    pub(crate) resolver: Option<Arc<dyn Resolve>>,
    pub(crate) dns_resolver: Option<Arc<dyn Resolve>>,
    pub(crate) encryption: Option<TrustedCertificates>,
    pub(crate) notification_filter: NotificationFilter,
    pub(crate) telemetry_disabled: bool,
    pub(crate) clock: Clock,
    pub(crate) query_text_in_traces: bool,
    pub(crate) warn_notification_severity: Option<crate::SeverityLevel>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("max_connection_pool_size", &self.max_connection_pool_size)
            .field(
                "connection_acquisition_timeout",
                &self.connection_acquisition_timeout,
            )
            .field("max_connection_lifetime", &self.max_connection_lifetime)
            .field("liveness_check_timeout", &self.liveness_check_timeout)
            .field("connection_timeout", &self.connection_timeout)
            .field("keep_alive", &self.keep_alive)
            .field("fetch_size", &self.fetch_size)
            .field("max_message_size", &self.max_message_size)
            .field("read_timeout", &self.read_timeout)
            .field(
                "max_transaction_retry_time",
                &self.max_transaction_retry_time,
            )
            .field("user_agent", &self.user_agent)
            .field("resolver", &self.resolver.is_some())
            .field("dns_resolver", &self.dns_resolver.is_some())
            .field("encryption", &self.encryption)
            .field("notification_filter", &self.notification_filter)
            .field("telemetry_disabled", &self.telemetry_disabled)
            .field("clock", &self.clock)
            .field("query_text_in_traces", &self.query_text_in_traces)
            .field(
                "warn_notification_severity",
                &self.warn_notification_severity,
            )
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_connection_pool_size: 100,
            connection_acquisition_timeout: Duration::from_secs(60),
            max_connection_lifetime: Some(Duration::from_secs(3600)),
            liveness_check_timeout: None,
            connection_timeout: Some(Duration::from_secs(30)),
            keep_alive: Some(Duration::from_secs(60)),
            fetch_size: FetchSize::default(),
            max_message_size: boltline_bolt::chunk::DEFAULT_MAX_MESSAGE_SIZE,
            read_timeout: None,
            max_transaction_retry_time: Duration::from_secs(30),
            user_agent: None,
            resolver: None,
            dns_resolver: None,
            encryption: None,
            notification_filter: NotificationFilter::default(),
            telemetry_disabled: false,
            clock: Clock::system(),
            query_text_in_traces: false,
            warn_notification_severity: None,
        }
    }
}

impl Config {
    /// A builder starting from the defaults.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder {
            config: Config::default(),
        }
    }

    /// Most connections kept per server (default 100).
    pub fn max_connection_pool_size(&self) -> usize {
        self.max_connection_pool_size
    }

    /// How long to wait for a connection from a full pool (default 60 s).
    pub fn connection_acquisition_timeout(&self) -> Duration {
        self.connection_acquisition_timeout
    }

    /// Records fetched per batch (default 1000).
    pub fn fetch_size(&self) -> FetchSize {
        self.fetch_size
    }

    /// How long managed transactions keep retrying (default 30 s).
    pub fn max_transaction_retry_time(&self) -> Duration {
        self.max_transaction_retry_time
    }

    /// Whether `TELEMETRY` messages are suppressed.
    pub fn is_telemetry_disabled(&self) -> bool {
        self.telemetry_disabled
    }

    /// Whether spans carry the query text (`db.query.text`; default: no).
    pub fn query_text_in_traces(&self) -> bool {
        self.query_text_in_traces
    }

    /// The least severity of the notifications logged as warnings
    /// (default: none logged).
    pub fn warn_notification_severity(&self) -> Option<crate::SeverityLevel> {
        self.warn_notification_severity
    }

    /// The clock connection lifetimes, idle times, routing-table TTLs and
    /// the home-database cache are measured with (default: the system
    /// clock).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}

/// Builds a [`Config`]; [`build`](ConfigBuilder::build) checks the values.
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until build() is called"]
pub struct ConfigBuilder {
    config: Config,
}

impl ConfigBuilder {
    /// Most connections kept per server (default 100).
    pub fn with_max_connection_pool_size(mut self, n: usize) -> Self {
        self.config.max_connection_pool_size = n;
        self
    }

    /// How long to wait for a free connection when the pool is full, and
    /// for a new connection to open (default 60 s).
    pub fn with_connection_acquisition_timeout(mut self, timeout: Duration) -> Self {
        self.config.connection_acquisition_timeout = timeout;
        self
    }

    /// Connections older than this are closed instead of reused (default
    /// 1 h; `None`: no limit).
    pub fn with_max_connection_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.config.max_connection_lifetime = lifetime;
        self
    }

    /// Connections idle longer than this are checked with a round trip
    /// before use (default `None`: never; `Some(ZERO)`: always).
    pub fn with_liveness_check_timeout(mut self, idle: Option<Duration>) -> Self {
        self.config.liveness_check_timeout = idle;
        self
    }

    /// Limit on reaching a server (default 30 s; `None`: no limit other
    /// than the acquisition timeout): DNS, TCP connect and TLS. The Bolt
    /// handshake and authentication (`HELLO`/`LOGON`) that follow are
    /// bounded by the
    /// [acquisition timeout](ConfigBuilder::with_connection_acquisition_timeout),
    /// which bounds the whole acquisition, as the official drivers'
    /// conformance suite requires. See `docs/FAILURES.md`.
    pub fn with_connection_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.connection_timeout = timeout;
        self
    }

    /// TCP keep-alive: `true` (default) probes idle sockets after 60 s.
    pub fn with_keep_alive(mut self, on: bool) -> Self {
        self.config.keep_alive = on.then_some(Duration::from_secs(60));
        self
    }

    /// Largest message accepted from the server, in bytes (default
    /// [`DEFAULT_MAX_MESSAGE_SIZE`](boltline_bolt::chunk::DEFAULT_MAX_MESSAGE_SIZE),
    /// 64 MiB). A larger message fails the request with a connection error
    /// and closes the connection. Memory grows only as bytes arrive, so
    /// this bounds what one connection to a hostile or broken server can
    /// make the driver hold; raise it for records larger than that.
    pub fn with_max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = bytes;
        self
    }

    /// Limit on each wait for the server while a request is outstanding
    /// (between any two chunks of its answer). `None` (default) uses the
    /// server's `connection.recv_timeout_seconds` hint when it sends one,
    /// else waits as long as the server keeps the socket open (TCP
    /// keep-alive finds a vanished host). A timed-out connection is closed
    /// and the request fails with a connection error.
    pub fn with_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.read_timeout = timeout;
        self
    }

    /// Records fetched per batch (default 1000).
    pub fn with_fetch_size(mut self, n: FetchSize) -> Self {
        self.config.fetch_size = n;
        self
    }

    /// How long managed transactions keep retrying (default 30 s).
    pub fn with_max_transaction_retry_time(mut self, time: Duration) -> Self {
        self.config.max_transaction_retry_time = time;
        self
    }

    /// The application's name as the server logs it (`HELLO`'s
    /// `user_agent`; default `boltline/<version>`).
    pub fn with_user_agent(mut self, agent: impl Into<String>) -> Self {
        self.config.user_agent = Some(agent.into());
        self
    }

    /// Maps the URI's address to the addresses to try first: for clusters
    /// behind one DNS name, or tests. With `neo4j://` it is consulted for
    /// the initial router; with `bolt://` for every new connection, which
    /// tries the addresses in turn (as the Python driver does).
    pub fn with_resolver(mut self, resolver: impl Resolve) -> Self {
        self.config.resolver = Some(Arc::new(resolver));
        self
    }

    /// Replaces the system's DNS lookup during routing discovery
    /// (`neo4j://` only): each router's host name (after the custom
    /// [resolver](ConfigBuilder::with_resolver), for the URI's address) is
    /// expanded by this function into the addresses to connect to, normally
    /// IP addresses with the same port, each tried in turn. It is asked
    /// about IP addresses too (it may map one to another). Servers chosen
    /// from a routing table for reads and writes are connected to by the
    /// address the table gives.
    ///
    /// ```
    /// use boltline::{Address, Config};
    ///
    /// let config = Config::builder()
    ///     .with_dns_resolver(|a: Address| async move {
    ///         Ok(vec![Address::new("10.0.0.7", a.port())])
    ///     })
    ///     .build()
    ///     .unwrap();
    /// # drop(config);
    /// ```
    pub fn with_dns_resolver(mut self, resolver: impl Resolve) -> Self {
        self.config.dns_resolver = Some(Arc::new(resolver));
        self
    }

    /// Turns TLS on for a `bolt://` or `neo4j://` URI, trusting these
    /// certificates. (With `+s`/`+ssc` URIs the scheme decides; setting
    /// this too is an error.)
    pub fn with_encryption(mut self, trust: TrustedCertificates) -> Self {
        self.config.encryption = Some(trust);
        self
    }

    /// Which notifications the server sends (Bolt 5.2+); sessions may
    /// override it.
    pub fn with_notification_filter(mut self, filter: NotificationFilter) -> Self {
        self.config.notification_filter = filter;
        self
    }

    /// Stops the driver from sending `TELEMETRY` (which API ran each
    /// transaction; sent only when the server asks for it).
    pub fn with_telemetry_disabled(mut self, disabled: bool) -> Self {
        self.config.telemetry_disabled = disabled;
        self
    }

    /// The clock ages and lifetimes are measured with: connection lifetime
    /// and idle time (liveness checks), routing-table TTLs, the home-database
    /// cache. Default: the system clock. `Clock::fake` lets tests move
    /// time forward by hand (`FakeTime`, feature `test-util`). Timeouts that
    /// bound waiting (acquisition, connection, retries) always run on real
    /// time.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.config.clock = clock;
        self
    }

    /// Puts the query text on the driver's spans (`db.query.text`, see
    /// docs/OBSERVABILITY.md). Off by default: a query's text can hold
    /// data (literals). Parameters are never recorded, whatever this says.
    pub fn with_query_text_in_traces(mut self, on: bool) -> Self {
        self.config.query_text_in_traces = on;
        self
    }

    /// Logs the notifications of every result at or above `severity` as
    /// `tracing` warnings (target `boltline::notifications`) with their GQL
    /// status, code, classification and position, when the result's
    /// summary arrives; `None` (the default) logs none. The Python
    /// driver's `warn_notification_severity`. Neither the parameters nor
    /// the query text are logged.
    pub fn with_warn_notification_severity(
        mut self,
        severity: Option<crate::SeverityLevel>,
    ) -> Self {
        self.config.warn_notification_severity = severity;
        self
    }

    /// Checks the values.
    pub fn build(self) -> Result<Config> {
        let c = &self.config;
        if c.max_connection_pool_size == 0 {
            return Err(Error::InvalidConfig(
                "max_connection_pool_size must be at least 1".into(),
            ));
        }
        if c.connection_acquisition_timeout.is_zero() {
            return Err(Error::InvalidConfig(
                "connection_acquisition_timeout must be greater than zero".into(),
            ));
        }
        if c.connection_timeout.is_some_and(|t| t.is_zero()) {
            return Err(Error::InvalidConfig(
                "connection_timeout must be greater than zero (or None for no limit)".into(),
            ));
        }
        if c.read_timeout.is_some_and(|t| t.is_zero()) {
            return Err(Error::InvalidConfig(
                "read_timeout must be greater than zero (or None)".into(),
            ));
        }
        if c.max_message_size < 1024 {
            return Err(Error::InvalidConfig(format!(
                "max_message_size must be at least 1024 bytes; got {}",
                c.max_message_size
            )));
        }
        if c.user_agent.as_deref().is_some_and(str::is_empty) {
            return Err(Error::InvalidConfig("user_agent must not be empty".into()));
        }
        Ok(self.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_official_drivers() {
        let c = Config::builder().build().unwrap();
        assert_eq!(c.max_connection_pool_size, 100);
        assert_eq!(c.connection_acquisition_timeout, Duration::from_secs(60));
        assert_eq!(c.max_connection_lifetime, Some(Duration::from_secs(3600)));
        assert_eq!(c.fetch_size, FetchSize::records(1000).unwrap());
        assert_eq!(c.max_transaction_retry_time, Duration::from_secs(30));
        assert!(!c.telemetry_disabled);
        assert!(c.encryption.is_none());
        assert!(c.clock().is_system());
    }

    #[test]
    fn builder_sets_values() {
        let fake = std::sync::Arc::new(boltline_pool::FakeTime::new());
        let c = Config::builder()
            .with_max_connection_pool_size(7)
            .with_connection_acquisition_timeout(Duration::from_secs(2))
            .with_max_connection_lifetime(None)
            .with_liveness_check_timeout(Some(Duration::ZERO))
            .with_connection_timeout(Some(Duration::from_secs(3)))
            .with_keep_alive(false)
            .with_fetch_size(FetchSize::All)
            .with_max_transaction_retry_time(Duration::from_secs(5))
            .with_user_agent("app/1")
            .with_telemetry_disabled(true)
            .with_notification_filter(NotificationFilter::off())
            .with_clock(Clock::fake(fake.clone()))
            .build()
            .unwrap();
        assert_eq!(c.max_connection_pool_size(), 7);
        assert_eq!(c.connection_acquisition_timeout(), Duration::from_secs(2));
        assert_eq!(c.max_connection_lifetime, None);
        assert_eq!(c.liveness_check_timeout, Some(Duration::ZERO));
        assert_eq!(c.keep_alive, None);
        assert_eq!(c.fetch_size(), FetchSize::All);
        assert_eq!(c.max_transaction_retry_time(), Duration::from_secs(5));
        assert_eq!(c.user_agent.as_deref(), Some("app/1"));
        assert!(c.is_telemetry_disabled());
        assert_eq!(c.notification_filter, NotificationFilter::off());
        assert_eq!(c.clock(), &Clock::fake(fake));
    }

    #[test]
    fn bad_values_are_rejected_with_a_reason() {
        let cases = [
            (
                Config::builder().with_max_connection_pool_size(0),
                "max_connection_pool_size",
            ),
            (
                Config::builder().with_connection_acquisition_timeout(Duration::ZERO),
                "connection_acquisition_timeout",
            ),
            (
                Config::builder().with_connection_timeout(Some(Duration::ZERO)),
                "connection_timeout",
            ),
            (Config::builder().with_user_agent(""), "user_agent"),
        ];
        for (builder, field) in cases {
            let e = builder.build().unwrap_err();
            assert!(matches!(e, Error::InvalidConfig(_)), "{e}");
            assert!(e.to_string().contains(field), "{e}");
        }
    }

    #[test]
    fn debug_hides_nothing_secret_and_names_resolver() {
        let c = Config::builder()
            .with_resolver(|a: boltline_bolt::Address| async move { Ok(vec![a]) })
            .build()
            .unwrap();
        assert!(format!("{c:?}").contains("resolver: true"));
    }

    #[test]
    fn fetch_size_on_the_wire() {
        assert_eq!(FetchSize::records(0), None);
        assert_eq!(FetchSize::All.wire(), -1);
        assert_eq!(FetchSize::records(7).unwrap().wire(), 7);
        assert_eq!(FetchSize::records(u64::MAX).unwrap().wire(), i64::MAX);
        assert_eq!(FetchSize::default().wire(), 1000);
    }
}
