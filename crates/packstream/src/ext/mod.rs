//! The types users already have: conversions and serde support for chrono,
//! time, uuid and serde_json, each behind its cargo feature (all off by
//! default).
//!
//! # How the types meet the serde format
//!
//! - **Reading** (`from_record`, `from_value`, `from_slice`): a temporal
//!   structure read into a target that is not one of this crate's types
//!   arrives as its ISO 8601 text ([`to_iso_string`]). chrono's types parse
//!   that text in their own `Deserialize`, so a plain
//!   `struct Book { published: NaiveDate }` works with no attribute.
//! - **Writing** (`to_bytes`, `to_buf`, parameters): chrono's and time's
//!   `Serialize` write strings, and a serializer cannot tell such a string
//!   from any other, so a field that must reach the server as a Neo4j
//!   temporal value (not a string) says so with
//!   `#[serde(with = "boltline_packstream::ext::temporal")]` (see
//!   [`temporal`]); the module reads too, exactly, and also handles the
//!   types that have no `Deserialize` of their own
//!   (`DateTime<chrono_tz::Tz>`, time's types, chrono's `TimeDelta`).
//!   A value passed through [`Value`](crate::Value) (`Value::from(date)`,
//!   a driver's `.param("p", date)`) is already a temporal value.
//! - `uuid::Uuid` and `serde_json::Value` need nothing: a UUID is a string
//!   both ways (as Neo4j stores it), and JSON values map onto PackStream's.

#[cfg(feature = "chrono")]
pub mod chrono;
#[cfg(feature = "chrono-tz")]
pub mod chrono_tz;
mod iso;
#[cfg(feature = "serde_json")]
pub mod serde_json;
#[cfg(any(feature = "chrono", feature = "time"))]
pub mod temporal;
#[cfg(feature = "time")]
pub mod time;
#[cfg(feature = "uuid")]
pub mod uuid;

pub use iso::to_iso_string;

use crate::TypeMismatch;

/// A [`Value`](crate::Value) that did not convert into one of the external
/// types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// The value had another type.
    #[error(transparent)]
    Type(#[from] TypeMismatch),
    /// The value is outside what the target type can represent.
    #[error("{0} is out of range for the target type")]
    OutOfRange(&'static str),
    /// The value has the right type but could not be read (a malformed UUID
    /// string, an unknown time-zone id, ...).
    #[error("{0}")]
    Invalid(String),
}

impl ConvertError {
    #[cfg_attr(
        not(any(feature = "chrono", feature = "time", feature = "uuid")),
        allow(dead_code)
    )]
    pub(crate) fn mismatch(expected: &'static str, found: &crate::Value) -> Self {
        ConvertError::Type(TypeMismatch {
            expected,
            found: found.type_name(),
        })
    }
}
