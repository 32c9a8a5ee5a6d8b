//! Server addresses: `host:port`.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// A server's host and port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    host: String,
    port: u16,
}

impl Address {
    /// Bolt's registered port.
    pub const DEFAULT_PORT: u16 = 7687;

    /// An address from its parts. IPv6 hosts are given without brackets.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Address {
            host: host.into(),
            port,
        }
    }

    /// Parses `host`, `host:port`, `[v6]` or `[v6]:port` (default port 7687).
    pub fn parse(s: &str) -> Result<Address> {
        let bad = |reason: &str| Error::InvalidAddress {
            input: s.to_owned(),
            reason: reason.to_owned(),
        };
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| bad("missing `]` after an IPv6 host"))?;
            match after {
                "" => (host, None),
                p => (
                    host,
                    Some(
                        p.strip_prefix(':')
                            .ok_or_else(|| bad("expected `:port` after `]`"))?,
                    ),
                ),
            }
        } else if s.matches(':').count() > 1 {
            // A bare IPv6 address without a port.
            (s, None)
        } else {
            match s.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            }
        };
        if host.is_empty() {
            return Err(bad("empty host"));
        }
        let port = match port {
            None => Address::DEFAULT_PORT,
            Some(p) => p
                .parse()
                .map_err(|_| bad("port is not a number in 0..=65535"))?,
        };
        Ok(Address::new(host, port))
    }

    /// The host name or IP address.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl FromStr for Address {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Address::parse(s)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        assert_eq!(Address::parse("db:7688").unwrap(), Address::new("db", 7688));
        assert_eq!(Address::parse("db").unwrap(), Address::new("db", 7687));
        assert_eq!(Address::parse("[::1]:9").unwrap(), Address::new("::1", 9));
        assert_eq!(Address::parse("[::1]").unwrap(), Address::new("::1", 7687));
        assert_eq!(
            Address::parse("fe80::1").unwrap(),
            Address::new("fe80::1", 7687)
        );
        for bad in ["", ":1", "db:x", "db:70000", "[::1", "[::1]x"] {
            assert!(Address::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn displays_with_brackets_for_v6() {
        assert_eq!(Address::new("::1", 7687).to_string(), "[::1]:7687");
        assert_eq!(Address::new("h", 1).to_string(), "h:1");
        let a: Address = "h:2".parse().unwrap();
        assert_eq!(a.port(), 2);
        assert_eq!(a.host(), "h");
    }
}
