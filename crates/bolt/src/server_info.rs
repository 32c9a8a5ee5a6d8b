//! What the server told us about itself in `HELLO`'s `SUCCESS`.

use std::time::Duration;

use boltline_packstream::{Map, Value};

use crate::{Success, Version};

/// The server's agent, connection id, negotiated version and hints.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerInfo {
    /// Agent string, e.g. `Neo4j/5.26.0`.
    pub agent: String,
    /// The server's id for this connection.
    pub connection_id: Option<String>,
    /// The negotiated protocol version.
    pub protocol_version: Version,
    /// Whether the handshake used the manifest (5.7+ servers).
    pub manifest_handshake: bool,
    /// Whether a 4.4 server accepted the `utc` date-time patch.
    pub utc_patch: bool,
    /// All configuration hints as sent.
    pub hints: Map,
    /// `connection.recv_timeout_seconds`: the server promises a chunk (or a
    /// `NOOP`) at least this often while a request is outstanding.
    pub recv_timeout: Option<Duration>,
    /// `telemetry.enabled`: whether the server wants `TELEMETRY`.
    pub telemetry_enabled: bool,
    /// `ssr.enabled`: whether the cluster routes server-side (5.8+).
    pub ssr_enabled: bool,
}

impl ServerInfo {
    /// The version in the agent string (`Neo4j/5.26.0` → 5.26.0), without
    /// a request; `None` when the agent carries none. The server's own
    /// answer is [`Connection::neo4j_version`](crate::Connection::neo4j_version).
    pub fn neo4j_version(&self) -> Option<crate::Neo4jVersion> {
        crate::Neo4jVersion::parse(&self.agent)
    }

    pub(crate) fn from_hello(s: &Success, version: Version, manifest: bool) -> ServerInfo {
        let hints = s.hints().cloned().unwrap_or_default();
        // Invalid values (zero, negative, not an integer) are ignored, as the
        // official drivers do.
        let recv_timeout = match hints.get("connection.recv_timeout_seconds") {
            Some(Value::Integer(secs)) if *secs > 0 => {
                u64::try_from(*secs).ok().map(Duration::from_secs)
            }
            _ => None,
        };
        let flag = |k: &str| hints.get(k).and_then(Value::as_bool).unwrap_or(false);
        let utc_patch = s
            .get("patch_bolt")
            .and_then(Value::as_list)
            .is_some_and(|l| l.iter().any(|p| p.as_str() == Some("utc")));
        ServerInfo {
            agent: s.server().unwrap_or_default().to_owned(),
            connection_id: s.connection_id().map(str::to_owned),
            protocol_version: version,
            manifest_handshake: manifest,
            utc_patch,
            telemetry_enabled: flag("telemetry.enabled"),
            ssr_enabled: flag("ssr.enabled"),
            recv_timeout,
            hints,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(hints: &[(&str, Value)], patch: bool) -> Success {
        let mut m = Map::new();
        m.insert("server".into(), Value::from("Neo4j/4.4.0"));
        m.insert(
            "hints".into(),
            Value::Map(
                hints
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect(),
            ),
        );
        if patch {
            m.insert("patch_bolt".into(), Value::List(vec![Value::from("utc")]));
        }
        Success::new(m)
    }

    #[test]
    fn hints() {
        let s = hello(
            &[
                ("connection.recv_timeout_seconds", Value::from(120i64)),
                ("telemetry.enabled", Value::from(true)),
            ],
            true,
        );
        let i = ServerInfo::from_hello(&s, Version::V4_4, false);
        assert_eq!(i.recv_timeout, Some(Duration::from_secs(120)));
        assert!(i.telemetry_enabled);
        assert!(!i.ssr_enabled);
        assert!(i.utc_patch);
        assert_eq!(i.agent, "Neo4j/4.4.0");
    }

    #[test]
    fn invalid_timeouts_are_ignored() {
        for bad in [Value::from(0i64), Value::from(-5i64), Value::from("120")] {
            let s = hello(&[("connection.recv_timeout_seconds", bad)], false);
            let i = ServerInfo::from_hello(&s, Version::V5_0, false);
            assert_eq!(i.recv_timeout, None);
            assert!(!i.utc_patch);
        }
    }
}
