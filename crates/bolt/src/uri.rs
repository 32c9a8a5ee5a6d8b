//! Connection URIs: `bolt://`, `neo4j://` and their `+s` / `+ssc` forms.
//!
//! `bolt` talks to one server; `neo4j` asks the server to route (and tells
//! the routing layer to fetch routing tables). `+s` means TLS verified
//! against trusted roots; `+ssc` means TLS trusting any certificate
//! (self-signed), as in the official drivers.

use boltline_packstream::{Map, Value};

use crate::{Address, Error, Result};

/// How the transport is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Security {
    /// Plain TCP.
    Plain,
    /// TLS with full certificate and host-name verification (`+s`).
    Verified,
    /// TLS accepting any certificate (`+ssc`).
    TrustAny,
}

/// A parsed connection URI.
#[derive(Debug, Clone, PartialEq)]
pub struct BoltUri {
    /// Whether the scheme is `neo4j` (routing) rather than `bolt` (direct).
    pub routing: bool,
    /// Transport security.
    pub security: Security,
    /// The server to contact first.
    pub address: Address,
    /// Query parameters: the routing context the server receives.
    pub routing_context: Map,
}

impl BoltUri {
    /// Parses `scheme://host[:port][?key=value&...]`.
    pub fn parse(uri: &str) -> Result<BoltUri> {
        let bad = |reason: &str| Error::InvalidAddress {
            input: uri.to_owned(),
            reason: reason.to_owned(),
        };
        let (scheme, rest) = uri
            .split_once("://")
            .ok_or_else(|| bad("missing `scheme://`"))?;
        let (routing, security) = match scheme.to_ascii_lowercase().as_str() {
            "bolt" => (false, Security::Plain),
            "bolt+s" => (false, Security::Verified),
            "bolt+ssc" => (false, Security::TrustAny),
            "neo4j" => (true, Security::Plain),
            "neo4j+s" => (true, Security::Verified),
            "neo4j+ssc" => (true, Security::TrustAny),
            _ => return Err(bad("scheme must be bolt, neo4j, or either with +s or +ssc")),
        };
        let (authority, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let authority = authority.trim_end_matches('/');
        if authority.contains('@') {
            return Err(bad(
                "credentials do not belong in the URI; use an auth token",
            ));
        }
        let address = Address::parse(authority)?;
        let mut routing_context = Map::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| bad("routing context entries must be key=value"))?;
            if k == "address" {
                return Err(bad("`address` is reserved in the routing context"));
            }
            if !routing {
                return Err(bad("routing context needs a neo4j:// URI"));
            }
            routing_context.insert(k.to_owned(), Value::from(v));
        }
        Ok(BoltUri {
            routing,
            security,
            address,
            routing_context,
        })
    }

    /// The `routing` entry for `HELLO`: the context plus the address, for
    /// `neo4j` URIs; `None` (no server-side routing) for `bolt`.
    pub fn hello_routing_context(&self) -> Option<Map> {
        self.routing.then(|| {
            let mut m = self.routing_context.clone();
            m.insert("address".into(), Value::from(self.address.to_string()));
            m
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        let u = BoltUri::parse("bolt://localhost:17687").unwrap();
        assert!(!u.routing);
        assert_eq!(u.security, Security::Plain);
        assert_eq!(u.address, Address::new("localhost", 17687));
        assert_eq!(u.hello_routing_context(), None);
        assert_eq!(
            BoltUri::parse("bolt+s://h").unwrap().security,
            Security::Verified
        );
        assert_eq!(
            BoltUri::parse("bolt+ssc://h").unwrap().security,
            Security::TrustAny
        );
        let u = BoltUri::parse("neo4j+s://h:1/?region=eu&policy=p").unwrap();
        assert!(u.routing);
        let ctx = u.hello_routing_context().unwrap();
        assert_eq!(ctx["address"], Value::from("h:1"));
        assert_eq!(ctx["region"], Value::from("eu"));
        assert_eq!(ctx.len(), 3);
    }

    #[test]
    fn rejects() {
        for bad in [
            "localhost:7687",
            "http://h",
            "bolt://u:p@h",
            "bolt://h?x=1",
            "neo4j://h?address=x",
            "neo4j://h?flag",
        ] {
            assert!(BoltUri::parse(bad).is_err(), "{bad}");
        }
    }
}
