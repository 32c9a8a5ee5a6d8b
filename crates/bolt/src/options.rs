//! Options carried by requests: transaction settings (`BEGIN`, auto-commit
//! `RUN`), notification filters, the driver's agent, telemetry and routing.

use std::time::Duration;

use boltline_packstream::Map;

use crate::message::Entries;
use crate::{Error, Result, Version};

/// Whether a transaction reads or writes; routing servers send reads to
/// followers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AccessMode {
    /// May write (the server default; `mode` is omitted).
    #[default]
    Write,
    /// Reads only (`mode: "r"`).
    Read,
}

/// Settings of a transaction: sent with `BEGIN`, or with `RUN` for an
/// auto-commit transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TxOptions {
    /// Bookmarks the transaction must see the effects of.
    pub bookmarks: Vec<String>,
    /// Server-side transaction timeout (rounded up to whole milliseconds).
    pub tx_timeout: Option<Duration>,
    /// Metadata attached to the transaction, shown in the server's listings.
    pub tx_metadata: Option<Map>,
    /// Read or write.
    pub mode: AccessMode,
    /// Database name; `None` for the user's home (or the default) database.
    pub db: Option<String>,
    /// User to impersonate.
    pub imp_user: Option<String>,
    /// Notification filter for this transaction (Bolt 5.2+); `None` keeps
    /// the connection's.
    pub notification_filter: Option<NotificationFilter>,
}

impl TxOptions {
    /// Default options.
    pub fn new() -> Self {
        TxOptions::default()
    }

    /// Sets the bookmarks.
    pub fn with_bookmarks(
        mut self,
        bookmarks: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.bookmarks = bookmarks.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the transaction timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.tx_timeout = Some(timeout);
        self
    }

    /// Sets the transaction metadata.
    pub fn with_metadata(mut self, metadata: Map) -> Self {
        self.tx_metadata = Some(metadata);
        self
    }

    /// Sets the access mode.
    pub fn with_mode(mut self, mode: AccessMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the database.
    pub fn with_db(mut self, db: impl Into<String>) -> Self {
        self.db = Some(db.into());
        self
    }

    /// Sets the user to impersonate.
    pub fn with_imp_user(mut self, user: impl Into<String>) -> Self {
        self.imp_user = Some(user.into());
        self
    }

    /// Sets the notification filter.
    pub fn with_notification_filter(mut self, filter: NotificationFilter) -> Self {
        self.notification_filter = Some(filter);
        self
    }

    /// Adds the options to an `extra` dictionary; `timeout_ms` is the
    /// pre-computed [`tx_timeout_ms`] (kept outside because `Entries` borrows).
    pub(crate) fn write_entries<'a>(
        &'a self,
        e: &mut Entries<'a>,
        timeout_ms: Option<i64>,
        version: Version,
    ) -> Result<()> {
        if !self.bookmarks.is_empty() {
            e.strings("bookmarks", &self.bookmarks);
        }
        if let Some(ms) = timeout_ms {
            e.int("tx_timeout", ms);
        }
        if let Some(m) = &self.tx_metadata {
            if !m.is_empty() {
                e.map("tx_metadata", m);
            }
        }
        if self.mode == AccessMode::Read {
            e.str("mode", "r");
        }
        if let Some(db) = &self.db {
            e.str("db", db);
        }
        if let Some(u) = &self.imp_user {
            e.str("imp_user", u);
        }
        if let Some(f) = &self.notification_filter {
            f.write_entries(e, version)?;
        }
        Ok(())
    }

    /// The timeout in whole milliseconds, rounded up so a sub-millisecond
    /// timeout does not become "no timeout" (0).
    pub(crate) fn tx_timeout_ms(&self) -> Result<Option<i64>> {
        self.tx_timeout
            .map(|d| {
                let mut ms = d.as_millis();
                if d.subsec_nanos() % 1_000_000 != 0 {
                    ms += 1;
                }
                i64::try_from(ms).map_err(|_| {
                    Error::InvalidState(format!("transaction timeout {d:?} is too large"))
                })
            })
            .transpose()
    }
}

/// The lowest notification severity the server should report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationSeverity {
    /// No notifications at all.
    Off,
    /// Warnings only.
    Warning,
    /// Warnings and information.
    Information,
}

impl NotificationSeverity {
    /// The protocol's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationSeverity::Off => "OFF",
            NotificationSeverity::Warning => "WARNING",
            NotificationSeverity::Information => "INFORMATION",
        }
    }
}

/// Which notifications the server should send (Bolt 5.2+). The default sends
/// nothing and leaves the server's configuration in charge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationFilter {
    /// Lowest severity reported; `None` for the server's default.
    pub minimum_severity: Option<NotificationSeverity>,
    /// Classifications (categories before 5.6) not to report, e.g.
    /// `HINT`, `DEPRECATION`; `None` for the server's default, an empty list
    /// to disable none.
    pub disabled_classifications: Option<Vec<String>>,
}

impl NotificationFilter {
    /// A filter that turns notifications off.
    pub fn off() -> Self {
        NotificationFilter {
            minimum_severity: Some(NotificationSeverity::Off),
            disabled_classifications: None,
        }
    }

    /// Whether the filter leaves everything to the server.
    pub fn is_server_default(&self) -> bool {
        self.minimum_severity.is_none() && self.disabled_classifications.is_none()
    }

