//! Bolt 6.0's `UnsupportedType` (tag `?`): a placeholder the server sends for
//! a value the negotiated protocol version cannot carry.

use crate::{Map, Value};

/// A value the server could not send at this protocol version.
#[derive(Debug, Clone, PartialEq)]
pub struct UnsupportedType {
    /// Name of the type, e.g. `"QuantumFloat"`.
    pub name: String,
    /// Major protocol version needed to receive it.
    pub minimum_protocol_major: i64,
    /// Minor protocol version needed to receive it.
    pub minimum_protocol_minor: i64,
    /// Extra information; `message` may hold a human-readable hint.
    pub extra: Map,
}

impl UnsupportedType {
    /// The server's human-readable message, when it sent one.
    pub fn message(&self) -> Option<&str> {
        match self.extra.get("message") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }
}
