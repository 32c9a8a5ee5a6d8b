//! `uuid::Uuid` (feature `uuid`): a string both ways, as Neo4j stores UUIDs
//! (`randomUUID()` returns a string).
//!
//! A `Uuid` struct field and parameter need no attribute: this format is
//! human-readable, so `Uuid`'s own serde support writes and reads the
//! hyphenated text (the feature turns on uuid's `serde`). When Bolt carries
//! a native UUID type, these conversions are where it will be mapped.

use uuid::Uuid;

use super::ConvertError;
use crate::Value;

impl From<Uuid> for Value {
    /// The hyphenated lower-case form, `550e8400-e29b-41d4-a716-446655440000`.
    fn from(u: Uuid) -> Self {
        Value::String(u.hyphenated().to_string())
    }
}

impl TryFrom<Value> for Uuid {
    type Error = ConvertError;
    /// From a string in any form `Uuid` parses (hyphenated, simple, braced,
    /// URN).
    fn try_from(v: Value) -> Result<Self, ConvertError> {
        match v {
            Value::String(s) => Uuid::parse_str(&s)
                .map_err(|e| ConvertError::Invalid(format!("`{s}` is not a UUID: {e}"))),
            other => Err(ConvertError::mismatch("STRING (a UUID)", &other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{from_record, from_value, to_bytes, Error};
    use serde::{Deserialize, Serialize};

    const TEXT: &str = "550e8400-e29b-41d4-a716-446655440000";

    #[test]
    fn uuids_are_strings_both_ways() {
        let u = Uuid::parse_str(TEXT).unwrap();
        assert_eq!(Value::from(u), Value::String(TEXT.into()));
        assert_eq!(Uuid::try_from(Value::from(TEXT)).unwrap(), u);
        assert!(matches!(
            Uuid::try_from(Value::from("not-a-uuid")),
            Err(ConvertError::Invalid(m)) if m.contains("not-a-uuid")
        ));
        assert_eq!(
            Uuid::try_from(Value::Integer(1)),
            Err(ConvertError::mismatch(
                "STRING (a UUID)",
                &Value::Integer(1)
            ))
        );
    }

    #[test]
    fn uuid_fields_round_trip_as_strings() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Tagged {
            id: Uuid,
            other: Option<Uuid>,
        }
        let t = Tagged {
            id: Uuid::parse_str(TEXT).unwrap(),
            other: None,
        };
        let bytes = to_bytes(&t).unwrap();
        let v = Value::decode_slice(&bytes).unwrap();
        assert_eq!(v.as_map().unwrap()["id"], Value::String(TEXT.into()));
        assert_eq!(from_value::<Tagged>(&v).unwrap(), t);

        let fields = to_bytes(&(42_i64, Value::Null)).unwrap();
        let err = from_record::<_, Tagged>(&["id", "other"], &fields).unwrap_err();
        assert!(
            matches!(&err, Error::InColumn { column, .. } if column == "id"),
            "{err:?}"
        );
    }
}