    pub(crate) fn write_entries<'a>(&'a self, e: &mut Entries<'a>, version: Version) -> Result<()> {
        if self.is_server_default() {
            return Ok(());
        }
        if !version.has_notification_filters() {
            return Err(Error::Unsupported {
                feature: "notification filtering",
                needs: Version::V5_2,
                version,
            });
        }
        if let Some(s) = self.minimum_severity {
            e.str("notifications_minimum_severity", s.as_str());
        }
        if let Some(c) = &self.disabled_classifications {
            e.strings(version.disabled_notifications_key(), c);
        }
        Ok(())
    }
}

/// Identifies the driver (not the application) to the server: `HELLO`'s
/// `bolt_agent` (5.3+). It should not identify a machine or user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoltAgent {
    /// `Name/Version` of the driver.
    pub product: String,
    /// Operating system and architecture.
    pub platform: Option<String>,
    /// `Name/Version` of the language.
    pub language: Option<String>,
    /// Compiler or runtime details.
    pub language_details: Option<String>,
}

impl Default for BoltAgent {
    fn default() -> Self {
        BoltAgent {
            product: concat!("boltline/", env!("CARGO_PKG_VERSION")).to_owned(),
            platform: Some(format!(
                "{}; {}",
                std::env::consts::OS,
                std::env::consts::ARCH
            )),
            language: Some("Rust".to_owned()),
            language_details: None,
        }
    }
}

impl BoltAgent {
    pub(crate) fn entries(&self) -> Entries<'_> {
        let mut e = Entries::new();
        e.str("product", &self.product);
        if let Some(p) = &self.platform {
            e.str("platform", p);
        }
        if let Some(l) = &self.language {
            e.str("language", l);
        }
        if let Some(d) = &self.language_details {
            e.str("language_details", d);
        }
        e
    }
}

/// Which driver API ran a transaction, reported by `TELEMETRY` (5.4+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TelemetryApi {
    /// A managed (retried) transaction function.
    ManagedTransaction,
    /// An explicit transaction.
    ExplicitTransaction,
    /// An auto-commit query.
    ImplicitTransaction,
    /// Driver-level `execute_query`.
    ExecuteQuery,
}

impl TelemetryApi {
    /// The value the protocol assigns.
    pub fn code(self) -> i64 {
        match self {
            TelemetryApi::ManagedTransaction => 0,
            TelemetryApi::ExplicitTransaction => 1,
            TelemetryApi::ImplicitTransaction => 2,
            TelemetryApi::ExecuteQuery => 3,
        }
    }
}

/// What a `ROUTE` request asks about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RouteOptions {
    /// Routing context; `None` uses the connection's (or an empty one).
    pub routing_context: Option<Map>,
    /// Bookmarks the routing table must reflect.
    pub bookmarks: Vec<String>,
    /// Database; `None` for the user's home database.
    pub db: Option<String>,
    /// User whose home database to resolve.
    pub imp_user: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use boltline_packstream::{Dialect, Value};
    use bytes::BytesMut;

    fn written(o: &TxOptions, v: Version) -> Result<Map> {
        let ms = o.tx_timeout_ms()?;
        let mut e = Entries::new();
        o.write_entries(&mut e, ms, v)?;
        let mut buf = BytesMut::new();
        e.write(&mut buf, Dialect::BOLT_5)?;
        Ok(Value::decode(&buf.freeze())?.as_map().unwrap().clone())
    }

    #[test]
    fn defaults_write_nothing() {
        assert!(written(&TxOptions::new(), Version::V5_8)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn all_options() {
        let mut md = Map::new();
        md.insert("app".into(), Value::from("x"));
        let o = TxOptions::new()
            .with_bookmarks(["b1"])
            .with_timeout(Duration::from_micros(1500))
            .with_metadata(md)
            .with_mode(AccessMode::Read)
            .with_db("movies")
            .with_imp_user("bob")
            .with_notification_filter(NotificationFilter {
                minimum_severity: Some(NotificationSeverity::Warning),
                disabled_classifications: Some(vec!["HINT".into()]),
            });
        let m = written(&o, Version::V5_6).unwrap();
        assert_eq!(m["tx_timeout"], Value::from(2i64));
        assert_eq!(m["mode"], Value::from("r"));
        assert_eq!(m["db"], Value::from("movies"));
        assert_eq!(m["imp_user"], Value::from("bob"));
        assert_eq!(m["bookmarks"], Value::List(vec![Value::from("b1")]));
        assert_eq!(m["notifications_minimum_severity"], Value::from("WARNING"));
        assert!(m.contains_key("notifications_disabled_classifications"));
        let m = written(&o, Version::V5_2).unwrap();
        assert!(m.contains_key("notifications_disabled_categories"));
        let err = written(&o, Version::V5_1).unwrap_err();
        assert!(matches!(err, Error::Unsupported { needs, .. } if needs == Version::V5_2));
    }

    #[test]
    fn whole_milliseconds_stay_exact() {
        let o = TxOptions::new().with_timeout(Duration::from_secs(3));
        assert_eq!(o.tx_timeout_ms().unwrap(), Some(3000));
        let o = TxOptions::new().with_timeout(Duration::ZERO);
        assert_eq!(o.tx_timeout_ms().unwrap(), Some(0));
    }

    #[test]
    fn telemetry_codes_and_agent() {
        assert_eq!(TelemetryApi::ManagedTransaction.code(), 0);
        assert_eq!(TelemetryApi::ExecuteQuery.code(), 3);
        let agent = BoltAgent::default();
        assert!(agent.product.starts_with("boltline/"));
        assert_eq!(
            agent.entries().keys(),
            vec!["product", "platform", "language"]
        );
        assert_eq!(
            NotificationFilter::off().minimum_severity.unwrap().as_str(),
            "OFF"
        );
    }
}
