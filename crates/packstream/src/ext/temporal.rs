//! `#[serde(with = "boltline_packstream::ext::temporal")]`: a chrono or
//! time field (or an `Option` of one) written as a Neo4j temporal value
//! and read back from one.
//!
//! ```
//! # #[cfg(feature = "chrono")] {
//! use boltline_packstream::{from_slice, to_bytes, Value};
//! use chrono::NaiveDate;
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Book {
//!     #[serde(with = "boltline_packstream::ext::temporal")]
//!     published: NaiveDate,
//!     #[serde(with = "boltline_packstream::ext::temporal", default)]
//!     reprinted: Option<NaiveDate>,
//! }
//!
//! let book = Book {
//!     published: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
//!     reprinted: None,
//! };
//! let bytes = to_bytes(&book).unwrap();
//! // On the wire, a Date structure (not a string).
//! let value = Value::decode_slice(&bytes).unwrap();
//! assert_eq!(value.as_map().unwrap()["published"].type_name(), "DATE");
//! assert_eq!(from_slice::<Book>(&bytes).unwrap(), book);
//! # }
//! ```
//!
//! Reading into a plain chrono field needs no attribute (see
//! [`ext`](crate::ext)); this module is for writing, and for the types that
//! have no `Deserialize` of their own.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ConvertError;
use crate::Value;

mod sealed {
    pub trait Sealed {}
}

/// A type this module converts: chrono's and time's date and time types
/// (per feature), and `Option`s of them (`None` is null).
pub trait Temporal: sealed::Sealed + Sized {
    /// The Neo4j value.
    fn to_temporal(&self) -> Value;
    /// Back from a Neo4j value.
    fn from_temporal(value: Value) -> Result<Self, ConvertError>;
}

/// Implements [`Temporal`] through the type's `From`/`TryFrom` with
/// [`Value`].
macro_rules! temporal_via_value {
    ($($t:ty),* $(,)?) => {$(
        impl crate::ext::temporal::sealed_impl::Sealed for $t {}
        impl crate::ext::temporal::Temporal for $t {
            fn to_temporal(&self) -> crate::Value {
                crate::Value::from(self.clone())
            }
            fn from_temporal(
                value: crate::Value,
            ) -> Result<Self, crate::ext::ConvertError> {
                <$t>::try_from(value)
            }
        }
    )*};
}
pub(crate) use temporal_via_value;

/// The sealing trait, reachable by the feature modules' macro.
pub(crate) mod sealed_impl {
    pub(crate) use super::sealed::Sealed;
}

impl<T: Temporal> sealed::Sealed for Option<T> {}

impl<T: Temporal> Temporal for Option<T> {
    fn to_temporal(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::to_temporal)
    }
    fn from_temporal(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Null => Ok(None),
            v => T::from_temporal(v).map(Some),
        }
    }
}

/// Writes `value` as a Neo4j temporal value.
pub fn serialize<T: Temporal, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    value.to_temporal().serialize(s)
}

/// Reads a Neo4j temporal value (exactly, from this crate's deserializer).
pub fn deserialize<'de, T: Temporal, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    T::from_temporal(Value::deserialize(d)?).map_err(D::Error::custom)
}
